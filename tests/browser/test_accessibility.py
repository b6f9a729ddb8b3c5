"""axe-core and the Content Security Policy on every main page, in Chromium."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from actions.services import create_action
from diagnostics.models import Domain
from diagnostics.services import close_cycle
from diagnostics.structural_data import save_figures
from organisations.models import Membership, Role
from organisations.services import change_role, update_settings
from tests.browser.support import Watched, sign_in
from tests.factories import TEST_PASSWORD
from voice.services import answer_issue, board_for, raise_issue

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_PAGES = [
    ("public-home", "/"),
    ("sign-in", "/accounts/sign-in/"),
    ("sign-out", "/accounts/sign-out/"),
    ("password-reset", "/accounts/password-reset/"),
    ("have-a-code", "/survey/"),
    ("how-answers-are-protected", "/how-your-answers-are-protected/"),
    ("unknown-code", "/survey/c/AAAA-BBBB-CCCC/"),
    ("survey-session-ended", "/survey/start/"),
    ("not-found", "/no-such-page/"),
    ("no-organisation-sign-in", "/accounts/organisation-sign-in/?email=sam%40nowhere.example"),
    ("organisation-sign-in-refused", "/accounts/organisation-sign-in/callback/any/?state=old"),
]


@pytest.mark.parametrize(("name", "path"), PUBLIC_PAGES, ids=[n for n, _ in PUBLIC_PAGES])
def test_it_keeps_public_pages_accessible_and_within_the_csp(desktop: Watched, db, name, path):
    desktop.go(path)
    desktop.check(f"a11y-{name}")


def test_it_keeps_every_signed_in_page_accessible_and_within_the_csp(
    world, make_cycle, respond, desktop
):
    cycle = make_cycle(unit=world.units["Children's Services"], name="Autumn diagnostic")
    for index, team in enumerate(
        [world.team_a, world.team_b, world.team_c, world.team_a, world.team_b, world.team_c]
    ):
        respond(cycle, team, 2, value=lambda i, code, index=index: 1 + (index + i) % 6)
    for team, caseload in ((world.team_a, 12), (world.team_b, 20), (world.team_c, 28)):
        save_figures(cycle=cycle, team=team, values={"caseload": Decimal(caseload)}, user=None)
    action = create_action(
        unit=world.team_a,
        domain=Domain.objects.get(code="WL"),
        cycle=cycle,
        title="Share duty fairly",
        owner=world.org_admin,
        due_on=timezone.localdate() + timedelta(days=7),
        created_by=world.org_admin,
    )
    change_role(  # the audit log shows a role's and a setting's values before and after
        membership=Membership.objects.get(user=world.leader),
        role=Role.LEADER,
        unit=world.units["Children's Services"],
        actor=world.org_admin,
    )
    update_settings(
        organisation=world.organisation,
        values={"comment_threshold": 12, "safety_contact": "Ring the duty manager.\nThen 999."},
        actor=world.org_admin,
    )
    sign_in(desktop, world.org_admin.email, TEST_PASSWORD)
    pages = [
        ("home", "/"),
        ("team-dashboard", f"/results/units/{world.team_a.pk}/?cycle={cycle.pk}"),
        ("unit-dashboard", f"/results/units/{world.north.pk}/?cycle={cycle.pk}"),
        ("heatmap", f"/results/compare/{world.root.pk}/?cycle={cycle.pk}"),
        ("trends", f"/results/trends/{world.north.pk}/"),
        ("lens", f"/results/lens/{world.root.pk}/?cycle={cycle.pk}"),
        ("actions", "/actions/?status=all"),
        ("action", f"/actions/{action.pk}/"),
        ("action-new", f"/actions/new/?unit={world.team_a.pk}"),
        ("library", f"/actions/library/?unit={world.team_a.pk}"),
        ("cycles", "/cycles/"),
        ("cycle", f"/cycles/{cycle.pk}/"),
        ("cycle-new", "/cycles/new/"),
        ("codes", f"/cycles/{cycle.pk}/teams/{world.team_a.pk}/codes/"),
        ("figures", f"/cycles/{cycle.pk}/teams/{world.team_a.pk}/figures/"),
        ("structure", "/organisation/structure/"),
        ("people", "/organisation/people/"),
        ("invite", "/organisation/people/invite/"),
        ("settings", "/organisation/settings/"),
        ("audit-log", "/organisation/audit/?who=example"),
        ("audit-log-refused-filter", "/organisation/audit/?since=2026-03-05&until=2026-03-01"),
        ("thresholds", "/cycles/figure-thresholds/"),
        ("questionnaire", "/cycles/questionnaire/"),
    ]
    for name, path in pages:
        response = desktop.go(path)
        assert response.status == 200, path
        if desktop.page.locator("[data-chart]").count():
            desktop.page.wait_for_function(
                "[...document.querySelectorAll('[data-chart]')]"
                ".every(c => c.querySelector('svg.main-svg'))"
            )
        desktop.check(f"a11y-{name}")


def test_it_never_makes_a_phone_scroll_sideways(world, make_cycle, respond, phone):
    """Wide tables scroll inside their own box; the page itself stays the phone's width."""
    cycle = make_cycle(unit=world.units["Children's Services"], name="Autumn diagnostic")
    for team in (world.team_a, world.team_b, world.team_c):
        respond(cycle, team, 6)
    sign_in(phone, world.org_admin.email, TEST_PASSWORD)
    for path in (
        f"/results/compare/{world.root.pk}/?cycle={cycle.pk}",
        f"/results/units/{world.team_a.pk}/?cycle={cycle.pk}",
        f"/results/trends/{world.north.pk}/",
        f"/results/lens/{world.root.pk}/?cycle={cycle.pk}",
        "/organisation/people/",
        f"/cycles/{cycle.pk}/",
        "/cycles/questionnaire/",
    ):
        assert phone.go(path).status == 200, path
        overflow = phone.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (path, overflow)
        phone.assert_accessible()  # a table that scrolls needs keyboard access on a phone
    phone.go(f"/results/compare/{world.root.pk}/?cycle={cycle.pk}")
    phone.page.wait_for_selector("[data-chart-heatmap] svg.main-svg, [data-chart] svg.main-svg")
    chart_width = phone.page.evaluate("document.querySelector('[data-chart]').offsetWidth")
    assert chart_width >= 720  # nine readable columns, scrolled sideways in their own box
    phone.check("a11y-heatmap-phone")
    phone.go(f"/results/units/{world.team_a.pk}/?cycle={cycle.pk}")
    phone.page.wait_for_selector("html[data-charts-ready]")  # long sections fold on a phone
    phone.page.locator("summary", has=phone.page.locator("#statements-heading")).click()
    phone.page.wait_for_selector('[data-chart="chart-statements"] svg.main-svg')
    statements_width = phone.page.evaluate(
        "document.querySelector('[data-chart=\"chart-statements\"]').offsetWidth"
    )
    assert statements_width >= 720  # statement texts readable beside their bars
    phone.check("a11y-team-dashboard-phone")


def test_it_keeps_the_staff_results_page_accessible_on_a_phone(world, make_cycle, respond, phone):
    """The team's results for its staff, opened from the board link with no sign-in."""
    cycle = make_cycle(unit=world.team_a, name="Spring diagnostic")
    respond(cycle, world.team_a, 6, value=lambda i, code: 1 + (i + len(code)) % 6)
    close_cycle(cycle=cycle)
    board = board_for(world.team_a)
    issue = raise_issue(board=board, category="safety", text="Lone visits after dark.")
    answer_issue(
        issue=issue,
        status="in_progress",
        answer="Buddy rota from Monday.",
        answered_by=world.team_manager,
    )
    for path in (f"/voice/b/{board.token}/results/", f"/voice/b/{board.token}/"):
        assert phone.go(path).status == 200, path
        overflow = phone.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (path, overflow)
    phone.go(f"/voice/b/{board.token}/results/")
    phone.check("a11y-staff-results-phone")
