"""Reads and writes of structural figures and thresholds, and the structural lens across teams."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from operator import itemgetter
from typing import TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from diagnostics.models import (
    Cycle,
    CycleTeam,
    StructuralFigures,
    StructuralThreshold,
)
from diagnostics.results import OrganisationResults
from diagnostics.selectors import bounding_headcounts, recorded_headcounts, teams_answered
from diagnostics.structural import (
    FIGURES,
    FIGURES_BY_CODE,
    Association,
    FigureDefinition,
    ThresholdInForce,
    Thresholds,
    associate_many,
    check_thresholds,
    default_thresholds,
    parse_value,
    thresholds_in_force,
    weigh,
)
from organisations.audit import json_number, record
from organisations.models import AuditEvent, Organisation, Unit
from organisations.selectors import readable_paths, unit_by_readable_path
from organisations.services import ImportFailed
from sword.csvsafe import LOST_LETTER_HINT

FIGURE_CODES = [figure.code for figure in FIGURES]
T = TypeVar("T")
HEADCOUNT = "headcount"  # recorded with the figures, but neither rated nor in the lens
HEADCOUNT_FIXED = _(
    "The headcount cannot change once the team has answered this diagnostic, or once it has "
    "closed: it bounds how many responses the team can have, which the anonymity rules rely on. "
    "Record it before the team answers, when you make its codes."
)
PULSE_HEADCOUNT_FIXED = _(
    "The headcount cannot change once this pulse has opened: it bounds how many responses the "
    "team can have, which the anonymity rules rely on. Record it before the pulse opens."
)


def headcount_fixed_reason(cycle: Cycle) -> str:
    """Why a fixed headcount cannot change (`headcount_fixed`), for the cycle's kind."""
    return str(PULSE_HEADCOUNT_FIXED if cycle.kind == Cycle.Kind.PULSE else HEADCOUNT_FIXED)


MAX_HEADCOUNT = 1000


@dataclass(frozen=True)
class ThresholdBook:
    """An organisation's structural thresholds as set: its own, and each unit's own by unit
    path. `for_unit` resolves what is in force anywhere in the tree without another query."""

    organisation: Mapping[str, Thresholds]
    by_unit: Mapping[str, Mapping[str, Thresholds]]
    unit_ids: Mapping[str, int]  # unit path → id, for the units that have their own

    def for_unit(
        self, unit: Unit, figures: Sequence[FigureDefinition] = FIGURES
    ) -> dict[str, ThresholdInForce]:
        """The thresholds in force for the unit, of every figure or only of `figures`."""
        # The root unit is the organisation itself.
        path, by_unit = ("", {}) if unit.depth == 1 else (unit.path, self.by_unit)
        return thresholds_in_force(
            path,
            steplen=unit.steplen,
            by_unit=by_unit,
            organisation=self.organisation,
            figures=figures,
        )

    def for_teams(self, teams: Sequence[Unit], figure: FigureDefinition) -> list[Thresholds]:
        """The figure's thresholds in force for each of the teams, in order. A team with none
        of its own has its parent's, worked out once per parent: the lens rates up to 3,000
        teams on a visit, in a few hundred services."""
        by_parent: dict[str, Thresholds] = {}
        found = []
        for team in teams:
            if team.path in self.by_unit:
                found.append(self.for_unit(team, (figure,))[figure.code].thresholds)
                continue
            parent = team.path[: -team.steplen]
            if parent not in by_parent:
                by_parent[parent] = self.for_unit(team, (figure,))[figure.code].thresholds
            found.append(by_parent[parent])
        return found

    def thresholds_for_unit(self, unit: Unit) -> dict[str, Thresholds]:
        return {code: found.thresholds for code, found in self.for_unit(unit).items()}

    def own(self, unit: Unit) -> Mapping[str, Thresholds]:
        """The values set on this unit itself (the organisation's for the root unit)."""
        return self.organisation if unit.depth == 1 else self.by_unit.get(unit.path, {})


def threshold_book(organisation: Organisation | int) -> ThresholdBook:
    """Every structural threshold the organisation has set, on itself and on its units (one
    query)."""
    own: dict[str, Thresholds] = {}
    by_unit: dict[str, dict[str, Thresholds]] = {}
    unit_ids: dict[str, int] = {}
    rows = StructuralThreshold.objects.filter(
        organisation_id=organisation if isinstance(organisation, int) else organisation.pk,
        figure__in=FIGURE_CODES,
    ).select_related("unit")
    for row in rows:
        pair = Thresholds(row.good, row.concerning)
        if row.unit is None:
            own[row.figure] = pair
        else:
            by_unit.setdefault(row.unit.path, {})[row.figure] = pair
            unit_ids[row.unit.path] = row.unit.pk
    return ThresholdBook(own, by_unit, unit_ids)


