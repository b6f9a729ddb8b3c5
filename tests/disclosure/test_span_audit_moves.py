"""The span audit (`test_span_audit.py`) over histories: two full diagnostics with pulses run
by different units and a team moved between them, and cycles read before and after a move. A
module of its own so that its minutes run on one worker while the rest of the audit runs on the
other."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from diagnostics.models import Cycle
from diagnostics.services import close_cycle, move_unit
from organisations.access import forget_reach, reach_of
from organisations.models import Organisation, Role, Unit
from tests.disclosure.audit import collect, violations
from tests.disclosure.test_span_audit import (
    ROLES,
    answer,
    found_for,
    new_organisation,
    open_new_cycle,
)
from tests.factories import make_member, make_units

# Minutes of work: scheduled before the other modules (tests/conftest.py).
pytestmark = pytest.mark.long


@st.composite
def two_diagnostics(draw):
    """Two services of one to three teams: a full diagnostic, pulses run by different units (so
    a pool's pulses ask different statements), and perhaps a team moved to the other service
    before a second full diagnostic, whose page then draws the first's result beside its own."""
    services = draw(st.lists(st.integers(1, 3), min_size=2, max_size=2))
    teams = [f"Team {s}.{t}" for s, n in enumerate(services) for t in range(n)]
    sizes = st.lists(st.integers(0, 9), min_size=len(teams), max_size=len(teams))
    runners = st.sampled_from(["root", "Service 0", "Service 1", *teams])
    pulses = draw(
        st.lists(
            st.tuples(
                runners, st.lists(st.integers(0, 6), min_size=len(teams), max_size=len(teams))
            ),
            min_size=2,
            max_size=3,
        )
    )
    return (
        draw(st.integers(3, 5)),
        services,
        teams,
        draw(sizes),
        pulses,
        draw(st.booleans()),
        draw(sizes),
    )


def _runs_for(team: str, runner: str) -> bool:
    if runner == "root":
        return True
    if runner.startswith("Service"):
        return team.startswith(f"Team {runner.split()[1]}.")
    return team == runner


@pytest.mark.django_db
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=two_diagnostics())
def test_it_lets_no_viewer_derive_a_small_group_across_diagnostics_pools_and_a_move(data):
    # From an attack helper's run: the earlier result drawn beside each domain is a figure too.
    k, services, teams, first, pulses, move, second = data
    organisation = new_organisation(k)
    spec = {f"Service {s}": [f"Team {s}.{t}" for t in range(n)] for s, n in enumerate(services)}
    units = make_units(organisation, spec)
    earlier = open_new_cycle(units["root"], Cycle.Kind.FULL)
    for team, n in zip(teams, first, strict=True):
        for index in range(n):
            answer(earlier, units[team], role=ROLES[index % 3])
    for number, (runner, counts) in enumerate(pulses):
        pulse = open_new_cycle(units[runner], Cycle.Kind.PULSE, days_from_now=7 * number)
        for team, n in zip(teams, counts, strict=True):
            for index in range(n if _runs_for(team, runner) else 0):
                answer(pulse, units[team], role=ROLES[index % 3])
    if move:  # as the site moves units: the cycles opened so far keep Team 0.0 where it was
        move_unit(unit=units["Team 0.0"], new_parent=units["Service 1"])
    later = open_new_cycle(units["root"], Cycle.Kind.FULL, days_from_now=1)
    for team, n in zip(teams, second, strict=True):
        for index in range(n):
            answer(later, Unit.objects.get(pk=units[team].pk), role=ROLES[index % 3])
    viewers = [
        make_member(units["root"], Role.ORG_ADMIN),
        make_member(units["Service 0"], Role.LEADER),
        make_member(units["Service 1"], Role.LEADER),
        make_member(units["Team 0.0"], Role.TEAM_MANAGER),
    ]
    for viewer in viewers:
        assert found_for(organisation, viewer, expect_figures=False) == []


@st.composite
def moves_after_opening(draw):
    """Two services of one to three teams, a closed full diagnostic and an open pulse, and a
    team of the first service, or the whole first service, moved into the second."""
    services = draw(st.lists(st.integers(1, 3), min_size=2, max_size=2))
    teams = [f"Team {s}.{t}" for s, n in enumerate(services) for t in range(n)]
    sizes = st.lists(st.integers(0, 9), min_size=len(teams), max_size=len(teams))
    return (
        draw(st.integers(3, 5)),
        services,
        teams,
        draw(sizes),
        draw(sizes),
        draw(st.sampled_from(["Team 0.0", "Service 0"])),
    )


@pytest.mark.django_db
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=moves_after_opening())
# The review's case (thirty-second session): Team 0.0's 3 read as Service 0's 23 less its 20,
# in the closed diagnostic; and the same in the open pulse.
@example(
    data=(
        5,
        [3, 1],
        ["Team 0.0", "Team 0.1", "Team 0.2", "Team 1.0"],
        [3, 12, 8, 6],
        [0, 0, 0, 0],
        "Team 0.0",
    )
)
@example(
    data=(
        5,
        [3, 1],
        ["Team 0.0", "Team 0.1", "Team 0.2", "Team 1.0"],
        [0, 0, 0, 0],
        [3, 12, 8, 0],
        "Team 0.0",
    )
)
def test_it_lets_no_viewer_derive_a_small_group_from_cycles_read_before_and_after_a_move(data):
    """Everything each viewer can obtain before a move and after it, taken together: a cycle
    read on the tree after the move would differ from its reading before by the moved unit's
    part, and its siblings' decisions."""
    k, services, teams, full, pulse_counts, moved = data
    organisation = new_organisation(k)
    spec = {f"Service {s}": [f"Team {s}.{t}" for t in range(n)] for s, n in enumerate(services)}
    units = make_units(organisation, spec)
    diagnostic = open_new_cycle(units["root"], Cycle.Kind.FULL)
    pulse = open_new_cycle(units["Service 0"], Cycle.Kind.PULSE)
    for cycle, counts in ((diagnostic, full), (pulse, pulse_counts)):
        for team, n in zip(teams, counts, strict=True):
            for index in range(n if cycle is diagnostic or team.startswith("Team 0.") else 0):
                answer(cycle, units[team], role=ROLES[index % 3])
    close_cycle(cycle=diagnostic)
    viewers = [
        make_member(units["root"], Role.ORG_ADMIN),
        make_member(units["Service 0"], Role.LEADER),
        make_member(units["Service 1"], Role.LEADER),
        make_member(units["Team 0.0"], Role.TEAM_MANAGER),
    ]
    before = [_released_to(organisation, viewer) for viewer in viewers]
    move_unit(unit=units[moved], new_parent=units["Service 1"])
    after = [_released_to(organisation, viewer) for viewer in viewers]
    for seen_before, seen_after in zip(before, after, strict=True):
        assert violations(seen_before + seen_after, k=k) == []


def _released_to(organisation: Organisation, user) -> list:
    forget_reach(user)
    client = Client()
    client.force_login(user)
    return collect(
        organisation=organisation, reach=reach_of(user), client=client, today=timezone.localdate()
    ).released
