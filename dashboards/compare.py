"""The unit comparison: child units by domains, as a heatmap and a table.

Each cell is coloured on a colour-blind-safe scale (see `dashboards.colours`), either by its mean
or by its difference from a comparison (the unit being compared, or the organisation); the band
of §4 and "urgent" are printed in the cell, so the colour only adds. A difference is worked out
only from two figures the disclosure engine shows this viewer (both rounded at release), so it
tells nobody more than the two figures beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

from django.urls import reverse
from django.utils.translation import gettext

from benchmarks.selectors import BenchmarkReading, benchmark_for
from dashboards import charts, colours
from dashboards.common import FRAMING
from diagnostics.models import Cycle, Domain
from diagnostics.pooling import (
    Scope,
    cycle_label,
    cycle_scope,
    pool_of,
    pools_taking_part,
    pulse_pools,
)
from diagnostics.release_words import hidden_short_lines, hidden_short_words, hidden_words
from diagnostics.results import (
    Cell,
    GroupResult,
    OrganisationResults,
    Source,
    ancestor_paths,
    load_domains,
    results_for_scopes,
)
from diagnostics.scoring import display_mean
from disclosure.plan import Hidden
from organisations.access import Reach
from organisations.models import Unit
from organisations.selectors import readable_path

ColourBy = Literal["mean", "parent", "organisation"]
COLOUR_BY_DEFAULT: ColourBy = "mean"
COLOUR_CHOICES: tuple[ColourBy, ...] = ("mean", "parent", "organisation")
BAND_LETTERS = {"red": "R", "amber": "A", "green": "G"}


def colour_by_from(value: str | None) -> ColourBy:
    """The colour asked for in `?colour=`; anything else is the default (never an error)."""
    for choice in COLOUR_CHOICES:
        if value == choice:
            return choice
    return COLOUR_BY_DEFAULT


@dataclass(frozen=True)
class DomainCell:
    """One unit's figure for one domain, as shown, with the colour the viewer chose."""

    domain: Domain
    mean: float | None
    display: str
    band: str | None
    urgent: bool
    hidden: Hidden | None  # why the figure is not shown; None when shown
    hidden_words: str  # why, in the reader's language ("" when shown)
    difference: float | None  # from the comparison, when both figures are shown
    difference_display: str
    no_difference: str  # why a shown figure has no difference ("" when it has one)
    step: int | None  # colour step (dashboards.colours); None: not coloured
    k: int  # the threshold a reason names

    @property
    def shown(self) -> bool:
        return self.hidden is None

    @property
    def band_letter(self) -> str:
        return BAND_LETTERS.get(self.band or "", "")

    @property
    def css_class(self) -> str:
        if not self.shown:
            return "heat-hidden"
        return "heat-none" if self.step is None else f"heat-{self.step:02d}"

    @property
    def hidden_short(self) -> str:
        """The engine's reason in a word or two, to fit a cell."""
        return hidden_short_words(self.hidden, k=self.k)


@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    link: str
    responses: int | None  # None when hidden
    index: int | None
    cells: tuple[DomainCell, ...]


@dataclass(frozen=True)
class GroupRow:
    """The unit being compared, or the organisation: a row of the table, never of the chart."""

    unit: Unit
    label: str
    responses: int | None
    hidden_words: str
    index: int | None
    cells: tuple[DomainCell, ...]
    is_comparison: bool


@dataclass(frozen=True)
class PositionRow:
    """Where a unit stands against the benchmark, per domain ("" where its mean is hidden)."""

    unit: Unit
    label: str
    link: str
    positions: tuple[str, ...]


@dataclass(frozen=True)
class LegendStep:
    css_class: str
    colour: str
    label: str  # printed under the swatch; "" for most steps


@dataclass(frozen=True)
class ColourChoice:
    value: ColourBy
    label: str


@dataclass(frozen=True)
class ColourControl:
    """What the cells are coloured by, the choices, and the words of the legend."""

    value: ColourBy
    choices: tuple[ColourChoice, ...]
    comparison_label: str  # "" when colouring by mean
    explanation: str
    comparison_note: str  # why no differences can be shown at all ("" when they can)
    legend: tuple[LegendStep, ...]


@dataclass(frozen=True)
class ComparePage:
    framing: str
    unit: Unit
    unit_path: str
    organisation_name: str
    cycle: Cycle
    cycle_label: str
    scope: Scope
    domains: tuple[Domain, ...]
    rows: tuple[UnitRow, ...]
    parent: GroupRow
    organisation: GroupRow | None  # shown when the cells are compared with it
    heatmap: dict[str, Any] | None  # the chart's Plotly spec
    colour: ColourControl
    sort: str
    k: int
    breadcrumbs: tuple[Unit, ...]
    printed_on: date
    benchmark: BenchmarkReading | None = None
    positions: tuple[PositionRow, ...] = ()

    @property
    def few_scored(self) -> bool:
        """Whether a cell is hidden because too few have the domain's score (the legend says
        what that means only where it is needed)."""
        groups = [self.parent, *([self.organisation] if self.organisation else [])]
        cells = [
            *(c for row in self.rows for c in row.cells),
            *(c for g in groups for c in g.cells),
        ]
        return any(cell.hidden is Hidden.FEW_SCORED for cell in cells)


