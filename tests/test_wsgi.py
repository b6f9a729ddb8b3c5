"""The WSGI entry point, as gunicorn loads it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_it_keeps_what_the_application_loaded_out_of_the_collectors_full_passes():
    script = "import gc, sword.wsgi; print(gc.get_freeze_count())"
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "sword.settings"}
    found = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(found.stdout.strip().splitlines()[-1]) > 10_000
