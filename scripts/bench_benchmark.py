"""Time the benchmark across organisations: 50 organisations of 300 teams by default.

Builds one organisation of 300 teams with one closed full diagnostic with the benchmark data
tooling (`demo.bench`: every response's rows stored as the submission service stores them),
then copies it in SQL into the other organisations (units, cycle, tallies, responses' domain
scores: what `diagnostics.results` reads), each copy's domain score sums scaled by its own
factor so the organisations differ. All take part; `compute_benchmarks` is then timed from a
clean slate. Prints the machine-speed reading beside the figure (scripts/reference.py).

PostgreSQL only (COPY); uses DATABASE_URL (scripts/bench_benchmark sets a database of its own).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sword.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.models import Benchmark  # noqa: E402
from benchmarks.rules import period_of  # noqa: E402
from benchmarks.services import compute_benchmarks  # noqa: E402
from demo.bench import BENCH_SLUG, BenchSize, build  # noqa: E402
from demo.teardown import delete_organisation_data  # noqa: E402
from diagnostics.models import (  # noqa: E402
    Cycle,
    CycleStatement,
    CycleTeam,
    DomainScore,
    DomainTally,
    Response,
    StatementTally,
    TeamTally,
)
from organisations.models import Organisation, Unit  # noqa: E402

COPY_PREFIX = "bench-copy-"


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]


def remove_copies() -> None:
    for organisation in Organisation.objects.filter(slug__startswith=COPY_PREFIX):
        DomainScore.objects.filter(cycle__organisation=organisation).delete()
        delete_organisation_data(organisation)


@transaction.atomic
def copy_organisation(source: Organisation, cycle: Cycle, number: int, factor: float) -> None:
    """Another organisation with the source's units and its one cycle's tallies, responses
    and domain scores (domain score sums × factor). All in SQL; names come from the models."""
    copy = Organisation.objects.create(
        name=f"Copy {number}", slug=f"{COPY_PREFIX}{number}", benchmark_opt_in=True
    )
    last = Unit.get_last_root_node()
    root_step = Unit._get_path(None, 1, int(last.path, 36) + 1)
    src_root = Unit.objects.get(organisation=source, depth=1).path
    unit = _table(Unit)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {unit} (path, depth, numchild, organisation_id, name, is_team, "  # noqa: S608
            f"archived_at) SELECT %s || substr(path, {len(src_root) + 1}), depth, numchild, %s, "
            f"name, is_team, archived_at FROM {unit} WHERE organisation_id = %s",
            [root_step, copy.pk, source.pk],
        )
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS unit_map (old_id bigint, new_id bigint)")
        cursor.execute("TRUNCATE unit_map")
        cursor.execute(
            f"INSERT INTO unit_map SELECT o.id, n.id FROM {unit} o JOIN {unit} n "  # noqa: S608
            f"ON n.path = %s || substr(o.path, {len(src_root) + 1}) "
            "WHERE o.organisation_id = %s AND n.organisation_id = %s",
            [root_step, source.pk, copy.pk],
        )
    new_cycle = Cycle.objects.create(
        organisation=copy,
        unit=Unit.objects.get(organisation=copy, depth=1),
        instrument=cycle.instrument,
        kind=cycle.kind,
        name=cycle.name,
        opens_on=cycle.opens_on,
        closes_on=cycle.closes_on,
        status=cycle.status,
    )
    shift = number  # response ids are random in a range of 2^62: a small shift stays unique
    with connection.cursor() as cursor:
        tables: list[tuple[type, str]] = [
            (CycleTeam, "team_id"),
            (TeamTally, "team_id, responses"),
            (DomainTally, "team_id, domain_id, scored, score_total, red, amber, green"),
            (StatementTally, "team_id, statement_id, answered, score_total, red, amber, green"),
        ]
        for model, columns in tables:
            select = columns.replace("team_id", "m.new_id").replace(
                "score_total", f"score_total * {factor}" if model is DomainTally else "score_total"
            )
            cursor.execute(
                f"INSERT INTO {_table(model)} (cycle_id, {columns}) "  # noqa: S608
                f"SELECT %s, {select} FROM {_table(model)} t "
                "JOIN unit_map m ON m.old_id = t.team_id WHERE t.cycle_id = %s",
                [new_cycle.pk, cycle.pk],
            )
        cursor.execute(
            f"INSERT INTO {_table(CycleStatement)} (cycle_id, statement_id, position) "  # noqa: S608
            f"SELECT %s, statement_id, position FROM {_table(CycleStatement)} WHERE cycle_id = %s",
            [new_cycle.pk, cycle.pk],
        )
        cursor.execute(
            f"INSERT INTO {_table(Response)} (id, cycle_id, team_id, submitted_on, role_group, "  # noqa: S608
            "service_length, working_pattern) SELECT t.id + %s, %s, m.new_id, submitted_on, "
            f"role_group, service_length, working_pattern FROM {_table(Response)} t "
            "JOIN unit_map m ON m.old_id = t.team_id WHERE t.cycle_id = %s",
            [shift, new_cycle.pk, cycle.pk],
        )
        cursor.execute(
            f"INSERT INTO {_table(DomainScore)} (response_id, domain_id, cycle_id, team_id, "  # noqa: S608
            "submitted_on, score, red, amber, green) SELECT t.response_id + %s, domain_id, %s, "
            f"m.new_id, submitted_on, score, red, amber, green FROM {_table(DomainScore)} t "
            "JOIN unit_map m ON m.old_id = t.team_id WHERE t.cycle_id = %s",
            [shift, new_cycle.pk, cycle.pk],
        )


def main() -> None:
    from reference import describe  # scripts/, beside this file

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=50)
    parser.add_argument("--rebuild", action="store_true", help="Build the data again.")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at PostgreSQL (scripts/bench_benchmark does).")
    started = time.monotonic()
    source = Organisation.objects.filter(slug=BENCH_SLUG).first()
    copies = Organisation.objects.filter(slug__startswith=COPY_PREFIX).count()
    if args.rebuild or source is None or copies != args.organisations - 1:
        remove_copies()
        build(BenchSize(full_cycles=1, pulses=0), today=timezone.localdate())
        source = Organisation.objects.get(slug=BENCH_SLUG)
        Organisation.objects.filter(pk=source.pk).update(benchmark_opt_in=True)
        cycle = Cycle.objects.get(organisation=source, kind=Cycle.Kind.FULL)
        rng = random.Random(50)
        for number in range(1, args.organisations):
            copy_organisation(source, cycle, number, factor=rng.uniform(0.85, 1.15))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"built the data in {time.monotonic() - started:.0f} s", flush=True)
    source = Organisation.objects.get(slug=BENCH_SLUG)
    cycle = Cycle.objects.get(organisation=source, kind=Cycle.Kind.FULL)
    period = period_of(cycle.closes_on)
    today = date(cycle.closes_on.year + 1, 1, 1) + timedelta(days=200)
    organisations = Organisation.objects.filter(benchmark_opt_in=True).count()
    teams = Unit.objects.filter(organisation__benchmark_opt_in=True, is_team=True).count()
    print(describe(), flush=True)
    timings = []
    for _ in range(3):
        Benchmark.objects.filter(kind=Benchmark.Kind.COMPUTED).delete()
        begun = time.perf_counter()
        summary = compute_benchmarks(today=today)
        timings.append(time.perf_counter() - begun)
    print(
        f"benchmark for {period}: {organisations} organisations, {teams} teams; "
        f"{summary.benchmarks} benchmarks, {summary.rows} rows; compute_benchmarks "
        f"best {min(timings):.1f} s, median {sorted(timings)[1]:.1f} s of 3 "
        f"({min(timings) / organisations * 1000:.0f} ms per organisation)"
    )
    print(describe())


if __name__ == "__main__":
    main()
