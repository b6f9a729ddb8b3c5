"""The signed-in home page: a reading of the person's part of the organisation, then what is
waiting for them, every figure through the disclosure engine."""

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
from django.utils.formats import date_format

from actions.services import create_action
from dashboards import home as home_module
from diagnostics.models import Cycle, Domain
from diagnostics.pooling import cycle_scope
from diagnostics.results import results_for_scopes
from diagnostics.selectors import latest_version_for
from diagnostics.services import close_cycle, create_cycle, issue_invites, open_cycle
from organisations.access import reach_of
from organisations.models import AuditEvent, Role, Unit
from tests.factories import make_member, make_organisation, make_units
from voice.models import VoiceIssue
from voice.services import board_for, raise_issue


def open_now(unit, kind, name, *, opens_on=None):
    today = timezone.localdate()
    cycle = create_cycle(
        unit=unit,
        kind=kind,
        instrument=latest_version_for(unit.organisation),
        name=name,
        opens_on=opens_on or today,
        closes_on=today + timedelta(days=14),
        created_by=None,
    )
    return open_cycle(cycle=cycle)


def workload_low(i, code):
    """Workload (WL) answered red by everyone, everything else green."""
    return 1 if code.startswith("WL") else 5


def overdue_action_and_waiting_issue(world):
    """Team A's action two days overdue (due dates in the past cannot be set through the
    service) and an issue its staff raised that nobody has answered."""
    action = create_action(
        unit=world.team_a,
        domain=Domain.objects.get(code="WL"),
        title="Share duty fairly",
        owner=world.team_manager,
        due_on=timezone.localdate() + timedelta(days=3),
        created_by=world.team_manager,
    )
    action.due_on = timezone.localdate() - timedelta(days=2)
    action.save()
    raise_issue(
        board=board_for(world.team_a), category=VoiceIssue.Category.SYSTEMS, text="Laptops freeze"
    )
    return action


def test_it_shows_open_cycles_overdue_actions_and_waiting_issues_in_reach(
    world, client_for, django_assert_max_num_queries
):
    pulse = open_now(world.team_a, Cycle.Kind.PULSE, "March pulse")
    second = open_now(world.team_a, Cycle.Kind.FULL, "Team A diagnostic")
    open_now(world.team_c, Cycle.Kind.FULL, "South only")
    action = overdue_action_and_waiting_issue(world)
    client = client_for(world.team_manager)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("home"))
    page = response.context["page"]
    assert [p.cycle for p in page.open_cycles] == [pulse, second]  # not the other locality's
    assert [o.action for o in page.overdue] == [action]
    assert page.overdue[0].days_overdue == 2
    assert page.waiting_total == 1
    html = response.content.decode()
    assert "2 days overdue" in html
    assert "Laptops freeze" in html

    outsider = client_for(world.outsider).get(reverse("home")).context["page"]
    assert outsider.open_cycles == ()
    assert outsider.overdue == ()
    assert outsider.waiting_total == 0


def test_it_groups_the_totals_of_overdue_actions_and_waiting_issues_in_thousands(
    world, client_for, monkeypatch
):
    overdue_action_and_waiting_issue(world)
    open_now(world.team_a, Cycle.Kind.FULL, "Team A diagnostic")
    build = home_module.home_page

    def large(**kwargs):
        page = build(**kwargs)
        (progress,) = page.open_cycles
        many = dataclasses.replace(progress, invites=24000, teams=1100, teams_at_k=1001)
        return dataclasses.replace(
            page, overdue_total=1234, waiting_total=2345, open_cycles=(many,)
        )

    monkeypatch.setattr("dashboards.views.home_page", large)
    html = client_for(world.team_manager).get(reverse("home")).content.decode()
    assert "All 1,234 overdue actions" in html
    assert "All 2,345 waiting" in html
    assert "In your teams: 24,000 codes issued; 1,001 of 1,100 teams with 5 or more" in html


