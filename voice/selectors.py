"""Reads for voice boards."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from organisations.access import Reach
from organisations.models import Unit
from organisations.selectors import units_above
from sword.precompiled import PrecompiledLookup
from voice.browser import support_hash
from voice.models import VoiceAnswer, VoiceBoard, VoiceIssue, VoiceSupport
from voice.services import board_for

BOARD_LIMIT = 300
# Every survey's thank-you page links to its team's board: compiled once (sword/precompiled.py).
_BOARD_OF_TEAM: PrecompiledLookup[VoiceBoard] = PrecompiledLookup(
    lambda team_id: VoiceBoard.objects.filter(
        team_id=team_id, team__is_team=True, team__archived_at__isnull=True
    ),
    example=-1,
)


def board_by_token(token: str) -> VoiceBoard | None:
    """The open board with this link, or None (changed link, or an archived team)."""
    return (
        VoiceBoard.objects.select_related("team__organisation")
        .filter(token=token, team__archived_at__isnull=True)
        .first()
    )


def board_url(board: VoiceBoard) -> str:
    """The board's absolute address, for sharing and for its QR code."""
    return settings.SITE_URL + reverse("voice:board", kwargs={"token": board.token})


def board_path_for_team(team_id: int) -> str | None:
    """The address of the team's voice board on this site (made on first use), as a path: the
    thank-you page links to it on whatever host the survey was answered.

    None when there is no such team, the unit is not a team, or the team is archived.
    """
    board = _BOARD_OF_TEAM.first(team_id)
    token = board.token if board is not None else None
    if token is None:
        team = Unit.objects.filter(pk=team_id, is_team=True, archived_at__isnull=True).first()
        if team is None:
            return None
        token = board_for(team).token
    return reverse("voice:board", kwargs={"token": token})


def answers_newest_first() -> Prefetch[Any]:
    """An issue's answers, newest first, with the unit each was given from (one query)."""
    return Prefetch(
        "answers",
        queryset=VoiceAnswer.objects.select_related("unit").order_by("-answered_on", "-pk"),
    )


def board_issues(board: VoiceBoard) -> list[VoiceIssue]:
    """The board's issues, most supported first, then newest, each with its answers newest
    first (two queries)."""
    return list(
        VoiceIssue.objects.filter(board=board)
        .select_related("escalated_to")
        .prefetch_related(answers_newest_first())
        .order_by("-support_count", "-raised_on", "-pk")[:BOARD_LIMIT]
    )


def issue_answers(issue: VoiceIssue) -> list[VoiceAnswer]:
    """The issue's answers, newest first, with who gave them (for signed-in pages)."""
    return list(
        VoiceAnswer.objects.filter(issue=issue)
        .select_related("unit", "answered_by")
        .order_by("-answered_on", "-pk")
    )


OPEN_ISSUE_STATUSES = (
    VoiceIssue.Status.NEW,
    VoiceIssue.Status.HEARD,
    VoiceIssue.Status.IN_PROGRESS,
)


def open_safety_issues(issues: QuerySet[VoiceIssue]) -> QuerySet[VoiceIssue]:
    """Of these issues, the safety issues on the board that are not yet done or closed."""
    return issues.filter(
        category=VoiceIssue.Category.SAFETY, hidden=False, status__in=OPEN_ISSUE_STATUSES
    )


def supported_by_browser(issues: Iterable[VoiceIssue], secret: str | None) -> set[int]:
    """Ids of the issues this browser has supported (one query; nothing is written)."""
    if not secret:
        return set()
    by_hash = {support_hash(issue.pk, secret): issue.pk for issue in issues}
    if not by_hash:
        return set()
    found = VoiceSupport.objects.filter(browser_hash__in=list(by_hash)).values_list(
        "browser_hash", flat=True
    )
    return {by_hash[value] for value in found}


def escalation_targets(issue: VoiceIssue) -> QuerySet[Unit]:
    """Units the issue may be escalated to, nearest first: those above the unit that has it now
    (the one it was escalated to, else the team). Escalating never sends it back down, where
    the people who own the lever would stop seeing it."""
    return units_above(issue.escalated_to or issue.board.team)


def teams_in_reach(reach: Reach) -> QuerySet[Unit]:
    """Active teams the user reaches, for the list of voice links."""
    teams: QuerySet[Unit] = (
        Unit.objects.none()
        if reach.organisation is None
        else reach.units().filter(is_team=True, archived_at__isnull=True)
    )
    return teams.order_by("path")


def escalated_into_reach(issues: QuerySet[VoiceIssue], reach: Reach) -> QuerySet[VoiceIssue]:
    """Of these issues, the ones escalated to a unit in the user's reach."""
    return issues.filter(escalated_to__isnull=False).filter(reach.unit_filter("escalated_to__"))
