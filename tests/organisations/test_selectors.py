from __future__ import annotations

import pytest

from organisations.models import Role
from organisations.selectors import people_running
from tests.factories import make_member

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
