"""What one survey response costs the server, counted rather than timed.

Answers `--responses` surveys in this process through Django's test client, exactly as
scripts/load's browsers do (the same pages, the same GETs and POSTs with the CSRF token
enforced), and prints per completed response: the requests, the SQL statements by kind and the
most repeated ones, the transactions committed (a write made outside a transaction counts as
one: it commits on its own), and the Python function calls the server made
(cProfile's count, which does not depend on how busy the machine is), then the same per kind of
request, and the functions that took most of the time. Counts, unlike timings, can be compared
between commits and machines: a change that adds a request, a query or a thousand calls to
every response shows here whatever else the machine is doing.

Only the server's side is profiled (the handler's get_response, middleware included); the test
client's own work and gunicorn's are not. With `--timed` it profiles nothing and prints instead
the CPU time the server's thread and its PostgreSQL backend (read from /proc) spent per
response and per kind of request: less disturbed by a busy machine than wall time, though not
as steady as counts.

With `--exceptions` it counts instead the exceptions raised while serving, caught or not, and
where: Python raises and catches them for ordinary control flow (a URL pattern that does not
match, an attribute of a lazy object), each costing microseconds, and like calls their number
does not depend on the machine.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from load import CSRF, FIELD, prepare  # noqa: E402  # the load test's own preparation and parsing
from reference import commit_latency, describe, fsync_latency  # noqa: E402

# The kinds of statement reported apart; the prepared lookups (sword/precompiled.py) are SELECTs.
KINDS = ("SELECT", "INSERT", "UPDATE", "DELETE")


def statement_kind(sql: str) -> str:
    words = sql.lstrip().split(None, 1)
    first = words[0].upper() if words else ""
    if first in ("PREPARE", "EXECUTE") or first == "WITH":
        return "SELECT"
    return first if first in KINDS else "other"


@dataclass
class Tally:
    """What the requests of one kind (or all of them) cost."""

    requests: int = 0
    statements: Counter[str] = field(default_factory=Counter)  # by kind
    texts: Counter[str] = field(default_factory=Counter)
    commits: int = 0
    profiles: list[cProfile.Profile] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)  # of each request, with --timed
    cpu_ns: int = 0  # the server's CPU time (this thread's), with --timed
    database_cpu_ns: int = 0  # the PostgreSQL backend's, with --timed, where /proc shows it
    raised: Counter[str] = field(default_factory=Counter)  # with --exceptions, by where raised

    def add(self, other: Tally) -> None:
        self.requests += other.requests
        self.statements.update(other.statements)
        self.texts.update(other.texts)
        self.commits += other.commits
        self.profiles.extend(other.profiles)
        self.seconds.extend(other.seconds)
        self.cpu_ns += other.cpu_ns
        self.database_cpu_ns += other.database_cpu_ns
        self.raised.update(other.raised)

    def stats(self) -> pstats.Stats:
        return pstats.Stats(*self.profiles)

    def calls(self) -> int:
        return int(self.stats().total_calls)  # type: ignore[attr-defined]


class Meter:
    """Attributes every SQL statement, commit and profiled call to the request being made."""

    def __init__(self, *, timed: bool = False, exceptions: bool = False) -> None:
        self.by_label: dict[str, Tally] = {}
        self.current: Tally | None = None
        self.timed = timed
        self.exceptions = exceptions

    @contextmanager
    def request(self) -> Iterator[Tally]:
        """Counts one request; the caller files it under its kind with `file`."""
        tally = Tally(requests=1, profiles=[cProfile.Profile()])
        self.current = tally
        try:
            yield tally
        finally:
            self.current = None

    def file(self, label: str, tally: Tally) -> None:
        self.by_label.setdefault(label, Tally()).add(tally)

    def sql(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if self.current is not None:
            kind = statement_kind(sql)
            self.current.statements[kind] += 1
            self.current.texts[" ".join(sql.split())[:160]] += 1
            # A write outside a transaction commits on its own, in the same round trip.
            if kind in ("INSERT", "UPDATE", "DELETE") and context["connection"].get_autocommit():
                self.current.commits += 1
        return execute(sql, params, many, context)

    def committed(self) -> None:
        if self.current is not None:
            self.current.commits += 1


def database_backend() -> int | None:
    """The process id of this thread's PostgreSQL backend, if it is connected."""
    from django.db import connection

    driver = connection.connection
    if connection.vendor != "postgresql" or driver is None:
        return None
    return int(driver.get_backend_pid())


