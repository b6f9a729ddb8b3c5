"""The team or unit dashboard for one cycle, as a typed page.

`profile` gathers the results once (one call to the disclosure engine for the cycle, the one
before it and the latest pooled pulses) and small builders turn them into frozen rows. A cycle
whose figures for the unit are not shown (still open, or too few answered) gives a page of its
response progress instead of rows of "fewer than k responses".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext, gettext_noop, ngettext

from benchmarks.rules import Position
from benchmarks.selectors import BenchmarkReading, benchmark_for
from dashboards import charts
from dashboards.common import (
    DASHBOARD_PULSES,
    FRAMING,
    LOW_RESPONSE_RATE,
    CycleStandings,
    _mean,
    _response_rate,
    cycle_standings,
    newest_open_after,
)
from diagnostics.driver_data import GroupDrivers, drivers_for
from diagnostics.models import (
    Comment,
    Cycle,
    CycleStatement,
    Domain,
)
from diagnostics.pooling import Scope, cycle_scope, pool_of, pools_taking_part, pulse_pools
from diagnostics.progress import cycle_progress
from diagnostics.release_words import count_words, hidden_words
from diagnostics.results import (
    GroupResult,
    OrganisationResults,
    Source,
    ancestor_paths,
    load_domains,
    results_for_scopes,
)
from diagnostics.scoring import Change, change_between, display_mean, display_percent
from diagnostics.structural import FIGURES, FigureDefinition, Rating, plain_number, rate
from diagnostics.structural_data import figures_for, thresholds_for_unit
from disclosure.plan import Hidden
from disclosure.release import CountBand, effective_k, teams_with_visible_comments
from organisations.access import Reach
from organisations.models import Unit
from organisations.selectors import readable_path, teams_under

# In the catalogue; translated where it is shown.
REVERSE_NOTE = gettext_noop(
    "Negatively worded statements (marked “negatively worded”) are scored in reverse: agreeing "
    "with one is red and disagreeing green, and the shares are of these scores."
)


def breakdown_refusal(reason: Hidden, *, k: int) -> str:
    """Why a breakdown is refused. Here rather than in dashboards.common: that module is also
    the staff results page's, whose strings all have a Welsh text (tests/test_translations.py),
    and only managers see this."""
    if reason is Hidden.PROTECTS_OTHERS:
        return gettext(
            "Showing this breakdown would let someone work out the answers of fewer than %(k)d "
            "people (by comparing it with other figures), so it cannot be shown."
        ) % {"k": k}
    return ngettext(
        "This breakdown leaves fewer than %(k)d response, so it cannot be shown.",
        "This breakdown leaves fewer than %(k)d responses, so it cannot be shown.",
        k,
    ) % {"k": k}


@dataclass(frozen=True)
class StructuralNote:
    """A structural figure recorded for the team, beside a domain it bears on."""

    figure: FigureDefinition
    value: str
    rating: Rating


@dataclass(frozen=True)
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
    figures: tuple[StructuralNote, ...] = ()
    hidden: str = ""
    position: Position | None = None  # against the benchmark, only where the mean is shown


@dataclass(frozen=True)
class OutcomeRow:
    """An outcome statement's figure (§12): the share who agree, apart from the conditions."""

    domain: Domain
    agree: str  # whole percent, as released
    shown: bool
    hidden: str = ""
    parent_agree: str = ""
    org_agree: str = ""


@dataclass(frozen=True)
class StatementRow:
    code: str
    text: str
    domain: str
    reverse_scored: bool
    shown: bool
    mean: str
    band: str | None
    red: str
    amber: str
    green: str
    urgent: bool
    hidden: str


@dataclass(frozen=True)
class PulsePoint:
    label: str
    pulses: int
    shown: bool
    index: int | None
    means: tuple[str, ...]


@dataclass(frozen=True)
class CommentsBlock:
    comments: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class TeamProgress:
    team: Unit
    responses: str  # as the engine lets this viewer read it


@dataclass(frozen=True)
class Progress:
    """How far a cycle has got for the unit, in the engine's words (bands where not shown)."""

    cycle: Cycle
    is_open: bool
    days_left: int
    responses: str  # the unit's responses ("" for a single pulse: shown only pooled)
    hidden: str  # why the unit's figures are not shown ("" where they are)
    teams: tuple[TeamProgress, ...]
    teams_reaching_k: int
    k: int


