"""The platform operator's admin for an organisation's OpenID Connect sign-in."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from organisations.models import Organisation, SingleSignOn
from organisations.sign_on import SignOnUnavailable, client_secret, discover, encrypt_secret


class SingleSignOnForm(forms.ModelForm):
    new_client_secret = forms.CharField(
        label="Client secret to store (encrypted)",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=(
            "Leave empty to keep the stored secret. Stored encrypted with SSO_SECRETS_KEY and "
            "never shown again. Not needed when the secret comes from an environment variable."
        ),
    )

    issuer = forms.URLField(
        max_length=500,
        assume_scheme="https",
        help_text=SingleSignOn._meta.get_field("issuer").help_text,
    )

    class Meta:
        model = SingleSignOn
        fields = [
            "organisation",
            "issuer",
            "client_id",
            "client_secret_env_var",
            "email_domains",
            "enabled",
            "required",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        new_secret = cleaned.get("new_client_secret", "")
        env_var = cleaned.get("client_secret_env_var", "")
        has_stored = bool(self.instance.client_secret_encrypted)
        if env_var and new_secret:
            raise forms.ValidationError(
                "Give either an environment variable or a secret to store, not both."
            )
        if not env_var and not new_secret and not has_stored:
            raise forms.ValidationError(
                "Give the client secret's environment variable, or a secret to store."
            )
        if new_secret:
            try:
                self.instance.client_secret_encrypted = encrypt_secret(new_secret)
            except SignOnUnavailable as error:
                raise forms.ValidationError(str(error)) from error
        elif env_var:
            self.instance.client_secret_encrypted = ""  # nosec B105: clears the stored secret
        if cleaned.get("required") and cleaned.get("enabled") and cleaned.get("issuer"):
            self._check_usable(cleaned["issuer"], env_var)
        return cleaned

    def _check_usable(self, issuer: str, env_var: str) -> None:
        """Required turns members' passwords off: only for a provider that can sign them in,
        or a typing slip would lock the whole organisation out."""
        try:
            # The secret as sign-in will read it, from the values this form is saving.
            client_secret(
                SingleSignOn(
                    client_secret_env_var=env_var,
                    client_secret_encrypted=self.instance.client_secret_encrypted,
                )
            )
            discover(issuer, fresh=True)
        except SignOnUnavailable as error:
            raise forms.ValidationError(
                "“Required for members” would lock this organisation's members out, because "
                f"sign-in through the provider cannot work yet: {error} Save it without "
                "“Required”, check that members can sign in, then require it."
            ) from error


@admin.register(SingleSignOn)
class SingleSignOnAdmin(admin.ModelAdmin):
    form = SingleSignOnForm
    list_display = ["organisation", "issuer", "enabled", "required", "secret_source"]
    list_select_related = ["organisation"]

    @admin.display(description="client secret")
    def secret_source(self, sign_on: SingleSignOn) -> str:
        if sign_on.client_secret_env_var:
            return f"from ${sign_on.client_secret_env_var}"
        return "stored, encrypted" if sign_on.client_secret_encrypted else "missing"

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Shows the two addresses to register at the provider, as this site is reached. The
        redirect URI is the organisation's own (before it is chosen, its slug stands in)."""
        sign_on = self.get_object(request, object_id) if object_id else None
        slug = sign_on.organisation.slug if sign_on else "ORGANISATION-SLUG"
        addresses = {
            "redirect_uri": request.build_absolute_uri(reverse("sign_on:callback", args=[slug])),
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("accounts:logout")),
        }
        return super().changeform_view(
            request, object_id, form_url, {**(extra_context or {}), "addresses": addresses}
        )

    def save_model(self, request: HttpRequest, obj: SingleSignOn, form: Any, change: bool) -> None:
        """Saves, then reads the provider's discovery document afresh and says what it found,
        so a mistyped issuer shows here rather than on members' sign-in pages."""
        super().save_model(request, obj, form, change)
        try:
            endpoints = discover(obj.issuer, fresh=True)
        except SignOnUnavailable as error:
            messages.warning(
                request,
                f"Saved, but sign-in through {obj.issuer} will fail until this is put right: "
                f"{error}",
            )
            return
        if endpoints.end_session_endpoint:
            messages.info(
                request,
                "The provider's discovery document was read. Signing out of SWORD will also "
                "sign people out of the provider.",
            )
        else:
            messages.warning(
                request,
                "The provider's discovery document was read, but it names no end-session "
                "endpoint: signing out of SWORD will not sign people out of the provider, so "
                "on a shared computer the next person could sign in as the last one.",
            )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """The operator sets what the benchmark narrows by; everything else is the org admin's."""

    list_display = ["name", "slug", "kind", "size_band", "benchmark_opt_in"]
    list_filter = ["kind", "size_band", "benchmark_opt_in"]
    search_fields = ["name", "slug"]
    fields = ["name", "slug", "kind", "size_band", "benchmark_opt_in", "benchmark_compare_with"]
    readonly_fields = ["name", "slug", "benchmark_opt_in", "benchmark_compare_with"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
