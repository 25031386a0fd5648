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
from .linkage import LinkageModel

__all__ = ["Features", "blocking_vetoes", "compare_pairs", "evidence", "judge", "pair_sides", "vetoed"]


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


class _Side:
    """One side of a set of pairs: ``side["victims"]`` is ``f.victims[idx]``, gathered once.

    The comparisons, the vetoes and the evidence read the same columns of the
    same pairs; a gather of a million random rows costs more than all the
    arithmetic done on it, so each column is gathered once per side.
    """

    def __init__(self, f: Features, idx: np.ndarray) -> None:
        self.f, self.idx = f, idx
        self._cache: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        hit = self._cache.get(name)
        if hit is None:
            hit = self._cache[name] = getattr(self.f, name)[self.idx]
        return hit

    def chain_at(self, level: np.ndarray) -> np.ndarray:
        """The code on this side's admin chain at ``level`` (clipped to 0..3)."""
        flat = self.f.chain.reshape(-1)
        return flat[self.idx * 4 + np.clip(level, 0, 3)]


def pair_sides(f: Features, i: np.ndarray | _Side, j: np.ndarray | _Side) -> tuple[_Side, _Side]:
    a = i if isinstance(i, _Side) else _Side(f, i)
    b = j if isinstance(j, _Side) else _Side(f, j)
    return a, b


def _place_level(f: Features, i: np.ndarray | _Side, j: np.ndarray | _Side) -> np.ndarray:
    names = ("same", "fuzzy", "inside", "coarse", "different")
    code = {n: k for k, n in enumerate(names)}
    pi, pj = pair_sides(f, i, j)
    a, b = pi["place"], pj["place"]
    out = np.full(len(a), code["different"], np.int8)
    known = (a >= 0) & (b >= 0)
    la, lb = pi["place_level"], pj["place_level"]
    # b inside a: a's code sits on b's chain at a's level (and vice versa)
    a_holds_b = (la >= 0) & (la < lb) & (pj.chain_at(la) == a)
    b_holds_a = (lb >= 0) & (lb < la) & (pi.chain_at(lb) == b)
    nested = a_holds_b | b_holds_a
    coarser = np.where(a_holds_b, la, lb)
    out[nested & (coarser >= 1)] = code["inside"]
    out[nested & (coarser == 0)] = code["coarse"]
    # regions: inside when the bearing says so, unknown bearing counts as coarse
    reg = known & ~nested & (a != b) & (pi["region"] | pj["region"])
    for r in np.flatnonzero(reg):
        x, y = int(pi.idx[r]), int(pj.idx[r])
        if f.region[x] and f.region[y]:
            same_base = f.chain[x, 1] == f.chain[y, 1] and f.chain[x, 0] == f.chain[y, 0]
            out[r] = code["coarse"] if same_base else code["different"]
            continue
        reg_c, other = (f.place[x], f.place[y]) if f.region[x] else (f.place[y], f.place[x])
        inside = f.region_within(int(reg_c), int(other))
        out[r] = code["different"] if inside is False else code["coarse"]
    same = known & (a == b)
    out[same] = code["same"]
    out[same & (pi["fuzzy"] | pj["fuzzy"])] = code["fuzzy"]
    out[~known] = -1
    return out


def _bands(value: np.ndarray, bounds: list[float]) -> np.ndarray:
    """Index of the first band whose bound holds ``value`` (the last band has none)."""
    out = np.full(len(value), len(bounds), np.int8)
    for k in range(len(bounds) - 1, -1, -1):
        out[value <= bounds[k]] = k
    return out


