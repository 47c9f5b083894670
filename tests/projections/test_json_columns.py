"""The views' JSON columns read back exactly as the standard library reads them, whichever
parser does the reading (projections/view.py ``loads``)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from projections.view import dumps, loads

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()  # beyond 64 bits too
    | st.floats()  # NaN and the infinities too
    | st.text()
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def same(value: Any) -> str:
    """A value as text that tells an int from a float and NaN from anything else."""
    return json.dumps(value, sort_keys=True)


@given(VALUES)
def test_a_column_reads_as_the_standard_library_reads_it(value: Any) -> None:
    text = dumps(value)
    assert same(loads(text)) == same(json.loads(text))


def test_big_integers_stay_integers() -> None:  # a faster parser may make them floats
    assert loads('{"count": 1180591620717411303424}') == {"count": 2**70}
    assert isinstance(loads("[18446744073709551616]")[0], int)


def test_an_escaped_lone_surrogate_reads_as_json_reads_it() -> None:
    assert loads('["\\ud800"]') == ["\ud800"]
