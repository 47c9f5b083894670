"""The OpenAPI 3.1 document, finished where FastAPI's own cannot say enough.

- Every error answer is ``application/problem+json`` with the one Problem schema.
- Event bodies are unions discriminated on ``type`` (api/event_bodies.py).
- Reads say the bearer key is optional (writes and admin routes require it; api/auth.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api import auth
from api.event_bodies import REF, append_body, create_body, schema_of
from api.problems import PROBLEM_JSON, Problem

KINDS = ("talks", "delegations", "positions")
Document = dict[str, Any]


def install(app: FastAPI) -> None:
    """Serve the finished document at /openapi.json (built once, on first request)."""
    built = app.openapi
    finished: Document | None = None

    def openapi() -> Document:
        nonlocal finished
        if finished is None:
            finished = finish(app, built())
        return finished

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented hook


def finish(app: FastAPI, document: Document) -> Document:
    """The document with problems, event-body unions and optional security on reads."""
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    _problems(document, schemas)
    _event_bodies(document, schemas)
    _optional_key_on_reads(app, document)
    return document


def _operations(document: Document) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            yield path, method, operation


def _problems(document: Document, schemas: dict[str, Any]) -> None:
    """Every 4xx and 5xx answer as problem+json, one shared schema (clients keep the errors)."""
    problem = Problem.model_json_schema(ref_template=REF)
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    content = {PROBLEM_JSON: {"schema": {"$ref": REF.format(model="Problem")}}}
    for _, _, operation in _operations(document):
        for status, response in operation.get("responses", {}).items():
            if status[0] in "45" or status == "default":
                response["content"] = content


def _event_bodies(document: Document, schemas: dict[str, Any]) -> None:
    """The create and append bodies of each kind as unions discriminated on ``type``."""
    paths = document["paths"]
    for kind in KINDS:
        for path, body in ((f"/{kind}", create_body(kind)),
                           (f"/{kind}/{{stream_id}}/events", append_body(kind))):  # fmt: skip
            schema, definitions = schema_of(body)
            schemas.update(definitions)
            content = paths[path]["post"]["requestBody"]["content"]
            content["application/json"]["schema"] = schema


def api_routes(app: FastAPI) -> Iterator[Any]:
    """Each API route as served: its path, methods, dependant, response model and class.

    FastAPI may keep an included router as one route whose routes, with the router's prefix
    and dependencies applied, are its ``effective_route_contexts`` (see api/problems.py).
    """
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            yield from (c for c in contexts() if isinstance(c.original_route, APIRoute))
        elif isinstance(route, APIRoute):
            yield route


def _calls(dependant: Dependant | None) -> Iterator[Callable[..., Any]]:
    if dependant is None:
        return
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def _optional_key_on_reads(app: FastAPI, document: Document) -> None:
    """Reads take a key but need none (unless NT_READS_REQUIRE_KEY): ``[{}, bearer]``."""
    optional: list[dict[str, list[str]]] = [{}, {auth.BEARER.scheme_name: []}]
    schemes = document["components"].setdefault("securitySchemes", {})
    schemes.setdefault(
        auth.BEARER.scheme_name, auth.BEARER.model.model_dump(by_alias=True, exclude_none=True)
    )
    for route in api_routes(app):
        if auth.reader not in set(_calls(route.dependant)):
            continue
        for method in route.methods or ():
            operation = document["paths"].get(route.path_format, {}).get(method.lower())
            if operation is not None and "security" not in operation:
                operation["security"] = optional
