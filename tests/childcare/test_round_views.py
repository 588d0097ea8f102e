import datetime

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from childcare.allocation import rounds
from childcare.backoffice.exports import BOM
from childcare.models import AgeBand, AllocationRound, BackgroundJob, Offer, OfferStatus
from portal import fragments
from tests.factories import (
    ApplicationFactory,
    CapacityFactory,
    FacilityFactory,
    OfferFactory,
    PlacementFactory,
    WishFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]
TARGET = timezone.localdate() + datetime.timedelta(days=120)


@pytest.fixture
def town():
    facilities = [FacilityFactory() for _ in range(2)]
    for facility in facilities:
        CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=1)
    return facilities


def applicants(facilities, count):
    for number in range(count):
        application = ApplicationFactory(desired_start_date=TARGET)
        for rank, facility in enumerate(facilities, start=1):
            WishFactory(
                application=application,
                facility=facility,
                rank=rank,
                age_band=AgeBand.THREE_TO_SCHOOL,
                points=100 - number,
            )


@pytest.fixture
def computed_round(town, municipal_office):
    applicants(town, 3)
    round_ = rounds.create_round(target_start_date=TARGET, by=municipal_office)
    return rounds.compute_round(round=round_, by=municipal_office)


def round_urls(round_):
    return [
        reverse(f"backoffice:{name}", args=[round_.public_id])
        for name in ("round_detail", "round_compute", "round_publish", "round_results_csv")
    ]


def all_urls(round_):
    return [reverse("backoffice:round_list"), reverse("backoffice:placements_csv"), *round_urls(round_)]


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_the_office_creates_computes_previews_and_publishes_a_round(
    client, municipal_office, town, django_capture_on_commit_callbacks
):
    applicants(town, 3)
    client.force_login(municipal_office)

    response = client.post(
        reverse("backoffice:round_list"), {"target_start_date": TARGET.isoformat()}, follow=True
    )
    round_ = AllocationRound.objects.get()
    assert response.redirect_chain[-1][0] == reverse("backoffice:round_detail", args=[round_.public_id])
    assert round_.created_by == municipal_office

    detail, compute, publish, _csv = round_urls(round_)
    response = client.post(compute, follow=True)
    assert "2 of 3 children get a place" in messages_of(response)[0]
    assert "0 blocking pairs – stable" in response.text
    assert "No place" in response.text
    assert "Position 3 at" in response.text  # the unmatched child's best position
    assert response.context["statistics"]["matched"] == 2

    response = client.get(publish)
    assert response.context["form"].initial["answer_by"] > timezone.localdate()
    answer_by = timezone.localdate() + datetime.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(publish, {"answer_by": answer_by.isoformat()})
    job = BackgroundJob.objects.get()
    assert response.url == reverse("backoffice:job_progress", args=[job.public_id])
    response = client.get(response.url)
    assert "Publishing has started" in messages_of(response)[0]
    assert "3 of 3 done" in response.text
    assert "2 offers were made." in response.text
    offers = Offer.objects.filter(status=OfferStatus.OPEN)
    assert offers.count() == 2
    assert {timezone.localtime(offer.expires_at).date() for offer in offers} == {answer_by}
    round_.refresh_from_db()
    assert round_.status == AllocationRound.Status.PUBLISHED
    response = client.get(detail)
    assert "Recompute" not in response.text
    assert "Publish…" not in response.text
    assert reverse("backoffice:job_progress", args=[job.public_id]) in response.text

    response = client.post(compute, follow=True)
    assert "can no longer be recomputed" in messages_of(response)[0]
    response = client.post(publish, {"answer_by": answer_by.isoformat()}, follow=True)
    assert "This round has already been published." in messages_of(response)[0]
    assert Offer.objects.count() == 2


def test_a_past_or_garbage_target_date_is_refused_and_creates_nothing(client, municipal_office):
    client.force_login(municipal_office)
    response = client.post(
        reverse("backoffice:round_list"), {"target_start_date": timezone.localdate().isoformat()}
    )
    assert "The target start date must be in the future." in messages_of(response)
    response = client.post(reverse("backoffice:round_list"), {"target_start_date": "morgen"})
    assert response.context["form"].errors == {
        "target_start_date": ["Please enter a valid target start date."]
    }
    assert not AllocationRound.objects.exists()


def test_an_empty_target_date_gets_one_clear_message(client, municipal_office, in_english):
    client.force_login(municipal_office)
    response = client.post(reverse("backoffice:round_list"), {"target_start_date": ""})
    assert messages_of(response) == []
    assert response.context["form"].errors == {
        "target_start_date": ["Please enter a valid target start date."]
    }
    assert "This field is required." not in response.text
    assert not AllocationRound.objects.exists()


def test_a_past_deadline_publishes_nothing(client, municipal_office, computed_round):
    client.force_login(municipal_office)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        reverse("backoffice:round_publish", args=[computed_round.public_id]), {"answer_by": yesterday}
    )
    assert "The deadline must not be in the past." in response.text
    assert not Offer.objects.exists()
    computed_round.refresh_from_db()
    assert computed_round.status == AllocationRound.Status.COMPUTED


def test_staff_and_parents_get_404_everywhere(client, staff, parent, computed_round):
    for user in (staff, parent):
        client.force_login(user)
        for url in all_urls(computed_round):
            assert client.get(url).status_code == 404, url
            assert client.post(url).status_code == 404, url
    assert not Offer.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, computed_round):
    for url in all_urls(computed_round):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


