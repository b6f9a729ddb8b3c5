"""A team's own results for its staff, opened from the team's voice board link (§11).

Staff see what a manager of the team sees of the team itself (domain means, bands, the shares
of red, amber and green answers, the conditions index and the count of responses), for results
that can no longer change: full diagnostics that have closed, and pulses pooled over a period
that has ended with every pulse in it closed. No breakdowns, no statements, no markers of other
units. Beside them, "you said, we did": the board's issues with their answers, and the team's
actions with the domain's figures before and after.

Who can combine this page with what? Staff see only their own team, and only a part of what a
manager of the team sees, so on its own the page gives away nothing the engine would not show
that manager. But the link is not only the staff's: every manager and leader whose role
reaches the team can open the team's link page, and their own plan may hide a figure of the
team that a team manager's shows (a leader of a unit with a team of 6 and a team of 3 sees the
unit's figures, so the engine hides the 6 to protect the 3). Shown here, that figure would let
the leader subtract their way to the 3. So a figure is shown here only where the plans of
everyone who can open the link (the team's manager as the engine plans for one, and each
person whose role reaches the team, as they are) all show it; a count is exact only where all
of them show it exactly. Each of them then sees here a part of what they already see, and the
staff see a part of what the team manager sees. Someone holding two teams' links sees two
disjoint teams' figures, each safe on its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, ngettext

from actions.models import Action
from actions.selectors import is_overdue
from dashboards.common import FRAMING
from diagnostics.models import Cycle, Domain
from diagnostics.pooling import Scope, cycle_scope, pools_taking_part, pulse_pools
from diagnostics.release_words import band_words, count_words, hidden_words
from diagnostics.results import (
    GroupResult,
    OrganisationResults,
    Source,
    load_domains,
    results_for_scopes,
)
from diagnostics.scoring import Change, change_between, display_mean, display_percent
from diagnostics.selectors import Availability, availability, cycles_covering
from disclosure.plan import Hidden
from disclosure.release import ResponseCount, effective_k
from organisations.access import Reach
from organisations.models import Membership, Role, Unit
from organisations.remembered_units import unit_table
from voice.models import VoiceBoard, VoiceIssue
from voice.selectors import board_issues

# --- the view model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffDomain:
    code: str
    name: str
    shown: bool
    mean: str
    band: str | None
    urgent: bool
    red: str
    amber: str
    green: str
    hidden: str  # why it is not shown, when it is not

    @property
    def share_bar(self) -> tuple[tuple[str, int, int], ...]:
        """(band, start, width) in whole percent, red first, for the drawn bar of shares."""
        start = 0
        parts = []
        for band, share in (("red", self.red), ("amber", self.amber), ("green", self.green)):
            width = int(share or 0)
            parts.append((band, start, width))
            start += width
        return tuple(parts)


@dataclass(frozen=True)
class StaffResult:
    key: str
    label: str
    ended_on: date | None
    shown: bool
    responses: str  # exact only where every link holder's plan shows the team's figures
    index: int | None
    domains: tuple[StaffDomain, ...]
    hidden: str


@dataclass(frozen=True)
class StaffFigure:
    label: str
    mean: str
    band: str | None
    shown: bool
    hidden: str


@dataclass(frozen=True)
class StaffAction:
    title: str
    domain: str
    status: str
    status_label: str
    due_on: date
    overdue: bool
    before: StaffFigure | None
    after: StaffFigure | None
    change: Change | None


@dataclass(frozen=True)
class StaffAnswer:
    status: str
    status_label: str
    answered_as: str
    answered_on: date
    text: str
    status_reason: str


@dataclass(frozen=True)
class StaffIssue:
    category: str
    text: str
    raised_on: date
    status: str
    status_label: str
    escalated_to: str
    answers: tuple[StaffAnswer, ...]


@dataclass(frozen=True)
class StaffResultsPage:
    team_name: str
    organisation_name: str
    token: str
    framing: str
    k: int
    result: StaffResult | None
    others: tuple[tuple[str, str], ...]  # (key, label) of the team's other closed results
    issues: tuple[StaffIssue, ...]
    actions: tuple[StaffAction, ...]


class NoSuchResult(Exception):
    """A `?result=` that is not one of the team's closed results."""


