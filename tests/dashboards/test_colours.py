"""The heatmap's colour scale: colour-blind-safe RdYlBu, positions clamped, and text on every
colour at WCAG AA contrast."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboards import colours
from dashboards.colours import (
    BLACK,
    RDYLBU,
    STEP_COLOURS,
    STEP_TEXT_COLOURS,
    STEPS,
    WHITE,
    contrast_ratio,
    difference_position,
    heat_css,
    mean_position,
    scale_colour,
    signed,
    step_of,
    text_colour_for,
)

HEAT_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "heat.css"


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (BLACK, WHITE, 21.0),
        (WHITE, WHITE, 1.0),
        ("#777777", WHITE, 4.48),  # the well-known grey just below AA
        ("#0000ff", WHITE, 8.59),
        (WHITE, "#0000ff", 8.59),  # symmetric
        ("#767676", WHITE, 4.54),  # the lightest grey that passes AA on white
    ],
)
def test_it_computes_the_contrast_of_known_pairs(first, second, expected):
    assert contrast_ratio(first, second) == pytest.approx(expected, abs=0.01)


def test_it_picks_white_on_dark_colours_and_black_on_light_ones():
    assert text_colour_for("#a50026") == WHITE
    assert text_colour_for("#313695") == WHITE
    assert text_colour_for("#ffffbf") == BLACK
    assert text_colour_for("#f46d43") == BLACK  # white would be 2.9:1 here


def test_it_gives_every_colour_of_the_scale_text_of_at_least_4_5_to_1():
    samples = [scale_colour(i / 1000) for i in range(1001)]
    for colour in [*samples, *STEP_COLOURS]:
        assert contrast_ratio(colour, text_colour_for(colour)) >= 4.5, colour
    for colour, text in zip(STEP_COLOURS, STEP_TEXT_COLOURS, strict=True):
        assert text == text_colour_for(colour)
        assert contrast_ratio(colour, text) >= 4.5


def test_it_maps_the_scale_s_ends_and_middle_to_rdylbu():
    assert scale_colour(0) == RDYLBU[0] == STEP_COLOURS[0]
    assert scale_colour(1) == RDYLBU[-1] == STEP_COLOURS[STEPS]
    assert scale_colour(0.5) == "#ffffbf" == STEP_COLOURS[STEPS // 2]
    assert scale_colour(0.1) == RDYLBU[1]


def test_it_clamps_positions_outside_the_scale():
    assert scale_colour(-2) == scale_colour(0)
    assert scale_colour(7) == scale_colour(1)
    assert step_of(-0.5) == 0
    assert step_of(1.5) == STEPS


def test_it_places_means_on_one_to_six_with_3_5_in_the_middle():
    assert mean_position(1) == 0
    assert mean_position(6) == 1
    assert mean_position(3.5) == 0.5
    assert mean_position(0.2) == 0  # clamped
    assert mean_position(9) == 1
    assert step_of(mean_position(2.5)) == 6
    assert step_of(mean_position(4.5)) == 14


def test_it_places_differences_around_zero_clamped_at_one():
    assert difference_position(0) == 0.5
    assert difference_position(1.0) == 1
    assert difference_position(-1.0) == 0
    assert difference_position(-4) == 0
    assert difference_position(2.5) == 1
    assert [step_of(difference_position(d / 10)) for d in range(-10, 11)] == list(range(21))


def test_it_writes_differences_with_a_sign():
    assert signed(0.3) == "+0.3"
    assert signed(-0.25000001) == "−0.3"
    assert signed(0.04) == "0.0"


def test_it_rejects_a_colour_that_is_not_rrggbb():
    with pytest.raises(ValueError, match="rrggbb"):
        contrast_ratio("#fff", BLACK)


def test_it_keeps_the_style_sheet_s_steps_the_same_as_the_python_scale():
    assert HEAT_CSS.read_text().startswith(heat_css()), (
        "Regenerate the top of static/css/heat.css with dashboards.colours.heat_css()"
    )
    assert len(colours.STEP_COLOURS) == STEPS + 1
