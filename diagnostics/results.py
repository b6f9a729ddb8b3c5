"""Results: figures aggregated in SQL, rolled up the tree, and released by the disclosure engine.

The database aggregates responses to one row per team, cycle and domain and per team, cycle and
statement (from the running tallies); units add up their teams' tallies;
`diagnostics.scoring.figures_of` turns a tally into figures, and `disclosure` decides, for one
viewer over everything their reach lets them see, which figures may leave the server, rounded
at release. The number of queries does not depend on the number of teams.

A *scope* is a set of cycles whose responses are read together: one full cycle, or the pulses
pooled in one period. Scopes never share a response, so each is decided on its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import Count, F, Model, Sum

from diagnostics.models import (
    Answer,
    CycleStatement,
    Domain,
    DomainScore,
    DomainTally,
    Response,
    StatementTally,
    TeamTally,
)
from diagnostics.pooling import Scope
from diagnostics.release_words import hidden_words
from diagnostics.scoring import (
    EMPTY_TALLY,
    Figures,
    Tally,
    conditions_index,
    figures_of,
)
from disclosure.plan import (
    BreakdownInput,
    Demographics,
    Hidden,
    Plan,
    PlanInput,
    decide_remembered,
    plan_breakdowns,
)
from disclosure.release import (
    FilterRefused,
    ResponseCount,
    effective_k,
    hidden_text,
    released,
    response_count,
)
from organisations.access import Reach
from organisations.models import Organisation, Unit

DEMOGRAPHIC_FIELDS = ("role_group", "service_length", "working_pattern")


@dataclass
class Aggregates:
    """Counts and tallies from SQL, per cycle, by node: a team the viewer reaches, or a bucket
    of teams outside their reach (see `viewer_nodes`)."""

    responses: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    domains: dict[int, list[tuple[str, int, Tally]]] = field(default_factory=dict)
    statements: dict[int, list[tuple[str, str, Tally]]] = field(default_factory=dict)
    # per cycle: (node, domain id, how many of the domain's statements a response answered)
    answer_counts: dict[int, list[tuple[str, int, int]]] = field(default_factory=dict)
    node_of: dict[int, str] = field(default_factory=dict)  # team id → its node
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


def _by_cycle(rows: Iterable[tuple[Any, ...]]) -> dict[int, list[tuple[Any, ...]]]:
    grouped: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for cycle_id, *rest in rows:
        grouped[cycle_id].append(tuple(rest))
    return grouped


def _aggregate_tallies(cycle_ids: Sequence[int], mapping: list[tuple[int, str]]) -> Aggregates:
    """Sum the running tallies by node in the database: one grouped query per table, joined to
    a small table of (team, node) so no per-row expression is evaluated."""
    result = Aggregates(node_of=dict(mapping))
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
            rows: list[tuple[Any, ...]] = cursor.fetchall()
            return rows

    result.responses = _by_cycle(run(TeamTally, "", ["responses"], cycle_ids))
    result.domains = _by_cycle(
        (cycle, node, domain, Tally(scored, total or 0.0, red, amber, green))
        for cycle, node, domain, scored, total, red, amber, green in run(
            DomainTally, "domain_id", ["scored", "score_total", "red", "amber", "green"], cycle_ids
        )
    )
    codes = dict(
        CycleStatement.objects.filter(cycle_id__in=cycle_ids).values_list(
            "statement_id", "statement__code"
        )
    )
    result.statements = _by_cycle(
        (cycle, node, codes[statement], Tally(answered, float(total), red, amber, green))
        for cycle, node, statement, answered, total, red, amber, green in run(
            StatementTally,
            "statement_id",
            ["answered", "score_total", "red", "amber", "green"],
            cycle_ids,
        )
    )
    node_of = result.node_of
    counts = (
        DomainScore.objects.filter(cycle_id__in=list(cycle_ids))
        .annotate(answered=F("red") + F("amber") + F("green"))
        .values_list("cycle_id", "team_id", "domain_id", "answered")
        .distinct()
        .order_by()
    )
    result.answer_counts = _by_cycle(
        (cycle, node_of[team], domain, answered)
        for cycle, team, domain, answered in counts
        if team in node_of
    )
    return result


def _filter_kwargs(filters: Mapping[str, str], prefix: str) -> dict[str, str]:
    for name in filters:
        if name not in DEMOGRAPHIC_FIELDS:
            raise FilterRefused(f"Unknown breakdown “{name}”.")
    return {f"{prefix}{name}": value for name, value in filters.items()}


@dataclass(frozen=True)
class Cell:
    """One figure as a viewer may see it: `figures` (rounded at release) is None when hidden,
    and `hidden` says why."""

    figures: Figures | None
    hidden: Hidden | None = None

    @property
    def shown(self) -> bool:
        return self.figures is not None


@dataclass(frozen=True)
class GroupResult:
    """A unit's figures over one scope, as one viewer may see them."""

    unit: Unit
    scope: Scope
    k: int
    responses: int | None  # None when hidden
    domains: dict[str, Cell]  # by domain code
    statements: dict[str, Cell]  # by statement code
    index: int | None
    pulses_pooled: int | None
    hidden: Hidden | None = None
    # outcome figures by outcome domain code (§12): apart from the domains, never in the index
    outcomes: dict[str, Cell] = field(default_factory=dict)

    @property
    def shown(self) -> bool:
        return self.responses is not None

    @property
    def hidden_text(self) -> str:
        """Why the group is not shown, in English: for exports (pages: `hidden_words`)."""
        return hidden_text(self.hidden, k=self.k)

    @property
    def hidden_words(self) -> str:
        """Why the group is not shown, in the reader's language: for pages and e-mails."""
        return hidden_words(self.hidden, k=self.k)