# --- who can open the link ---------------------------------------------------------------------


def team_manager_reach(team: Unit) -> Reach:
    """The reach the engine plans for a manager of this team (whether or not one exists)."""
    membership = Membership(organisation=team.organisation, unit=team, role=Role.TEAM_MANAGER)
    return Reach(organisation=team.organisation, memberships=(membership,))


def link_holder_reaches(team: Unit) -> list[Reach]:
    """The reaches of everyone who can open the team's link: a team manager of the team as the
    engine plans for one, and each person whose role reaches the team, with all their roles
    (one query). People with the same top units get the same plan, so each shape comes once."""
    organisation = team.organisation
    above = [*team.ancestor_paths(), team.path]
    holders = Membership.objects.filter(organisation=organisation, unit__path__in=above).values(
        "user_id"
    )
    by_user: dict[int, list[Membership]] = defaultdict(list)
    for membership in Membership.objects.filter(
        organisation=organisation, user_id__in=holders
    ).select_related("unit"):
        by_user[membership.user_id].append(membership)
    reaches = [team_manager_reach(team)]
    seen = {(team.path,)}
    for memberships in by_user.values():
        reach = Reach(organisation=organisation, memberships=tuple(memberships))
        shape = tuple(unit.path for unit in reach.top_units)
        if shape not in seen:
            seen.add(shape)
            reaches.append(reach)
    return reaches


# --- which results can be shown ----------------------------------------------------------------


def closed_scopes(team: Unit, *, today: date) -> list[Scope]:
    """The team's results that can no longer change, newest first: its full diagnostics that
    have closed, and pooled pulse periods that have ended with every pulse in them closed."""
    cycles = cycles_covering(team)
    full = [
        cycle_scope(c)
        for c in cycles
        if c.kind == Cycle.Kind.FULL and availability(c, today=today) == Availability.CLOSED
    ]
    pools = pools_taking_part(pulse_pools(team.organisation), cycles)
    pulse_ids = set().union(*(pool.cycle_ids for pool in pools)) if pools else set()
    pulses = {c.pk: c for c in Cycle.objects.filter(pk__in=pulse_ids)} if pulse_ids else {}
    ended = [
        pool
        for pool in pools
        if pool.ends_on is not None
        and pool.ends_on < today
        and all(
            availability(pulses[pk], today=today) == Availability.CLOSED for pk in pool.cycle_ids
        )
    ]
    return sorted([*full, *ended], key=lambda s: (s.ends_on or date.min, s.key), reverse=True)


@dataclass(frozen=True)
class Seen:
    """The team's figures in one scope as one link holder's plan shows them, and its count."""

    group: GroupResult
    count: ResponseCount


def _plans_for(
    team: Unit, scopes: Sequence[Scope], reaches: Sequence[Reach], domains: Sequence[Domain]
) -> list[dict[str, Seen]]:
    """Per link holder: the team's figures in each scope, by scope key, as their plan shows
    them (one set of grouped queries per link holder, whatever the number of teams)."""
    organisation = team.organisation
    table = unit_table(organisation_id=organisation.pk, using=Unit.objects.db)
    plans = []
    for reach in reaches:
        results: list[OrganisationResults] = results_for_scopes(
            organisation,
            scopes,
            reach=reach,
            domains=domains,
            source=Source.of_table(table, reach=reach),
        )
        plans.append({r.scope.key: Seen(r.group(team), r.response_count(team)) for r in results})
    return plans


def seen_by_link_holders(
    team: Unit, scopes: Sequence[Scope], domains: Sequence[Domain]
) -> dict[str, list[Seen]]:
    """Scope key → the team's figures as each link holder's plan shows them, the team
    manager's first."""
    if not scopes:
        return {}
    plans = _plans_for(team, scopes, link_holder_reaches(team), domains)
    return {s.key: [plan[s.key] for plan in plans] for s in scopes}


