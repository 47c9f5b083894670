"""The OpenAPI document: valid 3.1, every answer typed, errors as problems, bodies by type, keys.

A client generated from it must build without a warning and read the real app's answers.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from helpers import round_held, talks_body
from openapi_spec_validator import validate

from api.app import create_app
from api.openapi import api_routes
from domain.catalogue import EVENT_TYPES
from store.settings import Settings

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
KINDS = ("talks", "delegations", "positions")
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def app() -> FastAPI:
    """The app as served (building its document opens no store)."""
    return create_app(Settings(load_demo_when_empty=False))


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    """The document the app serves at /openapi.json."""
    return app.openapi()


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def is_bare(model: Any) -> bool:
    """True for no model, or a dict (or list of dicts) that says nothing of its keys."""
    if model is None or model is Any or model is dict:
        return True
    origin, args = typing.get_origin(model), typing.get_args(model)
    if origin is dict:
        return True
    return origin is list and (not args or is_bare(args[0]))


def untyped_routes(app: FastAPI) -> list[str]:
    """Routes answering JSON without a model, or another media type without declaring it."""
    document = app.openapi()
    found = []
    for route in api_routes(app):
        for method in route.methods:
            label = f"{method} {route.path_format}"
            if route.status_code == 204 or route.path_format not in document["paths"]:
                continue  # no body at all, or a page outside the API document (/docs, /redoc)
            answers_json = getattr(route.response_class, "value", route.response_class)
            if answers_json is JSONResponse or issubclass(answers_json, JSONResponse):
                if is_bare(route.response_model):
                    found.append(label)
                continue
            ok = document["paths"][route.path_format][method.lower()]["responses"]
            content = ok[str(route.status_code or 200)].get("content", {})
            if not content or ("application/json" in content and len(content) == 1):
                found.append(label)
    return found


# Typed responses


def test_every_route_declares_a_typed_response_or_the_media_types_it_answers(
    app: FastAPI,
) -> None:
    documented = app.openapi()["paths"]
    routes = [f"{m} {r.path_format}" for r in api_routes(app) for m in r.methods]

    # every route of the app is walked, included routers too; /docs and /redoc are pages
    # outside the document
    assert len([r for r in routes if r.split(" ")[1] in documented]) == 41  # four more for actors
    assert {"GET /docs", "GET /redoc"} <= set(routes)
    assert untyped_routes(app) == []


def test_the_route_walk_finds_a_route_that_answers_a_bare_dict() -> None:
    bare = FastAPI()

    @bare.get("/bare", response_model=dict[str, Any])
    def read_bare() -> dict[str, Any]:
        return {}

    @bare.get("/rows", response_model=list[dict[str, Any]])
    def read_rows() -> list[dict[str, Any]]:
        return []

    @bare.get("/none")
    def read_none() -> Any:
        return None

    assert sorted(untyped_routes(bare)) == ["GET /bare", "GET /none", "GET /rows"]


def test_a_stream_read_is_described_by_its_kind_s_state(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]

    for kind, state in (("talks", "TalksState"), ("delegations", "DelegationState"),
                        ("positions", "PositionState")):  # fmt: skip
        ok = document["paths"][f"/{kind}/{{stream_id}}"]["get"]["responses"]["200"]
        assert ok["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{state}"
        }
        assert set(schemas[state]["required"]) == {"id", "version"}
        assert schemas[state]["additionalProperties"] is False
    assert "rounds" in schemas["TalksState"]["properties"]
    assert "heads" in schemas["DelegationState"]["properties"]
    assert "demands" in schemas["PositionState"]["properties"]


# A valid document


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1.")

    validate(document)  # raises on the first error


def test_the_live_stream_describes_each_event_without_an_openapi_3_2_keyword(
    document: dict[str, Any],
) -> None:
    media = document["paths"]["/events/stream"]["get"]["responses"]["200"]["content"]

    assert list(media) == ["text/event-stream"]
    assert "itemSchema" not in media["text/event-stream"]  # OpenAPI 3.2, not 3.1
    assert media["text/event-stream"]["schema"]["required"] == ["event", "id", "data"]


# Problems


def test_every_error_answer_of_every_route_is_a_problem_document(
    document: dict[str, Any],
) -> None:
    for method, path, operation in operations(document):
        errors = {s: r for s, r in operation["responses"].items() if s[0] in "45"}
        assert {"404", "422"} <= set(errors), f"{method} {path}"
        for status, response in errors.items():
            assert response["content"] == PROBLEM, f"{method} {path} {status}"
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status"} <= set(problem["required"])


# Event bodies


def _resolve(document: dict[str, Any], ref: str) -> dict[str, Any]:
    found: dict[str, Any] = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return found


def test_appended_bodies_are_a_union_discriminated_on_type_with_each_type_s_data(
    document: dict[str, Any],
) -> None:
    for kind in KINDS:
        # From the catalogue: every type of this kind or of any kind, except the creating one.
        expected = {
            t.name for t in EVENT_TYPES.values() if t.kind in (kind, "any") and not t.creates
        }
        body = document["paths"][f"/{kind}/{{stream_id}}/events"]["post"]["requestBody"]
        single, batch = body["content"]["application/json"]["schema"]["anyOf"]

        assert single["discriminator"]["propertyName"] == "type"
        assert set(single["discriminator"]["mapping"]) == expected
        for name, ref in single["discriminator"]["mapping"].items():
            variant = _resolve(document, ref)
            assert variant["properties"]["type"]["const"] == name
            assert variant["properties"]["data"] == {"$ref": f"#/components/schemas/{name}Data"}
        items = _resolve(document, batch["$ref"])["properties"]["events"]["items"]
        assert set(items["discriminator"]["mapping"]) == expected


def test_a_created_body_is_the_kind_s_creating_event_with_its_data(
    document: dict[str, Any],
) -> None:
    creating = {t.kind: t.name for t in EVENT_TYPES.values() if t.creates}

    for kind in KINDS:
        body = document["paths"][f"/{kind}"]["post"]["requestBody"]["content"]
        variant = _resolve(document, body["application/json"]["schema"]["$ref"])
        assert variant["properties"]["type"]["const"] == creating[kind]
        data = _resolve(document, variant["properties"]["data"]["$ref"])
        assert "party" in data["properties"] or "title" in data["properties"]
        assert data["additionalProperties"] is False


def test_a_round_s_data_is_described_with_its_own_fields(document: dict[str, Any]) -> None:
    data = document["components"]["schemas"]["RoundScheduledData"]

    # Issue 13: a round may be scheduled in a country when its city is not known.
    assert set(data["required"]) == {"number"}
    assert {"city", "country"} <= set(data["properties"])
    assert data["properties"]["number"]["type"] == "integer"


# Keys


def test_the_bearer_scheme_is_declared_with_the_key_s_form(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["bearer"]

    assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == (
        "http",
        "bearer",
        "nt_<id>_<secret>",
    )
    assert "NT_READS_REQUIRE_KEY" in scheme["description"]


def test_writes_and_admin_routes_require_the_key_and_reads_take_it_optionally(
    document: dict[str, Any],
) -> None:
    security = {f"{m} {p}": o.get("security") for m, p, o in operations(document)}
    required, optional = [{"bearer": []}], [{}, {"bearer": []}]

    for label in ("POST /talks", "POST /talks/{stream_id}/events", "POST /keys",
                  "GET /keys", "DELETE /keys/{key_id}", "POST /projections/{name}/rebuild"):  # fmt: skip
        assert security[label] == required, label
    for label in ("GET /talks/{stream_id}", "GET /events", "GET /timeline", "GET /projections"):
        assert security[label] == optional, label
    assert security["GET /healthz"] is None


def test_every_operation_documented_as_needing_a_key_refuses_a_request_without_one(
    document: dict[str, Any], anonymous: TestClient
) -> None:
    values = {"stream_id": str(uuid4()), "name": "timeline", "key_id": "k", "talks_id": uuid4()}
    needing = [(m, p) for m, p, o in operations(document) if o.get("security") == [{"bearer": []}]]

    # four creates, four appends (talks, delegations, positions, actors), a rebuild, three on
    # /keys, /me
    assert len(needing) == 13
    for method, path in needing:
        response = anonymous.request(method, path.format(**values), json={})
        assert response.status_code == 401, f"{method} {path}"
        assert response.headers["content-type"] == "application/problem+json"


# A generated client


@pytest.fixture(scope="module")
def generated(document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A client generated by openapi-python-client, imported; its output is kept for checks."""
    folder = tmp_path_factory.mktemp("client")
    (folder / "openapi.json").write_text(json.dumps(document))
    (folder / "config.yaml").write_text("post_hooks: []\n")  # no formatting: not under test
    result = subprocess.run(
        [str(BIN / "openapi-python-client"), "generate", "--path", "openapi.json",
         "--output-path", "nt_generated_client", "--meta", "none", "--config", "config.yaml"],
        cwd=folder, capture_output=True, text=True, check=False, timeout=600,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
    )  # fmt: skip
    sys.path.insert(0, str(folder))
    try:
        yield result, importlib.import_module("nt_generated_client")
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n.startswith("nt_generated_client")]:
            del sys.modules[name]