@dataclass(frozen=True)
class Comparison:
    """The unit above and the organisation, where their markers may be drawn."""

    parent: Unit | None
    root: Unit | None
    parent_group: GroupResult | None
    org_group: GroupResult | None

    @property
    def parent_shown(self) -> bool:
        return bool(self.parent_group and self.parent_group.shown)

    @property
    def org_shown(self) -> bool:
        return bool(self.org_group and self.org_group.shown)


@dataclass(frozen=True)
class ProfilePage:
    framing: str
    unit: Unit
    unit_path: str
    organisation_name: str
    cycle: Cycle
    cycles: tuple[Cycle, ...]
    scope: Scope
    group: GroupResult
    k: int
    today: date
    filters: Mapping[str, str]
    filter_error: str | None
    progress: Progress | None  # set when the unit's figures for this cycle are not shown
    newer_open: Progress | None  # a newer cycle still open, and how far along it is
    latest_shown: Cycle | None  # the newest cycle with figures shown, to link to from progress
    rows: tuple[DomainRow, ...] = ()
    comparison: Comparison | None = None
    # the earlier result each domain is compared with (the span audit reads which it was)
    previous: Scope | None = None
    previous_label: str = ""
    response_rate: str = ""
    low_response_rate: bool = False
    profile_chart: dict[str, Any] | None = None
    statement_rows: tuple[StatementRow, ...] = ()
    statements_shown: bool = True
    distribution_chart: dict[str, Any] | None = None
    pulse_points: tuple[PulsePoint, ...] = ()
    domains: tuple[Domain, ...] = ()
    trend_chart: dict[str, Any] | None = None
    figure_values: Mapping[str, Decimal | None] | None = None
    comments: CommentsBlock = CommentsBlock()
    dashboard_pulses: int = DASHBOARD_PULSES
    outcome_rows: tuple[OutcomeRow, ...] = ()
    drivers: GroupDrivers | None = None
    benchmark: BenchmarkReading | None = None

    @property
    def any_reverse_scored(self) -> bool:
        return any(row.reverse_scored for row in self.statement_rows)

    @property
    def any_statement_shown(self) -> bool:
        return any(row.shown for row in self.statement_rows)

    @property
    def shows_structural_figures(self) -> bool:
        """Figures are recorded per team and read beside full diagnostics only."""
        return self.unit.is_team and self.cycle.kind == Cycle.Kind.FULL

    @property
    def statements_not_charted(self) -> int:
        """Statements whose shares are hidden, so the chart leaves them out (the table says why)."""
        return sum(1 for row in self.statement_rows if not row.shown)

    @property
    def reverse_note(self) -> str:
        return gettext(REVERSE_NOTE)

    @property
    def weak_rows(self) -> list[DomainRow]:
        """Red and amber domains, red first, urgent first within a band, lowest first."""
        weak = [row for row in self.rows if row.band in ("red", "amber")]
        return sorted(weak, key=lambda row: (row.band != "red", not row.urgent, row.mean))


# --- the scopes: this cycle, the one before it, and the latest pooled pulses -------------


@dataclass(frozen=True)
class _Scopes:
    current: Scope
    previous: Scope | None
    previous_label: str
    pooled: tuple[Scope, ...]


def _scopes(cycle: Cycle, cycles: Sequence[Cycle], *, today: date) -> _Scopes:
    pooled = pools_taking_part(pulse_pools(cycle.organisation), cycles)
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
    return _Scopes(current, previous, previous_label, tuple(pooled[-DASHBOARD_PULSES:]))


@dataclass(frozen=True)
class _Gathered:
    """Everything read for the page, through the disclosure engine."""

    units: Mapping[str, Unit]  # by path, each made when first asked for (`Source.by_path`)
    domains: tuple[Domain, ...]
    by_key: Mapping[str, OrganisationResults]

    def results(self, scope: Scope) -> OrganisationResults:
        return self.by_key[scope.key]


def _gather(reach: Reach, cycle: Cycle, scopes: _Scopes, source: Source | None) -> _Gathered:
    if source is None:
        source = Source.of(cycle.organisation, reach=reach)
    domains = load_domains()
    wanted = [scopes.current, *([scopes.previous] if scopes.previous else []), *scopes.pooled]
    found = results_for_scopes(
        cycle.organisation,
        wanted,
        reach=reach,
        with_statements=True,
        statements_for=scopes.current,
        domains=domains,
        source=source,
    )
    return _Gathered(source.by_path, tuple(domains), {r.scope.key: r for r in found})


