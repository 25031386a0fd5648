"""Candidate pairs: which claims are compared at all.

Only claims of one block (a country, or the claims whose country is
unknown) and one category (a blank category joins every category) are
compared, and only when their date windows come within ``incident_days``.
Inside that, a pair must share positive evidence to be a candidate, so that
pairs grow near-linearly with the claims (DESIGN: claims that share only a
category and a date window are never merged):

* the same city-level place (a district joins its city);
* the same first-order division, when one claim names only the division;
* the same event-type family, when one claim names no place or only the
  country or a region (a national total and its incidents);
* the same canonical source (one source's successive reports);
* both claims coarse (country, region or no place: totals meet totals);
* the same article.

Every rule is a sorted window join over integer keys: ``np.searchsorted``
finds, for each claim, the run of claims with its key whose windows reach
it; the pairs are expanded with ``np.repeat``. No Python call per claim or
per block.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

__all__ = ["candidate_pairs", "key_codes", "self_pairs", "window_join"]

_SHIFT = 20  # day numbers (since 1970) stay below 2**20 until the year 4840


def _expand(start: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row r, the positions start[r]..stop[r]-1: (row, position) arrays."""
    count = np.maximum(stop - start, 0)
    total = int(count.sum())
    if total == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty
    rows = np.repeat(np.arange(len(start), dtype=np.int64), count)
    offset = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    return rows, start[rows] + offset


