"""The signed-in home page: a reading of the person's part of the organisation (PRODUCT §11).

It leads with the conditions index of each unit the person holds a role at, its change since
the previous full diagnostic, the strongest and weakest domains and the teams with an urgent
domain; then the response progress of open cycles, overdue actions and staff issues waiting
for an answer. Every figure comes from `diagnostics.results`, so the disclosure engine has
decided it; the number of queries does not grow with the number of teams.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from actions.access import actions_visible_to
from actions.models import Action
from benchmarks.rules import Position
from benchmarks.selectors import BenchmarkReading, benchmark_for
from dashboards.common import _mean, full_diagnostics
from diagnostics.models import Cycle, CycleTeam, Invite, TeamTally
from diagnostics.pooling import cycle_scope
from diagnostics.release_words import count_words
from diagnostics.results import (
    GroupResult,
    OrganisationResults,
    Source,
    load_domains,
    results_for_scopes,
)
from diagnostics.scoring import display_mean
from diagnostics.selectors import Availability, availability, cycles_covering, cycles_visible_to
from disclosure.plan import Hidden
from disclosure.release import effective_k, response_count
from organisations.access import Reach
from organisations.models import Role, Unit
from organisations.remembered_units import UnitTable, unit_table
from organisations.selectors import former_places_after_their_units, readable_path
from sword.paging import first_rows
from voice.access import issues_visible_to
from voice.models import VoiceIssue
from voice.selectors import open_safety_issues

LIST_LENGTH = 5
READINGS_SHOWN = 4  # a person with roles at many units gets the first few and a link to results
CYCLES_LOOKED_AT = 4  # the newest full diagnostics searched for one with results shown
DOMAINS_NAMED = 2  # strongest and weakest


@dataclass(frozen=True)
class DomainReading:
    code: str
    name: str
    mean: str
    band: str | None
    urgent: bool


@dataclass(frozen=True)
class DomainPosition:
    name: str
    position: Position


@dataclass(frozen=True)
class UrgentTeam:
    unit: Unit
    path: str
    domains: tuple[str, ...]


@dataclass(frozen=True)
class UnitReading:
    """The headline for one unit: its newest full diagnostic with results shown."""

    unit: Unit
    path: str
    cycle: Cycle | None
    index: int | None
    previous_cycle: Cycle | None
    index_change: int | None
    strongest: tuple[DomainReading, ...]
    weakest: tuple[DomainReading, ...]
    red_domains: int
    urgent_teams: tuple[UrgentTeam, ...]
    more_urgent_teams: int
    why_nothing: str  # when there is no shown result: what to do, or why it is hidden
    benchmark: BenchmarkReading | None = None
    positions: tuple[DomainPosition, ...] = ()  # shown domains' places in the benchmark
    moved_to_path: str = ""  # a former place's: where the unit that was here is now
    # a closed cycle whose result for the unit is hidden to protect a smaller group: its units
    # may be shown on the comparison, which the card links to
    compare_cycle: Cycle | None = None

    @property
    def has_result(self) -> bool:
        return self.index is not None

    @property
    def change_points(self) -> int:
        return abs(self.index_change or 0)


@dataclass(frozen=True)
class CycleProgress:
    cycle: Cycle
    days_left: int
    responses: str  # "" for a pulse: read only through its pool, on the dashboards
    responses_of: str  # whose responses: the cycle's unit, or the viewer's teams in it
    invites: int
    teams: int
    teams_at_k: int  # 0 for a pulse, whose count is not given
    k: int


@dataclass(frozen=True)
class OverdueAction:
    action: Action
    days_overdue: int


@dataclass(frozen=True)
class HomePage:
    readings: tuple[UnitReading, ...]
    more_readings: bool
    open_cycles: tuple[CycleProgress, ...]
    more_open_cycles: bool
    overdue: tuple[OverdueAction, ...]
    overdue_total: int
    my_open_actions: int
    waiting_issues: tuple[VoiceIssue, ...]
    waiting_total: int
    safety_issues: tuple[VoiceIssue, ...]
    can_run_cycles: bool
    can_set_up: bool
    has_teams: bool


def home_page(*, reach: Reach, user_id: int, today: date) -> HomePage:
    organisation = reach.organisation
    assert organisation is not None  # the view shows a different page to people with no role
    table = unit_table(organisation_id=organisation.pk, using=Unit.objects.db)
    tops = former_places_after_their_units(reach.top_units)[:READINGS_SHOWN]
    recent_full = {
        unit.pk: headline_cycles(cycles_covering(unit), unit=unit, today=today) for unit in tops
    }
    open_cycles = list(
        cycles_visible_to(reach)
        .filter(status=Cycle.Status.OPEN, opens_on__lte=today, closes_on__gte=today)
        .select_related("unit")
        .order_by("closes_on", "pk")[: LIST_LENGTH + 1]
    )
    results = _results_by_cycle(
        reach=reach,
        table=table,
        cycles=[
            *(c for cycles in recent_full.values() for c in cycles),
            *(c for c in open_cycles[:LIST_LENGTH] if c.kind == Cycle.Kind.FULL),
        ],
    )
    names = table.names
    benchmarks: dict[int, BenchmarkReading | None] = {}

    def benchmark_of(cycle: Cycle) -> BenchmarkReading | None:
        if cycle.pk not in benchmarks:
            benchmarks[cycle.pk] = benchmark_for(organisation, cycle=cycle)
        return benchmarks[cycle.pk]

    overdue, overdue_total = _overdue_actions(reach=reach, today=today)
    waiting, waiting_total = _waiting_issues(reach=reach)
    shown = {unit.pk: unit for unit in tops}
    moved_from = {unit.moved_to_id for unit in tops if unit.is_former_place}
    return HomePage(
        readings=tuple(
            _moved(
                unit_reading(
                    unit=unit,
                    cycles=recent_full[unit.pk],
                    results=results,
                    names=names,
                    today=today,
                    benchmark_of=benchmark_of,
                ),
                moved_to=shown.get(unit.moved_to_id) if unit.moved_to_id else None,
                nothing_since_the_move=unit.pk in moved_from and not recent_full[unit.pk],
                names=names,
            )
            for unit in tops
        ),
        more_readings=len(reach.top_units) > READINGS_SHOWN,
        open_cycles=tuple(
            cycle_progress(
                reach=reach,
                cycles=open_cycles[:LIST_LENGTH],
                results=results,
                k=effective_k(organisation.anonymity_threshold),
                today=today,
            )
        ),
        more_open_cycles=len(open_cycles) > LIST_LENGTH,
        overdue=overdue,
        overdue_total=overdue_total,
        my_open_actions=actions_visible_to(reach)
        .filter(owner_id=user_id, status__in=Action.OPEN_STATUSES)
        .count(),
        waiting_issues=waiting,
        waiting_total=waiting_total,
        safety_issues=tuple(
            first_rows(
                open_safety_issues(issues_visible_to(reach)).order_by("-raised_on", "-pk"),
                LIST_LENGTH,
                "board__team",
            )
        ),
        can_run_cycles=any(reach.has_at_least(u, Role.TEAM_MANAGER) for u in tops),
        can_set_up=reach.is_org_admin,
        has_teams=table.has_active_teams,
    )


def _moved(
    reading: UnitReading,
    *,
    moved_to: Unit | None,
    nothing_since_the_move: bool,
    names: Mapping[str, str],
) -> UnitReading:
    """A reading that says a move: a former place names where its unit went, and a unit that
    moved and has no diagnostic since says where its results from before are."""
    if moved_to is not None:
        return replace(reading, moved_to_path=readable_path(moved_to, names))
    if nothing_since_the_move:
        return replace(
            reading,
            why_nothing=gettext(
                "No full diagnostic has been run here since it moved. Its results from before "
                "the move are on the next card."
            ),
        )
    return reading


def _overdue_actions(*, reach: Reach, today: date) -> tuple[tuple[OverdueAction, ...], int]:
    """The first few overdue actions in reach, oldest due first, and how many there are."""
    overdue = (
        actions_visible_to(reach)
        .filter(status__in=Action.OPEN_STATUSES, due_on__lt=today)
        .order_by("due_on", "pk")
    )
    first = first_rows(overdue, LIST_LENGTH, "unit", "owner")
    total = len(first) if len(first) < LIST_LENGTH else overdue.count()
    return tuple(OverdueAction(a, (today - a.due_on).days) for a in first), total


def _waiting_issues(*, reach: Reach) -> tuple[tuple[VoiceIssue, ...], int]:
    """The newest staff issues in reach nobody has answered yet, and how many there are."""
    waiting = (
        issues_visible_to(reach)
        .filter(status=VoiceIssue.Status.NEW, hidden=False)
        .order_by("-raised_on", "-pk")
    )
    first = first_rows(waiting, LIST_LENGTH, "board__team")
    return tuple(first), len(first) if len(first) < LIST_LENGTH else waiting.count()


def headline_cycles(cycles: Sequence[Cycle], *, unit: Unit, today: date) -> list[Cycle]:
    """The newest full diagnostics a unit's headline may read, newest first: those run across
    the whole unit (for it or a unit above it), else those run in part of it. A diagnostic one
    team ran on its own is not its service's reading, nor compared with one that was."""
    whole, full = full_diagnostics(cycles, unit=unit, today=today)
    return (whole or full)[:CYCLES_LOOKED_AT]


