"""The benchmark's pure rules: periods, percentiles, positions and how sizes are worded.

No database: tested against hand-worked examples (tests/benchmarks/test_rules.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from enum import StrEnum

from django.utils.translation import gettext, gettext_noop

# A benchmark (computed, or narrowed to similar organisations) needs this many organisations
# contributing figures to each of its rows; fewer, and the row is not stored.
MIN_ORGANISATIONS = 5

# A period is computed this many days after it ends, once its late cycles have closed.
PERIOD_GRACE_DAYS = 30

# In the catalogue; translated where they are shown (gettext(_HALF_NAMES[half])).
_HALF_NAMES = {1: gettext_noop("January to June"), 2: gettext_noop("July to December")}


def period_of(day: date) -> str:
    """The benchmark period holding a full diagnostic that closed on `day`: the calendar
    half-year, written `2026-H1` (January to June) or `2026-H2` (July to December). Keys sort
    in time order as text."""
    return f"{day.year}-H{1 if day.month <= 6 else 2}"


def period_end(period: str) -> date:
    """The last day of a period: 30 June or 31 December."""
    year, _, half = period.partition("-H")
    return date(int(year), 6, 30) if half == "1" else date(int(year), 12, 31)


def period_ready(period: str, *, today: date) -> bool:
    """A period's benchmark is computed once it has ended and PERIOD_GRACE_DAYS have passed."""
    return today > period_end(period) + timedelta(days=PERIOD_GRACE_DAYS)


def period_label(period: str) -> str:
    """`2026-H1` → "January to June 2026"; any other text (a reference table's) as given."""
    year, _, half = period.partition("-H")
    if year.isdigit() and half in ("1", "2"):
        return gettext("%(half)s %(year)s") % {
            "half": gettext(_HALF_NAMES[int(half)]),
            "year": year,
        }
    return period


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation between closest ranks: with the
    values sorted as x[0] ≤ … ≤ x[n−1], rank h = (n − 1)·q/100, and the percentile is
    x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). This is numpy's and scipy's default ("linear",
    Hyndman and Fan's type 7)."""
    if not values:
        raise ValueError("A percentile needs at least one value.")
    if not 0 <= q <= 100:
        raise ValueError("q is between 0 and 100.")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (rank - low) * (ordered[high] - ordered[low])


def percentiles(values: Sequence[float]) -> tuple[float, float, float]:
    """The 20th, 50th and 80th percentiles."""
    return percentile(values, 20), percentile(values, 50), percentile(values, 80)


class Position(StrEnum):
    BELOW_20 = "below_20"
    FROM_20_TO_50 = "20_to_50"
    FROM_50_TO_80 = "50_to_80"
    ABOVE_80 = "above_80"

    @property
    def label(self) -> str:
        return {
            Position.BELOW_20: gettext("Below the 20th percentile"),
            Position.FROM_20_TO_50: gettext("20th to 50th percentile"),
            Position.FROM_50_TO_80: gettext("50th to 80th percentile"),
            Position.ABOVE_80: gettext("Above the 80th percentile"),
        }[self]

    @property
    def short_label(self) -> str:
        """`short` in the viewer's language, for pages (`short` itself goes into exports)."""
        return {
            Position.BELOW_20: gettext("below 20th"),
            Position.FROM_20_TO_50: gettext("20th–50th"),
            Position.FROM_50_TO_80: gettext("50th–80th"),
            Position.ABOVE_80: gettext("above 80th"),
        }[self]

    @property
    def short(self) -> str:
        return {
            Position.BELOW_20: "below 20th",
            Position.FROM_20_TO_50: "20th–50th",
            Position.FROM_50_TO_80: "50th–80th",
            Position.ABOVE_80: "above 80th",
        }[self]


def position_of(mean: float, *, p20: float, p50: float, p80: float) -> Position:
    """Where a mean (as released: rounded to one decimal) stands. A mean equal to a percentile
    counts in the band above it, except at the 80th, which counts as 50th–80th: "above the
    80th" means strictly above."""
    if mean < p20:
        return Position.BELOW_20
    if mean < p50:
        return Position.FROM_20_TO_50
    if mean <= p80:
        return Position.FROM_50_TO_80
    return Position.ABOVE_80


def organisations_text(n: int) -> str:
    """How many organisations a benchmark holds, in bands: an exact count, followed from night
    to night and cohort to cohort, would tell who joined or left and which organisations'
    figures were hidden for a domain."""
    if n < MIN_ORGANISATIONS:
        return gettext("fewer than %(minimum)d organisations") % {"minimum": MIN_ORGANISATIONS}
    for low, high in ((5, 9), (10, 19), (20, 49)):
        if n <= high:
            return gettext("%(low)d to %(high)d organisations") % {"low": low, "high": high}
    return gettext("50 or more organisations")


def teams_text(n: int) -> str:
    """How many team means a row holds, rounded down to tens (at least 10) for the same
    reason."""
    if n < 10:
        return gettext("fewer than 10 teams")
    return gettext("%(tens)d or more teams") % {"tens": n // 10 * 10}
