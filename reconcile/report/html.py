"""``report.html``: one self-contained, offline file a fact-checker can act on.

Layout (top to bottom): the run in numbers; the events that most need a
human; the events table (filter, sort, pages: a small script shipped in the
file); each event's detail, parsed on demand from its own embedded JSON
block (the chart of every claim's interval, the claims with quote, source,
relay, outlet, date and link, why each counted or not, review verdicts, the
hierarchy both ways); the sources with the source graph; the rejected rows.

Safety: the template is jinja2 with autoescape; data goes into JSON blocks
with ``<``, ``>`` and ``&`` escaped, and the script sets it with
``textContent`` only; only http(s) URLs become links (``rel="noopener
noreferrer"``); charts are checked inert (:func:`~.charts.check_svg`); a
Content-Security-Policy lets only the shipped script run and no request
leave the file.

Size: the report holds the ``max_events`` events most in need of review
(all of them in a smaller run) and draws charts for the ``max_charts``
first; a note says so when it holds fewer than the run has.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import networkx as nx
import pandas as pd

from .charts import (
    MAX_BARS,
    UnsafeSVG,
    event_chart,
    history_chart,
    render_many,
    render_svg,
    source_graph,
    source_graph_chart,
)
from .reasons import claim_reasons, fmt_count, fmt_interval, rank_for_review, strings, text

__all__ = ["DEFAULT_MAX_CHARTS", "DEFAULT_MAX_EVENTS", "build_report", "safe_url", "write_report"]

DEFAULT_MAX_EVENTS = 20_000
DEFAULT_MAX_CHARTS = 50
MAX_SOURCE_ROWS = 200

_SOURCE_COLUMNS = ("source", "claims", "events", "reliability", "bias", "noise", "agreement",
                   "cluster", "copies_of", "cited_by")
_NUMERIC_SOURCE = {"claims", "events", "reliability", "bias", "noise", "agreement",
                   "consistent", "outside"}


def safe_url(value: object) -> str:
    """``value`` when it is an http(s) URL with a host, else "" (it is shown as text).

    >>> safe_url("https://example.org/a?b=1"), safe_url("javascript:alert(1)")
    ('https://example.org/a?b=1', '')
    >>> safe_url(" JaVaScRiPt:alert(1)"), safe_url("//evil.example/x"), safe_url("http:/x")
    ('', '', '')
    """
    url = text(value).strip()
    if not url or any(ch in url for ch in "\x00\r\n\t\"'<> "):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


def _json_block(value: object) -> str:
    """JSON safe inside a ``<script type="application/json">``: no ``<``, ``>``, ``&``."""
    raw = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (raw.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _asset(name: str) -> str:
    return files("reconcile.report.assets").joinpath(name).read_text(encoding="utf-8")


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame else pd.Series("", index=frame.index, dtype=object)


def _num(value: object) -> float | int | None:
    s = text(value).replace(",", "")
    if not s:
        return None
    try:
        x = float(s)
    except ValueError:
        return None
    return int(x) if x.is_integer() else x


def _place(row: Mapping[Any, Any]) -> str:
    return ", ".join(p for p in (text(row.get("location")), text(row.get("country"))) if p)


def _title(row: Mapping[Any, Any]) -> str:
    what = " ".join(p for p in (text(row.get("category")), text(row.get("victims"))) if p)
    dates = text(row.get("date_start"))
    if text(row.get("date_end")) and text(row.get("date_end")) != dates:
        dates = f"{dates} – {text(row.get('date_end'))}"
    return " · ".join(p for p in (what, _place(row) or "place unknown", dates) if p)


def _texts(frame: pd.DataFrame, name: str) -> list[str]:
    """A column as display strings, column-wise ("" for missing or absent)."""
    return strings(frame, name).tolist()


def _claim_rows(claims: pd.DataFrame, reasons: pd.Series) -> tuple[list[str], list[dict[str, Any]]]:
    """(event id, row) per claim, sorted by event, publication time and id; one pass."""
    if claims.empty:
        return [], []
    cols = {n: _texts(claims, n) for n in (
        "claim_id", "event_id", "source", "figure", "low", "high", "anchor", "verdict", "outlet",
        "published", "relay", "url", "quote", "hedge", "review")}
    order = sorted(range(len(claims)), key=lambda i: (cols["event_id"][i], cols["published"][i],
                                                      cols["claim_id"][i]))
    why = [text(w) for w in reasons.tolist()]
    events: list[str] = []
    rows: list[dict[str, Any]] = []
    for i in order:
        url = cols["url"][i]
        ok = safe_url(url)
        events.append(cols["event_id"][i])
        rows.append({
            "claim_id": cols["claim_id"][i], "source": cols["source"][i],
            "figure": cols["figure"][i], "interval": fmt_interval(cols["low"][i], cols["high"][i]),
            "low": _num(cols["low"][i]), "high": _num(cols["high"][i]),
            "anchor": _num(cols["anchor"][i]), "verdict": cols["verdict"][i], "why": why[i],
            "outlet": cols["outlet"][i], "published": cols["published"][i],
            "relay": cols["relay"][i], "url": ok, "url_text": "" if ok else url,
            "quote": cols["quote"][i], "hedge": cols["hedge"][i], "review": cols["review"][i],
        })
    return events, rows


def _notes(n_events: int, shown: int, n_charts: int, has: Mapping[str, bool]) -> list[str]:
    notes = []
    if shown < n_events:
        notes.append(f"This report holds the {shown:,} events most in need of review out of "
                     f"{n_events:,}; every event is in the events table of the output folder. "
                     "Use --report-events N to hold more (a larger file, slower to open).")
    if n_charts < shown:
        notes.append(f"Charts are drawn for the {n_charts:,} events first in the review order; "
                     "other events show their claims without a chart "
                     "(reconcile explain EVENT_ID --run OUTDIR prints any event).")
    if not has["grade"]:
        notes.append("This run has no grade or basis columns (they come with the learned "
                     "resolver); events are ranked by status.")
    return notes


def _history_steps(history: pd.DataFrame | None, wanted: set[str]
                   ) -> dict[str, list[dict[str, Any]]]:
    """The history rows of the ``wanted`` events, in step order, by event id."""
    if history is None or not len(history) or "event_id" not in history:
        return {}
    ids = strings(history, "event_id")
    rows = history[ids.isin(wanted).to_numpy()]
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows.to_dict("records"):
        out.setdefault(text(row["event_id"]), []).append({str(k): v for k, v in row.items()})
    for steps in out.values():
        steps.sort(key=lambda r: _num(text(r.get("step"))) or 0)
    return out


def build_report(events: pd.DataFrame, claims: pd.DataFrame, *,
                 sources: pd.DataFrame | None = None, rejects: pd.DataFrame | None = None,
                 n_rows: int | None = None, input_name: str = "", policy: str = "",
                 graph: nx.Graph | None = None, max_events: int = DEFAULT_MAX_EVENTS,
                 max_charts: int = DEFAULT_MAX_CHARTS,
                 history: pd.DataFrame | None = None) -> str:
    """The report as one HTML string. Takes the run's tables (as written or read back).

    Parameters
    ----------
    events, claims, sources, rejects : DataFrame
        The run's tables; ``sources`` and ``rejects`` may be absent, and any
        column resolution adds (grade, basis, weight, distance...) may be
        missing: the report says what it lacks.
    graph : networkx graph, optional
        The source graph; by default made from sources.csv's ``copies_of``
        and ``cited_by`` (or the claims' ``relay`` column).
    max_events, max_charts : int
        How many events the report holds, and for how many it draws charts,
        in the review order (:func:`~.reasons.rank_for_review`).
    history : DataFrame, optional
        The run's history table (:mod:`reconcile.resolve.history`): an
        event charted with two steps or more also gets the chart of how its
        low / best / high moved with each report.

    Notes
    -----
    Time is linear in the claims of the events held plus one chart render
    (about 0.05 s) per chart drawn.
    """
    from .. import __version__

    rejects = rejects if rejects is not None else pd.DataFrame()
    ranked = rank_for_review(events.reset_index(drop=True), explain=max(0, max_events)) \
        if len(events) else \
        events.assign(priority=pd.Series(dtype=float), why=pd.Series(dtype=object))
    shown = ranked.head(max(0, max_events))
    held = set(strings(shown, "event_id"))
    in_report = claims[claims["event_id"].astype("string").isin(held).fillna(False)
                       .to_numpy(dtype=bool)] if len(claims) else claims
    reasons = claim_reasons(in_report, shown, sources)
    claim_events, claim_rows = _claim_rows(in_report, reasons)
    by_event: dict[str, list[dict[str, Any]]] = {}
    for eid, row in zip(claim_events, claim_rows, strict=True):
        by_event.setdefault(eid, []).append(row)
    children: dict[str, list[str]] = {}
    all_ids = strings(ranked, "event_id")
    parents = strings(ranked, "parent_event_id")
    linked = parents.ne("")
    for child, parent in zip(all_ids[linked], parents[linked], strict=True):
        children.setdefault(parent, []).append(child)
    # titles of the events a held event links to (its parent and parts)
    wanted = held | set(parents[linked]) | set(all_ids[linked])
    near = ranked[all_ids.isin(wanted).to_numpy()]
    near_cols = {n: strings(near, n).tolist() for n in (
        "category", "victims", "location", "country", "date_start", "date_end")}
    titles = dict(zip(strings(near, "event_id"),
                      [_title({n: v[i] for n, v in near_cols.items()}) for i in range(len(near))],
                      strict=True))
    links = {}
    if "parent_link" in claims and len(claims):
        pl = pd.DataFrame({"event_id": strings(claims, "event_id"),
                           "parent_link": strings(claims, "parent_link")}) \
            .drop_duplicates("event_id")
        links = dict(zip(pl["event_id"], pl["parent_link"], strict=True))
    link_words = {"part": "a subset of its victims", "within": "an incident inside its total"}

    fields = ["index", "id", "status", "grade", "category", "victims", "place", "date_start",
              "date_end", "low", "best", "high", "confidence", "n_independent", "n_claims",
              "basis", "priority", "why", "review", "sources"]
    rows, details = [], []
    n_charts = 0
    txt = {n: strings(shown, n).tolist() for n in (
        "event_id", "status", "grade", "category", "victims", "location", "country",
        "date_start", "date_end", "basis", "why", "review", "sources", "conflicts",
        "parent_event_id")}
    nums = {n: [_num(v) for v in strings(shown, n).tolist()] for n in (
        "low", "best", "high", "confidence", "n_independent", "n_claims")}
    priority = pd.to_numeric(shown["priority"]).astype(float).tolist()
    # charts for the first max_charts events, rendered together (in parallel when many)
    charted = [i for i in range(min(len(shown), max(0, max_charts)))
               if by_event.get(txt["event_id"][i])]
    specs = [event_chart(by_event[txt["event_id"][i]],
                         {n: nums[n][i] for n in ("low", "best", "high")}) for i in charted]
    steps_of = _history_steps(history, {txt["event_id"][i] for i in charted})
    moved = [i for i in charted if len(steps_of.get(txt["event_id"][i], ())) >= 2]
    specs += [history_chart(steps_of[txt["event_id"][i]]) for i in moved]
    svgs = render_many(specs)
    rendered = dict(zip(charted, svgs[:len(charted)], strict=True))
    rendered_history = dict(zip(moved, svgs[len(charted):], strict=True))
    for i in range(len(shown)):
        e: dict[str, Any] = {n: v[i] for n, v in txt.items()} | \
            {n: v[i] for n, v in nums.items()}
        eid = e["event_id"]
        rows.append([i, eid, e["status"], e["grade"], e["category"], e["victims"], _place(e),
                     e["date_start"], e["date_end"], e["low"], e["best"], e["high"],
                     e["confidence"], e["n_independent"], e["n_claims"], e["basis"],
                     priority[i], e["why"], e["review"], e["sources"]])
        ev_claims = by_event.get(eid, [])
        for n, c in enumerate(ev_claims, 1):
            c["n"] = n
        chart, chart_note = None, ""
        if len(ev_claims) > MAX_BARS:
            chart_note = (f"The chart draws {MAX_BARS} of the {len(ev_claims)} claims: those "
                          "outside [low, high] and denials first, then those that count; the "
                          "table lists them all.")
        if i in rendered:
            svg = rendered[i]
            if isinstance(svg, UnsafeSVG):  # pragma: no cover - vega escapes text
                chart_note = f"Chart withheld: it did not pass the safety check ({svg})."
            else:
                chart = svg
                n_charts += 1
        elif len(ev_claims):
            chart_note = (f"No chart: this report draws charts for the {max_charts:,} events "
                          "first in the review order.")
        history_svg = rendered_history.get(i)
        if isinstance(history_svg, UnsafeSVG):  # pragma: no cover - vega escapes text
            history_svg = None
        parent = e["parent_event_id"]
        details.append(_json_block({
            "id": eid, "title": _title(e), "low": e["low"], "best": e["best"], "high": e["high"],
            "confidence": e["confidence"], "status": e["status"], "grade": e["grade"],
            "basis": e["basis"], "conflicts": e["conflicts"], "sources": e["sources"] or "—",
            "n_claims": len(ev_claims),
            "reviews": [r.strip() for r in e["review"].split(" | ") if r.strip()],
            "parent": {"id": parent, "label": titles.get(parent, parent),
                       "link": link_words.get(links.get(eid, ""), "")} if parent else None,
            "children": [{"id": c, "label": titles.get(c, c)} for c in sorted(children.get(eid, []))],
            "chart": chart, "chart_note": chart_note, "history_chart": history_svg,
            "claims": [{k: v for k, v in c.items() if k not in ("low", "high")}
                       for c in ev_claims],
        }))

    has = {"grade": "grade" in events.columns}
    n_sources_known = len(sources) if sources is not None else \
        (claims["source"].nunique() if len(claims) else 0)
    statuses = strings(events, "status").value_counts()
    n_reviews = int(strings(events, "review").ne("").sum())
    numbers = [
        ("claims used", f"{len(claims) - int(_col(claims, 'verdict').eq('excluded').sum()):,}",
         f"of {n_rows:,} rows" if n_rows is not None else ""),
        ("rows rejected", f"{len(rejects):,}", ""),
        ("events", f"{len(events):,}", ""),
        ("contested", f"{int(statuses.get('contested', 0)):,}", ""),
        ("single source", f"{int(statuses.get('single-source', 0)):,}", ""),
        ("agreed", f"{int(statuses.get('agreed', 0)):,}", ""),
        ("sources", f"{n_sources_known:,}", ""),
    ]
    if n_reviews:
        numbers.append(("events with review verdicts", f"{n_reviews:,}", ""))

    attention = []
    for rec in shown.head(10).to_dict("records"):
        attention.append({"id_url": _url_fragment(text(rec["event_id"])), "title": _title(rec),
                          "best": fmt_count(rec.get("best")), "low": fmt_count(rec.get("low")),
                          "high": fmt_count(rec.get("high")) or "∞", "why": text(rec.get("why"))})

    source_rows, source_columns, sources_note = _source_rows(sources, claims)
    g = graph if graph is not None else source_graph(sources, claims)
    graph_svg, graph_note = "", ""
    table_for_graph = sources if sources is not None else pd.DataFrame(
        {"source": [r["source"] for r in source_rows],
         "claims": [r.get("claims", 1) for r in source_rows]})
    spec = source_graph_chart(table_for_graph, g) if g.number_of_edges() else None
    if spec is not None:
        graph_svg = render_svg(spec)
    else:
        graph_note = ("No source graph to draw: no source in this run copies or cites another"
                      + ("" if sources is not None else " (sources.csv comes with the learned "
                         "resolver; citations are read from the claims' relay column)") + ".")

    reject_rows: list[dict[str, Any]] = []
    if len(rejects) and "reason" in rejects:
        r = rejects.assign(field=strings(rejects, "field"), reason=strings(rejects, "reason"),
                           line=strings(rejects, "line"))
        for (fld, reason), grp in r.groupby(["field", "reason"], sort=False):
            lines = ", ".join(grp["line"].head(8)) + (" …" if len(grp) > 8 else "")
            reject_rows.append({"field": fld, "reason": reason, "n": len(grp), "lines": lines})
        reject_rows.sort(key=lambda x: (-int(x["n"]), str(x["reason"])))
        reject_rows = reject_rows[:12]

    script = _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    from jinja2 import Environment, select_autoescape

    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True),
                      keep_trailing_newline=True)
    template = env.from_string(_asset("report.html.j2"))
    return template.render(
        version=__version__, input_name=input_name or "claims", policy=policy,
        css=_css(), script=script, script_hash=f"sha256-{digest}",
        numbers=numbers, notes=_notes(len(events), len(shown), n_charts if len(shown) else 0, has)
        if len(shown) else ["No events: nothing in this run could be used."],
        attention=attention,
        events_json=_json_block({"fields": fields, "rows": rows}), details=details,
        sources_note=sources_note, source_rows=source_rows, source_columns=source_columns,
        numeric_source_columns=_NUMERIC_SOURCE, graph_svg=graph_svg, graph_note=graph_note,
        reject_rows=reject_rows, n_rejects=f"{len(rejects):,}")


def _css() -> Any:
    from markupsafe import Markup

    return Markup(_asset("report.css"))


def _url_fragment(event_id: str) -> str:
    from urllib.parse import quote

    return quote(event_id, safe="")


def _source_rows(sources: pd.DataFrame | None, claims: pd.DataFrame
                 ) -> tuple[list[dict[str, str]], list[str], str]:
    if sources is not None and len(sources):
        cols = [c for c in _SOURCE_COLUMNS if c in sources]
        frame = sources.copy()
        order = pd.to_numeric(_col(frame, "claims"), errors="coerce").fillna(0)
        frame = frame.assign(_n=order).sort_values(["_n", "source"], ascending=[False, True])
        note = "" if len(frame) <= MAX_SOURCE_ROWS else \
            f"The {MAX_SOURCE_ROWS} sources with most claims of {len(frame):,}; all are in sources.csv."
        rows = [{c: _fmt_source(c, r.get(c)) for c in cols}
                for r in frame.head(MAX_SOURCE_ROWS).to_dict("records")]
        return rows, cols, note
    if not len(claims):
        return [], [], ""
    verdict = strings(claims, "verdict")
    frame = pd.DataFrame({"source": strings(claims, "source"), "event": claims["event_id"],
                          "consistent": verdict.eq("consistent"),
                          "outside": verdict.isin(("below", "above"))})
    agg = frame.groupby("source").agg(claims=("event", "size"), events=("event", "nunique"),
                                      consistent=("consistent", "sum"),
                                      outside=("outside", "sum")).reset_index()
    agg = agg.sort_values(["claims", "source"], ascending=[False, True])
    note = ("This run has no sources.csv (reliability, bias, agreement and independence "
            "clusters come with the learned resolver): below, each source's claims counted "
            "from claims.csv.")
    cols = ["source", "claims", "events", "consistent", "outside"]
    rows = [{c: text(r[c]) for c in cols} for r in agg.head(MAX_SOURCE_ROWS).to_dict("records")]
    return rows, cols, note


def _fmt_source(col: str, value: object) -> str:
    if col in ("reliability", "bias", "noise", "agreement"):
        x = _num(value)
        return "" if x is None else f"{x:.3f}"
    return text(value)


def write_report(path: str | Path, html: str) -> Path:
    """Write the report atomically (:func:`reconcile.io.write.atomic_write_text`)."""
    from ..io.write import atomic_write_text

    atomic_write_text(path, html)
    return Path(path)
