"""Who is asking: API keys in ``Authorization: Bearer <key>``, and the role each route needs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import ComponentsDep
from api.problems import ProblemError
from application.access import ApiKey, KeyStore, Role, allows

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="negotiation-timeline"'}
#: The scheme as the OpenAPI document declares it; the key itself is read by ``_key`` (which
#: answers a problem document), so this one never refuses a request.
BEARER = HTTPBearer(
    scheme_name="bearer",
    bearerFormat="nt_<id>_<secret>",
    description="An API key (negotiation-timeline keys create, or POST /keys): writes need the "
    "editor role, rebuilds and /keys the admin role; reads are open unless NT_READS_REQUIRE_KEY "
    "is set, and then take a key of any role.",
    auto_error=False,
)


def _key(request: Request, keys: KeyStore) -> ApiKey | None:
    """The key the request presents; 401 for a malformed or unknown one."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    key = keys.check(token.strip()) if scheme.lower() == "bearer" else None
    if key is None:
        raise ProblemError(
            401, "unauthorized", "Unauthorized", "the API key is not valid (or was revoked)",
            headers=CHALLENGE,
        )  # fmt: skip
    return key


def require(role: Role) -> Callable[[Request, ComponentsDep], ApiKey]:
    """A dependency: the request's key, which must have at least ``role`` (401 or 403)."""

    def check(
        request: Request,
        components: ComponentsDep,
        _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)] = None,
    ) -> ApiKey:
        key = _key(request, KeyStore(components.application.database))
        if key is None:
            raise ProblemError(
                401, "unauthorized", "Unauthorized",
                f"this needs an API key with the {role} role: Authorization: Bearer <key>",
                headers=CHALLENGE,
            )  # fmt: skip
        if not allows(key.role, role):
            raise ProblemError(
                403, "forbidden", "Forbidden", f"this needs the {role} role; the key is {key.role}"
            )
        request.state.principal = key.principal
        return key

    return check


def reader(request: Request, components: ComponentsDep) -> ApiKey | None:
    """Reads: open by default; with NT_READS_REQUIRE_KEY, a key of any role."""
    if components.settings.reads_require_key:
        return require("reader")(request, components)
    return _key(request, KeyStore(components.application.database))


Editor = Annotated[ApiKey, Depends(require("editor"))]
Admin = Annotated[ApiKey, Depends(require("admin"))]
Reader = Depends(reader)
