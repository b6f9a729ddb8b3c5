"""The traffic-light colours meet WCAG 2.2 AA contrast with their text, and carry a shape or
word as well as a colour."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboards.charts import BAND_COLOURS, BAND_LABELS, BAND_PATTERNS, BAND_TEXT_COLOURS

CSS = (Path(__file__).resolve().parent.parent / "static" / "css" / "sword.css").read_text()


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def css_band(band: str) -> tuple[str, str]:
    rule = re.search(
        rf"\.band-{band} {{ background: var\(--sword-{band}\); color: (#[0-9a-f]+); }}", CSS
    )
    variable = re.search(rf"--sword-{band}: (#[0-9a-f]+);", CSS)
    assert rule is not None
    assert variable is not None
    return variable.group(1), rule.group(1)


@pytest.mark.parametrize("band", ["red", "amber", "green"])
def test_it_gives_band_badges_at_least_4_5_to_1_contrast(band):
    background, text = css_band(band)
    assert contrast(background, text) >= 4.5


@pytest.mark.parametrize("band", ["red", "amber", "green"])
def test_it_gives_chart_labels_at_least_4_5_to_1_contrast(band):
    assert BAND_COLOURS[band] == css_band(band)[0]
    assert contrast(BAND_COLOURS[band], BAND_TEXT_COLOURS[band]) >= 4.5


def test_it_never_relies_on_colour_alone():
    for band in ("red", "amber", "green"):
        assert re.search(rf"\.band-{band}::before {{ content: \"[^\"]+\"; }}", CSS), band
        assert BAND_LABELS[band]
    assert len({BAND_PATTERNS[b] for b in ("red", "amber", "green")}) == 3
