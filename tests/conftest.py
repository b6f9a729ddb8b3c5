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

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from accounts.models import User
from organisations.models import Organisation, Role, Unit
from tests.factories import make_member, make_organisation, make_units


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