def staff_result(scope: Scope, seen: Sequence[Seen], domains: Sequence[Domain]) -> StaffResult:
    """The team's figures in one scope as its staff see them (see the module's docstring)."""
    return _result(scope, seen, domains)


# --- words, in the language in force -----------------------------------------------------------


def period_words(start: date, end: date) -> str:
    """A pooling period, as diagnostics.pooling labels it, in the language in force."""
    first = date_format(start, "j M" if start.year == end.year else "j M Y")
    return gettext("Pulses %(start)s – %(end)s") % {
        "start": first,
        "end": date_format(end, "j M Y"),
    }


def scope_words(scope: Scope) -> str:
    """A result's label (Scope.full_label), in the language in force."""
    pooled = scope.key.startswith("pooled-") and scope.starts_on and scope.ends_on
    if pooled:
        label = period_words(scope.starts_on, scope.ends_on)  # type: ignore[arg-type]
    else:
        label = dict(scope.labels_in_languages).get(get_language() or "", scope.label)
    if scope.kind != Cycle.Kind.PULSE:
        return label
    count = scope.pulse_count
    return ngettext(
        "%(label)s (pooled over %(count)d pulse)", "%(label)s (pooled over %(count)d pulses)", count
    ) % {"label": label, "count": count}


def domain_words(name: str) -> str:
    """A domain's name in the language in force (the built-in domains are in the catalogue)."""
    return gettext(name)


def _count_words(seen: Sequence[Seen]) -> str:
    """Exact only where every plan shows the count exactly; otherwise a side of k."""
    own = seen[0].count  # the team manager's plan
    if all(s.count.exact is not None for s in seen):
        return count_words(own)
    return band_words(own.band, k=own.k)


def _result(scope: Scope, seen: Sequence[Seen], domains: Sequence[Domain]) -> StaffResult:
    """The team's figures in one scope: each shown only where every plan shows it."""
    groups = [s.group for s in seen]
    own = groups[0]  # the team manager's plan
    k = own.k
    rows = []
    for domain in domains:
        cells = [g.domains[domain.code] for g in groups]
        figures = cells[0].figures
        shown = figures is not None and figures.mean is not None and all(c.shown for c in cells)
        reason = next((c.hidden for c in cells if not c.shown), None)
        rows.append(
            StaffDomain(
                code=domain.code,
                name=domain_words(domain.name),
                shown=shown,
                mean=display_mean(figures.mean) if shown and figures else "",
                band=figures.band if shown and figures else None,
                urgent=bool(shown and figures and figures.urgent),
                red=display_percent(figures.red_share) if shown and figures else "",
                amber=display_percent(figures.amber_share) if shown and figures else "",
                green=display_percent(figures.green_share) if shown and figures else "",
                hidden="" if shown else hidden_words(reason or Hidden.PROTECTS_OTHERS, k=k),
            )
        )
    shown = all(g.shown for g in groups)
    index = own.index if all(g.index is not None for g in groups) else None
    group_reason = next((g.hidden for g in groups if not g.shown), None)
    return StaffResult(
        key=scope.key,
        label=scope_words(scope),
        ended_on=scope.ends_on,
        shown=shown,
        responses=_count_words(seen),
        index=index if shown else None,
        domains=tuple(rows),
        hidden="" if shown else hidden_words(group_reason, k=k),
    )


def _figure(scope: Scope, seen: Sequence[Seen], code: str) -> StaffFigure:
    groups = [s.group for s in seen]
    cells = [g.domains[code] for g in groups]
    figures = cells[0].figures
    shown = figures is not None and figures.mean is not None and all(c.shown for c in cells)
    reason = next((c.hidden for c in cells if not c.shown), None)
    return StaffFigure(
        label=scope_words(scope),
        mean=display_mean(figures.mean) if shown and figures else "",
        band=figures.band if shown and figures else None,
        shown=shown,
        hidden="" if shown else hidden_words(reason or Hidden.PROTECTS_OTHERS, k=groups[0].k),
    )


