"""How fast this machine is right now, to read the other figures against.

Our machines are shared virtual ones, and their speed changes from hour to hour (the same loop
has taken 0.8 s and 1.4 s on one machine on one day). Every benchmark prints this beside its
figures so that runs on a slow hour and a fast hour can be told apart.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any


def python_loop_seconds() -> float:
    """Seconds for a pure-Python loop of 10 million additions (best of three)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for number in range(10_000_000):
            total += number
        best = min(best, time.perf_counter() - started)
    return best


# A table as the dashboards draw them (a row header, cells, a class on some), of strings only so
# that drawing it reads no setting.
TABLE_TEMPLATE = (
    "<table>{% for row in rows %}<tr class=\"{% cycle 'odd' 'even' %}\">"
    '<th scope="row">{{ row.name }}</th>{% for cell in row.cells %}'
    '<td{% if cell.low %} class="low"{% endif %}>{{ cell.text }}</td>{% endfor %}</tr>'
    "{% endfor %}</table>"
)


def template_milliseconds() -> float:
    """Milliseconds for Django's template engine to draw a table of 1,000 rows of 10 cells (best
    of three). The loop of additions runs in a few hundred bytes of code and data; drawing a
    page runs through much more of both, and two machines with the same loop reading have
    served the same pages at speeds 1.5 times apart (docs/performance-log.md, eleventh session)."""
    draw = table_drawer()
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        draw()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def table_drawer(rows: int = 1_000) -> Callable[[], str]:
    """A function that draws the reference table of `rows` rows (compiled once)."""
    from django.template import Context, Engine

    template = Engine().from_string(TABLE_TEMPLATE)
    table = [
        {
            "name": f"Team {i}",
            "cells": [{"text": f"{i * j % 97}.{j}", "low": (i + j) % 3 == 0} for j in range(10)],
        }
        for i in range(rows)
    ]
    return lambda: template.render(Context({"rows": table}))


def describe() -> str:
    return (
        f"machine speed now: 10 million Python additions in {python_loop_seconds():.2f} s, "
        f"a 1,000-row table drawn by Django's templates in {template_milliseconds():.0f} ms"
    )


def commit_microseconds(database: Mapping[str, Any], *, commits: int = 300) -> list[float]:
    """Microseconds for each of `commits` transactions that insert one row and commit, on the
    PostgreSQL database Django's `database` settings name, over the same kind of connection the
    site uses (psycopg2 to its host and port).

    Each survey answer commits, and a commit waits for the write-ahead log to reach the disk,
    so a machine whose disk syncs slowly serves fewer responses at the same Python speed.
    """
    import psycopg2  # only the PostgreSQL figures need it

    connection = psycopg2.connect(
        dbname=database["NAME"],
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
    )
    table = f"sword_commit_probe_{os.getpid()}"
    timings: list[float] = []
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE {table} (id serial PRIMARY KEY, at timestamptz)")  # nosec B608
            connection.commit()
            for _ in range(commits):
                started = time.perf_counter()
                cursor.execute(f"INSERT INTO {table} (at) VALUES (now())")  # noqa: S608  # nosec B608
                connection.commit()
                timings.append((time.perf_counter() - started) * 1_000_000)
            cursor.execute(f"DROP TABLE {table}")
            connection.commit()
    finally:
        connection.close()
    return timings


def commit_latency(database: Mapping[str, Any]) -> str:
    """The commit line printed beside the speed reading (PostgreSQL only)."""
    if "postgresql" not in database.get("ENGINE", ""):
        return "commit latency: not measured (not PostgreSQL)"
    timings = commit_microseconds(database)
    deciles = statistics.quantiles(timings, n=10)
    return (
        f"commit latency now: a one-row INSERT and COMMIT takes {statistics.median(timings):.0f} "
        f"µs (median of {len(timings)}; 10th–90th percentile {deciles[0]:.0f}–{deciles[-1]:.0f} µs)"
    )


def fsync_latency() -> str | None:
    """pg_test_fsync's time for one 8 kB write and fdatasync (PostgreSQL's WAL sync on Linux),
    or None where pg_test_fsync is not installed. Takes about 15 seconds."""
    programs = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_test_fsync"))
    if not programs:
        return None
    with tempfile.TemporaryDirectory(dir=Path.home()) as folder:
        output = subprocess.run(
            [str(programs[-1]), "-s", "1", "-f", str(Path(folder) / "probe")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    section = output.split("one 8kB write", 1)[-1]
    found = re.search(r"fdatasync\s+([\d.]+) ops/sec\s+([\d.]+) usecs/op", section)
    if found is None:
        return None
    return (
        f"pg_test_fsync: one 8 kB write and fdatasync takes {float(found.group(2)):.0f} µs "
        f"({float(found.group(1)):.0f} per second)"
    )
