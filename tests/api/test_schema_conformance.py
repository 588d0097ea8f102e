"""Every API operation, as anonymous, parent, staff and office, against the OpenAPI schema.

Schemathesis generates requests from the schema (through the WSGI app, no server) and checks
that no answer is a 5xx and that every answer matches its documented status, content type and
body schema. Personas own real data, so their calls reach the code behind the 404s.
"""

import datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from childcare.models import AgeBand, AllocationRound
from tests.api.conftest import issue
from tests.factories import (
    ApplicationFactory,
    CapacityFactory,
    ChildFactory,
    GuardianshipFactory,
    OfferFactory,
    PlacementFactory,
    WishFactory,
)

# Ids of the personas' own objects, so generated calls also reach real data, not only 404s.
known_ids: dict[str, str] = {}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def personas(transactional_db, parent, staff, municipal_office, facility, monkeypatch):
    """Headers of the four audiences, each with data of their own."""
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "100000/minute")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "100000/minute")
    CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=5)
    child = ChildFactory()
    GuardianshipFactory(user=parent, child=child)
    application = ApplicationFactory(child=child)
    wish = WishFactory(application=application, facility=facility, points_explanation={"residence": 30})
    offer = OfferFactory(wish=wish)
    PlacementFactory(facility=facility)
    found = AllocationRound.objects.create(
        target_start_date=datetime.date(2027, 8, 1), statistics={"matched": 0}
    )
    known_ids.update(
        slug=facility.slug,
        applications=str(application.public_id),
        offers=str(offer.public_id),
        rounds=str(found.public_id),
    )
    return {
        "anonymous": {},
        "parent": {"Authorization": f"Bearer {issue(parent, 'write')}"},
        "staff": {"Authorization": f"Bearer {issue(staff, 'write')}"},
        "office": {"Authorization": f"Bearer {issue(municipal_office)}"},
    }


def with_known_ids(case) -> None:
    for name in case.path_parameters:
        if name == "slug":
            case.path_parameters[name] = known_ids["slug"]
        else:
            kind = next(kind for kind in ("applications", "offers", "rounds") if f"/{kind}/" in case.path)
            case.path_parameters[name] = known_ids[kind]


def test_every_operation_answers_as_documented(personas, live_server):
    # Against a live server over HTTP, as an integrator would call it. Operations are driven by
    # hand: schemathesis' pytest plugin does not run under pytest 9 yet.
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    failures, tried = {}, []
    for result in schema.get_all_operations():
        operation = result.ok()
        tried.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def run(case):
            for headers in personas.values():
                case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS)
                if case.path_parameters:
                    with_known_ids(case)
                    case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as error:  # collect them all, so one run names every broken operation
            failures[operation.label] = error
    assert len(tried) >= 16
    assert not failures, "\n\n".join(f"{label}: {error}" for label, error in failures.items())
