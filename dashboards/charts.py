"""Plotly figures for the dashboards, built in Python and drawn by static/js/charts.js.

Each function returns a plain dict (`{"data": ..., "layout": ..., "links": ...}`) that the
template hands to the page with `json_script`, so no inline script is needed. Colour never
carries meaning alone: bars carry a pattern and a text label with the band's name.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
from django.conf import settings

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
class HeatRow:
    label: str
    link: str
    cells: Sequence[tuple[float | None, str | None]]  # (mean, band) per column; None = hidden


def heatmap(columns: Sequence[str], rows: Sequence[HeatRow], *, k: int) -> dict[str, Any]:
    """Child units × domains in band colours with the means printed; suppressed cells grey."""
    band_value = {"red": 0, "amber": 1, "green": 2}
    z = [[band_value.get(band or "") for _, band in row.cells] for row in rows]
    text = [
        [
            f"{display_mean(mean)} {BAND_LABELS[band][0]}" if mean is not None and band else f"<{k}"
            for mean, band in row.cells
        ]
        for row in rows
    ]
    data = [
        {
            "type": "heatmap",
            "z": z,
            "x": list(columns),
            "y": [row.label for row in rows],
            "text": text,
            "texttemplate": "%{text}",
            "textfont": {"size": 13},
            "colorscale": [
                [0.0, BAND_COLOURS["red"]],
                [0.33, BAND_COLOURS["red"]],
                [0.34, BAND_COLOURS["amber"]],
                [0.66, BAND_COLOURS["amber"]],
                [0.67, BAND_COLOURS["green"]],
                [1.0, BAND_COLOURS["green"]],
            ],
            "zmin": 0,
            "zmax": 2,
            "showscale": False,
            "xgap": 2,
            "ygap": 2,
            "hovertemplate": "%{y} · %{x}: %{text}<extra></extra>",
            "hoverongaps": True,
        }
    ]
    layout = _layout(
        height=90 + 40 * len(rows),
        plot_bgcolor=SUPPRESSED_COLOUR,
        xaxis={"side": "top", "tickangle": -30, "automargin": True},
        yaxis={"autorange": "reversed", "automargin": True},
        margin={"l": 10, "r": 10, "t": 90, "b": 10},
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
        {
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
                "%{text} ("
                + group.name
                + ")<br>"
                + x_title
                + ": %{x}<br>"
                + y_title
                + ": %{y:.1f}<extra></extra>"
            ),
        }
        for index, group in enumerate(groups)
    ]
    shapes = []
    annotations = []
    # Each line's label on a row of its own above the plot, nearest the plot first, so labels
    # never cover a marker or each other, even on a phone.
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
    layout = _layout(
        height=480,
        showlegend=len(groups) > 1,
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "x": 0,
            "title": {"text": "Service"},
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
