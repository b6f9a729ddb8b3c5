"""Signed-in pages for cycles, invite codes and questionnaire versions."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST
from kombu.exceptions import OperationalError as KombuOperationalError

from accounts.http import AuthenticatedHttpRequest
from diagnostics import services
from diagnostics.access import (
    get_cycle_for,
    get_cycle_team_for,
    get_statement_for,
    get_version_for,
)
from diagnostics.addresses import can_keep_addresses
from diagnostics.exports import (
    BY,
    CONTENT_TYPES,
    EXCEL_READS_UTF8,
    LEVELS,
    ExportRequest,
    download_name,
    export_rows,
    prepared_in_background,
    to_csv,
    to_xlsx,
)
from diagnostics.forms import (
    AddStatementForm,
    CopyVersionForm,
    CycleForm,
    DraftCycleForm,
    FiguresImportForm,
    InviteForm,
    StatementForm,
    StructuralFiguresForm,
    ThresholdsForm,
    UnitThresholdsForm,
    names_from,
)
from diagnostics.models import Cycle, Domain, InstrumentVersion
from diagnostics.progress import cycle_progress
from diagnostics.selectors import (
    Availability,
    availability,
    codes_made,
    cycles_visible_to,
    export_team_count,
    invite_batches,
    is_frozen,
    recorded_headcount,
    survey_shape,
    versions_for,
)
from diagnostics.services import clear_unit_thresholds, set_unit_thresholds
from diagnostics.structural import (
    FIGURES,
    FigureDefinition,
    Rating,
    ThresholdInForce,
    Thresholds,
    default_thresholds,
    plain_number,
    rate,
)
from diagnostics.structural_data import (
    HEADCOUNT,
    FiguresImported,
    ThresholdBook,
    figures_for,
    headcount_fixed,
    headcount_fixed_reason,
    import_figures,
    import_template,
    save_figures,
    set_thresholds,
    threshold_book,
    thresholds_for,
    thresholds_for_unit,
)
from diagnostics.tasks import send_invite_batch
from organisations.access import get_unit_for, reach_of, require_org_admin
from organisations.forms import (
    FIND_UNITS_BUTTON,
    FIND_UNITS_WORDS,
    MoveUnitForm,
    bound_unless_finding,
)
from organisations.models import Role, Unit
from organisations.selectors import (
    parent_of,
    readable_paths,
    unit_names_by_path,
    units_to_offer,
)
from organisations.services import ImportFailed
from sword.csvsafe import csv_attachment, safe_csv_writer
from sword.pages import Confirmation, confirm_page, error_text, run_service
from sword.paging import page_of

INVITE_BATCH_SESSION_KEY = "invite_batch"
INVITE_BATCH_LIFETIME_SECONDS = 60 * 60


@login_required
def cycle_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    reach = reach_of(request.user)
    if reach.organisation is None:
        raise Http404("You have no role in an organisation.")
    today = timezone.localdate()
    cycles = list(cycles_visible_to(reach).order_by("-opens_on", "-pk")[:200])
    rows = [(cycle, availability(cycle, today=today)) for cycle in cycles]
    return render(request, "diagnostics/cycle_list.html", {"rows": rows})


@login_required
def cycle_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    reach = reach_of(request.user)
    if reach.organisation is None:
        raise Http404("You have no role in an organisation.")
    # A link may choose the kind ("Start a diagnostic" on home: ?kind=full); a pulse otherwise.
    kind = request.GET.get("kind")
    initial = {"kind": kind} if kind in Cycle.Kind.values else None
    form = CycleForm(**bound_unless_finding(request, initial=initial), reach=reach)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = services.create_cycle(
                unit=data["unit"],
                kind=data["kind"],
                instrument=data["instrument"],
                name=data["name"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                created_by=request.user,
                pulse_size=data["pulse_size"],
                opens_automatically=data["open_automatically"],
                names_in_languages=names_from(form),
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            if cycle.opens_automatically:
                done = gettext(
                    "Created “%(name)s”. It opens by itself on %(opens)s; until then it is a "
                    "draft you can change."
                ) % {"name": cycle.name, "opens": dateformat.format(cycle.opens_on, "j F Y")}
            else:
                done = gettext(
                    "Created “%(name)s” as a draft. Open it now when you are ready, or have it "
                    "open by itself on its opening date."
                ) % {"name": cycle.name}
            messages.success(request, done)
            return redirect("diagnostics:cycle_detail", cycle_id=cycle.pk)
    return render(request, "diagnostics/cycle_form.html", {"form": form})


@login_required
def cycle_detail(request: AuthenticatedHttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle_for(request.user, cycle_id)
    reach = reach_of(request.user)
    paths = readable_paths(cycle.organisation)
    progress = cycle_progress(cycle, reach)
    teams = page_of(progress.team_units, request)
    today = timezone.localdate()
    state = availability(cycle, today=today).value
    # Where this cycle's results are read: its own unit's dashboard, or for someone who reaches
    # only part of it, the dashboards of the parts they reach.
    if state in (Availability.DRAFT.value, Availability.SCHEDULED.value):
        results_units: list[Unit] = []
    elif reach.reaches(cycle.unit):
        results_units = [cycle.unit]
    else:
        results_units = [u for u in reach.top_units if u.is_within(cycle.unit)]
    return render(
        request,
        "diagnostics/cycle_detail.html",
        {
            "cycle": cycle,
            "state": state,
            "today": today,
            "can_manage": reach.reaches(cycle.unit),
            "progress": progress,
            "teams": progress.rows(list(teams.object_list), paths=paths),
            "page": teams,
            "k": progress.k,
            "shape": survey_shape(cycle),
            "unit_path": paths.get(cycle.unit_id, cycle.unit.name),
            "results_links": [(unit, paths.get(unit.pk, unit.name)) for unit in results_units],
            # Dashboards and the structural lens read a team's figures beside full diagnostics.
            "figures_apply": cycle.kind == Cycle.Kind.FULL,
            "export_in_background": prepared_in_background(teams=progress.team_count),
            "link_hours": settings.EXPORT_LINK_HOURS,
        },
    )


@login_required
@require_POST
def cycle_open(request: AuthenticatedHttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle_for(request.user, cycle_id, manage=True)
    try:
        services.open_cycle(cycle=cycle)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request,
            gettext("“%(name)s” is open. Codes work from %(opens)s.")
            % {"name": cycle.name, "opens": dateformat.format(cycle.opens_on, "j F")},
        )
    return redirect("diagnostics:cycle_detail", cycle_id=cycle.pk)


@login_required
@require_POST
def cycle_schedule(request: AuthenticatedHttpRequest, cycle_id: int) -> HttpResponse:
    """Have the clock open a draft on its opening date, or stop it (`automatically` 1 or 0)."""
    cycle = get_cycle_for(request.user, cycle_id, manage=True)
    automatically = request.POST.get("automatically") == "1"
    if automatically:
        done = gettext(
            "“%(name)s” is scheduled: it opens by itself on %(opens)s, and you will get an "
            "e-mail when it does."
        ) % {"name": cycle.name, "opens": dateformat.format(cycle.opens_on, "j F Y")}
    else:
        done = gettext("“%(name)s” will not open by itself: it is a draft until you open it.") % {
            "name": cycle.name
        }
    run_service(
        request,
        lambda: services.schedule_cycle(cycle=cycle, automatically=automatically),
        done=done,
    )
    return redirect("diagnostics:cycle_detail", cycle_id=cycle.pk)


@login_required
def cycle_close(request: AuthenticatedHttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle_for(request.user, cycle_id, manage=True)
    if request.method == "POST":
        run_service(
            request,
            lambda: services.close_cycle(cycle=cycle),
            done=gettext("“%(name)s” is closed. It cannot be reopened.") % {"name": cycle.name},
        )
        return redirect("diagnostics:cycle_detail", cycle_id=cycle.pk)
    return confirm_page(
        request,
        Confirmation(
            title=gettext("Close %(name)s now?") % {"name": cycle.name},
            body=gettext(
                "Unused codes will stop working and no more answers will be taken. A closed "
                "cycle cannot be reopened; you can start a new one."
            ),
            button=gettext("Close the cycle"),
            button_class="btn-warning",
            cancel_url=reverse("diagnostics:cycle_detail", args=[cycle.pk]),
        ),
    )


@login_required
def cycle_edit(request: AuthenticatedHttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle_for(request.user, cycle_id, manage=True)
    if cycle.status != Cycle.Status.DRAFT:
        messages.error(request, gettext("Only a draft cycle can be changed."))
        return redirect("diagnostics:cycle_detail", cycle_id=cycle.pk)
    form = DraftCycleForm(
        request.POST or None,
        initial={"name": cycle.name, "opens_on": cycle.opens_on, "closes_on": cycle.closes_on},
        cycle=cycle,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_draft_cycle(
                cycle=cycle,
                name=form.cleaned_data["name"],
                opens_on=form.cleaned_data["opens_on"],
                closes_on=form.cleaned_data["closes_on"],
                names_in_languages=names_from(form),
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, gettext("Saved."))
            return redirect("diagnostics:cycle_detail", cycle_id=cycle.pk)
    return render(request, "diagnostics/cycle_edit.html", {"form": form, "cycle": cycle})


@login_required
def cycle_delete(request: AuthenticatedHttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle_for(request.user, cycle_id, manage=True)
    if request.method == "POST":
        try:
            services.delete_draft_cycle(cycle=cycle)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect("diagnostics:cycle_detail", cycle_id=cycle.pk)
        messages.success(request, gettext("Deleted the draft “%(name)s”.") % {"name": cycle.name})
        return redirect("diagnostics:cycle_list")
    return confirm_page(
        request,
        Confirmation(
            title=gettext("Delete the draft %(name)s?") % {"name": cycle.name},
            body=gettext(
                "The draft and any codes made for it are deleted. Nobody has answered it yet."
            ),
            button=gettext("Delete draft") if cycle.status == Cycle.Status.DRAFT else None,
            button_class="btn-danger",
            cancel_url=reverse("diagnostics:cycle_detail", args=[cycle.pk]),
        ),
    )


@login_required
def invites_new(request: AuthenticatedHttpRequest, cycle_id: int, team_id: int) -> HttpResponse:
    cycle = get_cycle_for(request.user, cycle_id)
    team = get_cycle_team_for(request.user, cycle, team_id)
    organisation = cycle.organisation
    reminder_days = (
        organisation.reminder_days
        if organisation.cycle_reminders and can_keep_addresses()
        else None
    )
    already_made = codes_made(cycle, teams=[team]).get(team.pk, 0)
    headcount = recorded_headcount(cycle, team)
    ask_headcount = (
        cycle.status != Cycle.Status.CLOSED
        and (headcount is None or not headcount.this_cycle)
        and not headcount_fixed(cycle=cycle, team=team)
    )
    form = InviteForm(
        request.POST or None,
        team=team,
        headcount=headcount,
        already_made=already_made,
        reminder_days=reminder_days,
        ask_headcount=ask_headcount,
    )
    if request.method == "POST" and form.is_valid():
        count = form.cleaned_data["count"] or 0
        addresses = form.cleaned_data["emails"]
        people = form.cleaned_data.get("headcount")
        try:
            if people:
                save_figures(cycle=cycle, team=team, values={HEADCOUNT: people}, user=request.user)
                messages.success(
                    request,
                    gettext("Recorded the headcount of %(team)s: %(people)s.")
                    % {"team": team.name, "people": people},
                )
            codes = (
                services.issue_invites(cycle=cycle, team=team, count=count, made_by=request.user)
                if count
                else []
            )
            queued = (
                services.queue_email_invites(
                    cycle=cycle, team=team, addresses=addresses, made_by=request.user
                )
                if addresses
                else None
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            if queued is not None:
                _start_sending(request, queued)
            if not codes:
                return redirect("diagnostics:invites_new", cycle_id=cycle.pk, team_id=team.pk)
            request.session[INVITE_BATCH_SESSION_KEY] = {
                "id": uuid.uuid4().hex,
                "cycle": cycle.pk,
                "team": team.pk,
                "codes": codes,
                "made_at": time.time(),
            }
            return redirect("diagnostics:invites_sheet", cycle_id=cycle.pk, team_id=team.pk)
    context = {
        "form": form,
        "cycle": cycle,
        "team": team,
        "batches": invite_batches(cycle, team),
        "keeps_addresses": reminder_days is not None,
        "already_made": already_made,
        "headcount": headcount,
    }
    return render(request, "diagnostics/invites_new.html", context)


def _start_sending(request: HttpRequest, queued: services.QueuedInvites) -> None:
    """Hand a batch to the background job; the page comes back at once while it sends."""
    total = queued.batch.total
    try:
        send_invite_batch.delay(queued.batch.pk, queued.messages)
    except KombuOperationalError:
        services.record_undelivered_invites(batch_id=queued.batch.pk, messages=queued.messages)
        messages.error(
            request,
            gettext(
                "The e-mail queue is not answering, so no invitation was sent. Try again in a "
                "few minutes; the codes made for them have been cancelled."
            ),
        )
        return
    messages.success(
        request,
        ngettext(
            "%(total)s invitation queued. They are sent in the background: the counts below "
            "show how many have gone.",
            "%(total)s invitations queued. They are sent in the background: the counts below "
            "show how many have gone.",
            total,
        )
        % {"total": number_format(total, force_grouping=True)},
    )


def _batch(request: HttpRequest, cycle_id: int, team_id: int) -> list[str] | None:
    batch: dict[str, Any] | None = request.session.get(INVITE_BATCH_SESSION_KEY)
    if not batch or batch.get("cycle") != cycle_id or batch.get("team") != team_id:
        return None
    if time.time() - batch.get("made_at", 0) > INVITE_BATCH_LIFETIME_SECONDS:
        del request.session[INVITE_BATCH_SESSION_KEY]
        return None
    return list(batch["codes"])


@login_required
def invites_sheet(request: AuthenticatedHttpRequest, cycle_id: int, team_id: int) -> HttpResponse:
    import segno

    cycle = get_cycle_for(request.user, cycle_id)
    team = get_cycle_team_for(request.user, cycle, team_id)
    codes = _batch(request, cycle.pk, team.pk)
    if codes is None:
        messages.info(
            request,
            gettext(
                "Codes are shown only for an hour after they are made, because we keep only a "
                "scrambled form of them. Make new ones if you need more."
            ),
        )
        return redirect("diagnostics:invites_new", cycle_id=cycle.pk, team_id=team.pk)
    cards = []
    for code in codes:
        url = services.invite_url(code)
        qr = segno.make(url, error="m").svg_inline(scale=3, border=2, omitsize=True)
        cards.append({"code": code, "url": url, "qr": qr})
    return render(
        request,
        "diagnostics/invites_sheet.html",
        {
            "cycle": cycle,
            "team": team,
            "cards": cards,
            # Staff may read any language the survey offers: each card says it in all of them.
            "languages": cycle.organisation.offered_languages,
            "enter_code_url": settings.SITE_URL + reverse("survey:enter_code"),
        },
    )


@login_required
def invites_csv(request: AuthenticatedHttpRequest, cycle_id: int, team_id: int) -> HttpResponse:
    cycle = get_cycle_for(request.user, cycle_id)
    team = get_cycle_team_for(request.user, cycle, team_id)
    codes = _batch(request, cycle.pk, team.pk)
    if codes is None:
        messages.info(request, gettext("Those codes are no longer available here. Make new ones."))
        return redirect("diagnostics:invites_new", cycle_id=cycle.pk, team_id=team.pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="codes-cycle{cycle.pk}-team{team.pk}.csv"'
    )
    writer = safe_csv_writer(response)
    writer.writerow(["code", "url"])
    for code in codes:
        writer.writerow([code, services.invite_url(code)])
    return response


# --- questionnaire versions ----------------------------------------------------------------


@login_required
def version_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = require_org_admin(request.user)
    versions = list(versions_for(organisation).select_related("based_on"))
    rows = [(version, is_frozen(version)) for version in versions]
    return render(request, "diagnostics/version_list.html", {"rows": rows})


@login_required
def version_detail(request: AuthenticatedHttpRequest, version_id: int) -> HttpResponse:
    require_org_admin(request.user)
    version = get_version_for(request.user, version_id)
    statements = list(version.statements.select_related("domain").prefetch_related("texts"))
    asked = {s.domain_id for s in statements}
    # Outcome sections only where the version asks them (older versions have none).
    domains = [d for d in Domain.objects.all() if not d.is_outcome or d.pk in asked]
    by_domain = [
        (domain, [s for s in statements if s.domain_id == domain.pk]) for domain in domains
    ]
    return render(
        request,
        "diagnostics/version_detail.html",
        {
            "version": version,
            "by_domain": by_domain,
            "frozen": is_frozen(version),
            "editable": version.organisation_id is not None and not is_frozen(version),
        },
    )


@login_required
def version_copy(request: AuthenticatedHttpRequest, version_id: int) -> HttpResponse:
    organisation = require_org_admin(request.user)
    version = get_version_for(request.user, version_id)
    form = CopyVersionForm(
        request.POST or None,
        initial={
            "name": gettext("%(organisation)s questionnaire") % {"organisation": organisation.name}
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.copy_version(
                version=version,
                organisation_id=organisation.pk,
                name=form.cleaned_data["name"],
                created_by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(
                request,
                gettext("Made “%(name)s”. Add, remove or reword statements.") % {"name": copy.name},
            )
            return redirect("diagnostics:version_detail", version_id=copy.pk)
    return render(request, "diagnostics/version_copy.html", {"form": form, "version": version})


def _translation_languages(version: InstrumentVersion) -> list[str]:
    """The languages besides English a version's statements take a text in: those its
    organisation's surveys offer."""
    organisation = version.organisation
    return organisation.offered_languages[1:] if organisation is not None else []