def _group_for(
    results: OrganisationResults, unit: Unit, filters: Mapping[str, str]
) -> tuple[GroupResult, Mapping[str, str], str | None]:
    """The unit's figures, broken down if asked and allowed (else why not, and no filters)."""
    group = results.group(unit)
    if not filters:
        return group, {}, None
    broken_down = results.breakdown(unit, filters)
    if broken_down.hidden is None:
        return broken_down, filters, None
    return group, {}, breakdown_refusal(broken_down.hidden, k=results.k)


def _comparison(
    results: OrganisationResults, unit: Unit, units: Mapping[str, Unit], *, filtered: bool
) -> Comparison:
    """The unit above (not the organisation) and the organisation, for markers; none for a
    breakdown, where each marker would be another group's breakdown (§5). `units`: by path."""
    parent = units.get(unit.path[: -Unit.steplen]) if unit.depth > 1 else None
    root = units[unit.path[: Unit.steplen]]
    if parent is None or parent.depth <= 1 or filtered:
        parent = None
    if root.pk == unit.pk or filtered:
        return Comparison(parent, None, results.group(parent) if parent else None, None)
    return Comparison(parent, root, results.group(parent) if parent else None, results.group(root))


# --- the domains ---------------------------------------------------------------------------


def _structural_notes(
    unit: Unit, cycle: Cycle
) -> tuple[Mapping[str, Decimal | None], dict[str, tuple[StructuralNote, ...]]]:
    """The team's structural figures for a full cycle, and per domain the ones bearing on it."""
    if not (unit.is_team and cycle.kind == Cycle.Kind.FULL):
        return {}, {}
    values = figures_for([cycle.pk], team_ids=[unit.pk]).get((cycle.pk, unit.pk), {})
    thresholds = thresholds_for_unit(unit)  # the team's: a unit above it may set its own
    notes: dict[str, list[StructuralNote]] = {}
    for figure in FIGURES:
        value = values.get(figure.code)
        if value is None:
            continue
        note = StructuralNote(
            figure, plain_number(value), rate(figure, value, thresholds[figure.code].thresholds)
        )
        for code in figure.domains:
            notes.setdefault(code, []).append(note)
    return values, {code: tuple(found) for code, found in notes.items()}


def _domain_row(
    domain: Domain,
    group: GroupResult,
    *,
    comparison: Comparison,
    previous: GroupResult | None,
    notes: tuple[StructuralNote, ...],
) -> DomainRow:
    cell = group.domains[domain.code]
    figures = cell.figures
    return DomainRow(
        domain=domain,
        mean=display_mean(figures.mean) if figures else "",
        band=figures.band if figures else None,
        n=figures.n if figures else None,
        red=display_percent(figures.red_share) if figures else "",
        amber=display_percent(figures.amber_share) if figures else "",
        green=display_percent(figures.green_share) if figures else "",
        urgent=bool(figures and figures.urgent),
        shown=figures is not None and figures.mean is not None,
        parent_mean=display_mean(_mean(comparison.parent_group, domain.code)),
        org_mean=display_mean(_mean(comparison.org_group, domain.code)),
        change=(
            change_between(_mean(previous, domain.code), _mean(group, domain.code))
            if previous is not None
            else None
        ),
        previous_mean=display_mean(_mean(previous, domain.code)),
        figures=notes,
        hidden="" if figures else hidden_words(cell.hidden, k=group.k),
    )


def _profile_chart(
    rows: Sequence[DomainRow], group: GroupResult, comparison: Comparison
) -> dict[str, Any]:
    domains = [row.domain for row in rows]
    markers = []
    if comparison.parent_group is not None and comparison.parent is not None:
        markers.append(
            charts.Marker(
                gettext("%(unit)s (unit)") % {"unit": comparison.parent.name},
                "diamond",
                [_mean(comparison.parent_group, d.code) for d in domains],
            )
        )
    if comparison.org_group is not None and comparison.root is not None:
        markers.append(
            charts.Marker(
                gettext("%(organisation)s (organisation)") % {"organisation": comparison.root.name},
                "triangle-up",
                [_mean(comparison.org_group, d.code) for d in domains],
            )
        )
    bars = [
        charts.ProfileBar(
            row.domain.name, _mean(group, row.domain.code), row.band, row.hidden, urgent=row.urgent
        )
        for row in rows
    ]
    return charts.domain_profile(bars, markers)


# --- the outcomes and their drivers ----------------------------------------------------------


