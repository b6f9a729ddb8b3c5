"""Which voice issues a person may see: their teams', and those escalated to a unit in reach."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisations.access import reach_of
from voice.access import issues_visible_to
from voice.models import VoiceIssue
from voice.services import board_for, escalate_issue


def by_the_path_rule(reach) -> set[int]:
    return {
        issue.pk
        for issue in VoiceIssue.objects.select_related("board__team", "escalated_to")
        if reach.reaches(issue.board.team)
        or (issue.escalated_to is not None and reach.reaches(issue.escalated_to))
    }


def test_it_shows_each_role_the_issues_in_its_reach_and_escalated_to_it(world, raise_on):
    mine = raise_on(board_for(world.team_a), "Team A's issue")
    theirs = raise_on(board_for(world.team_c), "Team C's issue")
    raise_on(board_for(world.other_units["Other Team"]), "Another council's issue")
    escalate_issue(issue=theirs, to=world.units["Children's Services"])

    for person in (world.org_admin, world.leader, world.team_manager, world.outsider):
        reach = reach_of(person)
        assert set(issues_visible_to(reach).values_list("pk", flat=True)) == by_the_path_rule(reach)
    assert set(issues_visible_to(reach_of(world.org_admin))) == {mine, theirs}
    assert set(issues_visible_to(reach_of(world.leader))) == {mine}


def test_it_reads_an_organisation_admins_issues_without_the_units_paths(world, raise_on):
    raise_on(board_for(world.team_a))
    with CaptureQueriesContext(connection) as context:
        list(issues_visible_to(reach_of(world.org_admin)))
    assert "LIKE" not in context.captured_queries[-1]["sql"].upper()
