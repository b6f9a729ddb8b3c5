"""The lens's statistics against values worked by hand and against scipy called directly."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from diagnostics import lens_statistics
from diagnostics.lens_statistics import (
    FDR_LEVEL,
    PERMUTATIONS,
    SEED,
    _correlation_with,
    _remembered_correlations,
    discoveries,
    fisher_interval,
    fisher_p_value,
    permutation_p_value,
    rank_correlation,
    rank_correlations,
    spearman_rho,
)

# Six teams: caseloads and wellbeing means. Ranks 1..6 against 6,5,4,3,1,2, so the squared
# rank differences are 25 + 9 + 1 + 1 + 16 + 16 = 68 and ρ = 1 − 6·68 / (6·35) = −33/35.
CASELOADS = [12, 15, 19, 23, 28, 30]
WELLBEING = [4.8, 4.1, 3.7, 2.9, 2.2, 2.5]


def test_it_computes_spearman_by_hand_with_ties_sharing_their_average_rank():
    assert spearman_rho(CASELOADS, WELLBEING) == pytest.approx(-33 / 35)
    # Ranks 1..5 against 1, 2, 3.5, 5, 3.5: Σd² = 0 + 0 + 0.25 + 1 + 2.25 = 3.5 and the tie
    # makes the Pearson-on-ranks value 0.8207826816681233 (not 1 − 6·3.5/120).
    assert spearman_rho([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) == pytest.approx(0.8207826816681233)
    assert spearman_rho([1, 2, 3, 4, 5], [50, 40, 30, 20, 10]) == pytest.approx(-1.0)


def test_it_gives_no_rho_when_either_side_does_not_vary():
    assert spearman_rho([1, 1, 1, 1, 1], [1, 2, 3, 4, 5]) is None
    assert spearman_rho([1, 2, 3, 4, 5], [3, 3, 3, 3, 3]) is None
    assert rank_correlation([1, 1, 1, 1, 1], [1, 2, 3, 4, 5]) is None


def test_it_gives_the_exact_permutation_p_value_worked_by_hand():
    # Of the 720 pairings, 6 have Σd² ≥ 68 (the full reversal, Σd² = 70, and the 5 that swap
    # one neighbouring pair of it) and, by symmetry, 6 have ρ ≥ +33/35: p = 12 / 720.
    assert permutation_p_value(CASELOADS, WELLBEING) == pytest.approx(12 / 720)
    # Five teams in reverse order: only 1 of the 120 pairings is as extreme on each side.
    assert permutation_p_value([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]) == pytest.approx(2 / 120)


def test_it_agrees_with_scipy_permuting_spearmanr_itself_on_the_same_seed():
    xs = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]
    ys = [2.7, 3.8, 2.8, 1.8, 4.5, 3.9, 2.3, 5.3, 3.5, 2.1]
    direct = stats.permutation_test(
        (xs,),
        lambda permuted: stats.spearmanr(permuted, ys).statistic,
        permutation_type="pairings",
        vectorized=False,
        n_resamples=999,  # fewer than scipy's default only to keep the unvectorised call quick
        rng=np.random.default_rng(SEED),
    )
    assert permutation_p_value(xs, ys, resamples=999) == pytest.approx(direct.pvalue)
    assert 0.01 < direct.pvalue < 0.9  # a middling example, not a trivial one


def test_it_gives_the_same_p_value_every_time_for_more_teams_than_it_can_enumerate():
    xs = [float(i) for i in range(12)]
    ys = [2.1, 3.3, 1.9, 4.0, 3.1, 2.2, 5.0, 3.9, 2.8, 4.4, 3.0, 4.9]
    first = permutation_p_value(xs, ys)
    assert permutation_p_value(xs, ys, resamples=PERMUTATIONS + 1) != first  # not the cache
    assert permutation_p_value(list(xs), list(ys)) == first
    # Conservative Monte Carlo counting: (hits + 1) / (resamples + 1), never 0.
    assert first * (PERMUTATIONS + 1) == pytest.approx(round(first * (PERMUTATIONS + 1)))


def scipy_alone(xs, ys, resamples=PERMUTATIONS):
    """The p-value scipy's permutation test gives this one pair, as the lens asked it before
    pairs were worked out together."""
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


def test_it_works_out_many_pairs_together_to_exactly_scipy_s_p_value_for_each_alone():
    """Pairs of one size share a draw of pairings and pairs of one figure its permuted ranks;
    each p-value must still equal, to the bit, what scipy gives the pair alone: independent,
    tied, strongly and perfectly associated pairs, of 6 (enumerated) to 300 teams."""
    rng = np.random.default_rng(7)
    pairs = []
    for teams in (6, 8, 9, 40, 300):
        figure = tuple(float(v) for v in rng.integers(0, max(4, teams // 4), teams))
        for strength in (0.0, 0.3, 3.0):
            noise = rng.normal(0, 1, teams)
            pairs.append(
                (figure, tuple(float(round(v, 1)) for v in strength * np.array(figure) + noise))
            )
        pairs.append((figure, figure))
        # Few values on both sides, against each other: many pairings tie the observed ρ.
        few = tuple(float(v) for v in rng.integers(0, 3, teams))
        pairs.append((few, tuple(2.0 - v + float(rng.integers(0, 2)) for v in few)))
        other = tuple(float(v) for v in rng.normal(20, 5, teams).round())
        pairs.append((other, tuple(float(v) for v in rng.normal(4, 1, teams).round(1))))
    # Two values against three, either way round: a fifth of the pairings tie the observed ρ,
    # and counting them on one tail and not the other moves the p-value (1.0, not 0.80).
    binary = (0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0)
    pairs.append((binary, (2.0, 0.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0)))
    pairs.append((binary, (0.0, 2.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0)))
    _remembered_correlations.clear()
    together = rank_correlations(pairs)
    for (xs, ys), found in zip(pairs, together, strict=True):
        assert found is not None
        assert found.p_value == scipy_alone(xs, ys)
        assert found.rho == spearman_rho(xs, ys)
    assert min(found.p_value for found in together if found) < 0.001  # some pairs are clear
    assert max(found.p_value for found in together if found) > 0.1  # and some are not
    assert rank_correlations(pairs) == together  # remembered


def test_it_remembers_a_pair_asked_again_with_the_same_values_in_another_form(monkeypatch):
    _remembered_correlations.clear()
    first = rank_correlation(CASELOADS, WELLBEING)  # whole numbers, in lists

    def fail(*args, **kwargs):
        raise AssertionError("worked out again")

    monkeypatch.setattr(lens_statistics, "spearman_rho", fail)  # asked of every pair not known
    again = rank_correlation(tuple(float(v) for v in CASELOADS), tuple(WELLBEING))
    assert again == first
    assert again is not None
    assert again.teams == len(CASELOADS)
    # Other values, or the same values split differently between the two sides, are other pairs.
    with pytest.raises(AssertionError, match="worked out again"):
        rank_correlation(CASELOADS[:-1], WELLBEING[:-1])
    with pytest.raises(AssertionError, match="worked out again"):
        rank_correlation([*CASELOADS, WELLBEING[0]], WELLBEING[1:])


def test_it_says_which_pairs_have_no_correlation_among_those_worked_out_together():
    varying = ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [2.0, 1.0, 4.0, 3.0, 6.0, 5.0, 8.0, 7.0])
    flat = ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [3.0] * 8)
    found = rank_correlations([varying, flat, varying])
    assert found[1] is None
    assert found[0] == found[2] == rank_correlation(*varying)
    assert found[0] is not None
    assert found[0].p_value == scipy_alone(*varying)


def test_it_gives_bonett_wright_fisher_intervals_worked_by_hand():
    # ρ = 0.5, n = 12: z = atanh(0.5) = 0.549306; se = √((1 + 0.125) / 9) = 0.353553;
    # z ± 1.959964·se = −0.143647 and 1.242259; back through tanh:
    interval = fisher_interval(0.5, 12)
    assert interval is not None
    low, high = interval
    assert low == pytest.approx(-0.142666, abs=1e-6)
    assert high == pytest.approx(0.846098, abs=1e-6)
    # Symmetric in the sign of ρ, and narrower with more teams.
    assert fisher_interval(-0.5, 12) == pytest.approx((-high, -low))
    wide, narrow = fisher_interval(0.5, 8), fisher_interval(0.5, 40)
    assert wide is not None
    assert narrow is not None
    assert wide[1] - wide[0] > high - low > narrow[1] - narrow[0]


def test_it_gives_a_p_value_from_the_same_fisher_z_as_the_interval():
    # ρ = 0.5, n = 12, as above: z / se = 0.549306 / 0.353553 = 1.553680, p = 2·P(Z > 1.55368).
    assert fisher_p_value(0.5, 12) == pytest.approx(0.120262, abs=1e-6)
    assert fisher_p_value(-0.5, 12) == fisher_p_value(0.5, 12)
    assert fisher_p_value(1.0, 30) == 0.0
    assert fisher_p_value(0.0, 30) == 1.0
    for rho in (-0.6, -0.37, -0.2, 0.05, 0.31, 0.362, 0.364, 0.7):
        for n in (4, 12, 30, 31, 200):
            interval = fisher_interval(rho, n)
            assert interval is not None
            assert (interval[0] > 0 or interval[1] < 0) == (fisher_p_value(rho, n) < 0.05)


def test_it_gives_no_interval_where_fisher_z_is_infinite_or_undefined():
    assert fisher_interval(1.0, 10) is None
    assert fisher_interval(-1.0, 10) is None
    assert fisher_interval(0.3, 3) is None
    reversed_order = rank_correlation([1, 2, 3, 4, 5], [5, 4, 3, 2, 1])
    assert reversed_order is not None
    assert (reversed_order.low, reversed_order.high) == (None, None)


def test_it_keeps_the_pairs_benjamini_hochberg_keeps_worked_by_hand():
    # m = 10 at 10%: the cut-offs are i/100. Sorted, p(6) = 0.059 ≤ 0.06 is the largest p(i)
    # under its cut-off, so the 6 smallest survive, p(3) and p(4) too although each is above
    # its own cut-off (step-up); p(7) = 0.074 > 0.07 does not.
    p_values = [0.205, 0.001, 0.039, 0.216, 0.008, 0.041, 0.074, 0.042, 0.212, 0.059]
    assert discoveries(p_values) == [
        False, True, True, False, True, True, False, True, False, True,
    ]  # fmt: skip
    assert FDR_LEVEL == 0.10


def test_it_keeps_nothing_when_no_p_value_is_small_enough_for_the_number_tested():
    # One pair alone at p = 0.02 survives; the same p among 40 pairs needs ≤ 0.0025.
    assert discoveries([0.02]) == [True]
    assert discoveries([0.02] + [0.5] * 39) == [False] * 40
    assert discoveries([]) == []


def test_it_puts_rho_p_value_and_interval_together():
    found = rank_correlation(CASELOADS, WELLBEING)
    assert found is not None
    assert found.rho == pytest.approx(-33 / 35)
    assert found.p_value == pytest.approx(12 / 720)
    assert found.teams == 6
    z, error = math.atanh(-33 / 35), math.sqrt((1 + (33 / 35) ** 2 / 2) / 3)
    assert found.low == pytest.approx(math.tanh(z - 1.959963984540054 * error))
    assert found.high == pytest.approx(math.tanh(z + 1.959963984540054 * error))
