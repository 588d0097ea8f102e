"""Musterstadt's synthetic families, written once in bulk from the plan in ``population``.

The families are written all at once or not at all: if their first application reference exists,
the town is in place and nothing is written again. They get no e-mails (no outbox rows): their
addresses at musterstadt.example cannot receive mail, and a demo start must not fill var/mail.
"""

import datetime

from allauth.account.models import EmailAddress
from django.db import models
from django.utils import timezone

from childcare.demo.data import FACILITIES, MAIL_DOMAIN
from childcare.demo.plan import PlannedEvent, Program, TownPlan
from childcare.demo.population import TownPlanner
from childcare.facilities import capacity
from childcare.models import (
    ActorKind,
    Application,
    ApplicationEvent,
    Capacity,
    Child,
    Facility,
    Guardianship,
    Offer,
    Placement,
    PlacementStatus,
    ProviderKind,
    Wish,
)
from portal.models import PortalSettings, User

# Contains an O, which generated references never do: no clash with a real application.
REFERENCE_PREFIX = "KP-TOWN"
BATCH_SIZE = 500


def seed_town(*, password_hash: str, leaders: dict[str, User], portal: PortalSettings, now) -> bool:
    """Plan and write the town's families unless they exist; True if they were written now."""
    if Application.objects.filter(reference=f"{REFERENCE_PREFIX}0001").exists():
        return False
    now = timezone.localtime(now)
    programs = _programs()
    planner = TownPlanner(
        programs=programs,
        # Places already held (the named demo families, anything tried out) stay held.
        taken=capacity.occupancies_by_band(
            facility_ids={p.facility_id for p in programs}, from_date=datetime.date(2000, 1, 1)
        ),
        now=now,
        year_start=portal.next_year_start(now.date() + datetime.timedelta(days=1)),
        calendar=portal.school_calendar,
        offer_window_days=portal.offer_window_days,
        reconfirmation_months=portal.reconfirmation_interval_months,
        grace_days=portal.reconfirmation_grace_days,
    )
    _write(planner.plan_town(), password_hash=password_hash, leaders=leaders)
    return True


def _programs() -> list[Program]:
    """Every (facility, age band) of the demo facilities, with the places the database holds."""
    opening = {f.slug for f in FACILITIES if f.opens_next_year}
    rows = Capacity.objects.filter(
        facility__slug__in=[f.slug for f in FACILITIES], facility__is_active=True, places__gt=0
    ).select_related("facility__provider")
    return [
        Program(
            facility_id=row.facility_id,
            slug=row.facility.slug,
            facility_type=row.facility.type,
            band=row.age_band,
            places=row.places,
            accepts_applications=row.facility.accepts_applications,
            opens_next_year=row.facility.slug in opening,
            company=row.facility.provider.kind == ProviderKind.COMPANY,
            position=(float(row.facility.latitude), float(row.facility.longitude)),
            max_care_hours=row.facility.max_care_hours,
        )
        for row in rows
    ]


