"""The form that makes a token."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings

from diagnostics.forms import DateInput

DEFAULT_LIFE = timedelta(days=90)


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        help_text="What will use it, so you know which to revoke: “Power BI workforce report”.",
    )
    expires_on = forms.DateField(
        label="Stops working after",
        widget=DateInput,
        help_text="",
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        longest = today + timedelta(days=settings.API_TOKEN_MAX_DAYS)
        field = self.fields["expires_on"]
        field.initial = today + DEFAULT_LIFE
        field.help_text = (
            f"Required: at most {settings.API_TOKEN_MAX_DAYS} days ahead "
            f"({longest:%-d %B %Y}). Make a new token before then."
        )
        field.widget.attrs.update({"min": today.isoformat(), "max": longest.isoformat()})
