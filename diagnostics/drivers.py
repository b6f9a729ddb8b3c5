"""The drivers of an outcome (§12): which working conditions go most strongly with it, across
one group's responses. Pure functions: numbers in, released words and figures out.

For each outcome (such as intending to stay) and each condition domain, across the responses
of one group that have both a domain score and an answer to the outcome:

- Spearman's rank correlation ρ of the response's domain score with its outcome answer
  (`scipy.stats.spearmanr` through `lens_statistics.spearman_rho`; ties share their average
  rank, and there are many, since answers are whole numbers from 1 to 6);
- a 95% confidence interval: Fisher's z with Bonett and Wright's (2000) standard error for
  Spearman, √((1 + ρ²/2) / (n − 3)) (`lens_statistics.fisher_interval`);
- ranked by strength (|ρ|, strongest first), and worded as association, never as cause: "Staff
  who report better supervision are more likely to say they intend to stay". An association is
  called clear only when its interval leaves out 0 *and* it survives Benjamini–Hochberg at 10%
  (the structural lens's rate) across the conditions tested against the same outcome
  (`lens_statistics.discoveries`, on the p-values of the same Fisher z,
  `lens_statistics.fisher_p_value`). With nine conditions tested, 95% intervals alone would call
  at least one chance association clear in about a third of groups where nothing is associated;
  the correction keeps the expected share of flukes among the associations called clear at 10%
  at most.

Only for a group of at least `MINIMUM_RESPONSES` responses (an organisation may ask for more,
never fewer); below that the drivers are refused with the reason. Figures leave the server
rounded to two decimals (`release`): ρ computed over dozens of responses tells nothing about any
one of them, and rounding keeps exact values, which carry more, on the server.

The words here are English, as the drivers export keeps them. Pages word the same things in
the reader's language (`diagnostics.driver_words`) from the structured answer: a `Refusal`
rather than its text, a `Driver`'s sign, strength and clearness rather than its sentence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import Enum

from diagnostics.lens_statistics import (
    discoveries,
    fisher_interval,
    fisher_p_value,
    spearman_rho,
)
from diagnostics.scoring import round_half_up
from disclosure.plan import Hidden
from disclosure.release import hidden_text

MINIMUM_RESPONSES = 30
PLACES = 2
WEAK_BELOW = 0.3
STRONG_FROM = 0.5
NO_VARIATION = "the answers do not vary enough to compare"
# Benjamini–Hochberg's false discovery rate across one outcome's conditions, as on the lens.
FDR_LEVEL = 0.10


def minimum_responses(setting: int | None) -> int:
    """The organisation's setting, never below 30."""
    return max(MINIMUM_RESPONSES, int(setting or 0))


def refusal_text(minimum: int) -> str:
    return f"fewer than {minimum} responses"


class RefusalKind(Enum):
    FEWER_RESPONSES = "fewer responses"  # the group has fewer than the minimum
    NO_VARIATION = "no variation"  # no condition's answers and the outcome's both vary
    HIDDEN = "hidden"  # the disclosure engine does not show the group or the outcome


@dataclass(frozen=True)
class Refusal:
    """Why drivers are not shown: the reason itself, for each reader to word."""

    kind: RefusalKind
    minimum: int = 0  # FEWER_RESPONSES: the responses a group needs
    hidden: Hidden | None = None  # HIDDEN: the disclosure engine's reason (None: fewer than k)
    k: int = 0  # HIDDEN: the organisation's k

    @property
    def text(self) -> str:
        """In English, as the drivers export says it."""
        if self.kind is RefusalKind.FEWER_RESPONSES:
            return refusal_text(self.minimum)
        if self.kind is RefusalKind.NO_VARIATION:
            return NO_VARIATION
        return hidden_text(self.hidden, k=self.k)


@dataclass(frozen=True)
class Condition:
    """A condition domain as the drivers name it."""

    code: str
    name: str
    phrase: str = ""  # what a higher score means, after "Staff who report"; "" if unset

    @property
    def phrase_text(self) -> str:
        return self.phrase or f"better {self.name}"


@dataclass(frozen=True)
class Outcome:
    code: str
    name: str
    phrase: str = ""  # what agreeing means, after "are more likely to say they"; "" if unset

    @property
    def phrase_text(self) -> str:
        return self.phrase or f"agree: {self.name}"


@dataclass(frozen=True)
class Association:
    """One condition against one outcome: exact, stays on the server."""

    condition: Condition
    rho: float
    low: float | None
    high: float | None
    n: int
    p_value: float
    clear: bool = False  # set by `weigh_together`, once every condition of the outcome is known

    @property
    def interval_leaves_out_zero(self) -> bool:
        """A ρ of ±1 has no interval, and counts as leaving out 0."""
        if self.low is None or self.high is None:
            return self.rho != 0
        return self.low > 0 or self.high < 0


def associate(condition: Condition, pairs: Sequence[tuple[float, float]]) -> Association | None:
    """ρ and its interval over (domain score, outcome answer) pairs, or None when either side
    does not vary (no ranking can be read) or there are fewer than 4 pairs."""
    xs = [x for x, _ in pairs]
    ys = [y for _, y in pairs]
    rho = spearman_rho(xs, ys)
    if rho is None or len(pairs) < 4:
        return None
    interval = fisher_interval(rho, len(pairs))
    return Association(
        condition=condition,
        rho=rho,
        low=interval[0] if interval else None,
        high=interval[1] if interval else None,
        n=len(pairs),
        p_value=fisher_p_value(rho, len(pairs)),
    )


