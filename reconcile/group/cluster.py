"""Constrained clustering: linked pairs -> events, checked against the whole cluster.

Pairs whose match weight reaches the threshold are linked and their
connected components found. A component is kept as one event only when
*every* pair of its members is linked: a blank-place claim that links an
Aleppo report and an Idlib report does not make them one event. A
component that fails is clustered again from all its pairs (scored afresh
where blocking did not propose them) by average linkage under cannot-link
constraints: two clusters merge only if every pair across them is
compatible (not vetoed, not below the veto weight) and their mean weight
reaches the threshold, best pairs first. This never chains pairs.

All of it is column-wise: components by label propagation with pointer
jumping, average linkage by rounds of mutual best merges (reciprocal
nearest neighbours, which for average linkage gives what merging the best
pair one at a time gives) over every failed component at once.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

__all__ = ["average_linkage", "cluster_pairs", "connected_components"]


def connected_components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Component label (its smallest member) of each of ``n`` nodes joined by edges (i, j).

    Notes
    -----
    Hooking and pointer jumping: each round points the larger root of every
    edge that still joins two trees at the smaller one, then every node at
    its root. Labels only decrease, so a tree's root is its smallest node.
    O(E) per round, O(log n) rounds in practice.
    """
    labels = np.arange(n, dtype=np.int64)
    if len(i) == 0:
        return labels
    i = i.astype(np.int64, copy=False)
    j = j.astype(np.int64, copy=False)
    while True:
        a, b = labels[i], labels[j]
        differ = a != b
        if not differ.any():
            return labels
        i, j, a, b = i[differ], j[differ], a[differ], b[differ]
        # Any one of the writes to a root wins; each points it at a smaller root.
        labels[np.maximum(a, b)] = np.minimum(a, b)
        while True:  # pointer jumping: every node to its label's label
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped


def average_linkage(n: int, i: np.ndarray, j: np.ndarray, weight: np.ndarray,
                    ok: np.ndarray, threshold: float, start: np.ndarray | None = None,
                    max_rounds: int = 500) -> np.ndarray:
    """Average-linkage clusters of ``n`` nodes under cannot-link constraints.

    ``(i, j, weight)`` are the scored pairs; ``ok`` marks the compatible
    ones. Two clusters merge when every pair across them was scored and is
    compatible and their mean weight is at least ``threshold``; each round
    merges the pairs of clusters that are each other's best partner (ties:
    the smaller label). Returns a label per node (its cluster's smallest node).

    Notes
    -----
    Each round is a sort of the pairs by cluster pair and a few reductions:
    O(P log P) per round, no Python call per pair.
    """
    labels = np.arange(n, dtype=np.int64) if start is None else start.copy()
    # Work shrinks as it goes: pairs inside one cluster leave for good, and so do the
    # pairs of a group of clusters in which a round merged nothing.
    group = connected_components(n, i, j)[i] if len(i) else np.zeros(0, np.int64)
    # Two clusters with a pair that is missing or incompatible can never be in one
    # cluster, nor can any clusters that grow from them: those clusters miss a pair
    # too. So incompatible pairs leave at once (they only ever make clusters miss a
    # pair), and so do the pairs of clusters found to miss one. The pairs that stay
    # keep their order, so every sum is the same as over all of them.
    ok = np.asarray(ok, bool)
    pi, pj = i[ok].astype(np.int64), j[ok].astype(np.int64)
    w_all = weight[ok].astype(float)
    group = group[ok]
    for _ in range(max_rounds):
        a, b = labels[pi], labels[pj]
        cross = a != b
        if not cross.all():
            pi, pj, w_all, group = pi[cross], pj[cross], w_all[cross], group[cross]
            a, b = a[cross], b[cross]
        if len(pi) == 0:
            break
        key = np.minimum(a, b) * np.int64(n) + np.maximum(a, b)
        # Pairs stay nearly sorted by cluster pair from round to round: a stable sort
        # of nearly sorted keys is a few merges.
        order = np.argsort(key, kind="stable")
        key = key[order]
        heads = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        w_sum = np.add.reduceat(w_all[order], heads)
        count = np.diff(np.r_[heads, len(key)])
        c_lo, c_hi = key[heads] // n, key[heads] % n
        size = np.bincount(labels, minlength=n)
        mean = w_sum / count
        whole = count == size[c_lo] * size[c_hi]
        good = whole & (mean >= threshold)
        if not good.any():
            break
        if not whole.all():  # clusters that miss a pair: their pairs leave (above)
            stay = np.empty(len(key), bool)
            stay[order] = np.repeat(whole, count)
            pi, pj, w_all, group = pi[stay], pj[stay], w_all[stay], group[stay]
        c = np.concatenate([c_lo[good], c_hi[good]])
        o = np.concatenate([c_hi[good], c_lo[good]])
        m = np.concatenate([mean[good], mean[good]])
        # Each cluster's best partner: the highest mean, ties to the smallest label.
        pick = np.argsort(c, kind="stable")
        c, o, m = c[pick], o[pick], m[pick]
        heads = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
        best = np.repeat(np.maximum.reduceat(m, heads), np.diff(np.r_[heads, len(c)]))
        cf = c[heads]
        of = np.minimum.reduceat(np.where(m == best, o, n), heads)
        partner = np.full(n, -1, np.int64)
        partner[cf] = of
        mutual = (partner[of] == cf) & (cf < of)
        if not mutual.any():
            break
        remap = np.arange(n, dtype=np.int64)
        remap[of[mutual]] = cf[mutual]
        labels = remap[labels]
        # Groups where something merged stay; the rest are final.
        moved = np.zeros(n, bool)
        moved[cf[mutual]] = True
        live = np.zeros(n, bool)
        live[group[moved[labels[pi]] | moved[labels[pj]]]] = True
        keep = live[group]
        pi, pj, w_all, group = pi[keep], pj[keep], w_all[keep], group[keep]
    return labels


