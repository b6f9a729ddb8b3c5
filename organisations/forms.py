"""Forms for the organisation admin pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import format_lazy
from django.utils.translation import get_language_info, gettext
from django.utils.translation import gettext_lazy as _

from organisations.models import AuditEvent, CompareWith, Organisation, Role, Unit
from organisations.selectors import UnitOffer, readable_paths, root_of, units_to_offer
from organisations.services import THRESHOLD_FIXED, has_opened_cycles
from sword.csvsafe import NotSpreadsheetText, spreadsheet_text


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


FIND_UNITS_BUTTON = "find_units"
FIND_UNITS_WORDS = "find_units_words"


class UnitChooser(forms.Select):
    """A list of units, and when the list holds only part of them, a search box and a “Find”
    button that lists the units whose name contains the words typed."""

    offer: UnitOffer | None = None

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        if self.offer is None or not self.offer.narrowed:
            return super().render(name, value, attrs, renderer)
        given = attrs or {}
        list_id = given.get("id", f"id_{name}")
        # The list holds part of the units: its description says which part, and how to find
        # the others.
        described_by = " ".join(filter(None, [given.get("aria-describedby"), f"{list_id}_offer"]))
        html = super().render(name, value, {**given, "aria-describedby": described_by}, renderer)
        finder = render_to_string(
            "includes/unit_finder.html",
            {
                "offer": self.offer,
                "list_id": list_id,
                "words_name": FIND_UNITS_WORDS,
                "button_name": FIND_UNITS_BUTTON,
            },
        )
        return format_html("{}{}", html, finder)  # both are safe: rendered templates


class UnitInReachField(ScopedChoiceField):
    """A unit chosen from a list scoped to the user's reach, labelled with its readable path.

    A list of more than `UNITS_LISTED_MAX` units offers the top levels and a search by name
    (`units_to_offer`); any unit in scope is still accepted, whether listed or not."""

    widget = UnitChooser
    default_error_messages = {"required": _("Choose a unit from the list.")}
    paths: Mapping[int, str] | None = None

    def scope(
        self, queryset: QuerySet[Unit], organisation: Organisation, *, form: forms.Form
    ) -> None:
        self.queryset = queryset
        self.paths = readable_paths(organisation)
        name = next(name for name, field in form.fields.items() if field is self)
        given = form.data if form.is_bound else {name: self.initial, **form.initial}
        chosen = _unit_id(given.get(name))
        assert isinstance(self.widget, UnitChooser)
        offer = units_to_offer(
            candidates=queryset, find=str(given.get(FIND_UNITS_WORDS, "")), chosen=chosen
        )
        if not form.is_bound and offer.selected != chosen:
            form.initial = {**form.initial, name: offer.selected}
        self.widget.offer = offer
        self.iterator = _OfferedUnits
        self.widget.choices = self.choices

    def label_from_instance(self, obj: Unit) -> str:
        path = (self.paths or {}).get(obj.pk, obj.name)
        return gettext("%(path)s (team)") % {"path": path} if obj.is_team else path


class _OfferedUnits(forms.models.ModelChoiceIterator):
    """The units a `UnitInReachField` lists: its offer, not its whole queryset."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        offer = self.field.widget.offer
        for unit in offer.units:
            yield self.choice(unit)

    def __len__(self) -> int:
        return len(self.field.widget.offer.units) + (self.field.empty_label is not None)


def _unit_id(value: Any) -> int | None:
    if isinstance(value, Unit):
        return value.pk
    if isinstance(value, int):
        return value
    text = str(value or "")
    return int(text) if text.isdecimal() and len(text) < 12 else None


def bound_unless_finding(
    request: HttpRequest, *, initial: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """`data` and `initial` for a form with a unit chooser: what was posted, to judge; or when
    the person pressed “Find”, no data and what they had entered as the initial values, so the
    page lists the units found with nothing lost and nothing marked wrong."""
    if request.method == "POST" and FIND_UNITS_BUTTON in request.POST:
        return {"data": None, "initial": {**(initial or {}), **request.POST.dict()}}
    return {"data": request.POST or None, "initial": initial}


class AddUnitForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("For example “Locality North” or “Team A”."),
        error_messages={"required": _("Give the unit a name.")},
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
        error_messages={
            "required": _("Choose whether it is a team or a unit that contains others.")
        },
    )


class RenameUnitForm(forms.Form):
    name = forms.CharField(
        max_length=200,
        label=_("New name"),
        error_messages={"required": _("Give the unit its new name.")},
    )


