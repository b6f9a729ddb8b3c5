"""Synthetic but realistic survey responses for the demo organisation.

Every response goes through `diagnostics.services.submit_response`, with a real one-time code,
so the demo stores exactly the rows a staff member's submission would.

Each team has a *pressure* between 0 and 1 that stands for its structural load (vacancies,
caseloads, agency reliance). Teams under more pressure answer lower, above all on workload and
wellbeing; one team ("Assessment South") gets a caseload cap after the spring diagnostic and
improves. The same pressures drive the demo's structural figures, so the structural lens finds
the association a leader would expect.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from diagnostics.models import Cycle, RoleGroup, ServiceLength, WorkingPattern
from diagnostics.selectors import latest_version_for, survey_statements
from diagnostics.services import (
    NOT_APPLICABLE,
    close_cycle,
    create_cycle,
    issue_invites,
    open_cycle,
    submit_response,
)
from diagnostics.structural_data import save_figures
from diagnostics.survey import SurveyStatement
from organisations.models import Organisation, Unit

IMPROVING_TEAM = "Assessment South"


@dataclass(frozen=True)
class TeamProfile:
    headcount: int
    pressure: float  # 0 (well resourced) to 1 (under severe structural pressure)
    improved_pressure: float | None = None  # after the spring diagnostic, if it changed


PROFILES: dict[str, TeamProfile] = {
    "Assessment North": TeamProfile(16, 0.70),
    "Child Protection North": TeamProfile(14, 0.80),
    "Family Support North": TeamProfile(12, 0.30),
    "Assessment South": TeamProfile(15, 0.85, improved_pressure=0.35),
    "Child Protection South": TeamProfile(13, 0.60),
    "Looked After Children": TeamProfile(12, 0.45),
    "Care Leavers": TeamProfile(9, 0.25),
    "Fostering": TeamProfile(6, 0.20),
    "Hospital Discharge": TeamProfile(11, 0.65),
    "Reablement": TeamProfile(10, 0.15),
    "Adults East": TeamProfile(14, 0.50),
    "Adults West": TeamProfile(13, 0.35),
    "Learning Disabilities": TeamProfile(10, 0.10),
}

# How each domain's typical score (1–6, higher is better) falls as pressure rises.
DOMAIN_BASE = {
    "WL": (4.9, 2.9),
    "SUP": (4.8, 1.8),
    "SAF": (4.7, 1.4),
    "SYS": (3.4, 0.5),  # the case recording system is a problem everywhere
    "SB": (5.0, 1.0),
    "APP": (4.3, 1.3),
    "LRN": (4.4, 1.3),
    "MIS": (3.9, 0.8),
    "WB": (4.8, 2.6),
}

COMMENTS = [
    "Caseloads have not come down since the last survey. We need more permanent staff.",
    "Supervision keeps being moved because of court work.",
    "The recording system crashes when you save a long assessment.",
    "The new duty rota has made a real difference this year.",
    "We need somewhere private to make calls in the office.",
    "Lone working arrangements after 6pm are unclear.",
    "Good support from the team, but the pace is not sustainable.",
    "Please explain the restructure before it happens, not after.",
    "Training keeps getting cancelled when we are short-staffed.",
    "Laptops are slow and the VPN drops on home visits.",
]


def pressure_at(profile: TeamProfile, *, after_spring: bool) -> float:
    if after_spring and profile.improved_pressure is not None:
        return profile.improved_pressure
    return profile.pressure


def _clip(value: float) -> int:
    return max(1, min(6, round(value)))


def _answers(
    rng: random.Random,
    statements: list[SurveyStatement],
    pressure: float,
    offsets: dict[str, float],
) -> dict[str, int]:
    person = rng.gauss(0, 0.55)
    answers: dict[str, int] = {}
    for statement in statements:
        if rng.random() < 0.03:
            answers[statement.code] = NOT_APPLICABLE
            continue
        top, fall = DOMAIN_BASE[statement.domain_code]
        typical = top - fall * pressure + offsets.get(statement.domain_code, 0.0)
        score = _clip(typical + person + rng.gauss(0, 0.7))
        answers[statement.code] = 7 - score if statement.reverse_scored else score
    return answers


def _about(rng: random.Random) -> dict[str, str]:
    about: dict[str, str] = {}
    if rng.random() < 0.85:
        about["role_group"] = rng.choices(
            [RoleGroup.PRACTITIONER, RoleGroup.SENIOR, RoleGroup.MANAGER, RoleGroup.SUPPORT],
            weights=[60, 20, 8, 12],
        )[0]
    if rng.random() < 0.8:
        about["service_length"] = rng.choice(
            [
                ServiceLength.UNDER_1,
                ServiceLength.FROM_1_TO_2,
                ServiceLength.FROM_2_TO_5,
                ServiceLength.FROM_5_TO_10,
                ServiceLength.OVER_10,
            ]
        )
    if rng.random() < 0.8:
        about["working_pattern"] = rng.choices(
            [WorkingPattern.FULL_TIME, WorkingPattern.PART_TIME, WorkingPattern.AGENCY],
            weights=[70, 18, 12],
        )[0]
    return about


def _collect(
    rng: random.Random,
    cycle: Cycle,
    teams: list[Unit],
    *,
    response_rate: float,
    after_spring: bool,
    submit_by: date,
) -> int:
    statements = survey_statements(cycle)
    stored = 0
    for team in teams:
        profile = PROFILES.get(team.name, TeamProfile(10, 0.5))
        respondents = sum(rng.random() < response_rate for _ in range(profile.headcount))
        codes = issue_invites(
            cycle=cycle, team=team, count=profile.headcount, today=cycle.opens_on
        )[:respondents]
        span = max(0, (min(cycle.closes_on, submit_by) - cycle.opens_on).days)
        # Each team has its own local strengths and weaknesses beyond its structural load.
        offsets = {code: rng.gauss(0, 0.35) for code in DOMAIN_BASE}
        for code in codes:
            day = cycle.opens_on + timedelta(days=rng.randint(0, span))
            submit_response(
                code=code,
                answers=_answers(
                    rng, statements, pressure_at(profile, after_spring=after_spring), offsets
                ),
                about=_about(rng),
                comment=rng.choice(COMMENTS) if rng.random() < 0.15 else "",
                today=day,
            )
            stored += 1
    return stored


def figures_for_pressure(rng: random.Random, pressure: float) -> dict[str, Decimal]:
    """Structural figures that go with a team's pressure, with some noise."""

    def noisy(base: float, spread: float, low: float, high: float) -> Decimal:
        value = min(high, max(low, base + rng.gauss(0, spread)))
        return Decimal(f"{value:.1f}")

    return {
        "caseload": noisy(13 + 15 * pressure, 3.0, 4, 60),
        "vacancy_rate": noisy(4 + 24 * pressure, 5.0, 0, 60),
        "agency_share": noisy(3 + 20 * pressure, 5.0, 0, 60),
        "supervision_held": noisy(97 - 38 * pressure, 8, 20, 100),
        "turnover": noisy(7 + 18 * pressure, 5.0, 0, 60),
        "sickness_days": noisy(6 + 9 * pressure, 2.5, 1, 40),
        "incidents": noisy(0.6 + 3.5 * pressure, 1.0, 0, 20),
        "recording_hours": noisy(9 + 8 * pressure, 2.0, 2, 30),
    }


