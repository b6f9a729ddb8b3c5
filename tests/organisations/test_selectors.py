from __future__ import annotations

import pytest

from diagnostics.models import Invite
from diagnostics.services import issue_invites
from organisations.models import Role
from organisations.selectors import people_running, teams_under
from tests.diagnostics.conftest import make_cycle
from tests.factories import make_member

__all__ = ["make_cycle"]

pytestmark = pytest.mark.django_db


def test_it_names_the_people_holding_a_role_at_each_unit_in_one_query(
    world, django_assert_num_queries
):
    second = make_member(world.north, Role.LEADER)
    inactive = make_member(world.north, Role.LEADER)
    inactive.is_active = False
    inactive.save()
    with django_assert_num_queries(1):
        running = people_running([world.north, world.root, world.team_a])
    assert set(running[world.north.pk]) == {world.leader, second}
    assert running[world.root.pk] == [world.org_admin]
    assert running[world.team_a.pk] == [world.team_manager]


def test_it_falls_back_to_the_nearest_unit_above_where_somebody_holds_a_role(world):
    running = people_running([world.units["Children's Services"], world.units["Team C"]])
    assert running[world.units["Children's Services"].pk] == [world.org_admin]
    assert running[world.units["Team C"].pk] == [world.org_admin]  # South has no leader


def test_it_answers_nothing_for_no_units(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert people_running([]) == {}


def test_it_counts_a_units_teams_rows_with_or_without_matching_paths(world, make_cycle):
    cycle = make_cycle(unit=world.root)
    for team, count in ((world.team_a, 3), (world.team_b, 4), (world.team_c, 5)):
        issue_invites(cycle=cycle, team=team, count=count)

    def counted(unit) -> tuple[int, int]:
        codes = Invite.objects.filter(cycle=cycle)
        return (
            codes.filter(teams_under(unit, "team__")).count(),
            codes.filter(team__path__startswith=unit.path).count(),
        )

    assert counted(world.root) == (12, 12)
    assert counted(world.north) == (7, 7)
    assert counted(world.team_c) == (5, 5)
    assert "path" not in str(teams_under(world.root, "team__"))
