"""A printed team dashboard: A4 charts without their fill patterns (a browser writes each
patterned bar into a PDF as a picture), all of it within 1 MB; back on screen, the patterns
return."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from organisations.models import Unit
from tests.browser.support import ARTIFACTS, Watched, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PDF_LIMIT = 1_000_000


def wait_until(page: Any, expression: str, *, timeout_ms: int = 10_000) -> None:
    """Poll with evaluate (as the inspector, outside the page's CSP): wait_for_function polls
    from inside the page with eval, which the site's CSP refuses."""
    for _ in range(timeout_ms // 100):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still false after {timeout_ms} ms: {expression}")


PATTERNS = "document.querySelectorAll('[data-chart] pattern').length"


def test_it_prints_a_team_dashboard_to_a_pdf_within_1_mb(desktop: Watched):
    call_command("seed_demo", verbosity=0)
    team = Unit.objects.get(name="Child Protection North", organisation__name="Northbrook Council")
    sign_in(desktop, "manager@northbrook.example", "sword-demo-2026")
    response = desktop.go(f"/results/units/{team.pk}/")
    assert response.status == 200
    page = desktop.page
    wait_until(
        page,
        "[...document.querySelectorAll('[data-chart]')].every(c => c.dataset.drawn === 'true')",
    )
    on_screen = page.evaluate(PATTERNS)
    assert on_screen > 0

    page.emulate_media(media="print")
    wait_until(
        page,
        f"{PATTERNS} === 0 && [...document.querySelectorAll('[data-chart]')]"
        ".every(c => c._fullLayout && c._fullLayout.width === 680)",
    )
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = page.pdf(format="A4", print_background=True)
    (ARTIFACTS / "print-team-dashboard.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) <= PDF_LIMIT, len(pdf)

    page.emulate_media(media="screen")
    wait_until(page, f"{PATTERNS} === {on_screen}")
