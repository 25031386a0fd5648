"""The event hierarchy: parts of a toll and incidents inside a total.

Two links, both from a child event to its parent (DESIGN: parts and totals
are linked, never merged):

* ``part`` — a victim subset of the same incident: the children among the
  dead. From ``part_of`` (the child's claims name a claim of the parent),
  or, when no claim says so, an event whose victims are a narrower group
  (children, women, civilians) than an event of the same place, day,
  category and event type with a larger figure.
* ``within`` — a distinct incident inside a day total or a cumulative tally
  of its area and window: the nationwide "more than 290" over the Damascus
  car bomb; "56 since 27 November" over that day's Idlib strikes. The
  parent's place holds the child's, its window holds the child's days, it
  is coarser in place or longer in time, its figure is at least the
  child's, and its event type (if any) agrees. Of several such parents the
  smallest wins (shortest window, then finest place), so an incident sits
  in its day's total and the day's total in the tally.

Column-wise over events: parents are found by window joins, as candidate
pairs are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .blocking import key_codes, window_join
from .compare import Features

__all__ = ["EventTable", "event_table", "link_events"]


@dataclass
class EventTable:
    """Per event (label): the features the hierarchy compares."""

    label: np.ndarray  # the event's label (its smallest claim row)
    block: np.ndarray
    category: np.ndarray
    victims: np.ndarray
    place: np.ndarray
    chain: np.ndarray
    place_level: np.ndarray
    region: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    scope: np.ndarray
    event: np.ndarray
    related: np.ndarray
    point_min: np.ndarray
    point_max: np.ndarray
    point_mid: np.ndarray


def _mode(ev: np.ndarray, values: np.ndarray, n_ev: int, *, skip: int | float = -1,
          prefer_high: bool = False) -> np.ndarray:
    """Per event, its most common value (not ``skip``); ties to the lowest (or highest)."""
    out = np.full(n_ev, skip, dtype=values.dtype)
    known = values != skip if not (isinstance(skip, float) and np.isnan(skip)) else \
        ~np.isnan(values)
    if not known.any():
        return out
    e, v = ev[known], values[known]
    # Runs of one (event, value) after a sort by both; per event, the longest run
    # (values ascend within an event: the first longest is the lowest, the last the highest).
    codes, uniq = pd.factorize(v, sort=True)
    key = e.astype(np.int64) * len(uniq) + codes
    order = np.argsort(key, kind="stable")
    e, v = e[order], np.asarray(uniq)[codes[order]]
    heads = np.flatnonzero(np.r_[True, (e[1:] != e[:-1]) | (v[1:] != v[:-1])])
    run_e, run_v = e[heads], v[heads]
    run_n = np.diff(np.r_[heads, len(e)])
    starts = np.flatnonzero(np.r_[True, run_e[1:] != run_e[:-1]])
    most = np.repeat(np.maximum.reduceat(run_n, starts), np.diff(np.r_[starts, len(run_e)]))
    top = np.flatnonzero(run_n == most)
    te = run_e[top]
    pick = top[np.r_[te[1:] != te[:-1], True]] if prefer_high else \
        top[np.r_[True, te[1:] != te[:-1]]]
    out[run_e[pick]] = run_v[pick]
    return out


def event_table(f: Features, labels: np.ndarray) -> tuple[EventTable, np.ndarray]:
    """Per-event features and each claim's event index."""
    uniq, ev = np.unique(labels, return_inverse=True)
    ev = ev.reshape(-1)
    n_ev = len(uniq)
    place = _mode(ev, f.place, n_ev)
    # The chain of the event's place: from any claim that has that place.
    first = np.full(n_ev, -1, np.int64)
    hit = f.place == place[ev]
    rows = np.flatnonzero(hit)
    first[ev[rows[::-1]]] = rows[::-1]
    chain = np.where(first[:, None] >= 0, f.chain[np.maximum(first, 0)], -1)
    level = np.where(first >= 0, f.place_level[np.maximum(first, 0)], -1)
    region = np.where(first >= 0, f.region[np.maximum(first, 0)], False)
    lo = _mode(ev, f.lo, n_ev, skip=np.nan)
    hi = _mode(ev, f.hi, n_ev, skip=np.nan, prefer_high=True)
    hi = np.where(np.isnan(hi) | (hi < lo), lo, hi)
    scope = _mode(ev, f.scope, n_ev)
    mask = np.zeros(n_ev, np.int64)
    np.bitwise_or.at(mask, ev, f.event)
    rel = np.zeros(n_ev, np.int64)
    np.bitwise_or.at(rel, ev, f.related)
    pmin = np.full(n_ev, np.inf)
    np.minimum.at(pmin, ev, f.point)
    pmax = np.full(n_ev, -np.inf)
    np.maximum.at(pmax, ev, f.point)
    mid = pd.Series(f.point).groupby(ev).median().to_numpy()
    table = EventTable(uniq, _mode(ev, f.block, n_ev), _mode(ev, f.category, n_ev),
                       _mode(ev, f.victims, n_ev), place, chain, level, region, lo, hi, scope,
                       mask, rel, pmin, pmax, mid)
    return table, ev


