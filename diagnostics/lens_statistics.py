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
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np
from numpy.typing import NDArray
from scipy import stats

FDR_LEVEL = 0.10
CONFIDENCE = 0.95
# scipy's default: a p-value's resolution is 1/10,000, well below the smallest cut-off
# Benjamini–Hochberg uses on a page (10% / about 70 pairs ≈ 0.0014).
PERMUTATIONS = 9999
ROWS = 1000  # resamples drawn and compared at a time (memory: ROWS x teams)
SEED = 20260616  # fixed, so a page shows the same p-values every time
MIN_TEAMS_FOR_INTERVAL = 4  # Fisher's z needs n > 3
ROUNDING = 1e-12

Floats = tuple[float, ...]


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


def permutation_p_value(
    xs: Sequence[float], ys: Sequence[float], *, resamples: int = PERMUTATIONS
) -> float:
    """Two-sided permutation p-value of Spearman's ρ: the share of pairings of the figures with
    the domain means whose ρ is at least as extreme (scipy doubles the smaller tail).

    Exact when every pairing can be tried (n! ≤ `resamples`, so up to 7 teams); otherwise
    `resamples` random pairings from a fixed seed, counted conservatively ((hits + 1) /
    (resamples + 1)). Only one side is permuted: ρ depends on the pairings alone, so permuting
    both would give the same distribution at n! times the cost. The lens asks for its pairs
    together, through `rank_correlations`, which remembers them."""
    (found,) = _p_values([(tuple(map(float, xs)), tuple(map(float, ys)))], resamples)
    return found


def _p_values(pairs: Sequence[tuple[Floats, Floats]], resamples: int) -> list[float]:
    """The permutation p-values of these pairs, each exactly as `scipy.stats.permutation_test`
    gives it alone (`permutation_p_value`), worked out together: the pairs of one number of
    teams share one draw of random pairings (alone, each draws the same ones, from the fixed
    seed), and the pairs of one figure's values share its permuted ranks. The lens tests some
    70 pairs across up to thousands of teams; a draw of 9,999 pairings of 3,000 teams each took
    over a second a pair."""
    found: dict[tuple[Floats, Floats], float] = {}
    sampled: dict[int, dict[Floats, list[Floats]]] = {}
    for xs, ys in dict.fromkeys(pairs):
        if _every_pairing_tried(len(xs), resamples):
            found[(xs, ys)] = _exact_p_value(xs, ys, resamples)
        else:
            sampled.setdefault(len(xs), {}).setdefault(xs, []).append(ys)
    for teams, figures in sampled.items():
        pairings = _pairings(teams, resamples)
        for xs, ys_list in figures.items():
            p_values = _sampled_p_values(xs, ys_list, resamples, pairings)
            found.update(((xs, ys), p) for ys, p in zip(ys_list, p_values, strict=True))
    return [found[pair] for pair in pairs]


def _every_pairing_tried(teams: int, resamples: int) -> bool:
    """Whether teams! ≤ resamples (scipy then enumerates every pairing), without working out
    the factorial of thousands."""
    total = 1
    for factor in range(2, teams + 1):
        total *= factor
        if total > resamples:
            return False
    return True


def _exact_p_value(xs: tuple[float, ...], ys: tuple[float, ...], resamples: int) -> float:
    """Every pairing tried (n! ≤ `resamples`): scipy's own enumeration."""
    x_ranks = stats.rankdata(xs)
    result = stats.permutation_test(
        (x_ranks,),
        _correlation_with(stats.rankdata(ys), x_ranks),
        permutation_type="pairings",
        vectorized=True,
        n_resamples=resamples,
        alternative="two-sided",
        rng=np.random.default_rng(SEED),
    )
    return float(min(1.0, result.pvalue))


def _pairings(teams: int, resamples: int) -> NDArray[np.unsignedinteger[Any]]:
    """The random pairings `scipy.stats.permutation_test` draws for one sample of `teams`
    observations, `resamples` of them, from a generator of our seed (a row per resample).

    scipy draws them in one call on `resamples` rows; numpy's generator permutes row after row,
    so drawing `ROWS` rows at a time from the same generator gives the same indices, without a
    second copy of them all (3,000 teams: 240 MB a copy). They are kept in the smallest integer
    type that holds them (2 bytes up to 65,536 teams)."""
    rng = np.random.default_rng(SEED)
    drawn = np.empty((resamples, teams), dtype=np.min_scalar_type(max(teams - 1, 0)))
    order = np.arange(teams)
    for start in range(0, resamples, ROWS):
        rows = min(ROWS, resamples - start)
        drawn[start : start + rows] = rng.permuted(np.tile(order, (rows, 1)), axis=-1)
    return drawn


def _sampled_p_values(
    xs: tuple[float, ...],
    ys_list: Sequence[tuple[float, ...]],
    resamples: int,
    pairings: NDArray[np.unsignedinteger[Any]],
) -> list[float]:
    """`scipy.stats.permutation_test`'s two-sided p-value (pairings, sampled) of the figure `xs`
    against each of `ys_list`, from these random `pairings`: the same statistic over the same
    null distribution, the same tolerance for values tied with the observed one, and the same
    (hits + 1) / (resamples + 1), doubled on the smaller tail. The figure's ranks are permuted
    once for every domain, `ROWS` resamples at a time."""
    x_ranks = stats.rankdata(xs)
    eps = float(np.finfo(np.float64).eps) * 100
    tests = []
    for ys in ys_list:
        statistic = _correlation_with(stats.rankdata(ys), x_ranks)
        observed = float(statistic(x_ranks, axis=-1))
        tests.append(_Tails(statistic, observed, abs(eps * observed)))
    for start in range(0, resamples, ROWS):
        permuted = x_ranks[pairings[start : start + ROWS]]
        for test in tests:
            null = test.statistic(permuted, axis=-1)
            test.less += int(np.count_nonzero(null <= test.observed + test.gamma))
            test.greater += int(np.count_nonzero(null >= test.observed - test.gamma))
    return [
        float(min(1.0, min(test.less + 1, test.greater + 1) / (resamples + 1) * 2))
        for test in tests
    ]


