"""The progress page of background jobs: the office follows, resumes; everyone else gets 404."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from childcare import tasks
from childcare.admissions.offers import default_deadline
from childcare.allocation import publishing, rounds
from childcare.models import AgeBand, AllocationRound, BackgroundJob, Offer
from tests.factories import ApplicationFactory, CapacityFactory, GuardianshipFactory, UserFactory, WishFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]
TARGET = timezone.localdate() + datetime.timedelta(days=120)
REFRESH = '<meta http-equiv="refresh" content="2">'


@pytest.fixture
def publish_job(municipal_office):
    """A computed round of three matched families whose publishing was started, not yet run."""
    capacity = CapacityFactory(age_band=AgeBand.THREE_TO_SCHOOL, places=3)
    for _ in range(3):
        application = ApplicationFactory(desired_start_date=TARGET)
        GuardianshipFactory(user=UserFactory(), child=application.child)
        WishFactory(application=application, facility=capacity.facility, age_band=AgeBand.THREE_TO_SCHOOL)
    round_ = rounds.compute_round(
        round=rounds.create_round(target_start_date=TARGET, by=municipal_office), by=municipal_office
    )
    return publishing.start_publishing(round=round_, by=municipal_office, expires_at=default_deadline())


def progress_url(job):
    return reverse("backoffice:job_progress", args=[job.public_id])


def resume_url(job):
    return reverse("backoffice:job_resume", args=[job.public_id])


def test_a_queued_job_refreshes_itself_and_the_finished_one_shows_its_outcome(
    client, municipal_office, publish_job
):
    client.force_login(municipal_office)
    response = client.get(progress_url(publish_job))
    assert response.status_code == 200
    assert REFRESH in response.text
    assert "Waiting to start" in response.text
    assert "0 of 3 done" in response.text

    tasks.publish_round(publish_job.pk)
    for _reload in range(2):  # the page reads the job's row: a reload shows the same
        response = client.get(progress_url(publish_job))
        assert REFRESH not in response.text
        assert "3 of 3 done (100 %)" in response.text
        assert "3 offers were made." in response.text
        assert "3 messages to families were written" in response.text
    round_url = reverse("backoffice:round_detail", args=[publish_job.allocation_round.public_id])
    assert round_url in response.text
    assert "Start again" not in response.text


def test_a_running_job_shows_done_of_total(client, municipal_office, publish_job):
    BackgroundJob.objects.filter(pk=publish_job.pk).update(status=BackgroundJob.Status.RUNNING, done=1)
    client.force_login(municipal_office)
    response = client.get(progress_url(publish_job))
    assert REFRESH in response.text
    assert "1 of 3 done (33 %)" in response.text
    assert '<progress class="w-100" max="3" value="1"' in response.text


def test_refused_matches_are_listed_with_their_reason(client, municipal_office, publish_job):
    first = publish_job.allocation_round.applicants.exclude(wish=None).order_by("pk").first()
    from childcare.models import Wish, WishStatus

    Wish.objects.filter(pk=first.wish_id).update(status=WishStatus.WITHDRAWN)
    tasks.publish_round(publish_job.pk)
    client.force_login(municipal_office)
    response = client.get(progress_url(publish_job))
    assert "2 offers were made." in response.text
    assert "1 match from the preview could not be published" in response.text
    reference = ApplicationFactory._meta.model.objects.get(pk=first.application_id).reference
    assert f"{reference}: the wish is no longer on the waitlist" in response.text


def test_a_failed_job_shows_the_error_what_to_do_and_can_be_resumed(
    client, municipal_office, publish_job, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(publishing, "open_offers_in_bulk", broken)
    with pytest.raises(RuntimeError):
        tasks.publish_round(publish_job.pk)
    client.force_login(municipal_office)
    response = client.get(progress_url(publish_job))
    assert REFRESH not in response.text
    assert "RuntimeError: database went away" in response.text
    assert "no family gets an offer or an e-mail twice" in response.text
    assert "Start again and continue" in response.text

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(resume_url(publish_job))
    response = client.get(progress_url(publish_job))
    assert "continues where it stopped" in response.text
    assert "3 offers were made." in response.text
    assert Offer.objects.count() == 3
    assert AllocationRound.objects.get().status == AllocationRound.Status.PUBLISHED
    response = client.post(resume_url(publish_job), follow=True)
    assert "nothing to resume" in response.text


def test_a_stalled_job_can_be_resumed(client, municipal_office, publish_job):
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    BackgroundJob.objects.filter(pk=publish_job.pk).update(status="running", progressed_at=long_ago)
    client.force_login(municipal_office)
    response = client.get(progress_url(publish_job))
    assert "has not made progress for a while" in response.text
    assert "Start again and continue" in response.text


def test_a_running_job_cannot_be_started_twice(client, municipal_office, publish_job):
    client.force_login(municipal_office)
    response = client.post(resume_url(publish_job), follow=True)
    assert "nothing to resume" in response.text
    assert BackgroundJob.objects.get().status == BackgroundJob.Status.QUEUED


def test_staff_parents_and_strangers_get_404(client, staff, parent, publish_job):
    for user in (staff, parent):
        client.force_login(user)
        assert client.get(progress_url(publish_job)).status_code == 404
        assert client.post(resume_url(publish_job)).status_code == 404
    client.logout()
    assert client.get(progress_url(publish_job)).url.startswith(reverse("account_login"))


def test_an_unknown_job_is_404(client, municipal_office, db):
    client.force_login(municipal_office)
    assert (
        client.get(
            reverse("backoffice:job_progress", args=["0" * 8 + "-0000-0000-0000-" + "0" * 12])
        ).status_code
        == 404
    )


def test_the_resume_page_answers_only_post(client, municipal_office, publish_job):
    client.force_login(municipal_office)
    assert client.get(resume_url(publish_job)).status_code == 405


def test_the_progress_page_of_a_rescoring_job(client, municipal_office):
    from childcare.admissions.rescoring import start_rescoring

    WishFactory()
    job = start_rescoring(by=municipal_office)
    tasks.rescore_wishes(job.pk)
    client.force_login(municipal_office)
    response = client.get(progress_url(job))
    assert "Re-scoring wishes after a policy change" in response.text
    assert "1 wish was re-scored; the points of" in response.text
