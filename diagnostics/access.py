"""Reach for cycles, invites and questionnaire versions. See organisations/access.py."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from diagnostics.models import Cycle, InstrumentVersion, Statement
from diagnostics.selectors import cycles_visible_to
from organisations.access import get_unit_for, reach_of
from organisations.models import Unit


def get_cycle_for(user: Any, cycle_id: Any, *, manage: bool = False) -> Cycle:
    """A cycle the user can see: for a unit in reach, or with a team in reach (404 otherwise).

    `manage=True` (open, close, change, delete) also needs reach over the cycle's own unit (403).
    """
    reach = reach_of(user)
    try:
        cycle = cycles_visible_to(reach).get(pk=int(cycle_id))
    except (Cycle.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such cycle.") from exc
    if manage and not reach.reaches(cycle.unit):
        raise PermissionDenied("This cycle was set up above your part of the organisation.")
    return cycle


def get_version_for(user: Any, version_id: Any, *, edit: bool = False) -> InstrumentVersion:
    """A questionnaire version the user's organisation can use (built-in or its own)."""
    reach = reach_of(user)
    if reach.organisation is None:
        raise Http404("No such questionnaire.")
    try:
        version = InstrumentVersion.objects.get(pk=int(version_id))
    except (InstrumentVersion.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such questionnaire.") from exc
    if version.organisation_id not in (None, reach.organisation.pk):
        raise Http404("No such questionnaire.")
    if edit:
        if not reach.is_org_admin:
            raise PermissionDenied("Only organisation admins change the questionnaire.")
        if version.organisation_id is None:
            raise PermissionDenied("The built-in questionnaire cannot be changed; copy it.")
    return version


def get_statement_for(user: Any, statement_id: Any) -> Statement:
    """A statement of one of the organisation's own versions, for an org admin to edit."""
    reach = reach_of(user)
    if reach.organisation is None:
        raise Http404("No such statement.")
    try:
        statement = Statement.objects.select_related("version", "domain").get(
            pk=int(statement_id), version__organisation=reach.organisation
        )
    except (Statement.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such statement.") from exc
    if not reach.is_org_admin:
        raise PermissionDenied("Only organisation admins change the questionnaire.")
    return statement


def get_cycle_team_for(user: Any, cycle: Cycle, team_id: Any) -> Unit:
    """A team taking part in the cycle that the user reaches (404 otherwise), e.g. for codes."""
    team = get_unit_for(user, team_id)
    if not cycle.cycle_teams.filter(team=team).exists():
        raise Http404("That team is not part of this cycle.")
    return team