def _results_by_cycle(
    *, reach: Reach, table: UnitTable, cycles: Sequence[Cycle]
) -> dict[int, OrganisationResults]:
    """Every full diagnostic the page reads, through the engine in one call."""
    unique = list({c.pk: c for c in cycles}.values())
    if not unique or reach.organisation is None:
        return {}
    found = results_for_scopes(
        reach.organisation,
        [cycle_scope(c) for c in unique],
        reach=reach,
        domains=load_domains(),
        source=Source.of_table(table, reach=reach),
    )
    return {c.pk: r for c, r in zip(unique, found, strict=True)}


def unit_reading(
    *,
    unit: Unit,
    cycles: Sequence[Cycle],
    results: dict[int, OrganisationResults],
    names: Mapping[str, str],
    today: date,
    benchmark_of: Callable[[Cycle], BenchmarkReading | None] | None = None,
) -> UnitReading:
    """The newest of `cycles` (full diagnostics, newest first) whose result for the unit is
    shown, compared with the next older one shown."""
    path = readable_path(unit, names)
    if not cycles:
        return _no_reading(unit, path, gettext("No full diagnostic has been run here yet."))
    shown = [
        (cycle, results[cycle.pk], group)
        for cycle in cycles
        if (group := results[cycle.pk].group(unit)).shown and group.index is not None
    ]
    if not shown:
        newest = cycles[0]
        group = results[newest.pk].group(unit)
        return _hidden_reading(unit=unit, path=path, cycle=newest, group=group, today=today)
    cycle, cycle_results, group = shown[0]
    previous = shown[1] if len(shown) > 1 else None
    ranked = _ranked_domains(cycle_results, group)
    urgent = _urgent_domains(cycle_results, unit=unit)
    benchmark = benchmark_of(cycle) if benchmark_of is not None else None
    positions: tuple[DomainPosition, ...] = ()
    if benchmark is not None:
        positions = tuple(
            DomainPosition(domain.name, found)
            for domain in cycle_results.domains
            if (found := benchmark.position(unit, domain.code, _mean(group, domain.code)))
        )
    return UnitReading(
        unit=unit,
        path=path,
        cycle=cycle,
        index=group.index,
        previous_cycle=previous[0] if previous else None,
        index_change=(
            group.index - previous[2].index
            if previous is not None and group.index is not None and previous[2].index is not None
            else None
        ),
        strongest=tuple(reversed(ranked[-DOMAINS_NAMED:])) if len(ranked) > 1 else (),
        weakest=tuple(ranked[:DOMAINS_NAMED]),
        red_domains=sum(1 for d in ranked if d.band == "red"),
        urgent_teams=_urgent_teams(cycle_results, urgent[:LIST_LENGTH], names=names),
        more_urgent_teams=max(0, len(urgent) - LIST_LENGTH),
        why_nothing="",
        benchmark=benchmark if positions else None,
        positions=positions,
    )


