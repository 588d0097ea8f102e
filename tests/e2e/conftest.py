"""The browser tier: headless Chromium (Playwright) against pytest-django's live server.

The live server runs on a transactional database (PostgreSQL in CI). With the ``portal`` fixture a
real Celery worker thread sends the outbox through a loopback SMTP server, and ``SITE_URL`` is the
live server's address, so journeys follow the links in real e-mails.

Like the ``services`` tier this one runs only with TEST_SERVICES=1; there a missing Chromium,
Playwright or axe-core fails the run instead of skipping it.
"""

import os
import shutil
import subprocess
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings

from childcare.models import AgeBand
from tests.conftest import SERVICES_ENABLED
from tests.e2e import helpers
from tests.factories import CapacityFactory, FacilityFactory
from tests.integration.conftest import (  # noqa: F401 (fixtures shared with the services tier)
    _drop_test_queue,
    celery_worker,
    real_broker,
    smtp_server,
)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Only the live server is reachable: map tiles and anything else external fail at once, offline.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config, items):
    """Without TEST_SERVICES=1 the browser tier is left out, so `make test` on a laptop stays fast."""
    if SERVICES_ENABLED:
        return
    deselected = [item for item in items if "e2e" in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if "e2e" not in item.keywords]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _install_axe() -> None:
    if not helpers.AXE_JS.exists() and shutil.which("npm"):
        subprocess.run(
            helpers.AXE_INSTALL.split(),
            cwd=django_settings.BASE_DIR,
            check=False,
            timeout=180,
            capture_output=True,
        )


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for the tier.

    Package scope on purpose: while Playwright's sync API is started, its event loop counts as running
    in the main thread. Django refuses ORM calls there (SynchronousOnlyOperation) unless told
    otherwise, so the flag below holds only while the browser does and later tiers keep the check.
    """
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "chromium is not installed: `apt-get update && apt-get install -y chromium` (.ci/run does it)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: `pip install -e '.[dev]'`")
    _install_axe()
    try:
        helpers.axe_source()
    except FileNotFoundError as error:
        pytest.fail(str(error))

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    except Exception as error:
        playwright.stop()
        pytest.fail(f"chromium ({executable}) did not start: {error}")
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
        helpers.write_axe_summary()


@pytest.fixture
def open_page(browser, live_server, request):
    """Make a page in its own browser context (own cookies), based at the live server, German by default.

    A failing test leaves a screenshot of every page it had open in var/screenshots/.
    """
    contexts = []

    def open_page(device: dict, *, locale: str = "de-DE"):
        context = browser.new_context(
            **device, base_url=live_server.url, locale=locale, timezone_id=django_settings.TIME_ZONE
        )
        # axe comes in as an init script: the browser adds it to every page outside the page's
        # Content-Security-Policy, which (rightly) refuses any inline script the test would add.
        context.add_init_script(script=helpers.axe_source())
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.js_errors = []
        page.on("pageerror", lambda error: page.js_errors.append(str(error)))
        return page

    yield open_page
    report = getattr(request.node, "report_call", None)
    for number, context in enumerate(contexts):
        if report is not None and report.failed:
            for page in context.pages:
                helpers.screenshot(page, f"FAILED-{request.node.name}-{number}")
        context.close()


@pytest.fixture
def phone(open_page):
    return open_page(helpers.PHONE)


@pytest.fixture
def desktop(open_page):
    return open_page(helpers.DESKTOP)


@pytest.fixture
def portal(live_server, smtp_server, celery_worker, settings):  # noqa: F811 (the imported fixtures)
    """The whole system: live server, a real worker draining the outbox, mail caught on loopback."""
    settings.SITE_URL = live_server.url
    return SimpleNamespace(url=live_server.url, smtp=smtp_server)


@pytest.fixture
def town(transactional_db):
    """Four Kitas with U3 places 0, 1.1, 2.2 and 3.3 km north of postcode 63000, and a Kindergarten."""
    facilities = {}
    for index, name in enumerate(["Kita Ahorn", "Kita Birke", "Kita Eiche", "Kita Weide"]):
        facility = FacilityFactory(
            name=name,
            slug=name.lower().replace(" ", "-"),
            postcode="63000",
            latitude=Decimal("50.050000") + Decimal("0.010000") * index,
            longitude=Decimal("8.690000"),
        )
        CapacityFactory(facility=facility, age_band=AgeBand.UNDER_THREE, places=4)
        facilities[name] = facility
    kindergarten = FacilityFactory(name="Kindergarten Linde", slug="kindergarten-linde", postcode="63001")
    CapacityFactory(facility=kindergarten, age_band=AgeBand.THREE_TO_SCHOOL, places=20)
    facilities[kindergarten.name] = kindergarten
    return facilities
