"""The lookups a diff is computed with (domain/diff.py) give what a walk over every path gives:
the events that ``touches`` a path (``touching``), and the changes of ``compare``."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from domain.diff import (
    EventsOf,
    FieldChange,
    Shift,
    changed,
    compare,
    flatten,
    touched,
    touches,
    touching,
)

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


# What one step touched (``touched``) and the events of each path (``EventsOf``): a step that
# inserts, removes or moves an item of a list is one shift, not every leaf after it.

ITEM = st.fixed_dictionaries({"n": st.integers(0, 3), "city": st.sampled_from(["x", "y"])})
#: A step as the fold takes one on a list of objects: new items, the rest shared.
STEP = st.one_of(
    st.tuples(st.just("append"), ITEM, st.just(0)),
    st.tuples(st.just("insert"), ITEM, st.integers(0, 5)),
    st.tuples(st.just("remove"), st.none(), st.integers(0, 5)),
    st.tuples(st.just("replace"), ITEM, st.integers(0, 5)),
    st.tuples(st.just("to the end"), ITEM, st.integers(0, 5)),
)
IN_PLACE = st.one_of(
    st.tuples(st.just("append"), ITEM, st.just(0)),
    st.tuples(st.just("replace"), ITEM, st.integers(0, 5)),
)


def stepped(items: list[dict[str, Any]], step: tuple[str, Any, int]) -> list[dict[str, Any]]:
    how, item, index = step
    found = list(items)
    if how == "append" or not found:
        found.append(item or {"n": 0})
    elif how == "insert":
        found.insert(index % (len(found) + 1), item)
    elif how == "remove":
        del found[index % len(found)]
    elif how == "replace":
        found[index % len(found)] = {**found[index % len(found)], **item}
    else:  # an entry updated and moved to the end, as the latest news
        moved = found.pop(index % len(found))
        found.append({**moved, **item})
    return found


def states_of(
    first: list[dict[str, Any]], steps: list[tuple[str, Any, int]]
) -> list[dict[str, Any]]:
    states = [{"rounds": first, "title": "t"}]
    for step in steps:
        states.append({**states[-1], "rounds": stepped(states[-1]["rounds"], step)})
    return states


def listed_events(
    first: list[dict[str, Any]], steps: list[tuple[str, Any, int]]
) -> list[tuple[str, list[str], list[str]]]:
    """For each change from the first state to the last: its path, the events ``EventsOf``
    lists (from what each step ``touched``), and the events ``touching`` lists (from the leaves
    each step ``changed``)."""
    states = states_of(first, steps)
    pairs = list(pairwise(states))
    exact = touching((f"e{i}", changed(old, new)) for i, (old, new) in enumerate(pairs))
    events_of = EventsOf((f"e{i}", *touched(old, new)) for i, (old, new) in enumerate(pairs))
    return [
        (change.path, events_of.get(change.path), exact.get(change.path, []))
        for change in compare(states[0], states[-1])
    ]


@given(st.lists(ITEM, max_size=4), st.lists(STEP, min_size=1, max_size=6))
def test_a_path_lists_at_least_the_events_that_changed_a_leaf_there(
    first: list[dict[str, Any]], steps: list[tuple[str, Any, int]]
) -> None:
    for path, listed, exact in listed_events(first, steps):
        assert listed, path  # every change has its events
        assert set(exact) <= set(listed)
        assert listed == sorted(listed, key=lambda e: int(e[1:]))  # in the order of the steps


@given(st.lists(ITEM, max_size=4), st.lists(IN_PLACE, min_size=1, max_size=6))
def test_where_nothing_moved_a_path_lists_exactly_the_events_that_changed_a_leaf_there(
    first: list[dict[str, Any]], steps: list[tuple[str, Any, int]]
) -> None:
    for path, listed, exact in listed_events(first, steps):
        assert exact, path  # a leaf-by-leaf walk finds each change's events here
        assert listed == exact, path


def test_an_item_inserted_before_the_others_is_one_shift_naming_the_positions_after_it() -> None:
    rounds = [{"n": n} for n in (2, 3)]
    before = {"rounds": rounds}
    after = {"rounds": [{"n": 1}, *rounds]}
    assert touched(before, after) == (set(), [Shift("/rounds", 0, 3)])
    events_of = EventsOf([("inserted", *touched(before, after))])
    assert [events_of.get(f"/rounds/{i}/n") for i in range(3)] == [["inserted"]] * 3
    # an item only appended is its own leaves
    assert touched(before, {"rounds": [*rounds, {"n": 4}]}) == ({"/rounds/2/n"}, [])


def test_an_entry_moved_to_the_end_shifts_only_the_positions_from_it() -> None:
    entries = [{"name": name, "roles": [{"role": "r"}] * 50} for name in "ABCD"]
    moved = [entries[0], entries[2], entries[3], {**entries[1], "roles": []}]
    assert touched({"m": entries}, {"m": moved}) == (set(), [Shift("/m", 1, 4)])
