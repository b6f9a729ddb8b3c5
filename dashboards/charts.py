"""Plotly figures for the dashboards, built in Python and drawn by static/js/charts.js.

Each function returns a plain dict (`{"data": ..., "layout": ..., "links": ...}`) that the
template hands to the page with `json_script`, so no inline script is needed. Colour never
carries meaning alone: bars carry a pattern and a text label with the band's name.
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import plotly.graph_objects as go
from django.conf import settings
from django.utils.translation import gettext, gettext_noop

from dashboards import colours
from diagnostics.scoring import display_mean

BAND_COLOURS = {"red": "#b02a20", "amber": "#f2b632", "green": "#1b7a3a"}
BAND_TEXT_COLOURS = {"red": "#ffffff", "amber": "#1d1d1d", "green": "#ffffff"}
BAND_PATTERNS = {"red": "x", "amber": "/", "green": ""}
# In the catalogue; translated where they are drawn (gettext(BAND_LABELS[band])).
BAND_LABELS = {
    "red": gettext_noop("Red"),
    "amber": gettext_noop("Amber"),
    "green": gettext_noop("Green"),
}
SUPPRESSED_COLOUR = "#e4e4e4"
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"}


def _layout(**extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "font": {**FONT, "size": 13, "color": "#1d1d1d"},
        "margin": {"l": 10, "r": 10, "t": 30, "b": 40},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hovermode": "closest",
        "showlegend": False,
    }
    layout.update(extra)
    return layout


# Plotly reads chart text as its own markup and draws <a href> as a live link, so a name typed
# into SWORD (a unit, a statement, an action) could put a link in someone else's chart. Only
# the tags these charts write themselves stay tags; any other "<" is shown as typed.
_OWN_MARKUP = re.compile(r"<(?!(?:br|i|/i|extra|/extra)>)")


def _as_typed(value: Any) -> Any:
    if isinstance(value, str):
        return _OWN_MARKUP.sub("&lt;", value) if "<" in value else value
    if isinstance(value, dict):
        return {key: _as_typed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_as_typed(item) for item in value)
    return value


def _as_dict(data: list[dict[str, Any]], layout: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The figure as plain JSON for json_script. Plotly validates every property when
    PLOTLY_VALIDATE is on (development and tests, where each chart is built); production skips
    the repeat validation of the same code paths, which costs a few milliseconds per chart.

    Unvalidated, Plotly's figure gives back the dicts our charts build (plain values: no None
    properties, no magic underscore names, no NumPy arrays, all of which it would rewrite),
    deep-copied and walked for arrays to encode, with its default template added to the
    layout: with `SPEEDUP_PLAIN_FIGURES` the same object is made without the copy and the walk
    (a fifth of the time of a comparison of 50 units), the template read from Plotly once per
    process. Where PLOTLY_VALIDATE is on, every chart drawn is also checked equal to Plotly's
    own, so a chart that strays from plain values fails in development and tests
    (`tests/test_speedups.py` draws the pages both ways)."""
    data, layout = _as_typed(data), _as_typed(layout)
    if settings.SPEEDUP_PLAIN_FIGURES:
        spec: dict[str, Any] = {"data": data, "layout": {**layout, "template": default_template()}}
        if settings.PLOTLY_VALIDATE:
            go.Figure(data=data, layout=layout)
            if spec != go.Figure(data=data, layout=layout, _validate=False).to_plotly_json():
                raise ValueError(
                    "This chart is not the figure Plotly would make of it: give it plain values,"
                    " or turn SPEEDUP_PLAIN_FIGURES off."
                )
    else:
        figure = go.Figure(data=data, layout=layout, _validate=settings.PLOTLY_VALIDATE)
        spec = figure.to_plotly_json()
    spec.update(extra)
    return spec


@functools.cache
def default_template() -> dict[str, Any]:
    """The template Plotly adds to every figure's layout (its default, "plotly"), as plain
    JSON. Shared by every figure a process draws: read, never changed."""
    template: dict[str, Any] = go.Figure(_validate=False).to_plotly_json()["layout"]["template"]
    return template


@dataclass(frozen=True)
class ProfileBar:
    label: str
    mean: float | None
    band: str | None
    note: str  # shown instead of a bar when the figure is suppressed
    urgent: bool = False