def thresholds_for(organisation: Organisation) -> dict[str, Thresholds]:
    """The organisation's own thresholds, falling back to the defaults (one query). A unit's
    may differ: use `thresholds_for_unit` for a team."""
    thresholds = default_thresholds()
    for row in StructuralThreshold.objects.filter(organisation=organisation, unit__isnull=True):
        if row.figure in thresholds:
            thresholds[row.figure] = Thresholds(row.good, row.concerning)
    return thresholds


def thresholds_for_unit(unit: Unit) -> dict[str, ThresholdInForce]:
    """The thresholds in force for a unit and where each comes from (one query)."""
    return threshold_book(unit.organisation_id).for_unit(unit)


@transaction.atomic
def set_thresholds(
    *, organisation: Organisation, values: Mapping[str, Thresholds], actor: User | None = None
) -> None:
    errors = []
    for code, pair in values.items():
        problem = check_thresholds(FIGURES_BY_CODE[code], pair.good, pair.concerning)
        if problem:
            errors.append(f"{FIGURES_BY_CODE[code].label}: {problem}")
    if errors:
        raise ValidationError(errors)
    current = thresholds_for(organisation)
    changes = []
    old: dict[str, dict[str, int | float]] = {}
    new: dict[str, dict[str, int | float]] = {}
    for code, pair in values.items():
        if current[code] != pair:
            changes.append(
                f"{FIGURES_BY_CODE[code].label}: good {current[code].good} → {pair.good}, "
                f"concerning {current[code].concerning} → {pair.concerning}"
            )
            old[code] = _threshold_values(current[code])
            new[code] = _threshold_values(pair)
        StructuralThreshold.objects.update_or_create(
            organisation=organisation,
            unit=None,
            figure=code,
            defaults={"good": pair.good, "concerning": pair.concerning},
        )
    if changes:
        record(
            organisation=organisation,
            user=actor,
            action=AuditEvent.Action.THRESHOLD_CHANGED,
            scope=organisation.name,
            detail="; ".join(changes),
            old=old,
            new=new,
        )


def _threshold_values(pair: Thresholds) -> dict[str, int | float]:
    """A figure's thresholds as the audit log keeps them."""
    return {"good": json_number(pair.good), "concerning": json_number(pair.concerning)}


def figures_for(
    cycle_ids: Sequence[int], *, team_ids: Sequence[int] | None = None
) -> dict[tuple[int, int], dict[str, Decimal | None]]:
    """(cycle id, team id) → figure code → value, for the given cycles and, if given, only
    those teams (one query)."""
    rows = StructuralFigures.objects.filter(cycle_id__in=list(cycle_ids))
    if team_ids is not None:
        rows = rows.filter(team_id__in=list(team_ids))
    # Values, not model instances: the lens reads a row per team, 3,000 at ten times the data.
    return {
        (cycle_id, team_id): dict(zip(FIGURE_CODES, values, strict=True))
        for cycle_id, team_id, *values in rows.values_list("cycle_id", "team_id", *FIGURE_CODES)
    }


def _check_team(cycle: Cycle, team: Unit) -> None:
    if not CycleTeam.objects.filter(cycle=cycle, team=team).exists():
        raise ValidationError(f"“{team.name}” is not taking part in {cycle.name}.")


@transaction.atomic
def save_figures(
    *, cycle: Cycle, team: Unit, values: Mapping[str, Decimal | int | None], user: User | None
) -> StructuralFigures:
    """Store the team's figures for the cycle (`values` by figure code, and optionally the
    team's `headcount`); a code left out keeps what was stored."""
    _check_team(cycle, team)
    for code, value in values.items():
        if code == HEADCOUNT:
            if value is not None and not 0 < value <= MAX_HEADCOUNT:
                raise ValidationError(f"Give the headcount as a number from 1 to {MAX_HEADCOUNT}.")
            continue
        figure = FIGURES_BY_CODE[code]
        if value is not None and not figure.minimum <= value <= figure.maximum:
            raise ValidationError(
                f"{figure.label} must be between {figure.minimum} and {figure.maximum}."
            )
    if HEADCOUNT in values:
        _check_headcount_open(cycle=cycle, team=team, people=values[HEADCOUNT])
    row, _ = StructuralFigures.objects.update_or_create(
        cycle=cycle, team=team, defaults={**values, "updated_by": user}
    )
    if HEADCOUNT in values and cycle.status != Cycle.Status.DRAFT:
        store_bounding_headcounts(cycle=cycle, team_ids=[team.pk])
    return row


