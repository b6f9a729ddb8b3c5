"""Forms for actions and the interventions library."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from actions.models import Action, Intervention
from actions.selectors import possible_owners
from diagnostics.forms import DateInput
from diagnostics.models import Cycle, Domain
from organisations.forms import ScopedChoiceField
from organisations.models import Unit
from organisations.selectors import units_above

DEFAULT_WEEKS_TO_DUE = 6


DESCRIPTION_MAX_LENGTH = 4000
REASON_MAX_LENGTH = 1000
NOTES_MAX_LENGTH = 10000


class ActionForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=160,
        help_text=_("A short, concrete description of the change."),
    )
    domain = forms.ModelChoiceField(
        label=_("Domain"), queryset=Domain.objects.conditions(), empty_label=None
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What will be done, by whom, and how you will know it worked."),
    )
    owner = ScopedChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        help_text=_("Who makes sure it happens."),
    )
    due_on = forms.DateField(label=_("Due by"), widget=DateInput)
    cycle = ScopedChoiceField(
        queryset=Cycle.objects.none(),
        required=False,
        label=_("Prompted by"),
        help_text=_("The results that prompted this action, for the before-and-after comparison."),
    )

    def __init__(self, *args: Any, unit: Unit, cycles: list[Cycle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, ScopedChoiceField)
        owner.queryset = possible_owners(unit)
        cycle = self.fields["cycle"]
        assert isinstance(cycle, ScopedChoiceField)
        cycle.queryset = Cycle.objects.filter(pk__in=[c.pk for c in cycles]).order_by("-opens_on")
        self.fields["due_on"].initial = timezone.localdate() + timedelta(weeks=DEFAULT_WEEKS_TO_DUE)

    def clean_due_on(self) -> Any:
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError(_("The due date is in the past."))
        return due_on


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=Action.Status.choices, widget=forms.RadioSelect
    )
    dropped_reason = forms.CharField(
        required=False,
        max_length=REASON_MAX_LENGTH,
        label=_("Why was it dropped?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the status is “Dropped”."),
    )
    owner = ScopedChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_on = forms.DateField(label=_("Due by"), widget=DateInput)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Progress so far."),
    )

    def __init__(self, *args: Any, action: Action, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, ScopedChoiceField)
        owner.queryset = possible_owners(action.unit, action.escalated_to)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("status") == Action.Status.DROPPED
            and not (data.get("dropped_reason") or "").strip()
        ):
            self.add_error("dropped_reason", _("Say why the action was dropped."))
        return data


class EscalateForm(forms.Form):
    to = ScopedChoiceField(
        queryset=Unit.objects.none(),
        label=_("Escalate to"),
        empty_label=_("Choose a unit"),
        help_text=_(
            "The unit above that owns the lever (for example IT, recruitment or caseload policy)."
        ),
        error_messages={"required": _("Choose the unit to escalate the action to.")},
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Why"))

    def __init__(self, *args: Any, action: Action, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, ScopedChoiceField)
        field.queryset = units_above(action.escalated_to or action.unit)


class InterventionForm(forms.ModelForm[Intervention]):
    class Meta:
        model = Intervention
        fields = ["domain", "kind", "lever", "title", "what", "why", "measure"]
        widgets = {
            "kind": forms.RadioSelect,
            "lever": forms.RadioSelect,
            "what": forms.Textarea(attrs={"rows": 3}),
            "why": forms.Textarea(attrs={"rows": 3}),
            "measure": forms.Textarea(attrs={"rows": 2}),
        }
