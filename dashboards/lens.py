"""The structural lens: structural figures set against domain results across teams."""

from __future__ import annotations

from typing import Any

from dashboards import charts
from dashboards.common import (
    FRAMING,
)
from diagnostics.models import (
    Cycle,
)
from diagnostics.pooling import cycle_scope
from diagnostics.results import load_domains, load_units, results_for_scopes
from diagnostics.structural import FIGURES, FIGURES_BY_CODE, strongest_first
from diagnostics.structural_data import figures_for, lens
from organisations.access import Reach
from organisations.models import Unit
from organisations.selectors import readable_path


def structural_lens(
    *, reach: Reach, unit: Unit, cycle: Cycle, figure_code: str, domain_code: str
) -> dict[str, Any]:
    """The chosen figure against the chosen domain across the teams in reach, and the
    strongest associations first."""
    organisation = cycle.organisation
    units = load_units(organisation)
    domains = load_domains()
    (results,) = results_for_scopes(
        organisation, [cycle_scope(cycle)], reach=reach, units=units, domains=domains
    )
    teams = [u for u in units if u.is_team and u.path.startswith(unit.path) and reach.reaches(u)]
    lens_results = lens(results, figures_for([cycle.pk]), cycle_id=cycle.pk, teams=teams)
    ranked = strongest_first([r.association for r in lens_results])
    figure = FIGURES_BY_CODE.get(figure_code)
    domain = next((d for d in domains if d.code == domain_code), None)
    if (figure is None or domain is None) and ranked:
        figure, domain = (
            ranked[0].figure,
            next(d for d in domains if d.code == ranked[0].domain_code),
        )
    chosen = next(
        (
            r
            for r in lens_results
            if figure is not None
            and domain is not None
            and r.association.figure.code == figure.code
            and r.association.domain_code == domain.code
        ),
        None,
    )
    scatter = None
    if chosen is not None and chosen.points and figure is not None and domain is not None:
        scatter = charts.lens_scatter(
            [(p.team.name, p.figure_value, p.domain_mean) for p in chosen.points],
            x_title=f"{figure.label} ({figure.unit})",
            y_title=f"{domain.name} (mean score)",
        )
    names = {u.path: u.name for u in units}
    return {
        "framing": FRAMING,
        "unit": unit,
        "unit_path": readable_path(unit, names),
        "cycle": cycle,
        "figures": FIGURES,
        "domains": domains,
        "figure": figure,
        "domain": domain,
        "chosen": chosen,
        "scatter": scatter,
        "ranked": ranked[:12],
        "teams_in_reach": len(teams),
        "k": results.k,
    }
