"""The public facility pages' shared parts, rendered once and kept in the shared cache.

The search results and a facility's facts are the same for every visitor who asks the same
question on the same day in the same language: at city scale rendering them costs far more
than the rest of the page. Each kept copy is stamped with the facility data's version, which
every change of free places (``refresh_availability``, ``rebuild_availability``) and every
save of a facility, its provider, places, concepts or languages and the portal settings moves
on when it commits, so the next request renders anew. As a safety net for writes past those
paths (a query set's ``update``, SQL by hand) a copy lives at most ``FRAGMENT_SECONDS`` in the
shared cache (and ``portal.fragments.LOCAL_SECONDS`` more in a process).

Nothing personal is kept: the visitor's wish list state is part of the key, and the CSRF token
lives outside the kept part (the wish buttons submit one form per page, see
``childcare/includes/wish_form.html``). Without a reachable cache the page is rendered as
before; it never fails for want of one.
"""

import logging
import secrets
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import transaction

from portal import fragments

logger = logging.getLogger(__name__)

VERSION_KEY = "facility-data-version"
FRAGMENT_SECONDS = 120


def _new_version() -> int:
    # Random, so a version evicted from the cache is never started again with its pages still kept.
    return secrets.randbits(48)


def data_version() -> int | None:
    """The current version (a new one when none is kept); ``None`` without a reachable cache."""
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, _new_version(), timeout=None)
            version = cache.get(VERSION_KEY)
        return version
    except Exception:  # noqa: BLE001 (any cache failure: render without it)
        logger.warning("facility page cache unavailable", exc_info=True)
        return None


def _move_on() -> None:
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # none kept: any new one is new
            cache.add(VERSION_KEY, _new_version(), timeout=None)
    except Exception:  # noqa: BLE001
        logger.warning("facility page cache unavailable: kept pages expire on their own", exc_info=True)


def facility_data_changed() -> None:
    """Kept pages are out of date: now, and again once the current transaction commits, since a
    page rendered in between still saw the old rows."""
    _move_on()
    transaction.on_commit(_move_on)


def forget_kept_pages() -> None:
    """Start a new version (tests: each starts without pages kept by an earlier one)."""
    try:
        cache.delete(VERSION_KEY)
    except Exception:  # noqa: BLE001
        logger.warning("facility page cache unavailable", exc_info=True)


def kept(parts: Iterable, compute: Callable[[], object]):
    """``compute()``'s result (HTML, or a dict of it) for the question ``parts`` (the language is
    added), kept for the current data version. What ``compute`` raises (a 404) passes through."""
    version = data_version()
    if version is None:
        return compute()
    return fragments.kept_for(f"facility-page:{version}", parts, compute, timeout=FRAGMENT_SECONDS)
