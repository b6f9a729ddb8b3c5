"""Reach on every view: see tests/reach_registry.py."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.reach_registry import ALL_ROLES, API_ENDPOINTS, PAGES, PUBLIC_NAMES, Page


def _all_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def test_it_lists_every_url_in_the_reach_registry():
    listed = {page.name for page in PAGES} | PUBLIC_NAMES | {e.name for e in API_ENDPOINTS}
    assert _all_url_names() - listed == set()


def request(client, page: Page, world):
    url = reverse(page.name, kwargs=page.kwargs(world) if page.kwargs else None)
    if page.query:
        url += "?" + urlencode(page.query(world))
    return getattr(client, page.method)(url, page.data(world))


@pytest.mark.parametrize("page", [p for p in PAGES if p.points_at_object], ids=lambda p: p.name)
def test_it_answers_404_to_the_outsider(page, world, client_for):
    response = request(client_for(world.outsider), page, world)
    assert response.status_code == 404


@pytest.mark.parametrize("page", [p for p in PAGES if not p.points_at_object], ids=lambda p: p.name)
def test_it_never_shows_the_outsider_another_organisations_data(page, world, client_for):
    response = request(client_for(world.outsider), page, world)
    assert response.status_code in (200, 302, 403, 404)
    body = response.content.decode()
    assert "Example Council" not in body
    assert "Locality North" not in body


@pytest.mark.parametrize(
    ("page", "role"),
    [(p, r) for p in PAGES for r in sorted(ALL_ROLES - p.allowed)],
    ids=lambda v: v.name if isinstance(v, Page) else v,
)
def test_it_refuses_roles_without_access(page, role, world, client_for):
    response = request(client_for(getattr(world, role)), page, world)
    assert response.status_code in (403, 404)


@pytest.mark.parametrize(
    ("page", "role"),
    [(p, r) for p in PAGES for r in sorted(p.allowed)],
    ids=lambda v: v.name if isinstance(v, Page) else v,
)
def test_it_serves_roles_with_access(page, role, world, client_for):
    response = request(client_for(getattr(world, role)), page, world)
    expected = page.ok_status if isinstance(page.ok_status, tuple) else (page.ok_status,)
    assert response.status_code in expected


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_it_sends_anonymous_visitors_to_sign_in(page, world, client):
    if page.name == "home":
        assert client.get(reverse("home")).status_code == 200
        return
    response = request(client, page, world)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
