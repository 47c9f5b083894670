"""The lookups a diff is computed with (domain/diff.py) give what a walk over every path gives:
the events that ``touches`` a path (``touching``), and the changes of ``compare``."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from domain.diff import FieldChange, changed, compare, flatten, touches, touching

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


#: Keys that a JSON pointer escapes ("/" and "~") and keys that look like list indexes.
KEYS = st.sampled_from(["a", "b", "bc", "0", "x/y", "~1", "~0/"])
STATES = st.recursive(
    st.none() | st.integers(0, 3) | st.sampled_from(["x", "y"]) | st.just([]) | st.just({}),
    lambda inner: st.lists(st.dictionaries(KEYS, inner, max_size=3), max_size=3)
    | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=12,
).filter(lambda v: isinstance(v, dict))  # fmt: skip


def walked(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """``compare`` by its rule, walking every leaf for each path: an empty container on one side
    whose contents the other side lists is not a change."""
    old, new = flatten(before), flatten(after)
    old.pop("", None)
    new.pop("", None)

    def emptied(path: str, one: dict[str, Any], other: dict[str, Any]) -> bool:
        return one.get(path) in ([], {}) and any(k.startswith(path + "/") for k in other)

    found = []
    for path in sorted(old.keys() | new.keys()):
        if emptied(path, old, new) or emptied(path, new, old):
            continue
        if path not in old:
            found.append(FieldChange(path, "added", None, new[path]))
        elif path not in new:
            found.append(FieldChange(path, "removed", old[path], None))
        elif old[path] != new[path]:
            found.append(FieldChange(path, "changed", old[path], new[path]))
    return found


@given(STATES, STATES)
def test_compare_gives_what_a_walk_over_every_leaf_gives(
    before: dict[str, Any], after: dict[str, Any]
) -> None:
    assert compare(before, after) == walked(before, after)
    shared = {"kept": before, "moved": after}  # the two sides sharing values, as fold steps do
    assert compare(shared, {**shared, "moved": before}) == walked(
        shared, {**shared, "moved": before}
    )


def test_a_list_emptied_of_what_the_other_side_lists_is_no_change_of_its_own() -> None:
    changes = compare({"rounds": []}, {"rounds": [{"city": "Istanbul"}]})
    assert changes == [FieldChange("/rounds/0/city", "added", None, "Istanbul")]


def leaf_by_leaf(before: dict[str, Any] | None, after: dict[str, Any] | None) -> set[str]:
    """The paths whose leaves differ, by the rule: every leaf of both sides compared."""
    old = {} if before is None else flatten(before)
    new = {} if after is None else flatten(after)
    missing = object()
    return {p for p in old.keys() | new.keys() if old.get(p, missing) != new.get(p, missing)}


@given(STATES, STATES)
def test_changed_gives_what_comparing_every_leaf_gives(
    before: dict[str, Any], after: dict[str, Any]
) -> None:
    assert changed(before, after) == leaf_by_leaf(before, after)
    assert changed(None, after) == leaf_by_leaf(None, after)


@given(STATES, st.lists(st.tuples(st.sampled_from(["a", "b", "bc"]), STATES), max_size=3))
def test_changed_skips_what_two_states_share_and_finds_what_a_step_replaced(
    before: dict[str, Any], steps: list[tuple[str, dict[str, Any]]]
) -> None:
    """A step as the fold takes it: a new top level, some values replaced, the rest shared."""
    after = dict(before)
    for key, value in steps:
        after[key] = [value, *before[key]] if isinstance(before.get(key), list) else value
    assert changed(before, after) == leaf_by_leaf(before, after)


def test_changed_finds_a_leaf_changed_deep_in_a_list_the_two_sides_mostly_share() -> None:
    shared = {"name": "Vatican", "roles": [{"role": "host"}]}
    before = {"mediators": [shared, {"name": "Türkiye", "roles": []}], "status": "active"}
    after = {**before, "mediators": [shared, {"name": "Türkiye", "roles": [{"role": "host"}]}]}
    assert changed(before, after) == {"/mediators/1/roles", "/mediators/1/roles/0/role"}
