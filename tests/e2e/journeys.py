"""Journeys through the real pages, written once and driven in German and in English.

Locators use names, URLs and roles that do not change with the language; every page the journey
reaches is handed to ``on_page(page, name)`` (axe and a screenshot by default).
"""

import datetime
import re
from collections.abc import Callable
from pathlib import Path

from tests.e2e.helpers import (
    PASSWORD,
    check,
    download_pdf,
    latest_mail,
    link_in,
    next_august,
    pdf_text,
    small_pdf,
)

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
        page.locator(f"button[formaction='/einrichtungen/merken/{slug(name)}/']").click()
        page.wait_for_load_state()
        remove = f"button[formaction='/einrichtungen/merken/{slug(name)}/entfernen/']"
        assert page.locator(remove).count() == 1
    assert "free_at_start=on" in page.url, "after marking, the parent is back on the same results"
    on_page(page, "search-wish-list")

    # The third one from its own page, as a parent reading the details would.
    page.locator("main .facility-card a", has_text=CHOSEN[2]).click()
    page.wait_for_url(f"**/einrichtungen/{slug(CHOSEN[2])}/")
    on_page(page, "facility")
    page.locator(f"button[formaction='/einrichtungen/merken/{slug(CHOSEN[2])}/']").click()
    page.wait_for_load_state()
    remove = f"button[formaction='/einrichtungen/merken/{slug(CHOSEN[2])}/entfernen/']"
    assert page.locator(remove).count() == 1


def apply_from_wish_list(page, *, on_page: OnPage) -> None:
    """From the wish list ("Apply with these facilities") to a draft with the start date, the care scope
    and the three marked Kitas as its wishes, in the order they were marked."""
    page.locator("main a[href='/antraege/neu/?wishes=basket']").first.click()
    page.wait_for_url("**/antraege/neu/?wishes=basket")
    on_page(page, "application-new")
    page.get_by_label("Zoë Müller").check()
    page.locator("main form [type=submit]").click()
    page.wait_for_url(re.compile(r"/beginn/\?wishes=basket$"))
    on_page(page, "wizard-start")
    page.locator("input[name=desired_start_date]").fill(next_august().isoformat())
    page.locator("input[name=care_hours_per_week][value='35']").check()
    page.locator("main form [type=submit]").click()
    page.wait_for_url("**/wuensche/")
    chosen = page.locator("main ol.list-group li > span").all_inner_texts()
    assert chosen == CHOSEN, "the wish list becomes the wishes, in the order the facilities were marked"
    on_page(page, "wizard-wishes")


def answer(form, question: str, value: str) -> None:
    form.locator(f"input[name={question}][value='{value}']").check()


def answer_criteria(page, *, proof: Path, upload_button: bool, on_page: OnPage) -> None:
    """Answer every priority question and attach a proof, all in the one criteria form.

    With ``upload_button`` the proof goes up with "Upload" first (the answers given so far are kept),
    otherwise it is chosen and sent along with "Save and continue".
    """
    page.locator("main a.btn-primary[href$='/kriterien/']").click()
    page.wait_for_url("**/kriterien/")
    form = page.locator("main form[enctype='multipart/form-data']")
    chosen = form.locator("input[type=radio]:checked, input[type=checkbox]:checked")
    assert chosen.count() == 0, "nothing is answered for the parent: " + ", ".join(
        f"{e.get_attribute('name')}={e.get_attribute('value')}" for e in chosen.all()
    )
    on_page(page, "wizard-criteria")
    answer(form, "resides_in_municipality", "True")
    answer(form, "guardians_working_or_training", "2")
    form.locator("select[name=criterion]").select_option("employment")
    form.locator("input[name=file]").set_input_files(str(small_pdf(proof)))
    if upload_button:
        form.locator("button[formaction$='/nachweise/']").click()
        page.wait_for_url("**/kriterien/")
        assert page.locator("main a[href^='/nachweise/']", has_text=proof.name).count() == 1
        assert form.locator("input[name=resides_in_municipality][value=True]").is_checked(), (
            "the answers given before the upload are kept"
        )
        assert form.locator("input[name=guardians_working_or_training][value='2']").is_checked()
        on_page(page, "wizard-criteria-proof")
    answer(form, "single_parent", "False")
    answer(form, "hardship_referral", "False")
    answer(form, "integration_need", "False")
    form.locator("[type=submit]:not([formaction])").click()
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
    page,
    portal,
    *,
    email: str,
    proof: Path,
    language: str = "de",
    upload_button: bool = True,
    on_page: OnPage = default_on_page,
) -> str:
    """Journey (a): from the home page to a submitted application and its receipt. Returns the reference.

    For another ``language`` than German the parent first switches with the language switcher.
    """
    page.goto("/")
    if language != "de":
        switch_language(page, language)
    on_page(page, "home" if language == "de" else f"home-{language}")
    sign_up(page, portal, email=email, on_page=on_page)
    add_child(page, on_page=on_page)
    nav(page, "/antraege/")
    on_page(page, "applications-empty")
    search_and_mark(page, on_page=on_page)
    apply_from_wish_list(page, on_page=on_page)
    answer_criteria(page, proof=proof, upload_button=upload_button, on_page=on_page)
    submit(page, on_page=on_page)
    on_page(page, "applications")
    card = page.locator("main section.card").first
    reference = re.search(r"·\s*(\S+)", card.locator("h2").inner_text()).group(1)
    receipt = download_pdf(page, card.locator("a[href^='/dokumente/antrag/']"))
    assert reference in pdf_text(receipt), 'the receipt from "My applications" names the application'
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
