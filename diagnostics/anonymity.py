"""Anonymity, exactly as §5 of the product brief says. Pure functions: no database, no Django.

Every figure passes through here before any page, chart, export or comment list shows it.

- A group with fewer than k responses shows nothing but "fewer than k responses".
- Complementary suppression: where a parent is shown with its children, the responses of the
  parent not covered by shown children must number 0 or at least k; otherwise further children
  are hidden, smallest first, until they do. Applied top-down over a whole tree, a hidden node
  hides its subtree, so no difference of shown figures covers between 1 and k−1 responses.
- A manager's own team beside its parent: the parent is shown only if parent minus own team is
  0 or at least k (and likewise for every outer group beside every inner one).
- Demographic filters (and combinations) that leave fewer than k, or whose complement does,
  are refused.
- Free-text comments need their own, higher threshold and are never broken down.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TypeVar

DEFAULT_K = 5
MIN_K = 3
DEFAULT_COMMENT_THRESHOLD = 10

Key = TypeVar("Key", bound=Hashable)


def effective_k(k: int) -> int:
    """The threshold in force: never below 3, whatever is configured."""
    return max(MIN_K, int(k))


def can_show(n: int, k: int) -> bool:
    return n >= effective_k(k)


def residual_is_safe(residual: int, k: int) -> bool:
    """A difference between shown figures is safe when it covers nobody or at least k people."""
    return residual == 0 or residual >= effective_k(k)


@dataclass(frozen=True)
class TreeNode:
    parent: Hashable | None
    n: int


def suppress_tree(
    nodes: Mapping[Key, TreeNode],
    *,
    k: int,
    forced_hidden: Collection[Key] = (),
) -> set[Key]:
    """The nodes whose figures may be shown, with complementary suppression applied top-down.

    `nodes` maps each key to its parent's key (None for a root) and its count; a parent's count
    is the sum of its children's. `forced_hidden` are nodes hidden for another reason (for a
    domain figure: nodes whose group is hidden); hiding them can hide more, never fewer.
    Ties between equally small siblings are broken by key, so the result is repeatable.
    """
    k = effective_k(k)
    children: dict[Hashable | None, list[Key]] = defaultdict(list)
    for key, node in nodes.items():
        children[node.parent].append(key)
    forced = set(forced_hidden)
    shown: set[Key] = set()

    roots = sorted(children[None], key=repr)
    queue: list[Key] = [root for root in roots if root not in forced and nodes[root].n >= k]
    shown.update(queue)
    while queue:
        parent = queue.pop(0)
        kids = children.get(parent, [])
        candidates = [c for c in kids if c not in forced and nodes[c].n >= k]
        residual = nodes[parent].n - sum(nodes[c].n for c in candidates)
        candidates.sort(key=lambda c: (nodes[c].n, repr(c)))
        while candidates and not residual_is_safe(residual, k):
            smallest = candidates.pop(0)
            residual += nodes[smallest].n
        shown.update(candidates)
        queue.extend(candidates)
    return shown


def nested_view(chain: Sequence[tuple[Key, int]], *, k: int, allowed: Collection[Key]) -> set[Key]:
    """Which groups of a nested chain (innermost first) one view may show.

    For a manager's own team beside its parent and the organisation: the innermost group is
    shown when it has at least k responses; each outer group is shown only if it is in
    `allowed` (shown by the organisation-wide rules), has at least k, and differs from every
    inner shown group by 0 or at least k responses.
    """
    k = effective_k(k)
    shown: list[tuple[Key, int]] = []
    for index, (key, n) in enumerate(chain):
        if n < k:
            continue
        if index > 0 and key not in allowed:
            continue
        if all(residual_is_safe(n - inner_n, k) for _, inner_n in shown):
            shown.append((key, n))
    return {key for key, _ in shown}


class FilterRefused(Exception):
    """A demographic breakdown that would show, or let someone work out, a group below k."""


def check_filter(counts_by_subset: Mapping[frozenset[str], int], *, k: int) -> None:
    """Refuse a filter combination whose group, or its difference from any coarser view, is
    between 1 and k−1 responses.

    `counts_by_subset` maps every subset of the requested filters (the empty set is the
    unfiltered group) to the number of responses it leaves.
    """
    k = effective_k(k)
    requested = max(counts_by_subset, key=len)
    n = counts_by_subset[requested]
    if n < k:
        raise FilterRefused(
            f"This breakdown leaves fewer than {k} responses, so it cannot be shown."
        )
    for subset, coarser in counts_by_subset.items():
        if subset < requested and not residual_is_safe(coarser - n, k):
            raise FilterRefused(
                f"Showing this breakdown would let someone work out the answers of fewer than "
                f"{k} people (by comparing it with the wider group), so it cannot be shown."
            )


def filter_subsets(filters: Mapping[str, str]) -> list[frozenset[str]]:
    """Every subset of a filter combination, as frozensets of 'field=value' strings."""
    items = [f"{field}={value}" for field, value in sorted(filters.items())]
    return [frozenset(c) for size in range(len(items) + 1) for c in combinations(items, size)]


def comments_visible(n_responses: int, *, comment_threshold: int, k: int, filtered: bool) -> bool:
    """Comments show only for unfiltered groups that reach the (higher) comment threshold."""
    if filtered:
        return False
    return n_responses >= max(effective_k(k), comment_threshold)


def teams_with_visible_comments(
    team_counts: Mapping[Key, int], *, comment_threshold: int, k: int
) -> set[Key]:
    """Teams whose comments may appear (in their own list or in a unit's combined list).

    A unit's list holds only comments from such teams, so no comment can be traced by
    elimination to a team below the threshold.
    """
    return {
        team
        for team, n in team_counts.items()
        if comments_visible(n, comment_threshold=comment_threshold, k=k, filtered=False)
    }
