"""Every rule of §4 by hand-computed examples, edges included."""

from __future__ import annotations

import math
import os
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from diagnostics.scoring import (
    Tally,
    agree_share,
    agrees,
    answer_band,
    change_between,
    conditions_index,
    display_mean,
    display_percent,
    figures_of,
    half_up_units,
    is_urgent,
    mean_band,
    minimum_answers,
    response_domain_figures,
    response_domain_score,
    round_half_up,
    round_half_up_text,
    score_of,
    tally_domain,
    tally_statement,
)


def test_it_reverse_scores_as_seven_minus_the_answer():
    assert [score_of(v, reverse_scored=True) for v in range(1, 7)] == [6, 5, 4, 3, 2, 1]
    assert [score_of(v, reverse_scored=False) for v in range(1, 7)] == [1, 2, 3, 4, 5, 6]
    with pytest.raises(ValueError, match="between 1 and 6"):
        score_of(7, reverse_scored=False)


def test_it_bands_answers_red_1_2_amber_3_4_green_5_6():
    assert [answer_band(s) for s in range(1, 7)] == [
        "red",
        "red",
        "amber",
        "amber",
        "green",
        "green",
    ]


@pytest.mark.parametrize(("statements", "needed"), [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3)])
def test_it_needs_half_the_domains_statements_rounded_up(statements, needed):
    assert minimum_answers(statements) == needed


def test_it_gives_a_response_no_domain_score_below_half_answered():
    assert response_domain_score([5, 3], statements_in_form=5) is None  # 2 of 5: fewer than 3
    assert response_domain_score([5, 3, 4], statements_in_form=5) == Fraction(4)
    assert response_domain_score([2], statements_in_form=2) == Fraction(2)
    assert response_domain_score([], statements_in_form=1) is None


def test_it_bands_a_mean_of_exactly_4_5_green_and_exactly_2_5_amber():
    assert mean_band(4.5) == "green"
    assert mean_band(Fraction(9, 2)) == "green"
    assert mean_band(4.4999) == "amber"
    assert mean_band(2.5) == "amber"
    assert mean_band(2.4999) == "red"
    # Aggregation in floating point may land a hair under the exact value.
    assert mean_band(4.499999999999999) == "green"


def test_it_calls_exactly_25_percent_red_urgent():
    assert is_urgent(red=1, answered=4)
    assert is_urgent(red=25, answered=100)
    assert not is_urgent(red=24, answered=100)
    assert not is_urgent(red=0, answered=0)


def test_it_computes_a_groups_domain_figures_by_hand():
    # Three responses to a four-statement domain.
    # A: 6,5,5,4 -> 5.0; B: 2,1 -> 1.5 (2 of 4 = half, counts); C: 3 -> no score (1 of 4).
    tally = tally_domain([[6, 5, 5, 4], [2, 1], [3]], statements_in_form=4)
    figures = figures_of(tally)
    assert figures.n == 2
    assert figures.mean == pytest.approx(3.25)  # (5.0 + 1.5) / 2
    assert figures.band == "amber"
    # Distribution counts every answer, C's too: 7 answers, red 2, amber 2, green 3.
    assert (tally.red, tally.amber, tally.green) == (2, 2, 3)
    assert figures.red_share == pytest.approx(2 / 7)
    assert figures.urgent  # 2/7 = 28.6% >= 25%
    assert display_percent(figures.red_share) == "29"
    assert display_percent(figures.green_share) == "43"


def test_it_has_no_mean_for_a_group_without_scored_responses():
    figures = figures_of(tally_domain([[3]], statements_in_form=4))
    assert figures.mean is None
    assert figures.band is None
    assert figures.answered == 1


def test_it_scores_a_statement_from_its_answers():
    figures = figures_of(tally_statement([1, 2, 5, 6]))
    assert figures.mean == pytest.approx(3.5)
    assert figures.urgent
    assert figures.red_share == pytest.approx(0.5)


def test_it_adds_tallies_so_a_unit_is_the_sum_of_its_teams():
    a = Tally(responses=2, score_total=7.0, red=1, amber=2, green=3)
    b = Tally(responses=1, score_total=5.0, red=0, amber=0, green=2)
    total = a + b
    assert total == Tally(responses=3, score_total=12.0, red=1, amber=2, green=5)
    assert figures_of(total).mean == pytest.approx(4.0)


def test_it_stores_per_response_figures_the_aggregates_build_on():
    stored = response_domain_figures([1, 2, 6], statements_in_form=5)
    assert stored.score == pytest.approx(3.0)
    assert (stored.red, stored.amber, stored.green) == (2, 0, 1)
    assert response_domain_figures([1], statements_in_form=5).score is None


def test_it_maps_the_mean_of_domain_means_to_a_0_to_100_index():
    assert conditions_index([1.0, 1.0]) == 0
    assert conditions_index([6.0]) == 100
    assert conditions_index([3.5, 4.5]) == 60  # mean 4.0 -> 3/5 -> 60
    assert conditions_index([4.125]) == 63  # 62.5 rounds half up
    assert conditions_index([4.124999999999999]) == 63  # float noise from SQL
    assert conditions_index([]) is None


