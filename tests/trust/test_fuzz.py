"""Every operation fuzzed with schemathesis, as an admin, on a store with the demo loaded.

Malformed input of any kind must get a documented answer (status, content type, schema,
headers), never a 5xx. Generation is seeded and derandomized, so a run is repeatable.

Checks: every check schemathesis runs by default, except

- ``not_a_server_error``, replaced by the same check that also accepts the one 5xx the API
  documents for well-formed input: 503 with Retry-After when a read's ``min_position`` is not
  reached in time (the fuzzer asks for positions far beyond the head);
- ``positive_data_acceptance``: the document cannot express the domain's rules (an event
  ``type`` must name one of 35 types, each with its own ``data``; dates are EDTF; ``from`` must
  not be after ``to``), so schema-valid bodies are rightly refused with a 422 and a pointer;
- ``negative_data_rejection``: unknown query parameters are ignored, as is usual.
"""

from __future__ import annotations

import json
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from helpers import assert_problem
from hypothesis import strategies as st
from schemathesis import CheckContext, Response
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
)

from api.app import create_app
from application.demo import DELEGATION_ID, POSITION_ID, TALKS_ID, load_demo
from application.service import TimelineService
from store.settings import Settings

SEED = 20250601
EXAMPLES_PER_OPERATION = 20
#: Server-Sent Events never end: read what comes within this many seconds (and, should the
#: answer not have started by then, within the longer bound).
LIVE_STREAMS = {"/events/stream"}
STREAM_READ_SECONDS = 0.25
STREAM_START_SECONDS = 5.0
REAL_VALUES = {
    "stream_id": [str(TALKS_ID), str(DELEGATION_ID), str(POSITION_ID)],
    "talks_id": [str(TALKS_ID)],
    "name": ["timeline", "talks_overview", "positions", "statements", "delegations"],
}
#: The one 5xx the API documents for well-formed input.
WAITED_FOR_A_POSITION = {
    "urn:negotiation-timeline:problem:view-behind",
    "urn:negotiation-timeline:problem:position-unknown",
}
EXCLUDED_CHECKS = [
    not_a_server_error,
    positive_data_acceptance,
    negative_data_rejection,
]


def not_a_server_error_but_a_documented_wait(
    ctx: CheckContext, response: Response, case: schemathesis.Case
) -> bool | None:
    """not_a_server_error, except a 503 with Retry-After for a min_position not reached."""
    if (
        response.status_code == 503
        and "min_position" in (case.query or {})
        and response.headers.get("retry-after")
        and json.loads(response.content).get("type") in WAITED_FOR_A_POSITION
    ):
        return True
    return not_a_server_error(ctx, response, case)


def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    """Either the generated path parameters or real ones (a demo stream, a view)."""
    if not path_parameters:
        return st.just(path_parameters)
    return st.fixed_dictionaries(
        {
            name: st.sampled_from([value, *REAL_VALUES.get(name, [])])
            for name, value in path_parameters.items()
        }
    )


def wait_for_rebuilds(app: FastAPI, timeout: float = 30.0) -> None:
    """Wait until no rebuild started over HTTP still runs.

    Schemathesis keeps each app's lifespan open until the process exits (closing it would stop
    the rebuild before its swap), while the test's store goes away when the case ends; the
    fuzzer starts rebuilds, so each case waits for them.
    """
    components = getattr(app.state, "components", None)
    if components is not None and not components.rebuilds.join(timeout):
        pytest.fail(f"rebuilds still running after {timeout} s: {components.rebuilds.running()}")


@pytest.fixture
def fuzzed_app(settings: Settings, service: TimelineService) -> FastAPI:
    """The real app on a store with the demo loaded; schemathesis enters its lifespan."""
    assert load_demo(service) > 0
    # A read that waits for a min_position gives up quickly: the fuzzer asks for far ones.
    return create_app(settings.model_copy(update={"read_wait_seconds": 0.1}))


# The document the app serves at /openapi.json (building it opens no store).
schema = schemathesis.openapi.from_dict(
    create_app(Settings(load_demo_when_empty=False)).openapi(),
    config=schemathesis.Config.from_dict(
        {"seed": SEED, "generation": {"mode": "all", "deterministic": True, "database": "none"}}
    ),
)
schema.hook(flatmap_path_parameters)


@pytest.mark.slow
@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_every_operation_answers_fuzzed_input_as_documented_and_never_with_a_5xx(
    case: schemathesis.Case, fuzzed_app: FastAPI, admin_token: str
) -> None:
    def call(**timeout: float) -> None:
        case.call_and_validate(
            app=fuzzed_app,
            headers={"Authorization": f"Bearer {admin_token}"},
            excluded_checks=EXCLUDED_CHECKS,
            additional_checks=[not_a_server_error_but_a_documented_wait],
            **timeout,
        )

    try:
        if case.operation.path not in LIVE_STREAMS:
            call()
            return
        try:
            call(timeout=STREAM_READ_SECONDS)
        except requests.exceptions.ReadTimeout:
            # The stream had not even started: give its start the time any answer gets.
            call(timeout=STREAM_START_SECONDS)
    finally:
        wait_for_rebuilds(fuzzed_app)


def test_the_fuzzed_document_has_every_operation_of_the_app() -> None:
    operations = [result.ok() for result in schema.get_all_operations()]

    assert len(operations) == len(
        [m for methods in create_app().openapi()["paths"].values() for m in methods]
    )
    assert {"POST /talks", "POST /keys", "GET /events"} <= {op.label for op in operations}


def test_the_document_gives_the_live_stream_as_text_event_stream() -> None:
    document = create_app(Settings(load_demo_when_empty=False)).openapi()

    ok = document["paths"]["/events/stream"]["get"]["responses"]["200"]

    assert list(ok["content"]) == ["text/event-stream"]
    assert ok["content"]["text/event-stream"]["itemSchema"]["required"] == ["event", "id", "data"]
    assert ok["description"]


# What the fuzzer found


@pytest.mark.parametrize(
    ("path", "methods"), [("/talks", {"GET", "POST"}), ("/keys", {"GET", "POST"})]
)
def test_a_405_lists_every_method_the_path_supports_in_allow(
    anonymous: TestClient, path: str, methods: set[str]
) -> None:
    response = anonymous.request("PATCH", path)

    assert_problem(response, 405)
    assert {m.strip() for m in response.headers["allow"].split(",")} >= methods


@pytest.mark.parametrize(
    "query",
    ["/talks?as_of=12", "/statements?as_of=0.5", "/timeline?to=12", "/timeline?from=1700000000"],
)
def test_a_time_parameter_given_as_a_bare_number_is_422(anonymous: TestClient, query: str) -> None:
    response = anonymous.get(query)

    assert_problem(response, 422)
