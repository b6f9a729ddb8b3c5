"""Instructions a page costs the server, counted by callgrind rather than timed.

The machines are shared and noisy: the same page, code and data read 228 ms in one run and
319 ms in the next. Valgrind's callgrind counts the instructions a process executes instead,
which does not depend on what else the machine is doing, so two versions of a page can be
compared even on a busy machine (docs/performance.md). The count is not exact from run to run
(the processes share the database, and a page may write, a view recorded say, in one and not
the other): three counts of the organisation's lens at 300 teams read 142.7, 145.6 and 151.4
million, so take a difference of more than a few per cent, or repeat the runs.

Two processes run under callgrind. Each signs in the viewer, asks for the page twice to warm
what it remembers, then asks for it once or `1 + --requests` times; the difference between the
two counts, divided by `--requests`, is what a warm request costs, start-up and warm-up
excluded. By default the garbage collector is switched off for the counted requests (after
one full collection), so that a full collection landing in one process and not the other is
not counted as the page's; `--collector` leaves it on as in production. The two processes run
side by side (one per core); a request runs about fifty times slower under callgrind, and
starting Django takes most of the run (about 4 minutes at 300 teams, 9 at 3,000).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLLECTED = re.compile(r"^==\d+== Collected : (\d+)$", re.MULTILINE)


def collected(report: str) -> int:
    """The total callgrind prints on its standard error ("==123== Collected : 4567")."""
    totals = COLLECTED.findall(report)
    if len(totals) != 1:
        raise ValueError(f"expected one 'Collected' line from callgrind, found {len(totals)}")
    return int(totals[0])


def per_request(*, asked_once: int, asked_more: int, requests: int) -> int:
    """What each of the `requests` extra requests cost: the difference between a process asked
    once and one asked `1 + requests` times, everything else (start-up, warm-up) alike."""
    if requests < 1:
        raise ValueError("requests must be 1 or more")
    return round((asked_more - asked_once) / requests)


def serve(*, url: str, email: str, times: int, collector: bool) -> None:
    """The process callgrind counts: the viewer signed in, the page warmed, then asked, each
    time fetched whole and checked as scripts/bench fetches it (`measure.fetcher`)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import gc

    # measure sets Django up (DATABASE_URL is this process's database) and fetches the pages.
    import measure
    from django.conf import settings
    from django.test import Client

    from accounts.models import User
    from sword.collector import settle_collector

    settle_collector()  # as sword/wsgi.py does once the application has loaded
    settings.EXPORT_INSTANT_MAX_TEAMS = sys.maxsize  # count the file, not the offer to prepare it
    client = Client()
    client.force_login(User.objects.get(email=email))
    fetch = measure.fetcher(client, url)
    for _ in range(2):
        fetch()
    if not collector:
        gc.collect()
        gc.disable()
    for _ in range(times):
        fetch()


def count(*, url: str, email: str, times: int, collector: bool) -> subprocess.Popen[str]:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-W",
        "ignore",
        __file__,
        "--serve",
        str(times),
        "--url",
        url,
        "--email",
        email,
    ]
    if collector:
        command.append("--collector")
    # The same hash seed in both processes, so that sets and dicts are laid out alike.
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    return subprocess.Popen(
        command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="/results/lens/1/?cycle=26")
    parser.add_argument("--email", default="admin@bench.example")
    parser.add_argument("--requests", type=int, default=2, help="requests counted (default 2)")
    parser.add_argument("--collector", action="store_true", help="leave the collector on")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve(url=args.url, email=args.email, times=args.serve, collector=args.collector)
        return
    once = count(url=args.url, email=args.email, times=1, collector=args.collector)
    more = count(url=args.url, email=args.email, times=1 + args.requests, collector=args.collector)
    reports = [process.communicate()[1] for process in (once, more)]
    for process, report in zip((once, more), reports, strict=True):
        if process.returncode != 0:
            raise SystemExit(report[-2000:])
    cost = per_request(
        asked_once=collected(reports[0]), asked_more=collected(reports[1]), requests=args.requests
    )
    database = os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1]
    collector = "on" if args.collector else "off"
    print(
        f"{args.url} as {args.email} on {database}: {cost:,} instructions a request"
        f" (collector {collector})"
    )


if __name__ == "__main__":
    main()