def _actions(
    team: Unit,
    scopes: Sequence[Scope],
    by_scope: dict[str, list[Seen]],
    *,
    today: date,
) -> tuple[StaffAction, ...]:
    """The team's own actions, each with its domain before (the results that prompted it) and
    after (the latest closed results since), as far as they are shown here."""
    rows = []
    actions = (
        Action.objects.filter(unit=team)
        .exclude(status=Action.Status.DROPPED)
        .select_related("domain", "cycle")
    )
    for action in actions.order_by("-created_at", "-pk"):
        before = after = None
        change = None
        prompting = action.cycle
        if prompting is not None:
            before_scope = next((s for s in scopes if prompting.pk in s.cycle_ids), None)
            later = [
                s
                for s in scopes
                if s.starts_on is not None
                and s.starts_on > prompting.opens_on
                and (s.kind == Cycle.Kind.FULL or s.starts_on > prompting.closes_on)
                and s is not before_scope
            ]
            if before_scope is not None:
                before = _figure(before_scope, by_scope[before_scope.key], action.domain.code)
            # The latest later result whose figure is shown, as on the action's own page; else
            # the latest, hidden, so the page says why there is nothing to compare yet.
            afters = [_figure(s, by_scope[s.key], action.domain.code) for s in later]
            after = next((a for a in afters if a.shown), afters[0] if afters else None)
            if before is not None and after is not None and before.shown and after.shown:
                change = change_between(float(before.mean), float(after.mean))
        rows.append(
            StaffAction(
                title=action.title,
                domain=domain_words(action.domain.name),
                status=action.status,
                status_label=action.get_status_display(),
                due_on=action.due_on,
                overdue=is_overdue(action, today=today),
                before=before,
                after=after,
                change=change,
            )
        )
    return tuple(rows)


def _issues(board: VoiceBoard) -> tuple[StaffIssue, ...]:
    """The board's issues that are on show, with their answers newest first (two queries)."""
    issues: list[VoiceIssue] = [issue for issue in board_issues(board) if not issue.hidden]
    return tuple(
        StaffIssue(
            category=issue.get_category_display(),
            text=issue.text,
            raised_on=issue.raised_on,
            status=issue.status,
            status_label=issue.get_status_display(),
            escalated_to=issue.escalated_to.name if issue.escalated_to else "",
            answers=tuple(
                StaffAnswer(
                    status=answer.status,
                    status_label=answer.get_status_display(),
                    answered_as=answer.answered_as,
                    answered_on=answer.answered_on,
                    text=answer.text,
                    status_reason=answer.status_reason,
                )
                for answer in issue.answers.all()
            ),
        )
        for issue in issues
    )


def team_results_for_staff(board: VoiceBoard, *, wanted: str, today: date) -> StaffResultsPage:
    """The page for the team's staff: `wanted` is a result's key, or "" for the newest.

    Raises NoSuchResult for a key that is not one of the team's closed results.
    """
    team = board.team
    scopes = closed_scopes(team, today=today)
    chosen = next((s for s in scopes if s.key == wanted), None) if wanted else None
    if wanted and chosen is None:
        raise NoSuchResult(wanted)
    if chosen is None and scopes:
        chosen = scopes[0]
    domains = load_domains()
    by_scope = seen_by_link_holders(team, scopes, domains)
    return StaffResultsPage(
        team_name=team.name,
        organisation_name=team.organisation.shown_name,
        token=board.token,
        framing=gettext(FRAMING),
        k=effective_k(team.organisation.anonymity_threshold),
        result=_result(chosen, by_scope[chosen.key], domains) if chosen else None,
        others=tuple((s.key, scope_words(s)) for s in scopes if s is not chosen),
        issues=_issues(board),
        actions=_actions(team, scopes, by_scope, today=today),
    )
