"""Journey (d): the application wizard with the keyboard alone (Tab, Shift+Tab, arrows, Space, Enter)."""

import datetime
from urllib.parse import urlsplit

import pytest

from childcare.admissions.children import add_child
from childcare.models import Application, ApplicationStatus
from tests.e2e.helpers import check, next_august, sign_in
from tests.e2e.journeys import child_birth_date
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

MAX_TABS = 80


def focused(page, selector: str) -> bool:
    return page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector)


def tab_to(page, selector: str) -> None:
    """Press Tab until the element matching ``selector`` has the focus; it must be visible then."""
    for _ in range(MAX_TABS):
        if focused(page, selector):
            assert page.evaluate("document.activeElement.checkVisibility()"), (
                f"{selector} is focused but hidden"
            )
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} not reached with {MAX_TABS} Tabs on {page.url}")


def press(page, selector: str, key: str = "Enter") -> None:
    tab_to(page, selector)
    page.keyboard.press(key)


def submit_with_enter(page, selector: str, path_end: str) -> None:
    """Enter on a button or link; the page that loads has a path ending in ``path_end``."""
    with page.expect_navigation(url=lambda url: urlsplit(url).path.endswith(path_end)):
        press(page, selector)


def choose_radio(page, name: str, value: str) -> None:
    """Tab into a radio group, then arrow through it to ``value`` and make sure it is checked."""
    tab_to(page, f"input[type=radio][name={name}]")
    count = page.locator(f"input[type=radio][name={name}]").count()
    for _ in range(count):
        if focused(page, f"input[name={name}][value='{value}']"):
            break
        page.keyboard.press("ArrowDown")
    assert focused(page, f"input[name={name}][value='{value}']")
    page.keyboard.press("Space")
    assert page.locator(f"input[name={name}][value='{value}']").is_checked()


def choose_option(page, selector: str, value: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Home")
    for _ in range(page.locator(f"{selector} option").count()):
        if page.locator(selector).input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    assert page.locator(selector).input_value() == value


def type_date(page, selector: str, day: datetime.date) -> None:
    """Type into a date field in the order the browser shows its parts (day first in German Chromium)."""
    tab_to(page, selector)
    for order in ("%d%m%Y", "%m%d%Y"):
        page.keyboard.type(day.strftime(order))
        if page.locator(selector).input_value() == day.isoformat():
            return
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
    raise AssertionError(f"could not type {day} into {selector}")


@pytest.fixture
def parent_with_child(town):
    parent = UserFactory(email="tastatur@example.org")
    add_child(by=parent, first_name="Zoë", last_name="Müller", birth_date=child_birth_date())
    return parent


def test_wizard_with_the_keyboard_alone(portal, parent_with_child, desktop):
    page = desktop
    sign_in(page, parent_with_child.email)
    page.goto("/antraege/neu/")
    check(page, label="keyboard-application-new")

    # The first Tab reaches the skip link; Enter jumps over the navigation into the content.
    page.keyboard.press("Tab")
    assert focused(page, "a.skip-link")
    page.keyboard.press("Enter")
    assert focused(page, "main") or page.url.endswith("#main")

    choose_radio(page, "child", page.locator("input[name=child]").first.get_attribute("value"))
    submit_with_enter(page, "main form [type=submit]", "/beginn/")
    check(page, label="keyboard-wizard-start")
    type_date(page, "input[name=desired_start_date]", next_august())
    choose_radio(page, "care_hours_per_week", "35")
    submit_with_enter(page, "main form [type=submit]", "/wuensche/")

    for slug in ("kita-ahorn", "kita-birke", "kita-eiche"):
        choose_option(page, "select[name=facility]", slug)
        submit_with_enter(page, "button[name=action][value=add]", "/wuensche/")
    # Rank Kita Eiche first: "Move up" twice, each time from the freshly loaded list.
    for _ in range(2):
        submit_with_enter(
            page, "main form:has(input[name=facility][value=kita-eiche]) button[value=up]", "/wuensche/"
        )
    assert page.locator("main ol.list-group li > span").all_inner_texts() == [
        "Kita Eiche",
        "Kita Ahorn",
        "Kita Birke",
    ]
    check(page, label="keyboard-wizard-wishes")
    submit_with_enter(page, "main a.btn-primary[href$='/kriterien/']", "/kriterien/")

    check(page, label="keyboard-wizard-criteria")
    choose_radio(page, "resides_in_municipality", "True")
    choose_radio(page, "guardians_working_or_training", "1")
    choose_radio(page, "single_parent", "True")
    choose_radio(page, "hardship_referral", "False")
    choose_radio(page, "integration_need", "False")
    # "Save and continue", not the proof's "Upload" button further down in the same form.
    submit_with_enter(page, "main form [type=submit]:not([formaction])", "/pruefen/")

    check(page, label="keyboard-wizard-review")
    press(page, "input[name=consent]", "Space")
    submit_with_enter(page, "main form [type=submit]", "/antraege/")
    check(page, label="keyboard-applications")

    application = Application.objects.get(child__first_name="Zoë")
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.single_parent
    assert application.hardship_referral is False
    assert application.integration_need is False
    assert application.guardians_working_or_training == 1
    assert [w.facility.slug for w in application.wishes.order_by("rank")] == [
        "kita-eiche",
        "kita-ahorn",
        "kita-birke",
    ]
