"""Server time of the dashboards and the export, measured in-process through Django's full
request stack (middleware, view, templates), with each page's query count.

Used by scripts/measure_dashboards (demo data) and scripts/bench (benchmark data).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sword.settings")


import django

django.setup()

import baselines  # noqa: E402  (scripts/baselines.py, beside this file)
from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from organisations.models import Organisation, Unit  # noqa: E402
from sword.collector import settle_collector  # noqa: E402

EXPORT_PAGE = "export_results (org, CSV)"
T = TypeVar("T")


def page_urls(subjects: baselines.Subjects, *, export: bool) -> dict[str, str]:
    """The pages timed, by the name printed, for the subjects `baselines.pick_subjects` chose."""
    team, unit, root, cycle = subjects.team, subjects.unit, subjects.root, subjects.cycle
    pages = {
        "team dashboard": reverse("dashboards:profile", args=[team.pk]) + f"?cycle={cycle.pk}",
        "organisation heatmap": reverse("dashboards:compare", args=[root.pk])
        + f"?cycle={cycle.pk}",
        "unit trends": reverse("dashboards:trends", args=[unit.pk]),
        "structural lens": reverse("dashboards:lens", args=[root.pk]) + f"?cycle={cycle.pk}",
        "home": reverse("home"),
    }
    if export:
        pages[EXPORT_PAGE] = reverse("diagnostics:results_export", args=[cycle.pk, "csv"])
    return pages


def fetcher(client: Client, url: str) -> Callable[[], bytes]:
    """A function that fetches `url` whole (a streamed export to its last byte) and gives its
    body, checking that it is the page and not an error or a page offering to prepare a file."""
    content_type = "text/csv" if url.endswith(".csv") else "text/html"

    def run() -> bytes:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        # The export of more teams than EXPORT_INSTANT_MAX_TEAMS is a page offering to
        # prepare the file: timing that would time nothing (the callers lift the limit).
        assert response["Content-Type"].startswith(content_type), (url, response["Content-Type"])
        return bytes(response.getvalue())  # a streamed export's content, joined, too

    return run


def counted(fn: Callable[[], T]) -> tuple[T, int]:
    """What one call of `fn` gives, and how many queries it ran."""
    executed: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        result = fn()
    return result, len(executed)


def timed(fn: Callable[[], object], repeats: int) -> tuple[float, float, int]:
    """Median and 95th percentile in milliseconds, and the query count of one run."""
    fn()  # warm caches (templates, URL resolver, connection)
    _, queries = counted(fn)
    samples = []
    for _ in range(repeats):
        reset_queries()
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95, queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--org", default="northbrook")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--seed-demo", action="store_true")
    parser.add_argument("--export", action="store_true", help="also time export_results")
    parser.add_argument(
        "--sql-baseline",
        action="store_true",
        help="also time each page's bare-SQL baseline (scripts/baselines.py) and print ratios",
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="check each baseline's figures against its page's builder, then stop",
    )
    args = parser.parse_args()

    if args.seed_demo and not Organisation.objects.filter(slug=args.org).exists():
        from django.core.management import call_command

        call_command("seed_demo")
    # As sword/wsgi.py does once the application has loaded.
    settle_collector()
    organisation = Organisation.objects.get(slug=args.org)
    subjects = baselines.pick_subjects(organisation, today=timezone.localdate())
    root, cycle = subjects.root, subjects.cycle
    client = Client()
    client.force_login(subjects.viewer, backend="django.contrib.auth.backends.ModelBackend")
    if args.verify:
        checks = baselines.verify(subjects)
        for check in checks:
            differ = len(check.problems)
            print(f"{check.page:32} {check.compared:6d} figures compared, {differ} differ")
            for problem in check.problems[:20]:
                print(f"  {problem}")
        sys.exit(1 if any(check.problems for check in checks) else 0)
    # Time the file itself, as the background job builds it, not the page offering to prepare it
    # (an export of more teams than this is prepared in the background).
    settings.EXPORT_INSTANT_MAX_TEAMS = sys.maxsize

    pages = page_urls(subjects, export=args.export)
    from reference import describe

    teams = Unit.objects.filter(organisation=organisation, is_team=True).count()
    print(
        f"{organisation.name} ({teams:,} teams, database {connection.settings_dict['NAME']}): "
        f"{connection.vendor}, {args.requests} requests each; {describe()}"
    )
    print(f"{'page':32} {'median ms':>10} {'p95 ms':>10} {'queries':>8}")
    medians = {}
    measured = {}
    for name, url in pages.items():
        median, p95, queries = timed(fetcher(client, url), args.requests)
        medians[name] = median
        measured[name] = baselines.Timing(median, p95, queries)
        print(f"{name:32} {median:10.1f} {p95:10.1f} {queries:8d}")
    if args.sql_baseline:
        sql_baseline(organisation, root, cycle, medians["organisation heatmap"], args.requests)
        baselines.report(subjects, measured, timed=timed, repeats=args.requests)


def sql_baseline(organisation, root, cycle, page_median: float, repeats: int) -> None:  # type: ignore[no-untyped-def]
    """The heatmap's figures (child unit x domain: n, mean, red/amber/green) computed by one
    plain SQL query straight from the stored per-response domain scores; the grouped queries
    over the running tallies that the page itself runs, as bare SQL; and the same through the
    ORM with the grouping in Python (`aggregate`, as the page calls it)."""
    children = list(
        Unit.objects.filter(organisation=organisation, depth=2).values_list("path", flat=True)
    )
    cases = " ".join(f"WHEN u.path LIKE '{path}%%' THEN '{path}'" for path in children)
    # Unit paths come from the database, not from input; this is a measuring tool.
    raw = (
        f"SELECT CASE {cases} END AS node, s.domain_id, COUNT(s.score), AVG(s.score), "  # noqa: S608
        "SUM(s.red), SUM(s.amber), SUM(s.green) FROM diagnostics_domainscore s "
        "JOIN organisations_unit u ON u.id = s.team_id WHERE s.cycle_id = %s GROUP BY 1, 2"
    )

    def run_raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute(raw, [cycle.pk])
            cursor.fetchall()

    from diagnostics.results import aggregate
    from organisations.remembered_units import load_units

    units = load_units(organisation)

    def run_aggregate() -> None:
        aggregate([cycle.pk], units=units, reach=None)

    page_statements: list[tuple[str, Any]] = []

    def capture(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        page_statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        run_aggregate()

    def run_tally_sql() -> None:
        with connection.cursor() as cursor:
            for sql, params in page_statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    raw_median, raw_p95, _ = timed(run_raw, repeats)
    tally_median, tally_p95, _ = timed(run_tally_sql, repeats)
    aggregate_median, aggregate_p95, _ = timed(run_aggregate, repeats)
    print()
    print(f"{'heatmap SQL, from response rows':32} {raw_median:10.1f} {raw_p95:10.1f}")
    print(f"{'heatmap SQL, from the tallies':32} {tally_median:10.1f} {tally_p95:10.1f}")
    print(f"{'  the same with the ORM, grouped':32} {aggregate_median:10.1f} {aggregate_p95:10.1f}")
    # The target's baseline is now the heatmap's in scripts/baselines.py (the tallies and the
    # disclosure engine's counts, printed below); these three are kept for reference.
    print(f"page / SQL from response rows: {page_median / raw_median:.2f}  (for reference)")
    print(f"page / SQL from the tallies:   {page_median / tally_median:.2f}  (for reference)")
    print(f"page / the ORM's tally reads:  {page_median / aggregate_median:.2f}  (for reference)")


if __name__ == "__main__":
    main()
