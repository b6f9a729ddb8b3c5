"""The benchmark page: the distribution a unit compares with, and where it stands.

Percentiles only: no other organisation's name or figure. The unit's own means come from the
disclosure engine for this viewer, and a position is given only where the mean is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from benchmarks.rules import Position
from benchmarks.selectors import BenchmarkReading, benchmark_for
from dashboards import charts
from dashboards.common import _mean
from diagnostics.models import Cycle
from diagnostics.pooling import cycle_scope
from diagnostics.release_words import hidden_words
from diagnostics.results import Source, ancestor_paths, load_domains, results_for_scopes
from diagnostics.scoring import display_mean
from organisations.access import Reach
from organisations.models import Unit
from organisations.selectors import readable_path


def display_percentile(value: float) -> str:
    """Percentiles to two decimals, so a released mean (one decimal) can be read against them
    without a tie that rounding made."""
    return f"{value:.2f}"


@dataclass(frozen=True)
class BenchmarkDomainRow:
    domain: str
    p20: str
    p50: str
    p80: str
    organisations: str
    groups: str
    mean: str
    position: Position | None
    hidden: str  # why the unit's mean is not shown ("" where it is)


@dataclass(frozen=True)
class BenchmarkPage:
    unit: Unit
    unit_path: str
    cycle: Cycle
    reading: BenchmarkReading | None
    rows: tuple[BenchmarkDomainRow, ...] = ()
    chart: dict[str, Any] | None = None
    unit_shown: bool = False
    missing: tuple[str, ...] = ()  # domains without a benchmark row

    @property
    def compares_teams(self) -> bool:
        return bool(self.reading and not self.reading.is_reference and self.unit.is_team)


def benchmark_page(
    *, reach: Reach, unit: Unit, cycle: Cycle, source: Source | None = None
) -> BenchmarkPage:
    """A fixed number of queries: the benchmark (two or three) and the unit's results.
    `source`: the units and tallies this request already read for the viewer, if any."""
    organisation = cycle.organisation
    reading = benchmark_for(organisation, cycle=cycle)
    source = source or Source.of(organisation, reach=reach)
    names = {path: source.by_path[path].name for path in ancestor_paths(unit.path)}
    page = BenchmarkPage(
        unit=unit, unit_path=readable_path(unit, names), cycle=cycle, reading=reading
    )
    if reading is None:
        return page
    domains = load_domains()
    (results,) = results_for_scopes(
        organisation,
        [cycle_scope(cycle)],
        reach=reach,
        domains=domains,
        source=source,
    )
    group = results.group(unit)
    rows = []
    ranges = []
    missing = []
    for domain in domains:
        found = reading.percentiles(unit, domain.code)
        if found is None:
            missing.append(domain.name)
            continue
        mean = _mean(group, domain.code) if group.shown else None
        cell = group.domains[domain.code]
        rows.append(
            BenchmarkDomainRow(
                domain=domain.name,
                p20=display_percentile(found.p20),
                p50=display_percentile(found.p50),
                p80=display_percentile(found.p80),
                organisations="" if reading.is_reference else found.organisations,
                groups=found.groups if reading.compares_teams_for(unit) else "",
                mean=display_mean(mean),
                position=found.position(mean) if mean is not None else None,
                hidden=""
                if mean is not None
                else hidden_words(cell.hidden if group.shown else group.hidden, k=group.k),
            )
        )
        ranges.append(charts.BenchmarkRange(domain.name, found.p20, found.p50, found.p80, mean))
    chart = charts.benchmark_ranges(ranges, mean_name=unit.name) if ranges else None
    return BenchmarkPage(
        unit=unit,
        unit_path=page.unit_path,
        cycle=cycle,
        reading=reading,
        rows=tuple(rows),
        chart=chart,
        unit_shown=group.shown,
        missing=tuple(missing),
    )
