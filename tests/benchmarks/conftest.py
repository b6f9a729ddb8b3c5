"""Organisations taking part in the benchmark, each with a closed full diagnostic whose every
domain mean is exactly a chosen score (reverse-scored statements are answered the other way)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from diagnostics.models import Cycle, Response
from diagnostics.selectors import latest_version_for, statement_infos
from diagnostics.services import close_cycle, create_cycle, open_cycle, store_answers
from organisations.models import Organisation, Unit
from tests.factories import make_organisation, make_units

CLOSES_ON = date(2026, 3, 20)  # in the period 2026-H1


@dataclass
class Built:
    organisation: Organisation
    units: dict[str, Unit]
    cycle: Cycle


def answer_all(cycle: Cycle, team: Unit, count: int, score: int) -> None:
    """`count` responses from the team, every statement scoring `score` (1–6)."""
    statements = statement_infos(cycle)
    for _ in range(count):
        response = Response.objects.create(cycle=cycle, team=team, submitted_on=cycle.opens_on)
        store_answers(
            response=response,
            statements=statements,
            answers={s.code: (7 - score if s.reverse_scored else score) for s in statements},
        )


@pytest.fixture
def build_org(db):
    """An organisation taking part, with a service of teams; `teams` maps a team's name to
    (responses, score). Its full diagnostic across the organisation is closed."""
    made = {"n": 0}

    def build(
        name: str = "",
        teams: dict[str, tuple[int, int]] | None = None,
        *,
        score: int = 4,
        opt_in: bool = True,
        kind: str = "",
        size_band: str = "",
        closes_on: date = CLOSES_ON,
        compare_with: str = "all",
    ) -> Built:
        made["n"] += 1
        name = name or f"Council {made['n']}"
        organisation = make_organisation(name, f"council-{made['n']}")
        Organisation.objects.filter(pk=organisation.pk).update(
            benchmark_opt_in=opt_in,
            kind=kind,
            size_band=size_band,
            benchmark_compare_with=compare_with,
        )
        organisation.refresh_from_db()
        teams = teams or {"Team 1": (5, score), "Team 2": (5, score)}
        units = make_units(organisation, {"Service": list(teams)})
        today = timezone.localdate()
        cycle = create_cycle(
            unit=units["root"],
            kind=Cycle.Kind.FULL,
            instrument=latest_version_for(organisation),
            name=f"{name} diagnostic",
            opens_on=today,
            closes_on=today + timedelta(days=14),
            created_by=None,
        )
        open_cycle(cycle=cycle)
        for team, (count, team_score) in teams.items():
            answer_all(cycle, units[team], count, team_score)
        close_cycle(cycle=cycle)
        # Dated into the period the test asks for (a cycle cannot open after it closes).
        Cycle.objects.filter(pk=cycle.pk).update(
            opens_on=closes_on - timedelta(days=20), closes_on=closes_on
        )
        cycle.refresh_from_db()
        return Built(organisation, units, cycle)

    return build


@pytest.fixture
def five_orgs(build_org):
    """Five organisations taking part, with every mean 2, 3, 4, 5 and 6 respectively."""
    return [build_org(f"Council scoring {score}", score=score) for score in (2, 3, 4, 5, 6)]
