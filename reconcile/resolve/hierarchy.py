"""Constraints between events: a part is at most its whole; a total at least its parts.

The grouping stage links an event to its parent with ``parent_link``:
``"part"`` (a subset of the same victims: the children among the dead) or
``"within"`` (a disjoint incident inside a day total or a cumulative tally).

Two steps, both over whole blocks (a family of events is never split):

1. **Posterior messages.** A part's posterior is multiplied by the chance
   that its whole is at least as large, ``P(T_whole >= x)``, and the whole's
   by ``P(T_part <= x)``; a total's posterior by the chance that the sum of
   the incidents within it is at most ``x`` (the sum approximated by a normal
   with the incidents' summed means and variances). One round, from each
   event's own posterior.
2. **Projection** of ``low``, ``best`` and ``high``: bottom-up a whole is at
   least each part and a total at least the sum of its parts (low and best);
   top-down a part is at most its whole and an incident at most its total
   less the other incidents' lows (high and best). Afterwards
   ``low <= best <= high`` holds everywhere and every part <= its whole.
"""

from __future__ import annotations

import numpy as np

from .frame import LINK_PART, LINK_WITHIN
from .posterior import Posterior, cdf_at

__all__ = ["depth_of", "hierarchy_messages", "project"]


def depth_of(parent: np.ndarray) -> np.ndarray:
    """Number of ancestors of each event (the parent pointers form a forest)."""
    depth = np.zeros(len(parent), dtype=np.int64)
    has = parent >= 0
    for _ in range(len(parent)):
        new = np.where(has, depth[np.maximum(parent, 0)] + 1, 0)
        if np.array_equal(new, depth):
            break
        depth = new
    return depth


def _moments(post: Posterior, n_events: int) -> tuple[np.ndarray, np.ndarray]:
    g = post.grid
    mid = g.b + (g.n - 1) / 2.0
    within_var = (g.n.astype(float) ** 2 - 1) / 12.0
    mean = np.bincount(g.ev, weights=post.mass * mid, minlength=n_events)
    second = np.bincount(g.ev, weights=post.mass * (mid ** 2 + within_var), minlength=n_events)
    return mean, np.maximum(second - mean ** 2, 0.0)


def hierarchy_messages(post: Posterior, cm: np.ndarray, parent: np.ndarray,
                       link: np.ndarray) -> bool:
    """Multiply the block's posteriors by the messages of their links (in place).

    Returns whether anything changed (the caller then recomputes cumulatives).
    """
    has = parent >= 0
    if not has.any():
        return False
    g = post.grid
    n_events = len(parent)
    factor = np.ones(g.size)
    point_parent = parent[g.ev]
    rep = g.point.astype(float)

    # Parts: child <= parent.
    part_child = (link == LINK_PART) & has
    on_child = part_child[g.ev]
    if on_child.any():
        pe = point_parent[on_child]
        survive = 1.0 - cdf_at(post, cm, pe, rep[on_child] - 1)
        factor[on_child] *= survive
    # The whole, for each of its parts: P(T_part <= x).
    children = np.flatnonzero(part_child)
    if len(children):
        # each (child, parent point) pair
        pstart, pstop = g.start[parent[children]], g.stop[parent[children]]
        cnt = pstop - pstart
        ch = np.repeat(children, cnt)
        pts = np.repeat(pstart, cnt) + (np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt))
        below = cdf_at(post, cm, ch, rep[pts])
        np.multiply.at(factor, pts, below)
    # Totals: sum of the incidents within <= x.
    within = (link == LINK_WITHIN) & has
    if within.any():
        mean, var = _moments(post, n_events)
        s_mean = np.bincount(parent[within], weights=mean[within], minlength=n_events)
        s_var = np.bincount(parent[within], weights=var[within], minlength=n_events)
        totals = np.bincount(parent[within], minlength=n_events) > 0
        on_total = totals[g.ev]
        sd = np.sqrt(s_var[g.ev[on_total]] + 0.25)
        z = (rep[on_total] + 0.5 - s_mean[g.ev[on_total]]) / sd
        factor[on_total] *= 1.0 / (1.0 + np.exp(np.clip(-1.702 * z, -700.0, 700.0)))
    mass = post.mass * factor
    norm = np.bincount(g.ev, weights=mass, minlength=n_events)
    ok = norm[g.ev] > 1e-300
    post.mass[:] = np.where(ok, mass / np.where(ok, norm[g.ev], 1.0), post.mass)
    return True


def project(low: np.ndarray, best: np.ndarray, high: np.ndarray, parent: np.ndarray,
            link: np.ndarray) -> None:
    """Make low/best/high obey the links (in place); see the module notes."""
    has = parent >= 0
    if not has.any():
        return
    depth = depth_of(parent)
    n = len(parent)
    for d in range(int(depth.max()), 0, -1):  # bottom-up: wholes and totals
        kids = np.flatnonzero(has & (depth == d))
        part = kids[link[kids] == LINK_PART]
        if len(part):
            np.maximum.at(low, parent[part], low[part])
            np.maximum.at(best, parent[part], best[part])
        inside = kids[link[kids] == LINK_WITHIN]
        if len(inside):
            s_low = np.bincount(parent[inside], weights=low[inside], minlength=n)
            s_best = np.bincount(parent[inside], weights=best[inside], minlength=n)
            tot = np.unique(parent[inside])
            low[tot] = np.maximum(low[tot], s_low[tot].astype(low.dtype))
            best[tot] = np.maximum(best[tot], s_best[tot].astype(best.dtype))
        high[:] = np.maximum(high, best)
    for d in range(1, int(depth.max()) + 1):  # top-down: parts and incidents
        kids = np.flatnonzero(has & (depth == d))
        part = kids[link[kids] == LINK_PART]
        if len(part):
            high[part] = np.minimum(high[part], high[parent[part]])
        inside = kids[link[kids] == LINK_WITHIN]
        if len(inside):
            s_low = np.bincount(parent[inside], weights=low[inside], minlength=n)
            room = high[parent[inside]] - (s_low[parent[inside]] - low[inside])
            high[inside] = np.minimum(high[inside], np.maximum(room, low[inside]))
        best[kids] = np.minimum(best[kids], high[kids])
        low[kids] = np.minimum(low[kids], best[kids])