@dataclass(frozen=True)
class Marker:
    name: str
    symbol: str
    means: Sequence[float | None]


# Patterns inside bars are drawn in the colour that raises the contrast of the bar's label:
# white lines lighten amber under near-black text, black lines darken red and green under white.
PATTERN_COLOURS = {"red": "#000000", "amber": "#ffffff", "green": "#000000"}
SCALE = (1, 6)  # answers and means run from 1 to 6: a value axis never starts at 0


def _mean_axis() -> dict[str, Any]:
    """The value axis of a chart of domain means: the whole 1–6 scale, gridlines at each point.
    Built per chart, so its title is in the reader's language."""
    return {
        "range": list(SCALE),
        "tickvals": [1, 2, 3, 4, 5, 6],
        "title": {"text": gettext("Mean score (1 to 6)")},
        "showgrid": True,
        "gridcolor": "#e9ecef",
        "zeroline": False,
    }


LEGEND_TOP = {
    "orientation": "h",
    "x": 0,
    "xanchor": "left",
    "y": 1.0,
    "yanchor": "bottom",
    "traceorder": "normal",  # red, amber, green, left to right as they are read
}


def wrap_label(text: str, width: int = 42) -> str:
    """The whole label on as many lines as it needs (Plotly breaks lines at <br>)."""
    return "<br>".join(textwrap.wrap(text, width=width)) or text


def _band_marker(band: str) -> dict[str, Any]:
    return {
        "color": BAND_COLOURS[band],
        "pattern": {
            "shape": BAND_PATTERNS[band],
            "fgcolor": PATTERN_COLOURS[band],
            "fgopacity": 0.25,
            "solidity": 0.2,
        },
        "line": {"color": "#1d1d1d", "width": 0.5},
    }


def _profile_label(bar: ProfileBar) -> str:
    assert bar.band is not None
    label = f"{display_mean(bar.mean)} {gettext(BAND_LABELS[bar.band])}"
    return label + " · " + gettext("Urgent") if bar.urgent else label


def _profile_bars(bars: Sequence[ProfileBar]) -> list[dict[str, Any]]:
    """One trace per band (one colour, pattern and legend entry each), in reading order. Each
    bar starts at 1 and carries its value, band and urgency as text at its base, inside the
    bar, or just past its end when the bar is too short to hold it."""
    data: list[dict[str, Any]] = []
    for rank, band in enumerate(("red", "amber", "green")):
        members = [(i, bar) for i, bar in enumerate(bars) if bar.band == band and bar.mean]
        members.sort(key=lambda member: member[1].urgent)  # the legend draws the first one
        if not members:
            continue
        means = [bar.mean or SCALE[0] for _, bar in members]
        data.append(
            dict(
                type="bar",
                orientation="h",
                y=[i - 0.14 for i, _ in members],
                x=[mean - SCALE[0] for mean in means],
                base=SCALE[0],
                width=0.5,
                name=gettext(BAND_LABELS[band]),
                legendrank=rank + 1,
                marker=_band_marker(band)
                | {
                    # a heavy outline as well as the word: urgency is not told by colour
                    "line": {
                        "color": "#1d1d1d",
                        "width": [3 if bar.urgent else 0.5 for _, bar in members],
                    }
                },
                text=[_profile_label(bar) for _, bar in members],
                textposition=["inside" if mean >= 3.4 else "outside" for mean in means],
                insidetextanchor="start",
                insidetextfont={"color": BAND_TEXT_COLOURS[band]},
                outsidetextfont={"color": "#1d1d1d"},
                cliponaxis=False,
                customdata=[bar.label for _, bar in members],
                hovertemplate="%{customdata}: %{text}<extra></extra>",
            )
        )
    hidden = _hidden_notes(bars)
    return [*data, *([hidden] if hidden else [])]


def _hidden_notes(bars: Sequence[ProfileBar]) -> dict[str, Any] | None:
    """Words in place of the bars of hidden figures, saying why they are hidden."""
    hidden = [(i, bar) for i, bar in enumerate(bars) if bar.band is None or bar.mean is None]
    if not hidden:
        return None
    return dict(
        type="scatter",
        mode="text",
        y=[i - 0.14 for i, _ in hidden],
        x=[SCALE[0] + 0.05 for _ in hidden],
        text=[gettext("Not shown: %(note)s") % {"note": bar.note} for _, bar in hidden],
        textposition="middle right",
        textfont={"color": "#444444"},
        name=gettext("Not shown"),
        legendrank=4,
        showlegend=False,
        hoverinfo="skip",
    )


