"""``reconcile diff``: what changed between two runs, events matched through their claims.

Recorders overwrite revised tolls in place; users diff snapshots by hand.
:func:`diff_runs` compares two output folders (any ``--format``) and says
which events were added, removed, merged and split, whose best moved (by how
much, and which claims are new behind the move), which are newly contested,
and which reviewer verdicts no longer apply.

Matching is by claims, not by event id: each run's claims table says which
event every claim is in (``claim_id -> event_id``). An old event and a new
event *correspond* when they share a claim. Then:

- **added**: a new event that shares no claim with any old event;
- **removed**: an old event that shares no claim with any new event (its
  claims left the run);
- **merged**: a new event holding claims of two or more old events;
- **split**: an old event whose claims are now in two or more new events;
- otherwise the old and new event are one event (its id may have changed);
  its best **moved** when it differs; the claims *behind the move* are the
  new event's claims that were not in the old one, or whose figure changed;
- **contested**: a new event whose status is ``contested`` while none of the
  old events it corresponds to was;
- a **verdict no longer applies** when an old event's ``review`` note (one
  per `` | ``) is not on the new event its claims went to: the event was
  removed, merged, split, or the review file no longer holds the verdict.

Events without claims in the claims table fall back to matching by id.
The library returns plain values; :func:`print_diff` draws them with rich,
every text from the tables escaped (a source named ``[bold]`` prints as it is).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..errors import InputError
from .reasons import text
from .tables import read_tables

__all__ = ["diff_runs", "diff_tables", "print_diff"]

_KINDS = ("added", "removed", "merged", "split", "moved", "contested", "verdicts")


def _int(value: object) -> int | None:
    s = text(value)
    try:
        return int(float(s)) if s != "" else None
    except ValueError:
        return None


def _events(tables: Mapping[str, pd.DataFrame | None], folder: str) -> dict[str, dict[str, Any]]:
    events = tables.get("events")
    if events is None:
        raise InputError("no events table here", file=folder)
    out: dict[str, dict[str, Any]] = {}
    keep = [c for c in ("event_id", "category", "victims", "location", "country", "date_start",
                        "date_end", "low", "best", "high", "status", "review") if c in events]
    for row in events[keep].astype(object).to_dict("records"):
        eid = text(row.get("event_id"))
        if not eid:
            continue
        what = " ".join(p for p in (text(row.get("category")), text(row.get("victims"))) if p)
        place = ", ".join(p for p in (text(row.get("location")), text(row.get("country"))) if p)
        start, end = text(row.get("date_start")), text(row.get("date_end"))
        out[eid] = {
            "event_id": eid, "what": what, "place": place,
            "dates": start + (f"/{end}" if end and end != start else ""),
            "low": _int(row.get("low")), "best": _int(row.get("best")),
            "high": _int(row.get("high")), "status": text(row.get("status")),
            "review": text(row.get("review")),
        }
    return out


def _claims(tables: Mapping[str, pd.DataFrame | None], events: Mapping[str, Any]
            ) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """``claim_id -> event_id`` (claims in an event of the table) and each claim's fields."""
    claims = tables.get("claims")
    where: dict[str, str] = {}
    info: dict[str, dict[str, str]] = {}
    if claims is None or "claim_id" not in claims or "event_id" not in claims:
        return where, info
    keep = [c for c in ("claim_id", "event_id", "source", "figure", "low", "high", "published",
                        "verdict") if c in claims]
    for row in claims[keep].astype(object).to_dict("records"):
        cid, eid = text(row.get("claim_id")), text(row.get("event_id"))
        if not cid:
            continue
        info[cid] = {k: text(row.get(k)) for k in ("source", "figure", "low", "high",
                                                     "published", "verdict")}
        if eid in events and text(row.get("verdict")) != "excluded":
            where[cid] = eid
    return where, info


def _label(claim_id: str, info: Mapping[str, str]) -> str:
    return f"{info.get('source', '')} '{info.get('figure', '')}' ({claim_id})"


def _notes(review: str) -> list[str]:
    return [n.strip() for n in review.split(" | ") if n.strip()]


