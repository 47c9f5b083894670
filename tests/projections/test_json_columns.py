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


EXACT = st.recursive(  # no floats: their text may differ in exponent form only (1e-07, 1e-7)
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(EXACT)
def test_a_column_is_the_canonical_text_the_standard_library_writes(value: Any) -> None:
    """Sorted keys, no spaces, text as it is: digests of old rows and new rows agree."""
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert dumps(value) == canonical


@given(st.recursive(st.floats(allow_nan=False, allow_infinity=False), st.lists, max_leaves=8))
def test_finite_floats_read_back_as_the_same_numbers(value: Any) -> None:
    assert json.loads(dumps(value)) == value


def test_keys_that_are_not_text_are_written_as_the_standard_library_writes_them() -> None:
    assert dumps({2: "b", 1: "a"}) == '{"1":"a","2":"b"}'