def family_order(
    units: Sequence[Unit], reach: Reach | None, counts: Mapping[str, int]
) -> tuple[list[str], list[str]]:
    """The viewer's family in priority order, and the part of it they reach (whose pages, and
    so breakdowns, they can open). See `disclosure.plan` for why this order."""
    paths = sorted(unit.path for unit in units)
    if not paths:
        return [], []
    roots = root_paths(units, reach)
    reached = [p for p in paths if any(p.startswith(root) for root in roots)]
    by_parent: dict[str, list[str]] = defaultdict(list)
    for path in reached:
        by_parent[path[: -Unit.steplen]].append(path)
    order: list[str] = []
    level = sorted(roots)
    while level:
        order.extend(level)
        level = [
            child
            for parent in level
            for child in sorted(by_parent.get(parent, []), key=lambda p: (-counts.get(p, 0), p))
        ]
    above = {
        path[:end]
        for path in roots
        for end in range(Unit.steplen, len(path), Unit.steplen)
        if path[:end] not in roots
    }
    order.extend(sorted(above, key=lambda p: (-len(p), p)))
    return order, reached


def root_paths(units: Sequence[Unit], reach: Reach | None) -> list[str]:
    """The units a viewer reaches with everything below them (the whole organisation for the
    command line)."""
    if reach is None:
        return [min((unit.path for unit in units), key=len)]
    return [unit.path for unit in reach.top_units]


