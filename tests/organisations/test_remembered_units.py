"""The units a process remembers between requests (organisations/remembered_units.py): read once,
then only the database's version of the units table, and read again after any write to units,
however it is made and whether or not it was kept."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.utils import timezone

from organisations import remembered_units, services
from organisations.models import Unit
from organisations.remembered_units import (
    UnitsByPath,
    forget_unit_fields,
    load_units,
    unit_fields,
    unit_table,
    units_version,
)
from organisations.services import (
    add_unit,
    archive_unit,
    delete_unit,
    move_unit,
    rename_unit,
)
from tests.conftest import World
from tests.postgres_locks import backend_pid, run_in_thread, wait_until_waiting_on_a_lock


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
    forget_unit_fields()  # the world's audit events named their units from the remembered ones
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


def test_it_keeps_the_triggers_that_move_the_version(db):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger"
                " WHERE tgrelid = 'organisations_unit'::regclass AND NOT tgisinternal"
            )
            expected = {"organisations_units_changed"}
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master"
                " WHERE type = 'trigger' AND tbl_name = 'organisations_unit'"
            )
            expected = {f"organisations_units_{event}" for event in ("insert", "update", "delete")}
        found = {name for (name,) in cursor.fetchall()}
    # On SQLite a migration that alters the units table rebuilds it without them: such a
    # migration must create them again, as organisations/migrations/0012_units_version.py does.
    assert found == expected


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


@pytest.mark.django_db(transaction=True)
def test_it_lets_an_import_and_a_new_unit_write_units_at_the_same_moment(world, monkeypatch):
    """Every write to units moves the version, so a writer holds the version's row until it
    commits. An import that has added a unit (holding it) and goes on to add one under a unit
    that another writer has locked, while that writer waits for the version, would deadlock:
    writers queue for the version first instead (PostgreSQL; SQLite lets one writer in)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no row locks and lets only one writer in")
    add = services.add_unit
    import_paused = threading.Event()

    other_writer: queue.Queue[int] = queue.Queue()  # its connection's process id

    def wait_for_a_writer_to_wait() -> None:
        wait_until_waiting_on_a_lock(other_writer.get(timeout=10), who="the other writer")

    def add_then_pause(**kwargs: object) -> Unit:
        unit = add(**kwargs)  # type: ignore[arg-type]
        if threading.current_thread().name == "import" and not import_paused.is_set():
            import_paused.set()
            wait_for_a_writer_to_wait()  # the other writer has gone as far as it can
        return unit

    monkeypatch.setattr(services, "add_unit", add_then_pause)
    outcomes: dict[str, str] = {}

    def import_two_teams() -> None:
        services.import_structure(
            organisation_slug=world.organisation.slug,
            content="path\nChildren's Services / Locality North / Team X\n"
            "Children's Services / Locality South / Team Y\n",
        )

    def add_one_team() -> None:
        other_writer.put(backend_pid())
        import_paused.wait(timeout=10)
        add(
            parent=Unit.objects.get(pk=world.units["Locality South"].pk),
            name="Team Z",
            is_team=True,
        )

    threads = [
        run_in_thread("import", import_two_teams, outcomes),
        run_in_thread("add", add_one_team, outcomes),
    ]
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes == {"import": "done", "add": "done"}

    def names_below(unit: Unit) -> set[str]:
        return {u.name for u in load_units(world.organisation) if u.path.startswith(unit.path)}

    assert "Team X" in names_below(world.units["Locality North"])
    assert {"Team Y", "Team Z"} <= names_below(world.units["Locality South"])


def test_it_works_out_readable_paths_once_until_a_unit_changes(world, django_assert_num_queries):
    from organisations.selectors import readable_paths

    forget_unit_fields()  # the world's audit events named their units from the remembered ones
    with django_assert_num_queries(2):  # the version, then the units with their version
        first = readable_paths(world.organisation)
    with django_assert_num_queries(1):  # the version alone
        again = readable_paths(world.organisation)
    assert again is first
    rename_unit(unit=world.north, name="Locality Nord")

    after = readable_paths(world.organisation)

    assert first[world.team_a.pk] == "Children's Services / Locality North / Team A"
    assert after[world.team_a.pk] == "Children's Services / Locality Nord / Team A"
    assert after[world.root.pk] == "Example Council"
    assert len(after) == Unit.objects.filter(organisation=world.organisation).count()


