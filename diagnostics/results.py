"""Results: figures aggregated in SQL, rolled up the tree, and passed through anonymity.

The database aggregates responses to one row per team, cycle and domain (and, when asked, per
team, cycle and statement); units add up their teams' tallies; `diagnostics.scoring.figures_of`
turns a tally into figures and `diagnostics.anonymity` decides which figures may be shown. The
number of queries does not depend on the number of teams.

A *scope* is a set of cycles whose responses are read together: one full cycle, or the pulses
pooled over a window. Anonymity is always worked out over the whole organisation's tree, then
each viewer sees the part in their reach.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property
from itertools import combinations
from typing import Any

from django.db import connection
from django.db.models import Case, CharField, Count, F, Model, Q, Sum, When
from django.db.models.functions import Substr
from django.utils import timezone

from diagnostics.anonymity import (
    FilterRefused,
    TreeNode,
    check_filter,
    effective_k,
    filter_subsets,
    nested_view,
    suppress_tree,
)
from diagnostics.models import (
    Answer,
    Cycle,
    CycleStatement,
    Domain,
    DomainScore,
    DomainTally,
    Response,
    StatementTally,
    TeamTally,
)
from diagnostics.scoring import (
    EMPTY_TALLY,
    Figures,
    Tally,
    conditions_index,
    figures_of,
)
from organisations.access import Reach
from organisations.models import Organisation, Role, Unit

DEMOGRAPHIC_FIELDS = ("role_group", "service_length", "working_pattern")


@dataclass(frozen=True)
class Scope:
    """The cycles whose responses one result covers, and a label for it."""

    key: str
    label: str
    cycle_ids: frozenset[int]
    kind: str = Cycle.Kind.FULL
    starts_on: date | None = None
    ends_on: date | None = None
    pulses_here: int | None = None  # of a pool, the pulses the unit in view took part in

    @property
    def pulse_count(self) -> int:
        return self.pulses_here if self.pulses_here is not None else len(self.cycle_ids)

    @property
    def full_label(self) -> str:
        """The label, with how many pulses a pooled scope holds."""
        if self.kind != Cycle.Kind.PULSE:
            return self.label
        count = self.pulse_count
        return f"{self.label} (pooled over {count} pulse{'' if count == 1 else 's'})"


def cycle_scope(cycle: Cycle) -> Scope:
    return Scope(
        key=f"cycle-{cycle.pk}",
        label=cycle.name,
        cycle_ids=frozenset({cycle.pk}),
        kind=cycle.kind,
        starts_on=cycle.opens_on,
        ends_on=cycle.closes_on,
    )


def pulse_period(opens_on: date, *, window_days: int, periods_from: date) -> tuple[date, date]:
    """The pooling period a pulse opening on `opens_on` belongs to: first and last day."""
    index = (opens_on - periods_from).days // window_days
    start = periods_from + timedelta(days=index * window_days)
    return start, start + timedelta(days=window_days - 1)


def _period_label(start: date, end: date) -> str:
    first = f"{start.day} {start:%b}" + ("" if start.year == end.year else f" {start.year}")
    return f"Pulses {first} – {end.day} {end:%b %Y}"


def pooled_pulse_scopes(
    pulses: Sequence[Cycle], *, window_days: int, periods_from: date
) -> list[Scope]:
    """The organisation's pulses pooled by period, oldest first: one scope per period of
    `window_days` days that holds a pulse, each pulse in the period in which it opened.

    Pooling lets small teams reach the threshold (§5). The periods follow each other from
    `periods_from` (the day the organisation was set up) without overlapping, and a pulse never
    changes period, so no two pooled results differ by a small group: overlapping windows, one
    ending at each pulse, would (9 responses pooled to October and 10 to November give away
    November's one). Pass every opened pulse of the organisation, so that a period pools the
    same pulses on every page.
    """
    by_period: dict[tuple[date, date], list[Cycle]] = {}
    for pulse in pulses:
        period = pulse_period(pulse.opens_on, window_days=window_days, periods_from=periods_from)
        by_period.setdefault(period, []).append(pulse)
    return [
        Scope(
            key=f"pooled-{start.isoformat()}",
            label=_period_label(start, end),
            cycle_ids=frozenset(p.pk for p in by_period[start, end]),
            kind=Cycle.Kind.PULSE,
            starts_on=start,
            ends_on=end,
        )
        for start, end in sorted(by_period)
    ]


def periods_from(organisation: Organisation) -> date:
    """The first day of the organisation's first pooling period: the day it was set up."""
    return timezone.localdate(organisation.created_at)


def pulse_period_of(organisation: Organisation, opens_on: date) -> tuple[date, date]:
    """The organisation's pooling period holding a pulse that opens on `opens_on`."""
    return pulse_period(
        opens_on,
        window_days=organisation.pulse_window_days,
        periods_from=periods_from(organisation),
    )


def pulse_pools(organisation: Organisation) -> list[Scope]:
    """Every opened pulse of the organisation, pooled by period (one query)."""
    pulses = (
        Cycle.objects.filter(organisation=organisation, kind=Cycle.Kind.PULSE)
        .exclude(status=Cycle.Status.DRAFT)
        .only("pk", "opens_on")
    )
    return pooled_pulse_scopes(
        list(pulses),
        window_days=organisation.pulse_window_days,
        periods_from=periods_from(organisation),
    )


def pools_taking_part(pools: Sequence[Scope], cycles: Sequence[Cycle]) -> list[Scope]:
    """The pools holding at least one of these cycles (a unit's pulses), oldest first."""
    wanted = {c.pk for c in cycles if c.kind == Cycle.Kind.PULSE}
    return [
        replace(scope, pulses_here=len(scope.cycle_ids & wanted))
        for scope in pools
        if scope.cycle_ids & wanted
    ]


def scope_of(cycle: Cycle) -> Scope:
    """What a page or export about one cycle covers: the cycle itself, or for a pulse the pool
    that holds it, so that a pulse is only ever shown pooled (one query for a pulse)."""
    if cycle.kind != Cycle.Kind.PULSE:
        return cycle_scope(cycle)
    return pool_of(cycle, pulse_pools(cycle.organisation))


def cycle_label(cycle: Cycle, scope: Scope) -> str:
    """The cycle's name, and for a pulse the pool shown in its place."""
    if cycle.kind != Cycle.Kind.PULSE:
        return cycle.name
    return f"{cycle.name}: {scope.full_label}"


def pool_of(cycle: Cycle, pooled: Sequence[Scope]) -> Scope:
    """The pooled scope that holds this pulse; a draft, in no pool and with no responses, alone."""
    return next((scope for scope in pooled if cycle.pk in scope.cycle_ids), cycle_scope(cycle))


def _demographic_q(filters: Mapping[str, str], prefix: str = "") -> Q:
    condition = Q()
    for name, value in filters.items():
        if name not in DEMOGRAPHIC_FIELDS:
            raise FilterRefused(f"Unknown breakdown “{name}”.")
        condition &= Q(**{f"{prefix}{name}": value})
    return condition


@dataclass
class Aggregates:
    """Counts and tallies from SQL, per cycle, by node: a team, or with a focus, a bucket
    (a unit whose parent is on the focus chain, holding all the teams below it)."""

    responses: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    domains: dict[int, list[tuple[str, int, Tally]]] = field(default_factory=dict)
    statements: dict[int, list[tuple[str, str, Tally]]] = field(default_factory=dict)
    _rolled: dict[tuple[str, int], dict[tuple[str, Any], list[Any]]] = field(
        default_factory=dict, repr=False
    )

    def rolled_up(self, kind: str, cycle_id: int) -> dict[tuple[str, Any], list[Any]]:
        """One cycle's tallies summed up the tree: (unit path, domain id or statement code) →
        [responses, score total, red, amber, green]. Computed once per cycle and shared by
        every scope that includes the cycle."""
        cached = self._rolled.get((kind, cycle_id))
        if cached is not None:
            return cached
        table = self.domains if kind == "domains" else self.statements
        sums: dict[tuple[str, Any], list[Any]] = {}
        step = Unit.steplen
        for node, key, tally in table.get(cycle_id, ()):
            for end in range(step, len(node) + 1, step):
                total = sums.get((node[:end], key))
                if total is None:
                    sums[(node[:end], key)] = [
                        tally.responses,
                        tally.score_total,
                        tally.red,
                        tally.amber,
                        tally.green,
                    ]
                else:
                    total[0] += tally.responses
                    total[1] += tally.score_total
                    total[2] += tally.red
                    total[3] += tally.amber
                    total[4] += tally.green
        self._rolled[(kind, cycle_id)] = sums
        return sums


def focus_chain(focus: Sequence[Unit]) -> set[str]:
    """Every focus unit and its ancestors: the only nodes whose figures a view asks for, with
    their children (the buckets)."""
    chain: set[str] = set()
    for unit in focus:
        chain.update(unit.ancestor_paths())
        chain.add(unit.path)
    return chain


def _bucket(focus: Sequence[Unit] | None, path_field: str) -> Any:
    """The node each team's rows add up under: itself, or the child of the deepest focus-chain
    unit above it. Siblings along the chain are all that complementary suppression needs."""
    if not focus:
        return F(path_field)
    whens = [
        When(
            **{f"{path_field}__startswith": path},
            then=Substr(path_field, 1, len(path) + Unit.steplen),
        )
        for path in sorted(focus_chain(focus), key=len, reverse=True)
    ]
    return Case(*whens, default=F(path_field), output_field=CharField())


def _by_cycle(rows: Iterable[tuple[Any, ...]]) -> dict[int, list[tuple[Any, ...]]]:
    grouped: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for cycle_id, *rest in rows:
        grouped[cycle_id].append(tuple(rest))
    return grouped


def aggregate(
    cycle_ids: Iterable[int],
    *,
    filters: Mapping[str, str] | None = None,
    with_statements: bool = False,
    statement_cycle_ids: Iterable[int] | None = None,
    focus: Sequence[Unit] | None = None,
    units: Sequence[Unit] | None = None,
) -> Aggregates:
    """Two or three grouped queries, whatever the number of teams.

    Without demographic filters the running tallies (kept at submission) are summed; with
    filters, the per-response rows. Statement tallies are read for `statement_cycle_ids`
    (default: all the cycles) when `with_statements` is set.
    """
    cycle_ids = list(cycle_ids)
    filters = filters or {}
    result = Aggregates()
    if not cycle_ids:
        return result
    statement_cycles = cycle_ids if statement_cycle_ids is None else list(statement_cycle_ids)
    # Grouped value querysets over either the raw rows or the tallies.
    responses: Any
    domains: Any
    statements: Any
    if filters:
        responses = (
            Response.objects.filter(cycle_id__in=cycle_ids, **_filter_kwargs(filters, ""))
            .annotate(node=_bucket(focus, "team__path"))
            .values("cycle_id", "node")
            .annotate(n=Count("pk"))
        )
        domains = (
            DomainScore.objects.filter(
                cycle_id__in=cycle_ids, **_filter_kwargs(filters, "response__")
            )
            .annotate(node=_bucket(focus, "team__path"))
            .values("cycle_id", "node", "domain_id")
            .annotate(
                scored=Count("score"),
                total=Sum("score"),
                red=Sum("red"),
                amber=Sum("amber"),
                green=Sum("green"),
            )
        )
        statements = (
            Answer.objects.filter(
                response__cycle_id__in=statement_cycles, **_filter_kwargs(filters, "response__")
            )
            .annotate(node=_bucket(focus, "response__team__path"), cycle_id=F("response__cycle_id"))
            .values("cycle_id", "node", "statement__code")
            .annotate(
                answered=Count("pk"),
                total=Sum("score"),
                red=Count("pk", filter=Q(score__lte=2)),
                amber=Count("pk", filter=Q(score__gte=3, score__lte=4)),
                green=Count("pk", filter=Q(score__gte=5)),
            )
        )
    else:
        return _aggregate_tallies(
            cycle_ids,
            statement_cycles if with_statements else [],
            _node_mapping(focus, cycle_ids, units),
        )
    result.responses = _by_cycle(
        (row["cycle_id"], row["node"], row["n"]) for row in responses.order_by()
    )
    result.domains = _by_cycle(
        (
            row["cycle_id"],
            row["node"],
            row["domain_id"],
            Tally(
                responses=row["scored"] or 0,
                score_total=row["total"] or 0.0,
                red=row["red"] or 0,
                amber=row["amber"] or 0,
                green=row["green"] or 0,
            ),
        )
        for row in domains.order_by()
    )
    if with_statements:
        result.statements = _by_cycle(
            (
                row["cycle_id"],
                row["node"],
                row["statement__code"],
                Tally(
                    responses=row["answered"] or 0,
                    score_total=float(row["total"] or 0),
                    red=row["red"] or 0,
                    amber=row["amber"] or 0,
                    green=row["green"] or 0,
                ),
            )
            for row in statements.order_by()
        )
    return result


def _node_mapping(
    focus: Sequence[Unit] | None, cycle_ids: Sequence[int], units: Sequence[Unit] | None
) -> list[tuple[int, str]]:
    """(team id, node path) for every team of the cycles' organisation."""
    if units is not None:
        teams = [(unit.pk, unit.path) for unit in units if unit.is_team]
    else:
        teams = list(
            Unit.objects.filter(organisation__cycles__id__in=cycle_ids, is_team=True)
            .distinct()
            .values_list("pk", "path")
        )
    if not focus:
        return list(teams)
    chain = sorted(focus_chain(focus), key=len, reverse=True)
    mapping = []
    for team_id, path in teams:
        deepest = next((c for c in chain if path.startswith(c)), None)
        mapping.append((team_id, path if deepest is None else path[: len(deepest) + Unit.steplen]))
    return mapping


def _aggregate_tallies(
    cycle_ids: Sequence[int], statement_cycle_ids: Sequence[int], mapping: list[tuple[int, str]]
) -> Aggregates:
    """Sum the running tallies by node in the database: one grouped query per table, joined to
    a small table of (team, node) so no per-row expression is evaluated."""
    result = Aggregates()
    if not mapping:
        return result
    quote = connection.ops.quote_name
    nodes = "WITH nodes (team_id, node) AS (VALUES " + ", ".join(["(%s, %s)"] * len(mapping)) + ") "
    node_params: list[Any] = [value for pair in mapping for value in pair]

    def run(
        table: type[Model], key: str, sums: Sequence[str], cycles: Sequence[int]
    ) -> list[tuple[Any, ...]]:
        if not cycles:
            return []
        name = quote(table._meta.db_table)
        key_column = f", t.{quote(key)}" if key else ""
        totals = ", ".join(f"SUM(t.{quote(c)})" for c in sums)
        marks = ", ".join(["%s"] * len(cycles))
        # Table and column names come from the models; every value is a query parameter.
        sql = (
            f"{nodes}SELECT t.cycle_id, nodes.node{key_column}, {totals}"  # noqa: S608  # nosec B608
            f" FROM {name} t JOIN nodes ON nodes.team_id = t.team_id"
            f" WHERE t.cycle_id IN ({marks}) GROUP BY t.cycle_id, nodes.node{key_column}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*node_params, *cycles])
            return cursor.fetchall()

    result.responses = _by_cycle(run(TeamTally, "", ["responses"], cycle_ids))
    result.domains = _by_cycle(
        (cycle, node, domain, Tally(scored, total or 0.0, red, amber, green))
        for cycle, node, domain, scored, total, red, amber, green in run(
            DomainTally, "domain_id", ["scored", "score_total", "red", "amber", "green"], cycle_ids
        )
    )
    codes = dict(
        CycleStatement.objects.filter(cycle_id__in=statement_cycle_ids).values_list(
            "statement_id", "statement__code"
        )
    )
    result.statements = _by_cycle(
        (cycle, node, codes[statement], Tally(answered, float(total), red, amber, green))
        for cycle, node, statement, answered, total, red, amber, green in run(
            StatementTally,
            "statement_id",
            ["answered", "score_total", "red", "amber", "green"],
            statement_cycle_ids,
        )
    )
    return result


def _filter_kwargs(filters: Mapping[str, str], prefix: str) -> dict[str, str]:
    for name in filters:
        if name not in DEMOGRAPHIC_FIELDS:
            raise FilterRefused(f"Unknown breakdown “{name}”.")
    return {f"{prefix}{name}": value for name, value in filters.items()}


@dataclass(frozen=True)
class Cell:
    """One figure as a viewer may see it: `figures` is None when it is suppressed."""

    figures: Figures | None
    n: int

    @property
    def shown(self) -> bool:
        return self.figures is not None


@dataclass(frozen=True)
class GroupResult:
    """A unit's figures over one scope, after anonymity."""

    unit: Unit
    scope: Scope
    k: int
    responses: int | None  # None when suppressed
    domains: dict[str, Cell]  # by domain code
    statements: dict[str, Cell]  # by statement code
    index: int | None
    pulses_pooled: int | None

    @property
    def shown(self) -> bool:
        return self.responses is not None


class OrganisationResults:
    """Every unit's figures for one scope, with the organisation-wide anonymity rules applied.

    Built from one set of aggregates; several scopes can share them (see `ResultsSeries`).
    """

    def __init__(
        self,
        *,
        organisation: Organisation,
        units: Sequence[Unit],
        domains: Sequence[Domain],
        scope: Scope,
        aggregates: Aggregates,
        statement_domains: Mapping[str, str] | None = None,
        focus: Sequence[Unit] | None = None,
    ) -> None:
        self.organisation = organisation
        self.k = effective_k(organisation.anonymity_threshold)
        self.units = {unit.path: unit for unit in units}
        if focus:
            chain = focus_chain(focus)
            self.resolvable = {
                path for path in self.units if path in chain or path[: -Unit.steplen] in chain
            }
        else:
            self.resolvable = set(self.units)
        self.domains = list(domains)
        self.scope = scope
        self._aggregates = aggregates
        self.statement_domains = dict(statement_domains or {})

    # -- totals per unit: sums of the nodes' tallies up the tree --------------------------

    def _ancestor_paths(self, path: str) -> list[str]:
        step = Unit.steplen
        return [path[:i] for i in range(step, len(path) + 1, step)]

    def _rows(self, table: Mapping[int, list[tuple[Any, ...]]]) -> Iterable[tuple[Any, ...]]:
        for cycle_id in self.scope.cycle_ids:
            yield from ((cycle_id, *row) for row in table.get(cycle_id, ()))

    @cached_property
    def response_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for _cycle_id, node, n in self._rows(self._aggregates.responses):
            for path in self._ancestor_paths(node):
                counts[path] += n
        return counts

    @cached_property
    def pulses_by_unit(self) -> dict[str, set[int]]:
        found: dict[str, set[int]] = defaultdict(set)
        for cycle_id, node, n in self._rows(self._aggregates.responses):
            if n:
                for path in self._ancestor_paths(node):
                    found[path].add(cycle_id)
        return found

    def _sum_up(self, kind: str) -> dict[tuple[str, Any], Tally]:
        """The scope's tallies per unit: the sum of its cycles' rolled-up tallies."""
        cycles = [c for c in self.scope.cycle_ids if c in getattr(self._aggregates, kind)]
        if len(cycles) == 1:
            rolled = self._aggregates.rolled_up(kind, cycles[0])
            return {key: Tally(*values) for key, values in rolled.items()}
        sums: dict[tuple[str, Any], list[Any]] = {}
        for cycle_id in cycles:
            for key, values in self._aggregates.rolled_up(kind, cycle_id).items():
                total = sums.get(key)
                if total is None:
                    sums[key] = list(values)
                else:
                    for i in range(5):
                        total[i] += values[i]
        return {key: Tally(*values) for key, values in sums.items()}

    @cached_property
    def domain_tallies(self) -> dict[tuple[str, int], Tally]:
        return defaultdict(lambda: EMPTY_TALLY, self._sum_up("domains"))

    @cached_property
    def statement_tallies(self) -> dict[tuple[str, str], Tally]:
        return defaultdict(lambda: EMPTY_TALLY, self._sum_up("statements"))

    @cached_property
    def statement_codes(self) -> list[str]:
        codes = {row[1] for rows in self._aggregates.statements.values() for row in rows}
        return sorted(codes, key=lambda c: (self.statement_domains.get(c, ""), c))

    # -- anonymity --------------------------------------------------------------------------

    def _tree(self, count_of: Mapping[str, int]) -> dict[str, TreeNode]:
        """The tree over the nodes this view resolves (all units, or the focus chain and the
        children of its units): enough for every decision about those nodes."""
        nodes: dict[str, TreeNode] = {}
        for path in self.resolvable:
            parent = path[: -Unit.steplen] or None
            nodes[path] = TreeNode(
                parent=parent if parent in self.resolvable else None, n=count_of.get(path, 0)
            )
        return nodes

    @cached_property
    def shown_groups(self) -> set[str]:
        return suppress_tree(self._tree(self.response_counts), k=self.k)

    @cached_property
    def _hidden_groups(self) -> set[str]:
        return self.resolvable - self.shown_groups

    @cached_property
    def domain_counts(self) -> dict[int, dict[str, int]]:
        """Domain id → unit path → responses with a score in that domain."""
        counts: dict[int, dict[str, int]] = {domain.pk: {} for domain in self.domains}
        for (path, domain_id), tally in self.domain_tallies.items():
            counts.setdefault(domain_id, {})[path] = tally.responses
        return counts

    @cached_property
    def shown_domains(self) -> dict[int, set[str]]:
        hidden = self._hidden_groups
        if not self.shown_groups:  # nothing is shown at all: no domain figure can be
            return {domain.pk: set() for domain in self.domains}
        return {
            domain_id: suppress_tree(self._tree(counts), k=self.k, forced_hidden=hidden)
            for domain_id, counts in self.domain_counts.items()
        }

    @cached_property
    def shown_statements(self) -> dict[str, set[str]]:
        by_code: dict[str, dict[str, int]] = defaultdict(dict)
        for (path, code), tally in self.statement_tallies.items():
            by_code[code][path] = tally.responses
        return {
            code: suppress_tree(self._tree(counts), k=self.k, forced_hidden=self._hidden_groups)
            for code, counts in by_code.items()
        }

    def manager_view(self, own_teams: Iterable[Unit]) -> ManagerView:
        return ManagerView(self, list(own_teams))

    # -- what a viewer sees -----------------------------------------------------------------

    def group(
        self,
        unit: Unit,
        *,
        shown_groups: set[str] | None = None,
        shown_domains: Mapping[int, set[str]] | None = None,
        shown_statements: Mapping[str, set[str]] | None = None,
    ) -> GroupResult:
        if unit.path not in self.resolvable:
            raise ValueError(f"{unit} is outside this view's focus; load results for it.")
        groups = self.shown_groups if shown_groups is None else shown_groups
        domain_sets = self.shown_domains if shown_domains is None else shown_domains
        statement_sets = self.shown_statements if shown_statements is None else shown_statements
        path = unit.path
        group_shown = path in groups
        domains: dict[str, Cell] = {}
        for domain in self.domains:
            tally = self.domain_tallies.get((path, domain.pk), EMPTY_TALLY)
            visible = group_shown and path in domain_sets.get(domain.pk, set())
            domains[domain.code] = Cell(figures_of(tally) if visible else None, tally.responses)
        statements: dict[str, Cell] = {}
        for code in self.statement_codes:
            tally = self.statement_tallies.get((path, code), EMPTY_TALLY)
            visible = group_shown and path in statement_sets.get(code, set())
            statements[code] = Cell(figures_of(tally) if visible else None, tally.responses)
        asked = [cell for cell in domains.values() if cell.n or cell.shown]
        index = None
        if group_shown and asked and all(cell.shown for cell in asked):
            index = conditions_index(
                cell.figures.mean
                for cell in asked
                if cell.figures and cell.figures.mean is not None
            )
        return GroupResult(
            unit=unit,
            scope=self.scope,
            k=self.k,
            responses=self.response_counts.get(path, 0) if group_shown else None,
            domains=domains,
            statements=statements,
            index=index,
            pulses_pooled=len(self.pulses_by_unit.get(path, set())) if group_shown else None,
        )

    def children_of(self, unit: Unit) -> list[Unit]:
        return sorted(
            (
                u
                for path, u in self.units.items()
                if path.startswith(unit.path) and u.depth == unit.depth + 1
            ),
            key=lambda u: (not u.is_team, u.name.lower()),
        )


class ManagerView:
    """A team manager's view: their own teams (when at least k), and outer groups only when
    every difference from an own team is 0 or at least k (§5, the manager's view)."""

    def __init__(self, results: OrganisationResults, own_teams: list[Unit]) -> None:
        self.results = results
        self.own_teams = own_teams

    def _allowed(self, counts: Mapping[str, int], globally_shown: set[str]) -> set[str]:
        k = self.results.k
        shown: set[str] = set()
        for team in self.own_teams:
            chain = [
                (path, counts.get(path, 0))
                for path in reversed(self.results._ancestor_paths(team.path))
            ]
            shown |= nested_view(chain, k=k, allowed=globally_shown)
        # Outer groups must also be safe against every combination of shown groups below them.
        for outer in sorted(shown, key=len, reverse=True):
            below = [p for p in shown if p != outer and p.startswith(outer)]
            for size in range(2, len(below) + 1):
                for combo in combinations(below, size):
                    if any(a != b and b.startswith(a) for a in combo for b in combo):
                        continue  # nested groups overlap: not a difference anyone can take
                    residual = counts.get(outer, 0) - sum(counts.get(p, 0) for p in combo)
                    if not (residual == 0 or residual >= k):
                        shown.discard(outer)
        return shown

    @cached_property
    def shown_groups(self) -> set[str]:
        return self._allowed(self.results.response_counts, self.results.shown_groups)

    @cached_property
    def shown_domains(self) -> dict[int, set[str]]:
        result = {}
        for domain in self.results.domains:
            counts = self.results.domain_counts.get(domain.pk, {})
            allowed = self._allowed(counts, self.results.shown_domains[domain.pk])
            result[domain.pk] = allowed & self.shown_groups
        return result

    @cached_property
    def shown_statements(self) -> dict[str, set[str]]:
        result = {}
        for code, globally in self.results.shown_statements.items():
            counts = {
                path: t.responses
                for (path, c), t in self.results.statement_tallies.items()
                if c == code
            }
            result[code] = self._allowed(counts, globally) & self.shown_groups
        return result

    def group(self, unit: Unit) -> GroupResult:
        return self.results.group(
            unit,
            shown_groups=self.shown_groups,
            shown_domains=self.shown_domains,
            shown_statements=self.shown_statements,
        )


def uses_manager_view(reach: Reach, unit: Unit) -> bool:
    """Team managers (and only they) read their team through the manager's view."""
    return reach.role_at(unit) == Role.TEAM_MANAGER


def load_units(organisation: Organisation) -> list[Unit]:
    return list(Unit.objects.filter(organisation=organisation).order_by("path"))


def load_domains() -> list[Domain]:
    return list(Domain.objects.order_by("position"))


def statement_domain_map(cycle_ids: Iterable[int]) -> dict[str, str]:
    """Statement code → domain code for the statements these cycles asked (one query)."""
    rows = (
        CycleStatement.objects.filter(cycle_id__in=list(cycle_ids))
        .values_list("statement__code", "statement__domain__code")
        .distinct()
    )
    return dict(rows)


def results_for_scopes(
    organisation: Organisation,
    scopes: Sequence[Scope],
    *,
    with_statements: bool = False,
    statements_for: Scope | None = None,
    filters: Mapping[str, str] | None = None,
    units: Sequence[Unit] | None = None,
    domains: Sequence[Domain] | None = None,
    focus: Sequence[Unit] | None = None,
) -> list[OrganisationResults]:
    """Results for several scopes from one set of grouped queries.

    With `with_statements`, statement figures are read too: for every scope, or only for
    `statements_for` when given (they are costlier and usually needed for one scope).
    With a `focus`, only the focus units, their ancestors and those units' children can be
    asked for, and the database returns a few rows per cycle whatever the organisation's size.
    """
    cycle_ids = set().union(*(scope.cycle_ids for scope in scopes)) if scopes else set()
    statement_cycles = statements_for.cycle_ids if statements_for is not None else cycle_ids
    units = list(units) if units is not None else load_units(organisation)
    aggregates = aggregate(
        cycle_ids,
        filters=filters,
        with_statements=with_statements,
        statement_cycle_ids=statement_cycles,
        focus=focus,
        units=units,
    )
    domains = list(domains) if domains is not None else load_domains()
    statement_domains = statement_domain_map(statement_cycles) if with_statements else {}
    return [
        OrganisationResults(
            organisation=organisation,
            units=units,
            domains=domains,
            scope=scope,
            aggregates=aggregates,
            statement_domains=statement_domains,
            focus=focus,
        )
        for scope in scopes
    ]


def check_demographic_filter(
    organisation: Organisation, unit: Unit, cycle_ids: Iterable[int], filters: Mapping[str, str]
) -> None:
    """Refuse a breakdown of `unit` that leaves, or lets someone work out, fewer than k.

    One count per subset of the requested filters (at most eight), whatever the tree's size.
    """
    if not filters:
        return
    cycle_ids = list(cycle_ids)
    base = Response.objects.filter(cycle_id__in=cycle_ids, team__path__startswith=unit.path)
    counts: dict[frozenset[str], int] = {}
    for subset in filter_subsets(filters):
        chosen = dict(item.split("=", 1) for item in subset)
        counts[subset] = base.filter(_demographic_q(chosen)).count()
    check_filter(counts, k=organisation.anonymity_threshold)
