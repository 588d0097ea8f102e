"""Demo data for the fictional town of Musterstadt, and the function that writes it.

Every row is found again by a natural key (provider name, facility slug, user e-mail, child by guardian
and name, application by its fixed ``KP-DEMO…`` reference), so a second run creates nothing. Rows that
exist already are never changed: passwords and edits made while trying the portal survive a rerun.
Generated references never contain the letter O, so the demo references cannot collide with real ones.
"""

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone

from childcare.admissions.offers import default_deadline
from childcare.admissions.points import recompute_points
from childcare.age import age_band_on
from childcare.allocation.rounds import compute_round, create_round
from childcare.demo.data import (
    APPLICATIONS,
    CITY,
    DAYS_TO_ACCEPT,
    DEMO_PASSWORD,
    DISTRICT_POSTCODES,
    FACILITIES,
    MAIL_DOMAIN,
    MILLER,
    OEZDEMIR,
    OFFICE,
    PROVIDERS,
    SCHMIDT,
    DemoAccount,
    DemoApplication,
    DemoChild,
    DemoFacility,
)
from childcare.demo.town import seed_town
from childcare.facilities.availability import rebuild_availability
from childcare.models import (
    ActorKind,
    AllocationRound,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Capacity,
    Child,
    EventKind,
    Facility,
    FacilityConcept,
    FacilityLanguage,
    Guardianship,
    Offer,
    OfferStatus,
    Placement,
    PriorityPolicy,
    Provider,
    StaffMembership,
    StaffRole,
    Wish,
    WishStatus,
)
from portal.models import PortalSettings, User


def demo_accounts() -> list[DemoAccount]:
    """The office, one leader per facility and the parents, in the order the command lists them."""
    leaders = [DemoAccount(f.leader_email, *f.leader, role=f"leader: {f.name}") for f in FACILITIES]
    parents = [replace(p, role=_parent_role(p)) for p in (SCHMIDT, OEZDEMIR, MILLER)]
    return [OFFICE, *leaders, *parents]


def _parent_role(parent: DemoAccount) -> str:
    stories = ", ".join(
        f"{a.child.first_name} {a.status}" for a in APPLICATIONS if a.child.guardian == parent
    )
    return f"parent [{parent.language}]: {stories}"


def seed_demo() -> list[DemoAccount]:
    """Write whatever of the demo is missing, in one transaction; return the demo accounts.

    First the facilities and the named accounts with their stories, then the town's synthetic
    families around them, the points of every wish, and a computed (unpublished) allocation round
    for the next daycare-year start.
    """
    accounts = demo_accounts()
    # One hash for all accounts: hashing is slow on purpose, and this password is public anyway.
    password = make_password(DEMO_PASSWORD)
    with transaction.atomic():
        portal = PortalSettings.load()
        PriorityPolicy.load()
        facilities = _seed_facilities()
        users = _seed_users(accounts, password=password)
        StaffMembership.objects.bulk_create(
            [
                StaffMembership(
                    user=users[f.leader_email], facility=facilities[f.slug], role=StaffRole.LEADER
                )
                for f in FACILITIES
            ],
            ignore_conflicts=True,
        )
        now = timezone.now()
        for spec in APPLICATIONS:
            _seed_application(spec, users=users, facilities=facilities, portal=portal, now=now)
        leaders = {f.slug: users[f.leader_email] for f in FACILITIES}
        seed_town(password_hash=password, leaders=leaders, portal=portal, now=now)
        recompute_points()
        _seed_round(office=users[OFFICE.email], portal=portal, now=now)
        rebuild_availability()  # the town's places are written in bulk, past the transitions
    return accounts


def _seed_round(*, office: User, portal: PortalSettings, now: datetime) -> None:
    """A round for the next year start, computed for the office to preview and publish."""
    start = portal.next_year_start(timezone.localdate(now) + timedelta(days=1))
    if not AllocationRound.objects.filter(target_start_date=start).exists():
        compute_round(round=create_round(target_start_date=start, by=office), by=office)


def _create_missing(model: type[models.Model], key: str, objs: list) -> tuple[dict, list]:
    """Insert the objects whose unique ``key`` is not taken; return all by key, and the new ones."""
    existing = model.objects.in_bulk([getattr(obj, key) for obj in objs], field_name=key)
    new = [obj for obj in objs if getattr(obj, key) not in existing]
    model.objects.bulk_create(new)
    return {**existing, **{getattr(obj, key): obj for obj in new}}, new