def window_join(left_key: np.ndarray, left_lo: np.ndarray, left_hi: np.ndarray,
                right_key: np.ndarray, right_lo: np.ndarray, right_hi: np.ndarray,
                days: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (left row, right row) with equal keys whose day windows come within ``days``.

    Keys are non-negative integers (-1: no key, never joined). Windows are
    ``[lo, hi]`` day numbers. Right rows are sorted once by (key, lo); each
    left row's partners are one ``searchsorted`` range, filtered by the far
    end of the window. Long right windows (tallies over weeks) are joined
    apart so that short ones keep a narrow range.

    Notes
    -----
    O((L + R) log R + P) for P pairs returned.
    """
    out_l: list[np.ndarray] = []
    out_r: list[np.ndarray] = []
    lmask = left_key >= 0
    lidx = np.flatnonzero(lmask)
    span = right_hi - right_lo
    for part in (span <= 3, span > 3):
        ridx = np.flatnonzero((right_key >= 0) & part)
        if len(ridx) == 0 or len(lidx) == 0:
            continue
        longest = int(span[ridx].max()) if len(ridx) else 0
        comp = (right_key[ridx].astype(np.int64) << _SHIFT) + right_lo[ridx].astype(np.int64)
        order = np.argsort(comp, kind="stable")
        comp = comp[order]
        ridx = ridx[order]
        lk = left_key[lidx].astype(np.int64) << _SHIFT
        start = np.searchsorted(comp, lk + left_lo[lidx].astype(np.int64) - days - longest, "left")
        stop = np.searchsorted(comp, lk + left_hi[lidx].astype(np.int64) + days, "right")
        rows, pos = _expand(start, stop)
        li = lidx[rows]
        ri = ridx[pos]
        keep = right_hi[ri] >= left_lo[li] - days
        out_l.append(li[keep])
        out_r.append(ri[keep])
    if not out_l:
        empty = np.zeros(0, np.int64)
        return empty, empty
    return np.concatenate(out_l), np.concatenate(out_r)


def key_codes(*cols: np.ndarray) -> np.ndarray:
    """One non-negative integer per distinct row of ``cols`` (-1 if any column is -1)."""
    bad = np.zeros(len(cols[0]), dtype=bool)
    combined = np.zeros(len(cols[0]), dtype=np.int64)
    for col in cols:
        col = col.astype(np.int64)
        bad |= col < 0
        width = int(col.max()) + 1 if len(col) else 1
        combined = combined * width + np.maximum(col, 0)
        combined = pd.factorize(combined)[0].astype(np.int64)  # stays small: no overflow
    return np.where(bad, -1, combined)


def self_pairs(key: np.ndarray, lo: np.ndarray, hi: np.ndarray,
               days: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (a, b), each once, with equal keys (not -1) whose windows come within ``days``.

    Rows are sorted by (key, lo); each row pairs with the rows after it up to
    the first whose window starts more than ``days`` after its own ends
    (rows after it start no earlier, so that is the whole condition).
    """
    idx = np.flatnonzero(key >= 0)
    if len(idx) < 2:
        empty = np.zeros(0, np.int64)
        return empty, empty
    comp = (key[idx].astype(np.int64) << _SHIFT) + lo[idx].astype(np.int64)
    order = np.argsort(comp, kind="stable")
    comp, idx = comp[order], idx[order]
    k_hi = (key[idx].astype(np.int64) << _SHIFT) + hi[idx].astype(np.int64) + days
    stop = np.searchsorted(comp, k_hi, "right")
    start = np.arange(1, len(idx) + 1)
    rows, pos = _expand(start, stop)
    return idx[rows], idx[pos]


def candidate_pairs(block: np.ndarray, category: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                    city: np.ndarray, admin1: np.ndarray, place_level: np.ndarray,
                    event_mask: np.ndarray, source: np.ndarray, article: np.ndarray,
                    n_categories: int, days: int, *, scope: np.ndarray | None = None,
                    weak_place: np.ndarray | None = None,
                    figure: np.ndarray | None = None,
                    keep: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
                    national_days: int | None = None,
                    ids: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs (i < j) under the rules in the module docstring.

    Parameters are one integer array per claim: ``block`` (country code),
    ``category`` (-1 blank), ``lo``/``hi`` (day window; NaN unknown: never a
    candidate), ``city`` (the city-level place code, a district's city; -1
    none), ``admin1`` (-1 none), ``place_level`` (0 country, 1 division,
    2 city or region, 3 district; -1 no place), ``event_mask`` (bit per
    family; 0 none), ``source``, ``article`` (-1 blank), ``scope`` (1 for
    cumulative tallies), ``weak_place`` (a place only named by a name no
    gazetteer knows: the same source is then the evidence) and ``figure``
    (a code per distinct stated interval).

    Pairs that a veto would forbid anyway are not proposed: two claims at one
    place that name different event families meet only through a claim that
    names none; one source's reports from two towns known apart never meet;
    a country-level claim meets others only within ``national_days``; and
    ``keep(i, j)``, when given, drops the pairs of each join that the cheap
    vetoes forbid (victims, totals, towns known apart) before the pairs of
    all joins are gathered and made unique.

    ``ids``, when given, is the row number each position stands for (the
    arrays may come in any order, ``keep`` reading them in that order): the
    pairs returned are of those row numbers. The joins' sorts and gathers
    run fastest on rows that come in (block, day) order.
    """
    n = len(block)
    dated = ~(np.isnan(lo) | np.isnan(hi))
    lo_i = np.where(dated, lo, 0).astype(np.int64)
    hi_i = np.where(dated, hi, 0).astype(np.int64)
    # A blank category joins every category: one row per (claim, category).
    blank = category < 0
    rows = np.concatenate([np.flatnonzero(~blank & dated),
                           np.repeat(np.flatnonzero(blank & dated), n_categories)])
    cats = np.concatenate([category[~blank & dated],
                           np.tile(np.arange(n_categories), int((blank & dated).sum()))])
    b, c = block[rows], cats
    r_lo, r_hi = lo_i[rows], hi_i[rows]
    r_city = city[rows]
    has_city = r_city >= 0
    coarse = ~has_city & (place_level[rows] != 1)
    mask = event_mask[rows]
    # The family a claim names (the lowest one when it names several).
    low_bit = mask & -mask
    family = np.where(mask > 0, np.log2(np.maximum(low_bit, 1)).astype(np.int64), -1)
    has_family = family >= 0
    pairs_i: list[np.ndarray] = []
    pairs_j: list[np.ndarray] = []

    def add(li: np.ndarray, ri: np.ndarray) -> None:
        a, b = rows[li], rows[ri]
        if keep is not None and len(a):
            ok = keep(a, b)
            a, b = a[ok], b[ok]
        pairs_i.append(a)
        pairs_j.append(b)

    def self_join(key: np.ndarray) -> None:
        add(*self_pairs(key, r_lo, r_hi, days))

    national = place_level[rows] == 0
    near = days if national_days is None else national_days

    def cross_join(left: np.ndarray, key: np.ndarray, right: np.ndarray | None = None) -> None:
        kr = key if right is None else np.where(right, key, -1)
        # A country-level claim meets only claims within ``national_days`` of it.
        for part, reach in ((left & ~national, days), (left & national, near)):
            if part.any():
                add(*window_join(np.where(part, key, -1), r_lo, r_hi, kr, r_lo, r_hi, reach))

    key_bc = key_codes(b, c)
    # One place: the same city (a district joins its city) and event family; a claim
    # that names no family meets every claim at its place.
    key_city = key_codes(b, c, r_city)
    self_join(np.where(has_family, key_codes(b, c, r_city, family), -1))
    cross_join(has_city & ~has_family, key_city, has_city)
    # A division named alone meets the cities and districts inside it.
    cross_join(place_level[rows] == 1, key_codes(b, c, admin1[rows]))
    # No town named: claims of the same event family, or of the same source.
    key_fam = np.where(has_family, key_codes(b, c, family), -1)
    cross_join(coarse & has_family, key_fam)
    # One source's successive reports: the same event family, or the same figure
    # (a report repeated with the place spelt another way or left out).
    # A town the gazetteer knows (not an unlisted name, nor a typo it matched) keeps
    # one source's reports apart from its reports of other known towns.
    r_src = source[rows]
    firm = has_city & ~(weak_place[rows] if weak_place is not None else False)
    firm_city = np.where(firm, r_city, -1)
    for key in (np.where(has_family, key_codes(b, c, r_src, family), -1),
                key_codes(b, c, r_src, figure[rows]) if figure is not None else None):
        if key is None:
            continue
        self_join(np.where(firm & (key >= 0), key_codes(np.maximum(key, 0), firm_city), -1))
        cross_join(~firm, key)
    # Totals meet totals: claims with no town and no event family; a cumulative
    # tally only meets tallies that start on its day.
    tally = (scope[rows] == 1) if scope is not None else np.zeros(len(rows), bool)
    self_join(np.where(coarse & ~has_family & ~tally, key_bc, -1))
    add(*self_pairs(np.where(coarse & tally, key_codes(b, c, r_lo), -1), r_lo, r_lo, 0))
    self_join(key_codes(b, article[rows]))
    i = np.concatenate(pairs_i) if pairs_i else np.zeros(0, np.int64)
    j = np.concatenate(pairs_j) if pairs_j else np.zeros(0, np.int64)
    if ids is not None:
        i, j = ids[i], ids[j]
    lo_, hi_ = np.minimum(i, j), np.maximum(i, j)
    apart = lo_ != hi_
    code = np.sort(lo_[apart] * np.int64(n) + hi_[apart])
    if len(code):
        code = code[np.r_[True, code[1:] != code[:-1]]]
    return code // n, code % n
