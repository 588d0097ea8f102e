"""Musterstadt's families: who attends which facility, who is placed for 1 August, who waits.

A town of about 40,000 inhabitants (think of Neu-Isenburg near Frankfurt): roughly 800 children
under three for 400 U3 places and 1,700 from three to school for 1,550 Ü3 places. The plan is drawn
in memory from a fixed seed, so every run plans the same town, and every place is booked through a
ledger built on ``childcare.facilities.capacity``: a child is seated only where a place is free on
every day of the stay, so no facility is ever overbooked.

How the year turns, as in a real town: on the next daycare-year start school children leave the Ü3
groups and the oldest Krippe children become Ü3. Children of a Kita move up into its Ü3 group; those
of a Krippe or childminder need a Kindergarten place. Most freed places are given already (placed
applications for 1 August); a few are offered right now, a few are left for the allocation round,
and many more families wait.
"""

import datetime
import random

from dateutil.relativedelta import relativedelta

from childcare.age import age_band_on, school_entry_date
from childcare.demo.names import ORIGINS
from childcare.demo.plan import (
    Family,
    Ledger,
    PlannedApplication,
    PlannedChild,
    PlannedPlacement,
    PlannedWish,
    Program,
    TownPlan,
    distance,
)
from childcare.demo.stories import Story
from childcare.models import WAITING_APPLICATION_STATUSES, AgeBand, ApplicationStatus

SEED = 40_000
PORTAL_MONTHS = 18  # the portal went live this long ago: the oldest submission
U3, UE3, SCHOOL = AgeBand.UNDER_THREE, AgeBand.THREE_TO_SCHOOL, AgeBand.SCHOOL
HOURS = {U3: (25, 30, 35, 35, 45, 45), UE3: (25, 30, 35, 35, 45, 45), SCHOOL: (15, 20, 25, 25)}
# How many applications of each story the town holds besides the placed ones.
WAITING_U3, WAITING_UE3, WAITING_SCHOOL = 140, 60, 20
DRAFTS, WITHDRAWN, EXPIRED, CLOSED = 45, 45, 35, 30


def _years(day: datetime.date, years: int) -> datetime.date:
    return day + relativedelta(years=years)