def database_cpu_ns(backend: int | None) -> int:
    """CPU time a PostgreSQL backend on this machine has used (0 where /proc does not show it)."""
    if backend is None:
        return 0
    try:
        return int(Path(f"/proc/{backend}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def raising(get_response: Callable[[Any], Any], request: Any, raised: Counter[str]) -> Any:
    """`get_response(request)`, counting every exception raised on the way, caught or not, by
    the function and line that raised it. Python raises and catches exceptions for ordinary
    control flow (a URL pattern that does not match, a lazy object's attribute, a missing
    header), and each costs microseconds; their number, like the calls', does not depend on the
    machine."""
    alive: dict[int, BaseException] = {}  # kept until the request ends, so no id is reused

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        if event == "exception" and id(arg[1]) not in alive:
            alive[id(arg[1])] = arg[1]
            code = frame.f_code
            raised[
                f"{type(arg[1]).__name__} {short_path(code.co_filename)}:{frame.f_lineno}"
                f"({code.co_name})"
            ] += 1
        return tracer

    before = sys.gettrace()  # a debugger's or coverage's, put back afterwards
    sys.settrace(tracer)
    try:
        return get_response(request)
    finally:
        sys.settrace(before)


class SurveyBrowser:
    """One browser on one code, through Django's test client, making scripts/load's requests."""

    def __init__(self, meter: Meter, chooser: random.Random) -> None:
        from django.test import Client

        # As a browser over plain HTTP to gunicorn: CSRF enforced, the load test's host.
        self.client = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")
        self.meter = meter
        self.chooser = chooser
        handler = self.client.handler
        get_response = handler.get_response

        def profiled_get_response(request: Any) -> Any:
            tally = meter.current
            if tally is None:
                return get_response(request)
            if meter.timed:
                backend = database_backend()
                database_before = database_cpu_ns(backend)
                started, cpu_started = time.perf_counter(), time.thread_time_ns()
                try:
                    return get_response(request)
                finally:
                    tally.cpu_ns += time.thread_time_ns() - cpu_started
                    tally.seconds.append(time.perf_counter() - started)
                    after = database_backend()
                    tally.database_cpu_ns += database_cpu_ns(after) - (
                        database_before if after == backend else 0
                    )
            if meter.exceptions:
                return raising(get_response, request, tally.raised)
            profile = tally.profiles[0]
            profile.enable()
            try:
                return get_response(request)
            finally:
                profile.disable()

        handler.get_response = profiled_get_response  # type: ignore[method-assign]

    def expect(
        self,
        label: str,
        status: int | tuple[int, ...],
        method: str,
        path: str,
        form: dict[str, str] | None = None,
    ) -> tuple[str, str]:
        with self.meter.request() as tally:
            if method == "GET":
                response = self.client.get(path)
            else:  # a form's body, as browsers send it (the test client's default is multipart)
                response = self.client.post(
                    path, urlencode(form or {}), content_type="application/x-www-form-urlencoded"
                )
        if response.status_code not in (status if isinstance(status, tuple) else (status,)):
            raise SystemExit(f"{method} {path}: expected {status}, got {response.status_code}")
        text = response.content.decode() if response.content else ""
        if label == "page GET" and "About you" in text:
            label = "about GET"
        self.meter.file(label, tally)
        return text, response.headers.get("Location", "")

    def answer(self, code: str) -> None:
        """scripts/load's answer_survey, request for request."""
        # Before the survey swapped the code for a session (c97be77) the link was the start page
        # and every address carried the code; this reads both, to compare commits.
        text, start = self.expect("link", (302, 200), "GET", f"/survey/c/{code}/")
        if start:
            self.expect("start", 200, "GET", start)
            base = "/survey/"
        else:
            base = f"/survey/c/{code}/"
        path = f"{base}page/1/"
        while True:
            text, _ = self.expect("page GET", 200, "GET", path)
            token = CSRF.search(text)
            assert token is not None
            names = list(dict.fromkeys(FIELD.findall(text)))
            if "About you" in text:
                _, location = self.expect(
                    "about POST",
                    302,
                    "POST",
                    path,
                    {"csrfmiddlewaretoken": token.group(1), "action": "next"},
                )
                break
            form = {name: str(self.chooser.choice(range(1, 7))) for name in names}
            form.update({"csrfmiddlewaretoken": token.group(1), "action": "next"})
            _, path = self.expect("page POST", 302, "POST", path, form)
        text, _ = self.expect("review", 200, "GET", location)
        token = CSRF.search(text)
        assert token is not None
        _, thanks = self.expect(
            "submit", 302, "POST", f"{base}submit/", {"csrfmiddlewaretoken": token.group(1)}
        )
        self.expect("thanks", 200, "GET", thanks)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=["pulse", "full"], default="pulse")
    parser.add_argument("--responses", type=int, default=50)
    parser.add_argument("--warm-up", type=int, default=10, help="responses before counting")
    parser.add_argument("--top", type=int, default=25, help="functions and statements listed")
    parser.add_argument("--fsync", action="store_true", help="also run pg_test_fsync (15 s)")
    parser.add_argument(
        "--sort",
        choices=["cumulative", "calls", "own"],
        default="cumulative",
        help="order of the functions listed: time in them and below, calls, or time in them",
    )
    parser.add_argument("--request", help="list the functions of one kind of request only")
    parser.add_argument("--dump", type=Path, help="save each kind of request's profile here")
    parser.add_argument(
        "--timed",
        action="store_true",
        help="CPU time of each kind of request (no profiler) instead of counting calls",
    )
    parser.add_argument(
        "--exceptions",
        action="store_true",
        help="count the exceptions raised, caught or not, and where, instead of calls",
    )
    args = parser.parse_args()
    if args.timed and args.exceptions:
        parser.error("--timed and --exceptions measure different things: choose one")

    cycle_id, codes = prepare(args.kind, args.warm_up + args.responses)
    # prepare() hands codes out team by team: warm up with one code of each team first, so
    # that no counted response is the first of its team (its voice board is made then).
    per_team = -(-len(codes) // 10)
    firsts = list(dict.fromkeys([*codes[::per_team], *codes]))
    warm_up, counted = firsts[: args.warm_up], firsts[args.warm_up :]

    from django.db import connection

    from diagnostics.models import Response

    meter = Meter(timed=args.timed, exceptions=args.exceptions)
    chooser = random.Random(20)  # the same answers every run, so the counts repeat
    original_commit = connection.commit

    def counted_commit() -> None:
        meter.committed()
        original_commit()

    connection.commit = counted_commit  # type: ignore[method-assign]
    for code in warm_up:
        SurveyBrowser(Meter(), chooser).answer(code)
    with connection.execute_wrapper(meter.sql):
        for code in counted:
            SurveyBrowser(meter, chooser).answer(code)

    stored = Response.objects.filter(cycle_id=cycle_id).count()
    if stored != len(codes):
        raise SystemExit(f"stored {stored} responses, expected {len(codes)}")
    report(meter, args)
    if args.dump and not args.timed and not args.exceptions:
        args.dump.mkdir(parents=True, exist_ok=True)
        for label, tally in meter.by_label.items():
            tally.stats().dump_stats(args.dump / f"{label.replace(' ', '_')}.prof")
    print(f"  {describe()}")
    print(f"  {commit_latency(connection.settings_dict)}")
    if args.fsync:
        print(f"  {fsync_latency() or 'pg_test_fsync: not installed'}")


def report(meter: Meter, args: argparse.Namespace) -> None:
    responses, top, kind = args.responses, args.top, args.kind
    everything = Tally()
    for tally in meter.by_label.values():
        everything.add(tally)

    def per(value: float) -> str:
        return f"{value / responses:.1f}"

    statements = sum(everything.statements.values())
    print(f"{kind} survey cost, per completed response ({responses} responses, after a warm-up)")
    print(f"  requests: {per(everything.requests)}")
    print(
        f"  SQL statements: {per(statements)} ("
        + ", ".join(f"{k} {per(everything.statements[k])}" for k in (*KINDS, "other"))
        + f"); transactions committed: {per(everything.commits)}"
    )
    if args.exceptions:
        print(f"  exceptions raised, caught or not: {per(everything.raised.total())}")
    elif args.timed:
        server_ms = sum(everything.seconds) * 1000 / responses
        print(
            f"  server time (sum of requests): {server_ms:.1f} ms, of which CPU: Python "
            f"{everything.cpu_ns / 1e6 / responses:.1f} ms, PostgreSQL "
            f"{everything.database_cpu_ns / 1e6 / responses:.1f} ms"
        )
    else:
        calls = everything.calls()
        print(f"  Python function calls (cProfile): {calls / responses:,.0f}")
    print()
    last = (
        "exceptions each"
        if args.exceptions
        else "CPU ms each: Python, PostgreSQL"
        if args.timed
        else "calls each"
    )
    print(f"  {'request':<11} {'per resp':>8} {'SQL each':>8} {'commits':>8} {last:>10}")
    for label, tally in meter.by_label.items():
        count = tally.requests
        cost = (
            f"{tally.raised.total() / count:>10.1f}"
            if args.exceptions
            else f"{tally.cpu_ns / 1e6 / count:>10.2f} {tally.database_cpu_ns / 1e6 / count:>8.2f}"
            if args.timed
            else f"{tally.calls() / count:>10,.0f}"
        )
        print(
            f"  {label:<11} {count / responses:>8.1f} "
            f"{sum(tally.statements.values()) / count:>8.1f} {tally.commits / count:>8.2f} {cost}"
        )
    print()
    print("  most repeated SQL statements (per response):")
    for text, count in everything.texts.most_common(top):
        print(f"    {count / responses:>5.1f}  {text}")
    if args.timed:
        return
    print()
    listed = meter.by_label[args.request] if args.request else everything
    if args.exceptions:
        print(
            f"  top {top} places exceptions are raised"
            f"{' in ' + args.request + ' requests' if args.request else ''} (per response):"
        )
        for place, count in listed.raised.most_common(top):
            print(f"    {count / responses:>6.1f}  {place}")
        return
    order = {"calls": 1, "own": 2, "cumulative": 3}[args.sort]
    print(
        f"  top {top} functions by {args.sort} {'' if args.sort == 'calls' else 'time '}"
        f"({'in ' + args.request + ' requests; ' if args.request else ''}"
        "calls, ms in them, ms in them and below, per response):"
    )
    rows = sorted(
        listed.stats().stats.items(),  # type: ignore[attr-defined]
        key=lambda item: item[1][order],
        reverse=True,
    )
    for (filename, line, name), (_primitive, calls, tottime, cumtime, _callers) in rows[:top]:
        print(
            f"    {calls / responses:>8.1f} {tottime * 1000 / responses:>7.2f} "
            f"{cumtime * 1000 / responses:>7.2f} ms  {short_path(filename)}:{line}({name})"
        )


def short_path(filename: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


if __name__ == "__main__":
    main()