def test_compute_answers_only_post(client, municipal_office, computed_round):
    client.force_login(municipal_office)
    assert client.get(reverse("backoffice:round_compute", args=[computed_round.public_id])).status_code == 405


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith(BOM)
    return [line.split(";") for line in text.removeprefix(BOM).splitlines()]


def test_results_csv_has_a_row_per_child_separated_by_semicolons(client, municipal_office, computed_round):
    client.force_login(municipal_office)
    rows = read_csv(client.get(reverse("backoffice:round_results_csv", args=[computed_round.public_id])))
    assert rows[0] == ["Reference number", "Child", "Result", "Wish rank reached", "Best position"]
    assert len(rows) == 4
    assert sum(row[2] == "No place" for row in rows[1:]) == 1


def test_placements_csv_lists_active_placements_with_their_application(client, municipal_office):
    offer = OfferFactory(status=OfferStatus.ACCEPTED)
    facility = offer.wish.facility
    PlacementFactory(child=offer.application.child, facility=facility, source_offer=offer)
    PlacementFactory(facility=facility, status="cancelled")
    client.force_login(municipal_office)
    rows = read_csv(client.get(reverse("backoffice:placements_csv")))
    assert len(rows) == 2
    assert rows[1][:4] == [
        offer.application.reference,
        offer.application.child.first_name,
        facility.name,
        facility.district,
    ]


def preview_queries(client, round_, *, kept: bool = False) -> int:
    """Queries of one preview request; unless ``kept``, without its sections kept rendered."""
    if not kept:
        caches["default"].clear()
        fragments.forget_local()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("backoffice:round_detail", args=[round_.public_id])).status_code == 200
    return len(queries)


def test_the_preview_needs_the_same_queries_for_5_and_60_applicants(client, municipal_office, town):
    client.force_login(municipal_office)
    applicants(town, 5)
    small = rounds.compute_round(
        round=rounds.create_round(target_start_date=TARGET, by=municipal_office), by=municipal_office
    )
    applicants(town, 55)
    large = rounds.compute_round(
        round=rounds.create_round(target_start_date=TARGET, by=municipal_office), by=municipal_office
    )
    assert large.statistics["applicants"] == 60
    preview_queries(client, small)  # the first request after logging in does some one-off work
    # the session with its user (and the inbox badge's count), the round (with its totals), the
    # page of programs with their facilities, the page of results with their applications,
    # children and programs, and the layout's portal settings
    assert preview_queries(client, small) == preview_queries(client, large) == 5
    # Asked again, the sections come kept: no page of programs or results.
    assert preview_queries(client, large, kept=True) == 3
    preview_queries(client, small)
    assert preview_queries(client, small, kept=True) == 3


def test_the_kept_preview_changes_with_a_new_computation(client, municipal_office, town):
    client.force_login(municipal_office)
    applicants(town, 3)
    round_ = rounds.compute_round(
        round=rounds.create_round(target_start_date=TARGET, by=municipal_office), by=municipal_office
    )
    url = reverse("backoffice:round_detail", args=[round_.public_id])
    assert client.get(url).context["round"].statistics["applicants"] == 3
    before = client.get(url).text
    applicants(town, 2)
    with time_machine.travel(datetime.timedelta(minutes=1)):
        rounds.compute_round(round=round_, by=municipal_office)
    after = client.get(url).text
    assert after != before
    assert after.count('<th scope="row">') == before.count('<th scope="row">') + 2


def test_every_result_row_shows_the_list_position_that_decided(
    client, municipal_office, town, computed_round
):
    client.force_login(municipal_office)
    html = client.get(reverse("backoffice:round_detail", args=[computed_round.public_id])).text
    first, second = town
    band = AgeBand.THREE_TO_SCHOOL.label
    assert f"Position 1 at {first.name} ({band})" in html  # matched on the first list, at its top
    assert f"Position 2 at {second.name} ({band})" in html  # matched on the second list
    assert "Position 3 at" in html  # unmatched: the closest miss


def test_the_publish_page_of_an_uncomputed_round_sends_back_instead_of_failing(client, municipal_office):
    round_ = AllocationRound.objects.create(
        target_start_date=timezone.localdate() + datetime.timedelta(days=200), created_by=municipal_office
    )
    client.force_login(municipal_office)
    response = client.get(reverse("backoffice:round_publish", args=[round_.public_id]))
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("backoffice:round_detail", args=[round_.public_id])


def test_the_places_per_facility_are_paged_by_facility_name(client, municipal_office, monkeypatch):
    from childcare.backoffice.views import rounds as views

    monkeypatch.setattr(views, "PROGRAMS_PER_PAGE", 1)
    later, earlier = FacilityFactory(name="Kita Zaunkönig"), FacilityFactory(name="Kita Amsel")
    for facility in (later, earlier):
        CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=1)
    applicants([later, earlier], 3)
    round_ = rounds.compute_round(
        round=rounds.create_round(target_start_date=TARGET, by=municipal_office), by=municipal_office
    )
    client.force_login(municipal_office)
    url = reverse("backoffice:round_detail", args=[round_.public_id])
    first = client.get(url).context
    assert [name for name, *_rest in first["fill"]] == ["Kita Amsel"]
    assert first["fill_next"] == "?programs=2#fill"
    second = client.get(url + "?programs=2").context
    assert [row[0] for row in second["fill"]] == ["Kita Zaunkönig"]
    assert second["fill"][0][2:] == (1, 1)  # matched / free places
    assert second["statistics"]["matched"] == 2
    assert second["statistics"]["unmatched"] == 1
    assert second["fill_previous"] == "?programs=1#fill"
