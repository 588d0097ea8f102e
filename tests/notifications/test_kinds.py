from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

import notifications
from notifications import kinds
from notifications.kinds import Audience, NotificationKind, UnknownNotificationKind, get_kind, register_kind


@pytest.fixture
def registry(monkeypatch):
    """A copy of the registry, so kinds registered by a test vanish with it."""
    monkeypatch.setattr(kinds, "KINDS", dict(kinds.KINDS))
    return kinds.KINDS


def parcel_kind(label="Parcel arrived"):
    return NotificationKind("parcel_arrived", label, Audience.PARENTS, ("parcel", "link"))


def test_a_registered_kind_is_found_by_name(registry):
    kind = register_kind(parcel_kind())
    assert get_kind("parcel_arrived") is kind
    assert kind in kinds.transactional_kinds(audiences={Audience.PARENTS})


def test_a_second_kind_with_the_same_name_is_refused(registry):
    first = register_kind(parcel_kind())
    with pytest.raises(ImproperlyConfigured, match="parcel_arrived"):
        register_kind(parcel_kind(label="Another parcel"))
    assert get_kind("parcel_arrived") is first


def test_registering_the_same_kind_again_changes_nothing(registry):
    kind = register_kind(parcel_kind())
    register_kind(kind)
    assert list(registry).count("parcel_arrived") == 1


def test_an_unknown_kind_fails_naming_it_and_how_to_register():
    with pytest.raises(UnknownNotificationKind, match="'parcel_teleported'.*register_kind"):
        get_kind("parcel_teleported")


def test_optional_kinds_are_listed_by_audience(registry):
    register_kind(NotificationKind("staff_tip", _("Tip"), Audience.STAFF, (), optional=True))
    assert "staff_tip" in {kind.name for kind in kinds.optional_kinds(audiences={Audience.STAFF})}
    assert "staff_tip" not in {kind.name for kind in kinds.optional_kinds(audiences={Audience.PARENTS})}


def test_the_apps_registered_their_kinds_when_ready():
    assert get_kind("offer_made").audience == Audience.PARENTS
    assert get_kind("waitlist_position_improved").optional


def test_notifications_code_names_none_of_the_kinds_other_apps_register():
    """Kinds belong to the app that sends them; notifications only delivers."""
    package = Path(notifications.__file__).parent
    sources = {path: path.read_text() for path in package.rglob("*.py")}
    assert len(sources) > 10
    mentions = [
        f"{path.relative_to(package)}: {name}"
        for name in kinds.KINDS
        for path, text in sources.items()
        if name in text
    ]
    assert mentions == []
