"""Structural figures, their ratings and the structural lens (§6). Pure functions.

Each figure has a validated range, a direction, and default "good" and "concerning" thresholds
that an organisation can change. The defaults and the one-line reason for each are below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Rating = Literal["green", "amber", "red"]


@dataclass(frozen=True)
class FigureDefinition:
    code: str
    label: str
    unit: str
    minimum: Decimal
    maximum: Decimal
    higher_is_better: bool
    good: Decimal
    concerning: Decimal
    why: str
    domains: tuple[str, ...]  # the domains it bears on, beside which dashboards show it
    more_phrase: str  # "Teams {more_phrase} report lower ...": the figure going up


FIGURES: tuple[FigureDefinition, ...] = (
    FigureDefinition(
        "caseload",
        "Average caseload per full-time practitioner",
        "cases",
        Decimal(0),
        Decimal(100),
        False,
        Decimal(18),
        Decimal(25),
        "England's national workforce figures put the average near 16–17 cases; above 25 is "
        "where practitioners widely report caseloads as unmanageable.",
        ("WL", "WB"),
        "carrying more cases per practitioner",
    ),
    FigureDefinition(
        "vacancy_rate",
        "Vacancy rate",
        "%",
        Decimal(0),
        Decimal(100),
        False,
        Decimal(10),
        Decimal(20),
        "National children's social work vacancy rates have run at 17–20%; under 10% is a "
        "stable team, 20% or more leaves the rest carrying the gap.",
        ("WL", "WB"),
        "with more vacancies",
    ),
    FigureDefinition(
        "agency_share",
        "Agency share of practitioners",
        "%",
        Decimal(0),
        Decimal(100),
        False,
        Decimal(10),
        Decimal(20),
        "Agency rates near the national average (about 18%) signal churn; under 10% gives "
        "continuity for families and colleagues.",
        ("WL", "SB"),
        "relying more on agency staff",
    ),
    FigureDefinition(
        "supervision_held",
        "Supervision held at the agreed frequency",
        "%",
        Decimal(0),
        Decimal(100),
        True,
        Decimal(90),
        Decimal(70),
        "The employer standards in England expect regular, planned, uninterrupted supervision; "
        "below 70% held as agreed it is no longer regular.",
        ("SUP",),
        "where more supervision is held as agreed",
    ),
    FigureDefinition(
        "turnover",
        "Staff turnover in the last 12 months",
        "%",
        Decimal(0),
        Decimal(100),
        False,
        Decimal(10),
        Decimal(20),
        "National children's social worker turnover is about 16–17% a year; 20% or more means "
        "a team is rebuilding constantly.",
        ("SB", "WB"),
        "with higher turnover",
    ),
    FigureDefinition(
        "sickness_days",
        "Sickness absence days per FTE (12 months)",
        "days",
        Decimal(0),
        Decimal(365),
        False,
        Decimal(8),
        Decimal(12),
        "Public-sector sickness absence averages about 10 days a year; 12 or more is a sign "
        "of strain worth acting on.",
        ("WB",),
        "with more sickness absence",
    ),
    FigureDefinition(
        "incidents",
        "Safety incidents per 10 FTE (12 months)",
        "incidents",
        Decimal(0),
        Decimal(200),
        False,
        Decimal(1),
        Decimal(3),
        "Any pattern of incidents needs a response; three or more per ten staff a year marks "
        "a team whose visits need a safety review.",
        ("SAF",),
        "with more safety incidents",
    ),
    FigureDefinition(
        "recording_hours",
        "Hours per week on case recording per practitioner",
        "hours",
        Decimal(0),
        Decimal(60),
        False,
        Decimal(10),
        Decimal(16),
        "Practitioners report spending up to two days a week on recording; 16 hours or more "
        "is over 40% of a full-time week away from people.",
        ("SYS", "WL"),
        "spending more hours on case recording",
    ),
)
FIGURES_BY_CODE: dict[str, FigureDefinition] = {figure.code: figure for figure in FIGURES}

MIN_LENS_TEAMS = 5


@dataclass(frozen=True)
class Thresholds:
    good: Decimal
    concerning: Decimal


def default_thresholds() -> dict[str, Thresholds]:
    return {f.code: Thresholds(f.good, f.concerning) for f in FIGURES}


def check_thresholds(figure: FigureDefinition, good: Decimal, concerning: Decimal) -> str | None:
    """A message when the thresholds make no sense for the figure's direction, else None."""
    for value in (good, concerning):
        if not figure.minimum <= value <= figure.maximum:
            return f"Thresholds must be between {figure.minimum} and {figure.maximum}."
    if figure.higher_is_better and good <= concerning:
        return "For this figure higher is better, so “good” must be above “concerning”."
    if not figure.higher_is_better and good >= concerning:
        return "For this figure lower is better, so “good” must be below “concerning”."
    return None


