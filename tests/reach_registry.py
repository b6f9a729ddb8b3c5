"""Every signed-in page, the object it points at, and who may open it.

tests/test_reach.py walks this list: the outsider gets 404 for every page that points at an
object, roles without access get 403 or 404, and roles with access get the page. A test also
fails when a URL exists that is not listed here, so no new view escapes the check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

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
    ok_status: int | tuple[int, ...] = 200
    query: Callable[[Any], dict[str, Any]] | None = None  # object ids passed as ?name=value

    @property
    def points_at_object(self) -> bool:
        return self.kwargs is not None or self.query is not None


def _unit(name: str) -> Callable[[Any], dict[str, Any]]:
    return lambda world: {"unit_id": world.units[name].pk}


def _cycle(world: Any) -> dict[str, Any]:
    return {"cycle_id": world.cycle_for_team_a().pk}


def _cycle_team(world: Any) -> dict[str, Any]:
    return {"cycle_id": world.cycle_for_team_a().pk, "team_id": world.team_a.pk}


def _own_version(world: Any) -> dict[str, Any]:
    return {"version_id": world.own_version().pk}


def _own_statement(world: Any) -> dict[str, Any]:
    return {"statement_id": world.own_version().statements.first().pk}


def _action(world: Any) -> dict[str, Any]:
    from actions.models import Action
    from actions.services import create_action
    from diagnostics.models import Domain

    action = Action.objects.filter(unit=world.team_a).first() or create_action(
        unit=world.team_a,
        domain=Domain.objects.get(code="WL"),
        title="Share duty fairly",
        owner=world.team_manager,
        due_on=timezone.localdate(),
        created_by=world.team_manager,
    )
    return {"action_id": action.pk}


def _own_intervention(world: Any) -> dict[str, Any]:
    from actions.models import Intervention
    from diagnostics.models import Domain

    intervention, _ = Intervention.objects.get_or_create(
        organisation=world.organisation,
        title="Our own idea",
        defaults={
            "domain": Domain.objects.get(code="WL"),
            "kind": "quick_win",
            "lever": "team",
            "what": "Do it.",
            "why": "It helps.",
            "measure": "We will see.",
        },
    )
    return {"intervention_id": intervention.pk}


def _admin_export(world: Any) -> dict[str, Any]:
    """A results export the org admin asked for, prepared (made on first use)."""
    from diagnostics.models import ExportJob
    from diagnostics.services import prepare_export, request_export
    from organisations.access import reach_of

    job = ExportJob.objects.filter(requested_by=world.org_admin).first()
    if job is None:
        job, _ = request_export(
            user=world.org_admin,
            cycle=world.cycle_for_team_a(),
            reach=reach_of(world.org_admin),
            file_format="csv",
            level="",
            by="domain",
        )
        prepare_export(job_id=job.pk)
    return {"export_id": job.pk}


def _manager_membership(world: Any) -> dict[str, Any]:
    return {"membership_id": Membership.objects.get(user=world.team_manager).pk}


PAGES: list[Page] = [
    Page("home", ALL_ROLES),
    Page("organisations:structure", frozenset({ADMIN})),
    Page("organisations:people", frozenset({ADMIN})),
    Page("organisations:people_invite", frozenset({ADMIN})),
    Page("organisations:people_import", frozenset({ADMIN})),
    Page("organisations:people_file", frozenset({ADMIN})),
    Page("organisations:structure_import", frozenset({ADMIN})),
    Page("organisations:structure_file", frozenset({ADMIN})),
    Page("organisations:settings", frozenset({ADMIN})),
    Page("organisations:audit", frozenset({ADMIN})),
    Page("api_tokens:list", frozenset({ADMIN})),
    Page("api_tokens:revoke", frozenset({ADMIN}), lambda world: _api_token(world)),
    Page("organisations:unit_add", frozenset({ADMIN}), _unit("Locality North")),
    Page("organisations:unit_rename", frozenset({ADMIN}), _unit("Team A")),
    Page("units:move", frozenset({ADMIN}), _unit("Team A")),
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
    Page(
        "organisations:membership_invite_again",
        frozenset({ADMIN}),
        _manager_membership,
        method="post",
        ok_status=302,
    ),
    Page("diagnostics:cycle_list", ALL_ROLES),
    Page("diagnostics:cycle_create", ALL_ROLES),
    Page("diagnostics:cycle_detail", ALL_ROLES, _cycle),
    Page("diagnostics:cycle_open", ALL_ROLES, _cycle, method="post", ok_status=302),
    Page("diagnostics:cycle_close", ALL_ROLES, _cycle),
    Page("diagnostics:cycle_schedule", ALL_ROLES, _cycle, method="post", ok_status=302),
    Page("diagnostics:cycle_edit", ALL_ROLES, _cycle, ok_status=302),
    Page("diagnostics:cycle_delete", ALL_ROLES, _cycle),
    Page("diagnostics:invites_new", ALL_ROLES, _cycle_team),
    Page("diagnostics:invites_sheet", ALL_ROLES, _cycle_team, ok_status=302),
    Page("diagnostics:invites_csv", ALL_ROLES, _cycle_team, ok_status=302),
    Page("diagnostics:figures_edit", ALL_ROLES, _cycle_team),
    Page("diagnostics:figures_import", ALL_ROLES, _cycle),
    Page("diagnostics:figures_template", ALL_ROLES, _cycle),
    Page(
        "diagnostics:results_export",
        ALL_ROLES,
        lambda world: {**_cycle(world), "file_format": "csv"},
    ),
    Page(
        "diagnostics:export_request",
        ALL_ROLES,
        _cycle,
        method="post",
        data=lambda world: {"format": "csv", "by": "domain"},
        ok_status=302,
    ),
    Page("diagnostics:export_list", ALL_ROLES),
    # Only the person who asked may download: here the org admin; everyone else gets 404.
    Page("diagnostics:export_download", frozenset({ADMIN}), _admin_export),
    Page("diagnostics:thresholds", frozenset({ADMIN})),
    Page(
        "diagnostics:thresholds",
        frozenset({ADMIN}),
        query=lambda world: {"unit": world.north.pk},
    ),
    Page("diagnostics:thresholds_clear", frozenset({ADMIN}), _unit("Locality North")),
    Page("dashboards:index", ALL_ROLES, ok_status=(200, 302)),  # a single team goes straight in
    Page("dashboards:profile", ALL_ROLES, _unit("Team A")),
    Page("dashboards:trends", ALL_ROLES, _unit("Team A")),
    Page("dashboards:compare_home", frozenset({ADMIN, LEADER}), ok_status=302),
    Page("dashboards:compare", frozenset({ADMIN, LEADER}), _unit("Locality North")),
    Page("dashboards:benchmark", ALL_ROLES, _unit("Team A")),
    Page("dashboards:lens_home", frozenset({ADMIN, LEADER}), ok_status=302),
    Page("dashboards:lens", frozenset({ADMIN, LEADER}), _unit("Locality North")),
    Page("actions:list", ALL_ROLES),
    Page("actions:new", ALL_ROLES, query=lambda world: {"unit": world.team_a.pk}),
    Page("actions:library", ALL_ROLES),
    Page("actions:intervention_new", frozenset({ADMIN})),
    Page("actions:intervention_edit", frozenset({ADMIN}), _own_intervention),
    Page("actions:detail", ALL_ROLES, _action),
    Page("actions:escalate", ALL_ROLES, _action, method="post", ok_status=302),
    Page("diagnostics:version_list", frozenset({ADMIN})),
    Page("diagnostics:version_detail", frozenset({ADMIN}), _own_version),
    Page("diagnostics:version_copy", frozenset({ADMIN}), _own_version),
    Page("diagnostics:statement_add", frozenset({ADMIN}), _own_version),
    Page("diagnostics:statement_edit", frozenset({ADMIN}), _own_statement),
    Page("diagnostics:statement_remove", frozenset({ADMIN}), _own_statement),
    Page("voice:manage", ALL_ROLES),
    # Everyone's own settings (no object); only leaders and admins get the digest's choice.
    Page("notices:settings", ALL_ROLES),
    Page("notices:settings", frozenset({ADMIN, LEADER}), method="post", ok_status=302),
    # The voice helpers are defined at the end of this module.
    Page("voice:issue", ALL_ROLES, lambda world: _voice_issue(world)),
    # With no unit chosen or no reason given, these show the form again (200).
    Page("voice:escalate", ALL_ROLES, lambda world: _voice_issue(world), method="post"),
    Page("voice:hide", ALL_ROLES, lambda world: _voice_issue(world), method="post"),
    Page(
        "voice:unhide",
        ALL_ROLES,
        lambda world: _voice_issue(world),
        method="post",
        ok_status=302,
    ),
    Page("voice:team_link", ALL_ROLES, lambda world: {"team_id": world.team_a.pk}),
    # Unconfirmed, it asks first (200) and changes nothing.
    Page("voice:rotate", ALL_ROLES, lambda world: {"team_id": world.team_a.pk}, method="post"),
]


# The read API: a token in the Authorization header, not a session. tests/api/test_reach.py walks
# these: 401 without a token, 404 for the outsider's token on every object, each role's token
# reads what that role reaches.
@dataclass(frozen=True)
class Endpoint:
    name: str
    kwargs: Callable[[Any], dict[str, Any]] | None = None  # None: a list


def _api_token(world: Any) -> dict[str, Any]:
    from api.models import ApiToken
    from api.tokens import digest_of, new_token

    token = ApiToken.objects.filter(organisation=world.organisation).first()
    if token is None:
        token = ApiToken.objects.create(
            organisation=world.organisation,
            created_by=world.org_admin,
            name="Power BI",
            digest=digest_of(new_token()),
            expires_on=timezone.localdate(),
        )
    return {"token_id": token.pk}


API_ENDPOINTS: list[Endpoint] = [
    Endpoint("api:units"),
    Endpoint("api:unit", lambda world: {"unit_id": world.team_a.pk}),
    Endpoint("api:cycles"),
    Endpoint("api:cycle", _cycle),
    Endpoint("api:cycle_results", _cycle),
    Endpoint("api:actions"),
    Endpoint("api:action", _action),
]

# Pages anyone may open without signing in, and the Django admin (operators only).
PUBLIC_NAMES = {
    "healthz",
    "protection",
    "set_language",
    "accounts:login",
    "operator_login",
    "accounts:logout",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "sign_on:start",
    "sign_on:go",
    "sign_on:callback",
    "sign_on:old_callback",
    "survey:enter_code",
    # A digest's link: a signed token stands in for sign-in (tests/notices/test_views.py).
    "notices:digest_link",
    "survey:thanks",
    "survey:protection",
    "survey:link",
    "survey:old_link",
    "survey:start",
    "survey:page",
    "survey:review",
    "survey:submit",
    "voice:board",
    "voice:raise",
    "voice:support",
    "team_results_for_staff",
    # The read API's schema and its documentation page: no data, only the API's shape.
    "api:schema",
    "api:docs",
}


def _voice_issue(world: Any) -> dict[str, Any]:
    from voice.models import VoiceIssue
    from voice.services import board_for, raise_issue

    issue = VoiceIssue.objects.filter(board__team=world.team_a).first() or raise_issue(
        board=board_for(world.team_a),
        category=VoiceIssue.Category.CASELOADS,
        text="Duty weeks leave no time for visits.",
    )
    return {"issue_id": issue.pk}
