"""Forms for the organisation admin pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from organisations.models import AuditEvent, CompareWith, Organisation, Role, Unit
from organisations.selectors import readable_paths, root_of


class ScopedChoiceField(forms.ModelChoiceField[Any]):
    """A choice from a list scoped to what the user may reach.

    A value outside the list (a forged or stale id) is a 404, like a URL pointing there, rather
    than a quiet form error: objects out of reach are not acknowledged to exist.
    """

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        try:
            return super().to_python(value)
        except forms.ValidationError as exc:
            raise Http404("No such choice.") from exc


class UnitInReachField(ScopedChoiceField):
    """A unit chosen from a list scoped to the user's reach, labelled with its readable path."""

    paths: Mapping[int, str] | None = None

    def scope(self, queryset: QuerySet[Unit], organisation: Organisation) -> None:
        self.queryset = queryset
        self.paths = readable_paths(organisation)

    def label_from_instance(self, obj: Unit) -> str:
        path = (self.paths or {}).get(obj.pk, obj.name)
        return gettext("%(path)s (team)") % {"path": path} if obj.is_team else path


class AddUnitForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("For example “Locality North” or “Team A”."),
    )
    is_team = forms.TypedChoiceField(
        label=_("What kind of unit is it?"),
        choices=[
            ("0", _("A unit that contains other units (directorate, service, locality)")),
            ("1", _("A team that answers surveys")),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="1",
    )


class RenameUnitForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("New name"))


class MoveUnitForm(forms.Form):
    new_parent = UnitInReachField(
        queryset=Unit.objects.none(),
        label=_("Move it under"),
        help_text=_("Everything inside the unit moves with it."),
    )

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        candidates = (
            Unit.objects.filter(organisation_id=unit.organisation_id, is_team=False)
            .active()
            .exclude(path__startswith=unit.path)
        )
        field = self.fields["new_parent"]
        assert isinstance(field, UnitInReachField)
        field.scope(candidates, unit.organisation)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    display_name = forms.CharField(
        max_length=120, label=_("Name"), help_text=_("How colleagues will see them.")
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Organisation admins hold their role at the organisation; leaders at a unit above "
            "teams; team managers at a team."
        ),
    )
    unit = UnitInReachField(queryset=Unit.objects.none(), label=_("Where"))

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, UnitInReachField)
        field.scope(Unit.objects.filter(organisation=organisation).active(), organisation)
        field.initial = root_of(organisation).pk


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, widget=forms.RadioSelect)
    unit = UnitInReachField(queryset=Unit.objects.none(), label=_("Where"))

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, UnitInReachField)
        field.scope(Unit.objects.filter(organisation=organisation).active(), organisation)


class OrganisationSettingsForm(forms.ModelForm[Organisation]):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "anonymity_threshold",
            "comment_threshold",
            "pulse_window_days",
            "drivers_minimum",
            "safety_contact",
            "survey_languages",
            "cycle_reminders",
            "reminder_days",
            "benchmark_opt_in",
            "benchmark_compare_with",
        ]
        widgets = {"safety_contact": forms.Textarea(attrs={"rows": 4})}
        # The fields whose model gives no label of its own (it would be the field's English name)
        labels = {
            "name": _("Name"),
            "comment_threshold": _("Comment threshold"),
            "safety_contact": _("Safety contact"),
        }
        error_messages = {
            "reminder_days": {
                "invalid": _("Give the days before closing as a whole number from 1 to 14."),
                "min_value": _("The reminder goes 1 to 14 days before a cycle closes."),
                "max_value": _("The reminder goes 1 to 14 days before a cycle closes."),
            }
        }

    survey_languages = forms.MultipleChoiceField(
        label=_("Languages surveys offer besides English"),
        choices=settings.LANGUAGES[1:],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=Organisation._meta.get_field("survey_languages").help_text,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The model's limits, checked with the field (so a threshold of 1000 is refused as
        # such, not as "lower than the comment threshold") and offered to the browser.
        for name in (
            "anonymity_threshold",
            "comment_threshold",
            "pulse_window_days",
            "reminder_days",
            "drivers_minimum",
        ):
            field = self.fields[name]
            model_field = Organisation._meta.get_field(name)
            assert isinstance(model_field, models.Field)
            for validator in model_field.validators:
                if isinstance(validator, MinValueValidator):
                    field.widget.attrs["min"] = validator.limit_value
                    field.validators.append(validator)
                elif isinstance(validator, MaxValueValidator):
                    field.widget.attrs["max"] = validator.limit_value
                    field.validators.append(validator)
        self.fields["reminder_days"].required = False
        self.fields["benchmark_compare_with"].required = False

    def clean_reminder_days(self) -> int:
        """Left empty, the days before closing stay as they were."""
        days = self.cleaned_data.get("reminder_days")
        return self.instance.reminder_days if days is None else int(days)

    def clean_benchmark_compare_with(self) -> str:
        # Scripts that post the older settings form leave it out: keep what is stored.
        value: str = self.cleaned_data.get("benchmark_compare_with") or ""
        return value or self.instance.benchmark_compare_with or CompareWith.ALL

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        k = data.get("anonymity_threshold")
        comments = data.get("comment_threshold")
        if k is not None and comments is not None and comments < k:
            self.add_error(
                "comment_threshold",
                gettext("The comment threshold cannot be lower than the anonymity threshold."),
            )
        return data


class PeopleSearchForm(forms.Form):
    """Finds people with a role by part of their name or e-mail address."""

    q = forms.CharField(label=_("Find by name or e-mail"), required=False, max_length=200)


class AuditFilterForm(forms.Form):
    """Narrows the audit log to one kind of event, one person or a span of days."""

    action = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Everything")), *AuditEvent.Action.choices],
    )
    who = forms.CharField(
        label=_("Who"),
        required=False,
        max_length=254,
        help_text=_("An e-mail address, or part of one."),
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("“From” must be on or before “To”."))
        return cleaned
