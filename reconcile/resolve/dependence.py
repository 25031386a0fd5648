"""Dependence before reliability: who adds an independent observation to an event.

Three rules, in order, each column-wise over the whole claims table:

1. **Relays.** The same source stating the same interval for the same event
   again ("X, as quoted by Y", a wire story re-run) is one observation: the
   earliest is kept, the rest are ``relayed``.
2. **Supersession.** Each source speaks once per event, through its latest
   report: earlier dated reports of the same source are ``superseded``
   (tolls grow; a later report replaces an earlier one). Reports published at
   the same latest time share the source's one voice; undated reports are
   never superseded.
3. **Copies** (Dong, Berti-Equille & Srivastava, VLDB 2009). A claim that
   repeats, interval for interval, what another source published earlier on
   the same event (within ``window`` hours) *matches*. Independent sources
   match each other now and then (true values coincide); a copier or an
   outlet that repeats an originator without naming it matches almost
   always. A two-component binomial mixture over sources, fitted by EM,
   gives each source the probability that it copies; a matching claim keeps
   only the weight ``1 - P(copier)``, since its original already counts.
   The source copied is the one it matched most often.

Values that many sources share by chance say little (Dong et al.'s point:
sharing a false value is the evidence, sharing a common one is not): vague
words and counts below ``min_count`` neither count as matches nor as chances
to match.

The result is each claim's ``weight`` (its share of one independent voice)
and its dependence verdict; ``n_independent`` of an event is the number of
sources left with at least half a voice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .frame import Prepared

__all__ = ["ACTIVE", "COPY", "RELAYED", "SUPERSEDED", "Dependence", "detect_dependence",
           "independent_voices", "keep_one_voice", "scale_weights"]

ACTIVE, SUPERSEDED, RELAYED, COPY = 0, 1, 2, 3


@dataclass(eq=False)
class Dependence:
    """Per claim: ``role`` (ACTIVE, SUPERSEDED, RELAYED, COPY), ``weight`` in [0, 1],
    ``copies_src`` (source code of the claim it repeats, -1), ``match`` (bool).

    Per source: ``p_copier``, ``copies_of`` (source code, -1), ``n_eligible``,
    ``n_match``. Per event: ``n_independent``. Mixture: ``rate_independent``,
    ``rate_copier``, ``share_copiers``.
    """

    role: np.ndarray
    weight: np.ndarray
    copies_src: np.ndarray
    match: np.ndarray
    p_copier: np.ndarray
    copies_of: np.ndarray
    n_eligible: np.ndarray
    n_match: np.ndarray
    n_independent: np.ndarray
    rate_independent: float = 0.0
    rate_copier: float = 0.0
    share_copiers: float = 0.0


def _group_rank(keys: list[np.ndarray], order_keys: list[np.ndarray]
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group ids of ``keys`` and, within each group, the rank of each row by ``order_keys``.

    Returns (group id per row, rank per row, sort order).
    """
    order = np.lexsort([*reversed(order_keys), *reversed(keys)])
    n = len(order)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), order
    new = np.zeros(n, dtype=bool)
    new[0] = True
    for k in keys:
        ks = k[order]
        new[1:] |= ks[1:] != ks[:-1]
    gid_sorted = np.cumsum(new) - 1
    start = np.flatnonzero(new)
    rank_sorted = np.arange(n) - start[gid_sorted]
    gid = np.empty(n, np.int64)
    rank = np.empty(n, np.int64)
    gid[order] = gid_sorted
    rank[order] = rank_sorted
    return gid, rank, order


