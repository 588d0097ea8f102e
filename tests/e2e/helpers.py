"""What the browser journeys share: accessibility checks, screenshots, sign-in, reading real e-mails."""

import datetime
import io
import json
import re
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from tests.integration.conftest import wait_for

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
AXE_JS = Path(settings.BASE_DIR) / "var" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
AXE_INSTALL = "npm install --prefix var/npm axe-core@4"
PASSWORD = "Sonnenblume-im-Garten-42"
FACTORY_PASSWORD = "correct horse battery"  # what tests.factories.UserFactory sets
BLOCKING_IMPACTS = ("critical", "serious")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}

# Every axe run of this session, for the summary written at the end (var/screenshots/axe-summary.json).
AXE_RUNS: list[dict] = []


def axe_source() -> str:
    if not AXE_JS.exists():
        raise FileNotFoundError(f"axe-core is missing at {AXE_JS}; install it with `{AXE_INSTALL}`")
    return AXE_JS.read_text()


_RUN_AXE = """async () => {
  const closed = [...document.querySelectorAll('details:not([open])')];
  closed.forEach((d) => { d.open = true; });
  try {
    return await axe.run(document, {resultTypes: ['violations']});
  } finally {
    closed.forEach((d) => { d.open = false; });
  }
}"""


def axe_check(page, *, label: str = "") -> list[dict]:
    """Run axe-core on the page as it is now; fail on any critical or serious violation.

    Closed ``<details>`` are opened for the check, so what hides behind them is checked too, and closed
    again afterwards. JavaScript errors raised by the page so far fail the check as well. There is no
    allow-list: every page is held to 0 critical and 0 serious findings. Returns all violations.
    """
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.axe !== 'undefined'"), "axe is added to every page by the context"
    violations = page.evaluate(_RUN_AXE)["violations"]
    path = urlsplit(page.url).path
    language = page.evaluate("document.documentElement.lang")
    viewport = page.viewport_size or {}
    counts = {impact: 0 for impact in ("critical", "serious", "moderate", "minor")}
    for violation in violations:
        counts[violation["impact"] or "minor"] += 1
    AXE_RUNS.append(
        {
            "page": label or path,
            "path": path,
            "language": language,
            "viewport": f"{viewport.get('width')}x{viewport.get('height')}",
            "counts": counts,
            "rules": sorted({f"{v['id']} ({v['impact']})" for v in violations}),
        }
    )
    blocking = [(v, v["nodes"]) for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe on {page.url} ({language}, {counts}):\n" + "\n".join(
        f"- {violation['id']} [{violation['impact']}] {violation['help']}: "
        + "; ".join(f"{' '.join(n['target'])} ({_summary(n)})" for n in nodes[:5])
        for violation, nodes in blocking
    )
    errors = getattr(page, "js_errors", [])
    assert not errors, f"JavaScript errors on {page.url}: {errors}"
    return violations


def _summary(node: dict) -> str:
    lines = (node.get("failureSummary") or "").strip().splitlines()
    return lines[-1].strip() if lines else ""


def write_axe_summary() -> None:
    if AXE_RUNS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / "axe-summary.json").write_text(json.dumps(AXE_RUNS, indent=1, ensure_ascii=False))


