"""Navigation for the signed-in user's roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext

from organisations.access import reach_of
from organisations.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def _items(request: HttpRequest) -> list[tuple[str, str, tuple[str, ...]]]:
    """Each item's words, address and the paths it covers (its address and what is under it,
    and for the organisation's item every page of its tabs)."""
    reach = reach_of(request.user)
    if not reach.has_role:
        return []
    items = [
        (gettext("Home"), reverse("home")),
        (gettext("Results"), reverse("dashboards:index")),
        (gettext("Cycles"), reverse("diagnostics:cycle_list")),
    ]
    if reach.is_leader_or_admin:
        items.append((gettext("Compare"), reverse("dashboards:compare_home")))
        items.append((gettext("Structural lens"), reverse("dashboards:lens_home")))
    items.append((gettext("Actions"), reverse("actions:list")))
    items.append((gettext("Voice"), reverse("voice:manage")))
    if reach.is_org_admin:
        items.append((gettext("Questionnaire"), reverse("diagnostics:version_list")))
    covered: list[tuple[str, str, tuple[str, ...]]] = [(label, url, (url,)) for label, url in items]
    if reach.is_org_admin:
        structure = reverse("organisations:structure")
        covered.append(
            (
                gettext("Organisation"),
                structure,
                (structure.removesuffix("structure/"), reverse("diagnostics:thresholds")),
            )
        )
    return covered


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = _items(request)
    # The item covering the longest matching prefix is the current section.
    best = max(
        (
            (len(prefix), url)
            for _, url, prefixes in items
            for prefix in prefixes
            if prefix != "/" and path.startswith(prefix)
        ),
        default=(0, "/"),
    )[1]
    reach = reach_of(request.user)
    roles = {m.role for m in reach.memberships}
    role_label = next(
        (
            str(Role(r).label)
            for r in (Role.ORG_ADMIN, Role.LEADER, Role.TEAM_MANAGER)
            if r in roles
        ),
        "",
    )
    return {
        "nav_items": [NavItem(label, url, url == best) for label, url, _ in items],
        "nav_role_label": role_label,
        "reach": reach,
    }
