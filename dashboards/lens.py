"""The structural lens: structural figures set against domain results across teams (§6)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

from dashboards import charts
from dashboards.common import FRAMING
from diagnostics.models import Cycle, Domain
from diagnostics.pooling import cycle_scope
from diagnostics.results import Source, load_domains, results_for_scopes
from diagnostics.scoring import display_mean
from diagnostics.structural import (
    FIGURES,
    FIGURES_BY_CODE,
    MIN_LENS_TEAMS,
    Association,
    FigureDefinition,
    FigureFindings,
    Rating,
    Thresholds,
    findings_by_figure,
    plain_number,
    rate,
    strongest_first,
)
from diagnostics.structural_data import LensResult, figures_for, lens, threshold_book
from organisations.access import Reach
from organisations.models import Unit
from organisations.selectors import readable_path

X_MARGIN = 1.1  # the figure axis runs a tenth past the largest value or threshold


@dataclass(frozen=True)
class LensTeam:
    """A team in the scatter plot, as the table behind the chart lists it."""

    name: str
    service: str
    service_index: int  # its colour and shape in the chart
    figure_value: str
    domain_mean: str
    rating: Rating  # the figure's rating against the thresholds in force for this team
    rated_against: str  # "" where every team in the table is rated against the same pair


@dataclass(frozen=True)
class ThresholdSet:
    """Thresholds in force for some of the teams in view, and the services they apply to."""

    thresholds: Thresholds
    services: tuple[str, ...]

    @property
    def good(self) -> str:
        return plain_number(self.thresholds.good)

    @property
    def concerning(self) -> str:
        return plain_number(self.thresholds.concerning)

    @property
    def text(self) -> str:
        return gettext("%(services)s: good at %(good)s, concerning at %(concerning)s") % {
            "services": ", ".join(self.services),
            "good": self.good,
            "concerning": self.concerning,
        }


@dataclass(frozen=True)
class LensPage:
    framing: str
    unit: Unit
    unit_path: str
    cycle: Cycle
    figures: tuple[FigureDefinition, ...]
    domains: tuple[Domain, ...]
    figure: FigureDefinition | None
    domain: Domain | None
    chosen: Association | None
    teams: tuple[LensTeam, ...]  # the chosen pair's teams, behind the chart
    scatter: dict[str, Any] | None
    threshold_sets: tuple[ThresholdSet, ...]  # more than one: teams are rated differently
    findings: tuple[FigureFindings, ...]  # the figures with at least one pair tested
    untested: tuple[FigureDefinition, ...]  # too few teams for any domain
    pairs_tested: int
    clear_count: int
    teams_in_reach: int  # teams in reach with structural figures recorded for the cycle
    k: int
    teams_below: int = 0  # every team in reach below the unit, with figures or not

    @property
    def minimum_teams(self) -> int:
        return MIN_LENS_TEAMS

    @property
    def too_small(self) -> bool:
        """Whether the unit has too few teams for the lens ever to weigh a pair."""
        return self.teams_below < self.minimum_teams

    @property
    def thresholds_differ(self) -> bool:
        return len(self.threshold_sets) > 1

    @property
    def too_few_names(self) -> dict[str, str]:
        """For each figure, the domains too few teams have figures for, as one phrase."""
        return {
            f.figure.code: ", ".join(a.domain_name.lower() for a in f.too_few)
            for f in self.findings
        }

    @property
    def untested_names(self) -> str:
        return ", ".join(f.shown_label.lower() for f in self.untested)


def _service_of(team: Unit, unit: Unit, names: Mapping[str, str]) -> str:
    """The part of the lens's unit the team is in: the unit's child on the team's path, or the
    unit itself for a team directly below it."""
    child_path = team.path[: len(unit.path) + team.steplen]
    if child_path == team.path:
        return names.get(unit.path, unit.name)
    return names.get(child_path, "?")


def _chosen(
    lens_results: Sequence[LensResult],
    findings: Sequence[FigureFindings],
    figure_code: str,
    domain_code: str,
) -> LensResult | None:
    """The pair asked for; else the strongest clear association; else the first pair tested."""
    by_pair = {(r.association.figure.code, r.association.domain_code): r for r in lens_results}
    if (figure_code, domain_code) in by_pair:
        return by_pair[(figure_code, domain_code)]
    strongest = strongest_first([a for f in findings for a in f.clear])
    if strongest:
        return by_pair[(strongest[0].figure.code, strongest[0].domain_code)]
    return next((r for r in lens_results if r.association.tested), None)


def _rated_against(figure: FigureDefinition, pair: Thresholds) -> str:
    good, concerning = plain_number(pair.good), plain_number(pair.concerning)
    if figure.higher_is_better:
        return gettext("good at or above %(good)s, concerning at or below %(concerning)s") % {
            "good": good,
            "concerning": concerning,
        }
    return gettext("good at or below %(good)s, concerning at or above %(concerning)s") % {
        "good": good,
        "concerning": concerning,
    }


def _threshold_sets(
    figure: FigureDefinition, teams: Sequence[tuple[str, Thresholds]]
) -> tuple[ThresholdSet, ...]:
    """The distinct thresholds in force across the teams in view, each with its services."""
    services: dict[Thresholds, list[str]] = {}
    for service, pair in teams:
        names = services.setdefault(pair, [])
        if service not in names:
            names.append(service)

    def strictest_last(item: tuple[Thresholds, list[str]]) -> Decimal:
        return -item[0].good if figure.higher_is_better else item[0].good

    return tuple(
        ThresholdSet(pair, tuple(names))
        for pair, names in sorted(services.items(), key=strictest_last)
    )


def _lines(
    sets: Sequence[ThresholdSet], service_index: Mapping[str, int]
) -> list[charts.ThresholdLine]:
    """Each set's good and concerning lines; where teams are rated differently, a set that
    belongs to one service is drawn in that service's colour (and named in the text above)."""
    lines = []
    for threshold_set in sets:
        only = threshold_set.services[0] if len(threshold_set.services) == 1 else None
        group = service_index[only] if only is not None and len(sets) > 1 else None
        lines.append(
            charts.ThresholdLine(
                float(threshold_set.thresholds.good), f"good {threshold_set.good}", False, group
            )
        )
        lines.append(
            charts.ThresholdLine(
                float(threshold_set.thresholds.concerning),
                f"concerning {threshold_set.concerning}",
                True,
                group,
            )
        )
    return lines


