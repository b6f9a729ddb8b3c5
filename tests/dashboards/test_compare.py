"""The unit comparison: cells coloured by mean or by difference from a shown comparison, the band
and "urgent" written in each cell, the control's bad values ignored, and constant queries."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards import colours
from dashboards import compare as compare_page
from dashboards.compare import colour_by_from, domain_cell, heat_chart_cell
from diagnostics import results
from diagnostics.models import Domain
from diagnostics.results import Aggregates, Cell
from diagnostics.scoring import Figures
from disclosure.plan import Hidden
from tests.dashboards.test_dashboards import build_organisation, chart_spec

WORKLOAD = Domain(code="WL", name="Workload and caseloads", position=1)


def shown(mean: float, *, band: str = "amber", urgent: bool = False) -> Cell:
    return Cell(Figures(8, mean, band, urgent, 0.3, 0.5, 0.2, 40))  # type: ignore[arg-type]


@pytest.fixture
def cycle(world, make_cycle, respond):
    cycle = make_cycle(unit=world.units["Children's Services"], name="Spring diagnostic")
    respond(cycle, world.team_a, 6, value=lambda i, code: 5 if i < 4 else 2)  # 4.0, urgent
    respond(cycle, world.team_b, 2)
    respond(cycle, world.team_c, 7, value=3)
    return cycle


def compare_url(unit, cycle, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"cycle": cycle.pk, **params}.items())
    return reverse("dashboards:compare", args=[unit.pk]) + "?" + query


# -- the cells ----------------------------------------------------------------------------------


def test_it_colours_a_cell_by_its_mean_when_no_comparison_is_chosen():
    cell = domain_cell(WORKLOAD, shown(4.5, band="green"), comparison=None, comparison_name="", k=5)
    assert cell.step == colours.step_of(colours.mean_position(4.5)) == 14
    assert cell.difference is None
    assert cell.css_class == "heat-14"
    assert cell.band_letter == "G"


def test_it_colours_a_cell_by_its_difference_from_a_shown_comparison():
    cell = domain_cell(WORKLOAD, shown(3.1), comparison=shown(3.6), comparison_name="X", k=5)
    assert cell.difference == -0.5
    assert cell.difference_display == "−0.5"
    assert cell.step == 5
    assert cell.no_difference == ""


@pytest.mark.parametrize("reason", [Hidden.FEWER_THAN_K, Hidden.PROTECTS_OTHERS])
def test_it_works_out_no_difference_from_a_hidden_comparison(reason):
    cell = domain_cell(
        WORKLOAD, shown(3.1), comparison=Cell(None, reason), comparison_name="all of North", k=5
    )
    assert cell.difference is None
    assert cell.step is None  # not coloured: nothing to compare with
    assert cell.css_class == "heat-none"
    assert cell.display == "3.1"  # its own figure is still shown
    assert "all of North is not shown here" in cell.no_difference
    chart = heat_chart_cell(cell)
    assert chart.step is None
    assert "not shown here" in chart.hover


def test_it_keeps_a_hidden_cell_hidden_with_the_engine_s_reason_whatever_the_colour():
    for comparison in (None, shown(3.0)):
        cell = domain_cell(
            WORKLOAD,
            Cell(None, Hidden.PROTECTS_OTHERS),
            comparison=comparison,
            comparison_name="X",
            k=5,
        )
        assert (cell.mean, cell.difference, cell.step) == (None, None, None)
        assert cell.css_class == "heat-hidden"
        assert cell.hidden_short == "protected"
        assert cell.hidden_words == "hidden so that a smaller group cannot be worked out"
        assert heat_chart_cell(cell).hidden


def test_it_prints_a_domain_hidden_for_too_few_scored_on_two_lines_of_its_cell():
    cell = domain_cell(
        WORKLOAD, Cell(None, Hidden.FEW_SCORED), comparison=None, comparison_name="", k=5
    )
    assert cell.hidden_short == "fewer than 5 scored"
    assert heat_chart_cell(cell).lines == ("fewer than 5", "scored")


def test_it_prints_the_band_urgent_and_difference_in_the_chart_cell():
    red = shown(2.3, band="red", urgent=True)
    cell = domain_cell(WORKLOAD, red, comparison=shown(3.0), comparison_name="", k=5)
    assert heat_chart_cell(cell).lines == ("2.3 R", "urgent", "−0.7")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "mean"),
        ("", "mean"),
        ("parent", "parent"),
        ("organisation", "organisation"),
        ("PARENT", "mean"),
        ("'; drop table", "mean"),
    ],
)
def test_it_reads_the_colour_control_and_falls_back_to_the_mean(given, expected):
    assert colour_by_from(given) == expected


# -- the page -----------------------------------------------------------------------------------


def test_it_ignores_a_bad_colour_value_instead_of_failing(world, cycle, client_for):
    client = client_for(world.org_admin)
    services = world.units["Children's Services"]
    for bad in ("rainbow", "", "parent%00"):
        response = client.get(compare_url(services, cycle, colour=bad))
        assert response.status_code == 200
        assert response.context["page"].colour.value == "mean"
    chosen = client.get(compare_url(services, cycle, colour="parent")).context["page"]
    assert chosen.colour.value == "parent"


def test_it_shows_differences_only_from_the_figures_on_the_page(world, cycle, client_for):
    client = client_for(world.org_admin)
    services = world.units["Children's Services"]
    for mode in ("parent", "organisation"):
        page = client.get(compare_url(services, cycle, colour=mode)).context["page"]
        comparison = page.parent if mode == "parent" else page.organisation or page.parent
        differences = 0
        for row in page.rows:
            for cell, against in zip(row.cells, comparison.cells, strict=True):
                if cell.difference is not None:
                    differences += 1
                    assert cell.shown
                    assert against.shown
                    assert cell.difference == round(cell.mean - against.mean, 1)
                    assert cell.step == colours.step_of(
                        colours.difference_position(cell.difference)
                    )
        assert differences == 18  # North and South, nine domains each


def test_it_writes_the_band_and_urgent_inside_each_cell(world, cycle, client_for):
    html = (
        client_for(world.org_admin)
        .get(compare_url(world.units["Children's Services"], cycle))
        .content.decode()
    )
    north = html[html.index(">Locality North</a>") : html.index(">Locality South</a>")]
    cells = re.findall(r'<td class="band-cell heat-cell (heat-\d\d)">(.*?)</td>', north)
    assert len(cells) == 9
    for css_class, content in cells:
        found = re.search(r'<span class="heat-mean">([\d.]+)</span>', content)
        assert found is not None
        mean = float(found.group(1))
        assert '<span class="heat-band" aria-hidden="true">A</span>' in content
        assert '<span class="visually-hidden"> amber</span>' in content
        assert '<span class="heat-urgent">urgent</span>' in content  # 2 of 8 answered 2
        assert css_class == f"heat-{colours.step_of(colours.mean_position(mean)):02d}"
    spec = chart_spec(html, "chart-heatmap")
    texts = [a["text"] for a in spec["layout"]["annotations"]]
    assert sum(text.endswith(" A<br>urgent") for text in texts) == 9
    for annotation in spec["layout"]["annotations"]:
        assert annotation["font"]["color"] in ("#000000", "#ffffff", "#1d1d1d")


def test_it_keeps_hidden_cells_visibly_hidden_with_the_engine_s_reason(world, cycle, client_for):
    html = client_for(world.org_admin).get(compare_url(world.north, cycle)).content.decode()
    team_a = html[html.index(">Team A</a>") : html.index(">Team B</a>")]
    team_b = html[html.index(">Team B</a>") :]
    assert (
        team_a.count(
            'protected<span class="visually-hidden">: hidden so that a smaller group cannot be '
            "worked out</span>"
        )
        == 9
    )  # North 8 − Team A 6 would give away Team B's 2
    assert team_b.count('fewer than 5<span class="visually-hidden">: fewer than 5') == 9
    assert "heat-hidden" in team_a


def test_it_explains_a_cell_hidden_for_too_few_scored_only_where_there_is_one(
    world, cycle, make_cycle, respond, client_for
):
    from diagnostics.services import NOT_APPLICABLE

    explained = "<em>fewer than 5 scored</em>: the domain was answered, but fewer than 5"
    client = client_for(world.org_admin)
    assert explained not in client.get(compare_url(world.north, cycle)).content.decode()
    # Teams A and B: 3 each, too few to show; North's 6 all answered workload, but only 2
    # answered enough of it to have its score, so only North's own row says so.
    later = make_cycle(unit=world.units["Children's Services"], name="Autumn diagnostic")
    wl_but_first = {"WL2", "WL3", "WL4", "WL5"}
    for team in (world.team_a, world.team_b):
        respond(
            later,
            team,
            3,
            value=lambda i, code: NOT_APPLICABLE if i and code in wl_but_first else 4,
        )
    html = client.get(compare_url(world.north, later)).content.decode()
    assert explained in html
    assert (
        'fewer than 5 scored<span class="visually-hidden">: fewer than 5 responses answered' in html
    )


def test_it_explains_the_colours_with_a_colour_bar(world, cycle, client_for):
    client = client_for(world.org_admin)
    services = world.units["Children's Services"]
    html = client.get(compare_url(services, cycle, colour="parent")).content.decode()
    assert html.count('<span class="heat-swatch heat-') == colours.STEPS + 1
    assert "above (blue) or below (red) the mean of all of Children&#x27;s Services" in html
    assert "−1.0 or less" in html
    assert '<option value="parent" selected>' in html
    mean_html = client.get(compare_url(services, cycle)).content.decode()
    assert "colour by difference to see which units stand out" in mean_html


def test_it_prints_the_organisation_unit_cycle_and_date(world, cycle, client_for):
    html = (
        client_for(world.org_admin)
        .get(compare_url(world.units["Children's Services"], cycle))
        .content.decode()
    )
    header = html[html.index('class="print-header') :]
    header = header[: header.index("</div>")]
    assert "Example Council" in header
    assert "Children&#x27;s Services" in header
    assert "Spring diagnostic" in header
    assert timezone.localdate().strftime("%B %Y") in header


def test_it_hides_the_comparison_from_an_outsider(world, cycle, client_for):
    client = client_for(world.outsider)
    for mode in ("mean", "parent", "organisation"):
        response = client.get(compare_url(world.units["Children's Services"], cycle, colour=mode))
        assert response.status_code == 404


@pytest.mark.parametrize("mode", ["mean", "parent", "organisation"])
def test_it_runs_the_same_number_of_queries_for_12_teams_and_for_60_in_each_colouring(
    db, mode, respond, client_for, django_assert_max_num_queries
):
    counts = []
    for slug, teams in (("small", 12), ("large", 60)):
        _, units, admin, cycle = build_organisation(f"{slug}-{mode}", teams)
        for name, unit in units.items():
            if name.startswith("Team "):
                respond(cycle, unit, 5)
        client = client_for(admin)
        url = compare_url(units["root"], cycle, colour=mode)
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[0]):
        client.get(url)


def test_it_reads_the_viewer_s_units_and_tallies_once_when_it_chooses_the_cycle_itself(
    world, cycle, client_for
):
    # Choosing the default cycle reads the units and tallies the page needs: the page goes on
    # with them rather than mapping the viewer's teams and reading the tallies again.
    with mock.patch("diagnostics.results.team_nodes", wraps=results.team_nodes) as mapped:
        response = client_for(world.org_admin).get(
            reverse("dashboards:compare", args=[world.units["Children's Services"].pk])
        )

    assert response.status_code == 200
    assert response.context["page"].cycle == cycle
    assert [row.unit for row in response.context["page"].rows] == [
        world.north,
        world.units["Locality South"],
    ]
    assert mapped.call_count == 1


def test_it_makes_only_the_units_it_shows(world, cycle, client_for, units_made):
    # Making every unit of a council for each request (3,307 at ten times the data) took 3-4
    # ms of the comparison; once its plans are decided, it makes the units it shows and the
    # organisation's.
    from diagnostics.services import close_cycle
    from organisations.models import Unit

    close_cycle(cycle=cycle, closed_at=timezone.now() - timedelta(minutes=6))
    client = client_for(world.org_admin)
    page = reverse("dashboards:compare", args=[world.units["Children's Services"].pk])
    client.get(page)  # decides the settled cycle's plans, from every unit's place in the tree
    units_made.clear()
    response = client.get(page)

    assert response.status_code == 200
    assert [row.unit.name for row in response.context["page"].rows] == [
        "Locality North",
        "Locality South",
    ]
    assert sorted(units_made) == [
        "Children's Services",
        "Example Council",
        "Locality North",
        "Locality South",
    ]
    assert Unit.objects.filter(organisation=world.organisation).count() == 7


def test_it_sums_the_unit_the_organisation_and_the_units_below_in_the_database(
    world, cycle, client_for
):
    # Rolling the whole tree up in Python would read every team's rows: the comparison asks the
    # database for its units' sums instead, and shows the same figures.
    client = client_for(world.org_admin)
    url = compare_url(world.units["Children's Services"], cycle, colour="organisation")
    with mock.patch.object(Aggregates, "rolled_up", side_effect=AssertionError("rolled up")):
        page = client.get(url).context["page"]
    assert [row.unit for row in page.rows] == [world.north, world.units["Locality South"]]
    assert page.rows[0].responses == 8
    assert page.organisation.responses == 15


def test_it_shows_the_units_above_as_far_as_the_viewer_reaches_and_their_path_in_print(
    client, world, cycle, org_admin, leader
):
    url = compare_url(world.units["Locality North"], cycle)

    client.force_login(org_admin)
    page = client.get(url).context["page"]
    assert [u.name for u in page.breadcrumbs] == [
        world.root.name,
        "Children's Services",
        "Locality North",
    ]
    assert page.unit_path == "Children's Services / Locality North"
    by_organisation = client.get(
        compare_url(world.units["Locality North"], cycle, colour="organisation")
    )
    assert by_organisation.context["page"].organisation.unit == world.root

    client.force_login(leader)
    page = client.get(url).context["page"]
    assert [u.name for u in page.breadcrumbs] == ["Locality North"]
    assert page.unit_path == "Children's Services / Locality North"


def test_it_groups_the_unit_s_responses_in_thousands(world, cycle, client_for, monkeypatch):
    build = compare_page.compare

    index: int | None = 61

    def large(**kwargs):
        page = build(**kwargs)
        parent = dataclasses.replace(page.parent, responses=1234, index=index)
        return dataclasses.replace(page, parent=parent)

    monkeypatch.setattr(compare_page, "compare", large)
    services = world.units["Children's Services"]
    client = client_for(world.org_admin)
    html = client.get(compare_url(services, cycle)).content.decode()
    assert "1,234 responses in Children" in html
    assert "conditions index 61 out of 100" in html
    index = None  # the sentence without an index
    html = client.get(compare_url(services, cycle)).content.decode()
    assert "1,234 responses in Children" in html
    assert "conditions index" not in html


def test_it_draws_no_heatmap_when_every_cell_is_hidden(world, make_cycle, respond, client_for):
    """Three teams of 4 under Children's Services: every unit's figures are hidden, so there is
    nothing to colour; the table says why each is hidden (an empty chart also broke the CSP)."""
    cycle = make_cycle(unit=world.units["Children's Services"], name="Small diagnostic")
    for team in (world.team_a, world.team_b, world.team_c):
        respond(cycle, team, 4)
    page = client_for(world.org_admin).get(compare_url(world.root, cycle))
    assert page.context["page"].rows
    assert all(cell.hidden for row in page.context["page"].rows for cell in row.cells)
    assert page.context["page"].heatmap is None
    html = page.content.decode()
    assert 'id="heatmap-empty"' in html
    assert 'data-chart="chart-heatmap"' not in html
