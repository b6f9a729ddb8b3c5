"""For tests that run two PostgreSQL connections at once, each in its own thread: which backend
a connection is, and waiting until one of them waits for a lock."""

from __future__ import annotations

import time

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
