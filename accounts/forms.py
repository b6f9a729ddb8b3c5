from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _


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
            "again; after several failed attempts sign-in is paused for a while."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class InclusivePasswordResetForm(PasswordResetForm):
    """Password reset that also reaches invited people who have not chosen a password yet."""

    def get_users(self, email: str) -> Iterator[Any]:
        return iter(
            get_user_model()._default_manager.filter(email__iexact=email.strip(), is_active=True)
        )
