"""The structural lens page: associations weighed together and grouped by figure, the chart
coloured by service with the thresholds in force, and a fixed number of queries."""

from __future__ import annotations

import dataclasses
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards import lens as lens_page
from dashboards.lens import LensPage
from diagnostics.pooling import cycle_scope
from diagnostics.results import results_for_scopes
from diagnostics.services import set_unit_thresholds
from diagnostics.structural import Thresholds
from diagnostics.structural_data import save_figures
from organisations.access import reach_of
from organisations.models import Role
from tests.dashboards.test_dashboards import build_organisation, open_full_cycle
from tests.diagnostics.conftest import respond  # noqa: F401  (the fixture, used by name)
from tests.factories import make_member, make_organisation, make_units

# Vacancy rates that barely move with the teams' order: ρ = 1 − 6·34/210 ≈ 0.03 against it.
UNRELATED = [3, 1, 5, 0, 4, 2]


def chart_spec(html: str) -> dict:
    match = re.search(r'<script id="chart-lens" type="application/json">(.*?)</script>', html, re.S)
    assert match is not None
    return json.loads(match.group(1))


@pytest.fixture
def six_teams(db, respond):  # noqa: F811
    """Six teams in two services: the more cases, the lower every domain; vacancies unrelated.
    A seventh team, S6, has no figures and no responses."""
    organisation = make_organisation("Lens Council", "lens")
    units = make_units(
        organisation,
        {"Children": ["C0", "C1", "C2"], "Adults": ["A3", "A4", "A5"], "Small": ["S6"]},
    )
    admin = make_member(units["root"], Role.ORG_ADMIN)
    cycle = open_full_cycle(organisation, units["root"])
    names = ["C0", "C1", "C2", "A3", "A4", "A5"]
    for i, name in enumerate(names):
        save_figures(
            cycle=cycle,
            team=units[name],
            values={"caseload": Decimal(10 + 3 * i), "vacancy_rate": Decimal(UNRELATED[i])},
            user=None,
        )
        respond(cycle, units[name], 5, value=6 - i)
    return organisation, units, admin, cycle


