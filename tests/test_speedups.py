"""The switches for the speed-ups that lean on Django's internals (sword/settings.py).

Each switch, turned off, must send the site down Django's plain public path and draw the very
same pages: that is what lets a Django upgrade turn a broken speed-up off and carry on. For each
one, the pages it touches are drawn with it on and off; the HTML must match byte for byte (the
CSRF token, different on every request, aside; for the plain figures' switch alone, each chart's
JSON is compared as the data it holds, its keys sorted, since Plotly's figure puts a trace's keys
in an order of its own), and the speed-up's own code must run only when it is on, so a switch
that did nothing fails here.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import redis
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dashboards import charts
from diagnostics import survey_views
from diagnostics.models import Cycle
from diagnostics.selectors import latest_version_for, survey_shape
from diagnostics.services import create_cycle, issue_invites, open_cycle
from organisations import remembered_units
from sword import translations
from sword.cache import SharedClientRedisCacheClient
from sword.precompiled import PrecompiledLookup
from sword.ratelimits import over_limit
from sword.storage import RememberedUrlsMixin
from sword.templatetags import languages
from sword.templatetags.links import FixedUrlNode
from tests.diagnostics.conftest import respond  # noqa: F401  (the fixture, used by name)
from tests.diagnostics.test_survey_views import codes_on, open_survey, page_url

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/2"

SHOW_CONFIGURATION = """
import json
from sword import settings
print(json.dumps({
    "switches": {
        name: getattr(settings, name) for name in dir(settings) if name.startswith("SPEEDUP")
    },
    "staticfiles": settings.STORAGES["staticfiles"]["BACKEND"],
    "cache": settings.CACHES["default"]["BACKEND"],
}))
"""


def configuration(**variables: str) -> dict[str, Any]:
    """What sword/settings.py makes of these variables (and a Redis cache), read in a fresh
    process: the storages and the cache are chosen when the settings load."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("SPEEDUP") and name not in ("CACHE_URL", "STATIC_MANIFEST")
    }
    result = subprocess.run(
        [sys.executable, "-c", SHOW_CONFIGURATION],
        cwd=ROOT,
        env={**inherited, "CACHE_URL": REDIS_URL, "STATIC_MANIFEST": "0", **variables},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    shown: dict[str, Any] = json.loads(result.stdout)
    return shown


# --- the settings ------------------------------------------------------------------------------

SWITCHES = [
    "SPEEDUP_PRECOMPILED_LOOKUPS",
    "SPEEDUP_REMEMBERED_SURVEY_HTML",
    "SPEEDUP_FIXED_LINKS",
    "SPEEDUP_REMEMBERED_STATIC_URLS",
    "SPEEDUP_SHARED_REDIS_CLIENT",
    "SPEEDUP_REMEMBERED_TRANSLATIONS",
    "SPEEDUP_UNITS_WITHOUT_INIT",
    "SPEEDUP_REMEMBERED_UNITS",
    "SPEEDUP_PLAIN_FIGURES",
]


@pytest.fixture(scope="module")
def fast() -> dict[str, Any]:
    return configuration()


@pytest.fixture(scope="module")
def plain() -> dict[str, Any]:
    return configuration(SPEEDUPS="0")


def test_it_turns_every_speedup_on_by_default(fast):
    assert fast["switches"] == {"SPEEDUPS": True} | dict.fromkeys(SWITCHES, True)
    assert fast["staticfiles"] == "sword.storage.RememberedUrlsStaticFilesStorage"
    assert fast["cache"] == "sword.cache.SharedClientRedisCache"
    hashed = configuration(STATIC_MANIFEST="1")
    assert hashed["staticfiles"] == "sword.storage.RememberedUrlsManifestStorage"


def test_it_turns_every_speedup_off_with_one_variable(plain):
    assert plain["switches"] == {"SPEEDUPS": False} | dict.fromkeys(SWITCHES, False)
    assert plain["staticfiles"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert plain["cache"] == "django.core.cache.backends.redis.RedisCache"
    hashed = configuration(SPEEDUPS="0", STATIC_MANIFEST="1")
    assert hashed["staticfiles"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_it_turns_one_speedup_off_and_leaves_the_others_on():
    shown = configuration(SPEEDUP_REMEMBERED_STATIC_URLS="0")
    assert shown["switches"] == {"SPEEDUPS": True} | dict.fromkeys(SWITCHES, True) | {
        "SPEEDUP_REMEMBERED_STATIC_URLS": False
    }
    assert shown["staticfiles"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert shown["cache"] == "sword.cache.SharedClientRedisCache"


def test_it_turns_one_speedup_back_on_when_the_rest_are_off():
    shown = configuration(SPEEDUPS="0", SPEEDUP_SHARED_REDIS_CLIENT="1")
    assert shown["switches"]["SPEEDUP_SHARED_REDIS_CLIENT"] is True
    assert shown["switches"]["SPEEDUP_FIXED_LINKS"] is False
    assert shown["cache"] == "sword.cache.SharedClientRedisCache"
    assert shown["staticfiles"] == "django.contrib.staticfiles.storage.StaticFilesStorage"


# --- the pages, drawn both ways -------------------------------------------------------------


@dataclass(frozen=True)
class Switch:
    setting: str
    # The speed-up's own code: each is patched with a spy that must run only when it is on.
    fast_code: tuple[tuple[Any, str], ...]
    pages: tuple[str, ...]


SWITCH_PAGES = [
    Switch(
        "SPEEDUP_PRECOMPILED_LOOKUPS",
        ((PrecompiledLookup, "_precompiled_first"),),
        ("survey page", "survey page with errors", "about page"),
    ),
    Switch(
        "SPEEDUP_REMEMBERED_SURVEY_HTML",
        (
            (survey_views, "_remembered_statement"),
            (survey_views, "_remembered_radios"),
            (survey_views, "_remembered_outline"),
            (survey_views, "_remembered_review_row"),
        ),
        (
            "survey page",
            "survey page with errors",
            "survey page in Welsh",
            "about page",
            "review page",
            "review page in Welsh",
        ),
    ),
    Switch(
        "SPEEDUP_FIXED_LINKS",
        ((FixedUrlNode, "remembered_url"), (survey_views, "_remembered_address")),
        ("survey page", "review page", "staff home page", "sign-in page"),
    ),
    Switch(
        "SPEEDUP_REMEMBERED_STATIC_URLS",
        ((RememberedUrlsMixin, "url"),),
        ("survey page", "staff home page", "sign-in page"),
    ),
    Switch(
        "SPEEDUP_REMEMBERED_TRANSLATIONS",
        (
            (translations, "_remembered_gettext"),
            (translations, "_remembered_render"),
            (languages, "remembered_chooser"),
        ),
        (
            "survey page",
            "survey page with errors",
            "survey page in Welsh",
            "about page",
            "review page",
            "review page in Welsh",
            "staff home page",
            "sign-in page",
        ),
    ),
    Switch(
        "SPEEDUP_UNITS_WITHOUT_INIT",
        ((remembered_units, "_units_without_init"),),
        ("staff home page", "team dashboard page", "comparison page"),
    ),
    Switch(
        "SPEEDUP_REMEMBERED_UNITS",
        ((remembered_units, "unit_fields"),),
        ("staff home page", "team dashboard page", "comparison page"),
    ),
    Switch(
        "SPEEDUP_PLAIN_FIGURES",
        ((charts, "default_template"),),
        ("team dashboard page", "comparison page", "trends page"),
    ),
]


def spy_on(owner: Any, attribute: str) -> Any:
    original = getattr(owner, attribute)
    if isinstance(owner, type):
        return mock.patch.object(owner, attribute, autospec=True, side_effect=original)
    return mock.patch.object(owner, attribute, wraps=original)


def switch_to(settings: Any, configuration: dict[str, Any], setting: str) -> None:
    """Give this test process `setting` as `configuration` has it."""
    setattr(settings, setting, configuration["switches"][setting])
    if setting == "SPEEDUP_REMEMBERED_STATIC_URLS":
        settings.STORAGES = {
            **django_settings.STORAGES,
            "staticfiles": {"BACKEND": configuration["staticfiles"]},
        }
    if setting == "SPEEDUP_SHARED_REDIS_CLIENT":
        settings.CACHES = {
            "default": {
                "BACKEND": configuration["cache"],
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": f"test-{secrets.token_hex(4)}",
            }
        }


CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
JSON_SCRIPT = re.compile(r'(<script id="[^"]+" type="application/json">)(.*?)(</script>)', re.S)


def _sorted_json(found: re.Match[str]) -> str:
    return found[1] + json.dumps(json.loads(found[2]), sort_keys=True) + found[3]


def drawn(response: Any) -> str:
    return CSRF_TOKEN.sub('name="csrfmiddlewaretoken" value="…"', response.content.decode())


def charts_as_data(body: str) -> str:
    """The page with each chart's JSON written with its keys sorted."""
    return JSON_SCRIPT.sub(_sorted_json, body)


@pytest.fixture
def page_drawers(
    client: Client,
    world: Any,
    respond: Any,  # noqa: F811
) -> dict[str, Callable[[], str]]:
    """Each page, ready to draw again and again the same (a survey part-answered: some radios
    checked, some not; an "About you" answer chosen; two teams' results shown, in charts)."""
    today = timezone.localdate()
    cycle = create_cycle(
        unit=world.north,
        kind=Cycle.Kind.FULL,
        instrument=latest_version_for(world.organisation),
        name="",
        opens_on=today,
        closes_on=today + timedelta(days=14),
        created_by=None,
    )
    open_cycle(cycle=cycle)
    for team in (world.team_a, world.team_b):
        respond(cycle, team, 6, lambda index, _code: 2 + index % 4)
    (code,) = issue_invites(cycle=cycle, team=world.team_a, count=1)
    shape = survey_shape(cycle)
    first_codes = codes_on(shape, 1)
    some_answers = {first_codes[0]: "2", first_codes[1]: "na", "action": "next"}
    about_page = page_url(shape.about_page_number)
    staff = Client()
    staff.force_login(world.org_admin)

    def survey_page() -> str:
        response = client.get(page_url(1))
        assert response.status_code == 200
        return drawn(response)

    def survey_page_with_errors() -> str:
        response = client.post(page_url(1), some_answers)
        assert response.status_code == 400  # the statements left unanswered are marked
        return drawn(response)

    def in_welsh(draw: Callable[[], str]) -> Callable[[], str]:
        def draw_in_welsh() -> str:
            world.organisation.survey_languages = ["cy"]
            world.organisation.save(update_fields=["survey_languages"])
            client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "cy"
            body = draw()
            assert '<html lang="cy">' in body
            return body

        return draw_in_welsh

    def about() -> str:
        response = client.get(about_page)
        assert response.status_code == 200
        return drawn(response)

    def review_page() -> str:
        response = client.get(reverse("survey:review"))
        assert response.status_code == 200
        return drawn(response)

    def staff_page(address: str) -> Callable[[], str]:
        def draw() -> str:
            response = staff.get(address)
            assert response.status_code == 200
            return drawn(response)

        return draw

    def sign_in_page() -> str:
        response = Client().get(reverse("accounts:login"))
        assert response.status_code == 200
        return drawn(response)

    open_survey(client, code)
    assert client.post(page_url(1), some_answers).status_code == 400
    assert client.post(about_page, {"role_group": "manager", "action": "next"}).status_code == 302
    return {
        "survey page": survey_page,
        "survey page with errors": survey_page_with_errors,
        "survey page in Welsh": in_welsh(survey_page),
        "about page": about,
        "review page": review_page,
        "review page in Welsh": in_welsh(review_page),
        "staff home page": staff_page(reverse("home")),
        "sign-in page": sign_in_page,
        "team dashboard page": staff_page(reverse("dashboards:profile", args=[world.team_a.pk])),
        "comparison page": staff_page(reverse("dashboards:compare", args=[world.root.pk])),
        "trends page": staff_page(reverse("dashboards:trends", args=[world.root.pk])),
    }


@pytest.mark.parametrize(
    ("switch", "page"),
    [(switch, page) for switch in SWITCH_PAGES for page in switch.pages],
    ids=[f"{switch.setting}-{page}" for switch in SWITCH_PAGES for page in switch.pages],
)
def test_it_draws_the_same_page_with_the_speedup_off(
    switch, page, page_drawers, settings, fast, plain
):
    draw = page_drawers[page]
    settings.PLOTLY_VALIDATE = False  # as in production
    bodies = {}
    for name, chosen in (("fast", fast), ("plain", plain), ("fast again", fast)):
        switch_to(settings, chosen, switch.setting)
        with ExitStack() as spying:
            spies = [
                spying.enter_context(spy_on(owner, attribute))
                for owner, attribute in switch.fast_code
            ]
            bodies[name] = draw()
        assert any(spy.called for spy in spies) is (name != "plain"), name

    if switch.setting == "SPEEDUP_PLAIN_FIGURES":  # Plotly orders a trace's keys its own way
        bodies = {name: charts_as_data(body) for name, body in bodies.items()}
    assert bodies["plain"] == bodies["fast"]
    assert bodies["fast again"] == bodies["fast"]


# --- the rate limits, counted both ways ------------------------------------------------------


@pytest.fixture
def local_redis() -> None:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")


def test_it_counts_rate_limits_the_same_with_django_s_own_redis_client(
    local_redis, rf, settings, fast, plain
):
    def count(chosen: dict[str, Any]) -> list[bool]:
        switch_to(settings, chosen, "SPEEDUP_SHARED_REDIS_CLIENT")
        request = rf.get("/", REMOTE_ADDR="192.0.2.7")
        with mock.patch.object(
            SharedClientRedisCacheClient,
            "get_client",
            autospec=True,
            side_effect=SharedClientRedisCacheClient.get_client,
        ) as shared_client:
            limited = [over_limit(request, group="speedups", rate="3/h") for _ in range(5)]
            not_counted = over_limit(request, group="speedups", rate="3/h", increment=False)
        assert shared_client.called is chosen["switches"]["SPEEDUP_SHARED_REDIS_CLIENT"]
        return [*limited, not_counted]

    assert count(fast) == count(plain) == [False, False, False, True, True, True]