def _marker_traces(markers: Sequence[Marker], count: int) -> list[dict[str, Any]]:
    """The unit above and the organisation, in a lane under each bar. A marker with no figure
    shown (every one hidden) is left out, so the legend names nothing the chart does not draw."""
    drawn = [marker for marker in markers if any(mean is not None for mean in marker.means)]
    return [
        dict(
            type="scatter",
            y=[i + 0.3 for i in range(count)],
            x=list(marker.means),
            mode="markers",
            name=marker.name,
            legendrank=10 + rank,
            cliponaxis=False,
            marker={
                "symbol": marker.symbol,
                "size": 11,
                "color": "#0b0c0c",
                "line": {"color": "#ffffff", "width": 1},
            },
            hovertemplate=f"{marker.name}: %{{x:.1f}}<extra></extra>",
        )
        for rank, marker in enumerate(drawn)
    ]


def domain_profile(bars: Sequence[ProfileBar], markers: Sequence[Marker]) -> dict[str, Any]:
    """Horizontal bars of domain means on the 1–6 scale, in band colours, with markers for the
    unit above and the organisation in a lane of their own under each bar, so a marker never
    covers a bar's label."""
    data = [*_profile_bars(bars), *_marker_traces(markers, len(bars))]
    layout = _layout(
        height=110 + 52 * len(bars),
        showlegend=True,
        legend={**LEGEND_TOP},
        margin={"l": 10, "r": 30, "t": 40, "b": 50},
        xaxis=_mean_axis(),
        yaxis={
            "range": [len(bars) - 0.5, -0.5],  # the first domain at the top
            "tickvals": list(range(len(bars))),
            "ticktext": [wrap_label(bar.label, 24) for bar in bars],
            "automargin": True,
            "showgrid": False,
            "zeroline": False,
        },
        shapes=[
            {
                "type": "line",
                "x0": value,
                "x1": value,
                "y0": 0,
                "y1": 1,
                "yref": "paper",
                "line": {"color": "#6c757d", "width": 1, "dash": "dot"},
            }
            for value in (2.5, 4.5)
        ],
    )
    return _as_dict(data, layout)


@dataclass(frozen=True)
class DistributionRow:
    label: str
    red: float | None
    amber: float | None
    green: float | None
    reverse_scored: bool = False
    urgent: bool = False


REVERSE_MARK = gettext_noop("↺ negatively worded: agreeing is red")


def _distribution_label(row: DistributionRow) -> str:
    # Plain text only: Plotly styles <i> and <b> with style attributes, which the CSP refuses.
    marks = [gettext(REVERSE_MARK)] if row.reverse_scored else []
    if row.urgent:
        marks.append(gettext("URGENT"))
    return "<br>".join([wrap_label(row.label, 46), *([" · ".join(marks)] if marks else [])])


def _segment_text(value: int, band: str) -> str:
    if value >= 20:
        return f"{value}% {gettext(BAND_LABELS[band]).lower()}"
    return f"{value}%" if value >= 8 else ""


def distribution_bars(rows: Sequence[DistributionRow]) -> dict[str, Any]:
    """100% stacked bars of red/amber/green answers (after reverse scoring) per statement,
    with the whole statement wrapped and negatively worded statements marked."""
    labels = [_distribution_label(row) for row in rows]
    data = []
    for rank, band in enumerate(("red", "amber", "green")):
        values = [round(100 * (getattr(row, band) or 0)) for row in rows]
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": labels,
                "x": values,
                "name": gettext(BAND_LABELS[band]),
                "legendrank": rank + 1,
                "marker": _band_marker(band),
                "text": [_segment_text(v, band) for v in values],
                "textposition": "inside",
                "insidetextanchor": "middle",
                "textfont": {"color": BAND_TEXT_COLOURS[band]},
                "hovertemplate": f"%{{y}}<br>{gettext(BAND_LABELS[band])}: %{{x}}%<extra></extra>",
            }
        )
    lines = max((label.count("<br>") + 1 for label in labels), default=1)
    layout = _layout(
        barmode="stack",
        height=90 + (16 * lines + 14) * len(rows),
        showlegend=True,
        legend={**LEGEND_TOP},
        margin={"l": 10, "r": 10, "t": 40, "b": 40},
        xaxis={
            "range": [0, 100],
            "ticksuffix": "%",
            "title": {"text": gettext("Share of answers")},
        },
        yaxis={"autorange": "reversed", "automargin": True},
    )
    return _as_dict(data, layout)


