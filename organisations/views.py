"""Organisation admin pages: structure, people and settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from organisations import services
from organisations.access import get_membership_for, get_unit_for, require_org_admin
from organisations.audit import log_rows
from organisations.forms import (
    AddUnitForm,
    AuditFilterForm,
    ChangeRoleForm,
    ImportCheckForm,
    ImportConfirmForm,
    InviteForm,
    OrganisationSettingsForm,
    PeopleImportConfirmForm,
    PeopleSearchForm,
    RenameUnitForm,
    bound_unless_finding,
)
from organisations.models import Organisation, Role
from organisations.selectors import (
    archive_consequences,
    audit_events,
    breadcrumbs,
    memberships_matching,
    people_file_rows,
    people_with_a_role,
    readable_paths,
    root_of,
    structure_file_rows,
    structure_rows,
    units_inside,
)
from sword.csvsafe import csv_attachment
from sword.pages import Confirmation, confirm_page, error_text, run_service
from sword.paging import page_of
from sword.ratelimits import over_limit_for

R = TypeVar("R")

# A larger structure is shown a few levels at a time, each unit cut off linking to its own.
STRUCTURE_UNITS_SHOWN = 250


@login_required
def structure(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = require_org_admin(request.user)
    root = root_of(organisation)
    wanted = request.GET.get("unit")
    top = get_unit_for(request.user, wanted, role=Role.ORG_ADMIN) if wanted else root
    rows = structure_rows(top, limit=STRUCTURE_UNITS_SHOWN)
    # A unit's own children are always shown: more of them than fit, a page at a time.
    children = page_of(rows[1:], request) if len(rows) > STRUCTURE_UNITS_SHOWN else None
    return render(
        request,
        "organisations/structure.html",
        {
            "organisation": organisation,
            "rows": [rows[0], *children.object_list] if children else rows,
            "page": children,
            "root": root,
            "top": top,
            "crumbs": breadcrumbs(top)[:-1],
        },
    )


@login_required
def structure_file(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The structure as the import reads it, to change and import again."""
    organisation = require_org_admin(request.user)
    return csv_attachment(
        structure_file_rows(organisation), filename=f"structure-{organisation.slug}.csv"
    )


@login_required
def structure_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Units from a CSV file, in two steps: the file is checked and what it would add shown,
    then imported when the admin confirms. Nothing changes unless every line is right."""
    organisation = require_org_admin(request.user)

    def run(content: str) -> services.StructureImportResult:
        return services.import_structure(organisation_slug=organisation.slug, content=content)

    return _import_page(
        request,
        kind="structure",
        run=run,
        confirm_form=ImportConfirmForm,
        done=lambda result, _form: (
            ngettext("Added %(count)s unit.", "Added %(count)s units.", result.created_units)
            % {"count": number_format(result.created_units, force_grouping=True)}
            if result.created_units
            else gettext("Every unit in the file was already there: nothing changed.")
        ),
        back="organisations:structure",
    )


@login_required
def people_file(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every role as the import reads it, to change and import again."""
    organisation = require_org_admin(request.user)
    return csv_attachment(
        people_file_rows(organisation), filename=f"people-{organisation.slug}.csv"
    )


@login_required
def people_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Roles from a CSV file, checked and shown before they are given, like the structure's."""
    organisation = require_org_admin(request.user)
    confirmed = PeopleImportConfirmForm(request.POST) if "content" in request.POST else None
    send_links = bool(confirmed and confirmed.is_valid() and confirmed.cleaned_data["send_links"])

    def run(content: str) -> services.UsersImportResult:
        return services.import_people(
            organisation=organisation, content=content, actor=request.user, send_links=send_links
        )

    def done(result: services.UsersImportResult, form: forms.Form) -> str:
        given = result.memberships + result.changed_roles
        if not given:
            return (
                gettext("Everyone in the file already had that role; the names are updated.")
                if result.changes
                else gettext("Everyone in the file already had that role: nothing changed.")
            )
        words = ngettext(
            "Gave or changed %(count)s role.", "Gave or changed %(count)s roles.", given
        ) % {"count": number_format(given, force_grouping=True)}
        if form.cleaned_data["send_links"] and given:
            words += " " + gettext("Each person given one was e-mailed it.")
        return words

    return _import_page(
        request,
        kind="people",
        run=run,
        confirm_form=PeopleImportConfirmForm,
        done=done,
        back="organisations:people",
    )


