"""Plotly figures for the dashboards, built in Python and drawn by static/js/charts.js.

Each function returns a plain dict (`{"data": ..., "layout": ..., "links": ...}`) that the
template hands to the page with `json_script`, so no inline script is needed. Colour never
carries meaning alone: bars carry a pattern and a text label with the band's name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import plotly.graph_objects as go
from django.conf import settings

from dashboards import colours
from diagnostics.scoring import display_mean

BAND_COLOURS = {"red": "#b02a20", "amber": "#f2b632", "green": "#1b7a3a"}
BAND_TEXT_COLOURS = {"red": "#ffffff", "amber": "#1d1d1d", "green": "#ffffff"}
BAND_PATTERNS = {"red": "x", "amber": "/", "green": ""}
BAND_LABELS = {"red": "Red", "amber": "Amber", "green": "Green"}
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


def _as_dict(data: list[dict[str, Any]], layout: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The figure as plain JSON for json_script. Plotly validates every property when
    PLOTLY_VALIDATE is on (development and tests, where each chart is built); production skips
    the repeat validation of the same code paths, which costs a few milliseconds per chart."""
    figure = go.Figure(data=data, layout=layout, _validate=settings.PLOTLY_VALIDATE)
    spec: dict[str, Any] = figure.to_plotly_json()
    spec.update(extra)
    return spec


@dataclass(frozen=True)
class ProfileBar:
    label: str
    mean: float | None
    band: str | None
    note: str  # shown instead of a bar when the figure is suppressed


@dataclass(frozen=True)
class Marker:
    name: str
    symbol: str
    means: Sequence[float | None]


def domain_profile(bars: Sequence[ProfileBar], markers: Sequence[Marker]) -> dict[str, Any]:
    """Horizontal bars of domain means (1–6) in band colours, with comparison markers.

    One trace per band, so each has a single colour, pattern and legend entry.
    """
    labels = [bar.label for bar in bars]
    data: list[dict[str, Any]] = []
    for band in ("red", "amber", "green", None):
        members = [bar for bar in bars if bar.band == band or (band is None and bar.mean is None)]
        if band is not None:
            members = [bar for bar in members if bar.mean is not None]
        if not members:
            continue
        data.append(
            dict(
                type="bar",
                orientation="h",
                y=[bar.label for bar in members],
                x=[bar.mean if bar.mean is not None else 0 for bar in members],
                name=BAND_LABELS[band] if band else "Not shown",
                marker={
                    "color": BAND_COLOURS[band] if band else SUPPRESSED_COLOUR,
                    "pattern": {
                        "shape": BAND_PATTERNS[band] if band else "",
                        "fgcolor": "#ffffff",
                        "fgopacity": 0.35,
                    },
                    "line": {"color": "#1d1d1d", "width": 0.5},
                },
                text=[
                    f"{display_mean(bar.mean)} {BAND_LABELS[band]}" if band else bar.note
                    for bar in members
                ],
                textposition="inside" if band else "outside",
                insidetextanchor="end",
                cliponaxis=False,
                textfont={"color": BAND_TEXT_COLOURS[band] if band else "#1d1d1d"},
                hovertemplate="%{y}: %{text}<extra></extra>",
            )
        )
    for marker in markers:
        data.append(
            dict(
                type="scatter",
                y=labels,
                x=list(marker.means),
                mode="markers",
                name=marker.name,
                marker={
                    "symbol": marker.symbol,
                    "size": 12,
                    "color": "#0b0c0c",
                    "line": {"color": "#ffffff", "width": 1.5},
                },
                hovertemplate=f"{marker.name}: %{{x:.1f}}<extra></extra>",
            )
        )
    layout = _layout(
        height=90 + 38 * len(bars),
        showlegend=True,
        legend={"orientation": "h", "y": -0.15, "x": 0},
        xaxis={
            "range": [0, 6.2],
            "tickvals": [1, 2, 3, 4, 5, 6],
            "title": {"text": "Mean score (1 to 6)"},
        },
        yaxis={
            "autorange": "reversed",
            "automargin": True,
            "categoryorder": "array",
            "categoryarray": labels,
        },
        bargap=0.25,
        barmode="overlay",
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


def distribution_bars(rows: Sequence[DistributionRow]) -> dict[str, Any]:
    """100% stacked bars of red/amber/green answers per statement (shown rows only)."""
    labels = [row.label for row in rows]
    data = []
    for band in ("red", "amber", "green"):
        values = [round(100 * (getattr(row, band) or 0)) for row in rows]
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": labels,
                "x": values,
                "name": BAND_LABELS[band],
                "marker": {
                    "color": BAND_COLOURS[band],
                    "pattern": {
                        "shape": BAND_PATTERNS[band],
                        "fgcolor": "#ffffff",
                        "fgopacity": 0.35,
                    },
                },
                "text": [f"{v}%" if v >= 8 else "" for v in values],
                "textposition": "inside",
                "textfont": {"color": BAND_TEXT_COLOURS[band]},
                "hovertemplate": f"%{{y}}<br>{BAND_LABELS[band]}: %{{x}}%<extra></extra>",
            }
        )
    layout = _layout(
        barmode="stack",
        height=80 + 30 * len(rows),
        showlegend=True,
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        xaxis={"range": [0, 100], "ticksuffix": "%"},
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
HEAT_INK = "#1d1d1d"  # on the hidden cells' grey: 14:1


def _heat_text(cell: HeatCell) -> tuple[str, str]:
    """The cell's text and its colour: black or white, whichever contrasts more with the
    cell's colour (dashboards.colours.text_colour_for; at least 4.5:1 on every step)."""
    if cell.hidden:
        return "<i>" + "<br>".join(cell.lines) + "</i>", HEAT_INK
    colour = HEAT_NO_COLOUR if cell.step is None else colours.STEP_COLOURS[cell.step]
    return "<br>".join(cell.lines), colours.text_colour_for(colour)


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
        yaxis={"range": [1, 6], "dtick": 1, "title": {"text": "Mean score"}},
        xaxis={"type": "category", "automargin": True},
        margin={"l": 10, "r": 10, "t": 50, "b": 60},
        shapes=[
            {
                "type": "rect",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": y0,
                "y1": y1,
                "fillcolor": colour,
                "opacity": 0.08,
                "line": {"width": 0},
                "layer": "below",
            }
            for y0, y1, colour in (
                (1, 2.5, BAND_COLOURS["red"]),
                (2.5, 4.5, BAND_COLOURS["amber"]),
                (4.5, 6, BAND_COLOURS["green"]),
            )
        ],
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


def lens_scatter(
    points: Sequence[tuple[str, float, float]], *, x_title: str, y_title: str
) -> dict[str, Any]:
    """Teams as points: a structural figure across, a domain mean up."""
    data = [
        {
            "type": "scatter",
            "x": [p[1] for p in points],
            "y": [p[2] for p in points],
            "text": [p[0] for p in points],
            "mode": "markers+text",
            "textposition": "top center",
            "marker": {"size": 11, "color": "#0a58ca", "line": {"color": "#ffffff", "width": 1}},
            "hovertemplate": (
                "%{text}<br>" + x_title + ": %{x}<br>" + y_title + ": %{y:.1f}<extra></extra>"
            ),
        }
    ]
    layout = _layout(
        height=460,
        xaxis={"title": {"text": x_title}, "zeroline": False},
        yaxis={"title": {"text": y_title}, "range": [1, 6], "dtick": 1},
        margin={"l": 10, "r": 10, "t": 20, "b": 50},
    )
    return _as_dict(data, layout)
