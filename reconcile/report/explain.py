"""``reconcile explain`` and ``reconcile summary``: the report's reasoning in a terminal.

Both read an output folder alone (:func:`~.tables.read_tables`: any format
``run`` wrote) and print with rich tables; the per-claim sentences are the
report's own (:func:`~.reasons.claim_reasons`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..errors import InputError
from .reasons import claim_reasons, fmt_count, fmt_interval, rank_for_review, strings, text

__all__ = ["event_explanation", "explain_event", "find_event", "summarise_run"]


def find_event(events: pd.DataFrame, event_id: str, folder: str) -> pd.Series:
    """The row of ``event_id`` (or of the one event whose id starts with it)."""
    ids = events["event_id"].map(text)
    hit = events[ids.eq(event_id)]
    if hit.empty and event_id:
        hit = events[ids.str.startswith(event_id)]
    if len(hit) == 1:
        return hit.iloc[0]
    if len(hit) > 1:
        raise InputError(f"{event_id!r} starts {len(hit)} event ids; give more of it",
                         file=folder)
    raise InputError(f"no event {event_id!r} here; `reconcile summary {folder}` lists the "
                     "events", file=folder)


def event_explanation(tables: dict[str, pd.DataFrame | None], event_id: str, folder: str
                      ) -> dict[str, Any]:
    """One event as plain values: its figures, basis, hierarchy and every claim with why."""
    events, claims = tables["events"], tables["claims"]
    assert events is not None and claims is not None
    e = find_event(events, event_id, folder)
    eid = text(e["event_id"])
    mine = claims[claims["event_id"].map(text).eq(eid)]
    mine = mine.assign(_p=mine.get("published", pd.Series("", index=mine.index)).map(text)) \
        .sort_values(["_p", "claim_id"], kind="stable").drop(columns="_p")
    reasons = claim_reasons(mine, events[events["event_id"].map(text).eq(eid)],
                            tables.get("sources"))
    parent = text(e.get("parent_event_id"))
    parents = strings(events, "parent_event_id")
    ids = strings(events, "event_id")

    def title(event_id: str) -> str:
        row = events[ids.eq(event_id)]
        if row.empty:
            return event_id
        r = row.iloc[0]
        what = " ".join(p for p in (text(r.get("category")), text(r.get("victims"))) if p)
        where = ", ".join(p for p in (text(r.get("location")), text(r.get("country"))) if p)
        return f"{event_id} ({what} · {where or 'place unknown'} · {text(r.get('date_start'))})"

    kids = [title(k) for k in ids[parents.eq(eid)].tolist()]
    link = ""
    if parent and "parent_link" in mine and len(mine):
        link = {"part": "a subset of its victims", "within": "an incident inside its total"} \
            .get(text(mine["parent_link"].iloc[0]), "")
    return {
        "event_id": eid,
        "what": " ".join(p for p in (text(e.get("category")), text(e.get("victims"))) if p),
        "place": ", ".join(p for p in (text(e.get("location")), text(e.get("country"))) if p),
        "dates": text(e.get("date_start")) + (f" – {text(e.get('date_end'))}"
                                              if text(e.get("date_end")) != text(e.get("date_start"))
                                              else ""),
        "low": text(e.get("low")), "best": text(e.get("best")), "high": text(e.get("high")),
        "confidence": text(e.get("confidence")), "status": text(e.get("status")),
        "grade": text(e.get("grade")), "basis": text(e.get("basis")),
        "conflicts": text(e.get("conflicts")), "review": text(e.get("review")),
        "parent_event_id": parent, "parent": title(parent) if parent else "",
        "parent_link": link, "children": kids,
        "claims": [{"claim_id": text(c.get("claim_id")), "source": text(c.get("source")),
                    "relay": text(c.get("relay")), "figure": text(c.get("figure")),
                    "interval": fmt_interval(c.get("low"), c.get("high")),
                    "verdict": text(c.get("verdict")), "why": text(reasons.get(i)),
                    "published": text(c.get("published")), "outlet": text(c.get("outlet")),
                    "url": text(c.get("url")), "quote": text(c.get("quote")),
                    "review": text(c.get("review"))}
                   for i, c in mine.iterrows()],
    }


def explain_event(console: Console, ex: dict[str, Any]) -> None:
    """Print one event's explanation (from :func:`event_explanation`)."""
    head = Text()
    head.append(f"{ex['what']} · {ex['place'] or 'place unknown'} · {ex['dates']}\n", "bold")
    head.append(f"low {fmt_count(ex['low'])}  best ")
    head.append(fmt_count(ex["best"]), "bold")
    head.append(f"  high {fmt_count(ex['high']) or '∞'}")
    if ex["confidence"]:
        head.append(f"  confidence {float(ex['confidence']):.2f}")
    head.append(f"  status {ex['status']}")
    if ex["grade"]:
        head.append(f"  grade {ex['grade']}")
    lines: list[Any] = [head]
    if ex["basis"]:
        lines.append(Text(f"Basis: {ex['basis']}"))
    if ex["conflicts"]:
        lines.append(Text(f"Outside [low, high]: {ex['conflicts']}"))
    if ex["review"]:
        lines.append(Text("Review: " + "\n        ".join(ex["review"].split(" | ")), "yellow"))
    if ex["parent_event_id"]:
        how = f": {ex['parent_link']}" if ex["parent_link"] else ""
        lines.append(Text(f"Part of event {ex['parent']}{how}"))
    for kid in ex["children"]:
        lines.append(Text(f"Contains event {kid}"))
    console.print(Panel(Group(*lines), title=f"event {ex['event_id']}", title_align="left"))
    table = Table(title="Claims, and why each counted or not", show_lines=True, expand=True)
    for name, kw in (("#", {"justify": "right"}), ("source", {}), ("figure", {}),
                     ("interval", {"justify": "right"}), ("verdict", {}), ("why", {"ratio": 3}),
                     ("reported", {})):
        table.add_column(name, **kw)
    for n, c in enumerate(ex["claims"], 1):
        src = Text(c["source"])
        if c["relay"]:
            src.append(f"\nvia {c['relay']}", "dim")
        why = Text(c["why"])
        if c["review"]:
            why.append(f"\nReview: {c['review']}", "yellow")
        table.add_row(str(n), src, Text(c["figure"]), c["interval"], c["verdict"], why,
                      Text(", ".join(p for p in (c["outlet"], c["published"]) if p)))
    console.print(table)
    for n, c in enumerate(ex["claims"], 1):
        if c["quote"] or c["url"]:
            line = Text(f"{n}. ({c['claim_id']}) ")
            line.append(f"“{c['quote']}”" if c["quote"] else "", "italic")
            if c["url"]:
                line.append(f"  {c['url']}", "dim")
            console.print(line)


