"""Forms for cycles, invites and questionnaire versions (the survey itself is in views_survey)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language_info, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from diagnostics.models import Cycle, Domain, InstrumentVersion
from diagnostics.pulses import PULSE_MAX, PULSE_MIN
from diagnostics.selectors import RecordedHeadcount, latest_version_for, versions_for
from diagnostics.services import (
    MAX_CODES_PER_REQUEST,
    check_pulse_period_open,
    parse_email_list,
)
from diagnostics.structural import FIGURES, Thresholds, check_thresholds, plain_number
from diagnostics.structural_data import HEADCOUNT, MAX_HEADCOUNT
from organisations.access import Reach
from organisations.forms import UnitInReachField, csv_upload_text
from organisations.models import Organisation, Unit


class DateInput(forms.DateInput):
    """A native date picker; browsers need ISO dates whatever the site's locale."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs=attrs, format=format or "%Y-%m-%d")


MAX_CYCLE_DAYS = 365


def check_cycle_dates(form: forms.Form, opens_on: date | None, closes_on: date | None) -> None:
    """Dates a person could have meant: opening within a year of today, closing on or after
    the opening and within a year of it (a typed 1900 or 9999 is caught here)."""
    today = timezone.localdate()
    if opens_on and abs((opens_on - today).days) > MAX_CYCLE_DAYS:
        form.add_error("opens_on", gettext("Choose an opening date within a year of today."))
    if opens_on and closes_on:
        if closes_on < opens_on:
            form.add_error(
                "closes_on", gettext("The closing date must be on or after the opening date.")
            )
        elif (closes_on - opens_on).days > MAX_CYCLE_DAYS:
            form.add_error(
                "closes_on", gettext("A cycle runs for a year at most; choose an earlier date.")
            )


def add_name_fields(
    form: forms.Form, organisation: Organisation, *, names: Mapping[str, str]
) -> None:
    """A field for the cycle's name in each language the organisation's surveys offer besides
    English, placed after the name, so staff reading in that language see a name in it."""
    languages = organisation.offered_languages[1:]
    for language in languages:
        form.fields[f"name_{language}"] = forms.CharField(
            max_length=120,
            required=False,
            initial=names.get(language, ""),
            label=gettext("Name in %(language)s")
            % {"language": get_language_info(language)["name_translated"]},
            help_text=gettext(
                "Staff who read the survey in %(language)s see this name; leave it empty and "
                "they see the name above."
            )
            % {"language": get_language_info(language)["name_translated"]},
        )
    order = list(form.fields)
    for position, language in enumerate(languages, order.index("name") + 1):
        order.remove(f"name_{language}")
        order.insert(position, f"name_{language}")
    form.order_fields(order)


def names_from(form: forms.Form) -> dict[str, str]:
    """The names `add_name_fields` asked for, by language code, as typed."""
    return {
        name.removeprefix("name_"): value
        for name, value in form.cleaned_data.items()
        if name.startswith("name_")
    }


