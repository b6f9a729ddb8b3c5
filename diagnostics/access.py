"""Reach for cycles, invites and questionnaire versions. See organisations/access.py."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from diagnostics.exports import reach_key
from diagnostics.models import Cycle, ExportJob, InstrumentVersion, Statement
from diagnostics.selectors import cycles_visible_to
from organisations.access import get_unit_for, reach_of
from organisations.models import Unit
from sword.pages import get_scoped_or_404


def get_cycle_for(user: Any, cycle_id: Any, *, manage: bool = False) -> Cycle:
    """A cycle the user can see: for a unit in reach, or with a team in reach (404 otherwise).

    `manage=True` (open, close, change, delete) also needs reach over the cycle's own unit (403).
    """
    reach = reach_of(user)
    cycle = get_scoped_or_404(cycles_visible_to(reach), cycle_id, what="cycle")
    if manage and not reach.reaches(cycle.unit):
        raise PermissionDenied("This cycle was set up above your part of the organisation.")
    return cycle


def get_version_for(user: Any, version_id: Any, *, edit: bool = False) -> InstrumentVersion:
    """A questionnaire version the user's organisation can use (built-in or its own)."""
    reach = reach_of(user)
    if reach.organisation is None:
        raise Http404("No such questionnaire.")
    version = get_scoped_or_404(InstrumentVersion.objects.all(), version_id, what="questionnaire")
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
    statement = get_scoped_or_404(
        Statement.objects.select_related("version", "domain").filter(
            version__organisation=reach.organisation
        ),
        statement_id,
        what="statement",
    )
    if not reach.is_org_admin:
        raise PermissionDenied("Only organisation admins change the questionnaire.")
    return statement


def get_cycle_team_for(user: Any, cycle: Cycle, team_id: Any) -> Unit:
    """A team taking part in the cycle that the user reaches (404 otherwise), e.g. for codes."""
    team = get_unit_for(user, team_id)
    if not cycle.cycle_teams.filter(team=team).exists():
        raise Http404("That team is not part of this cycle.")
    return team


def get_export_for(user: Any, export_id: Any) -> ExportJob:
    """A results export prepared in the background, for the person who asked for it only, and
    only while their reach is the one it was made for and the cycle still in it: 404 otherwise,
    saying nothing about which (someone whose role changed asks again)."""
    reach = reach_of(user)
    if reach.organisation is None:
        raise Http404("No such export.")
    job = get_scoped_or_404(
        ExportJob.objects.select_related("cycle__organisation", "cycle__unit").filter(
            requested_by=user, organisation=reach.organisation
        ),
        export_id,
        what="export",
    )
    if (
        job.cycle is None
        or job.reach_key != reach_key(reach)
        or not cycles_visible_to(reach).filter(pk=job.cycle.pk).exists()
    ):
        raise Http404("No such export.")
    return job
