"""The heatmap's colour scale and the text colour that reads on each of its colours.

Pure functions, no Django. The scale is ColorBrewer's RdYlBu (Cynthia Brewer, colorbrewer2.org,
11 classes), which ColorBrewer marks safe for colour-blind readers: its ends differ in lightness
and along the blue–yellow axis, which people with deuteranopia or protanopia (the common
red–green colour blindness) still see, unlike red–green scales such as RdYlGn whose ends they
confuse. It is diverging: red for low (or below the comparison), pale yellow in the middle, blue
for high (or above it). The band of §4 is still printed in each cell, so colour never carries the
meaning alone.

Cells take one of `STEPS + 1` colours along the scale (a step of 0.25 on the 1–6 mean scale, 0.1
for a difference), so that the page's style sheet can hold every colour (the site's content
security policy allows no inline styles) and each colour's text colour is checked once.
"""

from __future__ import annotations

from collections.abc import Sequence

RDYLBU: tuple[str, ...] = (
    "#a50026",
    "#d73027",
    "#f46d43",
    "#fdae61",
    "#fee090",
    "#ffffbf",
    "#e0f3f8",
    "#abd9e9",
    "#74add1",
    "#4575b4",
    "#313695",
)
STEPS = 20
BLACK = "#000000"
WHITE = "#ffffff"
AA_CONTRAST = 4.5

SCALE_LOW = 1.0
SCALE_HIGH = 6.0
DIFFERENCE_SPAN = 1.0  # a difference of ±1.0 or more takes the scale's end colours


def _channels(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"Not a #rrggbb colour: {hex_colour!r}")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hex(channels: Sequence[float]) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in channels)


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.2's relative luminance of an sRGB colour."""
    linear = []
    for channel in _channels(hex_colour):
        c = channel / 255
        linear.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.2's contrast ratio of two colours, from 1 to 21."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_colour_for(background: str) -> str:
    """Black or white, whichever contrasts more with the background. One of the two always
    reaches at least 4.58:1 (they tie where the background's luminance is about 0.18), so the
    text of every cell meets WCAG AA."""
    if contrast_ratio(background, BLACK) >= contrast_ratio(background, WHITE):
        return BLACK
    return WHITE


def clamp(position: float) -> float:
    return min(1.0, max(0.0, position))


def scale_colour(position: float) -> str:
    """The colour at `position` (0 = red end, 1 = blue end, clamped), interpolated in sRGB
    between RdYlBu's classes."""
    where = clamp(position) * (len(RDYLBU) - 1)
    lower = min(int(where), len(RDYLBU) - 2)
    fraction = where - lower
    start, end = _channels(RDYLBU[lower]), _channels(RDYLBU[lower + 1])
    return _hex([a + (b - a) * fraction for a, b in zip(start, end, strict=True)])


def step_of(position: float) -> int:
    """The step (0 to STEPS) nearest to a position on the scale, clamped."""
    return round(clamp(position) * STEPS)


STEP_COLOURS: tuple[str, ...] = tuple(scale_colour(i / STEPS) for i in range(STEPS + 1))
STEP_TEXT_COLOURS: tuple[str, ...] = tuple(text_colour_for(c) for c in STEP_COLOURS)


def mean_position(mean: float) -> float:
    """Where a domain mean sits on the scale: 1 at the red end, 6 at the blue end, and 3.5 (the
    middle of amber) in the pale middle."""
    return clamp((mean - SCALE_LOW) / (SCALE_HIGH - SCALE_LOW))


def difference_position(difference: float, *, span: float = DIFFERENCE_SPAN) -> float:
    """Where a difference from the comparison sits: 0 in the middle, −span or below at the red
    end, +span or above at the blue end."""
    return clamp(0.5 + difference / (2 * span))


def step_label_of_mean(step: int) -> str:
    return f"{SCALE_LOW + (SCALE_HIGH - SCALE_LOW) * step / STEPS:.2f}".rstrip("0").rstrip(".")


def step_label_of_difference(step: int, *, span: float = DIFFERENCE_SPAN) -> str:
    value = (step / STEPS - 0.5) * 2 * span
    return signed(value)


def signed(value: float) -> str:
    """A difference as shown: one decimal, with a sign (a true minus sign)."""
    rounded = round(value, 1)
    if rounded == 0:
        return "0.0"
    return f"+{rounded:.1f}" if rounded > 0 else f"−{abs(rounded):.1f}"


def heat_css() -> str:
    """The style sheet rules for the steps (static/css/heat.css holds them; a test keeps the
    two the same)."""
    lines = [
        "/* The heatmap's colour steps: ColorBrewer RdYlBu (colour-blind safe), with the text "
        "colour of\n   greater contrast on each (every pair at least 4.5:1). Generated by "
        "dashboards.colours.heat_css. */"
    ]
    for step, (colour, text) in enumerate(zip(STEP_COLOURS, STEP_TEXT_COLOURS, strict=True)):
        name = f"heat-{step:02d}"
        lines.append(f".{name}, .table-heat td.{name} {{ background: {colour}; color: {text}; }}")
    return "\n".join(lines) + "\n"
