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

from django.db import connection
from django.db.models import Model

from diagnostics.models import DomainTally, StatementTally, TeamTally
from diagnostics.scoring import GREEN, RED, answer_band, response_domain_figures, score_of

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


def tallies_from_raw_rows() -> dict[str, dict[tuple[int, ...], tuple[float, ...]]]:
    """The tallies recomputed from responses, domain scores and answers (for checking)."""
    from django.db.models import Count, Q, Sum

    from diagnostics.models import Answer, DomainScore, Response

    expected: dict[str, dict[tuple[int, ...], tuple[float, ...]]] = {
        "team": {},
        "domain": {},
        "statement": {},
    }
    for count in Response.objects.values("cycle_id", "team_id").annotate(n=Count("pk")).order_by():
        expected["team"][(count["cycle_id"], count["team_id"])] = (count["n"],)
    for row in (
        DomainScore.objects.values("cycle_id", "team_id", "domain_id")
        .annotate(
            scored=Count("score"),
            total=Sum("score"),
            red=Sum("red"),
            amber=Sum("amber"),
            green=Sum("green"),
        )
        .order_by()
    ):
        key = (row["cycle_id"], row["team_id"], row["domain_id"])
        expected["domain"][key] = (
            row["scored"],
            row["total"] or 0.0,
            row["red"],
            row["amber"],
            row["green"],
        )
    for answer in (
        Answer.objects.values("response__cycle_id", "response__team_id", "statement_id")
        .annotate(
            n=Count("pk"),
            total=Sum("score"),
            red=Count("pk", filter=Q(score__lte=2)),
            amber=Count("pk", filter=Q(score__gte=3, score__lte=4)),
            green=Count("pk", filter=Q(score__gte=5)),
        )
        .order_by()
    ):
        key = (answer["response__cycle_id"], answer["response__team_id"], answer["statement_id"])
        expected["statement"][key] = (
            answer["n"],
            answer["total"],
            answer["red"],
            answer["amber"],
            answer["green"],
        )
    return expected


def stored_tallies() -> dict[str, dict[tuple[int, ...], tuple[float, ...]]]:
    return {
        "team": {(t.cycle_id, t.team_id): (t.responses,) for t in TeamTally.objects.all()},
        "domain": {
            (t.cycle_id, t.team_id, t.domain_id): (t.scored, t.score_total, t.red, t.amber, t.green)
            for t in DomainTally.objects.all()
        },
        "statement": {
            (t.cycle_id, t.team_id, t.statement_id): (
                t.answered,
                t.score_total,
                t.red,
                t.amber,
                t.green,
            )
            for t in StatementTally.objects.all()
        },
    }


def tally_differences() -> list[str]:
    """Where the stored tallies differ from the raw rows (floating sums compared to 1e-6)."""
    expected, stored = tallies_from_raw_rows(), stored_tallies()
    problems = []
    for kind in ("team", "domain", "statement"):
        for key in sorted(set(expected[kind]) | set(stored[kind])):
            a = expected[kind].get(key)
            b = stored[kind].get(key)
            if a is None or b is None or any(abs(x - y) > 1e-6 for x, y in zip(a, b, strict=True)):
                problems.append(f"{kind} {key}: raw rows say {a}, tally says {b}")
    return problems


def rebuild_tallies() -> None:
    """Replace the tallies with sums of the raw rows (after an import or a repair)."""
    expected = tallies_from_raw_rows()
    TeamTally.objects.all().delete()
    DomainTally.objects.all().delete()
    StatementTally.objects.all().delete()
    TeamTally.objects.bulk_create(
        TeamTally(cycle_id=c, team_id=t, responses=int(v[0]))
        for (c, t), v in expected["team"].items()
    )
    DomainTally.objects.bulk_create(
        DomainTally(
            cycle_id=c,
            team_id=t,
            domain_id=d,
            scored=int(v[0]),
            score_total=v[1],
            red=int(v[2]),
            amber=int(v[3]),
            green=int(v[4]),
        )
        for (c, t, d), v in expected["domain"].items()
    )
    StatementTally.objects.bulk_create(
        StatementTally(
            cycle_id=c,
            team_id=t,
            statement_id=s,
            answered=int(v[0]),
            score_total=int(v[1]),
            red=int(v[2]),
            amber=int(v[3]),
            green=int(v[4]),
        )
        for (c, t, s), v in expected["statement"].items()
    )
