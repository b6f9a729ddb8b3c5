"""The daily notices of staff issues escalated to a unit: once per escalation, to the people
who run the unit, naming the category and team but never the issue's words."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from organisations.models import Role
from tests.factories import make_member
from voice.models import VoiceIssue
from voice.services import answer_issue, escalate_issue, hide_issue, send_escalation_notices

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 30)
WORDS = "Duty weeks leave no time for visits."


def test_it_tells_the_people_who_run_the_unit_once(world, board_a, raise_on):
    issue = raise_on(board_a, WORDS)
    escalate_issue(issue=issue, to=world.north)
    assert send_escalation_notices(today=TODAY) == 1
    assert send_escalation_notices(today=TODAY) == 0
    (message,) = mail.outbox
    assert message.to == [world.leader.email]
    assert message.subject == "A staff issue was escalated to Locality North"
    assert "An issue about caseloads" in message.body
    assert "voice board of Team A" in message.body
    assert "http://testserver" + reverse("voice:issue", args=[issue.pk]) in message.body
    assert WORDS not in message.body
    assert "support" not in message.body.lower()


def test_it_writes_each_notice_in_the_language_its_reader_chose(world, board_a, raise_on):
    world.leader.language = "cy"
    world.leader.save(update_fields=["language"])
    other_leader = make_member(world.north, Role.LEADER)
    escalate_issue(issue=raise_on(board_a, WORDS), to=world.north)
    assert send_escalation_notices(today=TODAY) == 2
    (welsh,) = [m for m in mail.outbox if m.to == [world.leader.email]]
    assert welsh.subject == "Cafodd mater gan staff ei uwchgyfeirio at Locality North"
    assert "llwythi achosion a gododd staff ar fwrdd llais Team A" in welsh.body
    (english,) = [m for m in mail.outbox if m.to == [other_leader.email]]
    assert english.subject == "A staff issue was escalated to Locality North"
    assert "An issue about caseloads" in english.body


def test_it_tells_the_next_unit_when_the_issue_goes_further_up(world, board_a, raise_on):
    issue = raise_on(board_a)
    escalate_issue(issue=issue, to=world.north)
    send_escalation_notices(today=TODAY)
    escalate_issue(issue=issue, to=world.root)
    assert send_escalation_notices(today=TODAY) == 1
    assert mail.outbox[-1].to == [world.org_admin.email]


def test_it_says_nothing_of_issues_not_escalated_closed_or_hidden(world, board_a, raise_on):
    raise_on(board_a)  # not escalated
    done = raise_on(board_a, "Laptops are too slow.", category="systems")
    escalate_issue(issue=done, to=world.north)
    answer_issue(
        issue=done, status=VoiceIssue.Status.DONE, answer="New laptops.", answered_by=world.leader
    )
    hidden = raise_on(board_a, "Something else.", category="other")
    escalate_issue(issue=hidden, to=world.north)
    hide_issue(issue=hidden, reason="It named a person.", hidden_by=world.leader)
    assert send_escalation_notices(today=TODAY) == 0
    assert mail.outbox == []


def test_it_tells_everyone_holding_a_role_at_the_unit(world, board_a, raise_on):
    second = make_member(world.north, Role.LEADER)
    make_member(world.team_b, Role.TEAM_MANAGER)  # below the unit: not told
    issue = raise_on(board_a)
    escalate_issue(issue=issue, to=world.north)
    send_escalation_notices(today=TODAY)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.leader.email, second.email])


def test_it_runs_as_the_scheduled_job_twice_sending_once(world, board_a, raise_on):
    issue = raise_on(board_a)
    escalate_issue(issue=issue, to=world.north)
    with time_machine.travel(datetime(2026, 11, 30, 7, 5, tzinfo=ZoneInfo("Europe/London"))):
        call_command("run_scheduled_jobs", "voice-escalation-notices")
        call_command("run_scheduled_jobs", "voice-escalation-notices")
    assert len(mail.outbox) == 1
