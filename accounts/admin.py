from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from accounts.models import User
from organisations.selectors import left_without_admin
from organisations.services import check_can_switch_off, delete_account, switch_off_account


class OperatorUserChangeForm(UserChangeForm[User]):
    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if self.instance.pk and self.instance.is_active and cleaned.get("is_active") is False:
            check_can_switch_off(user=self.instance)
        return cleaned


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = OperatorUserChangeForm
    ordering = ["email"]
    list_display = [
        "email",
        "display_name",
        "organisations",
        "is_active",
        "is_staff",
        "date_joined",
    ]
    list_filter = ["is_active", "is_staff", "memberships__organisation"]
    search_fields = ["email", "display_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name",)}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "display_name", "password1", "password2")},
        ),
    )
    filter_horizontal = ("groups",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("memberships__organisation")

    @admin.display(description="Organisations")
    def organisations(self, user: User) -> str:
        """Where the account has a role: an operator hosting several organisations tells them
        apart by it."""
        names = sorted({m.organisation.name for m in user.memberships.all()})
        return ", ".join(names) or "none"

    # Deleting an account removes its roles: through the service, so each removal is in the
    # organisation's audit log, and never every organisation admin of an organisation.
    def get_deleted_objects(
        self, objs: Sequence[User] | QuerySet[User], request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[Any]]:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for organisation in left_without_admin(objs):
            protected.append(
                f"{organisation.name} would be left without an organisation admin: "
                "give someone else that role first"
            )
        return deleted, counts, perms_needed, protected

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if change and "is_active" in form.changed_data and not obj.is_active:
            switch_off_account(user=obj)  # checks again under the organisations' locks
        super().save_model(request, obj, form, change)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:  # the service refused after the form's check passed
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        delete_account(user=obj, actor=request.user)  # type: ignore[arg-type]

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            delete_account(user=user, actor=request.user)  # type: ignore[arg-type]

    # The confirmation page's check reads without a lock; the service checks again under the
    # organisation's lock. If an organisation admin lost their role in between, the service
    # refuses: say so, with nothing deleted, rather than fail with a server error.
    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)  # rolled back on error
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method != "POST":
            return super().changelist_view(request, extra_context)
        try:
            with transaction.atomic():  # the bulk delete logs each deletion before deleting
                return super().changelist_view(request, extra_context)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
