"""What the bands of hidden counts give away beside the exact counts that are shown.

A hidden group's count is not a figure, but its band is read everywhere it is hidden: "none"
(0), "fewer than k" (1 to k−1), or, hidden so that a smaller group cannot be worked out, k or
more. Bands are inequalities, which the atoms (`disclosure.atoms`) do not see: the atoms keep
every *exact* derivable count at 0 or at least k, but a remainder of 8 shared by two teams each
"fewer than 5" makes both exactly 4, and a remainder of 6 shared by one team "fewer than 5" and
one of "5 or more" makes them 1 and 5.

Codes made bound the counts too: every response spends one of its team's codes for its cycle,
and the cycle page shows each team's codes made exactly, so a team that made 5 codes and reads
"5 or more" has exactly 5, and a pool of 8 over two pulses that made 4 codes each has 4 in each.
Each of the family's own teams' codes for each cycle are an upper bound on its responses to that
cycle (other teams' codes are not shown to the viewer and bound nothing); where a team has
responses to several cycles (a pool of pulses), each of those counts is a part of it, bounded by
its own codes. "Codes" here are whatever bounds a team's responses to a cycle, as the caller
reads it: `diagnostics.results.bound_read` gives the fewer of its codes made and its headcount.
A bound is taken as read even where it is below the responses (a headcount that was wrong):
dropping it there would let the hiding say so.

`read` works out, for every count of a family (groups, the responses under a group that no
group of the family holds, and the cycle parts above), the range the shown counts, the bands
and the codes allow, and names every count that can take only one value from 1 to k−1, and
every hidden count where the bounds contradict what is shown. The counts form a tree of sums
(each group's count is the sum of its parts), so narrowing each part by its parent and
siblings, and each parent by its parts, until nothing changes, gives each count's exact range.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

Bound = int | None  # an upper bound; None: no bound
# A group's path; `(path, "rest")`, the responses under a group that none of its groups holds;
# `(node, cycle)`, one node's responses to one cycle.
Key = str | tuple[str, str] | tuple[str, int]


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

    `parts`: each sum's parts: a group's are its groups one level down in the family and, as
    `(group, "rest")`, the responses under it that none of them holds, where there are any;
    `counts`: every group's and rest's count; `codes`: the codes made that bound a team's count;
    `cycle_parts`: a team's (team, cycle) counts, where it has several and codes bound them,
    each with its codes made (None: no bound). They are leaves of the tree with
    nothing but their bounds, so the sum of their bounds caps their holder (in `codes`) and
    their ranges follow from the holder's once it is narrowed (`read`), without narrowing
    thousands of them with the rest.
    """

    parts: Mapping[Key, Sequence[Key]]
    counts: Mapping[Key, int]
    parent: Mapping[Key, Key]  # of every part, and of every cycle part
    codes: Mapping[Key, int]
    cycle_parts: Mapping[Key, Sequence[tuple[tuple[str, int], int | None]]]
    # every sum with its parts, the deepest first (see `read`)
    sums: Sequence[tuple[Key, Sequence[Key]]] = ()


def family_of(
    order: Sequence[str],
    under: Mapping[str, Sequence[str]],
    responses: Mapping[tuple[str, int], int],
    *,
    step: int,
    codes: Mapping[tuple[str, int], int] | None = None,
) -> Family:
    """The family's tree: each group's parent is the nearest group of the family above it, and
    each node (a team, or a bucket of teams) belongs to the nearest group at or above it.
    `responses` and `codes` (codes made): per node and cycle; only the codes of nodes that are
    groups (the family's own teams) are read."""
    groups = set(order)

    def nearest_above(path: str) -> str | None:
        return next(
            (path[:end] for end in range(len(path) - step, 0, -step) if path[:end] in groups),
            None,
        )

    node_counts: dict[str, int] = defaultdict(int)
    for (node, _cycle), n in responses.items():
        node_counts[node] += n
    parts: dict[Key, list[Key]] = {path: [] for path in order}
    counts: dict[Key, int] = {}
    parent: dict[Key, Key] = {}
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
            rest: Key = (path, "rest")
            parts[path].append(rest)
            counts[rest] = n
            parent[rest] = path
    capped: dict[Key, int] = {}
    cycle_parts: dict[Key, list[tuple[tuple[str, int], int | None]]] = {}
    if codes:
        # Only the family's own teams (nodes that are groups) are bounded by their codes: the
        # viewer's teams, whose codes made the cycle page shows them. Nobody in the viewer's
        # reach is shown another team's, so those neither pin a count nor excuse one as pinned
        # with nothing shown.
        by_team: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for key in {*responses, *codes}:
            if key[0] in groups and (responses.get(key, 0) or codes.get(key, 0)):
                by_team[key[0]].append(key)
        for team, keys in by_team.items():
            _bound_by_codes(
                team,
                sorted(keys),
                codes,
                parent=parent,
                capped=capped,
                cycle_parts=cycle_parts,
            )
    depth: dict[Key, int] = {}

    def depth_of(key: Key) -> int:
        found = depth.get(key)
        if found is None:
            above = parent.get(key)
            found = depth[key] = 0 if above is None else depth_of(above) + 1
        return found

    sums = sorted(
        ((whole, tuple(its)) for whole, its in parts.items() if its),
        key=lambda item: -depth_of(item[0]),
    )
    return Family(
        parts=parts,
        counts=counts,
        parent=parent,
        codes=capped,
        cycle_parts=cycle_parts,
        sums=sums,
    )


