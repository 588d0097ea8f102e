"""Each process keeps the settings row a few seconds: pages read it without a query; a save applies."""

import pytest
from django.db import transaction

from portal.models import PortalSettings

# Outside a test transaction, as in a request: rows read inside a transaction are not kept.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_second_read_costs_no_query_and_gives_an_own_copy(django_assert_num_queries):
    PortalSettings.load()
    with django_assert_num_queries(0):
        first, second = PortalSettings.load(), PortalSettings.load()
    assert first.max_wishes == second.max_wishes == 5
    first.max_wishes = 9
    assert PortalSettings.load().max_wishes == 5


def test_a_save_applies_at_once_in_this_process():
    settings = PortalSettings.load()
    settings.max_wishes = 3
    settings.save()
    assert PortalSettings.load().max_wishes == 3


def test_a_change_from_another_process_applies_once_the_copy_expires(monkeypatch):
    assert PortalSettings.load().max_wishes == 5
    PortalSettings.objects.filter(pk=1).update(max_wishes=4)  # as another process's save looks here
    assert PortalSettings.load().max_wishes == 5
    clock = PortalSettings._cached[0]
    monkeypatch.setattr("portal.models.time.monotonic", lambda: clock + PortalSettings.CACHE_SECONDS)
    assert PortalSettings.load().max_wishes == 4


def test_a_row_read_inside_a_transaction_that_rolls_back_is_not_kept():
    PortalSettings.load()
    with pytest.raises(RuntimeError), transaction.atomic():
        settings = PortalSettings.load()
        settings.max_wishes = 2
        settings.save()
        assert PortalSettings.load().max_wishes == 2
        raise RuntimeError("rolled back")
    assert PortalSettings.load().max_wishes == 5
