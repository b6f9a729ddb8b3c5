"""Every page at two scales in one run: its median at ten times the data against its median at
the usual size, the target of which is 1.5 (docs/performance.md), with each page's query count
and size at both.

Two processes, one on each database, serve the same pages to the same kind of viewer
(`baselines.pick_subjects`), and this one asks them in turn, page by page and round by round,
the scale that goes first alternating, so that a machine slowing down during the run weighs on
both scales alike. Each page's first load in its process (nothing remembered yet but what the
pages before it in the run left: the first visit after a restart) is printed beside the medians,
in seconds, for reading, not against the target; so is the ratio per kB (the median's ratio
over the ratio of the page's bytes), the reading we propose for the pages that list every team
(the lens and the export), which cannot hold 1.5 while they show ten times the rows. Used by
scripts/bench_scales; build both databases with scripts/bench_data first (`--scale 10` for the
larger).

`--every-page` times every page the organisation's admin can open (`scripts/every_page.py`)
instead of the six of `scripts/bench`, and lists the pages not timed with the reason.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

TARGET = 1.5  # issue 20: every page's median at 10x within 1.5x of its median at 1x


@dataclass
class Scale:
    """One database's server process and what it has measured so far."""

    label: str
    process: subprocess.Popen[str]
    teams: int = 0
    database: str = ""
    pages: list[str] = field(default_factory=list)
    untimed: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)  # page: what it answered instead
    samples: dict[str, list[float]] = field(default_factory=dict)
    queries: dict[str, int] = field(default_factory=dict)
    size: dict[str, int] = field(default_factory=dict)
    first: dict[str, float] = field(default_factory=dict)  # ms

    def ask(self, message: dict[str, Any]) -> dict[str, Any]:
        stdin, stdout = _pipes(self.process)
        stdin.write(json.dumps(message) + "\n")
        stdin.flush()
        line = stdout.readline()
        if not line:
            raise SystemExit(
                f"the {self.label} server stopped (its error is above; both databases are"
                " built by scripts/bench_data, the larger with --scale 10)"
            )
        answer: dict[str, Any] = json.loads(line)
        return answer


def _pipes(process: subprocess.Popen[str]) -> tuple[IO[str], IO[str]]:
    assert process.stdin is not None
    assert process.stdout is not None
    return process.stdin, process.stdout


def start(label: str, database_url: str, organisation: str, *, every_page: bool) -> Scale:
    process = subprocess.Popen(
        [
            sys.executable,
            "-W",
            "ignore",
            __file__,
            "--serve",
            "--org",
            organisation,
            *(["--every-page"] if every_page else []),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "DATABASE_URL": database_url},
    )
    scale = Scale(label, process)
    ready = scale.ask({"hello": True})
    scale.teams, scale.database, scale.pages = ready["teams"], ready["database"], ready["pages"]
    scale.untimed = ready["untimed"]
    return scale


