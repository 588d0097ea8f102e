import os
import socket
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings as django_settings
from django.test import Client

from portal.celery import app as celery_app
from portal.second_factor import SECOND_FACTORS, mark_second_factor_proven
from tests.factories import (
    ChildFactory,
    FacilityFactory,
    GuardianshipFactory,
    StaffMembershipFactory,
    UserFactory,
)

SERVICES_ENABLED = os.environ.get("TEST_SERVICES") == "1"


def pytest_collection_modifyitems(config, items):
    """The services tier runs only when TEST_SERVICES=1 (CI); elsewhere it is left out."""
    if SERVICES_ENABLED:
        return
    kept = [item for item in items if "services" not in item.keywords]
    deselected = [item for item in items if "services" in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=3):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session", autouse=True)
def _services_present():
    """With TEST_SERVICES=1 a missing service fails the run instead of skipping tests quietly."""
    if not SERVICES_ENABLED:
        return
    database = django_settings.DATABASES["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql", (
        "TEST_SERVICES=1 needs DATABASE_URL pointing at PostgreSQL"
    )
    assert _reachable(f"postgres://{database['HOST']}:{database['PORT'] or 5432}", 5432), (
        "PostgreSQL is not reachable"
    )
    broker = django_settings.CELERY_BROKER_URL
    assert broker.startswith("redis://"), "TEST_SERVICES=1 needs CELERY_BROKER_URL=redis://..."
    assert _reachable(broker, 6379), f"Redis broker {broker} is not reachable"


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    celery_app.conf.task_always_eager = True
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ACCOUNT_RATE_LIMITS = False


def with_second_factor(user):
    """Give the user an authenticator app (TOTP), as staff, the office and admins must have."""
    TOTP.activate(user, generate_totp_secret())
    return user


class PortalClient(Client):
    """``force_login`` of a user with a second factor stands for a sign-in that asked for it."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        if is_mfa_enabled(user, SECOND_FACTORS):
            session = self.session
            mark_second_factor_proven(session, user)
            session.save()


@pytest.fixture
def client():
    return PortalClient()


@pytest.fixture
def facility(db):
    return FacilityFactory()


@pytest.fixture
def parent(db):
    return UserFactory(email="parent@example.org")


@pytest.fixture
def parent_client(client, parent):
    """The test client, signed in as ``parent``."""
    client.force_login(parent)
    return client


@pytest.fixture
def child(parent):
    child = ChildFactory()
    GuardianshipFactory(user=parent, child=child)
    return child


@pytest.fixture
def other_parent(db):
    return UserFactory(email="other.parent@example.org")


@pytest.fixture
def staff(facility):
    """Leader of ``facility``, with a second factor (StaffMembershipFactory gives one)."""
    return StaffMembershipFactory(facility=facility, user=UserFactory(email="leitung@example.org")).user


@pytest.fixture
def other_staff(db):
    return StaffMembershipFactory(user=UserFactory(email="andere.leitung@example.org")).user


@pytest.fixture
def municipal_office(db):
    return with_second_factor(UserFactory(email="fachbereich@example.org", is_municipal_office=True))


@pytest.fixture
def in_english(client):
    """English for code and for the test client, so messages can be matched in the source language."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _kept_copies_forgotten():
    """Each test reads the settings row and the facility pages its own database holds, not copies
    kept from an earlier test."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    from childcare.facilities.public_cache import forget_kept_pages
    from portal import fragments, page_frame, sessions
    from portal.models import PortalSettings

    PortalSettings.forget_cached()
    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()  # kept page parts too: a database's ids and times repeat across tests
    page_frame.forget()
    sessions.forget_owners()
    forget_kept_pages()
    fragments.forget_local()
    yield
    PortalSettings.forget_cached()


@pytest.fixture(autouse=True)
def _broker_failure_forgotten():
    """A test that made the broker fail must not leave the next test's hand-overs skipped."""
    from notifications.dispatch import forget_broker_failure

    forget_broker_failure()
    yield
    forget_broker_failure()


# A wish whose kept waitlist keys (migration 0018's triggers) disagree with its own and its
# application's status, submission time or lottery number.
_QUEUE_KEYS_DRIFT = """
SELECT w.id FROM childcare_wish w JOIN childcare_application a ON a.id = w.application_id
WHERE w.listed <> (w.status IN ('active', 'offered') AND a.status IN ('submitted', 'waiting', 'offered'))
   OR w.application_submitted_at IS DISTINCT FROM a.submitted_at
   OR w.application_lottery_number IS DISTINCT FROM a.lottery_number
"""


@pytest.fixture(autouse=True)
def _waitlist_keys_hold(request):
    """After every test with a database, whatever it wrote and however: no wish's waitlist keys are
    stale. This holds the triggers to every write path the suite takes."""
    uses_database = request.node.get_closest_marker("django_db") is not None or {
        "db",
        "transactional_db",
    } & set(request.fixturenames)
    if not uses_database:
        yield
        return
    request.getfixturevalue("db")  # set up first, so this check runs before the database is reset
    yield
    from django.db import connection

    if connection.needs_rollback:  # the test ended inside a failed transaction: nothing to read
        return
    with connection.cursor() as cursor:
        cursor.execute(_QUEUE_KEYS_DRIFT)
        stale = [row[0] for row in cursor.fetchall()]
    assert not stale, f"wishes with stale waitlist keys: {stale[:10]}"