def screenshot(page, name: str) -> Path:
    """A full-page screenshot in var/screenshots/ (git-ignored), named after the journey step."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size or {}
    path = SCREENSHOTS / f"{name}-{viewport.get('width')}x{viewport.get('height')}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_fits(page) -> None:
    """Nothing sticks out sideways: the page is no wider than the window (390 px phone, 1280 px desktop)."""
    width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= window, f"{page.url} is {width} px wide in a {window} px window"


def check(page, *, shot: str = "", label: str = "") -> None:
    """The page the journey just arrived at: axe and the width always, a screenshot for the main pages."""
    axe_check(page, label=label or shot)
    assert_fits(page)
    if shot:
        screenshot(page, shot)


def give_authenticator(user) -> str:
    """Replace the user's authenticator app by one with a known secret; returns the secret.

    Staff and the municipal office must enter its code after the password (tests.factories gives
    staff an authenticator with a secret nobody knows).
    """
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    Authenticator.objects.filter(user=user).delete()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    """The code of the current 30-second window; near its end, the next window's (allauth accepts
    only the current one, so a code typed as the window rolls over would be refused)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if 30 - time.time() % 30 < 5:
        time.sleep(30 - time.time() % 30 + 0.2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(
    page, email: str, password: str = FACTORY_PASSWORD, *, here: bool = False, totp_secret: str = ""
) -> None:
    """Sign in through allauth's pages, as a person would (this also sets the staff-area flag).

    With ``here`` the page is already the sign-in form (a protected link sent the visitor there).
    Staff and the office give ``totp_secret`` (from ``give_authenticator``): after the password the
    portal asks for the authenticator code, and the journey types it.
    """
    if not here:
        page.goto("/konto/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("form").filter(has=page.locator("input[name=password]")).locator("[type=submit]").click()
    assert "/konto/login/" not in page.url, f"sign-in as {email} failed: {page.locator('main').inner_text()}"
    if totp_secret:
        assert urlsplit(page.url).path == "/konto/2fa/authenticate/", f"no code asked of {email}: {page.url}"
        check(page, label="second-factor")
        page.locator("input[name=code]").fill(totp_code(totp_secret))
        with page.expect_navigation():
            # The form's own button; "Cancel" in it belongs to the sign-out form (form="logout-from-stage").
            page.locator("form:has(input[name=code]) [type=submit]:not([form])").click()
        assert "/konto/2fa/" not in page.url, (
            f"the code of {email} was refused: {page.locator('main').inner_text()}"
        )
    else:
        assert "/konto/2fa/" not in page.url, f"{email} is asked for a second factor: {page.url}"


def download_pdf(page, link) -> bytes:
    """Fetch what ``link`` (a locator on the page) points at with the page's cookies; it must be a PDF."""
    href = link.get_attribute("href")
    response = page.context.request.get(href)
    assert response.status == 200, f"{href}: HTTP {response.status}"
    assert response.headers["content-type"] == "application/pdf", (
        f"{href}: {response.headers['content-type']}"
    )
    content = response.body()
    assert content.startswith(b"%PDF"), f"{href} is not a PDF: {content[:20]!r}"
    return content


# --- e-mails from the loopback SMTP server ---


def mails_to(smtp, address: str) -> list[EmailMessage]:
    """Every mail the loopback SMTP server accepted for ``address``, oldest first."""
    with smtp.lock:
        envelopes = [e for e in smtp.messages if address in e.rcpt_tos]
    return [message_from_bytes(envelope.content, policy=policy.default) for envelope in envelopes]


def latest_mail(smtp, address: str, *, subject: str = "", timeout: float = 30) -> EmailMessage:
    """The newest mail to ``address`` with ``subject`` in its subject; waits for the worker to send it."""

    def matching():
        return [m for m in mails_to(smtp, address) if subject.lower() in str(m["Subject"]).lower()]

    wait_for(matching, timeout=timeout)
    found = matching()
    subjects = [str(m["Subject"]) for m in mails_to(smtp, address)]
    assert found, f"no mail to {address} with {subject!r} in the subject within {timeout}s; got {subjects}"
    return found[-1]


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain", "html")).get_content()


def links_in(message: EmailMessage) -> list[str]:
    return re.findall(r"https?://[^\s<>\"')]+", text_of(message))


def link_in(message: EmailMessage, *, base_url: str, path_pattern: str = "") -> str:
    """The first link in the mail that points at the portal (``base_url``) and matches ``path_pattern``."""
    candidates = [url for url in links_in(message) if url.startswith(base_url)]
    matching = [url for url in candidates if re.search(path_pattern, urlsplit(url).path)]
    assert matching, (
        f"no link to {base_url} matching {path_pattern!r} in {message['Subject']!r}: {candidates}"
    )
    return matching[0]


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    assert content.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def pdf_attachments(message: EmailMessage) -> list[bytes]:
    return [
        part.get_content()
        for part in message.iter_attachments()
        if part.get_content_type() == "application/pdf"
    ]


# --- data: what other journeys left behind ---

# An answer to every priority question (none may stay open when an application is submitted).
EVERY_ANSWER = {
    "resides_in_municipality": True,
    "guardians_working_or_training": 2,
    "single_parent": False,
    "hardship_referral": False,
    "integration_need": False,
}


def submitted_application(*, parent, facilities, start: datetime.date | None = None, first_name="Mia"):
    """A child of ``parent`` with a submitted application for ``facilities`` (ranked), by the services."""
    from childcare.admissions import applications
    from childcare.admissions.children import add_child

    child = add_child(
        by=parent,
        first_name=first_name,
        last_name="Muster",
        birth_date=next_august() - datetime.timedelta(700),
    )
    application = applications.create_application(child=child, by=parent)
    applications.update_application(
        application=application,
        by=parent,
        desired_start_date=start or next_august(),
        care_hours_per_week=35,
        criteria=EVERY_ANSWER | {"consent_data_processing": True},
    )
    applications.set_wishes(application=application, by=parent, facilities=facilities)
    return applications.submit_application(application=application, by=parent)


# --- dates the forms accept ---


def next_august() -> datetime.date:
    """The start of the next daycare year, at least three weeks away."""
    today = timezone.localdate()
    start = datetime.date(today.year, 8, 1)
    return start if start > today + datetime.timedelta(days=21) else start.replace(year=today.year + 1)


def small_pdf(path: Path) -> Path:
    """A one-page PDF made by reportlab (a real PDF, so the content check of uploads accepts it)."""
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 720, "Arbeitgeberbescheinigung (Test)")
    pdf.save()
    return path
