from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from diagnostics.selectors import cycles_covering
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_it_gives_each_unit_the_opened_cycles_its_teams_took_part_in_newest_first(
    world: World, make_cycle
) -> None:
    today = timezone.localdate()
    whole = make_cycle(unit=world.root, opens_on=today - timedelta(days=30))
    north = make_cycle(unit=world.north, opens_on=today - timedelta(days=20))
    team_c = make_cycle(unit=world.team_c, opens_on=today - timedelta(days=10))
    make_cycle(unit=world.root, opened=False, name="Still a draft")
    others = make_cycle(unit=world.other_units["root"])

    assert cycles_covering(world.root) == [team_c, north, whole]
    assert cycles_covering(world.units["Children's Services"]) == [team_c, north, whole]
    assert cycles_covering(world.north) == [north, whole]
    assert cycles_covering(world.team_a) == [north, whole]
    assert cycles_covering(world.units["Locality South"]) == [team_c, whole]
    assert cycles_covering(world.other_units["root"]) == [others]


def test_it_leaves_out_a_cycle_none_of_whose_teams_is_below_the_unit(
    world: World, make_cycle
) -> None:
    only_c = make_cycle(unit=world.team_c)

    assert cycles_covering(world.north) == []
    assert cycles_covering(world.root) == [only_c]
