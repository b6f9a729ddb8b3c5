"""The structural lens's statistics (§6), with scipy.stats. Pure functions: numbers in, numbers out.

For each structural figure and domain, across the teams that have both:

- Spearman's rank correlation ρ (`scipy.stats.spearmanr`): the figure and the domain mean need
  not be linearly related, only move together in order.
- A two-sided permutation p-value (`scipy.stats.permutation_test`, pairings): how often
  shuffling which team has which figure gives a ρ at least as far from 0. It assumes nothing
  about the shape of the data, is exact for up to 7 teams, and uses a fixed seed above that so a
  page reads the same each time it is opened.
- A 95% confidence interval for ρ: Fisher's z with Bonett and Wright's standard error (see
  `fisher_interval` for why not the bootstrap).
- Benjamini–Hochberg across all the pairs tested on a page (`scipy.stats.false_discovery_control`):
  with some 70 pairs tested at once, several would look "strong" by chance alone; keeping only
  the pairs that survive a false discovery rate of 10% means that, on average, at most one in
  ten of the associations listed is a fluke.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy import stats

FDR_LEVEL = 0.10
CONFIDENCE = 0.95
# scipy's default: a p-value's resolution is 1/10,000, well below the smallest cut-off
# Benjamini–Hochberg uses on a page (10% / about 70 pairs ≈ 0.0014).
PERMUTATIONS = 9999
SEED = 20260616  # fixed, so a page shows the same p-values every time
MIN_TEAMS_FOR_INTERVAL = 4  # Fisher's z needs n > 3
ROUNDING = 1e-12


@dataclass(frozen=True)
class RankCorrelation:
    """ρ across `teams` teams, its permutation p-value and its confidence interval.

    `low` and `high` are None when no interval can be given (every team in the same order,
    where Fisher's z is infinite)."""

    rho: float
    p_value: float
    low: float | None
    high: float | None
    teams: int


def spearman_rho(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman's ρ (ties share their average rank), or None when either side does not vary or
    there are fewer than 2 pairs."""
    if len(xs) != len(ys) or len(xs) < 2 or len(set(xs)) < 2 or len(set(ys)) < 2:
        return None
    rho = float(stats.spearmanr(xs, ys).statistic)
    # Teams in exactly the same (or reverse) order give ±1 up to rounding: say so exactly.
    return math.copysign(1.0, rho) if abs(rho) > 1 - ROUNDING else rho


def _correlation_with(
    fixed: NDArray[np.float64], permuted: NDArray[np.float64]
) -> Callable[..., NDArray[np.float64]]:
    """Pearson's r of a permutation of `permuted` with `fixed`, vectorised along `axis`. On
    average ranks this is Spearman's ρ, so permuting one side's ranks permutes the pairings.
    Every permutation has the same mean and spread as `permuted`, so only the cross product
    changes: one dot product per resample."""
    centred = fixed - fixed.mean()
    scale = math.sqrt(float((centred**2).sum()) * float(((permuted - permuted.mean()) ** 2).sum()))
    offset = permuted.mean() * centred.sum()  # 0 up to rounding; kept for exactness

    def statistic(resampled: NDArray[np.float64], axis: int = -1) -> NDArray[np.float64]:
        products = np.einsum("...i,i->...", np.moveaxis(resampled, axis, -1), centred)
        result: NDArray[np.float64] = (products - offset) / scale
        return result

    return statistic


@lru_cache(maxsize=4096)
def _permutation_p_value(xs: tuple[float, ...], ys: tuple[float, ...], resamples: int) -> float:
    x_ranks = stats.rankdata(xs)
    y_ranks = stats.rankdata(ys)
    result = stats.permutation_test(
        (x_ranks,),
        _correlation_with(y_ranks, x_ranks),
        permutation_type="pairings",
        vectorized=True,
        n_resamples=resamples,
        alternative="two-sided",
        rng=np.random.default_rng(SEED),
    )
    return float(min(1.0, result.pvalue))


def permutation_p_value(
    xs: Sequence[float], ys: Sequence[float], *, resamples: int = PERMUTATIONS
) -> float:
    """Two-sided permutation p-value of Spearman's ρ: the share of pairings of the figures with
    the domain means whose ρ is at least as extreme (scipy doubles the smaller tail).

    Exact when every pairing can be tried (n! ≤ `resamples`, so up to 7 teams); otherwise
    `resamples` random pairings from a fixed seed, counted conservatively ((hits + 1) /
    (resamples + 1)). Only one side is permuted: ρ depends on the pairings alone, so permuting
    both would give the same distribution at n! times the cost. Remembered per input, since the
    lens asks again for every figure and domain it shows."""
    return _permutation_p_value(tuple(map(float, xs)), tuple(map(float, ys)), resamples)


def fisher_interval(
    rho: float, teams: int, *, confidence: float = CONFIDENCE
) -> tuple[float, float] | None:
    """A confidence interval for Spearman's ρ: Fisher's z with Bonett and Wright's (2000)
    standard error for Spearman, √((1 + ρ²/2) / (n − 3)).

    Why this and not `scipy.stats.bootstrap`: the lens works with 5 to a few dozen teams. With
    so few, a bootstrap of a rank correlation is rough: resamples repeat teams, which makes ties
    and a lumpy distribution of ρ, and percentile or BCa intervals are known to fall short of
    their coverage in small samples; it would also cost thousands of ρs per pair on every page.
    Fisher's z is in closed form and defined from n = 4, and Bonett and Wright's standard error is
    the one they recommend for Spearman's ρ (Fisher's own 1/√(n − 3) is too narrow for it). At 5
    to 10 teams any honest interval is wide, and this one is.

    None when ρ is ±1 (z is infinite: every team in the same order) or n ≤ 3.
    """
    if teams < MIN_TEAMS_FOR_INTERVAL or abs(rho) >= 1:
        return None
    z = math.atanh(rho)
    error = math.sqrt((1 + rho**2 / 2) / (teams - 3))
    critical = float(stats.norm.ppf(0.5 + confidence / 2))
    return math.tanh(z - critical * error), math.tanh(z + critical * error)


def rank_correlation(xs: Sequence[float], ys: Sequence[float]) -> RankCorrelation | None:
    """ρ with its permutation p-value and interval, or None when it cannot be computed (either
    side does not vary, or fewer than 2 pairs). Remembered per input: the lens asks again for
    the same teams' values on every visit."""
    return _rank_correlation(tuple(map(float, xs)), tuple(map(float, ys)))


@lru_cache(maxsize=4096)
def _rank_correlation(xs: tuple[float, ...], ys: tuple[float, ...]) -> RankCorrelation | None:
    rho = spearman_rho(xs, ys)
    if rho is None:
        return None
    interval = fisher_interval(rho, len(xs))
    return RankCorrelation(
        rho=rho,
        p_value=permutation_p_value(xs, ys),
        low=interval[0] if interval else None,
        high=interval[1] if interval else None,
        teams=len(xs),
    )


def discoveries(p_values: Sequence[float], *, level: float = FDR_LEVEL) -> list[bool]:
    """Which of the p-values survive Benjamini–Hochberg at a false discovery rate of `level`:
    those whose BH-adjusted p-value (`scipy.stats.false_discovery_control`) is at most `level`.

    The same as the step-up rule: sort the m p-values, find the largest i with p₍ᵢ₎ ≤ i·level/m,
    and keep the i smallest."""
    if not p_values:
        return []
    adjusted = stats.false_discovery_control(np.asarray(p_values, dtype=float), method="bh")
    return [bool(value <= level) for value in adjusted]
