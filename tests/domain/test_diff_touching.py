"""The events listed under each path of a diff (domain/diff.py ``touching``) are the events that
``touches`` it: those that changed it or something in it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.diff import touches, touching

#: Segments where one is a prefix of another as text ("b", "bc"), not as a path.
PATHS = st.lists(st.sampled_from(["a", "b", "bc", "0", "~1"]), max_size=3).map(
    lambda segments: "".join(f"/{s}" for s in segments)
)
CAUSES = st.lists(st.tuples(st.uuids().map(str), st.sets(PATHS, max_size=4)), max_size=8)


@given(CAUSES, st.lists(PATHS, min_size=1, max_size=10))
def test_each_path_lists_the_events_that_touch_it(
    causes: list[tuple[str, set[str]]], asked: list[str]
) -> None:
    index = touching(causes)
    for path in [*asked, *(p for _, paths in causes for p in paths)]:
        assert index.get(path, []) == [e for e, paths in causes if touches(path, paths)]


def test_a_container_lists_what_changed_inside_it_and_a_sibling_does_not() -> None:
    index = touching([("e1", {"/rounds/0/city"}), ("e2", {"/rounds/1/day", "/title"})])
    assert index["/rounds"] == ["e1", "e2"]
    assert index["/rounds/0"] == ["e1"]
    assert index[""] == ["e1", "e2"]
    assert "/round" not in index
    assert "/rounds/0/cit" not in index
