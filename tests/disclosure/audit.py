"""The span audit of `../shared/DISCLOSURE.md`: everything one viewer can obtain, taken together,
must not determine a figure or count of a set of 1 to k−1 responses.

`collect` opens, as one viewer, every entry point the product has for results: the team and unit
dashboard of every unit in reach, for every cycle, unfiltered and with every value and
combination of the breakdown fields (with the earlier result drawn beside each domain); the unit
comparison of every unit with units below it; the trends page; the results export at every level
and by domain and by statement (outcome rows included); the cycle page's response counts.
Outcome figures (§12) are recorded as domain figures of their outcome domain: a share who agree
counts answers, a mean sums scores. Each figure it finds is recorded as the set it aggregates,
read from what the page says it shows (its unit, scope and breakdown), not from the engine's own
bookkeeping:

- a domain figure's red/amber/green shares count the *answers* its responses gave to the
  domain's statements, and a statement figure's the answers to that statement ("answers");
- a statement mean sums the scores of those answers, and a domain mean sums each response's
  domain score, its own answers' mean: each answer weighs 1 / (how many of the domain's
  statements that response answered), and the answers of a response with no domain score
  weigh nothing ("scores": a weighted vector, not a set);
- a count or a response rate covers the *responses* it counts.

`violations` then groups the elements into atoms (elements in exactly the same released sets),
and asks, for every union of atoms touching 1 to k−1 responses, whether its indicator lies in
the rational span of the released sets (exact arithmetic): if it does, the set's sum, count and
band counts follow from released figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from itertools import combinations
from typing import Any

import numpy as np
from django.test import Client, override_settings
from django.urls import reverse
from scipy.optimize import linprog

from dashboards import compare as compare_page
from dashboards import profile as profile_page
from dashboards import trends as trends_page
from dashboards.compare import ComparePage
from dashboards.staff import seen_by_link_holders, staff_result
from dashboards.trends import TrendsPage
from diagnostics.exports import COLUMNS, ExportRequest, export_rows
from diagnostics.models import Answer, Cycle, Domain, DomainScore, Response, Statement
from diagnostics.pooling import cycle_scope, pools_taking_part, pulse_pools, scope_of
from diagnostics.results import DEMOGRAPHIC_FIELDS, load_domains
from diagnostics.selectors import cycles_covering
from organisations.access import Reach
from organisations.models import Organisation, Unit
from organisations.selectors import readable_path

Element = Hashable


@dataclass(frozen=True)
class Released:
    """One figure as what it sums: answers (response id, statement code) or responses, each
    with weight 1 unless `weights` says otherwise."""

    level: str  # "answers", "scores" or "responses"
    elements: frozenset[Element]
    where: str
    weights: Mapping[Element, Fraction] | None = None

    def weight(self, element: Element) -> Fraction:
        return Fraction(1) if self.weights is None else self.weights[element]


@dataclass
class Population:
    """The organisation's responses and answers, to turn a page's description into sets."""

    responses: dict[int, tuple[str, int, tuple[str, ...]]]  # id → team path, cycle, demographics
    answers: dict[int, set[str]]  # response id → statement codes answered
    domain_of: dict[str, str]  # statement code → domain code
    domain_names: dict[str, str]  # domain name → code
    domain_weight: dict[tuple[int, str], Fraction]  # (response, domain) → weight of an answer

    @classmethod
    def of(cls, organisation: Organisation) -> Population:
        responses = {
            pk: (path, cycle_id, tuple(values))
            for pk, path, cycle_id, *values in Response.objects.filter(
                cycle__organisation=organisation
            ).values_list("pk", "team__path", "cycle_id", *DEMOGRAPHIC_FIELDS)
        }
        answers: dict[int, set[str]] = defaultdict(set)
        for response_id, code in Answer.objects.filter(response_id__in=list(responses)).values_list(
            "response_id", "statement__code"
        ):
            answers[response_id].add(code)
        domain_weight = {
            (response_id, domain): Fraction(1, red + amber + green)
            if score is not None
            else Fraction(0)
            for response_id, domain, score, red, amber, green in DomainScore.objects.filter(
                response_id__in=list(responses)
            ).values_list("response_id", "domain__code", "score", "red", "amber", "green")
        }
        return cls(
            responses=responses,
            answers=dict(answers),
            domain_weight=domain_weight,
            domain_of=dict(Statement.objects.values_list("code", "domain__code")),
            domain_names=dict(Domain.objects.values_list("name", "code")),
        )

    def group(
        self, path: str, cycle_ids: Iterable[int], filters: Mapping[str, str] | None = None
    ) -> frozenset[int]:
        cycles = set(cycle_ids)
        wanted = [
            (DEMOGRAPHIC_FIELDS.index(name), value) for name, value in (filters or {}).items()
        ]
        return frozenset(
            pk
            for pk, (team, cycle, values) in self.responses.items()
            if team.startswith(path) and cycle in cycles and all(values[i] == v for i, v in wanted)
        )

    def answers_to(self, responses: Iterable[int], codes: Iterable[str]) -> frozenset[Element]:
        wanted = set(codes)
        return frozenset(
            (pk, code) for pk in responses for code in self.answers.get(pk, ()) if code in wanted
        )

    def domain_codes(self, domain: str) -> set[str]:
        return {code for code, d in self.domain_of.items() if d == domain}


@dataclass
class Collected:
    population: Population
    released: list[Released] = field(default_factory=list)

    def count(self, responses: frozenset[int], where: str) -> None:
        if responses:
            self.released.append(Released("responses", responses, where))

    def domain(self, responses: frozenset[int], domain_code: str, where: str) -> None:
        elements = self.population.answers_to(responses, self.population.domain_codes(domain_code))
        if elements:
            self.released.append(Released("answers", elements, where))
            weights = {
                element: self.population.domain_weight[(element[0], domain_code)]  # type: ignore[index]
                for element in elements
            }
            weighted = frozenset(e for e, w in weights.items() if w)
            if weighted:
                self.released.append(
                    Released(
                        "scores", weighted, where + " (mean)", {e: weights[e] for e in weighted}
                    )
                )

    def statement(
        self, responses: frozenset[int], code: str, where: str, *, with_mean: bool = True
    ) -> None:
        elements = self.population.answers_to(responses, [code])
        if elements:
            self.released.append(Released("answers", elements, where))
            if with_mean:
                self.released.append(Released("scores", elements, where + " (mean)"))


def is_exact(words: str) -> bool:
    """Whether a count as a page words it is the number itself ("1,234", grouped in thousands),
    not its side of k ("5 or more")."""
    return words.replace(",", "").isdigit()


def breakdowns(population: Population) -> list[dict[str, str]]:
    """Every value and combination of the breakdown fields that the responses give."""
    present: list[set[str]] = [set() for _ in DEMOGRAPHIC_FIELDS]
    for _team, _cycle, values in population.responses.values():
        for index, value in enumerate(values):
            if value:
                present[index].add(value)
    found: list[dict[str, str]] = []
    for size in range(1, len(DEMOGRAPHIC_FIELDS) + 1):
        for chosen in combinations(range(len(DEMOGRAPHIC_FIELDS)), size):
            combos: list[dict[str, str]] = [{}]
            for index in chosen:
                combos = [
                    {**c, DEMOGRAPHIC_FIELDS[index]: v}
                    for c in combos
                    for v in sorted(present[index])
                ]
            found.extend(combos)
    return found


def collect(
    *,
    organisation: Organisation,
    reach: Reach,
    client: Client,
    today: date,
) -> Collected:
    """Every figure this viewer can obtain, as sets (see the module's docstring)."""
    # The charts are drawn from the figures read here and are not read themselves; made as
    # plain dicts rather than through Plotly's validating figure, they are the same
    # (tests/dashboards/test_charts.py) and cost a tenth as much.
    with override_settings(PLOTLY_VALIDATE=False, SPEEDUP_PLAIN_FIGURES=True):
        return _collect(organisation=organisation, reach=reach, client=client, today=today)


def _collect(*, organisation: Organisation, reach: Reach, client: Client, today: date) -> Collected:
    population = Population.of(organisation)
    out = Collected(population)
    units = list(Unit.objects.filter(organisation=organisation).order_by("path"))
    names = {u.path: u.name for u in units}
    by_readable = {readable_path(u, names): u for u in units}
    pools = pulse_pools(organisation)
    in_reach = [u for u in units if reach.reaches(u)]
    for unit in in_reach:
        cycles = cycles_covering(unit)
        for cycle in _one_per_scope(cycles, pools):
            for filters in [{}, *breakdowns(population)]:
                page = profile_page.profile(
                    reach=reach, unit=unit, cycle=cycle, cycles=cycles, filters=filters, today=today
                )
                if filters and not page.filters:
                    continue  # refused: the page shows the unfiltered figures, seen already
                _profile(out, page, unit, pools)
            if not unit.is_team and reach.is_leader_or_admin:
                _compare(
                    out,
                    compare_page.compare(
                        reach=reach,
                        unit=unit,
                        cycle=cycle,
                        cycles=cycles,
                        sort="",
                        today=today,
                        colour_by="organisation",  # every figure of the other colourings, and more
                    ),
                )
        _trends(out, trends_page.trends(reach=reach, unit=unit, cycles=cycles, today=today), unit)
    cycles_seen = {c for u in in_reach for c in cycles_covering(u)}
    for cycle in _one_per_scope(sorted(cycles_seen, key=lambda c: c.pk), pools):
        for by in ("domain", "statement"):
            request = ExportRequest(cycle=cycle, by=by)
            _export(out, export_rows(request, reach), request, by_readable)
    for cycle in cycles_seen:
        _cycle_page(out, client, cycle)
    for team in in_reach:
        if team.is_team and not team.is_archived:  # an archived team's board link is gone
            _staff_results(out, team, pools)
    return out


def _staff_results(out: Collected, team: Unit, pools: Sequence[Any]) -> None:
    """The team's results for its staff, whose link this viewer can open: every result the
    team has, whether or not it has closed yet (the page shows closed ones only)."""
    cycles = cycles_covering(team)
    scopes = [cycle_scope(c) for c in cycles if c.kind == Cycle.Kind.FULL]
    scopes += pools_taking_part(pools, cycles)
    domains = load_domains()
    seen = seen_by_link_holders(team, scopes, domains)
    for scope in scopes:
        result = staff_result(scope, seen[scope.key], domains)
        group = out.population.group(team.path, scope.cycle_ids)
        where = f"staff results {team.name} {scope.label}"
        if is_exact(result.responses):
            out.count(group, where)
        for row in result.domains:
            if row.shown:
                out.domain(group, row.code, where)


def _one_per_scope(cycles: Iterable[Cycle], pools: Sequence[Any]) -> list[Cycle]:
    """One cycle for each scope they are shown through (a pulse's pool, or the cycle)."""
    chosen: dict[str, Cycle] = {}
    for cycle in cycles:
        key = f"cycle-{cycle.pk}"
        if cycle.kind == Cycle.Kind.PULSE:
            key = next((p.key for p in pools if cycle.pk in p.cycle_ids), key)
        chosen.setdefault(key, cycle)
    return list(chosen.values())


def _profile(
    out: Collected, page: profile_page.ProfilePage, unit: Unit, pools: Sequence[Any]
) -> None:
    population = out.population
    scope = page.scope
    filters = page.filters
    where = f"profile {unit.name} {scope.label} {filters}"
    group_set = population.group(unit.path, scope.cycle_ids, filters)
    for progress in (page.progress, page.newer_open):
        if progress is not None:
            _progress(out, progress, unit, where)
    if page.progress is not None:
        assert not page.rows, "a page of progress shows no figures"
        return
    if page.group.responses is not None or page.response_rate:
        out.count(group_set, where)
    comparison = page.comparison
    assert comparison is not None
    for row in page.rows:
        if row.shown:
            out.domain(group_set, row.domain.code, where)
        if row.parent_mean and comparison.parent is not None:
            parent_set = population.group(comparison.parent.path, scope.cycle_ids, filters)
            out.domain(parent_set, row.domain.code, where + " parent marker")
        if row.org_mean and comparison.root is not None:
            root_set = population.group(comparison.root.path, scope.cycle_ids, filters)
            out.domain(root_set, row.domain.code, where + " organisation marker")
        if row.previous_mean:
            assert page.previous is not None
            previous_set = population.group(unit.path, page.previous.cycle_ids, filters)
            out.domain(previous_set, row.domain.code, where + " earlier result")
    # Outcomes (§12): a share who agree counts answers, as a domain's shares do.
    for outcome in page.outcome_rows:
        if outcome.shown:
            out.domain(group_set, outcome.domain.code, where + " outcome")
        if outcome.parent_agree and comparison.parent is not None:
            parent_set = population.group(comparison.parent.path, scope.cycle_ids, filters)
            out.domain(parent_set, outcome.domain.code, where + " outcome parent")
        if outcome.org_agree and comparison.root is not None:
            root_set = population.group(comparison.root.path, scope.cycle_ids, filters)
            out.domain(root_set, outcome.domain.code, where + " outcome organisation")
    for statement in page.statement_rows:
        if statement.shown:
            out.statement(group_set, statement.code, where, with_mean=bool(statement.mean))
    by_label = {pool.label: pool for pool in pools}
    for point in page.pulse_points:
        if point.shown:
            pool_set = population.group(unit.path, by_label[point.label].cycle_ids)
            for domain, mean in zip(page.domains, point.means, strict=True):
                if mean:
                    out.domain(pool_set, domain.code, where + " pulse trend")


def _counted_cycles(cycle: Cycle) -> list[int]:
    """The cycles whose responses a cycle's progress counts: a pulse is counted in its pool."""
    return sorted(scope_of(cycle).cycle_ids)


def _progress(out: Collected, progress: profile_page.Progress, unit: Unit, where: str) -> None:
    """A cycle's progress: a count is released only where it reads as a number."""
    cycle_ids = _counted_cycles(progress.cycle)
    for row in progress.teams:
        if is_exact(row.responses):
            out.count(out.population.group(row.team.path, cycle_ids), where + " progress")
    if is_exact(progress.responses):
        out.count(out.population.group(unit.path, cycle_ids), where + " progress")


def _compare(out: Collected, page: ComparePage) -> None:
    population = out.population
    scope = page.scope
    unit = page.unit
    where = f"compare {unit.name} {scope.label}"
    groups = [page.parent] if page.organisation is None else [page.parent, page.organisation]
    for group in groups:
        group_set = population.group(group.unit.path, scope.cycle_ids)
        if group.responses is not None:
            out.count(group_set, where + f" {group.label}")
        for cell in group.cells:
            if cell.mean is not None:
                out.domain(group_set, cell.domain.code, where + f" {group.label}")
    for row in page.rows:
        child_set = population.group(row.unit.path, scope.cycle_ids)
        if row.responses is not None:
            out.count(child_set, where + f" {row.unit.name}")
        for cell in row.cells:
            if cell.mean is not None:
                out.domain(child_set, cell.domain.code, where + f" {row.unit.name}")


def _trends(out: Collected, page: TrendsPage, unit: Unit) -> None:
    population = out.population
    cycles = cycles_covering(unit)
    full = sorted((c for c in cycles if c.kind == Cycle.Kind.FULL), key=lambda c: c.opens_on)
    pooled = pools_taking_part(pulse_pools(unit.organisation), cycles)
    series = [
        *zip([frozenset({c.pk}) for c in full], page.full_points, strict=True),
        *zip([p.cycle_ids for p in pooled], page.pulse_points, strict=True),
    ]
    for cycle_ids, point in series:
        if not point.shown:
            continue
        group_set = population.group(unit.path, cycle_ids)
        where = f"trends {unit.name} {point.label}"
        if point.responses is not None:
            out.count(group_set, where)
        for domain, mean in zip(page.domains, point.means, strict=True):
            if mean is not None:
                out.domain(group_set, domain.code, where)


def _export(
    out: Collected,
    rows: Iterator[list[str]],
    request: ExportRequest,
    by_readable: Mapping[str, Unit],
) -> None:
    population = out.population
    scope = request.scope
    for row in rows:
        # §10's columns come first; columns appended after them (the benchmark's) are not
        # figures of a group of responses.
        _label, path, level, domain_name, code, responses, mean, *_rest, suppressed = row[
            : len(COLUMNS)
        ]
        if suppressed == "yes":
            continue
        unit = by_readable[path]
        group_set = population.group(unit.path, scope.cycle_ids)
        where = f"export {request.by} {path} {level}"
        if code:
            out.statement(group_set, code, where, with_mean=bool(mean))
        else:
            out.domain(group_set, population.domain_names[domain_name], where)
            if responses:
                out.count(group_set, where)


def _cycle_page(out: Collected, client: Client, cycle: Cycle) -> None:
    page = client.get(reverse("diagnostics:cycle_detail", args=[cycle.pk]))
    if page.status_code != 200:
        return
    cycle_ids = _counted_cycles(cycle)
    for row in page.context["teams"]:
        if is_exact(row.responses):
            out.count(
                out.population.group(row.team.path, cycle_ids),
                f"cycle page {cycle.name} {row.team.name}",
            )
    if is_exact(page.context["progress"].unit_responses):
        out.count(
            out.population.group(cycle.unit.path, cycle_ids),
            f"cycle page {cycle.name} {cycle.unit.name}",
        )


# -- the span test ---------------------------------------------------------------------------


class Echelon:
    """Rows reduced to echelon form over the rationals, for exact span membership."""

    def __init__(self) -> None:
        self.pivots: dict[int, dict[int, Fraction]] = {}

    def reduce(self, row: Mapping[int, Fraction]) -> dict[int, Fraction]:
        vector = {col: value for col, value in row.items() if value}
        while vector:
            col = min(vector)
            pivot = self.pivots.get(col)
            if pivot is None:
                return vector
            _subtract(vector, pivot, vector[col])
        return vector

    def add(self, row: Mapping[int, Fraction]) -> None:
        vector = self.reduce(row)
        if vector:
            col = min(vector)
            lead = vector[col]
            self.pivots[col] = {c: value / lead for c, value in vector.items()}

    def contains(self, row: Mapping[int, Fraction]) -> bool:
        return not self.reduce(row)


@dataclass(frozen=True)
class Violation:
    level: str
    responses: frozenset[int]
    elements: frozenset[Element]
    sources: tuple[str, ...]


Signature = tuple[tuple[int, Fraction], ...]  # (released set, weight) for each set holding it


def _atoms(sets: Sequence[Released]) -> dict[Signature, set[Element]]:
    """The elements grouped by the sets (and weights) they lie in."""
    signature: dict[Element, list[tuple[int, Fraction]]] = defaultdict(list)
    for index, item in enumerate(sets):
        for element in item.elements:
            signature[element].append((index, item.weight(element)))
    atoms: dict[Signature, set[Element]] = defaultdict(set)
    for element, entries in signature.items():
        atoms[tuple(entries)].add(element)
    return atoms


def _people(elements: Iterable[Element], level: str) -> frozenset[int]:
    """The responses behind these elements (answers are (response, statement) pairs)."""
    return frozenset(
        element if level == "responses" else element[0]  # type: ignore[index,misc]
        for element in elements
    )


def violations(released: Sequence[Released], *, k: int) -> list[Violation]:
    """Sets touching 1 to k−1 responses whose indicator lies in the span of the released sets,
    per level (answers, responses). Exact and complete:

    The atoms touching fewer than k responses ("small") are put last. In echelon form, the rows
    whose pivot falls among them span V, exactly the vectors of the span that live on small
    atoms only; every derivable small set is a 0/1 vector of V. Reduced so that each basis row
    has a 1 at its own pivot and 0 at the others', a 0/1 vector of V takes the value c_i at
    pivot i, so it is one of the sums of basis rows with coefficients 0 or 1: each is tried,
    within each group of rows that share columns (see `_components`). With no small atom in
    reach of the span (dim V = 0) nothing small is derivable.
    """
    found: list[Violation] = []
    for level in ("answers", "scores", "responses"):
        sets = [r for r in released if r.level == level]
        if not sets:
            continue
        atoms = _atoms(sets)
        touched = {sig: _people(elements, level) for sig, elements in atoms.items()}
        ordered = sorted(atoms, key=lambda sig: len(touched[sig]) < k)
        column = {sig: position for position, sig in enumerate(ordered)}
        first_small = sum(1 for sig in ordered if len(touched[sig]) >= k)
        echelon = Echelon()
        rows: list[dict[int, Fraction]] = [{} for _ in sets]
        for sig in atoms:
            for index, weight in sig:
                rows[index][column[sig]] = weight
        for row in rows:
            echelon.add(row)
        basis = _reduced({c: r for c, r in echelon.pivots.items() if c >= first_small})
        for component in _components(basis):
            if len(component) > MAX_DIMENSION:
                found.append(
                    Violation(
                        level, frozenset(), frozenset(), (f"{len(component)} small dimensions",)
                    )
                )
                continue
            for support in _zero_one_sums(component):
                responses = frozenset().union(*(touched[ordered[col]] for col in support))
                if 0 < len(responses) < k:
                    where = {sets[i].where for col in support for i, _ in ordered[col]}
                    found.append(
                        Violation(
                            level,
                            responses,
                            frozenset().union(*(atoms[ordered[col]] for col in support)),
                            tuple(sorted(where))[:6],
                        )
                    )
    return found


MAX_DIMENSION = 40


def _zero_one_sums(rows: Sequence[dict[int, Fraction]]) -> Iterator[list[int]]:
    """The supports of every non-empty sum of these rows (coefficients 0 or 1) whose entries
    are all 0 or 1. Depth first over the rows; a column is final once the last row touching it
    is decided, and a branch where a final column is neither 0 nor 1 is cut there. Each row has
    its own pivot (1, and 0 in every other row), so distinct choices give distinct sums."""
    last_row: dict[int, int] = {}
    for index, row in enumerate(rows):
        for col in row:
            last_row[col] = index
    final_after: dict[int, list[int]] = defaultdict(list)
    for col, index in last_row.items():
        final_after[index].append(col)
    vector: dict[int, Fraction] = defaultdict(Fraction)

    def visit(index: int, chosen: int) -> Iterator[list[int]]:
        if index == len(rows):
            if chosen:
                yield [col for col, value in vector.items() if value]
            return
        row = rows[index]
        for take in (False, True):
            if take:
                for col, value in row.items():
                    vector[col] += value
            if all(vector[col] in (0, 1) for col in final_after[index]):
                yield from visit(index + 1, chosen + take)
            if take:
                for col, value in row.items():
                    vector[col] -= value

    yield from visit(0, 0)


def _components(rows: Sequence[dict[int, Fraction]]) -> list[list[dict[int, Fraction]]]:
    """The rows grouped by shared columns. Groups have disjoint supports, so a 0/1 vector of
    their span is a sum of 0/1 vectors, one per group, and any non-empty one of those touches
    no more responses than the whole: a small derivable set shows up within one group."""
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[int, int] = {}
    for index, row in enumerate(rows):
        for col in row:
            if col in owner:
                parent[find(index)] = find(owner[col])
            else:
                owner[col] = index
    groups: dict[int, list[dict[int, Fraction]]] = defaultdict(list)
    for index, row in enumerate(rows):
        groups[find(index)].append(row)
    return list(groups.values())


def _reduced(pivots: Mapping[int, Mapping[int, Fraction]]) -> list[dict[int, Fraction]]:
    """Rows with these pivots, each made 1 at its own pivot and 0 at the others'."""
    rows = {col: dict(row) for col, row in pivots.items()}
    for col in sorted(rows, reverse=True):
        pivot_row = rows[col]
        lead = pivot_row[col]
        rows[col] = pivot_row = {c: v / lead for c, v in pivot_row.items()}
        for other, row in rows.items():
            if other != col and row.get(col):
                _subtract(row, pivot_row, row[col])
    return list(rows.values())


def _subtract(row: dict[int, Fraction], other: Mapping[int, Fraction], factor: Fraction) -> None:
    """row −= factor × other, dropping the zeros."""
    for col, value in other.items():
        updated = row.get(col, Fraction(0)) - factor * value
        if updated:
            row[col] = updated
        else:
            row.pop(col, None)


def _isolable_by(matrix: np.ndarray) -> Callable[[Sequence[int]], bool]:
    """Whether the span of the matrix's rows holds a vector that is zero outside these columns
    and not zero inside them: what the linear programme of `weighted_violations` needs before
    it asks for signs, and far cheaper to rule out. Such a vector exists when a unit vector on
    the columns lies in the span, that is when the projection onto the span, cut down to those
    columns, has eigenvalue 1. The tolerances lean towards yes (a wrong yes only costs the
    linear programme that would have run anyway)."""
    if not matrix.size:
        return lambda columns: False
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    basis = vt[singular > singular.max() * 1e-12].T  # an orthonormal basis of the span, by rows

    def isolable(columns: Sequence[int]) -> bool:
        rows = basis[list(columns)]
        return bool(np.linalg.eigvalsh(rows @ rows.T).max() > 1 - 1e-6)

    return isolable


def weighted_violations(
    released: Sequence[Released], *, k: int, level: str = "scores", most_atoms: int = 2
) -> list[Violation]:
    """Non-negative, non-zero vectors of the span on the answers of 1 to k−1 responses: a
    weighted sum of a small group's answers, such as the mean of two people who answered
    different numbers of a domain's statements (each answer weighs 1/answers given), which is
    no 0/1 vector and so escapes `violations`. For each union of up to `most_atoms` small atoms,
    a linear programme looks for coefficients c of the released sets with Mᵀc = 0 outside the
    union, Mᵀc ≥ 0 inside it and a positive total there."""
    sets = [item for item in released if item.level == level and item.elements]
    if not sets:
        return []
    atoms = _atoms(sets)
    signatures = list(atoms)
    people = {sig: _people(atoms[sig], level) for sig in signatures}
    matrix = np.zeros((len(sets), len(signatures)))
    for column, sig in enumerate(signatures):
        for index, weight in sig:
            matrix[index, column] = float(weight)
    small = [column for column, sig in enumerate(signatures) if len(people[sig]) < k]
    isolable = _isolable_by(matrix)
    found: list[Violation] = []
    for size in range(1, most_atoms + 1):
        for union in combinations(small, size):
            who = frozenset().union(*(people[signatures[c]] for c in union))
            if len(who) >= k or not isolable(union):
                continue
            inside = list(union)
            outside = [c for c in range(len(signatures)) if c not in set(union)]
            result = linprog(
                np.zeros(len(sets)),
                A_ub=np.vstack([-matrix[:, inside].T, -matrix[:, inside].sum(axis=1)[None, :]]),
                b_ub=np.concatenate([np.zeros(len(inside)), [-1.0]]),
                A_eq=matrix[:, outside].T if outside else None,
                b_eq=np.zeros(len(outside)) if outside else None,
                bounds=[(None, None)] * len(sets),
                method="highs",
            )
            if result.status == 0:
                elements = frozenset(e for c in union for e in atoms[signatures[c]])
                sources = tuple(sorted({sets[i].where for c in union for i, _ in signatures[c]}))
                found.append(Violation(level, who, elements, sources))
    return found
