"""The garbage collector of a server process (sword/collector.py), read in a fresh process:
the WSGI module sets it once the application has loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOW_COLLECTOR = (
    "import gc, json, sword.wsgi; "
    "print(json.dumps({'frozen': gc.get_freeze_count(), 'thresholds': gc.get_threshold()}))"
)


def server_process(**variables: str) -> subprocess.CompletedProcess[str]:
    inherited = {name: value for name, value in os.environ.items() if name != "GC_THRESHOLDS"}
    return subprocess.run(
        [sys.executable, "-c", SHOW_COLLECTOR],
        cwd=ROOT,
        env={**inherited, **variables},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_freezes_the_loaded_application_and_collects_less_often_than_python_s_default():
    shown = json.loads(server_process().stdout)
    assert shown["frozen"] > 10_000  # Django and the apps, out of the collector's passes
    assert shown["thresholds"] == [10_000, 10, 100]


def test_it_takes_the_thresholds_from_gc_thresholds():
    shown = json.loads(server_process(GC_THRESHOLDS="2000,5,50").stdout)
    assert shown["thresholds"] == [2000, 5, 50]


def test_it_refuses_thresholds_that_are_not_three_whole_numbers():
    for wrong in ("10000,10", "10000,0,100"):
        refused = server_process(GC_THRESHOLDS=wrong)
        assert refused.returncode != 0
        assert "GC_THRESHOLDS is three whole numbers" in refused.stderr
