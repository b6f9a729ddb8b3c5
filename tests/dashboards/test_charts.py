"""Chart specs: lines in colour-blind-safe colours that never look alike; each figure the same
whether made through Plotly's figure or as plain dicts."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder

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


# --- the figures made plain (SPEEDUP_PLAIN_FIGURES) against Plotly's own --------------------

CHARTS: dict[str, Callable[[], dict[str, Any]]] = {
    "profile": lambda: charts.domain_profile(
        [
            charts.ProfileBar("Caseload", 3.4, "amber", "", urgent=True),
            charts.ProfileBar("Supervision", None, None, "Fewer than 5 answered"),
        ],
        [charts.Marker("Service", "diamond", [3.1, 4.2])],
    ),
    "distribution": lambda: charts.distribution_bars(
        [charts.DistributionRow("I can manage my caseload", 20.0, 30.0, 50.0, reverse_scored=True)]
    ),
    "heatmap": lambda: charts.heatmap(
        ["Caseload", "Safety"],
        [
            charts.HeatRow(
                "Team A",
                "/results/units/1/",
                [
                    charts.HeatCell(["3.4", "A"], 4, False, "3.4, amber"),
                    charts.HeatCell(["Hidden"], None, True, "fewer than 5"),
                ],
            )
        ],
    ),
    "trend lines": lambda: charts.trend_lines(
        ["Spring", "Autumn"], [charts.Series("Caseload", [3.0, None])], title="Caseload"
    ),
    "trend panel": lambda: charts.trend_panel(
        [
            charts.TimeSeries(
                name="Team A",
                dates=[date(2026, 3, 1), date(2026, 9, 1)],
                values=[3.0, 3.6],
                labels=["Spring", "Autumn"],
                colour="#0072B2",
                symbol="circle",
            )
        ],
        [charts.TimeMark(date(2026, 5, 1), "1", "Action 1 started")],
        x_range=(date(2026, 1, 1), date(2026, 12, 1)),
        y_range=(1.0, 6.0),
        y_title="Mean",
        bands=True,
    ),
    "lens": lambda: charts.lens_scatter(
        [charts.LensGroup("Service 1", [("Team A", 18.0, 3.2), ("Team B", 24.0, 2.7)])],
        x_title="Caseload (cases per worker)",
        y_title="Workload (mean score, 1 to 6)",
        x_range=(0.0, 30.0),
        lines=[charts.ThresholdLine(20.0, "good 20", False), charts.ThresholdLine(25.0, "c", True)],
    ),
    "benchmark": lambda: charts.benchmark_ranges(
        [charts.BenchmarkRange("Caseload", 2.8, 3.4, 4.0, mean=3.1)], mean_name="Team A"
    ),
}


@pytest.mark.parametrize("name", CHARTS)
@pytest.mark.parametrize("validate", [False, True], ids=["unvalidated", "validated"])
def test_it_makes_each_chart_the_same_with_or_without_plotly_s_figure(settings, name, validate):
    settings.PLOTLY_VALIDATE = validate
    settings.SPEEDUP_PLAIN_FIGURES = False
    through_plotly = CHARTS[name]()
    settings.SPEEDUP_PLAIN_FIGURES = True
    plain = CHARTS[name]()

    assert plain == through_plotly
    assert plain["layout"]["template"] == through_plotly["layout"]["template"] != {}
    as_sent = json.loads(json.dumps(plain, cls=DjangoJSONEncoder))
    assert as_sent == json.loads(json.dumps(through_plotly, cls=DjangoJSONEncoder))


def test_it_still_validates_a_plain_figure_where_plotly_validate_is_on(settings):
    settings.SPEEDUP_PLAIN_FIGURES = True
    settings.PLOTLY_VALIDATE = True
    with pytest.raises(ValueError, match="colour"):
        charts._as_dict([{"type": "bar", "colour": "red"}], {})
    settings.PLOTLY_VALIDATE = False
    assert charts._as_dict([{"type": "bar", "colour": "red"}], {})["data"][0]["colour"] == "red"


@pytest.mark.parametrize(
    ("data", "layout"),
    [
        ([{"type": "bar", "x": [1], "name": None}], {}),  # Plotly leaves a None out
        ([{"type": "bar", "x": [1]}], {"xaxis_title_text": "Mean"}),  # and nests this
    ],
    ids=["none", "magic underscore"],
)
def test_it_refuses_a_chart_plotly_would_make_differently_where_plotly_validate_is_on(
    settings, data, layout
):
    settings.SPEEDUP_PLAIN_FIGURES = True
    settings.PLOTLY_VALIDATE = True
    with pytest.raises(ValueError, match="not the figure Plotly would make"):
        charts._as_dict(data, layout)


def test_it_leaves_the_shared_template_and_legend_as_they_were(settings):
    settings.SPEEDUP_PLAIN_FIGURES = True
    settings.PLOTLY_VALIDATE = False
    template = json.dumps(charts.default_template(), sort_keys=True)
    legend = dict(charts.LEGEND_TOP)
    for draw in CHARTS.values():
        spec = draw()
        spec["layout"].get("legend", {})["title"] = "changed by a caller"
    assert json.dumps(charts.default_template(), sort_keys=True) == template
    assert legend == charts.LEGEND_TOP


def test_it_leaves_out_of_the_profile_and_its_legend_a_marker_whose_figures_are_all_hidden():
    bars = [
        charts.ProfileBar("Caseload", 3.4, "amber", ""),
        charts.ProfileBar("Supervision", 4.8, "green", ""),
    ]
    spec = charts.domain_profile(
        bars,
        [
            charts.Marker("Service (unit)", "diamond", [None, 4.2]),
            charts.Marker("Northbrook (organisation)", "triangle-up", [None, None]),
        ],
    )

    markers = [trace for trace in spec["data"] if trace.get("mode") == "markers"]
    assert [trace["name"] for trace in markers] == ["Service (unit)"]
    assert markers[0]["x"] == [None, 4.2]


def test_it_writes_each_heatmap_cell_in_the_colour_that_contrasts_more_with_it():
    from dashboards import colours

    cells = [charts.HeatCell([str(step)], step, False, "") for step in range(colours.STEPS + 1)] + [
        charts.HeatCell(["no colour"], None, False, ""),
        charts.HeatCell(["x"], None, True, ""),
    ]
    columns = [f"Domain {i}" for i in range(len(cells))]
    spec = charts.heatmap(columns, [charts.HeatRow("Unit", "", cells)])

    fills = [*colours.STEP_COLOURS, charts.HEAT_NO_COLOUR]
    written = [a["font"]["color"] for a in spec["layout"]["annotations"]]
    assert written[:-1] == [colours.text_colour_for(fill) for fill in fills]
    assert written[-1] == charts.HEAT_INK  # on the hidden cell's grey
    assert set(written[:-1]) == {colours.BLACK, colours.WHITE}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list | tuple):
        return [s for item in value for s in _strings(item)]
    return []


LINK = '<a href="https://evil.example/sign-in" target="_top">Team B: sign in again</a>'


@pytest.mark.parametrize("fast", [True, False], ids=["plain figures", "through plotly"])
def test_it_shows_markup_typed_into_a_name_as_typed_and_keeps_its_own(settings, fast):
    """Plotly draws <a href> in chart text as a live link: a unit, statement or action named
    with one must not put a link into somebody else's chart."""
    settings.SPEEDUP_PLAIN_FIGURES = fast
    spec = charts.heatmap(
        ["Caseload"],
        [
            charts.HeatRow(
                LINK, "/results/units/2/", [charts.HeatCell(["3.4", "A"], 4, False, LINK)]
            )
        ],
    )
    texts = _strings(spec["data"]) + _strings(spec["layout"]["annotations"])
    assert not any("<a" in text for text in texts)
    assert spec["data"][0]["y"] == [
        '&lt;a href="https://evil.example/sign-in" target="_top">Team B: sign in again&lt;/a>'
    ]
    assert spec["layout"]["annotations"][0]["text"] == "3.4<br>A"  # its own line break stays
    statements = charts.distribution_bars(
        [charts.DistributionRow("<b>Bold</b> & <i>italic</i>", 20.0, 30.0, 50.0)]
    )
    assert statements["data"][0]["y"] == ["&lt;b>Bold&lt;/b> & <i>italic</i>"]
    assert "<extra></extra>" in statements["data"][0]["hovertemplate"]
