"""Large bodies written straight to JSON, the route's ``response_model`` still describing them
(FastAPI documents the model and answers a returned response as it is).

A diff of a long Talks lists tens of thousands of changes; validating them against the response
model took as long as computing them (0.7 s of 1.5 s for 27 MB), and the whole text in memory
at once was the larger part of the process's peak (a 711 MB answer: 1.07 GB). What the service
builds for such a route is checked against its model by the tests instead
(tests/api/test_large_bodies.py) and by the fuzzer on every answer; its lists are written a
slice at a time (``streamed``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import orjson
from fastapi.responses import StreamingResponse

#: Items of a list written at a time.
SLICE = 500


def dumps(content: Any) -> bytes:
    """JSON by orjson; by the standard library where orjson refuses a value (integers beyond
    64 bits)."""
    try:
        return orjson.dumps(content)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


def streamed(body: dict[str, Any]) -> StreamingResponse:
    """``body`` as JSON text, its lists written ``SLICE`` items at a time, so that only a slice's
    text is in memory at once (the same text as ``dumps(body)``)."""
    return StreamingResponse(chunks(body), media_type="application/json")


def chunks(body: dict[str, Any]) -> Iterator[bytes]:
    yield b"{"
    for number, (key, value) in enumerate(body.items()):
        yield (b"," if number else b"") + dumps(key) + b":"
        if not isinstance(value, list):
            yield dumps(value)
            continue
        yield b"["
        for start in range(0, len(value), SLICE):
            text = dumps(value[start : start + SLICE])
            yield (b"," if start else b"") + text[1:-1]  # the slice's items, without [ ]
        yield b"]"
    yield b"}"