@dataclass(frozen=True)
class HeatCell:
    lines: Sequence[str]  # printed in the cell, one line each
    step: int | None  # colour step of dashboards.colours; None: not coloured
    hidden: bool  # no figure: grey, with the reason in `lines`
    hover: str


@dataclass(frozen=True)
class HeatRow:
    label: str
    link: str
    cells: Sequence[HeatCell]


HEAT_NO_COLOUR = "#ffffff"
HEAT_NO_COLOUR_TEXT = colours.text_colour_for(HEAT_NO_COLOUR)
HEAT_INK = "#1d1d1d"  # on the hidden cells' grey: 14:1


def _heat_text(cell: HeatCell) -> tuple[str, str]:
    """The cell's text and its colour: black or white, whichever contrasts more with the
    cell's colour (dashboards.colours.text_colour_for, worked out once for each step: a
    directorate's comparison at 3,000 teams draws 450 cells; at least 4.5:1 on every step)."""
    if cell.hidden:
        return "<i>" + "<br>".join(cell.lines) + "</i>", HEAT_INK
    if cell.step is None:
        return "<br>".join(cell.lines), HEAT_NO_COLOUR_TEXT
    return "<br>".join(cell.lines), colours.STEP_TEXT_COLOURS[cell.step]


def _heat_annotations(columns: Sequence[str], rows: Sequence[HeatRow]) -> list[dict[str, Any]]:
    """Each cell's text as an annotation of its own, for a text colour per cell."""
    annotations = []
    for row in rows:
        for column, cell in zip(columns, row.cells, strict=True):
            text, ink = _heat_text(cell)
            annotations.append(
                {
                    "x": column,
                    "y": row.label,
                    "text": text,
                    "showarrow": False,
                    "font": {"color": ink, "size": 12},
                }
            )
    return annotations


def heatmap(columns: Sequence[str], rows: Sequence[HeatRow]) -> dict[str, Any]:
    """Child units × domains coloured on the colour-blind-safe RdYlBu scale (by mean, or by
    difference from a comparison), the mean, band letter, "urgent" and difference printed in
    each cell in a colour that contrasts with it; hidden cells grey with the engine's reason.
    The page's HTML legend explains the colours, so the chart draws no colour bar."""
    common = {
        "type": "heatmap",
        "x": list(columns),
        "y": [row.label for row in rows],
        "text": [[cell.hover for cell in row.cells] for row in rows],
        "hovertemplate": "%{y} · %{x}: %{text}<extra></extra>",
        "hoverongaps": False,
        "showscale": False,
        "xgap": 2,
        "ygap": 2,
    }
    stepped = [[cell.step for cell in row.cells] for row in rows]
    plain = [
        [1 if cell.step is None and not cell.hidden else None for cell in row.cells] for row in rows
    ]
    step_scale = [
        [step / colours.STEPS, colour] for step, colour in enumerate(colours.STEP_COLOURS)
    ]
    data = [
        {**common, "z": stepped, "colorscale": step_scale, "zmin": 0, "zmax": colours.STEPS},
        {**common, "z": plain, "colorscale": [[0, HEAT_NO_COLOUR], [1, HEAT_NO_COLOUR]]},
    ]
    annotations = _heat_annotations(columns, rows)
    lines = max((len(cell.lines) for row in rows for cell in row.cells), default=1)
    layout = _layout(
        height=90 + (22 + 16 * lines) * len(rows),
        plot_bgcolor=SUPPRESSED_COLOUR,
        xaxis={"side": "top", "tickangle": -30, "automargin": True, "fixedrange": True},
        yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True},
        margin={"l": 10, "r": 10, "t": 90, "b": 10},
        annotations=annotations,
    )
    return _as_dict(data, layout, links=[row.link for row in rows])


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


