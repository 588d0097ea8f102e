"""Re-scoring after a policy change: queued by the admin, done in bounded batches by a job."""

import datetime

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from childcare.admissions import points
from childcare.models import (
    Application,
    ApplicationStatus,
    BackgroundJob,
    Guardianship,
    PriorityPolicy,
    Wish,
    WishStatus,
)
from tests.conftest import with_second_factor
from tests.factories import (
    ApplicationFactory,
    ChildFactory,
    FacilityFactory,
    GuardianshipFactory,
    PlacementFactory,
    UserFactory,
    WishFactory,
)

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


def test_each_batch_costs_the_same_few_queries_however_many_wishes_it_holds(monkeypatch, parent):
    monkeypatch.setattr(points, "BATCH_SIZE", 4)
    policy = PriorityPolicy.load()

    def rescored_after_a_policy_change(wishes: int) -> int:
        for _ in range(wishes):
            GuardianshipFactory(user=parent, child=(child := ChildFactory()))
            WishFactory(application=ApplicationFactory(child=child, resides_in_municipality=True))
        policy.residence_points += 1  # every wish changes: each batch writes
        policy.save()
        with CaptureQueriesContext(connection) as queries:
            points.recompute_points()
        return len(queries)

    # PostgreSQL: the batch's ids, one UPDATE. Elsewhere: wishes with applications and children,
    # guardians of applicants, their children, siblings' placements, one UPDATE.
    per_batch = 2 if connection.vendor == "postgresql" else 5
    two_batches = rescored_after_a_policy_change(8)
    four_batches = rescored_after_a_policy_change(8)
    # besides the batches: the policy and the empty look-up that ends the walk; on PostgreSQL
    # also reading, setting and restoring the statements' settings
    overhead = 5 if connection.vendor == "postgresql" else 2
    assert two_batches == 2 * per_batch + overhead
    assert four_batches == 4 * per_batch + overhead


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based scoring runs on PostgreSQL")
def test_the_set_based_scoring_gives_what_the_rule_gives_on_the_calendars_edges(parent):
    """Scored in SQL, then checked by the Python rule: it finds nothing to change."""
    today = datetime.date(2027, 3, 31)
    berlin_midnight = datetime.datetime(2026, 1, 31, 23, 30, tzinfo=datetime.UTC)  # 1 Feb in Berlin
    sister = ChildFactory()
    GuardianshipFactory(user=parent, child=sister)
    PlacementFactory(child=sister, facility=(sisters_facility := FacilityFactory()))
    cases = [
        # (birth date, desired start, submitted at, answers)
        (datetime.date(2024, 2, 29), datetime.date(2025, 2, 28), berlin_midnight, {}),
        (datetime.date(2024, 2, 29), datetime.date(2025, 3, 1), berlin_midnight, {"single_parent": True}),
        (datetime.date(2026, 3, 31), None, datetime.datetime(2027, 2, 28, 12, tzinfo=datetime.UTC), {}),
        (
            datetime.date(2025, 1, 1),
            datetime.date(2026, 1, 1),
            datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
            {"hardship_referral": True, "guardians_working_or_training": 2},
        ),
        (
            datetime.date(2026, 6, 1),
            datetime.date(2027, 8, 1),
            None,
            {
                "resides_in_municipality": None,
                "guardians_working_or_training": None,
                "single_parent": None,
                "hardship_referral": None,
                "status": ApplicationStatus.DRAFT,
            },
        ),
        (
            datetime.date(2025, 12, 31),
            datetime.date(2027, 8, 1),
            datetime.datetime(2027, 3, 31, 22, tzinfo=datetime.UTC),
            {"resides_in_municipality": False},
        ),
    ]
    for birth, start, submitted_at, answers in cases:
        child = ChildFactory(birth_date=birth)
        GuardianshipFactory(user=parent, child=child)
        application = ApplicationFactory(
            child=child, desired_start_date=start, submitted_at=submitted_at, **answers
        )
        WishFactory(application=application, facility=sisters_facility, rank=1, points=-1)
        WishFactory(application=application, rank=2, points=-1)
        Guardianship.objects.filter(child=child).delete()  # one child applying at a time
    GuardianshipFactory(user=parent, child=Application.objects.order_by("pk").first().child)
    policy = PriorityPolicy.load()
    policy.month_waited_points, policy.months_waited_cap = 2, 30
    policy.save()

    assert points.recompute_points(today=today) == Wish.objects.count()
    stored = list(Wish.objects.select_related("application__child"))
    assert points._rescored(stored, policy.as_points_policy(), today) == []
    assert Wish.objects.filter(sibling_at_facility=True).count() == 1
    assert len({wish.points for wish in stored}) > 5