class CycleForm(forms.Form):
    unit = UnitInReachField(
        queryset=Unit.objects.none(),
        label=_("Which part of the organisation?"),
        help_text=_("Every team below the unit you choose takes part."),
    )
    kind = forms.ChoiceField(
        label=_("What kind of cycle?"),
        choices=[
            (Cycle.Kind.FULL, _("Full diagnostic: every statement, about 10 minutes")),
            (
                Cycle.Kind.PULSE,
                _("Pulse: 9 to 12 rotating statements and any outcome questions, 2 to 3 minutes"),
            ),
        ],
        widget=forms.RadioSelect,
        initial=Cycle.Kind.PULSE,
    )
    instrument = forms.ModelChoiceField(
        queryset=InstrumentVersion.objects.none(),
        label=_("Questionnaire version"),
        empty_label=None,
    )
    name = forms.CharField(
        max_length=120,
        required=False,
        label=_("Name"),
        help_text=_("Staff see this name. Leave it empty for one made from the unit and month."),
    )
    opens_on = forms.DateField(label=_("Opens on"), widget=DateInput)
    closes_on = forms.DateField(label=_("Closes on"), widget=DateInput)
    pulse_size = forms.IntegerField(
        label=_("Statements in a pulse"),
        min_value=PULSE_MIN,
        max_value=PULSE_MAX,
        initial=PULSE_MAX,
    )
    open_automatically = forms.BooleanField(
        label=_("Open it by itself on the opening date"),
        required=False,
        help_text=_(
            "Just after midnight on the opening date; the people who run it get an e-mail when "
            "it opens and when it closes. Leave this unticked to open it yourself."
        ),
    )

    def __init__(self, *args: Any, reach: Reach, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assert reach.organisation is not None
        self.organisation = reach.organisation
        self.fields["pulse_size"].help_text = gettext(
            "%(min)s to %(max)s, at least one from every domain. Ignored for a full diagnostic."
        ) % {"min": PULSE_MIN, "max": PULSE_MAX}
        instrument = self.fields["instrument"]
        assert isinstance(instrument, forms.ModelChoiceField)
        instrument.queryset = versions_for(reach.organisation)
        instrument.initial = latest_version_for(reach.organisation).pk
        today = timezone.localdate()
        self.fields["opens_on"].initial = today
        self.fields["closes_on"].initial = today + timedelta(days=14)
        field = self.fields["unit"]
        assert isinstance(field, UnitInReachField)
        teams = [m.unit for m in reach.memberships if m.unit.is_team]
        if len(reach.memberships) == 1 and teams:
            field.initial = teams[0].pk
        field.scope(reach.units().active(), reach.organisation, form=self)
        add_name_fields(self, reach.organisation, names={})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_cycle_dates(self, data.get("opens_on"), data.get("closes_on"))
        closes_on = data.get("closes_on")
        if closes_on and closes_on < timezone.localdate():
            self.add_error("closes_on", gettext("The closing date is in the past."))
        if (
            data.get("kind") == Cycle.Kind.PULSE
            and data.get("opens_on")
            and "opens_on" not in self.errors
        ):
            try:
                check_pulse_period_open(
                    self.organisation, data["opens_on"], today=timezone.localdate()
                )
            except ValidationError as exc:
                self.add_error("opens_on", exc.messages[0])
        opens_on = data.get("opens_on")
        if data.get("open_automatically") and opens_on and opens_on <= timezone.localdate():
            self.add_error(
                "open_automatically",
                gettext(
                    "It opens today or earlier, so it cannot wait for its opening date: leave "
                    "this unticked and open it once it is created, or choose a later opening date."
                ),
            )
        return data


class DraftCycleForm(forms.Form):
    name = forms.CharField(max_length=120, label=_("Name"))
    opens_on = forms.DateField(label=_("Opens on"), widget=DateInput)
    closes_on = forms.DateField(label=_("Closes on"), widget=DateInput)

    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_name_fields(self, cycle.organisation, names=cycle.names_in_languages or {})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_cycle_dates(self, data.get("opens_on"), data.get("closes_on"))
        return data


def headcount_field(help_text: StrOrPromise) -> forms.IntegerField:
    """A team's headcount, optional: on the codes page and the figures form."""
    return forms.IntegerField(
        label=_("People in the team (headcount)"),
        required=False,
        min_value=1,
        max_value=MAX_HEADCOUNT,
        help_text=help_text,
        error_messages=dict.fromkeys(
            ("invalid", "min_value", "max_value"),
            _("Give the number of people as a whole number from 1 to 1,000."),
        ),
    )


class InviteForm(forms.Form):
    headcount = headcount_field(
        _(
            "Optional. Recorded with the team's structural figures, it gives the cycle its "
            "response rate. It cannot change once the team has answered, so record it now."
        )
    )
    count = forms.IntegerField(
        label=_("How many codes to print or download?"),
        min_value=0,
        max_value=MAX_CODES_PER_REQUEST,
        initial=20,
        help_text=_("One per person, with a few spare. You can make more later."),
    )
    emails = forms.CharField(
        label=_("E-mail the links to these addresses (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One address per line. Each gets its own link. We use the addresses to send the "
            "e-mails and do not store them."
        ),
    )

    def __init__(
        self,
        *args: Any,
        team: Unit,
        headcount: RecordedHeadcount | None,
        already_made: int = 0,
        reminder_days: int | None = None,
        ask_headcount: bool = False,
        **kwargs: Any,
    ) -> None:
        """`ask_headcount`: the team has no headcount of its own for this cycle and may still
        record one (`structural_data.headcount_fixed`); the field is offered, filled in with
        one carried from an earlier cycle, if any."""
        super().__init__(*args, **kwargs)
        if not ask_headcount:
            del self.fields["headcount"]
        elif headcount is not None:
            self.fields["headcount"].initial = headcount.people
            self.fields["headcount"].help_text = "{} {}".format(
                self.fields["headcount"].help_text,
                gettext("Filled in from “%(cycle)s”: check it still holds.")
                % {"cycle": headcount.cycle_name},
            )
        if reminder_days is not None:  # the organisation sends reminders before a cycle closes
            self.fields["emails"].help_text = ngettext(
                "One address per line. Each gets its own link. Your organisation sends "
                "reminders, so the addresses are kept, encrypted, to send each one reminder "
                "%(days)s day before the cycle closes, and deleted when it closes. They are "
                "never linked to a code or to whether anyone answered.",
                "One address per line. Each gets its own link. Your organisation sends "
                "reminders, so the addresses are kept, encrypted, to send each one reminder "
                "%(days)s days before the cycle closes, and deleted when it closes. They are "
                "never linked to a code or to whether anyone answered.",
                reminder_days,
            ) % {"days": reminder_days}
        if headcount is None:
            return
        field = self.fields["count"]
        # One per person still without one: a second visit does not offer a second full set.
        field.initial = max(0, min(headcount.people - already_made, MAX_CODES_PER_REQUEST))
        values = {
            "team": team.name,
            "people": number_format(headcount.people, force_grouping=True),
            "cycle": headcount.cycle_name,
        }
        if headcount.this_cycle:
            field.help_text = (
                ngettext(
                    "%(team)s has %(people)s person: the headcount recorded with its structural "
                    "figures for this cycle. One code per person; add a few if you want spares. "
                    "You can make more later.",
                    "%(team)s has %(people)s people: the headcount recorded with its structural "
                    "figures for this cycle. One code per person; add a few if you want spares. "
                    "You can make more later.",
                    headcount.people,
                )
                % values
            )
        else:
            field.help_text = (
                ngettext(
                    "%(team)s has %(people)s person: the headcount recorded with its structural "
                    "figures for “%(cycle)s”. One code per person; add a few if you want spares. "
                    "You can make more later.",
                    "%(team)s has %(people)s people: the headcount recorded with its structural "
                    "figures for “%(cycle)s”. One code per person; add a few if you want spares. "
                    "You can make more later.",
                    headcount.people,
                )
                % values
            )

    def clean_emails(self) -> list[str]:
        return parse_email_list(self.cleaned_data.get("emails") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("count") and not data.get("emails") and not self.errors:
            raise forms.ValidationError(
                gettext("Ask for at least one code, or give an e-mail address.")
            )
        return data


class CopyVersionForm(forms.Form):
    name = forms.CharField(max_length=120, label=_("Name of the new version"))


class StatementForm(forms.Form):
    """A statement's English text and scoring, and a text for each other language the
    organisation's surveys offer (`languages`: codes other than English)."""

    text = forms.CharField(
        max_length=300,
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Changing it removes the statement's text in any language not shown here, which "
            "would no longer say the same."
        ),
    )
    reverse_scored = forms.BooleanField(
        required=False,
        label=_("Worded negatively (agreeing means worse conditions), so reverse scored"),
    )

    def __init__(self, *args: Any, languages: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        self.languages = list(languages)
        for language in self.languages:
            self.fields[f"text_{language}"] = forms.CharField(
                label=gettext("Text in %(language)s") % {"language": names[language]},
                max_length=300,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "lang": language}),
                help_text=gettext(
                    "Shown to staff who answer in this language. Leave empty to show the English "
                    "text to them."
                ),
            )

    def statement_values(self) -> dict[str, Any]:
        """The cleaned values as the statement services take them."""
        data = self.cleaned_data
        values = {key: value for key, value in data.items() if not key.startswith("text_")}
        values["translations"] = {
            language: data.get(f"text_{language}", "") for language in self.languages
        }
        return values


