"""§5 by hand-computed examples, and a property test over random trees."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostics.anonymity import (
    FilterRefused,
    TreeNode,
    can_show,
    check_filter,
    comments_visible,
    effective_k,
    filter_subsets,
    nested_view,
    suppress_tree,
    teams_with_visible_comments,
)


def tree(parent_counts: dict[str, tuple[str | None, int]]) -> dict[str, TreeNode]:
    return {key: TreeNode(parent, n) for key, (parent, n) in parent_counts.items()}


def test_it_suppresses_k_minus_1_and_shows_k():
    assert not can_show(4, 5)
    assert can_show(5, 5)
    nodes = tree({"org": (None, 9), "a": ("org", 5), "b": ("org", 4)})
    shown = suppress_tree(nodes, k=5)
    assert "b" not in shown


def test_it_never_uses_a_threshold_below_3():
    assert effective_k(1) == 3
    assert not can_show(2, 1)


def test_it_hides_the_next_smallest_sibling_when_one_child_of_3_is_suppressed():
    # k = 5. Parent 3 + 6 + 8 + 10 = 27. "a" (3) is hidden, leaving a residual of 3, so the
    # next smallest sibling "b" (6) is hidden too: residual 9 >= 5.
    nodes = tree({"p": (None, 27), "a": ("p", 3), "b": ("p", 6), "c": ("p", 8), "d": ("p", 10)})
    shown = suppress_tree(nodes, k=5)
    assert shown == {"p", "c", "d"}


def test_it_keeps_all_children_when_the_hidden_ones_already_number_k():
    nodes = tree({"p": (None, 20), "a": ("p", 2), "b": ("p", 3), "c": ("p", 15)})
    assert suppress_tree(nodes, k=5) == {"p", "c"}  # residual 5: safe


def test_it_hides_a_hidden_nodes_whole_subtree():
    nodes = tree(
        {
            "org": (None, 30),
            "x": ("org", 12),
            "y": ("org", 15),
            "z": ("org", 3),
            "x1": ("x", 6),
            "x2": ("x", 6),
        }
    )
    shown = suppress_tree(nodes, k=5)
    assert "z" not in shown
    assert "x" not in shown  # smallest of the rest: residual 3 + 12 = 15
    assert not {"x1", "x2"} & shown


def test_it_lets_a_manager_see_their_team_but_not_a_parent_that_differs_by_fewer_than_k():
    # Team 10 in a unit of 12: unit minus team = 2 people, so the unit is hidden in this view.
    assert nested_view([("team", 10), ("unit", 12), ("org", 40)], k=5, allowed={"unit", "org"}) == {
        "team",
        "org",
    }
    assert nested_view([("team", 10), ("unit", 15), ("org", 40)], k=5, allowed={"unit", "org"}) == {
        "team",
        "unit",
        "org",
    }
    assert nested_view([("team", 10), ("unit", 10)], k=5, allowed={"unit"}) == {"team", "unit"}
    assert nested_view([("team", 4), ("unit", 15)], k=5, allowed={"unit"}) == {"unit"}
    assert nested_view([("team", 10), ("unit", 20)], k=5, allowed=set()) == {"team"}


def test_it_refuses_a_filter_that_leaves_fewer_than_k():
    counts = {frozenset(): 20, frozenset({"role_group=senior"}): 4}
    with pytest.raises(FilterRefused, match="fewer than 5"):
        check_filter(counts, k=5)


def test_it_refuses_a_filter_whose_complement_is_fewer_than_k():
    counts = {frozenset(): 12, frozenset({"role_group=practitioner"}): 10}
    with pytest.raises(FilterRefused, match="work out"):
        check_filter(counts, k=5)
    check_filter({frozenset(): 20, frozenset({"role_group=practitioner"}): 10}, k=5)


def test_it_checks_every_coarser_view_of_a_combination():
    subsets = filter_subsets({"role_group": "practitioner", "working_pattern": "part_time"})
    assert len(subsets) == 4
    counts = dict.fromkeys(subsets, 0)
    counts[frozenset()] = 40
    counts[frozenset({"role_group=practitioner"})] = 30
    counts[frozenset({"working_pattern=part_time"})] = 8
    counts[frozenset({"role_group=practitioner", "working_pattern=part_time"})] = 6
    with pytest.raises(FilterRefused):  # part-time non-practitioners: 8 - 6 = 2
        check_filter(counts, k=5)


def test_it_shows_comments_only_at_the_comment_threshold_and_never_filtered():
    assert not comments_visible(9, comment_threshold=10, k=5, filtered=False)
    assert comments_visible(10, comment_threshold=10, k=5, filtered=False)
    assert not comments_visible(50, comment_threshold=10, k=5, filtered=True)
    assert teams_with_visible_comments({"a": 12, "b": 9}, comment_threshold=10, k=5) == {"a"}


# --- property test --------------------------------------------------------------------------


@st.composite
def random_trees(draw):
    """A random organisation tree: units with children, leaves (teams) with response counts."""
    nodes: dict[str, tuple[str | None, int]] = {}
    leaves: list[str] = []

    def build(key: str, parent: str | None, depth: int) -> int:
        is_leaf = depth >= 3 or (draw(st.booleans()) and depth > 0)
        if is_leaf:
            n = draw(st.integers(min_value=0, max_value=25))
            nodes[key] = (parent, n)
            leaves.append(key)
            return n
        total = 0
        count = draw(st.integers(min_value=1, max_value=4))
        nodes[key] = (parent, 0)
        for i in range(count):
            total += build(f"{key}.{i}", key, depth + 1)
        nodes[key] = (parent, total)
        return total

    build("r", None, 0)
    return tree(nodes)


def antichains(keys: list[str]) -> list[tuple[str, ...]]:
    found = []
    for size in range(1, min(len(keys), 5) + 1):
        for combo in combinations(keys, size):
            if not any(a != b and b.startswith(a + ".") for a in combo for b in combo):
                found.append(combo)
    return found


@settings(max_examples=300, deadline=None)
@given(nodes=random_trees(), k=st.integers(min_value=3, max_value=8))
def test_it_never_shows_a_figure_or_a_difference_covering_1_to_k_minus_1(nodes, k):
    shown = suppress_tree(nodes, k=k)
    for key in shown:
        assert nodes[key].n >= k
    for key in shown:
        descendants = [d for d in shown if d.startswith(key + ".")][:10]
        for chain in antichains(descendants):
            difference = nodes[key].n - sum(nodes[d].n for d in chain)
            assert difference == 0 or difference >= k, (key, chain, difference)
    # A shown node's parent is shown too (a hidden node hides its subtree).
    for key in shown:
        parent = nodes[key].parent
        assert parent is None or parent in shown
