"""Disclosure plans of settled cycles, remembered across requests and processes.

A plan is decided from every team's answer counts in the viewer's family (`disclosure.plan`):
reading and keying those counts is most of what a dashboard costs. Once a cycle has closed and
nothing more can reach it, its counts never change, so the plan of a scope whose cycles are all
*settled* depends only on things that are cheap to read: which cycles (and when they closed),
how the viewer's teams map to nodes, the family's order, k, and the statements and domains
asked. Such plans are remembered under that key, in the process (`Remembered`) and in the
shared cache (Redis in production), so a fresh worker does not work them out again.

What keeps a remembered plan from ever being stale:
- **Settled**: a cycle counts only once it is closed and `SETTLED_AFTER` has passed since.
  Closing takes the cycle's row before it takes its time (`closed_at`), and a survey
  submission reads the cycle open inside its own transaction holding that row with a share
  lock (`services.hold_cycle_open`), so every response a cycle will ever have committed before
  its `closed_at`: counts read after that moment hold them all, whatever server runs the
  requests and however long they take (PostgreSQL; SQLite, the demo's default, only reads the
  cycle again). Counts are taken as settled only if read `SETTLED_AFTER` or more after the
  cycle closed (below), a margin for app servers whose clocks differ. A closed cycle never
  reopens (opening reads the stored status under a lock).
- **Generation**: `rebuild_tallies` (`check_tallies --rebuild`, the benchmark builder) changes
  settled counts, so it starts a new generation, part of every key. (The bounds on a team's
  responses do not change once its cycle has closed: its codes held, `results.Summed.
  codes_held`, and its headcount, `structural_data.headcount_fixed`.) The generation lives in
  the shared cache; if it is lost (a cache flush, an eviction), a new one starts, so an entry
  outlasting its generation is never found again. Its name carries `RULES`, raised whenever
  the engine decides differently from the same counts, so a release that changes the rules
  finds none of the plans the old rules remembered.
- **Counts read after settling**: one request's calls can share the counts they read (a
  `results.Source`), and a later call may find settled a cycle that an earlier one read while
  it was still open. Counts first read before a cycle settled are never taken as settled
  (`Aggregates.settled_when_read`), however long the request, so nothing keyed as settled is
  worked out from them.
- Open and recently closed cycles are decided from their counts on every request, as before.

The same holds for two other things read from settled counts and nothing else: what a scope's
response counts decide besides its plan (`SettledCounts`: the family's order, each unit's
response count, the groups' decisions), and a unit's tallies summed per settled cycle
(`recall_sums`, `keep_sums`), keyed by the teams summed, so a team that moves unit is summed
again where it now sits.

And a settled scope's released figures (`released_groups`): each unit's figures as one viewer
may see them are worked out from that scope's plan, counts and sums alone, so they are kept
under the plan's own key, in the process only.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from threading import Lock
from typing import Any, TypeVar

from django.core.cache import cache

from diagnostics.models import Cycle
from disclosure.plan import Plan, Remembered, stable_digest

SETTLED_AFTER = timedelta(minutes=5)
# Raised whenever the disclosure engine's rules change (2: codes made bound the counts; 3: a
# domain mean is checked on the responses with a domain score; 4: a domain hidden for too few
# scored responses says so; 5: a team's recorded headcount bounds its responses too; 6: and
# where it made fewer codes than it has responses; 7: the headcount fixed for the cycle; 8:
# bounds taken as read, whatever the responses, and hidden for where they are contradicted;
# 9: and where the shown counts say which team's own bound is wrong; codes held, less those
# waiting to be e-mailed, as they were when the cycle closed).
RULES = 9
GENERATION_KEY = f"settled-plans:generation:{RULES}"
SHARED_TIMEOUT = 7 * 24 * 3600  # seconds; a plan left unread for a week is worked out again
IN_PROCESS = 64  # plans a process keeps (a trends page decides one per cycle or pool)
SUMS_IN_PROCESS = 4096  # (unit, cycle, kind) sums a process keeps: each a few dozen rows
# Units' released figures a process keeps, over every scope (about 3 kB a unit for its domains:
# 20,000 are some 60 MB); the scopes used least recently are forgotten first.
RELEASED_UNITS_IN_PROCESS = 20_000

_remembered = Remembered(IN_PROCESS)
_sums = Remembered(SUMS_IN_PROCESS)


class _ReleasedFigures:
    """Each settled scope's released figures by unit path, the scopes used least recently
    forgotten once the units kept over all of them pass `limit` (checked as a page asks for a
    scope: a page adds at most its own units beyond it). Thread-safe as `Remembered` is."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._scopes: OrderedDict[tuple[Hashable, ...], dict[Any, Any]] = OrderedDict()
        self._lock = Lock()

    def of(self, key: tuple[Hashable, ...]) -> dict[Any, Any]:
        with self._lock:
            found = self._scopes.get(key)
            if found is None:
                found = self._scopes[key] = {}
            self._scopes.move_to_end(key)
            kept = sum(map(len, self._scopes.values()))
            while kept > self.limit and len(self._scopes) > 1:
                _, forgotten = self._scopes.popitem(last=False)
                kept -= len(forgotten)
            return found

    def clear(self) -> None:
        with self._lock:
            self._scopes.clear()


