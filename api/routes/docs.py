"""/docs (Swagger UI) and /redoc (ReDoc) from assets in an installed wheel: they work offline.

The assets come from the ``fastapi-offline`` package; the pages are ours, so that they start the
viewers from files rather than inline scripts (the Content-Security-Policy allows none).
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
#: Swagger UI's and ReDoc's files, served under /static/docs.
ASSETS = Path(fastapi_offline.__file__).parent / "static"

_SWAGGER = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Negotiation Timeline · API</title>
  <link rel="stylesheet" href="/static/docs/swagger-ui.css">
  <link rel="icon" href="/static/docs/favicon.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/static/docs/swagger-ui-bundle.js"></script>
  <script src="/static/swagger-init.js"></script>
</body>
</html>
"""

_REDOC = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Negotiation Timeline · API</title>
  <link rel="icon" href="/static/docs/favicon.png">
</head>
<body>
  <redoc spec-url="/openapi.json"></redoc>
  <script src="/static/docs/redoc.standalone.js"></script>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse)
def read_docs() -> HTMLResponse:
    """Swagger UI for the OpenAPI document."""
    return HTMLResponse(_SWAGGER)


@router.get("/redoc", response_class=HTMLResponse)
def read_redoc() -> HTMLResponse:
    """ReDoc for the OpenAPI document."""
    return HTMLResponse(_REDOC)
