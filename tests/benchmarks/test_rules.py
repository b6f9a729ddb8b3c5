from __future__ import annotations

from datetime import date

import pytest

from benchmarks.rules import (
    Position,
    organisations_text,
    percentile,
    percentiles,
    period_label,
    period_of,
    position_of,
    teams_text,
)


def test_it_interpolates_percentiles_linearly_as_worked_by_hand():
    # Sorted: 2.1, 3.0, 3.4, 3.9, 4.2, 5.0 (n = 6).
    # 20th: rank 5 × 0.2 = 1.0 → x[1] = 3.0.
    # 50th: rank 2.5 → 3.4 + 0.5 × (3.9 − 3.4) = 3.65.
    # 80th: rank 4.0 → x[4] = 4.2.
    values = [4.2, 2.1, 5.0, 3.4, 3.0, 3.9]
    p20, p50, p80 = percentiles(values)
    assert p20 == pytest.approx(3.0)
    assert p50 == pytest.approx(3.65)
    assert p80 == pytest.approx(4.2)


def test_it_interpolates_between_ranks_for_five_values():
    # 2, 3, 4, 5, 6: 20th at rank 0.8 → 2.8; 80th at rank 3.2 → 5.2.
    assert percentile([6, 5, 4, 3, 2], 20) == pytest.approx(2.8)
    assert percentile([6, 5, 4, 3, 2], 50) == pytest.approx(4.0)
    assert percentile([6, 5, 4, 3, 2], 80) == pytest.approx(5.2)


def test_it_agrees_with_numpys_default_method():
    numpy = pytest.importorskip("numpy")
    values = [1.7, 4.4, 3.1, 3.1, 5.9, 2.6, 4.8, 3.3]
    for q in (0, 20, 50, 80, 100):
        assert percentile(values, q) == pytest.approx(float(numpy.percentile(values, q)))


def test_it_refuses_no_values():
    with pytest.raises(ValueError, match="at least one"):
        percentile([], 50)


def test_it_puts_a_closing_date_in_its_half_year():
    assert period_of(date(2026, 6, 30)) == "2026-H1"
    assert period_of(date(2026, 7, 1)) == "2026-H2"
    assert period_label("2026-H2") == "July to December 2026"
    assert period_label("2024–25 survey") == "2024–25 survey"


@pytest.mark.parametrize(
    ("mean", "expected"),
    [
        (2.9, Position.BELOW_20),
        (3.0, Position.FROM_20_TO_50),
        (3.5, Position.FROM_20_TO_50),
        (3.6, Position.FROM_50_TO_80),
        (4.2, Position.FROM_50_TO_80),
        (4.3, Position.ABOVE_80),
    ],
)
def test_it_places_a_mean_at_the_boundaries_as_documented(mean, expected):
    assert position_of(mean, p20=3.0, p50=3.6, p80=4.2) == expected


def test_it_words_sizes_in_bands():
    assert organisations_text(4) == "fewer than 5 organisations"
    assert organisations_text(5) == "5 to 9 organisations"
    assert organisations_text(9) == "5 to 9 organisations"
    assert organisations_text(12) == "10 to 19 organisations"
    assert organisations_text(77) == "50 or more organisations"
    assert teams_text(9) == "fewer than 10 teams"
    assert teams_text(37) == "30 or more teams"