def summarise_run(console: Console, tables: dict[str, pd.DataFrame | None], top: int = 15
                  ) -> pd.DataFrame:
    """Print the run in numbers and the ``top`` events most in need of review; returns them."""
    events, claims = tables["events"], tables["claims"]
    assert events is not None and claims is not None
    rejects, sources = tables.get("rejects"), tables.get("sources")
    status = events["status"].map(text).value_counts() if len(events) else pd.Series(dtype=int)
    excluded = int(claims.get("verdict", pd.Series(dtype=object)).map(text).eq("excluded").sum())
    n_sources = len(sources) if sources is not None else claims["source"].nunique()
    console.print(
        f"[bold]{len(events):,} events[/] from {len(claims) - excluded:,} claims"
        + (f" ({excluded:,} excluded by review)" if excluded else "")
        + f", {len(rejects) if rejects is not None else 0:,} rows rejected, {n_sources:,} sources. "
        + ", ".join(f"{int(status.get(s, 0)):,} {s}" for s in
                    ("contested", "single-source", "resolved", "agreed")))
    ranked = rank_for_review(events).head(top)
    title = "The event most in need of review" if len(ranked) == 1 else \
        f"The {len(ranked)} events most in need of review"
    table = Table(title=title, expand=True)
    for name, kw in (("event", {"no_wrap": True}), ("status", {}), ("grade", {}),
                     ("what", {"ratio": 2}), ("best", {"justify": "right", "no_wrap": True}),
                     (escape("[low, high]"), {"justify": "right", "no_wrap": True}),
                     ("conf.", {"justify": "right"}), ("why", {"ratio": 2, "min_width": 24})):
        table.add_column(name, **kw)
    for e in ranked.to_dict("records"):
        what = " · ".join(p for p in (
            " ".join(p for p in (text(e.get("category")), text(e.get("victims"))) if p),
            ", ".join(p for p in (text(e.get("location")), text(e.get("country"))) if p),
            text(e.get("date_start"))) if p)
        conf = text(e.get("confidence"))
        table.add_row(text(e["event_id"]), text(e.get("status")), text(e.get("grade")),
                      Text(what), fmt_count(e.get("best")),
                      fmt_interval(e.get("low"), e.get("high")),
                      f"{float(conf):.2f}" if conf else "", Text(text(e.get("why"))))
    console.print(table)
    return ranked
