"""Disclosure plans of settled cycles, remembered across requests and processes.

A plan is decided from every team's answer counts in the viewer's family (`disclosure.plan`):
reading and keying those counts is most of what a dashboard costs. Once a cycle has closed and
nothing more can reach it, its counts never change, so the plan of a scope whose cycles are all
*settled* depends only on things that are cheap to read: which cycles (and when they closed),
how the viewer's teams map to nodes, the family's order, k, and the statements and domains
asked. Such plans are remembered under that key, in the process (`Remembered`) and in the
shared cache (Redis in production), so a fresh worker does not work them out again.

What keeps a remembered plan from ever being stale:
- **Settled**: a cycle counts only once it is closed and `SETTLED_AFTER` has passed since. A
  survey submission checks that the cycle is open and then commits; one that passed its check
  just before closing commits within its request, and no request outlives the server's
  timeout (gunicorn kills a worker after 30 s by default, and PostgreSQL rolls its transaction
  back), far inside five minutes. A closed cycle never reopens.
- **Generation**: `rebuild_tallies` (`check_tallies --rebuild`, the benchmark builder) changes
  settled counts, so it starts a new generation, part of every key. The generation lives in
  the shared cache; if it is lost (a cache flush, an eviction), a new one starts, so an entry
  outlasting its generation is never found again.
- Open and recently closed cycles are decided from their counts on every request, as before.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache

from diagnostics.models import Cycle
from disclosure.plan import Plan, Remembered, stable_digest

SETTLED_AFTER = timedelta(minutes=5)
GENERATION_KEY = "settled-plans:generation"
SHARED_TIMEOUT = 7 * 24 * 3600  # seconds; a plan left unread for a week is worked out again
IN_PROCESS = 64  # plans a process keeps (a trends page decides one per cycle or pool)

_remembered = Remembered(IN_PROCESS)


@dataclass(frozen=True)
class SettledPlan:
    """A scope's plan, and the statements its responses answered (both from the same counts)."""

    plan: Plan
    statement_codes: tuple[str, ...]


def settled_since(*, status: str, closed_at: datetime | None, now: datetime) -> str | None:
    """When a cycle closed, if it has settled (closed, and `SETTLED_AFTER` ago or more)."""
    if status != Cycle.Status.CLOSED or closed_at is None or closed_at > now - SETTLED_AFTER:
        return None
    return closed_at.isoformat()


def generation() -> str:
    """The current generation of settled counts (a new one when none is known)."""
    found = cache.get(GENERATION_KEY)
    if found is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        found = cache.get(GENERATION_KEY)
    return str(found)


def start_new_generation() -> None:
    """Forget every remembered plan: settled counts have been rewritten. Call it once the
    rewrite has committed (a plan worked out from the old counts in the meantime carries the old
    generation, read before its counts were)."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    _remembered.clear()


def remembered(key: tuple[Hashable, ...], compute: Callable[[], SettledPlan]) -> SettledPlan:
    """The plan for `key` (built of tuples, strings, numbers and None, starting with the
    generation read before any count was): from this process, else from the shared cache, else
    computed and kept in both."""

    def shared() -> SettledPlan:
        name = f"settled-plans:{stable_digest(key)}"
        found = cache.get(name)
        # The whole key is stored with the plan: a digest alone is never trusted.
        if isinstance(found, tuple) and len(found) == 2 and found[0] == key:
            return found[1]  # type: ignore[no-any-return]
        result = compute()
        cache.set(name, (key, result), timeout=SHARED_TIMEOUT)
        return result

    return _remembered.get_or_compute(key, shared)


def forget_in_process() -> None:
    """Empty this process's memory only (tests use it to stand for a fresh worker)."""
    _remembered.clear()
