"""Helpers the dashboards share (dashboards/common.py)."""

from __future__ import annotations

from dashboards.common import teams_under
from diagnostics.models import Invite
from diagnostics.services import issue_invites


def test_it_counts_a_units_teams_rows_with_or_without_matching_paths(world, make_cycle):
    cycle = make_cycle(unit=world.root)
    for team, count in ((world.team_a, 3), (world.team_b, 4), (world.team_c, 5)):
        issue_invites(cycle=cycle, team=team, count=count)

    def counted(unit) -> tuple[int, int]:
        codes = Invite.objects.filter(cycle=cycle)
        return (
            codes.filter(teams_under(unit, "team__")).count(),
            codes.filter(team__path__startswith=unit.path).count(),
        )

    assert counted(world.root) == (12, 12)
    assert counted(world.north) == (7, 7)
    assert counted(world.team_c) == (5, 5)
    assert "path" not in str(teams_under(world.root, "team__"))
