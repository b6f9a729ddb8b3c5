"""Lookups whose SQL is compiled once per process instead of on every call.

Turning a QuerySet with several `select_related` joins into SQL costs Django about a
millisecond of Python, and PostgreSQL about half a millisecond more to parse and plan it, both
several times what running it takes. The survey looks its invite up on every request, so these
were the largest costs of answering a survey.

A `PrecompiledLookup` compiles its QuerySet the first time it runs, keeps the SQL, and
afterwards only executes it and builds the objects with Django's own steps (those of
`ModelIterable`), so callers get exactly the instances the QuerySet would give them. On
PostgreSQL it also prepares the statement once per connection (server-side `PREPARE`), so the
database plans it once; `PREPARED_STATEMENTS = False` turns that off, for a connection pooler
that hands one session's statements to another (PgBouncer in transaction mode).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from weakref import WeakSet

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models
from django.db.models.query import QuerySet, get_related_populators

ModelT = TypeVar("ModelT", bound=models.Model)

_statement_numbers = itertools.count(1)
_PLACEHOLDER = re.compile(r"%%|%s")


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    value_positions: tuple[int, ...]
    model: type[models.Model]
    init_list: list[str]
    model_columns: slice
    populators: list[Any]
    converters: list[tuple[int, tuple[list[Any], Any]]]
    prepare_sql: str | None
    execute_sql: str | None


class PrecompiledLookup(Generic[ModelT]):
    """The first row of `build(value)`, with its SQL compiled once per database alias.

    `build` must put `value` into the query unchanged (a filter on a column whose database form
    equals the Python value, such as a string or an integer key). `example` is any value of that
    kind that no constant in the query equals; it marks where `value` goes in the parameters.
    """

    def __init__(self, build: Callable[[Any], QuerySet[ModelT]], *, example: Any) -> None:
        self._build = build
        self._example = example
        self._compiled: dict[str, _Compiled] = {}
        self._statement = f"sword_lookup_{next(_statement_numbers)}"
        # Database connections (the driver's) on which the statement is prepared, and those on
        # which a failed first call left it unknown whether it is; the latter send plain SQL.
        self._prepared_on: WeakSet[Any] = WeakSet()
        self._unprepared_on: WeakSet[Any] = WeakSet()

    def first(self, value: Any, *, using: str = DEFAULT_DB_ALIAS) -> ModelT | None:
        compiled = self._compiled.get(using) or self._compile(using)
        params = list(compiled.params)
        for position in compiled.value_positions:
            params[position] = value
        connection = connections[using]
        with connection.cursor() as cursor:
            self._execute(cursor, connection.connection, compiled, params)
            fetched = cursor.fetchone()
        if fetched is None:
            return None
        row = list(fetched)
        for position, (converters, expression) in compiled.converters:
            for converter in converters:
                row[position] = converter(row[position], expression, connection)
        instance = compiled.model.from_db(using, compiled.init_list, row[compiled.model_columns])
        for populator in compiled.populators:
            populator.populate(row, instance)
        return instance  # type: ignore[return-value]

    def _execute(
        self, cursor: Any, driver_connection: Any, compiled: _Compiled, params: list[Any]
    ) -> None:
        if (
            compiled.prepare_sql is None
            or compiled.execute_sql is None
            or not settings.PREPARED_STATEMENTS
            or driver_connection in self._unprepared_on
        ):
            cursor.execute(compiled.sql, params)
        elif driver_connection in self._prepared_on:
            cursor.execute(compiled.execute_sql, params)
        else:
            # Prepared and run in one round trip, so the first call costs one query like the rest.
            try:
                cursor.execute(f"{compiled.prepare_sql}; {compiled.execute_sql}", params)
            except DatabaseError:
                self._unprepared_on.add(driver_connection)
                raise
            self._prepared_on.add(driver_connection)

    def _compile(self, using: str) -> _Compiled:
        queryset = self._build(self._example)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        value_positions = tuple(
            i
            for i, param in enumerate(params)
            if type(param) is type(self._example) and param == self._example
        )
        if not value_positions:
            raise ValueError("The query does not use the looked-up value as a parameter.")
        select, klass_info = compiler.select, compiler.klass_info
        assert klass_info is not None
        select_fields = klass_info["select_fields"]
        model_columns = slice(select_fields[0], select_fields[-1] + 1)
        prepare_sql = execute_sql = None
        if compiler.connection.vendor == "postgresql":
            numbers = itertools.count(1)
            # "%%" stays: the driver turns it into "%" when it fills in the parameters.
            body = _PLACEHOLDER.sub(
                lambda match: match[0] if match[0] == "%%" else f"${next(numbers)}", sql
            )
            prepare_sql = f"PREPARE {self._statement} AS {body}"
            execute_sql = f"EXECUTE {self._statement}({', '.join(['%s'] * len(params))})"
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            value_positions=value_positions,
            model=klass_info["model"],
            init_list=[column[0].target.attname for column in select[model_columns]],
            model_columns=model_columns,
            populators=get_related_populators(klass_info, select, using),  # type: ignore[call-arg]
            converters=list(
                compiler.get_converters(
                    [column[0] for column in select[: compiler.col_count]]
                ).items()
            ),
            prepare_sql=prepare_sql,
            execute_sql=execute_sql,
        )
        self._compiled[using] = compiled
        return compiled
