"""Reads: the benchmark an organisation compares with, and where a figure stands in it.

A reading holds percentiles only. Positions are given only for means the disclosure engine has
already released to the viewer (callers pass `Cell.figures.mean`, or nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from benchmarks.models import Benchmark, BenchmarkRow
from benchmarks.rules import (
    Position,
    organisations_text,
    period_label,
    period_of,
    position_of,
    teams_text,
)
from benchmarks.services import ALL
from diagnostics.models import Cycle
from organisations.models import CompareWith, Organisation, Unit

# In the catalogue; translated where they are used (gettext(COHORT_WORDS[choice])).
COHORT_WORDS = {
    CompareWith.KIND: gettext_noop("organisations of the same type"),
    CompareWith.SIZE: gettext_noop("organisations of the same size"),
    CompareWith.KIND_AND_SIZE: gettext_noop("organisations of the same type and size"),
}


@dataclass(frozen=True)
class Percentiles:
    domain_code: str
    domain_name: str
    level: str
    p20: float
    p50: float
    p80: float
    organisations: str  # worded in bands
    groups: str

    def position(self, mean: float) -> Position:
        return position_of(mean, p20=self.p20, p50=self.p50, p80=self.p80)


@dataclass(frozen=True)
class BenchmarkReading:
    """The benchmark one organisation compares with, for one cycle."""

    is_reference: bool
    period: str
    source: str  # who published it, or "organisations on this installation"
    among: str  # which organisations, in words
    size: str  # how many, in words ("" for a reference table)
    note: str  # why it is not the one asked for, if not
    rows: dict[tuple[str, str], Percentiles]  # (level, domain code) → percentiles

    def level_for(self, unit: Unit) -> str:
        """Teams stand among team means; units and the organisation among organisations'."""
        if self.is_reference:
            return BenchmarkRow.Level.ANY
        return BenchmarkRow.Level.TEAM if unit.is_team else BenchmarkRow.Level.ORGANISATION

    def compares_teams_for(self, unit: Unit) -> bool:
        return self.level_for(unit) == BenchmarkRow.Level.TEAM

    def percentiles(self, unit: Unit, domain_code: str) -> Percentiles | None:
        return self.rows.get((self.level_for(unit), domain_code))

    def position(self, unit: Unit, domain_code: str, mean: float | None) -> Position | None:
        """Where a released mean stands; None without a mean or a row."""
        found = self.percentiles(unit, domain_code)
        if mean is None or found is None:
            return None
        return found.position(mean)

    @property
    def heading(self) -> str:
        if self.is_reference:
            return f"{self.source}, {self.period}"
        return gettext("%(size)s on this installation, %(period)s") % {
            "size": self.size,
            "period": self.period,
        }


def _wanted_cohort(organisation: Organisation) -> str:
    choice = organisation.benchmark_compare_with
    kind = organisation.kind
    size = organisation.size_band
    if choice == CompareWith.KIND and kind:
        return f"kind:{kind}"
    if choice == CompareWith.SIZE and size:
        return f"size:{size}"
    if choice == CompareWith.KIND_AND_SIZE and kind and size:
        return f"kind:{kind}|size:{size}"
    return ALL


def _reading(benchmark: Benchmark, *, note: str = "", among: str = "") -> BenchmarkReading:
    rows = {}
    for row in benchmark.rows.select_related("domain"):
        rows[(row.level, row.domain.code)] = Percentiles(
            domain_code=row.domain.code,
            domain_name=row.domain.name,
            level=row.level,
            p20=row.p20,
            p50=row.p50,
            p80=row.p80,
            organisations=organisations_text(row.organisations or 0),
            groups=teams_text(row.groups or 0),
        )
    reference = benchmark.kind == Benchmark.Kind.REFERENCE
    return BenchmarkReading(
        is_reference=reference,
        period=period_label(benchmark.period),
        source=benchmark.source if reference else gettext("organisations on this installation"),
        among=among,
        size="" if reference else organisations_text(benchmark.organisations or 0),
        note=note,
        rows=rows,
    )


def benchmark_for(organisation: Organisation, *, cycle: Cycle) -> BenchmarkReading | None:
    """The benchmark a full diagnostic compares with (two or three queries; none for a pulse).

    An organisation taking part compares with the computed benchmark of the cycle's period (or
    the latest before it), narrowed as its admin chose when at least five similar organisations
    remain; otherwise, or when not taking part, with the imported reference table, if any."""
    if cycle.kind != Cycle.Kind.FULL:
        return None
    if organisation.benchmark_opt_in:
        wanted = _wanted_cohort(organisation)
        found = list(
            Benchmark.objects.filter(
                kind=Benchmark.Kind.COMPUTED,
                cohort__in={wanted, ALL},
                period__lte=period_of(cycle.closes_on),
            ).order_by("-period")[:2]
        )
        if found:
            newest = [b for b in found if b.period == found[0].period]
            chosen = next((b for b in newest if b.cohort == wanted), newest[-1])
            narrowed = chosen.cohort != ALL
            words = COHORT_WORDS.get(CompareWith(organisation.benchmark_compare_with), "")
            similar = gettext(words) if words else ""
            note = ""
            if wanted != ALL and not narrowed:
                note = gettext(
                    "Fewer than five %(similar)s take part, so this compares with all "
                    "organisations taking part."
                ) % {"similar": similar}
            among = similar if narrowed else gettext("all organisations taking part")
            return _reading(chosen, note=note, among=among)
    reference = Benchmark.objects.filter(kind=Benchmark.Kind.REFERENCE).first()
    if reference is None:
        return None
    return _reading(reference, among=gettext("the organisations of a published reference table"))


class _ExportPositions:
    """The results export's extra columns: where each released domain mean stands."""

    COLUMNS = ("benchmark_position", "benchmark_period", "benchmark_source")

    def __call__(self, cycle: Cycle) -> Callable[[Unit, str, str, float | None], list[str]]:
        # The export's cells are not translated: its period and source are read in English.
        with translation.override("en"):
            reading = benchmark_for(cycle.organisation, cycle=cycle)

        def values(
            unit: Unit, domain_code: str, statement_code: str, mean: float | None
        ) -> list[str]:
            if reading is None or statement_code:
                return ["", "", ""]
            position = reading.position(unit, domain_code, mean)
            if position is None:
                return ["", "", ""]
            return [position.short, reading.period, reading.source]

        return values


export_positions = _ExportPositions()
