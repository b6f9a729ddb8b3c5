"""Reach on every API endpoint (tests/reach_registry.py lists them)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.reach_registry import API_ENDPOINTS, Endpoint

ROLES = ["org_admin", "leader", "team_manager"]


def url_of(endpoint: Endpoint, world) -> str:
    return reverse(endpoint.name, kwargs=endpoint.kwargs(world) if endpoint.kwargs else None)


@pytest.mark.parametrize("endpoint", API_ENDPOINTS, ids=lambda e: e.name)
def test_it_answers_401_without_a_token(endpoint, world, api_get):
    assert api_get(url_of(endpoint, world), None).status_code == 401


@pytest.mark.parametrize("endpoint", [e for e in API_ENDPOINTS if e.kwargs], ids=lambda e: e.name)
def test_it_answers_404_to_the_outsiders_token(endpoint, world, make_token, api_get):
    _, raw = make_token(world.outsider, organisation=world.other_organisation)
    assert api_get(url_of(endpoint, world), raw).status_code == 404


LISTS = [e for e in API_ENDPOINTS if not e.kwargs]


@pytest.mark.parametrize("endpoint", LISTS, ids=lambda e: e.name)
def test_it_shows_the_outsiders_token_nothing_of_another_organisation(
    endpoint, world, make_token, api_get
):
    url = url_of(endpoint, world)  # makes Example Council's objects first
    _, raw = make_token(world.outsider, organisation=world.other_organisation)
    response = api_get(url, raw)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Example Council" not in body
    assert "Locality North" not in body
    assert "Team A" not in body


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", API_ENDPOINTS, ids=lambda e: e.name)
def test_it_serves_every_role_what_it_reaches(endpoint, role, world, make_token, api_get):
    _, raw = make_token(getattr(world, role))
    assert api_get(url_of(endpoint, world), raw).status_code == 200
