"""The receipt a family gets for a submitted application: what they asked for and what they told us."""

from xml.sax.saxutils import escape

from django.db.models import Prefetch, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from childcare.letters.base import (
    CONTENT_WIDTH,
    PdfDocument,
    care_scope,
    child_rows,
    facility_block,
    facts,
    format_date,
    format_moment,
    grid,
    heading,
    item,
    para,
    status_page_box,
)
from childcare.models import Application, ApplicationStatus, Wish
from portal.models import PortalSettings


def stated_criteria(application: Application, *, municipality: str) -> list[str]:
    """The family's answers to the priority questions, as sentences addressed to them."""
    values = {"municipality": municipality}
    if application.resides_in_municipality:
        sentences = [gettext("You live in %(municipality)s.") % values]
    else:
        sentences = [gettext("You do not live in %(municipality)s.") % values]
    working = application.guardians_working_or_training
    if working:
        sentences.append(
            ngettext(
                "%(count)s guardian is working or in training.",
                "%(count)s guardians are working or in training.",
                working,
            )
            % {"count": working}
        )
    else:
        sentences.append(gettext("No guardian is working or in training."))
    if application.single_parent:
        sentences.append(gettext("You are bringing up your child alone."))
    if application.hardship_referral:
        sentences.append(gettext("There is a hardship case or a referral from the youth office."))
    if application.integration_need:
        sentences.append(gettext("Your child needs integration support."))
    for wish in application.wishes.all():
        if wish.sibling_at_facility:
            sentences.append(
                gettext("A brother or sister already attends %(facility)s.")
                % {"facility": wish.facility.name}
            )
    return sentences


class ApplicationReceipt(PdfDocument):
    title = _("Application receipt")
    file_label = pgettext_lazy("PDF file name", "Application")

    def get_queryset(self) -> QuerySet[Application]:
        """Only submitted applications have a receipt; a draft is still the family's own notepad."""
        return (
            Application.objects.exclude(status=ApplicationStatus.DRAFT)
            .filter(submitted_at__isnull=False)
            .select_related("child")
            .prefetch_related(
                Prefetch("wishes", queryset=Wish.objects.select_related("facility").order_by("rank"))
            )
        )

    def reference(self, application: Application) -> str:
        return application.reference

    def body(self, application: Application, *, portal: PortalSettings) -> list[Flowable]:
        wishes = [
            [
                para(str(wish.rank), "cell"),
                facility_block(wish.facility),
                para(wish.get_age_band_display(), "cell"),
            ]
            for wish in application.wishes.all()
        ]
        criteria = stated_criteria(application, municipality=portal.municipality_name)
        return [
            para(
                gettext(
                    "We have received your application for a daycare place for %(child)s. Please keep this "
                    "receipt and give the reference number whenever you contact us."
                )
                % {"child": application.child}
            ),
            facts(
                [
                    (capfirst(gettext("reference number")), application.reference),
                    *child_rows(application.child),
                    (capfirst(gettext("submitted")), format_moment(application.submitted_at)),
                    (
                        capfirst(gettext("desired start date")),
                        format_date(application.desired_start_date)
                        if application.desired_start_date
                        else gettext("Not stated"),
                    ),
                    (gettext("Care scope"), care_scope(application.care_hours_per_week)),
                ]
            ),
            status_page_box(
                application,
                gettext(
                    "Scan the code or open the address below and sign in to see at any time where "
                    "your application stands."
                ),
            ),
            heading(gettext("Your wishes in order of preference")),
            grid(
                [capfirst(gettext("rank")), capfirst(gettext("facility")), gettext("Age band")],
                wishes,
                widths=[14 * mm, CONTENT_WIDTH - 64 * mm, 50 * mm],
            ),
            heading(gettext("What you told us")),
            *[item(escape(sentence)) for sentence in criteria],
            para(
                gettext(
                    "Please tell us in the portal when any of this changes, for example your address or "
                    "your work: it can change your place on the waiting lists."
                ),
                "small",
            ),
            heading(gettext("What happens next")),
            para(
                gettext(
                    "The facilities you chose now see your application on their waiting lists. When a "
                    "place is offered to you, we will tell you by e-mail, and you answer in the portal "
                    "by the deadline given."
                )
            ),
        ]