def test_a_client_generated_from_the_document_builds_without_a_single_warning(
    generated: Any,
) -> None:
    result, package = generated
    output = result.stdout + result.stderr

    assert result.returncode == 0, output
    assert "warning" not in output.lower(), output
    assert "error" not in output.lower(), output
    assert hasattr(package, "Client")


def test_the_generated_client_appends_and_reads_a_talks_as_typed_models(
    generated: Any, client: TestClient
) -> None:
    _, package = generated
    models = importlib.import_module("nt_generated_client.models")
    create = importlib.import_module("nt_generated_client.api.talks.create_talks_talks_post")
    append = importlib.import_module(
        "nt_generated_client.api.talks.append_talks_talks_stream_id_events_post"
    )
    read = importlib.import_module("nt_generated_client.api.talks.read_talks_talks_stream_id_get")
    api = package.Client(base_url=str(client.base_url))
    api.set_httpx_client(client)  # the real app, as an admin

    created = create.sync(
        client=api, body=models.TalksProposedCreate.from_dict(talks_body("Generated talks"))
    )
    appended = append.sync(
        client=api,
        stream_id=created.stream_id,
        body=models.RoundHeldAppend.from_dict(round_held(1)),
    )
    state = read.sync(client=api, stream_id=created.stream_id)
    missing = read.sync(client=api, stream_id=uuid4())

    assert isinstance(created, models.AppendOut)
    assert (created.version, appended.version) == (1, 2)
    assert isinstance(state, models.TalksState)
    assert state.title == "Generated talks"
    assert state.version == 2
    assert [(r.number, r.status) for r in state.rounds] == [(1, "held")]
    assert isinstance(missing, models.Problem)
    assert missing.status == 404


def test_the_diff_written_straight_to_json_is_documented_by_its_model(
    document: dict[str, Any],
) -> None:
    answer = document["paths"]["/talks/{talks_id}/diff"]["get"]["responses"]["200"]
    schema = answer["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/TalksDiff"}