class OrganisationResults:
    """One viewer's figures for one scope: the organisation's counts, decided by the disclosure
    engine over everything this viewer can see (`plan`).

    Built from one set of aggregates; several scopes can share them (see `results_for_scopes`).
    """

    def __init__(
        self,
        *,
        organisation: Organisation,
        units: Sequence[Unit],
        domains: Sequence[Domain],
        scope: Scope,
        aggregates: Aggregates,
        statement_domains: Mapping[str, str],
        reach: Reach | None,
        with_statements: bool = True,
        outcomes: Sequence[Domain] = (),
    ) -> None:
        self.organisation = organisation
        self.k = effective_k(organisation.anonymity_threshold)
        self.units = {unit.path: unit for unit in units}
        self.domains = list(domains)
        self.outcomes = list(outcomes)
        self.scope = scope
        self.reach = reach
        self.with_statements = with_statements
        self._aggregates = aggregates
        self.statement_domains = dict(statement_domains)

    # -- totals per unit: sums of the nodes' tallies up the tree --------------------------

    def _ancestor_paths(self, path: str) -> list[str]:
        step = Unit.steplen
        return [path[:i] for i in range(step, len(path) + 1, step)]

    def _rows(self, table: Mapping[int, list[tuple[Any, ...]]]) -> Iterable[tuple[Any, ...]]:
        for cycle_id in self.scope.cycle_ids:
            yield from ((cycle_id, *row) for row in table.get(cycle_id, ()))

    @cached_property
    def node_counts(self) -> dict[tuple[str, int], int]:
        counts: dict[tuple[str, int], int] = defaultdict(int)
        for cycle_id, node, n in self._rows(self._aggregates.responses):
            counts[(node, cycle_id)] += n
        return counts

    @cached_property
    def node_answers(self) -> dict[tuple[str, int, str], int]:
        answers: dict[tuple[str, int, str], int] = defaultdict(int)
        for cycle_id, node, code, tally in self._rows(self._aggregates.statements):
            answers[(node, cycle_id, code)] += tally.answered
        return answers

    @cached_property
    def node_answer_counts(self) -> dict[tuple[str, int, Hashable], frozenset[int]]:
        found: dict[tuple[str, int, Hashable], set[int]] = defaultdict(set)
        for cycle_id, node, domain, answered in self._rows(self._aggregates.answer_counts):
            found[(node, cycle_id, domain)].add(answered)
        return {key: frozenset(values) for key, values in found.items()}

    @cached_property
    def response_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for (node, _cycle), n in self.node_counts.items():
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
        codes = {code for (_node, _cycle, code), n in self.node_answers.items() if n}
        return sorted(codes, key=lambda c: (self.statement_domains.get(c, ""), c))

    # -- the disclosure engine's decisions --------------------------------------------------

    @cached_property
    def _family(self) -> tuple[list[str], list[str]]:
        return family_order(list(self.units.values()), self.reach, self.response_counts)

    @property
    def resolvable(self) -> set[str]:
        return set(self._family[0])

    @cached_property
    def plan_input(self) -> PlanInput:
        domain_ids = {domain.code: domain.pk for domain in (*self.domains, *self.outcomes)}
        return PlanInput(
            k=self.k,
            order=self._family[0],
            responses=self.node_counts,
            answers=self.node_answers,
            statement_domains={
                code: domain_ids[domain]
                for code, domain in self.statement_domains.items()
                if domain in domain_ids
            },
            domain_order=[domain.pk for domain in self.domains],
            step=Unit.steplen,
            answer_counts=self.node_answer_counts,
            outcome_order=[domain.pk for domain in self.outcomes],
        )

    @cached_property
    def plan(self) -> Plan:
        return decide_remembered(self.plan_input, with_statements=self.with_statements)

    # -- what the viewer sees ---------------------------------------------------------------

    def group(self, unit: Unit) -> GroupResult:
        if unit.path not in self.resolvable:
            raise ValueError(f"{unit} is outside this viewer's reach.")
        plan = self.plan
        path = unit.path
        group_hidden = plan.group(path)
        responses = self.response_counts.get(path, 0)
        if group_hidden is None and not responses:
            group_hidden = Hidden.NO_RESPONSES
        domains: dict[str, Cell] = {}
        for domain in self.domains:
            tally = self.domain_tallies.get((path, domain.pk), EMPTY_TALLY)
            reason = plan.domain(path, domain.pk)
            domains[domain.code] = _cell(tally, reason, n=responses)
        outcomes: dict[str, Cell] = {}
        for outcome in self.outcomes:
            tally = self.domain_tallies.get((path, outcome.pk), EMPTY_TALLY)
            outcomes[outcome.code] = _cell(tally, plan.domain(path, outcome.pk), n=responses)
        statements: dict[str, Cell] = {}
        if plan.statements_planned:
            for code in self.statement_codes:
                tally = self.statement_tallies.get((path, code), EMPTY_TALLY)
                reason = plan.statement(path, code)
                statements[code] = _cell(
                    tally, reason, without_mean=(path, code) in plan.means_hidden
                )
        return _group_result(
            unit=unit,
            scope=self.scope,
            k=self.k,
            hidden=group_hidden,
            responses=responses,
            domains=domains,
            statements=statements,
            pulses=len(self.pulses_by_unit.get(path, set())),
            asked={
                domain.code
                for domain in self.domains
                if self.domain_tallies.get((path, domain.pk), EMPTY_TALLY).answered
            },
            outcomes=outcomes,
        )

    def response_count(self, unit: Unit) -> ResponseCount:
        """A group's response count as this viewer may read it: exact where its figures are
        shown, otherwise only which side of k it is (`release_words.count_words` says it)."""
        n = self.response_counts.get(unit.path, 0)
        exact = unit.path in self.resolvable and self.plan.group(unit.path) is None
        return response_count(n, k=self.k, exact=exact)

    def children_of(self, unit: Unit) -> list[Unit]:
        return sorted(
            (
                u
                for path, u in self.units.items()
                if path.startswith(unit.path) and u.depth == unit.depth + 1
            ),
            key=lambda u: (not u.is_team, u.name.lower()),
        )

    # -- breakdowns ---------------------------------------------------------------------------

    def breakdown(self, unit: Unit, filters: Mapping[str, str]) -> GroupResult:
        """The unit's domain figures among the responses that gave these demographic answers,
        as far as the engine lets this viewer see them (no statement figures: a breakdown shows
        domains). Reads the responses' rows (four queries)."""
        if unit.path not in self._family[1]:
            raise ValueError(f"{unit} is outside this viewer's reach.")
        by_answers = _filter_kwargs(filters, "response__")
        wanted = tuple(
            (index, filters[name])
            for index, name in enumerate(DEMOGRAPHIC_FIELDS)
            if name in filters
        )
        full_plan = (
            self.plan
            if self.plan.statements_planned
            else decide_remembered(self.plan_input, with_statements=True)
        )
        decision = plan_breakdowns(
            self.plan_input,
            full_plan,
            breakdown_input(self.scope.cycle_ids, self._aggregates.node_of),
            groups=self._family[1],
            wanted=(unit.path, wanted),
        )
        tallies = _breakdown_tallies(self.scope.cycle_ids, unit, by_answers)
        domains: dict[str, Cell] = {}
        for domain in self.domains:
            tally = tallies.get(domain.pk, EMPTY_TALLY)
            reason = decision.domains.get(domain.pk)
            domains[domain.code] = _cell(tally, reason, n=decision.responses)
        return _group_result(
            unit=unit,
            scope=self.scope,
            k=self.k,
            hidden=decision.group,
            responses=decision.responses,
            domains=domains,
            statements={},
            pulses=len(self.pulses_by_unit.get(unit.path, set())),
            asked={
                domain.code
                for domain in self.domains
                if tallies.get(domain.pk, EMPTY_TALLY).answered
            },
        )


