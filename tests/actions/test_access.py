"""Which actions a person may see: those of units in their reach, and those escalated to one."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.access import actions_visible_to
from actions.models import Action
from actions.services import create_action, escalate_action
from diagnostics.models import Domain
from organisations.access import reach_of


def by_the_path_rule(reach) -> set[int]:
    """The actions of units in reach or escalated to one, worked out unit by unit."""
    return {
        action.pk
        for action in Action.objects.select_related("unit", "escalated_to")
        if reach.reaches(action.unit)
        or (action.escalated_to is not None and reach.reaches(action.escalated_to))
    }


def test_it_shows_each_role_the_actions_in_its_reach_and_escalated_to_it(world):
    domain = Domain.objects.get(code="WL")
    made = {}
    for name, unit, owner in (
        ("team a", world.team_a, world.team_manager),
        ("team c", world.team_c, world.org_admin),
        ("other", world.other_units["Other Team"], world.outsider),
    ):
        made[name] = create_action(
            unit=unit,
            domain=domain,
            title=f"Act in {name}",
            owner=owner,
            due_on=timezone.localdate(),
            created_by=owner,
        )
    escalate_action(action=made["team c"], to=world.units["Children's Services"])

    for person in (world.org_admin, world.leader, world.team_manager, world.outsider):
        reach = reach_of(person)
        assert set(actions_visible_to(reach).values_list("pk", flat=True)) == by_the_path_rule(
            reach
        )
    assert set(actions_visible_to(reach_of(world.org_admin))) == {made["team a"], made["team c"]}
    assert set(actions_visible_to(reach_of(world.leader))) == {made["team a"]}


def test_it_reads_an_organisation_admins_actions_without_the_units(world):
    with CaptureQueriesContext(connection) as context:
        list(actions_visible_to(reach_of(world.org_admin)))
    assert "organisations_unit" not in context.captured_queries[-1]["sql"]