def _agree(group: GroupResult | None, code: str) -> str:
    """An outcome's share who agree (its green share: answers of 5 or 6), as released."""
    if group is None:
        return ""
    cell = group.outcomes.get(code)
    figures = cell.figures if cell else None
    return display_percent(figures.green_share) if figures else ""


def _outcome_rows(
    results: OrganisationResults, group: GroupResult, comparison: Comparison
) -> tuple[OutcomeRow, ...]:
    rows = []
    for domain in results.outcomes:
        cell = group.outcomes.get(domain.code)
        if cell is None:
            continue
        rows.append(
            OutcomeRow(
                domain=domain,
                agree=_agree(group, domain.code),
                shown=cell.shown,
                hidden="" if cell.shown else hidden_words(cell.hidden, k=group.k),
                parent_agree=_agree(comparison.parent_group, domain.code),
                org_agree=_agree(comparison.org_group, domain.code),
            )
        )
    return tuple(rows)


# --- the statements ------------------------------------------------------------------------


def _statement_row(
    code: str, cell_of: GroupResult, asked: Mapping[str, CycleStatement], domain: str
) -> StatementRow:
    figures = cell_of.statements[code].figures
    statement = asked[code].statement if code in asked else None
    return StatementRow(
        code=code,
        text=statement.text if statement else code,
        domain=domain,
        reverse_scored=bool(statement and statement.reverse_scored),
        shown=figures is not None,
        mean=display_mean(figures.mean) if figures else "",
        band=figures.band if figures else None,
        red=display_percent(figures.red_share) if figures else "",
        amber=display_percent(figures.amber_share) if figures else "",
        green=display_percent(figures.green_share) if figures else "",
        urgent=bool(figures and figures.urgent),
        hidden=(
            ""
            if figures and figures.mean is not None
            else (
                gettext("mean %(hidden)s")
                % {"hidden": _statement_hidden_words(cell_of.statements[code].hidden, k=cell_of.k)}
                if figures
                else _statement_hidden_words(cell_of.statements[code].hidden, k=cell_of.k)
            )
        ),
    )


def _statement_hidden_words(reason: Hidden | None, *, k: int) -> str:
    """Why a statement's figures are hidden. Too few is of the people who answered it, not of
    the group's responses: a pool of pulses that each asked different statements has 12
    responses and fewer than 5 answers to each statement."""
    if reason is Hidden.FEWER_THAN_K:
        minimum = effective_k(k)
        return ngettext(
            "fewer than %(k)d person answered it",
            "fewer than %(k)d people answered it",
            minimum,
        ) % {"k": minimum}
    return hidden_words(reason, k=k)


def _statement_rows(
    results: OrganisationResults, group: GroupResult, current: Scope
) -> tuple[StatementRow, ...]:
    """The statements in the order staff saw them (one query, none without statements)."""
    if not group.statements:
        return ()
    asked: dict[str, CycleStatement] = {}
    for row in (
        CycleStatement.objects.filter(cycle_id__in=current.cycle_ids)
        .select_related("statement__domain")
        .order_by("statement__domain__position", "statement__position", "statement__code")
    ):
        asked.setdefault(row.statement.code, row)
    order = {code: index for index, code in enumerate(asked)}
    # Outcome statements are shown as outcomes (the share who agree), not as conditions.
    outcome_codes = {domain.code for domain in results.outcomes}
    codes = sorted(
        (
            code
            for code in group.statements
            if results.statement_domains.get(code) not in outcome_codes
        ),
        key=lambda code: order.get(code, len(order)),
    )
    labels = results.statement_domains
    return tuple(_statement_row(code, group, asked, labels.get(code, "")) for code in codes)


def _distribution_chart(rows: Sequence[StatementRow], group: GroupResult) -> dict[str, Any] | None:
    bars = [
        charts.DistributionRow(
            f"{row.code} {row.text}",
            figures.red_share,
            figures.amber_share,
            figures.green_share,
            reverse_scored=row.reverse_scored,
            urgent=row.urgent,
        )
        for row in rows
        if (figures := group.statements[row.code].figures) is not None
    ]
    return charts.distribution_bars(bars) if bars else None


# --- pooled pulses and comments --------------------------------------------------------------