SYMBOLS = [
    "circle",
    "square",
    "diamond",
    "triangle-up",
    "cross",
    "x",
    "star",
    "hexagon",
    "pentagon",
]


def _safe_line(index: int) -> dict[str, str]:
    """The index-th line's colour from the Okabe–Ito palette (yellow left out: too pale on
    white), with a dash pattern once the colours repeat, so no two lines look alike."""
    colours_ = [c for name, c in OKABE_ITO.items() if name != "yellow"]
    dashes = ("solid", "dash", "dot")
    return {
        "color": colours_[index % len(colours_)],
        "dash": dashes[(index // len(colours_)) % len(dashes)],
    }


def trend_lines(x_labels: Sequence[str], series: Sequence[Series], *, title: str) -> dict[str, Any]:
    """Domain means over cycles, with the cycle names on the axis; gaps where suppressed."""
    data = [
        {
            "type": "scatter",
            "x": list(x_labels),
            "y": list(line.values),
            "mode": "lines+markers",
            "name": line.name,
            "marker": {"symbol": SYMBOLS[index % len(SYMBOLS)], "size": 8},
            "line": _safe_line(index),
            "connectgaps": False,
            "hovertemplate": f"{line.name}<br>%{{x}}: %{{y:.1f}}<extra></extra>",
        }
        for index, line in enumerate(series)
    ]
    layout = _layout(
        title={"text": title, "x": 0, "font": {"size": 15}},
        height=420,
        showlegend=True,
        legend={"orientation": "h", "y": -0.25, "x": 0},
        yaxis={"range": [1, 6], "dtick": 1, "title": {"text": gettext("Mean score")}},
        xaxis={"type": "category", "automargin": True},
        margin={"l": 10, "r": 10, "t": 50, "b": 60},
        shapes=_band_shading(),
    )
    return _as_dict(data, layout)


# Okabe & Ito's palette (2008), distinguishable with every common colour vision deficiency.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#e69f00",
    "sky blue": "#56b4e9",
    "bluish green": "#009e73",
    "yellow": "#f0e442",
    "blue": "#0072b2",
    "vermillion": "#d55e00",
    "reddish purple": "#cc79a7",
}


@dataclass(frozen=True)
class TimeSeries:
    """A line on a true time axis: values at dates (ISO in the chart), None where hidden."""

    name: str
    dates: Sequence[date]
    values: Sequence[float | None]
    labels: Sequence[str]  # what each point is (a cycle, a pulse period), for the hover text
    colour: str
    symbol: str
    dash: str = "solid"


@dataclass(frozen=True)
class TimeMark:
    """A dated event drawn as a vertical line with a short label (an action's start)."""

    on: date
    label: str
    hover: str


def _band_shading() -> list[dict[str, Any]]:
    return [
        {
            "type": "rect",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "y0": y0,
            "y1": y1,
            "fillcolor": colour,
            "opacity": 0.07,
            "line": {"width": 0},
            "layer": "below",
        }
        for y0, y1, colour in (
            (1, 2.5, BAND_COLOURS["red"]),
            (2.5, 4.5, BAND_COLOURS["amber"]),
            (4.5, 6, BAND_COLOURS["green"]),
        )
    ]


def _mark_shapes(marks: Sequence[TimeMark]) -> list[dict[str, Any]]:
    return [
        {
            "type": "line",
            "x0": mark.on.isoformat(),
            "x1": mark.on.isoformat(),
            "yref": "paper",
            "y0": 0,
            "y1": 1,
            "line": {"color": "#000000", "width": 1.5, "dash": "dot"},
        }
        for mark in marks
    ]


def _mark_labels(marks: Sequence[TimeMark]) -> list[dict[str, Any]]:
    return [
        {
            "x": mark.on.isoformat(),
            "yref": "paper",
            "y": 1,
            "yanchor": "bottom",
            "text": mark.label,
            "hovertext": mark.hover,
            "showarrow": False,
            "font": {"size": 11, "color": "#000000"},
            "bgcolor": "#ffffff",
            "bordercolor": "#000000",
            "borderwidth": 1,
        }
        for mark in marks
    ]


def _time_trace(line: TimeSeries) -> dict[str, Any]:
    return {
        "type": "scatter",
        "x": [d.isoformat() for d in line.dates],
        "y": list(line.values),
        "customdata": list(line.labels),
        "mode": "lines+markers",
        "name": line.name,
        "line": {"color": line.colour, "dash": line.dash, "width": 2},
        "marker": {"symbol": line.symbol, "size": 8, "color": line.colour},
        "connectgaps": False,
        "hovertemplate": f"{line.name}<br>%{{customdata}}: %{{y}}<extra></extra>",
    }


def trend_panel(
    series: Sequence[TimeSeries],
    marks: Sequence[TimeMark],
    *,
    x_range: tuple[date, date],
    y_range: tuple[float, float],
    y_title: str,
    bands: bool,
    height: int = 230,
) -> dict[str, Any]:
    """One small chart of a set of small multiples: a few lines on a true time axis (dates,
    spaced as they fall), action starts as dotted vertical lines with their number, the same
    time range on every panel so they line up, band thresholds shaded on the 1–6 scale."""
    data = [_time_trace(line) for line in series]
    low, high = y_range
    layout = _layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 28, "b": 30},
        xaxis={
            "type": "date",
            "range": [x_range[0].isoformat(), x_range[1].isoformat()],
            "automargin": True,
            "fixedrange": True,
            "tickformat": "%b %Y",
        },
        yaxis={
            "range": [low, high],
            "dtick": 1 if high <= 6 else 25,
            "title": {"text": y_title},
            "automargin": True,
            "fixedrange": True,
        },
        shapes=[*(_band_shading() if bands else []), *_mark_shapes(marks)],
        annotations=_mark_labels(marks),
    )
    return _as_dict(data, layout)


