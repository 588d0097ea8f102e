from django.db import models
from django.utils.translation import gettext_lazy as _

from childcare.models.choices import AgeBand
from childcare.models.facilities import Facility


class ProgramAvailability(models.Model):
    """Free places of one program (facility × age band) during one stretch of days, for fast reads.

    A program's rows cut time at every day a place begins or ends, so the places taken are the same
    on every day from ``valid_from`` up to (not including) ``valid_until`` (open-ended: none). Rows are
    derived data: ``childcare.facilities.availability`` rewrites them from capacities, active
    placements and open offers in the transaction that changes those; nothing else writes them.
    Checks that take a place (making or accepting an offer) count from the source rows, under locks.
    """

    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.CASCADE,
        related_name="availability",
        db_index=False,  # the unique constraint's index starts with the facility
    )
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices)
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"), null=True, blank=True)
    places = models.IntegerField(_("places"))
    taken = models.IntegerField(_("places taken"))
    # The fewest free places on any day from this stretch on: what a new open-ended place can rely on.
    lowest_free = models.IntegerField(_("lowest free places from here on"))

    class Meta:
        verbose_name = _("availability")
        verbose_name_plural = _("availability")
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "age_band", "valid_from"], name="availability_one_row_per_day"
            ),
        ]

    def __str__(self):
        return f"{self.facility_id} {self.age_band} {self.valid_from}: {self.places - self.taken}"
