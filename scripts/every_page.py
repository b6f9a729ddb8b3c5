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
    "organisations:membership_invite_again": "POST only",
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

    def of_one(value: int | None, kind: str, argument: str, *names: str) -> None:
        """The pages of one object (`argument` its URL argument), or why they are not timed."""
        for name in names:
            if value is None:
                untimed[name] = f"the benchmark data holds no {kind}"
            else:
                page(name, "", **{argument: value})

    page("home", "")
    page("organisations:structure", "")
    page("organisations:people", "")
    page("organisations:people_invite", "")
    page("organisations:people_import", "")
    page("organisations:people_file", "")
    page("organisations:structure_import", "")
    page("organisations:structure_file", "")
    page("organisations:settings", "")
    page("organisations:audit", "")
    page("api_tokens:list", "")
    page("organisations:unit_add", "unit", unit_id=unit.pk)
    for name in ("unit_rename", "unit_archive", "unit_delete"):
        page(f"organisations:{name}", "team", unit_id=team.pk)
    page("units:move", "team", unit_id=team.pk)
    of_one(
        found.membership,
        "membership besides the admin's",
        "membership_id",
        "organisations:membership_edit",
        "organisations:membership_remove",
    )
    of_one(found.api_token, "API token", "token_id", "api_tokens:revoke")

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
    page("diagnostics:figures_template", "cycle", cycle_id=cycle.pk)
    untimed["diagnostics:results_export"] = "timed by scripts/bench and bench_scales"
    page("diagnostics:export_list", "")
    of_one(found.export_job, "prepared export", "export_id", "diagnostics:export_download")
    page("diagnostics:thresholds", "organisation")
    page("diagnostics:thresholds", "unit", query=f"?unit={unit.pk}")
    page("diagnostics:thresholds", "units found", query="?find_units_words=a")
    page("diagnostics:thresholds_clear", "unit", unit_id=unit.pk)
    page("diagnostics:version_list", "")
    of_one(
        found.version,
        "questionnaire version of its own",
        "version_id",
        "diagnostics:version_detail",
        "diagnostics:version_copy",
        "diagnostics:statement_add",
    )
    of_one(
        found.statement,
        "statement of its own",
        "statement_id",
        "diagnostics:statement_edit",
        "diagnostics:statement_remove",
    )

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
    of_one(
        found.intervention,
        "intervention of its own",
        "intervention_id",
        "actions:intervention_edit",
    )
    of_one(found.action, "action", "action_id", "actions:detail")

    page("voice:manage", "")
    of_one(found.voice_issue, "voice issue", "issue_id", "voice:issue")
    page("voice:team_link", "team", team_id=team.pk)
    page("notices:settings", "")
    return pages, untimed