def headcount_fixed(*, cycle: Cycle, team: Unit) -> bool:
    """Whether the team's headcount for the cycle can no longer change: once it has closed (the
    plans of a closed cycle are remembered, and a headcount bounds even a pulse a team did not
    answer, as a part of its pool); a pulse's from when it opens, and a full diagnostic's once
    the team has answered it. A pulse's count is read only through its pool, so whether a team
    has answered one pulse must not show, not even here; a full diagnostic's pages give it."""
    if cycle.kind == Cycle.Kind.PULSE or cycle.status == Cycle.Status.CLOSED:
        return _every_headcount_fixed(cycle)
    return bool(teams_answered(cycle, team_ids=[team.pk]))


def _every_headcount_fixed(cycle: Cycle) -> bool:
    """Whether every team's headcount for the cycle is fixed, whoever has answered: once it has
    closed, and a pulse's once it has opened (`headcount_fixed`)."""
    if cycle.kind == Cycle.Kind.PULSE:
        return cycle.status != Cycle.Status.DRAFT
    return cycle.status == Cycle.Status.CLOSED


def _check_headcount_open(*, cycle: Cycle, team: Unit, people: Decimal | int | None) -> None:
    """A headcount bounds its team's responses (`store_bounding_headcounts`), so once the team
    has answered the cycle (a pulse: once it has opened), or the cycle has closed, it is fixed
    (`headcount_fixed`): were it not, whoever records it could set one and see whether the
    pages change, and learn which side of it the responses are. The cycle's row is held first,
    so that a response being submitted (which holds it too) is counted, and its status read as
    stored."""
    cycle.status = (
        Cycle.objects.select_for_update().filter(pk=cycle.pk).values_list("status", flat=True).get()
    )
    stored = (
        StructuralFigures.objects.filter(cycle=cycle, team=team)
        .values_list(HEADCOUNT, flat=True)
        .first()
    )
    if stored != people and headcount_fixed(cycle=cycle, team=team):
        raise ValidationError(headcount_fixed_reason(cycle))


def store_bounding_headcounts(*, cycle: Cycle, team_ids: Sequence[int] | None = None) -> None:
    """Set on the cycle's teams (all, or `team_ids`) the headcount that bounds their responses
    (`selectors.bounding_headcounts`), for those that have not answered it yet. A team's is
    then fixed: its own headcount cannot change (`_check_headcount_open`), and the earlier
    diagnostic it may come from closed before the cycle opened."""
    rows = CycleTeam.objects.filter(cycle=cycle)
    if team_ids is not None:
        rows = rows.filter(team_id__in=list(team_ids))
    answered = teams_answered(cycle, team_ids=team_ids)
    waiting = [row for row in rows if row.team_id not in answered]
    chosen = bounding_headcounts(cycle, [row.team_id for row in waiting])
    for row in waiting:
        row.headcount, row.headcount_from_id = chosen.get(row.team_id, (None, None))
    CycleTeam.objects.bulk_update(waiting, ["headcount", "headcount_from"], batch_size=500)


@transaction.atomic
def import_template(cycle: Cycle) -> list[list[str]]:
    """The file `import_figures` reads, filled in as the cycle's pages give it: its header, then
    one row for each team taking part, by its path, in tree order, with the headcount its
    figures form shows and the figures recorded (empty where none is). Imported unchanged it
    changes nothing, so a cell left as it was never clears a figure (four queries)."""
    teams = list(
        CycleTeam.objects.filter(cycle=cycle)
        .order_by("team__path")
        .values_list("team_id", flat=True)
    )
    paths = readable_paths(cycle.organisation)
    headcounts = recorded_headcounts(cycle, teams)
    recorded = {row.team_id: row for row in StructuralFigures.objects.filter(cycle=cycle)}
    header = ["team_path", HEADCOUNT, *FIGURE_CODES]
    rows = [header]
    for team in teams:
        people = headcounts.get(team, (None, None))[0]
        figures = recorded.get(team)
        rows.append(
            [
                paths[team],
                "" if people is None else str(people),
                *(
                    ""
                    if figures is None or getattr(figures, code) is None
                    else str(getattr(figures, code))
                    for code in FIGURE_CODES
                ),
            ]
        )
    return rows


