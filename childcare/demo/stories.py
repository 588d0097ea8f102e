"""How each demo application got to its status: the steps, at the times they happened."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

from childcare.demo.plan import PlannedApplication, PlannedEvent, PlannedOffer, PlannedWish
from childcare.models import ApplicationStatus, OfferStatus, WishStatus

if TYPE_CHECKING:
    from childcare.demo.population import TownPlanner

REJECTION_REASONS = (
    "Die gewünschte Betreuungszeit können wir leider nicht anbieten.",
    "Zum gewünschten Termin ist in dieser Altersgruppe kein Platz frei.",
    "Eine Eingewöhnung ist zum gewünschten Termin nicht möglich.",
)

DAY = datetime.timedelta(days=1)


class Story:
    """The steps that led an application to its status, at the times they happened.

    Each step leaves wishes, offers and events exactly as the services would have left them.
    """

    def __init__(self, planner: TownPlanner, app: PlannedApplication, program, placement):
        self.planner, self.app, self.program, self.placement = planner, app, program, placement
        self.rng, self.now = planner.rng, planner.now

    def tell(self) -> None:
        app, status = self.app, self.app.status
        if status == ApplicationStatus.DRAFT:
            app.created_at = self.now - datetime.timedelta(minutes=self.rng.randint(60, 60 * 24 * 60))
            self.event(app.created_at, "created", "", status, "family")
            return
        submitted = self.submitted_at()
        app.created_at = submitted - datetime.timedelta(minutes=self.rng.randint(10, 60 * 24 * 6))
        app.submitted_at = app.last_confirmed_at = submitted
        self.event(app.created_at, "created", "", ApplicationStatus.DRAFT, "family")
        self.event(submitted, "submitted", ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, "family")
        getattr(self, status)()
        app.events.sort(key=lambda e: e.at)

    def submitted_at(self) -> datetime.datetime:
        planner, status = self.planner, self.app.status
        earliest, latest = planner.portal_start, self.now - 2 * DAY
        if status == ApplicationStatus.PLACED:
            # Families register months ahead; the place was agreed weeks before the start.
            start = planner.midnight(self.app.desired_start)
            earliest = max(earliest, start - relativedelta(months=14))
            latest = min(start - relativedelta(months=3), self.now - 40 * DAY)
        elif status == ApplicationStatus.EXPIRED:
            latest = self.now - planner.reconfirmation - planner.grace - 3 * DAY
        elif status in (ApplicationStatus.WAITING, ApplicationStatus.CLOSED):
            latest = self.now - 45 * DAY
        return planner.between(earliest, max(latest, earliest))

    def last_step(self) -> datetime.datetime:
        return max(e.at for e in self.app.events)

    def event(self, at, kind, old, new, actor, wish=None, note="") -> None:
        self.app.events.append(PlannedEvent(at, kind, old, new, actor, wish, note))

    def offer(self, wish, made_at, status, decided_at=None) -> PlannedOffer:
        deadline = self.planner.deadline(made_at)
        offer = PlannedOffer(wish, self.app.desired_start, made_at, deadline, status, decided_at)
        self.app.offers.append(offer)
        return offer

    def confirmed_recently(self) -> None:
        """Waiting families confirm their interest in time, so the nightly jobs leave them alone."""
        app = self.app
        fresh = self.now - self.planner.reconfirmation + 30 * DAY
        if app.last_confirmed_at < fresh:
            app.last_confirmed_at = self.planner.between(max(fresh, self.last_step()), self.now - DAY)
            self.event(app.last_confirmed_at, "interest_confirmed", "", "", "family")

    def ended_offer(self, before: str, *, final: bool = False, spare=None) -> str:
        """An earlier offer that ended without a place; returns the status it left the family in."""
        app = self.app
        active = [w for w in app.wishes if w.status == WishStatus.ACTIVE and w.program != spare]
        wish = active[-1] if final else self.rng.choice(active)
        made = self.planner.between(self.last_step(), self.now - 16 * DAY)
        if final:
            outcome = self.rng.choice((OfferStatus.DECLINED, OfferStatus.EXPIRED))
        elif len(active) == 1 and spare is None:
            outcome = OfferStatus.WITHDRAWN  # the family's only wish: it must stay on the list
        else:
            outcome = self.rng.choices(OFFER_ENDINGS, weights=(50, 25, 25))[0]
        offer = self.offer(wish, made, outcome)
        if outcome == OfferStatus.DECLINED:
            offer.decided_at = made + datetime.timedelta(hours=self.rng.randint(2, 24 * 10))
            actor, wish.status = "family", WishStatus.DECLINED
        elif outcome == OfferStatus.EXPIRED:
            offer.decided_at = offer.expires_at + datetime.timedelta(minutes=self.rng.randint(1, 5))
            actor, wish.status = None, WishStatus.EXPIRED
        else:
            offer.decided_at = made + datetime.timedelta(hours=self.rng.randint(2, 72))
            actor = wish.program.slug
        still = any(w.status == WishStatus.ACTIVE for w in app.wishes)
        after = ApplicationStatus.WAITING if still else ApplicationStatus.CLOSED
        self.event(made, "offer_made", before, ApplicationStatus.OFFERED, wish.program.slug, wish)
        self.event(offer.decided_at, f"offer_{outcome}", ApplicationStatus.OFFERED, after, actor, wish)
        return after

    def reject(self, wish: PlannedWish) -> None:
        at = self.planner.between(self.last_step(), self.now - 20 * DAY)
        wish.status, wish.rejection_reason = WishStatus.REJECTED, self.rng.choice(REJECTION_REASONS)
        note = wish.rejection_reason
        self.event(at, "wish_rejected", WishStatus.ACTIVE, WishStatus.REJECTED, wish.program.slug, wish, note)

    # One method per status, named after it.

    def submitted(self) -> None:
        if len(self.app.wishes) > 1 and self.rng.random() < 0.15:
            self.reject(self.app.wishes[-1])
        self.confirmed_recently()

    def waiting(self) -> None:
        self.ended_offer(ApplicationStatus.SUBMITTED)
        self.confirmed_recently()

    def offered(self) -> None:
        app, before = self.app, ApplicationStatus.SUBMITTED
        wish = next(w for w in app.wishes if w.program == self.program)
        earlier = len(app.wishes) > 1 and app.submitted_at < self.now - 45 * DAY
        if earlier and self.rng.random() < 0.3:
            before = self.ended_offer(before, spare=self.program)
        window_opened = self.now - self.planner.offer_window + DAY
        made = self.planner.between(
            max(self.last_step(), window_opened), self.now - datetime.timedelta(hours=1)
        )
        wish.status = WishStatus.OFFERED
        self.offer(wish, made, OfferStatus.OPEN)
        self.event(made, "offer_made", before, ApplicationStatus.OFFERED, wish.program.slug, wish)
        self.confirmed_recently()

    def placed(self) -> None:
        app, planner = self.app, self.planner
        wish = next(w for w in app.wishes if w.program == self.program)
        start = planner.midnight(app.desired_start)
        made = planner.between(self.last_step() + 14 * DAY, min(start - 30 * DAY, self.now - 12 * DAY))
        accepted = made + datetime.timedelta(hours=self.rng.randint(2, 24 * 10))
        offer = self.offer(wish, made, OfferStatus.ACCEPTED, accepted)
        for other in app.wishes:
            other.status = WishStatus.INACTIVE
        wish.status = WishStatus.ACCEPTED
        slug = wish.program.slug
        self.event(made, "offer_made", ApplicationStatus.SUBMITTED, ApplicationStatus.OFFERED, slug, wish)
        self.event(
            accepted, "offer_accepted", ApplicationStatus.OFFERED, ApplicationStatus.PLACED, "family", wish
        )
        placement = self.placement or planner.seat(
            app.child, self.program, app.desired_start, hours=app.care_hours
        )
        if placement is None:
            raise AssertionError(f"{self.program.slug} was planned with a free place but has none")
        placement.source_offer, placement.created_at = offer, accepted
        placement.care_hours = app.care_hours
        app.placement = placement

    def withdrawn(self) -> None:
        at = self.planner.between(min(self.last_step() + 5 * DAY, self.now - DAY), self.now - DAY)
        for wish in self.app.wishes:
            wish.status = WishStatus.WITHDRAWN
        self.event(at, "withdrawn", ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN, "family")

    def expired(self) -> None:
        app = self.app
        at = app.last_confirmed_at + self.planner.reconfirmation + self.planner.grace
        for wish in app.wishes:
            wish.status = WishStatus.WITHDRAWN
        at += datetime.timedelta(minutes=self.rng.randint(60, 180))
        self.event(min(at, self.now), "expired", ApplicationStatus.SUBMITTED, ApplicationStatus.EXPIRED, None)

    def closed(self) -> None:
        for wish in self.app.wishes[:-1]:
            self.reject(wish)
        self.ended_offer(ApplicationStatus.SUBMITTED, final=True)


OFFER_ENDINGS = (OfferStatus.DECLINED, OfferStatus.EXPIRED, OfferStatus.WITHDRAWN)
