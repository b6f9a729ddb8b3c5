"""The unit comparison: child units by domains, as a heatmap and a table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.urls import reverse

from dashboards import charts
from dashboards.common import (
    FRAMING,
)
from diagnostics.models import (
    Cycle,
)
from diagnostics.results import (
    cycle_scope,
    load_domains,
    load_units,
    pool_of,
    pools_taking_part,
    pulse_pools,
    results_for_scopes,
)
from diagnostics.scoring import display_mean
from disclosure.release import hidden_text
from organisations.access import Reach
from organisations.models import Unit
from organisations.selectors import readable_path


def compare(
    *, reach: Reach, unit: Unit, cycle: Cycle, cycles: Sequence[Cycle], sort: str, today: date
) -> dict[str, Any]:
    """The unit comparison: child units × domains, as a heatmap and a table. A pulse is
    compared through its period's pool, like everywhere else."""
    organisation = cycle.organisation
    units = load_units(organisation)
    domains = load_domains()
    scope = (
        pool_of(cycle, pools_taking_part(pulse_pools(organisation), cycles))
        if cycle.kind == Cycle.Kind.PULSE
        else cycle_scope(cycle)
    )
    (results,) = results_for_scopes(
        organisation, [scope], reach=reach, units=units, domains=domains
    )
    names = {u.path: u.name for u in units}
    children = [
        child
        for child in results.children_of(unit)
        if not child.is_archived or results.response_counts.get(child.path, 0)
    ]
    parent_group = results.group(unit)
    rows: list[dict[str, Any]] = []
    for child in children:
        group = results.group(child)
        cells = []
        for domain in domains:
            cell = group.domains[domain.code]
            figures = cell.figures
            cells.append(
                {
                    "mean": figures.mean if figures else None,
                    "display": display_mean(figures.mean) if figures else "",
                    "band": figures.band if figures else None,
                    "urgent": bool(figures and figures.urgent),
                    "hidden": "" if figures else hidden_text(cell.hidden, k=results.k),
                }
            )
        link = (
            reverse("dashboards:profile", args=[child.pk]) + f"?cycle={cycle.pk}"
            if child.is_team
            else reverse("dashboards:compare", args=[child.pk]) + f"?cycle={cycle.pk}"
        )
        rows.append(
            {
                "unit": child,
                "link": link,
                "responses": group.responses,
                "index": group.index,
                "cells": cells,
                "taking_part": results.response_counts.get(child.path, 0) > 0 or child.is_team,
            }
        )
    sort_codes = {d.code for d in domains}
    if sort in sort_codes:
        position = [d.code for d in domains].index(sort)

        def key(row: dict[str, Any]) -> tuple[int, float, str]:
            mean = row["cells"][position]["mean"]
            return (mean is None, mean if mean is not None else 0.0, row["unit"].name.lower())

        rows.sort(key=key)
    elif sort == "index":
        rows.sort(key=lambda r: (r["index"] is None, r["index"] or 0, r["unit"].name.lower()))
    k = results.k
    heatmap = (
        charts.heatmap(
            [d.name for d in domains],
            [
                charts.HeatRow(
                    row["unit"].name,
                    row["link"],
                    [(cell["mean"], cell["band"]) for cell in row["cells"]],
                )
                for row in rows
            ],
            k=k,
        )
        if rows
        else None
    )
    parent_cells = [
        {
            "display": display_mean(f.mean) if (f := parent_group.domains[d.code].figures) else "",
            "band": f.band if f else None,
        }
        for d in domains
    ]
    return {
        "framing": FRAMING,
        "unit": unit,
        "unit_path": readable_path(unit, names),
        "cycle": cycle,
        "domains": domains,
        "rows": rows,
        "parent_group": parent_group,
        "parent_cells": parent_cells,
        "heatmap": heatmap,
        "scope": results.scope,
        "sort": sort,
        "k": k,
        "breadcrumbs": [u for u in units if unit.path.startswith(u.path) and reach.reaches(u)],
    }
