"""The daily action notices: due soon and overdue to the owner, escalations to the people who
run the unit that owns the lever. Entry points run with a frozen clock (Europe/London)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from actions.models import Action
from actions.services import (
    ACTION_DUE_SOON_DAYS,
    create_action,
    escalate_action,
    send_action_notices,
    update_action,
)
from actions.tasks import send_action_notices as send_action_notices_task
from diagnostics.models import Domain
from organisations.models import Membership, Role
from organisations.services import remove_membership
from tests.factories import make_member

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 11, 30)  # a Monday


def _action(world, *, due_on: date, owner=None, title="Share duty fairly", unit=None) -> Action:
    return create_action(
        unit=unit or world.team_a,
        domain=Domain.objects.get(code="WL"),
        title=title,
        owner=owner or world.team_manager,
        due_on=due_on,
        created_by=world.team_manager,
    )


def _to(address: str) -> list[object]:
    return [m.subject for m in mail.outbox if m.to == [address]]


def test_it_tells_the_owner_once_when_an_action_is_due_soon(world):
    action = _action(world, due_on=TODAY + timedelta(days=ACTION_DUE_SOON_DAYS))
    assert send_action_notices(today=TODAY) == 1
    assert send_action_notices(today=TODAY) == 0
    assert send_action_notices(today=TODAY + timedelta(days=1)) == 0
    (message,) = mail.outbox
    assert message.to == [world.team_manager.email]
    assert message.subject == "Due 7 December: Share duty fairly"
    assert "is due on Monday 7 December 2026" in message.body
    assert "http://testserver" + reverse("actions:detail", args=[action.pk]) in message.body


def test_it_says_nothing_about_an_action_due_later_than_the_lead(world):
    _action(world, due_on=TODAY + timedelta(days=ACTION_DUE_SOON_DAYS + 1))
    assert send_action_notices(today=TODAY) == 0
    assert mail.outbox == []


def test_it_tells_the_owner_once_when_an_action_becomes_overdue(world):
    _action(world, due_on=TODAY + timedelta(days=2))
    send_action_notices(today=TODAY)
    assert send_action_notices(today=TODAY + timedelta(days=2)) == 0  # due today: not overdue
    assert send_action_notices(today=TODAY + timedelta(days=3)) == 1
    assert send_action_notices(today=TODAY + timedelta(days=4)) == 0
    assert _to(world.team_manager.email) == [
        "Due 2 December: Share duty fairly",
        "Overdue: Share duty fairly",
    ]
    assert "was due on Wednesday 2 December 2026 and is still planned" in mail.outbox[1].body


def test_it_sends_a_fresh_notice_when_the_due_date_changes(world):
    action = _action(world, due_on=TODAY - timedelta(days=1))
    send_action_notices(today=TODAY)
    update_action(
        action=action,
        status=Action.Status.IN_PROGRESS,
        owner=world.team_manager,
        due_on=TODAY + timedelta(days=5),
        notes="",
    )
    assert send_action_notices(today=TODAY) == 1
    assert send_action_notices(today=TODAY + timedelta(days=6)) == 1
    subjects = [m.subject.split(":")[0] for m in mail.outbox]
    assert subjects == ["Overdue", "Due 5 December", "Overdue"]


@pytest.mark.parametrize("status", [Action.Status.DONE, Action.Status.DROPPED])
def test_it_sends_nothing_about_done_or_dropped_actions(world, status):
    action = _action(world, due_on=TODAY - timedelta(days=3))
    escalate_action(action=action, to=world.north)
    update_action(
        action=action,
        status=status,
        owner=world.team_manager,
        due_on=action.due_on,
        notes="",
        dropped_reason="Not needed now.",
    )
    assert send_action_notices(today=TODAY) == 0
    assert mail.outbox == []


def test_it_does_not_tell_an_owner_who_no_longer_holds_a_role(world):
    owner = make_member(world.team_b, Role.TEAM_MANAGER)
    _action(world, due_on=TODAY, owner=owner, unit=world.team_b)
    remove_membership(membership=Membership.objects.get(user=owner), actor=world.org_admin)
    assert send_action_notices(today=TODAY) == 0


def test_it_tells_the_people_who_run_the_unit_an_action_was_escalated_to(world):
    other_north_leader = make_member(world.north, Role.LEADER)
    action = _action(world, due_on=TODAY + timedelta(days=30))
    escalate_action(action=action, to=world.north)
    assert send_action_notices(today=TODAY) == 2
    assert send_action_notices(today=TODAY) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.leader.email, other_north_leader.email]
    )
    message = mail.outbox[0]
    assert message.subject == "Escalated to Locality North: Share duty fairly"
    assert "An action for Team A was escalated to Locality North" in message.body
    assert reverse("actions:detail", args=[action.pk]) in message.body
    # Nobody above or beside the unit hears of it, nor the owner (the action is not due yet).
    assert world.org_admin.email not in [m.to[0] for m in mail.outbox]
    assert world.team_manager.email not in [m.to[0] for m in mail.outbox]


def test_it_tells_the_next_unit_when_an_action_is_escalated_further(world):
    action = _action(world, due_on=TODAY + timedelta(days=30))
    escalate_action(action=action, to=world.north)
    send_action_notices(today=TODAY)
    escalate_action(action=action, to=world.root)
    assert send_action_notices(today=TODAY) == 1
    assert mail.outbox[-1].to == [world.org_admin.email]


def test_it_tells_the_leaders_above_when_nobody_holds_a_role_at_the_unit(world):
    action = _action(world, due_on=TODAY + timedelta(days=30))
    escalate_action(action=action, to=world.units["Children's Services"])
    assert send_action_notices(today=TODAY) == 1
    assert mail.outbox[0].to == [world.org_admin.email]


def test_it_tells_the_unit_it_was_escalated_to_when_the_action_becomes_overdue(world):
    action = _action(world, due_on=TODAY + timedelta(days=30))
    escalate_action(action=action, to=world.north)
    send_action_notices(today=TODAY)
    later = TODAY + timedelta(days=31)
    assert send_action_notices(today=later) == 2  # the owner's overdue, and the leader's
    assert send_action_notices(today=later) == 0
    assert _to(world.leader.email) == [
        "Escalated to Locality North: Share duty fairly",
        "Overdue, escalated to Locality North: Share duty fairly",
    ]
    assert _to(world.team_manager.email)[-1] == "Overdue: Share duty fairly"


def test_it_writes_each_notice_in_the_language_its_reader_chose(world):
    """The owner chose Welsh; the leader told of the escalation chose nothing, so reads English,
    even when the job runs inside somebody's Welsh request (no queue configured)."""
    world.team_manager.language = "cy"
    world.team_manager.save(update_fields=["language"])
    action = _action(world, due_on=TODAY - timedelta(days=1))
    escalate_action(action=action, to=world.north)
    with translation.override("cy"):
        assert send_action_notices(today=TODAY) == 3
    (owner,) = [m for m in mail.outbox if m.to == [world.team_manager.email]]
    assert owner.subject == "Yn hwyr: Share duty fairly"
    assert owner.body.startswith("Helo ")
    assert "Roedd y cam gweithredu sy’n eiddo i chi" in owner.body
    assert "Dydd Sul 29 Tachwedd 2026" in owner.body
    assert "wedi’i gynllunio" in owner.body
    assert _to(world.leader.email) == [
        "Escalated to Locality North: Share duty fairly",
        "Overdue, escalated to Locality North: Share duty fairly",
    ]
    assert reverse("actions:detail", args=[action.pk]) in owner.body


