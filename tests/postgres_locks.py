"""For tests that run two PostgreSQL connections at once, each in its own thread: running work
in such a thread, which backend a connection is, and waiting until one of them waits for a
lock."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable

from django.db import connection


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