def _scope(cycle: Cycle, cycles: Sequence[Cycle]) -> Scope:
    """A pulse is compared through its period's pool, like everywhere else."""
    if cycle.kind == Cycle.Kind.PULSE:
        return pool_of(cycle, pools_taking_part(pulse_pools(cycle.organisation), cycles))
    return cycle_scope(cycle)


def _comparison_mean(comparison: Cell | None) -> float | None:
    figures = comparison.figures if comparison else None
    return figures.mean if figures else None


def domain_cell(
    domain: Domain,
    cell: Cell,
    *,
    comparison: Cell | None,
    comparison_name: str,
    k: int,
) -> DomainCell:
    """A cell as shown: coloured by its mean when `comparison` is None, else by its difference
    from the comparison's figure, when the engine shows both (a difference is never worked out
    from a figure the viewer cannot see)."""
    figures = cell.figures
    mean = figures.mean if figures else None
    if figures is None or mean is None:
        reason = cell.hidden or Hidden.NO_RESPONSES
        return DomainCell(
            domain=domain,
            mean=None,
            display="",
            band=None,
            urgent=False,
            hidden=reason,
            hidden_words=hidden_words(reason, k=k),
            difference=None,
            difference_display="",
            no_difference="",
            step=None,
            k=k,
        )
    step: int | None = colours.step_of(colours.mean_position(mean))
    difference: float | None = None
    no_difference = ""
    if comparison is not None:
        against = _comparison_mean(comparison)
        if against is None:
            why = hidden_words(comparison.hidden, k=k)
            no_difference = gettext("no difference: %(comparison)s is not shown here (%(why)s)") % {
                "comparison": comparison_name,
                "why": why,
            }
            step = None
        else:
            difference = round(mean - against, 1)
            step = colours.step_of(colours.difference_position(difference))
    return DomainCell(
        domain=domain,
        mean=mean,
        display=display_mean(mean),
        band=figures.band,
        urgent=figures.urgent,
        hidden=None,
        hidden_words="",
        difference=difference,
        difference_display=colours.signed(difference) if difference is not None else "",
        no_difference=no_difference,
        step=step,
        k=k,
    )


def _cells(
    group: GroupResult,
    domains: Sequence[Domain],
    comparison: GroupResult | None,
    comparison_name: str,
) -> tuple[DomainCell, ...]:
    return tuple(
        domain_cell(
            domain,
            group.domains[domain.code],
            comparison=comparison.domains[domain.code] if comparison else None,
            comparison_name=comparison_name,
            k=group.k,
        )
        for domain in domains
    )


def _link(child: Unit, cycle: Cycle, colour_by: ColourBy) -> str:
    name = "dashboards:profile" if child.is_team else "dashboards:compare"
    extra = f"&colour={colour_by}" if not child.is_team and colour_by != "mean" else ""
    return reverse(name, args=[child.pk]) + f"?cycle={cycle.pk}{extra}"


def _sorted(rows: list[UnitRow], sort: str, domains: Sequence[Domain]) -> list[UnitRow]:
    codes = [d.code for d in domains]
    if sort in codes:
        position = codes.index(sort)

        def by_domain(row: UnitRow) -> tuple[bool, float, str]:
            mean = row.cells[position].mean
            return (mean is None, mean if mean is not None else 0.0, row.unit.name.lower())

        return sorted(rows, key=by_domain)
    if sort == "index":
        return sorted(rows, key=lambda r: (r.index is None, r.index or 0, r.unit.name.lower()))
    return rows


def _children(results: OrganisationResults, unit: Unit) -> list[Unit]:
    """The units below, leaving out archived ones that had no responses."""
    return [
        child
        for child in results.children_of(unit)
        if not child.is_archived or results.response_counts.get(child.path, 0)
    ]


def _legend(colour_by: ColourBy) -> tuple[LegendStep, ...]:
    if colour_by == "mean":
        labels = {0: "1", 6: "2.5", 10: "3.5", 14: "4.5", 20: "6"}
    else:
        labels = {
            0: gettext("−1.0 or less"),
            5: "−0.5",
            10: "0",
            15: "+0.5",
            20: gettext("+1.0 or more"),
        }
    return tuple(
        LegendStep(f"heat-{step:02d}", colour, labels.get(step, ""))
        for step, colour in enumerate(colours.STEP_COLOURS)
    )


