"""The clustering step (reconcile/group/cluster.py) against plain references."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.group.cluster import average_linkage, connected_components


def _reference_average_linkage(n, i, j, weight, ok, threshold):
    """Rounds of mutual best merges, every round over every pair: no pair ever set aside."""
    labels = list(range(n))
    while True:
        agg: dict[tuple[int, int], list] = {}
        for a, b, w, good in zip(i.tolist(), j.tolist(), weight.tolist(), ok.tolist(),
                                 strict=True):
            la, lb = labels[a], labels[b]
            if la == lb:
                continue
            s = agg.setdefault((min(la, lb), max(la, lb)), [0.0, 0, False])
            s[0] += w
            s[1] += 1
            s[2] |= not good
        size = {c: labels.count(c) for c in set(labels)}
        best: dict[int, tuple[float, int]] = {}
        for (x, y), (total, count, bad) in agg.items():
            mean = total / count
            if bad or count != size[x] * size[y] or mean < threshold:
                continue
            for c, o in ((x, y), (y, x)):
                if c not in best or mean > best[c][0] or (mean == best[c][0] and o < best[c][1]):
                    best[c] = (mean, o)
        merges = [(c, o) for c, (_, o) in best.items() if c < o and best.get(o, (0, -1))[1] == c]
        if not merges:
            return np.array(labels)
        into = dict((o, c) for c, o in merges)
        labels = [into.get(x, x) for x in labels]


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=2, max_value=12), st.data())
def test_average_linkage_matches_the_reference(n, data):
    """Setting aside the pairs of clusters that can never merge changes no cluster."""
    pairs = data.draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
                              .filter(lambda p: p[0] < p[1]), max_size=n * (n - 1) // 2))
    pairs = sorted(pairs)
    k = len(pairs)
    weight = np.array(data.draw(st.lists(st.sampled_from([-3.0, -1.0, 0.5, 1.0, 2.5, 4.0]),
                                         min_size=k, max_size=k)))
    ok = np.array(data.draw(st.lists(st.booleans(), min_size=k, max_size=k)), bool)
    i = np.array([p[0] for p in pairs], np.int64)
    j = np.array([p[1] for p in pairs], np.int64)
    got = average_linkage(n, i, j, weight, ok, 1.0)
    want = _reference_average_linkage(n, i, j, weight, ok, 1.0)
    assert got.tolist() == want.tolist()


@given(st.integers(min_value=1, max_value=30), st.data())
def test_connected_components_labels_are_smallest_members(n, data):
    """Each node's label is the smallest node it is connected to."""
    edges = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
                               max_size=40))
    i = np.array([e[0] for e in edges], np.int64)
    j = np.array([e[1] for e in edges], np.int64)
    labels = connected_components(n, i, j)
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        parent[max(ra, rb)] = min(ra, rb)
    assert labels.tolist() == [find(x) for x in range(n)]
