from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from diagnostics.models import Cycle
from diagnostics.selectors import latest_version_for, survey_statements
from diagnostics.services import create_cycle, issue_invites, open_cycle


@pytest.fixture
def make_cycle(world):
    def make(unit=None, kind=Cycle.Kind.FULL, opened=True, days=14, **kwargs) -> Cycle:
        today = timezone.localdate()
        cycle = create_cycle(
            unit=unit or world.north,
            kind=kind,
            instrument=latest_version_for(world.organisation),
            name=kwargs.pop("name", ""),
            opens_on=kwargs.pop("opens_on", today),
            closes_on=kwargs.pop("closes_on", today + timedelta(days=days)),
            created_by=None,
            **kwargs,
        )
        if opened:
            open_cycle(cycle=cycle)
        return cycle

    return make


@pytest.fixture
def pulses_a_week_apart(make_cycle):
    """`count` open pulses of a unit a week apart, all in one pooling period, the first opening
    `after` days from today (no responses); drafts if not `opened`."""

    def make(unit, count: int = 2, *, after: int = 0, opened: bool = True) -> list[Cycle]:
        pulses = []
        for number in range(count):
            opens = timezone.localdate() + timedelta(days=after + 7 * number)
            pulses.append(
                make_cycle(
                    unit=unit,
                    kind=Cycle.Kind.PULSE,
                    name=f"Pulse {number + 1}",
                    opens_on=opens,
                    closes_on=opens + timedelta(days=6),
                    opened=opened,
                )
            )
        return pulses

    return make


@pytest.fixture
def weekly_pulses(world, pulses_a_week_apart, respond):
    """Team A's pulses a week apart from today, all in one pooling period, each with the
    given number of responses."""

    def make(*counts: int) -> list[Cycle]:
        pulses = pulses_a_week_apart(world.team_a, len(counts))
        for pulse, count in zip(pulses, counts, strict=True):
            respond(pulse, world.team_a, count)
        return pulses

    return make


@pytest.fixture
def full_cycle(make_cycle):
    return make_cycle()


@pytest.fixture
def code(world, full_cycle) -> str:
    return issue_invites(cycle=full_cycle, team=world.team_a, count=1)[0]


def all_answers(cycle: Cycle, value: int = 4) -> dict[str, int]:
    return {s.code: value for s in survey_statements(cycle)}


@pytest.fixture
def respond():
    """Store `count` responses for a team, every statement answered with `value` (or a callable)."""
    from diagnostics.models import Response
    from diagnostics.selectors import statement_infos
    from diagnostics.services import store_answers

    def make(cycle: Cycle, team, count: int, value=4, *, on=None, about=None) -> None:
        statements = statement_infos(cycle)
        for index in range(count):
            response = Response.objects.create(
                cycle=cycle, team=team, submitted_on=on or cycle.opens_on, **(about or {})
            )
            answers = {
                s.code: (value(index, s.code) if callable(value) else value) for s in statements
            }
            store_answers(response=response, statements=statements, answers=answers)

    return make
