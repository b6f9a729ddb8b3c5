"""What the cycle page shows of each team: codes made, responses as the disclosure engine lets
the viewer read them, and whether the team's structural figures are in.

Codes made are shown exactly (their maker handed them out); they bound the responses, and the
disclosure engine decides the counts with them (docs/anonymity.md, "Codes made are bounds").
Responses: a team's count is exact only where the engine shows the team's figures to this
viewer, and otherwise reads only which side of k it is ("fewer than 5", "5 or more", "none"). A
pulse's counts are its pool's. A response rate gives the count away, so it is worked out only
beside an exact count, and never for a pulse. The number of queries does not depend on the
number of teams.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Q

from diagnostics.models import Cycle, CycleTeam, StructuralFigures
from diagnostics.pooling import scope_of
from diagnostics.release_words import count_words
from diagnostics.results import Source, results_for_scopes
from diagnostics.selectors import codes_made, recorded_headcounts
from diagnostics.structural_data import FIGURE_CODES
from disclosure.release import CountBand, ResponseCount, effective_k, response_count
from organisations.access import Reach
from organisations.models import Unit
from organisations.remembered_units import unit_table


@dataclass(frozen=True)
class TeamProgress:
    team: Unit
    path: str
    codes_made: int
    count: ResponseCount  # exact only where the engine shows the team's figures
    rate_percent: int | None  # responses per code made, only beside an exact count
    figures_entered: bool
    headcount: int | None = None  # as the cycle's pages give it (selectors.recorded_headcounts)

    @property
    def more_codes_than_people(self) -> bool:
        """Codes made beyond the team's recorded headcount: spares, replacements, or codes
        someone could answer themselves (docs/anonymity.md, "Codes answered by whoever made
        them")."""
        return self.headcount is not None and self.codes_made > self.headcount

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
    """A cycle's progress as one viewer may read it: the whole (worked out over every team in
    reach) and, for the teams a page shows, their rows (`rows`)."""

    cycle: Cycle
    k: int
    team_units: tuple[Unit, ...]  # every team of the cycle in the viewer's reach, in tree order
    unit_count: ResponseCount  # the cycle's whole unit, as the engine lets this viewer read it
    teams_at_k: int  # teams whose responses reached k (each already reads as "k or more")
    count_of: Callable[[Unit], ResponseCount]  # a team's count as the engine lets it be read
    with_figures: frozenset[int]  # teams in reach with structural figures for the cycle
    pool_label: str = ""  # a pulse's: the pool whose counts are read in its place

    @property
    def team_count(self) -> int:
        return len(self.team_units)

    @property
    def figures_entered(self) -> int:
        return len(self.with_figures)

    @property
    def unit_responses(self) -> str:
        return count_words(self.unit_count)

    def rows(self, teams: Sequence[Unit], *, paths: Mapping[int, str]) -> tuple[TeamProgress, ...]:
        """The rows of these teams (of `team_units`): two queries, for their codes made and their
        headcounts, so that a page of 100 teams costs the same in a council of 300 teams or
        3,000."""
        made_for = codes_made(self.cycle, teams=teams)
        headcounts = {
            team: people
            for team, (people, _source) in recorded_headcounts(
                self.cycle, [team.id for team in teams]
            ).items()
        }
        rows = []
        for team in teams:
            count = self.count_of(team)
            made = made_for.get(team.id, 0)
            rows.append(
                TeamProgress(
                    team=team,
                    path=paths.get(team.id, team.name),
                    codes_made=made,
                    count=count,
                    rate_percent=(
                        round(100 * count.exact / made)
                        if count.exact is not None and made and self.cycle.kind != Cycle.Kind.PULSE
                        else None  # a pool's count against one pulse's codes is no rate
                    ),
                    figures_entered=team.id in self.with_figures,
                    headcount=headcounts.get(team.id),
                )
            )
        return tuple(rows)


def teams_with_figures(cycle: Cycle) -> set[int]:
    """Teams with at least one structural figure recorded for the cycle (one query)."""
    any_figure = Q()
    for code in FIGURE_CODES:
        any_figure |= Q(**{f"{code}__isnull": False})
    entered = StructuralFigures.objects.filter(any_figure, cycle=cycle)
    return set(entered.values_list("team_id", flat=True))


def cycle_progress(cycle: Cycle, reach: Reach) -> CycleProgress:
    """The cycle's teams in the viewer's reach, and the cycle's unit as a whole (a fixed number
    of queries, whatever the number of teams).

    A pulse is read only through its pool: its teams' and its unit's counts are the pool's, as
    the dashboards show them. One pulse's counts are not shown, not even as a side of k: beside
    the pool's count, the sides of its pulses can pin each (a pool of 8 over two pulses each
    "fewer than 5" has 4 in each).
    """
    k = effective_k(cycle.organisation.anonymity_threshold)
    table = unit_table(organisation_id=cycle.organisation_id, using=Unit.objects.db)
    source = Source.of_table(table, reach=reach)
    taking_part = set(CycleTeam.objects.filter(cycle=cycle).values_list("team_id", flat=True))
    teams = [source.by_path[path] for team_id, path in table.teams if team_id in taking_part]
    if not reach.covers_organisation:
        teams = [team for team in teams if reach.reaches(team)]
    entered = frozenset(teams_with_figures(cycle) & {team.id for team in teams})
    scope = scope_of(cycle)
    (results,) = results_for_scopes(cycle.organisation, [scope], reach=reach, source=source)
    at_k = sum(1 for team in teams if results.response_counts.get(team.path, 0) >= k)
    unit_count = (
        results.response_count(cycle.unit)
        if cycle.unit.path in results.resolvable
        else response_count(sum(results.response_counts.get(t.path, 0) for t in teams), k=k)
    )
    return CycleProgress(
        cycle=cycle,
        k=k,
        team_units=tuple(teams),
        unit_count=unit_count,
        teams_at_k=at_k,
        count_of=results.response_count,
        with_figures=entered,
        pool_label=scope.full_label if cycle.kind == Cycle.Kind.PULSE else "",
    )