@login_required
def statement_add(request: AuthenticatedHttpRequest, version_id: int) -> HttpResponse:
    version = get_version_for(request.user, version_id, edit=True)
    form = AddStatementForm(
        request.POST or None,
        initial={"domain": request.GET.get("domain")},
        languages=_translation_languages(version),
    )
    if request.method == "POST" and form.is_valid():
        try:
            statement = services.add_statement(version=version, **form.statement_values())
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, gettext("Added %(code)s.") % {"code": statement.code})
            return redirect("diagnostics:version_detail", version_id=version.pk)
    return render(
        request,
        "diagnostics/statement_form.html",
        {"form": form, "version": version, "title": gettext("Add a statement")},
    )


@login_required
def statement_edit(request: AuthenticatedHttpRequest, statement_id: int) -> HttpResponse:
    statement = get_statement_for(request.user, statement_id)
    languages = _translation_languages(statement.version)
    texts = dict(statement.texts.values_list("language", "text"))
    form = StatementForm(
        request.POST or None,
        initial={
            "text": statement.text,
            "reverse_scored": statement.reverse_scored,
            **{f"text_{language}": texts.get(language, "") for language in languages},
        },
        languages=languages,
    )
    if request.method == "POST" and form.is_valid():
        try:
            dropped = services.reword_statement(statement=statement, **form.statement_values())
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, gettext("Saved %(code)s.") % {"code": statement.code})
            if dropped:
                names = dict(settings.LANGUAGES)
                messages.warning(
                    request,
                    gettext(
                        "Its text in %(languages)s was removed, since it translated the old "
                        "wording: add it again once that language is offered."
                    )
                    % {"languages": ", ".join(str(names.get(code, code)) for code in dropped)},
                )
            return redirect("diagnostics:version_detail", version_id=statement.version_id)
    return render(
        request,
        "diagnostics/statement_form.html",
        {
            "form": form,
            "version": statement.version,
            "title": gettext("Change %(code)s") % {"code": statement.code},
        },
    )