@dataclass(frozen=True)
class FiguresImported:
    """What an import of structural figures did: the teams whose row gave at least one value
    (saved), and those whose row was empty in every column it has and that had values stored in
    them, now cleared (an empty cell clears its figure). A team whose row was empty and had
    nothing stored is in neither: nothing changed for it."""

    saved: int
    cleared: int


@transaction.atomic
def import_figures(*, cycle: Cycle, content: str, user: User | None) -> FiguresImported:
    """Structural figures for many teams from CSV: a `team_path` column and any figure columns,
    with the team's `headcount` if wanted. An empty cell clears what was stored for its column.

    All or nothing: a bad line stops the import, and every bad line is named.
    """
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    columns = [c.strip() for c in reader.fieldnames or []]
    if "team_path" not in columns:
        # Excel in some locales saves "CSV" with semicolons: the header is then one column.
        separated = (
            " (the header is separated by semicolons: save the file as comma-separated CSV)"
            if ";" in "".join(columns)
            else ""
        )
        raise ImportFailed([f"line 1: missing column team_path{separated}"])
    known = ["team_path", HEADCOUNT, *FIGURE_CODES]
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise ImportFailed(
            [f"line 1: unknown column(s) {', '.join(unknown)}; use {', '.join(known[1:])}"]
        )
    taking_part = set(CycleTeam.objects.filter(cycle=cycle).values_list("team_id", flat=True))
    teams = unit_by_readable_path(cycle.organisation, within_cycle=taking_part)
    # the teams whose headcount is fixed (`headcount_fixed`)
    answered = taking_part if _every_headcount_fixed(cycle) else teams_answered(cycle)
    # The headcount each such team's figures form shows, fixed (`recorded_headcounts`): an
    # import may give it back unchanged, and then keeps what is stored.
    shown = recorded_headcounts(cycle, sorted(answered))
    fixed = {team: people for team, (people, _source) in shown.items()}
    errors: list[str] = []
    plan: list[tuple[Unit, dict[str, Decimal | int | None]]] = []
    seen: dict[int, int] = {}
    for row in reader:
        line = reader.line_num
        cleaned = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k}
        if not any(cleaned.values()):
            continue
        team = teams.get(" / ".join(p.strip() for p in cleaned.get("team_path", "").split("/")))
        problems = []
        if team is None or not team.is_team:
            path = cleaned.get("team_path", "")
            lost_letter = f". {LOST_LETTER_HINT}" if "?" in path else ""
            problems.append(f"no team with the path “{path}”{lost_letter}")
        elif team.pk not in taking_part:
            problems.append(f"“{team.name}” is not taking part in this cycle")
        elif team.pk in seen:
            problems.append(f"repeats line {seen[team.pk]}")
        values: dict[str, Decimal | int | None] = {}
        for code in columns:
            if code == "team_path":
                continue
            raw = cleaned.get(code, "")
            if raw == "":
                values[code] = None
                continue
            try:
                values[code] = (
                    _parse_headcount(raw)
                    if code == HEADCOUNT
                    else parse_value(FIGURES_BY_CODE[code], raw)
                )
            except ValueError as exc:
                problems.append(f"{code}: {str(exc).rstrip('.')}")
        if team is not None and HEADCOUNT in values and team.pk in answered:
            if values[HEADCOUNT] == fixed.get(team.pk):
                del values[HEADCOUNT]
            else:
                problems.append(
                    f"{HEADCOUNT}: fixed once the team has answered this cycle, once a pulse has "
                    "opened, or once the cycle has closed "
                    "(leave the column out, or give the headcount its figures form shows: "
                    f"{fixed.get(team.pk) or 'none'})"
                )
        if problems:
            errors.append(f"line {line}: " + "; ".join(problems))
        else:
            assert team is not None
            seen[team.pk] = line
            plan.append((team, values))
    if errors:
        raise ImportFailed(errors)
    if not plan:
        raise ImportFailed(["the file has no rows below the header"])
    stored = {
        row.team_id: row
        for row in StructuralFigures.objects.filter(
            cycle=cycle, team_id__in=[team.pk for team, _values in plan]
        )
    }
    saved = cleared = 0
    for team, values in plan:
        if any(value is not None for value in values.values()):
            saved += 1
        elif (was := stored.get(team.pk)) is not None and any(
            getattr(was, code) is not None for code in values
        ):
            cleared += 1
        else:
            continue  # empty, and nothing stored to clear
        save_figures(cycle=cycle, team=team, values=values, user=user)
    return FiguresImported(saved=saved, cleared=cleared)


