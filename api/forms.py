"""The form that makes a token."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from diagnostics.forms import DateInput

DEFAULT_LIFE = timedelta(days=90)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("What will use it, so you know which to revoke: “Power BI workforce report”."),
    )
    expires_on = forms.DateField(
        label=_("Stops working after"),
        widget=DateInput,
        help_text="",
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        longest = today + timedelta(days=settings.API_TOKEN_MAX_DAYS)
        field = self.fields["expires_on"]
        field.initial = today + DEFAULT_LIFE
        field.help_text = ngettext(
            "Required: at most %(days)s day ahead (%(date)s). Make a new token before then.",
            "Required: at most %(days)s days ahead (%(date)s). Make a new token before then.",
            settings.API_TOKEN_MAX_DAYS,
        ) % {"days": settings.API_TOKEN_MAX_DAYS, "date": date_format(longest, "j F Y")}
        field.widget.attrs.update({"min": today.isoformat(), "max": longest.isoformat()})