def detect_dependence(p: Prepared, *, enabled: bool = True, window_hours: float = 48.0,
                      min_count: int = 5, iterations: int = 50) -> Dependence:
    """Relays, supersession and copies for prepared claims (see the module notes).

    With ``enabled=False`` every claim is its own observation of weight 1
    (the "without dependence" ablation).

    Notes
    -----
    A few sorts of the claims table: O(n log n). The copy mixture is fitted
    over sources (hundreds to thousands of rows), not claims.
    """
    n = p.n
    idx = np.arange(n)
    role = np.full(n, ACTIVE, dtype=np.int8)
    weight = np.ones(n)
    copies_src = np.full(n, -1, dtype=np.int64)
    match = np.zeros(n, dtype=bool)
    S = p.n_sources
    empty_src = np.zeros(S)
    if not enabled or n == 0:
        n_ind = np.bincount(p.ev, minlength=p.n_events)
        return Dependence(role, weight, copies_src, match, empty_src.copy(),
                          np.full(S, -1, np.int64), empty_src.copy(), empty_src.copy(), n_ind)

    dated = p.pub >= 0
    # Undated claims sort after dated ones, then by canonical (claim_id) order.
    when = np.where(dated, p.pub, np.iinfo(np.int64).max)
    lo_key = p.lo
    hi_key = np.where(np.isinf(p.hi), -1.0, p.hi)

    # 1. Relays: same (event, source, interval), all but the earliest.
    _, rank, _ = _group_rank([p.ev, p.src, lo_key, hi_key], [when, idx])
    role[rank > 0] = RELAYED
    observation = role == ACTIVE

    # 2. Supersession: earlier dated observations of the same (event, source).
    pair = p.ev * S + p.src
    latest = pd.Series(np.where(observation & dated, p.pub, -1)).groupby(pair).transform("max") \
        .to_numpy()
    superseded = observation & dated & (p.pub < latest)
    role[superseded] = SUPERSEDED
    active = role == ACTIVE

    # 3. Copies: an observation repeating an earlier one of another source on the same event.
    # Matches are found among all dated observations; the mixture that says who copies
    # is fitted on the informative ones only (no vague words, no small counts).
    # Matches are sought within the event and within the story (same category, victims
    # and first day), so that a repeat still counts as one when grouping split its event.
    rows = np.flatnonzero(observation & dated & ~p.zero)
    story = _story(p)
    is_match = np.zeros(len(rows), dtype=bool)
    for key in (p.ev, story):
        gid, rank, _ = _group_rank([key[rows], lo_key[rows], hi_key[rows]], [p.pub[rows], rows])
        n_groups = int(gid.max()) + 1 if len(gid) else 0
        first_pub = np.zeros(n_groups, dtype=np.int64)
        first_src = np.full(n_groups, -1, dtype=np.int64)
        head = rank == 0
        first_pub[gid[head]] = p.pub[rows[head]]
        first_src[gid[head]] = p.src[rows[head]]
        lag = p.pub[rows] - first_pub[gid]
        hit = (rank > 0) & (lag > 0) & (lag <= window_hours * 60) & \
            (first_src[gid] != p.src[rows]) & ~is_match
        copies_src[rows[hit]] = first_src[gid[hit]]
        is_match |= hit
    match[rows[is_match]] = True

    # Chances to copy: the event had an earlier informative claim of another source.
    informative = (p.cls[rows] != 5) & (p.core_hi[rows] >= min_count)
    inf_rows = rows[informative]
    ev_first = pd.Series(p.pub[inf_rows]).groupby(p.ev[inf_rows]).transform("min").to_numpy()
    eligible = (p.pub[inf_rows] > ev_first) | is_match[informative]
    n_eligible = np.bincount(p.src[inf_rows[eligible]], minlength=S).astype(float)
    n_match = np.bincount(p.src[inf_rows[is_match[informative]]], minlength=S).astype(float)
    p_copier, r_ind, r_copy, share = _copy_mixture(n_match, n_eligible, iterations)

    # The source each copier copies: the one it matched most often.
    copies_of = np.full(S, -1, dtype=np.int64)
    if is_match.any():
        m = pd.DataFrame({"s": p.src[rows[is_match]], "t": first_src[gid[is_match]]})
        counts = m.value_counts().rename("k").reset_index().sort_values(
            ["s", "k", "t"], ascending=[True, False, True]).drop_duplicates("s")
        keep = p_copier[counts["s"].to_numpy()] >= 0.5
        copies_of[counts["s"].to_numpy()[keep]] = counts["t"].to_numpy()[keep]

    # Weights: one voice per (event, source) among its active claims; copies keep 1 - P(copier).
    share_active = pd.Series(active.astype(float)).groupby(pair).transform("sum").to_numpy()
    weight = np.where(active, 1.0 / np.maximum(share_active, 1.0), 0.0)
    copy_w = np.where(match, 1.0 - p_copier[p.src], 1.0)
    weight = weight * copy_w
    role[active & match & (p_copier[p.src] >= 0.5)] = COPY

    weight = keep_one_voice(weight, p.ev, p.n_events)
    n_ind = independent_voices(p.ev, p.src, weight, p.n_events, S)
    return Dependence(role, weight, copies_src, match, p_copier, copies_of, n_eligible,
                      n_match, n_ind, r_ind, r_copy, share)


