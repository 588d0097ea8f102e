import datetime

import pytest
from django.utils import timezone

from childcare.admissions import applications as services
from childcare.errors import DomainError
from childcare.models import AgeBand, Application, ApplicationStatus, FacilityType, Wish, WishStatus
from notifications.models import OutboxMessage
from portal.models import PortalSettings
from tests.factories import CapacityFactory, ChildFactory, FacilityFactory, GuardianshipFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]


def next_august():
    today = timezone.localdate()
    start = datetime.date(today.year, 8, 1)
    return start if start > today else start.replace(year=today.year + 1)


@pytest.fixture
def toddler(parent):
    """Turns two shortly before the next 1 August: U3 at the start."""
    child = ChildFactory(birth_date=next_august() - datetime.timedelta(days=2 * 365 + 20))
    GuardianshipFactory(user=parent, child=child)
    return child


def u3_facility(**kwargs):
    facility = FacilityFactory(**kwargs)
    CapacityFactory(facility=facility, age_band=AgeBand.UNDER_THREE, places=10)
    return facility


# Every priority question answered "no"; a test sets the ones it needs.
ALL_ANSWERED = {
    "resides_in_municipality": False,
    "guardians_working_or_training": 0,
    "single_parent": False,
    "hardship_referral": False,
    "integration_need": False,
}


@pytest.fixture
def draft(toddler, parent):
    application = services.create_application(child=toddler, by=parent)
    return services.update_application(
        application=application,
        by=parent,
        desired_start_date=next_august(),
        care_hours_per_week=35,
        criteria={**ALL_ANSWERED, "resides_in_municipality": True, "consent_data_processing": True},
    )


def test_a_parent_applies_with_three_ranked_wishes(draft, parent):
    facilities = [u3_facility() for _ in range(3)]
    services.set_wishes(application=draft, by=parent, facilities=facilities)
    submitted = services.submit_application(application=draft, by=parent)
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert submitted.submitted_at is not None
    wishes = list(submitted.wishes.order_by("rank"))
    assert [w.facility for w in wishes] == facilities
    assert {w.age_band for w in wishes} == {AgeBand.UNDER_THREE}
    assert all(w.points >= 50 for w in wishes)  # residence 30 + legal entitlement 20
    assert list(submitted.events.values_list("kind", flat=True)) == ["created", "submitted"]
    assert OutboxMessage.objects.filter(kind="application_submitted", recipient=parent).count() == 1


def test_only_a_guardian_can_start_an_application(toddler, other_parent):
    with pytest.raises(DomainError, match="not a guardian"):
        services.create_application(child=toddler, by=other_parent)
    assert not Application.objects.exists()


def test_a_child_has_one_open_application(draft, parent):
    with pytest.raises(DomainError, match="already has an open application"):
        services.create_application(child=draft.child, by=parent)
    assert Application.objects.count() == 1


def test_start_date_in_the_past_is_refused_and_nothing_changes(draft, parent):
    with pytest.raises(DomainError, match="future"):
        services.update_application(
            application=draft, by=parent, desired_start_date=timezone.localdate() - datetime.timedelta(days=1)
        )
    draft.refresh_from_db()
    assert draft.desired_start_date == next_august()


def test_more_wishes_than_allowed_are_refused(draft, parent):
    PortalSettings.objects.filter(pk=1).update(max_wishes=2)
    with pytest.raises(DomainError, match="at most 2"):
        services.set_wishes(application=draft, by=parent, facilities=[u3_facility() for _ in range(3)])
    assert not Wish.objects.exists()


def test_the_same_facility_twice_is_refused(draft, parent):
    facility = u3_facility()
    with pytest.raises(DomainError, match="only once"):
        services.set_wishes(application=draft, by=parent, facilities=[facility, facility])


