"""Action plans and the interventions library."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from actions import services
from actions.access import (
    actions_visible_to,
    get_action_for,
    get_intervention_for,
    interventions_for,
)
from actions.forms import ActionForm, ActionUpdateForm, EscalateForm, InterventionForm
from actions.models import Action
from actions.selectors import before_after, is_overdue, overdue
from diagnostics.models import Domain
from diagnostics.selectors import cycles_covering
from organisations.access import get_unit_for, reach_of, require_org_admin
from organisations.audit import record
from organisations.models import AuditEvent
from organisations.selectors import readable_paths
from sword.pages import error_text
from sword.paging import page_of


@login_required
def action_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    reach = reach_of(request.user)
    if reach.organisation is None:
        raise Http404("You have no role in an organisation.")
    actions = actions_visible_to(reach).select_related(
        "unit", "domain", "owner", "escalated_to", "cycle"
    )
    unit = None
    if request.GET.get("unit"):
        unit = get_unit_for(request.user, request.GET["unit"])
        actions = actions.filter(unit__path__startswith=unit.path) | actions.filter(
            escalated_to__path__startswith=unit.path
        )
    every_status = actions
    status = request.GET.get("status", "open")
    if status == "open":
        actions = actions.filter(status__in=Action.OPEN_STATUSES)
    elif status in Action.Status.values:
        actions = actions.filter(status=status)
    elif status != "all":
        raise Http404("No such status.")
    today = timezone.localdate()
    actions = actions.distinct()
    page = page_of(actions.order_by("due_on", "pk"), request)
    paths = readable_paths(reach.organisation)
    rows = [
        {
            "action": action,
            "overdue": is_overdue(action, today=today),
            "path": paths.get(action.unit_id, action.unit.name),
        }
        for action in page.object_list
    ]
    return render(
        request,
        "actions/list.html",
        {
            "rows": rows,
            # With nothing to list under a status filter: whether the filter is what hides them
            "others_hidden": not rows and status != "all" and every_status.exists(),
            "page": page,
            "unit": unit,
            "status": status,
            "statuses": Action.Status.choices,
            "overdue_count": overdue(actions, today=today).count(),
        },
    )


@login_required
def action_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    unit = get_unit_for(request.user, request.GET.get("unit"))
    if unit.is_former_place:
        # Where a unit was before it moved holds its past; what is done next is the unit's own.
        here = get_unit_for(request.user, unit.moved_to_id)
        wanted = {key: request.GET[key] for key in ("domain", "intervention") if key in request.GET}
        return redirect(f"{reverse('actions:new')}?{urlencode({'unit': here.pk, **wanted})}")
    reach = reach_of(request.user)
    cycles = cycles_covering(unit)
    intervention = None
    if request.GET.get("intervention"):
        intervention = get_intervention_for(request.user, request.GET["intervention"])
    initial: dict[str, object] = {"owner": request.user.pk}
    domain = Domain.objects.conditions().filter(code=request.GET.get("domain", "")).first()
    if intervention is not None:
        domain = intervention.domain
        initial.update({"title": intervention.title, "description": intervention.what})
    if domain is not None:
        initial["domain"] = domain.pk
    if request.GET.get("cycle"):
        initial["cycle"] = request.GET["cycle"]
    elif cycles:
        initial["cycle"] = cycles[0].pk
    form = ActionForm(request.POST or None, initial=initial, unit=unit, cycles=cycles)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = services.create_action(
                unit=unit,
                domain=data["domain"],
                title=data["title"],
                description=data["description"],
                owner=data["owner"],
                due_on=data["due_on"],
                cycle=data["cycle"],
                intervention=intervention,
                created_by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(
                request, gettext("Added the action “%(title)s”.") % {"title": action.title}
            )
            return redirect("actions:detail", action_id=action.pk)
    return render(
        request,
        "actions/new.html",
        {"form": form, "unit": unit, "intervention": intervention, "reach": reach},
    )


@login_required
def action_detail(request: AuthenticatedHttpRequest, action_id: int) -> HttpResponse:
    action = get_action_for(request.user, action_id)
    reach = reach_of(request.user)
    form = ActionUpdateForm(
        request.POST or None,
        action=action,
        initial={
            "status": action.status,
            "owner": action.owner_id,
            "due_on": action.due_on,
            "notes": action.notes,
            "dropped_reason": action.dropped_reason,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_action(action=action, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, gettext("Saved."))
            return redirect("actions:detail", action_id=action.pk)
    today = timezone.localdate()
    comparison = before_after(action, reach=reach, today=today)
    record(
        organisation=action.organisation_id,
        user=request.user,
        action=AuditEvent.Action.VIEWED,
        scope=action.unit.name,
        detail=f"Before and after for the action “{action.title}” ({action.domain.name})",
    )
    return render(
        request,
        "actions/detail.html",
        {
            "action": action,
            "form": form,
            "escalate_form": EscalateForm(action=action),
            "overdue": is_overdue(action, today=today),
            "comparison": comparison,
            "k": action.organisation.anonymity_threshold,
            "path": readable_paths(action.organisation).get(action.unit_id, action.unit.name),
        },
    )


@login_required
@require_POST
def action_escalate(request: AuthenticatedHttpRequest, action_id: int) -> HttpResponse:
    action = get_action_for(request.user, action_id)
    form = EscalateForm(request.POST, action=action)
    if form.is_valid():
        try:
            services.escalate_action(
                action=action, to=form.cleaned_data["to"], note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request,
                gettext("Escalated to %(unit)s; its leaders now see this action.")
                % {"unit": form.cleaned_data["to"].name},
            )
    else:
        messages.error(request, gettext("Choose a unit to escalate to."))
    return redirect("actions:detail", action_id=action.pk)


@login_required
def library(request: AuthenticatedHttpRequest) -> HttpResponse:
    reach = reach_of(request.user)
    if reach.organisation is None:
        raise Http404("You have no role in an organisation.")
    domains = list(Domain.objects.conditions())
    wanted = request.GET.get("domain", "")
    if wanted and wanted not in {d.code for d in domains}:
        raise Http404("No such domain.")
    unit = get_unit_for(request.user, request.GET["unit"]) if request.GET.get("unit") else None
    interventions = list(interventions_for(reach))
    language = translation.get_language()
    sections = [
        (domain, [(i, i.wording_in(language)) for i in interventions if i.domain_id == domain.pk])
        for domain in domains
        if not wanted or domain.code == wanted
    ]
    return render(
        request,
        "actions/library.html",
        {
            "sections": sections,
            "unit": unit,
            "domain_code": wanted,
            "domains": domains,
            "can_edit": reach.is_org_admin,
            "cycle_id": request.GET.get("cycle", ""),
        },
    )


@login_required
def intervention_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = require_org_admin(request.user)
    form = InterventionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        intervention = services.add_intervention(organisation=organisation, **form.cleaned_data)
        messages.success(
            request,
            gettext("Added “%(title)s” to your library.") % {"title": intervention.title},
        )
        return redirect("actions:library")
    return render(
        request,
        "actions/intervention_form.html",
        {"form": form, "title": gettext("Add an intervention")},
    )


@login_required
def intervention_edit(request: AuthenticatedHttpRequest, intervention_id: int) -> HttpResponse:
    intervention = get_intervention_for(request.user, intervention_id, edit=True)
    form = InterventionForm(request.POST or None, instance=intervention)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("Saved “%(title)s”.") % {"title": intervention.title})
        return redirect("actions:library")
    return render(
        request,
        "actions/intervention_form.html",
        {"form": form, "title": gettext("Change %(title)s") % {"title": intervention.title}},
    )
