"""Reach for actions and interventions. See organisations/access.py."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from actions.models import Action, Intervention
from organisations.access import Reach, reach_of
from sword.pages import get_scoped_or_404


def actions_visible_to(reach: Reach) -> QuerySet[Action]:
    """Actions for a unit in reach, or escalated to a unit in reach."""
    if reach.organisation is None:
        return Action.objects.none()
    in_organisation = Action.objects.filter(organisation=reach.organisation)
    if reach.covers_organisation:  # every action's unit is in reach: no join on the units
        return in_organisation
    return in_organisation.filter(
        Q(reach.unit_filter("unit__")) | Q(reach.unit_filter("escalated_to__"))
    )


def get_action_for(user: Any, action_id: Any) -> Action:
    reach = reach_of(user)
    try:
        return (
            actions_visible_to(reach)
            .select_related("unit", "domain", "cycle", "owner", "intervention", "escalated_to")
            .get(pk=int(action_id))
        )
    except (Action.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such action.") from exc


def interventions_for(reach: Reach) -> QuerySet[Intervention]:
    """The built-in library and the organisation's own interventions."""
    if reach.organisation is None:
        return Intervention.objects.none()
    return (
        Intervention.objects.filter(
            Q(organisation__isnull=True) | Q(organisation=reach.organisation)
        )
        .select_related("domain")
        .prefetch_related("texts")
    )


def get_intervention_for(user: Any, intervention_id: Any, *, edit: bool = False) -> Intervention:
    reach = reach_of(user)
    intervention = get_scoped_or_404(interventions_for(reach), intervention_id, what="intervention")
    if edit:
        if not reach.is_org_admin:
            raise PermissionDenied(gettext("Only organisation admins change the library."))
        if intervention.organisation_id is None:
            raise PermissionDenied(gettext("The built-in library cannot be changed; add your own."))
    return intervention
