"""How fast this machine is right now, to read the other figures against.

Our machines are shared virtual ones, and their speed changes from hour to hour (the same loop
has taken 0.8 s and 1.4 s on one machine on one day). Every benchmark prints this beside its
figures so that runs on a slow hour and a fast hour can be told apart.
"""

from __future__ import annotations

import time


def python_loop_seconds() -> float:
    """Seconds for a pure-Python loop of 10 million additions (best of three)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for number in range(10_000_000):
            total += number
        best = min(best, time.perf_counter() - started)
    return best


def describe() -> str:
    return f"machine speed now: 10 million Python additions in {python_loop_seconds():.2f} s"
