"""Synthetic but realistic survey responses and structural figures for the demo organisation.

Every response goes through `diagnostics.services.submit_response`, with a real one-time code,
so the demo stores exactly the rows a staff member's submission would.

How the numbers are made (a small causal model, fixed seed, so every run is the same):
1. Each team has a story (`TeamStory`): its headcount, how readily its staff answer, and its
   structural conditions at the spring and the autumn diagnostic — caseload, vacancies, agency
   share, supervision held, turnover, safety incidents, and how well its systems work.
2. Each full cycle records figures drawn around those conditions, with noise (a team manager's
   figures are a count, not the truth). Sickness is the outcome of wellbeing; recording hours
   follow the team's systems and caseload.
3. Each domain has a team-level latent mean on the 1–6 scale, driven by the figures that bear
   on it (caseload, vacancies, agency and turnover → workload and wellbeing; supervision held →
   supervision, secure base and learning; incidents → safety; systems → systems and tools),
   plus the team's own strengths and weaknesses beyond its figures (team noise).
4. Each person answers around their team's latents, with a personal tilt and per-statement
   noise, so that team means spread across the scale: some red teams, many amber, some green,
   and "urgent" (a quarter of answers red) where the latent is low.
5. The outcome statements (§12) follow each person's own view of their conditions, with noise:
   intending to stay mostly with supervision and workload (then wellbeing and secure base),
   recommending the organisation mostly with appreciation, learning and mission. They are drawn
   from a stream of their own, so every other answer is as it was before outcomes were asked.
Pulses between the diagnostics use conditions part-way from spring to autumn, so trends move
smoothly. "Assessment South" has its caseloads capped after the spring diagnostic (the action
that worked); "Adults East" keeps its restructure worries despite monthly briefings (the one
that did not).
"""

from __future__ import annotations

import random
from dataclasses import astuple, dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

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
SEED = 2026
ADULTS = "Adult Social Care"


@dataclass(frozen=True)
class Conditions:
    """A team's structural conditions (the truth behind the figures its manager records)."""

    caseload: float  # cases per full-time practitioner
    vacancy_rate: float  # %
    agency_share: float  # %
    supervision_held: float  # % of supervision held at the agreed frequency
    turnover: float  # % leaving in 12 months
    incidents: float  # safety incidents per 10 FTE a year
    systems: float  # how well devices and the recording system work: -1 (badly) to +1 (well)


@dataclass(frozen=True)
class TeamStory:
    headcount: int
    response_rate: float  # the share of invited staff who answer a full diagnostic
    spring: Conditions
    autumn: Conditions | None = None  # when it changed after the spring diagnostic


def _c(
    caseload: float,
    vacancy: float,
    agency: float,
    supervision: float,
    turnover: float,
    incidents: float,
    systems: float,
) -> Conditions:
    return Conditions(caseload, vacancy, agency, supervision, turnover, incidents, systems)


# Children's teams: a caseload of 18 is manageable. Adults' teams carry more (and their
# "manageable" is nearer 22), so their caseloads are read against that norm. The figures do not
# all move together: a manager can protect supervision under a heavy caseload (Child Protection
# South) or lose it in a quiet team (Learning Disabilities, its manager long off sick); incidents
# follow the work (child protection and care leavers in crisis), and systems follow the kit.
#                      caseload vacancy agency supervision turnover incidents systems
STORIES: dict[str, TeamStory] = {
    "Assessment North": TeamStory(16, 0.85, _c(24, 20, 24, 70, 22, 2.0, -1.0)),
    "Child Protection North": TeamStory(
        14, 0.62, _c(26, 22, 18, 60, 24, 3.6, 0.0), autumn=_c(27, 24, 22, 45, 26, 3.8, 0.0)
    ),
    "Family Support North": TeamStory(12, 0.92, _c(15, 8, 4, 88, 10, 1.5, -0.3)),
    IMPROVING_TEAM: TeamStory(
        15, 0.70, _c(27, 18, 18, 74, 20, 2.2, 0.2), autumn=_c(18, 12, 16, 80, 15, 2.0, 0.2)
    ),
    "Child Protection South": TeamStory(13, 0.45, _c(22, 14, 12, 92, 14, 3.4, 0.3)),
    "Looked After Children": TeamStory(12, 0.78, _c(17, 12, 8, 82, 13, 1.2, -0.2)),
    "Care Leavers": TeamStory(9, 0.85, _c(15, 14, 6, 70, 12, 2.6, 0.4)),
    "Fostering": TeamStory(6, 0.8, _c(13, 0, 0, 96, 5, 0.4, 0.5)),
    "Hospital Discharge": TeamStory(13, 0.45, _c(31, 20, 25, 64, 24, 1.4, -0.6)),
    "Reablement": TeamStory(10, 0.95, _c(19, 6, 5, 90, 8, 1.8, 0.8)),
    "Adults East": TeamStory(14, 0.80, _c(26, 8, 8, 80, 10, 1.0, -0.5)),
    "Adults West": TeamStory(13, 0.85, _c(22, 10, 10, 86, 12, 0.9, 0.1)),
    "Learning Disabilities": TeamStory(10, 0.90, _c(19, 6, 4, 55, 9, 1.6, 0.4)),
}
DEFAULT_STORY = TeamStory(10, 0.8, _c(20, 12, 10, 80, 14, 1.5, 0.0))

