"""Who reaches what.

Every view that looks up an organisation's object goes through one helper here (or the helper
for its own kind of object, which builds on `reach_of`). An object outside the user's reach is
a 404, whichever URL or form field points at it; an object in reach that needs a stronger role
is a 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext

from organisations.models import Membership, Organisation, Role, Unit, UnitQuerySet
from sword.pages import get_scoped_or_404

ROLE_RANK: dict[str, int] = {Role.TEAM_MANAGER: 1, Role.LEADER: 2, Role.ORG_ADMIN: 3}

_CACHE_ATTRIBUTE = "_sword_reach"


@dataclass(frozen=True)
class Reach:
    """A signed-in user's roles, read once per request: which units they reach and how."""

    organisation: Organisation | None
    memberships: tuple[Membership, ...] = field(default_factory=tuple)

    @property
    def has_role(self) -> bool:
        return bool(self.memberships)

    @property
    def is_org_admin(self) -> bool:
        return any(m.role == Role.ORG_ADMIN for m in self.memberships)

    @property
    def is_leader_or_admin(self) -> bool:
        return any(m.role in (Role.ORG_ADMIN, Role.LEADER) for m in self.memberships)

    @cached_property
    def _roles(self) -> tuple[Membership, ...]:
        """The roles held, and each again at every place its unit moved from: there that unit's
        part in the cycles that had opened stays (`Unit.moved_to`), and whoever holds a role at
        the unit reads it as they did before the move. A role at a unit above a moved one does
        not reach its old place (the unit was not theirs then). One query, and only in an
        organisation where a unit has been left at a moved one's place."""
        if not self.memberships or self.organisation is None:
            return self.memberships
        if not self.organisation.has_former_places:
            return self.memberships
        held = {membership.unit_id: membership for membership in self.memberships}
        return self.memberships + tuple(
            Membership(
                user_id=held[place.moved_to_id].user_id,
                organisation_id=place.organisation_id,
                unit=place,
                role=held[place.moved_to_id].role,
            )
            for place in Unit.objects.filter(moved_to_id__in=held).order_by("path")
        )

    def role_at(self, unit: Unit) -> str | None:
        """The strongest role the user holds at this unit or above it, or None."""
        if self.organisation is None or unit.organisation_id != self.organisation.pk:
            return None
        best: str | None = None
        for membership in self._roles:
            covers = unit.path.startswith(membership.unit.path)
            if covers and (best is None or ROLE_RANK[membership.role] > ROLE_RANK[best]):
                best = membership.role
        return best

    def reaches(self, unit: Unit) -> bool:
        return self.role_at(unit) is not None

    def has_at_least(self, unit: Unit, role: str) -> bool:
        held = self.role_at(unit)
        return held is not None and ROLE_RANK[held] >= ROLE_RANK[role]

    @property
    def top_units(self) -> list[Unit]:
        """The membership units not inside another membership unit: the roots of the reach."""
        units = sorted({m.unit.path: m.unit for m in self._roles}.values(), key=lambda u: u.path)
        tops: list[Unit] = []
        for unit in units:
            if not any(unit.path.startswith(top.path) for top in tops):
                tops.append(unit)
        return tops

    @property
    def covers_organisation(self) -> bool:
        """Whether the user reaches every unit of their organisation (a role at its root)."""
        return any(m.unit.depth == 1 for m in self.memberships)

    def unit_filter(self, prefix: str = "") -> Q:
        """A Q object matching every unit in reach (`prefix` for lookups through a relation)."""
        if not self.memberships:
            return Q(pk__in=[])
        condition = Q()
        for unit in self.top_units:
            condition |= Q(**{f"{prefix}path__startswith": unit.path})
        return condition

    def units(self) -> UnitQuerySet:
        return Unit.objects.filter(self.unit_filter())


NO_REACH = Reach(organisation=None)


def reach_of(user: Any) -> Reach:
    """The user's reach, computed with one query and kept on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return NO_REACH
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    memberships = tuple(
        Membership.objects.filter(user=user).select_related("unit", "organisation").order_by("pk")
    )
    reach = Reach(
        organisation=memberships[0].organisation if memberships else None,
        memberships=memberships,
    )
    setattr(user, _CACHE_ATTRIBUTE, reach)
    return reach


def forget_reach(user: Any) -> None:
    """Drop the cached reach after the user's memberships change."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def require_role(reach: Reach, unit: Unit, role: str) -> None:
    """403 when the unit is in reach but the user's role there is weaker than `role`."""
    if not reach.has_at_least(unit, role):
        raise PermissionDenied(
            gettext("This needs the %(role)s role here.") % {"role": Role(role).label.lower()}
        )


def get_unit_for(user: Any, unit_id: Any, *, role: str = Role.TEAM_MANAGER) -> Unit:
    """The unit with this id if the user reaches it (404 otherwise) with at least `role` (403)."""
    reach = reach_of(user)
    if reach.organisation is None:
        raise Http404("No such unit.")
    unit = get_scoped_or_404(
        Unit.objects.select_related("organisation").filter(organisation=reach.organisation),
        unit_id,
        what="unit",
    )
    if not reach.reaches(unit):
        raise Http404("No such unit.")
    require_role(reach, unit, role)
    return unit


def get_membership_for(user: Any, membership_id: Any) -> Membership:
    """A membership of the admin's own organisation (404 otherwise); only org admins manage them."""
    reach = reach_of(user)
    if reach.organisation is None:
        raise Http404("No such person.")
    membership = get_scoped_or_404(
        Membership.objects.select_related("user", "unit").filter(organisation=reach.organisation),
        membership_id,
        what="person",
    )
    require_role(reach, membership.unit, Role.ORG_ADMIN)
    return membership


def require_org_admin(user: Any) -> Organisation:
    """The organisation the user administers; 403 for a lesser role, 404 for no role at all."""
    reach = reach_of(user)
    if reach.organisation is None:
        raise Http404("You have no role in an organisation.")
    if not reach.is_org_admin:
        raise PermissionDenied(gettext("Only organisation admins can do this."))
    return reach.organisation


def units_in(reach: Reach, units: Iterable[Unit]) -> list[Unit]:
    return [unit for unit in units if reach.reaches(unit)]
