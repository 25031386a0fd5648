"""Per-event columns from per-claim values, over integer event codes (no Python call per event)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["extreme_per_event", "join_per_event", "mode_per_event", "unique_pairs"]


def unique_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The distinct rows of ``stack([a, b], axis=1)`` for non-negative integer codes,
    sorted by ``a`` then ``b`` (what ``np.unique(..., axis=0)`` gives, through one
    int64 key instead of a sort of void records: many times faster)."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    if not len(a):
        return np.zeros((0, 2), dtype=np.int64)
    base = int(b.max()) + 1
    key = np.sort(a * base + b)
    key = key[np.r_[True, key[1:] != key[:-1]]]
    return np.stack([key // base, key % base], axis=1)


def mode_per_event(ev: np.ndarray, values: pd.Series, n_events: int) -> np.ndarray:
    """Per event code, the most common value (ties: the smallest)."""
    codes, uniques = pd.factorize(values.fillna("").astype(str), sort=True)
    counts = pd.DataFrame({"ev": ev, "v": codes}).groupby(["ev", "v"]).size()
    frame = counts.rename("n").reset_index().sort_values(["ev", "n", "v"],
                                                         ascending=[True, False, True])
    best = frame.drop_duplicates("ev")
    out = np.full(n_events, "", dtype=object)
    out[best["ev"].to_numpy()] = np.asarray(uniques, dtype=object)[best["v"].to_numpy()]
    return out


def extreme_per_event(ev: np.ndarray, values: pd.Series, how: str, n_events: int) -> np.ndarray:
    """Per event code, the min or max non-empty ISO string ("" when none)."""
    codes, index = pd.factorize(values.fillna("").astype(str), sort=True)
    uniques = np.asarray(index, dtype=object)
    rank = codes.astype(float)
    rank[uniques[codes] == ""] = np.nan
    series = pd.Series(rank).groupby(ev).agg(how)
    out = np.full(n_events, "", dtype=object)
    ok = series.notna().to_numpy()
    out[series.index.to_numpy()[ok]] = uniques[series.to_numpy()[ok].astype(int)]
    return out


def join_per_event(ev: np.ndarray, values: pd.Series, n_events: int, *, unique: bool = False,
                    sep: str = "; ") -> np.ndarray:
    """Per event code, its values sorted and joined.

    A grouped ``agg(lambda ...)`` builds a Series per group; this sorts
    integer codes once and takes one Python step per row.
    """
    out = np.full(n_events, "", dtype=object)
    if len(values) == 0:
        return out
    codes, index = pd.factorize(values.astype(str), sort=True)
    uniques = np.asarray(index, dtype=object)
    pairs = np.stack([np.asarray(ev, dtype=np.int64), codes.astype(np.int64)], axis=1)
    if unique:
        pairs = unique_pairs(pairs[:, 0], pairs[:, 1])
    else:
        pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    bounds = np.flatnonzero(np.r_[True, pairs[1:, 0] != pairs[:-1, 0], True])
    starts, ends = bounds[:-1], bounds[1:]
    alone = ends - starts == 1  # most events: one value, nothing to join
    out[pairs[starts[alone], 0]] = uniques[pairs[starts[alone], 1]]
    texts = uniques[pairs[:, 1]].tolist()
    heads = pairs[starts[~alone], 0].tolist()
    for head, a, b in zip(heads, starts[~alone].tolist(), ends[~alone].tolist(), strict=True):
        out[head] = sep.join(texts[a:b])
    return out