def _hidden_reading(
    *, unit: Unit, path: str, cycle: Cycle, group: GroupResult, today: date
) -> UnitReading:
    """Why the newest diagnostic's result for the unit is not shown, and what may still come:
    more answers while it is open; once it has closed, none, but a unit hidden to protect a
    smaller group may have units below it that are shown."""
    values = {"cycle": cycle.name, "why": group.hidden_words or gettext("no results yet")}
    if availability(cycle, today=today) != Availability.CLOSED:
        why = gettext("%(cycle)s: %(why)s. Results show once enough people have answered.")
        return _no_reading(unit, path, why % values)
    if group.hidden is Hidden.PROTECTS_OTHERS and not unit.is_team:
        why = gettext(
            "%(cycle)s: %(why)s. It has closed: compare its units to see which are shown."
        )
        return replace(_no_reading(unit, path, why % values), compare_cycle=cycle)
    why = gettext("%(cycle)s: %(why)s. It has closed, so no more answers will come.")
    return _no_reading(unit, path, why % values)


def _no_reading(unit: Unit, path: str, why: str) -> UnitReading:
    return UnitReading(
        unit=unit,
        path=path,
        cycle=None,
        index=None,
        previous_cycle=None,
        index_change=None,
        strongest=(),
        weakest=(),
        red_domains=0,
        urgent_teams=(),
        more_urgent_teams=0,
        why_nothing=why,
    )


