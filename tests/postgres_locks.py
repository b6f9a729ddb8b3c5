"""For tests that run two PostgreSQL connections at once, each in its own thread: running work
in such a thread, which backend a connection is, and waiting until one of them waits for a
lock, and running two of them so that one must wait for the other."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable

from django.db import connection, transaction


def backend_pid() -> int:
    """This thread's connection's PostgreSQL process id."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return int(pid)


def wait_until_waiting_on_a_lock(pid: int, *, who: str = "the other connection") -> None:
    """Return once the backend `pid` waits for a lock; fail after 10 seconds."""
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", [pid])
            (waiting,) = cursor.fetchone()
            if waiting:
                return
            time.sleep(0.01)
    raise AssertionError(f"{who} never waited for a lock")


def run_in_thread(
    name: str, work: Callable[[], object], outcomes: dict[str, str]
) -> threading.Thread:
    """Start `work` in a thread called `name`, with a database connection of its own (closed
    when it ends). Its outcome goes into `outcomes[name]`: "done", or the name of the exception
    it raised (whose traceback is printed, for the test's report)."""

    def run() -> None:
        try:
            work()
            outcomes[name] = "done"
        except Exception as error:  # the outcome, whatever it is, is what the test reads
            traceback.print_exc()
            outcomes[name] = type(error).__name__
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def second_waits_for_first(
    first: Callable[[], object], second: Callable[[], object]
) -> dict[str, str]:
    """Run `first` in a transaction that stays open, then `second` in another connection; once
    `second` waits for a lock, let `first` commit. Returns each one's outcome (as
    `run_in_thread` gives it) by "first" and "second". Fails if `second` never waits: two
    double-clicked requests that should take turns went through side by side."""
    done, commit_now = threading.Event(), threading.Event()
    second_pid: list[int] = []
    outcomes: dict[str, str] = {}

    def first_and_hold() -> None:
        with transaction.atomic():
            first()
            done.set()
            commit_now.wait(timeout=10)

    def second_noting_its_pid() -> None:
        second_pid.append(backend_pid())
        second()

    holding = run_in_thread("first", first_and_hold, outcomes)
    assert done.wait(timeout=10), "the first never finished its work"
    waiting = run_in_thread("second", second_noting_its_pid, outcomes)
    try:
        while not second_pid and waiting.is_alive():
            time.sleep(0.01)
        wait_until_waiting_on_a_lock(second_pid[0], who="the second request")
    finally:
        commit_now.set()
        holding.join()
        waiting.join()
    return outcomes