def _colour_control(
    colour_by: ColourBy, *, unit: Unit, organisation_name: str, comparison: GroupResult | None
) -> ColourControl:
    names = {
        "parent": gettext("all of %(unit)s") % {"unit": unit.name},
        "organisation": organisation_name,
    }
    choices = (
        ColourChoice("mean", gettext("Mean score (1 to 6)")),
        ColourChoice("parent", gettext("Difference from all of %(unit)s") % {"unit": unit.name}),
        ColourChoice(
            "organisation",
            gettext("Difference from %(organisation)s as a whole")
            % {"organisation": organisation_name},
        ),
    )
    if colour_by == "mean":
        explanation = gettext(
            "Colour shows each mean on one scale from 1 (dark red) through 3.5 (pale yellow) to "
            "6 (dark blue). Means that sit close together get close colours, so when most "
            "units score alike the colours look alike: colour by difference to see which units "
            "stand out."
        )
        return ColourControl(colour_by, choices, "", explanation, "", _legend(colour_by))
    name = names[colour_by]
    explanation = gettext(
        "Colour shows how far each mean is above (blue) or below (red) the mean of %(name)s "
        "for the same domain, with pale yellow for no difference; a difference of 1.0 or more "
        "takes the darkest colour. Differences are worked out from the rounded figures shown "
        "on this page, so even when most units score alike, the ones that differ stand out."
    ) % {"name": name}
    note = ""
    if comparison is None or not comparison.shown:
        reason = comparison.hidden_words if comparison else gettext("not in your view")
        note = gettext(
            "%(name)s is not shown here (%(reason)s), so no differences "
            "can be worked out: the cells are left uncoloured. Colour by mean instead."
        ) % {"name": f"{name[0].upper()}{name[1:]}", "reason": reason}
    return ColourControl(colour_by, choices, name, explanation, note, _legend(colour_by))


def _uncoloured(cells: tuple[DomainCell, ...]) -> tuple[DomainCell, ...]:
    """The comparison's own row: its figures, not coloured (it is what the colours measure)."""
    return tuple(replace(cell, step=None) for cell in cells)


def _organisation_root(results: OrganisationResults, unit: Unit) -> Unit:
    """The organisation's one unit at the top: the first step of every unit's path."""
    return results.units[unit.path[: Unit.steplen]]


def _line_above(results: OrganisationResults, unit: Unit) -> list[Unit]:
    """The unit and every unit above it, top down: looked up by path, not found among the
    organisation's units (3,300 at ten times the data)."""
    return [results.units[path] for path in ancestor_paths(unit.path)]


def _group_row(
    label: str, group: GroupResult, cells: tuple[DomainCell, ...], *, is_comparison: bool
) -> GroupRow:
    return GroupRow(
        unit=group.unit,
        label=label,
        responses=group.responses,
        hidden_words=group.hidden_words,
        index=group.index,
        cells=cells,
        is_comparison=is_comparison,
    )


def _group_rows(
    parent: GroupResult,
    root: GroupResult,
    domains: Sequence[Domain],
    *,
    colour: ColourControl,
    comparison: GroupResult | None,
    name: str,
) -> tuple[GroupRow, GroupRow | None]:
    """The row of the unit being compared (coloured like its children, unless it is the
    comparison), and of the organisation when the cells are compared with it."""
    is_comparison = colour.value == "parent"
    parent_cells = (
        _uncoloured(_cells(parent, domains, None, ""))
        if is_comparison
        else _cells(parent, domains, comparison, colour.comparison_label)
    )
    parent_row = _group_row(
        gettext("All of %(unit)s") % {"unit": parent.unit.name},
        parent,
        parent_cells,
        is_comparison=is_comparison,
    )
    if colour.value != "organisation" or root.unit == parent.unit:
        return parent_row, None
    root_row = _group_row(
        gettext("%(organisation)s as a whole") % {"organisation": name},
        root,
        _uncoloured(_cells(root, domains, None, "")),
        is_comparison=True,
    )
    return parent_row, root_row


def _heatmap(rows: Sequence[UnitRow], domains: Sequence[Domain]) -> dict[str, Any] | None:
    """The chart, or None where it would show nothing: no rows, or every cell hidden (the table
    says why each is)."""
    if all(cell.hidden for row in rows for cell in row.cells):
        return None
    return charts.heatmap(
        [d.name for d in domains],
        [
            charts.HeatRow(row.unit.name, row.link, [heat_chart_cell(c) for c in row.cells])
            for row in rows
        ],
    )