@login_required
def statement_remove(request: AuthenticatedHttpRequest, statement_id: int) -> HttpResponse:
    statement = get_statement_for(request.user, statement_id)
    back = reverse("diagnostics:version_detail", args=[statement.version_id])
    if request.method == "POST":
        run_service(
            request,
            lambda: services.remove_statement(statement=statement),
            done=gettext("Removed %(code)s.") % {"code": statement.code},
        )
        return redirect(back)
    return confirm_page(
        request,
        Confirmation(
            title=gettext("Remove %(code)s?") % {"code": statement.code},
            body=gettext("“%(text)s” will not be asked in cycles that use this version.")
            % {"text": statement.text},
            button=gettext("Remove"),
            button_class="btn-danger",
            cancel_url=back,
        ),
    )


# --- structural figures, thresholds and exports ---------------------------------------------


@dataclass(frozen=True)
class FigureRating:
    """A saved figure with its rating and the thresholds it was rated against, in words."""

    figure: FigureDefinition
    value: str
    rating: Rating
    rated_against: str  # "good at or below 18, concerning at or above 25"
    source: str  # "your organisation's", "set for Adult Social Care", "the default"


def _rated_against(figure: FigureDefinition, pair: Thresholds) -> str:
    good, concerning = plain_number(pair.good), plain_number(pair.concerning)
    values = {"good": good, "concerning": concerning}
    if figure.higher_is_better:
        return gettext("good at or above %(good)s, concerning at or below %(concerning)s") % values
    return gettext("good at or below %(good)s, concerning at or above %(concerning)s") % values


