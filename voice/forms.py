"""Forms for voice boards: raising an issue (public) and answering it (signed in)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from organisations.forms import ScopedChoiceField
from organisations.models import Unit
from voice.models import ISSUE_TEXT_MAX_LENGTH, VoiceIssue

ANSWER_MAX_LENGTH = 2000
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


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in VoiceIssue.ANSWER_STATUSES],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a status."},
    )
    answer = PlainTextField(
        label="Answer to the team",
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown on the team's voice board: what you heard and what will happen.",
        error_messages={"required": "Write the answer the team will read."},
    )
    status_reason = PlainTextField(
        label="Why it is not possible",
        required=False,
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when the status is “Not possible”. Shown on the board.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("status") == VoiceIssue.Status.NOT_POSSIBLE
            and not (data.get("status_reason") or "").strip()
        ):
            self.add_error(
                "status_reason", "Say why it is not possible: the team will read the reason."
            )
        return data


class EscalateForm(forms.Form):
    to = ScopedChoiceField(
        queryset=Unit.objects.none(),
        label="Escalate to",
        empty_label=None,
        help_text="The unit that owns the lever (for example IT, recruitment or caseload policy).",
    )

    def __init__(self, *args: Any, targets: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, ScopedChoiceField)
        field.queryset = targets


class HideForm(forms.Form):
    reason = PlainTextField(
        label="Reason shown to the team in place of the issue",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=(
            "For example: “It named a colleague. Please raise it again without naming anyone.”"
        ),
        error_messages={"required": "Give the reason the team will see in place of the issue."},
    )