def test_it_works_out_the_same_readable_paths_from_units_read_afresh_when_switched_off(
    world, settings, django_assert_num_queries
):
    from organisations.selectors import readable_paths

    remembered = dict(readable_paths(world.organisation))
    settings.SPEEDUP_REMEMBERED_UNITS = False
    with django_assert_num_queries(1):
        afresh = readable_paths(world.organisation)
    assert dict(afresh) == remembered


def test_it_names_units_by_path_the_same_from_remembered_units_and_afresh(
    world, settings, django_assert_num_queries
):
    from organisations.selectors import unit_names_by_path

    archive_unit(unit=world.team_c)
    remembered = unit_names_by_path(world.organisation)
    remembered_active = unit_names_by_path(world.organisation, include_archived=False)
    with django_assert_num_queries(1):  # the version alone
        unit_names_by_path(world.organisation)
    settings.SPEEDUP_REMEMBERED_UNITS = False
    with django_assert_num_queries(1):
        afresh = unit_names_by_path(world.organisation)
    afresh_active = unit_names_by_path(world.organisation, include_archived=False)

    assert remembered == afresh
    assert remembered_active == afresh_active
    assert world.team_c.path in remembered
    assert world.team_c.path not in remembered_active
    assert len(remembered) == len(remembered_active) + 1 == 7


# -- the units as a table, and one request's units made from it as asked for ----------------------


def units_by_path(world: World) -> UnitsByPath:
    return UnitsByPath(unit_table(organisation_id=world.organisation.pk), db="default")


@pytest.mark.parametrize("remembered", [True, False])
def test_it_gives_the_same_units_by_path_as_load_units(world, settings, remembered):
    settings.SPEEDUP_REMEMBERED_UNITS = remembered
    by_path = units_by_path(world)

    assert list(by_path) == [unit.path for unit in load_units(world.organisation)]
    assert _described(by_path.every_unit()) == shown(world)
    assert _described([by_path[world.team_b.path]]) == _described([world.team_b])
    assert world.north.path in by_path
    assert "9999" not in by_path
    with pytest.raises(KeyError):
        by_path["9999"]
    assert [unit.name for unit in by_path.children(world.north.path)] == ["Team A", "Team B"]
    assert by_path.children(world.team_a.path) == []
    table = unit_table(organisation_id=world.organisation.pk)
    assert table.teams == tuple(
        (unit.pk, unit.path) for unit in load_units(world.organisation) if unit.is_team
    )


def test_it_makes_each_unit_once_for_a_request_and_never_for_another(world):
    by_path = units_by_path(world)
    north = by_path[world.north.path]
    assert by_path[world.north.path] is north
    assert by_path.children(world.units["Children's Services"].path)[0] is north
    assert north in by_path.every_unit()
    north.__dict__["cached_by_a_request"] = True
    assert north.organisation == world.organisation  # cached on this request's unit alone

    again = units_by_path(world)[world.north.path]
    assert again is not north
    assert "cached_by_a_request" not in again.__dict__
    assert "organisation" not in again._state.fields_cache


def test_it_keeps_the_table_until_a_unit_changes(world):
    first = unit_table(organisation_id=world.organisation.pk)
    assert unit_table(organisation_id=world.organisation.pk) is first
    rename_unit(unit=world.team_a, name="Team Alpha")
    after = unit_table(organisation_id=world.organisation.pk)
    assert after is not first
    assert after.by_path[world.team_a.path]["name"] == "Team Alpha"


def test_it_works_out_a_value_from_the_table_once_for_each_key_until_a_unit_changes(
    world, monkeypatch
):
    worked: list[str] = []

    def work(name: str) -> Callable[[], str]:
        def named() -> str:
            worked.append(name)
            return f"{name} of {len(table.paths)} units"

        return named

    table = unit_table(organisation_id=world.organisation.pk)
    assert table.derived("a", work("a")) == "a of 7 units"
    assert table.derived("a", work("a again")) == "a of 7 units"
    assert table.derived("b", work("b")) == "b of 7 units"
    assert worked == ["a", "b"]

    add_unit(parent=world.north, name="Team D", is_team=True)
    table = unit_table(organisation_id=world.organisation.pk)
    assert table.derived("a", work("a after")) == "a after of 8 units"
    assert worked == ["a", "b", "a after"]

    # Past its bound, a table forgets what it kept and works each value out again.
    monkeypatch.setattr(remembered_units, "MOST_DERIVED", 2)
    table.derived("b", work("b after"))
    table.derived("c", work("c"))
    assert table.derived("c", work("c again")) == "c of 8 units"
    assert table.derived("a", work("a once more")) == "a once more of 8 units"
    assert worked[3:] == ["b after", "c", "a once more"]