def test_it_leads_with_the_index_its_change_and_the_weakest_domain(
    world, make_cycle, respond, client_for
):
    north = world.north
    earlier = make_cycle(
        unit=north, name="Spring", opens_on=timezone.localdate() - timedelta(days=200)
    )
    for team in (world.team_a, world.team_b):
        respond(earlier, team, 5, value=3)
    close_cycle(cycle=earlier)
    later = make_cycle(
        unit=north, name="Autumn", opens_on=timezone.localdate() - timedelta(days=20)
    )
    respond(later, world.team_a, 5, value=workload_low)
    respond(later, world.team_b, 5, value=4)
    close_cycle(cycle=later)

    response = client_for(world.leader).get(reverse("home"))
    (reading,) = response.context["page"].readings
    assert reading.unit == north
    assert reading.cycle == later
    assert reading.previous_cycle == earlier
    (before,) = results_for_scopes(
        world.organisation, [cycle_scope(earlier)], reach=reach_of(world.leader)
    )
    assert reading.index_change == reading.index - before.group(north).index != 0
    assert reading.weakest[0].code == "WL"
    assert [t.unit for t in reading.urgent_teams] == [world.team_a]
    html = response.content.decode()
    assert f"Conditions index <strong>{reading.index}</strong>" in html
    assert "since Spring" in html
    assert f"?unit={north.pk}&amp;cycle={later.pk}&amp;domain=WL" in html
    assert "Amber</span> 2.5 to under 4.5" in html  # the key beside the bands


def test_it_gives_the_day_a_cycle_was_closed_early_not_its_planned_date(
    world, make_cycle, respond, client_for
):
    cycle = make_cycle(unit=world.team_a, name="Autumn", days=14)
    respond(cycle, world.team_a, 5, value=4)
    close_cycle(cycle=cycle)
    html = client_for(world.team_manager).get(reverse("home")).content.decode()
    closed = date_format(timezone.localdate(), "j M Y")
    assert f"From Autumn (closed {closed})." in html
    assert date_format(cycle.closes_on, "j M Y") not in html


def test_it_falls_back_to_the_newest_result_shown_and_never_reads_a_hidden_one(
    world, make_cycle, respond, client_for
):
    shown = make_cycle(
        unit=world.team_a, name="Shown", opens_on=timezone.localdate() - timedelta(days=90)
    )
    respond(shown, world.team_a, 5, value=4)
    close_cycle(cycle=shown)
    newest = make_cycle(
        unit=world.team_a, name="Too few", opens_on=timezone.localdate() - timedelta(days=5)
    )
    respond(newest, world.team_a, 2, value=1)

    (reading,) = client_for(world.team_manager).get(reverse("home")).context["page"].readings
    assert reading.cycle == shown
    assert reading.index is not None
    assert reading.weakest[0].band == "amber"


def test_it_says_why_there_is_no_reading_yet(world, make_cycle, respond, client_for):
    cycle = make_cycle(
        unit=world.team_a, name="First", opens_on=timezone.localdate() - timedelta(days=3)
    )
    respond(cycle, world.team_a, 2)
    issue_invites(cycle=cycle, team=world.team_a, count=6)
    response = client_for(world.team_manager).get(reverse("home"))
    (reading,) = response.context["page"].readings
    assert reading.index is None
    assert reading.weakest == ()
    assert "First: fewer than 5 responses" in reading.why_nothing
    (progress,) = response.context["page"].open_cycles
    # Two responses from one team: the count is never exact below k, on the home page either.
    assert progress.responses == "fewer than 5"
    assert progress.invites == 6
    assert (progress.teams, progress.teams_at_k) == (1, 0)
    assert progress.responses_of == "Team A"
    assert "Responses across Team A: fewer than 5. In your teams: 6 codes issued" in (
        response.content.decode()
    )


def test_it_starts_a_diagnostic_with_the_full_diagnostic_chosen(world, client_for):
    client = client_for(world.org_admin)
    html = client.get(reverse("home")).content.decode()
    link = re.search(
        r'<a class="btn btn-primary btn-sm" href="([^"]+)">Start a diagnostic</a>', html
    )
    assert link is not None
    form = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert re.search(r'<input[^>]*name="kind" value="full"[^>]*checked', form)
    assert not re.search(r'<input[^>]*name="kind" value="pulse"[^>]*checked', form)