class TownPlanner:
    """Draws the town step by step; each step books its places in the ledger before the next."""

    def __init__(
        self,
        *,
        programs: list[Program],
        taken: dict,
        now: datetime.datetime,
        year_start: datetime.date,
        calendar: dict,
        offer_window_days: int,
        reconfirmation_months: int,
        grace_days: int,
    ):
        self.rng = random.Random(SEED)
        self.programs = sorted(programs, key=lambda p: (p.slug, p.band))
        self.ledger = Ledger(taken)
        self.tz = now.tzinfo
        self.now, self.today, self.start = now, now.date(), year_start
        self.this_year = _years(year_start, -1)
        self.calendar = calendar
        self.offer_window = datetime.timedelta(days=offer_window_days)
        self.reconfirmation = relativedelta(months=reconfirmation_months)
        self.grace = datetime.timedelta(days=grace_days)
        self.portal_start = now - relativedelta(months=PORTAL_MONTHS)
        self.plan = TownPlan([], [], [], [])
        self.positions = sorted({p.position for p in self.programs})

    def plan_town(self) -> TownPlan:
        attending = self.attending()
        krippe_leavers = self.moving_up(attending)
        school_leavers = [p.child for p in attending if p.program.band == UE3 and p.end == self.start]
        self.rng.shuffle(school_leavers)
        self.applied_through_the_portal(attending)
        self.next_year(krippe_leavers, school_leavers)
        self.waiting(attending)
        self.ended_and_drafts()
        return self.plan

    # --- people -------------------------------------------------------------------------------------------

    def family(self, near: tuple[float, float] | None = None) -> Family:
        rng = self.rng
        origin = rng.choices(ORIGINS, weights=[o.share for o in ORIGINS])[0]
        near = near or rng.choice(self.positions)
        home = (near[0] + rng.gauss(0, 0.006), near[1] + rng.gauss(0, 0.009))
        first, last = rng.choice(origin.first_names), rng.choice(origin.last_names)
        family = Family(len(self.plan.families) + 1, origin, first, last, home)
        self.plan.families.append(family)
        return family

    def child(self, birth_date: datetime.date, *, family: Family | None = None, near=None) -> PlannedChild:
        family = family or self.family(near)
        names = [name for name in family.origin.first_names if name != family.first_name]
        child = PlannedChild(
            family,
            self.rng.choice(names),
            birth_date,
            expected=birth_date > self.today,
            integration_need=self.rng.random() < 0.03,
        )
        self.plan.children.append(child)
        return child

    def born_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        return first + datetime.timedelta(days=self.rng.randint(0, max((last - first).days, 0)))

    def birth_for(self, band: str, on: datetime.date) -> datetime.date:
        """A birth date that puts a child into ``band`` on ``on``, mostly the youngest who fit."""
        one_day = datetime.timedelta(days=1)
        if band == U3:
            return self.born_between(_years(on, -3) + one_day, on - relativedelta(months=11))
        if band == UE3 and self.rng.random() < 0.65:
            return self.born_between(_years(on, -4) + one_day, _years(on, -3))
        if band == UE3:
            return self.born_between(_years(on, -6) + relativedelta(months=1), _years(on, -4))
        return self.born_between(_years(on, -7) + relativedelta(months=1), _years(on, -6))

    # --- stays --------------------------------------------------------------------------------------------

    def band_end(self, birth: datetime.date, band: str) -> datetime.date:
        """The first day without the place: U3 ends at the year start after the third birthday,
        Ü3 at school entry, Hort after the fourth class."""
        if band == UE3:
            return school_entry_date(birth, **self.calendar)
        if band == SCHOOL:
            return _years(school_entry_date(birth, **self.calendar), 4)
        end = self.start
        while age_band_on(birth, end, **self.calendar) == U3:
            end = _years(end, 1)
        return end

    def seat(self, child: PlannedChild, program: Program, start: datetime.date, *, hours=None):
        """Book a place from ``start`` to the end of the band, or return None if any day is full."""
        end = self.band_end(child.birth_date, program.band)
        if end <= start or not self.ledger.take(program, start, end):
            return None
        booked = self.midnight(start) - datetime.timedelta(days=self.rng.randint(20, 120))
        placement = PlannedPlacement(
            child,
            program,
            start,
            end,
            hours or self.hours_for(program.band, [program]),
            min(booked, self.now),
        )
        self.plan.placements.append(placement)
        return placement

    def hours_for(self, band: str, programs: list[Program]) -> int:
        cap = min(p.max_care_hours for p in programs)
        wanted = self.rng.choice(HOURS[band])
        return wanted if wanted <= cap else max(h for h in HOURS[band] if h <= cap)

    def midnight(self, day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=self.tz)

    def between(self, first: datetime.datetime, last: datetime.datetime) -> datetime.datetime:
        seconds = max(int((last - first).total_seconds()), 0)
        return first + datetime.timedelta(seconds=self.rng.randint(0, seconds))

    def deadline(self, made_at: datetime.datetime) -> datetime.datetime:
        """End of the local day ``offer_window_days`` after the offer, as the offer service sets it."""
        day = made_at.astimezone(self.tz).date() + self.offer_window
        return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=self.tz)

    # --- the town -----------------------------------------------------------------------------------------

    def attending(self) -> list[PlannedPlacement]:
        """Today's children: most groups full, a place or two free here and there."""
        seated = []
        for program in self.programs:
            if program.opens_next_year:
                continue
            keep_free = 0 if self.rng.random() < 0.7 else self.rng.randint(1, 2 if program.places > 5 else 1)
            for _ in range(max(self.ledger.free_on(program, self.today) - keep_free, 0)):
                birth, start = self.attending_since(program.band)
                placement = self.seat(self.child(birth, near=program.position), program, start)
                if placement:
                    seated.append(placement)
        return seated

    def attending_since(self, band: str) -> tuple[datetime.date, datetime.date]:
        """Birth date and first day of a child who attends a group of ``band`` today."""
        one_day = datetime.timedelta(days=1)
        if band == U3:
            last_birth = self.today - relativedelta(months=13)
            birth = self.born_between(_years(self.this_year, -3) + one_day, last_birth)
            start = (birth + relativedelta(months=12 + self.rng.randint(0, 8))).replace(day=1)
            return birth, min(start, self.today.replace(day=1))
        while True:
            if band == UE3:
                birth = self.born_between(
                    _years(self.start, -7) - relativedelta(months=1), _years(self.this_year, -3)
                )
                start = _years(self.this_year, -3)
                while age_band_on(birth, start, **self.calendar) != UE3:
                    start = _years(start, 1)
            else:
                birth = self.birth_for(SCHOOL, _years(self.start, -self.rng.randint(1, 4)))
                start = school_entry_date(birth, **self.calendar)
            if start <= self.today < self.band_end(birth, band):
                return birth, start

    def moving_up(self, attending: list[PlannedPlacement]) -> list[PlannedChild]:
        """Kita children move up into their own Ü3 group; Krippe and childminder children need a new place."""
        ue3 = {p.slug: p for p in self.programs if p.band == UE3}
        leaving = []
        for placement in attending:
            if placement.program.band != U3 or placement.end != self.start:
                continue
            own = ue3.get(placement.program.slug)
            if own is None or not self.seat(placement.child, own, self.start, hours=placement.care_hours):
                leaving.append(placement.child)
        return leaving

    def applied_through_the_portal(self, attending: list[PlannedPlacement]) -> None:
        """Part of the children who started since the portal went live got their place through it."""
        for placement in attending:
            registered_by = self.midnight(placement.start) - relativedelta(months=3)
            if registered_by < self.portal_start + datetime.timedelta(days=30) or self.rng.random() > 0.45:
                continue
            if placement.program.accepts_applications:
                self.application(
                    placement.child, ApplicationStatus.PLACED, placement.start, placement=placement
                )

    def next_year(self, krippe_leavers: list[PlannedChild], school_leavers: list[PlannedChild]) -> None:
        """Give most freed places for the year start; keep open offers and a few places for the round."""
        pools = {UE3: krippe_leavers, SCHOOL: school_leavers, U3: []}
        for program in self.programs:
            if program.opens_next_year:
                continue
            free = self.ledger.free_on(program, self.start)
            if not program.accepts_applications:
                for _ in range(free):  # the employer gives these places directly
                    birth = self.birth_for(program.band, self.start)
                    self.seat(self.child(birth, near=program.position), program, self.start)
                continue
            offers = min(self.rng.choices((0, 1, 2), weights=(45, 40, 15))[0], free)
            kept = self.rng.choices((0, 1, 2, 3, 4), weights=(50, 20, 15, 10, 5))[0]
            stories = [ApplicationStatus.PLACED] * max(free - offers - kept, 0) + [
                ApplicationStatus.OFFERED
            ] * offers
            for status in stories:
                child = self.nearest(pools[program.band], program) or self.child(
                    self.birth_for(program.band, self.start), near=program.position
                )
                self.application(child, status, self.start, program=program)
        for child in krippe_leavers + school_leavers[:WAITING_SCHOOL]:
            self.application(child, self.rng.choice(WAITING_APPLICATION_STATUSES), self.start)

    def nearest(self, pool: list[PlannedChild], program: Program) -> PlannedChild | None:
        """Take the child of the pool who lives nearest to the program's facility."""
        if not pool:
            return None
        child = min(pool, key=lambda c: distance(c.family.home, program.position))
        pool.remove(child)
        return child

    def waiting(self, attending: list[PlannedPlacement]) -> None:
        """Families still waiting: most for the year start, some for earlier months, some a year later."""
        for band, count in ((U3, WAITING_U3), (UE3, WAITING_UE3)):
            for _ in range(count):
                start = self.desired_start()
                birth = self.birth_for(band, start)
                sibling = self.sibling_of(attending, birth, start) if self.rng.random() < 0.2 else None
                child = self.child(birth, family=sibling.child.family if sibling else None)
                first = sibling.program.slug if sibling else None
                self.application(child, self.rng.choice(WAITING_APPLICATION_STATUSES), start, first=first)

    def sibling_of(self, attending, birth, start) -> PlannedPlacement | None:
        """An older brother or sister who still attends at ``start`` a facility with this band."""
        band = age_band_on(birth, start, **self.calendar)
        slugs = {p.slug for p in self.programs if p.band == band and p.accepts_applications}
        for placement in self.rng.sample(attending, min(len(attending), 40)):
            older = placement.child.birth_date < birth - relativedelta(months=15)
            if older and placement.end > start and placement.program.slug in slugs:
                return placement
        return None

    def desired_start(self) -> datetime.date:
        roll = self.rng.random()
        months_to_start = (self.start.year - self.today.year) * 12 + self.start.month - self.today.month
        if roll < 0.75 or months_to_start < 2:
            return self.start
        if roll < 0.9:
            return (self.today + relativedelta(months=self.rng.randint(1, months_to_start - 1))).replace(
                day=1
            )
        return _years(self.start, 1)

    def ended_and_drafts(self) -> None:
        """Drafts, some for babies not born yet, and applications that ended without a place."""
        stories = [ApplicationStatus.DRAFT] * DRAFTS + [ApplicationStatus.WITHDRAWN] * WITHDRAWN
        stories += [ApplicationStatus.EXPIRED] * EXPIRED + [ApplicationStatus.CLOSED] * CLOSED
        for status in stories:
            start = self.start
            if status == ApplicationStatus.DRAFT and self.rng.random() < 0.3:
                start = _years(self.start, 1)
                birth = self.today + datetime.timedelta(days=self.rng.randint(20, 150))
            else:
                birth = self.birth_for(self.rng.choice((U3, U3, UE3)), start)
            self.application(self.child(birth), status, start)

    # --- applications -------------------------------------------------------------------------------------

    def wishes(self, child: PlannedChild, band: str, *, must: Program | None, first: str | None):
        """One to five facilities near home, with ``must`` (the place given) or ``first`` (a sibling's)."""
        candidates = [
            p for p in self.programs if p.band == band and p.accepts_applications and not p.opens_next_year
        ]
        home = child.family.home

        def appeal(program: Program) -> float:
            company = 3.0 if program.company else 1.0  # mainly for the employer's own staff
            return distance(home, program.position) * company * self.rng.uniform(0.6, 1.8)

        count = self.rng.choices((1, 2, 3, 4, 5), weights=(10, 20, 30, 20, 20))[0]
        chosen = sorted(candidates, key=appeal)[:count]
        if first is not None:
            must, rank = next(p for p in candidates if p.slug == first), 1
        else:
            rank = self.rng.choices((1, 2, 3), weights=(60, 25, 15))[0]
        if must is not None:
            chosen = [p for p in chosen if p != must]
            chosen.insert(min(rank, len(chosen) + 1) - 1, must)
        return [PlannedWish(program, rank) for rank, program in enumerate(chosen[:5], start=1)]

    def application(self, child, status, start, *, program=None, first=None, placement=None):
        rng = self.rng
        program = placement.program if placement else program
        band = age_band_on(child.birth_date, start, **self.calendar)
        wishes = self.wishes(child, band, must=program, first=first)
        working = rng.choices((0, 1, 2), weights=(15, 30, 55))[0]
        single = rng.random() < 0.14
        app = PlannedApplication(
            child=child,
            status=status,
            desired_start=start,
            care_hours=self.hours_for(band, [w.program for w in wishes]),
            resides_in_municipality=rng.random() < 0.93,
            guardians_working=min(working, 1) if single else working,
            single_parent=single,
            hardship=rng.random() < 0.04,
            lottery_number=rng.randint(1, 2**31 - 2),
            created_at=self.now,
            submitted_at=None,
            last_confirmed_at=None,
            wishes=wishes,
        )
        Story(self, app, program, placement).tell()
        self.plan.applications.append(app)
        return app
