"""The demo tells the truth of the field: read through the disclosure engine, its structural
figures go with the domains they bear on, its teams spread across the bands, an action worked,
and response rates vary. The demo is seeded once for the module (it takes a few seconds) and
rolled back at the end; each test runs in its own savepoint inside that."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from scipy.stats import spearmanr

from accounts.models import User
from actions.models import Action
from actions.selectors import before_after
from demo.builder import seed
from diagnostics.models import Cycle, Invite, StructuralFigures
from diagnostics.pooling import cycle_scope
from diagnostics.results import OrganisationResults, results_for_scopes
from diagnostics.scoring import AMBER, GREEN, RED
from organisations.access import reach_of
from organisations.models import Organisation, Unit
from tests.demo.conftest import seeded_for_the_module

TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[Organisation]:
    with seeded_for_the_module(django_db_blocker, lambda: seed(today=TODAY)[0]) as organisation:
        yield organisation


@pytest.fixture
def seeded(demo, db) -> Organisation:
    return demo


def full_cycles(organisation: Organisation) -> list[Cycle]:
    return list(
        Cycle.objects.filter(organisation=organisation, kind=Cycle.Kind.FULL).order_by("opens_on")
    )


def results_of(organisation: Organisation, cycle: Cycle, email: str = "") -> OrganisationResults:
    reach = reach_of(User.objects.get(email=email)) if email else None
    (results,) = results_for_scopes(organisation, [cycle_scope(cycle)], reach=reach)
    return results


def teams_of(organisation: Organisation) -> list[Unit]:
    return list(Unit.objects.filter(organisation=organisation, is_team=True).order_by("path"))


def figure_against_domain(
    organisation: Organisation, cycle: Cycle, figure: str, domain: str
) -> tuple[float, int]:
    """Spearman's rho across teams between a structural figure and the domain's shown mean."""
    results = results_of(organisation, cycle)
    values = dict(StructuralFigures.objects.filter(cycle=cycle).values_list("team_id", figure))
    pairs = []
    for team in teams_of(organisation):
        figures = results.group(team).domains[domain].figures
        value = values.get(team.pk)
        if figures is not None and figures.mean is not None and value is not None:
            pairs.append((float(value), figures.mean))
    rho = spearmanr([x for x, _ in pairs], [y for _, y in pairs]).statistic
    return float(rho), len(pairs)


def test_it_seeds_caseloads_that_go_with_lower_workload(seeded):
    for cycle in full_cycles(seeded):
        rho, teams = figure_against_domain(seeded, cycle, "caseload", "WL")
        assert teams >= 11
        assert rho < -0.4, (cycle.name, rho)
        rho, _ = figure_against_domain(seeded, cycle, "caseload", "WB")
        assert rho < -0.4, (cycle.name, rho)


@pytest.mark.parametrize(
    ("figure", "domain", "sign"),
    [
        ("supervision_held", "SUP", 1),
        ("supervision_held", "SB", 1),
        ("incidents", "SAF", -1),
        ("recording_hours", "SYS", -1),
        ("turnover", "WB", -1),
        ("vacancy_rate", "WL", -1),
    ],
)
def test_it_seeds_figures_that_go_with_the_domains_they_bear_on(seeded, figure, domain, sign):
    for cycle in full_cycles(seeded):
        rho, _ = figure_against_domain(seeded, cycle, figure, domain)
        assert sign * rho > 0.3, (cycle.name, figure, domain, rho)


def test_it_seeds_red_amber_and_green_teams_with_urgent_where_answers_are_red(seeded):
    for cycle in full_cycles(seeded):
        results = results_of(seeded, cycle)
        cells = [
            cell.figures
            for team in teams_of(seeded)
            for cell in results.group(team).domains.values()
            if cell.figures is not None and cell.figures.band is not None
        ]
        bands = [figures.band for figures in cells]
        assert bands.count(RED) >= 3, cycle.name
        assert bands.count(GREEN) >= 10, cycle.name
        assert bands.count(AMBER) / len(bands) < 0.75, cycle.name  # not "everything amber"
        assert all(figures.urgent for figures in cells if figures.band == RED)
        urgent = [figures for figures in cells if figures.urgent]
        assert urgent
        assert len(urgent) > bands.count(RED)  # also low or split ambers, never a green
        assert all(figures.band != GREEN for figures in urgent)


def test_it_shows_the_head_of_locality_north_red_amber_and_green_teams(seeded):
    autumn = full_cycles(seeded)[-1]
    results = results_of(seeded, autumn, "north@northbrook.example")
    north = Unit.objects.get(organisation=seeded, name="Locality North")
    bands = {
        cell.figures.band
        for team in results.children_of(north)
        for cell in results.group(team).domains.values()
        if cell.figures is not None
    }
    assert bands == {RED, AMBER, GREEN}


def test_it_seeds_child_protection_north_red_on_workload(seeded):
    team = Unit.objects.get(organisation=seeded, name="Child Protection North")
    for cycle in full_cycles(seeded):
        results = results_of(seeded, cycle, "manager@northbrook.example")
        workload = results.group(team).domains["WL"].figures
        assert workload is not None
        assert workload.band == RED
        assert workload.urgent
        assert workload.red_share is not None
        assert workload.red_share >= 0.5


def _action(organisation: Organisation, team: str, domain: str) -> Action:
    return Action.objects.get(unit__organisation=organisation, unit__name=team, domain__code=domain)


def test_it_seeds_an_action_that_worked(seeded):
    cap = _action(seeded, "Assessment South", "WL")
    admin = reach_of(User.objects.get(email="admin@northbrook.example"))
    seen = before_after(cap, reach=admin, today=TODAY)
    assert cap.cycle == full_cycles(seeded)[0]
    assert seen.before is not None
    assert seen.before.shown
    assert seen.before.band in (RED, AMBER)
    assert seen.after is not None
    assert seen.after.shown
    assert seen.change is not None
    assert seen.change.is_change
    assert seen.change.delta is not None
    assert seen.change.delta >= 0.3


def test_it_seeds_an_action_that_did_not_work(seeded):
    briefings = _action(seeded, "Adults East", "MIS")
    admin = reach_of(User.objects.get(email="admin@northbrook.example"))
    seen = before_after(briefings, reach=admin, today=TODAY)
    assert briefings.status == Action.Status.DONE
    assert seen.before is not None
    assert seen.before.shown
    assert seen.after is not None
    assert seen.after.shown
    assert seen.change is not None
    assert seen.change.delta is not None
    assert seen.change.delta < 0.3  # no improvement to speak of
    assert not seen.change.is_change


def test_it_seeds_response_rates_that_vary_with_most_teams_shown(seeded):
    teams = teams_of(seeded)
    for cycle in full_cycles(seeded):
        results = results_of(seeded, cycle)
        rates = []
        for team in teams:
            responses = results.group(team).responses
            if responses is not None:
                rates.append(responses / Invite.objects.filter(cycle=cycle, team=team).count())
        assert len(rates) >= len(teams) - 2, cycle.name
        assert min(rates) < 0.5, cycle.name
        assert max(rates) > 0.8, cycle.name


def test_it_seeds_outcomes_that_follow_supervision_and_workload(seeded):
    from diagnostics.driver_data import drivers_for

    autumn = full_cycles(seeded)[-1]
    results = results_of(seeded, autumn)
    root = Unit.objects.get(organisation=seeded, depth=1)
    group = results.group(root)
    assert group.outcomes["STAY"].shown
    assert group.outcomes["REC"].shown
    found = drivers_for(results, [root])[root.path]
    assert found.shown
    stay = next(entry for entry in found.outcomes if entry.outcome.code == "STAY")
    top = [driver.condition.code for driver in stay.drivers[:3]]
    assert {"SUP", "WL"} & set(top), top
    assert all(driver.rho > 0 for driver in stay.clear)
    assert stay.reading.startswith("Staff who report")
