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
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from itertools import combinations

from django.db.models import Count, Q, Sum

from diagnostics.anonymity import (
    FilterRefused,
    TreeNode,
    check_filter,
    effective_k,
    filter_subsets,
    nested_view,
    suppress_tree,
)
from diagnostics.models import Answer, Cycle, CycleStatement, Domain, DomainScore, Response
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
    ends_on: date | None = None

    @property
    def pulse_count(self) -> int:
        return len(self.cycle_ids)


def cycle_scope(cycle: Cycle) -> Scope:
    return Scope(
        key=f"cycle-{cycle.pk}",
        label=cycle.name,
        cycle_ids=frozenset({cycle.pk}),
        kind=cycle.kind,
        ends_on=cycle.closes_on,
    )


def pooled_pulse_scopes(pulses: Sequence[Cycle], *, window_days: int, today: date) -> list[Scope]:
    """For each pulse, the pulses that closed within the window ending at its close, pooled.

    A team's pulse result pools its pulse responses over a rolling window so that small teams
    reach the threshold; the scope says how many pulses it pooled.
    """
    ordered = sorted(pulses, key=lambda p: (p.closes_on, p.pk))
    scopes = []
    for pulse in ordered:
        end = min(pulse.closes_on, today)
        start = end - timedelta(days=window_days - 1)
        pooled = [p for p in ordered if start <= min(p.closes_on, today) <= end]
        scopes.append(
            Scope(
                key=f"pooled-{pulse.pk}",
                label=pulse.name,
                cycle_ids=frozenset(p.pk for p in pooled),
                kind=Cycle.Kind.PULSE,
                ends_on=end,
            )
        )
    return scopes


def _demographic_q(filters: Mapping[str, str], prefix: str = "") -> Q:
    condition = Q()
    for name, value in filters.items():
        if name not in DEMOGRAPHIC_FIELDS:
            raise FilterRefused(f"Unknown breakdown “{name}”.")
        condition &= Q(**{f"{prefix}{name}": value})
    return condition


@dataclass
class Aggregates:
    """Per (cycle, team) counts and per (cycle, team, domain/statement) tallies, from SQL."""

    responses: dict[tuple[int, int], int] = field(default_factory=dict)
    domains: dict[tuple[int, int, int], Tally] = field(default_factory=dict)
    statements: dict[tuple[int, int, str], Tally] = field(default_factory=dict)