def cluster_pairs(n: int, i: np.ndarray, j: np.ndarray, weight: np.ndarray, veto: np.ndarray,
                  threshold: float, veto_weight: float, max_component: int,
                  rescore: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
                  ) -> np.ndarray:
    """Event label per claim from scored candidate pairs (see the module docstring).

    ``rescore(i, j)`` returns (weight, veto) for pairs that were not
    candidates, used to check failed components on all their pairs.
    """
    compatible = ~veto & (weight >= veto_weight)
    edge = compatible & (weight >= threshold)
    labels = connected_components(n, i[edge], j[edge])
    size = np.bincount(labels, minlength=n)
    # A component whose every pair is a link is a cluster under any linkage;
    # the others are clustered again from all their pairs.
    same = labels[i] == labels[j]
    inside_ok = np.bincount(labels[i[same & edge]], minlength=n)
    need = size * (size - 1) // 2
    roots = np.flatnonzero(size >= 3)
    bad_roots = roots[inside_ok[roots] < need[roots]]
    if len(bad_roots) == 0:
        return labels
    bad = np.isin(labels, bad_roots)
    members = np.flatnonzero(bad)
    comp = labels[members]
    order = np.lexsort((members, comp))
    members, comp = members[order], comp[order]
    small = size[comp] <= max_component
    # All pairs of each small failed component, scored afresh where not candidates.
    sm, sc = members[small], comp[small]
    # Each member pairs with the members after it in its component (sc is sorted).
    run = np.flatnonzero(np.r_[True, sc[1:] != sc[:-1]]) if len(sc) else np.zeros(0, np.int64)
    ends = np.repeat(np.r_[run[1:], len(sc)], np.diff(np.r_[run, len(sc)]))
    pos = np.arange(len(sm))
    count = ends - pos - 1
    rows = np.repeat(pos, count)
    off = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    pi, pj = sm[rows], sm[rows + 1 + off]
    key_all = np.minimum(pi, pj) * np.int64(n) + np.maximum(pi, pj)
    key_cand = np.minimum(i, j) * np.int64(n) + np.maximum(i, j)
    # Blocking returns its pairs sorted: then no sort (nor a sorted copy) is needed.
    if bool(np.all(key_cand[1:] >= key_cand[:-1])):
        w_cand, v_cand = weight, veto
    else:
        order_c = np.argsort(key_cand)
        key_cand, w_cand, v_cand = key_cand[order_c], weight[order_c], veto[order_c]
    loc = np.searchsorted(key_cand, key_all)
    loc = np.minimum(loc, max(len(key_cand) - 1, 0))
    known = key_cand[loc] == key_all if len(key_cand) else np.zeros(len(key_all), bool)
    del key_cand
    w_all = np.empty(len(key_all))
    v_all = np.empty(len(key_all), bool)
    w_all[known] = w_cand[loc[known]]
    v_all[known] = v_cand[loc[known]]
    if (~known).any():
        w_new, v_new = rescore(pi[~known], pj[~known])
        w_all[~known] = w_new
        v_all[~known] = v_new
    # Large failed components: candidate pairs only; a missing pair is incompatible.
    big = np.zeros(n, bool)
    big[comp[~small]] = True
    large = big[labels[i]] & same
    li, lj = i[large], j[large]
    ai = np.concatenate([pi, li])
    aj = np.concatenate([pj, lj])
    aw = np.concatenate([w_all, weight[large]])
    aok = np.concatenate([~v_all & (w_all >= veto_weight), compatible[large]])
    # Re-cluster the failed components from singletons.
    # Every pair here joins two members of failed components: the nodes are the members.
    nodes = np.flatnonzero(bad)
    where = np.full(n, -1, np.int64)
    where[nodes] = np.arange(len(nodes))
    local = where[ai], where[aj]
    sub = average_linkage(len(nodes), local[0], local[1], aw, aok, threshold)
    out = labels.copy()
    out[nodes] = nodes[sub]
    # Labels are each cluster's smallest member.
    fix = pd.Series(np.arange(n)).groupby(out).transform("min").to_numpy()
    return fix