def compare_pairs(f: Features, i: np.ndarray | _Side, j: np.ndarray | _Side,
                  grules: GroupingRules) -> np.ndarray:
    """The level of every comparison for pairs (i, j): int8 array (pairs, comparisons).

    Columns follow ``grules.comparisons``; -1 is a blank field (no level).
    """
    pi, pj = pair_sides(f, i, j)
    cols = []
    for comp in grules.comparisons:
        name = comp.name
        if name == "place":
            col = _place_level(f, pi, pj)
        elif name == "date":
            gap = np.maximum(np.maximum(pi["lo"], pj["lo"]) - np.minimum(pi["hi"], pj["hi"]), 0)
            bounds = [float(lv.max_days) for lv in comp.levels[:-1]]  # type: ignore[arg-type]
            col = _bands(np.nan_to_num(gap, nan=0.0), bounds)
            col[np.isnan(gap)] = -1
        elif name == "event":
            a, b = pi["event"], pj["event"]
            col = np.full(len(a), 2, np.int8)
            col[((pi["related"] & b) != 0) | ((pj["related"] & a) != 0)] = 1
            col[(a & b) != 0] = 0
            col[(a == 0) | (b == 0)] = -1
        elif name == "victims":
            a, b = pi["victims"], pj["victims"]
            col = f.victim_relation[np.maximum(a, 0), np.maximum(b, 0)]
            col = np.where((a >= 0) & (b >= 0), col, -1).astype(np.int8)
        elif name == "figure":
            lo_a, hi_a, lo_b, hi_b = pi["fig_lo"], pi["fig_hi"], pj["fig_lo"], pj["fig_hi"]
            pa, pb = pi["point"], pj["point"]
            big, small = np.maximum(pa, pb), np.minimum(pa, pb)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(small > 0, big / np.maximum(small, 1e-9),
                                 np.where(big > 0, np.inf, 1.0))
            bounds = [float(lv.max_ratio) for lv in comp.levels[2:-1]]  # type: ignore[arg-type]
            col = (2 + _bands(ratio, bounds)).astype(np.int8)
            # Overlapping intervals count only between numbers near each other:
            # "at least 25" and "at least 7" overlap, but say different things.
            col[(lo_a <= hi_b) & (lo_b <= hi_a) & (ratio <= bounds[0])] = 1
            col[(lo_a == lo_b) & (hi_a == hi_b)] = 0
        elif name == "source":
            a, b = pi["source"], pj["source"]
            col = np.where(a == b, 0, 1).astype(np.int8)
            col[(a < 0) | (b < 0)] = -1
        elif name == "scope":
            a, b = pi["scope"], pj["scope"]
            col = np.where(a == b, 0, 1).astype(np.int8)
            col[(a < 0) | (b < 0)] = -1
        else:  # pragma: no cover - the rules loader knows every comparison
            raise ValueError(name)
        cols.append(col)
    return np.stack(cols, axis=1) if cols else np.zeros((len(pi.idx), 0), np.int8)


