"""Each role's home page and dashboards on the demo organisation, on a desktop and on a phone,
in Chromium: every page answers, leads with a reading, keeps within the CSP, is clean under
axe-core, and leaves a screenshot in test-artifacts/ (journey-<role>-<page>-<device>.png)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from diagnostics.models import Cycle
from organisations.models import Unit
from tests.browser.support import Watched, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.long]

DEMO_PASSWORD = "sword-demo-2026"  # printed by seed_demo for its demo accounts


def wait_for_charts(watched: Watched) -> None:
    if watched.page.locator("[data-chart]").count():
        watched.page.wait_for_function(
            "[...document.querySelectorAll('[data-chart]')]"
            ".every(c => c.querySelector('svg.main-svg'))"
        )


def visit(watched: Watched, path: str, name: str) -> str:
    response = watched.go(path)
    assert response.status == 200, path
    wait_for_charts(watched)
    watched.check(name)
    return watched.page.inner_text("main")


def sign_in_fresh(watched: Watched, email: str) -> None:
    watched.page.context.clear_cookies()
    sign_in(watched, email, DEMO_PASSWORD)


def test_it_gives_each_role_a_reading_and_readable_dashboards_on_desktop_and_phone(
    desktop: Watched, phone: Watched
):
    call_command("seed_demo", verbosity=0)
    # The demo's peer councils have units of the same names: take Northbrook's.
    units = {u.name: u for u in Unit.objects.filter(organisation__name="Northbrook Council")}
    service = units["Children's Services"]
    root = Unit.objects.get(depth=1, organisation=service.organisation)
    team = units["Child Protection North"]
    newest_full = (
        Cycle.objects.filter(
            organisation=root.organisation, kind=Cycle.Kind.FULL, status=Cycle.Status.CLOSED
        )
        .order_by("-opens_on")
        .first()
    )
    assert newest_full is not None
    journeys = {
        "admin": (
            "admin@northbrook.example",
            [
                ("dashboard", f"/results/units/{root.pk}/"),
                ("heatmap", f"/results/compare/{root.pk}/"),
                ("trends", f"/results/trends/{root.pk}/"),
                ("lens", f"/results/lens/{root.pk}/"),
            ],
        ),
        "leader": (
            "leader@northbrook.example",
            [
                ("dashboard", f"/results/units/{service.pk}/"),
                ("heatmap", f"/results/compare/{service.pk}/"),
                ("trends", f"/results/trends/{service.pk}/"),
                ("lens", f"/results/lens/{service.pk}/"),
            ],
        ),
        "manager": (
            "manager@northbrook.example",
            [
                ("dashboard", f"/results/units/{team.pk}/"),
                ("trends", f"/results/trends/{team.pk}/"),
            ],
        ),
    }
    for device_name, watched in (("desktop", desktop), ("phone", phone)):
        for role, (email, pages) in journeys.items():
            sign_in_fresh(watched, email)
            home = visit(watched, "/", f"journey-{role}-home-{device_name}")
            assert "Conditions index" in home, (role, device_name)
            assert "Open now" in home
            for page_name, path in pages:
                text = visit(watched, path, f"journey-{role}-{page_name}-{device_name}")
                assert "not a score of any person" in text or page_name == "lens", path
                if device_name == "phone":
                    overflow = watched.page.evaluate(
                        "document.documentElement.scrollWidth"
                        " - document.documentElement.clientWidth"
                    )
                    assert overflow <= 0, (path, overflow)
