"""Figures as they leave the server: rounded at release exactly as `round_half_up` rounds."""

from __future__ import annotations

import os
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostics.scoring import Figures, Tally, figures_of, round_half_up
from disclosure.release import released, rounded_mean, rounded_share


def share_by_decimals(share: float | None) -> float | None:
    """What a share was released as before the integer rounding: the reference."""
    return None if share is None else float(round_half_up(share * 100, 0) / Decimal(100))


def mean_by_decimals(mean: float | None) -> float | None:
    return None if mean is None else float(round_half_up(mean, 1))


EXAMPLES = int(os.environ.get("ROUNDING_EXAMPLES", "1000"))  # raise it for a long run
counts = st.integers(min_value=0, max_value=3000)
# Score totals as SQL sums them (floats, with noise) and as `tally_domain` does (Fractions).
float_totals = st.builds(
    lambda scores, noise: sum(scores) + noise,
    st.lists(st.integers(min_value=1, max_value=6).map(float), max_size=60),
    st.sampled_from([0.0, 1e-12, -1e-12, 3e-15]),
)
fraction_totals = st.builds(
    lambda parts: sum(parts, Fraction(0)),
    st.lists(
        st.builds(Fraction, st.integers(min_value=1, max_value=36), st.integers(1, 6)),
        max_size=40,
    ),
)
tallies = st.builds(
    Tally,
    responses=st.integers(min_value=0, max_value=60),
    score_total=st.one_of(float_totals, fraction_totals),
    red=counts,
    amber=counts,
    green=counts,
)


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(tally=tallies, n=st.one_of(st.none(), counts))
def test_it_releases_a_tallys_figures_rounded_as_the_decimal_rounding_does(tally, n):
    exact = figures_of(tally)
    assert released(tally, n=n) == Figures(
        n=exact.n if n is None else n,
        mean=mean_by_decimals(exact.mean),
        band=exact.band,
        urgent=exact.urgent,
        red_share=share_by_decimals(exact.red_share),
        amber_share=share_by_decimals(exact.amber_share),
        green_share=share_by_decimals(exact.green_share),
        answered=exact.answered,
    )


@settings(max_examples=EXAMPLES, deadline=None)
@given(count=counts, of=st.integers(min_value=1, max_value=3000))
def test_it_rounds_every_share_of_counts_as_the_decimal_rounding_does(count, of):
    share = count / of
    assert repr(rounded_share(share)) == repr(share_by_decimals(share))
    assert repr(rounded_share(share)) == repr(share_by_decimals(share))  # as remembered


@pytest.mark.parametrize("value", [0.0, -0.0, -0.125, 0.125, 0.145, 1e7, None])
def test_it_rounds_edges_as_the_decimal_rounding_does(value):
    assert repr(rounded_share(value)) == repr(share_by_decimals(value))
    assert repr(rounded_mean(value)) == repr(mean_by_decimals(value))
