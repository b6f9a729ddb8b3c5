"""The team or unit dashboard for one cycle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from dashboards import charts
from dashboards.common import (
    DASHBOARD_PULSES,
    FRAMING,
    LOW_RESPONSE_RATE,
    _mean,
    _response_rate,
    breakdown_refusal,
)
from diagnostics.models import (
    Comment,
    Cycle,
    CycleStatement,
    Domain,
    TeamTally,
)
from diagnostics.results import (
    Scope,
    cycle_scope,
    load_domains,
    load_units,
    pool_of,
    pools_taking_part,
    pulse_pools,
    results_for_scopes,
)
from diagnostics.scoring import Change, change_between, display_mean, display_percent
from diagnostics.structural import FIGURES, plain_number, rate
from diagnostics.structural_data import figures_for, thresholds_for_unit
from disclosure.release import hidden_text, teams_with_visible_comments
from organisations.access import Reach
from organisations.models import Unit
from organisations.selectors import readable_path


@dataclass
class DomainRow:
    domain: Domain
    mean: str
    band: str | None
    n: int | None
    red: str
    amber: str
    green: str
    urgent: bool
    shown: bool
    parent_mean: str
    org_mean: str
    change: Change | None
    previous_mean: str
    figures: list[dict[str, Any]] = field(default_factory=list)
    hidden: str = ""


def profile(
    *,
    reach: Reach,
    unit: Unit,
    cycle: Cycle,
    cycles: Sequence[Cycle],
    filters: Mapping[str, str],
    today: date,
) -> dict[str, Any]:
    """The team (or unit) dashboard for one cycle."""
    organisation = cycle.organisation
    pooled = pools_taking_part(pulse_pools(organisation), cycles)
    previous: Scope | None = None
    previous_label = ""
    if cycle.kind == Cycle.Kind.PULSE:
        current = pool_of(cycle, pooled)
        pooled = [s for s in pooled if s.starts_on and s.starts_on <= (current.starts_on or today)]
        if len(pooled) > 1:
            previous = pooled[-2]
            previous_label = previous.label
    else:
        current = cycle_scope(cycle)
        earlier = [c for c in cycles if c.kind == cycle.kind and c.opens_on < cycle.opens_on]
        if earlier:
            previous = cycle_scope(earlier[0])
            previous_label = earlier[0].name
    # The dashboard shows the latest few pooled periods; the trends page shows them all.
    pooled = pooled[-DASHBOARD_PULSES:]

    units = load_units(organisation)
    domains = load_domains()
    scopes = [current, *([previous] if previous else []), *pooled]
    all_results = results_for_scopes(
        organisation,
        scopes,
        reach=reach,
        with_statements=True,
        statements_for=current,
        units=units,
        domains=domains,
    )
    by_key = {r.scope.key: r for r in all_results}
    results = by_key[current.key]
    group = results.group(unit)
    filter_error = None
    if filters:
        broken_down = results.breakdown(unit, filters)
        if broken_down.hidden is None:
            group = broken_down
        else:
            filter_error = breakdown_refusal(broken_down.hidden, k=results.k)
            filters = {}
    if filters:
        # A breakdown is shown on its own: markers, the earlier result and the pulse trend
        # would each be another group's breakdown, so they are not drawn (§5).
        previous, previous_label, pooled = None, "", []
    names = {u.path: u.name for u in units}
    parent_path = unit.path[: -Unit.steplen]
    parent = next((u for u in units if u.path == parent_path), None) if unit.depth > 1 else None
    root = next(u for u in units if u.depth == 1)
    parent_group = (
        results.group(parent) if parent is not None and parent.depth > 1 and not filters else None
    )
    org_group = results.group(root) if root.pk != unit.pk and not filters else None
    previous_group = by_key[previous.key].group(unit) if previous else None

    figure_values: dict[str, Decimal | None] = {}
    thresholds = thresholds_for_unit(unit)  # the team's: a unit above it may set its own
    if unit.is_team and cycle.kind == Cycle.Kind.FULL:
        figure_values = figures_for([cycle.pk], team_ids=[unit.pk]).get((cycle.pk, unit.pk), {})

    rows: list[DomainRow] = []
    for domain in domains:
        cell = group.domains[domain.code]
        figures = cell.figures
        change = (
            change_between(_mean(previous_group, domain.code), _mean(group, domain.code))
            if previous_group is not None
            else None
        )
        related = []
        for figure in FIGURES:
            value = figure_values.get(figure.code)
            if domain.code in figure.domains and value is not None:
                related.append(
                    {
                        "figure": figure,
                        "value": plain_number(value),
                        "rating": rate(figure, value, thresholds[figure.code].thresholds),
                    }
                )
        rows.append(
            DomainRow(
                domain=domain,
                mean=display_mean(figures.mean) if figures else "",
                band=figures.band if figures else None,
                n=figures.n if figures else None,
                red=display_percent(figures.red_share) if figures else "",
                amber=display_percent(figures.amber_share) if figures else "",
                green=display_percent(figures.green_share) if figures else "",
                urgent=bool(figures and figures.urgent),
                shown=figures is not None and figures.mean is not None,
                parent_mean=display_mean(_mean(parent_group, domain.code)),
                org_mean=display_mean(_mean(org_group, domain.code)),
                change=change,
                previous_mean=display_mean(_mean(previous_group, domain.code)),
                figures=related,
                hidden="" if figures else hidden_text(cell.hidden, k=results.k),
            )
        )

    k = results.k
    markers = []
    if parent_group is not None and parent is not None:
        markers.append(
            charts.Marker(
                f"{parent.name} (unit)", "diamond", [_mean(parent_group, d.code) for d in domains]
            )
        )
    if org_group is not None:
        markers.append(
            charts.Marker(
                f"{root.name} (organisation)",
                "line-ns-open",
                [_mean(org_group, d.code) for d in domains],
            )
        )
    profile_chart = charts.domain_profile(
        [
            charts.ProfileBar(
                row.domain.name,
                _mean(group, row.domain.code),
                row.band,
                row.hidden,
            )
            for row in rows
        ],
        markers,
    )

    statement_rows: list[dict[str, Any]] = []
    labels = results.statement_domains
    asked = (
        list(
            CycleStatement.objects.filter(cycle_id__in=current.cycle_ids)
            .select_related("statement__domain")
            .order_by("statement__domain__position", "statement__position", "statement__code")
        )
        if group.statements
        else []
    )
    texts = {row.statement.code: row.statement.text for row in asked}
    order: dict[str, int] = {}
    for row in asked:
        order.setdefault(row.statement.code, len(order))
    for code, cell in sorted(group.statements.items(), key=lambda item: order.get(item[0], 999)):
        figures = cell.figures
        statement_rows.append(
            {
                "code": code,
                "text": texts.get(code, code),
                "domain": labels.get(code, ""),
                "shown": figures is not None,
                "mean": display_mean(figures.mean) if figures else "",
                "band": figures.band if figures else None,
                "red": display_percent(figures.red_share) if figures else "",
                "amber": display_percent(figures.amber_share) if figures else "",
                "green": display_percent(figures.green_share) if figures else "",
                "urgent": bool(figures and figures.urgent),
                "hidden": (
                    ""
                    if figures and figures.mean is not None
                    else ("mean " if figures else "") + hidden_text(cell.hidden, k=results.k)
                ),
            }
        )
    distribution = [
        charts.DistributionRow(
            f"{row['code']} {row['text'][:60]}",
            figures.red_share,
            figures.amber_share,
            figures.green_share,
        )
        for row in statement_rows
        if (figures := group.statements[row["code"]].figures) is not None
    ]
    distribution_chart = charts.distribution_bars(distribution) if distribution else None

    pulse_points = []
    for scope in pooled:
        pooled_group = by_key[scope.key].group(unit)
        pulse_points.append((scope, pooled_group))
    trend_chart = None
    if any(g.shown for _, g in pulse_points):
        trend_chart = charts.trend_lines(
            [scope.label for scope, _ in pulse_points],
            [charts.Series(d.name, [_mean(g, d.code) for _, g in pulse_points]) for d in domains],
            title="Pooled pulse results",
        )

    comments: list[str] = []
    comments_note = ""
    if group.shown and not filters:
        team_counts = dict(
            TeamTally.objects.filter(
                cycle_id__in=current.cycle_ids, team__path__startswith=unit.path
            )
            .values("team_id")
            .annotate(total=Sum("responses"))
            .values_list("team_id", "total")
        )
        visible_teams = teams_with_visible_comments(
            team_counts,
            comment_threshold=organisation.comment_threshold,
            k=organisation.anonymity_threshold,
        )
        if visible_teams:
            comments = sorted(
                Comment.objects.filter(
                    cycle_id__in=current.cycle_ids, team_id__in=visible_teams
                ).values_list("text", flat=True)
            )
        if len(visible_teams) < len([n for n in team_counts.values() if n]):
            comments_note = (
                f"Comments are shown only from teams with at least "
                f"{max(organisation.comment_threshold, k)} responses."
            )

    rate_value = None if filters else _response_rate(current.cycle_ids, unit, group.responses)
    return {
        "framing": FRAMING,
        "unit": unit,
        "unit_path": readable_path(unit, names),
        "cycle": cycle,
        "cycles": cycles,
        "dashboard_pulses": DASHBOARD_PULSES,
        "scope": current,
        "group": group,
        "k": k,
        "rows": rows,
        "parent": parent if parent_group is not None else None,
        "root": root if org_group is not None else None,
        "parent_shown": bool(parent_group and parent_group.shown),
        "org_shown": bool(org_group and org_group.shown),
        "previous_label": previous_label,
        "response_rate": display_percent(rate_value) if rate_value is not None else "",
        "low_response_rate": rate_value is not None and rate_value < LOW_RESPONSE_RATE,
        "profile_chart": profile_chart,
        "statement_rows": statement_rows,
        "statements_shown": not filters,
        "distribution_chart": distribution_chart,
        "pulse_points": [
            {
                "label": scope.label,
                "pulses": scope.pulse_count,
                "shown": g.shown,
                "index": g.index,
                "means": [display_mean(_mean(g, d.code)) for d in domains],
            }
            for scope, g in pulse_points
        ],
        "domains": domains,
        "trend_chart": trend_chart,
        "figure_values": figure_values,
        "comments": comments,
        "comments_note": comments_note,
        "filters": filters,
        "filter_error": filter_error,
    }
