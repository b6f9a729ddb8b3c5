from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from api.models import ApiToken
from api.tokens import digest_of, new_token
from tests.diagnostics.conftest import make_cycle, respond

__all__ = ["make_cycle", "respond"]


@pytest.fixture
def make_token(world):
    """A token made for `user` straight in the database (the service allows only org admins;
    tests of lesser reach make one as if the role had narrowed since). Returns (token, raw)."""

    def make(user, *, organisation=None, days=30, name="Power BI") -> tuple[ApiToken, str]:
        raw = new_token()
        token = ApiToken.objects.create(
            organisation=organisation or world.organisation,
            created_by=user,
            name=name,
            digest=digest_of(raw),
            expires_on=timezone.localdate() + timedelta(days=days),
        )
        return token, raw

    return make


@pytest.fixture
def api_get():
    """GET an API address with a token (or none): the JSON-decoding test client's answer."""

    def get(url: str, raw: str | None, **params):
        headers = {"Authorization": f"Bearer {raw}"} if raw is not None else {}
        return Client().get(url, params, headers=headers)

    return get


@pytest.fixture
def admin_token(world, make_token) -> str:
    return make_token(world.org_admin)[1]


@pytest.fixture
def results_cycle(world, make_cycle, respond):
    """A full cycle across Children's Services: Team A 5, Team B 2 (suppressed), Team C 6."""
    cycle = make_cycle(unit=world.units["Children's Services"], name="Autumn 2026")
    respond(cycle, world.team_a, 5, value=lambda i, code: 5 if i < 3 else 2)
    respond(cycle, world.team_b, 2)
    respond(cycle, world.team_c, 6, value=4)
    return cycle
