"""The locking rule: every service that changes state takes its row locks here, in one order.

1. capacity rows (by facility id, then age band),
2. applications (by primary key),
3. wishes (by primary key),
4. offers (by primary key).

Two transactions that lock in the same order wait for each other instead of deadlocking.
Each lock is ``SELECT ... FOR UPDATE OF <table>`` (``of=("self",)``), so joined rows are
read but not locked by accident, and on PostgreSQL it waits at most ``LOCK_TIMEOUT_SECONDS``:
a lock that is not granted by then ends the request with a clear message, not a hang.
See docs/architecture.md, "Locking".
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from childcare.errors import DomainError
from childcare.models import Application, Capacity, Offer, Wish

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout ran out


def busy_error() -> DomainError:
    return DomainError(_("Someone else is changing this right now, please try again."))


class LockedSetChanged(Exception):
    """The rows to lock were chosen from an unlocked read that changed meanwhile; start again."""


@dataclass
class Locked:
    capacities: dict[tuple[int, str], Capacity] = field(default_factory=dict)
    applications: dict[int, Application] = field(default_factory=dict)
    wishes: dict[int, Wish] = field(default_factory=dict)
    offers: dict[int, Offer] = field(default_factory=dict)

    def places(self, facility_id: int, age_band: str) -> int:
        row = self.capacities.get((facility_id, age_band))
        return row.places if row else 0


def _set_timeout() -> None:
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # SET LOCAL ends with the transaction; the value is an integer from settings, not input.
            cursor.execute(f"SET LOCAL lock_timeout = '{int(settings.LOCK_TIMEOUT_SECONDS)}s'")


def _is_lock_timeout(error: OperationalError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE


def lock_rows(
    *,
    capacities: Iterable[tuple[int, str]] = (),
    applications: Iterable[int] = (),
    wishes: Iterable[int] = (),
    offers: Iterable[int] = (),
) -> Locked:
    """Lock the given rows in the rule's order and return them, freshly read.

    Wishes and offers come with their application (and offers with their wish) wired to the
    locked instances, so a transition changes the very rows this transaction holds.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_rows() needs the caller's transaction.atomic().")
    locked = Locked()
    try:
        _set_timeout()
        keys = sorted(set(capacities))
        if keys:
            match = Q()
            for facility_id, age_band in keys:
                match |= Q(facility_id=facility_id, age_band=age_band)
            rows = Capacity.objects.filter(match).order_by("facility_id", "age_band")
            locked.capacities = {
                (row.facility_id, row.age_band): row for row in rows.select_for_update(of=("self",))
            }
        application_ids = sorted(set(applications))
        if application_ids:
            rows = Application.objects.filter(pk__in=application_ids).order_by("pk").select_related("child")
            locked.applications = {row.pk: row for row in rows.select_for_update(of=("self",))}
        wish_ids = sorted(set(wishes))
        if wish_ids:
            rows = Wish.objects.filter(pk__in=wish_ids).order_by("pk").select_related("facility")
            locked.wishes = {row.pk: row for row in rows.select_for_update(of=("self",))}
        offer_ids = sorted(set(offers))
        if offer_ids:
            rows = Offer.objects.filter(pk__in=offer_ids).order_by("pk").select_related("wish__facility")
            locked.offers = {row.pk: row for row in rows.select_for_update(of=("self",))}
    except OperationalError as error:
        if _is_lock_timeout(error):
            raise busy_error() from error
        raise
    _wire(locked)
    return locked


def _wire(locked: Locked) -> None:
    for wish in locked.wishes.values():
        if wish.application_id in locked.applications:
            wish.application = locked.applications[wish.application_id]
    for offer in locked.offers.values():
        if offer.wish_id in locked.wishes:
            offer.wish = locked.wishes[offer.wish_id]
        if offer.application_id in locked.applications:
            offer.application = locked.applications[offer.application_id]
            offer.wish.application = offer.application


def retrying(work, *, attempts: int = 3):
    """Run ``work()`` (which opens its own transaction) again if its locked set went stale."""
    for _attempt in range(attempts):
        try:
            return work()
        except LockedSetChanged:
            continue
    raise busy_error()
