"""Trends: a unit's full diagnostics and pooled pulse periods on a true time axis.

Small multiples: one small chart for the conditions index and one per domain (or one domain,
picked), each with two lines at most (full diagnostics, pooled pulses) in colours from the
Okabe–Ito palette, the same time range on every chart, and the start of the unit's actions
marked. Each point sits at the date its answers began: a diagnostic's opening date, or the first
day of a pulse period. Every figure is one the disclosure engine shows this viewer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from actions.access import actions_visible_to
from actions.models import Action
from dashboards import charts
from dashboards.common import FRAMING, _mean
from diagnostics.models import Cycle, Domain
from diagnostics.pooling import Scope, cycle_scope, pools_taking_part, pulse_pools
from diagnostics.results import OrganisationResults, Source, load_domains, results_for_scopes
from diagnostics.scoring import display_mean
from disclosure.release import effective_k
from organisations.access import Reach
from organisations.models import Unit
from organisations.remembered_units import unit_table
from organisations.selectors import readable_path

FULL_COLOUR = charts.OKABE_ITO["blue"]
PULSE_COLOUR = charts.OKABE_ITO["vermillion"]
INDEX_KEY = "index"


@dataclass(frozen=True)
class TrendPoint:
    """A unit's figures over one scope (a full diagnostic, or a pooled pulse period)."""

    label: str
    kind: str  # Cycle.Kind
    starts_on: date
    pulses: int
    shown: bool
    responses: int | None
    index: int | None
    means: tuple[float | None, ...]  # per domain, in order
    display: tuple[str, ...]
    hidden_words: str


@dataclass(frozen=True)
class ActionMark:
    number: int
    title: str
    unit_name: str
    domain: Domain
    starts_on: date
    status: str
    link: str


@dataclass(frozen=True)
class TrendPanel:
    """One small chart: the conditions index, or one domain."""

    key: str  # "index" or a domain code
    title: str
    chart_id: str
    chart: dict[str, Any] | None  # None when no figure is shown in any point
    actions: tuple[ActionMark, ...]


@dataclass(frozen=True)
class DomainChoice:
    code: str
    name: str
    selected: bool


@dataclass(frozen=True)
class TrendsPage:
    framing: str
    unit: Unit
    unit_path: str
    organisation_name: str
    domains: tuple[Domain, ...]
    picked: Domain | None
    domain_choices: tuple[DomainChoice, ...]
    full_points: tuple[TrendPoint, ...]
    pulse_points: tuple[TrendPoint, ...]
    panels: tuple[TrendPanel, ...]  # the index first, then the domains shown
    actions: tuple[ActionMark, ...]  # the most recent, when there are more than a chart can mark
    actions_total: int
    window: int
    k: int
    printed_on: date

    @property
    def has_figures(self) -> bool:
        return any(p.shown for p in (*self.full_points, *self.pulse_points))


def picked_domain(code: str | None, domains: Sequence[Domain]) -> Domain | None:
    """The domain asked for in `?domain=`; anything else means every domain (never an error)."""
    return next((d for d in domains if d.code == code), None)


def _points(
    scopes: Sequence[Scope],
    results: dict[str, OrganisationResults],
    unit: Unit,
    domains: Sequence[Domain],
) -> tuple[TrendPoint, ...]:
    points = []
    for scope in scopes:
        group = results[scope.key].group(unit)
        means = tuple(_mean(group, d.code) for d in domains)
        assert scope.starts_on is not None  # cycles and pools always have dates
        points.append(
            TrendPoint(
                label=scope.full_label if scope.kind == Cycle.Kind.PULSE else scope.label,
                kind=scope.kind,
                starts_on=scope.starts_on,
                pulses=scope.pulse_count,
                shown=group.shown,
                responses=group.responses,
                index=group.index,
                means=means,
                display=tuple(display_mean(m) for m in means),
                hidden_words=group.hidden_words,
            )
        )
    return tuple(points)


# A chart marked with more actions than this reads as a smear: a unit with more (a council's
# whole organisation) marks its most recent and links to the rest.
MARKED_ACTIONS = 30


def unit_actions(reach: Reach, unit: Unit) -> tuple[tuple[ActionMark, ...], int]:
    """The actions of the unit and the units below it that the viewer may see (not those
    dropped): the `MARKED_ACTIONS` most recent, oldest first, numbered for the charts, and how
    many there are in all (two queries). An action starts the day it was recorded."""
    visible = (
        actions_visible_to(reach)
        .filter(unit__path__startswith=unit.path)
        .exclude(status=Action.Status.DROPPED)
    )
    newest = visible.select_related("unit", "domain").order_by("-created_at", "-pk")
    found = list(newest[:MARKED_ACTIONS])
    total = visible.count()  # asked even when fewer are found: as many queries at any size
    marks = tuple(
        ActionMark(
            number=number,
            title=action.title,
            unit_name=action.unit.name,
            domain=action.domain,
            starts_on=timezone.localdate(action.created_at),
            status=action.get_status_display(),
            link=reverse("actions:detail", args=[action.pk]),
        )
        for number, action in enumerate(reversed(found), start=1)
    )
    return marks, total