def _cell(
    tally: Tally, reason: Hidden | None, *, n: int | None = None, without_mean: bool = False
) -> Cell:
    """A figure as released (rounded; `n` the count shown with it), or why it is hidden; a
    statement `without_mean` shows its shares only (see `disclosure.plan.decide`)."""
    if reason is None and tally.responses:
        figures = released(figures_of(tally), n=n)
        if without_mean:
            return Cell(replace(figures, mean=None, band=None), Hidden.PROTECTS_OTHERS)
        return Cell(figures)
    return Cell(None, reason or Hidden.NO_RESPONSES)


def _group_result(
    *,
    unit: Unit,
    scope: Scope,
    k: int,
    hidden: Hidden | None,
    responses: int,
    domains: dict[str, Cell],
    statements: dict[str, Cell],
    pulses: int,
    asked: set[str],
    outcomes: dict[str, Cell] | None = None,
) -> GroupResult:
    """The conditions index is the mean of the condition domains' means only: outcomes are
    never part of it (§12)."""
    index = None
    if hidden is None and asked and all(domains[code].shown for code in asked):
        index = conditions_index(
            cell.figures.mean
            for code in asked
            if (cell := domains[code]).figures and cell.figures.mean is not None
        )
    return GroupResult(
        unit=unit,
        scope=scope,
        k=k,
        responses=responses if hidden is None else None,
        domains=domains,
        statements=statements,
        index=index,
        pulses_pooled=pulses if hidden is None else None,
        hidden=hidden,
        outcomes=outcomes or {},
    )


