"""Equal-length numpy columns and the vectorised sampling helpers of the simulator.

Everything is drawn column-wise: a helper here takes whole arrays and one
``numpy.random.Generator`` and returns whole arrays.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "Cols",
    "GroupSampler",
    "allocate",
    "factorize_rows",
    "hash_unit",
    "magnitude",
    "pick_rows",
    "round_half_up",
]


def pick_rows(rng: np.random.Generator, weights: np.ndarray, keys: np.ndarray,
              u: np.ndarray | None = None) -> np.ndarray:
    """For each key ``k`` pick a column ``j`` with probability ``weights[k, j]``.

    Rows of ``weights`` need not sum to one; a key whose row is all zero
    gets -1. One ``searchsorted`` over the flattened cumulative rows:
    O(n log(K M)) for n keys.
    """
    w = np.asarray(weights, dtype=float)
    k_rows, m = w.shape
    keys = np.asarray(keys, dtype=np.int64)
    total = w.sum(axis=1)
    cum = np.cumsum(w, axis=1) / np.where(total > 0, total, 1.0)[:, None]
    positive = w > 0
    last = np.where(positive.any(axis=1), m - 1 - np.argmax(positive[:, ::-1], axis=1), -1)
    cum[np.arange(m)[None, :] >= last[:, None]] = 1.0
    flat = (np.arange(k_rows, dtype=float)[:, None] + cum).ravel()
    if u is None:
        u = rng.random(len(keys))
    pos = np.searchsorted(flat, keys + u, side="right") - keys * m
    out = np.minimum(pos, last[keys])
    return np.where(total[keys] > 0, out, -1)


class GroupSampler:
    """Weighted sampling of items within groups, many draws at once."""

    def __init__(self, group: np.ndarray, weight: np.ndarray, n_groups: int) -> None:
        order = np.argsort(group, kind="stable")
        self.items = order
        sorted_groups = group[order]
        self.cw = np.cumsum(weight[order].astype(float))
        self.start = np.searchsorted(sorted_groups, np.arange(n_groups), side="left")
        self.end = np.searchsorted(sorted_groups, np.arange(n_groups), side="right")
        cw0 = np.concatenate([[0.0], self.cw])
        self.base = cw0[self.start]
        self.total = cw0[self.end] - self.base

    def has(self, groups: np.ndarray) -> np.ndarray:
        return self.total[groups] > 0

    def sample(self, rng: np.random.Generator, groups: np.ndarray) -> np.ndarray:
        """One item per entry of ``groups`` (each must have ``has`` true)."""
        u = rng.random(len(groups))
        target = self.base[groups] + u * self.total[groups]
        pos = np.searchsorted(self.cw, target, side="right")
        pos = np.clip(pos, self.start[groups], self.end[groups] - 1)
        return self.items[pos]


def allocate(rng: np.random.Generator, total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` draws among items: one each while it lasts, the rest by weight."""
    n = len(weights)
    out = np.zeros(n, dtype=np.int64)
    if n == 0 or total <= 0:
        return out
    p = np.asarray(weights, dtype=float)
    p = p / p.sum()
    if total < n:
        out[rng.choice(n, size=total, replace=False, p=p)] = 1
        return out
    return out + 1 + rng.multinomial(total - n, p)


def round_half_up(x: np.ndarray) -> np.ndarray:
    return np.floor(np.asarray(x, dtype=float) + 0.5).astype(np.int64)


def magnitude(b: np.ndarray) -> np.ndarray:
    """The largest power of ten not above each (positive) ``b``."""
    mag = (10 ** np.floor(np.log10(np.maximum(b, 1)))).astype(np.int64)
    mag = np.where(mag * 10 <= b, mag * 10, mag)
    return np.where(mag > b, np.maximum(mag // 10, 1), mag)


def hash_unit(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A fixed pseudo-random number in [0, 1) for each pair: a writer's habit."""
    h = (a.astype(np.uint64) * np.uint64(2654435761) + b.astype(np.uint64) * np.uint64(40503)
         + np.uint64(12345)) % np.uint64(2**32)
    h = (h * np.uint64(2246822519)) % np.uint64(2**32)
    return h.astype(float) / 2.0**32


def factorize_rows(cols: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of equal-length integer columns: (first index of each, inverse)."""
    key = np.asarray(cols[0], dtype=np.int64)
    codes, _ = pd.factorize(key, sort=False)
    for col in cols[1:]:
        col = np.asarray(col, dtype=np.int64)
        lo = int(col.min()) if len(col) else 0
        span = (int(col.max()) - lo + 1) if len(col) else 1
        codes, _ = pd.factorize(codes.astype(np.int64) * span + (col - lo), sort=False)
    n_unique = int(codes.max()) + 1 if len(codes) else 0
    first = np.full(n_unique, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes)))
    return first, codes


class Cols:
    """Equal-length numpy columns; take and concatenate rows."""

    def __init__(self, **cols: np.ndarray) -> None:
        self.c = dict(cols)

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.__dict__["c"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __len__(self) -> int:
        return len(next(iter(self.c.values()))) if self.c else 0

    def set(self, **cols: np.ndarray) -> None:
        """Replace columns; an existing column keeps its (compact) dtype."""
        for k, v in cols.items():
            old = self.c.get(k)
            self.c[k] = np.asarray(v, dtype=old.dtype) if old is not None else np.asarray(v)

    def take(self, idx: np.ndarray) -> Cols:
        return Cols(**{k: v[idx] for k, v in self.c.items()})

    @staticmethod
    def concat(parts: Sequence[Cols]) -> Cols:
        keys = list(parts[0].c)
        return Cols(**{k: np.concatenate([p.c[k] for p in parts]) for k in keys})
