"""Resolve each event's claims into ``low / best / high``.

BASELINE, to be replaced by the resolution issue (learned reliability,
source dependence, calibrated confidence). What it does now:

1. A later report from the same source on the same event supersedes its
   earlier ones (tolls grow; an early "at least 25" is not wrong).
2. When the active claims' intervals intersect, the event is ``agreed`` and
   ``[low, high]`` is that intersection; ``best`` is the median of the
   stated numbers, moved into the intersection.
3. When they do not, the event is ``contested``: ``best`` is the median of
   the stated numbers, weighting each source once, and ``[low, high]`` spans
   the middle half of them (the weighted 25th to 75th percentile).

``confidence`` here is a heuristic, not yet calibrated: ``1 - 0.5**n`` for
n agreeing sources, and half the source-weighted share of claims that
overlap ``[low, high]`` for a contested event.

Everything is column-wise over the whole table (no Python call per event),
so a block of many events costs about the same as one.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..schema import EVENT_COLUMNS

__all__ = ["resolve_block", "resolve_events"]


def _bounds(claims: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    lo = claims["low"].astype("Float64").astype(float)
    hi = claims["high"].astype("Float64").astype(float).fillna(np.inf)
    return lo, hi


def _point(claims: pd.DataFrame, lo: pd.Series, hi: pd.Series) -> pd.Series:
    """The number a claim stands for: its anchor, else its interval's middle (or floor)."""
    anchor = claims["anchor"].astype("Float64").astype(float)
    middle = np.where(np.isinf(hi), lo, np.floor((lo + hi) / 2))
    return anchor.fillna(pd.Series(middle, index=claims.index))


def _weighted_quantile(ev: np.ndarray, value: np.ndarray, w: np.ndarray, q: float,
                       n_events: int) -> np.ndarray:
    """Per event code, the smallest value whose cumulative weight reaches q of the total."""
    order = np.lexsort((value, ev))
    ev_s, val_s, w_s = ev[order], value[order], w[order]
    total = np.bincount(ev_s, weights=w_s, minlength=n_events)
    cw = np.cumsum(w_s)
    start = np.searchsorted(ev_s, np.arange(n_events))
    before = np.concatenate(([0.0], cw))[start]  # weight of the events sorted earlier
    reached = (cw - before[ev_s]) >= q * total[ev_s] - 1e-9
    idx = np.flatnonzero(reached)
    ev_hit = ev_s[idx]
    keep = np.r_[True, ev_hit[1:] != ev_hit[:-1]]
    first = np.zeros(n_events, dtype=np.int64)
    first[ev_hit[keep]] = idx[keep]
    return val_s[first]


def _mode_per_event(ev: np.ndarray, values: pd.Series, n_events: int) -> np.ndarray:
    """Per event code, the most common value (ties: the smallest)."""
    codes, uniques = pd.factorize(values.fillna("").astype(str), sort=True)
    counts = pd.DataFrame({"ev": ev, "v": codes}).groupby(["ev", "v"]).size()
    frame = counts.rename("n").reset_index().sort_values(["ev", "n", "v"],
                                                         ascending=[True, False, True])
    best = frame.drop_duplicates("ev")
    out = np.full(n_events, "", dtype=object)
    out[best["ev"].to_numpy()] = np.asarray(uniques, dtype=object)[best["v"].to_numpy()]
    return out


def _extreme_per_event(ev: np.ndarray, values: pd.Series, how: str, n_events: int) -> np.ndarray:
    """Per event code, the min or max non-empty ISO string ("" when none)."""
    codes, found = pd.factorize(values.fillna("").astype(str), sort=True)
    uniques = np.asarray(found, dtype=object)
    rank = codes.astype(float)
    rank[uniques[codes] == ""] = np.nan
    series = pd.Series(rank).groupby(ev).agg(how)
    out = np.full(n_events, "", dtype=object)
    ok = series.notna().to_numpy()
    out[series.index.to_numpy()[ok]] = uniques[series.to_numpy()[ok].astype(int)]
    return out