def _pulse_points(
    gathered: _Gathered, unit: Unit, pooled: Sequence[Scope]
) -> tuple[PulsePoint, ...]:
    points = []
    for scope in pooled:
        group = gathered.results(scope).group(unit)
        points.append(
            PulsePoint(
                label=scope.label,
                pulses=scope.pulse_count,
                shown=group.shown,
                index=group.index,
                means=tuple(display_mean(_mean(group, d.code)) for d in gathered.domains),
            )
        )
    return tuple(points)


def _trend_chart(gathered: _Gathered, unit: Unit, pooled: Sequence[Scope]) -> dict[str, Any] | None:
    groups = [gathered.results(scope).group(unit) for scope in pooled]
    if not any(group.shown for group in groups):
        return None
    return charts.trend_lines(
        [scope.label for scope in pooled],
        [charts.Series(d.name, [_mean(g, d.code) for g in groups]) for d in gathered.domains],
        title=gettext("Pooled pulse results"),
    )


def _comments(unit: Unit, current: Scope, results: OrganisationResults) -> CommentsBlock:
    """Comments of the unit's teams whose count this viewer reads exactly and reaches the
    comment threshold (never for a breakdown). A comment shown says its team has at least the
    threshold, so a team whose count is hidden (a band) keeps its comments back: beside the
    unit's count and its other teams' bands or codes made, that bound could pin a small team."""
    organisation = unit.organisation
    counts = results.response_counts
    teams = [
        team
        for path, team in results.units.items()
        if team.is_team and path.startswith(unit.path) and counts.get(path, 0)
    ]
    shown_counts = {
        team.pk: counts[team.path]
        for team in teams
        if team.path in results.resolvable and results.group_hidden(team) is None
    }
    visible_teams = teams_with_visible_comments(
        shown_counts, comment_threshold=organisation.comment_threshold, k=results.k
    )
    comments: tuple[str, ...] = ()
    if visible_teams:
        # Read by the unit's teams and kept by team here: a list of thousands of visible teams
        # in the query cost an organisation's page 10 ms at 3,000 teams.
        comments = tuple(
            sorted(
                text
                for team_id, text in Comment.objects.filter(
                    teams_under(unit, "team__"), cycle_id__in=current.cycle_ids
                ).values_list("team_id", "text")
                if team_id in visible_teams
            )
        )
    note = ""
    if len(visible_teams) < len(teams):
        minimum = max(organisation.comment_threshold, results.k)
        note = ngettext(
            "Comments are shown only from teams whose results are shown here and that have at "
            "least %(minimum)d response.",
            "Comments are shown only from teams whose results are shown here and that have at "
            "least %(minimum)d responses.",
            minimum,
        ) % {"minimum": minimum}
    return CommentsBlock(comments, note)


# --- progress of a cycle whose figures are not shown -----------------------------------------


def progress_of(
    cycle: Cycle, *, unit: Unit, reach: Reach, standings: CycleStandings, today: date
) -> Progress:
    """How far the cycle has got for the unit, as the engine lets this viewer read it: the
    unit's responses (exact only where its figures are shown; not given for a pulse) and each
    of its teams' (a pulse's teams' are its pool's; a fixed number of queries)."""
    k = effective_k(cycle.organisation.anonymity_threshold)
    progress = cycle_progress(cycle, reach)
    counts = [
        (team, progress.count_of(team))
        for team in progress.team_units
        if team.path.startswith(unit.path)
    ]
    teams = tuple(TeamProgress(team, count_words(count)) for team, count in counts)
    reaching = sum(1 for _, count in counts if count.band is CountBand.K_OR_MORE)
    shown = standings.shown(cycle)
    results = standings.results.get(standings.scope(cycle).key)
    hidden = ""
    if not shown and results is not None and unit.path in results.resolvable:
        hidden = hidden_words(results.group_hidden(unit), k=results.k)
    return Progress(
        cycle=cycle,
        is_open=cycle.status == Cycle.Status.OPEN,
        days_left=max((cycle.closes_on - today).days, 0),
        responses="" if cycle.kind == Cycle.Kind.PULSE else standings.responses(cycle),
        hidden=hidden or ("" if shown else hidden_words(None, k=k)),
        teams=teams,
        teams_reaching_k=reaching,
        k=k,
    )


def _newer_open(
    cycle: Cycle,
    cycles: Sequence[Cycle],
    *,
    unit: Unit,
    reach: Reach,
    standings: CycleStandings,
    today: date,
) -> Progress | None:
    newer = newest_open_after(cycles, cycle)
    if newer is None or standings.scope(newer).key == standings.scope(cycle).key:
        return None
    return progress_of(newer, unit=unit, reach=reach, standings=standings, today=today)


