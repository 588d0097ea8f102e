"""An allocation round's inputs and results as rows: one per program, one per applicant.

Written in bulk when the round is computed and replaced when it is recomputed; read a page
at a time by the preview, the exports and the publishing job, so no request or batch ever
loads a whole city's round.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from childcare.models.applications import Application, Wish
from childcare.models.choices import AgeBand
from childcare.models.facilities import Facility
from childcare.models.rounds import AllocationRound


class RoundProgram(models.Model):
    """A program (facility x age band) of a round: its free places at the target date, and its matches."""

    allocation_round = models.ForeignKey(
        AllocationRound, verbose_name=_("allocation round"), on_delete=models.CASCADE, related_name="programs"
    )
    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="+"
    )
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices)
    seats = models.PositiveIntegerField(_("free places"))
    filled = models.PositiveIntegerField(_("matched"), default=0)

    class Meta:
        verbose_name = _("program of a round")
        verbose_name_plural = _("programs of a round")
        constraints = [
            models.UniqueConstraint(
                fields=["allocation_round", "facility", "age_band"], name="round_program_once"
            ),
        ]
        # The preview pages a round's programs by id (written in facility-name order).
        indexes = [models.Index(fields=["allocation_round", "id"], name="round_program_page_idx")]

    def __str__(self):
        return f"{self.facility_id}:{self.age_band}"


class RoundApplicant(models.Model):
    """An applicant of a round: its ranked wishes as the round saw them, and what it got.

    ``wishes`` holds the inputs, in the family's order of preference: ``[program id, position
    on that program's list]`` per wish (the position is the priority the points gave). The
    result is the matched program and wish (none for a child without a place), the rank of
    the wish reached, and the list position that decided: on the matched list, or the
    closest miss.
    """

    allocation_round = models.ForeignKey(
        AllocationRound,
        verbose_name=_("allocation round"),
        on_delete=models.CASCADE,
        related_name="applicants",
    )
    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="+"
    )
    wishes = models.JSONField(_("wishes as ranked"), default=list)
    program = models.ForeignKey(
        RoundProgram,
        verbose_name=_("matched program"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="matched",
    )
    # A wish deleted since leaves the result readable; publishing then refuses the match.
    wish = models.ForeignKey(
        Wish,
        verbose_name=_("matched wish"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rank_reached = models.PositiveSmallIntegerField(_("wish rank reached"), null=True, blank=True)
    best_position = models.PositiveIntegerField(_("best position"), null=True, blank=True)
    best_program = models.ForeignKey(
        RoundProgram,
        verbose_name=_("program of the best position"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("applicant of a round")
        verbose_name_plural = _("applicants of a round")
        indexes = [
            # Keyset pages (preview, exports, publishing batches) and the counts per round.
            models.Index(fields=["allocation_round", "id"], name="round_applicant_page_idx"),
            models.Index(
                fields=["allocation_round", "program", "rank_reached"], name="round_applicant_result_idx"
            ),
        ]

    def __str__(self):
        return f"{self.allocation_round_id}: {self.application_id}"
