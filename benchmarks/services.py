"""Writes: computing the benchmark across organisations, and importing a reference table.

The benchmark reads each organisation's results exactly as its own org admin sees them
(`results_for_scopes` with no narrower reach), so a mean the disclosure engine hides from
that organisation never reaches a percentile.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from benchmarks.models import Benchmark, BenchmarkRow
from benchmarks.rules import MIN_ORGANISATIONS, percentiles, period_of, period_ready
from diagnostics.models import Cycle, Domain
from diagnostics.pooling import cycle_scope
from diagnostics.results import load_domains, results_for_scopes
from organisations.models import Organisation

ALL = "all"
LEVELS = (BenchmarkRow.Level.ORGANISATION, BenchmarkRow.Level.TEAM)


@dataclass(frozen=True)
class Contribution:
    """One organisation's shown means in one period: its whole-organisation figure and its
    teams', per domain id. Held in memory only while the benchmark is computed."""

    organisation_id: int
    cohorts: tuple[str, ...]
    means: dict[str, dict[int, list[float]]] = field(default_factory=dict)  # level → domain → …


def cohorts_of(organisation: Organisation) -> tuple[str, ...]:
    """The cohorts an organisation counts in: all, and those its operator-set type and size
    band allow."""
    cohorts = [ALL]
    if organisation.kind:
        cohorts.append(f"kind:{organisation.kind}")
    if organisation.size_band:
        cohorts.append(f"size:{organisation.size_band}")
    if organisation.kind and organisation.size_band:
        cohorts.append(f"kind:{organisation.kind}|size:{organisation.size_band}")
    return tuple(cohorts)


def benchmark_cycles() -> dict[str, list[Cycle]]:
    """Per period, the cycle each taking-part organisation contributes: its latest full
    diagnostic that has closed in the period and was run across the whole organisation."""
    chosen: dict[tuple[int, str], Cycle] = {}
    for cycle in (
        Cycle.objects.filter(
            organisation__benchmark_opt_in=True,
            kind=Cycle.Kind.FULL,
            status=Cycle.Status.CLOSED,
            unit__depth=1,
        )
        .select_related("organisation", "unit")
        .order_by("-closes_on", "-pk")
    ):
        chosen.setdefault((cycle.organisation_id, period_of(cycle.closes_on)), cycle)
    by_period: dict[str, list[Cycle]] = defaultdict(list)
    for (_org, period), cycle in chosen.items():
        by_period[period].append(cycle)
    return by_period


def contribution_of(cycle: Cycle, *, domains: Sequence[Domain]) -> Contribution:
    """The organisation's means in this cycle that its org admin is shown (rounded at release,
    as on the page): the organisation's, and each team's."""
    organisation = cycle.organisation
    (results,) = results_for_scopes(organisation, [cycle_scope(cycle)], reach=None, domains=domains)
    means: dict[str, dict[int, list[float]]] = {level: defaultdict(list) for level in LEVELS}
    for unit in results.units.values():
        if unit.depth == 1:
            level = BenchmarkRow.Level.ORGANISATION
        elif unit.is_team:
            level = BenchmarkRow.Level.TEAM
        else:
            continue
        if not results.response_counts.get(unit.path):
            continue
        group = results.group(unit)
        if not group.shown:
            continue
        for domain in domains:
            figures = group.domains[domain.code].figures
            if figures is not None and figures.mean is not None:
                means[level][domain.pk].append(figures.mean)
    return Contribution(organisation.pk, cohorts_of(organisation), means)


def _contributors(
    members: Sequence[Contribution], level: str, domain_id: int
) -> tuple[frozenset[int], list[float]]:
    found = [(c.organisation_id, c.means.get(level, {}).get(domain_id, [])) for c in members]
    organisations = frozenset(org for org, means in found if means)
    return organisations, [mean for _, means in found for mean in means]


def allowed_beside(contributors: frozenset[int], wider: Iterable[frozenset[int]]) -> bool:
    """A narrower row may be published beside a wider one that holds all its organisations
    only if the wider row holds none or at least MIN_ORGANISATIONS more: otherwise the two
    could be set side by side to narrow down a few organisations' figures (the rule §5 applies
    to groups of responses, applied to organisations)."""
    for others in wider:
        if contributors <= others:
            extra = len(others - contributors)
            if 0 < extra < MIN_ORGANISATIONS:
                return False
    return True


def period_rows(
    contributions: Sequence[Contribution], *, domains: Sequence[Domain]
) -> list[tuple[Benchmark, list[BenchmarkRow]]]:
    """One period's benchmarks, widest cohort first: for each cohort of at least
    MIN_ORGANISATIONS organisations, each level and domain, the percentiles of the means of
    at least MIN_ORGANISATIONS organisations, where `allowed_beside` the rows already kept."""
    cohorts = {cohort for c in contributions for cohort in c.cohorts}
    members = {cohort: [c for c in contributions if cohort in c.cohorts] for cohort in cohorts}
    kept: dict[tuple[str, int], list[frozenset[int]]] = defaultdict(list)
    result = []
    for cohort in sorted(cohorts, key=lambda name: (-len(members[name]), name != ALL, name)):
        if len(members[cohort]) < MIN_ORGANISATIONS:
            continue
        rows = []
        for level in LEVELS:
            for domain in domains:
                organisations, values = _contributors(members[cohort], level, domain.pk)
                if len(organisations) < MIN_ORGANISATIONS:
                    continue
                if not allowed_beside(organisations, kept[(level, domain.pk)]):
                    continue
                kept[(level, domain.pk)].append(organisations)
                p20, p50, p80 = percentiles(values)
                rows.append(
                    BenchmarkRow(
                        level=level,
                        domain=domain,
                        p20=p20,
                        p50=p50,
                        p80=p80,
                        organisations=len(organisations),
                        groups=len(values),
                    )
                )
        if rows:
            benchmark = Benchmark(
                kind=Benchmark.Kind.COMPUTED,
                cohort=cohort,
                organisations=len(members[cohort]),
            )
            result.append((benchmark, rows))
    return result