def _import_page(
    request: AuthenticatedHttpRequest,
    *,
    kind: str,
    run: Callable[[str], R],
    confirm_form: type[ImportConfirmForm],
    done: Callable[[R, forms.Form], str],
    back: str,
) -> HttpResponse:
    """The two steps of an import page: a file to check (its errors, or what it would do, run
    and undone), then the checked text, confirmed, run for good."""
    check = ImportCheckForm()
    errors: list[str] = []
    preview: R | None = None
    confirm: ImportConfirmForm | None = None
    if request.method == "POST" and "content" in request.POST:
        confirmed = confirm_form(request.POST)
        if not confirmed.is_valid():
            errors = [gettext("The checked file did not come back whole. Check it again.")]
        else:
            try:
                result = run(confirmed.cleaned_data["content"])
            except services.ImportFailed as exc:
                errors = exc.errors  # something changed since it was checked
            else:
                messages.success(request, done(result, confirmed))
                return redirect(back)
    elif request.method == "POST":
        check = ImportCheckForm(request.POST, request.FILES)
        if check.is_valid():
            content = check.cleaned_data["file"]
            try:
                preview = services.previewed(lambda: run(content))
            except services.ImportFailed as exc:
                errors = exc.errors
            else:
                confirm = confirm_form(initial={"content": content})
    return render(
        request,
        f"organisations/import_{kind}.html",
        {
            "check": check,
            "confirm": confirm,
            "preview": preview,
            "errors": errors,
        },
        status=400 if errors or check.errors else 200,
    )