def _time_range(points: Sequence[TrendPoint], actions: Sequence[ActionMark]) -> tuple[date, date]:
    """The same range on every panel: every point and action, with a margin either side."""
    dates = [p.starts_on for p in points] + [a.starts_on for a in actions]
    first, last = min(dates), max(dates)
    margin = max(timedelta(days=20), (last - first) / 12)
    return first - margin, last + margin


def _series(
    full: Sequence[TrendPoint],
    pulses: Sequence[TrendPoint],
    value: Callable[[TrendPoint], float | None],
) -> list[charts.TimeSeries]:
    lines = []
    for name, points, colour, symbol, dash in (
        (gettext("Full diagnostics"), full, FULL_COLOUR, "circle", "solid"),
        (gettext("Pooled pulses"), pulses, PULSE_COLOUR, "square", "dash"),
    ):
        if any(value(p) is not None for p in points):
            lines.append(
                charts.TimeSeries(
                    name=name,
                    dates=[p.starts_on for p in points],
                    values=[value(p) for p in points],
                    labels=[p.label for p in points],
                    colour=colour,
                    symbol=symbol,
                    dash=dash,
                )
            )
    return lines


def _domain_mean(point: TrendPoint, *, position: int) -> float | None:
    return point.means[position]


def _index(point: TrendPoint) -> float | None:
    return point.index


def _marks(actions: Sequence[ActionMark]) -> list[charts.TimeMark]:
    """One mark per day, naming every action that began on it (so labels never overlap)."""
    by_day: dict[date, list[ActionMark]] = {}
    for action in actions:
        by_day.setdefault(action.starts_on, []).append(action)
    return [
        charts.TimeMark(
            day,
            ", ".join(str(a.number) for a in began),
            "<br>".join(f"{a.number}. {a.title}" for a in began),
        )
        for day, began in sorted(by_day.items())
    ]


def _panel(
    key: str,
    title: str,
    lines: list[charts.TimeSeries],
    actions: Sequence[ActionMark],
    *,
    x_range: tuple[date, date] | None,
    big: bool,
) -> TrendPanel:
    marks = _marks(actions)
    chart = None
    if lines and x_range is not None:
        is_index = key == INDEX_KEY
        chart = charts.trend_panel(
            lines,
            marks,
            x_range=x_range,
            y_range=(0, 100) if is_index else (1, 6),
            y_title=gettext("Index (0 to 100)") if is_index else gettext("Mean (1 to 6)"),
            bands=not is_index,
            height=380 if big else 230,
        )
    return TrendPanel(key, title, f"chart-trend-{key.lower()}", chart, tuple(actions))


def _panels(
    full: Sequence[TrendPoint],
    pulses: Sequence[TrendPoint],
    domains: Sequence[Domain],
    picked: Domain | None,
    actions: Sequence[ActionMark],
) -> tuple[TrendPanel, ...]:
    points = [*full, *pulses]
    x_range = _time_range(points, actions) if any(p.shown for p in points) else None
    panels = [
        _panel(
            INDEX_KEY,
            gettext("Conditions index"),
            _series(full, pulses, _index),
            actions,
            x_range=x_range,
            big=picked is not None,
        )
    ]
    for position, domain in enumerate(domains):
        if picked is None or domain == picked:
            panels.append(
                _panel(
                    domain.code,
                    domain.name,
                    _series(full, pulses, partial(_domain_mean, position=position)),
                    [a for a in actions if a.domain.pk == domain.pk],
                    x_range=x_range,
                    big=picked is not None,
                )
            )
    return tuple(panels)


def trends(
    *,
    reach: Reach,
    unit: Unit,
    cycles: Sequence[Cycle],
    today: date,
    domain_code: str | None = None,
) -> TrendsPage:
    """Domain means and the conditions index over full cycles and pooled pulses, by date."""
    organisation = unit.organisation
    in_order = sorted(cycles, key=lambda c: c.opens_on)
    full = [cycle_scope(c) for c in in_order if c.kind == Cycle.Kind.FULL]
    pooled = pools_taking_part(pulse_pools(organisation), cycles)
    table = unit_table(organisation_id=organisation.pk, using=Unit.objects.db)
    domains = load_domains()
    found = results_for_scopes(
        organisation,
        [*full, *pooled],
        domains=domains,
        reach=reach,
        source=Source.of_table(table, reach=reach),
    )
    by_key = {r.scope.key: r for r in found}
    full_points = _points(full, by_key, unit, domains)
    pulse_points = _points(pooled, by_key, unit, domains)
    picked = picked_domain(domain_code, domains)
    actions, actions_total = unit_actions(reach, unit)
    return TrendsPage(
        framing=gettext(FRAMING),
        unit=unit,
        unit_path=readable_path(unit, table.names),
        organisation_name=organisation.name,
        domains=tuple(domains),
        picked=picked,
        domain_choices=tuple(DomainChoice(d.code, d.name, d == picked) for d in domains),
        full_points=full_points,
        pulse_points=pulse_points,
        panels=_panels(full_points, pulse_points, domains, picked, actions),
        actions=actions,
        actions_total=actions_total,
        window=organisation.pulse_window_days,
        k=effective_k(organisation.anonymity_threshold),
        printed_on=today,
    )