def lens_url(units, **query) -> str:
    url = reverse("dashboards:lens", args=[units["root"].pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_it_lists_only_the_associations_that_survive_grouped_by_figure(six_teams, client_for):
    _, units, admin, _ = six_teams
    response = client_for(admin).get(lens_url(units))
    page = response.context["page"]
    assert isinstance(page, LensPage)
    with pytest.raises(dataclasses.FrozenInstanceError):
        page.k = 1  # type: ignore[misc]
    caseload, vacancy = page.findings
    assert caseload.figure.code == "caseload"
    assert caseload.clear
    assert all(a.rho == pytest.approx(-1.0) for a in caseload.clear)
    assert vacancy.figure.code == "vacancy_rate"
    assert vacancy.clear == ()
    html = response.content.decode()
    assert "Teams carrying more cases per practitioner report:" in html
    assert "lower wellbeing scores</a>: ρ = −1.00 across 6 teams" in html
    assert "every team in the same order, so no interval can be given" in html
    (unclear,) = vacancy.unclear
    assert unclear.teams == 6
    assert f"No clear association with {unclear.domain_names[0].lower()}, " in html
    assert " across 6 teams.</p>" in html
    assert f"Of the {page.pairs_tested} pairs" in html
    assert page.clear_count == len(caseload.clear)


def test_it_words_a_pair_that_does_not_survive_as_no_clear_association(six_teams, client_for):
    _, units, admin, _ = six_teams
    page = client_for(admin).get(lens_url(units, figure="vacancy_rate", domain="WB"))
    sentence = page.context["page"].chosen.sentence
    assert sentence.startswith(
        "No clear association between vacancy rate and wellbeing across 6 teams (ρ = 0.03; 95% "
        "interval"
    )
    assert sentence.endswith(
        "Once the number of pairs tested is allowed for, this is within what chance alone "
        "could give."
    )
    assert "report higher" not in sentence
    assert "report lower" not in sentence


def test_it_colours_and_shapes_the_teams_by_service_on_a_one_to_six_axis(six_teams, client_for):
    _, units, admin, _ = six_teams
    html = client_for(admin).get(lens_url(units, figure="caseload", domain="WB")).content.decode()
    spec = chart_spec(html)
    traces = spec["data"]
    assert [t["name"] for t in traces] == ["Adults", "Children"]
    assert traces[0]["marker"]["color"] != traces[1]["marker"]["color"]
    assert traces[0]["marker"]["symbol"] != traces[1]["marker"]["symbol"]
    assert all(t["mode"] == "markers" for t in traces)  # names in the hover and the table
    assert sorted(traces[1]["text"]) == ["C0", "C1", "C2"]
    assert spec["layout"]["yaxis"]["range"] == [1, 6]
    assert spec["layout"]["showlegend"] is True
    assert '<th scope="row">A3</th><td>Adults</td><td>19</td>' in html


def test_it_draws_the_one_set_of_thresholds_all_teams_share(six_teams, client_for):
    _, units, admin, _ = six_teams
    html = client_for(admin).get(lens_url(units, figure="caseload", domain="WB")).content.decode()
    spec = chart_spec(html)
    assert sorted(s["x0"] for s in spec["layout"]["shapes"]) == [18, 25]
    assert sorted(a["text"] for a in spec["layout"]["annotations"]) == [
        "concerning 25",
        "good 18",
    ]
    assert "The dashed line is the “good” threshold (18)" in html
    # Said once above the chart, not again on each of the table's rows.
    table = html[html.index("<tbody>") : html.index("</tbody>")]
    assert table.count("<tr>") == 6
    assert "good at or below" not in table


def test_it_draws_each_service_s_thresholds_where_they_differ(six_teams, client_for):
    _, units, admin, _ = six_teams
    set_unit_thresholds(
        unit=units["Adults"], values={"caseload": Thresholds(Decimal(22), Decimal(30))}
    )
    html = client_for(admin).get(lens_url(units, figure="caseload", domain="WB")).content.decode()
    spec = chart_spec(html)
    adults, children = spec["data"]
    lines = {(s["x0"], s["line"]["color"]) for s in spec["layout"]["shapes"]}
    assert lines == {
        (22, adults["marker"]["color"]),
        (30, adults["marker"]["color"]),
        (18, children["marker"]["color"]),
        (25, children["marker"]["color"]),
    }
    assert "rated against different thresholds" in html
    assert "Adults: good at 22, concerning at 30" in html
    assert "Children: good at 18, concerning at 25" in html
    # Each team's rating in the table uses its own service's thresholds: 19 is green for
    # Adults (good at 22) and C2's 16 is green for Children; A5's 25 is amber for Adults.
    assert (
        '<th scope="row">A5</th><td>Adults</td><td>25</td><td><span class="band band-amber">'
        in (html)
    )
    table = html[html.index("<tbody>") : html.index("</tbody>")]
    assert table.count("good at or below 22, concerning at or above 30") == 3
    assert table.count("good at or below 18, concerning at or above 25") == 3


def test_it_counts_only_teams_whose_means_the_engine_shows(six_teams, respond, client_for):  # noqa: F811
    organisation, units, admin, cycle = six_teams
    small = units["S6"]
    save_figures(cycle=cycle, team=small, values={"caseload": Decimal(40)}, user=None)
    respond(cycle, small, organisation.anonymity_threshold - 1, value=1)
    page = client_for(admin).get(lens_url(units, figure="caseload", domain="WB")).context["page"]
    (results,) = results_for_scopes(organisation, [cycle_scope(cycle)], reach=reach_of(admin))
    shown = set()
    for name in ("C0", "C1", "C2", "A3", "A4", "A5", "S6"):
        figures = results.group(units[name]).domains["WB"].figures
        if figures is not None and figures.mean is not None:
            shown.add(name)
    assert "S6" not in shown  # fewer than k responses
    assert len(shown) < 6  # and one more hidden, so S6 cannot be worked out from the total
    assert {t.name for t in page.teams} == shown
    assert page.chosen.teams == len(shown)


def build_organisation_with_figures(slug: str, teams: int, answer):
    _, units, admin, cycle = build_organisation(slug, teams)
    set_unit_thresholds(
        unit=units["Directorate 1"], values={"caseload": Thresholds(Decimal(22), Decimal(30))}
    )
    team_units = [u for name, u in units.items() if name.startswith("Team ")]
    for index, team in enumerate(team_units):
        save_figures(
            cycle=cycle,
            team=team,
            values={"caseload": Decimal(10 + index % 17), "turnover": Decimal(index % 7)},
            user=None,
        )
        answer(cycle, team, 5, value=1 + index % 6)
    return units, admin, len(team_units)


def test_it_runs_the_same_number_of_queries_for_12_teams_and_for_60(
    db,
    respond,  # noqa: F811
    client_for,
    django_assert_max_num_queries,
):
    counts = []
    for slug, teams in (("small", 12), ("large", 60)):
        units, admin, made = build_organisation_with_figures(slug, teams, respond)
        assert made == teams
        client = client_for(admin)
        url = lens_url(units, figure="caseload", domain="WB")
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200
        assert response.context["page"].chosen.teams == teams
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[0]):
        client.get(url)


def test_it_prints_whose_lens_it_is(world, make_cycle, client_for):
    cycle = make_cycle(unit=world.root, name="Autumn diagnostic")
    html = (
        client_for(world.org_admin)
        .get(reverse("dashboards:lens", args=[world.root.pk]) + f"?cycle={cycle.pk}")
        .content.decode()
    )
    header = html[html.index('class="print-header') :]
    header = header[: header.index("</div>")]
    assert "Example Council" in header
    assert "Autumn diagnostic" in header
    assert "Printed " in header


def test_it_groups_the_number_of_teams_in_thousands(six_teams, client_for, monkeypatch):
    _, units, admin, _ = six_teams
    build = lens_page.structural_lens
    clear = True

    def large(**kwargs):
        page = build(**kwargs)
        assert page.clear_count  # the six teams' caseloads are clearly associated
        return dataclasses.replace(
            page,
            teams_in_reach=1234,
            teams=page.teams * 250,
            clear_count=page.clear_count if clear else 0,
        )

    monkeypatch.setattr(lens_page, "structural_lens", large)
    client = client_for(admin)
    html = client.get(lens_url(units, figure="caseload", domain="WB")).content.decode()
    assert "with structural figures for this cycle (1,234)" in html
    assert "The 1,500 teams in the chart" in html
    clear = False
    html = client.get(lens_url(units, figure="caseload", domain="WB")).content.decode()
    assert "tested across the 1,234 teams in your reach" in html


def test_it_reads_the_units_once_when_it_chooses_the_cycle_itself(
    six_teams, client_for, unit_loads
):
    _, units, admin, _ = six_teams
    calls = unit_loads("diagnostics.results")

    response = client_for(admin).get(reverse("dashboards:lens", args=[units["root"].pk]))

    assert response.status_code == 200
    assert response.context["page"].findings
    assert len(calls) == 1


def test_it_weighs_only_the_teams_in_the_reach_it_is_given(six_teams):
    _, units, _, cycle = six_teams
    reach = reach_of(make_member(units["Children"], Role.LEADER))
    # The organisation is outside this reach, so its teams are asked about one by one; the
    # Children service is inside it, so all of its teams are.
    for unit in (units["root"], units["Children"]):
        page = lens_page.structural_lens(
            reach=reach, unit=unit, cycle=cycle, figure_code="caseload", domain_code="WB"
        )
        assert page.teams_in_reach == 3
        assert {t.name for t in page.teams} <= {"C0", "C1", "C2"}


def test_it_says_a_unit_with_fewer_than_five_teams_is_read_through_the_unit_above(
    six_teams, client_for
):
    _, units, admin, _ = six_teams
    client = client_for(admin)

    small = client.get(reverse("dashboards:lens", args=[units["Children"].pk])).content.decode()
    whole = client.get(lens_url(units)).content.decode()

    assert "Children has 3 teams in your part of the organisation" in small
    assert 'name="figure"' not in small  # no pickers that could never show a pair
    assert "so it has nothing to show here" not in whole
    assert 'name="figure"' in whole