def _source_text(found: ThresholdInForce, names: Mapping[str, str]) -> str:
    if found.set_at is None:
        return gettext("the default")
    if found.set_at == "":
        return gettext("your organisation's")
    return gettext("set for %(unit)s") % {
        "unit": names.get(found.set_at) or gettext("a unit above")
    }


def _figure_ratings(
    values: Mapping[str, Decimal | None],
    in_force: Mapping[str, ThresholdInForce],
    names: Mapping[str, str],
) -> list[FigureRating]:
    ratings = []
    for figure in FIGURES:
        value = values.get(figure.code)
        if value is None:
            continue
        found = in_force[figure.code]
        ratings.append(
            FigureRating(
                figure=figure,
                value=plain_number(value),
                rating=rate(figure, value, found.thresholds),
                rated_against=_rated_against(figure, found.thresholds),
                source=_source_text(found, names),
            )
        )
    return ratings


@login_required
def figures_edit(request: AuthenticatedHttpRequest, cycle_id: int, team_id: int) -> HttpResponse:
    cycle = get_cycle_for(request.user, cycle_id)
    team = get_cycle_team_for(request.user, cycle, team_id)
    in_force = thresholds_for_unit(team)
    thresholds = {code: found.thresholds for code, found in in_force.items()}
    saved = figures_for([cycle.pk], team_ids=[team.pk]).get((cycle.pk, team.pk), {})
    current: dict[str, object] = {**saved}
    recorded = recorded_headcount(cycle, team)
    current[HEADCOUNT] = recorded.people if recorded else None
    form = StructuralFiguresForm(request.POST or None, initial=current, thresholds=thresholds)
    headcount_field = form.fields[HEADCOUNT]
    fixed = headcount_fixed(cycle=cycle, team=team)
    if fixed:
        headcount_field.disabled = True
        headcount_field.help_text = headcount_fixed_reason(cycle)
        if recorded is not None and not recorded.this_cycle:
            headcount_field.help_text += " " + gettext("It was recorded with “%(cycle)s”.") % {
                "cycle": recorded.cycle_name
            }
    elif recorded is not None and not recorded.this_cycle:
        headcount_field.help_text = "{} {}".format(
            headcount_field.help_text,
            gettext("Filled in from “%(cycle)s”: check it still holds.")
            % {"cycle": recorded.cycle_name},
        )
    if request.method == "POST" and form.is_valid():
        values: dict[str, Any] = {f.code: form.cleaned_data[f.code] for f in FIGURES}
        if not fixed:
            values[HEADCOUNT] = form.cleaned_data[HEADCOUNT]
        try:
            save_figures(cycle=cycle, team=team, values=values, user=request.user)
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(
                request,
                gettext("Saved the structural figures for %(team)s. Their ratings are below.")
                % {"team": team.name},
            )
            return redirect("diagnostics:figures_edit", cycle_id=cycle.pk, team_id=team.pk)
    names = unit_names_by_path(cycle.organisation) if saved else {}
    return render(
        request,
        "diagnostics/figures_form.html",
        {
            "form": form,
            "cycle": cycle,
            "team": team,
            "figures": FIGURES,
            "ratings": _figure_ratings(saved, in_force, names),
        },
    )