# Okabe and Ito's colour-blind-safe palette (yellow left out: too pale on white), each with
# its own marker shape, so a service is told apart by shape as well as colour.
LENS_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
LENS_SYMBOLS = ["circle", "square", "diamond", "triangle-up", "triangle-down", "cross", "x"]
LENS_LINE_GREY = "#495057"


@dataclass(frozen=True)
class LensGroup:
    """The teams of one service: (team name, figure value, domain mean)."""

    name: str
    points: Sequence[tuple[str, float, float]]


@dataclass(frozen=True)
class ThresholdLine:
    """A figure's "good" or "concerning" threshold, drawn as a vertical line and labelled in
    words. `group` is the index of the only service it applies to (drawn in its colour), or
    None when it applies to every team in view."""

    value: float
    label: str
    concerning: bool
    group: int | None = None


def lens_colour(index: int) -> str:
    return LENS_COLOURS[index % len(LENS_COLOURS)]


def lens_symbol(index: int) -> str:
    return LENS_SYMBOLS[index % len(LENS_SYMBOLS)]


def _label_anchor(value: float, x_range: tuple[float, float]) -> str:
    """Labels near either end of the axis lean inwards, so they are not cut off."""
    share = (value - x_range[0]) / ((x_range[1] - x_range[0]) or 1)
    return "right" if share > 0.8 else "left" if share < 0.2 else "center"


def _lens_trace(index: int, group: LensGroup, *, x_title: str, y_title: str) -> dict[str, Any]:
    return {
        "type": "scatter",
        "name": group.name,
        "x": [p[1] for p in group.points],
        "y": [p[2] for p in group.points],
        "text": [p[0] for p in group.points],
        "mode": "markers",
        "cliponaxis": False,
        "marker": {
            "size": 12,
            "color": lens_colour(index),
            "symbol": lens_symbol(index),
            "line": {"color": "#ffffff", "width": 1},
        },
        "hovertemplate": (
            f"%{{text}} ({group.name})<br>{x_title}: %{{x}}<br>{y_title}: %{{y:.1f}}<extra></extra>"
        ),
    }


