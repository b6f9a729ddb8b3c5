"""A precompiled lookup gives what its QuerySet gives, with one query and one compile."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection, transaction
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from organisations.models import Unit
from sword.precompiled import PrecompiledLookup


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
