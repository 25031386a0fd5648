"""Comparison levels of candidate pairs, column-wise, and the pairs that may never merge.

Each comparison of ``rules/grouping.toml`` maps a pair to one of its levels
(an index) or to -1 when either claim leaves the field blank: a blank is
unknown, it neither blocks nor proves a match (DESIGN). What each level
means is fixed here; its weight is learnt (:mod:`reconcile.group.linkage`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..rules.grouping import GroupingRules

__all__ = ["Features", "compare_pairs", "evidence", "vetoed"]


@dataclass
class Features:
    """One numpy array per claim feature (codes are -1 when blank)."""

    block: np.ndarray
    category: np.ndarray
    place: np.ndarray  # place code
    chain: np.ndarray  # (n, 4) codes: country, division, city or region, district
    place_level: np.ndarray  # 0..3, -1 no place
    region: np.ndarray  # bool: the place is a region ("northwest Syria")
    fuzzy: np.ndarray  # bool: the place was matched through a typo
    unlisted: np.ndarray  # bool: the place is a name in no gazetteer
    lo: np.ndarray  # day window (float, NaN unknown)
    hi: np.ndarray
    event: np.ndarray  # int64 bit mask of families (0: none)
    related: np.ndarray  # int64 bit mask of the families related to the claim's
    victims: np.ndarray  # victim group code
    victim_relation: np.ndarray  # (V, V) int8: 0 same, 1 wider, 2 part, 3 different
    fig_lo: np.ndarray  # float
    fig_hi: np.ndarray  # float, inf unbounded
    point: np.ndarray  # the stated number (anchor, else the interval's middle)
    source: np.ndarray
    scope: np.ndarray  # 0 incident, 1 cumulative
    article: np.ndarray
    part_of: np.ndarray  # row of the claim this one is part of, -1 none
    region_within: Callable[[int, int], bool | None]  # (region code, place code)


def _place_level(f: Features, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    names = ("same", "fuzzy", "inside", "coarse", "different")
    code = {n: k for k, n in enumerate(names)}
    a, b = f.place[i], f.place[j]
    out = np.full(len(i), code["different"], np.int8)
    known = (a >= 0) & (b >= 0)
    la, lb = f.place_level[i], f.place_level[j]
    # b inside a: a's code sits on b's chain at a's level (and vice versa)
    a_holds_b = (la >= 0) & (la < lb) & (f.chain[j, np.clip(la, 0, 3)] == a)
    b_holds_a = (lb >= 0) & (lb < la) & (f.chain[i, np.clip(lb, 0, 3)] == b)
    nested = a_holds_b | b_holds_a
    coarser = np.where(a_holds_b, la, lb)
    out[nested & (coarser >= 1)] = code["inside"]
    out[nested & (coarser == 0)] = code["coarse"]
    # regions: inside when the bearing says so, unknown bearing counts as coarse
    reg = known & ~nested & (a != b) & (f.region[i] | f.region[j])
    for r in np.flatnonzero(reg):
        x, y = int(i[r]), int(j[r])
        if f.region[x] and f.region[y]:
            same_base = f.chain[x, 1] == f.chain[y, 1] and f.chain[x, 0] == f.chain[y, 0]
            out[r] = code["coarse"] if same_base else code["different"]
            continue
        reg_c, other = (f.place[x], f.place[y]) if f.region[x] else (f.place[y], f.place[x])
        inside = f.region_within(int(reg_c), int(other))
        out[r] = code["different"] if inside is False else code["coarse"]
    same = known & (a == b)
    out[same] = code["same"]
    out[same & (f.fuzzy[i] | f.fuzzy[j])] = code["fuzzy"]
    out[~known] = -1
    return out


def _bands(value: np.ndarray, bounds: list[float]) -> np.ndarray:
    """Index of the first band whose bound holds ``value`` (the last band has none)."""
    out = np.full(len(value), len(bounds), np.int8)
    for k in range(len(bounds) - 1, -1, -1):
        out[value <= bounds[k]] = k
    return out


def compare_pairs(f: Features, i: np.ndarray, j: np.ndarray,
                  grules: GroupingRules) -> np.ndarray:
    """The level of every comparison for pairs (i, j): int8 array (pairs, comparisons).

    Columns follow ``grules.comparisons``; -1 is a blank field (no level).
    """
    cols = []
    for comp in grules.comparisons:
        name = comp.name
        if name == "place":
            col = _place_level(f, i, j)
        elif name == "date":
            gap = np.maximum(np.maximum(f.lo[i], f.lo[j]) - np.minimum(f.hi[i], f.hi[j]), 0)
            bounds = [float(lv.max_days) for lv in comp.levels[:-1]]  # type: ignore[arg-type]
            col = _bands(np.nan_to_num(gap, nan=0.0), bounds)
            col[np.isnan(gap)] = -1
        elif name == "event":
            a, b = f.event[i], f.event[j]
            col = np.full(len(i), 2, np.int8)
            col[((f.related[i] & b) != 0) | ((f.related[j] & a) != 0)] = 1
            col[(a & b) != 0] = 0
            col[(a == 0) | (b == 0)] = -1
        elif name == "victims":
            a, b = f.victims[i], f.victims[j]
            known = (a >= 0) & (b >= 0)
            col = np.full(len(i), -1, np.int8)
            col[known] = f.victim_relation[a[known], b[known]]
        elif name == "figure":
            lo_a, hi_a, lo_b, hi_b = f.fig_lo[i], f.fig_hi[i], f.fig_lo[j], f.fig_hi[j]
            pa, pb = f.point[i], f.point[j]
            big, small = np.maximum(pa, pb), np.minimum(pa, pb)
            ratio = np.where(small > 0, big / np.maximum(small, 1e-9),
                             np.where(big > 0, np.inf, 1.0))
            bounds = [float(lv.max_ratio) for lv in comp.levels[2:-1]]  # type: ignore[arg-type]
            col = (2 + _bands(ratio, bounds)).astype(np.int8)
            # Overlapping intervals count only between numbers near each other:
            # "at least 25" and "at least 7" overlap, but say different things.
            col[(lo_a <= hi_b) & (lo_b <= hi_a) & (ratio <= bounds[0])] = 1
            col[(lo_a == lo_b) & (hi_a == hi_b)] = 0
        elif name == "source":
            a, b = f.source[i], f.source[j]
            col = np.where(a == b, 0, 1).astype(np.int8)
            col[(a < 0) | (b < 0)] = -1
        elif name == "scope":
            a, b = f.scope[i], f.scope[j]
            col = np.where(a == b, 0, 1).astype(np.int8)
            col[(a < 0) | (b < 0)] = -1
        else:  # pragma: no cover - the rules loader knows every comparison
            raise ValueError(name)
        cols.append(col)
    return np.stack(cols, axis=1) if cols else np.zeros((len(i), 0), np.int8)


def vetoed(f: Features, i: np.ndarray, j: np.ndarray, grules: GroupingRules,
           gamma: np.ndarray | None = None) -> np.ndarray:
    """Pairs that may never share an event, whatever their weight.

    Given ``gamma`` (the pairs' levels): two places the gazetteer knows
    apart; a row of ``vetoes`` (two event
    types, soldiers and civilians, civilians and people with numbers apart); two known
    categories that differ; a claim and the whole it is
    ``part_of``; two different figures for the same category and victims
    from one source in one article (different events, or part and whole);
    a cumulative claim and an incident claim (a tally holds incidents, it is
    not one); a cumulative tally and a claim whose window starts on another day;
    a day total and a tally over weeks; a victim group and a part of it
    (children and people); and
    a country-level claim and one on another day (``total_days``).
    """
    ca, cb = f.category[i], f.category[j]
    out = (ca >= 0) & (cb >= 0) & (ca != cb)
    if gamma is not None:
        column = {comp.name: c for c, comp in enumerate(grules.comparisons)}
        # Two towns the gazetteer knows apart (not a name it does not know, nor a
        # typo it matched) are two places.
        place = grules.comparisons[column["place"]]
        known = ~(f.unlisted[i] | f.unlisted[j] | f.fuzzy[i] | f.fuzzy[j])
        out |= known & (gamma[:, column["place"]] == place.index("different"))
        for row in grules.vetoes:
            hit = np.ones(len(i), bool)
            for name, level in row:
                c = column[name]
                hit &= gamma[:, c] == grules.comparisons[c].index(level)
            out |= hit
    out |= (f.part_of[i] == j) | (f.part_of[j] == i)
    same_text = (f.article[i] >= 0) & (f.article[i] == f.article[j]) & \
        (f.source[i] == f.source[j]) & (ca == cb) & (f.victims[i] == f.victims[j])
    out |= same_text & ((f.fig_lo[i] != f.fig_lo[j]) | (f.fig_hi[i] != f.fig_hi[j]))
    tally = (f.scope[i] == 1) | (f.scope[j] == 1)
    # A cumulative claim and an incident at a named place or region (an incident
    # claim with no place, or the whole country, may be a total left unmarked).
    placed_i = (f.place_level[i] >= 1) & (f.scope[i] == 0)
    placed_j = (f.place_level[j] >= 1) & (f.scope[j] == 0)
    out |= ((f.scope[i] == 1) & placed_j) | ((f.scope[j] == 1) & placed_i)
    start_gap = np.abs(f.lo[i] - f.lo[j])
    out |= tally & (start_gap > grules.total_days)
    # Two totals over a day and over weeks are a day total inside a tally.
    both = (f.scope[i] == 1) & (f.scope[j] == 1)
    out |= both & (((f.hi[i] - f.lo[i]) == 0) != ((f.hi[j] - f.lo[j]) == 0))
    # "10 children" beside "25 people": a part of the toll, never the toll.
    vi, vj = f.victims[i], f.victims[j]
    known_v = (vi >= 0) & (vj >= 0)
    out |= known_v & (f.victim_relation[np.maximum(vi, 0), np.maximum(vj, 0)] == 2)
    national = (f.place_level[i] == 0) | (f.place_level[j] == 0)
    gap = np.maximum(np.maximum(f.lo[i], f.lo[j]) - np.minimum(f.hi[i], f.hi[j]), 0)
    out |= national & (gap > grules.total_days)
    # A claim over a coarser area (country, region, division) whose number is
    # many times the other's is a total over it, not the same event.
    la = np.where(f.place_level[i] < 0, 9, f.place_level[i]) - 2 * f.region[i]
    lb = np.where(f.place_level[j] < 0, 9, f.place_level[j]) - 2 * f.region[j]
    big = grules.aggregate_ratio
    pa, pb = f.point[i], f.point[j]
    out |= (la < lb) & (f.place_level[i] >= 0) & (pa > big * np.maximum(pb, 0.5))
    out |= (lb < la) & (f.place_level[j] >= 0) & (pb > big * np.maximum(pa, 0.5))
    return out


def evidence(f: Features, i: np.ndarray, j: np.ndarray, gamma: np.ndarray,
             grules: GroupingRules) -> np.ndarray:
    """Pairs with positive evidence of one event beyond category and date.

    The same (or a nested) place, the same event-type family, the same
    source or the same stated figure; for two cumulative tallies, the same
    window of days (a country has one toll "since 27 November"), or the same
    day with numbers near each other (two national tolls of one day): claims
    that share only a category, a date window and a country are never linked
    (DESIGN).
    """
    column = {comp.name: c for c, comp in enumerate(grules.comparisons)}
    fig = grules.comparisons[column["figure"]]
    near = gamma[:, column["figure"]] <= fig.index(fig.levels[2].name)
    tallies = (f.scope[i] == 1) & (f.scope[j] == 1) & (f.lo[i] == f.lo[j]) & (f.hi[i] == f.hi[j])
    out = tallies & ((f.hi[i] - f.lo[i] >= 1) | near)
    # The same country is no evidence: only a division, a town or a district is.
    placed = (f.place_level[i] >= 1) & (f.place_level[j] >= 1)
    for c, comp in enumerate(grules.comparisons):
        strong = {"place": ("same", "fuzzy", "inside"), "event": ("same",),
                  "source": ("same",), "figure": ("equal",)}.get(comp.name, ())
        for name in strong:
            hit = gamma[:, c] == comp.index(name)
            out |= (hit & placed) if comp.name == "place" else hit
    return out