DOMAINS = ("WL", "SUP", "SAF", "SYS", "SB", "APP", "LRN", "MIS", "WB")
TEAM_NOISE = 0.25  # a team's strengths and weaknesses beyond its figures, per domain
CULTURE_NOISE = 0.2  # the team's tilt across every domain (its manager, its history)
CYCLE_NOISE = 0.08  # a team's latents wander a little from one cycle to the next
PERSON_NOISE = 0.45  # a person's tilt across every domain
PERSON_DOMAIN_NOISE = 0.3  # a person's tilt in one domain
ANSWER_NOISE = 0.6  # one answer around the person's view of the domain
STATEMENT_NOISE = 0.25  # some statements are harder to agree with than others, everywhere
ADULTS_RESTRUCTURE = -0.5  # mission and vision in Adult Social Care during its restructure
# How each outcome follows a person's views of the conditions: (intercept, weights, noise).
OUTCOME_MODELS: dict[str, tuple[float, dict[str, float], float]] = {
    "STAY": (0.7, {"SUP": 0.35, "WL": 0.3, "WB": 0.15, "SB": 0.1}, 0.8),
    "REC": (0.6, {"APP": 0.3, "LRN": 0.25, "MIS": 0.2, "SUP": 0.15}, 0.8),
}


def story_of(team: Unit) -> TeamStory:
    return STORIES.get(team.name, DEFAULT_STORY)


def conditions_at(story: TeamStory, progress: float) -> Conditions:
    """The team's conditions `progress` of the way (0–1) from the spring to the autumn
    diagnostic."""
    if story.autumn is None:
        return story.spring
    share = max(0.0, min(1.0, progress))
    pairs = zip(astuple(story.spring), astuple(story.autumn), strict=True)
    return Conditions(*(start + (end - start) * share for start, end in pairs))


def measured(rng: random.Random, conditions: Conditions) -> Conditions:
    """The figures a manager records: the conditions with noise, kept within range."""

    def noisy(value: float, spread: float, high: float) -> float:
        return min(high, max(0.0, value + rng.gauss(0, spread)))

    return Conditions(
        caseload=noisy(conditions.caseload, 1.2, 60),
        vacancy_rate=noisy(conditions.vacancy_rate, 2.5, 60),
        agency_share=noisy(conditions.agency_share, 2.5, 60),
        supervision_held=noisy(conditions.supervision_held, 4.0, 100),
        turnover=noisy(conditions.turnover, 2.5, 60),
        incidents=noisy(conditions.incidents, 0.4, 20),
        systems=conditions.systems,
    )


def domain_latents(
    conditions: Conditions, *, adults: bool, team_effects: dict[str, float]
) -> dict[str, float]:
    """The team's typical score (1–6, higher is better) in each domain, from its figures."""
    norm = 22.0 if adults else 18.0
    load = conditions.caseload / norm - 1  # 0 at a manageable caseload, 0.5 at half as many more
    supervision = conditions.supervision_held / 100
    staffing = (conditions.vacancy_rate - 10) / 100 + (conditions.agency_share - 10) / 200
    churn = (conditions.turnover - 12) / 100
    base = {
        "WL": 3.8 - 2.8 * load - 2.0 * staffing - 1.0 * churn,
        "WB": 3.9 - 2.2 * load - 1.0 * staffing - 2.5 * churn,
        "SUP": 0.6 + 4.6 * supervision,
        "SB": 2.9 + 2.6 * supervision - 1.5 * churn,
        "SAF": 5.3 - 0.45 * conditions.incidents,
        "SYS": 3.1 + 1.2 * conditions.systems - 0.5 * load,
        "APP": 4.0 - 0.8 * load - 1.0 * churn,
        "LRN": 2.9 + 1.5 * supervision - 0.6 * load,
        "MIS": 3.8 + (ADULTS_RESTRUCTURE if adults else 0.0) - 0.5 * churn,
    }
    return {code: value + team_effects.get(code, 0.0) for code, value in base.items()}


