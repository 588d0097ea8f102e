"""The confirmation that a child has a place: where, from when, for how many hours."""

import datetime

from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from reportlab.platypus import Flowable

from childcare.letters.base import (
    PdfDocument,
    care_scope,
    child_rows,
    facility_block,
    facts,
    format_date,
    heading,
    markup,
    para,
    rich,
)
from childcare.models import Placement, PlacementStatus
from portal.models import PortalSettings


class PlacementConfirmation(PdfDocument):
    title = _("Confirmation of a daycare place")
    file_label = pgettext_lazy("PDF file name", "Placement")

    def get_queryset(self) -> QuerySet[Placement]:
        return Placement.objects.select_related("child", "facility__provider", "source_offer__application")

    def reference(self, placement: Placement) -> str:
        # A place recorded by staff without an offer has no application number to quote.
        if placement.source_offer:
            return placement.source_offer.application.reference
        return str(placement.public_id)[:8].upper()

    def body(self, placement: Placement, *, portal: PortalSettings) -> list[Flowable]:
        facility = placement.facility
        rows = [
            (capfirst(gettext("reference number")), self.reference(placement)),
            *child_rows(placement.child),
            (capfirst(gettext("facility")), facility_block(facility, contact=True)),
            (capfirst(gettext("provider")), facility.provider.name),
            (gettext("Age band"), placement.get_age_band_display()),
            (capfirst(gettext("start date")), format_date(placement.start_date)),
        ]
        if placement.end_date:
            # end_date is the first day without care; families think in the last day with care.
            last_day = placement.end_date - datetime.timedelta(days=1)
            rows.append((gettext("Last day of care"), format_date(last_day)))
        rows.append((gettext("Care scope"), care_scope(placement.care_hours_per_week)))
        if placement.status != PlacementStatus.ACTIVE:
            rows.append((capfirst(gettext("status")), placement.get_status_display()))
        story = [
            rich(
                markup(
                    gettext("%(child)s has a place at <b>%(facility)s</b> from %(start)s."),
                    child=placement.child,
                    facility=facility.name,
                    start=format_date(placement.start_date),
                )
            ),
            facts(rows),
        ]
        if placement.end_date:
            story.append(para(gettext("The place ends when your child starts school.")))
        story += [
            heading(gettext("Next steps")),
            para(
                gettext(
                    "The facility will get in touch with you to arrange settling in. The care contract "
                    "and the fees are agreed with the provider, %(provider)s."
                )
                % {"provider": facility.provider.name}
            ),
            para(
                gettext(
                    "Please keep this confirmation. It may serve as proof of the place, for example for "
                    "your employer."
                )
            ),
        ]
        return story
