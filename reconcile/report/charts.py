"""Charts for the report: Vega-Lite specs built with altair, rendered offline to SVG.

Rendering is vl-convert (Vega's own renderer in an embedded engine, no
browser, no network). A chart spec is built with altair once per shape
and cached; each event only swaps in its data (Vega-Lite named datasets)
and its axis range, because building an altair chart costs about 0.1 s
and rendering one about 0.05 s.

Every SVG is checked before it goes into the report (:func:`check_svg`):
no script, no foreign object, no event-handler attribute, no link that
leaves the picture. Claim text reaches the chart only as Vega text marks,
which the renderer escapes; the check makes sure of it.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import networkx as nx
import pandas as pd

from .reasons import fmt_count, text
from .svg import UnsafeSVG, check_svg, render_many, render_svg

__all__ = ["MAX_BARS", "UnsafeSVG", "check_svg", "drawn_claims", "event_chart", "history_chart",
           "render_many",
           "render_svg", "source_graph",
           "source_graph_chart",
           "use_log_scale"]

VERDICT_COLORS = {
    "consistent": "#2b6cb0", "below": "#dd6b20", "above": "#c53030", "superseded": "#a0aec0",
    "relayed": "#a0aec0", "copy": "#a0aec0", "denial": "#6b46c1", "excluded": "#cbd5e0",
}
EDGE_COLORS = {"copies": "#c53030", "cites": "#4a5568", "agree": "#38a169",
               "disagree": "#dd6b20"}
_LABEL_CHARS = 38


def use_log_scale(values: list[float]) -> bool:
    """Whether figures span orders of magnitude (largest / smallest positive >= 20).

    >>> use_log_scale([29, 31, 30]), use_log_scale([10, 56, 300])
    (False, True)
    """
    pos = [v for v in values if v > 0 and math.isfinite(v)]
    return bool(pos) and max(pos) / min(pos) >= 20


def _short(label: str, n: int = _LABEL_CHARS) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


@cache
def _event_template(log: bool) -> dict[str, Any]:
    import altair as alt

    xmin, xmax = alt.param(name="xmin", value=0), alt.param(name="xmax", value=1)
    scale = alt.Scale(type="symlog" if log else "linear", domain=[xmin, xmax], nice=False,
                      clamp=True)
    x_title = "count (log scale)" if log else "count"
    y = alt.Y("label:N", sort=None, title=None, axis=alt.Axis(labelLimit=260))
    claims = alt.NamedData("claims")
    band = alt.NamedData("band")
    colors = alt.Scale(domain=list(VERDICT_COLORS), range=list(VERDICT_COLORS.values()))
    band_rect = alt.Chart(band).mark_rect(color="#bee3f8", opacity=0.55).encode(
        x=alt.X("low:Q", scale=scale, title=x_title), x2="high:Q")
    best_rule = alt.Chart(band).mark_rule(color="#1a202c", strokeWidth=2).encode(x="best:Q")
    best_text = alt.Chart(band).mark_text(align="left", dx=4, dy=-4, baseline="bottom",
                                          fontWeight="bold").encode(
        x="best:Q", y=alt.value(0), text="best_label:N")
    bars = alt.Chart(claims).mark_bar(height=11, cornerRadius=2).encode(
        x=alt.X("lo:Q", scale=scale, title=x_title), x2="hi_drawn:Q", y=y,
        color=alt.Color("verdict:N", scale=colors, title="verdict",
                        legend=alt.Legend(orient="bottom", columns=4)))
    open_end = alt.Chart(claims).transform_filter("datum.open").mark_point(
        shape="triangle-right", filled=True, size=70, color="#1a202c").encode(
        x="hi_drawn:Q", y=y)
    points = alt.Chart(claims).transform_filter("datum.lo == datum.hi").mark_point(
        shape="circle", filled=True, size=90, opacity=1).encode(
        x="lo:Q", y=y, color=alt.Color("verdict:N", scale=colors, legend=None))
    anchors = alt.Chart(claims).transform_filter("isValid(datum.anchor)").mark_tick(
        color="#1a202c", thickness=3, size=18).encode(x="anchor:Q", y=y)
    chart = alt.layer(band_rect, best_rule, best_text, bars, points, open_end, anchors
                      ).add_params(xmin, xmax)
    return chart.to_dict(validate=False)


@cache
def _history_template() -> dict[str, Any]:
    import altair as alt

    steps = alt.NamedData("steps")
    x = alt.X("step:Q", title="report, in order of publication",
              axis=alt.Axis(tickMinStep=1, format="d"))
    band = alt.Chart(steps).mark_area(color="#bee3f8", opacity=0.8,
                                      interpolate="step-after").encode(
        x=x, y=alt.Y("low:Q", title="count"), y2="high:Q")
    best = alt.Chart(steps).mark_line(color="#1a202c", strokeWidth=2,
                                      interpolate="step-after").encode(x="step:Q", y="best:Q")
    dots = alt.Chart(steps).transform_filter("datum.report").mark_point(
        filled=True, size=60, color="#1a202c", opacity=1).encode(x="step:Q", y="best:Q")
    labels = alt.Chart(steps).transform_filter("datum.report").mark_text(
        align="left", dx=5, dy=-7, fontSize=10).encode(x="step:Q", y="best:Q", text="label:N")
    return alt.layer(band, best, dots, labels).to_dict(validate=False)


def history_chart(steps: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The Vega-Lite spec of an event's history (its rows of history.csv, in step order):
    ``[low, high]`` as a band and ``best`` as a line, each held until the next report,
    a dot and the best's value at each report.

    >>> spec = history_chart([{"step": 1, "low": 12, "best": 13, "high": 40},
    ...                       {"step": 2, "low": 30, "best": 34, "high": 46}])
    >>> [(r["step"], r["best"], r["report"]) for r in spec["datasets"]["steps"]]
    [(1, 13.0, True), (2, 34.0, True), (3, 34.0, False)]
    """
    rows: list[dict[str, Any]] = []
    for s in steps:
        values = {n: _number(s.get(n)) for n in ("low", "best", "high")}
        if any(v is None for v in values.values()):
            continue
        rows.append({"step": int(_number(s.get("step")) or len(rows) + 1), **values,
                     "report": True, "label": fmt_count(values["best"])})
    if rows:
        # the last state holds to the right edge, as each earlier one does until the next
        rows.append({**rows[-1], "step": rows[-1]["step"] + 1, "report": False, "label": ""})
    spec = copy.deepcopy(_history_template())
    spec["datasets"] = {"steps": rows}
    spec["width"] = 480
    spec["height"] = 150
    return spec


