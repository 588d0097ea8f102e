"""Points for a wish: a pure function of the policy and the family's answers.

Every score comes with its explanation (criterion -> points) so staff and parents
can see why a child stands where it stands.
"""

import datetime
from dataclasses import dataclass

from childcare.age import age_in_months, has_legal_entitlement


@dataclass(frozen=True)
class PointsPolicy:
    residence: int = 30
    legal_entitlement: int = 20
    single_parent: int = 15
    working_guardian: int = 10
    hardship: int = 50
    sibling: int = 8
    month_waited: int = 1
    months_waited_cap: int = 24


@dataclass(frozen=True)
class WishFacts:
    # None: not answered yet (a draft), which earns no points.
    resides_in_municipality: bool | None
    guardians_working_or_training: int | None
    single_parent: bool | None
    hardship_referral: bool | None
    sibling_at_facility: bool
    birth_date: datetime.date
    start_date: datetime.date
    submitted_on: datetime.date | None


def wish_points(
    policy: PointsPolicy, facts: WishFacts, *, today: datetime.date
) -> tuple[int, dict[str, int]]:
    """Total points and the non-zero parts, keyed by criterion."""
    waited = 0
    if facts.submitted_on is not None and today > facts.submitted_on:
        waited = min(age_in_months(facts.submitted_on, today), policy.months_waited_cap)
    parts = {
        "residence": policy.residence if facts.resides_in_municipality else 0,
        "legal_entitlement": policy.legal_entitlement
        if has_legal_entitlement(facts.birth_date, facts.start_date)
        else 0,
        "single_parent": policy.single_parent if facts.single_parent else 0,
        "working_guardians": policy.working_guardian * (facts.guardians_working_or_training or 0),
        "hardship": policy.hardship if facts.hardship_referral else 0,
        "sibling": policy.sibling if facts.sibling_at_facility else 0,
        "months_waited": policy.month_waited * waited,
    }
    explanation = {criterion: points for criterion, points in parts.items() if points}
    return sum(explanation.values()), explanation