class AddStatementForm(StatementForm):
    domain = forms.ModelChoiceField(
        queryset=Domain.objects.all(), label=_("Domain"), empty_label=None
    )

    field_order = ["domain", "text", "reverse_scored"]


class StructuralFiguresForm(forms.Form):
    """The team's headcount, then one optional field per structural figure, each with its range
    and unit."""

    headcount = headcount_field(
        _(
            "Everyone who would answer the team's surveys, counted once each. Not rated: it sets "
            "how many invite codes are offered. Leave empty if unknown."
        )
    )

    def __init__(self, *args: Any, thresholds: Mapping[str, Thresholds], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for figure in FIGURES:
            pair = thresholds[figure.code]
            limits = {
                "minimum": figure.minimum,
                "maximum": figure.maximum,
                "good": plain_number(pair.good),
                "concerning": plain_number(pair.concerning),
            }
            if figure.higher_is_better:
                help_text = gettext(
                    "%(minimum)s to %(maximum)s. Higher is better: good at %(good)s, concerning "
                    "at %(concerning)s. Leave empty if unknown."
                )
            else:
                help_text = gettext(
                    "%(minimum)s to %(maximum)s. Lower is better: good at %(good)s, concerning "
                    "at %(concerning)s. Leave empty if unknown."
                )
            label, unit = figure.shown_label, figure.shown_unit
            self.fields[figure.code] = forms.DecimalField(
                # "Sickness absence days per FTE (12 months)" already names its unit.
                label=label
                if unit.casefold() in label.casefold()
                else gettext("%(label)s (%(unit)s)") % {"label": label, "unit": unit},
                required=False,
                min_value=figure.minimum,
                max_value=figure.maximum,
                max_digits=6,
                decimal_places=2,
                # Every way a value can be wrong gets the figure's own range, not Django's
                # "Ensure this value is less than or equal to 100." or "Enter a number."
                error_messages=dict.fromkeys(
                    (
                        "invalid",
                        "min_value",
                        "max_value",
                        "max_digits",
                        "max_decimal_places",
                        "max_whole_digits",
                    ),
                    gettext(
                        "Give a number from %(minimum)s to %(maximum)s with at most two "
                        "decimal places."
                    )
                    % limits,
                ),
                help_text=help_text % limits,
            )


class FiguresImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "Columns: team_path and any of %(codes)s. Nothing is saved unless every line is right."
        ) % {"codes": ", ".join([HEADCOUNT, *(f.code for f in FIGURES)])}

    def clean_file(self) -> str:
        return csv_upload_text(self.cleaned_data["file"])


