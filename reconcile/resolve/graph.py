"""The source graph (networkx) and the sources table.

Nodes are canonical sources (``source_id``). Edges:

- ``agree`` / ``disagree`` (undirected, counts): two sources speaking of the
  same event, their active figures overlapping or not;
- ``cites`` (directed, count): an outlet or relay carrying a source's figure
  ("X, as quoted by Y": Y -> X);
- ``copies`` (directed): a source detected as repeating another's figures
  (see :mod:`.dependence`).

Independence clusters are the weakly connected components of the copy
edges: an originator with the copiers and unattributed repeaters of its
figures. Citation does not merge clusters: a newspaper quoting three
monitors does not make them one.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from ..schema import SOURCE_COLUMNS
from .columns import unique_pairs
from .dependence import Dependence
from .frame import Prepared

__all__ = ["SourceGraph", "build_graph", "sources_table"]

MAX_PER_EVENT = 40  # sources per event entering agreement pairs (the earliest reporting)


@dataclass(eq=False)
class SourceGraph:
    """``agreement``: nx.Graph with ``agree``/``disagree`` counts on edges;
    ``dependence``: nx.DiGraph with ``cites`` (count) and ``copies`` (bool) edges;
    ``cluster``: per source code, the code of its cluster's representative."""

    agreement: nx.Graph
    dependence: nx.DiGraph
    cluster: np.ndarray


def _agreement_pairs(p: Prepared, dep: Dependence) -> pd.DataFrame:
    """(a, b, agree) for each pair of sources sharing an event, one row per event."""
    w = dep.weight > 0
    frame = pd.DataFrame({"ev": p.ev[w], "src": p.src[w], "lo": p.lo[w], "hi": p.hi[w]})
    # One interval per (event, source): the hull of its active claims.
    frame = frame.groupby(["ev", "src"], sort=True).agg(lo=("lo", "min"), hi=("hi", "max")) \
        .reset_index()
    frame["rank"] = frame.groupby("ev").cumcount()
    frame = frame[frame["rank"] < MAX_PER_EVENT]
    size = frame.groupby("ev")["src"].transform("size").to_numpy()
    frame = frame[size >= 2]
    if frame.empty:
        return pd.DataFrame({"a": [], "b": [], "agree": []})
    ev = frame["ev"].to_numpy()
    src = frame["src"].to_numpy()
    lo, hi = frame["lo"].to_numpy(), frame["hi"].to_numpy()
    start = np.flatnonzero(np.r_[True, ev[1:] != ev[:-1]])
    counts = np.diff(np.r_[start, len(ev)])
    # all ordered pairs i < j within each event
    k = counts[np.searchsorted(start, np.arange(len(ev)), side="right") - 1]
    pos = np.arange(len(ev)) - np.repeat(start, counts)
    later = k - pos - 1
    i = np.repeat(np.arange(len(ev)), later)
    j = i + 1 + (np.arange(later.sum()) - np.repeat(np.cumsum(later) - later, later))
    agree = (lo[i] <= hi[j]) & (lo[j] <= hi[i])
    a, b = np.minimum(src[i], src[j]), np.maximum(src[i], src[j])
    return pd.DataFrame({"a": a, "b": b, "agree": agree})


