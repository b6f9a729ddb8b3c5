"""What the cycle page shows of each team: codes made, responses as the disclosure engine lets
the viewer read them, and whether the team's structural figures are in.

Codes made are not sensitive (nobody answers by being given a code). Responses are: a team's
count is exact only where the engine shows the team's figures to this viewer, and otherwise
reads only which side of k it is ("fewer than 5", "5 or more", "none"). A response rate gives
the count away, so it is worked out only beside an exact count. The number of queries does not
depend on the number of teams.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from diagnostics.models import Cycle, CycleTeam, StructuralFigures, TeamTally
from diagnostics.pooling import cycle_scope
from diagnostics.release_words import count_words
from diagnostics.results import results_for_scopes
from diagnostics.selectors import codes_made
from diagnostics.structural_data import FIGURE_CODES
from disclosure.release import CountBand, ResponseCount, effective_k, response_count
from organisations.access import Reach
from organisations.models import Unit
from organisations.remembered_units import load_units


@dataclass(frozen=True)
class TeamProgress:
    team: Unit
    path: str
    codes_made: int
    count: ResponseCount  # exact only where the engine shows the team's figures
    rate_percent: int | None  # responses per code made, only beside an exact count
    figures_entered: bool

    @property
    def responses(self) -> str:
        """The count in the reader's language: the number, or which side of k it is."""
        return count_words(self.count)

    @property
    def suppressed(self) -> bool:
        """Whether the count reads as below the threshold (shown as suppressed)."""
        return self.count.exact is None and self.count.band is CountBand.BELOW_K

    @property
    def parent_path(self) -> str:
        """The readable path above the team ("" for a team just below the root)."""
        return self.path.rpartition(" / ")[0]


@dataclass(frozen=True)
class CycleProgress:
    k: int
    teams: tuple[TeamProgress, ...]
    unit_count: ResponseCount  # the cycle's whole unit, as the engine lets this viewer read it
    teams_at_k: int  # teams whose responses reached k (each already reads as "k or more")
    figures_entered: int

    @property
    def team_count(self) -> int:
        return len(self.teams)

    @property
    def unit_responses(self) -> str:
        return count_words(self.unit_count)


def teams_with_figures(cycle: Cycle) -> set[int]:
    """Teams with at least one structural figure recorded for the cycle (one query)."""
    rows = StructuralFigures.objects.filter(cycle=cycle).values_list("team_id", *FIGURE_CODES)
    return {team_id for team_id, *values in rows if any(v is not None for v in values)}


def cycle_progress(cycle: Cycle, reach: Reach, *, paths: Mapping[int, str]) -> CycleProgress:
    """Each team of the cycle in the viewer's reach, and the cycle's unit as a whole.

    A pulse's counts always read as a side of k: a pulse is shown only through its pool, and
    the pool's count less one pulse's would give another pulse's count.
    """
    k = effective_k(cycle.organisation.anonymity_threshold)
    units = load_units(cycle.organisation)  # remembered between requests, in tree order
    taking_part = set(CycleTeam.objects.filter(cycle=cycle).values_list("team_id", flat=True))
    teams = [unit for unit in units if unit.pk in taking_part and reach.reaches(unit)]
    made_for = codes_made(cycle)
    entered = teams_with_figures(cycle)
    if cycle.kind == Cycle.Kind.PULSE:
        counts = dict(TeamTally.objects.filter(cycle=cycle).values_list("team_id", "responses"))
        found = {team.pk: response_count(counts.get(team.pk, 0), k=k) for team in teams}
        unit_count = response_count(sum(counts.get(team.pk, 0) for team in teams), k=k)
        at_k = sum(1 for team in teams if counts.get(team.pk, 0) >= k)
    else:
        (results,) = results_for_scopes(
            cycle.organisation, [cycle_scope(cycle)], reach=reach, units=units
        )
        found = {team.pk: results.response_count(team) for team in teams}
        at_k = sum(1 for team in teams if results.response_counts.get(team.path, 0) >= k)
        unit_count = (
            results.response_count(cycle.unit)
            if cycle.unit.path in results.resolvable
            else response_count(sum(results.response_counts.get(t.path, 0) for t in teams), k=k)
        )
    rows = []
    for team in teams:
        count = found[team.pk]
        made = made_for.get(team.pk, 0)
        rows.append(
            TeamProgress(
                team=team,
                path=paths.get(team.pk, team.name),
                codes_made=made,
                count=count,
                rate_percent=(
                    round(100 * count.exact / made) if count.exact is not None and made else None
                ),
                figures_entered=team.pk in entered,
            )
        )
    return CycleProgress(
        k=k,
        teams=tuple(rows),
        unit_count=unit_count,
        teams_at_k=at_k,
        figures_entered=sum(1 for row in rows if row.figures_entered),
    )
