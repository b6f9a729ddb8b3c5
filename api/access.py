"""Who reaches what through the API, and who manages tokens. See organisations/access.py.

A token reads with its creator's reach as it is at each request, and only inside the token's
own organisation. Every object outside that reach is a 404, as on the pages, whichever id is
asked for.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from actions.access import actions_visible_to
from actions.models import Action
from api.models import ApiToken
from api.selectors import tokens_of
from diagnostics.models import Cycle
from diagnostics.selectors import cycles_visible_to
from organisations.access import NO_REACH, Reach, reach_of, require_org_admin
from organisations.models import Unit
from sword.pages import get_scoped_or_404


def token_reach(user: Any, token: ApiToken) -> Reach:
    """The creator's reach now, if it lies in the token's organisation; otherwise nothing."""
    reach = reach_of(user)
    if reach.organisation is None or reach.organisation.pk != token.organisation_id:
        return NO_REACH
    return reach


def units_in_reach(reach: Reach) -> QuerySet[Unit]:
    """The units the reach covers, archived ones too, in tree order."""
    units: QuerySet[Unit] = Unit.objects.filter(reach.unit_filter())
    if reach.organisation is None:
        return units.none()
    return units.filter(organisation=reach.organisation).order_by("path")


def get_unit_in(reach: Reach, unit_id: Any) -> Unit:
    return get_scoped_or_404(units_in_reach(reach), unit_id, what="unit")


def get_cycle_in(reach: Reach, cycle_id: Any) -> Cycle:
    """As diagnostics.access.get_cycle_for: a cycle of a unit in reach or with a team in it."""
    return get_scoped_or_404(
        cycles_visible_to(reach).select_related("organisation"), cycle_id, what="cycle"
    )


def actions_in_reach(reach: Reach) -> QuerySet[Action]:
    return actions_visible_to(reach).select_related(
        "unit", "domain", "owner", "escalated_to", "intervention"
    )


def get_action_in(reach: Reach, action_id: Any) -> Action:
    return get_scoped_or_404(actions_in_reach(reach), action_id, what="action")


def get_token_for(user: Any, token_id: Any) -> ApiToken:
    """A token of the organisation the user administers: 404 for any other, 403 for a person
    with a lesser role."""
    reach = reach_of(user)
    if reach.organisation is None:
        raise Http404("No such token.")
    token = get_scoped_or_404(tokens_of(reach.organisation), token_id, what="token")
    require_org_admin(user)
    return token