def record_figures(rng: random.Random, cycle: Cycle, teams: list[Unit], *, after: bool) -> None:
    for team in teams:
        profile = PROFILES.get(team.name, TeamProfile(10, 0.5))
        save_figures(
            cycle=cycle,
            team=team,
            values={
                "headcount": profile.headcount,
                **figures_for_pressure(rng, pressure_at(profile, after_spring=after)),
            },
            user=None,
        )


@dataclass(frozen=True)
class DemoCycles:
    spring: Cycle
    autumn: Cycle
    pulses: list[Cycle]


def build_cycles(organisation: Organisation, root: Unit, *, today: date) -> DemoCycles:
    """Two past full diagnostics and monthly pulses, the newest still open."""
    rng = random.Random(2026)
    instrument = latest_version_for(organisation)
    teams = list(Unit.objects.within(root).teams().order_by("path"))

    def run(kind: str, name: str, opens: date, days: int, rate: float, after: bool) -> Cycle:
        closes = opens + timedelta(days=days)
        cycle = create_cycle(
            unit=root,
            kind=kind,
            instrument=instrument,
            name=name,
            opens_on=opens,
            closes_on=closes,
            created_by=None,
        )
        open_cycle(cycle=cycle, today=opens)
        _collect(rng, cycle, teams, response_rate=rate, after_spring=after, submit_by=today)
        if kind == Cycle.Kind.FULL:
            record_figures(rng, cycle, teams, after=after)
        if closes < today:
            close_cycle(cycle=cycle)
        return cycle

    spring_opens = today - timedelta(days=266)
    autumn_opens = today - timedelta(days=70)
    spring = run(
        Cycle.Kind.FULL, f"Spring {spring_opens:%Y} diagnostic", spring_opens, 25, 0.8, False
    )
    pulses = []
    opens = spring_opens + timedelta(days=45)
    while opens + timedelta(days=14) < autumn_opens:
        pulses.append(run(Cycle.Kind.PULSE, f"Pulse {opens:%B %Y}", opens, 14, 0.55, True))
        opens += timedelta(days=30)
    autumn = run(
        Cycle.Kind.FULL, f"Autumn {autumn_opens:%Y} diagnostic", autumn_opens, 25, 0.8, True
    )
    opens = autumn_opens + timedelta(days=35)
    while opens <= today - timedelta(days=2):
        pulses.append(run(Cycle.Kind.PULSE, f"Pulse {opens:%B %Y}", opens, 14, 0.55, True))
        opens += timedelta(days=28)
    return DemoCycles(spring=spring, autumn=autumn, pulses=pulses)
