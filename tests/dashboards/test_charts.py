"""Chart specs: lines in colour-blind-safe colours that never look alike."""

from __future__ import annotations

from dashboards import charts


def test_it_draws_nine_trend_lines_in_safe_colours_no_two_alike(settings):
    settings.PLOTLY_VALIDATE = True
    spec = charts.trend_lines(
        ["Spring", "Autumn"],
        [charts.Series(f"Domain {i}", [3.0, 3.5]) for i in range(9)],
        title="",
    )
    styles = [(line["line"]["color"], line["line"]["dash"]) for line in spec["data"]]
    assert len(set(styles)) == 9
    safe = set(charts.OKABE_ITO.values()) - {charts.OKABE_ITO["yellow"]}
    assert {colour for colour, _ in styles} <= safe
