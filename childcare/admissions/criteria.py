"""The priority questions a family answers on its application.

An unanswered question is NULL, never a silent "no": the form asks it again and an
application with an unanswered question cannot be submitted.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from childcare.errors import DomainError
from childcare.models import Application
from portal.models import PortalSettings

QUESTIONS = {
    "resides_in_municipality": gettext_lazy("Does your family live in %(municipality)s?"),
    "guardians_working_or_training": gettext_lazy("How many guardians are working or in training?"),
    "single_parent": gettext_lazy("Are you bringing up your child alone?"),
    "hardship_referral": gettext_lazy("Has the youth office referred you as a hardship case?"),
    "integration_need": gettext_lazy("Does your child need integration support?"),
}


def question(name: str, *, municipality: str) -> str:
    return str(QUESTIONS[name]) % {"municipality": municipality}


def please_answer(name: str, *, municipality: str) -> str:
    return _("Please answer: %(question)s") % {"question": question(name, municipality=municipality)}


def unanswered(application: Application) -> list[str]:
    return [name for name in QUESTIONS if getattr(application, name) is None]


def require_answers(application: Application) -> None:
    """Refuse an application that leaves a priority question unanswered, naming the first one."""
    missing = unanswered(application)
    if missing:
        municipality = PortalSettings.load().municipality_name
        raise DomainError(please_answer(missing[0], municipality=municipality))
