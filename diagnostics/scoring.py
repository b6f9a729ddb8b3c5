"""Scoring, exactly as §4 of the product brief says. Pure functions: no database, no Django.

- Reverse-scored statement: score = 7 − answer. Every rule below uses scores.
- Answer band: red 1–2, amber 3–4, green 5–6.
- A response's domain score: the mean of its scores in the domain, if it answered at least half
  of the domain's statements in that form (rounded up); otherwise it has none.
- A group's domain mean: the mean of its responses' domain scores (n = responses with a score).
- Band: green when mean ≥ 4.5, red when mean < 2.5, amber otherwise. Urgent when 25% or more
  of the group's answers in the domain are red.
- Distribution: shares of the group's answers in the domain that are red, amber and green (every
  answer counts, also from a response with no domain score).
- Conditions index: the mean of the domain means, mapped by (m − 1) / 5 × 100, rounded.
- A change between two cycles counts only when both sides are shown and |Δ| ≥ 0.3.
- Rounding happens only for display.
- Outcome statements (§12) are not conditions: a group's outcome figure is the share of its
  answers that agree, "Agree" or "Strongly agree" (5–6, the green band; "Slightly agree" is
  not counted), and it is never part of the conditions index or of any domain mean.

The same `Tally` is produced by the database selectors (aggregation in SQL) and by
`tally_domain` here from raw answers, and `figures_of` turns either into the shown figures, so
both paths share every rule after aggregation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Literal

Band = Literal["red", "amber", "green"]
RED: Band = "red"
AMBER: Band = "amber"
GREEN: Band = "green"
BANDS: tuple[Band, ...] = (RED, AMBER, GREEN)

GREEN_FROM = 4.5
RED_BELOW = 2.5
URGENT_RED_SHARE = Fraction(1, 4)
CHANGE_THRESHOLD = 0.3
SCALE_MIN = 1
SCALE_MAX = 6

AGREE_FROM = 5  # "Agree" (5) and "Strongly agree" (6): what an outcome counts as agreeing

# Aggregation in SQL works in floating point; a mean that is mathematically exactly 4.5 may come
# back as 4.4999999999999991. Real means differ from a threshold by far more than this.
_EPSILON = 1e-9


def score_of(value: int, *, reverse_scored: bool) -> int:
    if not SCALE_MIN <= value <= SCALE_MAX:
        raise ValueError(f"An answer is between 1 and 6, not {value}.")
    return (SCALE_MAX + SCALE_MIN - value) if reverse_scored else value


def answer_band(score: int) -> Band:
    if score <= 2:
        return RED
    if score <= 4:
        return AMBER
    return GREEN


def minimum_answers(statements_in_form: int) -> int:
    """Half of the domain's statements in the form, rounded up."""
    return math.ceil(statements_in_form / 2)


def response_domain_score(scores: Sequence[int], *, statements_in_form: int) -> Fraction | None:
    """A response's score for one domain, or None when it answered fewer than half."""
    if statements_in_form <= 0 or len(scores) < minimum_answers(statements_in_form):
        return None
    return Fraction(sum(scores), len(scores))


def mean_band(mean: float | Fraction) -> Band:
    if mean >= GREEN_FROM - _EPSILON:
        return GREEN
    if mean < RED_BELOW - _EPSILON:
        return RED
    return AMBER


def is_urgent(*, red: int, answered: int) -> bool:
    # red / answered ≥ 1/4, cross-multiplied: exact for counts, without making a Fraction
    share = URGENT_RED_SHARE
    return answered > 0 and red * share.denominator >= answered * share.numerator


@dataclass(frozen=True)
class Tally:
    """What a group's figures for one domain (or one statement) are computed from.

    `responses`: responses with a score (for a statement: answers); `score_total`: the sum of
    their scores; `red`, `amber`, `green`: every answer given, by band. Tallies add up, so a
    unit's tally is the sum of its teams'.
    """

    responses: int = 0
    score_total: float | Fraction = 0
    red: int = 0
    amber: int = 0
    green: int = 0

    @property
    def answered(self) -> int:
        return self.red + self.amber + self.green

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            responses=self.responses + other.responses,
            score_total=self.score_total + other.score_total,
            red=self.red + other.red,
            amber=self.amber + other.amber,
            green=self.green + other.green,
        )


