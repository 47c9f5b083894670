"""Every error as RFC 9457 problem details (application/problem+json), mapped in this one place."""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Route

from application.errors import (
    ApplicationError,
    BusyError,
    ConflictError,
    IdempotencyMismatchError,
    InvalidDataError,
    InvalidRequestError,
    NotFoundError,
    NotReadyError,
    PositionUnknownError,
    RebuildRunningError,
    ShuttingDownError,
    UnavailableError,
    ViewBehindError,
    error_entries,
)
from domain.errors import (
    ClosedStreamError,
    DomainError,
    DuplicateFactError,
    UnknownStreamError,
)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "urn:negotiation-timeline:problem:"
log = logging.getLogger("negotiation_timeline.api")


class Problem(BaseModel):
    """RFC 9457 problem details, with a JSON pointer or parameter naming what is wrong."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    pointer: str | None = None
    parameter: str | None = None
    errors: list[dict[str, Any]] | None = None


_EXPLAINED = {
    400: "Malformed JSON",
    401: "No API key, or not a valid one",
    403: "The key's role is not enough",
    404: "No such stream, view, or route",
    409: "The stream is not at the expected version, or min_position is beyond the log's head",
    413: "The body is larger than NT_MAX_BODY_BYTES",
    422: "Invalid input, with a pointer to the field",
    503: "Not ready, a view has not reached min_position in time, or too many waiting or "
    "expensive reads at once (see Retry-After)",
}
#: Every error any route may answer, documented once for the whole API.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "description": text,
        "content": {PROBLEM_JSON: {"schema": Problem.model_json_schema()}},
    }
    for status, text in _EXPLAINED.items()
}


class ProblemError(Exception):
    """An error the API answers with a problem document."""

    def __init__(self, status: int, slug: str, title: str, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.status, self.slug, self.title, self.detail = status, slug, title, detail
        self.extensions = extensions


def problem_response(
    request: Request,
    status: int,
    slug: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """A problem+json response for this request."""
    body = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **{key: value for key, value in extensions.items() if value is not None},
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def validation_errors(error: ValidationError | RequestValidationError) -> list[dict[str, Any]]:
    """Each validation error with a pointer into the body, or the parameter it concerns."""
    return error_entries(error.errors())


def _method_routes(
    routes: Iterable[BaseRoute],
) -> Iterator[tuple[re.Pattern[str], Collection[str]]]:
    """Each route's path pattern and methods, included routers' routes included.

    FastAPI may keep an included router as one route whose routes are its
    ``effective_route_contexts``, rather than flattening them into ``app.routes``.
    """
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            for context in contexts():
                if context.methods and context.path_regex is not None:
                    yield context.path_regex, context.methods
        elif isinstance(route, Route) and route.methods:
            yield route.path_regex, route.methods


def allowed_methods(request: Request, given: str | None = None) -> str | None:
    """A 405's Allow header: every method of every route whose path matches the request's.

    The router answers 405 from the first route whose path matches, so its own Allow lists
    that route's methods only (``GET /talks`` and ``POST /talks`` are two routes).
    """
    path: str = request.scope["path"]
    root: str = request.scope.get("root_path", "")
    if root and path.startswith(root + "/"):
        path = path[len(root) :]
    methods = {m.strip().upper() for m in (given or "").split(",") if m.strip()}
    for pattern, route_methods in _method_routes(request.app.routes):
        if pattern.match(path):
            methods.update(route_methods)
    return ", ".join(sorted(methods)) or None


def _domain_slug(error: DomainError) -> tuple[int, str, str]:
    if isinstance(error, DuplicateFactError):
        return 422, "duplicate-fact", "The fact is already recorded"
    if isinstance(error, ClosedStreamError):
        return 422, "closed-stream", "The stream accepts no more events"
    if isinstance(error, UnknownStreamError):
        return 422, "unknown-stream", "The event refers to an unknown stream"
    return 422, "invalid-event", "The event is invalid"


#: Each application error's status, problem type and title (the most specific class first).
_APPLICATION: tuple[tuple[type[ApplicationError], int, str, str], ...] = (
    (NotFoundError, 404, "not-found", "Not found"),
    (ConflictError, 409, "version-conflict", "The stream is not at the expected version"),
    (RebuildRunningError, 409, "rebuild-running", "Rebuild already running"),
    (IdempotencyMismatchError, 422, "idempotency-key-reused", "Idempotency-Key reused"),
    (InvalidRequestError, 422, "invalid-request", "The request is invalid"),
    (InvalidDataError, 422, "invalid-event", "The event is invalid"),
    (PositionUnknownError, 409, "position-unknown", "Position not in the log yet"),
    (BusyError, 503, "busy", "Too many such requests at once"),
    (ViewBehindError, 503, "view-behind", "The view has not caught up yet"),
    (ShuttingDownError, 503, "shutting-down", "Shutting down"),
    (NotReadyError, 503, "not-ready", "Not ready"),
    (UnavailableError, 503, "unavailable", "Unavailable"),
    (ApplicationError, 422, "invalid-request", "The request is invalid"),
)


def _application_problem(
    error: ApplicationError,
) -> tuple[int, str, str, dict[str, str] | None, dict[str, Any]]:
    """Status, type, title, headers and extensions of an application error's problem."""
    status, slug, title = next(
        (status, slug, title) for cls, status, slug, title in _APPLICATION if isinstance(error, cls)
    )
    headers: dict[str, str] | None = None
    extensions: dict[str, Any] = {"pointer": error.pointer, "parameter": error.parameter}
    if isinstance(error, InvalidDataError):
        title = error.title
        extensions["errors"] = error.errors
    if isinstance(error, ConflictError):
        headers = {"ETag": f'"{error.current_version}"'} if error.current_version else None
        extensions["current_version"] = error.current_version
    if isinstance(error, UnavailableError):
        headers = {"Retry-After": str(error.retry_after)}
    if isinstance(error, PositionUnknownError):
        extensions["head"] = error.head
    if isinstance(error, NotReadyError):
        extensions["views"] = error.views
    return status, slug, title, headers, extensions


