"""Forms for the public voice board: raising an issue. Staff read every string here, so each
is in the Welsh catalogue (tests/test_translations.py); the forms of the leaders who answer
are in voice/manage_forms.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from voice.models import ISSUE_TEXT_MAX_LENGTH, VoiceIssue

NO_NAMES_WARNING = _(
    "Describe the issue for the team. Please do not name or describe individual people."
)


class PlainTextField(forms.CharField):
    """Text whose line breaks count once, as the browser counted them (it sends CR LF)."""

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        return text.replace("\r\n", "\n") if isinstance(text, str) else text


class RaiseIssueForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What is the issue about?"),
        choices=VoiceIssue.Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the issue is about.")},
    )
    text = PlainTextField(
        label=_("The issue"),
        max_length=ISSUE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=format_lazy("{} {}", NO_NAMES_WARNING, _("Up to 1,000 characters.")),
        error_messages={
            "required": _("Describe the issue."),
            "max_length": _("Keep the issue to 1,000 characters or fewer (it has %(show_value)d)."),
        },
    )
