"""Every signed-in page, the object it points at, and who may open it.

tests/test_reach.py walks this list: the outsider gets 404 for every page that points at an
object, roles without access get 403 or 404, and roles with access get the page. A test also
fails when a URL exists that is not listed here, so no new view escapes the check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from organisations.models import Membership

ADMIN = "org_admin"
LEADER = "leader"
MANAGER = "team_manager"
ALL_ROLES = frozenset({ADMIN, LEADER, MANAGER})


@dataclass(frozen=True)
class Page:
    name: str
    allowed: frozenset[str]
    kwargs: Callable[[Any], dict[str, Any]] | None = None  # None: the page points at no object
    method: str = "get"
    data: Callable[[Any], dict[str, Any]] = field(default=lambda world: {})
    ok_status: int = 200


def _unit(name: str) -> Callable[[Any], dict[str, Any]]:
    return lambda world: {"unit_id": world.units[name].pk}


def _manager_membership(world: Any) -> dict[str, Any]:
    return {"membership_id": Membership.objects.get(user=world.team_manager).pk}


PAGES: list[Page] = [
    Page("home", ALL_ROLES),
    Page("organisations:structure", frozenset({ADMIN})),
    Page("organisations:people", frozenset({ADMIN})),
    Page("organisations:people_invite", frozenset({ADMIN})),
    Page("organisations:settings", frozenset({ADMIN})),
    Page("organisations:unit_add", frozenset({ADMIN}), _unit("Locality North")),
    Page("organisations:unit_rename", frozenset({ADMIN}), _unit("Team A")),
    Page("organisations:unit_move", frozenset({ADMIN}), _unit("Team A")),
    Page("organisations:unit_archive", frozenset({ADMIN}), _unit("Team A")),
    Page("organisations:unit_delete", frozenset({ADMIN}), _unit("Team A")),
    Page(
        "organisations:unit_restore",
        frozenset({ADMIN}),
        _unit("Team A"),
        method="post",
        ok_status=302,
    ),
    Page("organisations:membership_edit", frozenset({ADMIN}), _manager_membership),
    Page("organisations:membership_remove", frozenset({ADMIN}), _manager_membership),
]

# Pages anyone may open without signing in, and the Django admin (operators only).
PUBLIC_NAMES = {
    "healthz",
    "protection",
    "accounts:login",
    "accounts:logout",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}