def viewer_nodes(units: Sequence[Unit], reach: Reach | None) -> list[tuple[int, str]]:
    """(team id, node path) for every team of the organisation: a team the viewer reaches is
    its own node; any other team is counted in the child, on the way to the viewer's units, of
    the deepest unit above them that it sits under. The viewer's figures of the units above
    their own need only those sums, and the engine never needs to tell such teams apart."""
    roots = root_paths(units, reach)
    chain = sorted(
        {root[:end] for root in roots for end in range(Unit.steplen, len(root), Unit.steplen)},
        key=len,
        reverse=True,
    )
    mapping = []
    for unit in units:
        if not unit.is_team:
            continue
        path = unit.path
        if any(path.startswith(root) for root in roots):
            mapping.append((unit.pk, path))
            continue
        deepest = next((c for c in chain if path.startswith(c)), None)
        mapping.append((unit.pk, path if deepest is None else path[: len(deepest) + Unit.steplen]))
    return mapping


def breakdown_input(cycle_ids: Iterable[int], node_of: Mapping[int, str]) -> BreakdownInput:
    """Responses and answers per node and combination of demographic answers (two queries)."""
    cycle_ids = list(cycle_ids)
    responses: dict[tuple[str, int, Demographics], int] = defaultdict(int)
    for team_id, cycle_id, *values, n in (
        Response.objects.filter(cycle_id__in=cycle_ids)
        .values_list("team_id", "cycle_id", *DEMOGRAPHIC_FIELDS)
        .annotate(n=Count("pk"))
        .order_by()
    ):
        responses[(node_of[team_id], cycle_id, tuple(values))] += n
    answers: dict[tuple[str, int, Demographics, str], int] = defaultdict(int)
    for team_id, cycle_id, *values, code, n in (
        Answer.objects.filter(response__cycle_id__in=cycle_ids)
        .values_list(
            "response__team_id",
            "response__cycle_id",
            *(f"response__{name}" for name in DEMOGRAPHIC_FIELDS),
            "statement__code",
        )
        .annotate(n=Count("pk"))
        .order_by()
    ):
        answers[(node_of[team_id], cycle_id, tuple(values), code)] += n
    return BreakdownInput(responses=responses, answers=answers, fields=len(DEMOGRAPHIC_FIELDS))


def _breakdown_tallies(
    cycle_ids: Iterable[int], unit: Unit, by_answers: Mapping[str, str]
) -> dict[int, Tally]:
    """Domain tallies of one unit's responses with these demographic answers (one query)."""
    rows = (
        DomainScore.objects.filter(
            cycle_id__in=list(cycle_ids),
            team__path__startswith=unit.path,
            **by_answers,
        )
        .values("domain_id")
        .annotate(
            scored=Count("score"),
            total=Sum("score"),
            red=Sum("red"),
            amber=Sum("amber"),
            green=Sum("green"),
        )
        .order_by()
    )
    return {
        row["domain_id"]: Tally(
            responses=row["scored"] or 0,
            score_total=row["total"] or 0.0,
            red=row["red"] or 0,
            amber=row["amber"] or 0,
            green=row["green"] or 0,
        )
        for row in rows
    }