def _bound_by_codes(
    team: str,
    keys: Sequence[tuple[str, int]],
    codes: Mapping[tuple[str, int], int],
    *,
    parent: dict[Key, Key],
    capped: dict[Key, int],
    cycle_parts: dict[Key, list[tuple[tuple[str, int], int | None]]],
) -> None:
    """Bound a team's count by the codes made for its (team, cycle) counts: the count itself by
    their sum where every one has codes, and each of them, as its cycle parts, where it has
    several. A bound is what the viewer reads, taken whatever the responses: one below them (a
    headcount that was wrong, codes voided or responses loaded without theirs) can make the
    viewer's reading contradict itself, which `read` reports so that it is hidden for as a pin
    is. Were such a bound dropped instead, whether a count is hidden would say which side of it
    the responses are."""
    bounds = {key: made for key in keys if (made := codes.get(key, 0))}
    if not bounds:
        return
    if len(bounds) == len(keys):
        capped[team] = sum(bounds.values())
    if len(keys) > 1:
        cycle_parts[team] = [(key, bounds.get(key)) for key in keys]
        for key in keys:
            parent[key] = team


@dataclass(frozen=True)
class Reading:
    """What a viewer can work out about the counts they do not see exactly (`read`)."""

    pinned: list[Key]  # counts of one value from 1 to k−1
    contradicted: list[Key]  # hidden counts where what is read says a count is above its bound
    # hidden counts above their own bound whichever bounds are wrong: the shown counts and the
    # bands alone put their least above it
    broken: list[Key] = field(default_factory=list)


def read(family: Family, *, shown: frozenset[str], k: int) -> Reading:
    """What the exact counts of the `shown` groups, the band of every other group and the
    bounds (codes made, headcounts) say of each count: those pinned to one value from 1 to k−1,
    and the hidden counts where they contradict each other (a count above its bound: a
    headcount that was wrong, codes voided). A viewer who reads a contradiction learns that
    some count is above its bound, so `disclosure.plan` hides for it as for a pin. The bounds
    where they fail are then left out, and the rest worked out again without them.

    Of the contradicted counts, those whose least, from the shown counts and the bands with no
    bound at all, is above their own bound are `broken`: the viewer learns that this count's
    own bound is wrong, not only that some bound near it is. Their bounds are left out at once,
    which also spares a narrowing per contradiction where many bounds are wrong (a headcount
    import gone awry)."""
    dropped: set[Key] = set()
    contradicted: list[Key] = []
    broken: list[Key] = []
    while True:
        ranges = _ranges(family, shown=shown, k=k, dropped=dropped)
        empty = [key for key, its in ranges.items() if _empty(its)]
        if not empty:
            empty = _narrow_all(family, ranges, shown=shown)
        if not empty:
            break
        if not dropped:
            broken = _broken(family, shown=shown, k=k)
            if broken:
                contradicted += broken
                dropped |= set(broken)
                continue
        contradicted += [key for key in empty if key not in contradicted]
        # The bounds at or below where the ranges stopped holding together, else every bound
        # left: the true counts meet every band and every exact count, so without the bounds
        # that fail them the ranges hold together again.
        bounded = [key for key in family.codes if key not in dropped]
        below = {key for key in bounded if _within(family, key, empty)}
        dropped |= below or set(bounded)
        if not bounded:
            break
    found = [
        key
        for key, its in ranges.items()
        if its.high == its.low and 0 < its.low < k and key not in shown
    ]
    against: list[Key] = [key for key in contradicted if key not in shown]
    for holder, its in family.cycle_parts.items():
        parts_pinned, parts_against = _pinned_cycle_parts(ranges[holder], its, k=k)
        found += parts_pinned
        against += parts_against
    return Reading(pinned=found, contradicted=against, broken=broken)