@login_required
def unit_add(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    parent = get_unit_for(request.user, unit_id, role=Role.ORG_ADMIN)
    form = AddUnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.add_unit(
                parent=parent, name=form.cleaned_data["name"], is_team=form.cleaned_data["is_team"]
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(
                request,
                gettext("Added “%(unit)s” to “%(parent)s”.")
                % {"unit": unit.name, "parent": parent.name},
            )
            return redirect("organisations:structure")
    return render(
        request,
        "organisations/unit_form.html",
        {
            "form": form,
            "unit": parent,
            "title": gettext("Add a unit to %(unit)s") % {"unit": parent.name},
            "button": gettext("Add"),
        },
    )


@login_required
def unit_rename(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    unit = get_unit_for(request.user, unit_id, role=Role.ORG_ADMIN)
    form = RenameUnitForm(request.POST or None, initial={"name": unit.name})
    if request.method == "POST" and form.is_valid():
        old_name = unit.name
        try:
            services.rename_unit(unit=unit, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form.add_error("name", error_text(exc))
        else:
            messages.success(
                request,
                gettext("Renamed “%(old)s” to “%(new)s”.") % {"old": old_name, "new": unit.name},
            )
            return redirect("organisations:structure")
    return render(
        request,
        "organisations/unit_form.html",
        {
            "form": form,
            "unit": unit,
            "title": gettext("Rename %(unit)s") % {"unit": unit.name},
            "button": gettext("Rename"),
        },
    )


@login_required
def unit_archive(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    unit = get_unit_for(request.user, unit_id, role=Role.ORG_ADMIN)
    if request.method == "POST":
        try:
            count = services.archive_unit(unit=unit)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request,
                ngettext(
                    "Archived “%(unit)s” (%(count)s unit). Its results stay available.",
                    "Archived “%(unit)s” (%(count)s units). Its results stay available.",
                    count,
                )
                % {"unit": unit.name, "count": number_format(count, force_grouping=True)},
            )
        return redirect("organisations:structure")
    consequences = archive_consequences(unit)
    body = gettext(
        "Archiving hides the unit and everything inside it from new cycles and role "
        "choices. All results, actions and issues are kept, and you can restore it later."
    )
    if consequences.open_cycles:
        body += " " + gettext(
            "Its teams are still in these cycles, open or yet to open, which go on as they "
            "are: %(cycles)s. Close or delete them first if the teams no longer run."
        ) % {"cycles": ", ".join(consequences.open_cycles)}
    if consequences.people_with_roles:
        body += " " + ngettext(
            "%(count)s person holds a role here and keeps it: move or remove it on the People "
            "page.",
            "%(count)s people hold roles here and keep them: move or remove them on the People "
            "page.",
            consequences.people_with_roles,
        ) % {"count": number_format(consequences.people_with_roles, force_grouping=True)}
    return confirm_page(
        request,
        Confirmation(
            title=gettext("Archive %(unit)s?") % {"unit": unit.name},
            body=body,
            button=gettext("Archive"),
            button_class="btn-warning",
            cancel_url=reverse("organisations:structure"),
        ),
    )


@login_required
@require_POST
def unit_restore(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    unit = get_unit_for(request.user, unit_id, role=Role.ORG_ADMIN)
    run_service(
        request,
        lambda: services.restore_unit(unit=unit),
        done=gettext("Restored “%(unit)s”.") % {"unit": unit.name},
    )
    return redirect("organisations:structure")


@login_required
def unit_delete(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    unit = get_unit_for(request.user, unit_id, role=Role.ORG_ADMIN)
    has_data = services.unit_has_data(unit)
    inside = [] if has_data else units_inside(unit)
    if request.method == "POST":
        run_service(
            request,
            lambda: services.delete_unit(unit=unit),
            done=gettext("Deleted “%(unit)s”.") % {"unit": unit.name},
        )
        return redirect("organisations:structure")
    return confirm_page(
        request,
        Confirmation(
            title=(
                gettext("%(unit)s cannot be deleted") if has_data else gettext("Delete %(unit)s?")
            )
            % {"unit": unit.name},
            body=(
                gettext(
                    "This unit or a unit inside it has data (roles, cycles, responses or "
                    "actions), so it cannot be deleted. You can archive it instead."
                )
                if has_data
                else ngettext(
                    "This unit has never held any data. Deleting it removes it and the empty "
                    "unit inside it for good:",
                    "This unit has never held any data. Deleting it removes it and the %(count)s "
                    "empty units inside it for good:",
                    len(inside),
                )
                % {"count": len(inside)}
                if inside
                else gettext("This unit has never held any data. Deleting it removes it for good.")
            ),
            listed=tuple(inside),
            button=None if has_data else gettext("Delete"),
            button_class="btn-danger",
            cancel_url=reverse("organisations:structure"),
            instead=(
                (
                    gettext("Archive it instead"),
                    reverse("organisations:unit_archive", args=[unit.pk]),
                )
                if has_data and not unit.is_archived
                else None
            ),
        ),
    )


@login_required
def people(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = require_org_admin(request.user)
    search = PeopleSearchForm(request.GET)
    wanted = search.cleaned_data["q"].strip() if search.is_valid() else ""
    page = page_of(memberships_matching(organisation=organisation, wanted=wanted), request)
    paths = readable_paths(organisation)
    rows = [(membership, paths[membership.unit_id]) for membership in page.object_list]
    return render(
        request,
        "organisations/people.html",
        {
            "organisation": organisation,
            "rows": rows,
            "page": page,
            "search": search,
            "wanted": wanted,
            "everyone": people_with_a_role(organisation=organisation),
        },
    )


@login_required
def people_invite(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = require_org_admin(request.user)
    form = InviteForm(**bound_unless_finding(request), organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invite_colleague(
                email=form.cleaned_data["email"],
                display_name=form.cleaned_data["display_name"],
                role=form.cleaned_data["role"],
                unit=form.cleaned_data["unit"],
                invited_by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(
                request,
                gettext(
                    "%(email)s is now %(role)s at %(unit)s. We e-mailed them a link to sign in."
                )
                % {
                    "email": membership.user.email,
                    "role": membership.get_role_display().lower(),
                    "unit": membership.unit.name,
                },
            )
            return redirect("organisations:people")
    return render(request, "organisations/invite.html", {"form": form})


@login_required
def membership_edit(request: AuthenticatedHttpRequest, membership_id: int) -> HttpResponse:
    membership = get_membership_for(request.user, membership_id)
    organisation = require_org_admin(request.user)
    form = ChangeRoleForm(
        **bound_unless_finding(
            request,
            initial={
                "display_name": membership.user.display_name,
                "role": membership.role,
                "unit": membership.unit_id,
            },
        ),
        organisation=organisation,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(
                membership=membership,
                display_name=form.cleaned_data["display_name"],
                role=form.cleaned_data["role"],
                unit=form.cleaned_data["unit"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(
                request, gettext("Saved %(name)s's details.") % {"name": membership.user}
            )
            return redirect("organisations:people")
    return render(
        request, "organisations/membership_form.html", {"form": form, "membership": membership}
    )


@login_required
@require_POST
def membership_invite_again(request: AuthenticatedHttpRequest, membership_id: int) -> HttpResponse:
    """E-mail someone who has not signed in yet their link again (one made by `import_users`
    was never sent one)."""
    membership = get_membership_for(request.user, membership_id)
    require_org_admin(request.user)
    if over_limit_for(
        request,
        group="invite-again",
        subject=f"user:{membership.user_id}",
        rate=settings.INVITE_AGAIN_RATE,
    ):
        messages.error(
            request,
            gettext(
                "%(email)s has already been sent several sign-in links recently. Ask them to "
                "look for those (in their junk mail too), or try again later."
            )
            % {"email": membership.user.email},
        )
        return redirect("organisations:people")
    services.send_invitation(membership=membership, invited_by=request.user)
    messages.success(
        request,
        gettext("We e-mailed %(email)s a link to sign in.") % {"email": membership.user.email},
    )
    return redirect("organisations:people")


@login_required
def membership_remove(request: AuthenticatedHttpRequest, membership_id: int) -> HttpResponse:
    membership = get_membership_for(request.user, membership_id)
    if request.method == "POST":
        try:
            services.remove_membership(
                membership=membership,
                actor=request.user,
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request,
                gettext("Removed %(name)s's access at %(unit)s.")
                % {"name": membership.user, "unit": membership.unit.name},
            )
        return redirect("organisations:people")
    return confirm_page(
        request,
        Confirmation(
            title=gettext("Remove %(name)s's access?") % {"name": membership.user},
            body=gettext(
                "%(name)s will no longer be %(role)s at %(unit)s. Actions they own keep their "
                "owner until reassigned."
            )
            % {
                "name": membership.user,
                "role": membership.get_role_display().lower(),
                "unit": membership.unit.name,
            },
            button=gettext("Remove access"),
            button_class="btn-danger",
            cancel_url=reverse("organisations:people"),
        ),
    )


@login_required
def organisation_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = require_org_admin(request.user)
    form = OrganisationSettingsForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(
                organisation=Organisation.objects.get(pk=organisation.pk),
                values=form.setting_values(),
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, gettext("Settings saved."))
            return redirect("organisations:settings")
    return render(
        request,
        "organisations/settings.html",
        {"form": form, "reminders_available": bool(settings.REMINDER_ADDRESS_KEY)},
    )


@login_required
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = require_org_admin(request.user)
    form = AuditFilterForm(request.GET or None)
    page = None
    if not form.is_bound or form.is_valid():
        filters = form.cleaned_data if form.is_bound else {}
        events = audit_events(
            organisation=organisation,
            action=filters.get("action", ""),
            who=filters.get("who", ""),
            since=filters.get("since"),
            until=filters.get("until"),
        )
        page = Paginator(events, 50).get_page(request.GET.get("page"))
    filtered = form.is_bound and any(form.data.get(name, "").strip() for name in form.fields)
    rows = log_rows(page.object_list) if page else []
    return render(
        request,
        "organisations/audit.html",
        {"form": form, "page": page, "rows": rows, "filtered": filtered},
    )