def _threshold_marks(
    lines: Sequence[ThresholdLine], x_range: tuple[float, float]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each threshold as a line, its label on a row of its own above the plot (nearest the plot
    first), so labels never cover a marker or each other, even on a phone."""
    shapes = []
    annotations = []
    for row, line in enumerate(sorted(lines, key=lambda line: line.value)):
        colour = LENS_LINE_GREY if line.group is None else lens_colour(line.group)
        shapes.append(
            {
                "type": "line",
                "x0": line.value,
                "x1": line.value,
                "y0": 1,
                "y1": 6,
                "line": {"color": colour, "width": 2, "dash": "dot" if line.concerning else "dash"},
                "layer": "below",
            }
        )
        annotations.append(
            {
                "x": line.value,
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "yshift": 4 + 17 * row,
                "xanchor": _label_anchor(line.value, x_range),
                "text": line.label,
                "showarrow": False,
                "font": {"size": 12, "color": colour},
            }
        )
    return shapes, annotations


def lens_scatter(
    groups: Sequence[LensGroup],
    *,
    x_title: str,
    y_title: str,
    x_range: tuple[float, float],
    lines: Sequence[ThresholdLine] = (),
) -> dict[str, Any]:
    """Teams as points, a structural figure across and a domain mean up (on its true 1–6 scale),
    one colour and shape per service with a legend, and the figure's thresholds as labelled
    lines. Team names are in the hover and the table below the chart, not printed on the points,
    so they never overlap."""
    data = [
        _lens_trace(index, group, x_title=x_title, y_title=y_title)
        for index, group in enumerate(groups)
    ]
    shapes, annotations = _threshold_marks(lines, x_range)
    layout = _layout(
        height=480,
        showlegend=len(groups) > 1,
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "x": 0,
            "title": {"text": gettext("Service")},
        },
        xaxis={
            "title": {"text": "<br>".join(textwrap.wrap(x_title, 40))},
            "range": list(x_range),
            "zeroline": False,
            "automargin": True,
        },
        yaxis={"title": {"text": y_title}, "range": [1, 6], "dtick": 1, "automargin": True},
        margin={"l": 10, "r": 10, "t": 24 + 17 * len(lines), "b": 90},
        shapes=shapes,
        annotations=annotations,
    )
    return _as_dict(data, layout)


@dataclass(frozen=True)
class BenchmarkRange:
    """A domain's benchmark: its 20th, 50th and 80th percentiles, and the unit's own mean
    (None where it is not shown, or for no unit)."""

    label: str
    p20: float
    p50: float
    p80: float
    mean: float | None = None


def benchmark_ranges(rows: Sequence[BenchmarkRange], *, mean_name: str) -> dict[str, Any]:
    """Per domain, a grey bar from the 20th to the 80th percentile with a tick at the 50th, on
    the whole 1–6 scale, and a marker at the unit's own mean."""
    labels = [wrap_label(row.label, 24) for row in rows]
    positions = list(range(len(rows)))
    data: list[dict[str, Any]] = [
        {
            "type": "bar",
            "orientation": "h",
            "name": gettext("20th to 80th percentile"),
            "y": positions,
            "base": [round(row.p20, 2) for row in rows],
            "x": [round(row.p80 - row.p20, 2) for row in rows],
            "marker": {"color": "#c9d3dd", "line": {"color": "#495057", "width": 1}},
            "width": 0.5,
            "customdata": [[f"{row.p20:.2f}", f"{row.p80:.2f}"] for row in rows],
            "hovertemplate": gettext("20th: %(p20)s · 80th: %(p80)s")
            % {"p20": "%{customdata[0]}", "p80": "%{customdata[1]}"}
            + "<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": gettext("50th percentile (median)"),
            "y": positions,
            "x": [round(row.p50, 2) for row in rows],
            "marker": {
                "symbol": "line-ns-open",
                "size": 22,
                "color": "#1d1d1d",
                "line": {"width": 3},
            },
            "hovertemplate": gettext("50th: %(p50)s") % {"p50": "%{x:.2f}"} + "<extra></extra>",
        },
    ]
    shown = [(i, row.mean) for i, row in enumerate(rows) if row.mean is not None]
    if shown:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": mean_name,
                "y": [i for i, _ in shown],
                "x": [mean for _, mean in shown],
                "marker": {"symbol": "diamond", "size": 13, "color": "#0072b2"},
                "hovertemplate": "%{x:.1f}<extra></extra>",
            }
        )
    layout = _layout(
        height=110 + 52 * len(rows),
        showlegend=True,
        legend={**LEGEND_TOP},
        margin={"l": 10, "r": 30, "t": 40, "b": 50},
        barmode="overlay",
        xaxis=_mean_axis(),
        yaxis={
            "range": [len(rows) - 0.5, -0.5],
            "tickvals": positions,
            "ticktext": labels,
            "automargin": True,
            "showgrid": False,
            "zeroline": False,
        },
    )
    return _as_dict(data, layout)
