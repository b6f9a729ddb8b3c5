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

Compiling once reaches into the ORM's private parts (the compiler's `as_sql`, `klass_info`,
`get_converters`, `get_related_populators`), which a Django upgrade may change:
`SPEEDUP_PRECOMPILED_LOOKUPS = False` makes every lookup a plain QuerySet, built and compiled
on each call as Django does it (and nothing is prepared).
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
from django.db.models.query import ModelIterable, QuerySet, get_related_populators
from django.db.transaction import TransactionManagementError

ModelT = TypeVar("ModelT", bound=models.Model)

_statement_numbers = itertools.count(1)
_PLACEHOLDER = re.compile(r"%%|%s")
# PostgreSQL's codes for "no such prepared statement", "it already exists", and the
# "cached plan must not change result type" of a statement whose table changed shape.
_PREPARED_STATEMENT_ERRORS = {"26000", "42P05", "0A000"}


def _about_the_prepared_statement(error: DatabaseError) -> bool:
    return getattr(error.__cause__, "pgcode", None) in _PREPARED_STATEMENT_ERRORS


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    value_positions: tuple[tuple[int, ...], ...]  # where each looked-up value goes
    model: type[models.Model]
    init_list: list[str]
    model_columns: slice
    populators: list[Any]
    annotation_columns: tuple[tuple[str, int], ...]
    converters: list[tuple[int, tuple[list[Any], Any]]]
    prepare_sql: str | None
    execute_sql: str | None
    locks_rows: bool


class PrecompiledLookup(Generic[ModelT]):
    """The first row of `build(value)`, with its SQL compiled once per database alias.

    `build` must put `value` into the query unchanged (a filter on a column whose database form
    equals the Python value, such as a string or an integer key), and should match at most one
    row (a unique column): only one row is read, in no set order. `example` is any value of that
    kind that no constant in the query equals; it marks where `value` goes in the parameters.
    A lookup of several values takes `examples`, one for each of `build`'s arguments, in order,
    and `first` takes the values in the same order.
    Model instances only (with `select_related`, `select_for_update` and annotations, which
    are set on the instance as the QuerySet sets them, if wanted): no `values()` or prefetching.
    """

    def __init__(
        self,
        build: Callable[..., QuerySet[ModelT]],
        *,
        example: Any = None,
        examples: tuple[Any, ...] | None = None,
    ) -> None:
        self._build = build
        self._examples = examples if examples is not None else (example,)
        self._compiled: dict[str, _Compiled] = {}
        self._statement = f"sword_lookup_{next(_statement_numbers)}"
        # Database connections (the driver's) on which the statement is prepared, and those on
        # which a failed first call left it unknown whether it is; the latter send plain SQL.
        self._prepared_on: WeakSet[Any] = WeakSet()
        self._unprepared_on: WeakSet[Any] = WeakSet()

    def first(self, *values: Any, using: str = DEFAULT_DB_ALIAS) -> ModelT | None:
        if len(values) != len(self._examples):
            raise TypeError(f"This lookup takes {len(self._examples)} values, not {len(values)}.")
        if not settings.SPEEDUP_PRECOMPILED_LOOKUPS:
            return self._queried_first(values, using)
        return self._precompiled_first(values, using)

    def _queried_first(self, values: tuple[Any, ...], using: str) -> ModelT | None:
        """Django's own way, with the same SQL: the QuerySet built, compiled and run."""
        return next(iter(self._build(*values).using(using)[:1]), None)

    def _precompiled_first(self, values: tuple[Any, ...], using: str) -> ModelT | None:
        compiled = self._compiled.get(using) or self._compile(using)
        params = list(compiled.params)
        for value, positions in zip(values, compiled.value_positions, strict=True):
            for position in positions:
                params[position] = value
        connection = connections[using]
        if compiled.locks_rows and connection.get_autocommit():
            # Django checks this while compiling; the compiled SQL must keep the same promise.
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        with connection.cursor() as cursor:
            self._execute(cursor, connection, compiled, params)
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
        for name, position in compiled.annotation_columns:
            setattr(instance, name, row[position])
        return instance  # type: ignore[return-value]

    def _execute(
        self, cursor: Any, connection: Any, compiled: _Compiled, params: list[Any]
    ) -> None:
        driver_connection = connection.connection
        if (
            compiled.prepare_sql is None
            or compiled.execute_sql is None
            or not settings.PREPARED_STATEMENTS
            or driver_connection in self._unprepared_on
        ):
            cursor.execute(compiled.sql, params)
            return
        prepared = driver_connection in self._prepared_on
        # The first call prepares and runs the statement in one round trip, so it costs one
        # query like the rest.
        sql = (
            compiled.execute_sql if prepared else f"{compiled.prepare_sql}; {compiled.execute_sql}"
        )
        try:
            cursor.execute(sql, params)
        except DatabaseError as error:
            # Whether the server holds the statement is unknown now (a pooler may have dropped
            # it, or a failed first call may or may not have prepared it): this connection sends
            # plain SQL from here on. Outside a transaction, a problem with the prepared
            # statement itself is retried as plain SQL at once; inside one, the transaction is
            # already aborted, so the error goes up and the next request is served plainly.
            self._prepared_on.discard(driver_connection)
            self._unprepared_on.add(driver_connection)
            if _about_the_prepared_statement(error) and connection.get_autocommit():
                cursor.execute(compiled.sql, params)
                return
            raise
        if not prepared:
            self._prepared_on.add(driver_connection)

    def _compile(self, using: str) -> _Compiled:
        queryset = self._build(*self._examples)
        if (
            queryset._iterable_class is not ModelIterable
            or getattr(queryset, "_known_related_objects", None)
            or getattr(queryset, "_prefetch_related_lookups", None)
        ):
            raise ValueError(
                "A precompiled lookup builds plain model instances: no values() or prefetching."
            )
        if not queryset.query.is_sliced:
            queryset = queryset[:1]
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        value_positions = tuple(
            tuple(
                i
                for i, param in enumerate(params)
                if type(param) is type(example) and param == example
            )
            for example in self._examples
        )
        if not all(value_positions):
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
            annotation_columns=tuple((compiler.annotation_col_map or {}).items()),
            populators=get_related_populators(klass_info, select, using),  # type: ignore[call-arg]
            converters=list(
                compiler.get_converters(
                    [column[0] for column in select[: compiler.col_count]]
                ).items()
            ),
            prepare_sql=prepare_sql,
            execute_sql=execute_sql,
            locks_rows=bool(
                queryset.query.select_for_update
                and compiler.connection.features.has_select_for_update
            ),
        )
        self._compiled[using] = compiled
        return compiled