def test_it_counts_a_change_of_exactly_0_3_but_not_less():
    assert change_between(3.2, 3.5).is_change
    assert change_between(3.5, 3.2).direction == "down"
    assert change_between(3.0, 3.3).direction == "up"
    assert not change_between(3.0, 3.29).is_change
    assert not change_between(None, 4.0).is_change  # one side suppressed


def test_it_rounds_only_for_display_half_up():
    assert display_mean(2.45) == "2.5"
    assert display_mean(2.449) == "2.4"
    assert display_mean(4.0) == "4.0"
    assert display_percent(0.125) == "13"
    assert display_percent(None) == ""


def test_it_counts_agree_and_strongly_agree_as_agreeing_with_an_outcome():
    # 6 and 5 agree; 4 ("Slightly agree") does not: 3 of 7 answers.
    assert agree_share([6, 5, 4, 2, 5, 1, 3]) == Fraction(3, 7)
    assert [agrees(score) for score in range(1, 7)] == [False] * 4 + [True] * 2
    assert agree_share([]) is None


def test_it_gives_the_share_who_agree_as_the_green_share_of_the_outcome_tally():
    figures = figures_of(tally_statement([6, 5, 4, 2, 5, 1, 3]))
    assert figures.green_share == pytest.approx(3 / 7)


# Raise it for a long run: ROUNDING_EXAMPLES=200000 scripts/test tests/diagnostics/test_scoring.py
EXAMPLES = int(os.environ.get("ROUNDING_EXAMPLES", "1000"))
# Floats as pages meet them: means and shares of counts, their products by 100, values a hair
# either side of a half (…5 in the place after the last kept one), ties in binary, any float.
counts = st.integers(min_value=0, max_value=5000)
ratios = st.builds(lambda a, b: a / b, counts, st.integers(min_value=1, max_value=5000))
near_halves = st.builds(
    lambda whole, digits, nudge: float(Decimal(f"{whole}.{digits}5")) + nudge * 2.0**-40,
    st.integers(min_value=0, max_value=999_999),
    st.integers(min_value=0, max_value=99_999).map(str),
    st.integers(min_value=-3, max_value=3),
)
binary_ties = st.builds(lambda k, bits: k / 2**bits, counts, st.integers(min_value=0, max_value=40))
plain_floats = st.floats(min_value=0.0, max_value=999_999.999, allow_nan=False)
page_floats = st.one_of(
    ratios, ratios.map(lambda r: r * 100), ratios.map(lambda r: r * 5 + 1), near_halves
)
floats_to_round = st.one_of(page_floats, binary_ties, plain_floats).filter(lambda v: v < 1e6)


@settings(max_examples=EXAMPLES, deadline=None)
@given(value=floats_to_round, places=st.integers(min_value=0, max_value=6))
@example(value=2.45, places=1)
@example(value=2.675, places=2)  # 2.67499999999999982236431605997495353221893310546875
@example(value=0.0009765625, places=6)  # 976562.5 billionths: a tie at nine places
@example(value=0.005, places=2)  # 0.005000000000000000104083408558608425664715468883514404296875
@example(value=4.124999999999999, places=2)
@example(value=999_999.99999999, places=6)
@example(value=0.0, places=3)
def test_it_rounds_on_integers_exactly_as_the_decimal_rounding_does(value, places):
    rounded = round_half_up(value, places)
    assert half_up_units(value, places) == int(rounded.scaleb(places))
    assert round_half_up_text(value, places) == str(rounded)


@pytest.mark.parametrize(
    "value",
    [Fraction(49, 20), -0.05, -0.0, -2.45, math.nan, 1e6, 2.5e9, 3],
)
def test_it_leaves_fractions_negatives_and_the_very_large_to_the_decimal_rounding(value):
    assert half_up_units(value, 1) is None
    if not math.isnan(value):
        assert round_half_up_text(value, 1) == str(round_half_up(value, 1))


def test_it_keeps_the_decimal_rounding_beyond_six_places():
    assert half_up_units(0.5, 7) is None
    assert round_half_up_text(0.5, 7) == str(round_half_up(0.5, 7)) == "0.5000000"
    assert round_half_up_text(0.0, 7) == "0E-7"


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(value=floats_to_round)
def test_it_shows_means_and_percentages_as_the_decimal_rounding_does(value):
    assert display_mean(value) == str(round_half_up(value, 1))
    assert display_percent(value) == str(round_half_up(value * 100, 0))
    assert display_mean(value) == str(round_half_up(value, 1))  # as remembered


@settings(max_examples=EXAMPLES // 4, deadline=None)
@given(means=st.lists(page_floats.filter(lambda v: v < 1e6), min_size=1, max_size=12))
def test_it_rounds_the_index_as_the_decimal_rounding_does(means):
    average = sum(means) / len(means)
    assert conditions_index(means) == int(round_half_up((average - 1) / 5 * 100, 0))


@given(red=counts, answered=counts)
def test_it_calls_urgent_exactly_where_the_red_fraction_reaches_a_quarter(red, answered):
    assert is_urgent(red=red, answered=answered) == (
        answered > 0 and Fraction(red, answered) >= Fraction(1, 4)
    )