def _parse_headcount(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= MAX_HEADCOUNT:
        raise ValueError(f"“{raw}” is not a whole number of people from 1 to {MAX_HEADCOUNT}")
    return int(raw)


@dataclass(frozen=True)
class LensPoint:
    team: Unit
    figure_value: float
    domain_mean: float


# A team with a figure: its value, and its domain means shown to this reader by domain code.
TeamValues = tuple[Unit, float, Mapping[str, float]]


@dataclass(frozen=True)
class LensResult:
    association: Association
    with_figure: Sequence[TeamValues] = field(repr=False)

    @cached_property
    def points(self) -> list[LensPoint]:
        """The teams with the figure and a shown mean of the domain, made only when asked: a
        page shows one pair's points, and the lens weighs every pair's."""
        code = self.association.domain_code
        return [
            LensPoint(team, value, means[code])
            for team, value, means in self.with_figure
            if code in means
        ]


def _gather(items: Sequence[T], rows: Sequence[int]) -> tuple[T, ...]:
    """The items at `rows`, in that order, gathered in C (`itemgetter`): the lens takes about 70
    columns of up to 3,000 teams on every visit."""
    if len(rows) < 2:  # itemgetter of one index gives the item, not a tuple of it
        return tuple(items[i] for i in rows)
    gathered: tuple[T, ...] = itemgetter(*rows)(items)
    return gathered


def lens(
    results: OrganisationResults,
    figures: Mapping[tuple[int, int], Mapping[str, Decimal | None]],
    *,
    cycle_id: int,
    teams: Sequence[Unit],
) -> list[LensResult]:
    """Every figure against every domain across the given teams, for one cycle, with each
    pair's ρ, permutation p-value and interval, and whether it survives Benjamini–Hochberg at
    10% across all the pairs tested here (`Association.clear`).

    A team counts when it has the figure and its domain mean is shown to this reader (at least
    k responses, after complementary suppression): the lens reads only released means.
    """
    # Each team's figures and shown domain means, read once; a team with no figures never counts.
    teams_with_both = []
    with_any_figure = [team for team in teams if figures.get((cycle_id, team.pk))]
    for team, group in zip(with_any_figure, results.groups(with_any_figure), strict=True):
        means = {
            code: cell.figures.mean
            for code, cell in group.domains.items()
            if cell.figures is not None and cell.figures.mean is not None
        }
        if means:
            teams_with_both.append((team, figures[(cycle_id, team.pk)], means))
    # Each domain's shown means as a column, a team per row (None where it is not shown).
    every_means = [means for *_, means in teams_with_both]
    mean_columns = [[means.get(domain.code) for means in every_means] for domain in results.domains]
    # Whether a domain's mean is shown for every team: then no pair of it has teams to drop.
    complete = [None not in column for column in mean_columns]
    columns: list[tuple[FigureDefinition, str, str, Sequence[float], Sequence[float]]] = []
    teams_of_pairs = []
    for figure in FIGURES:
        rows: list[int] = []  # where the teams with the figure are in teams_with_both
        with_figure: list[TeamValues] = []
        for row, (team, values, means) in enumerate(teams_with_both):
            if (value := values.get(figure.code)) is not None:
                rows.append(row)
                with_figure.append((team, float(value), means))
        figure_values = [value for _, value, _ in with_figure]
        for domain, column, shown_for_all in zip(
            results.domains, mean_columns, complete, strict=True
        ):
            domain_means = _gather(column, rows)
            xs: Sequence[float] = figure_values
            ys = cast(Sequence[float], domain_means)
            if not shown_for_all and None in domain_means:  # teams without a shown mean drop out
                kept = [
                    (value, mean)
                    for value, mean in zip(figure_values, domain_means, strict=True)
                    if mean is not None
                ]
                xs, ys = [value for value, _ in kept], [mean for _, mean in kept]
            columns.append((figure, domain.code, domain.name, xs, ys))
            teams_of_pairs.append(with_figure)
    # Every pair at once: pairs of as many teams share their random pairings.
    associations = associate_many(columns)
    # Benjamini–Hochberg across every pair tested here: the many pairs are weighed together.
    return [
        LensResult(association, with_figure)
        for association, with_figure in zip(weigh(associations), teams_of_pairs, strict=True)
    ]
