from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

_REFUSED_FOR_PROVIDER = "_sword_password_refused_for_provider"


def refuse_password_for_provider(request: HttpRequest | None) -> None:
    """Mark this sign-in as refused because the person's organisation signs them in through its
    provider, so the form says so instead of "do not match". Call it only once the password is
    known to be right: said to anyone who typed an address, it would tell them who is a member."""
    if request is not None:
        setattr(request, _REFUSED_FOR_PROVIDER, True)


class EmailAuthenticationForm(AuthenticationForm):
    """Sign-in with an e-mail address; the field keeps Django's name `username`."""

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "That e-mail address and password do not match an account. Check both and try "
            "again; after several failed attempts sign-in is paused for a while. If your "
            "organisation signs you in through its own account system, continue with it below."
        ),
        "provider_only": _(
            "Your organisation signs its members in through its own account system, not with a "
            "password here. Enter your work e-mail address below and continue with your "
            "organisation's account."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"

    def get_invalid_login_error(self) -> ValidationError:
        if getattr(self.request, _REFUSED_FOR_PROVIDER, False):
            return ValidationError(self.error_messages["provider_only"], code="provider_only")
        return super().get_invalid_login_error()


class InclusivePasswordResetForm(PasswordResetForm):
    """Password reset that also reaches invited people who have not chosen a password yet."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def get_users(self, email: str) -> Iterator[Any]:
        return iter(
            get_user_model()._default_manager.filter(email__iexact=email.strip(), is_active=True)
        )
