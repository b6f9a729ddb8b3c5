"""Load test: real gunicorn, real PostgreSQL, clients that make a browser's requests.

Starts gunicorn (2 threaded workers, as the README deploys; `--server` for its synchronous
workers or granian) on loopback, prepares a cycle with fresh one-time codes, then `--clients`
browsers at once (asyncio tasks, each with its own cookies and kept-alive connection) each take
codes and answer the survey exactly as a browser does (the link, which swaps the code for a
survey session, the start page, each page's GET and POST with the CSRF token, the about page,
the review page, Submit, the thank-you page). Afterwards `--reuse` attempts reuse used codes.
Prints completed responses per second, the server's CPU per response and request latencies, then
checks that exactly the expected responses are stored, that every reuse was refused and that no
request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIELD = re.compile(r'<input class="form-check-input" type="radio" name="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TIMEOUT = 60  # seconds a request may take before it counts as failed


class Browser:
    """One browser tab on one code: its own cookies and its own kept-alive connection.

    HTTP/1.1 is spoken directly over an asyncio stream, as far as gunicorn's answers need
    (a status line, headers, a body of Content-Length bytes): the load client shares the
    machine with the server, and a general-purpose client (http.client, aiohttp) spent
    two to three times as much CPU per request, which the server then did not get.
    """

    def __init__(self, port: int, latencies: list[float], failures: list[str]) -> None:
        self.port = port
        self.latencies = latencies
        self.failures = failures
        self.cookies: dict[str, str] = {}
        self.stream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def close(self) -> None:
        if self.stream is not None:
            self.stream[1].close()
            self.stream = None

    async def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: 127.0.0.1:{self.port}",
            "User-Agent: sword-load/1",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        body = b""
        if form is not None:
            body = urlencode(form).encode()
            lines += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
                f"Referer: http://127.0.0.1:{self.port}{path}",
            ]
        message = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        started = time.perf_counter()
        try:
            async with asyncio.timeout(TIMEOUT):
                status, headers, text = await self._exchange(message)
        except (OSError, asyncio.IncompleteReadError, ValueError, TimeoutError) as exc:
            self.failures.append(f"{method} {path}: {exc!r}")
            await self.close()
            raise RuntimeError(f"{method} {path} failed") from exc
        self.latencies.append((time.perf_counter() - started) * 1000)
        for name, value in headers:
            if name == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        location = next((value for name, value in headers if name == "location"), "")
        return status, text, urlsplit(location).path if location else ""

    async def _exchange(self, message: bytes) -> tuple[int, list[tuple[str, str]], str]:
        reused = self.stream is not None
        try:
            status_line = await self._send(message)
        except (ConnectionResetError, BrokenPipeError):
            if not reused:
                raise
            status_line = b""
        if not status_line and reused:
            # The server closed a kept connection before reading this request (gunicorn's
            # keep-alive timeout), as browsers see too: send it again on a new connection.
            await self.close()
            status_line = await self._send(message)
        parts = status_line.split(b" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            raise ValueError(f"no HTTP status line, got {status_line[:60]!r}")
        assert self.stream is not None
        reader = self.stream[0]
        headers: list[tuple[str, str]] = []
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers.append((name.strip().lower(), value.strip()))
        lengths = [int(value) for name, value in headers if name == "content-length"]
        if not lengths:
            raise ValueError("response without Content-Length")
        text = (await reader.readexactly(lengths[0])).decode()
        if any(name == "connection" and value.lower() == "close" for name, value in headers):
            await self.close()
        return int(parts[1]), headers, text

    async def _send(self, message: bytes) -> bytes:
        if self.stream is None:
            self.stream = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self.stream
        writer.write(message)
        await writer.drain()
        return await reader.readline()

    async def expect(
        self, status: int, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[str, str]:
        got, text, location = await self.request(method, path, form)
        if got != status:
            self.failures.append(f"{method} {path}: expected {status}, got {got}")
            raise RuntimeError(f"{method} {path} -> {got}")
        return text, location


async def answer_survey(browser: Browser, code: str) -> None:
    # The link swaps the code for a survey session; no later address carries it.
    _, start = await browser.expect(302, "GET", f"/survey/c/{code}/")
    await browser.expect(200, "GET", start)
    path = "/survey/page/1/"
    while True:
        text, _ = await browser.expect(200, "GET", path)
        token = CSRF.search(text)
        assert token is not None
        names = list(dict.fromkeys(FIELD.findall(text)))
        if "About you" in text:
            _, location = await browser.expect(
                302, "POST", path, {"csrfmiddlewaretoken": token.group(1), "action": "next"}
            )
            break
        form = {name: str(secrets.choice(range(1, 7))) for name in names}
        form.update({"csrfmiddlewaretoken": token.group(1), "action": "next"})
        _, path = await browser.expect(302, "POST", path, form)
    text, _ = await browser.expect(200, "GET", location)
    token = CSRF.search(text)
    assert token is not None
    _, thanks = await browser.expect(
        302, "POST", "/survey/submit/", {"csrfmiddlewaretoken": token.group(1)}
    )
    await browser.expect(200, "GET", thanks)


async def run_clients(
    port: int, codes: list[str], clients: int, reuse: int
) -> tuple[int, float, list[float], int, list[str]]:
    """Answer every code with `clients` browsers at once, then try `reuse` used codes again.

    Returns the completed responses, the seconds they took, their request latencies, the
    refused reuses and the failures.
    """
    latencies: list[float] = []
    failures: list[str] = []
    completed = 0
    waiting: asyncio.Queue[str] = asyncio.Queue()
    for code in codes:
        waiting.put_nowait(code)

    async def client() -> None:
        nonlocal completed
        while not waiting.empty():
            browser = Browser(port, latencies, failures)
            try:
                await answer_survey(browser, waiting.get_nowait())
                completed += 1
            except (RuntimeError, AssertionError):
                continue
            finally:
                await browser.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    answered_latencies = list(latencies)

    refused = 0
    used: asyncio.Queue[str] = asyncio.Queue()
    for index in range(reuse):
        used.put_nowait(codes[index % len(codes)])

    async def reuser() -> None:
        nonlocal refused
        while not used.empty():
            browser = Browser(port, latencies, failures)
            try:
                status, text, _ = await browser.request("GET", f"/survey/c/{used.get_nowait()}/")
            except RuntimeError:
                continue
            finally:
                await browser.close()
            if status == 410 and "This code has already been used" in text:
                refused += 1
            else:
                failures.append(f"reuse of a used code answered {status}")

    await asyncio.gather(*(reuser() for _ in range(clients)))
    return completed, elapsed, answered_latencies, refused, failures


def prepare(kind: str, count: int) -> tuple[int, list[str]]:
    """A fresh organisation, an open cycle and `count` new codes spread over its teams."""
    import django

    django.setup()
    from datetime import timedelta

    from django.utils import timezone

    from demo.teardown import delete_organisation_data
    from diagnostics.models import Cycle
    from diagnostics.selectors import latest_version_for
    from diagnostics.services import create_cycle, issue_invites, open_cycle
    from organisations.models import Organisation
    from organisations.selectors import root_of
    from organisations.services import add_unit, create_organisation

    existing = Organisation.objects.filter(slug="load").first()
    if existing is not None:
        delete_organisation_data(existing)
    organisation = create_organisation(name="Load Test Council", slug="load")
    root = root_of(organisation)
    service = add_unit(parent=root, name="Service", is_team=False)
    teams = [add_unit(parent=service, name=f"Team {i + 1}", is_team=True) for i in range(10)]
    today = timezone.localdate()
    cycle = create_cycle(
        unit=root,
        kind=kind,
        instrument=latest_version_for(organisation),
        name=f"Load test {kind}",
        opens_on=today,
        closes_on=today + timedelta(days=7),
        created_by=None,
    )
    open_cycle(cycle=cycle)
    codes: list[str] = []
    per_team = -(-count // len(teams))
    for team in teams:
        remaining = min(per_team, count - len(codes))
        while remaining > 0:
            batch = min(500, remaining)
            codes.extend(issue_invites(cycle=cycle, team=team, count=batch))
            remaining -= batch
    assert Cycle.objects.filter(pk=cycle.pk, status=Cycle.Status.OPEN).exists()
    return cycle.pk, codes


def server_command(*, server: str, port: int, threads: int) -> list[str]:
    """The command that serves the site on loopback with 2 workers of `threads` threads.

    gunicorn with threaded workers is what the README deploys and what issue 20's target is
    measured on; `gunicorn-sync` runs its default synchronous workers (one request at a time
    each, `threads` ignored) for comparison. granian, whose HTTP handling is Rust outside
    Python's lock, is here only to measure what the server itself costs beside the site
    (docs/performance.md, "What the server costs"); it is not a supported way to run SWORD.
    """
    bin_dir = ROOT / ".venv" / "bin"
    if server == "granian":
        return [
            str(bin_dir / "granian"),
            "--interface",
            "wsgi",
            "sword.wsgi:application",
            "--workers",
            "2",
            "--blocking-threads",
            str(threads),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
    # gunicorn turns a synchronous worker given more than one thread into a threaded one.
    workers = ["sync"] if server == "gunicorn-sync" else ["gthread", "--threads", str(threads)]
    return [
        str(bin_dir / "gunicorn"),
        "sword.wsgi",
        "--workers",
        "2",
        "--worker-class",
        *workers,
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]


def start_server(command: list[str], port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"{Path(command[0]).name} did not start")


def process_tree_cpu(root: int, *, proc: Path = Path("/proc")) -> float:
    """CPU seconds (user and system) used so far by process `root` and everything below it,
    a server's master and its workers. Read it while they run: an ended process is not counted."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    used: dict[int, float] = {}
    for stat in proc.glob("[0-9]*/stat"):
        try:
            # The command name, in parentheses, may itself hold spaces and parentheses.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we read
        pid = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(pid)
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    total, waiting = 0.0, [root]
    while waiting:
        pid = waiting.pop()
        total += used.get(pid, 0.0)
        waiting.extend(children.get(pid, []))
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=["pulse", "full"], default="pulse")
    parser.add_argument("--responses", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--reuse", type=int, default=200)
    parser.add_argument("--port", type=int, default=8931)
    parser.add_argument("--threads", type=int, default=4, help="threads per server worker")
    parser.add_argument(
        "--server",
        choices=["gunicorn", "gunicorn-sync", "granian"],
        default="gunicorn",
        help="gunicorn's threaded workers, as the README deploys; its synchronous ones; or "
        "granian, only to compare what the server costs",
    )
    args = parser.parse_args()
    if args.server == "gunicorn-sync":
        args.threads = 1

    cycle_id, codes = prepare(args.kind, args.responses)
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1", "SITE_URL": f"http://127.0.0.1:{args.port}"}
    command = server_command(server=args.server, port=args.port, threads=args.threads)
    server = start_server(command, args.port, env)
    try:
        started_cpu = process_tree_cpu(server.pid)
        completed, elapsed, answered_latencies, refused, failures = asyncio.run(
            run_clients(args.port, codes, args.clients, args.reuse)
        )
        server_cpu = process_tree_cpu(server.pid) - started_cpu
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    from diagnostics.models import Response
    from diagnostics.tallies import tally_differences

    stored = Response.objects.filter(cycle_id=cycle_id).count()
    p95 = statistics.quantiles(answered_latencies, n=20)[-1] if len(answered_latencies) > 1 else 0
    from django.db import connection
    from reference import commit_latency, describe

    print(
        f"{args.kind} responses: {completed} completed by {args.clients} clients in {elapsed:.1f} s"
    )
    print(f"  completed responses per second: {completed / elapsed:.1f}")
    print(
        f"  server ({args.server}, 2 workers of {args.threads} "
        f"thread{'s' if args.threads != 1 else ''}): "
        f"{1000 * server_cpu / max(completed, 1):.1f} ms of CPU per completed response "
        "(reuses included)"
    )
    median = statistics.median(answered_latencies)
    print(f"  requests: {len(answered_latencies)}, median {median:.1f} ms, p95 {p95:.1f} ms")
    print(f"  stored responses: {stored} (expected {args.responses})")
    print(f"  reuse attempts refused: {refused} of {args.reuse}")
    print(f"  failed requests: {len(failures)}")
    problems = []
    if stored != args.responses or completed != args.responses:
        problems.append("the number of stored responses is wrong")
    if refused != args.reuse:
        problems.append("not every reuse was refused")
    if failures:
        problems.append(f"{len(failures)} requests failed, e.g. {failures[:3]}")
    if tally_differences():
        problems.append("the tallies do not match the stored rows")
    print(f"  {describe()}")
    print(f"  {commit_latency(connection.settings_dict)}")
    if problems:
        raise SystemExit("LOAD CHECK FAILED: " + "; ".join(problems))
    print("  check: nothing lost, nothing duplicated, every reuse refused, tallies exact")


if __name__ == "__main__":
    main()
