"""The units a process remembers between requests (organisations/remembered_units.py): read once,
then only the database's version of the units table, and read again after any write to units,
however it is made and whether or not it was kept."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.utils import timezone

from diagnostics.results import load_units
from organisations.models import Unit
from organisations.remembered_units import forget_unit_fields, unit_fields, units_version
from organisations.services import (
    add_unit,
    archive_unit,
    delete_unit,
    move_unit,
    rename_unit,
)
from tests.conftest import World


@pytest.fixture(autouse=True)
def remembering(settings):
    settings.SPEEDUP_REMEMBERED_UNITS = True
    forget_unit_fields()
    yield
    forget_unit_fields()


Shown = list[tuple[str, str, bool, bool, int]]


def _described(units: list[Unit]) -> Shown:
    return [(unit.path, unit.name, unit.is_team, unit.is_archived, unit.numchild) for unit in units]


def shown(world: World) -> Shown:
    """The organisation's units as `load_units` makes them."""
    return _described(load_units(world.organisation))


def read_afresh(world: World) -> Shown:
    return _described(list(Unit.objects.filter(organisation=world.organisation)))


def test_it_reads_the_units_once_and_then_only_their_version(world, django_assert_num_queries):
    with django_assert_num_queries(2):  # the version, then the units with their version
        first = shown(world)
    with django_assert_num_queries(1):  # the version, which has not moved
        again = shown(world)
    assert first == again == read_afresh(world)
    assert [unit[1] for unit in first][:2] == ["Example Council", "Children's Services"]


def test_it_remembers_each_organisation_apart(world):
    ours = shown(world)
    theirs = [unit.name for unit in load_units(world.other_organisation)]
    assert theirs == ["Other Council", "Other Service", "Other Team"]
    assert shown(world) == ours


def _raw_rename(world: World) -> None:
    # Past the ORM altogether: the database's trigger still moves the version on.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE organisations_unit SET name = %s WHERE id = %s",
            ["Team Renamed", world.team_b.pk],
        )


WRITES: dict[str, Callable[[World], object]] = {
    "a unit added": lambda world: add_unit(
        parent=world.units["Locality South"], name="Team D", is_team=True
    ),
    "a unit renamed": lambda world: rename_unit(unit=world.team_a, name="Team Alpha"),
    "a unit moved (treebeard's raw SQL)": lambda world: move_unit(
        unit=world.team_b, new_parent=world.units["Locality South"]
    ),
    "a unit archived (a bulk update)": lambda world: archive_unit(unit=world.team_c),
    "a unit deleted": lambda world: delete_unit(unit=world.team_c),
    "a row changed by hand in SQL": _raw_rename,
    "numbers of children set in bulk": lambda world: Unit.objects.filter(
        pk=world.units["Locality North"].pk
    ).update(numchild=7),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_it_reads_the_units_again_after_any_write_to_them(world, write):
    before = shown(world)
    write(world)
    after = shown(world)
    assert after == read_afresh(world)
    assert after != before


@pytest.mark.django_db(transaction=True)
def test_it_never_takes_units_read_in_a_transaction_that_rolled_back(world):
    shown(world)

    class RolledBack(Exception):
        pass

    def add_then_give_up() -> None:
        with transaction.atomic():
            add_unit(parent=world.units["Locality South"], name="Team Never", is_team=True)
            assert "Team Never" in [unit[1] for unit in shown(world)]  # remembered inside it
            raise RolledBack

    with pytest.raises(RolledBack):
        add_then_give_up()
    # The same write again, straight after: a version counted up would come back to the
    # number the rolled-back transaction gave its units.
    add_unit(parent=world.units["Locality South"], name="Team Kept", is_team=True)
    names = [unit[1] for unit in shown(world)]
    assert "Team Kept" in names
    assert "Team Never" not in names
    assert shown(world) == read_afresh(world)


def test_it_gives_the_version_a_new_value_on_every_write(world):
    seen = {units_version()}
    for name in ("One", "Two", "Three"):
        rename_unit(unit=world.team_a, name=f"Team {name}")
        seen.add(units_version())
    assert len(seen) == 4
    assert None not in seen


def test_it_gives_every_caller_units_of_its_own(world):
    first = load_units(world.organisation)
    first[0].name = "Changed in one request only"
    first[0].__dict__["cached_by_a_request"] = True
    assert first[0].organisation == world.organisation  # cached on that unit alone
    second = load_units(world.organisation)
    assert second[0] is not first[0]
    assert second[0].name == "Example Council"
    assert "cached_by_a_request" not in second[0].__dict__
    assert "organisation" not in second[0]._state.fields_cache


def test_it_shares_only_fields_no_caller_can_change(world):
    (first, *_) = unit_fields(organisation_id=world.organisation.pk)
    with pytest.raises(TypeError):
        first["name"] = "Changed for everyone"  # type: ignore[index]
    assert first["name"] == "Example Council"


def test_it_reads_the_units_on_every_call_when_switched_off(
    world, settings, django_assert_num_queries
):
    settings.SPEEDUP_REMEMBERED_UNITS = False
    shown(world)
    Unit.objects.filter(pk=world.team_a.pk).update(archived_at=timezone.now())
    with django_assert_num_queries(1):  # the units, and no version
        after = shown(world)
    assert after == read_afresh(world)
