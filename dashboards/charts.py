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
    label = f"{display_mean(bar.mean)} {BAND_LABELS[bar.band]}"
    return label + " · Urgent" if bar.urgent else label


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
                name=BAND_LABELS[band],
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
        text=[f"Not shown: {bar.note}" for _, bar in hidden],
        textposition="middle right",
        textfont={"color": "#444444"},
        name="Not shown",
        legendrank=4,
        showlegend=False,
        hoverinfo="skip",
    )


def _marker_traces(markers: Sequence[Marker], count: int) -> list[dict[str, Any]]:
    """The unit above and the organisation, in a lane under each bar."""
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
        for rank, marker in enumerate(markers)
    ]


def domain_profile(bars: Sequence[ProfileBar], markers: Sequence[Marker]) -> dict[str, Any]:
    """Horizontal bars of domain means on the 1–6 scale, in band colours, with markers for the
    unit above and the organisation in a lane of their own under each bar, so a marker never
    covers a bar's label."""
    data = [*_profile_bars(bars), *_marker_traces(markers, len(bars))]
    layout = _layout(
        height=110 + 52 * len(bars),
        showlegend=True,
        legend=LEGEND_TOP,
        margin={"l": 10, "r": 30, "t": 40, "b": 50},
        xaxis={
            "range": list(SCALE),
            "tickvals": [1, 2, 3, 4, 5, 6],
            "title": {"text": "Mean score (1 to 6)"},
            "showgrid": True,
            "gridcolor": "#e9ecef",
            "zeroline": False,
        },
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


REVERSE_MARK = "↺ negatively worded: agreeing is red"


def _distribution_label(row: DistributionRow) -> str:
    # Plain text only: Plotly styles <i> and <b> with style attributes, which the CSP refuses.
    marks = [REVERSE_MARK] if row.reverse_scored else []
    if row.urgent:
        marks.append("URGENT")
    return "<br>".join([wrap_label(row.label, 46), *([" · ".join(marks)] if marks else [])])


def _segment_text(value: int, band: str) -> str:
    if value >= 20:
        return f"{value}% {BAND_LABELS[band].lower()}"
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
                "name": BAND_LABELS[band],
                "legendrank": rank + 1,
                "marker": _band_marker(band),
                "text": [_segment_text(v, band) for v in values],
                "textposition": "inside",
                "insidetextanchor": "middle",
                "textfont": {"color": BAND_TEXT_COLOURS[band]},
                "hovertemplate": f"%{{y}}<br>{BAND_LABELS[band]}: %{{x}}%<extra></extra>",
            }
        )
    lines = max((label.count("<br>") + 1 for label in labels), default=1)
    layout = _layout(
        barmode="stack",
        height=90 + (16 * lines + 14) * len(rows),
        showlegend=True,
        legend=LEGEND_TOP,
        margin={"l": 10, "r": 10, "t": 40, "b": 40},
        xaxis={"range": [0, 100], "ticksuffix": "%", "title": {"text": "Share of answers"}},
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
