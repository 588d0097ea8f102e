"""The synthetic city's applications in every state: ranked wishes, offers, placements, timelines."""

import datetime
from dataclasses import dataclass, replace

from django.utils import timezone

from childcare.admissions.priority import WishFacts, wish_points
from childcare.age import age_band_on
from childcare.demo.bulk import TableWriter
from childcare.demo.scale_facilities import _FacilityInfo
from childcare.demo.scale_families import _Family
from childcare.demo.scale_marks import REFERENCE_PREFIX
from childcare.models import (
    ActorKind,
    AgeBand,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    EventKind,
    Offer,
    OfferStatus,
    Wish,
    WishStatus,
)

STATUS_SHARES = {
    ApplicationStatus.DRAFT: 0.04,
    ApplicationStatus.SUBMITTED: 0.10,
    ApplicationStatus.WAITING: 0.66,
    ApplicationStatus.OFFERED: 0.05,
    ApplicationStatus.PLACED: 0.08,
    ApplicationStatus.WITHDRAWN: 0.03,
    ApplicationStatus.EXPIRED: 0.02,
    ApplicationStatus.CLOSED: 0.02,
}
# The age band an application is for: most families look for a first place under three.
BAND_SHARES = {AgeBand.UNDER_THREE: 0.55, AgeBand.THREE_TO_SCHOOL: 0.37, AgeBand.SCHOOL: 0.08}
REJECTION_REASON = "Kein Platz in der gewünschten Gruppe (synthetisch)"


