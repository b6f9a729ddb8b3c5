"""The weekly digest for leaders and org admins: their reach only, names and links only (no
response counts), nothing when empty, once a week, never to someone who turned it off."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.services import create_action
from dashboards.digest import digest_week, organisation_digest_data, weekly_digest
from dashboards.services import send_weekly_digests
from diagnostics.models import Cycle, Domain
from diagnostics.selectors import latest_version_for
from diagnostics.services import create_cycle, open_cycle
from notices.links import digest_link
from notices.services import set_weekly_digest
from organisations.access import reach_of
from organisations.models import Role
from tests.factories import make_member, make_organisation, make_units
from voice.models import VoiceIssue
from voice.services import board_for, raise_issue

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
MONDAY = date(2026, 11, 30)
LAST_WEEK = date(2026, 11, 25)  # a Wednesday in the week the digest covers


@pytest.fixture(autouse=True)
def _on_monday_morning():
    with time_machine.travel(datetime(2026, 11, 30, 7, 30, tzinfo=LONDON), tick=False):
        yield


def _issue(team, *, on=LAST_WEEK, category="caseloads", text="Duty weeks leave no time."):
    issue = raise_issue(board=board_for(team), category=category, text=text)
    VoiceIssue.objects.filter(pk=issue.pk).update(raised_on=on)
    return issue


def _overdue(team, owner, title):
    return create_action(
        unit=team,
        domain=Domain.objects.get(code="WL"),
        title=title,
        owner=owner,
        due_on=MONDAY - timedelta(days=3),
        created_by=owner,
    )


def _cycle(unit, name, *, opens_on, closes_on, kind=Cycle.Kind.FULL):
    cycle = create_cycle(
        unit=unit,
        kind=kind,
        instrument=latest_version_for(unit.organisation),
        name=name,
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=None,
    )
    return open_cycle(cycle=cycle, today=opens_on)


def _digests() -> dict[str, str]:
    return {message.to[0]: str(message.body) for message in mail.outbox}


def _without_links(body: str) -> str:
    return re.sub(r"https?://\S+", "", body)


def test_it_covers_only_each_person_s_reach(world, respond):
    south_manager = make_member(world.team_c, Role.TEAM_MANAGER)
    _issue(world.team_a, category="caseloads")
    _issue(world.team_c, category="safety")
    _overdue(world.team_a, world.team_manager, "Share duty fairly")
    _overdue(world.team_c, south_manager, "Fix the rota in the South")
    _cycle(world.north, "North pulse check", opens_on=MONDAY, closes_on=MONDAY + timedelta(3))
    _cycle(world.team_c, "South survey", opens_on=MONDAY, closes_on=MONDAY + timedelta(4))

    assert send_weekly_digests(today=MONDAY) == 2
    digests = _digests()
    assert set(digests) == {world.leader.email, world.org_admin.email}  # not managers, outsider
    north = digests[world.leader.email]
    assert "New staff issues (1)" in north
    assert "* Caseloads: Team A, raised Wednesday 25 November 2026" in north
    assert "Overdue actions (1)" in north
    assert "* Share duty fairly: Team A, due Friday 27 November 2026" in north
    assert "* North pulse check: Locality North, closes Thursday 3 December 2026" in north
    for elsewhere in ("Safety", "Team C", "Fix the rota", "South survey"):
        assert elsewhere not in north
    admin = digests[world.org_admin.email]
    assert "New staff issues (2)" in admin
    assert "Overdue actions (2)" in admin
    assert "South survey" in admin
    assert "from Monday 23 November 2026 to Sunday 29 November 2026" in admin
    message = next(m for m in mail.outbox if m.to == [world.leader.email])
    assert message.subject == "Your SWORD week: Monday 30 November 2026"


def test_it_links_each_line_and_the_way_to_turn_it_off(world):
    issue = _issue(world.team_a)
    send_weekly_digests(today=MONDAY)
    body = _digests()[world.leader.email]
    assert "http://testserver" + reverse("voice:issue", args=[issue.pk]) in body
    assert f"To stop it: {digest_link(world.leader.pk)}" in body
    assert "http://testserver" + reverse("notices:settings") in body


def test_it_writes_each_digest_in_its_reader_s_chosen_language(world):
    _issue(world.team_a, category="caseloads")
    world.leader.language = "cy"
    world.leader.save(update_fields=["language"])
    send_weekly_digests(today=MONDAY)
    digests = _digests()
    assert "* Llwythi achosion: " in digests[world.leader.email]
    assert "* Caseloads: " in digests[world.org_admin.email]


def test_it_leaves_out_older_issues_and_hidden_ones(world):
    _issue(world.team_a, on=MONDAY - timedelta(days=8))  # the week before
    _issue(world.team_a, on=MONDAY)  # this week: next Monday's
    hidden = _issue(world.team_a)
    VoiceIssue.objects.filter(pk=hidden.pk).update(hidden=True, hidden_reason="Named someone.")
    assert send_weekly_digests(today=MONDAY) == 0


def test_it_sends_nothing_when_there_is_nothing_to_say(world):
    assert send_weekly_digests(today=MONDAY) == 0
    assert mail.outbox == []


def test_it_leaves_out_someone_who_turned_it_off_until_they_turn_it_on(world):
    _issue(world.team_a)
    set_weekly_digest(user=world.leader, wanted=False)
    send_weekly_digests(today=MONDAY)
    assert set(_digests()) == {world.org_admin.email}
    set_weekly_digest(user=world.leader, wanted=True)
    send_weekly_digests(today=MONDAY)
    assert set(_digests()) == {world.org_admin.email, world.leader.email}


def test_it_sends_each_week_s_digest_once_however_often_it_runs(world):
    _issue(world.team_a)
    assert send_weekly_digests(today=MONDAY) == 2
    assert send_weekly_digests(today=MONDAY) == 0
    assert send_weekly_digests(today=MONDAY + timedelta(days=2)) == 0  # a late run, same week
    assert len(mail.outbox) == 2


def test_it_names_results_newly_shown_without_any_count(world, respond):
    cycle = _cycle(
        world.root, "Autumn diagnostic", opens_on=date(2026, 11, 2), closes_on=date(2026, 11, 27)
    )
    respond(cycle, world.team_a, 11)
    respond(cycle, world.team_b, 13)
    respond(cycle, world.team_c, 17)
    send_weekly_digests(today=MONDAY)
    digests = _digests()
    north = digests[world.leader.email]
    assert "Results now shown (1)" in north
    assert "* Autumn diagnostic: results shown for Locality North" in north
    assert (
        "http://testserver"
        + reverse("dashboards:profile", args=[world.north.pk])
        + f"?cycle={cycle.pk}"
    ) in north
    for body in digests.values():
        text = _without_links(body)
        assert "respon" not in text.lower()
        for figure in ("11", "13", "17", "24", "41"):
            assert figure not in text


def test_it_leaves_out_results_the_engine_does_not_show_the_person(world, respond):
    cycle = _cycle(
        world.team_a, "Team A check", opens_on=date(2026, 11, 2), closes_on=date(2026, 11, 27)
    )
    respond(cycle, world.team_a, 2)  # fewer than k = 5
    assert send_weekly_digests(today=MONDAY) == 0


def test_it_lists_a_cycle_closed_early_in_the_week_it_was_closed(world, respond):
    cycle = _cycle(world.root, "Closed early", opens_on=date(2026, 11, 2), closes_on=MONDAY)
    for team in (world.team_a, world.team_b, world.team_c):
        respond(cycle, team, 6)
    Cycle.objects.filter(pk=cycle.pk).update(
        status=Cycle.Status.CLOSED, closed_at=datetime(2026, 11, 26, 12, tzinfo=LONDON)
    )
    send_weekly_digests(today=MONDAY)
    assert "Closed early: results shown" in _digests()[world.org_admin.email]


def test_it_runs_as_the_scheduled_job_on_monday_in_london(world):
    """23:30 UTC on Sunday 28 June is 00:30 on Monday 29 June in London (BST): the digest is
    the week of 29 June, covering 22 to 28 June, so an issue raised on 22 June is in it."""
    with time_machine.travel(datetime(2026, 6, 22, 9, tzinfo=LONDON), tick=False):
        _issue(world.team_a, on=date(2026, 6, 22))
    with time_machine.travel(datetime(2026, 6, 28, 23, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        call_command("run_scheduled_jobs", "weekly-digest")
        call_command("run_scheduled_jobs", "weekly-digest")
    assert len(mail.outbox) == 2
    assert {m.subject for m in mail.outbox} == {"Your SWORD week: Monday 29 June 2026"}
    assert "raised Monday 22 June 2026" in mail.outbox[0].body


def test_it_labels_the_week_by_its_monday():
    week = digest_week(date(2026, 12, 3))
    assert (week.monday, week.starts_on, week.ends_on, week.label) == (
        date(2026, 11, 30),
        date(2026, 11, 23),
        date(2026, 11, 29),
        "2026-W49",
    )


def _organisation(slug: str, teams: int, respond):
    organisation = make_organisation(f"Council {slug}", slug)
    spec = {f"Service {s}": [f"Team {s}.{t}" for t in range(teams // 2)] for s in range(2)}
    units = make_units(organisation, spec)
    admin = make_member(units["root"], Role.ORG_ADMIN)
    closed = _cycle(
        units["root"], "Autumn", opens_on=date(2026, 11, 2), closes_on=date(2026, 11, 27)
    )
    _cycle(units["root"], "Winter", opens_on=MONDAY, closes_on=MONDAY + timedelta(days=2))
    for name, unit in units.items():
        if name.startswith("Team "):
            respond(closed, unit, 5)
            _issue(unit)
            _overdue(unit, admin, f"Action for {name}")
    return organisation, admin


def test_it_reads_a_fixed_number_of_queries_for_12_teams_and_for_60(db, respond):
    counts = []
    for slug, teams in (("small", 12), ("large", 60)):
        organisation, admin = _organisation(slug, teams, respond)
        data = organisation_digest_data(organisation)
        reach = reach_of(admin)
        with CaptureQueriesContext(connection) as context:
            digest = weekly_digest(reach=reach, today=MONDAY, data=data)
        assert digest.new_issues_total == teams
        assert digest.overdue_total == teams
        assert len(digest.results_shown) == 1
        assert len(digest.closing_cycles) == 1
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 12


def test_it_groups_a_section_s_totals_in_thousands():
    from dashboards.digest import DigestLine, _section

    lines = [DigestLine(name="Team A", detail="Laptops freeze", url="https://x.example/1")]
    heading, underline, *_, more, _blank = _section(
        "New issues", lines, 1234, "https://x.example/all"
    )
    assert heading == "New issues (1,234)"
    assert underline == "-" * len(heading)
    assert more == "  … and 1,233 more: https://x.example/all"
