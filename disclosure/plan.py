"""What one viewer may see of one scope: every decision the disclosure engine takes, as data.

A plan is worked out for the whole of a viewer's *family*: every group whose figures some page,
chart, export or count in their reach can show (the units they reach and the units above them,
whose markers they see). Releases are added one at a time in a fixed priority order, each only if
the atoms of everything released so far keep 0 or at least k responses (see `atoms`). Because
the plan covers every entry point at once and does not depend on which page asked first, the
same figure gets the same decision on every page, export and call, whatever order they come in.

Priority, highest first:
1. response counts, group by group: the viewer's own units first, then the units below them
   (top down, larger siblings first, so the smallest ones are the ones hidden), then the units
   above them (innermost first: a team manager's own team comes before its service's marker);
2. domain figures, in the same group order; then outcome figures (outcome statements' domains,
   shown apart from the conditions), in the same group order, so that an outcome can never hide
   a condition;
3. statement figures, in the same group order, statements with more answers first;
4. breakdowns by demographic answers (`plan_breakdowns`): every value of every field at every
   group (teams before the units above them), then pairs of fields, then all three.
Nothing later can hide anything earlier: a breakdown can never blank a page's main figures.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from itertools import combinations
from threading import Lock
from typing import Any, TypeVar, cast

from disclosure.atoms import CellSize, Partition
from disclosure.bands import family_of, read, to_hide

T = TypeVar("T")
Demographics = tuple[str, ...]  # one value per breakdown field, "" where not given
Breakdown = tuple[tuple[int, str], ...]  # (field index, value) pairs, field order


class Hidden(StrEnum):
    """Why a figure is not shown."""

    FEWER_THAN_K = "fewer"  # the group itself has fewer than k responses
    PROTECTS_OTHERS = "protects"  # shown, it would let a smaller group be worked out
    NO_RESPONSES = "none"
    # a domain that k or more answered, but fewer than k answered enough of to have its score
    FEW_SCORED = "few-scored"


@dataclass(frozen=True)
class PlanInput:
    """The counts a plan is decided from, for one scope and one viewer.

    `responses`: responses per node (a team, or a bucket of teams outside the viewer's reach)
    and cycle; `answers`: answers per node, cycle and statement (responses to different cycles
    are different people's, which lets a pool of pulses that asked different statements count
    its responses); `order`: the family's groups (unit paths) in priority order;
    `statement_domains`: each statement's domain, in `domain_order`; `answer_counts`: per node,
    cycle and domain, how many of the domain's statements each response there answered (the
    distinct numbers; see `decide` for why); `outcome_order`: the outcome domains, decided
    exactly as domains are, after every domain of `domain_order`; `codes`: codes made per node
    and cycle, which bound its responses (`disclosure.bands`; only the viewer's own teams' are
    read); `scored`: per node, cycle and domain, the responses with a domain score (those that
    answered at least half of the domain's statements), the people a domain mean covers.

    `answer_counts` and `scored` are None when they were not read: `decide` then refuses to
    decide what needs them (statements, domains) rather than release a mean unchecked.
    """

    k: int
    order: Sequence[str]
    responses: Mapping[tuple[str, int], int]
    answers: Mapping[tuple[str, int, str], int]
    statement_domains: Mapping[str, Hashable]
    domain_order: Sequence[Hashable]
    step: int
    answer_counts: Mapping[tuple[str, int, Hashable], frozenset[int]] | None = None
    outcome_order: Sequence[Hashable] = ()
    codes: Mapping[tuple[str, int], int] = field(default_factory=dict)
    scored: Mapping[tuple[str, int, Hashable], int] | None = None

    @cached_property
    def key(self) -> Hashable:
        """Everything a plan depends on, as one hashable value (for remembering plans)."""
        # Sets of items rather than sorted tuples: the same information, without the sort.
        return (
            self.k,
            self.step,
            _items(self.answer_counts),
            tuple(self.order),
            frozenset(self.responses.items()),
            frozenset(self.answers.items()),
            frozenset(self.statement_domains.items()),
            tuple(self.domain_order),
            tuple(self.outcome_order),
            frozenset(self.codes.items()),
            _items(self.scored),
        )

    @cached_property
    def group_key(self) -> Hashable:
        """Everything the groups' decisions depend on (see `decide_groups`)."""
        return (
            self.k,
            self.step,
            tuple(self.order),
            frozenset(self.responses.items()),
            frozenset(self.codes.items()),
        )

    def nodes_under(self) -> dict[str, list[str]]:
        """Group path → the nodes below it (the nodes are never above a family group)."""
        wanted = set(self.order)
        under: dict[str, list[str]] = {path: [] for path in self.order}
        nodes = {node for node, _ in self.responses} | {node for node, _, _ in self.answers}
        for node in nodes:
            for end in range(self.step, len(node) + 1, self.step):
                if node[:end] in wanted:
                    under[node[:end]].append(node)
        return under


@dataclass
class Plan:
    """The decisions: None for shown, or why not. Groups outside the family are absent."""

    k: int
    groups: dict[str, Hidden | None] = field(default_factory=dict)
    domains: dict[tuple[str, Hashable], Hidden | None] = field(default_factory=dict)
    statements: dict[tuple[str, str], Hidden | None] = field(default_factory=dict)
    statements_planned: bool = False
    # statements shown with their shares but not their mean (see `decide`)
    means_hidden: set[tuple[str, str]] = field(default_factory=set)

    def group(self, path: str) -> Hidden | None:
        return self.groups.get(path, Hidden.PROTECTS_OTHERS)

    def domain(self, path: str, domain: Hashable) -> Hidden | None:
        return self.domains.get((path, domain), self.group(path) or Hidden.NO_RESPONSES)

    def statement(self, path: str, code: str) -> Hidden | None:
        return self.statements.get((path, code), self.group(path) or Hidden.NO_RESPONSES)


def _items(counts: Mapping[Any, Any] | None) -> frozenset[Any] | None:
    return None if counts is None else frozenset(counts.items())


def _release(partition: Partition[Any], cells: list[Any], *, alone: bool = False) -> Hidden | None:
    if not cells:
        return Hidden.NO_RESPONSES
    if partition.try_add(cells, alone=alone):
        return None
    return Hidden.PROTECTS_OTHERS if partition.covers_k(cells) else Hidden.FEWER_THAN_K


def _release_domain(answers: Partition[Any], cells: list[Any]) -> Hidden | None:
    """A domain's figures: its shares are counts of the answers to its statements, its mean
    averages the domain scores of the responses that have one (answered at least half of its
    statements), so its cells are checked by both (`answers.means`). A mean with responses that
    answered too few to be scored is a smaller group's than its shares': 6 people answering a
    domain of whom 1 has a score would show that one's score."""
    if not cells:
        return Hidden.NO_RESPONSES
    if answers.try_add(cells):
        return None
    if not answers.covers_k(cells):
        return Hidden.FEWER_THAN_K
    return Hidden.PROTECTS_OTHERS if answers.means_allow(cells) else Hidden.FEW_SCORED


def response_cells(data: PlanInput) -> dict[tuple[str, int], CellSize]:
    return {key: CellSize(key, n) for key, n in data.responses.items()}


def _decide_groups(data: PlanInput, under: Mapping[str, list[str]]) -> dict[str, Hidden | None]:
    """The response counts, group by group: the first releases, which nothing later changes.
    They depend on `responses`, `codes` and `order` only (a node with answers but no responses
    adds no response cell).

    Where the bands of the hidden counts and the codes made would pin some of them beside the
    shown counts, or where a bound below the responses would contradict them (`disclosure.bands`),
    more groups are hidden, for each such count the smallest shown group beside it, and the
    counts are decided again, until none is pinned or contradicted. A count the bands and codes
    pin (or contradict) with nothing shown at all cannot be helped by hiding, and is left
    (docs/anonymity.md); but a count contradicted alone whose own bound the shown counts would
    show wrong (`Reading.broken`), where nothing shown does not, is hidden for.

    Only the viewer's own teams' codes count: the ones the cycle page shows them
    (`disclosure.bands.family_of`)."""
    family = family_of(data.order, under, data.responses, step=data.step, codes=data.codes)
    alone = read(family, shown=frozenset(), k=data.k)
    pinned_alone, contradicted_alone = set(alone.pinned), set(alone.contradicted)
    broken_alone = set(alone.broken)
    hidden: set[str] = set()
    while True:
        groups = _release_groups(data, under, hidden)
        shown = frozenset(path for path, reason in groups.items() if reason is None)
        reading = read(family, shown=shown, k=data.k)
        found = [key for key in reading.pinned if key not in pinned_alone]
        found += [key for key in reading.contradicted if key not in contradicted_alone]
        found += [key for key in reading.broken if key not in broken_alone]
        more = {path for key in found if (path := to_hide(family, key, shown=shown)) is not None}
        if not more:
            return groups
        hidden |= more


def _release_groups(
    data: PlanInput, under: Mapping[str, list[str]], hidden: Collection[str]
) -> dict[str, Hidden | None]:
    """The response counts in priority order, none of the `hidden` groups released."""
    groups: dict[str, Hidden | None] = {}
    counts = Partition(response_cells(data), k=data.k)
    cycles_of: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for node, cycle in data.responses:
        cycles_of[node].append((node, cycle))
    for path in data.order:
        cells = [key for node in under[path] for key in cycles_of[node]]
        if path in hidden:
            groups[path] = Hidden.PROTECTS_OTHERS if counts.covers_k(cells) else Hidden.FEWER_THAN_K
        else:
            groups[path] = _release(counts, cells)
    return groups


def decide_groups(data: PlanInput) -> Plan:
    """The plan's group decisions alone (no domain or statement decided): equal to
    `decide(data, ...).groups`, for pages that only ask whether a group's figures are shown
    and read its count."""
    return Plan(k=data.k, groups=_decide_groups(data, data.nodes_under()))


def decide(data: PlanInput, *, with_statements: bool) -> Plan:
    """The viewer's plan for one scope (see the module's docstring for the order)."""
    if data.scored is None and (data.domain_order or data.outcome_order):
        raise ValueError("deciding domains needs `scored`: the responses each mean covers")
    if data.answer_counts is None and with_statements:
        raise ValueError("deciding statements needs `answer_counts`: who answered how many")
    plan = Plan(k=data.k, statements_planned=with_statements)
    under = data.nodes_under()
    plan.groups = _decide_groups(data, under)

    by_domain: dict[Hashable, list[str]] = defaultdict(list)
    for code, domain in data.statement_domains.items():
        by_domain[domain].append(code)
    asked: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    for (node, cycle, code), n in data.answers.items():
        if n:
            asked[node].append((cycle, code, n))

    # Domains first, on one cell per node, cycle and domain: its size is the largest of its
    # statements', so every set of them counts exactly as its statements' cells would.
    largest: dict[tuple[str, int, Hashable], int] = defaultdict(int)
    for (node, cycle, code), n in data.answers.items():
        key = (node, cycle, data.statement_domains.get(code))
        if n > largest[key]:
            largest[key] = n
    answers: Partition[Any] = Partition(
        {key: CellSize(key[:2], n) for key, n in largest.items()},
        k=data.k,
        means={key: CellSize(key[:2], data.scored.get(key, 0)) for key in largest}
        if data.scored is not None
        else None,
    )
    domain_cells: dict[str, dict[Hashable, list[tuple[str, int, Hashable]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for node, cycle, domain in largest:
        domain_cells[node][domain].append((node, cycle, domain))
    for domains in (data.domain_order, data.outcome_order):
        for path in data.order:
            reason = plan.groups[path]
            for domain in domains:
                if reason:
                    plan.domains[(path, domain)] = reason
                    continue
                cells = [
                    cell for node in under[path] for cell in domain_cells[node].get(domain, ())
                ]
                plan.domains[(path, domain)] = _release_domain(answers, cells)
    if not with_statements:
        return plan

    answers.refine(
        (
            (node, cycle, data.statement_domains.get(code)),
            (node, cycle, code),
            CellSize((node, cycle), n),
        )
        for (node, cycle, code), n in data.answers.items()
        if n
    )

    by_statement: dict[str, dict[str, list[tuple[str, int, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for node, entries in asked.items():
        for cycle, code, _ in entries:
            by_statement[node][code].append((node, cycle, code))

    def cells_of(path: str, code: str) -> list[tuple[str, int, str]]:
        return [cell for node in under[path] for cell in by_statement[node][code]]

    # A domain mean averages each response's own domain score, so the answers of someone who
    # skipped a statement weigh more than others'. Beside the sums of every statement of the
    # domain, such a mean would give the skippers' answers away; statement means are shown only
    # for groups whose responses all answered the same number of the domain's statements, where
    # the domain mean is a fixed multiple of the statements' sums and tells nothing more.
    # Elsewhere a statement shows its red/amber/green shares (counts, not sums) without a mean.
    mixed: set[tuple[str, Hashable]] = set()
    counts_under: dict[tuple[str, Hashable], set[int]] = defaultdict(set)
    for (node, _cycle, domain), numbers in (data.answer_counts or {}).items():
        for end in range(data.step, len(node) + 1, data.step):
            counts_under[(node[:end], domain)] |= numbers
    for group_domain, found in counts_under.items():
        if len(found) > 1:
            mixed.add(group_domain)

    for path in data.order:
        totals: dict[str, int] = defaultdict(int)
        for node in under[path]:
            for _cycle, code, n in asked.get(node, ()):
                totals[code] += n
        for domain in (*data.domain_order, *data.outcome_order):
            domain_reason = plan.domains[(path, domain)]
            codes = sorted(by_domain[domain], key=lambda c: (-totals.get(c, 0), c))
            if (path, domain) in mixed:
                plan.means_hidden.update((path, code) for code in codes)
            for code in codes:
                plan.statements[(path, code)] = _statement_reason(
                    answers, cells_of(path, code), domain_reason
                )
    return plan


def _statement_reason(
    answers: Partition[Any], cells: list[Any], domain_reason: Hidden | None
) -> Hidden | None:
    """A statement is released only with its domain, and otherwise hidden for the domain's
    reason, but for a domain hidden for its few scores, which a statement does not have: a
    statement that k or more answered is hidden with it so as not to single them out."""
    if domain_reason is None:
        return _release(answers, cells)
    if domain_reason is Hidden.FEW_SCORED:
        return Hidden.PROTECTS_OTHERS if answers.covers_k(cells) else Hidden.FEWER_THAN_K
    return domain_reason


@dataclass(frozen=True)
class BreakdownInput:
    """Counts by demographic answers, for breakdowns: per node, cycle and combination of
    answers (and statement)."""

    responses: Mapping[tuple[str, int, Demographics], int]
    answers: Mapping[tuple[str, int, Demographics, str], int]
    fields: int  # how many breakdown fields there are
    # responses with a domain score, per node, cycle, combination of answers and domain (None:
    # not read, and `plan_breakdowns` refuses to decide domains without them)
    scored: Mapping[tuple[str, int, Demographics, Hashable], int] | None = None

    @cached_property
    def key(self) -> Hashable:
        return (
            self.fields,
            frozenset(self.responses.items()),
            frozenset(self.answers.items()),
            _items(self.scored),
        )


@dataclass(frozen=True)
class BreakdownDecision:
    group: Hidden | None
    domains: dict[Hashable, Hidden | None]
    responses: int


def _release_breakdown_domain(
    answers: Partition[Any],
    means: Partition[Any],
    answer_cells: list[Any],
    scored_cells: list[Any],
) -> Hidden | None:
    """A breakdown's domain figures, checked as `_release_domain` checks a group's: its shares
    on the answers' cells, its mean on the cells of the responses with a domain score."""
    if not answer_cells:
        return Hidden.NO_RESPONSES
    release_answers = answers.check(answer_cells, alone=True)
    release_means = means.check(scored_cells, alone=True)  # no cells: nothing to release
    if release_answers is not None and release_means is not None:
        release_answers()
        release_means()
        return None
    if not answers.covers_k(answer_cells):
        return Hidden.FEWER_THAN_K
    few_scored = 0 < means.size_of(scored_cells) < means.k
    return Hidden.FEW_SCORED if few_scored else Hidden.PROTECTS_OTHERS


def _matches(values: Demographics, breakdown: Breakdown) -> bool:
    return all(values[index] == value for index, value in breakdown)


def breakdown_order(
    fine: BreakdownInput, groups: Sequence[str], under: Mapping[str, list[str]]
) -> list[tuple[str, Breakdown]]:
    """Every breakdown a viewer could ask for, in priority order: single fields at every group
    (values with more responses first), then pairs of fields, then all of them; teams before
    the units above them, because a unit's breakdown that cuts across its teams' figures can be
    allowed only once for those figures, while a team's cuts only its own."""
    order: list[tuple[str, Breakdown]] = []
    position = {path: index for index, path in enumerate(groups)}
    deepest_first = sorted(groups, key=lambda p: (-len(p), position[p]))
    for size in range(1, fine.fields + 1):
        for path in deepest_first:
            nodes = set(under[path])
            tallies: dict[Breakdown, int] = defaultdict(int)
            for (node, _cycle, values), n in fine.responses.items():
                if node not in nodes or not n:
                    continue
                for chosen in combinations(range(fine.fields), size):
                    if all(values[i] for i in chosen):
                        tallies[tuple((i, values[i]) for i in chosen)] += n
            order.extend(
                (path, breakdown)
                for breakdown in sorted(tallies, key=lambda b: ([i for i, _ in b], -tallies[b], b))
            )
    return order


def plan_breakdowns(
    data: PlanInput,
    plan: Plan,
    fine: BreakdownInput,
    *,
    groups: Sequence[str],
    wanted: tuple[str, Breakdown],
) -> BreakdownDecision:
    """Whether a breakdown of a group may be shown: every breakdown the viewer could ask for is
    decided, in priority order, and this one looked up (a breakdown nobody gave is hidden).

    `plan` must be the viewer's plan with statements (`decide(..., with_statements=True)`);
    `groups` are the family's groups a breakdown can be asked for.
    """
    key = ("breakdowns", data.key, fine.key, tuple(groups))
    table = _plans.get_or_compute(key, lambda: decide_breakdowns(data, plan, fine, groups=groups))
    found = table.get(wanted)
    if found is not None:
        return found
    return BreakdownDecision(
        Hidden.NO_RESPONSES, dict.fromkeys(data.domain_order, Hidden.NO_RESPONSES), 0
    )


def decide_breakdowns(
    data: PlanInput, plan: Plan, fine: BreakdownInput, *, groups: Sequence[str]
) -> dict[tuple[str, Breakdown], BreakdownDecision]:
    """Every breakdown of the family's `groups`, decided in priority order after the plan's own
    releases are replayed on the finer cells."""
    if fine.scored is None and data.domain_order:
        raise ValueError("deciding a breakdown's domains needs `scored`")
    decisions: dict[tuple[str, Breakdown], BreakdownDecision] = {}
    under = data.nodes_under()
    counts = Partition(
        {key: CellSize(key, n) for key, n in fine.responses.items()},
        k=data.k,
    )
    answers = Partition(
        {
            (node, cycle, values, code): CellSize((node, cycle, values), n)
            for (node, cycle, values, code), n in fine.answers.items()
        },
        k=data.k,
    )
    # Here the answers' cells are statements', so the means' (domains') are a partition apart.
    means: Partition[Any] = Partition(
        {key: CellSize(key[:-1], n) for key, n in (fine.scored or {}).items()}, k=data.k
    )
    scored_index: dict[str, dict[Hashable, list[tuple[int, Demographics]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for node, cycle, values, domain in means.sizes:
        scored_index[node][domain].append((cycle, values))
    response_index: dict[str, list[tuple[str, int, Demographics]]] = defaultdict(list)
    for (node, cycle, values), n in fine.responses.items():
        if n:
            response_index[node].append((node, cycle, values))
    answer_index: dict[str, dict[Demographics, dict[str, list[int]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    for (node, cycle, values, code), n in fine.answers.items():
        if n:
            answer_index[node][values][code].append(cycle)
    by_domain: dict[Hashable, set[str]] = defaultdict(set)
    for code, domain in data.statement_domains.items():
        by_domain[domain].add(code)

    def response_set(path: str, breakdown: Breakdown = ()) -> list[tuple[str, int, Demographics]]:
        return [
            cell
            for node in under[path]
            for cell in response_index[node]
            if _matches(cell[2], breakdown)
        ]

    def answer_set(
        path: str, codes: set[str], breakdown: Breakdown = ()
    ) -> list[tuple[str, int, Demographics, str]]:
        return [
            (node, cycle, values, code)
            for node in under[path]
            for values, by_code in answer_index[node].items()
            if _matches(values, breakdown)
            for code in codes
            for cycle in by_code.get(code, ())
        ]

    for path, reason in plan.groups.items():
        if reason is None:
            counts.add(response_set(path))

    def scored_set(
        path: str, domain: Hashable, breakdown: Breakdown = ()
    ) -> list[tuple[str, int, Demographics, Hashable]]:
        return [
            (node, cycle, values, domain)
            for node in under[path]
            for cycle, values in scored_index[node].get(domain, ())
            if _matches(values, breakdown)
        ]

    for (path, domain), reason in plan.domains.items():
        if reason is None:
            answers.add(answer_set(path, by_domain[domain]))
            means.add(scored_set(path, domain))
    for (path, code), reason in plan.statements.items():
        if reason is None:
            answers.add(answer_set(path, {code}))

    for path, breakdown in breakdown_order(fine, groups, under):
        cells = response_set(path, breakdown)
        group_reason = plan.group(path) if plan.group(path) else _release(counts, cells, alone=True)
        domains: dict[Hashable, Hidden | None] = {}
        for domain in data.domain_order:
            domains[domain] = (
                group_reason
                if group_reason
                else _release_breakdown_domain(
                    answers,
                    means,
                    answer_set(path, by_domain[domain], breakdown),
                    scored_set(path, domain, breakdown),
                )
            )
        decisions[(path, breakdown)] = BreakdownDecision(
            group_reason, domains, counts.size_of(cells)
        )
    return decisions


# -- remembering decisions ----------------------------------------------------------------------
# A plan is a pure function of its counts, so a process keeps the last few it worked out: the
# pages of one viewer and scope (and every breakdown of them) then cost one decision, until a
# new response changes the counts and so the key.

CACHE_SIZE = 32


class _Key:
    """A cache key that hashes its (large) value once, not at every look-up."""

    __slots__ = ("_hash", "value")

    def __init__(self, value: Hashable) -> None:
        self.value = value
        self._hash = hash(value)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and self._hash == other._hash and self.value == other.value


class Remembered:
    """The last `size` results of a pure computation, by the value it was computed from.

    Thread-safe: threaded servers (runserver, gthread workers) share a process's memory. Two
    threads asking for the same missing value may both compute it; both get equal results.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[_Key, tuple[_Key, Any]] = OrderedDict()
        self._lock = Lock()

    def get_or_compute(self, value: Hashable, compute: Callable[[], T]) -> T:
        key = _Key(value)
        found = self._recall(key)
        if found is not None:
            return cast(T, found[1])
        result = compute()
        self._keep(key, result)
        return result

    def get(self, value: Hashable) -> Any | None:
        """The result remembered for `value`, or None."""
        found = self._recall(_Key(value))
        return None if found is None else found[1]

    def put(self, value: Hashable, result: Any) -> None:
        self._keep(_Key(value), result)

    def _recall(self, key: _Key) -> tuple[_Key, Any] | None:
        with self._lock:
            found = self._entries.get(key)  # the one full comparison of a (large) key
            if found is not None:
                self._entries.move_to_end(found[0])  # the stored key itself: found by identity
            return found

    def _keep(self, key: _Key, result: Any) -> None:
        with self._lock:
            self._entries[key] = (key, result)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_plans = Remembered(CACHE_SIZE)


def decide_remembered(data: PlanInput, *, with_statements: bool) -> Plan:
    """`decide`, remembered for the same counts (see above)."""
    return _plans.get_or_compute(
        ("plan", data.key, with_statements),
        lambda: decide(data, with_statements=with_statements),
    )


def decide_groups_remembered(data: PlanInput) -> Plan:
    """`decide_groups`, remembered for the same counts."""
    return _plans.get_or_compute(("groups", data.group_key), lambda: decide_groups(data))


def stable_digest(value: Hashable) -> str:
    """A digest of a value built of tuples, strings, numbers, booleans and None that is the same
    in every process (Python's own hashes of strings differ from one process to the next), for
    naming a remembered plan in a cache that several processes share."""
    return hashlib.sha256(repr(value).encode()).hexdigest()
