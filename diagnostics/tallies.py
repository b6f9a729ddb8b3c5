"""The rows one response adds, and the running tallies that dashboards aggregate.

`response_rows` is the single place that turns a response's answers into stored rows: the
submission service uses it, and so does the bulk loader of the benchmark data, so both store
exactly the same rows. The tallies are sums of those rows per team and cycle, added to in the
submission's own transaction with an UPSERT (rows locked in a fixed order, so concurrent
submissions cannot deadlock).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from diagnostics.models import DomainTally, StatementTally, TeamTally
from diagnostics.scoring import GREEN, RED, answer_band, response_domain_figures, score_of
from diagnostics.settled_plans import start_new_generation

NOT_APPLICABLE = 0


@dataclass(frozen=True)
class StatementInfo:
    id: int
    code: str
    domain_id: int
    reverse_scored: bool


@dataclass(frozen=True)
class AnswerRow:
    statement_id: int
    value: int
    score: int


@dataclass(frozen=True)
class DomainRow:
    domain_id: int
    score: float | None
    red: int
    amber: int
    green: int


def response_rows(
    statements: Sequence[StatementInfo], answers: Mapping[str, int]
) -> tuple[list[AnswerRow], list[DomainRow]]:
    """Answer rows (not-applicable answers store nothing) and one domain row per domain asked."""
    by_code = {s.code: s for s in statements}
    per_domain: dict[int, int] = defaultdict(int)
    for statement in statements:
        per_domain[statement.domain_id] += 1
    scores: dict[int, list[int]] = defaultdict(list)
    answer_rows = []
    for code, value in answers.items():
        if value == NOT_APPLICABLE:
            continue
        statement = by_code[code]
        score = score_of(value, reverse_scored=statement.reverse_scored)
        scores[statement.domain_id].append(score)
        answer_rows.append(AnswerRow(statement.id, value, score))
    domain_rows = []
    for domain_id in sorted(per_domain):
        figures = response_domain_figures(
            scores.get(domain_id, []), statements_in_form=per_domain[domain_id]
        )
        domain_rows.append(
            DomainRow(domain_id, figures.score, figures.red, figures.amber, figures.green)
        )
    return answer_rows, domain_rows


def insert_rows(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """One plain multi-row INSERT of new rows (`fields` are the model's attribute names, values
    ready for the database), for rows that cannot exist yet, such as a new response's answers:
    the same rows `bulk_create` stores, without building a model instance for each."""
    rows = list(rows)
    if not rows:
        return
    quote = connection.ops.quote_name
    concrete = {f.attname: f.column for f in model._meta.concrete_fields if f.column is not None}
    columns = [quote(concrete[name]) for name in fields]
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    # Table and column names come from the models; every value is a query parameter.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608  # nosec B608
        f"VALUES {', '.join([placeholders] * len(rows))}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


def _upsert(
    model: type[Model], keys: Sequence[str], sums: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """INSERT ... ON CONFLICT DO UPDATE adding `sums` (works on PostgreSQL and SQLite)."""
    rows = list(rows)
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    quote = connection.ops.quote_name
    columns = [*keys, *sums]
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in sums)
    # Table and column names come from the models; every value is a query parameter.
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608  # nosec B608
        f"VALUES {', '.join([placeholders] * len(rows))} "
        f"ON CONFLICT ({', '.join(quote(c) for c in keys)}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


def add_to_tallies(
    *,
    cycle_id: int,
    team_id: int,
    answer_rows: Sequence[AnswerRow],
    domain_rows: Sequence[DomainRow],
) -> None:
    """Add one response to the running tallies (call inside the submission's transaction)."""
    _upsert(TeamTally, ["cycle_id", "team_id"], ["responses"], [(cycle_id, team_id, 1)])
    _upsert(
        DomainTally,
        ["cycle_id", "team_id", "domain_id"],
        ["scored", "score_total", "red", "amber", "green"],
        [
            (
                cycle_id,
                team_id,
                row.domain_id,
                0 if row.score is None else 1,
                row.score or 0.0,
                row.red,
                row.amber,
                row.green,
            )
            for row in sorted(domain_rows, key=lambda r: r.domain_id)
        ],
    )
    _upsert(
        StatementTally,
        ["cycle_id", "team_id", "statement_id"],
        ["answered", "score_total", "red", "amber", "green"],
        [
            (
                cycle_id,
                team_id,
                row.statement_id,
                1,
                row.score,
                int(answer_band(row.score) == RED),
                int(answer_band(row.score) not in (RED, GREEN)),
                int(answer_band(row.score) == GREEN),
            )
            for row in sorted(answer_rows, key=lambda r: r.statement_id)
        ],
    )


def add_codes_made(*, cycle_id: int, team_id: int, count: int) -> None:
    """Add codes made to the team's tally (call inside the transaction that makes them)."""
    _upsert(TeamTally, ["cycle_id", "team_id"], ["codes_made"], [(cycle_id, team_id, count)])


@dataclass(frozen=True)
class _TallySource:
    """One kind of tally and the SQL that recounts it from the stored rows."""

    kind: str
    model: type[Model]
    keys: tuple[str, ...]
    sums: tuple[str, ...]
    recount: str  # SELECT keys..., sums... named as the tally's columns, grouped by the keys


def _tally_sources() -> list[_TallySource]:
    from diagnostics.models import Answer, DomainScore, Invite, Response

    response = Response._meta.db_table
    invite = Invite._meta.db_table
    domain_score = DomainScore._meta.db_table
    answer = Answer._meta.db_table
    # Red, amber and green as answer_band draws them: 1-2, 3-4 and 5-6. Table names come from
    # the models, never from input.
    return [
        _TallySource(
            "team",
            TeamTally,
            ("cycle_id", "team_id"),
            ("responses", "codes_made"),
            # Whole numbers, as the tally holds them (PostgreSQL sums bigints as numeric).
            "SELECT cycle_id, team_id, CAST(SUM(responses) AS bigint) AS responses, "  # noqa: S608  # nosec B608
            "CAST(SUM(codes_made) AS bigint) AS codes_made FROM ("
            f"SELECT cycle_id, team_id, COUNT(*) AS responses, 0 AS codes_made FROM {response} "
            "GROUP BY cycle_id, team_id UNION ALL "
            f"SELECT cycle_id, team_id, 0, COUNT(*) FROM {invite} GROUP BY cycle_id, team_id"
            ") made GROUP BY cycle_id, team_id",
        ),
        _TallySource(
            "domain",
            DomainTally,
            ("cycle_id", "team_id", "domain_id"),
            ("scored", "score_total", "red", "amber", "green"),
            "SELECT cycle_id, team_id, domain_id, COUNT(score) AS scored, "  # noqa: S608  # nosec B608
            "COALESCE(SUM(score), 0) AS score_total, SUM(red) AS red, SUM(amber) AS amber, "
            f"SUM(green) AS green FROM {domain_score} "
            "GROUP BY cycle_id, team_id, domain_id",
        ),
        _TallySource(
            "statement",
            StatementTally,
            ("cycle_id", "team_id", "statement_id"),
            ("answered", "score_total", "red", "amber", "green"),
            "SELECT r.cycle_id AS cycle_id, r.team_id AS team_id, "  # noqa: S608  # nosec B608
            "a.statement_id AS statement_id, COUNT(*) AS answered, SUM(a.score) AS score_total, "
            "SUM(CASE WHEN a.score <= 2 THEN 1 ELSE 0 END) AS red, "
            "SUM(CASE WHEN a.score BETWEEN 3 AND 4 THEN 1 ELSE 0 END) AS amber, "
            "SUM(CASE WHEN a.score >= 5 THEN 1 ELSE 0 END) AS green "
            f"FROM {answer} a JOIN {response} r ON r.id = a.response_id "
            "GROUP BY r.cycle_id, r.team_id, a.statement_id",
        ),
    ]


def tally_differences() -> list[str]:
    """Where the stored tallies differ from a recount of the raw rows (floating sums compared to
    1e-6). The comparison runs in the database, a full join of each tally table with its
    recount, so only the differing rows come back, however many millions of answers there are."""
    problems = []
    for source in _tally_sources():
        table = source.model._meta.db_table
        keys, sums = source.keys, source.sums
        differs = " OR ".join(
            ["e.cycle_id IS NULL", "t.id IS NULL"] + [f"ABS(e.{c} - t.{c}) > 1e-6" for c in sums]
        )
        # Table and column names come from the models, never from input.
        sql = (
            f"SELECT {', '.join(f'e.{c}' for c in keys)}, "  # noqa: S608  # nosec B608
            f"{', '.join(f't.{c}' for c in keys)}, "
            f"{', '.join(f'e.{c}' for c in sums)}, e.cycle_id IS NULL, "
            f"{', '.join(f't.{c}' for c in sums)}, t.id IS NULL "
            f"FROM ({source.recount}) e FULL OUTER JOIN {table} t ON "
            + " AND ".join(f"e.{c} = t.{c}" for c in keys)
            + f" WHERE {differs}"
        )
        width = len(keys)
        with connection.cursor() as cursor:
            cursor.execute(sql)
            for row in cursor.fetchall():
                expected_key, stored_key = row[:width], row[width : 2 * width]
                rest = row[2 * width :]
                expected = None if rest[len(sums)] else tuple(_number(v) for v in rest[: len(sums)])
                stored_values = rest[len(sums) + 1 :]
                stored = None if stored_values[-1] else tuple(stored_values[:-1])
                key = tuple(stored_key if expected is None else expected_key)
                problems.append(
                    f"{source.kind} {key}: raw rows say {expected}, tally says {stored}"
                )
    return sorted(problems)


def _number(value: Any) -> float | int:
    """A sum as PostgreSQL or SQLite gives it (Decimal, int or float) as a plain number."""
    return value if isinstance(value, int | float) else float(value)


def rebuild_tallies(*, cycle_ids: Sequence[int] | None = None) -> None:
    """Replace the tallies (of these cycles, or all) with sums of the raw rows, after an import
    or a repair: one INSERT ... SELECT per kind, so no row passes through Python. Remembered
    plans of settled cycles are forgotten once the new tallies commit (`settled_plans`)."""
    transaction.on_commit(start_new_generation)
    for source in _tally_sources():
        table = source.model._meta.db_table
        columns = ", ".join((*source.keys, *source.sums))
        where, params = "", list(cycle_ids or [])
        if cycle_ids is not None:
            # Every recount's first column is the cycle; the filter reaches into its grouping.
            where = (
                f" WHERE cycle_id IN ({', '.join(['%s'] * len(params))})"
                if params
                else " WHERE 1 = 0"
            )
        with connection.cursor() as cursor:
            # Table and column names come from the models, never from input.
            cursor.execute(f"DELETE FROM {table}{where}", params)  # noqa: S608  # nosec B608
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608  # nosec B608
                f"SELECT {columns} FROM ({source.recount}) recount{where}",
                params,
            )