def build_graph(p: Prepared, dep: Dependence) -> SourceGraph:
    """The source graph of a resolved claims table."""
    S = p.n_sources
    g: nx.Graph = nx.Graph()
    g.add_nodes_from(range(S))
    pairs = _agreement_pairs(p, dep)
    if len(pairs):
        agg = pairs.groupby(["a", "b"])["agree"].agg(["sum", "size"]).reset_index()
        g.add_edges_from((int(a), int(b), {"agree": int(s), "disagree": int(n - s)})
                         for a, b, s, n in agg.itertuples(index=False))
    d: nx.DiGraph = nx.DiGraph()
    d.add_nodes_from(range(S))
    copies = np.flatnonzero(dep.copies_of >= 0)
    d.add_edges_from((int(s), int(dep.copies_of[s]), {"copies": True, "cites": 0})
                     for s in copies)
    # Citation: carriers that are sources get their node; others are named on the edge.
    index = {str(sid): i for i, sid in enumerate(p.source_ids)}
    carriers = np.concatenate([p.outlet_of, p.relay_of])
    cited = np.concatenate([p.src, p.src])
    has = carriers != ""
    if has.any():
        frame = pd.DataFrame({"by": carriers[has], "src": cited[has]}).value_counts() \
            .rename("n").reset_index()
        for by, src, n in frame.itertuples(index=False):
            node = index.get(" ".join(str(by).casefold().split()), f"carrier:{by}")
            if d.has_edge(node, int(src)):
                d[node][int(src)]["cites"] = d[node][int(src)].get("cites", 0) + int(n)
            else:
                d.add_edge(node, int(src), cites=int(n), copies=False, name=str(by))
    # Independence clusters: components of the copy edges.
    copy_graph: nx.Graph = nx.Graph()
    copy_graph.add_nodes_from(range(S))
    copy_graph.add_edges_from((int(s), int(dep.copies_of[s])) for s in copies)
    n_claims = np.bincount(p.src, minlength=S)
    cluster = np.arange(S)
    for comp in nx.connected_components(copy_graph):
        if len(comp) == 1:
            continue
        members = sorted(comp)
        rep = max(members, key=lambda m: (dep.copies_of[m] < 0, n_claims[m], -m))
        cluster[members] = rep
    return SourceGraph(g, d, cluster)


def sources_table(p: Prepared, dep: Dependence, graph: SourceGraph, params,
                  consistent: np.ndarray) -> pd.DataFrame:
    """One row per canonical source (:data:`~reconcile.schema.SOURCE_COLUMNS`).

    ``consistent``: per claim, whether its verdict is consistent with its
    event's ``[low, high]`` (``reliability`` is the smoothed share of a
    source's own, non-superseded figures that were).
    """
    S = p.n_sources
    own = dep.role == 0
    n_claims = np.bincount(p.src, minlength=S)
    ev_pairs = unique_pairs(p.src, p.ev) if p.n else np.zeros((0, 2), int)
    n_events = np.bincount(ev_pairs[:, 0], minlength=S)
    k = np.bincount(p.src[own], weights=consistent[own], minlength=S)
    n = np.bincount(p.src[own], minlength=S)
    reliability = (k + 1.0) / (n + 2.0)
    agree = np.zeros(S)
    total = np.zeros(S)
    for a, b, data in graph.agreement.edges(data=True):
        for s in (a, b):
            agree[s] += data["agree"]
            total[s] += data["agree"] + data["disagree"]
    agreement = np.where(total > 0, agree / np.maximum(total, 1), np.nan)
    names = p.source_names
    copies_of = np.where(dep.copies_of >= 0, names[np.maximum(dep.copies_of, 0)], "")
    cluster = names[graph.cluster]
    cited_by = np.full(S, "", dtype=object)
    per_target: dict[int, list[tuple[int, str]]] = {}
    for u, v, data in graph.dependence.edges(data=True):
        if data.get("cites"):
            label = data.get("name") or names[u]
            per_target.setdefault(int(v), []).append((-int(data["cites"]), str(label)))
    for v, items in per_target.items():
        items.sort()
        shown = [lab for _, lab in items[:5]]
        more = len(items) - len(shown)
        cited_by[v] = "; ".join(shown) + (f" (+{more} more)" if more > 0 else "")
    table = pd.DataFrame({
        "source": names, "aliases": p.source_aliases, "claims": n_claims, "events": n_events,
        "reliability": np.round(reliability, 3), "bias": np.round(np.exp(params.bias), 3),
        "noise": np.round(params.noise, 3), "agreement": np.round(agreement, 3),
        "cluster": cluster, "copies_of": copies_of, "cited_by": cited_by})
    table = table.sort_values(["claims", "source"], ascending=[False, True], kind="stable")
    return table[list(SOURCE_COLUMNS)].reset_index(drop=True)