def _broken(family: Family, *, shown: frozenset[str], k: int) -> list[Key]:
    """The hidden bounded counts whose least, from the shown counts and the bands alone, is
    above their bound (the true counts meet those, so the ranges hold together)."""
    free = _ranges(family, shown=shown, k=k, dropped=set(family.codes))
    _narrow_all(family, free, shown=shown)
    return [key for key, made in family.codes.items() if key not in shown and free[key].low > made]


def _within(family: Family, key: Key, tops: Sequence[Key]) -> bool:
    """Whether `key` is one of `tops` or a part of one, at any depth."""
    while True:
        if key in tops:
            return True
        above = family.parent.get(key)
        if above is None:
            return False
        key = above


def _ranges(
    family: Family, *, shown: frozenset[str], k: int, dropped: set[Key]
) -> dict[Key, _Range]:
    """Each count's range before narrowing: exact where shown, else its band, at most its bound
    (codes made) unless that bound is `dropped`."""
    ranges: dict[Key, _Range] = {}
    for key, n in family.counts.items():
        if isinstance(key, str) and key in shown:
            ranges[key] = _Range(n, n)
            continue
        low, high = band_range(n, k=k) if isinstance(key, str) else (0, None)
        made = None if key in dropped else family.codes.get(key)
        if made is not None and (high is None or made < high):
            high = made
        ranges[key] = _Range(low, high)
    return ranges


def _narrow_all(family: Family, ranges: dict[Key, _Range], *, shown: frozenset[str]) -> list[Key]:
    """Narrow every sum and its parts until nothing changes; the counts of a sum whose ranges
    stop holding together (one is empty) where they do, else none. Deepest sums first, then the
    other way: what the parts say reaches the top in one pass, and what the top says reaches the
    parts in the next, so a tree settles in a few passes. Ranges that hold together only narrow,
    so this ends."""
    passes = (family.sums, family.sums[::-1])
    turn, changed = 0, True
    while changed:
        changed = False
        for whole, parts in passes[turn % 2]:
            changed |= _narrow(ranges[whole], [ranges[part] for part in parts])
            if any(_empty(ranges[key]) for key in (whole, *parts)):
                return [key for key in (whole, *parts) if key not in shown] or [whole]
        turn += 1
    return []


def _empty(found: _Range) -> bool:
    return found.high is not None and found.low > found.high


def _pinned_cycle_parts(
    holder: _Range, its: Sequence[tuple[tuple[str, int], int | None]], *, k: int
) -> tuple[list[Key], list[Key]]:
    """The cycle parts of a holder of this range pinned to one value from 1 to k−1, and those
    that cannot hold what the holder's least leaves them (contradicted, as `read` says): each
    is at most its codes and the holder's most, and at least what the holder's least leaves
    beyond the others' codes (as `_narrow` would narrow them)."""
    bounded = [made for _key, made in its if made is not None]
    unbounded = len(its) - len(bounded)
    total = sum(bounded)
    found: list[Key] = []
    against: list[Key] = []
    for key, made in its:
        high = holder.high if made is None else made
        if holder.high is not None and high is not None and holder.high < high:
            high = holder.high
        others_unbounded = unbounded - (made is None)
        low = max(0, holder.low - (total - (made or 0))) if others_unbounded == 0 else 0
        if high == low and 0 < low < k:
            found.append(key)
        elif high is not None and low > high:
            against.append(key)
    return found, against


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


def to_hide(family: Family, found: Key, *, shown: frozenset[str]) -> str | None:
    """The shown group to hide next because `found` is pinned: the smallest shown part of the
    sum that holds it (its range then has no top, and the sum no longer meets its parts' least),
    or, with none, that sum itself, and so on up; None when nothing shown is left to hide.

    A part that is hidden but whose own shown parts add up to it is as good as shown: the
    smallest of those (the shown groups nearest below it) is a part of the sum too. Without
    them, a pin below one of the viewer's own units climbed to that unit and hid it, where
    hiding a smaller group beside the pin's way up would have done (an organisation admin lost
    the organisation's figures to a team of 1 beside a team of 5)."""
    key = found
    while key in family.parent:
        above = family.parent[key]
        beside = [part for part in family.parts[above] if part != key]
        candidates = [part for part in beside if isinstance(part, str) and part in shown]
        candidates += [
            group
            for part in beside
            if part not in shown
            for group in _shown_below(family, part, shown)
        ]
        if candidates:
            return min(candidates, key=lambda part: (family.counts[part], part))
        if above in shown:
            return above
        key = above
    return None


def _shown_below(family: Family, key: Key, shown: frozenset[str]) -> list[str]:
    """The shown groups nearest below `key` (a hidden part): those whose counts read it."""
    found: list[str] = []
    for part in family.parts.get(key, ()):
        if isinstance(part, str) and part in shown:
            found.append(part)
        else:
            found += _shown_below(family, part, shown)
    return found