def _x_range(figure: FigureDefinition, values: Sequence[float]) -> tuple[float, float]:
    top = max(values) * X_MARGIN if values else float(figure.maximum)
    return float(figure.minimum), min(float(figure.maximum), top) or 1.0


def structural_lens(
    *,
    reach: Reach,
    unit: Unit,
    cycle: Cycle,
    figure_code: str,
    domain_code: str,
    source: Source | None = None,
) -> LensPage:
    """Every figure against every domain across the teams in reach below `unit`, weighed
    together (Benjamini–Hochberg at 10%), grouped by figure; and the chosen pair as a scatter
    plot coloured by service, with the thresholds in force for its teams drawn. `source`: the
    units and tallies this request already read for the viewer, if any."""
    organisation = cycle.organisation
    source = source or Source.of(organisation, reach=reach)
    units = source.units
    domains = load_domains()
    (results,) = results_for_scopes(
        organisation, [cycle_scope(cycle)], reach=reach, domains=domains, source=source
    )
    # A role at the unit covers every unit below it, so each team is asked about only when the
    # unit itself is not reached (3,000 teams at ten times the data).
    covered = reach.reaches(unit)
    teams = [
        u
        for u in units
        if u.is_team and u.path.startswith(unit.path) and (covered or reach.reaches(u))
    ]
    figures = figures_for([cycle.pk])
    lens_results = lens(results, figures, cycle_id=cycle.pk, teams=teams)
    findings = findings_by_figure([r.association for r in lens_results])
    chosen = _chosen(lens_results, findings, figure_code, domain_code)
    figure = FIGURES_BY_CODE.get(figure_code)
    domain = next((d for d in domains if d.code == domain_code), None)
    if chosen is not None:
        figure = chosen.association.figure
        domain = next(d for d in domains if d.code == chosen.association.domain_code)
    names = {u.path: u.name for u in units}

    table: tuple[LensTeam, ...] = ()
    scatter = None
    sets: tuple[ThresholdSet, ...] = ()
    if chosen is not None and chosen.points and figure is not None and domain is not None:
        table, scatter, sets = _pair_shown(
            chosen, figure=figure, domain=domain, unit=unit, names=names
        )
    tested = [r.association for r in lens_results if r.association.tested]
    return LensPage(
        framing=gettext(FRAMING),
        unit=unit,
        unit_path=readable_path(unit, names),
        cycle=cycle,
        figures=FIGURES,
        domains=tuple(domains),
        figure=figure,
        domain=domain,
        chosen=chosen.association if chosen is not None else None,
        teams=table,
        scatter=scatter,
        threshold_sets=sets,
        findings=tuple(f for f in findings if f.tested),
        untested=tuple(f.figure for f in findings if not f.tested),
        pairs_tested=len(tested),
        clear_count=sum(1 for a in tested if a.clear),
        teams_in_reach=sum(1 for team in teams if figures.get((cycle.pk, team.pk))),
        k=results.k,
        teams_below=len(teams),
    )