def heat_chart_cell(cell: DomainCell) -> charts.HeatCell:
    """What the chart prints in a cell: the mean and band letter, "urgent", the difference."""
    if not cell.shown:
        return charts.HeatCell(
            hidden_short_lines(cell.hidden, k=cell.k), None, True, cell.hidden_words
        )
    lines = [f"{cell.display} {cell.band_letter}"]
    if cell.urgent:
        lines.append(gettext("urgent"))
    if cell.difference is not None:
        lines.append(cell.difference_display)
    band = gettext(charts.BAND_LABELS[cell.band]) if cell.band in charts.BAND_LABELS else ""
    if cell.urgent:
        hover = gettext("%(mean)s (%(band)s, urgent)") % {"mean": cell.display, "band": band}
    else:
        hover = f"{cell.display} ({band})"
    if cell.difference is not None:
        hover += gettext(", difference %(difference)s") % {"difference": cell.difference_display}
    elif cell.no_difference:
        hover += f", {cell.no_difference}"
    return charts.HeatCell(tuple(lines), cell.step, False, hover)


def _unit_rows(
    results: OrganisationResults,
    unit: Unit,
    cycle: Cycle,
    domains: Sequence[Domain],
    *,
    comparison: GroupResult | None,
    colour: ColourControl,
    sort: str,
) -> list[UnitRow]:
    rows = []
    children = _children(results, unit)
    for child, group in zip(children, results.summed_groups(children), strict=True):
        rows.append(
            UnitRow(
                unit=child,
                link=_link(child, cycle, colour.value),
                responses=group.responses,
                index=group.index,
                cells=_cells(group, domains, comparison, colour.comparison_label),
            )
        )
    return _sorted(rows, sort, domains)


def compare(
    *,
    reach: Reach,
    unit: Unit,
    cycle: Cycle,
    cycles: Sequence[Cycle],
    sort: str,
    today: date,
    colour_by: ColourBy = COLOUR_BY_DEFAULT,
    source: Source | None = None,
) -> ComparePage:
    """The unit comparison: child units × domains, as a heatmap and a table. `source`: the
    units and tallies this request already read for the viewer, if any."""
    organisation = cycle.organisation
    source = source or Source.of(organisation, reach=reach)
    domains = load_domains()
    (results,) = results_for_scopes(
        organisation, [_scope(cycle, cycles)], reach=reach, domains=domains, source=source
    )
    # The unit, the organisation and the units below, summed together (one query).
    parent, root, *_ = results.summed_groups(
        [unit, _organisation_root(results, unit), *_children(results, unit)]
    )
    comparison = {"mean": None, "parent": parent, "organisation": root}[colour_by]
    colour = _colour_control(
        colour_by, unit=unit, organisation_name=organisation.name, comparison=comparison
    )
    rows = _unit_rows(
        results, unit, cycle, domains, comparison=comparison, colour=colour, sort=sort
    )
    line_above = _line_above(results, unit)
    parent_row, organisation_row = _group_rows(
        parent, root, domains, colour=colour, comparison=comparison, name=organisation.name
    )
    benchmark = benchmark_for(organisation, cycle=cycle)
    positions = _positions(benchmark, parent_row, rows, domains) if benchmark is not None else ()
    return ComparePage(
        benchmark=benchmark if positions else None,
        positions=positions,
        framing=gettext(FRAMING),
        unit=unit,
        unit_path=readable_path(unit, {u.path: u.name for u in line_above}),
        organisation_name=organisation.name,
        cycle=cycle,
        cycle_label=cycle_label(cycle, results.scope),
        scope=results.scope,
        domains=tuple(domains),
        rows=tuple(rows),
        parent=parent_row,
        organisation=organisation_row,
        heatmap=_heatmap(rows, domains),
        colour=colour,
        sort=sort,
        k=results.k,
        breadcrumbs=tuple(u for u in line_above if reach.reaches(u)),
        printed_on=today,
    )


def _positions(
    benchmark: BenchmarkReading,
    parent: GroupRow,
    rows: Sequence[UnitRow],
    domains: Sequence[Domain],
) -> tuple[PositionRow, ...]:
    """The compared unit's and its units' places in the benchmark, from the cells' shown
    means only; none at all when no mean has a place."""

    def places(unit: Unit, cells: Sequence[DomainCell]) -> tuple[str, ...]:
        found = (
            benchmark.position(unit, domain.code, cell.mean)
            for domain, cell in zip(domains, cells, strict=True)
        )
        return tuple(position.short_label if position else "" for position in found)

    result = [PositionRow(parent.unit, parent.label, "", places(parent.unit, parent.cells))]
    result.extend(
        PositionRow(row.unit, row.unit.name, row.link, places(row.unit, row.cells)) for row in rows
    )
    if not any(any(row.positions) for row in result):
        return ()
    return tuple(result)
