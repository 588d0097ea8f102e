"""The municipal office's priority policy (points per criterion)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from childcare.admissions.priority import PointsPolicy
from portal.models import SingletonModel


class PriorityPolicy(SingletonModel):
    """Points per priority criterion; ties go to earlier submission, then the lottery number."""

    residence_points = models.PositiveSmallIntegerField(_("residence in the municipality"), default=30)
    legal_entitlement_points = models.PositiveSmallIntegerField(
        _("legal entitlement at start (at least 1 year old)"), default=20
    )
    single_parent_points = models.PositiveSmallIntegerField(_("single parent"), default=15)
    working_guardian_points = models.PositiveSmallIntegerField(
        _("each guardian working or in training"), default=10
    )
    hardship_points = models.PositiveSmallIntegerField(_("hardship / youth-office referral"), default=50)
    sibling_points = models.PositiveSmallIntegerField(_("sibling already at the facility"), default=8)
    month_waited_points = models.PositiveSmallIntegerField(_("each full month waited"), default=1)
    months_waited_cap = models.PositiveSmallIntegerField(_("months waited counted at most"), default=24)
    show_positions_to_parents = models.BooleanField(_("show waitlist positions to parents"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("priority policy")
        verbose_name_plural = _("priority policy")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="priority_policy_single_row")]

    def __str__(self):
        return str(_("Priority policy"))

    def as_points_policy(self) -> PointsPolicy:
        return PointsPolicy(
            residence=self.residence_points,
            legal_entitlement=self.legal_entitlement_points,
            single_parent=self.single_parent_points,
            working_guardian=self.working_guardian_points,
            hardship=self.hardship_points,
            sibling=self.sibling_points,
            month_waited=self.month_waited_points,
            months_waited_cap=self.months_waited_cap,
        )
