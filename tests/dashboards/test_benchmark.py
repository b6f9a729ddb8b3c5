"""The benchmark on the pages: positions beside the benchmark's size and period, a page of the
distribution, the export's columns, and never another organisation's name or figure."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from benchmarks.services import compute_benchmarks, import_reference
from organisations.models import Role
from tests.factories import make_member

REFERENCE = (
    "domain,p20,p50,p80,source,period\n"
    "WL,3.1,3.6,4.1,National Working Conditions Survey,2025\n"
    "SUP,3.5,4.0,4.5,National Working Conditions Survey,2025\n"
)


@pytest.fixture
def taking_part(five_orgs):
    """Five organisations with means 2…6 and the benchmark computed; the one scoring 4
    (exactly the 50th percentile) is ours, with an org admin and a team manager."""
    compute_benchmarks()
    ours = five_orgs[2]
    ours.admin = make_member(ours.units["root"], Role.ORG_ADMIN)
    ours.manager = make_member(ours.units["Team 1"], Role.TEAM_MANAGER)
    ours.others = [b for b in five_orgs if b is not ours]
    return ours


def _page(client, name: str, unit, cycle) -> str:
    response = client.get(reverse(name, args=[unit.pk]), {"cycle": cycle.pk})
    assert response.status_code == 200
    return response.content.decode()


def _never_names_another(content: str, ours) -> None:
    for other in ours.others:
        assert other.organisation.name not in content
        assert other.organisation.slug not in content


def test_it_shows_each_domains_position_on_the_organisation_dashboard(taking_part, client_for):
    ours = taking_part
    content = _page(client_for(ours.admin), "dashboards:profile", ours.units["root"], ours.cycle)
    assert "Benchmark position" in content
    # 4.0 sits between the 50th (4.0) and 80th (5.2) percentiles, in every domain.
    assert content.count("50th to 80th percentile") == 9
    assert "5 to 9 organisations" in content
    assert "January to June 2026" in content
    _never_names_another(content, ours)


def test_it_says_a_part_of_the_organisation_stands_among_whole_organisations(
    taking_part, client_for
):
    ours = taking_part
    client = client_for(ours.admin)
    caveat = "is a part of the organisation: its means rest on fewer responses"
    service = ours.units["Service"]

    pages = [
        _page(client, "dashboards:profile", service, ours.cycle),
        _page(client, "dashboards:benchmark", service, ours.cycle),
    ]
    whole = _page(client, "dashboards:profile", ours.units["root"], ours.cycle)

    for content in pages:
        assert f"Service {caveat}" in content
    assert caveat not in whole


def test_it_places_a_team_among_team_means(taking_part, client_for):
    ours = taking_part
    content = _page(
        client_for(ours.manager), "dashboards:profile", ours.units["Team 1"], ours.cycle
    )
    assert "the team means of all organisations taking part" in content
    assert content.count("50th to 80th percentile") == 9


def test_it_shows_the_distribution_without_other_organisations_figures(taking_part, client_for):
    ours = taking_part
    content = _page(client_for(ours.admin), "dashboards:benchmark", ours.units["root"], ours.cycle)
    assert "chart-benchmark" in content
    # The percentiles (2.8, 4, 5.2), never the other organisations' means (2, 3, 5, 6).
    for shown in ("2.80", "4.00", "5.20"):
        assert f"<td>{shown}</td>" in content
    for hidden in ("2.0", "3.0", "5.0", "6.0"):
        assert f"<td>{hidden}</td>" not in content
    _never_names_another(content, ours)


def test_it_adds_positions_to_the_export_after_the_contract_columns(taking_part, client_for):
    ours = taking_part
    url = reverse("diagnostics:results_export", args=[ours.cycle.pk, "csv"])
    response = client_for(ours.admin).get(url)
    text = response.content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    # Conditions carry a position; the outcome rows after them (no band) never do.
    org_rows = [r for r in rows if r["level"] == "org" and r["band"]]
    outcome_rows = [r for r in rows if r["level"] == "org" and not r["band"]]
    assert outcome_rows
    assert {r["benchmark_position"] for r in outcome_rows} == {""}
    assert {r["benchmark_position"] for r in org_rows} == {"50th–80th"}
    assert {r["benchmark_period"] for r in org_rows} == {"January to June 2026"}
    assert {r["benchmark_source"] for r in org_rows} == {"organisations on this installation"}
    _never_names_another(text, ours)


def test_it_shows_the_benchmark_on_the_home_reading_and_the_comparison(taking_part, client_for):
    ours = taking_part
    client = client_for(ours.admin)
    home = client.get(reverse("home")).content.decode()
    assert "Where it stands" in home
    assert "Workload and caseloads: 50th–80th" in home
    compare = _page(client, "dashboards:compare", ours.units["root"], ours.cycle)
    assert "Where they stand against the benchmark" in compare
    _never_names_another(home + compare, ours)


def test_it_shows_no_benchmark_to_an_organisation_that_does_not_take_part(
    five_orgs, build_org, client_for
):
    outside = build_org("Council Apart", score=4, opt_in=False)
    compute_benchmarks()
    admin = make_member(outside.units["root"], Role.ORG_ADMIN)
    content = _page(client_for(admin), "dashboards:profile", outside.units["root"], outside.cycle)
    assert "Benchmark position" not in content
    page = _page(client_for(admin), "dashboards:benchmark", outside.units["root"], outside.cycle)
    assert "does not take part in the benchmark" in page


def test_it_gives_no_position_for_a_hidden_mean(taking_part, build_org, client_for):
    ours = taking_part
    tiny = build_org("Council Tiny", {"Team 1": (3, 5)})
    manager = make_member(tiny.units["Team 1"], Role.TEAM_MANAGER)
    compute_benchmarks()
    content = _page(client_for(manager), "dashboards:benchmark", tiny.units["Team 1"], tiny.cycle)
    assert "are not shown, so it has no position" in content
    assert "percentile</td>" not in content
    _never_names_another(content, ours)


def test_it_names_the_source_of_an_imported_reference_table(world, make_cycle, respond, client_for):
    import_reference(text=REFERENCE)
    cycle = make_cycle(unit=world.root)
    for team in (world.team_a, world.team_b, world.team_c):
        respond(cycle, team, 5)
    content = _page(client_for(world.org_admin), "dashboards:profile", world.root, cycle)
    assert "published reference table of National Working Conditions Survey (2025)" in content
    page = _page(client_for(world.org_admin), "dashboards:benchmark", world.root, cycle)
    assert "Source: National Working Conditions Survey; period: 2025." in page
    assert "<td>3.60</td>" in page


def test_it_hides_the_benchmark_page_from_an_outsider(taking_part, client_for, world):
    ours = taking_part
    url = reverse("dashboards:benchmark", args=[ours.units["root"].pk])
    assert client_for(world.outsider).get(url).status_code == 404


def test_it_runs_the_same_number_of_queries_for_12_teams_and_for_60(
    db, respond, client_for, django_assert_max_num_queries
):
    from tests.dashboards.test_dashboards import build_organisation

    import_reference(text=REFERENCE)
    counts = {}
    for slug, teams in (("small", 12), ("large", 60)):
        _, units, admin, cycle = build_organisation(slug, teams)
        for name, unit in units.items():
            if name.startswith("Team "):
                respond(cycle, unit, 5)
        client = client_for(admin)
        for page in ("benchmark", "profile"):
            url = reverse(f"dashboards:{page}", args=[units["root"].pk])
            client.get(url)  # warm the session
            with CaptureQueriesContext(connection) as context:
                assert "National Working Conditions Survey" in client.get(url).content.decode()
            counts[(slug, page)] = len(context.captured_queries)
    assert counts[("small", "benchmark")] == counts[("large", "benchmark")]
    assert counts[("small", "profile")] == counts[("large", "profile")]
    with django_assert_max_num_queries(counts[("small", "benchmark")]):
        client.get(reverse("dashboards:benchmark", args=[units["root"].pk]))


def test_it_reads_the_units_once_when_it_chooses_the_cycle_itself(
    taking_part, client_for, unit_loads
):
    calls = unit_loads("diagnostics.results")
    client = client_for(taking_part.admin)
    url = reverse("dashboards:benchmark", args=[taking_part.units["Team 1"].pk])

    response = client.get(url)

    assert response.status_code == 200
    assert response.context["page"].reading is not None
    assert calls == [taking_part.organisation.pk]


def test_it_makes_only_the_units_it_names(taking_part, client_for, units_made):
    # The page named its unit from every unit of the organisation, made for each request
    # (3,307 at ten times the data); once a settled cycle's plans are decided, it makes the
    # units its path names.
    from datetime import timedelta

    from diagnostics.models import Cycle

    cycle = taking_part.cycle
    Cycle.objects.filter(pk=cycle.pk).update(closed_at=timezone.now() - timedelta(minutes=6))
    client = client_for(taking_part.admin)
    team = taking_part.units["Team 1"]
    _page(client, "dashboards:benchmark", team, cycle)  # decides the settled cycle's plans
    units_made.clear()
    response = client.get(reverse("dashboards:benchmark", args=[team.pk]), {"cycle": cycle.pk})

    assert response.context["page"].unit_path == "Service / Team 1"  # as the audit log names it
    assert response.context["page"].reading is not None
    assert units_made == ["Council scoring 4", "Service", "Team 1"]  # of its 4 units