def test_it_promises_more_answers_only_while_the_cycle_is_open(
    world, make_cycle, respond, client_for
):
    cycle = make_cycle(unit=world.team_a, name="First")
    respond(cycle, world.team_a, 2)
    client = client_for(world.team_manager)
    (reading,) = client.get(reverse("home")).context["page"].readings
    assert reading.why_nothing == (
        "First: fewer than 5 responses. Results show once enough people have answered."
    )
    close_cycle(cycle=cycle)
    response = client.get(reverse("home"))
    (reading,) = response.context["page"].readings
    assert reading.why_nothing == (
        "First: fewer than 5 responses. It has closed, so no more answers will come."
    )
    assert reading.compare_cycle is None  # a team has no units to compare
    assert "Results show once" not in response.content.decode()


def test_it_sends_to_the_comparison_a_closed_unit_hidden_to_protect_a_smaller_group(
    world, make_cycle, respond, client_for
):
    """North's 6 beside Team B's 5 would give away Team A's 1: North is hidden, Team B shown."""
    cycle = make_cycle(unit=world.north, name="Autumn survey")
    respond(cycle, world.team_a, 1)
    respond(cycle, world.team_b, 5)
    client = client_for(world.leader)
    (reading,) = client.get(reverse("home")).context["page"].readings
    assert reading.why_nothing == (
        "Autumn survey: hidden so that a smaller group cannot be worked out. Results show once "
        "enough people have answered."
    )
    assert reading.compare_cycle is None
    close_cycle(cycle=cycle)
    response = client.get(reverse("home"))
    (reading,) = response.context["page"].readings
    assert reading.why_nothing == (
        "Autumn survey: hidden so that a smaller group cannot be worked out. It has closed: "
        "compare its units to see which are shown."
    )
    compare = reverse("dashboards:compare", args=[world.north.pk]) + f"?cycle={cycle.pk}"
    assert f'href="{compare}">Compare its units' in response.content.decode()
    assert client.get(compare).status_code == 200


def test_it_tells_a_new_organisation_s_admin_to_set_up_its_teams(db, client_for):
    organisation = make_organisation("New Council", "new-council")
    units = make_units(organisation, {})
    admin = make_member(units["root"], Role.ORG_ADMIN)
    html = client_for(admin).get(reverse("home")).content.decode()
    assert "Set up its services and teams" in html
    assert "No full diagnostic has been run here yet." in html


