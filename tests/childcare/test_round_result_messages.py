"""A round's result messages, rendered once per variant and filled in per family, equal the ordinary ones."""

import datetime

import pytest
from django.utils import timezone

from childcare.admissions import messages as admissions_messages
from childcare.allocation import result_messages
from childcare.allocation.result_messages import Family
from childcare.models import Application, OfferStatus
from portal.models import PortalSettings
from tests.factories import (
    ApplicationFactory,
    ChildFactory,
    FacilityFactory,
    GuardianshipFactory,
    OfferFactory,
    UserFactory,
    WishFactory,
)

pytestmark = pytest.mark.django_db
FIELDS = ("recipient_id", "to_email", "language", "subject", "body_text", "body_html", "dedupe_key", "about")
EXPIRES = timezone.now() + datetime.timedelta(days=14)


def family(name: str, *, facility_name: str | None = None, languages=("de",)) -> Family:
    application = ApplicationFactory(child=ChildFactory(first_name=name))
    for language in languages:
        GuardianshipFactory(user=UserFactory(language=language), child=application.child)
    application = (
        Application.objects.select_related("child")
        .prefetch_related("child__guardians")
        .get(pk=application.pk)
    )
    if facility_name is None:
        return Family(application)
    facility = FacilityFactory(name=facility_name)
    offer = OfferFactory(
        application=application,
        wish=WishFactory(application=application, facility=facility),
        expires_at=EXPIRES,
        status=OfferStatus.OPEN,
    )
    return Family(application, offer, facility)


def ordinary(families: list[Family]) -> list:
    portal_settings = PortalSettings.load()
    return [
        message
        for f in families
        for message in admissions_messages.guardian_messages(
            application=f.application,
            kind="allocation_result",
            key=result_messages.result_key(round_id=7, application_id=f.application.pk),
            context={"facility": f.facility, "offer": f.offer},
            portal_settings=portal_settings,
        )
    ]


def filled(families: list[Family]) -> list:
    return result_messages.result_messages(
        round_id=7, families=families, expires_at=EXPIRES, portal_settings=PortalSettings.load()
    )


def as_rows(messages) -> list[tuple]:
    return sorted(tuple(getattr(m, f) for f in FIELDS) for m in messages)


def town() -> list[Family]:
    return [
        family("Ada", facility_name="Kita Sonnenblume", languages=("de", "en")),
        family("Zoë <b>&amp;</b> 'Ö'", facility_name='Kita "Kleine & Große" <Strolche>'),
        family("Emil", languages=("en",)),
        family("Mia & Ben"),
        family("Lotte", facility_name="Kita Regenbogen", languages=("en",)),
    ]


def test_filled_messages_equal_the_ordinary_rendering_in_every_language_and_outcome():
    families = town()
    assert as_rows(filled(families)) == as_rows(ordinary(families))
    assert len(filled(families)) == 6


def test_each_variant_is_rendered_twice_whatever_the_number_of_families(monkeypatch):
    families = town()
    calls = []
    real = result_messages.build_message

    def counting(**kwargs):
        calls.append(kwargs["recipient"].language)
        return real(**kwargs)

    monkeypatch.setattr(result_messages, "build_message", counting)
    monkeypatch.setattr(admissions_messages, "build_message", counting)
    filled(families)
    # (de, en) x (offered, not): a stand-in rendering each, and the check renders the first family
    # of each the ordinary way, all its guardians (Ada's two, for both of her variants)
    assert len(calls) == 4 + 2 + 2 + 1 + 1
    calls.clear()
    filled(families + [family(f"Kind {n}", facility_name=f"Kita {n}") for n in range(5)])
    assert len(calls) == 10


def test_a_variant_whose_filling_in_differs_from_the_rendering_is_rendered_the_ordinary_way(monkeypatch):
    # Without escaping, the HTML of a name with "<" differs from the template's: the check finds it.
    monkeypatch.setattr(result_messages, "escape", lambda value: value)
    families = [family("Zoë <b>", facility_name="Kita A"), family("Tom <i>", facility_name="Kita B")]
    messages = filled(families)
    assert as_rows(messages) == as_rows(ordinary(families))
    assert "Zoë &lt;b&gt;" in messages[0].body_html
