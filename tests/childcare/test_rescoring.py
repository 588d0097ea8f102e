"""Re-scoring after a policy change: queued by the admin, done in bounded batches by a job."""

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from childcare.admissions import points
from childcare.models import BackgroundJob, PriorityPolicy, Wish, WishStatus
from tests.conftest import with_second_factor
from tests.factories import ApplicationFactory, UserFactory, WishFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_office(db):
    return with_second_factor(UserFactory(is_staff=True, is_superuser=True, is_municipal_office=True))


def save_policy(client, **changes):
    policy = PriorityPolicy.load()
    data = {k: v for k, v in model_to_dict(policy).items() if v is not None and k not in ("id", "updated_by")}
    data.update(changes)
    return client.post(reverse("admin:childcare_prioritypolicy_change", args=[policy.pk]), data, follow=True)


def test_saving_the_policy_queues_a_rescoring_job_that_updates_the_points(
    client, admin_office, django_capture_on_commit_callbacks, in_english
):
    wishes = [WishFactory(application=ApplicationFactory(resides_in_municipality=True)) for _ in range(3)]
    points.recompute_points()
    client.force_login(admin_office)
    with django_capture_on_commit_callbacks() as queued:
        response = save_policy(client, residence_points=75)
    job = BackgroundJob.objects.get()
    assert (job.kind, job.status, job.requested_by) == (
        BackgroundJob.Kind.POLICY_RESCORING,
        BackgroundJob.Status.QUEUED,
        admin_office,
    )
    assert PriorityPolicy.load().updated_by == admin_office
    assert reverse("backoffice:job_progress", args=[job.public_id]) in response.text
    assert "are being recalculated" in response.text
    assert all(Wish.objects.get(pk=w.pk).points_explanation["residence"] == 30 for w in wishes)  # not yet

    for callback in queued:  # the task is queued once the policy is committed; eager here
        callback()
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE
    assert (job.done, job.total) == (3, 3)
    assert job.outcome == {"rescored": 3, "changed": 3}
    assert all(Wish.objects.get(pk=w.pk).points_explanation["residence"] == 75 for w in wishes)


def test_rescoring_walks_the_wishes_in_bounded_batches(monkeypatch, municipal_office):
    from childcare import tasks
    from childcare.admissions.rescoring import start_rescoring

    monkeypatch.setattr(points, "BATCH_SIZE", 3)
    wishes = [WishFactory(application=ApplicationFactory(resides_in_municipality=True)) for _ in range(10)]
    WishFactory(status=WishStatus.DECLINED)  # not listed: not rescored
    policy = PriorityPolicy.load()
    policy.residence_points = 44
    policy.save()
    job = start_rescoring(by=municipal_office)
    progress = []
    real_count = points.recompute_points

    def recording(**kwargs):
        on_batch = kwargs["on_batch"]

        def record(size):
            on_batch(size)
            progress.append(BackgroundJob.objects.get(pk=job.pk).done)

        return real_count(**{**kwargs, "on_batch": record})

    monkeypatch.setattr(points, "recompute_points", recording)
    with CaptureQueriesContext(connection) as queries:
        tasks.rescore_wishes(job.pk)
    assert progress == [3, 6, 9, 10]
    selects = [q["sql"] for q in queries if q["sql"].startswith('SELECT "childcare_wish"')]
    assert len(selects) == 4
    assert all("LIMIT 3" in sql for sql in selects)
    job.refresh_from_db()
    assert (job.status, job.total, job.outcome) == (
        BackgroundJob.Status.DONE,
        10,
        {"rescored": 10, "changed": 10},
    )
    assert {Wish.objects.get(pk=w.pk).points_explanation["residence"] for w in wishes} == {44}


def test_rescoring_twice_changes_nothing_the_second_time(municipal_office):
    from childcare import tasks
    from childcare.admissions.rescoring import start_rescoring

    WishFactory(application=ApplicationFactory(resides_in_municipality=True))
    job = start_rescoring(by=municipal_office)
    tasks.rescore_wishes(job.pk)
    BackgroundJob.objects.filter(pk=job.pk).update(status=BackgroundJob.Status.RUNNING)  # a redelivery
    tasks.rescore_wishes(job.pk)
    job.refresh_from_db()
    assert job.outcome == {"rescored": 1, "changed": 0}
    assert job.done == 1


def test_an_admin_outside_the_office_gets_no_link_to_the_office_only_progress_page(client, in_english):
    client.force_login(with_second_factor(UserFactory(is_staff=True, is_superuser=True)))
    response = save_policy(client, residence_points=31)
    job = BackgroundJob.objects.get()
    assert "are being recalculated" in response.text
    assert reverse("backoffice:job_progress", args=[job.public_id]) not in response.text
