"""Shared fixtures: one organisation with a small tree, a person in each role, and an outsider.

Example Council
└── Children's Services
    ├── Locality North
    │   ├── Team A        (team_manager works here)
    │   └── Team B
    └── Locality South    (a leader of North does not reach South)
        └── Team C
Other Council (the outsider's organisation)
└── Other Team
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone, translation

from accounts.models import User
from diagnostics.models import Cycle, InstrumentVersion
from diagnostics.selectors import latest_version_for
from diagnostics.services import copy_version, create_cycle, open_cycle
from organisations.models import Organisation, Role, Unit
from tests.factories import make_member, make_organisation, make_units


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Modules marked `long` first, then the others with the most tests first, each module's
    tests together in their own order. xdist's loadfile hands whole modules to workers in this
    order (`scripts/test` turns off its own reordering, by number of tests alone, which sent a
    long module of few tests out last while the other worker had nothing left to do)."""
    first_seen: dict[str, int] = {}
    sizes: Counter[str] = Counter()
    for index, item in enumerate(items):
        module = item.nodeid.partition("::")[0]
        first_seen.setdefault(module, index)
        sizes[module] += 1

    def order(item: pytest.Item) -> tuple[bool, int, int]:
        module = item.nodeid.partition("::")[0]
        return (item.get_closest_marker("long") is None, -sizes[module], first_seen[module])

    items.sort(key=order)


@dataclass
class World:
    organisation: Organisation
    units: dict[str, Unit]
    org_admin: User
    leader: User
    team_manager: User
    outsider: User
    other_organisation: Organisation
    other_units: dict[str, Unit]

    @property
    def root(self) -> Unit:
        return self.units["root"]

    @property
    def team_a(self) -> Unit:
        return self.units["Team A"]

    @property
    def team_b(self) -> Unit:
        return self.units["Team B"]

    @property
    def team_c(self) -> Unit:
        return self.units["Team C"]

    @property
    def north(self) -> Unit:
        return self.units["Locality North"]

    def cycle_for_team_a(self) -> Cycle:
        """An open pulse for Team A (made on first use)."""
        existing = Cycle.objects.filter(unit=self.team_a).first()
        if existing is not None:
            return existing
        today = timezone.localdate()
        cycle = create_cycle(
            unit=self.team_a,
            kind=Cycle.Kind.PULSE,
            instrument=latest_version_for(self.organisation),
            name="Team A pulse",
            opens_on=today,
            closes_on=today + timedelta(days=14),
            created_by=None,
        )
        return open_cycle(cycle=cycle)

    def own_version(self) -> InstrumentVersion:
        """A draft questionnaire version of the organisation's own (made on first use)."""
        existing = InstrumentVersion.objects.filter(organisation=self.organisation).first()
        if existing is not None:
            return existing
        built_in = InstrumentVersion.objects.filter(organisation__isnull=True)[0]
        return copy_version(
            version=built_in, organisation_id=self.organisation.pk, name="Ours", created_by=None
        )


@pytest.fixture
def world(db: None) -> World:
    organisation = make_organisation("Example Council", "example")
    units = make_units(
        organisation,
        {
            "Children's Services": {
                "Locality North": ["Team A", "Team B"],
                "Locality South": ["Team C"],
            }
        },
    )
    other = make_organisation("Other Council", "other")
    other_units = make_units(other, {"Other Service": ["Other Team"]})
    return World(
        organisation=organisation,
        units=units,
        org_admin=make_member(units["root"], Role.ORG_ADMIN, display_name="Ada Admin"),
        leader=make_member(units["Locality North"], Role.LEADER, display_name="Lee Leader"),
        team_manager=make_member(units["Team A"], Role.TEAM_MANAGER, display_name="Tam Manager"),
        outsider=make_member(other_units["root"], Role.ORG_ADMIN, display_name="Otto Outsider"),
        other_organisation=other,
        other_units=other_units,
    )


@pytest.fixture
def org_admin(world: World) -> User:
    return world.org_admin


@pytest.fixture
def leader(world: World) -> User:
    return world.leader


@pytest.fixture
def team_manager(world: World) -> User:
    return world.team_manager


@pytest.fixture
def outsider(world: World) -> User:
    return world.outsider


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    """A test client signed in as the given user (or anonymous for None)."""

    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


BUILT_IN_DATA = (
    "diagnostics.migrations.0002_builtin_questionnaire",
    "diagnostics.migrations.0015_outcome_statements",
    "diagnostics.migrations.0017_builtin_welsh",
    "actions.migrations.0002_builtin_library",
    "actions.migrations.0005_builtin_library_welsh",
)


def _restore_builtin_questionnaire() -> None:
    """Put back the data that migrations load, if a transactional test flushed it.

    Transactional tests (threads, the live server) empty every table when they finish; with
    tests spread over several workers, later tests on the same worker would find no
    questionnaire or interventions. This reloads them with the migrations' own code.
    """
    from django.apps import apps

    from diagnostics.models import Domain

    if Domain.objects.exists():
        return
    for module in BUILT_IN_DATA:
        importlib.import_module(module).load(apps, None)


@pytest.fixture(autouse=True)
def _builtin_questionnaire(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        names & {"transactional_db", "live_server"}
    )
    if not (marker or names & {"db", "transactional_db", "live_server"}):
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    _restore_builtin_questionnaire()


@pytest.fixture(scope="session")
def _media_root(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _files_in_a_temporary_folder(settings: Any, _media_root: Any) -> None:
    """Files the site writes (results exports) go to a temporary folder, never the checkout."""
    settings.MEDIA_ROOT = str(_media_root)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate-limit counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def fresh_process_memory() -> Iterator[None]:
    """A process that has remembered no settled plan, count, sum or released figure, as a
    worker just started (tests/diagnostics/test_settled_plans.py and the pages that use them)."""
    from diagnostics import settled_plans

    settled_plans.forget_in_process()
    yield
    settled_plans.forget_in_process()


@pytest.fixture
def units_made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the units made from the remembered table from now on, one per unit made
    (`organisations.remembered_units._make_units`): a results page should make only those it
    uses, not all of a council's 3,307 at ten times the data."""
    from organisations import remembered_units

    made: list[str] = []
    making = remembered_units._make_units

    def counted(fields: Any, *, db: str) -> list[Any]:
        units = making(fields, db=db)
        made.extend(unit.name for unit in units)
        return units

    monkeypatch.setattr(remembered_units, "_make_units", counted)
    return made


# --- real-browser fixtures (one Chromium per test process, shared by every app's tests) ---


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from tests.browser.support import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        # Playwright's sync API runs the tests that follow in another context, and Django keeps
        # a database connection per context: close the one those tests used, or dropping the
        # test database at the end finds it still open ("being accessed by other users").
        connections.close_all()


@pytest.fixture
def desktop(browser: Any, live_server: Any) -> Iterator[Any]:
    from tests.browser.support import watched_page

    yield from watched_page(browser, live_server, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    from tests.browser.support import watched_page

    yield from watched_page(
        browser,
        live_server,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the site's default language. A request through the locale
    middleware leaves its language active in the thread, so without this a test that runs after
    a Welsh page on the same worker would read e-mails and dates in Welsh."""
    translation.deactivate()
    yield
    translation.deactivate()
