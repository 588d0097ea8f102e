"""The Django admin under the portal's Content-Security-Policy, in a real browser.

The superuser signs in with password and authenticator code, then opens the admin's index, a list
with its filters and search, and a change form with calendar widgets, selects and inline rows. The
browser reports every blocked script, style or image as a ``securitypolicyviolation`` event
(collected by an init script in every page) and as a console message "Refused to ...": there must
be none.
"""

import pytest

from childcare.models import ApplicationStatus
from tests.e2e.helpers import DESKTOP, give_authenticator, screenshot, sign_in
from tests.factories import ApplicationFactory, FacilityFactory, UserFactory, WishFactory

pytestmark = pytest.mark.e2e

# Runs before any script of each page; the page's CSP does not apply to it.
LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} ` +
    `at ${event.sourceFile}:${event.lineNumber} ${event.sample || ''}`
  );
});
"""


@pytest.fixture
def admin_page(open_page):
    page = open_page(DESKTOP)
    page.context.add_init_script(script=LISTEN_FOR_VIOLATIONS)
    page.refused = []
    page.on(
        "console", lambda message: page.refused.append(message.text) if "Refused to" in message.text else None
    )
    return page


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations") + page.refused


def visit(page, path: str, *, shot: str) -> None:
    page.goto(path)
    page.wait_for_load_state("load")
    screenshot(page, shot)


def test_the_admin_works_under_the_content_security_policy(admin_page, transactional_db):
    page = admin_page
    root = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    secret = give_authenticator(root)
    facility = FacilityFactory(name="Kita Ahorn", slug="kita-ahorn")
    application = ApplicationFactory(child__first_name="Mia", status=ApplicationStatus.WAITING)
    WishFactory(application=application, facility=facility)

    sign_in(page, root.email, totp_secret=secret)
    found = {}

    visit(page, "/admin/", shot="admin-index")
    assert page.locator("#content").count() == 1
    assert "Portaleinstellungen" in page.locator("#content").inner_text()
    found["index"] = violations(page)

    visit(page, "/admin/childcare/application/?status__exact=waiting", shot="admin-changelist")
    assert page.locator("#changelist-filter").is_visible()
    page.locator("#searchbar").fill("Mia")
    with page.expect_navigation():
        page.locator("#searchbar").press("Enter")
    assert page.locator("#result_list tbody tr").count() == 1
    # Selecting rows for an action is the admin's actions.js.
    page.locator("#action-toggle").check()
    found["changelist"] = violations(page)

    visit(page, f"/admin/childcare/application/{application.pk}/change/", shot="admin-change-form")
    date_field = page.locator("#id_desired_start_date")
    assert date_field.is_visible()
    # DateTimeShortcuts adds "Today" and a calendar button next to each date field.
    page.locator(".datetimeshortcuts a").first.click()
    assert date_field.input_value()
    page.locator(".datetimeshortcuts .date-icon").first.click()
    assert page.locator(".calendarbox").first.is_visible()
    page.keyboard.press("Escape")
    page.locator("select").first.select_option(index=1)
    # Another inline row comes from the admin's inlines.js.
    add_row = page.locator(".add-row a").first
    if add_row.count():
        add_row.click()
    found["change form"] = violations(page)

    assert found == {"index": [], "changelist": [], "change form": []}
    # Control: the policy is in force on the admin and the listener hears it.
    page.evaluate("document.body.append(Object.assign(document.createElement('script'), {text: '1'}))")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert "script-src" in violations(page)[0]