def diff_tables(old: Mapping[str, pd.DataFrame | None], new: Mapping[str, pd.DataFrame | None],
                *, old_name: str = "old", new_name: str = "new") -> dict[str, Any]:
    """The changes from run ``old`` to run ``new`` (tables as :func:`read_tables` gives them).

    Returns a dict of plain values: ``old``, ``new`` (the names), ``counts``
    (of each kind of change, and ``unchanged``), and one list per kind:
    ``added``, ``removed``, ``merged``, ``split``, ``moved``, ``contested``,
    ``verdicts``. Lists are sorted by event id, so the result is deterministic.

    Notes: linear in the number of claims and events.
    """
    ev_old, ev_new = _events(old, old_name), _events(new, new_name)
    at_old, info_old = _claims(old, ev_old)
    at_new, info_new = _claims(new, ev_new)
    members_old: dict[str, set[str]] = {e: set() for e in ev_old}
    members_new: dict[str, set[str]] = {e: set() for e in ev_new}
    for c, e in at_old.items():
        members_old[e].add(c)
    for c, e in at_new.items():
        members_new[e].add(c)
    to_new: dict[str, set[str]] = {e: set() for e in ev_old}
    to_old: dict[str, set[str]] = {e: set() for e in ev_new}
    for c, e in at_old.items():
        if c in at_new:
            to_new[e].add(at_new[c])
            to_old[at_new[c]].add(e)
    # events without claims in the table: by id
    for e in ev_old:
        if not members_old[e] and e in ev_new and not members_new[e]:
            to_new[e].add(e)
            to_old[e].add(e)

    def brief(e: Mapping[str, Any]) -> dict[str, Any]:
        return {k: e[k] for k in ("event_id", "what", "place", "dates", "low", "best", "high",
                                  "status")}

    def changed(c: str) -> bool:
        a, b = info_old.get(c), info_new.get(c)
        return a is not None and b is not None and \
            (a["figure"], a["low"], a["high"]) != (b["figure"], b["low"], b["high"])

    def behind(new_id: str, old_ids: set[str]) -> list[dict[str, str]]:
        before = set().union(*(members_old[o] for o in old_ids)) if old_ids else set()
        out = []
        for c in sorted(members_new[new_id]):
            if c not in before:
                why = "moved in" if c in at_old else "new"
            elif changed(c):
                why = f"figure was '{info_old[c]['figure']}'"
            else:
                continue
            out.append({"claim_id": c, "claim": _label(c, info_new[c]), "why": why})
        return out

    result: dict[str, Any] = {"old": old_name, "new": new_name}
    result["added"] = [dict(brief(ev_new[n]), claims=len(members_new[n]),
                            new_claims=behind(n, set()))
                       for n in sorted(ev_new) if not to_old[n]]
    result["removed"] = [dict(brief(ev_old[o]), claims=len(members_old[o]))
                         for o in sorted(ev_old) if not to_new[o]]
    result["merged"] = [
        {"into": brief(ev_new[n]), "from": [brief(ev_old[o]) for o in sorted(to_old[n])],
         "new_claims": behind(n, to_old[n])}
        for n in sorted(ev_new) if len(to_old[n]) > 1]
    result["split"] = [
        {"from": brief(ev_old[o]), "into": [brief(ev_new[n]) for n in sorted(to_new[o])]}
        for o in sorted(ev_old) if len(to_new[o]) > 1]
    moved, unchanged = [], 0
    for o in sorted(ev_old):
        if len(to_new[o]) != 1:
            continue
        n = next(iter(to_new[o]))
        if len(to_old[n]) != 1:
            continue
        a, b = ev_old[o], ev_new[n]
        if a["best"] != b["best"]:
            by = None if a["best"] is None or b["best"] is None else b["best"] - a["best"]
            moved.append({"old_id": o, "event_id": n, "what": b["what"], "place": b["place"],
                          "dates": b["dates"], "old": [a["low"], a["best"], a["high"]],
                          "new": [b["low"], b["best"], b["high"]], "by": by,
                          "new_claims": behind(n, {o})})
        elif (a["low"], a["high"], a["status"], o) == (b["low"], b["high"], b["status"], n) \
                and not behind(n, {o}):
            unchanged += 1
    result["moved"] = moved
    result["contested"] = [
        dict(brief(ev_new[n]), was=sorted({ev_old[o]["status"] for o in to_old[n]}))
        for n in sorted(ev_new) if ev_new[n]["status"] == "contested"
        and not any(ev_old[o]["status"] == "contested" for o in to_old[n])]
    verdicts = []
    for o in sorted(ev_old):
        notes = _notes(ev_old[o]["review"])
        if not notes:
            continue
        targets = sorted(to_new[o])
        if not targets:
            why = "event removed"
        elif len(targets) > 1:
            why = f"event split into {len(targets)}"
        elif len(to_old[targets[0]]) > 1:
            why = f"event merged with {len(to_old[targets[0]]) - 1} other"
        else:
            why = "verdict not in the new run"
        kept = set(_notes(ev_new[targets[0]]["review"])) if len(targets) == 1 else set()
        for note in notes:
            if note in kept and len(to_old[targets[0]]) == 1:
                continue
            verdicts.append({"event_id": o, "now": targets, "verdict": note, "why": why})
    result["verdicts"] = verdicts
    result["counts"] = {k: len(result[k]) for k in _KINDS} | {"unchanged": unchanged}
    return result