def independent_voices(ev: np.ndarray, src: np.ndarray, weight: np.ndarray, n_events: int,
                       n_sources: int) -> np.ndarray:
    """Per event, the sources left with at least half a voice (summed weight >= 0.5)."""
    pair = ev * n_sources + src
    voice = pd.Series(weight).groupby(pair).sum()
    return np.bincount((voice.index.to_numpy() // n_sources)[voice.to_numpy() >= 0.5 - 1e-9],
                       minlength=n_events)


def scale_weights(p: Prepared, dep: Dependence, factor: np.ndarray | None) -> Dependence:
    """``dep`` with each claim's weight multiplied by ``factor`` (checks made before
    resolution: :attr:`Prepared.factor`), and ``n_independent`` counted again."""
    if factor is None:
        return dep
    weight = dep.weight * factor
    n_ind = independent_voices(p.ev, p.src, weight, p.n_events, p.n_sources)
    return replace(dep, weight=weight, n_independent=n_ind)


def _story(p: Prepared) -> np.ndarray:
    """A code per claim for its story: category, victims and first day."""
    c = p.claims
    key = np.zeros(p.n, dtype=np.int64)
    for col in ("category", "victims", "date_start"):
        if col not in c:
            continue
        codes, uniques = pd.factorize(c[col].astype(object).where(c[col].notna(), ""))
        key = key * (len(uniques) + 1) + codes.astype(np.int64)
    return pd.factorize(key)[0].astype(np.int64)


def _copy_mixture(k: np.ndarray, n: np.ndarray, iterations: int
                  ) -> tuple[np.ndarray, float, float, float]:
    """EM for a two-component binomial mixture of sources: independent or copier.

    ``k`` matches out of ``n`` chances per source. The copier rate starts at
    0.9 and the independent one at the pooled rate; both are kept apart
    (independent <= 0.5 <= copier) and smoothed by a few pseudo-counts so a
    source with one chance is not called a copier on it. Returns P(copier)
    per source and the fitted rates and share.
    """
    has = n > 0
    p = np.zeros(len(k))
    if not has.any():
        return p, 0.0, 0.0, 0.0
    kk, nn = k[has], n[has]
    pooled = float(kk.sum() / nn.sum())
    r_i = min(max(pooled / 2, 0.01), 0.4)
    r_c = 0.9
    pi = 0.2
    for _ in range(iterations):
        log_c = np.log(pi) + kk * np.log(r_c) + (nn - kk) * np.log1p(-r_c)
        log_i = np.log1p(-pi) + kk * np.log(r_i) + (nn - kk) * np.log1p(-r_i)
        post = 1.0 / (1.0 + np.exp(np.clip(log_i - log_c, -700, 700)))
        new_pi = float(np.clip((post.sum() + 1) / (len(post) + 2), 0.01, 0.99))
        new_c = float(np.clip(((post * kk).sum() + 9) / ((post * nn).sum() + 10), 0.5, 0.999))
        new_i = float(np.clip((((1 - post) * kk).sum() + 1) / (((1 - post) * nn).sum() + 10),
                              0.001, 0.5))
        done = abs(new_pi - pi) + abs(new_c - r_c) + abs(new_i - r_i) < 1e-7
        pi, r_c, r_i = new_pi, new_c, new_i
        if done:
            break
    log_c = np.log(pi) + kk * np.log(r_c) + (nn - kk) * np.log1p(-r_c)
    log_i = np.log1p(-pi) + kk * np.log(r_i) + (nn - kk) * np.log1p(-r_i)
    p[has] = 1.0 / (1.0 + np.exp(np.clip(log_i - log_c, -700, 700)))
    return p, r_i, r_c, pi


def keep_one_voice(weight: np.ndarray, ev: np.ndarray, n_events: int) -> np.ndarray:
    """``weight`` with each event's heaviest claim lifted to 1 when it is below.

    An event keeps at least one voice: a fragment holding only repeats of
    figures counted elsewhere is still the only trace of what it reports.

    >>> keep_one_voice(np.array([0.25, 0.5, 1.0, 0.0]), np.array([0, 0, 1, 2]), 3).tolist()
    [0.5, 1.0, 1.0, 0.0]
    """
    top = np.zeros(n_events)
    np.maximum.at(top, ev, weight)
    lift = (top > 0) & (top < 1.0)
    if not lift.any():
        return weight
    return np.where(lift[ev], np.minimum(weight / np.where(lift, top, 1.0)[ev], 1.0), weight)
