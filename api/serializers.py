"""What each endpoint answers. Result rows are the results export's rows (diagnostics.exports)."""

from __future__ import annotations

from typing import Any, Literal, cast

from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from actions.models import Action
from diagnostics.exports import LEVELS, level_of
from diagnostics.models import Cycle
from organisations.models import Unit
from organisations.selectors import readable_path

# The drivers export has columns of its own; the API serves the §10 rows.
RESULT_ROWS_BY = ("domain", "statement")

Level = Literal["org", "unit", "team"]
YES_NO = ("yes", "no")


class UnitSerializer(serializers.ModelSerializer[Unit]):
    """A unit of the organisation: a team, a unit that holds teams, or the organisation."""

    # Context: `names` (path → name, the organisation's) and `ids` (path → id, in reach).

    path = serializers.SerializerMethodField(help_text="As in the results rows' unit_path.")
    level = serializers.SerializerMethodField()
    parent_id = serializers.SerializerMethodField(
        help_text="The unit above, or null at the top of what the token reaches."
    )
    archived = serializers.SerializerMethodField()
    moved_to_id = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Set on a unit left where a unit moved from: the id of the unit that moved. "
        "It holds that unit's results in the cycles that had opened before the move, read "
        "where the unit then was.",
    )

    class Meta:
        model = Unit
        fields = ["id", "name", "path", "level", "is_team", "parent_id", "archived", "moved_to_id"]

    def get_path(self, unit: Unit) -> str:
        return readable_path(unit, self.context["names"])

    def get_level(self, unit: Unit) -> Level:
        return cast(Level, level_of(unit))

    def get_parent_id(self, unit: Unit) -> int | None:
        parent: int | None = self.context["ids"].get(unit.path[: -unit.steplen])
        return parent

    def get_archived(self, unit: Unit) -> bool:
        return unit.archived_at is not None


class CycleSerializer(serializers.ModelSerializer[Cycle]):
    """A survey or pulse cycle, with the address of its result rows."""

    # Context: `names` (path → name, the organisation's) and `request`.

    unit_path = serializers.SerializerMethodField(help_text="The unit whose teams take part.")
    results_url = serializers.SerializerMethodField(help_text="Where to read its result rows.")

    class Meta:
        model = Cycle
        fields = [
            "id",
            "name",
            "kind",
            "status",
            "unit_id",
            "unit_path",
            "opens_on",
            "closes_on",
            "results_url",
        ]

    def get_unit_path(self, cycle: Cycle) -> str:
        return readable_path(cycle.unit, self.context["names"])

    def get_results_url(self, cycle: Cycle) -> str:
        url = reverse("api:cycle_results", kwargs={"cycle_id": cycle.pk})
        return str(self.context["request"].build_absolute_uri(url))


class ActionSerializer(serializers.ModelSerializer[Action]):
    """An action taken on results: what, who owns it, when it is due and where it stands."""

    # Context: `names` (path → name, the organisation's).

    unit_path = serializers.SerializerMethodField()
    domain_code = serializers.SerializerMethodField()
    domain = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField(help_text="The owner's name.")
    overdue = serializers.SerializerMethodField(help_text="Open and past its due date.")
    escalated_to_path = serializers.SerializerMethodField()
    intervention = serializers.SerializerMethodField(help_text="The library idea it follows.")

    class Meta:
        model = Action
        fields = [
            "id",
            "title",
            "description",
            "status",
            "due_on",
            "overdue",
            "unit_id",
            "unit_path",
            "domain_code",
            "domain",
            "cycle_id",
            "owner",
            "escalated_to_id",
            "escalated_to_path",
            "intervention",
            "created_at",
            "updated_at",
        ]

    def get_unit_path(self, action: Action) -> str:
        return readable_path(action.unit, self.context["names"])

    def get_domain_code(self, action: Action) -> str:
        return action.domain.code

    def get_domain(self, action: Action) -> str:
        return action.domain.name

    def get_owner(self, action: Action) -> str:
        return str(action.owner)

    def get_overdue(self, action: Action) -> bool:
        return action.is_open and action.due_on < timezone.localdate()

    def get_escalated_to_path(self, action: Action) -> str | None:
        if action.escalated_to is None:
            return None
        return readable_path(action.escalated_to, self.context["names"])

    def get_intervention(self, action: Action) -> str | None:
        return action.intervention.title if action.intervention else None


class ResultsQuerySerializer(serializers.Serializer[dict[str, Any]]):
    """The export's own filters: `--level` and `--by`."""

    level = serializers.ChoiceField(
        choices=LEVELS, required=False, help_text="Only this level (default: every level)."
    )
    by = serializers.ChoiceField(
        choices=RESULT_ROWS_BY,
        default="domain",
        help_text="A row per domain (outcomes after each group's domains), or per statement.",
    )


class ResultRowSerializer(serializers.Serializer[dict[str, Any]]):
    """One row of the results export, its columns in its order. Where the export leaves a cell
    empty (a suppressed row, a statement row's domain mean) the value is null; counts, means and
    shares are numbers, as in the XLSX export; the rest is the export's text."""

    cycle = serializers.CharField()
    unit_path = serializers.CharField()
    level = serializers.ChoiceField(choices=LEVELS)
    domain = serializers.CharField()
    statement_code = serializers.CharField(allow_null=True)
    # What each figure measures and in what unit, for the analyst reading the schema.
    responses = serializers.IntegerField(
        allow_null=True, help_text="How many responses the row's figures come from."
    )
    mean = serializers.FloatField(
        allow_null=True,
        help_text=(
            "Mean score on the 1 to 6 scale (6 best; reverse-scored statements already turned "
            "round), to one decimal. Null where hidden, and in a statement row that shows its "
            "shares only."
        ),
    )
    band = serializers.CharField(
        allow_null=True,
        help_text=(
            "red (mean below 2.5), amber (2.5 to under 4.5) or green (4.5 or more), from the "
            "unrounded mean. Null for an outcome, which is not a condition."
        ),
    )
    red_pct = serializers.IntegerField(
        allow_null=True,
        help_text="Share of the answers scored 1 or 2, in whole percent (the three shares may "
        "add to 99 or 101 by rounding).",
    )
    amber_pct = serializers.IntegerField(
        allow_null=True, help_text="Share of the answers scored 3 or 4, in whole percent."
    )
    green_pct = serializers.IntegerField(
        allow_null=True,
        help_text="Share of the answers scored 5 or 6, in whole percent (for an outcome, the "
        "share who agree).",
    )
    urgent = serializers.ChoiceField(
        choices=YES_NO,
        allow_null=True,
        help_text="yes when 25% or more of the answers are red. Null for an outcome.",
    )
    suppressed = serializers.ChoiceField(
        choices=YES_NO,
        help_text=(
            "yes when the anonymity rules hide the row's figures: fewer responses than the "
            "organisation's threshold, or a figure that would let a smaller group be worked out."
        ),
    )
    hidden_reason = serializers.CharField(
        allow_null=True,
        help_text=(
            "Why the row's figures, or a statement's mean, are hidden, in the words the pages "
            "give the same reader (in English). Null where nothing is hidden."
        ),
    )
    statement = serializers.CharField(
        allow_null=True,
        help_text="A statement row's statement, in English as the cycle asked it. Null in domain "
        "rows.",
    )
    benchmark_position = serializers.CharField(
        allow_null=True,
        help_text="Where a shown domain mean stands in the benchmark (below 20th ... above 80th).",
    )
    benchmark_period = serializers.CharField(allow_null=True)
    benchmark_source = serializers.CharField(allow_null=True)