def _contains(e: EventTable, p: np.ndarray, c: np.ndarray, f: Features) -> np.ndarray:
    """Whether parent events ``p`` hold the places of child events ``c`` (unknown: True)."""
    lp, lc = e.place_level[p], e.place_level[c]
    known_p = lp >= 0
    holds = ~known_p | ((lp <= lc) & (e.chain[c, np.clip(lp, 0, 3)] == e.place[p]))
    holds |= known_p & (lc < 0)  # a child with no place: unknown
    reg = known_p & e.region[p] & (lc >= 0) & ~holds
    for r in np.flatnonzero(reg):
        inside = f.region_within(int(e.place[p[r]]), int(e.place[c[r]]))
        holds[r] = inside is not False
    return holds


def link_events(e: EventTable, f: Features, ev_of_claim: np.ndarray, narrower: np.ndarray,
                tolerance: int) -> tuple[np.ndarray, np.ndarray]:
    """Parent event index (-1 none) and link (0 none, 1 part, 2 within) of every event.

    ``narrower[c, p]`` says victim group ``c`` lies strictly inside group ``p``.
    """
    n_ev = len(e.label)
    parent = np.full(n_ev, -1, np.int64)
    link = np.zeros(n_ev, np.int8)
    # 1. part_of between claims of different events.
    has = f.part_of >= 0
    ce = ev_of_claim[has]
    pe = ev_of_claim[f.part_of[has]]
    diff = ce != pe
    if diff.any():
        frame = pd.DataFrame({"c": ce[diff], "p": pe[diff]})
        counts = frame.groupby(["c", "p"]).size().rename("n").reset_index() \
            .sort_values(["c", "n", "p"], ascending=[True, False, True]).drop_duplicates("c")
        parent[counts["c"].to_numpy()] = counts["p"].to_numpy()
        link[counts["c"].to_numpy()] = 1
    dated = ~(np.isnan(e.lo) | np.isnan(e.hi))
    lo = np.where(dated, e.lo, 0).astype(np.int64)
    hi = np.where(dated, e.hi, 0).astype(np.int64)
    # 2. Implicit parts: a narrower victim group on the same days, at the parent's place
    #    or inside it, with a smaller figure ("15 of the dead were civilians").
    key = np.where(dated & (e.category >= 0), key_codes(e.block, np.maximum(e.category, 0)), -1)
    vk = np.maximum(e.victims, 0)
    has_v = e.victims >= 0
    is_narrow = has_v & narrower[vk].any(axis=1)  # a group with a wider one above it
    is_wide = has_v & narrower[:, vk].any(axis=0)  # a group with a narrower one below it
    ci, pi = window_join(np.where(is_narrow & (parent < 0), key, -1), lo, hi,
                         np.where(is_wide, key, -1), lo, hi, 0)
    if len(ci):
        vc, vp = e.victims[ci], e.victims[pi]
        smaller_group = (vc >= 0) & (vp >= 0) & narrower[np.maximum(vc, 0), np.maximum(vp, 0)]
        ok = (ci != pi) & smaller_group & (parent[ci] < 0) & (e.point_max[ci] <= e.point_max[pi])
        ok &= (lo[ci] == lo[pi]) & (hi[ci] == hi[pi]) & (e.place[pi] >= 0)
        ok &= (e.event[ci] == 0) | (e.event[pi] == 0) | ((e.event[ci] & e.event[pi]) != 0)
        ok &= e.scope[ci] == e.scope[pi]
        idx = np.flatnonzero(ok)
        if len(idx):
            idx = idx[_contains(e, pi[idx], ci[idx], f)]
        if len(idx):
            cand = pd.DataFrame({"c": ci[idx], "p": pi[idx], "lvl": -e.place_level[pi[idx]],
                                 "v": e.point_mid[pi[idx]]})
            cand = cand.sort_values(["c", "lvl", "v", "p"], kind="stable").drop_duplicates("c")
            parent[cand["c"].to_numpy()] = cand["p"].to_numpy()
            link[cand["c"].to_numpy()] = 1
    # 3. Within: totals and tallies over the incidents of their area and window.
    length = hi - lo
    aggregate = dated & (e.category >= 0) & ((e.scope == 1) | (e.place_level <= 1) |
                                             e.region | (length > 0))
    k_all = np.where(dated & (e.category >= 0), key_codes(e.block, np.maximum(e.category, 0)), -1)
    pi, ci = window_join(np.where(aggregate, k_all, -1), lo, hi, k_all, lo, hi, 0)
    if len(pi):
        ok = (pi != ci) & (link[ci] != 1) & (parent[pi] != ci)
        ok &= (lo[ci] >= lo[pi] - tolerance) & (hi[ci] <= hi[pi] + tolerance)
        lp = np.where(e.place_level[pi] < 0, 0, e.place_level[pi])
        lc = np.where(e.place_level[ci] < 0, 4, e.place_level[ci])
        longer = length[pi] > length[ci]
        coarser = (lp < lc) | (e.region[pi] & ~e.region[ci] & (e.place_level[ci] >= 1))
        ok &= longer | coarser
        ok &= ~(e.region[ci] & ~e.region[pi] & (lp >= 2) & ~longer)
        ok &= e.point_max[pi] >= e.point_min[ci]
        vp, vc = e.victims[pi], e.victims[ci]
        ok &= (vp < 0) | (vc < 0) | (vp == vc) | narrower[np.maximum(vc, 0), np.maximum(vp, 0)]
        ok &= (e.event[pi] == 0) | (e.event[ci] == 0) | ((e.event[pi] & e.event[ci]) != 0) | \
            ((e.related[pi] & e.event[ci]) != 0)
        idx = np.flatnonzero(ok)
        if len(idx):
            idx = idx[_contains(e, pi[idx], ci[idx], f)]
        if len(idx):
            cand = pd.DataFrame({"c": ci[idx], "p": pi[idx], "len": length[pi[idx]],
                                 "lvl": -e.place_level[pi[idx]], "v": e.point_max[pi[idx]]})
            cand = cand.sort_values(["c", "len", "lvl", "v", "p"], kind="stable") \
                .drop_duplicates("c")
            free = link[cand["c"].to_numpy()] == 0
            c_ok = cand["c"].to_numpy()[free]
            parent[c_ok] = cand["p"].to_numpy()[free]
            link[c_ok] = 2
    # No cycles: a parent whose own chain leads back to the child loses that link.
    for _ in range(8):
        grand = np.where(parent >= 0, parent[np.maximum(parent, 0)], -1)
        cyc = (grand == np.arange(n_ev)) & (np.arange(n_ev) > parent)
        if not cyc.any():
            break
        parent[cyc] = -1
        link[cyc] = 0
    return parent, link
