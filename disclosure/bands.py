"""What the bands of hidden counts give away beside the exact counts that are shown.

A hidden group's count is not a figure, but its band is read everywhere it is hidden: "none"
(0), "fewer than k" (1 to k−1), or, hidden so that a smaller group cannot be worked out, k or
more. Bands are inequalities, which the atoms (`disclosure.atoms`) do not see: the atoms keep
every *exact* derivable count at 0 or at least k, but a remainder of 8 shared by two teams each
"fewer than 5" makes both exactly 4, and a remainder of 6 shared by one team "fewer than 5" and
one of "5 or more" makes them 1 and 5.

`pinned` works out, for every count of a family (groups, and the responses under a group that no
group of the family holds), the range the shown counts and the bands allow, and names every
count that can take only one value from 1 to k−1. The counts form a tree of sums (each group's
count is the sum of its parts), so narrowing each part by its parent and siblings, and each
parent by its parts, until nothing changes, gives each count's exact range.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Bound = int | None  # an upper bound; None: no bound


@dataclass
class _Range:
    low: int
    high: Bound


def band_range(n: int, *, k: int) -> tuple[int, Bound]:
    """What a hidden count's band says of it: none, fewer than k, or k or more."""
    if n == 0:
        return 0, 0
    if n < k:
        return 1, k - 1
    return k, None


@dataclass(frozen=True)
class Family:
    """The counts of a viewer's family as a tree of sums.

    `parts`: each group's parts (its groups one level down in the family, and, as
    `(group, "rest")`, the responses under it that none of them holds, where there are any);
    `counts`: every group's count and every rest's.
    """

    parts: Mapping[str, Sequence[str | tuple[str, str]]]
    counts: Mapping[str | tuple[str, str], int]
    parent: Mapping[str | tuple[str, str], str]  # of every part


def family_of(
    order: Sequence[str],
    under: Mapping[str, Sequence[str]],
    node_counts: Mapping[str, int],
    *,
    step: int,
) -> Family:
    """The family's tree: each group's parent is the nearest group of the family above it, and
    each node (a team, or a bucket of teams) belongs to the nearest group at or above it."""
    groups = set(order)

    def nearest_above(path: str) -> str | None:
        return next(
            (path[:end] for end in range(len(path) - step, 0, -step) if path[:end] in groups),
            None,
        )

    parts: dict[str, list[str | tuple[str, str]]] = {path: [] for path in order}
    counts: dict[str | tuple[str, str], int] = {}
    parent: dict[str | tuple[str, str], str] = {}
    for path in order:
        counts[path] = sum(node_counts.get(node, 0) for node in under[path])
        above = nearest_above(path)
        if above is not None:
            parts[above].append(path)
            parent[path] = above
    loose: dict[str, int] = {}
    for node in node_counts.keys() - groups:  # nodes without responses add nothing
        owner = nearest_above(node)
        if owner is not None:
            loose[owner] = loose.get(owner, 0) + node_counts.get(node, 0)
    for path, n in loose.items():
        if parts[path]:  # beside its groups: a part of its own (a leaf group is its nodes)
            rest = (path, "rest")
            parts[path].append(rest)
            counts[rest] = n
            parent[rest] = path
    return Family(parts=parts, counts=counts, parent=parent)


def pinned(family: Family, *, shown: frozenset[str], k: int) -> list[str | tuple[str, str]]:
    """Every count (a group, or a group's rest) whose range is one value from 1 to k−1, given the
    exact counts of the `shown` groups and the band of every other group."""
    ranges: dict[str | tuple[str, str], _Range] = {}
    for key, n in family.counts.items():
        if isinstance(key, str) and key in shown:
            ranges[key] = _Range(n, n)
        elif isinstance(key, str):
            ranges[key] = _Range(*band_range(n, k=k))
        else:
            ranges[key] = _Range(0, None)  # never read: any count at all
    sums = [(parent, parts) for parent, parts in family.parts.items() if parts]
    changed = True
    while changed:
        changed = False
        for parent, parts in sums:
            changed |= _narrow(ranges[parent], [ranges[part] for part in parts])
    return [
        key
        for key, found in ranges.items()
        if found.high == found.low and 0 < found.low < k and key not in shown
    ]


def _narrow(whole: _Range, parts: list[_Range]) -> bool:
    """Narrow a sum and its parts by each other; say whether anything changed. Every bound
    worked out from bounds that hold also holds, so narrowing in any order ends at the same
    ranges."""
    changed = False
    low_sum = sum(part.low for part in parts)
    unbounded = sum(1 for part in parts if part.high is None)
    high_sum = sum(part.high for part in parts if part.high is not None)
    if low_sum > whole.low:
        whole.low, changed = low_sum, True
    if unbounded == 0 and (whole.high is None or high_sum < whole.high):
        whole.high, changed = high_sum, True
    for part in parts:
        low, high = part.low, part.high  # as the sums above counted them
        if whole.high is not None:
            most = whole.high - (low_sum - low)
            if high is None or most < high:
                part.high, changed = most, True
        if unbounded - (high is None) == 0:
            least = whole.low - (high_sum - (high or 0))
            if least > low:
                part.low, changed = least, True
    return changed


def to_hide(family: Family, found: str | tuple[str, str], *, shown: frozenset[str]) -> str | None:
    """The shown group to hide next because `found` is pinned: the smallest shown part of the
    sum that holds it (its range then has no top, and the sum no longer meets its parts' least),
    or, with none, that sum itself, and so on up; None when nothing shown is left to hide."""
    key: str | tuple[str, str] = found
    while key in family.parent:
        above = family.parent[key]
        siblings = [part for part in family.parts[above] if isinstance(part, str) and part in shown]
        if siblings:
            return min(siblings, key=lambda part: (family.counts[part], part))
        if above in shown:
            return above
        key = above
    return None