def _ranked_domains(results: OrganisationResults, group: GroupResult) -> list[DomainReading]:
    """Shown domains, weakest first (urgent before not, at equal means)."""
    readings = []
    for domain in results.domains:
        figures = group.domains[domain.code].figures
        if figures is None or figures.mean is None:
            continue
        readings.append(
            (
                figures.mean,
                not figures.urgent,
                DomainReading(
                    code=domain.code,
                    name=domain.name,
                    mean=display_mean(figures.mean),
                    band=figures.band,
                    urgent=figures.urgent,
                ),
            )
        )
    readings.sort(key=lambda item: (item[0], item[1]))
    return [reading for _, _, reading in readings]


def _urgent_domains(
    results: OrganisationResults, *, unit: Unit
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each team in `unit` with an urgent domain shown, by path, with those domains' codes,
    the teams with most first (kept with the released figures of a settled scope)."""
    return results.kept_with_released(
        ("urgent teams", unit.path), lambda: _find_urgent_domains(results, unit=unit)
    )


def _find_urgent_domains(
    results: OrganisationResults, *, unit: Unit
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    teams = sorted(
        path
        for path, u in results.units.items()
        if u.is_team and path.startswith(unit.path) and path in results.resolvable
    )
    urgent = []
    for path in teams:
        group = results.group(results.units[path])
        codes = tuple(
            domain.code
            for domain in results.domains
            if (figures := group.domains[domain.code].figures) is not None and figures.urgent
        )
        if codes:
            urgent.append((path, codes))
    urgent.sort(key=lambda found: -len(found[1]))
    return tuple(urgent)


def _urgent_teams(
    results: OrganisationResults,
    flagged: Sequence[tuple[str, tuple[str, ...]]],
    *,
    names: Mapping[str, str],
) -> tuple[UrgentTeam, ...]:
    """Teams as `_urgent_domains` found them, by their names and their domains' names now."""
    domain_names = {domain.code: domain.name for domain in results.domains}
    return tuple(
        UrgentTeam(
            team := results.units[path],
            readable_path(team, names),
            tuple(domain_names[code] for code in codes),
        )
        for path, codes in flagged
    )


def cycle_progress(
    *,
    reach: Reach,
    cycles: Sequence[Cycle],
    results: dict[int, OrganisationResults],
    k: int,
    today: date,
) -> list[CycleProgress]:
    """Each open cycle's responses as the engine lets this viewer read them: exact only where a
    full diagnostic's figures for the cycle's unit are shown, otherwise a side of k. A pulse's
    own counts are not given at all, not even its teams' sides of k: it is read only through its
    pool, whose count beside them could pin each pulse's (see `diagnostics.progress`)."""
    tallies = _team_responses(cycles, reach=reach)
    invites = _invites_by_cycle(cycles, reach=reach)
    progress = []
    for cycle in cycles:
        counts = tallies.get(cycle.pk, {})
        if cycle.kind == Cycle.Kind.PULSE:
            responses, responses_of, at_k = "", "", 0
        else:
            cycle_results = results.get(cycle.pk)
            if cycle_results is not None and cycle.unit.path in cycle_results.resolvable:
                count = cycle_results.response_count(cycle_results.units[cycle.unit.path])
                responses_of = cycle.unit.name
            else:
                count = response_count(sum(counts.values()), k=k)
                responses_of = gettext("your teams")
            responses, at_k = count_words(count), sum(1 for n in counts.values() if n >= k)
        progress.append(
            CycleProgress(
                cycle=cycle,
                days_left=(cycle.closes_on - today).days,
                responses=responses,
                responses_of=responses_of,
                invites=invites.get(cycle.pk, 0),
                teams=len(counts),
                teams_at_k=at_k,
                k=k,
            )
        )
    return progress


def _team_responses(cycles: Sequence[Cycle], *, reach: Reach) -> dict[int, dict[int, int]]:
    """Cycle → team → responses, for the teams in reach taking part (one query)."""
    rows = (
        CycleTeam.objects.filter(cycle__in=cycles)
        .filter(reach.unit_filter("team__"))
        .annotate(
            responses=Coalesce(
                Subquery(
                    TeamTally.objects.filter(
                        cycle_id=OuterRef("cycle_id"), team_id=OuterRef("team_id")
                    ).values("responses")[:1]
                ),
                0,
            )
        )
        .values_list("cycle_id", "team_id", "responses")
    )
    by_cycle: dict[int, dict[int, int]] = {}
    for cycle_id, team_id, responses in rows:
        by_cycle.setdefault(cycle_id, {})[team_id] = responses
    return by_cycle


def _invites_by_cycle(cycles: Sequence[Cycle], *, reach: Reach) -> dict[int, int]:
    rows = (
        Invite.objects.filter(cycle__in=cycles)
        .filter(reach.unit_filter("team__"))
        .values("cycle_id")
        .annotate(n=Count("pk"))
        .values_list("cycle_id", "n")
    )
    return dict(rows)
