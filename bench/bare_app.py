"""A bare FastAPI app for the baseline: its endpoints do nothing.

``POST /noop`` is a plain ``def`` (run in the thread pool, as the service's routes are) that
answers a tiny JSON object without reading the body. Served by uvicorn with the same defaults as
``negotiation-timeline serve`` (no access log).
"""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/noop", status_code=201)
def noop() -> dict[str, int]:
    return {"version": 1}