def _figure_rows(form: forms.Form) -> list[tuple[Any, list[Any]]]:
    """Each figure with its “good” and “concerning” fields, for a fieldset per figure."""
    return [
        (figure, [form[f"{figure.code}__good"], form[f"{figure.code}__concerning"]])
        for figure in FIGURES
    ]


class ThresholdsForm(forms.Form):
    def __init__(self, *args: Any, thresholds: Mapping[str, Thresholds], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for figure in FIGURES:
            pair = thresholds[figure.code]
            for which in ("good", "concerning"):
                self.fields[f"{figure.code}__{which}"] = forms.DecimalField(
                    label=gettext("Good at") if which == "good" else gettext("Concerning at"),
                    min_value=figure.minimum,
                    max_value=figure.maximum,
                    max_digits=6,
                    decimal_places=2,
                    initial=getattr(pair, which),
                )

    def figure_rows(self) -> list[tuple[Any, list[Any]]]:
        return _figure_rows(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for figure in FIGURES:
            good = data.get(f"{figure.code}__good")
            concerning = data.get(f"{figure.code}__concerning")
            if good is not None and concerning is not None:
                problem = check_thresholds(figure, good, concerning)
                if problem:
                    self.add_error(f"{figure.code}__good", problem)
        return data

    def thresholds(self) -> dict[str, Thresholds]:
        return {
            figure.code: Thresholds(
                self.cleaned_data[f"{figure.code}__good"],
                self.cleaned_data[f"{figure.code}__concerning"],
            )
            for figure in FIGURES
        }


class UnitThresholdsForm(forms.Form):
    """A unit's own thresholds: both values for a figure to set them here, neither to inherit
    from the nearest unit above, the organisation or the defaults."""

    def __init__(self, *args: Any, own: Mapping[str, Thresholds], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for figure in FIGURES:
            pair = own.get(figure.code)
            for which in ("good", "concerning"):
                self.fields[f"{figure.code}__{which}"] = forms.DecimalField(
                    label=gettext("Good at") if which == "good" else gettext("Concerning at"),
                    required=False,
                    min_value=figure.minimum,
                    max_value=figure.maximum,
                    max_digits=6,
                    decimal_places=2,
                    initial=getattr(pair, which) if pair else None,
                )

    def figure_rows(self) -> list[tuple[Any, list[Any]]]:
        return _figure_rows(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for figure in FIGURES:
            good_name, concerning_name = f"{figure.code}__good", f"{figure.code}__concerning"
            if good_name in self.errors or concerning_name in self.errors:
                continue
            good, concerning = data.get(good_name), data.get(concerning_name)
            if (good is None) != (concerning is None):
                self.add_error(
                    good_name if good is None else concerning_name,
                    gettext(
                        "Give both values to set them for this unit, or leave both empty to "
                        "inherit them."
                    ),
                )
            elif good is not None and concerning is not None:
                problem = check_thresholds(figure, good, concerning)
                if problem:
                    self.add_error(good_name, problem)
        return data

    def thresholds(self) -> dict[str, Thresholds | None]:
        """Each figure's own thresholds for the unit, or None to inherit."""
        values: dict[str, Thresholds | None] = {}
        for figure in FIGURES:
            good = self.cleaned_data.get(f"{figure.code}__good")
            concerning = self.cleaned_data.get(f"{figure.code}__concerning")
            values[figure.code] = (
                Thresholds(good, concerning)
                if good is not None and concerning is not None
                else None
            )
        return values
