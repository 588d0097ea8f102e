"""The page's frame (portal/page_frame.py) is kept per kind of visitor; each request fills in its own
CSRF token, address, e-mail and unread count, escaped, and never another visitor's."""

import re

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.test import Client, RequestFactory
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from notifications.models import OutboxMessage
from portal import page_frame
from portal.models import PortalSettings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def csrf_tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))


def unread(user, count: int) -> None:
    for n in range(count):
        OutboxMessage.objects.create(
            recipient=user,
            to_email=user.email,
            kind="application_submitted",
            language="de",
            subject=f"Betreff {n}",
            body_text="Text",
            dedupe_key=f"{user.pk}-{n}",
            status=OutboxMessage.Status.SENT,
            sent_at=timezone.now(),
        )


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_two_parents_of_the_same_kind_each_see_their_own_slots():
    first = UserFactory(email="erste@example.org")
    second = UserFactory(email='zweite"<b>@example.org')
    unread(first, 3)
    first_client, second_client = signed_in(first), signed_in(second)

    first_html = first_client.get(reverse("home")).text
    second_html = second_client.get(reverse("home")).text

    assert "erste@example.org" in first_html
    assert "zweite" not in first_html
    assert "zweite&quot;&lt;b&gt;@example.org" in second_html
    assert "erste@" not in second_html
    assert "<b>@" not in second_html
    assert '>3<span class="visually-hidden"> ungelesen</span>' in first_html
    assert "ungelesen" not in second_html  # no badge without unread messages
    assert page_frame.EMAIL not in second_html
    assert page_frame.UNREAD not in first_html
    first_tokens, second_tokens = csrf_tokens(first_html), csrf_tokens(second_html)
    assert len(first_tokens) == 1
    assert len(second_tokens) == 1
    assert first_tokens != second_tokens


def test_the_kept_frames_forms_work_with_the_token_filled_in():
    parent = UserFactory()
    client = signed_in(parent)
    (token,) = csrf_tokens(client.get(reverse("home")).text)
    switched = client.post(
        reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert switched.status_code == 302
    assert client.cookies["django_language"].value == "en"
    signed_out = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert signed_out.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_language_switch_returns_to_this_page_escaped():
    client = Client()
    html = client.get(reverse("parents:facility_search") + '?q="><script>x</script>').text
    switcher = html[html.index('class="d-flex gap-1 align-items-center language-switcher"') :]
    next_value = re.search(r'name="next" value="([^"]*)"', switcher).group(1)
    assert "<script>" not in html
    assert next_value.startswith(reverse("parents:facility_search") + "?q=")
    assert page_frame.NEXT not in html
    assert page_frame.CSRF not in html


def test_the_frame_follows_the_language_and_a_renamed_portal():
    client = Client()
    assert ">Anmelden</a>" in client.get(reverse("home")).text
    client.cookies["django_language"] = "en"
    assert ">Sign in</a>" in client.get(reverse("home")).text
    portal = PortalSettings.load()
    portal.portal_name = "Kita-Finder"
    portal.save()
    assert 'fw-semibold" href="/">Kita-Finder <span' in client.get(reverse("home")).text


def test_the_badge_appears_when_the_first_message_arrives():
    parent = UserFactory()
    client = signed_in(parent)
    assert "ungelesen" not in client.get(reverse("home")).text
    unread(parent, 1)
    assert '>1<span class="visually-hidden"> ungelesen</span>' in client.get(reverse("home")).text


def test_an_office_frame_is_not_shown_to_a_parent():
    office = UserFactory(is_municipal_office=True, is_staff=True)
    session = signed_in(office).session
    session["staff_area"] = True
    session.save()
    parent_html = signed_in(UserFactory()).get(reverse("home")).text
    assert reverse("backoffice:planning_overview") not in parent_html
    assert reverse("admin:index") not in parent_html


# --- a whole page kept (page_frame.page) ---

TITLE = 'Titel <"&>'
CONTENT = mark_safe("<p>Inhalt mit kpframeslot7csrf im Text</p>")  # content is never searched for slots


def page_request(user, path: str = "/some/page/?q=%3Cb%3E"):
    request = RequestFactory().get(path)
    SessionMiddleware(lambda r: None).process_request(request)
    MessageMiddleware(lambda r: None).process_request(request)
    request.user = user
    request.session["staff_area"] = bool(getattr(user, "is_staff", False))
    return request


def kept_and_rendered(user, *, message: str = "") -> tuple[str, str]:
    """The same page through ``page_frame.page`` and through the template engine."""
    kept_request, rendered_request = page_request(user), page_request(user)
    token = get_token(kept_request)
    rendered_request.META["CSRF_COOKIE"] = kept_request.META["CSRF_COOKIE"]
    if message:
        messages.info(kept_request, message)
        messages.info(rendered_request, message)
    kept = page_frame.page(kept_request, title=TITLE, content=CONTENT, context={"csrf_token": token})
    rendered = render(
        rendered_request,
        page_frame.SHELL_TEMPLATE,
        {"title": TITLE, "content": CONTENT, "csrf_token": token},
    )
    return kept.content.decode(), rendered.content.decode()


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("who", ["anonymous", "parent", "staff"])
def test_a_kept_page_is_the_page_the_template_engine_writes(language, who):
    user = {
        "anonymous": lambda: AnonymousUser(),
        "parent": lambda: UserFactory(email='eltern"<i>@example.org'),
        "staff": lambda: UserFactory(email="leitung@example.org", is_staff=True),
    }[who]()
    if who == "parent":
        unread(user, 2)
    with translation.override(language):
        first, rendered = kept_and_rendered(user)  # rendered and kept
        rendered_templates = []
        record = lambda sender, template, **kwargs: rendered_templates.append(template.name)  # noqa: E731
        template_rendered.connect(record)
        try:
            again, rendered_again = kept_and_rendered(user)  # from the kept copy
        finally:
            template_rendered.disconnect(record)

    assert first == rendered
    assert again == rendered_again
    # The kept page ran no part of the frame's templates; the one rendered by hand did.
    assert rendered_templates.count("base.html") == 1
    assert page_frame.FILLED_TEMPLATE in rendered_templates
    assert "<title>Titel &lt;&quot;&amp;&gt; ·" in again
    assert "kpframeslot7csrf im Text" in again
    assert "?q=%3Cb%3E" in again
    assert "<b>" not in again
    for marker in (page_frame.TITLE, page_frame.CONTENT, page_frame.EMAIL, page_frame.UNREAD):
        assert marker not in again


def test_a_kept_page_shows_the_messages_waiting_for_it():
    parent = UserFactory()
    kept_and_rendered(parent)  # the page is kept

    kept, rendered = kept_and_rendered(parent, message="Das Angebot ist verschickt.")

    assert "Das Angebot ist verschickt." in kept
    assert kept == rendered
