"""Before and after: the latest results that exist for the action's unit."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from actions.selectors import before_after
from actions.services import create_action
from diagnostics.models import Domain
from diagnostics.services import close_cycle
from organisations.access import reach_of


def test_it_compares_with_the_latest_shown_results_and_names_the_newer_hidden_ones(
    world, make_cycle, respond, client_for
):
    today = timezone.localdate()
    spring = make_cycle(
        unit=world.team_c, name="Spring", opens_on=today - timedelta(days=200), closes_on=today
    )
    respond(spring, world.team_c, 6, value=2)
    close_cycle(cycle=spring)
    autumn = make_cycle(
        unit=world.team_c, name="Autumn", opens_on=today - timedelta(days=90), closes_on=today
    )
    respond(autumn, world.team_c, 6, value=5)
    close_cycle(cycle=autumn)
    winter = make_cycle(unit=world.team_c, name="Winter")  # just opened: 2 responses so far
    respond(winter, world.team_c, 2, value=1)
    action = create_action(
        unit=world.team_c,
        domain=Domain.objects.get(code="WL"),
        cycle=spring,
        title="Cap caseloads",
        owner=world.org_admin,
        due_on=today,
        created_by=world.org_admin,
    )
    comparison = before_after(action, reach=reach_of(world.org_admin), today=today)
    assert comparison.before is not None
    assert comparison.before.shown
    assert comparison.after is not None
    assert comparison.after.label == "Autumn"
    assert comparison.after.shown
    assert comparison.skipped == ("Winter",)
    assert comparison.change is not None
    assert comparison.change.direction == "up"
    html = client_for(world.org_admin).get(reverse("actions:detail", args=[action.pk]))
    text = html.content.decode()
    assert "Compared with Autumn, the latest results shown for this unit" in text
    assert "Winter are not shown yet" in text


def test_it_shows_the_newest_hidden_result_when_none_since_is_shown(world, make_cycle, respond):
    today = timezone.localdate()
    spring = make_cycle(
        unit=world.team_c, name="Spring", opens_on=today - timedelta(days=200), closes_on=today
    )
    respond(spring, world.team_c, 6, value=2)
    winter = make_cycle(unit=world.team_c, name="Winter")
    respond(winter, world.team_c, 2, value=1)
    action = create_action(
        unit=world.team_c,
        domain=Domain.objects.get(code="WL"),
        cycle=spring,
        title="Cap caseloads",
        owner=world.org_admin,
        due_on=today,
        created_by=world.org_admin,
    )
    comparison = before_after(action, reach=reach_of(world.org_admin), today=today)
    assert comparison.after is not None
    assert comparison.after.label == "Winter"
    assert not comparison.after.shown
    assert comparison.after.hidden == "fewer than 5 responses"
    assert comparison.skipped == ()
