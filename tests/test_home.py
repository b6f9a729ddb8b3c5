"""The signed-in home page: what is waiting for the person, within their reach."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from actions.services import create_action
from diagnostics.models import Cycle, Domain
from diagnostics.selectors import latest_version_for
from diagnostics.services import create_cycle, open_cycle
from voice.models import VoiceIssue
from voice.services import board_for, raise_issue


def open_now(unit, kind, name):
    today = timezone.localdate()
    cycle = create_cycle(
        unit=unit,
        kind=kind,
        instrument=latest_version_for(unit.organisation),
        name=name,
        opens_on=today,
        closes_on=today + timedelta(days=14),
        created_by=None,
    )
    return open_cycle(cycle=cycle)


def test_it_shows_open_cycles_own_actions_and_unanswered_issues_in_reach(
    world, client_for, django_assert_max_num_queries
):
    pulse = open_now(world.team_a, Cycle.Kind.PULSE, "March pulse")
    second = open_now(world.team_a, Cycle.Kind.FULL, "Team A diagnostic")
    open_now(world.team_c, Cycle.Kind.FULL, "South only")
    past = open_now(world.team_a, Cycle.Kind.FULL, "Past its date")
    past.opens_on = timezone.localdate() - timedelta(days=30)
    past.closes_on = timezone.localdate() - timedelta(days=1)
    past.save()  # still "open": nobody closed it, but its date has passed
    action = create_action(
        unit=world.team_a,
        domain=Domain.objects.get(code="WL"),
        title="Share duty fairly",
        owner=world.team_manager,
        due_on=timezone.localdate() + timedelta(days=3),
        created_by=world.team_manager,
    )
    action.due_on = timezone.localdate() - timedelta(days=1)
    action.save()
    for title in ("Protect supervision", "Fix laptops"):
        create_action(
            unit=world.team_a,
            domain=Domain.objects.get(code="SB"),
            title=title,
            owner=world.team_manager,
            due_on=timezone.localdate() + timedelta(days=9),
            created_by=world.team_manager,
        )
    raise_issue(
        board=board_for(world.team_a), category=VoiceIssue.Category.SYSTEMS, text="Laptops freeze"
    )
    client = client_for(world.team_manager)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("home"))
    assert page.context["open_cycles"] == [pulse, second]  # not the other locality's, not past
    assert page.context["my_actions"][0] == (action, True)
    assert len(page.context["my_actions"]) == 3
    assert page.context["unanswered_issues"] == 1
    html = page.content.decode()
    assert "overdue since" in html
    assert "1 issue raised by staff is waiting for an answer" in html

    outsider = client_for(world.outsider).get(reverse("home"))
    assert outsider.context["open_cycles"] == []
    assert outsider.context["my_actions"] == []
    assert outsider.context["unanswered_issues"] == 0
    assert "No open action is yours" in outsider.content.decode()