def figures_of(rng: random.Random, conditions: Conditions, wellbeing: float) -> dict[str, Decimal]:
    """The structural figures as recorded: measured conditions, with sickness following the
    team's wellbeing and recording hours its systems and caseload."""
    seen = measured(rng, conditions)
    sickness = min(40.0, max(1.0, 9 + 2.5 * (3.6 - wellbeing) + rng.gauss(0, 2.0)))
    recording = min(30.0, max(2.0, 12 - 3.5 * seen.systems + 0.25 * (seen.caseload - 18)))
    recording += rng.gauss(0, 1.0)

    def one(value: float) -> Decimal:
        return Decimal(f"{value:.1f}")

    return {
        "caseload": one(seen.caseload),
        "vacancy_rate": one(seen.vacancy_rate),
        "agency_share": one(seen.agency_share),
        "supervision_held": one(seen.supervision_held),
        "turnover": one(seen.turnover),
        "sickness_days": one(sickness),
        "incidents": one(seen.incidents),
        "recording_hours": one(max(2.0, recording)),
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


def _clip(value: float) -> int:
    return max(1, min(6, round(value)))


def statement_offsets(statements: list[SurveyStatement]) -> dict[str, float]:
    """How much harder (or easier) than its domain each statement is to agree with: the same
    for every team and cycle."""
    return {s.code: stream("statement", s.code).gauss(0, STATEMENT_NOISE) for s in statements}


def _outcome_answer(rng: random.Random, outcome: str, views: dict[str, float]) -> int:
    """An answer to an outcome statement from the person's views of the conditions."""
    intercept, weights, noise = OUTCOME_MODELS.get(outcome, (3.5, {}, 1.0))
    view = intercept + sum(weight * views[code] for code, weight in weights.items())
    return _clip(view + rng.gauss(0, noise))


def _answers(
    rng: random.Random,
    statements: list[SurveyStatement],
    latents: dict[str, float],
    offsets: dict[str, float],
    outcome_rng: random.Random | None = None,
) -> dict[str, int]:
    person = rng.gauss(0, PERSON_NOISE)
    views = {
        code: latent + person + rng.gauss(0, PERSON_DOMAIN_NOISE)
        for code, latent in latents.items()
    }
    answers: dict[str, int] = {}
    for statement in statements:
        if statement.is_outcome:
            own = outcome_rng or rng
            if own.random() < 0.03:
                answers[statement.code] = NOT_APPLICABLE
            else:
                answers[statement.code] = _outcome_answer(own, statement.domain_code, views)
            continue
        if rng.random() < 0.03:
            answers[statement.code] = NOT_APPLICABLE
            continue
        view = views[statement.domain_code] + offsets[statement.code]
        score = _clip(view + rng.gauss(0, ANSWER_NOISE))
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


@dataclass(frozen=True)
class TeamModel:
    """A team as the demo generates it: its story and its own strengths and weaknesses."""

    unit: Unit
    story: TeamStory
    adults: bool
    effects: dict[str, float] = field(default_factory=dict)

    def latents(self, rng: random.Random, progress: float) -> tuple[Conditions, dict[str, float]]:
        conditions = conditions_at(self.story, progress)
        latents = domain_latents(conditions, adults=self.adults, team_effects=self.effects)
        return conditions, {code: v + rng.gauss(0, CYCLE_NOISE) for code, v in latents.items()}


def stream(*parts: object) -> random.Random:
    """A random stream of its own for one team (and cycle): changing one team's story, or
    adding a team, leaves every other team's numbers as they were. Seeded by a string, which
    Python hashes the same way in every process."""
    return random.Random(":".join(str(part) for part in (SEED, *parts)))


def team_models(teams: list[Unit], *, adults_path: str) -> list[TeamModel]:
    models = []
    for team in teams:
        rng = stream(team.name)
        culture = rng.gauss(0, CULTURE_NOISE)
        effects = {code: culture + rng.gauss(0, TEAM_NOISE) for code in DOMAINS}
        adults = bool(adults_path) and team.path.startswith(adults_path)
        models.append(TeamModel(team, story_of(team), adults, effects))
    return models


def respondents(rng: random.Random, story: TeamStory, *, rate_factor: float) -> int:
    """How many of the team's invited staff answer: its usual rate, give or take."""
    share = story.response_rate * rate_factor * rng.gauss(1, 0.06)
    return max(0, min(story.headcount, round(story.headcount * share)))


def _collect(
    cycle: Cycle,
    models: list[TeamModel],
    *,
    ordinal: int,
    progress: float,
    rate_factor: float,
    submit_by: date,
) -> int:
    statements = survey_statements(cycle)
    offsets = statement_offsets(statements)
    stored = 0
    span = max(0, (min(cycle.closes_on, submit_by) - cycle.opens_on).days)
    for model in models:
        rng = stream(model.unit.name, ordinal)
        outcome_rng = stream(model.unit.name, ordinal, "outcomes")
        conditions, latents = model.latents(rng, progress)
        if cycle.kind == Cycle.Kind.FULL:
            save_figures(
                cycle=cycle,
                team=model.unit,
                values={
                    "headcount": model.story.headcount,
                    **figures_of(rng, conditions, latents["WB"]),
                },
                user=None,
            )
        answering = respondents(rng, model.story, rate_factor=rate_factor)
        codes = issue_invites(
            cycle=cycle, team=model.unit, count=model.story.headcount, today=cycle.opens_on
        )[:answering]
        for code in codes:
            day = cycle.opens_on + timedelta(days=rng.randint(0, span))
            submit_response(
                code=code,
                answers=_answers(rng, statements, latents, offsets, outcome_rng),
                about=_about(rng),
                comment=rng.choice(COMMENTS) if rng.random() < 0.15 else "",
                today=day,
            )
            stored += 1
    return stored


@dataclass(frozen=True)
class DemoCycles:
    spring: Cycle
    autumn: Cycle
    pulses: list[Cycle]


PULSE_RATE = 0.7  # staff answer a short pulse less readily than a full diagnostic


def build_cycles(organisation: Organisation, root: Unit, *, today: date) -> DemoCycles:
    """Two past full diagnostics and monthly pulses, the newest still open."""
    instrument = latest_version_for(organisation)
    teams = list(Unit.objects.within(root).teams().order_by("path"))
    adults_path = (
        Unit.objects.within(root).filter(name=ADULTS).values_list("path", flat=True).first()
    )
    models = team_models(teams, adults_path=adults_path or "")
    spring_opens = today - timedelta(days=266)
    autumn_opens = today - timedelta(days=70)
    made: list[Cycle] = []  # in the order they run: a cycle's place keys its random streams

    def run(kind: str, name: str, opens: date, days: int) -> Cycle:
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
        _collect(
            cycle,
            models,
            ordinal=len(made),
            progress=(opens - spring_opens).days / (autumn_opens - spring_opens).days,
            rate_factor=1.0 if kind == Cycle.Kind.FULL else PULSE_RATE,
            submit_by=today,
        )
        if closes < today:
            close_cycle(cycle=cycle, closed_at=after_closing_day(cycle))
        made.append(cycle)
        return cycle

    def pulse_name(opens: date) -> str:
        name = f"Pulse {opens:%B %Y}"
        if any(cycle.name == name for cycle in made):  # a second pulse opened in the month
            name = f"Pulse {opens.day} {opens:%B %Y}"
        return name

    spring = run(Cycle.Kind.FULL, f"Spring {spring_opens:%Y} diagnostic", spring_opens, 25)
    pulses = []
    opens = spring_opens + timedelta(days=45)
    while opens + timedelta(days=14) < autumn_opens:
        pulses.append(run(Cycle.Kind.PULSE, pulse_name(opens), opens, 14))
        opens += timedelta(days=30)
    autumn = run(Cycle.Kind.FULL, f"Autumn {autumn_opens:%Y} diagnostic", autumn_opens, 25)
    opens = autumn_opens + timedelta(days=35)
    while opens <= today - timedelta(days=2):
        pulses.append(run(Cycle.Kind.PULSE, pulse_name(opens), opens, 14))
        opens += timedelta(days=28)
    return DemoCycles(spring=spring, autumn=autumn, pulses=pulses)


def after_closing_day(cycle: Cycle) -> datetime:
    """The moment the clock closes a cycle: the start of the day after its closing day."""
    return timezone.make_aware(datetime.combine(cycle.closes_on + timedelta(days=1), time.min))
