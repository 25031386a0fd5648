"""``reconcile history``: how one event's low / best / high moved with each report.

Reads the history and events tables of an output folder (written by the
run: :mod:`reconcile.resolve.history`; any ``--format``), and prints the steps as a rich table:
when, which claims arrived, the figures then and how far best moved, what
the step superseded. :func:`history_svg` draws the same steps as a small
self-contained SVG (a band for ``[low, high]``, a step line for ``best``, a
tick per report): the hook the HTML report draws per event.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .explain import find_event
from .reasons import text

__all__ = ["event_history_data", "history_svg", "print_history"]


def event_history_data(events: pd.DataFrame, history: pd.DataFrame, event_id: str,
                       folder: str) -> dict[str, Any]:
    """One event's history as plain values (what ``--json`` prints)."""
    e = find_event(events, event_id, folder)
    eid = text(e["event_id"])
    rows = history[history["event_id"].map(text) == eid]
    rows = rows.assign(_s=pd.to_numeric(rows["step"], errors="coerce")).sort_values("_s") \
        .drop(columns="_s")

    def get(row: pd.Series, col: str) -> str:
        return text(row[col]) if col in row.index else ""

    steps: list[dict[str, Any]] = [{col: get(r, col) for col in rows.columns if col != "event_id"}
             for _, r in rows.iterrows()]
    for step in steps:
        for col in ("step", "low", "best", "high", "n_claims", "n_independent"):
            if step.get(col, "") != "":
                step[col] = _int(step[col])
        if step.get("confidence", "") != "":
            step["confidence"] = float(step["confidence"])
    what = " ".join(p for p in (get(e, "category"), get(e, "victims")) if p)
    where = ", ".join(p for p in (get(e, "location"), get(e, "country")) if p)
    start, end = get(e, "date_start"), get(e, "date_end")
    return {"event_id": eid, "what": what, "place": where,
            "dates": start + (f"/{end}" if end and end != start else ""),
            "low": _int(get(e, "low")), "best": _int(get(e, "best")),
            "high": _int(get(e, "high")),
            "status": get(e, "status"), "basis": get(e, "basis"), "steps": steps}


def _int(value: str) -> int | None:
    return int(float(value)) if value != "" else None


def print_history(data: dict[str, Any], console: Console) -> None:
    """The history as a rich table, with the event's headline above it."""
    head = f"[bold]{escape(data['event_id'])}[/bold]  {escape(data['what'])} · " \
           f"{escape(data['place'] or 'place unknown')} · {escape(data['dates'])}"
    console.print(head)
    console.print(f"now: best {data['best']} in [{data['low']}, {data['high']}], "
                  f"{escape(data['status'])}", highlight=False)
    table = Table(show_lines=False, header_style="bold")
    for col, kw in (("step", {"justify": "right"}), ("published", {}), ("new reports", {}),
                    ("low", {"justify": "right"}), ("best", {"justify": "right"}),
                    ("high", {"justify": "right"}), ("moved", {"justify": "right"}),
                    ("status", {}), ("superseded", {}), ("note", {})):
        table.add_column(col, **kw)  # type: ignore[arg-type]
    for s in data["steps"]:
        table.add_row(str(s["step"]), escape(s.get("published", "") or "undated"),
                      escape(s.get("new_figures", "")), str(s["low"]), str(s["best"]),
                      str(s["high"]), escape(s.get("change", "")), escape(s.get("status", "")),
                      escape(s.get("superseded", "")), escape(s.get("note", "")))
    console.print(table)


def history_svg(steps: list[dict[str, Any]], width: int = 480, height: int = 140) -> str:
    """The steps as an inline SVG: ``[low, high]`` as a band, ``best`` as a step line,
    a dot per report; the y axis is linear from 0 to the highest ``high``.

    Self-contained (no script, no external reference), so the HTML report can
    embed it as it is.

    >>> svg = history_svg([{"step": 1, "low": 12, "best": 13, "high": 40},
    ...                    {"step": 2, "low": 30, "best": 34, "high": 46}])
    >>> svg.startswith("<svg") and svg.count("<circle") == 2
    True
    """
    pad_l, pad_r, pad_t, pad_b = 40, 10, 10, 20
    n = len(steps)
    if n == 0:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"></svg>'
    top = max(int(s["high"]) for s in steps) or 1
    inner_w, inner_h = width - pad_l - pad_r, height - pad_t - pad_b

    def x(i: int) -> float:
        return pad_l + (inner_w * i / n)

    def y(v: int) -> float:
        return pad_t + inner_h * (1 - int(v) / top)

    band, line, dots = [], [], []
    for i, s in enumerate(steps):
        x0, x1 = x(i), x(i + 1)
        band.append(f'<rect x="{x0:.1f}" y="{y(s["high"]):.1f}" width="{x1 - x0:.1f}" '
                    f'height="{max(y(s["low"]) - y(s["high"]), 1):.1f}" fill="#9ecae1"/>')
        line.append(f"{x0:.1f},{y(s['best']):.1f} {x1:.1f},{y(s['best']):.1f}")
        label = html.escape(f"step {s['step']}: best {s['best']} in [{s['low']}, {s['high']}]"
                            + (f", {s.get('published')}" if s.get("published") else ""))
        dots.append(f'<circle cx="{x0:.1f}" cy="{y(s["best"]):.1f}" r="3" fill="#08519c">'
                    f"<title>{label}</title></circle>")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'role="img" aria-label="how low, best and high moved with each report">'
            + "".join(band)
            + f'<polyline points="{" ".join(line)}" fill="none" stroke="#08519c" '
              f'stroke-width="2"/>' + "".join(dots)
            + f'<text x="2" y="{pad_t + 8}" font-size="10">{top}</text>'
            + f'<text x="2" y="{height - pad_b}" font-size="10">0</text></svg>')