EMPTY_TALLY = Tally()


def sum_tallies(tallies: Iterable[Tally]) -> Tally:
    total = EMPTY_TALLY
    for tally in tallies:
        total = total + tally
    return total


@dataclass(frozen=True)
class Figures:
    """A group's figures for a domain or a statement, before anonymity decides what is shown."""

    n: int
    mean: float | None
    band: Band | None
    urgent: bool
    red_share: float | None
    amber_share: float | None
    green_share: float | None
    answered: int


def _as_is(value: float) -> float:
    return value


def figures_of(
    tally: Tally,
    *,
    n: int | None = None,
    mean_as: Callable[[float], float | None] = _as_is,
    share_as: Callable[[float], float | None] = _as_is,
) -> Figures:
    """A tally's figures: band and urgency always from the exact values. `disclosure.release`
    passes how the mean and the shares leave the server (`mean_as`, `share_as`) and the count
    shown with them (`n`), so that releasing is worked out in this one step."""
    responses = tally.responses
    answered = tally.answered
    mean = None if responses == 0 else tally.score_total / responses
    return Figures(
        n=responses if n is None else n,
        mean=None if mean is None else mean_as(float(mean)),
        band=None if mean is None else mean_band(mean),
        urgent=is_urgent(red=tally.red, answered=answered),
        red_share=share_as(tally.red / answered) if answered else None,
        amber_share=share_as(tally.amber / answered) if answered else None,
        green_share=share_as(tally.green / answered) if answered else None,
        answered=answered,
    )


def tally_domain(responses: Iterable[Sequence[int]], *, statements_in_form: int) -> Tally:
    """The tally of one domain from raw scores: one sequence of scores per response."""
    score_total: Fraction = Fraction(0)
    scored = red = amber = green = 0
    for scores in responses:
        domain_score = response_domain_score(scores, statements_in_form=statements_in_form)
        if domain_score is not None:
            scored += 1
            score_total += domain_score
        for score in scores:
            band = answer_band(score)
            red += band == RED
            amber += band == AMBER
            green += band == GREEN
    return Tally(responses=scored, score_total=score_total, red=red, amber=amber, green=green)


def tally_statement(scores: Iterable[int]) -> Tally:
    """The tally of one statement: each answer is its own 'response score'."""
    values = list(scores)
    bands = [answer_band(score) for score in values]
    return Tally(
        responses=len(values),
        score_total=Fraction(sum(values)),
        red=bands.count(RED),
        amber=bands.count(AMBER),
        green=bands.count(GREEN),
    )


@dataclass(frozen=True)
class ResponseDomainFigures:
    """What the submission service stores per response and domain (a DomainScore row)."""

    score: float | None
    red: int
    amber: int
    green: int


def response_domain_figures(
    scores: Sequence[int], *, statements_in_form: int
) -> ResponseDomainFigures:
    domain_score = response_domain_score(scores, statements_in_form=statements_in_form)
    bands = [answer_band(score) for score in scores]
    return ResponseDomainFigures(
        score=None if domain_score is None else float(domain_score),
        red=bands.count(RED),
        amber=bands.count(AMBER),
        green=bands.count(GREEN),
    )


def conditions_index(domain_means: Iterable[float | Fraction]) -> int | None:
    """The conditions index (0–100) from a group's domain means, or None without any."""
    means = list(domain_means)
    if not means:
        return None
    average = sum(float(m) for m in means) / len(means)
    index = (average - 1) / 5 * 100
    units = half_up_units(index, 0)
    return int(round_half_up(index, 0)) if units is None else units


@dataclass(frozen=True)
class Change:
    delta: float | None
    is_change: bool

    @property
    def direction(self) -> Literal["up", "down", "none"]:
        if not self.is_change or self.delta is None:
            return "none"
        return "up" if self.delta > 0 else "down"