class MoveUnitForm(forms.Form):
    new_parent = UnitInReachField(
        queryset=Unit.objects.none(),
        label=_("Move it under"),
        help_text=_(
            "Everything inside the unit moves with it. Its part in cycles that have opened "
            "stays where it is now, with an archived unit of the same name: a cycle is read on "
            "the structure it opened with, so that a move never changes its figures. Codes "
            "already given out for those cycles still work, and whoever manages the unit "
            "still reads those results."
        ),
    )

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        candidates = (
            Unit.objects.filter(organisation_id=unit.organisation_id, is_team=False)
            .active()
            .exclude(path__startswith=unit.path)
            .exclude(path=unit.path[: -Unit.steplen])  # where it is already
        )
        field = self.fields["new_parent"]
        assert isinstance(field, UnitInReachField)
        field.scope(candidates, unit.organisation, form=self)


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        error_messages={
            "required": _("Give the e-mail address they sign in with."),
            "invalid": _("Give an e-mail address like name@example.org."),
        },
    )
    display_name = forms.CharField(
        max_length=120,
        label=_("Name"),
        help_text=_("How colleagues will see them."),
        error_messages={"required": _("Give their name, as colleagues will see it.")},
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the role they will hold.")},
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
        field.initial = root_of(organisation).pk
        field.scope(
            Unit.objects.filter(organisation=organisation).active(), organisation, form=self
        )


class ChangeRoleForm(forms.Form):
    display_name = forms.CharField(
        max_length=120,
        label=_("Name"),
        help_text=_("How colleagues will see them."),
        error_messages={"required": _("Give their name, as colleagues will see it.")},
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the role they will hold.")},
    )
    unit = UnitInReachField(queryset=Unit.objects.none(), label=_("Where"))

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, UnitInReachField)
        field.scope(
            Unit.objects.filter(organisation=organisation).active(), organisation, form=self
        )


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
            "name": {"required": _("Give the organisation's name.")},
            "reminder_days": {
                "invalid": _("Give the days before closing as a whole number from 1 to 14."),
                "min_value": _("The reminder goes 1 to 14 days before a cycle closes."),
                "max_value": _("The reminder goes 1 to 14 days before a cycle closes."),
            },
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
            if name not in (self._meta.error_messages or {}):
                # In the form's own words, with the limits it is checked against.
                words = gettext("Give a whole number from %(low)s to %(high)s.") % {
                    "low": number_format(field.widget.attrs["min"], force_grouping=True),
                    "high": number_format(field.widget.attrs["max"], force_grouping=True),
                }
                field.error_messages.update(invalid=words, min_value=words, max_value=words)
        self.fields["reminder_days"].required = False
        self.fields["benchmark_compare_with"].required = False
        names = self.instance.name_in_languages or {}
        own = self.instance.safety_contact_in_languages or {}
        for language, _name in settings.LANGUAGES[1:]:
            name = get_language_info(language)["name_translated"]
            self.fields[f"name_{language}"] = forms.CharField(
                label=gettext("Name in %(language)s") % {"language": name},
                required=False,
                max_length=200,
                initial=names.get(language, ""),
                help_text=gettext(
                    "What staff reading the survey, their team's results and its voice board "
                    "in %(language)s see. Leave it empty and they see the name above."
                )
                % {"language": name},
            )
            self.fields[f"safety_contact_{language}"] = forms.CharField(
                label=gettext("Safety contact in %(language)s") % {"language": name},
                required=False,
                max_length=2000,
                initial=own.get(language, ""),
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=gettext(
                    "Shown instead of the text above to staff reading in %(language)s. Leave it "
                    "empty and they read the text above: SWORD's own text in %(language)s, "
                    "yours as you wrote it."
                )
                % {"language": name},
            )
        if self.instance.pk and has_opened_cycles(self.instance):
            k = self.fields["anonymity_threshold"]
            k.disabled = True
            k.help_text = format_lazy("{} {}", k.help_text, THRESHOLD_FIXED)

    @property
    def name_fields(self) -> list[forms.BoundField]:
        return [self[f"name_{language}"] for language, _name in settings.LANGUAGES[1:]]

    @property
    def safety_contact_fields(self) -> list[forms.BoundField]:
        return [self[f"safety_contact_{language}"] for language, _name in settings.LANGUAGES[1:]]

    def setting_values(self) -> dict[str, Any]:
        """The settings as `services.update_settings` takes them."""
        values = {field: self.cleaned_data[field] for field in self.Meta.fields}
        values["name_in_languages"] = {
            language: name
            for language, _name in settings.LANGUAGES[1:]
            if (name := " ".join(self.cleaned_data[f"name_{language}"].split()))
        }
        values["safety_contact_in_languages"] = {
            language: text
            for language, _name in settings.LANGUAGES[1:]
            if (text := self.cleaned_data[f"safety_contact_{language}"].strip())
        }
        return values

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


MAX_IMPORT_BYTES = 1024 * 1024


def csv_upload_text(upload: Any) -> str:
    """An uploaded CSV file's text, saved as UTF-8 or as Excel's plain CSV; a clear error for
    a file too large or not text."""
    if upload.size > MAX_IMPORT_BYTES:
        raise forms.ValidationError(gettext("The file is too large: keep it under 1 MB."))
    try:
        return spreadsheet_text(upload.read())
    except NotSpreadsheetText as exc:
        raise forms.ValidationError(
            gettext(
                "The file is not a CSV file as a spreadsheet saves one. Save it as "
                "CSV UTF-8 (or CSV)."
            )
        ) from exc


class ImportCheckForm(forms.Form):
    """The first step of an import: the file, read and checked without changing anything."""

    file = forms.FileField(label=_("CSV file"))

    def clean_file(self) -> str:
        return csv_upload_text(self.cleaned_data["file"])


class ImportConfirmForm(forms.Form):
    """The second step: the text that was checked, sent back to be imported."""

    content = forms.CharField(widget=forms.HiddenInput, strip=False, max_length=MAX_IMPORT_BYTES)


class PeopleImportConfirmForm(ImportConfirmForm):
    send_links = forms.BooleanField(
        required=False,
        initial=True,
        label=_("E-mail each person given a role"),
        help_text=_(
            "As an invitation does: their role, and a link to choose a password if they have "
            "none yet. Leave it unticked to tell people yourself (each can be sent their link "
            "later from this page)."
        ),
    )