def test_a_facility_without_places_for_the_age_band_cannot_be_wished(draft, parent):
    kindergarten = FacilityFactory(name="Kindergarten Arche", type=FacilityType.KINDERGARTEN)
    CapacityFactory(facility=kindergarten, age_band=AgeBand.THREE_TO_SCHOOL)
    with pytest.raises(DomainError, match="Kindergarten Arche: .*no places for the age band"):
        services.set_wishes(application=draft, by=parent, facilities=[u3_facility(), kindergarten])
    assert not Wish.objects.exists()


def test_a_facility_closed_for_applications_cannot_be_wished(draft, parent):
    with pytest.raises(DomainError, match="not accepting applications"):
        services.set_wishes(
            application=draft, by=parent, facilities=[u3_facility(accepts_applications=False)]
        )


def test_reordering_wishes_keeps_ranks_unique(draft, parent):
    a, b, c = (u3_facility() for _ in range(3))
    services.set_wishes(application=draft, by=parent, facilities=[a, b, c])
    services.set_wishes(application=draft, by=parent, facilities=[c, a])
    assert list(draft.wishes.order_by("rank").values_list("facility", "rank")) == [(c.pk, 1), (a.pk, 2)]


def test_editing_after_submission_is_recorded_and_withdraws_dropped_wishes(draft, parent):
    a, b = u3_facility(), u3_facility()
    services.set_wishes(application=draft, by=parent, facilities=[a, b])
    services.submit_application(application=draft, by=parent)
    services.set_wishes(application=draft, by=parent, facilities=[b])
    states = dict(draft.wishes.values_list("facility", "status"))
    assert states == {b.pk: WishStatus.ACTIVE, a.pk: WishStatus.WITHDRAWN}
    assert draft.events.filter(kind="edited").count() == 1
    assert OutboxMessage.objects.filter(kind="application_edited").count() == 1


def test_submitting_needs_consent_and_a_wish(toddler, parent):
    application = services.create_application(child=toddler, by=parent)
    services.update_application(
        application=application, by=parent, desired_start_date=next_august(), care_hours_per_week=35
    )
    with pytest.raises(DomainError, match="processing of your data"):
        services.submit_application(application=application, by=parent)
    services.update_application(
        application=application, by=parent, criteria={"consent_data_processing": True}
    )
    with pytest.raises(DomainError, match="at least one facility"):
        services.submit_application(application=application, by=parent)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_withdrawing_the_last_wish_alone_is_refused_but_the_application_can_go(draft, parent):
    services.set_wishes(application=draft, by=parent, facilities=[u3_facility()])
    services.submit_application(application=draft, by=parent)
    wish = draft.wishes.get()
    with pytest.raises(DomainError, match="last wish"):
        services.withdraw_wish(wish=wish, by=parent)
    services.withdraw_application(application=draft, by=parent)
    draft.refresh_from_db()
    wish.refresh_from_db()
    assert draft.status == ApplicationStatus.WITHDRAWN
    assert wish.status == WishStatus.WITHDRAWN


def test_another_parent_cannot_change_or_withdraw(draft, other_parent):
    with pytest.raises(DomainError):
        services.update_application(application=draft, by=other_parent, care_hours_per_week=20)
    with pytest.raises(DomainError):
        services.withdraw_application(application=draft, by=other_parent)
    draft.refresh_from_db()
    assert draft.care_hours_per_week == 35
    assert draft.status == ApplicationStatus.DRAFT


def test_confirming_interest_resets_the_clock(draft, parent):
    services.set_wishes(application=draft, by=parent, facilities=[u3_facility()])
    services.submit_application(application=draft, by=parent)
    Application.objects.filter(pk=draft.pk).update(
        last_confirmed_at=timezone.now() - datetime.timedelta(days=200)
    )
    services.confirm_interest(application=draft, by=parent)
    draft.refresh_from_db()
    assert timezone.now() - draft.last_confirmed_at < datetime.timedelta(minutes=1)
    assert draft.events.filter(kind="interest_confirmed").exists()