def change_between(before: float | None, after: float | None) -> Change:
    """Change between two cycles: a change only when both are shown and |Δ| ≥ 0.3."""
    if before is None or after is None:
        return Change(delta=None, is_change=False)
    delta = after - before
    return Change(delta=delta, is_change=abs(delta) >= CHANGE_THRESHOLD - _EPSILON)


NOISE_PLACES = 9  # float noise lies beyond this many decimal places
# Below a million, a float rounded to nine places has at most 15 significant digits, and a
# double gives any decimal of 15 digits back as its shortest repr: so `round_half_up` reads
# exactly that decimal, and `half_up_units` can work it out from the float's exact ratio.
INTEGER_ROUNDING_BELOW = 1e6
_NOISE_SCALE: int = 10**NOISE_PLACES
# By places, up to 6 (beyond, str(Decimal) turns to exponent notation): what one unit is in
# billionths.
_UNIT_IN_BILLIONTHS: tuple[int, ...] = tuple(10 ** (NOISE_PLACES - places) for places in range(7))


def round_half_up(value: float | Fraction, places: int) -> Decimal:
    """Round for display the way people do by hand (2.45 → 2.5), ignoring float noise."""
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        exact = Decimal(repr(round(value, NOISE_PLACES)))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def half_up_units(value: float | Fraction, places: int) -> int | None:
    """`round_half_up(value, places)` times 10**places, on integers alone (a third of the
    time; pages release thousands of figures): for a float from 0 to a million and up to 6
    places. None for anything else (a Fraction, a negative, -0.0, NaN), which
    `round_half_up` then rounds."""
    if (
        type(value) is not float
        or not 0 <= places < len(_UNIT_IN_BILLIONTHS)
        or not (value > 0.0 or (value == 0.0 and math.copysign(1.0, value) > 0))
        or not value < INTEGER_ROUNDING_BELOW
    ):
        return None
    numerator, denominator = value.as_integer_ratio()
    # round(value, 9): the float's exact value to nine places, a tie to the even one
    billionths, rest = divmod(numerator * _NOISE_SCALE, denominator)
    if 2 * rest > denominator or (2 * rest == denominator and billionths % 2):
        billionths += 1
    # then half up, as Decimal's ROUND_HALF_UP (the value is not negative)
    unit = _UNIT_IN_BILLIONTHS[places]
    return (billionths + unit // 2) // unit


def round_half_up_text(value: float | Fraction, places: int) -> str:
    """`str(round_half_up(value, places))`, from `half_up_units` where it applies."""
    if type(value) is float and value > 0.0:
        return _positive_text(value, places)
    return _text(value, places)


# What is shown has mostly been rounded at release already: a few hundred values at most.
@lru_cache(maxsize=4096)
def _positive_text(value: float, places: int) -> str:
    return _text(value, places)


def _text(value: float | Fraction, places: int) -> str:
    units = half_up_units(value, places)
    if units is None:
        return str(round_half_up(value, places))
    if not places:
        return str(units)
    whole, part = divmod(units, 10**places)
    return f"{whole}.{part:0{places}d}"


def display_mean(mean: float | None) -> str:
    return "" if mean is None else round_half_up_text(mean, 1)


def display_percent(share: float | None) -> str:
    return "" if share is None else round_half_up_text(share * 100, 0)


def score_answers(answers: Mapping[str, int], reverse_codes: Iterable[str]) -> dict[str, int]:
    """Scores for a response's answers (statement code → value), reverse scoring where flagged."""
    reverse = set(reverse_codes)
    return {
        code: score_of(value, reverse_scored=code in reverse) for code, value in answers.items()
    }


def agrees(score: int) -> bool:
    """Whether an outcome answer counts as agreeing: 5 or 6, the green band."""
    return score >= AGREE_FROM


def agree_share(scores: Iterable[int]) -> Fraction | None:
    """The share of an outcome's answers that agree (None without any answer). The same as the
    green share of the outcome's figures, which is how pages and exports show it."""
    values = list(scores)
    if not values:
        return None
    return Fraction(sum(1 for score in values if agrees(score)), len(values))
