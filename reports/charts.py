"""Vega-Lite specs for the report tables, the same in the browser (vendored Vega with
``vega-interpreter``: no eval under the CSP) and on the server (``vl-convert-python`` SVG
for the digest PDF)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .selectors import Table

WIDTH, HEIGHT = 520, 220


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def chart_spec(table: Table, *, responsive: bool = False) -> dict[str, Any] | None:
    """The table's chart as a Vega-Lite spec with its rows inlined; None: no chart.
    ``responsive``: as wide as its container (the page; a phone too), else a fixed width
    (the digest's SVG)."""
    if not table.chart or not table.rows:
        return None
    labels = dict(table.columns)
    x = table.chart["x"]
    ys = table.chart["y"] if isinstance(table.chart["y"], list) else [table.chart["y"]]
    values = [
        {"x": str(row.get(x)), "series": labels[y], "y": _plain(row.get(y))}
        for row in table.rows
        for y in ys
        if row.get(y) is not None
    ]
    encoding: dict[str, Any] = {
        "x": {"field": "x", "type": "nominal", "title": labels[x], "sort": None},
        "y": {
            "field": "y",
            "type": "quantitative",
            "title": labels[ys[0]] if len(ys) == 1 else "MT",
        },
        "tooltip": [
            {"field": "x", "title": labels[x]},
            {"field": "series", "title": "Series"},
            {"field": "y", "title": "Value", "format": ",.2f"},
        ],
    }
    if len(ys) > 1:
        encoding["color"] = {"field": "series", "type": "nominal", "title": None}
        if table.chart["mark"] == "bar":
            encoding["xOffset"] = {"field": "series"}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": table.title,
        "width": "container" if responsive else WIDTH,
        "autosize": {"type": "fit", "contains": "padding"} if responsive else "pad",
        "height": HEIGHT,
        "data": {"values": values},
        "mark": {
            "type": table.chart["mark"],
            "tooltip": True,
            "point": table.chart["mark"] == "line",
        }
        if table.chart["mark"] == "line"
        else {"type": "bar", "tooltip": True},
        "encoding": encoding,
        "config": {"font": "DejaVu Sans", "axis": {"labelLimit": 140}},
    }


def chart_svg(spec: dict[str, Any]) -> str:
    """The chart as an SVG document (no browser, no network)."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(vl_spec=spec, vl_version="6.4")