def _pair_shown(
    chosen: LensResult,
    *,
    figure: FigureDefinition,
    domain: Domain,
    unit: Unit,
    names: Mapping[str, str],
) -> tuple[tuple[LensTeam, ...], dict[str, Any], tuple[ThresholdSet, ...]]:
    """The chosen pair's teams (a table, each rated against its own thresholds), its scatter
    plot coloured by service and the threshold sets in force among its teams."""
    points = chosen.points
    services = [_service_of(p.team, unit, names) for p in points]
    service_index = {name: i for i, name in enumerate(dict.fromkeys(sorted(services)))}
    in_force = threshold_book(unit.organisation).for_teams([p.team for p in points], figure)
    # Each team's thresholds beside its rating only where teams are rated differently: where
    # one pair holds for all, the sentence above the chart gives it once (3,000 rows repeating
    # it were two fifths of the lens of a council of 3,000 teams).
    pairs = set(in_force)
    rated_against = {pair: _rated_against(figure, pair) if len(pairs) > 1 else "" for pair in pairs}
    # Teams share a few values of a figure and a few thresholds: each is written and rated once.
    written = {v: plain_number(Decimal(str(v))) for v in {p.figure_value for p in points}}
    ratings = {
        (value, pair): rate(figure, value, pair)
        for value, pair in {
            (p.figure_value, pair) for p, pair in zip(points, in_force, strict=True)
        }
    }
    table = [
        LensTeam(
            name=point.team.name,
            service=service,
            service_index=service_index[service],
            figure_value=written[point.figure_value],
            domain_mean=display_mean(point.domain_mean),
            rating=ratings[point.figure_value, pair],
            rated_against=rated_against[pair],
        )
        for point, service, pair in zip(points, services, in_force, strict=True)
    ]
    sets = _threshold_sets(figure, list(zip(services, in_force, strict=True)))
    by_service: dict[str, list[tuple[str, float, float]]] = {name: [] for name in service_index}
    for point, service in zip(points, services, strict=True):
        by_service[service].append((point.team.name, point.figure_value, point.domain_mean))
    groups = [charts.LensGroup(name, teams) for name, teams in by_service.items()]
    plotted = [p.figure_value for p in points] + [
        float(v) for s in sets for v in (s.thresholds.good, s.thresholds.concerning)
    ]
    scatter = charts.lens_scatter(
        groups,
        x_title=f"{figure.shown_label} ({figure.shown_unit})",
        y_title=gettext("%(domain)s (mean score, 1 to 6)") % {"domain": domain.name},
        x_range=_x_range(figure, plotted),
        lines=_lines(sets, service_index),
    )
    table.sort(key=lambda row: (row.service, row.name))
    return tuple(table), scatter, sets
