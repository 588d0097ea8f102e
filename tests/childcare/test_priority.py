import datetime

import pytest

from childcare.admissions.points import recompute_points
from childcare.admissions.priority import PointsPolicy, WishFacts, wish_points
from childcare.models import PriorityPolicy
from tests.factories import (
    ApplicationFactory,
    ChildFactory,
    GuardianshipFactory,
    PlacementFactory,
    WishFactory,
)

D = datetime.date


def facts(**overrides):
    base = {
        "resides_in_municipality": False,
        "guardians_working_or_training": 0,
        "single_parent": False,
        "hardship_referral": False,
        "sibling_at_facility": False,
        "birth_date": D(2024, 3, 1),
        "start_date": D(2026, 8, 1),
        "submitted_on": D(2026, 1, 15),
    }
    return WishFacts(**{**base, **overrides})


def test_default_points_add_up_with_an_explanation_per_criterion():
    points, explanation = wish_points(
        PointsPolicy(),
        facts(resides_in_municipality=True, guardians_working_or_training=2, single_parent=True),
        today=D(2026, 4, 20),
    )
    assert explanation == {
        "residence": 30,
        "legal_entitlement": 20,
        "single_parent": 15,
        "working_guardians": 20,
        "months_waited": 3,
    }
    assert points == 88


def test_months_waited_count_full_months_and_stop_at_the_cap():
    policy = PointsPolicy(month_waited=1, months_waited_cap=24)
    assert wish_points(policy, facts(), today=D(2026, 2, 14))[1].get("months_waited") is None
    assert wish_points(policy, facts(), today=D(2026, 2, 15))[1]["months_waited"] == 1
    assert wish_points(policy, facts(), today=D(2030, 1, 1))[1]["months_waited"] == 24


def test_no_legal_entitlement_before_the_first_birthday_at_start():
    _, explanation = wish_points(PointsPolicy(), facts(birth_date=D(2025, 9, 1)), today=D(2026, 1, 15))
    assert "legal_entitlement" not in explanation


def test_hardship_and_sibling_follow_the_policy_values():
    policy = PointsPolicy(hardship=99, sibling=7)
    points, explanation = wish_points(
        policy,
        facts(hardship_referral=True, sibling_at_facility=True, submitted_on=None),
        today=D(2026, 1, 1),
    )
    assert explanation == {"legal_entitlement": 20, "hardship": 99, "sibling": 7}
    assert points == 126


@pytest.mark.django_db
def test_recompute_points_updates_in_bulk_and_detects_siblings(django_assert_num_queries, parent):
    PriorityPolicy.load()
    sister = ChildFactory()
    GuardianshipFactory(user=parent, child=sister)
    applicant = ChildFactory(birth_date=D(2023, 1, 1))
    GuardianshipFactory(user=parent, child=applicant)
    application = ApplicationFactory(child=applicant, resides_in_municipality=True)
    at_sisters = WishFactory(application=application, rank=1)
    elsewhere = WishFactory(application=application, rank=2)
    PlacementFactory(child=sister, facility=at_sisters.facility)
    for _ in range(20):
        WishFactory()
    # policy, wishes with applications and children, guardians of applicants, their children,
    # siblings' placements, one bulk UPDATE
    with django_assert_num_queries(6):
        changed = recompute_points()
    assert changed == 22
    at_sisters.refresh_from_db()
    elsewhere.refresh_from_db()
    assert at_sisters.sibling_at_facility is True
    assert at_sisters.points_explanation["sibling"] == 8
    assert "sibling" not in elsewhere.points_explanation
    assert at_sisters.points - elsewhere.points == 8


@pytest.mark.django_db
def test_changing_the_policy_changes_stored_points():
    wish = WishFactory(application=ApplicationFactory(resides_in_municipality=True))
    recompute_points()
    wish.refresh_from_db()
    before = wish.points
    policy = PriorityPolicy.load()
    policy.residence_points = 100
    policy.save()
    assert recompute_points() == 1
    wish.refresh_from_db()
    assert wish.points == before + 70
    assert recompute_points() == 0
