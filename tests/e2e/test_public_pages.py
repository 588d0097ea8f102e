"""axe-core and the page width on every public page, in German and English, on a phone and on a desktop."""

import pytest

from tests.e2e.helpers import DESKTOP, PHONE, assert_fits, axe_check, screenshot
from tests.e2e.journeys import switch_language

pytestmark = pytest.mark.e2e

PUBLIC_PAGES = {
    "home": "/",
    "search": "/einrichtungen/",
    "facility": "/einrichtungen/kita-ahorn/",
    "imprint": "/impressum/",
    "privacy": "/datenschutz/",
    "login": "/konto/login/",
    "signup": "/konto/signup/",
}


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("language", ["de", "en"])
def test_public_pages_have_no_serious_accessibility_violations(open_page, town, device, language):
    page = open_page(device)
    page.goto("/")
    if language == "en":
        switch_language(page, "en")
    failures = []
    for name, path in PUBLIC_PAGES.items():
        page.goto(path)
        assert page.evaluate("document.documentElement.lang") == language
        try:
            axe_check(page, label=name)
            assert_fits(page)
        except AssertionError as failure:
            failures.append(str(failure))
        screenshot(page, f"public-{name}-{language}")
    assert not failures, "\n\n".join(failures)
