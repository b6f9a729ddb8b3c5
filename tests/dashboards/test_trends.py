"""Trends: small multiples on a true time axis, the conditions index in its own chart, and the
start of the actions the viewer may see marked."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from actions.services import create_action
from diagnostics.models import Cycle, Domain
from tests.dashboards.test_dashboards import build_organisation, chart_spec


def dated(cycle: Cycle, opens_on: date, closes_on: date) -> Cycle:
    """A cycle moved into the past (a cycle cannot be opened once its closing date passed)."""
    Cycle.objects.filter(pk=cycle.pk).update(opens_on=opens_on, closes_on=closes_on)
    cycle.refresh_from_db()
    return cycle


@pytest.fixture
def two_cycles(world, make_cycle, respond):
    services = world.units["Children's Services"]
    spring = dated(
        make_cycle(unit=services, name="Spring diagnostic"), date(2026, 3, 2), date(2026, 3, 20)
    )
    autumn = dated(
        make_cycle(unit=services, name="Autumn diagnostic"), date(2026, 9, 21), date(2026, 10, 9)
    )
    for cycle, value in ((spring, 2), (autumn, 5)):
        for team in (world.team_a, world.team_b, world.team_c):
            respond(cycle, team, 6, value=value)
    return spring, autumn


def add_action(world, unit, code, title, *, status=None, began=None):
    action = create_action(
        unit=unit,
        domain=Domain.objects.get(code=code),
        title=title,
        owner=world.org_admin,
        due_on=timezone.localdate() + timedelta(days=30),
        created_by=world.org_admin,
    )
    if status or began:
        Action.objects.filter(pk=action.pk).update(
            status=status or action.status,
            created_at=timezone.make_aware(datetime.combine(began or date(2026, 5, 4), time(9))),
        )
    return action


def trends(client, unit, **params):
    return client.get(reverse("dashboards:trends", args=[unit.pk]), params)


def test_it_puts_every_point_at_its_date_on_a_time_axis(world, two_cycles, client_for):
    response = trends(client_for(world.org_admin), world.north)
    for panel in response.context["page"].panels:
        spec = chart_spec(response.content.decode(), panel.chart_id)
        assert spec["layout"]["xaxis"]["type"] == "date"
        (line,) = spec["data"]
        assert line["x"] == ["2026-03-02", "2026-09-21"]  # ISO dates, spaced as they fall
        assert line["customdata"] == ["Spring diagnostic", "Autumn diagnostic"]
        low, high = spec["layout"]["xaxis"]["range"]
        assert low < "2026-03-02"
        assert high > "2026-09-21"


def test_it_draws_the_index_and_each_domain_as_small_multiples(world, two_cycles, client_for):
    response = trends(client_for(world.org_admin), world.north)
    page = response.context["page"]
    assert [p.key for p in page.panels] == ["index", *(d.code for d in page.domains)]
    html = response.content.decode()
    index = chart_spec(html, "chart-trend-index")
    assert index["layout"]["yaxis"]["range"] == [0, 100]
    assert index["data"][0]["y"][0] < index["data"][0]["y"][1]
    workload = chart_spec(html, "chart-trend-wl")
    assert workload["layout"]["yaxis"]["range"] == [1, 6]
    for panel in page.panels:
        assert len(chart_spec(html, panel.chart_id)["data"]) <= 2  # never nine lines at once


def test_it_shows_one_domain_when_one_is_picked_and_all_for_a_bad_choice(
    world, two_cycles, client_for
):
    client = client_for(world.org_admin)
    picked = trends(client, world.north, domain="SUP").context["page"]
    assert [p.key for p in picked.panels] == ["index", "SUP"]
    assert picked.picked.code == "SUP"
    for bad in ("NOPE", "", "sup"):
        response = trends(client, world.north, domain=bad)
        assert response.status_code == 200
        assert len(response.context["page"].panels) == 10


def test_it_marks_the_start_of_actions_in_reach_only(world, two_cycles, client_for):
    add_action(world, world.team_a, "WL", "Cap caseloads in Team A", began=date(2026, 5, 4))
    add_action(world, world.team_c, "WL", "Team C's own action", began=date(2026, 6, 1))
    add_action(
        world,
        world.team_a,
        "WL",
        "A dropped idea",
        status=Action.Status.DROPPED,
        began=date(2026, 7, 1),
    )
    add_action(world, world.team_a, "SUP", "Book supervision ahead", began=date(2026, 4, 14))
    response = trends(client_for(world.team_manager), world.team_a)
    page = response.context["page"]
    assert [(a.title, a.starts_on) for a in page.actions] == [
        ("Book supervision ahead", date(2026, 4, 14)),
        ("Cap caseloads in Team A", date(2026, 5, 4)),
    ]
    html = response.content.decode()
    workload = chart_spec(html, "chart-trend-wl")
    marks = [s for s in workload["layout"]["shapes"] if s["type"] == "line"]
    assert [m["x0"] for m in marks] == ["2026-05-04"]
    assert [a["text"] for a in workload["layout"]["annotations"]] == ["2"]
    index = chart_spec(html, "chart-trend-index")
    assert [s["x0"] for s in index["layout"]["shapes"] if s["type"] == "line"] == [
        "2026-04-14",
        "2026-05-04",
    ]
    assert "Team C&#x27;s own action" not in html
    assert "A dropped idea" not in html
    south = trends(client_for(world.org_admin), world.units["Locality South"]).context["page"]
    assert [a.title for a in south.actions] == ["Team C's own action"]


def test_it_marks_the_most_recent_actions_and_links_to_the_rest(
    world, two_cycles, client_for, monkeypatch
):
    monkeypatch.setattr("dashboards.trends.MARKED_ACTIONS", 2)
    for day, title in ((3, "Oldest"), (4, "Older"), (5, "Newer"), (6, "Newest")):
        add_action(world, world.team_a, "WL", title, began=date(2026, 5, day))
    response = trends(client_for(world.team_manager), world.team_a)
    page = response.context["page"]

    assert [(a.number, a.title) for a in page.actions] == [(1, "Newer"), (2, "Newest")]
    assert page.actions_total == 4
    html = response.content.decode()
    assert "The 2 most recent of 4 actions are marked" in html
    assert "every action of Team A</a> is in Actions." in html
    assert f'href="{reverse("actions:list")}?unit={world.team_a.pk}&amp;status=all"' in html
    assert "Oldest" not in html


def test_it_says_nothing_of_more_actions_when_it_marks_them_all(world, two_cycles, client_for):
    add_action(world, world.team_a, "WL", "The only one", began=date(2026, 5, 4))
    page = trends(client_for(world.team_manager), world.team_a).context["page"]
    assert page.actions_total == 1
    assert (
        "most recent of"
        not in trends(client_for(world.team_manager), world.team_a).content.decode()
    )


def test_it_names_every_action_that_began_on_one_day_in_one_mark(world, two_cycles, client_for):
    for title in ("First", "Second"):
        add_action(world, world.team_a, "WL", title, began=date(2026, 6, 8))
    html = trends(client_for(world.org_admin), world.team_a).content.decode()
    workload = chart_spec(html, "chart-trend-wl")
    (label,) = workload["layout"]["annotations"]
    assert label["text"] == "1, 2"
    assert label["hovertext"] == "1. First<br>2. Second"
    assert [s["x0"] for s in workload["layout"]["shapes"] if s["type"] == "line"] == ["2026-06-08"]


def test_it_shows_gaps_and_the_reason_where_a_point_is_hidden(
    world, make_cycle, respond, client_for
):
    small = make_cycle(unit=world.team_c, name="Small")
    respond(small, world.team_c, 2)
    response = trends(client_for(world.org_admin), world.team_c)
    (point,) = response.context["page"].full_points
    assert not point.shown
    html = response.content.decode()
    assert "fewer than 5 responses" in html
    assert 'id="chart-trend-index"' not in html  # nothing shown: no chart of nothing


def test_it_prints_the_organisation_unit_and_date(world, two_cycles, client_for):
    html = trends(client_for(world.org_admin), world.north).content.decode()
    header = html[html.index('class="print-header') :]
    header = header[: header.index("</div>")]
    assert "Example Council" in header
    assert "Locality North" in header
    assert timezone.localdate().strftime("%B %Y") in header


def test_it_hides_trends_from_an_outsider(world, two_cycles, client_for):
    assert trends(client_for(world.outsider), world.north).status_code == 404
    assert trends(client_for(world.outsider), world.team_a, domain="WL").status_code == 404


def test_it_runs_the_same_number_of_queries_for_12_teams_and_for_60_with_actions(
    db, respond, client_for, django_assert_max_num_queries
):
    counts = []
    for slug, teams in (("small", 12), ("large", 60)):
        _, units, admin, cycle = build_organisation(f"trend-{slug}", teams)
        domain = Domain.objects.get(code="WL")
        for name, unit in units.items():
            if name.startswith("Team "):
                respond(cycle, unit, 5)
                create_action(
                    unit=unit,
                    domain=domain,
                    title=f"Act in {name}",
                    owner=admin,
                    due_on=cycle.closes_on,
                    created_by=admin,
                    cycle=cycle,
                )
        client = client_for(admin)
        url = reverse("dashboards:trends", args=[units["root"].pk])
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200
        assert len(response.context["page"].actions) == min(teams, 30)
        assert response.context["page"].actions_total == teams
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[0]):
        client.get(url)


def test_it_places_pooled_pulses_at_the_start_of_their_period(world, make_cycle, client_for):
    opens = timezone.localdate()
    make_cycle(unit=world.team_a, kind=Cycle.Kind.PULSE, name="Pulse", opens_on=opens)
    page = trends(client_for(world.team_manager), world.team_a).context["page"]
    (point,) = page.pulse_points
    assert point.starts_on <= opens
    assert (opens - point.starts_on).days < world.organisation.pulse_window_days


def test_it_groups_the_responses_in_the_table_in_thousands():
    point = SimpleNamespace(
        label="Spring",
        starts_on=date(2026, 3, 2),
        pulses=1,
        shown=True,
        responses=61234,
        index=58,
        display=["3.9"],
    )
    html = render_to_string(
        "dashboards/_trend_table.html",
        {"points": [point], "domains": [SimpleNamespace(name="Workload")], "caption": "Index"},
    )
    assert "<td>61,234</td>" in html


def test_it_makes_only_the_units_it_shows(world, two_cycles, client_for, units_made):
    # Making every unit of a council for each request (3,307 at ten times the data) took
    # milliseconds of every results page; once its plans are decided, trends reads the unit's
    # figures by path.
    from diagnostics.services import close_cycle
    from organisations.models import Unit

    for cycle in two_cycles:
        close_cycle(cycle=cycle, closed_at=timezone.now() - timedelta(minutes=6))
    client = client_for(world.org_admin)
    trends(client, world.team_a)  # decides the settled cycles' plans
    units_made.clear()
    response = trends(client, world.team_a)

    assert response.status_code == 200
    assert [point.shown for point in response.context["page"].full_points] == [True, True]
    assert units_made == []  # of the organisation's 7 units: the page's own comes from its view
    assert Unit.objects.filter(organisation=world.organisation).count() == 7