def diff_runs(old_dir: str | Path, new_dir: str | Path) -> dict[str, Any]:
    """:func:`diff_tables` of two output folders of ``reconcile run`` (any ``--format``)."""
    return diff_tables(read_tables(old_dir), read_tables(new_dir),
                       old_name=str(old_dir), new_name=str(new_dir))


def _head(e: Mapping[str, Any]) -> str:
    return escape(f"{e['event_id'][:12]} {e['what']} · {e['place'] or 'place unknown'} · "
                  f"{e['dates']}")


def _fig(e: Mapping[str, Any]) -> str:
    return f"{e['best']} [{e['low']}, {e['high']}]"


def print_diff(data: Mapping[str, Any], console: Console) -> None:
    """The diff as rich tables, one per kind of change that has any."""
    c = data["counts"]
    console.print(f"[bold]diff[/bold] {escape(data['old'])} → {escape(data['new'])}")
    console.print(", ".join(f"{c[k]} {k}" for k in (*_KINDS, "unchanged")), highlight=False)

    def table(title: str, *cols: str) -> Table:
        t = Table(title=title, title_justify="left", header_style="bold")
        for col in cols:
            t.add_column(col, justify="right" if col in ("by", "n") else "left")
        return t

    if data["added"]:
        t = table("added", "event", "figures", "status", "claims")
        for e in data["added"]:
            t.add_row(_head(e), _fig(e), escape(e["status"]),
                      "\n".join(escape(x["claim"]) for x in e["new_claims"]))
        console.print(t)
    if data["removed"]:
        t = table("removed", "event", "figures", "status", "claims")
        for e in data["removed"]:
            t.add_row(_head(e), _fig(e), escape(e["status"]), str(e["claims"]))
        console.print(t)
    if data["merged"]:
        t = table("merged", "now", "figures", "was", "claims new to it")
        for m in data["merged"]:
            t.add_row(_head(m["into"]), _fig(m["into"]),
                      "\n".join(f"{_head(e)}: {_fig(e)}" for e in m["from"]),
                      "\n".join(escape(f"{x['claim']}: {x['why']}") for x in m["new_claims"]))
        console.print(t)
    if data["split"]:
        t = table("split", "was", "figures", "now")
        for s in data["split"]:
            t.add_row(_head(s["from"]), _fig(s["from"]),
                      "\n".join(f"{_head(e)}: {_fig(e)}" for e in s["into"]))
        console.print(t)
    if data["moved"]:
        t = table("best moved", "event", "was", "now", "by", "new claims behind it")
        for m in data["moved"]:
            head = _head({**m, "event_id": m["event_id"]})
            if m["old_id"] != m["event_id"]:
                head += escape(f" (was {m['old_id'][:12]})")
            lo, b, hi = m["old"]
            nlo, nb, nhi = m["new"]
            by = "" if m["by"] is None else f"{m['by']:+d}"
            t.add_row(head, f"{b} [{lo}, {hi}]", f"{nb} [{nlo}, {nhi}]", by,
                      "\n".join(escape(f"{x['claim']}: {x['why']}") for x in m["new_claims"]))
        console.print(t)
    if data["contested"]:
        t = table("newly contested", "event", "figures", "was")
        for e in data["contested"]:
            t.add_row(_head(e), _fig(e), escape(", ".join(e["was"]) or "(new event)"))
        console.print(t)
    if data["verdicts"]:
        t = table("verdicts that no longer apply", "event", "verdict", "why", "now")
        for v in data["verdicts"]:
            t.add_row(escape(v["event_id"][:12]), escape(v["verdict"]), escape(v["why"]),
                      escape(", ".join(x[:12] for x in v["now"]) or "-"))
        console.print(t)