def _seed_facilities() -> dict[str, Facility]:
    providers, _ = _create_missing(
        Provider,
        "name",
        [Provider(name=p.name, kind=p.kind, website=f"https://www.{p.domain}/") for p in PROVIDERS.values()],
    )
    facilities, _ = _create_missing(
        Facility, "slug", [_facility(spec, providers[PROVIDERS[spec.provider].name]) for spec in FACILITIES]
    )
    # Link rows are unique per facility; ignore_conflicts leaves the ones that exist as they are.
    FacilityConcept.objects.bulk_create(
        [FacilityConcept(facility=facilities[f.slug], concept=c) for f in FACILITIES for c in f.concepts],
        ignore_conflicts=True,
    )
    FacilityLanguage.objects.bulk_create(
        [
            FacilityLanguage(facility=facilities[f.slug], language=lg)
            for f in FACILITIES
            for lg in f.languages
        ],
        ignore_conflicts=True,
    )
    Capacity.objects.bulk_create(
        [
            Capacity(facility=facilities[f.slug], age_band=band, places=places)
            for f in FACILITIES
            for band, places in f.places.items()
        ],
        ignore_conflicts=True,
    )
    return facilities


def _facility(spec: DemoFacility, provider: Provider) -> Facility:
    domain = PROVIDERS[spec.provider].domain
    return Facility(
        provider=provider,
        type=spec.type,
        name=spec.name,
        slug=spec.slug,
        street=spec.street,
        postcode=DISTRICT_POSTCODES[spec.district],
        city=CITY,
        district=spec.district,
        latitude=Decimal(spec.position[0]),
        longitude=Decimal(spec.position[1]),
        opens_at=time.fromisoformat(spec.hours[0]),
        closes_at=time.fromisoformat(spec.hours[1]),
        opening_notes=spec.opening_notes,
        max_care_hours=spec.max_care_hours,
        description=spec.description,
        meals=spec.meals,
        barrier_free=spec.barrier_free,
        phone=spec.phone,
        email=f"{spec.slug}@{domain}",
        website=f"https://www.{domain}/{spec.slug}/",
        accepts_applications=spec.accepts_applications,
        offers_automatically=spec.offers_automatically,
    )


def _seed_users(accounts: list[DemoAccount], *, password: str) -> dict[str, User]:
    users, new = _create_missing(
        User,
        "email",
        [
            User(
                email=a.email,
                password=password,
                first_name=a.first_name,
                last_name=a.last_name,
                language=a.language,
                is_municipal_office=a.is_municipal_office,
                is_staff=a.is_municipal_office,
                is_superuser=a.is_municipal_office,
            )
            for a in accounts
        ],
    )
    # Mandatory e-mail verification would otherwise keep the demo accounts out.
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in new]
    )
    return users


def _seed_application(
    spec: DemoApplication,
    *,
    users: dict[str, User],
    facilities: dict[str, Facility],
    portal: PortalSettings,
    now: datetime,
) -> None:
    """Write one application with its whole story, unless its reference exists already."""
    if Application.objects.filter(reference=spec.reference).exists():
        return
    parent = users[spec.child.guardian.email]
    # The first year start after today: a start today could no longer be applied for.
    start = portal.next_year_start(timezone.localdate(now) + timedelta(days=1))
    birth_date = start - timedelta(days=spec.child.born_days_before_start)
    submitted_at = (
        now - timedelta(days=spec.submitted_days_ago) if spec.submitted_days_ago is not None else None
    )
    application = Application.objects.create(
        reference=spec.reference,
        child=_seed_child(spec.child, guardian=parent, birth_date=birth_date),
        created_by=parent,
        desired_start_date=start.replace(year=start.year + spec.start_year_offset),
        care_hours_per_week=spec.care_hours,
        resides_in_municipality=True,
        guardians_working_or_training=spec.guardians_working,
        single_parent=spec.single_parent,
        hardship_referral=False,
        integration_need=False,
        consent_data_processing=submitted_at is not None,
        status=spec.status,
        submitted_at=submitted_at,
        last_confirmed_at=submitted_at,
    )
    _backdate(application, now - timedelta(days=spec.created_days_ago))
    wishes = _seed_wishes(spec, application=application, facilities=facilities, portal=portal)
    leader = users[f"leitung.{spec.wishes[0]}@{MAIL_DOMAIN}"]
    if spec.offer_days_ago is not None:
        offered_at = now - timedelta(days=spec.offer_days_ago)
        _seed_offer(application, wish=wishes[0], by=leader, offered_at=offered_at, portal=portal)
    _seed_timeline(spec, application=application, wish=wishes[0], parent=parent, leader=leader, now=now)


