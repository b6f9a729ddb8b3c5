"""The WSGI entry point, as gunicorn loads it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def last_line_printed(script: str, **variables: str) -> str:
    """What `script` prints last, run in a fresh process with these environment variables."""
    found = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[1],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "sword.settings", **variables},
        capture_output=True,
        text=True,
        check=True,
    )
    return found.stdout.strip().splitlines()[-1]


def test_it_keeps_what_the_application_loaded_out_of_the_collectors_full_passes():
    script = "import gc, sword.wsgi; print(gc.get_freeze_count())"
    assert int(last_line_printed(script, DEBUG="1")) > 10_000


SHOW_LOADED = """
import json, sys
from unittest import mock
import sword.wsgi
from django.template import base
from django.template.loader import get_template
from dashboards import charts
from django.utils import translation
compiled = []
original = base.Template.compile_nodelist
def counted(template):
    compiled.append(template.name)
    return original(template)
with mock.patch.object(base.Template, "compile_nodelist", counted):
    for name in ("dashboards/profile.html", "survey/page.html", "base.html"):
        get_template(name)
from django.urls import get_resolver
resolver = get_resolver()
print(json.dumps({
    "urlconf": "sword.urls" in sys.modules and "dashboards.views" in sys.modules,
    "url_names": sorted(resolver._reverse_dict),
    "redis": "redis" in sys.modules,
    "template": charts.default_template.cache_info().currsize,
    "compiled": compiled,
    "catalogues": sorted(translation.trans_real._translations),
}))
"""


def test_it_loads_what_every_worker_needs_before_its_first_request():
    printed = last_line_printed(
        SHOW_LOADED,
        DEBUG="0",
        SECRET_KEY="test-only-" + "x" * 50,
        SPENT_CODE_KEY="test-only-spent-" + "x" * 50,
        CACHE_URL="redis://127.0.0.1:6379/9",
    )
    loaded = json.loads(printed)
    assert loaded["urlconf"] is True  # and every view module with it
    assert set(loaded["url_names"]) >= {"cy", "en-gb"}  # each language's names of URLs
    assert loaded["redis"] is True  # the cache's client library, imported, not connected
    assert loaded["template"] == 1  # Plotly's default template, read once
    assert loaded["compiled"] == []  # every template of ours already compiled
    assert {"cy", "en-gb"} <= set(loaded["catalogues"])