class ApplicationsMixin:
    """Applications, wishes, offers, placements and events of the city builder, one family at a time."""

    def _applications(self, count: int, max_wishes: int, facilities: list[_FacilityInfo], districts) -> None:
        self.applications = TableWriter(
            Application,
            ["public_id", "reference", "child", "created_by", "desired_start_date", "care_hours_per_week",
             "resides_in_municipality", "guardians_working_or_training", "single_parent", "hardship_referral",
             "integration_need", "consent_data_processing", "status", "lottery_number", "submitted_at",
             "last_confirmed_at", "created_at", "updated_at"],
        )  # fmt: skip
        self.wishes = TableWriter(
            Wish,
            ["application", "facility", "rank", "age_band", "status", "points", "points_explanation",
             "sibling_at_facility", "rejection_reason", "updated_at"],
        )  # fmt: skip
        self.offers = TableWriter(
            Offer,
            ["public_id", "application", "wish", "start_date", "expires_at", "status", "created_by",
             "created_at", "decided_at"],
        )  # fmt: skip
        self.events = TableWriter(
            ApplicationEvent,
            ["application", "wish", "actor", "actor_kind", "kind", "from_status", "to_status", "created_at"],
        )
        nearest = self._nearest(facilities)
        placed_families = list(self.families)
        for number in range(1, count + 1):
            self._application(number, max_wishes, nearest, placed_families, districts)

    def _application(self, number: int, max_wishes: int, nearest, placed_families, districts) -> None:
        rng = self.rng
        status = self._pick(STATUS_SHARES)
        family = rng.choice(placed_families) if placed_families and rng.random() < 0.3 else None
        family = family or self._new_family(districts)
        candidates = []
        while not candidates:  # a small city may lack a band (no Hort): draw again
            band = self._pick(BAND_SHARES)
            start = self.year_start
            if rng.random() < 0.25:
                start = (self.today + datetime.timedelta(days=rng.randint(30, 400))).replace(day=1)
            birth = self._birth_date(band, start)
            band = age_band_on(birth, start, **self.calendar)
            candidates = nearest(family.position, band)
        submitted_at = None if status == ApplicationStatus.DRAFT else self._ago(1, 900)
        created_at = (submitted_at or self.now) - datetime.timedelta(days=rng.uniform(0.1, 30))
        child_id = self._child(family, birth, created_at)
        chosen = self._choose_wishes(candidates, family, max_wishes)
        single = len(family.guardians) == 1 and rng.random() < 0.6
        answers = {
            "resides_in_municipality": rng.random() < 0.92,
            "guardians_working_or_training": min(len(family.guardians), rng.choice((0, 1, 1, 2, 2, 2))),
            "single_parent": single,
            "hardship_referral": rng.random() < 0.03,
        }
        care_hours = min(rng.choice((25, 35, 35, 45)), max(info.max_care_hours for info in chosen))
        confirmed = None
        if submitted_at is not None:
            confirmed = max(submitted_at, self._ago(0, 150))
        status, pick = self._settle(status, band, chosen)
        application_id = self.applications.add(
            self._uuid(), f"{REFERENCE_PREFIX}{number:07d}", child_id, family.guardians[0], start, care_hours,
            answers["resides_in_municipality"], answers["guardians_working_or_training"], single,
            answers["hardship_referral"], rng.random() < 0.04, submitted_at is not None, status,
            rng.randint(1, 2**31 - 1), submitted_at, confirmed, created_at,
            max(created_at, confirmed or created_at),
        )  # fmt: skip
        facts = WishFacts(
            sibling_at_facility=False,
            birth_date=birth,
            start_date=start,
            submitted_on=timezone.localdate(submitted_at) if submitted_at else None,
            **answers,
        )
        wish_ids, wish_statuses = [], []
        for rank, info in enumerate(chosen, start=1):
            sibling = info.id in family.placed_at
            points, explanation = wish_points(
                self.policy, replace(facts, sibling_at_facility=sibling), today=self.today
            )
            wish_status, reason = self._wish_status(status, rank - 1 == pick, rank, len(chosen))
            wish_statuses.append(wish_status)
            wish_ids.append(
                self.wishes.add(
                    application_id,
                    info.id,
                    rank,
                    band,
                    wish_status,
                    points,
                    explanation,
                    sibling,
                    reason,
                    self.now,
                )
            )
        self._story(
            _Story(
                application_id, child_id, status, family.guardians[0], created_at, submitted_at, band, start,
                min(care_hours, chosen[pick].max_care_hours) if pick is not None else care_hours,
            ),
            chosen, wish_ids, wish_statuses, pick,
        )  # fmt: skip
        if pick is not None and status == ApplicationStatus.PLACED:
            family.placed_at.add(chosen[pick].id)

    def _birth_date(self, band: str, start: datetime.date) -> datetime.date:
        """A birth date that puts the child in ``band`` at ``start`` (a few not born yet)."""
        days = {
            AgeBand.UNDER_THREE: (200, 1060),
            AgeBand.THREE_TO_SCHOOL: (1100, 1900),
            AgeBand.SCHOOL: (2300, 3300),
        }
        return start - datetime.timedelta(days=self.rng.randint(*days[band]))

    def _choose_wishes(
        self, candidates: list[_FacilityInfo], family: _Family, max_wishes: int
    ) -> list[_FacilityInfo]:
        """Up to ``max_wishes`` nearby facilities, popular and near ones likelier; a sibling's first."""
        rng = self.rng
        wanted = min(
            len(candidates), rng.choices(range(1, max_wishes + 1), weights=range(1, max_wishes + 1))[0]
        )
        pool = list(candidates)
        weights = [f.popularity / (1 + 0.3 * distance_rank) for distance_rank, f in enumerate(pool)]
        chosen = []
        for info in pool:
            if info.id in family.placed_at and rng.random() < 0.7:
                chosen.append(info)
                break
        while len(chosen) < wanted:
            info = rng.choices(pool, weights=weights)[0]
            if info not in chosen:
                chosen.append(info)
        return chosen

    def _settle(self, status: str, band: str, chosen: list[_FacilityInfo]) -> tuple[str, int | None]:
        """For an offered or placed application, the wish (index) that holds a place.

        Only a program with room may hold it; without one the application waits instead, so
        placements plus open offers never exceed a program's places.
        """
        if status not in (ApplicationStatus.OFFERED, ApplicationStatus.PLACED):
            return status, None
        for index, info in enumerate(chosen):
            key = (info.id, band)
            if self.taken[key] < self.places[key]:
                self.taken[key] += 1
                return status, index
        return ApplicationStatus.WAITING, None

    def _wish_status(self, status: str, picked: bool, rank: int, wishes: int) -> tuple[str, str]:
        if status == ApplicationStatus.OFFERED:
            return (WishStatus.OFFERED if picked else WishStatus.ACTIVE), ""
        if status == ApplicationStatus.PLACED:
            return (WishStatus.ACCEPTED if picked else WishStatus.INACTIVE), ""
        if status == ApplicationStatus.WITHDRAWN:
            return WishStatus.WITHDRAWN, ""
        if status == ApplicationStatus.CLOSED:
            return WishStatus.REJECTED, REJECTION_REASON
        # Some waiting families declined or let expire an offer for their favourite and wait for the rest.
        if status == ApplicationStatus.WAITING and rank == 1 and wishes > 1 and self.rng.random() < 0.05:
            return self.rng.choice((WishStatus.DECLINED, WishStatus.EXPIRED)), ""
        if status == ApplicationStatus.WAITING and rank > 1 and self.rng.random() < 0.02:
            return WishStatus.REJECTED, REJECTION_REASON
        return WishStatus.ACTIVE, ""

    def _story(
        self,
        story: "_Story",
        chosen: list[_FacilityInfo],
        wish_ids: list[int],
        wish_statuses: list[str],
        pick,
    ) -> None:
        """Offers, the placement and the timeline events that led to the application's status."""
        rng, add_event, add_offer = self.rng, self.events.add, self.offers.add
        app, parent, window = (
            story.application_id,
            story.parent,
            datetime.timedelta(days=self.portal.offer_window_days),
        )
        add_event(app, None, parent, ActorKind.FAMILY, EventKind.CREATED, "", "draft", story.created_at)
        if story.submitted_at is None:
            return
        add_event(
            app, None, parent, ActorKind.FAMILY, EventKind.SUBMITTED, "draft", "submitted", story.submitted_at
        )
        if pick is not None:
            facility_id, wish_id = chosen[pick].id, wish_ids[pick]
            leader = self.leaders[facility_id]
            if story.status == ApplicationStatus.OFFERED:
                made = self._ago(0.5, self.portal.offer_window_days - 0.5)
                add_offer(
                    self._uuid(),
                    app,
                    wish_id,
                    story.start,
                    made + window,
                    OfferStatus.OPEN,
                    leader,
                    made,
                    None,
                )
                add_event(
                    app, wish_id, leader, ActorKind.FACILITY, EventKind.OFFER_MADE, "waiting", "offered", made
                )
                return
            made = max(story.submitted_at, self._ago(20, 200))
            decided = made + datetime.timedelta(days=rng.uniform(0.5, 10))
            offer_id = add_offer(
                self._uuid(),
                app,
                wish_id,
                story.start,
                made + window,
                OfferStatus.ACCEPTED,
                leader,
                made,
                decided,
            )
            self.placements.add(
                self._uuid(), story.child_id, facility_id, story.band, story.start, None, story.care_hours,
                offer_id, "active", decided,
            )  # fmt: skip
            add_event(
                app, wish_id, leader, ActorKind.FACILITY, EventKind.OFFER_MADE, "waiting", "offered", made
            )
            add_event(
                app, wish_id, parent, ActorKind.FAMILY, EventKind.OFFER_ACCEPTED, "offered", "placed", decided
            )
            return
        for info, wish_id, status in zip(chosen, wish_ids, wish_statuses, strict=True):
            # The answered offer behind a declined or expired wish (see _wish_status).
            if status in (WishStatus.DECLINED, WishStatus.EXPIRED):
                made = max(story.submitted_at, self._ago(30, 300))
                leader = self.leaders[info.id]
                offer_status, kind, actor, actor_kind = (
                    (OfferStatus.DECLINED, EventKind.OFFER_DECLINED, parent, ActorKind.FAMILY)
                    if status == WishStatus.DECLINED
                    else (OfferStatus.EXPIRED, EventKind.OFFER_EXPIRED, None, ActorKind.SYSTEM)
                )
                decided = made + (window if status == WishStatus.EXPIRED else datetime.timedelta(days=3))
                add_offer(
                    self._uuid(),
                    app,
                    wish_id,
                    story.start,
                    made + window,
                    offer_status,
                    leader,
                    made,
                    decided,
                )
                add_event(
                    app, wish_id, leader, ActorKind.FACILITY, EventKind.OFFER_MADE, "waiting", "offered", made
                )
                add_event(app, wish_id, actor, actor_kind, kind, "offered", "waiting", decided)
        final = {
            ApplicationStatus.WITHDRAWN: (parent, ActorKind.FAMILY, EventKind.WITHDRAWN),
            ApplicationStatus.EXPIRED: (None, ActorKind.SYSTEM, EventKind.EXPIRED),
            ApplicationStatus.CLOSED: (None, ActorKind.SYSTEM, EventKind.CLOSED),
        }.get(story.status)
        if final:
            later = max(story.submitted_at, self._ago(0, 60))
            add_event(app, None, final[0], final[1], final[2], "waiting", story.status, later)


@dataclass(frozen=True)
class _Story:
    application_id: int
    child_id: int
    status: str
    parent: int
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    band: str
    start: datetime.date
    care_hours: int
