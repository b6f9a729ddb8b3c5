"""Reach for voice issues and team links. See organisations/access.py.

Anyone with a role that reaches an issue's team (team manager, leader, org admin) may answer,
escalate and hide it, and change the team's link. A leader who reaches the issue only because
it was escalated to their unit may answer it and escalate it further up, but not hide it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from organisations.access import Reach, get_unit_for, reach_of
from organisations.models import Unit
from voice.models import VoiceIssue


def issues_visible_to(reach: Reach) -> QuerySet[VoiceIssue]:
    """Issues of teams in reach, or escalated to a unit in reach."""
    if reach.organisation is None:
        return VoiceIssue.objects.none()
    in_organisation = VoiceIssue.objects.filter(organisation=reach.organisation)
    if reach.covers_organisation:  # every issue's team is in reach: no join on the units
        return in_organisation
    return in_organisation.filter(
        Q(reach.unit_filter("board__team__")) | Q(reach.unit_filter("escalated_to__"))
    )


def get_issue_for(user: Any, issue_id: Any) -> VoiceIssue:
    """The issue if its team is in reach or it was escalated to a unit in reach; else 404."""
    reach = reach_of(user)
    try:
        return (
            issues_visible_to(reach)
            .select_related("board__team__organisation", "escalated_to", "answered_by", "hidden_by")
            .get(pk=int(issue_id))
        )
    except (VoiceIssue.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such issue.") from exc


def reaches_team_of(reach: Reach, issue: VoiceIssue) -> bool:
    """Whether the user reaches the issue's team itself (not only through an escalation)."""
    return reach.reaches(issue.board.team)


def require_team_reach(user: Any, issue: VoiceIssue) -> None:
    """403 for someone who sees the issue only because it was escalated to them."""
    if not reaches_team_of(reach_of(user), issue):
        raise PermissionDenied(gettext("Only people with a role for the issue's team can do this."))


def get_team_for(user: Any, team_id: Any) -> Unit:
    """A team in the user's reach (404 for anything else, including units that are not teams)."""
    unit = get_unit_for(user, team_id)
    if not unit.is_team:
        raise Http404("No such team.")
    return unit
