"""Rounds computed before their rows existed become rows: the same results; a job goes on after its last."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("childcare", "0016_facility_search_indexes")]
AFTER = [("childcare", "0017_allocation_rounds_as_rows")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_a_stored_round_becomes_rows_with_the_same_results():
    apps = migrate(BEFORE)
    provider = apps.get_model("childcare", "Provider").objects.create(name="Stadt", kind="municipal")
    Facility = apps.get_model("childcare", "Facility")
    facility = Facility.objects.create(
        provider=provider,
        type="kita",
        name="Kita A",
        slug="kita-a",
        street="Weg 1",
        postcode="63000",
        city="Musterstadt",
        district="Mitte",
        latitude=50,
        longitude=8.6,
        opens_at=datetime.time(7),
        closes_at=datetime.time(17),
    )
    Child = apps.get_model("childcare", "Child")
    Application = apps.get_model("childcare", "Application")
    Wish = apps.get_model("childcare", "Wish")
    applications = [
        Application.objects.create(
            child=Child.objects.create(first_name=name, last_name="M", birth_date=datetime.date(2023, 1, 1)),
            desired_start_date=datetime.date(2027, 8, 1),
            care_hours_per_week=35,
            reference=f"KP-M{number}",
        )
        for number, name in enumerate(("Ada", "Ben"))
    ]
    wishes = [
        Wish.objects.create(application=a, facility=facility, rank=1, age_band="ue3") for a in applications
    ]
    key = f"{facility.pk}:ue3"
    first, second = (str(a.pk) for a in applications)
    round_ = apps.get_model("childcare", "AllocationRound").objects.create(
        target_start_date=datetime.date(2027, 8, 1),
        status="publishing",
        snapshot={
            "preferences": {first: [key], second: [key]},
            "priorities": {key: [first, second]},
            "capacities": {key: 1},
            "wishes": {f"{first}|{key}": wishes[0].pk, f"{second}|{key}": wishes[1].pk},
        },
        results=[
            {
                "application": applications[0].pk,
                "program": key,
                "wish": wishes[0].pk,
                "rank_reached": 1,
                "best_position": [1, key],
            },
            {
                "application": applications[1].pk,
                "program": None,
                "wish": None,
                "rank_reached": None,
                "best_position": [2, key],
            },
        ],
        statistics={"applicants": 2, "matched": 1, "fill": {key: [1, 1]}, "blocking_pairs": 0},
    )
    job = apps.get_model("childcare", "BackgroundJob").objects.create(
        kind="round_publish", allocation_round=round_, total=2, done=1, outcome={"offers": 1}
    )

    apps = migrate(AFTER)
    program = apps.get_model("childcare", "RoundProgram").objects.get()
    assert (program.facility_id, program.age_band, program.seats, program.filled) == (
        facility.pk,
        "ue3",
        1,
        1,
    )
    rows = list(apps.get_model("childcare", "RoundApplicant").objects.order_by("pk"))
    assert [(r.application_id, r.program_id, r.wish_id, r.rank_reached) for r in rows] == [
        (applications[0].pk, program.pk, wishes[0].pk, 1),
        (applications[1].pk, None, None, None),
    ]
    assert [(r.best_position, r.best_program_id, r.wishes) for r in rows] == [
        (1, program.pk, [[program.pk, 1]]),
        (2, program.pk, [[program.pk, 2]]),
    ]
    stored = apps.get_model("childcare", "AllocationRound").objects.get()
    assert stored.statistics == {"applicants": 2, "matched": 1, "blocking_pairs": 0, "programs": 1}
    # The job had done the first result: it goes on after that row.
    assert apps.get_model("childcare", "BackgroundJob").objects.get(pk=job.pk).outcome == {
        "offers": 1,
        "cursor": rows[0].pk,
    }
