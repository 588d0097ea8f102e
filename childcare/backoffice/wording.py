"""Plain words for statuses and timeline entries as staff read them: about the family, not to it.

``childcare.admissions.explanations`` speaks to parents ("Your child ..."); the staff pages use these.
"""

from django.utils.translation import gettext_lazy as _

from childcare.admissions import explanations
from childcare.models import ApplicationStatus, EventKind

STATUS_SENTENCES = {
    ApplicationStatus.SUBMITTED: _(
        "Submitted. The child is on the waitlists of the facilities the family chose."
    ),
    ApplicationStatus.WAITING: _(
        "Waiting for a place. The child is on the waitlists of the facilities the family chose."
    ),
    ApplicationStatus.OFFERED: _("The family has an open offer and has to answer it by the deadline."),
    ApplicationStatus.PLACED: _("The child has a place."),
    ApplicationStatus.WITHDRAWN: _("The family withdrew this application."),
    ApplicationStatus.EXPIRED: _(
        "This application expired because the family did not confirm their interest."
    ),
    ApplicationStatus.CLOSED: _("This application is closed."),
}

# Only where the parents' label would read wrongly to staff.
EVENT_LABELS = {
    EventKind.OFFER_MADE: _("Offer made"),
    EventKind.NOTE: _("Internal note"),
}


def status_sentence(status: str) -> str:
    return str(STATUS_SENTENCES.get(status, ""))


def event_label(kind: str) -> str:
    if kind in EVENT_LABELS:
        return str(EVENT_LABELS[kind])
    return explanations.event_label(kind)
