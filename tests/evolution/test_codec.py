"""Stored events decode with orjson exactly as with the library's own JSON decoder.

store/codec.py parses the library's format with orjson; the stored bytes are the library's. Every
event of the first release's fixture, and every event the catalogue's examples store today,
decodes to the same objects both ways; what orjson refuses still decodes.
"""

from __future__ import annotations

import math
from decimal import Decimal
from uuid import UUID

from eventsourcing.persistence import JSONTranscoder

from application.service import TimelineService
from store.application import TimelineApplication
from store.codec import FastJSONTranscoder
from store.settings import Settings
from tests.evolution.stored_v1 import stored_lines


def both(settings: Settings) -> tuple[JSONTranscoder, JSONTranscoder]:
    """The library's transcoder and ours, each with the application's transcodings."""
    app = TimelineApplication(settings.eventsourcing_env())
    try:
        library, fast = JSONTranscoder(), FastJSONTranscoder()
        app.register_transcodings(library)
        app.register_transcodings(fast)
    finally:
        app.close()
    return library, fast


def test_the_application_decodes_with_orjson(service: TimelineService) -> None:
    assert type(service.app.mapper.transcoder) is FastJSONTranscoder


def test_every_first_release_event_decodes_as_the_library_decodes_it(settings: Settings) -> None:
    library, fast = both(settings)
    states = [line["state"].encode() for line in stored_lines()]

    assert len(states) == 51
    for state in states:
        assert fast.decode(state) == library.decode(state)


def test_what_the_library_writes_reads_back_the_same_both_ways(settings: Settings) -> None:
    library, fast = both(settings)
    value = {
        "id": UUID("0e9c1a52-7d3b-4a55-9a36-57b3f9c81a0e"),
        "amount": Decimal("12.50"),
        "nested": [{"_type_": "plain", "other": 1}, [UUID(int=1), {"deep": [UUID(int=2)]}]],
        "text": "Türkiye — «Стамбул»",
    }
    stored = library.encode(value)

    assert fast.encode(value) == stored  # the same bytes are written
    assert fast.decode(stored) == library.decode(stored) == value


def test_what_orjson_refuses_still_decodes_as_the_library_decodes_it(settings: Settings) -> None:
    library, fast = both(settings)
    stored = library.encode({"big": 2**70, "nan": math.nan, "id": UUID(int=3)})

    decoded = fast.decode(stored)
    assert decoded["big"] == 2**70
    assert math.isnan(decoded["nan"])
    assert decoded["id"] == UUID(int=3)
