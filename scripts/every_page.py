"""Every page an organisation's admin can open with a GET, on the benchmark data: the pages
`scripts/bench_scales --every-page` times at both scales, beyond the six `scripts/bench` times.

The objects the pages point at are picked as `baselines.pick_subjects` picks its own (the first
team with responses, the first unit below the organisation, the newest full cycle), and the
rest the same way: the first of its kind. A page whose object the data does not hold is listed
as not timed, with the reason. Pages that change something on a GET are not in the list (none
does: every change is a POST), nor are the pages without sign-in (the survey, the voice board),
which `scripts/load` and `scripts/survey_cost` measure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import baselines
from django.urls import reverse

# URL names not timed, and why (tests/scripts/test_every_page.py holds every signed-in URL name
# either here or in `every_page_urls`, so a new page is timed or says why not).
NOT_TIMED = {
    "api:units": "the read API answers a token, not a session (paginated: 100 rows a request)",
    "api:unit": "the read API answers a token, not a session",
    "api:cycles": "the read API answers a token, not a session",
    "api:cycle": "the read API answers a token, not a session",
    "api:cycle_results": "the read API answers a token, not a session (the export's rows, paged)",
    "api:actions": "the read API answers a token, not a session",
    "api:action": "the read API answers a token, not a session",
    "diagnostics:cycle_open": "POST only",
    "diagnostics:cycle_schedule": "POST only",
    "diagnostics:export_request": "POST only",
    "organisations:unit_restore": "POST only",
    "actions:escalate": "POST only",
    "voice:escalate": "POST only",
    "voice:hide": "POST only",
    "voice:unhide": "POST only",
    "voice:rotate": "POST only",
}


@dataclass(frozen=True)
class Pick:
    """The objects the pages point at: the subjects of `scripts/bench` and the first of each
    other kind the organisation holds (None where it holds none)."""

    subjects: baselines.Subjects
    membership: int | None
    action: int | None
    intervention: int | None
    version: int | None
    statement: int | None
    voice_issue: int | None
    api_token: int | None
    export_job: int | None


def pick(subjects: baselines.Subjects) -> Pick:
    from actions.models import Action, Intervention
    from api.models import ApiToken
    from diagnostics.models import ExportJob, InstrumentVersion, Statement
    from organisations.models import Membership
    from voice.models import VoiceIssue

    organisation = subjects.organisation

    def first(queryset: Any) -> int | None:
        found: int | None = queryset.order_by("pk").values_list("pk", flat=True).first()
        return found

    version = first(InstrumentVersion.objects.filter(organisation=organisation))
    return Pick(
        subjects=subjects,
        membership=first(
            Membership.objects.filter(organisation=organisation).exclude(user=subjects.viewer)
        ),
        action=first(Action.objects.filter(unit__organisation=organisation)),
        intervention=first(Intervention.objects.filter(organisation=organisation)),
        version=version,
        statement=first(Statement.objects.filter(version_id=version)) if version else None,
        voice_issue=first(VoiceIssue.objects.filter(board__team__organisation=organisation)),
        api_token=first(ApiToken.objects.filter(organisation=organisation)),
        export_job=first(ExportJob.objects.filter(requested_by=subjects.viewer)),
    )


def every_page_urls(found: Pick) -> tuple[dict[str, str], dict[str, str]]:
    """The pages timed (by a name naming their object, to their URL) and the URL names not
    timed here, with the reason (`NOT_TIMED` and the pages whose object the data lacks)."""
    subjects = found.subjects
    team, unit, root, cycle = subjects.team, subjects.unit, subjects.root, subjects.cycle
    pages: dict[str, str] = {}
    untimed = dict(NOT_TIMED)

    def page(name: str, label: str, **kwargs: Any) -> None:
        query = kwargs.pop("query", "")
        pages[f"{name} ({label})" if label else name] = reverse(name, kwargs=kwargs) + query

    def needs(value: int | None, kind: str, *names: str) -> Callable[..., None]:
        if value is None:
            for name in names:
                untimed[name] = f"the benchmark data holds no {kind}"
        return lambda *args, **kwargs: page(*args, **kwargs) if value is not None else None

    page("home", "")
    page("organisations:structure", "")
    page("organisations:people", "")
    page("organisations:people_invite", "")
    page("organisations:settings", "")
    page("organisations:audit", "")
    page("api_tokens:list", "")
    page("organisations:unit_add", "unit", unit_id=unit.pk)
    for name in ("unit_rename", "unit_move", "unit_archive", "unit_delete"):
        page(f"organisations:{name}", "team", unit_id=team.pk)
    membership = needs(
        found.membership,
        "membership besides the admin's",
        "organisations:membership_edit",
        "organisations:membership_remove",
    )
    membership("organisations:membership_edit", "", membership_id=found.membership)
    membership("organisations:membership_remove", "", membership_id=found.membership)
    token = needs(found.api_token, "API token", "api_tokens:revoke")
    token("api_tokens:revoke", "", token_id=found.api_token)

    page("diagnostics:cycle_list", "")
    page("diagnostics:cycle_create", "")
    page("diagnostics:cycle_detail", "cycle", cycle_id=cycle.pk)
    page("diagnostics:cycle_close", "cycle", cycle_id=cycle.pk)
    page("diagnostics:cycle_delete", "cycle", cycle_id=cycle.pk)
    untimed["diagnostics:cycle_edit"] = "a closed cycle's edit page sends the reader back"
    page("diagnostics:invites_new", "team", cycle_id=cycle.pk, team_id=team.pk)
    for name in ("invites_sheet", "invites_csv"):
        untimed[f"diagnostics:{name}"] = "sends the reader back unless codes were just made"
    page("diagnostics:figures_edit", "team", cycle_id=cycle.pk, team_id=team.pk)
    page("diagnostics:figures_import", "cycle", cycle_id=cycle.pk)
    untimed["diagnostics:results_export"] = "timed by scripts/bench and bench_scales"
    page("diagnostics:export_list", "")
    job = needs(found.export_job, "prepared export", "diagnostics:export_download")
    job("diagnostics:export_download", "", export_id=found.export_job)
    page("diagnostics:thresholds", "organisation")
    page("diagnostics:thresholds", "unit", query=f"?unit={unit.pk}")
    page("diagnostics:thresholds_clear", "unit", unit_id=unit.pk)
    version = needs(
        found.version,
        "questionnaire version of its own",
        "diagnostics:version_detail",
        "diagnostics:version_copy",
        "diagnostics:statement_add",
    )
    page("diagnostics:version_list", "")
    version("diagnostics:version_detail", "", version_id=found.version)
    version("diagnostics:version_copy", "", version_id=found.version)
    version("diagnostics:statement_add", "", version_id=found.version)
    statement = needs(
        found.statement,
        "statement of its own",
        "diagnostics:statement_edit",
        "diagnostics:statement_remove",
    )
    statement("diagnostics:statement_edit", "", statement_id=found.statement)
    statement("diagnostics:statement_remove", "", statement_id=found.statement)

    page("dashboards:index", "")
    for name in ("profile", "trends", "benchmark"):
        page(f"dashboards:{name}", "team", unit_id=team.pk)
    page("dashboards:profile", "unit", unit_id=unit.pk)
    page("dashboards:profile", "organisation", unit_id=root.pk)
    page("dashboards:trends", "organisation", unit_id=root.pk)
    page("dashboards:compare", "unit", unit_id=unit.pk)
    page("dashboards:lens", "unit", unit_id=unit.pk)
    for name in ("compare_home", "lens_home"):
        untimed[f"dashboards:{name}"] = "sends the reader on to the organisation's page"

    page("actions:list", "")
    page("actions:new", "team", query=f"?unit={team.pk}")
    page("actions:library", "")
    page("actions:intervention_new", "")
    intervention = needs(found.intervention, "intervention of its own", "actions:intervention_edit")
    intervention("actions:intervention_edit", "", intervention_id=found.intervention)
    action = needs(found.action, "action", "actions:detail")
    action("actions:detail", "", action_id=found.action)

    page("voice:manage", "")
    issue = needs(found.voice_issue, "voice issue", "voice:issue")
    issue("voice:issue", "", issue_id=found.voice_issue)
    page("voice:team_link", "team", team_id=team.pk)
    page("notices:settings", "")
    return pages, untimed
