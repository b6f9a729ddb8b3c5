"""Load test: real gunicorn, real PostgreSQL, clients that make a browser's requests.

Starts gunicorn (2 workers) on loopback, prepares a cycle with fresh one-time codes, then
`--clients` threads each take codes and answer the survey exactly as a browser does (start
page, each page's GET and POST with the CSRF token, the about page, the review page, Submit,
the thank-you page). Afterwards `--reuse` attempts reuse used codes. Prints completed
responses per second and request latencies, then checks that exactly the expected responses
are stored, that every reuse was refused and that no request failed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from queue import Empty, Queue
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIELD = re.compile(r'<input class="form-check-input" type="radio" name="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """Keeps cookies and times every request, like a browser tab on one code."""

    def __init__(self, port: int, latencies: list[float], failures: list[str]) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.latencies = latencies
        self.failures = failures
        # Like a browser, keep the connection open between requests (HTTP/1.1 keep-alive).
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        connection = self.connection
        headers = {"Host": "127.0.0.1", "User-Agent": "sword-load/1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        started = time.perf_counter()
        try:
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                connection.close()  # the server closed a kept connection: open a new one
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
            text = response.read().decode()
        except OSError as exc:
            self.failures.append(f"{method} {path}: {exc}")
            connection.close()
            raise
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
        self.latencies.append((time.perf_counter() - started) * 1000)
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        location = response.headers.get("Location", "")
        return response.status, text, urlsplit(location).path if location else ""

    def expect(
        self, status: int, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[str, str]:
        got, text, location = self.request(method, path, form)
        if got != status:
            self.failures.append(f"{method} {path}: expected {status}, got {got}")
            raise RuntimeError(f"{method} {path} -> {got}")
        return text, location


def answer_survey(browser: Browser, code: str) -> None:
    start = f"/survey/c/{code}/"
    text, _ = browser.expect(200, "GET", start)
    path = f"/survey/c/{code}/page/1/"
    while True:
        text, _ = browser.expect(200, "GET", path)
        token = CSRF.search(text)
        assert token is not None
        names = list(dict.fromkeys(FIELD.findall(text)))
        if "About you" in text:
            _, location = browser.expect(
                302, "POST", path, {"csrfmiddlewaretoken": token.group(1), "action": "next"}
            )
            break
        form = {name: str(secrets.choice(range(1, 7))) for name in names}
        form.update({"csrfmiddlewaretoken": token.group(1), "action": "next"})
        _, path = browser.expect(302, "POST", path, form)
    text, _ = browser.expect(200, "GET", location)
    token = CSRF.search(text)
    assert token is not None
    _, thanks = browser.expect(
        302, "POST", f"/survey/c/{code}/submit/", {"csrfmiddlewaretoken": token.group(1)}
    )
    browser.expect(200, "GET", thanks)


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


def start_gunicorn(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "sword.wsgi",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
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
    raise SystemExit("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=["pulse", "full"], default="pulse")
    parser.add_argument("--responses", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--reuse", type=int, default=200)
    parser.add_argument("--port", type=int, default=8931)
    args = parser.parse_args()

    cycle_id, codes = prepare(args.kind, args.responses)
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1", "SITE_URL": f"http://127.0.0.1:{args.port}"}
    server = start_gunicorn(args.port, env)
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    completed = 0
    queue: Queue[str] = Queue()
    for code in codes:
        queue.put(code)

    def client() -> None:
        nonlocal completed
        while True:
            try:
                code = queue.get_nowait()
            except Empty:
                return
            browser = Browser(args.port, latencies, failures)
            try:
                answer_survey(browser, code)
            except (RuntimeError, OSError, AssertionError):
                continue
            finally:
                browser.connection.close()
            with lock:
                completed += 1

    try:
        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        answered_latencies = list(latencies)

        refused = 0
        reuse_queue: Queue[str] = Queue()
        for index in range(args.reuse):
            reuse_queue.put(codes[index % len(codes)])

        def reuse() -> None:
            nonlocal refused
            while True:
                try:
                    code = reuse_queue.get_nowait()
                except Empty:
                    return
                browser = Browser(args.port, latencies, failures)
                status, text, _ = browser.request("GET", f"/survey/c/{code}/")
                browser.connection.close()
                if status == 410 and "This code has already been used" in text:
                    with lock:
                        refused += 1
                else:
                    failures.append(f"reuse of a used code answered {status}")

        threads = [threading.Thread(target=reuse) for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    from diagnostics.models import Response
    from diagnostics.tallies import tally_differences

    stored = Response.objects.filter(cycle_id=cycle_id).count()
    p95 = statistics.quantiles(answered_latencies, n=20)[-1] if len(answered_latencies) > 1 else 0
    print(
        f"{args.kind} responses: {completed} completed by {args.clients} clients in {elapsed:.1f} s"
    )
    print(f"  completed responses per second: {completed / elapsed:.1f}")
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
    if problems:
        raise SystemExit("LOAD CHECK FAILED: " + "; ".join(problems))
    print("  check: nothing lost, nothing duplicated, every reuse refused, tallies exact")


if __name__ == "__main__":
    main()