def aggregate(
    cycle_ids: Iterable[int],
    *,
    filters: Mapping[str, str] | None = None,
    with_statements: bool = False,
    statement_cycle_ids: Iterable[int] | None = None,
    team_ids: Iterable[int] | None = None,
) -> Aggregates:
    """Two or three grouped queries, whatever the number of teams.

    Statement tallies are read for `statement_cycle_ids` (default: all the cycles) when
    `with_statements` is set.
    """
    cycle_ids = list(cycle_ids)
    filters = filters or {}
    result = Aggregates()
    if not cycle_ids:
        return result
    responses = Response.objects.filter(cycle_id__in=cycle_ids).filter(_demographic_q(filters))
    scores = DomainScore.objects.filter(cycle_id__in=cycle_ids)
    if filters:
        scores = scores.filter(_demographic_q(filters, "response__"))
    if team_ids is not None:
        team_ids = list(team_ids)
        responses = responses.filter(team_id__in=team_ids)
        scores = scores.filter(team_id__in=team_ids)
    for count_row in responses.values("cycle_id", "team_id").annotate(n=Count("pk")).order_by():
        result.responses[(count_row["cycle_id"], count_row["team_id"])] = count_row["n"]
    rows = (
        scores.values("cycle_id", "team_id", "domain_id")
        .annotate(
            scored=Count("score"),
            total=Sum("score"),
            red=Sum("red"),
            amber=Sum("amber"),
            green=Sum("green"),
        )
        .order_by()
    )
    for row in rows:
        result.domains[(row["cycle_id"], row["team_id"], row["domain_id"])] = Tally(
            responses=row["scored"],
            score_total=row["total"] or 0.0,
            red=row["red"] or 0,
            amber=row["amber"] or 0,
            green=row["green"] or 0,
        )
    if with_statements:
        statement_cycles = cycle_ids if statement_cycle_ids is None else list(statement_cycle_ids)
        answers = Answer.objects.filter(response__cycle_id__in=statement_cycles)
        if filters:
            answers = answers.filter(_demographic_q(filters, "response__"))
        if team_ids is not None:
            answers = answers.filter(response__team_id__in=team_ids)
        statement_rows = (
            answers.values("response__cycle_id", "response__team_id", "statement__code")
            .annotate(
                n=Count("pk"),
                total=Sum("score"),
                red=Count("pk", filter=Q(score__lte=2)),
                amber=Count("pk", filter=Q(score__gte=3, score__lte=4)),
                green=Count("pk", filter=Q(score__gte=5)),
            )
            .order_by()
        )
        for srow in statement_rows:
            key = (srow["response__cycle_id"], srow["response__team_id"], srow["statement__code"])
            result.statements[key] = Tally(
                responses=srow["n"],
                score_total=float(srow["total"] or 0),
                red=srow["red"],
                amber=srow["amber"],
                green=srow["green"],
            )
    return result


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
    ) -> None:
        self.organisation = organisation
        self.k = effective_k(organisation.anonymity_threshold)
        self.units = {unit.path: unit for unit in units}
        self.domains = list(domains)
        self.scope = scope
        self._aggregates = aggregates
        self.statement_domains = dict(statement_domains or {})

    # -- raw totals per unit (sums of team tallies) ---------------------------------------

    def _ancestor_paths(self, path: str) -> list[str]:
        step = Unit.steplen
        return [path[:i] for i in range(step, len(path) + 1, step)]

    @cached_property
    def _team_paths(self) -> dict[int, str]:
        return {unit.pk: unit.path for unit in self.units.values()}

    @cached_property
    def response_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for (cycle_id, team_id), n in self._aggregates.responses.items():
            if cycle_id in self.scope.cycle_ids and team_id in self._team_paths:
                for path in self._ancestor_paths(self._team_paths[team_id]):
                    counts[path] += n
        return counts

    @cached_property
    def pulses_by_unit(self) -> dict[str, set[int]]:
        found: dict[str, set[int]] = defaultdict(set)
        for (cycle_id, team_id), n in self._aggregates.responses.items():
            if n and cycle_id in self.scope.cycle_ids and team_id in self._team_paths:
                for path in self._ancestor_paths(self._team_paths[team_id]):
                    found[path].add(cycle_id)
        return found

    @cached_property
    def domain_tallies(self) -> dict[tuple[str, int], Tally]:
        tallies: dict[tuple[str, int], Tally] = defaultdict(lambda: EMPTY_TALLY)
        for (cycle_id, team_id, domain_id), tally in self._aggregates.domains.items():
            if cycle_id in self.scope.cycle_ids and team_id in self._team_paths:
                for path in self._ancestor_paths(self._team_paths[team_id]):
                    tallies[(path, domain_id)] = tallies[(path, domain_id)] + tally
        return tallies

    @cached_property
    def statement_tallies(self) -> dict[tuple[str, str], Tally]:
        tallies: dict[tuple[str, str], Tally] = defaultdict(lambda: EMPTY_TALLY)
        for (cycle_id, team_id, code), tally in self._aggregates.statements.items():
            if cycle_id in self.scope.cycle_ids and team_id in self._team_paths:
                for path in self._ancestor_paths(self._team_paths[team_id]):
                    tallies[(path, code)] = tallies[(path, code)] + tally
        return tallies

    @cached_property
    def statement_codes(self) -> list[str]:
        codes = {code for (_, _, code) in self._aggregates.statements}
        return sorted(codes, key=lambda c: (self.statement_domains.get(c, ""), c))

    # -- anonymity --------------------------------------------------------------------------

    def _tree(self, count_of: Mapping[str, int]) -> dict[str, TreeNode]:
        nodes: dict[str, TreeNode] = {}
        for path in self.units:
            parent = path[: -Unit.steplen] or None
            nodes[path] = TreeNode(
                parent=parent if parent in self.units else None, n=count_of.get(path, 0)
            )
        return nodes

    @cached_property
    def shown_groups(self) -> set[str]:
        return suppress_tree(self._tree(self.response_counts), k=self.k)

    @cached_property
    def _hidden_groups(self) -> set[str]:
        return set(self.units) - self.shown_groups

    @cached_property
    def shown_domains(self) -> dict[int, set[str]]:
        shown = {}
        for domain in self.domains:
            counts = {
                path: t.responses for (path, d), t in self.domain_tallies.items() if d == domain.pk
            }
            shown[domain.pk] = suppress_tree(
                self._tree(counts), k=self.k, forced_hidden=self._hidden_groups
            )
        return shown

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
            counts = {
                path: t.responses
                for (path, d), t in self.results.domain_tallies.items()
                if d == domain.pk
            }
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
) -> list[OrganisationResults]:
    """Results for several scopes from one set of grouped queries.

    With `with_statements`, statement figures are read too: for every scope, or only for
    `statements_for` when given (they are costlier and usually needed for one scope).
    """
    cycle_ids = set().union(*(scope.cycle_ids for scope in scopes)) if scopes else set()
    statement_cycles = statements_for.cycle_ids if statements_for is not None else cycle_ids
    aggregates = aggregate(
        cycle_ids,
        filters=filters,
        with_statements=with_statements,
        statement_cycle_ids=statement_cycles,
    )
    units = list(units) if units is not None else load_units(organisation)
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
