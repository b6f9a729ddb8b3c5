from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from organisations.access import get_unit_for, reach_of
from organisations.models import Role, Unit


def test_it_gives_an_org_admin_the_whole_organisation(world):
    reach = reach_of(world.org_admin)
    assert set(reach.units()) == set(Unit.objects.filter(organisation=world.organisation))
    assert reach.role_at(world.team_c) == Role.ORG_ADMIN


def test_it_gives_a_leader_only_the_units_below_their_unit(world):
    reach = reach_of(world.leader)
    assert set(reach.units().values_list("name", flat=True)) == {
        "Locality North",
        "Team A",
        "Team B",
    }
    assert not reach.reaches(world.team_c)
    assert not reach.reaches(world.root)


def test_it_gives_a_team_manager_only_their_team(world):
    reach = reach_of(world.team_manager)
    assert list(reach.units()) == [world.team_a]
    assert not reach.reaches(world.team_b)


def test_it_gives_an_outsider_nothing_here(world):
    reach = reach_of(world.outsider)
    assert not reach.reaches(world.team_a)
    with pytest.raises(Http404):
        get_unit_for(world.outsider, world.team_a.pk)


def test_it_returns_404_for_units_out_of_reach_and_403_for_a_weaker_role(world):
    with pytest.raises(Http404):
        get_unit_for(world.team_manager, world.team_b.pk)
    with pytest.raises(Http404):
        get_unit_for(world.team_manager, "not-a-number")
    with pytest.raises(PermissionDenied):
        get_unit_for(world.leader, world.team_a.pk, role=Role.ORG_ADMIN)
    assert get_unit_for(world.leader, world.team_a.pk) == world.team_a


def test_it_reads_reach_with_one_query_per_request(world, django_assert_num_queries):
    user = type(world.leader).objects.get(pk=world.leader.pk)
    with django_assert_num_queries(1):
        reach_of(user)
        reach_of(user)
        reach_of(user).reaches(world.team_a)
