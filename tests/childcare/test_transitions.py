"""One way to change state: each path does what its twin does, and forbidden steps change nothing."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from childcare.actors import SYSTEM
from childcare.admissions import applications as family_services
from childcare.admissions import explanations, offers, reminders
from childcare.admissions import waitlist_actions as staff_services
from childcare.admissions.events import record_event
from childcare.admissions.transitions import application as application_transitions
from childcare.admissions.transitions import offer as offer_transitions
from childcare.admissions.transitions import placement as placement_transitions
from childcare.admissions.transitions import wish as wish_transitions
from childcare.errors import DomainError
from childcare.models import (
    ActorKind,
    AgeBand,
    ApplicationEvent,
    ApplicationStatus,
    Capacity,
    EventKind,
    Offer,
    OfferStatus,
    Placement,
    PlacementStatus,
    WishStatus,
)
from notifications.models import OutboxMessage
from tests.factories import (
    ApplicationFactory,
    CapacityFactory,
    GuardianshipFactory,
    OfferFactory,
    PlacementFactory,
    UserFactory,
    WishFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]
START = timezone.localdate() + datetime.timedelta(days=60)
BAND = AgeBand.THREE_TO_SCHOOL


def candidate(facility, points, *, guardian=None, rank=1, application=None):
    application = application or ApplicationFactory(desired_start_date=START)
    if guardian:
        GuardianshipFactory(user=guardian, child=application.child)
    return WishFactory(application=application, facility=facility, age_band=BAND, points=points, rank=rank)


def rows() -> dict[str, int]:
    return {
        "events": ApplicationEvent.objects.count(),
        "messages": OutboxMessage.objects.count(),
        "offers": Offer.objects.count(),
        "placements": Placement.objects.count(),
    }


def events_of(application) -> list[tuple[str, str, int | None]]:
    return list(application.events.order_by("pk").values_list("kind", "actor_kind", "actor_id"))


@pytest.fixture
def automatic(facility):
    facility.offers_automatically = True
    facility.save()
    CapacityFactory(facility=facility, age_band=BAND, places=1)
    return facility


# --- the divergent paths now do what their twins do ---


@pytest.mark.parametrize("ending", ["decline the offer", "withdraw the application"])
def test_an_offer_the_family_gives_up_goes_to_the_next_family(ending, automatic, staff, parent):
    mine = candidate(automatic, 90, guardian=parent)
    next_family = candidate(automatic, 50)
    offer = offers.make_offer(wish=mine, start_date=START, by=staff)
    OutboxMessage.objects.all().delete()
    staff.language = "en"
    staff.save()

    if ending == "decline the offer":
        offers.decline_offer(offer=offer, by=parent)
        answer, offer_event = "declined", EventKind.OFFER_DECLINED
    else:
        family_services.withdraw_application(application=mine.application, by=parent)
        answer, offer_event = "withdrawn", EventKind.OFFER_GIVEN_UP

    offer.refresh_from_db()
    assert offer.status != OfferStatus.OPEN
    assert offer.decided_at is not None
    assert (offer_event, ActorKind.FAMILY, parent.pk) in events_of(mine.application)
    to_staff = OutboxMessage.objects.get(recipient=staff, kind="staff_offer_answered")
    assert answer in to_staff.subject.lower()
    successor = Offer.objects.get(wish=next_family, status=OfferStatus.OPEN)
    assert successor.created_by is None
    assert events_of(next_family.application)[-1] == (EventKind.OFFER_MADE, ActorKind.SYSTEM, None)


def test_withdrawing_with_an_open_offer_ends_offer_wish_and_application(automatic, staff, parent):
    mine = candidate(automatic, 90, guardian=parent)
    other_wish = candidate(WishFactory().facility, 90, application=mine.application, rank=2)
    offer = offers.make_offer(wish=mine, start_date=START, by=staff)
    family_services.withdraw_application(application=mine.application, by=parent)
    mine.refresh_from_db(), other_wish.refresh_from_db(), offer.refresh_from_db()
    mine.application.refresh_from_db()
    assert (offer.status, mine.status, other_wish.status) == (
        OfferStatus.WITHDRAWN,
        WishStatus.WITHDRAWN,
        WishStatus.WITHDRAWN,
    )
    assert mine.application.status == ApplicationStatus.WITHDRAWN
    assert [kind for kind, *_ in events_of(mine.application)][-2:] == [
        EventKind.OFFER_GIVEN_UP,
        EventKind.WITHDRAWN,
    ]


@pytest.mark.parametrize(
    ("actor", "actor_kind"), [("staff", ActorKind.FACILITY), ("municipal_office", ActorKind.OFFICE)]
)
def test_rejecting_the_last_wish_closes_the_application_with_its_own_event(
    request, facility, actor, actor_kind
):
    by = request.getfixturevalue(actor)
    wish = candidate(facility, 10)
    staff_services.reject_wish(wish=wish, by=by, reason="Keine Plätze für 45 Stunden.")
    wish.application.refresh_from_db()
    assert wish.application.status == ApplicationStatus.CLOSED
    assert events_of(wish.application)[-2:] == [
        (EventKind.WISH_REJECTED, actor_kind, by.pk),
        (EventKind.CLOSED, actor_kind, by.pk),
    ]


def test_rejecting_one_of_two_wishes_leaves_the_application_waiting(facility, staff):
    wish = candidate(facility, 10)
    candidate(WishFactory().facility, 10, application=wish.application, rank=2)
    staff_services.reject_wish(wish=wish, by=staff, reason="Nein.")
    wish.application.refresh_from_db()
    assert wish.application.status == ApplicationStatus.SUBMITTED
    assert EventKind.CLOSED not in [kind for kind, *_ in events_of(wish.application)]


@pytest.mark.parametrize(
    ("actor", "actor_kind"), [("staff", ActorKind.FACILITY), ("municipal_office", ActorKind.OFFICE)]
)
def test_an_offline_placement_is_recorded_without_a_fake_offer(request, facility, parent, actor, actor_kind):
    by = request.getfixturevalue(actor)
    CapacityFactory(facility=facility, age_band=BAND, places=1)
    wish = candidate(facility, 10, guardian=parent)
    elsewhere = candidate(WishFactory().facility, 10, application=wish.application, rank=2)
    placement = staff_services.record_placement(wish=wish, by=by, start_date=START)
    assert placement.source_offer is None
    assert not Offer.objects.exists()
    wish.refresh_from_db(), elsewhere.refresh_from_db(), wish.application.refresh_from_db()
    assert (wish.status, elsewhere.status) == (WishStatus.ACCEPTED, WishStatus.INACTIVE)
    assert wish.application.status == ApplicationStatus.PLACED
    assert events_of(wish.application) == [(EventKind.PLACEMENT_RECORDED, actor_kind, by.pk)]
    assert list(OutboxMessage.objects.values_list("kind", "recipient")) == [("placement_recorded", parent.pk)]


def test_an_offline_placement_needs_a_free_place(facility, staff):
    CapacityFactory(facility=facility, age_band=BAND, places=1)
    PlacementFactory(facility=facility, age_band=BAND, start_date=START)
    wish = candidate(facility, 10)
    before = rows()
    with pytest.raises(DomainError, match="no free place"):
        staff_services.record_placement(wish=wish, by=staff, start_date=START)
    assert rows() == before


def test_accepting_counts_its_own_offer_once(facility, staff, parent):
    CapacityFactory(facility=facility, age_band=BAND, places=1)
    offer = offers.make_offer(wish=candidate(facility, 10, guardian=parent), start_date=START, by=staff)
    placement = offers.accept_offer(offer=offer, by=parent)
    assert placement.source_offer == offer


def test_accepting_after_the_capacity_was_cut_is_refused_and_changes_nothing(facility, staff, parent):
    CapacityFactory(facility=facility, age_band=BAND, places=2)
    offer = offers.make_offer(wish=candidate(facility, 10, guardian=parent), start_date=START, by=staff)
    PlacementFactory(facility=facility, age_band=BAND, start_date=START)
    Capacity.objects.filter(facility=facility).update(places=1)
    before = rows()
    with pytest.raises(DomainError, match="capacity was reduced"):
        offers.accept_offer(offer=offer, by=parent)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OPEN
    assert rows() == before


# --- the actor is explicit ---


@pytest.mark.parametrize(
    "call",
    [
        lambda w, o: family_services.withdraw_application(application=w.application, by=None),
        lambda w, o: family_services.confirm_interest(application=w.application, by=None),
        lambda w, o: family_services.withdraw_wish(wish=w, by=None),
        lambda w, o: offers.make_offer(wish=w, start_date=START, by=None),
        lambda w, o: offers.accept_offer(offer=o, by=None),
        lambda w, o: offers.decline_offer(offer=o, by=None),
        lambda w, o: offers.withdraw_offer(offer=o, by=None),
        lambda w, o: offers.expire_offer(offer=o, by=None),
        lambda w, o: staff_services.reject_wish(wish=w, by=None, reason="x"),
        lambda w, o: staff_services.record_placement(wish=w, by=None, start_date=START),
        lambda w, o: staff_services.add_note(application=w.application, by=None, text="x"),
        lambda w, o: staff_services.offer_next(facility=w.facility, age_band=BAND, start_date=START, by=None),
        lambda w, o: record_event(
            application=w.application, kind=EventKind.NOTE, by=None, actor_kind=ActorKind.SYSTEM
        ),
    ],
)
def test_a_missing_actor_is_a_type_error_not_the_system(call):
    wish, offer = WishFactory(), OfferFactory()
    before = rows()
    with pytest.raises(TypeError, match="by= must be a user or SYSTEM"):
        call(wish, offer)
    assert rows() == before


def test_the_system_passes_only_where_a_function_allows_it(facility):
    CapacityFactory(facility=facility, age_band=BAND, places=1)
    wish = candidate(facility, 10)
    with pytest.raises(DomainError):
        staff_services.reject_wish(wish=wish, by=SYSTEM, reason="x")
    with pytest.raises(DomainError):
        family_services.withdraw_application(application=wish.application, by=SYSTEM)
    offer = offers.make_offer(wish=wish, start_date=START, by=SYSTEM)  # successor offers and rounds
    with pytest.raises(DomainError):
        offers.accept_offer(offer=offer, by=SYSTEM)
    with pytest.raises(DomainError):
        offers.expire_offer(offer=offer, by=UserFactory())


def test_an_event_kind_must_come_from_the_closed_list(facility):
    with pytest.raises(TypeError, match="EventKind"), transaction.atomic():
        record_event(
            application=ApplicationFactory(), kind="waitlisted", by=SYSTEM, actor_kind=ActorKind.SYSTEM
        )


def test_expiring_unconfirmed_applications_is_recorded_as_automatic(facility):
    wish = candidate(facility, 10)
    long_ago = timezone.now() - datetime.timedelta(days=800)
    type(wish.application).objects.filter(pk=wish.application_id).update(last_confirmed_at=long_ago)
    assert reminders.expire_unconfirmed_applications() == 1
    assert events_of(wish.application) == [(EventKind.EXPIRED, ActorKind.SYSTEM, None)]


# --- every transition table: a forbidden step raises and writes nothing ---

MACHINES = {
    "application": (application_transitions, ApplicationStatus, lambda s: ApplicationFactory(status=s)),
    "wish": (wish_transitions, WishStatus, lambda s: WishFactory(status=s)),
    "offer": (offer_transitions, OfferStatus, lambda s: OfferFactory(status=s)),
    "placement": (placement_transitions, PlacementStatus, lambda s: PlacementFactory(status=s)),
}
FORBIDDEN = [
    pytest.param(name, current, target, id=f"{name}:{current}->{target}")
    for name, (module, choices, _make) in MACHINES.items()
    for current in choices.values
    for target in choices.values
    if target not in module.ALLOWED[current]
]


@pytest.mark.parametrize("name", MACHINES)
def test_every_status_has_a_row_in_its_table(name):
    module, choices, _make = MACHINES[name]
    assert set(module.ALLOWED) == set(choices.values)
    assert all(set(targets) <= set(choices.values) for targets in module.ALLOWED.values())


@pytest.mark.parametrize(("name", "current", "target"), FORBIDDEN)
def test_a_forbidden_step_raises_and_writes_nothing(name, current, target):
    module, _choices, make = MACHINES[name]
    obj = make(current)
    obj.refresh_from_db()
    before = rows()
    with pytest.raises(DomainError, match="cannot change from"), transaction.atomic():
        module.move(obj, target)
    obj.refresh_from_db()
    assert obj.status == current
    assert rows() == before


@pytest.mark.parametrize(
    ("status", "step"),
    [
        (OfferStatus.DECLINED, lambda o, by: offer_transitions.accept(offer=o, by=by)),
        (OfferStatus.ACCEPTED, lambda o, by: offer_transitions.decline(offer=o, by=by)),
        (OfferStatus.EXPIRED, lambda o, by: offer_transitions.expire(offer=o)),
        (OfferStatus.WITHDRAWN, lambda o, by: offer_transitions.give_up(offer=o, by=by)),
    ],
)
def test_a_closed_offer_cannot_be_answered_again(status, step, parent):
    offer = OfferFactory(status=status)
    before = rows()
    with pytest.raises(DomainError), transaction.atomic():
        step(offer, parent)
    assert rows() == before


@pytest.mark.django_db(transaction=True)
def test_transitions_refuse_to_run_outside_a_transaction():
    application = ApplicationFactory(status=ApplicationStatus.DRAFT)
    with pytest.raises(RuntimeError, match="transaction"):
        application_transitions.submit(application=application, by=SYSTEM)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


# --- who acted, in the family's words ---


def test_actor_label_speaks_the_familys_language(facility, staff, municipal_office, parent):
    wish = candidate(facility, 10)
    labels = {
        ActorKind.FAMILY: "You",
        ActorKind.FACILITY: facility.name,
        ActorKind.OFFICE: "Municipal childcare office",
        ActorKind.SYSTEM: "automatically",
    }
    event = ApplicationEvent(application=wish.application, kind=EventKind.NOTE, actor_kind=ActorKind.FAMILY)
    assert explanations.actor_label(event, for_staff=True) == "the family"
    for actor_kind, label in labels.items():
        event = ApplicationEvent(
            application=wish.application, wish=wish, kind=EventKind.NOTE, actor_kind=actor_kind
        )
        assert explanations.actor_label(event) == label


def test_the_family_timeline_shows_who_acted(client, facility, staff, parent):
    CapacityFactory(facility=facility, age_band=BAND, places=1)
    wish = candidate(facility, 10, guardian=parent)
    offers.make_offer(wish=wish, start_date=START, by=staff)
    family_services.confirm_interest(application=wish.application, by=parent)
    client.force_login(parent)
    page = client.get(reverse("parents:application_list")).content.decode()
    assert "Offer received" in page
    assert f"({facility.name})" in page
    assert "Interest confirmed" in page
    assert "(You)" in page


def test_the_staff_timeline_shows_who_acted(client, facility, staff, parent):
    wish = candidate(facility, 10, guardian=parent)
    staff_services.add_note(application=wish.application, by=staff, text="Mutter hat angerufen.")
    family_services.confirm_interest(application=wish.application, by=parent)
    client.force_login(staff)
    page = client.get(reverse("backoffice:application", args=[wish.application.public_id])).content.decode()
    assert f"(Facility, {staff.email})" in page
    assert f"Internal note: {facility.name}" in page  # the note belongs to the writer's facility
    # No offer or placement with this facility yet: the family's address is not theirs to see.
    assert "(the family)" in page
    assert parent.email not in page
    CapacityFactory(facility=facility, age_band=BAND, places=1)
    offers.make_offer(wish=wish, start_date=START, by=staff)
    page = client.get(reverse("backoffice:application", args=[wish.application.public_id])).content.decode()
    assert f"(the family, {parent.email})" in page