def install(app: FastAPI) -> None:
    """Register the handlers that turn every exception into a problem document."""

    @app.exception_handler(ProblemError)
    async def on_problem(request: Request, error: ProblemError) -> JSONResponse:
        extensions = dict(error.extensions)
        headers = extensions.pop("headers", None)
        return problem_response(
            request,
            error.status,
            error.slug,
            error.title,
            error.detail,
            headers=headers,
            **extensions,
        )

    @app.exception_handler(DomainError)
    async def on_domain(request: Request, error: DomainError) -> JSONResponse:
        status, slug, title = _domain_slug(error)
        return problem_response(request, status, slug, title, error.message, pointer=error.pointer)

    @app.exception_handler(ApplicationError)
    async def on_application(request: Request, error: ApplicationError) -> JSONResponse:
        status, slug, title, headers, extensions = _application_problem(error)
        return problem_response(
            request, status, slug, title, error.message, headers=headers, **extensions
        )

    @app.exception_handler(RequestValidationError)
    async def on_invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        if any(item.get("type") == "json_invalid" for item in error.errors()):
            return problem_response(
                request, 400, "malformed-json", "Malformed JSON", "the body is not valid JSON"
            )
        errors = validation_errors(error)
        first = errors[0] if errors else {}
        return problem_response(
            request,
            422,
            "invalid-request",
            "The request is invalid",
            first.get("detail", "invalid request"),
            pointer=first.get("pointer"),
            parameter=first.get("parameter"),
            errors=errors,
        )

    @app.exception_handler(ValidationError)
    async def on_invalid_data(request: Request, error: ValidationError) -> JSONResponse:
        errors = validation_errors(error)
        return problem_response(
            request,
            422,
            "invalid-event",
            "The event is invalid",
            errors[0]["detail"],
            pointer=errors[0].get("pointer"),
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        slug = {404: "not-found", 405: "method-not-allowed"}.get(error.status_code, "http-error")
        headers = dict(error.headers or {})
        if error.status_code == 405:
            given = next((v for k, v in headers.items() if k.lower() == "allow"), None)
            headers = {k: v for k, v in headers.items() if k.lower() != "allow"}
            allow = allowed_methods(request, given)
            if allow is not None:
                headers["Allow"] = allow
        return problem_response(
            request,
            error.status_code,
            slug,
            str(error.detail),
            str(error.detail),
            headers=headers,
        )

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, _error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(
            request,
            500,
            "internal-error",
            "Internal error",
            "the server failed; the error is logged",
            errors=None,
        )
