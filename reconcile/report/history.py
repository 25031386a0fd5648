"""``reconcile history``: how one event's low / best / high moved with each report.

Reads the history and events tables of an output folder (written by the
run: :mod:`reconcile.resolve.history`; any ``--format``), and prints the steps as a rich table:
when, which claims arrived, the figures then and how far best moved, what
the step superseded. The HTML report draws the same steps per event
(:func:`reconcile.report.charts.history_chart`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .explain import find_event
from .reasons import text

__all__ = ["event_history_data", "print_history"]


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
