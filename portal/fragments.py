"""Rendered parts of pages, kept in this process and in the shared cache.

A part is kept under a key that names everything it shows (a data version, a computation's time,
the language, the query string), so a kept part is never out of date for its key; the expiry only
bounds memory and heals writes that bypass a version. Each process keeps the parts it served
last for ``LOCAL_SECONDS`` in its own memory (up to ``LOCAL_MAX_CHARACTERS``), which spares the
shared cache's network round trip and unpickling of a large page; the shared cache hands a part
rendered by one process to all others. Without a reachable shared cache parts are rendered on
every request, never failed.
"""

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.utils import translation

logger = logging.getLogger(__name__)

LOCAL_SECONDS = 30
LOCAL_MAX_CHARACTERS = 8_000_000  # about 8-32 MB of text per process

_local: OrderedDict[str, tuple[float, object, int]] = OrderedDict()
_local_size = 0
_lock = threading.Lock()


def _size(value) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(len(item) for item in value.values() if isinstance(item, str)) + 100
    return 100


def _remember(key: str, value) -> None:
    global _local_size
    size = _size(value)
    if size > LOCAL_MAX_CHARACTERS // 4:
        return
    with _lock:
        if key in _local:
            _local_size -= _local.pop(key)[2]
        _local[key] = (time.monotonic() + LOCAL_SECONDS, value, size)
        _local_size += size
        while _local_size > LOCAL_MAX_CHARACTERS:
            _local_size -= _local.popitem(last=False)[1][2]


def forget_local() -> None:
    """Drop this process's copies (tests start each without those of an earlier one)."""
    global _local_size
    with _lock:
        _local.clear()
        _local_size = 0


def kept_for(name: str, parts: Iterable, compute: Callable[[], object], *, timeout: int):
    """``kept`` under a key made of ``name``, the active language and ``parts`` (anything whose
    ``repr`` names what the part shows: a version, a time, a query string)."""
    digest = hashlib.sha256(repr((translation.get_language(), *parts)).encode()).hexdigest()
    return kept(f"{name}:{digest}", compute, timeout=timeout)


def kept(key: str, compute: Callable[[], object], *, timeout: int):
    """``compute()``'s result (HTML, or a dict of it) for ``key``: this process's copy, the shared
    cache's, or computed now and kept in both. What ``compute`` raises passes through, unkept."""
    copy = _local.get(key)
    if copy is not None and copy[0] > time.monotonic():
        return copy[1]
    try:
        value = cache.get(key)
    except Exception:  # noqa: BLE001 (any cache failure: render without it)
        logger.warning("shared cache unavailable: page parts rendered on every request", exc_info=True)
        value = None
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout=timeout)
        except Exception:  # noqa: BLE001
            logger.warning("shared cache unavailable: page parts rendered on every request", exc_info=True)
    _remember(key, value)
    return value