@dataclass(frozen=True)
class ComputeSummary:
    periods: int
    benchmarks: int
    rows: int


def compute_benchmarks(*, today: date | None = None) -> ComputeSummary:
    """Compute the benchmark of each period that ended at least PERIOD_GRACE_DAYS ago and has
    none yet, from the organisations taking part now, and keep it from then on.

    A period is computed once, from one reading of every organisation taking part, and never
    recomputed: a benchmark that changed whenever one organisation's cycle closed, or one
    organisation joined or left, would tell the others about that organisation's figures.
    Idempotent: a second run finds the periods computed and stores nothing. An organisation
    that stops taking part is left out of the periods computed afterwards."""
    today = today or timezone.localdate()
    domains = load_domains()
    done = set(
        Benchmark.objects.filter(kind=Benchmark.Kind.COMPUTED).values_list("period", flat=True)
    )
    computed: list[tuple[Benchmark, list[BenchmarkRow]]] = []
    for period, cycles in sorted(benchmark_cycles().items()):
        if period in done or not period_ready(period, today=today):
            continue
        if len(cycles) < MIN_ORGANISATIONS:
            continue
        contributions = [contribution_of(cycle, domains=domains) for cycle in cycles]
        for benchmark, rows in period_rows(contributions, domains=domains):
            benchmark.period = period
            computed.append((benchmark, rows))
    with transaction.atomic():
        for benchmark, rows in computed:
            benchmark.save()
            for row in rows:
                row.benchmark = benchmark
        BenchmarkRow.objects.bulk_create([row for _, rows in computed for row in rows])
    return ComputeSummary(
        periods=len({b.period for b, _ in computed}),
        benchmarks=len(computed),
        rows=sum(len(rows) for _, rows in computed),
    )


# --- a published reference table ----------------------------------------------------------

REFERENCE_COLUMNS = ["domain", "p20", "p50", "p80", "source", "period"]


def _number(value: str, *, line: int, column: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValidationError(
            f"Line {line}: {column} “{value}” is not a number (write it like 3.8)."
        ) from None
    if not 1 <= number <= 6:
        raise ValidationError(
            f"Line {line}: {column} {value} is outside the scale of 1 to 6 that domain means use."
        )
    return number


def parse_reference(text: str, *, domains: Sequence[Domain]) -> tuple[str, str, list[BenchmarkRow]]:
    """Check every row of a reference table (`domain,p20,p50,p80,source,period`); the source,
    the period and the rows, or a ValidationError listing every problem found."""
    by_name = {d.code.lower(): d for d in domains} | {d.name.lower(): d for d in domains}
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    if header != REFERENCE_COLUMNS:
        raise ValidationError(
            f"The first line must be the columns {','.join(REFERENCE_COLUMNS)} "
            f"(found {','.join(header) or 'nothing'})."
        )
    reader.fieldnames = header
    problems: list[str] = []
    rows: list[BenchmarkRow] = []
    seen: dict[int, int] = {}
    sources: set[str] = set()
    periods: set[str] = set()
    for line, record in enumerate(reader, start=2):
        if None in record or any(record.get(c) is None for c in REFERENCE_COLUMNS):
            problems.append(f"Line {line}: expected {len(REFERENCE_COLUMNS)} values.")
            continue
        values = {key: (record[key] or "").strip() for key in REFERENCE_COLUMNS}
        domain = by_name.get(values["domain"].lower())
        if domain is None:
            problems.append(
                f"Line {line}: no domain “{values['domain']}”; use a domain's code or name "
                f"({', '.join(d.code for d in domains)})."
            )
            continue
        if domain.pk in seen:
            problems.append(f"Line {line}: {domain.name} is already on line {seen[domain.pk]}.")
            continue
        seen[domain.pk] = line
        try:
            p20, p50, p80 = (_number(values[c], line=line, column=c) for c in ("p20", "p50", "p80"))
        except ValidationError as error:
            problems.extend(error.messages)
            continue
        if not p20 <= p50 <= p80:
            problems.append(f"Line {line}: the percentiles must rise: p20 ≤ p50 ≤ p80.")
            continue
        if not values["source"] or not values["period"]:
            problems.append(f"Line {line}: give the table's source and period on every line.")
            continue
        sources.add(values["source"])
        periods.add(values["period"])
        rows.append(
            BenchmarkRow(level=BenchmarkRow.Level.ANY, domain=domain, p20=p20, p50=p50, p80=p80)
        )
    if not problems and not rows:
        problems.append("The file has no rows of percentiles.")
    if len(sources) > 1 or len(periods) > 1:
        problems.append("Every line must give the same source and the same period.")
    if problems:
        raise ValidationError(problems)
    source, period = sources.pop(), periods.pop()
    if len(source) > 200 or len(period) > 60:
        raise ValidationError("The source is at most 200 characters and the period at most 60.")
    return source, period, rows


def import_reference(*, text: str) -> Benchmark:
    """Replace the installation's reference table with this one: every row checked first,
    and nothing changed unless all are good."""
    source, period, rows = parse_reference(text, domains=load_domains())
    with transaction.atomic():
        Benchmark.objects.filter(kind=Benchmark.Kind.REFERENCE).delete()
        benchmark = Benchmark.objects.create(
            kind=Benchmark.Kind.REFERENCE, period=period, cohort="", source=source
        )
        for row in rows:
            row.benchmark = benchmark
        BenchmarkRow.objects.bulk_create(rows)
    return benchmark