_released = _ReleasedFigures(RELEASED_UNITS_IN_PROCESS)

T = TypeVar("T")


@dataclass(frozen=True)
class SettledPlan:
    """A scope's plan, and the statements its responses answered (both from the same counts)."""

    plan: Plan
    statement_codes: tuple[str, ...]


@dataclass(frozen=True)
class SettledCounts:
    """What a scope's response counts decide besides its plan: the viewer's family in order and
    the part they reach (`results.family_order`), each unit's responses and the number of its
    cycles with any, and the groups' decisions (`disclosure.plan.decide_groups`)."""

    order: tuple[str, ...]
    reached: tuple[str, ...]
    response_counts: Mapping[str, int]
    cycles_answered: Mapping[str, int]
    group_plan: Plan


def settled_since(*, status: str, closed_at: datetime | None, now: datetime) -> str | None:
    """When a cycle closed, if it has settled (closed, and `SETTLED_AFTER` ago or more)."""
    if status != Cycle.Status.CLOSED or closed_at is None or closed_at > now - SETTLED_AFTER:
        return None
    return closed_at.isoformat()


def settled_by(*, since: str, moment: datetime) -> bool:
    """Whether a cycle that closed at `since` (as `settled_since` gives it) had settled by
    `moment`: counts of it read from then on are all it will ever have."""
    return datetime.fromisoformat(since) <= moment - SETTLED_AFTER


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
    _sums.clear()
    _released.clear()


def remembered(key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """The plan for `key` (built of tuples, strings, numbers and None, starting with the
    generation read before any count was): from this process, else from the shared cache, else
    computed and kept in both."""

    def shared() -> T:
        name = f"settled-plans:{stable_digest(key)}"
        found = cache.get(name)
        # The whole key is stored with the plan: a digest alone is never trusted.
        if isinstance(found, tuple) and len(found) == 2 and found[0] == key:
            return found[1]  # type: ignore[no-any-return]
        result = compute()
        cache.set(name, (key, result), timeout=SHARED_TIMEOUT)
        return result

    return _remembered.get_or_compute(key, shared)


def released_groups(key: tuple[Hashable, ...]) -> dict[str, Any]:
    """The figures already released under `key` (a settled scope's plan key), by unit path: a
    dict this process fills as pages ask for units. Kept in the process only: thousands of
    figures cost more to fetch from the shared cache than to release again from remembered
    counts and sums. Two threads releasing the same unit at once store equal figures."""
    return _released.of(key)


def released_readings(key: tuple[Hashable, ...]) -> dict[tuple[Hashable, ...], Any]:
    """Readings that follow from the figures released under `key` alone (a page's urgent
    teams, say), by the reading's name: kept as the figures are, each reading counted as one
    unit."""
    return _released.of((*key, "readings"))


def recall_sums(keys: Sequence[tuple[Hashable, ...]]) -> list[Any | None]:
    """The sums remembered under each key (None where none is), from this process, else from
    the shared cache in one round trip. Each key starts with the generation read before any
    count was, and names the teams summed."""
    found = [_sums.get(key) for key in keys]
    missing = {
        f"settled-sums:{stable_digest(key)}": i for i, key in enumerate(keys) if found[i] is None
    }
    if missing:
        for name, entry in cache.get_many(list(missing)).items():
            key = keys[missing[name]]
            # As for plans: the whole key is stored with the sums, a digest alone never trusted.
            if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == key:
                found[missing[name]] = entry[1]
                _sums.put(key, entry[1])
    return found


def keep_sums(entries: Sequence[tuple[tuple[Hashable, ...], Any]]) -> None:
    """Remember these sums in this process and in the shared cache (one round trip)."""
    for key, value in entries:
        _sums.put(key, value)
    if entries:
        cache.set_many(
            {f"settled-sums:{stable_digest(key)}": (key, value) for key, value in entries},
            timeout=SHARED_TIMEOUT,
        )


def forget_in_process() -> None:
    """Empty this process's memory only (tests use it to stand for a fresh worker)."""
    _remembered.clear()
    _sums.clear()
    _released.clear()
    structure_digest.cache_clear()


# A few viewers' families at a time: at 3,000 teams an entry holds some 0.3-0.5 MB of tuples.
@lru_cache(maxsize=16)
def structure_digest(
    mapping: tuple[tuple[int, str], ...], unit_paths: tuple[str, ...], roots: tuple[str, ...]
) -> str:
    """The digest of a viewer's teams' nodes, the organisation's units and the units the viewer
    reaches (`results.Aggregates.structure`): part of every settled plan's key. The same units
    and family come back request after request, and the digest (a repr and a hash of every
    team's node: a millisecond at 3,000 teams) is worked out once per process for each, keyed
    by the values it digests, so a different set of units or nodes is digested afresh."""
    return stable_digest((mapping, unit_paths, roots))
