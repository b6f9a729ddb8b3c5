"""A precompiled lookup gives what its QuerySet gives, with one query and one compile; with
the speed-up off, it is that QuerySet."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from organisations.models import Unit
from sword.precompiled import PrecompiledLookup


@pytest.fixture(autouse=True)
def precompiled(settings):
    """These tests are about the speed-up, so they run with it on whatever the environment says;
    the ones about it off turn it off themselves."""
    settings.SPEEDUP_PRECOMPILED_LOOKUPS = True


def team_by_name() -> PrecompiledLookup[Unit]:
    return PrecompiledLookup(
        lambda name: Unit.objects.select_related("organisation").filter(name=name, is_team=True),
        example="a team name",
    )


def fields_of(unit: Unit) -> dict[str, object]:
    return {field.attname: getattr(unit, field.attname) for field in Unit._meta.concrete_fields}


def test_it_returns_the_row_and_its_related_objects_the_queryset_returns(
    world, django_assert_num_queries
):
    Unit.objects.filter(pk=world.team_b.pk).update(archived_at=timezone.now())
    expected = Unit.objects.select_related("organisation").get(pk=world.team_b.pk)
    lookup = team_by_name()

    with django_assert_num_queries(1):
        found = lookup.first("Team B")
        assert found is not None
        organisation_name = found.organisation.name

    assert fields_of(found) == fields_of(expected)
    assert found.archived_at is not None
    assert found.archived_at == expected.archived_at
    assert organisation_name == "Example Council"
    assert found._state.adding is False
    assert found._state.db == "default"


def test_it_returns_none_when_nothing_matches(world):
    assert team_by_name().first("No such team") is None


def test_it_compiles_the_query_once(world):
    lookup = team_by_name()
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as as_sql:
        names = [lookup.first(name).name for name in ("Team A", "Team B", "Team C")]  # type: ignore[union-attr]

    assert names == ["Team A", "Team B", "Team C"]
    assert as_sql.call_count == 1


def test_it_refuses_a_query_that_does_not_use_the_value(world):
    lookup = PrecompiledLookup(lambda name: Unit.objects.filter(is_team=True), example="x")

    with pytest.raises(ValueError, match="does not use the looked-up value"):
        lookup.first("Team A")


@pytest.mark.skipif(
    not connection.features.has_select_for_update, reason="the database has no row locks"
)
def test_it_keeps_a_row_lock_in_the_compiled_sql(world):
    lookup = PrecompiledLookup(
        lambda pk: Unit.objects.select_for_update().filter(pk=pk), example=-1
    )

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        found = lookup.first(world.team_a.pk)

    assert found == world.team_a
    assert "FOR UPDATE" in queries[0]["sql"]


def test_it_refuses_to_lock_rows_outside_a_transaction_as_django_does(transactional_db, world):
    lookup = PrecompiledLookup(
        lambda pk: Unit.objects.select_for_update().filter(pk=pk), example=-1
    )
    with transaction.atomic():
        assert lookup.first(world.team_a.pk) == world.team_a

    if connection.features.has_select_for_update:
        with pytest.raises(TransactionManagementError):
            lookup.first(world.team_a.pk)


def test_it_reads_one_row_when_several_match(world):
    lookup = PrecompiledLookup(
        lambda slug: Unit.objects.filter(organisation__slug=slug, is_team=True), example="slug"
    )
    with CaptureQueriesContext(connection) as queries:
        found = lookup.first("example")

    assert found is not None
    assert found.name in {"Team A", "Team B", "Team C"}
    assert "LIMIT 1" in queries[-1]["sql"] or "EXECUTE" in queries[-1]["sql"]


def test_it_sets_annotations_on_the_instance_as_the_queryset_does(world):
    def build(name: str) -> QuerySet[Unit]:
        return Unit.objects.filter(name=name).annotate(
            steps=F("depth") + 1,
            organisation_slug=F("organisation__slug"),
            first_other_team=Subquery(
                Unit.objects.filter(organisation=OuterRef("organisation"), is_team=True)
                .exclude(name=name)
                .order_by("name")
                .values("name")[:1]
            ),
        )

    expected = build("Team B").get()
    found = PrecompiledLookup(build, example="a unit name").first("Team B")

    assert found == expected
    annotations = ("steps", "organisation_slug", "first_other_team")
    assert [getattr(found, name) for name in annotations] == [
        getattr(expected, name) for name in annotations
    ]
    assert [getattr(found, name) for name in annotations] == [
        expected.depth + 1,
        "example",
        "Team A",
    ]


def test_it_looks_up_several_values_each_where_it_goes(world, django_assert_num_queries):
    lookup = PrecompiledLookup(
        lambda name, other_name: Unit.objects.filter(name=name).annotate(
            other_exists=Exists(Unit.objects.filter(name=other_name))
        ),
        examples=("a unit name", "another unit name"),
    )

    with django_assert_num_queries(2):
        both = lookup.first("Team A", "Team B")
        one = lookup.first("Team B", "No such team")

    assert (both, both.other_exists) == (world.team_a, True)  # type: ignore[union-attr]
    assert (one, one.other_exists) == (world.team_b, False)  # type: ignore[union-attr]
    with pytest.raises(TypeError, match="takes 2 values, not 1"):
        lookup.first("Team A")


@pytest.mark.parametrize(
    "build",
    [
        lambda name: Unit.objects.filter(name=name).values("pk"),
        lambda name: Unit.objects.filter(name=name).prefetch_related("children"),
    ],
    ids=["values", "prefetch"],
)
def test_it_refuses_querysets_it_cannot_build_plainly(world, build):
    with pytest.raises(ValueError, match="plain model instances"):
        PrecompiledLookup(build, example="x").first("Team A")


def test_it_runs_the_queryset_itself_with_the_same_sql_when_the_speedup_is_off(
    world, settings, django_assert_num_queries
):
    settings.PREPARED_STATEMENTS = False  # the compiled SQL as it is, to compare
    lookup = team_by_name()
    with CaptureQueriesContext(connection) as compiled_once:
        assert lookup.first("Team A") == world.team_a
    settings.SPEEDUP_PRECOMPILED_LOOKUPS = False

    with (
        mock.patch.object(
            PrecompiledLookup, "_precompiled_first", autospec=True
        ) as precompiled_first,
        mock.patch.object(
            SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
        ) as as_sql,
        CaptureQueriesContext(connection) as plain,
    ):
        found = [lookup.first(name) for name in ("Team A", "Team B", "No such team")]
        with django_assert_num_queries(1):
            team_b = lookup.first("Team B")
            assert team_b is not None
            organisation_name = team_b.organisation.name

    assert found == [world.team_a, world.team_b, None]
    assert fields_of(team_b) == fields_of(world.team_b)
    assert organisation_name == "Example Council"
    precompiled_first.assert_not_called()
    assert as_sql.call_count == 4  # Django compiles the QuerySet on every call
    assert plain[0]["sql"] == compiled_once[0]["sql"]


def test_it_leaves_row_locks_outside_a_transaction_to_django_when_the_speedup_is_off(
    transactional_db, world, settings
):
    settings.SPEEDUP_PRECOMPILED_LOOKUPS = False
    lookup = PrecompiledLookup(
        lambda pk: Unit.objects.select_for_update().filter(pk=pk), example=-1
    )
    with transaction.atomic():
        assert lookup.first(world.team_a.pk) == world.team_a

    if connection.features.has_select_for_update:
        with pytest.raises(TransactionManagementError):
            lookup.first(world.team_a.pk)


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="server-side prepared statements are PostgreSQL's"
)


@on_postgresql
def test_it_prepares_the_statement_once_per_connection_then_executes_it(world):
    lookup = team_by_name()
    with CaptureQueriesContext(connection) as queries:
        names = [lookup.first(name).name for name in ("Team A", "Team B", "Team C")]  # type: ignore[union-attr]

    assert names == ["Team A", "Team B", "Team C"]
    assert queries[0]["sql"].startswith("PREPARE sword_lookup_")
    assert all(
        query["sql"].startswith("EXECUTE sword_lookup_") for query in queries.captured_queries[1:]
    )


@on_postgresql
def test_it_sends_plain_sql_when_prepared_statements_are_off(world, settings):
    settings.PREPARED_STATEMENTS = False
    with CaptureQueriesContext(connection) as queries:
        found = team_by_name().first("Team A")

    assert found == world.team_a
    assert queries[0]["sql"].startswith("SELECT")


@on_postgresql
def test_it_prepares_nothing_when_the_speedup_is_off(world, settings):
    settings.SPEEDUP_PRECOMPILED_LOOKUPS = False
    lookup = team_by_name()
    with CaptureQueriesContext(connection) as queries:
        names = [lookup.first(name).name for name in ("Team A", "Team B")]  # type: ignore[union-attr]

    assert names == ["Team A", "Team B"]
    assert [query["sql"].split()[0] for query in queries.captured_queries] == ["SELECT", "SELECT"]


@on_postgresql
def test_it_keeps_literal_percent_signs_in_a_prepared_statement(world):
    lookup = PrecompiledLookup(
        # A prefix match against a column puts "LIKE ... || '%%'" into the SQL itself.
        lambda name: Unit.objects.filter(name=name, path__startswith=F("path")),
        example="a team name",
    )
    for _ in range(2):
        assert lookup.first("Team B") == world.team_b


@on_postgresql
def test_it_falls_back_to_plain_sql_when_the_server_lost_the_statement(transactional_db, world):
    lookup = team_by_name()
    assert lookup.first("Team A") == world.team_a  # prepared on this connection
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what a pooler's DISCARD ALL does

    with CaptureQueriesContext(connection) as queries:
        assert lookup.first("Team B") == world.team_b  # retried as plain SQL at once
        assert lookup.first("Team C") == world.team_c

    assert queries[-1]["sql"].startswith("SELECT")


@on_postgresql
def test_it_fails_once_inside_a_transaction_then_serves_plain_sql(transactional_db, world):
    lookup = team_by_name()
    assert lookup.first("Team A") == world.team_a
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")

    with pytest.raises(DatabaseError), transaction.atomic():
        lookup.first("Team B")
    with transaction.atomic():
        assert lookup.first("Team B") == world.team_b


@on_postgresql
def test_it_holds_the_row_lock_when_it_runs_the_prepared_statement(transactional_db, world):
    lookup = PrecompiledLookup(
        lambda pk: Unit.objects.select_for_update().filter(pk=pk), example=-1
    )
    with transaction.atomic():
        lookup.first(world.team_b.pk)  # prepares
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                assert lookup.first(world.team_a.pk) == world.team_a
            assert queries[0]["sql"].startswith("EXECUTE")
            with pytest.raises(OperationalError) as refused, other.cursor() as cursor:
                cursor.execute(
                    "SELECT 1 FROM organisations_unit WHERE id = %s FOR UPDATE NOWAIT",
                    [world.team_a.pk],
                )
        assert getattr(refused.value.__cause__, "pgcode", None) == "55P03"  # lock not available
    finally:
        other.close()
