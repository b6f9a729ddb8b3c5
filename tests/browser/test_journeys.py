"""The three journeys end to end in Chromium: staff on a phone, a team manager, an org admin."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest

from diagnostics.models import Cycle, Response
from diagnostics.services import issue_invites
from tests.browser.support import Watched, sign_in
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def tab_until(watched: Watched, condition: str, limit: int = 80) -> None:
    """Press Tab until a JavaScript condition on document.activeElement holds."""
    for _ in range(limit):
        watched.page.keyboard.press("Tab")
        if watched.page.evaluate(f"(el => {condition})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {condition}")


def press_and_follow(watched: Watched, key: str = "Enter") -> None:
    """Press a key that navigates (a link or a form submission) and wait for the new page."""
    with watched.page.expect_navigation():
        watched.page.keyboard.press(key)


def read_download(download_info: Any) -> str:
    with open(download_info.value.path(), encoding="utf-8") as handle:
        return handle.read()


def answer_page_with_keyboard(watched: Watched) -> int:
    """Answer every statement on the page with arrow keys, then press Enter. Returns how many."""
    groups = watched.page.eval_on_selector_all(
        "fieldset.statement", "sets => sets.map(s => s.querySelector('input').name)"
    )
    for name in groups:
        tab_until(watched, f"el.type === 'radio' && el.name === '{name}'")
        for _ in range(3):  # from "Strongly disagree" down to "Slightly agree"
            watched.page.keyboard.press("ArrowDown")
        assert watched.page.is_checked(f"input[name='{name}'][value='4']")
    press_and_follow(watched)  # Enter submits with the form's first button: "Next"
    return len(groups)


def test_it_takes_a_staff_member_through_a_survey_on_a_phone_with_the_keyboard_alone(
    world, make_cycle, phone
):
    cycle = make_cycle(unit=world.team_a, kind=Cycle.Kind.PULSE, name="Team A pulse")
    code = issue_invites(cycle=cycle, team=world.team_a, count=1)[0]
    phone.go(f"/survey/c/{code}/")
    assert "What we store" in phone.page.content()
    phone.check("staff-01-what-is-stored")
    tab_until(phone, "el.textContent.trim() === 'Start'")
    press_and_follow(phone)

    answered = 0
    pages = 0
    while "About you" not in phone.page.content():
        assert re.search(r"Page \d+ of \d+", phone.page.content())
        if pages == 0:
            phone.check("staff-02-first-statement-page")
        answered += answer_page_with_keyboard(phone)
        pages += 1
    assert answered == cycle.cycle_statements.count()
    phone.check("staff-03-about-you")
    tab_until(phone, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Next'")
    press_and_follow(phone)

    assert "Check your answers" in phone.page.content()
    phone.check("staff-04-review")
    tab_until(phone, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Submit'")
    press_and_follow(phone)
    assert "your answers are in" in phone.page.content()
    phone.check("staff-05-thank-you")
    assert Response.objects.filter(cycle=cycle).count() == 1

    phone.go(f"/survey/c/{code}/")
    assert "This code has already been used" in phone.page.content()
    phone.check("staff-06-code-used")
    assert Response.objects.filter(cycle=cycle).count() == 1


@pytest.fixture
def results(world, make_cycle, respond) -> Cycle:
    """A closed-looking full cycle for Children's Services with enough responses to show."""
    cycle = make_cycle(unit=world.units["Children's Services"], name="Autumn diagnostic")
    respond(cycle, world.team_a, 6, value=lambda i, code: 1 if code.startswith("WL") else 4)
    respond(cycle, world.team_b, 6, value=5)
    respond(cycle, world.team_c, 7, value=3)
    return cycle


def drawn_charts(watched: Watched) -> list[int]:
    """(chart containers, containers with a drawn Plotly SVG) on the page."""
    watched.page.wait_for_function(
        "[...document.querySelectorAll('[data-chart]')]"
        ".every(c => c.querySelector('svg.main-svg'))",
        timeout=15_000,
    )
    return watched.page.evaluate(
        """() => {
            const charts = [...document.querySelectorAll('[data-chart]')];
            return [charts.length, charts.filter(c => c.querySelector('svg.main-svg')).length];
        }"""
    )


