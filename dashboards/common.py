"""Pieces the dashboards share: the framing, the default cycle, small helpers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_noop

from diagnostics.models import (
    Cycle,
    Invite,
)
from diagnostics.pooling import Scope, cycle_scope, pool_of, pulse_pools
from diagnostics.release_words import count_words
from diagnostics.results import GroupResult, OrganisationResults, Source, results_for_scopes
from organisations.access import Reach
from organisations.models import Unit
from organisations.selectors import teams_under

# In the catalogue; pages translate it where they show it (gettext(FRAMING)).
FRAMING = gettext_noop(
    "These results describe the working conditions your organisation provides: caseloads, "
    "supervision, safety, systems and how staff are supported. They are not a score of any "
    "person. Red means the organisation has work to do."
)


LOW_RESPONSE_RATE = 0.5


DASHBOARD_PULSES = 6


@dataclass(frozen=True)
class CycleStandings:
    """How each of a unit's cycles stands for one viewer: whether the unit's figures are shown
    under the disclosure engine, and its responses as the viewer may read them.

    The response counts of every cycle are read together (a fixed number of queries, whatever
    the number of cycles or teams); each cycle's group decisions are made only when asked
    about, from those counts alone, and the engine remembers them, so asking again costs no
    query and little time. `source`: the units and tallies read, for the page to go on with."""

    unit: Unit
    scopes: dict[int, Scope]  # by cycle id: the cycle, or for a pulse the pool holding it
    results: dict[str, OrganisationResults]  # by scope key
    source: Source | None = None
    _seen: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def scope(self, cycle: Cycle) -> Scope:
        return self.scopes.get(cycle.pk) or cycle_scope(cycle)

    def shown(self, cycle: Cycle) -> bool:
        """The unit's figures for this cycle (a pulse: its pool) are shown to this viewer."""
        scope = self.scopes.get(cycle.pk)
        if scope is None:
            return False
        if scope.key not in self._seen:
            results = self.results[scope.key]
            shown = self.unit.path in results.resolvable and results.group_hidden(self.unit) is None
            self._seen[scope.key] = shown
        return self._seen[scope.key]

    def responses(self, cycle: Cycle) -> str:
        """The unit's responses to this cycle (a pulse: its pool) as the viewer may read them:
        exact only where its figures are shown, otherwise which side of k it is."""
        scope = self.scopes.get(cycle.pk)
        if scope is None or self.unit.path not in self.results[scope.key].resolvable:
            return ""
        return count_words(self.results[scope.key].response_count(self.unit))


def cycle_standings(unit: Unit, cycles: Sequence[Cycle], *, reach: Reach) -> CycleStandings:
    """Every cycle's standing for the unit, from one set of grouped queries (see above)."""
    pools = (
        pulse_pools(unit.organisation) if any(c.kind == Cycle.Kind.PULSE for c in cycles) else []
    )
    scopes = {
        c.pk: pool_of(c, pools) if c.kind == Cycle.Kind.PULSE else cycle_scope(c) for c in cycles
    }
    distinct = list({scope.key: scope for scope in scopes.values()}.values())
    source = Source.of(unit.organisation, reach=reach)
    found = (
        results_for_scopes(unit.organisation, distinct, reach=reach, source=source)
        if distinct
        else []
    )
    return CycleStandings(
        unit=unit, scopes=scopes, results={r.scope.key: r for r in found}, source=source
    )


def full_diagnostics(
    cycles: Sequence[Cycle], *, unit: Unit, today: date
) -> tuple[list[Cycle], list[Cycle]]:
    """The full diagnostics that have opened, newest first as given: those run across the whole
    unit (for it or a unit above it), and all of them (also those run in part of it)."""
    full = [c for c in cycles if c.kind == Cycle.Kind.FULL and c.opens_on <= today]
    return [c for c in full if unit.path.startswith(c.unit.path)], full


def default_cycle(
    cycles: Sequence[Cycle],
    *,
    unit: Unit,
    today: date,
    shown: Callable[[Cycle], bool] | None = None,
) -> Cycle | None:
    """The cycle a dashboard opens on: the newest whose figures for the unit are `shown` (to
    the viewer, under the disclosure engine), preferring a full diagnostic that has opened
    across the whole unit (run for it or for a unit above it), then one that has opened in
    part of it, then any cycle. A diagnostic one team ran on its own is not what a service's
    page should open on, and a cycle that has just opened is not what a manager should lose
    their results to. When nothing is shown yet (or `shown` is not given), the newest in the
    same order, so that an open cycle shows its progress."""
    whole, full = full_diagnostics(cycles, unit=unit, today=today)
    tiers = [whole, full, list(cycles)]
    if shown is not None:
        for tier in tiers:
            found = next((c for c in tier if shown(c)), None)
            if found is not None:
                return found
    choices = next((tier for tier in tiers if tier), [])
    return choices[0] if choices else None


def newest_open_after(cycles: Sequence[Cycle], cycle: Cycle) -> Cycle | None:
    """The newest cycle still open that opened after this one (cycles are newest first)."""
    return next(
        (
            c
            for c in cycles
            if c.status == Cycle.Status.OPEN and c.pk != cycle.pk and c.opens_on > cycle.opens_on
        ),
        None,
    )


def _mean(group: GroupResult | None, code: str) -> float | None:
    if group is None:
        return None
    cell = group.domains.get(code)
    return cell.figures.mean if cell and cell.figures else None


def _response_rate(cycle_ids: frozenset[int], unit: Unit, responses: int | None) -> float | None:
    if responses is None:
        return None
    issued = Invite.objects.filter(teams_under(unit, "team__"), cycle_id__in=cycle_ids).count()
    return responses / issued if issued else None
