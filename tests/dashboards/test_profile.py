"""The team and unit dashboard: the cycle it opens on, the progress of an open cycle, the
typed page, its charts, its print header, and a fixed number of queries."""

# ruff: noqa: F811 - the shared fixtures are imported, then asked for by name

from __future__ import annotations

import dataclasses
import json
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from dashboards import charts
from dashboards import profile as profile_page
from dashboards.profile import CommentsBlock, ProfilePage
from diagnostics.models import Cycle
from diagnostics.services import close_cycle
from organisations.models import Role
from tests.diagnostics.conftest import make_cycle, respond  # noqa: F401 - shared fixtures
from tests.factories import make_member, make_organisation, make_units


def chart_spec(html: str, chart_id: str) -> dict:
    match = re.search(
        rf'<script id="{chart_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert match is not None, chart_id
    return json.loads(match.group(1))


def closed_cycle(make_cycle, unit, name: str, *, days_ago: int) -> Cycle:
    today = timezone.localdate()
    cycle = make_cycle(
        unit=unit, name=name, opens_on=today - timedelta(days=days_ago), closes_on=today
    )
    return cycle


@pytest.fixture
def spring_then_autumn(world, make_cycle, respond):
    """Team A: Spring closed with 6 responses; Autumn open since today with 2."""
    spring = closed_cycle(make_cycle, world.team_a, "Spring", days_ago=120)
    respond(spring, world.team_a, 6, value=lambda i, code: 5 if i < 3 else 2)
    close_cycle(cycle=spring)
    autumn = make_cycle(unit=world.team_a, name="Autumn", days=10)
    respond(autumn, world.team_a, 2, value=1)
    return spring, autumn


def page_of(response) -> ProfilePage:
    page = response.context["page"]
    assert isinstance(page, ProfilePage)
    return page


def test_it_opens_on_the_newest_cycle_with_figures_shown_not_one_just_opened(
    world, spring_then_autumn, client_for
):
    spring, autumn = spring_then_autumn
    response = client_for(world.team_manager).get(
        reverse("dashboards:profile", args=[world.team_a.pk])
    )
    page = page_of(response)
    assert page.cycle == spring
    assert page.progress is None
    assert len([row for row in page.rows if row.shown]) == 9
    assert page.newer_open is not None
    assert page.newer_open.cycle == autumn
    assert page.newer_open.responses == "fewer than 5"  # a band, never the 2
    html = response.content.decode()
    assert "Autumn is open" in html
    assert "See how Autumn is going" in html


def test_it_calls_only_the_newest_shown_result_the_latest_that_can_be_shown(
    world, make_cycle, respond, spring_then_autumn, client_for
):
    winter = closed_cycle(make_cycle, world.team_a, "Winter", days_ago=300)
    respond(winter, world.team_a, 6)
    close_cycle(cycle=winter)
    url = reverse("dashboards:profile", args=[world.team_a.pk])
    client = client_for(world.team_manager)

    newest = client.get(url).content.decode()
    picked = client.get(url, {"cycle": winter.pk}).content.decode()

    assert "These are the latest results that can be shown." in newest
    assert "Autumn is open" in picked
    assert "These are the latest results that can be shown." not in picked


def test_it_shows_an_open_cycle_s_progress_in_bands_instead_of_hidden_rows(
    world, spring_then_autumn, client_for
):
    spring, autumn = spring_then_autumn
    response = client_for(world.team_manager).get(
        reverse("dashboards:profile", args=[world.team_a.pk]), {"cycle": autumn.pk}
    )
    page = page_of(response)
    assert page.progress is not None
    assert page.progress.is_open
    assert page.progress.responses == "fewer than 5"
    assert [(row.team, row.responses) for row in page.progress.teams] == [
        (world.team_a, "fewer than 5")
    ]
    assert page.progress.teams_reaching_k == 0
    assert page.rows == ()
    assert page.latest_shown == spring
    html = response.content.decode()
    assert "response progress" in html
    assert html.count("fewer than 5") < 6  # not a row of it per domain and statement
    assert "domain-table" not in html
    assert 'id="chart-profile"' not in html
    assert f"?cycle={spring.pk}" in html  # a way to the latest results


def test_it_gives_the_day_a_cycle_was_closed_early_when_its_figures_cannot_be_shown(
    world, make_cycle, respond, client_for
):
    cycle = make_cycle(unit=world.team_a, name="First", days=14)
    respond(cycle, world.team_a, 2)
    close_cycle(cycle=cycle)
    html = (
        client_for(world.team_manager)
        .get(reverse("dashboards:profile", args=[world.team_a.pk]), {"cycle": cycle.pk})
        .content.decode()
    )
    assert f"This cycle closed on {date_format(timezone.localdate(), 'j F Y')}." in html
    assert date_format(cycle.closes_on, "j F Y") not in html


def test_it_opens_on_the_newest_cycle_when_none_has_figures_shown(world, make_cycle, client_for):
    only = make_cycle(unit=world.team_a, name="First")
    page = page_of(
        client_for(world.team_manager).get(reverse("dashboards:profile", args=[world.team_a.pk]))
    )
    assert page.cycle == only
    assert page.progress is not None
    assert page.progress.responses == "none"


def test_it_skips_a_cycle_whose_figures_protect_others_for_this_viewer(
    world, make_cycle, respond, client_for
):
    """The leader of North sees Team A hidden beside Team B's 2 in the newer cycle: their
    default is the older cycle, where Team A's figures are shown to them."""
    older = closed_cycle(make_cycle, world.north, "Older", days_ago=100)
    respond(older, world.team_a, 6)
    respond(older, world.team_b, 6)
    close_cycle(cycle=older)
    newer = closed_cycle(make_cycle, world.north, "Newer", days_ago=10)
    respond(newer, world.team_a, 6)
    respond(newer, world.team_b, 2)
    url = reverse("dashboards:profile", args=[world.team_a.pk])
    assert page_of(client_for(world.leader).get(url)).cycle == older
    assert page_of(client_for(world.team_manager).get(url)).cycle == newer


def test_it_marks_negatively_worded_statements_in_the_table_and_the_chart(
    world, spring_then_autumn, client_for
):
    spring, _ = spring_then_autumn
    response = client_for(world.team_manager).get(
        reverse("dashboards:profile", args=[world.team_a.pk]), {"cycle": spring.pk}
    )
    page = page_of(response)
    reverse_rows = [row for row in page.statement_rows if row.reverse_scored]
    assert {row.code for row in reverse_rows} >= {"WL3", "SUP3"}
    assert not any(row.reverse_scored for row in page.statement_rows if row.code == "WL1")
    html = response.content.decode()
    wl3 = html[html.index("WL3</span>") : html.index("WL4</span>")]
    assert "negatively worded" in wl3
    assert "agreeing with one is red" in html
    labels = chart_spec(html, "chart-statements")["data"][0]["y"]
    wl3_label = next(label for label in labels if label.startswith("WL3"))
    assert charts.REVERSE_MARK in wl3_label
    wl1_label = next(label for label in labels if label.startswith("WL1"))
    assert charts.REVERSE_MARK not in wl1_label
    # the whole statement, wrapped, not cut at 60 characters
    assert "My caseload is manageable within my contracted hours." in wl1_label.replace("<br>", " ")


def test_it_draws_the_profile_on_the_1_to_6_scale_with_markers_off_the_labels():
    bars = [
        charts.ProfileBar("Workload", 2.1, "red", "", urgent=True),
        charts.ProfileBar("Supervision", 3.8, "amber", ""),
        charts.ProfileBar("Safety", 4.9, "green", ""),
        charts.ProfileBar("Systems", None, None, "fewer than 5 responses"),
    ]
    markers = [charts.Marker("North (unit)", "diamond", [2.2, 3.7, 4.8, 3.0])]
    spec = charts.domain_profile(bars, markers)
    assert spec["layout"]["xaxis"]["range"] == [1, 6]
    bar_traces = [t for t in spec["data"] if t["type"] == "bar"]
    assert [t["name"] for t in bar_traces] == ["Red", "Amber", "Green"]  # reading order
    assert spec["layout"]["legend"]["traceorder"] == "normal"
    assert all(t["base"] == 1 for t in bar_traces)
    assert bar_traces[0]["x"] == [pytest.approx(1.1)]  # from 1 to the mean, not from 0
    assert bar_traces[0]["text"] == ["2.1 Red · Urgent"]
    marker_trace = next(t for t in spec["data"] if t.get("name") == "North (unit)")
    bar_lanes = {y for t in bar_traces for y in t["y"]}
    assert not bar_lanes & set(marker_trace["y"])  # markers in a lane of their own
    hidden = next(t for t in spec["data"] if t.get("mode") == "text")
    assert hidden["text"] == ["Not shown: fewer than 5 responses"]


def test_it_stacks_statement_bands_red_amber_green_in_reading_order():
    spec = charts.distribution_bars(
        [charts.DistributionRow("WL3 " + "A long statement " * 6, 0.25, 0.5, 0.25, True, True)]
    )
    assert [t["name"] for t in spec["data"]] == ["Red", "Amber", "Green"]
    assert spec["layout"]["legend"]["traceorder"] == "normal"
    label = spec["data"][0]["y"][0]
    assert "<br>" in label
    assert label.replace("<br>", " ").count("A long statement") == 6
    assert "URGENT" in label
    assert charts.REVERSE_MARK in label
    assert spec["data"][0]["text"] == ["25% red"]


def test_it_prints_the_organisation_unit_cycle_and_date_in_a_header(
    world, spring_then_autumn, client_for
):
    spring, _ = spring_then_autumn
    html = (
        client_for(world.team_manager)
        .get(reverse("dashboards:profile", args=[world.team_a.pk]), {"cycle": spring.pk})
        .content.decode()
    )
    header = html[html.index('class="print-header') :]
    header = header[: header.index("</div>")]
    assert "Example Council" in header
    assert "Locality North / Team A" in header
    assert "Spring" in header
    assert f"{timezone.localdate():%B %Y}" in header


def test_it_gives_an_outsider_404(world, spring_then_autumn, client_for):
    response = client_for(world.outsider).get(reverse("dashboards:profile", args=[world.team_a.pk]))
    assert response.status_code == 404


def build_organisation(slug: str, teams: int, make_cycle, respond):
    organisation = make_organisation(f"Council {slug}", slug)
    spec = {
        f"Directorate {d}": {
            f"Service {d}.{s}": [f"Team {d}.{s}.{t}" for t in range(3)]
            for s in range(teams // 3 // 2)
        }
        for d in range(2)
    }
    units = make_units(organisation, spec)
    admin = make_member(units["root"], Role.ORG_ADMIN)
    team_units = [u for name, u in units.items() if name.startswith("Team ")]
    today = timezone.localdate()
    older = make_cycle(
        unit=units["root"], name="Older", opens_on=today - timedelta(days=60), closes_on=today
    )
    for team in team_units:
        respond(older, team, 5)
    close_cycle(cycle=older)
    newer = make_cycle(unit=units["root"], name="Newer")
    respond(newer, team_units[0], 2)
    return units, admin, team_units


@pytest.mark.parametrize("target", ["team", "directorate"])
def test_it_runs_the_same_queries_for_12_teams_and_for_60_with_a_newer_cycle_open(
    db, target, make_cycle, respond, client_for, django_assert_num_queries
):
    counts = []
    for slug, teams in (("small", 12), ("large", 60)):
        units, admin, team_units = build_organisation(slug, teams, make_cycle, respond)
        assert len(team_units) == teams
        unit = team_units[0] if target == "team" else units["Directorate 0"]
        url = reverse("dashboards:profile", args=[unit.pk])
        client = client_for(admin)
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        page = page_of(response)
        assert page.cycle.name == "Older"
        assert page.newer_open is not None
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]
    with django_assert_num_queries(counts[1]):
        client.get(url)


def test_it_groups_the_unit_s_counts_in_thousands(
    world, spring_then_autumn, client_for, monkeypatch
):
    """A large unit's response count and teams reaching k read "1,234", not "1234"."""
    spring, autumn = spring_then_autumn
    build = profile_page.profile

    def large(**kwargs):
        page = build(**kwargs)
        if page.progress is not None:
            progress = dataclasses.replace(
                page.progress, teams=page.progress.teams * 1100, teams_reaching_k=1050
            )
            return dataclasses.replace(page, progress=progress)
        return dataclasses.replace(
            page,
            group=dataclasses.replace(page.group, responses=1234),
            comments=CommentsBlock(("More cover on duty days.",) * 1500, ""),
        )

    monkeypatch.setattr(profile_page, "profile", large)
    client = client_for(world.team_manager)
    url = reverse("dashboards:profile", args=[world.team_a.pk])
    results = client.get(url, {"cycle": spring.pk}).content.decode()
    assert '<p class="kpi mb-0">1,234</p>' in results
    assert "(1,500 comments)" in results
    progress = client.get(url, {"cycle": autumn.pk}).content.decode()
    assert '<p class="kpi mb-0">1,050 of 1,100</p>' in progress


def test_it_groups_the_newer_cycle_s_counts_in_thousands():
    progress = SimpleNamespace(
        cycle=SimpleNamespace(name="Autumn", closes_on=timezone.localdate(), pk=7),
        days_left=3,
        responses="12,345",
        teams=(None,) * 1100,
        teams_reaching_k=1050,
        k=5,
    )
    html = render_to_string(
        "dashboards/_profile_newer.html",
        {"progress": progress, "page": SimpleNamespace(unit=SimpleNamespace(name="North"))},
    )
    assert "1,050 of 1,100 teams have 5 or more responses." in html
