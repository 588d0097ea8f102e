"""Journeys through the real pages, written once and driven in German and in English.

Locators use names, URLs and roles that do not change with the language; every page the journey
reaches is handed to ``on_page(page, name)`` (axe and a screenshot by default).
"""

import datetime
import re
from collections.abc import Callable
from pathlib import Path

from tests.e2e.helpers import PASSWORD, check, latest_mail, link_in, next_august, small_pdf

OnPage = Callable[[object, str], None]

# The Kitas of the ``town`` fixture the parent puts on the wish list, in this order: the two nearest
# to the centre of postcode 63000 from the results, the third from its own page.
NEAREST_FIRST = ["Kita Birke", "Kita Eiche", "Kita Ahorn", "Kita Weide"]
CHOSEN = NEAREST_FIRST[:3]


def slug(name: str) -> str:
    return name.lower().replace(" ", "-")


def default_on_page(page, name: str) -> None:
    check(page, shot=name)


def nav(page, href: str) -> None:
    """Follow a link of the main navigation; on a phone the menu has to be opened first."""
    toggler = page.locator("header button.navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.locator("#main-nav.show").wait_for()
    page.locator(f"#main-nav a[href='{href}']").click()
    page.wait_for_load_state()


def switch_language(page, code: str) -> None:
    toggler = page.locator("header button.navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.locator("#main-nav.show").wait_for()
    page.locator(f".language-switcher button[value='{code}']").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == code


def child_birth_date() -> datetime.date:
    """Just under two years old at the next daycare year: the U3 age band."""
    return next_august() - datetime.timedelta(days=700)


def sign_up(page, portal, *, email: str, on_page: OnPage) -> None:
    """Register on /konto/signup/ and confirm the address through the link in the real e-mail."""
    page.locator("main a[href='/konto/signup/']").first.click()
    page.wait_for_url("**/konto/signup/")
    on_page(page, "signup")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.locator("main form [type=submit]").click()
    page.wait_for_url("**/konto/confirm-email/")
    on_page(page, "signup-verification-sent")

    mail = latest_mail(portal.smtp, email)
    page.goto(link_in(mail, base_url=portal.url, path_pattern=r"^/konto/confirm-email/.+/$"))
    on_page(page, "signup-confirm-email")
    page.locator("main form [type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(f"header >> text={email}").count() == 1, "not signed in after confirming the e-mail"


def add_child(page, *, on_page: OnPage) -> None:
    nav(page, "/kinder/")
    on_page(page, "children-empty")
    page.locator("main a[href='/kinder/neu/']").click()
    on_page(page, "child-new")
    page.locator("input[name=first_name]").fill("Zoë")
    page.locator("input[name=last_name]").fill("Müller")
    page.locator("input[name=birth_date]").fill(child_birth_date().isoformat())
    page.locator("main form [type=submit]").click()
    page.wait_for_url("**/kinder/")
    assert "Zoë Müller" in page.locator("main").inner_text()
    on_page(page, "children")


def search_and_mark(page, *, on_page: OnPage) -> None:
    """Search U3 places with free places at the start near 63000 and put three Kitas on the wish list."""
    nav(page, "/einrichtungen/")
    on_page(page, "search-start")
    form = page.locator("#search-form")
    form.locator("input[name=birth_date]").fill(child_birth_date().isoformat())
    form.locator("input[name=start]").fill(next_august().isoformat())
    form.locator("input[name=free_at_start]").check()
    form.locator("input[name=near]").fill("63000")
    form.locator("select[name=sort]").select_option("distance")
    form.locator("[type=submit]").click()
    page.wait_for_url(re.compile(r"/einrichtungen/\?.*free_at_start=on"))
    results = page.locator("main .facility-card h3")
    assert results.all_inner_texts() == NEAREST_FIRST, (
        "the nearest U3 Kitas with free places first, and no Kindergarten for a child under three"
    )
    on_page(page, "search-results")

    for name in CHOSEN[:2]:
        page.locator(f"form[action='/einrichtungen/merken/{slug(name)}/'] [type=submit]").click()
        page.wait_for_load_state()
        assert page.locator(f"form[action='/einrichtungen/merken/{slug(name)}/entfernen/']").count() == 1
    assert "free_at_start=on" in page.url, "after marking, the parent is back on the same results"
    on_page(page, "search-wish-list")

    # The third one from its own page, as a parent reading the details would.
    page.locator("main .facility-card a", has_text=CHOSEN[2]).click()
    page.wait_for_url(f"**/einrichtungen/{slug(CHOSEN[2])}/")
    on_page(page, "facility")
    page.locator(f"form[action='/einrichtungen/merken/{slug(CHOSEN[2])}/'] [type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(f"form[action='/einrichtungen/merken/{slug(CHOSEN[2])}/entfernen/']").count() == 1


def start_application(page, *, on_page: OnPage) -> None:
    """From "My applications" to a draft with the start date, the care scope and the three wishes."""
    nav(page, "/antraege/")
    on_page(page, "applications-empty")
    page.locator("main a[href='/antraege/neu/']").click()
    page.wait_for_url("**/antraege/neu/")
    on_page(page, "application-new")
    page.get_by_label("Zoë Müller").check()
    page.locator("main form [type=submit]").click()
    page.wait_for_url("**/beginn/")
    on_page(page, "wizard-start")
    page.locator("input[name=desired_start_date]").fill(next_august().isoformat())
    page.locator("input[name=care_hours_per_week][value='35']").check()
    page.locator("main form [type=submit]").click()
    page.wait_for_url("**/wuensche/")
    on_page(page, "wizard-wishes-empty")
    page.locator("button[name=action][value=basket]").click()
    page.wait_for_load_state()
    chosen = page.locator("main ol.list-group li > span").all_inner_texts()
    assert chosen == CHOSEN, "the wish list becomes the wishes, in the order the facilities were marked"
    on_page(page, "wizard-wishes")


def answer_criteria(page, *, proof: Path, on_page: OnPage) -> None:
    page.locator("main a.btn-primary[href$='/kriterien/']").click()
    page.wait_for_url("**/kriterien/")
    on_page(page, "wizard-criteria")
    upload = page.locator("form[action$='/nachweise/']")
    upload.locator("select[name=criterion]").select_option("employment")
    upload.locator("input[name=file]").set_input_files(str(small_pdf(proof)))
    upload.locator("[type=submit]").click()
    page.wait_for_url("**/kriterien/")
    assert page.locator("main a[href^='/nachweise/']", has_text=proof.name).count() == 1
    on_page(page, "wizard-criteria-proof")
    answers = page.locator("main form[method=post]").first
    answers.locator("input[name=resides_in_municipality][value=True]").check()
    answers.locator("input[name=guardians_working_or_training][value='2']").check()
    answers.locator("[type=submit]").click()
    page.wait_for_url("**/pruefen/")


def submit(page, *, on_page: OnPage) -> None:
    on_page(page, "wizard-review")
    review = page.locator("main dl").inner_text()
    for name in CHOSEN:
        assert name in review
    page.locator("input[name=consent]").check()
    page.locator("main form [type=submit]").click()
    page.wait_for_url("**/antraege/")


def apply_as_new_parent(
    page, portal, *, email: str, proof: Path, language: str = "de", on_page: OnPage = default_on_page
) -> str:
    """Journey (a): from the home page to a submitted application. Returns its reference number.

    For another ``language`` than German the parent first switches with the language switcher.
    """
    page.goto("/")
    if language != "de":
        switch_language(page, language)
    on_page(page, "home" if language == "de" else f"home-{language}")
    sign_up(page, portal, email=email, on_page=on_page)
    add_child(page, on_page=on_page)
    search_and_mark(page, on_page=on_page)
    start_application(page, on_page=on_page)
    answer_criteria(page, proof=proof, on_page=on_page)
    submit(page, on_page=on_page)
    on_page(page, "applications")
    card = page.locator("main section.card").first
    reference = re.search(r"·\s*(\S+)", card.locator("h2").inner_text()).group(1)
    return reference


POSITION = re.compile(r"(Platz|Place) (\d+) (von|of) (\d+)")


def positions(page) -> dict[str, tuple[int, int]]:
    """Facility name -> (place, total) as "My applications" shows them."""
    shown = {}
    for item in page.locator("main section.card ol.list-group > li").all():
        name = item.locator("strong").first.inner_text()
        found = POSITION.search(item.inner_text())
        shown[name] = (int(found[2]), int(found[4])) if found else None
    return shown


# Words of the wizard and of "My applications" that must not be left in German on an English page.
GERMAN_WORDS = [
    "Antrag", "Anträge", "Antrags", "Wunsch", "Wünsche", "Kriterien", "Weiter", "Speichern", "Zurück",
    "Einrichtung", "Einrichtungen", "Warteliste", "Platz", "Plätze", "Kind", "Kinder", "Betreuung",
    "Betreuungsbeginn", "Betreuungsumfang", "Absenden", "Nachweis", "Nachweise", "Merkliste", "Prüfen",
    "Hochladen", "Entfernen", "Stunden", "Woche", "Ja", "Nein", "Meine", "Abmelden", "Postfach",
    "Wohnort", "Alleinerziehend", "Einwilligung", "eingereicht", "Entwurf", "Punkte", "Verlauf",
]  # fmt: skip
_GERMAN = re.compile(r"\b(" + "|".join(GERMAN_WORDS) + r")\b")


def german_words(page) -> list[str]:
    """German words from the list above that a reader sees on the page (the language switcher aside)."""
    text = page.evaluate(
        """() => {
          let text = document.body.innerText;
          for (const switcher of document.querySelectorAll('.language-switcher')) {
            text = text.replace(switcher.innerText, '');
          }
          return text;
        }"""
    )
    return sorted(set(_GERMAN.findall(text)))
