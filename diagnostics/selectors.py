"""Reads about the questionnaire, cycles and invites."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from functools import lru_cache
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from accounts.models import User
from diagnostics.exports import reach_key
from diagnostics.models import (
    Cycle,
    CycleStatement,
    CycleTeam,
    Domain,
    ExportJob,
    InstrumentVersion,
    Invite,
    InviteBatch,
    Response,
    StructuralFigures,
    TeamTally,
)
from diagnostics.survey import SurveyShape, SurveyStatement, shape_survey
from diagnostics.tallies import StatementInfo
from organisations.access import Reach
from organisations.models import Organisation, Role, Unit
from organisations.selectors import people_running, teams_under


def versions_for(organisation: Organisation) -> QuerySet[InstrumentVersion]:
    """The built-in questionnaire versions and the organisation's own."""
    return InstrumentVersion.objects.filter(
        Q(organisation__isnull=True) | Q(organisation=organisation)
    ).annotate(statement_count=Count("statements"))


def latest_version_for(organisation: Organisation) -> InstrumentVersion:
    """The organisation's newest own version, else the newest built-in one."""
    own = InstrumentVersion.objects.filter(organisation=organisation).first()
    if own is not None:
        return own
    built_in = InstrumentVersion.objects.filter(organisation__isnull=True).first()
    if built_in is None:
        raise InstrumentVersion.DoesNotExist("No questionnaire is installed: run migrate.")
    return built_in


def is_frozen(version: InstrumentVersion) -> bool:
    """A version is frozen once a cycle using it has opened or it has responses."""
    opened = Cycle.objects.filter(instrument=version).exclude(status=Cycle.Status.DRAFT)
    return opened.exists() or Response.objects.filter(cycle__instrument=version).exists()


def survey_statements(cycle: Cycle) -> list[SurveyStatement]:
    """The cycle's statements in the order staff see them.

    Once a cycle has opened, its questionnaire version is frozen and its statements never
    change, so each process keeps them after the first read (keyed by the cycle's id and
    creation time, which together never recur). A draft cycle's version can still be edited,
    so its statements are always read afresh.
    """
    if cycle.status == Cycle.Status.DRAFT:
        return list(_read_cycle_statements(cycle.pk, cycle.created_at))
    return list(_cached_cycle_statements(cycle.pk, cycle.created_at))


def _read_cycle_statements(cycle_id: int, created_at: datetime) -> tuple[SurveyStatement, ...]:
    rows = (
        CycleStatement.objects.filter(cycle_id=cycle_id, cycle__created_at=created_at)
        .select_related("statement__domain")
        .prefetch_related("statement__texts")
        .order_by("position")
    )
    return tuple(
        SurveyStatement(
            code=row.statement.code,
            text=row.statement.text,
            domain_code=row.statement.domain.code,
            domain_name=row.statement.domain.name,
            domain_position=row.statement.domain.position,
            reverse_scored=row.statement.reverse_scored,
            id=row.statement.pk,
            domain_id=row.statement.domain_id,
            is_outcome=row.statement.domain.kind == Domain.Kind.OUTCOME,
            texts=tuple((t.language, t.text) for t in row.statement.texts.all()),
        )
        for row in rows
    )


_cached_cycle_statements = lru_cache(maxsize=512)(_read_cycle_statements)


def statement_infos(cycle: Cycle) -> list[StatementInfo]:
    """What storing a response needs to know about each of the cycle's statements."""
    return [
        StatementInfo(s.id, s.code, s.domain_id, s.reverse_scored) for s in survey_statements(cycle)
    ]


def survey_shape(cycle: Cycle) -> SurveyShape:
    """The cycle's pages; worked out once per process, as its statements are read once, once
    the cycle has opened (every survey request asks for them)."""
    if cycle.status == Cycle.Status.DRAFT:
        return shape_survey(survey_statements(cycle))
    return _cached_shape(cycle.pk, cycle.created_at)


@lru_cache(maxsize=512)
def _cached_shape(cycle_id: int, created_at: datetime) -> SurveyShape:
    return shape_survey(_cached_cycle_statements(cycle_id, created_at))