# --- the page --------------------------------------------------------------------------------


def profile(
    *,
    reach: Reach,
    unit: Unit,
    cycle: Cycle,
    cycles: Sequence[Cycle],
    filters: Mapping[str, str],
    today: date,
    standings: CycleStandings | None = None,
) -> ProfilePage:
    """The team (or unit) dashboard for one cycle; its response progress where its figures
    are not shown. `standings`: the unit's cycles as the view has already read them."""
    if standings is None:
        standings = cycle_standings(unit, cycles, reach=reach)
    scopes = _scopes(cycle, cycles, today=today)
    source = standings.source if standings.source and standings.source.reach is reach else None
    gathered = _gather(reach, cycle, scopes, source)
    results = gathered.results(scopes.current)
    group, filters, filter_error = _group_for(results, unit, filters)
    page = ProfilePage(
        framing=gettext(FRAMING),
        unit=unit,
        unit_path=readable_path(
            unit, {path: gathered.units[path].name for path in ancestor_paths(unit.path)}
        ),
        organisation_name=cycle.organisation.name,
        cycle=cycle,
        cycles=tuple(cycles),
        scope=scopes.current,
        group=group,
        k=results.k,
        today=today,
        filters=filters,
        filter_error=filter_error,
        progress=None,
        newer_open=_newer_open(
            cycle, cycles, unit=unit, reach=reach, standings=standings, today=today
        ),
        latest_shown=next((c for c in cycles if standings.shown(c)), None),
        domains=gathered.domains,
    )
    if not group.shown:
        progress = progress_of(cycle, unit=unit, reach=reach, standings=standings, today=today)
        return replace(page, progress=progress)
    return _with_results(page, gathered, scopes, results)


def _with_results(
    page: ProfilePage, gathered: _Gathered, scopes: _Scopes, results: OrganisationResults
) -> ProfilePage:
    unit, group, filtered = page.unit, page.group, bool(page.filters)
    pooled = () if filtered else scopes.pooled
    # A breakdown is shown on its own: markers, the earlier result and the pulse trend would
    # each be another group's breakdown, so they are not drawn (§5).
    previous = None if filtered or scopes.previous is None else scopes.previous
    comparison = _comparison(results, unit, gathered.units, filtered=filtered)
    previous_group = gathered.results(previous).group(unit) if previous else None
    figure_values, notes = _structural_notes(unit, page.cycle)
    rows = tuple(
        _domain_row(
            domain,
            group,
            comparison=comparison,
            previous=previous_group,
            notes=notes.get(domain.code, ()),
        )
        for domain in gathered.domains
    )
    benchmark = None if filtered else benchmark_for(page.cycle.organisation, cycle=page.cycle)
    if benchmark is not None:
        rows = _with_positions(rows, group, benchmark)
    statement_rows = _statement_rows(results, group, scopes.current)
    rate_value = (
        None if filtered else _response_rate(scopes.current.cycle_ids, unit, group.responses)
    )
    return replace(
        page,
        rows=rows,
        comparison=comparison,
        previous=previous,
        previous_label=scopes.previous_label if previous else "",
        response_rate=display_percent(rate_value) if rate_value is not None else "",
        low_response_rate=rate_value is not None and rate_value < LOW_RESPONSE_RATE,
        profile_chart=_profile_chart(rows, group, comparison),
        statement_rows=statement_rows,
        statements_shown=not filtered,
        distribution_chart=_distribution_chart(statement_rows, group),
        pulse_points=_pulse_points(gathered, unit, pooled),
        trend_chart=_trend_chart(gathered, unit, pooled),
        figure_values=figure_values,
        comments=CommentsBlock() if filtered else _comments(unit, scopes.current, results),
        outcome_rows=() if filtered else _outcome_rows(results, group, comparison),
        drivers=None if filtered else drivers_for(results, [unit]).get(unit.path),
        benchmark=benchmark,
    )


def _with_positions(
    rows: Sequence[DomainRow], group: GroupResult, benchmark: BenchmarkReading
) -> tuple[DomainRow, ...]:
    """Each shown domain mean's place in the benchmark (a breakdown gets none: the benchmark
    is of whole groups)."""
    return tuple(
        replace(
            row,
            position=benchmark.position(group.unit, row.domain.code, _mean(group, row.domain.code)),
        )
        if row.shown
        else row
        for row in rows
    )