def _figures_imported_words(imported: FiguresImported) -> str:
    """What an import of figures did, counting only the teams it changed: a row left empty for
    a team with nothing stored is neither imported nor cleared."""
    sentences = []
    if imported.saved:
        sentences.append(
            ngettext(
                "Imported structural figures for %(count)s team.",
                "Imported structural figures for %(count)s teams.",
                imported.saved,
            )
            % {"count": number_format(imported.saved, force_grouping=True)}
        )
    if imported.cleared:
        sentences.append(
            ngettext(
                "Cleared the figures of %(count)s team, whose row was empty.",
                "Cleared the figures of %(count)s teams, whose rows were empty.",
                imported.cleared,
            )
            % {"count": number_format(imported.cleared, force_grouping=True)}
        )
    if not sentences:
        return gettext("Nothing changed: every team's figures in the file were empty.")
    return " ".join(sentences)


@login_required
def figures_import(request: AuthenticatedHttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle_for(request.user, cycle_id, manage=True)
    form = FiguresImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            imported = import_figures(
                cycle=cycle,
                content=form.cleaned_data["file"],
                user=request.user,
            )
        except ImportFailed as exc:
            errors = exc.errors
        else:
            changed = imported.saved or imported.cleared
            level = messages.SUCCESS if changed else messages.INFO
            messages.add_message(request, level, _figures_imported_words(imported))
            return redirect("diagnostics:cycle_detail", cycle_id=cycle.pk)
    return render(
        request,
        "diagnostics/figures_import.html",
        {"form": form, "cycle": cycle, "errors": errors, "figures": FIGURES},
        status=400 if errors else 200,
    )


@login_required
def figures_template(request: AuthenticatedHttpRequest, cycle_id: int) -> HttpResponse:
    """The import's file with the cycle's teams and their figures as recorded, to change and
    import (`import_template`)."""
    cycle = get_cycle_for(request.user, cycle_id, manage=True)
    return csv_attachment(
        import_template(cycle), filename=f"structural-figures-cycle-{cycle.pk}.csv"
    )


@dataclass(frozen=True)
class ThresholdRow:
    """One figure on the thresholds page: its fields, what is in force where the admin is
    looking and where that comes from, and the units below that set their own."""

    figure: FigureDefinition
    fields: list[BoundField]
    good: str
    concerning: str
    source: str  # "set on this unit", "inherited from Adult Social Care", "the default"...
    set_below: tuple[str, ...]


@dataclass(frozen=True)
class UnitChoice:
    unit: Unit
    label: str  # indented by depth, marked when it has thresholds of its own
    selected: bool


def _threshold_rows(
    form: ThresholdsForm | UnitThresholdsForm,
    book: ThresholdBook,
    unit: Unit | None,
    names: Mapping[str, str],
) -> list[ThresholdRow]:
    in_force = (
        book.for_unit(unit)
        if unit is not None
        else {
            code: ThresholdInForce(pair, "" if code in book.organisation else None)
            for code, pair in {**default_thresholds(), **book.organisation}.items()
        }
    )
    here = unit.path if unit is not None else ""
    rows = []
    for figure, fields in form.figure_rows():
        found = in_force[figure.code]
        rows.append(
            ThresholdRow(
                figure=figure,
                fields=fields,
                good=plain_number(found.good),
                concerning=plain_number(found.concerning),
                source=_where_set(found, here, names),
                set_below=tuple(
                    _readable(path, names)
                    for path, own in sorted(book.by_unit.items())
                    if figure.code in own and path.startswith(here) and path != here
                ),
            )
        )
    return rows


def _where_set(found: ThresholdInForce, here: str, names: Mapping[str, str]) -> str:
    if found.set_at is None:
        return gettext("the default")
    if found.set_at == here:
        return gettext("set on this unit") if here else gettext("your organisation's own")
    if found.set_at == "":
        return gettext("inherited from the organisation")
    return gettext("inherited from %(unit)s") % {"unit": _readable(found.set_at, names)}


def _readable(path: str, names: Mapping[str, str]) -> str:
    """A unit's path below the organisation in words, from its tree path."""
    return " / ".join(
        names.get(path[:end], "?") for end in range(2 * Unit.steplen, len(path) + 1, Unit.steplen)
    )


@login_required
def thresholds_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The organisation's thresholds, or with `?unit=` one unit's own, inherited below it."""
    organisation = require_org_admin(request.user)
    unit = _thresholds_unit(request, request.GET.get("unit", ""))
    book = threshold_book(organisation)
    names = unit_names_by_path(organisation, include_archived=False)
    form: ThresholdsForm | UnitThresholdsForm
    if unit is None:
        form = ThresholdsForm(request.POST or None, thresholds=thresholds_for(organisation))
    else:
        form = UnitThresholdsForm(request.POST or None, own=book.own(unit))
    if request.method == "POST" and form.is_valid():
        try:
            if isinstance(form, UnitThresholdsForm):
                assert unit is not None
                changed = set_unit_thresholds(
                    unit=unit,
                    values=form.thresholds(),
                    actor=request.user,
                )
            else:
                set_thresholds(
                    organisation=organisation,
                    values=form.thresholds(),
                    actor=request.user,
                )
                changed = None
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            if unit is None:
                messages.success(request, gettext("Saved the thresholds for structural figures."))
                return redirect("diagnostics:thresholds")
            messages.success(
                request,
                gettext("Saved the thresholds for %(unit)s (%(changed)s changed).")
                % {"unit": unit.name, "changed": ", ".join(changed)}
                if changed
                else gettext("Saved the thresholds for %(unit)s: nothing changed.")
                % {"unit": unit.name},
            )
            return redirect(reverse("diagnostics:thresholds") + f"?unit={unit.pk}")
    offer = units_to_offer(
        candidates=Unit.objects.filter(organisation=organisation, depth__gt=1).active(),
        find=request.GET.get(FIND_UNITS_WORDS, ""),
        chosen=unit.pk if unit is not None else None,
    )
    if request.method == "GET" and offer.find and offer.selected != (unit and unit.pk):
        # Find goes to the first unit found, so the thresholds shown are the chosen unit's.
        query = urlencode({"unit": offer.selected, FIND_UNITS_WORDS: offer.find})
        return redirect(reverse("diagnostics:thresholds") + f"?{query}")
    own = " " + gettext("(own thresholds)")
    choices = [
        UnitChoice(
            unit=u,
            label=(
                _readable(u.path, names)
                if offer.narrowed
                else "\u00a0\u00a0" * (u.depth - 2) + u.name
            )
            + (own if u.path in book.by_unit else ""),
            selected=u.pk == offer.selected,
        )
        for u in offer.units
    ]
    return render(
        request,
        "diagnostics/thresholds.html",
        {
            "form": form,
            "unit": unit,
            "unit_path": _readable(unit.path, names) if unit is not None else "",
            "organisation": organisation,
            "choices": choices,
            "offer": offer,
            "finder": {"words_name": FIND_UNITS_WORDS, "button_name": FIND_UNITS_BUTTON},
            "rows": _threshold_rows(form, book, unit, names),
            "has_own": unit is not None and bool(book.own(unit)),
        },
    )


def _thresholds_unit(request: HttpRequest, unit_id: str) -> Unit | None:
    """The unit asked for (404 outside the admin's organisation), or None for the organisation
    itself (no unit, or its root unit)."""
    if not unit_id:
        return None
    unit = get_unit_for(request.user, unit_id, role=Role.ORG_ADMIN)
    return None if unit.depth == 1 else unit


@login_required
def thresholds_clear(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    """Asks, then removes every threshold set on the unit itself, so it inherits again."""
    require_org_admin(request.user)
    unit = _thresholds_unit(request, str(unit_id))
    if unit is None:
        raise Http404("The organisation's thresholds can be changed but not cleared.")
    back = reverse("diagnostics:thresholds") + f"?unit={unit.pk}"
    if request.method == "POST":
        changed = clear_unit_thresholds(unit=unit, actor=request.user)
        if changed:
            messages.success(
                request,
                gettext(
                    "Cleared the thresholds set at %(unit)s: it now inherits them (%(changed)s)."
                )
                % {"unit": unit.name, "changed": ", ".join(changed)},
            )
        else:
            messages.info(
                request, gettext("%(unit)s had no thresholds of its own.") % {"unit": unit.name}
            )
        return redirect(back)
    own = threshold_book(unit.organisation_id).own(unit)
    labels = [figure.shown_label.lower() for figure in FIGURES if figure.code in own]
    return confirm_page(
        request,
        Confirmation(
            title=gettext("Clear the thresholds set at %(unit)s?") % {"unit": unit.name},
            body=gettext(
                "%(unit)s and the units below it will use the thresholds of the nearest unit "
                "above that sets its own, else the organisation's, for: %(figures)s. Figures "
                "already saved are kept and rated again against those thresholds."
            )
            % {
                "unit": unit.name,
                "figures": ", ".join(labels)
                if labels
                else gettext("nothing (it sets none of its own)"),
            },
            button=gettext("Clear its own thresholds") if labels else None,
            button_class="btn-warning",
            cancel_url=back,
        ),
    )


@login_required
def results_export(
    request: AuthenticatedHttpRequest, cycle_id: int, file_format: str
) -> HttpResponse:
    """The §10 results export for the cycle, limited to the units in the user's reach."""
    cycle = get_cycle_for(request.user, cycle_id)
    level = request.GET.get("level", "")
    by = request.GET.get("by", "domain")
    if file_format not in ("csv", "xlsx") or (level and level not in LEVELS) or by not in BY:
        raise Http404("No such export.")
    export = ExportRequest(cycle=cycle, levels=(level,) if level else LEVELS, by=by)
    reach = reach_of(request.user)
    if prepared_in_background(teams=export_team_count(cycle, reach)):
        # Too large to build inside a request: offer to prepare it (export_views).
        return render(
            request,
            "diagnostics/export_large.html",
            {"cycle": cycle, "file_format": file_format, "level": level, "by": by},
        )
    rows = export_rows(export, reach)
    services.record_export(export=export, file_format=file_format, user=request.user, reach=reach)
    columns = export.columns
    content = (
        to_xlsx(rows, title=cycle.name, columns=columns)
        if file_format == "xlsx"
        else EXCEL_READS_UTF8 + to_csv(rows, columns=columns)
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    filename = download_name(cycle, by=by, file_format=file_format)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def unit_move(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    unit = get_unit_for(request.user, unit_id, role=Role.ORG_ADMIN)
    if unit.depth == 1:
        messages.error(request, gettext("The organisation itself cannot be moved."))
        return redirect("organisations:structure")
    if unit.is_former_place:
        messages.error(
            request,
            gettext(
                "“%(unit)s” holds results from before a move and stays where it is. "
                "Move the unit it stands for instead."
            )
            % {"unit": unit.name},
        )
        return redirect("organisations:structure")
    form = MoveUnitForm(**bound_unless_finding(request), unit=unit)
    if request.method == "POST" and form.is_valid():
        old_parent = parent_of(unit)
        try:
            moved = services.move_unit(
                unit=unit, new_parent=form.cleaned_data["new_parent"], moved_by=request.user
            )
        except ValidationError as exc:
            form.add_error("new_parent", error_text(exc))
        else:
            done = gettext("Moved “%(unit)s” under “%(parent)s”.") % {
                "unit": unit.name,
                "parent": form.cleaned_data["new_parent"].name,
            }
            if moved.cycles_left and old_parent is not None:
                done += " " + ngettext(
                    "Its part in %(count)s cycle that had opened stays under “%(old)s”, with an "
                    "archived “%(unit)s”, so that it reads as it did.",
                    "Its part in %(count)s cycles that had opened stays under “%(old)s”, with an "
                    "archived “%(unit)s”, so that they read as they did.",
                    moved.cycles_left,
                ) % {"count": moved.cycles_left, "old": old_parent.name, "unit": unit.name}
            messages.success(request, done)
            return redirect("organisations:structure")
    return render(
        request,
        "organisations/unit_form.html",
        {
            "form": form,
            "unit": unit,
            "title": gettext("Move %(unit)s") % {"unit": unit.name},
            "button": gettext("Move"),
        },
    )