class Availability(Enum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"  # a draft the clock opens on its opening date
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"


def availability(cycle: Cycle, *, today: date) -> Availability:
    """Whether a cycle takes responses today. An open cycle past its closing date is closed."""
    if cycle.status == Cycle.Status.DRAFT:
        return Availability.SCHEDULED if cycle.opens_automatically else Availability.DRAFT
    if cycle.status == Cycle.Status.CLOSED or today > cycle.closes_on:
        return Availability.CLOSED
    if today < cycle.opens_on:
        return Availability.NOT_YET_OPEN
    return Availability.OPEN


def cycles_visible_to(reach: Reach) -> QuerySet[Cycle]:
    """Cycles for a unit in reach, or that include a team in reach."""
    if reach.organisation is None:
        return Cycle.objects.none()
    team_in_reach = CycleTeam.objects.filter(cycle=OuterRef("pk")).filter(
        reach.unit_filter("team__")
    )
    return (
        Cycle.objects.filter(organisation=reach.organisation)
        .filter(Q(reach.unit_filter("unit__")) | Q(Exists(team_in_reach)))
        .select_related("unit", "instrument")
    )


def export_team_count(cycle: Cycle, reach: Reach) -> int:
    """How many of the cycle's teams a results export for this person holds: what decides
    whether it is prepared in the background (diagnostics.exports.prepared_in_background)."""
    return CycleTeam.objects.filter(cycle=cycle).filter(reach.unit_filter("team__")).count()


MAX_LISTED_EXPORTS = 50


class ExportState(Enum):
    QUEUED = "Being prepared"
    READY = "Ready"
    FAILED = "Could not be prepared"
    EXPIRED = "Expired"
    UNAVAILABLE = "No longer available"


@dataclass(frozen=True)
class ListedExport:
    job: ExportJob
    state: ExportState

    @property
    def can_download(self) -> bool:
        return self.state is ExportState.READY


def exports_of(user: Any, *, reach: Reach, now: datetime) -> list[ListedExport]:
    """The person's own requests for results exports prepared in the background, newest first.

    A ready file past its expiry reads as expired before the hourly purge has run; one made
    for a reach the person no longer has (or whose cycle is gone) reads as no longer available,
    with no reason given, as its download answers 404 (diagnostics.access.get_export_for).
    """
    key = reach_key(reach)
    jobs = ExportJob.objects.filter(requested_by=user).select_related("cycle")
    listed = []
    for job in jobs[:MAX_LISTED_EXPORTS]:
        if job.status == ExportJob.Status.EXPIRED or job.expires_at <= now:
            state = ExportState.EXPIRED
        elif job.status == ExportJob.Status.FAILED:
            state = ExportState.FAILED
        elif job.cycle is None or job.reach_key != key:
            state = ExportState.UNAVAILABLE
        elif job.status == ExportJob.Status.QUEUED:
            state = ExportState.QUEUED
        else:
            state = ExportState.READY
        listed.append(ListedExport(job=job, state=state))
    return listed


def cycle_teams(cycle: Cycle) -> list[Unit]:
    return list(Unit.objects.filter(cycle_teams__cycle=cycle).order_by("path"))


def pulse_history(unit: Unit, *, before: Cycle | None = None) -> list[set[str]]:
    """Statement codes of the unit's earlier pulses, oldest first."""
    pulses = Cycle.objects.filter(unit=unit, kind=Cycle.Kind.PULSE).order_by("created_at", "pk")
    if before is not None and before.pk:
        pulses = pulses.exclude(pk=before.pk).filter(created_at__lte=before.created_at)
    rows = CycleStatement.objects.filter(cycle__in=pulses).values_list(
        "cycle_id", "statement__code"
    )
    by_cycle: dict[int, set[str]] = {pulse.pk: set() for pulse in pulses}
    for cycle_id, code in rows:
        by_cycle[cycle_id].add(code)
    return list(by_cycle.values())


def codes_made(cycle: Cycle, *, teams: Sequence[Unit] | None = None) -> dict[int, int]:
    """Team id → how many codes were made for the cycle, for the given teams or every team (one
    query). Codes made are not responses: invites do not record their use, so they never say who
    answered, though they bound how many (the disclosure engine counts them as upper bounds)."""
    invites = Invite.objects.filter(cycle=cycle)
    if teams is not None:
        invites = invites.filter(team_id__in=[team.id for team in teams])
    rows = invites.values("team_id").annotate(made=Count("*"))
    return {row["team_id"]: row["made"] for row in rows}


def response_counts(cycle: Cycle) -> dict[int, int]:
    rows = Response.objects.filter(cycle=cycle).values("team_id").annotate(count=Count("pk"))
    return {row["team_id"]: row["count"] for row in rows}


def cycles_covering(unit: Unit) -> list[Cycle]:
    """Opened cycles in which a team at or below the unit took part, newest first (1 query)."""
    takes_part = CycleTeam.objects.filter(teams_under(unit, "team__"), cycle=OuterRef("pk"))
    return list(
        Cycle.objects.filter(organisation_id=unit.organisation_id)
        .filter(Exists(takes_part))
        .exclude(status=Cycle.Status.DRAFT)
        .select_related("unit")
        .order_by("-opens_on", "-pk")
    )


@dataclass(frozen=True)
class RecordedHeadcount:
    """A team's headcount as recorded with its structural figures, and for which cycle."""

    people: int
    cycle_name: str
    this_cycle: bool


def teams_answered(cycle: Cycle, *, team_ids: Sequence[int] | None = None) -> set[int]:
    """The teams (of `team_ids`, else all) with at least one response to the cycle (one
    query, on the tallies)."""
    tallies = TeamTally.objects.filter(cycle=cycle, responses__gt=0)
    if team_ids is not None:
        tallies = tallies.filter(team_id__in=list(team_ids))
    return set(tallies.values_list("team_id", flat=True))


def bounding_headcounts(cycle: Cycle, team_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Team id → (people, the cycle they were recorded with): the headcount that bounds each
    team's responses to `cycle` beside its codes made. Its own, recorded with the cycle's
    figures; else the one recorded with the latest full diagnostic of the team's that closed
    before `cycle` opened and that the team answered, which nothing can change any more (a
    headcount is fixed once its team has answered). Two queries at most."""
    found = {
        team: (people, cycle.pk)
        for team, people in StructuralFigures.objects.filter(
            cycle=cycle, team_id__in=list(team_ids), headcount__isnull=False
        ).values_list("team_id", "headcount")
        if people is not None
    }
    missing = [team for team in team_ids if team not in found]
    if not missing:
        return found
    answered = TeamTally.objects.filter(
        cycle_id=OuterRef("cycle_id"), team_id=OuterRef("team_id"), responses__gt=0
    )
    earlier = (
        StructuralFigures.objects.filter(
            team_id__in=missing,
            headcount__isnull=False,
            cycle__organisation_id=cycle.organisation_id,
            cycle__kind=Cycle.Kind.FULL,
            cycle__closes_on__lt=cycle.opens_on,
        )
        .filter(Exists(answered))
        .order_by("team_id", "-cycle__closes_on", "-cycle__opens_on", "-cycle_id")
        .values_list("team_id", "headcount", "cycle_id")
    )
    for team, people, source in earlier:
        if people is not None:
            found.setdefault(team, (people, source))
    return found


def recorded_headcounts(cycle: Cycle, team_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """The headcounts the cycle's pages give, as `bounding_headcounts` (team id → (people,
    cycle recorded with)): as fixed on the cycle's teams once it has opened (what the
    disclosure engine bounds the responses by), and as they would be fixed while a draft."""
    if cycle.status == Cycle.Status.DRAFT:
        return bounding_headcounts(cycle, team_ids)
    return {
        team: (people, source or cycle.pk)
        for team, people, source in CycleTeam.objects.filter(
            cycle=cycle, team_id__in=list(team_ids), headcount__isnull=False
        ).values_list("team_id", "headcount", "headcount_from_id")
        if people is not None
    }


def recorded_headcount(cycle: Cycle, team: Unit) -> RecordedHeadcount | None:
    """The team's headcount as the cycle's pages give it (`recorded_headcounts`), and the cycle
    it was recorded with, or None."""
    found = recorded_headcounts(cycle, [team.pk]).get(team.pk)
    if found is None:
        return None
    people, source = found
    name = cycle.name if source == cycle.pk else Cycle.objects.get(pk=source).name
    return RecordedHeadcount(people=people, cycle_name=name, this_cycle=source == cycle.pk)


def invite_batches(cycle: Cycle, team: Unit, *, limit: int = 10) -> list[InviteBatch]:
    """The team's latest batches of invitation e-mails in this cycle, newest first: counts only."""
    return list(InviteBatch.objects.filter(cycle=cycle, team=team)[:limit])


def cycle_runners(cycle: Cycle) -> list[User]:
    """The people who run a cycle, told when the clock opens or closes it: who set it up, the
    people who run its unit (a role at the unit itself or, where nobody holds one, at the
    nearest unit above: `organisations.selectors.people_running`) and the managers of its
    teams. Active accounts only; each once, in the order of their addresses."""
    managers = User.objects.filter(
        is_active=True,
        memberships__organisation_id=cycle.organisation_id,
        memberships__role=Role.TEAM_MANAGER,
        memberships__unit__cycle_teams__cycle=cycle,
    )
    people = {user.pk: user for user in managers}
    people.update((user.pk, user) for user in people_running([cycle.unit]).get(cycle.unit_id, []))
    creator = cycle.created_by
    if creator is not None and creator.is_active:
        people[creator.pk] = creator
    return sorted(people.values(), key=lambda user: user.email)
