import pytest
from django.template.loader import get_template

from notifications.kinds import KINDS, Audience
from notifications.rendering import render_message
from portal.models import PortalSettings
from tests.factories import UserFactory
from tests.notifications.conftest import CHILD_SURNAME

pytestmark = pytest.mark.django_db

EXPECTED_SUBJECTS = {
    "application_submitted": (
        "Ihr Antrag {ref} ist eingegangen – die Eingangsbestätigung liegt bei",
        "Application {ref} received – your receipt is attached",
    ),
    "application_edited": (
        "Ihr Antrag {ref} wurde geändert – bitte prüfen Sie die Angaben",
        "Your application {ref} has been changed – please check the details",
    ),
    "wish_rejected": (
        "Die Einrichtung Kita Sonnenblume & Co kann Ihren Antrag {ref} nicht berücksichtigen – "
        "Ihre übrigen Wünsche bleiben auf den Wartelisten",
        "Kita Sonnenblume & Co cannot consider application {ref} – "
        "your other wishes stay on the waiting lists",
    ),
    "offer_made": (
        "Platzangebot der Einrichtung Kita Sonnenblume & Co – bitte antworten Sie bis zum 15. März 2027",
        "Place offered at Kita Sonnenblume & Co – please answer by 15 March 2027",
    ),
    "offer_reminder": (
        "Erinnerung: Bitte antworten Sie bis zum 15. März 2027 auf das Platzangebot der Einrichtung "
        "Kita Sonnenblume & Co",
        "Reminder: please answer the offer from Kita Sonnenblume & Co by 15 March 2027",
    ),
    "offer_expired": (
        "Angebot der Einrichtung Kita Sonnenblume & Co abgelaufen – Ihre übrigen Wünsche bleiben auf den "
        "Wartelisten",
        "Offer from Kita Sonnenblume & Co expired – your other wishes stay on the waiting lists",
    ),
    "offer_accepted": (
        "Platz in der Einrichtung Kita Sonnenblume & Co bestätigt – Betreuungsbeginn am 2. August 2027",
        "Place at Kita Sonnenblume & Co confirmed – care starts on 2 August 2027",
    ),
    "placement_recorded": (
        "Platz in der Einrichtung Kita Sonnenblume & Co von ihr eingetragen – Betreuungsbeginn am "
        "2. August 2027",
        "Place at Kita Sonnenblume & Co recorded by the facility – care starts on 2 August 2027",
    ),
    "reconfirmation_request": (
        "Bitte bestätigen Sie Ihren Antrag {ref} bis zum 30. April 2027",
        "Please confirm your application {ref} by 30 April 2027",
    ),
    "application_expired": (
        "Ihr Antrag {ref} ist abgelaufen – Sie können neu beantragen",
        "Application {ref} has expired – you can apply again",
    ),
    "allocation_result": (
        "Platzvergabe: Platzangebot der Einrichtung Kita Sonnenblume & Co – bitte antworten Sie bis zum "
        "15. März 2027",
        "Allocation round: place offered at Kita Sonnenblume & Co – please answer by 15 March 2027",
    ),
    "offer_withdrawn": (
        "Kita Sonnenblume & Co hat das Platzangebot zurückgezogen – Sie müssen nicht antworten",
        "Kita Sonnenblume & Co has withdrawn its offer – you need not answer",
    ),
    "offer_declined": (
        "Sie haben den Platz in der Einrichtung Kita Sonnenblume & Co abgelehnt – "
        "Sie müssen nichts weiter tun",
        "You declined the place at Kita Sonnenblume & Co – nothing else to do",
    ),
    "application_withdrawn": (
        "Antrag {ref} zurückgezogen – Sie müssen nichts weiter tun",
        "Application {ref} withdrawn – nothing else to do",
    ),
    "application_closed": (
        "Antrag {ref} ist beendet – Sie können neu beantragen",
        "Application {ref} has ended – you can apply again",
    ),
    "staff_application_withdrawn": (
        "Antrag zurückgezogen: {ref} verlässt die Warteliste von Kita Sonnenblume & Co",
        "Application withdrawn: {ref} leaves the waiting list of Kita Sonnenblume & Co",
    ),
    "waitlist_position_improved": (
        "Warteliste der Einrichtung Kita Sonnenblume & Co: jetzt Platz 3 von 17",
        "Waiting list at Kita Sonnenblume & Co: now place 3 of 17",
    ),
    "staff_new_applications_digest": (
        "2 neue Anträge für Kita Sonnenblume & Co",
        "2 new applications for Kita Sonnenblume & Co",
    ),
    "staff_offer_answered": (
        "Angebot angenommen: Kita Sonnenblume & Co, Antrag {ref}",
        "Offer accepted: Kita Sonnenblume & Co, application {ref}",
    ),
    "guardian_invitation": (
        "{inviter} lädt Sie ein, den Kita-Antrag für Mia mitzuverwalten – bitte nehmen Sie die Einladung an",
        "{inviter} invites you to manage the daycare application for Mia – please accept the invitation",
    ),
}


def render_in(language, *, kind, context):
    """As notify() would: to a user in that language, or to an address for kinds meant for invitees."""
    if kind.audience == Audience.INVITEES:
        return render_message(kind=kind, language=language, context=context)
    return render_message(kind=kind, recipient=UserFactory(language=language), context=context)


