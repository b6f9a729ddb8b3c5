"""Trends: every full diagnostic and pooled pulse period of a unit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from dashboards import charts
from dashboards.common import (
    FRAMING,
    _mean,
)
from diagnostics.models import (
    Cycle,
)
from diagnostics.results import (
    Scope,
    cycle_scope,
    load_domains,
    load_units,
    pools_taking_part,
    pulse_pools,
    results_for_scopes,
)
from diagnostics.scoring import display_mean
from organisations.access import Reach
from organisations.models import Unit
from organisations.selectors import readable_path


def trends(*, reach: Reach, unit: Unit, cycles: Sequence[Cycle], today: date) -> dict[str, Any]:
    """Domain means over full cycles and over pooled pulses, with cycle names on the axis."""
    organisation = unit.organisation
    full = sorted((c for c in cycles if c.kind == Cycle.Kind.FULL), key=lambda c: c.opens_on)
    pooled = pools_taking_part(pulse_pools(organisation), cycles)
    full_scopes = [cycle_scope(c) for c in full]
    units = load_units(organisation)
    domains = load_domains()
    all_results = results_for_scopes(
        organisation,
        [*full_scopes, *pooled],
        units=units,
        domains=domains,
        reach=reach,
    )
    by_key = {r.scope.key: r for r in all_results}

    def series(scopes: Sequence[Scope]) -> tuple[list[dict[str, Any]], dict[str, Any] | None, str]:
        points: list[dict[str, Any]] = []
        for scope in scopes:
            group = by_key[scope.key].group(unit)
            points.append(
                {
                    "label": scope.label,
                    "pulses": scope.pulse_count,
                    "shown": group.shown,
                    "responses": group.responses,
                    "index": group.index,
                    "means": [_mean(group, d.code) for d in domains],
                    "display": [display_mean(_mean(group, d.code)) for d in domains],
                }
            )
        chart = None
        if any(p["shown"] for p in points):
            chart = charts.trend_lines(
                [p["label"] for p in points],
                [
                    charts.Series(d.name, [p["means"][i] for p in points])
                    for i, d in enumerate(domains)
                ],
                title="",
            )
        return points, chart, ""

    full_points, full_chart, _ = series(full_scopes)
    pulse_points, pulse_chart, _ = series(pooled)
    names = {u.path: u.name for u in units}
    return {
        "framing": FRAMING,
        "unit": unit,
        "unit_path": readable_path(unit, names),
        "domains": domains,
        "full_points": full_points,
        "full_chart": full_chart,
        "pulse_points": pulse_points,
        "pulse_chart": pulse_chart,
        "window": organisation.pulse_window_days,
        "k": organisation.anonymity_threshold,
    }
