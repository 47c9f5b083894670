"""Large bodies written straight to JSON, the route's model still describing them.

A diff of a long Talks lists tens of thousands of changes; validating them against the response
model took as long as computing them (0.7 s of 1.5 s for 27 MB). What the service builds for
such a route is checked against its model by the tests instead (tests/api/test_large_bodies.py)
and by the fuzzer on every answer.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from fastapi.responses import JSONResponse


class LargeJSON(JSONResponse):
    """A JSON body written by orjson (the standard library's where orjson refuses a value:
    integers beyond 64 bits)."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except TypeError:  # orjson.JSONEncodeError is a TypeError
            return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