@dataclass
class _Tails:
    """One pair's statistic, its observed value and tolerance, and its null values counted so
    far at or below it and at or above it."""

    statistic: Callable[..., NDArray[np.float64]]
    observed: float
    gamma: float
    less: int = 0
    greater: int = 0


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Remembered(Generic[K, V]):
    """The last `size` values worked out, by input (the least recently used go first); safe to
    share between a process's threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def recall(self, key: K) -> tuple[bool, V | None]:
        with self._lock:
            try:
                self._values.move_to_end(key)
            except KeyError:
                return False, None
            return True, self._values[key]

    def keep(self, key: K, value: V) -> None:
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.size:
                self._values.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


class _Pair:
    """A pair's figure values and domain means as a key: their bytes as 64-bit floats, hashed
    once. A page looks up each of its some 70 pairs, of up to 3,000 teams, on every visit, and
    converting, hashing and comparing bytes costs a fraction of doing so for tuples of floats; a
    remembered pair keeps 16 bytes a team rather than two tuples of float objects. The values
    come back as tuples of the same floats (`xs`, `ys`) for the pairs worked out."""

    __slots__ = ("_hash", "_key")

    def __init__(self, xs: Sequence[float], ys: Sequence[float]) -> None:
        figures = np.asarray(xs, dtype=np.float64)
        means = np.asarray(ys, dtype=np.float64)
        self._key = (figures.size, figures.tobytes() + means.tobytes())
        self._hash = hash(self._key)

    @property
    def teams(self) -> int:
        return self._key[0]

    @property
    def xs(self) -> Floats:
        teams, data = self._key
        return tuple(np.frombuffer(data, dtype=np.float64, count=teams).tolist())

    @property
    def ys(self) -> Floats:
        teams, data = self._key
        return tuple(np.frombuffer(data, dtype=np.float64, offset=8 * teams).tolist())

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Pair) and self._hash == other._hash and self._key == other._key


_remembered_correlations: _Remembered[_Pair, RankCorrelation | None] = _Remembered(4096)


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
    (found,) = rank_correlations([(xs, ys)])
    return found


def rank_correlations(
    pairs: Sequence[tuple[Sequence[float], Sequence[float]]],
) -> list[RankCorrelation | None]:
    """`rank_correlation` of each pair, the ones not remembered worked out together (their
    p-values share their random pairings: `_p_values`)."""
    keys = [_Pair(xs, ys) for xs, ys in pairs]
    found: dict[_Pair, RankCorrelation | None] = {}
    missing: dict[_Pair, float] = {}  # with its ρ
    for key in keys:
        if key in found or key in missing:
            continue
        known, correlation = _remembered_correlations.recall(key)
        if known:
            found[key] = correlation
            continue
        rho = spearman_rho(key.xs, key.ys)
        if rho is None:
            found[key] = None
            _remembered_correlations.keep(key, None)
        else:
            missing[key] = rho
    p_values = _p_values([(key.xs, key.ys) for key in missing], PERMUTATIONS)
    for (key, rho), p_value in zip(missing.items(), p_values, strict=True):
        interval = fisher_interval(rho, key.teams)
        found[key] = RankCorrelation(
            rho=rho,
            p_value=p_value,
            low=interval[0] if interval else None,
            high=interval[1] if interval else None,
            teams=key.teams,
        )
        _remembered_correlations.keep(key, found[key])
    return [found[key] for key in keys]


def fisher_p_value(rho: float, n: int) -> float:
    """The two-sided p-value of ρ against 0 from the same approximation as `fisher_interval`:
    z = atanh(ρ) / √((1 + ρ²/2) / (n − 3)), p = 2·P(Z > |z|). Consistent with the interval, which
    leaves out 0 exactly when p is below 1 − `CONFIDENCE`. A ρ of ±1 gives 0 (z is infinite).
    For the drivers, whose groups are responses (30 or more), where a permutation per pair would
    cost far more and tell little more at that size."""
    if n < MIN_TEAMS_FOR_INTERVAL:
        raise ValueError("Fisher's z needs more than 3 pairs")
    if abs(rho) >= 1:
        return 0.0
    error = math.sqrt((1 + rho**2 / 2) / (n - 3))
    return float(2 * stats.norm.sf(abs(math.atanh(rho)) / error))


def discoveries(p_values: Sequence[float], *, level: float = FDR_LEVEL) -> list[bool]:
    """Which of the p-values survive Benjamini–Hochberg at a false discovery rate of `level`:
    those whose BH-adjusted p-value (`scipy.stats.false_discovery_control`) is at most `level`.

    The same as the step-up rule: sort the m p-values, find the largest i with p₍ᵢ₎ ≤ i·level/m,
    and keep the i smallest."""
    if not p_values:
        return []
    adjusted = stats.false_discovery_control(np.asarray(p_values, dtype=float), method="bh")
    return [bool(value <= level) for value in adjusted]
