"""Checking and rebuilding the running tallies against the stored rows, in the database."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from diagnostics.models import DomainTally, Response, StatementTally, TeamTally
from diagnostics.selectors import statement_infos
from diagnostics.services import issue_invites, store_answers
from diagnostics.tallies import rebuild_tallies, tally_differences


@pytest.fixture
def answered(world, make_cycle):
    """Two cycles, each with responses in two teams, stored as a submission stores them."""
    cycles = [make_cycle(unit=world.units["Children's Services"], name=name) for name in ("A", "B")]
    for cycle in cycles:
        infos = statement_infos(cycle)
        for number, team in enumerate([world.team_a, world.team_a, world.team_b]):
            response = Response.objects.create(
                cycle=cycle, team=team, submitted_on=timezone.localdate()
            )
            answers = {
                info.code: (number + position) % 6 + 1 for position, info in enumerate(infos)
            }
            store_answers(response=response, statements=infos, answers=answers)
    return cycles


def spoil(cycle) -> None:
    """One tally of each kind wrong: a count changed, a row missing, a row with no responses."""
    statement = StatementTally.objects.filter(cycle=cycle).order_by("pk")[0]
    StatementTally.objects.filter(pk=statement.pk).update(red=statement.red + 1)
    DomainTally.objects.filter(cycle=cycle).order_by("pk")[0].delete()
    team = TeamTally.objects.filter(cycle=cycle).order_by("pk")[0]
    TeamTally.objects.filter(pk=team.pk).update(responses=team.responses + 2)


def test_it_finds_no_difference_while_the_tallies_follow_the_rows(answered):
    assert TeamTally.objects.count() == 4
    assert tally_differences() == []


def test_it_names_each_tally_that_differs_from_the_rows(answered):
    spoil(answered[0])
    problems = tally_differences()
    assert [problem.split(" ")[0] for problem in problems] == ["domain", "statement", "team"]
    assert "tally says None" in problems[0]
    team = TeamTally.objects.filter(cycle=answered[0]).order_by("pk")[0]
    assert f"team ({answered[0].pk}, {team.team_id})" in problems[2]
    said = f"raw rows say ({team.responses - 2}, 0), tally says ({team.responses}, 0)"
    assert said in problems[2]


def test_it_finds_a_tally_without_rows(answered, world):
    TeamTally.objects.create(cycle=answered[0], team=world.team_c, responses=1)
    assert tally_differences() == [
        f"team ({answered[0].pk}, {world.team_c.pk}): raw rows say None, tally says (1, 0)"
    ]


def test_it_counts_the_codes_made_beside_the_responses(answered, world):
    """Codes made bound the responses, so the tally counts them as the codes are made, and a
    recount counts them from the codes."""
    cycle = answered[0]
    issue_invites(cycle=cycle, team=world.team_a, count=3)
    issue_invites(cycle=cycle, team=world.team_a, count=2)
    issue_invites(cycle=cycle, team=world.team_c, count=4)  # no responses yet
    made = dict(TeamTally.objects.filter(cycle=cycle).values_list("team_id", "codes_made"))
    assert made == {world.team_a.pk: 5, world.team_b.pk: 0, world.team_c.pk: 4}
    assert TeamTally.objects.get(cycle=cycle, team=world.team_c).responses == 0
    assert tally_differences() == []
    TeamTally.objects.filter(cycle=cycle, team=world.team_a).update(codes_made=1)
    assert tally_differences() == [
        f"team ({cycle.pk}, {world.team_a.pk}): raw rows say (2, 5), tally says (2, 1)"
    ]
    rebuild_tallies(cycle_ids=[cycle.pk])
    assert TeamTally.objects.get(cycle=cycle, team=world.team_a).codes_made == 5
    assert tally_differences() == []


def test_it_rebuilds_only_the_cycles_asked(answered):
    first, second = answered
    spoil(first)
    spoil(second)
    rebuild_tallies(cycle_ids=[first.pk])
    problems = tally_differences()
    assert len(problems) == 3
    assert all(f"({second.pk}, " in problem for problem in problems)
    rebuild_tallies()
    assert tally_differences() == []


def test_it_fails_the_command_on_a_difference_and_repairs_with_rebuild(answered, capsys):
    spoil(answered[1])
    with pytest.raises(CommandError, match="3 tallies differ"):
        call_command("check_tallies")
    call_command("check_tallies", "--rebuild")
    assert "Tallies match the raw rows." in capsys.readouterr().out
    assert tally_differences() == []
