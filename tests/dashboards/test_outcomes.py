"""Outcomes and their drivers on the team, unit and organisation dashboard (§12)."""

# ruff: noqa: F811 - the shared fixtures are imported, then asked for by name

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards.profile import ProfilePage
from tests.dashboards.test_dashboards import build_organisation
from tests.diagnostics.conftest import make_cycle, respond  # noqa: F401 - shared fixtures


def answer(i: int, code: str) -> int:
    """Supervision and intending to stay move together; everything else is 4."""
    level = i % 6 + 1
    if code.startswith("SUP") or code == "STAY1":
        return 7 - level if code == "SUP3" else level
    return 4


def page_of(response) -> ProfilePage:
    page = response.context["page"]
    assert isinstance(page, ProfilePage)
    return page


def test_it_leads_the_organisation_dashboard_with_the_drivers_of_staying(
    world, make_cycle, respond, client_for
):
    cycle = make_cycle(unit=world.root)
    for team in (world.team_a, world.team_b, world.team_c):
        respond(cycle, team, 12, value=answer)
    response = client_for(world.org_admin).get(reverse("dashboards:profile", args=[world.root.pk]))
    page = page_of(response)
    assert [row.domain.code for row in page.outcome_rows] == ["STAY", "REC"]
    stay = page.outcome_rows[0]
    # 1 to 6 in turn: 5 and 6 agree, 2 of every 6 answers
    assert (stay.shown, stay.agree) == (True, "33")
    assert page.drivers is not None
    assert page.drivers.shown
    staying = page.drivers.outcomes[0]
    assert staying.reading == (
        "Staff who report better supervision are more likely to say they intend to stay."
    )
    html = response.content.decode()
    assert "Staying and recommending" in html
    assert "33%</strong> say they intend to stay" in html
    assert staying.reading in html
    # outcome statements are not listed among the conditions' statements
    assert "STAY1" not in {row.code for row in page.statement_rows}


def test_it_refuses_drivers_for_a_team_of_fewer_than_30_responses(
    world, make_cycle, respond, client_for
):
    cycle = make_cycle(unit=world.root)
    for team in (world.team_a, world.team_b, world.team_c):
        respond(cycle, team, 12, value=answer)
    response = client_for(world.team_manager).get(
        reverse("dashboards:profile", args=[world.team_a.pk])
    )
    page = page_of(response)
    assert page.outcome_rows[0].agree == "33"
    assert page.drivers is not None
    assert page.drivers.refused == "fewer than 30 responses"
    assert not page.drivers.shown
    assert "not shown here: fewer than 30 responses" in response.content.decode()


def test_it_computes_drivers_only_for_a_group_this_viewer_is_shown(
    world, make_cycle, respond, client_for
):
    cycle = make_cycle(unit=world.root)
    respond(cycle, world.team_a, 30, value=answer)
    respond(cycle, world.team_b, 2, value=answer)  # hides Team A for everyone but its manager
    admin_page = page_of(
        client_for(world.org_admin).get(reverse("dashboards:profile", args=[world.team_a.pk]))
    )
    assert admin_page.group.responses is None
    assert admin_page.drivers is None  # the page shows no figures for Team A at all
    manager_page = page_of(
        client_for(world.team_manager).get(reverse("dashboards:profile", args=[world.team_a.pk]))
    )
    assert manager_page.group.responses == 30
    assert manager_page.drivers is not None
    assert manager_page.drivers.shown


def test_it_shows_no_outcomes_or_drivers_on_a_breakdown(world, make_cycle, respond, client_for):
    cycle = make_cycle(unit=world.root)
    for team in (world.team_a, world.team_b, world.team_c):
        respond(cycle, team, 12, value=answer, about={"working_pattern": "full_time"})
    response = client_for(world.org_admin).get(
        reverse("dashboards:profile", args=[world.root.pk]), {"working_pattern": "full_time"}
    )
    page = page_of(response)
    assert page.filters
    assert page.outcome_rows == ()
    assert page.drivers is None


def test_it_runs_the_same_number_of_queries_with_drivers_for_12_teams_and_for_60(
    db, respond, client_for, django_assert_max_num_queries
):
    counts = []
    for slug, teams in (("small", 12), ("large", 60)):
        _, units, admin, cycle = build_organisation(slug, teams)
        for name, unit in units.items():
            if name.startswith("Team "):
                respond(cycle, unit, 5, value=answer)
        client = client_for(admin)
        url = reverse("dashboards:profile", args=[units["root"].pk])
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        drivers = page_of(response).drivers
        assert drivers is not None
        assert drivers.shown
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[0]):
        client.get(url)


def domain_score_reads(queries) -> int:
    """Reads of the responses' own domain scores (the drivers'; figures read the tallies)."""
    return sum('"diagnostics_domainscore"."response_id"' in query["sql"] for query in queries)


def drivers_read_twice(world, make_cycle, respond, client_for, *, settled: bool):
    """The organisation dashboard's drivers, read in two visits, and how many times each visit
    read the responses' scores."""
    from datetime import timedelta

    from django.utils import timezone

    from diagnostics.services import close_cycle

    cycle = make_cycle(unit=world.root)
    for team in (world.team_a, world.team_b, world.team_c):
        respond(cycle, team, 12, value=answer)
    if settled:
        close_cycle(cycle=cycle, closed_at=timezone.now() - timedelta(minutes=6))
    client = client_for(world.org_admin)
    url = reverse("dashboards:profile", args=[world.root.pk]) + f"?cycle={cycle.pk}"
    found, reads = [], []
    for _ in range(2):
        with CaptureQueriesContext(connection) as context:
            drivers = page_of(client.get(url)).drivers
        assert drivers is not None
        assert drivers.shown
        found.append(drivers.outcomes)
        reads.append(domain_score_reads(context.captured_queries))
    return found, reads


def test_it_works_out_a_settled_scopes_drivers_once_per_process(
    world, make_cycle, respond, client_for, fresh_process_memory
):
    (first, again), reads = drivers_read_twice(world, make_cycle, respond, client_for, settled=True)
    assert reads == [1, 0]
    assert again == first


def test_it_works_out_an_open_scopes_drivers_on_every_visit(
    world, make_cycle, respond, client_for, fresh_process_memory
):
    (first, again), reads = drivers_read_twice(
        world, make_cycle, respond, client_for, settled=False
    )
    assert reads == [1, 1]
    assert again == first