def serve(organisation_slug: str, *, every_page: bool) -> None:
    """Answer one JSON line per request on standard input: `hello` gives the organisation's size
    and its pages; `page` fetches that page `requests` times and gives each time in ms, with its
    query count and size (from the second fetch of the page), and the first fetch's time (which
    warms its caches)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    # measure sets Django up (DATABASE_URL is this process's database) and holds the pages.
    import measure
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from organisations.models import Organisation, Unit
    from sword.collector import settle_collector

    settle_collector()  # as sword/wsgi.py does once the application has loaded
    organisation = Organisation.objects.get(slug=organisation_slug)
    subjects = measure.baselines.pick_subjects(organisation, today=timezone.localdate())
    client = Client()
    client.force_login(subjects.viewer, backend="django.contrib.auth.backends.ModelBackend")
    settings.EXPORT_INSTANT_MAX_TEAMS = sys.maxsize  # time the file, not the offer to prepare it
    untimed: dict[str, str] = {}
    if every_page:
        import every_page as every

        urls, untimed = every.every_page_urls(every.pick(subjects))
    else:
        urls = measure.page_urls(subjects, export=True)
    pages = {name: measure.fetcher(client, url) for name, url in urls.items()}
    warmed: set[str] = set()
    for line in sys.stdin:
        message = json.loads(line)
        if message.get("hello"):
            teams = Unit.objects.filter(organisation=organisation, is_team=True).count()
            answer: dict[str, Any] = {
                "teams": teams,
                "database": connection.settings_dict["NAME"],
                "pages": list(pages),
                "untimed": untimed,
            }
        else:
            fetch = pages[message["page"]]
            answer = {}
            if message["page"] not in warmed:
                started = time.perf_counter()
                try:
                    fetch()  # warms its caches
                except AssertionError as error:  # not the page: a redirect, an error
                    print(json.dumps({"failed": str(error)}), flush=True)
                    continue
                answer["first"] = (time.perf_counter() - started) * 1000
                body, answer["queries"] = measure.counted(fetch)
                answer["bytes"] = len(body)
                warmed.add(message["page"])
            samples = []
            for _ in range(message["requests"]):
                started = time.perf_counter()
                fetch()
                samples.append((time.perf_counter() - started) * 1000)
            answer["samples"] = samples
        print(json.dumps(answer), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--org", default="bench")
    parser.add_argument("--small", default="postgres://postgres@127.0.0.1:5432/sword_bench")
    parser.add_argument("--large", default="postgres://postgres@127.0.0.1:5432/sword_bench10")
    parser.add_argument("--rounds", type=int, default=5, help="turns each scale takes per page")
    parser.add_argument("--requests", type=int, default=4, help="requests per page per turn")
    parser.add_argument(
        "--every-page",
        action="store_true",
        help="every page the organisation's admin can open (scripts/every_page.py)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        default=[],
        metavar="WORDS",
        help="time only the pages whose name contains one of these (with --every-page)",
    )
    args = parser.parse_args()
    if args.serve:
        serve(args.org, every_page=args.every_page)
        return

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from reference import describe

    print(describe())
    small = start("1x", args.small, args.org, every_page=args.every_page)
    large = start("10x", args.large, args.org, every_page=args.every_page)
    try:
        pages = [page for page in small.pages if not args.only or any(w in page for w in args.only)]
        for number in range(args.rounds):
            for page in pages:
                order = (small, large) if number % 2 == 0 else (large, small)
                for scale in order:
                    if page in small.failed or page in large.failed:
                        continue
                    answer = scale.ask({"page": page, "requests": args.requests})
                    if "failed" in answer:
                        scale.failed[page] = answer["failed"]
                        continue
                    scale.samples.setdefault(page, []).extend(answer["samples"])
                    if "queries" in answer:
                        scale.queries[page] = answer["queries"]
                        scale.size[page] = answer["bytes"]
                        scale.first[page] = answer["first"]
    finally:
        for scale in (small, large):
            _pipes(scale.process)[0].close()
            scale.process.wait(timeout=60)
    timed = [page for page in pages if page not in small.failed and page not in large.failed]
    report(small, large, timed, args.rounds * args.requests)
    for scale in (small, large):
        for page, error in scale.failed.items():
            print(f"not timed at {scale.label}: {page}: it answered {error}")
    for name, reason in sorted(small.untimed.items()):
        print(f"not timed: {name}: {reason}")
    print(describe())


def report(small: Scale, large: Scale, pages: list[str], requests: int) -> None:
    print(
        f"{small.teams:,} teams ({small.database}) against {large.teams:,} teams "
        f"({large.database}): {requests} requests per page at each scale, alternated"
    )
    width = max([26, *map(len, pages)])
    print(
        f"{'page':{width}} {'1x ms':>7} {'10x ms':>7} {'10x/1x':>7} {'target':>6} {'result':>7}"
        f" {'queries':>8} {'1x kB':>7} {'10x kB':>7} {'kB 10x/1x':>9} {'per kB':>6}"
        f" {'first 1x s':>10} {'first 10x s':>11}"
    )
    for page in pages:
        low = statistics.median(small.samples[page])
        high = statistics.median(large.samples[page])
        ratio = high / low
        result = "met" if ratio <= TARGET else "not met"
        queries = (
            str(small.queries[page])
            if small.queries[page] == large.queries[page]
            else f"{small.queries[page]}/{large.queries[page]}"
        )
        low_kb, high_kb = small.size[page] / 1000, large.size[page] / 1000
        print(
            f"{page:{width}} {low:7.1f} {high:7.1f} {ratio:7.2f} {TARGET:6.1f} {result:>7}"
            f" {queries:>8} {low_kb:7.0f} {high_kb:7.0f} {high_kb / low_kb:9.2f}"
            f" {ratio / (high_kb / low_kb):6.2f}"
            f" {small.first[page] / 1000:10.2f} {large.first[page] / 1000:11.2f}"
        )


if __name__ == "__main__":
    main()
