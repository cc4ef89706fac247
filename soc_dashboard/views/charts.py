"""Plotly figures as plain dicts (no pandas): bars with their values printed, a timeline."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from soc.stores.base import Bucket
from soc_dashboard.i18n import label
from soc_dashboard.views.alerts import LEVELS, STATUSES

LEVEL_COLOURS = {
    "critical": "#991b1b",
    "high": "#c2410c",
    "medium": "#a16207",
    "low": "#1d4ed8",
    "informational": "#475569",
}
STATUS_COLOURS = {
    "new": "#b91c1c",
    "acknowledged": "#b45309",
    "in_progress": "#1d4ed8",
    "closed": "#15803d",
    "false_positive": "#475569",
}
NEUTRAL = "#0f766e"
FONT = {"family": "system-ui, 'Segoe UI', Roboto, 'Noto Sans', sans-serif", "size": 13}


def _layout(height: int, **extra: Any) -> dict[str, Any]:
    return {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "font": FONT,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "showlegend": False,
        **extra,
    }


def _ordered(counts: dict[str, int], order: Sequence[str]) -> list[tuple[str, int]]:
    known = [(k, counts[k]) for k in order if counts.get(k)]
    others = sorted((k, n) for k, n in counts.items() if k not in order and n)
    return known + others


def horizontal_bars(
    names: list[str], values: list[int], colours: list[str] | str = NEUTRAL
) -> dict[str, Any]:
    """Largest at the top, values printed beside the bars (readable without hovering)."""
    trace = {
        "type": "bar",
        "orientation": "h",
        "x": values[::-1],
        "y": names[::-1],
        "text": [str(v) for v in values[::-1]],
        "textposition": "auto",
        "marker": {"color": colours[::-1] if isinstance(colours, list) else colours},
        "hovertemplate": "%{y}: %{x}<extra></extra>",
        "cliponaxis": False,
    }
    height = max(120, 34 * len(names) + 30)
    return {
        "data": [trace],
        "layout": _layout(height, yaxis={"automargin": True}, xaxis={"visible": False}),
    }


def counts_figure(kind: str, counts: dict[str, int], lang: str) -> dict[str, Any]:
    """Bars for alert counts by ``level``, ``status`` or ``engine``, in the natural order."""
    order: Sequence[str] = {"level": LEVELS, "status": STATUSES}.get(kind, ())
    pairs = _ordered(counts, order)
    palette = {"level": LEVEL_COLOURS, "status": STATUS_COLOURS}.get(kind, {})
    return horizontal_bars(
        [label(kind, k, lang) for k, _ in pairs],
        [n for _, n in pairs],
        [palette.get(k, NEUTRAL) for k, _ in pairs],
    )


def buckets_figure(buckets: list[Bucket]) -> dict[str, Any]:
    return horizontal_bars([b.key for b in buckets], [b.count for b in buckets])


def timeline_figure(points: list[tuple[datetime, int]]) -> dict[str, Any]:
    # Local wall-clock times without offset: plotly would otherwise shift them to the browser zone.
    trace = {
        "type": "bar",
        "x": [p.strftime("%Y-%m-%d %H:%M") for p, _ in points],
        "y": [n for _, n in points],
        "marker": {"color": LEVEL_COLOURS["high"]},
        "hovertemplate": "%{x}: %{y}<extra></extra>",
    }
    peak = max((n for _, n in points), default=0)
    yaxis = {
        "rangemode": "tozero",
        "automargin": True,
        "tick0": 0,
        "dtick": max(1, math.ceil(peak / 5)),  # whole numbers: these are counts
        "gridcolor": "#e2e8f0",
    }
    hourly = len(points) > 1 and (points[1][0] - points[0][0]).total_seconds() < 86_400
    # Numeric day/month like Vietnamese documents; plotly's default prints English month names.
    xaxis = {
        "type": "date",
        "automargin": True,
        "tickformat": "%H:%M<br>%d/%m" if hourly else "%d/%m/%Y",
    }
    return {"data": [trace], "layout": _layout(240, xaxis=xaxis, yaxis=yaxis)}
