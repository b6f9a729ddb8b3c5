"""Forms for the leaders who answer voice issues (signed in): answering, escalating, hiding."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from organisations.forms import ScopedChoiceField
from organisations.models import Unit
from voice.forms import PlainTextField
from voice.models import VoiceIssue

ANSWER_MAX_LENGTH = 2000


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, s.label) for s in VoiceIssue.ANSWER_STATUSES],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a status.")},
    )
    answer = PlainTextField(
        label=_("Answer to the team"),
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the team's voice board: what you heard and what will happen."),
        error_messages={"required": _("Write the answer the team will read.")},
    )
    status_reason = PlainTextField(
        label=_("Why it is not possible"),
        required=False,
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the status is “Not possible”. Shown on the board."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("status") == VoiceIssue.Status.NOT_POSSIBLE
            and not (data.get("status_reason") or "").strip()
        ):
            self.add_error(
                "status_reason", _("Say why it is not possible: the team will read the reason.")
            )
        return data


class EscalateForm(forms.Form):
    to = ScopedChoiceField(
        queryset=Unit.objects.none(),
        label=_("Escalate to"),
        empty_label=_("Choose a unit"),
        help_text=_(
            "The unit above that owns the lever (for example IT, recruitment or caseload policy)."
        ),
        error_messages={"required": _("Choose the unit to escalate the issue to.")},
    )

    def __init__(self, *args: Any, targets: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, ScopedChoiceField)
        field.queryset = targets


class HideForm(forms.Form):
    reason = PlainTextField(
        label=_("Reason shown to the team in place of the issue"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "For example: “It named a colleague. Please raise it again without naming anyone.”"
        ),
        error_messages={"required": _("Give the reason the team will see in place of the issue.")},
    )