def _number(v: object) -> float | None:
    s = text(v).replace(",", "").lstrip("+")
    try:
        return float(s) if s else None
    except ValueError:
        return None


MAX_BARS = 40
# Which claims a crowded chart keeps first: those that disagree, then those that count.
_DRAW_FIRST = {"below": 0, "above": 0, "denial": 0, "consistent": 1, "excluded": 2,
               "superseded": 3, "relayed": 3, "copy": 3}


def drawn_claims(records: Sequence[Mapping[Any, Any]], limit: int = MAX_BARS
                 ) -> Sequence[Mapping[Any, Any]]:
    """The claims an event's chart draws: all of them up to ``limit``; beyond, those
    outside ``[low, high]`` and denials first, then consistent ones, then excluded,
    then superseded, relayed and copied figures, in their order otherwise.

    >>> [r["verdict"] for r in drawn_claims([{"verdict": "copy"}, {"verdict": "above"}], 1)]
    ['above']
    """
    if len(records) <= limit:
        return records
    keep = sorted(range(len(records)),
                  key=lambda i: (_DRAW_FIRST.get(text(records[i].get("verdict")), 1), i))[:limit]
    return [records[i] for i in sorted(keep)]


def event_chart(claims: pd.DataFrame | Sequence[Mapping[str, Any]], event: Mapping[Any, Any]
                ) -> dict[str, Any]:
    """The Vega-Lite spec of one event: a bar per claim, the band and best drawn over.

    ``claims`` are the event's claims in the order to draw them (each with
    ``low``, ``high``, ``anchor``, ``verdict``, ``source``, ``figure``);
    ``event`` its row of events.csv. A claim with no upper bound is drawn
    to the right edge with an arrowhead; the anchor (the number the source
    stated) is a black tick; the shaded band is ``[low, high]`` and the
    line ``best``. At most :data:`MAX_BARS` claims are drawn
    (:func:`drawn_claims`). The axis is logarithmic (symlog, so 0 stays drawable)
    when the figures span orders of magnitude.
    """
    def num(v: object) -> float | None:
        s = text(v).replace(",", "")
        try:
            return float(s) if s else None
        except ValueError:
            return None

    low, best, high = num(event.get("low")), num(event.get("best")), num(event.get("high"))
    rows = []
    finite: list[float] = [v for v in (low, best, high) if v is not None]
    records: Sequence[Mapping[Any, Any]] = claims.to_dict("records") \
        if isinstance(claims, pd.DataFrame) else claims
    records = drawn_claims(records)
    for i, c in enumerate(records, 1):
        lo = num(c.get("low")) or 0.0
        hi = num(c.get("high"))
        anchor = num(c.get("anchor"))
        finite += [lo] + ([hi] if hi is not None else []) + ([anchor] if anchor else [])
        rows.append({"label": _short(f"{i}. {text(c.get('source'))} · "
                                     f"{text(c.get('figure')) or fmt_count(lo)}"),
                     "lo": lo, "hi": hi, "anchor": anchor, "open": hi is None,
                     "verdict": text(c.get("verdict")) or "consistent"})
    top = max(finite) if finite else 1.0
    log = use_log_scale(finite)
    xmax = top * (2.0 if log else 1.15) + 1
    positive = [v for v in finite if v > 0]
    xmin = 0.0 if not log else max(0.0, min(positive) / 2 if positive else 0.0)
    if any(v == 0 for v in finite):
        xmin = 0.0
    for r in rows:
        r["hi_drawn"] = xmax if r["hi"] is None else r["hi"]
    spec = copy.deepcopy(_event_template(log))
    spec["datasets"] = {
        "claims": rows,
        "band": [{"low": low if low is not None else 0, "high": high if high is not None else xmax,
                  "best": best, "best_label": f"best {fmt_count(best)}"}] if best is not None else [],
    }
    for p in spec.get("params", []):
        if p.get("name") == "xmin":
            p["value"] = xmin
        elif p.get("name") == "xmax":
            p["value"] = xmax
    spec["width"] = 560
    spec["height"] = {"step": 24}
    return spec