def rate(figure: FigureDefinition, value: Decimal | float, thresholds: Thresholds) -> Rating:
    number = Decimal(str(value))
    if figure.higher_is_better:
        if number >= thresholds.good:
            return "green"
        return "red" if number <= thresholds.concerning else "amber"
    if number <= thresholds.good:
        return "green"
    return "red" if number >= thresholds.concerning else "amber"


def average_ranks(values: Sequence[float]) -> list[float]:
    """Ranks from 1, ties sharing the average of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        shared = (start + end) / 2 + 1
        for position in range(start, end + 1):
            ranks[order[position]] = shared
        start = end + 1
    return ranks


Ranker = Callable[[Sequence[float]], Sequence[float]]


def spearman(
    xs: Sequence[float], ys: Sequence[float], *, rank: Ranker = average_ranks
) -> float | None:
    """Spearman's rank correlation (Pearson on average ranks), or None when undefined.
    `rank` may be a memoised `average_ranks` when the same values are ranked many times."""
    if len(xs) != len(ys) or len(xs) < 2:
        return None
    rx, ry = rank(xs), rank(ys)
    mean_x, mean_y = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mean_x) * (b - mean_y) for a, b in zip(rx, ry, strict=True))
    var_x = sum((a - mean_x) ** 2 for a in rx)
    var_y = sum((b - mean_y) ** 2 for b in ry)
    if var_x == 0 or var_y == 0:
        return None
    return float(cov / (var_x * var_y) ** 0.5)


def strength(rho: float) -> str:
    size = abs(rho)
    if size < 0.1:
        return "no clear"
    if size < 0.3:
        return "a weak"
    if size < 0.5:
        return "a moderate"
    return "a strong"


@dataclass(frozen=True)
class Association:
    figure: FigureDefinition
    domain_code: str
    domain_name: str
    rho: float | None
    teams: int
    sentence: str

    @property
    def shown(self) -> bool:
        return self.rho is not None


def associate(
    figure: FigureDefinition,
    domain_code: str,
    domain_name: str,
    pairs: Sequence[tuple[float, float]],
    *,
    rank: Ranker = average_ranks,
) -> Association:
    """The association between a figure and a domain's mean across teams, in plain English.

    `pairs` are (figure value, domain mean) for teams that have both and are shown.
    """
    teams = len(pairs)
    if teams < MIN_LENS_TEAMS:
        return Association(
            figure,
            domain_code,
            domain_name,
            None,
            teams,
            f"Not enough teams yet: the lens needs at least {MIN_LENS_TEAMS} teams with both "
            f"figures and enough responses ({teams} so far).",
        )
    rho = spearman([p[0] for p in pairs], [p[1] for p in pairs], rank=rank)
    if rho is None:
        return Association(
            figure,
            domain_code,
            domain_name,
            None,
            teams,
            "No association can be computed: the teams' values do not vary.",
        )
    rho_text = f"{rho:.2f}".replace("-", "−")
    if strength(rho) == "no clear":
        sentence = (
            f"No clear association between {figure.label.lower()} and {domain_name.lower()}: "
            f"ρ = {rho_text} across {teams} teams."
        )
    else:
        direction = "higher" if rho > 0 else "lower"
        sentence = (
            f"Teams {figure.more_phrase} report {direction} {domain_name.lower()} scores: "
            f"ρ = {rho_text} across {teams} teams ({strength(rho)} association, which does not "
            "by itself show cause)."
        )
    return Association(figure, domain_code, domain_name, rho, teams, sentence)


def strongest_first(associations: Sequence[Association]) -> list[Association]:
    shown = [a for a in associations if a.rho is not None]
    return sorted(shown, key=lambda a: -abs(a.rho or 0.0))


def parse_value(figure: FigureDefinition, raw: str) -> Decimal:
    """A figure typed by a person or read from CSV, checked against its range."""
    text = raw.strip().rstrip("%").strip()
    try:
        value = Decimal(text)
    except ArithmeticError as exc:
        raise ValueError(f"“{raw}” is not a number.") from exc
    if not value.is_finite():
        raise ValueError(f"“{raw}” is not a number.")
    if not figure.minimum <= value <= figure.maximum:
        raise ValueError(
            f"{figure.label} must be between {figure.minimum} and {figure.maximum} {figure.unit}."
        )
    return value


def ratings(
    values: Mapping[str, Decimal | None], thresholds: Mapping[str, Thresholds]
) -> dict[str, Rating | None]:
    return {
        code: None if value is None else rate(FIGURES_BY_CODE[code], value, thresholds[code])
        for code, value in values.items()
    }
