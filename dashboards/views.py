"""The dashboards: team or unit profile, unit comparison, trends and the structural lens."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.http import AuthenticatedHttpRequest
from actions.access import interventions_for
from actions.selectors import suggestions
from dashboards import benchmark as benchmark_builder
from dashboards import common
from dashboards import compare as compare_page
from dashboards import lens as lens_page
from dashboards import profile as profile_page
from dashboards import trends as trends_page
from dashboards.home import home_page
from diagnostics.models import Cycle, RoleGroup, ServiceLength, WorkingPattern
from diagnostics.pooling import cycle_label
from diagnostics.results import DEMOGRAPHIC_FIELDS
from diagnostics.selectors import cycles_covering
from organisations.access import Reach, get_unit_for, reach_of
from organisations.audit import record
from organisations.models import AuditEvent, Role, Unit
from organisations.selectors import (
    breadcrumbs,
    former_places_after_their_units,
    places_of_a_move,
)

FILTER_CHOICES = {
    "role_group": (_("Role"), RoleGroup.choices),
    "service_length": (_("Length of service"), ServiceLength.choices),
    "working_pattern": (_("Working pattern"), WorkingPattern.choices),
}


def _pick_cycle(
    request: HttpRequest,
    unit: Unit,
    cycles: Sequence[Cycle],
    *,
    full_only: bool = False,
    standings: common.CycleStandings | None = None,
) -> Cycle | None:
    """The cycle asked for in `?cycle=` (404 if it does not cover the unit) or the default:
    the newest whose figures for the unit the viewer is shown (see `common.default_cycle`)."""
    choices = [c for c in cycles if c.kind == Cycle.Kind.FULL] if full_only else list(cycles)
    wanted = request.GET.get("cycle")
    if wanted:
        found = next((c for c in choices if str(c.pk) == wanted), None)
        if found is None:
            raise Http404("No such cycle for this unit.")
        return found
    if standings is None:
        standings = common.cycle_standings(unit, choices, reach=reach_of(request.user))
    return common.default_cycle(
        choices, unit=unit, today=timezone.localdate(), shown=standings.shown
    )


def _standings_unless_asked(
    request: HttpRequest, unit: Unit, cycles: Sequence[Cycle], *, reach: Reach
) -> common.CycleStandings | None:
    """The cycles' standings when the default cycle must be chosen from them (no `?cycle=`),
    so that the page goes on with the units and tallies they read rather than reading them
    again; None when a cycle is asked for."""
    if request.GET.get("cycle"):
        return None
    return common.cycle_standings(unit, cycles, reach=reach)


def _filters(request: HttpRequest) -> dict[str, str]:
    filters = {}
    for name in DEMOGRAPHIC_FIELDS:
        value = request.GET.get(name, "")
        if value:
            allowed = {choice for choice, _ in FILTER_CHOICES[name][1]}
            if value not in allowed:
                raise Http404("No such breakdown.")
            filters[name] = value
    return filters


def _filters_in_words(filters: dict[str, str]) -> str:
    """A breakdown as the audit log keeps it: in English, by its labels ("Role: Manager or
    supervisor"), whatever language the viewer reads."""
    with translation.override(None):
        return ", ".join(
            f"{FILTER_CHOICES[name][0]}: {dict(FILTER_CHOICES[name][1]).get(value, value)}"
            for name, value in filters.items()
        )


def _record_view(
    request: HttpRequest, unit: Unit, scope: str, what: str, filters: dict[str, str] | None = None
) -> None:
    detail = what + (" (" + _filters_in_words(filters) + ")" if filters else "")
    record(
        organisation=unit.organisation_id,
        user=request.user,
        action=AuditEvent.Action.VIEWED,
        scope=scope,
        detail=detail,
    )


def home(request: HttpRequest) -> HttpResponse:
    """The site's front page: the public page, or a reading of the person's part of the
    organisation when they have a role."""
    if not request.user.is_authenticated:
        return render(request, "home_public.html")
    reach = reach_of(request.user)
    if reach.organisation is None:
        return render(request, "home.html", {"reach": reach})
    page = home_page(reach=reach, user_id=request.user.pk, today=timezone.localdate())
    for reading in page.readings:
        if reading.cycle is not None:
            _record_view(request, reading.unit, reading.path, f"Home reading, {reading.cycle.name}")
    return render(request, "home.html", {"reach": reach, "page": page})


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where results start: a single team goes straight to its dashboard."""
    reach = reach_of(request.user)
    if reach.organisation is None:
        raise Http404("You have no role in an organisation.")
    tops = former_places_after_their_units(reach.top_units)
    live = [unit for unit in tops if not unit.is_former_place]
    if (
        len(live) == 1
        and live[0].is_team
        and all(u in live or u.moved_to_id == live[0].pk for u in tops)
    ):
        # A team that moved: its dashboard links to its results from before the move.
        return redirect("dashboards:profile", unit_id=live[0].pk)
    return render(request, "dashboards/index.html", {"tops": tops, "reach": reach})


@login_required
def profile(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    unit = get_unit_for(request.user, unit_id)
    reach = reach_of(request.user)
    cycles = cycles_covering(unit)
    standings = common.cycle_standings(unit, cycles, reach=reach)
    cycle = _pick_cycle(request, unit, cycles, standings=standings)
    context: dict[str, object] = {
        "unit": unit,
        "cycle": cycle,
        "crumbs": [u for u in breadcrumbs(unit) if reach.reaches(u)],
        "moves": places_of_a_move(unit, reach=reach),
        "filter_choices": FILTER_CHOICES,
        "can_compare": reach.has_at_least(unit, Role.LEADER) and not unit.is_team,
    }
    if cycle is None:
        return render(request, "dashboards/profile.html", {**context, "empty": True})
    page = profile_page.profile(
        reach=reach,
        unit=unit,
        cycle=cycle,
        cycles=cycles,
        filters=_filters(request),
        today=timezone.localdate(),
        standings=standings,
    )
    what = "Response progress" if page.progress else "Profile"
    _record_view(
        request,
        unit,
        page.unit_path,
        f"{what}, {cycle_label(cycle, page.scope)}",
        dict(page.filters),
    )
    weak = page.weak_rows
    suggested = suggestions(
        interventions_for(reach), [row.domain.code for row in weak], unit=unit, per_domain=3
    )
    context["page"] = page
    context["suggestions"] = [(row, suggested[row.domain.code]) for row in weak]
    return render(request, "dashboards/profile.html", context)


@login_required
def compare(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    unit = get_unit_for(request.user, unit_id, role=Role.LEADER)
    reach = reach_of(request.user)
    if unit.is_team:
        return redirect("dashboards:profile", unit_id=unit.pk)
    cycles = cycles_covering(unit)
    standings = _standings_unless_asked(request, unit, cycles, reach=reach)
    cycle = _pick_cycle(request, unit, cycles, standings=standings)
    if cycle is None:
        return render(
            request, "dashboards/compare.html", {"unit": unit, "cycles": cycles, "empty": True}
        )
    page = compare_page.compare(
        reach=reach,
        unit=unit,
        cycle=cycle,
        cycles=cycles,
        sort=request.GET.get("sort", ""),
        today=timezone.localdate(),
        colour_by=compare_page.colour_by_from(request.GET.get("colour")),
        source=standings.source if standings else None,
    )
    _record_view(request, unit, page.unit_path, f"Unit comparison, {page.cycle_label}")
    return render(
        request, "dashboards/compare.html", {"unit": unit, "cycles": cycles, "page": page}
    )


@login_required
def benchmark(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    """Where the unit stands against the benchmark, for one full diagnostic."""
    unit = get_unit_for(request.user, unit_id)
    reach = reach_of(request.user)
    cycles = [c for c in cycles_covering(unit) if c.kind == Cycle.Kind.FULL]
    crumbs = [u for u in breadcrumbs(unit) if reach.reaches(u)]
    standings = _standings_unless_asked(request, unit, cycles, reach=reach)
    cycle = _pick_cycle(request, unit, cycles, full_only=True, standings=standings)
    context: dict[str, object] = {
        "unit": unit,
        "cycles": cycles,
        "crumbs": crumbs,
        "moves": places_of_a_move(unit, reach=reach),
    }
    if cycle is None:
        return render(request, "dashboards/benchmark.html", {**context, "empty": True})
    page = benchmark_builder.benchmark_page(
        reach=reach, unit=unit, cycle=cycle, source=standings.source if standings else None
    )
    _record_view(request, unit, page.unit_path, f"Benchmark, {cycle.name}")
    return render(request, "dashboards/benchmark.html", {**context, "cycle": cycle, "page": page})


@login_required
def compare_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The comparison for the user's own unit (the organisation for org admins)."""
    reach = reach_of(request.user)
    units = [u for u in reach.top_units if reach.has_at_least(u, Role.LEADER) and not u.is_team]
    if not units:
        raise Http404("Comparing units needs a leader or organisation admin role.")
    return redirect("dashboards:compare", unit_id=units[0].pk)


@login_required
def trends(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    unit = get_unit_for(request.user, unit_id)
    reach = reach_of(request.user)
    page = trends_page.trends(
        reach=reach,
        unit=unit,
        cycles=cycles_covering(unit),
        today=timezone.localdate(),
        domain_code=request.GET.get("domain"),
    )
    crumbs = [u for u in breadcrumbs(unit) if reach.reaches(u)]
    _record_view(request, unit, page.unit_path, "Trends")
    return render(
        request,
        "dashboards/trends.html",
        {
            "page": page,
            "unit": unit,
            "crumbs": crumbs,
            "moves": places_of_a_move(unit, reach=reach),
        },
    )


@login_required
def lens(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    unit = get_unit_for(request.user, unit_id, role=Role.LEADER)
    reach = reach_of(request.user)
    cycles = [c for c in cycles_covering(unit) if c.kind == Cycle.Kind.FULL]
    standings = _standings_unless_asked(request, unit, cycles, reach=reach)
    cycle = _pick_cycle(request, unit, cycles, full_only=True, standings=standings)
    if cycle is None:
        return render(
            request, "dashboards/lens.html", {"unit": unit, "cycles": cycles, "empty": True}
        )
    page = lens_page.structural_lens(
        reach=reach,
        unit=unit,
        cycle=cycle,
        figure_code=request.GET.get("figure", ""),
        domain_code=request.GET.get("domain", ""),
        source=standings.source if standings else None,
    )
    _record_view(request, unit, page.unit_path, f"Structural lens, {cycle.name}")
    return render(
        request,
        "dashboards/lens.html",
        {"unit": unit, "cycles": cycles, "cycle": cycle, "page": page},
    )


@login_required
def lens_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    reach = reach_of(request.user)
    units = [u for u in reach.top_units if reach.has_at_least(u, Role.LEADER) and not u.is_team]
    if not units:
        raise Http404("The structural lens needs a leader or organisation admin role.")
    return redirect("dashboards:lens", unit_id=units[0].pk)
