"""The drivers of each outcome (§12) for the groups one viewer sees: the responses' domain scores
read in one query, and `diagnostics.drivers` for the statistics.

Drivers are worked out only where the disclosure engine shows the group to this viewer, with
at least the organisation's minimum of responses (never below 30), and only from figures it
shows: the outcome's own figure and each condition's domain figure for that group. The reading
is a correlation over those responses, rounded to two decimals at release.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, partial

from diagnostics.driver_words import OutcomeReading, outcome_reading, refusal_words
from diagnostics.drivers import (
    Condition,
    Outcome,
    OutcomeDrivers,
    Refusal,
    RefusalKind,
    drivers_of,
    minimum_responses,
)
from diagnostics.models import Domain, DomainScore
from diagnostics.results import GroupResult, OrganisationResults
from organisations.models import Unit


@dataclass(frozen=True)
class GroupDrivers:
    """A group's drivers, one entry per outcome its cycles asked, or why none are shown."""

    unit: Unit
    minimum: int
    outcomes: tuple[OutcomeDrivers, ...] = ()
    refusal: Refusal | None = None  # why none are shown for the whole group

    @property
    def shown(self) -> bool:
        return self.refusal is None and any(o.drivers for o in self.outcomes)

    @property
    def refused(self) -> str:
        """Why none are shown, in English, as the drivers export says it ("" when they are)."""
        return self.refusal.text if self.refusal else ""

    @property
    def refused_words(self) -> str:
        """The same, in the reader's language, for pages."""
        return refusal_words(self.refusal) if self.refusal else ""

    @property
    def readings(self) -> tuple[OutcomeReading, ...]:
        """Each outcome's drivers as a page words them, in the reader's language."""
        return tuple(outcome_reading(entry) for entry in self.outcomes)


def condition_of(domain: Domain) -> Condition:
    return Condition(domain.code, domain.name, domain.driver_phrase)


def outcome_of(domain: Domain) -> Outcome:
    return Outcome(domain.code, domain.name, domain.driver_phrase)


def drivers_for(results: OrganisationResults, units: Sequence[Unit]) -> dict[str, GroupDrivers]:
    """Unit path → its drivers as this viewer may read them (one query, none when the scope
    asked no outcome or no unit is large enough)."""
    if not results.outcomes:
        return {}
    minimum = minimum_responses(results.organisation.drivers_minimum)
    found: dict[str, GroupDrivers] = {}
    wanted = []
    for unit in units:
        group = results.group(unit)
        if not group.shown or group.responses is None:
            refusal = Refusal(RefusalKind.HIDDEN, hidden=group.hidden, k=group.k)
            found[unit.path] = GroupDrivers(unit, minimum, refusal=refusal)
        elif group.responses < minimum:
            refusal = Refusal(RefusalKind.FEWER_RESPONSES, minimum=minimum)
            found[unit.path] = GroupDrivers(unit, minimum, refusal=refusal)
        else:
            wanted.append((unit, group))
    if not wanted:
        return found
    codes = {d.pk: d.code for d in (*results.domains, *results.outcomes)}
    # Every wanted unit's responses' scores, read once (one query) if a unit's drivers are not
    # already kept.
    scores_and_paths = cache(partial(_scores, results, [unit for unit, _ in wanted], codes))

    # What the drivers depend on besides the scope's settled rows and released figures.
    signature = (
        minimum,
        tuple((d.code, d.name, d.driver_phrase) for d in (*results.domains, *results.outcomes)),
    )
    for unit, group in wanted:
        entries = results.kept_with_released(
            ("drivers", unit.path, signature),
            partial(_entries, results, unit, group, scores_and_paths, minimum=minimum),
        )
        found[unit.path] = GroupDrivers(unit, minimum, entries)
    return found


def _scores(
    results: OrganisationResults, units: Sequence[Unit], codes: dict[int, str]
) -> tuple[dict[int, dict[str, float]], dict[int, str]]:
    """Each response's domain scores by code, and its team's path, for the responses of the
    scope's cycles under `units` (one query)."""
    team_paths = {
        u.pk: u.path
        for u in results.units.values()
        if u.is_team and any(u.path.startswith(unit.path) for unit in units)
    }
    rows = DomainScore.objects.filter(
        cycle_id__in=list(results.scope.cycle_ids),
        team_id__in=list(team_paths),
        domain_id__in=list(codes),
        score__isnull=False,
    ).values_list("response_id", "team_id", "domain_id", "score")
    scores: dict[int, dict[str, float]] = defaultdict(dict)
    path_of: dict[int, str] = {}
    for response_id, team_id, domain_id, score in rows:
        if score is None:
            continue
        scores[response_id][codes[domain_id]] = score
        path_of[response_id] = team_paths[team_id]
    return scores, path_of


def _entries(
    results: OrganisationResults,
    unit: Unit,
    group: GroupResult,
    read: Callable[[], tuple[dict[int, dict[str, float]], dict[int, str]]],
    *,
    minimum: int,
) -> tuple[OutcomeDrivers, ...]:
    """One shown group's drivers, outcome by outcome."""
    scores, path_of = read()
    inside = {pk: by_code for pk, by_code in scores.items() if path_of[pk].startswith(unit.path)}
    conditions = [
        condition_of(domain) for domain in results.domains if group.domains[domain.code].shown
    ]
    entries = []
    for domain in results.outcomes:
        cell = group.outcomes.get(domain.code)
        if cell is None or not cell.shown:
            refusal = Refusal(RefusalKind.HIDDEN, hidden=cell.hidden if cell else None, k=results.k)
            entries.append(OutcomeDrivers(outcome_of(domain), refusal=refusal))
            continue
        entries.append(
            drivers_of(
                outcome_of(domain),
                conditions,
                inside,
                responses=group.responses or 0,
                minimum=minimum,
            )
        )
    return tuple(entries)
