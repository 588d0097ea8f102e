"""The letter that offers a family a place, with the deadline and how to answer."""

from django.conf import settings
from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from reportlab.platypus import Flowable, Spacer

from childcare.letters.base import (
    PdfDocument,
    care_scope,
    child_rows,
    facility_block,
    facts,
    format_date,
    format_moment,
    heading,
    item,
    markup,
    para,
    rich,
    status_page_box,
)
from childcare.models import Offer, OfferStatus
from portal.models import PortalSettings


class OfferLetter(PdfDocument):
    title = _("Offer of a daycare place")
    file_label = pgettext_lazy("PDF file name", "Offer")

    def get_queryset(self) -> QuerySet[Offer]:
        return Offer.objects.select_related("application__child", "wish__facility__provider")

    def reference(self, offer: Offer) -> str:
        return offer.application.reference

    def document_title(self, offer: Offer) -> str:
        if offer.status != OfferStatus.OPEN:
            return gettext("This offer is no longer valid")
        return str(self.title)

    def body(self, offer: Offer, *, portal: PortalSettings) -> list[Flowable]:
        if offer.status != OfferStatus.OPEN:
            # Never "we are pleased to offer" for a place that is gone: a letter rendered late
            # (a resent e-mail, a download) must not contradict the offer's real state.
            return self._closed_body(offer)
        application, facility = offer.application, offer.wish.facility
        deadline = format_moment(offer.expires_at)
        rows = [
            (capfirst(gettext("reference number")), application.reference),
            *child_rows(application.child),
            (capfirst(gettext("facility")), facility_block(facility, contact=True)),
            (capfirst(gettext("provider")), facility.provider.name),
            (capfirst(gettext("start date")), format_date(offer.start_date)),
            (gettext("Age band"), offer.wish.get_age_band_display()),
            (gettext("Care scope"), care_scope(application.care_hours_per_week)),
            (capfirst(gettext("answer by")), deadline),
        ]
        values = {
            "child": application.child,
            "facility": facility.name,
            "start": format_date(offer.start_date),
            "deadline": deadline,
        }
        return [
            rich(
                markup(
                    gettext(
                        "We are pleased to offer %(child)s a place at <b>%(facility)s</b> from %(start)s."
                    ),
                    **values,
                )
            ),
            facts(rows),
            heading(gettext("How to accept the place")),
            item(
                markup(
                    gettext("Sign in to the portal at %(site)s with your e-mail address."),
                    site=settings.SITE_URL,
                ),
                "1.",
            ),
            item(
                markup(
                    gettext("Open your application %(reference)s and accept or decline the offer."),
                    reference=application.reference,
                ),
                "2.",
            ),
            item(markup(gettext("Answer by <b>%(deadline)s</b> at the latest."), **values), "3."),
            Spacer(0, 6),
            para(
                gettext(
                    "The offer ends at this deadline. If you have not answered by then, the place is "
                    "offered to another child; your other wishes stay on the waiting lists."
                )
            ),
            para(
                gettext(
                    "When you accept, your other wishes end, because a child can hold only one place. "
                    "If you decline, your other wishes stay on the waiting lists."
                )
            ),
            heading(gettext("Questions about the place")),
            para(
                gettext(
                    "Please contact the facility about settling in, the care contract and fees; the "
                    "contract is made with the provider."
                )
            ),
            status_page_box(
                application,
                gettext("Scan the code or open the address below to answer the offer on your status page."),
            ),
        ]

    def _closed_body(self, offer: Offer) -> list[Flowable]:
        application, facility = offer.application, offer.wish.facility
        rows = [
            (capfirst(gettext("reference number")), application.reference),
            *child_rows(application.child),
            (capfirst(gettext("facility")), facility_block(facility)),
            (capfirst(gettext("status")), offer.get_status_display()),
        ]
        if offer.decided_at:
            rows.append((capfirst(gettext("since")), format_moment(offer.decided_at)))
        return [
            rich(
                markup(
                    gettext(
                        "The offer of a place for %(child)s at <b>%(facility)s</b> has ended "
                        "(%(status)s). It can no longer be accepted."
                    ),
                    child=application.child,
                    facility=facility.name,
                    status=offer.get_status_display(),
                )
            ),
            facts(rows),
            status_page_box(
                application, gettext("Scan the code or open the address below to see your application.")
            ),
        ]