def _join_per_event(ev: np.ndarray, values: pd.Series, n_events: int, *, unique: bool = False,
                    sep: str = "; ") -> np.ndarray:
    """Per event code, its values sorted and joined.

    A grouped ``agg(lambda ...)`` builds a Series per group; this sorts
    integer codes once and takes one Python step per row.
    """
    out = np.full(n_events, "", dtype=object)
    if len(values) == 0:
        return out
    codes, found = pd.factorize(values.astype(str), sort=True)
    uniques = np.asarray(found, dtype=object)
    pairs = np.stack([np.asarray(ev, dtype=np.int64), codes.astype(np.int64)], axis=1)
    if unique:
        pairs = np.unique(pairs, axis=0)
    else:
        pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    bounds = np.flatnonzero(np.r_[True, pairs[1:, 0] != pairs[:-1, 0], True])
    texts = uniques[pairs[:, 1]].tolist()
    heads = pairs[bounds[:-1], 0].tolist()
    for head, a, b in zip(heads, bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        out[head] = sep.join(texts[a:b])
    return out


def resolve_block(claims: pd.DataFrame, source_weight: Mapping[str, float] | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Resolve the events of one block of claims (each with an ``event_id``).

    Returns ``(events, claims)``: one row per event with the columns of
    :data:`EVENT_COLUMNS`, and the claims with ``verdict`` added. Output is
    sorted by id and does not depend on row order.

    Notes
    -----
    Event ids and sources become integer codes once; every group operation
    after that is over integers: O(n log n) in the number of claims.
    """
    if claims.empty:
        events = pd.DataFrame({c: pd.Series(dtype=object) for c in EVENT_COLUMNS})
        out = claims.copy()
        out["verdict"] = pd.Series(dtype=object)
        return events, out
    c = claims.sort_values("claim_id", kind="stable").reset_index(drop=True)
    ev, event_ids = pd.factorize(c["event_id"], sort=True)
    n_ev = len(event_ids)
    src, _ = pd.factorize(c["source"])
    lo, hi = _bounds(c)
    value = _point(c, lo, hi).to_numpy()
    lo_a, hi_a = lo.to_numpy(), hi.to_numpy()
    published = c["published"].fillna("").astype(str) if "published" in c else \
        pd.Series("", index=c.index)

    # 1. Supersession within (event, source): ISO strings sort as times.
    pub_rank, _ = pd.factorize(published, sort=True)
    key = ev.astype(np.int64) * (int(src.max()) + 1) + src
    latest = pd.Series(pub_rank).groupby(key).transform("max").to_numpy()
    superseded = published.ne("").to_numpy() & (pub_rank < latest)
    active = ~superseded

    # Each source weighs 1 in total, however many active claims it has (times the
    # weight a reviewer's trust or distrust gives it, when there is one).
    per_source = pd.Series(active.astype(float)).groupby(key).transform("sum").to_numpy()
    w = np.where(active, 1.0 / np.maximum(per_source, 1), 0.0)
    if source_weight:
        w = w * c["source"].map(source_weight).fillna(1.0).to_numpy(dtype=float)

    # 2. Intersection of the active intervals.
    a_ev, a_lo, a_hi = ev[active], lo_a[active], hi_a[active]
    ilo = np.full(n_ev, -np.inf)
    np.maximum.at(ilo, a_ev, a_lo)
    ihi = np.full(n_ev, np.inf)
    np.minimum.at(ihi, a_ev, a_hi)
    consistent = ilo <= ihi

    # 3. Weighted quantiles of the stated numbers.
    a_val, a_w = value[active], w[active]
    median = _weighted_quantile(a_ev, a_val, a_w, 0.5, n_ev)
    q25 = _weighted_quantile(a_ev, a_val, a_w, 0.25, n_ev)
    q75 = _weighted_quantile(a_ev, a_val, a_w, 0.75, n_ev)
    best = np.where(consistent, np.clip(median, ilo, ihi), median)
    low = np.where(consistent, ilo, np.minimum(q25, best))
    high = np.where(consistent, ihi, np.maximum(q75, best))
    best = np.floor(best)

    n_claims = np.bincount(ev, minlength=n_ev)
    n_sources = np.bincount(np.unique(np.stack([ev, src], axis=1), axis=0)[:, 0], minlength=n_ev)

    # Share of source weight whose interval overlaps [low, high] (contested confidence).
    overlap = (a_lo <= high[a_ev]) & (a_hi >= low[a_ev])
    share = np.bincount(a_ev, weights=a_w * overlap, minlength=n_ev) / \
        np.bincount(a_ev, weights=a_w, minlength=n_ev)
    confidence = np.round(np.where(consistent, 1 - 0.5 ** n_sources, 0.5 * share), 3)
    status = np.where(n_sources == 1, "single-source",
                      np.where(consistent, "agreed", "contested"))

    # Verdict of each claim against its event's best.
    ev_best = best[ev]
    verdict = np.select([superseded, hi_a < ev_best, lo_a > ev_best],
                        ["superseded", "below", "above"], "consistent")
    out = c.copy()
    out["verdict"] = verdict

    # Conflicts: the active claims that leave out best, for the reviewer.
    off_mask = active & np.isin(verdict, ("below", "above"))
    off = out[off_mask]
    figure = off["figure"].fillna("").astype(str)
    label = off["source"].astype(str) + " " + figure.where(figure.ne(""), _interval_text(off)) \
        + " (" + off["verdict"] + ")"
    conflicts = _join_per_event(ev[off_mask], label, n_ev)

    parents = np.full(n_ev, "", dtype=object)
    if "part_of" in c:
        has = c["part_of"].fillna("").astype(str).ne("").to_numpy()
        if has.any():
            where = dict(zip(c["claim_id"], c["event_id"], strict=True))
            parent = c.loc[has, "part_of"].map(where)
            link = pd.DataFrame({"ev": ev[has], "own": c.loc[has, "event_id"].to_numpy(),
                                 "parent": parent.to_numpy()}).dropna()
            link = link[link["parent"] != link["own"]].sort_values(["ev", "parent"])
            link = link.drop_duplicates("ev")
            parents[link["ev"].to_numpy()] = link["parent"].to_numpy()

    events = pd.DataFrame({"event_id": np.asarray(event_ids, dtype=object)})
    for col in ("category", "victims", "location", "country"):
        events[col] = _mode_per_event(ev, c[col], n_ev)
    events["date_start"] = _extreme_per_event(ev, c["date_start"], "min", n_ev)
    events["date_end"] = _extreme_per_event(ev, c["date_end"], "max", n_ev)
    events["low"] = pd.array(low, dtype="Float64").astype("Int64")
    events["best"] = pd.array(best, dtype="Float64").astype("Int64")
    events["high"] = pd.array(np.where(np.isinf(high), np.nan, high), dtype="Float64").astype("Int64")
    events["confidence"] = confidence
    events["status"] = status
    events["n_claims"] = n_claims
    events["n_sources"] = n_sources
    events["n_independent"] = n_sources  # BASELINE: no dependence detection yet
    events["parent_event_id"] = parents
    events["sources"] = _join_per_event(ev, c["source"], n_ev, unique=True)
    events["conflicts"] = conflicts
    return events[list(EVENT_COLUMNS)], out


def _interval_text(claims: pd.DataFrame) -> pd.Series:
    high = claims["high"].astype("string").fillna("∞")
    close = np.where(claims["high"].isna(), ")", "]")
    return "[" + claims["low"].astype("string") + ", " + high + close


def resolve_events(claims: pd.DataFrame, source_weight: Mapping[str, float] | None = None
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Resolve every event in ``claims``; see :func:`resolve_block`.

    ``source_weight`` (source -> factor, default 1) is the priors hook: what
    a reviewer's ``trust`` and ``distrust`` verdicts make of a source.
    """
    return resolve_block(claims, source_weight)