def source_graph_chart(sources: pd.DataFrame, graph: nx.Graph, max_nodes: int = 60
                       ) -> dict[str, Any] | None:
    """The source graph: sources as circles (size: claims; colour: independence
    cluster), copy and citation edges as lines. Positions from networkx's
    spring layout with a fixed seed (the same picture on every run). The
    ``max_nodes`` sources with most claims are drawn; None when the graph
    has no edge to show.
    """
    import altair as alt

    if graph.number_of_nodes() == 0:
        return None
    claims: dict[str, float] = dict(zip(
        sources["source"].map(text),
        pd.to_numeric(sources["claims"], errors="coerce").fillna(1).astype(float),
        strict=True)) if "claims" in sources else {}
    nodes = sorted(graph.nodes, key=lambda n: (-claims.get(n, 0), str(n)))[:max_nodes]
    sub = graph.subgraph(nodes)
    if sub.number_of_edges() == 0:
        return None
    pos: dict[Any, Any] = nx.spring_layout(nx.Graph(sub), seed=11, k=1.6 / math.sqrt(max(len(nodes), 1)))
    cluster = dict(zip(sources["source"].map(text), sources["cluster"].map(text), strict=True)) \
        if "cluster" in sources else {}
    node_rows = [{"source": _short(str(n), 28), "x": float(pos[n][0]), "y": float(pos[n][1]),
                  "claims": float(claims.get(n, 1)), "cluster": _short(cluster.get(n, str(n)), 28)}
                 for n in nodes]
    edge_rows = [{"x": float(pos[a][0]), "y": float(pos[a][1]), "x2": float(pos[b][0]),
                  "y2": float(pos[b][1]), "kind": str(d.get("kind", "link"))}
                 for a, b, d in sub.edges(data=True)]
    kinds: list[str] = sorted({str(r["kind"]) for r in edge_rows} & set(EDGE_COLORS))
    hidden = alt.Axis(title=None, labels=False, ticks=False, domain=False, grid=False)
    xs = alt.Scale(domain=[-1.25, 1.25])
    ys = alt.Scale(domain=[-1.15, 1.15])
    edges = alt.Chart(alt.Data(values=edge_rows)).mark_rule(strokeWidth=2.4, opacity=0.9).encode(
        x=alt.X("x:Q", axis=hidden, scale=xs), y=alt.Y("y:Q", axis=hidden, scale=ys),
        x2="x2:Q", y2="y2:Q",
        color=alt.Color("kind:N", title="edge", legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=kinds, range=[EDGE_COLORS[k] for k in kinds])),
        strokeDash=alt.StrokeDash("kind:N", legend=None))
    circles = alt.Chart(alt.Data(values=node_rows)).mark_circle(opacity=0.9, stroke="white").encode(
        x=alt.X("x:Q", axis=hidden, scale=xs), y=alt.Y("y:Q", axis=hidden, scale=ys),
        size=alt.Size("claims:Q", title="claims", scale=alt.Scale(range=[60, 900]),
                      legend=None),
        fill=alt.Fill("cluster:N", title="independence cluster", legend=None))
    labels = alt.Chart(alt.Data(values=node_rows)).mark_text(dy=-12, fontSize=11).encode(
        x=alt.X("x:Q", axis=hidden, scale=xs), y=alt.Y("y:Q", axis=hidden, scale=ys),
        text="source:N")
    chart = alt.layer(edges, circles, labels).properties(width=640, height=360).configure_view(
        stroke=None)
    return chart.to_dict(validate=False)


def source_graph(sources: pd.DataFrame | None, claims: pd.DataFrame) -> nx.DiGraph:
    """The source graph as the tables tell it: ``copies`` edges (a copier to whom
    it copies) and ``cites`` edges (an outlet or relay to the source it quotes),
    from sources.csv's ``copies_of`` and ``cited_by``; without sources.csv, from
    the claims' ``relay`` column."""
    g: nx.DiGraph = nx.DiGraph()
    if sources is not None and len(sources):
        names = sources["source"].map(text).tolist()
        g.add_nodes_from(names)
        for col, kind in (("copies_of", "copies"), ("cited_by", "cites")):
            if col not in sources:
                continue
            for name, cell in zip(names, sources[col].tolist(), strict=True):
                for other in _names(cell):
                    a, b = (name, other) if kind == "copies" else (other, name)
                    if not g.has_edge(a, b):
                        g.add_edge(a, b, kind=kind)
    elif "relay" in claims:
        for src, relay in zip(claims["source"].map(text), claims["relay"].map(text), strict=True):
            if relay and relay != src:
                g.add_edge(relay, src, kind="cites")
    return g


def _names(cell: object) -> list[str]:
    return [p.strip() for p in text(cell).split(";") if p.strip()]


