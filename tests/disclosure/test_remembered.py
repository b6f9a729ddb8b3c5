"""Remembering pure computations: in a process (`Remembered`), and by a name every process
agrees on (`stable_digest`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from disclosure.plan import Remembered, stable_digest

KEY = ("generation", (("1", "2026-06-27T00:00:00+01:00"),), True, 5, ("0001", "00010001"))


def test_it_computes_once_and_forgets_the_least_recently_used():
    remembered = Remembered(2)
    calls: list[str] = []

    def compute(value: str):
        def run() -> str:
            calls.append(value)
            return value.upper()

        return run

    assert remembered.get_or_compute("a", compute("a")) == "A"
    assert remembered.get_or_compute("a", compute("a")) == "A"
    remembered.get_or_compute("b", compute("b"))
    remembered.get_or_compute("a", compute("a"))  # a is now the most recently used
    remembered.get_or_compute("c", compute("c"))  # so b goes
    remembered.get_or_compute("a", compute("a"))
    remembered.get_or_compute("b", compute("b"))
    assert calls == ["a", "b", "c", "b"]
    remembered.clear()
    remembered.get_or_compute("a", compute("a"))
    assert calls[-1] == "a"


def test_it_gives_back_what_was_put_and_forgets_the_least_recently_used():
    remembered = Remembered(2)
    assert remembered.get(("a",)) is None
    remembered.put(("a",), ((1, 2),))
    remembered.put(("b",), ())
    assert remembered.get(("a",)) == ((1, 2),)  # a is now the most recently used
    remembered.put(("c",), (3,))  # so b goes
    assert remembered.get(("b",)) is None
    assert remembered.get(("a",)) == ((1, 2),)
    assert remembered.get(("c",)) == (3,)


def test_it_names_a_key_the_same_in_every_process():
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from disclosure.plan import stable_digest;"
        f"print(stable_digest({KEY!r}))"
    )
    root = str(Path(__file__).resolve().parents[2])
    digests = {
        subprocess.run(
            [sys.executable, "-c", script, root],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2", "3")
    }
    assert digests == {stable_digest(KEY)}


def test_it_names_different_keys_differently():
    assert stable_digest(KEY) != stable_digest((*KEY[:-1], ("0001",)))