def test_it_runs_as_the_scheduled_job_on_the_date_in_london(world):
    """23:30 UTC on 30 June is already 1 July in London (BST): an action due on 30 June is
    overdue then, though the UTC date is still 30 June."""
    _action(world, due_on=date(2026, 6, 30))
    with time_machine.travel(datetime(2026, 6, 30, 22, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        call_command("run_scheduled_jobs", "action-notices")  # 23:30 in London: 30 June
        assert _to(world.team_manager.email) == ["Due 30 June: Share duty fairly"]
    with time_machine.travel(datetime(2026, 6, 30, 23, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        call_command("run_scheduled_jobs", "action-notices")  # 00:30 in London: 1 July
        call_command("run_scheduled_jobs", "action-notices")
    assert _to(world.team_manager.email) == [
        "Due 30 June: Share duty fairly",
        "Overdue: Share duty fairly",
    ]


def test_it_takes_the_date_as_an_iso_string_from_the_queue(world):
    _action(world, due_on=TODAY)
    assert send_action_notices_task.delay(TODAY.isoformat()).get() == 1
    assert send_action_notices_task.delay(TODAY.isoformat()).get() == 0


def test_it_reads_the_ledger_once_whatever_the_number_of_actions(
    world, django_assert_max_num_queries
):
    for number in range(20):
        action = _action(world, due_on=TODAY - timedelta(days=1), title=f"Action {number}")
        escalate_action(action=action, to=world.north)
    send_action_notices(today=TODAY)
    assert len(mail.outbox) == 60  # owner's overdue, leader's escalation and escalated overdue
    with django_assert_max_num_queries(4):  # actions, people running units, ledger (no sends)
        assert send_action_notices(today=TODAY) == 0