def test_it_shows_the_public_page_to_visitors(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "page" not in response.context


def build(slug: str, teams: int):
    organisation = make_organisation(f"Council {slug}", slug)
    spec = {f"Service {s}": [f"Team {s}.{t}" for t in range(teams // 2)] for s in range(2)}
    units = make_units(organisation, spec)
    admin = make_member(units["root"], Role.ORG_ADMIN)
    today = timezone.localdate()
    cycle = create_cycle(
        unit=units["root"],
        kind=Cycle.Kind.FULL,
        instrument=latest_version_for(organisation),
        name="Cycle",
        opens_on=today,
        closes_on=today + timedelta(days=3),
        created_by=None,
    )
    return units, admin, open_cycle(cycle=cycle)


@pytest.mark.parametrize("role", [Role.ORG_ADMIN, Role.LEADER])
def test_it_runs_the_same_number_of_queries_for_12_teams_and_for_60(db, role, respond, client_for):
    counts = []
    for slug, teams in (("small", 12), ("large", 60)):
        units, admin, cycle = build(f"{slug}-{role}", teams)
        for name, unit in units.items():
            if name.startswith("Team "):
                respond(cycle, unit, 5, value=workload_low)
        viewer = admin if role == Role.ORG_ADMIN else make_member(units["Service 0"], Role.LEADER)
        client = client_for(viewer)
        client.get(reverse("home"))
        with CaptureQueriesContext(connection) as context:
            page = client.get(reverse("home")).context["page"]
        assert page.readings[0].more_urgent_teams > 0  # every team's workload is urgent
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]


def test_it_links_the_urgent_teams_it_does_not_list_to_the_unit_comparison(db, respond, client_for):
    units, admin, cycle = build("many-urgent", 12)
    for name, unit in units.items():
        if name.startswith("Team "):
            respond(cycle, unit, 5, value=workload_low)
    response = client_for(admin).get(reverse("home"))
    reading = response.context["page"].readings[0]
    compare = reverse("dashboards:compare", args=[reading.unit.pk]) + f"?cycle={cycle.pk}"
    assert (
        f'and {reading.more_urgent_teams} more: <a href="{compare}">compare its units</a>'
        in response.content.decode()
    )


def test_it_never_reads_a_unit_from_a_diagnostic_one_of_its_teams_ran_alone(
    world, make_cycle, respond, client_for
):
    across = make_cycle(
        unit=world.north, name="North-wide", opens_on=timezone.localdate() - timedelta(days=90)
    )
    for team in (world.team_a, world.team_b):
        respond(across, team, 5, value=3)
    close_cycle(cycle=across)
    alone = make_cycle(
        unit=world.team_a, name="Team A alone", opens_on=timezone.localdate() - timedelta(days=9)
    )
    respond(alone, world.team_a, 5, value=6)
    close_cycle(cycle=alone)

    (reading,) = client_for(world.leader).get(reverse("home")).context["page"].readings
    assert reading.cycle == across
    assert reading.previous_cycle is None
    (team_reading,) = client_for(world.team_manager).get(reverse("home")).context["page"].readings
    assert team_reading.cycle == alone
    assert team_reading.previous_cycle == across


def test_it_names_whose_responses_an_organisation_wide_cycle_counts(world, respond, client_for):
    cycle = open_now(world.root, Cycle.Kind.FULL, "Everyone")
    respond(cycle, world.team_a, 6)
    respond(cycle, world.team_c, 6)
    (progress,) = client_for(world.team_manager).get(reverse("home")).context["page"].open_cycles
    # The organisation's figures are a marker on the manager's dashboard, so its count is
    # theirs to read, and the page says whose it is; codes and teams are their own teams'.
    assert progress.responses_of == "Example Council"
    assert progress.responses == "12"
    assert (progress.teams, progress.teams_at_k) == (1, 1)


def test_it_records_each_reading_shown_in_the_audit_log(world, make_cycle, respond, client_for):
    cycle = make_cycle(unit=world.north, name="Autumn")
    for team in (world.team_a, world.team_b):
        respond(cycle, team, 5)
    client_for(world.leader).get(reverse("home"))
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEWED, user=world.leader)
    assert event.detail == "Home reading, Autumn"
    assert event.scope == "Children's Services / Locality North"


@pytest.mark.parametrize("settled", [True, False])
def test_it_finds_a_settled_diagnostics_urgent_teams_once_per_process(
    db, respond, client_for, fresh_process_memory, settled
):
    units, admin, cycle = build(f"urgent-{settled}", 8)
    for name, unit in units.items():
        if name.startswith("Team "):
            respond(cycle, unit, 5, value=workload_low)
    if settled:
        close_cycle(cycle=cycle, closed_at=timezone.now() - timedelta(minutes=6))
    client = client_for(admin)
    with mock.patch.object(
        home_module, "_find_urgent_domains", wraps=home_module._find_urgent_domains
    ) as finding:
        first = client.get(reverse("home")).context["page"].readings[0]
        renamed = first.urgent_teams[0].unit
        Unit.objects.filter(pk=renamed.pk).update(name="Renamed team")
        again = client.get(reverse("home")).context["page"].readings[0]
    assert finding.call_count == (1 if settled else 2)
    assert len(first.urgent_teams) == len(again.urgent_teams) > 1
    assert again.more_urgent_teams == first.more_urgent_teams
    assert again.urgent_teams[0].unit.pk == renamed.pk
    assert again.urgent_teams[0].unit.name == "Renamed team"  # its name now, not remembered
    assert "Renamed team" in again.urgent_teams[0].path
    assert [t.domains for t in again.urgent_teams] == [t.domains for t in first.urgent_teams]
    assert again.urgent_teams[1:] == first.urgent_teams[1:]
