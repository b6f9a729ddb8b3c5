"""Page weight: what a browser fetches the first time it opens a dashboard, compressed as the
site serves it (WhiteNoise writes a Brotli copy of every static file at collectstatic, gzip
for browsers without Brotli), must stay within 500 kB. Mostly this is plotly.js, which is why
it is a bundle of the three trace types we draw (tools/plotly-bundle)."""

# ruff: noqa: F811 - the shared fixtures are imported, then asked for by name

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.dashboards.test_profile import spring_then_autumn  # noqa: F401 - shared fixture
from tests.diagnostics.conftest import make_cycle, respond  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.django_db

FIRST_LOAD_LIMIT = 500_000
ASSET = re.compile(r'<(?:script|link)\b[^>]*\b(?:src|href)="/static/([^"?#]+)"')


def static_assets(html: str) -> list[Path]:
    paths = []
    for name in dict.fromkeys(ASSET.findall(html)):
        found = finders.find(name)
        assert found, name
        paths.append(Path(str(found)))
    return paths


def served_size(content: bytes, *, encoding: str) -> int:
    if encoding == "br":
        return len(brotli.compress(content))
    return len(gzip.compress(content, compresslevel=9))


def first_load(html: str, *, encoding: str) -> dict[str, int]:
    sizes = {"page": served_size(html.encode(), encoding=encoding)}
    for path in static_assets(html):
        sizes[path.name] = served_size(path.read_bytes(), encoding=encoding)
    return sizes


@pytest.fixture
def dashboard_html(world, spring_then_autumn, client_for) -> str:
    spring, _ = spring_then_autumn
    response = client_for(world.team_manager).get(
        reverse("dashboards:profile", args=[world.team_a.pk]), {"cycle": spring.pk}
    )
    assert response.status_code == 200
    return response.content.decode()


def test_it_loads_plotly_as_the_bundle_of_the_traces_we_draw(dashboard_html):
    names = [path.name for path in static_assets(dashboard_html)]
    assert "plotly-sword.min.js" in names
    assert not [name for name in names if "cartesian" in name]


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_it_keeps_a_dashboard_s_first_load_within_500_kb(dashboard_html, encoding):
    sizes = first_load(dashboard_html, encoding=encoding)
    assert sum(sizes.values()) <= FIRST_LOAD_LIMIT, sizes
