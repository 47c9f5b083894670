"""Stored events' JSON decoded with orjson, in the library's format, byte for byte unchanged.

The library's ``JSONTranscoder`` writes each value it has a transcoding for as
``{"_type_": name, "_data_": ...}`` and decodes with ``json`` and an object hook that tries every
dict (a KeyError caught for each plain one). Decoding is most of the cost of reading the log
(a rebuild, a fold). ``FastJSONTranscoder`` parses with orjson and then turns the tagged dicts
back into values, innermost first, exactly as the hook does; what orjson refuses (NaN, integers
beyond 64 bits, which ``json`` writes and reads) goes through the library's decoder. Encoding is
the library's own, so the stored JSON stays what the library writes and reads.
"""

from __future__ import annotations

from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder


class FastJSONTranscoder(JSONTranscoder):
    """The library's JSON transcoder, decoding with orjson."""

    def decode(self, data: bytes) -> Any:
        """Decode bytes the library's encoder wrote."""
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError:
            return super().decode(data)
        # Each tagged dict has a key "_type_", which the encoder writes as those very bytes:
        # once as many tagged dicts as that were revived, the rest of the walk is skipped.
        tags = data.count(TAG)
        if not tags or type(parsed) is not dict:
            return super().decode(data) if tags else parsed
        return _Reviver(self, tags).revive(parsed)


#: The key of a tagged dict, as the library's encoder writes it.
TAG = b'"_type_"'


class _Reviver:
    """Turns the tagged dicts of one parsed document into values, innermost first (the order of
    the library's object hook), until every tag counted was met."""

    def __init__(self, transcoder: JSONTranscoder, tags: int) -> None:
        self.names = transcoder.names
        self.decode_obj = transcoder._decode_obj
        self.left = tags

    def revive(self, value: dict[str, Any]) -> Any:
        for key, item in value.items():
            if not self.left:
                break
            kind = type(item)
            if kind is dict:
                value[key] = self.revive(item)
            elif kind is list:
                value[key] = self.revive_list(item)
        if len(value) == 2 and "_type_" in value and "_data_" in value:
            self.left -= 1
            transcoding = self.names.get(value["_type_"])
            if transcoding is None:
                return self.decode_obj(value)  # raises the library's error
            return transcoding.decode(value["_data_"])
        return value

    def revive_list(self, items: list[Any]) -> list[Any]:
        found = []
        for item in items:
            kind = type(item)
            if self.left and kind is dict:
                found.append(self.revive(item))
            elif self.left and kind is list:
                found.append(self.revive_list(item))
            else:
                found.append(item)
        return found