def _write(plan: TownPlan, *, password_hash: str, leaders: dict[str, User]) -> None:
    """Insert the plan in bulk, statuses included.

    Fixture data only: anywhere else a status changes through its transition, with its event and
    its messages. Here the plan already holds the events and the states the transitions would have
    left (see ``stories.Story``), and the families must get no messages, so rows are written as
    they are, and the creation times are set to when each step happened.
    """
    facilities = Facility.objects.in_bulk([f.slug for f in FACILITIES], field_name="slug")
    users = User.objects.bulk_create(
        [
            User(
                email=f"{family.email_local_part}@{MAIL_DOMAIN}",
                password=password_hash,
                first_name=family.first_name,
                last_name=family.last_name,
                language=family.origin.portal_language,
            )
            for family in plan.families
        ],
        batch_size=BATCH_SIZE,
    )
    user_of = {id(family): user for family, user in zip(plan.families, users, strict=True)}
    # Verified, so that anyone trying the demo can sign in as one of the families too.
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users],
        batch_size=BATCH_SIZE,
    )
    children = Child.objects.bulk_create(
        [
            Child(
                first_name=child.first_name,
                last_name=child.family.last_name,
                birth_date=child.birth_date,
                birth_date_is_expected=child.expected,
                needs_integration_support=child.integration_need,
                home_languages=child.family.origin.home_languages,
            )
            for child in plan.children
        ],
        batch_size=BATCH_SIZE,
    )
    child_of = {id(planned): child for planned, child in zip(plan.children, children, strict=True)}
    Guardianship.objects.bulk_create(
        [Guardianship(user=user_of[id(c.family)], child=child_of[id(c)]) for c in plan.children],
        batch_size=BATCH_SIZE,
    )
    applications = _insert_dated(
        Application,
        [
            (
                Application(
                    reference=f"{REFERENCE_PREFIX}{number:04d}",
                    child=child_of[id(app.child)],
                    created_by=user_of[id(app.child.family)],
                    desired_start_date=app.desired_start,
                    care_hours_per_week=app.care_hours,
                    resides_in_municipality=app.resides_in_municipality,
                    guardians_working_or_training=app.guardians_working,
                    single_parent=app.single_parent,
                    hardship_referral=app.hardship,
                    integration_need=app.child.integration_need,
                    consent_data_processing=app.submitted_at is not None,
                    status=app.status,
                    lottery_number=app.lottery_number,
                    submitted_at=app.submitted_at,
                    last_confirmed_at=app.last_confirmed_at,
                ),
                app.created_at,
            )
            for number, app in enumerate(plan.applications, start=1)
        ],
    )
    planned_wishes = [
        (application, wish) for application, app in _pairs(plan, applications) for wish in app.wishes
    ]
    wishes = Wish.objects.bulk_create(
        [
            Wish(
                application=application,
                facility_id=wish.program.facility_id,
                rank=wish.rank,
                age_band=wish.program.band,
                status=wish.status,
                rejection_reason=wish.rejection_reason,
            )
            for application, wish in planned_wishes
        ],
        batch_size=BATCH_SIZE,
    )
    wish_of = {id(planned): wish for (_, planned), wish in zip(planned_wishes, wishes, strict=True)}
    planned_offers = [
        (application, offer) for application, app in _pairs(plan, applications) for offer in app.offers
    ]
    offers = _insert_dated(
        Offer,
        [
            (
                Offer(
                    application=application,
                    wish=wish_of[id(offer.wish)],
                    start_date=offer.start,
                    expires_at=offer.expires_at,
                    status=offer.status,
                    created_by=leaders[offer.wish.program.slug],
                    decided_at=offer.decided_at,
                ),
                offer.made_at,
            )
            for application, offer in planned_offers
        ],
    )
    offer_of = {id(planned): offer for (_, planned), offer in zip(planned_offers, offers, strict=True)}
    _insert_dated(
        Placement,
        [
            (
                Placement(
                    child=child_of[id(p.child)],
                    facility=facilities[p.program.slug],
                    age_band=p.program.band,
                    start_date=p.start,
                    end_date=p.end,
                    care_hours_per_week=p.care_hours,
                    source_offer=offer_of[id(p.source_offer)] if p.source_offer else None,
                    status=PlacementStatus.ACTIVE,
                ),
                p.created_at,
            )
            for p in plan.placements
        ],
    )
    _insert_dated(
        ApplicationEvent,
        [
            (
                _event(
                    event, application, family=user_of[id(app.child.family)], leaders=leaders, wish_of=wish_of
                ),
                event.at,
            )
            for application, app in _pairs(plan, applications)
            for event in app.events
        ],
    )


def _pairs(plan: TownPlan, applications: list[Application]):
    return zip(applications, plan.applications, strict=True)


def _event(
    event: PlannedEvent, application, *, family: User, leaders: dict[str, User], wish_of
) -> ApplicationEvent:
    if event.actor == "family":
        actor, kind = family, ActorKind.FAMILY
    elif event.actor:
        actor, kind = leaders[event.actor], ActorKind.FACILITY
    else:
        actor, kind = None, ActorKind.SYSTEM
    return ApplicationEvent(
        application=application,
        wish=wish_of[id(event.wish)] if event.wish else None,
        actor=actor,
        actor_kind=kind,
        kind=event.kind,
        from_status=event.from_status,
        to_status=event.to_status,
        note=event.note,
    )


def _insert_dated(model: type[models.Model], rows_and_times: list[tuple[models.Model, datetime.datetime]]):
    """Insert the rows, then give each the time it was created in the story.

    ``auto_now_add`` stamps every inserted row with the time of the insert, so the planned times
    are written by a second, bulk update.
    """
    rows = model.objects.bulk_create([row for row, _ in rows_and_times], batch_size=BATCH_SIZE)
    for row, (_, when) in zip(rows, rows_and_times, strict=True):
        row.created_at = when
    model.objects.bulk_update(rows, ["created_at"], batch_size=BATCH_SIZE)
    return rows