def test_it_takes_a_team_manager_from_a_pulse_to_an_action(world, results, desktop):
    sign_in(desktop, world.team_manager.email, TEST_PASSWORD)
    page = desktop.page
    desktop.check("manager-01-home")

    desktop.go("/cycles/new/")
    page.get_by_label(
        "Pulse: 9 to 12 rotating statements and any outcome questions, 2 to 3 minutes"
    ).check()
    desktop.check("manager-02-new-cycle")
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Open now").click()
    page.wait_for_load_state("load")
    assert "is open" in page.content()
    pulse = Cycle.objects.get(kind=Cycle.Kind.PULSE)
    assert pulse.status == Cycle.Status.OPEN

    page.get_by_role("link", name="Get codes for Team A").click()
    page.get_by_label("How many codes to print or download?").fill("5")
    page.get_by_role("button", name="Make codes").click()
    page.wait_for_load_state("load")
    assert page.locator(".invite-code").count() == 5
    desktop.check("manager-03-code-sheet")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(read_download(download_info))))
    assert rows[0] == ["code", "url"]
    assert len(rows) == 6

    desktop.go(f"/cycles/{results.pk}/teams/{world.team_a.pk}/figures/")
    page.get_by_label("Average caseload per full-time practitioner (cases)").fill("27")
    page.get_by_label("Supervision held at the agreed frequency (%)").fill("60")
    desktop.check("manager-04-structural-figures")
    page.get_by_role("button", name="Save figures").click()
    page.wait_for_load_state("load")
    assert "Saved the structural figures" in page.content()

    page.get_by_role("link", name="Results", exact=True).click()
    page.wait_for_load_state("load")
    containers, drawn = drawn_charts(desktop)
    assert containers >= 2  # the domain profile and the statement bars
    assert drawn == containers
    assert "Average caseload per full-time practitioner: 27" in page.content()
    desktop.check("manager-05-team-dashboard")

    page.get_by_role("link", name=re.compile("^Plan this")).first.click()
    page.wait_for_load_state("load")
    desktop.check("manager-06-plan-action")
    page.get_by_role("button", name="Create action").click()
    page.wait_for_load_state("load")
    assert "Added the action" in page.content()
    assert "Before and after" in page.content()
    desktop.check("manager-07-action")


def test_it_lets_an_org_admin_compare_go_down_a_level_and_export(world, results, desktop):
    sign_in(desktop, world.org_admin.email, TEST_PASSWORD)
    page = desktop.page
    page.get_by_role("link", name="Compare", exact=True).click()
    page.wait_for_load_state("load")
    assert drawn_charts(desktop) == [1, 1]
    desktop.check("admin-01-organisation-heatmap")

    page.get_by_role("link", name="Children's Services", exact=True).first.click()
    page.wait_for_load_state("load")
    services = world.units["Children's Services"]
    assert page.url.endswith(f"/results/compare/{services.pk}/?cycle={results.pk}")
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    assert "Example Council" in breadcrumb.inner_text()
    drawn_charts(desktop)
    desktop.check("admin-02-children-services-heatmap")
    shown = table_means(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the results as CSV").click()
    exported = {
        (row["unit_path"].split(" / ")[-1], row["domain"]): row["mean"]
        for row in csv.DictReader(io.StringIO(read_download(download_info)))
        if row["level"] == "unit" and row["suppressed"] == "no"
    }
    assert shown, "the heatmap table shows figures"
    for key, mean in shown.items():
        assert exported[key] == mean, key


TABLE_MEANS = """() => {
    const table = document.querySelector('table.table-heat');
    const domains = [...table.querySelectorAll('thead th')].slice(2).map(
        th => th.querySelector('a').childNodes[0].textContent.trim());
    const out = [];
    for (const row of table.querySelectorAll('tbody tr')) {
        const link = row.querySelector('th a');
        if (!link) continue;
        [...row.querySelectorAll('td.band-cell')].forEach((cell, i) => {
            const mean = cell.querySelector('.heat-mean');
            if (mean) out.push([link.textContent.trim(), domains[i], mean.textContent.trim()]);
        });
    }
    return out;
}"""


def table_means(page: Any) -> dict[tuple[str, str], str]:
    """(unit, domain) → mean as printed in the comparison table."""
    return {(unit, domain): mean for unit, domain, mean in page.evaluate(TABLE_MEANS)}