def test_every_kind_has_subject_text_and_html_templates():
    assert set(EXPECTED_SUBJECTS) == set(KINDS)
    for name in KINDS:
        for part in ("subject.txt", "body.txt", "body.html"):
            get_template(f"notifications/{name}/{part}")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_renders_in_german_and_english(kind, case):
    reference = case["application"].reference
    german, english = (render_in(language, kind=KINDS[kind], context=case) for language in ("de", "en"))
    expected_de, expected_en = EXPECTED_SUBJECTS[kind]
    inviter = case["inviter"].display_name
    assert german.subject == "[Kita-Portal] " + expected_de.format(ref=reference, inviter=inviter)
    assert english.subject == "[Kita-Portal] " + expected_en.format(ref=reference, inviter=inviter)
    assert (german.language, english.language) == ("de", "en")
    assert german.body_text.startswith("Guten Tag,\n\n")
    assert english.body_text.startswith("Hello,\n\n")
    assert '<html lang="de">' in german.body_html
    assert '<html lang="en">' in english.body_html
    for rendered in (german, english):
        link = f"http://127.0.0.1:8000/antraege/{case['application'].public_id}/"
        assert link in rendered.body_text
        assert f'href="{link}"' in rendered.body_html
        assert "Kita-Portal" in rendered.body_text
        assert "Musterstadt" in rendered.body_text
        assert CHILD_SURNAME not in rendered.subject + rendered.body_text + rendered.body_html


def test_plain_text_is_not_html_escaped_but_html_is(case, parent):
    rendered = render_message(kind=KINDS["offer_made"], recipient=parent, context=case)
    assert "Kita Sonnenblume & Co bietet Mia einen Platz ab dem 2. August 2027 an" in rendered.body_text
    assert "&amp;" not in rendered.body_text
    assert "Kita Sonnenblume &amp; Co bietet Mia" in rendered.body_html
    assert "bis zum 15. März 2027, 18:00 Uhr, im Portal an" in rendered.body_text


def test_caller_text_cannot_inject_markup_into_the_html(case, parent):
    case = {**case, "reason": '<a href="https://evil.example">hier</a>'}
    rendered = render_message(kind=KINDS["wish_rejected"], recipient=parent, context=case)
    assert "&lt;a href=" in rendered.body_html
    assert '<a href="https://evil.example">' not in rendered.body_html
    assert 'Begründung der Einrichtung: <a href="https://evil.example">hier</a>' in rendered.body_text


def test_text_body_has_no_template_whitespace_debris(case, parent):
    rendered = render_message(kind=KINDS["wish_rejected"], recipient=parent, context={**case, "reason": ""})
    assert "\n\n\n" not in rendered.body_text
    assert not any(line != line.rstrip() for line in rendered.body_text.splitlines())
    assert "Begründung" not in rendered.body_text


def test_allocation_result_without_a_place_says_so(case, parent):
    rendered = render_message(
        kind=KINDS["allocation_result"], recipient=parent, context={**case, "facility": None}
    )
    assert rendered.subject.endswith(
        "Platzvergabe: diesmal kein Platz, Sie bleiben auf den Wartelisten – "
        f"Antrag {case['application'].reference}"
    )
    assert "konnte Mia diesmal leider kein Platz angeboten werden" in rendered.body_text
    assert "sobald wir einen Platz anbieten können" in rendered.body_text


def test_declined_offer_tells_staff_the_place_is_free_again(case, staff):
    rendered = render_message(
        kind=KINDS["staff_offer_answered"], recipient=staff, context={**case, "answer": "declined"}
    )
    assert rendered.subject.startswith("[Kita-Portal] Angebot abgelehnt:")
    assert "Der Platz ist wieder frei" in rendered.body_text


def test_digest_subject_uses_the_singular_for_one_application(case, staff):
    rendered = render_message(
        kind=KINDS["staff_new_applications_digest"], recipient=staff, context={**case, "count": 1}
    )
    assert rendered.subject == "[Kita-Portal] 1 neuer Antrag für Kita Sonnenblume & Co"


def test_missing_context_is_an_error_naming_what_is_missing(case, parent):
    context = {key: value for key, value in case.items() if key not in ("offer", "link")}
    with pytest.raises(ValueError, match="offer, link"):
        render_message(kind=KINDS["offer_made"], recipient=parent, context=context)


def test_unsupported_user_language_falls_back_to_german(case):
    rendered = render_message(
        kind=KINDS["application_submitted"], recipient=UserFactory(language="fr"), context=case
    )
    assert rendered.language == "de"
    assert "ist eingegangen" in rendered.subject


def test_portal_name_comes_from_the_portal_settings(case, parent):
    PortalSettings.objects.update_or_create(
        pk=1, defaults={"portal_name": "Kita-Navi", "municipality_name": "Beispielheim"}
    )
    rendered = render_message(kind=KINDS["application_submitted"], recipient=parent, context=case)
    assert rendered.subject.startswith("[Kita-Navi] ")
    assert "Ihr Team vom Kita-Navi, Beispielheim" in rendered.body_text


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_registered_kind_renders_with_only_the_context_it_declares(kind, case, settings):
    # A template that uses a name the kind does not declare shows the marker instead of failing quietly.
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "OPTIONS": {**settings.TEMPLATES[0]["OPTIONS"]}}]
    settings.TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = "UNDECLARED[%s]"
    notification_kind = KINDS[kind]
    context = {name: case[name] for name in notification_kind.context}
    german, english = (
        render_in(language, kind=notification_kind, context=context) for language in ("de", "en")
    )
    for rendered in (german, english):
        assert rendered.subject.strip() != "[Kita-Portal]"
        assert rendered.body_text.strip()
        assert rendered.body_html.strip()
        assert "UNDECLARED" not in rendered.subject + rendered.body_text + rendered.body_html
    assert german.subject != english.subject