def weigh_together(associations: Sequence[Association]) -> list[Association]:
    """The associations of one outcome, each marked clear if its interval leaves out 0 and it
    survives Benjamini–Hochberg at `FDR_LEVEL` among them."""
    survives = discoveries([a.p_value for a in associations], level=FDR_LEVEL)
    return [
        replace(association, clear=kept and association.interval_leaves_out_zero)
        for association, kept in zip(associations, survives, strict=True)
    ]


def rank(associations: Sequence[Association]) -> list[Association]:
    """Strongest first (|ρ|), then in the domains' order (the order given)."""
    order = {id(a): i for i, a in enumerate(associations)}
    return sorted(associations, key=lambda a: (-abs(a.rho), order[id(a)]))


def strength(rho: float) -> str:
    size = abs(rho)
    if size >= STRONG_FROM:
        return "strong"
    if size >= WEAK_BELOW:
        return "moderate"
    return "weak"


AMONG_MANY = (
    "once the number of conditions tested is allowed for, it is within what chance alone could give"
)


def sentence(association: Association, outcome: Outcome) -> str:
    """The association in plain words, never as cause."""
    condition = association.condition
    if not association.clear:
        between = (
            f"No clear association between {condition.name.lower()} and {outcome.name.lower()}"
        )
        if association.interval_leaves_out_zero:
            return f"{between}: {AMONG_MANY}."
        return f"{between}."
    direction = "more" if association.rho > 0 else "less"
    return (
        f"Staff who report {condition.phrase_text} are {direction} likely to say they "
        f"{outcome.phrase_text}."
    )


def rounded(value: float | None) -> Decimal | None:
    return None if value is None else round_half_up(value, PLACES)


@dataclass(frozen=True)
class Driver:
    """One condition against one outcome as it leaves the server: rounded, with its words."""

    rank: int
    condition: Condition
    rho: Decimal
    low: Decimal | None
    high: Decimal | None
    clear: bool
    # its interval leaves out 0, but it does not stand out among the conditions tested with it
    among_many: bool
    positive: bool  # a higher condition score goes with more agreement
    strength: str  # "strong", "moderate" or "weak"
    sentence: str  # in English, for the export


@dataclass(frozen=True)
class OutcomeDrivers:
    """The drivers of one outcome in one group, or why they are not shown."""

    outcome: Outcome
    drivers: tuple[Driver, ...] = ()
    refusal: Refusal | None = None

    @property
    def refused(self) -> str:
        """Why the drivers are not shown, in English ("" when they are)."""
        return self.refusal.text if self.refusal else ""

    @property
    def clear(self) -> tuple[Driver, ...]:
        return tuple(driver for driver in self.drivers if driver.clear)

    @property
    def reading(self) -> str:
        """The strongest clear association, or what there is to say without one."""
        if self.refused:
            return f"Not shown: {self.refused}."
        if self.clear:
            return self.clear[0].sentence
        return (
            f"No condition shows a clear association with {self.outcome.name.lower()} "
            "in this group."
        )


def release(association: Association, outcome: Outcome, *, position: int) -> Driver:
    return Driver(
        rank=position,
        condition=association.condition,
        rho=round_half_up(association.rho, PLACES),
        low=rounded(association.low),
        high=rounded(association.high),
        clear=association.clear,
        among_many=association.interval_leaves_out_zero and not association.clear,
        positive=association.rho > 0,
        strength=strength(association.rho),
        sentence=sentence(association, outcome),
    )


def drivers_of(
    outcome: Outcome,
    conditions: Sequence[Condition],
    scores: Mapping[int, Mapping[str, float]],
    *,
    responses: int,
    minimum: int,
) -> OutcomeDrivers:
    """The ranked drivers of one outcome in a group of `responses` responses.

    `scores`: per response, its domain scores by domain code (the outcome's code gives its
    answer); `conditions`: the condition domains that may be used (those whose figures are
    shown to the viewer). Refused below `minimum` responses (itself never below 30); a condition
    with fewer than `minimum` responses that have both scores is left out.
    """
    minimum = minimum_responses(minimum)
    if responses < minimum:
        refusal = Refusal(RefusalKind.FEWER_RESPONSES, minimum=minimum)
        return OutcomeDrivers(outcome, refusal=refusal)
    found = []
    for condition in conditions:
        pairs = [
            (by_domain[condition.code], by_domain[outcome.code])
            for by_domain in scores.values()
            if condition.code in by_domain and outcome.code in by_domain
        ]
        if len(pairs) < minimum:
            continue
        association = associate(condition, pairs)
        if association is not None:
            found.append(association)
    if not found:
        return OutcomeDrivers(outcome, refusal=Refusal(RefusalKind.NO_VARIATION))
    return OutcomeDrivers(
        outcome,
        tuple(
            release(association, outcome, position=index)
            for index, association in enumerate(rank(weigh_together(found)), 1)
        ),
    )