def load_units(organisation: Organisation) -> list[Unit]:
    return list(Unit.objects.filter(organisation=organisation).order_by("path"))


def load_domains() -> list[Domain]:
    """The working conditions (the domains of the conditions index), in order."""
    return list(Domain.objects.conditions().order_by("position"))


def load_outcomes() -> list[Domain]:
    """The outcome statements' domains (§12), in order: shown apart, never in the index."""
    return list(Domain.objects.outcomes().order_by("position"))


def statement_domain_map(cycle_ids: Iterable[int]) -> dict[str, str]:
    """Statement code → domain code for the statements these cycles asked (one query)."""
    return asked_domains(cycle_ids)[0]


def asked_domains(cycle_ids: Iterable[int]) -> tuple[dict[str, str], list[Domain]]:
    """Statement code → domain code for the statements these cycles asked, and the outcome
    domains they asked, in order (one query)."""
    rows = (
        CycleStatement.objects.filter(cycle_id__in=list(cycle_ids))
        .values_list(
            "statement__code",
            "statement__domain_id",
            "statement__domain__code",
            "statement__domain__name",
            "statement__domain__description",
            "statement__domain__position",
            "statement__domain__kind",
            "statement__domain__driver_phrase",
        )
        .distinct()
    )
    codes: dict[str, str] = {}
    outcomes: dict[int, Domain] = {}
    for code, pk, domain_code, name, description, position, kind, phrase in rows:
        codes[code] = domain_code
        if kind == Domain.Kind.OUTCOME and pk not in outcomes:
            outcomes[pk] = Domain(
                pk=pk,
                code=domain_code,
                name=name,
                description=description,
                position=position,
                kind=kind,
                driver_phrase=phrase,
            )
    return codes, sorted(outcomes.values(), key=lambda d: d.position)


def aggregate(
    cycle_ids: Iterable[int], *, units: Sequence[Unit], reach: Reach | None
) -> Aggregates:
    """The tallies a viewer's results are decided and computed from (three grouped queries,
    one row per node, cycle and domain or statement)."""
    ordered = sorted(set(cycle_ids))
    return _aggregate_tallies(ordered, viewer_nodes(units, reach))


def results_for_scopes(
    organisation: Organisation,
    scopes: Sequence[Scope],
    *,
    reach: Reach | None,
    with_statements: bool = False,
    statements_for: Scope | None = None,
    units: Sequence[Unit] | None = None,
    domains: Sequence[Domain] | None = None,
) -> list[OrganisationResults]:
    """One viewer's results for several scopes, from one set of grouped queries.

    `reach` is the viewer's (None: the command line, which sees the whole organisation as an
    org admin does). The engine always reads statement counts, because every domain figure
    covers its statements' answers; `with_statements` also decides and shows statement figures
    (for `statements_for` only, when given).
    The database returns one row per team (or per bucket of teams outside the viewer's reach),
    cycle and domain or statement, whatever the page.
    """
    cycle_ids = set().union(*(scope.cycle_ids for scope in scopes)) if scopes else set()
    units = list(units) if units is not None else load_units(organisation)
    aggregates = aggregate(cycle_ids, units=units, reach=reach)
    domains = list(domains) if domains is not None else load_domains()
    statement_domains, outcomes = asked_domains(cycle_ids)
    return [
        OrganisationResults(
            organisation=organisation,
            units=units,
            domains=domains,
            scope=scope,
            aggregates=aggregates,
            statement_domains=statement_domains,
            reach=reach,
            with_statements=with_statements
            and (statements_for is None or scope.key == statements_for.key),
            outcomes=outcomes,
        )
        for scope in scopes
    ]