def _seed_child(spec: DemoChild, *, guardian: User, birth_date: date) -> Child:
    child = Child.objects.filter(
        guardianships__user=guardian, first_name=spec.first_name, last_name=spec.last_name
    ).first()
    if child is None:
        child = Child.objects.create(
            first_name=spec.first_name,
            last_name=spec.last_name,
            birth_date=birth_date,
            birth_date_is_expected=birth_date > timezone.localdate(),
            home_languages=spec.home_languages,
        )
        Guardianship.objects.create(user=guardian, child=child)
    return child


def _seed_wishes(
    spec: DemoApplication,
    *,
    application: Application,
    facilities: dict[str, Facility],
    portal: PortalSettings,
) -> list[Wish]:
    """Wishes by rank; an offer or placement concerns the first wish, as the story table says."""
    first_status, other_status = {
        ApplicationStatus.OFFERED: (WishStatus.OFFERED, WishStatus.ACTIVE),
        ApplicationStatus.PLACED: (WishStatus.ACCEPTED, WishStatus.INACTIVE),
    }.get(spec.status, (WishStatus.ACTIVE, WishStatus.ACTIVE))
    band = age_band_on(application.child.birth_date, application.desired_start_date, **portal.school_calendar)
    return Wish.objects.bulk_create(
        [
            Wish(
                application=application,
                facility=facilities[slug],
                rank=rank,
                age_band=band,
                status=first_status if rank == 1 else other_status,
            )
            for rank, slug in enumerate(spec.wishes, start=1)
        ]
    )


def _seed_offer(
    application: Application, *, wish: Wish, by: User, offered_at: datetime, portal: PortalSettings
) -> None:
    """An open offer, or for a placed application the accepted offer and the placement it created."""
    accepted = application.status == ApplicationStatus.PLACED
    offer = Offer.objects.create(
        application=application,
        wish=wish,
        start_date=application.desired_start_date,
        expires_at=default_deadline(now=offered_at),  # end of the day, as staff offers are
        status=OfferStatus.ACCEPTED if accepted else OfferStatus.OPEN,
        created_by=by,
        decided_at=offered_at + DAYS_TO_ACCEPT if accepted else None,
    )
    _backdate(offer, offered_at)
    if accepted:
        placement = Placement.objects.create(
            child=application.child,
            facility=wish.facility,
            age_band=wish.age_band,
            start_date=offer.start_date,
            care_hours_per_week=application.care_hours_per_week,
            source_offer=offer,
        )
        _backdate(placement, offer.decided_at)


def _seed_timeline(
    spec: DemoApplication,
    *,
    application: Application,
    wish: Wish,
    parent: User,
    leader: User,
    now: datetime,
) -> None:
    """The events that led to the application's status, each at the time it happened."""
    status = ApplicationStatus
    created_at = now - timedelta(days=spec.created_days_ago)
    family, facility = ActorKind.FAMILY, ActorKind.FACILITY
    story = [(created_at, EventKind.CREATED, "", status.DRAFT, parent, family, None)]
    if submitted_at := application.submitted_at:
        story.append(
            (submitted_at, EventKind.SUBMITTED, status.DRAFT, status.SUBMITTED, parent, family, None)
        )
    if spec.offer_days_ago is not None:
        offered_at = now - timedelta(days=spec.offer_days_ago)
        story.append(
            (offered_at, EventKind.OFFER_MADE, status.SUBMITTED, status.OFFERED, leader, facility, wish)
        )
        if spec.status == status.PLACED:
            accepted_at = offered_at + DAYS_TO_ACCEPT
            story.append(
                (accepted_at, EventKind.OFFER_ACCEPTED, status.OFFERED, status.PLACED, parent, family, wish)
            )
    # Written directly (not through the transitions): the demo tells a past story with past dates.
    events = ApplicationEvent.objects.bulk_create(
        [
            ApplicationEvent(
                application=application,
                kind=kind,
                from_status=old,
                to_status=new,
                actor=by,
                actor_kind=actor_kind,
                wish=w,
            )
            for _when, kind, old, new, by, actor_kind, w in story
        ]
    )
    for event, (when, *_) in zip(events, story, strict=True):
        _backdate(event, when)


def _backdate(obj: models.Model, when: datetime) -> None:
    """Set a creation time that ``auto_now_add`` would otherwise fix to now."""
    type(obj).objects.filter(pk=obj.pk).update(created_at=when)