def vetoed(f: Features, i: np.ndarray | _Side, j: np.ndarray | _Side, grules: GroupingRules,
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
    pi, pj = pair_sides(f, i, j)
    ca, cb = pi["category"], pj["category"]
    out = (ca >= 0) & (cb >= 0) & (ca != cb)
    if gamma is not None:
        column = {comp.name: c for c, comp in enumerate(grules.comparisons)}
        # Two towns the gazetteer knows apart (not a name it does not know, nor a
        # typo it matched) are two places.
        place = grules.comparisons[column["place"]]
        known = ~(pi["unlisted"] | pj["unlisted"] | pi["fuzzy"] | pj["fuzzy"])
        out |= known & (gamma[:, column["place"]] == place.index("different"))
        for row in grules.vetoes:
            hit = np.ones(len(ca), bool)
            for name, level in row:
                c = column[name]
                hit &= gamma[:, c] == grules.comparisons[c].index(level)
            out |= hit
    out |= (pi["part_of"] == pj.idx) | (pj["part_of"] == pi.idx)
    art_i = pi["article"]
    src_i, src_j = pi["source"], pj["source"]
    vi, vj = pi["victims"], pj["victims"]
    lo_i, lo_j, hi_i, hi_j = pi["lo"], pj["lo"], pi["hi"], pj["hi"]
    same_text = (art_i >= 0) & (art_i == pj["article"]) & (src_i == src_j) & (ca == cb) & \
        (vi == vj)
    out |= same_text & ((pi["fig_lo"] != pj["fig_lo"]) | (pi["fig_hi"] != pj["fig_hi"]))
    sc_i, sc_j = pi["scope"], pj["scope"]
    lv_i, lv_j = pi["place_level"], pj["place_level"]
    tally = (sc_i == 1) | (sc_j == 1)
    # A cumulative claim and an incident at a named place or region (an incident
    # claim with no place, or the whole country, may be a total left unmarked).
    placed_i = (lv_i >= 1) & (sc_i == 0)
    placed_j = (lv_j >= 1) & (sc_j == 0)
    out |= ((sc_i == 1) & placed_j) | ((sc_j == 1) & placed_i)
    start_gap = np.abs(lo_i - lo_j)
    out |= tally & (start_gap > grules.total_days)
    # Two totals over a day and over weeks are a day total inside a tally.
    both = (sc_i == 1) & (sc_j == 1)
    out |= both & (((hi_i - lo_i) == 0) != ((hi_j - lo_j) == 0))
    # "10 children" beside "25 people": a part of the toll, never the toll.
    known_v = (vi >= 0) & (vj >= 0)
    out |= known_v & (f.victim_relation[np.maximum(vi, 0), np.maximum(vj, 0)] == 2)
    national = (lv_i == 0) | (lv_j == 0)
    gap = np.maximum(np.maximum(lo_i, lo_j) - np.minimum(hi_i, hi_j), 0)
    out |= national & (gap > grules.total_days)
    # A claim over a coarser area (country, region, division) whose number is
    # many times the other's is a total over it, not the same event.
    la = np.where(lv_i < 0, 9, lv_i) - 2 * pi["region"]
    lb = np.where(lv_j < 0, 9, lv_j) - 2 * pj["region"]
    big = grules.aggregate_ratio
    pa, pb = pi["point"], pj["point"]
    out |= (la < lb) & (lv_i >= 0) & (pa > big * np.maximum(pb, 0.5))
    out |= (lb < la) & (lv_j >= 0) & (pb > big * np.maximum(pa, 0.5))
    return out


def evidence(f: Features, i: np.ndarray | _Side, j: np.ndarray | _Side, gamma: np.ndarray,
             grules: GroupingRules) -> np.ndarray:
    """Pairs with positive evidence of one event beyond category and date.

    The same (or a nested) place, the same event-type family, the same
    source or the same stated figure; for two cumulative tallies, the same
    window of days (a country has one toll "since 27 November"), or the same
    day with numbers near each other (two national tolls of one day): claims
    that share only a category, a date window and a country are never linked
    (DESIGN).
    """
    pi, pj = pair_sides(f, i, j)
    column = {comp.name: c for c, comp in enumerate(grules.comparisons)}
    fig = grules.comparisons[column["figure"]]
    near = gamma[:, column["figure"]] <= fig.index(fig.levels[2].name)
    lo_i, lo_j, hi_i, hi_j = pi["lo"], pj["lo"], pi["hi"], pj["hi"]
    tallies = (pi["scope"] == 1) & (pj["scope"] == 1) & (lo_i == lo_j) & (hi_i == hi_j)
    out = tallies & ((hi_i - lo_i >= 1) | near)
    # The same country is no evidence: only a division, a town or a district is.
    placed = (pi["place_level"] >= 1) & (pj["place_level"] >= 1)
    for c, comp in enumerate(grules.comparisons):
        strong = {"place": ("same", "fuzzy", "inside"), "event": ("same",),
                  "source": ("same",), "figure": ("equal",)}.get(comp.name, ())
        for name in strong:
            hit = gamma[:, c] == comp.index(name)
            out |= (hit & placed) if comp.name == "place" else hit
    return out


def blocking_vetoes(f: Features, grules: GroupingRules
                    ) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """``keep(i, j)``: False for pairs that cheap vetoes forbid, for blocking to drop.

    Each test is one of :func:`vetoed`'s, on columns read without comparing
    places or figures: two victim groups a veto row keeps apart (or a group
    and a part of it), two towns the gazetteer knows apart, a claim and its
    whole, and the rules for country-level claims and tallies. A pair it
    drops is one :func:`vetoed` forbids, so dropping it early changes no event.
    """
    column = {comp.name: c for c, comp in enumerate(grules.comparisons)}
    vic = grules.comparisons[column["victims"]]
    apart_levels = {vic.index(row[0][1]) for row in grules.vetoes
                    if len(row) == 1 and row[0][0] == "victims"}
    rel = f.victim_relation
    v = rel.shape[0]
    ok = np.ones((v + 1, v + 1), bool)  # index 0: blank
    ok[1:, 1:] = ~np.isin(rel, [*apart_levels, 2])
    firm = (f.place_level >= 2) & ~f.region & ~f.unlisted & ~f.fuzzy
    town = np.where(firm, f.chain[:, 2], -1)
    span = f.hi - f.lo

    def keep(i: np.ndarray, j: np.ndarray) -> np.ndarray:
        out = ok[f.victims[i] + 1, f.victims[j] + 1]
        ti, tj = town[i], town[j]
        out &= ~((ti >= 0) & (tj >= 0) & (ti != tj))
        out &= (f.part_of[i] != j) & (f.part_of[j] != i)
        lv_i, lv_j, sc_i, sc_j = f.place_level[i], f.place_level[j], f.scope[i], f.scope[j]
        lo_i, lo_j, hi_i, hi_j = f.lo[i], f.lo[j], f.hi[i], f.hi[j]
        gap = np.maximum(np.maximum(lo_i, lo_j) - np.minimum(hi_i, hi_j), 0)
        out &= ~(((lv_i == 0) | (lv_j == 0)) & (gap > grules.total_days))
        tally_i, tally_j = sc_i == 1, sc_j == 1
        out &= ~((tally_i | tally_j) & (np.abs(lo_i - lo_j) > grules.total_days))
        out &= ~((tally_i & (lv_j >= 1) & (sc_j == 0)) | (tally_j & (lv_i >= 1) & (sc_i == 0)))
        out &= ~(tally_i & tally_j & ((span[i] == 0) != (span[j] == 0)))
        return out

    return keep


def judge(f: Features, i: np.ndarray, j: np.ndarray, grules: GroupingRules, model: LinkageModel,
          threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(levels, match weight, veto) of pairs (i, j), each column gathered once.

    A pair with no positive evidence (:func:`evidence`) keeps a weight just
    under ``threshold``: never a link, but not a conflict either.
    """
    gammas, weights, vetoes = [], [], []
    for start in range(0, max(len(i), 1), _CHUNK):
        # A chunk of pairs at a time: what one chunk gathers stays in memory only while
        # it is judged.
        pi, pj = _Side(f, i[start:start + _CHUNK]), _Side(f, j[start:start + _CHUNK])
        gamma = compare_pairs(f, pi, pj, grules)
        weight = model.score(gamma)
        if len(gamma):
            weight = np.where(evidence(f, pi, pj, gamma, grules), weight,
                              np.minimum(weight, threshold - 1e-6))
        gammas.append(gamma)
        weights.append(weight)
        vetoes.append(vetoed(f, pi, pj, grules, gamma))
    if len(gammas) == 1:
        return gammas[0], weights[0], vetoes[0]
    return np.concatenate(gammas), np.concatenate(weights), np.concatenate(vetoes)


_CHUNK = 1 << 19  # pairs judged at once
