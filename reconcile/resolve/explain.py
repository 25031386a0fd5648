"""From posteriors to what a reviewer reads: low/best/high, verdicts, status, grade, basis.

Definitions (the README repeats them for users):

- ``[low, high]`` is the central credible interval at the run's level (80%
  by default); for an event whose only figures are vague words ("dozens") it
  is their stated range, whatever the posterior. ``confidence`` is the
  posterior mass inside ``[low, high]``.
- ``best`` is the count most likely to lie within 10% of the truth (the
  centre of the posterior's densest 10% window), except that a number a source
  stated (an exact or approximate figure) inside ``[low, high]`` is taken
  instead: the one the posterior supports most, ties broken by the source's
  learnt trust (outlier share and noise), then by the later report, never by
  "the lower". In a dispute (two modes, or figures that exclude each other)
  best is a number some figure states. A best nobody stated is only given when
  no stated number lies in the interval.
- A claim's verdict: ``superseded`` (a later report of the same source, or
  an earlier two-sided count below ``[low, high]`` when a later count lies
  inside: tolls grow), ``relayed``, ``copy``, ``denial``, else where its
  *bounds* sit against ``[low, high]``: ``below``, ``above`` or
  ``consistent``. ``distance`` is how far outside.
- Status: ``single-source`` (one independent source), ``contested`` (a
  denial against independent counts, or independent figures that exclude
  each other and each hold real posterior mass), ``agreed`` (two or more
  independent sources, none outside ``[low, high]``, and their intervals
  share a bounded range), else ``resolved``.
- Scope mismatches: a claim that measures something else than its event
  (a subset, a superset, another measure: :mod:`.scope`) is weighed as the
  bound it is, listed in ``scope_mismatch`` and never counted a conflict.
- Grade (after Airwars): ``contested``; ``confirmed`` (agreed);
  ``fair`` (resolved); ``weak`` (one independent source, or only vague or
  hedged figures).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .columns import join_per_event, unique_pairs
from .dependence import COPY, RELAYED, SUPERSEDED, Dependence
from .frame import Prepared
from .posterior import Posterior, cumulative, density_at, mass_between, quantile

__all__ = ["EventSummary", "claim_verdicts", "explain_events", "summarise"]


@dataclass(eq=False)
class EventSummary:
    """Per event of a block (local codes): the numbers and the flags behind status."""

    low: np.ndarray
    best: np.ndarray
    high: np.ndarray
    median: np.ndarray
    snapped: np.ndarray
    vague_only: np.ndarray
    bounds_only: np.ndarray
    lead: np.ndarray  # row (global claim index) of the claim best comes from, -1
    split: np.ndarray  # independent figures exclude each other, each holding real mass
    bimodal: np.ndarray  # the posterior has two modes
    mode_lo: np.ndarray
    mode_hi: np.ndarray
    confidence: np.ndarray | None = None


def window_mode(post: Posterior, cm: np.ndarray, n_events: int, median: np.ndarray,
                width: float = 0.10) -> np.ndarray:
    """Per event, the count x whose window [x / (1 + width), x / (1 - width)] holds the most
    posterior mass (a point within ``width`` of the truth as often as can be); windows
    within one percentage point of the most go to the point nearest the median."""
    g = post.grid
    # candidates: the posterior's bulk (the window's centre is never in a 1% tail)
    bulk = np.flatnonzero((cm >= 0.01) & (cm - post.mass <= 0.99))
    ev = g.ev[bulk]
    x = g.point[bulk].astype(float)
    lo = np.ceil(x / (1 + width))
    hi = np.floor(x / (1 - width))
    m = mass_between(post, cm, ev, lo, hi)
    m = np.where(x > 0, m, post.mass[bulk])
    dist = np.abs(np.log(np.maximum(x, 0.5)) - np.log(np.maximum(median[ev], 0.5)))
    top = np.zeros(n_events)
    np.maximum.at(top, ev, m)
    near_top = m >= top[ev] - 0.01
    order = np.lexsort((dist, ~near_top, ev))
    first = order[np.r_[True, ev[order][1:] != ev[order][:-1]]] if len(order) else order
    out = median.copy()
    out[ev[first]] = x[first]
    return out


def bimodality(post: Posterior, cm: np.ndarray, n_events: int, look: np.ndarray,
               share: float = 0.15, dip: float = 0.5, smooth: float = 0.05
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per event of ``look``: whether its posterior has two modes, and where they are.

    On the density per unit of log count, smoothed over ``smooth`` either side
    (the mass of [x e^-smooth, x e^smooth]: an exact figure's point mass and the
    figures a few percent from it are one hump, not two), a point is a valley
    when at least ``share`` of the mass lies on each side of it and its density
    is at most ``dip`` times the highest density on either side: two events
    merged, or a real dispute (KDEm's point). Returns (flag, lower mode, upper
    mode).
    """
    g = post.grid
    pos = (g.point > 0) & look[g.ev]
    ev, m = g.ev[pos], post.mass[pos]
    x = g.point[pos].astype(float)
    w_lo = np.minimum(np.ceil(x * np.exp(-smooth)), x)
    w_hi = np.maximum(np.floor(x * np.exp(smooth)), x)
    d = mass_between(post, cm, ev, w_lo, w_hi) / np.log((w_hi + 0.5) / (w_lo - 0.5))
    # the modes are named by the unsmoothed density: a stated number, not its neighbour
    b, n = g.b[pos].astype(float), g.n[pos].astype(float)
    raw = m / np.maximum(np.log(b + n - 0.5) - np.log(np.maximum(b - 0.5, 0.5)), 1e-9)
    frame = pd.DataFrame({"ev": ev, "d": d, "m": m})
    by = frame.groupby("ev", sort=False)
    left_max = by["d"].cummax().to_numpy()
    right_max = frame.iloc[::-1].groupby("ev", sort=False)["d"].cummax().to_numpy()[::-1]
    before = by["m"].cumsum().to_numpy() - m
    total = np.bincount(ev, weights=m, minlength=n_events)
    after = total[ev] - before - m
    prev_max = np.r_[0.0, left_max[:-1]]
    prev_max[np.r_[True, ev[1:] != ev[:-1]]] = 0.0
    next_max = np.r_[right_max[1:], 0.0]
    next_max[np.r_[ev[1:] != ev[:-1], True]] = 0.0
    valley = (before >= share) & (after >= share) & (d <= dip * np.minimum(prev_max, next_max))
    flag = np.zeros(n_events, dtype=bool)
    flag[ev[valley]] = True
    # the modes: the densest point below and above the first valley
    lo_mode = np.zeros(n_events)
    hi_mode = np.zeros(n_events)
    if valley.any():
        first_valley = np.full(n_events, np.inf)
        np.minimum.at(first_valley, ev[valley], np.flatnonzero(valley).astype(float))
        idx = np.arange(len(ev))
        side = idx < first_valley[ev]
        for mask, out in ((side, lo_mode), (~side, hi_mode)):
            sel = np.flatnonzero(mask & flag[ev])
            order = sel[np.lexsort((-raw[sel], ev[sel]))]
            top = order[np.r_[True, ev[order][1:] != ev[order][:-1]]] if len(order) else order
            out[ev[top]] = g.point[pos][top]
    return flag, lo_mode, hi_mode


def summarise(p: Prepared, dep: Dependence, rows: np.ndarray, local_ev: np.ndarray,
              n_events: int, post: Posterior, params, level: float, snap: bool,
              window: bool = True) -> EventSummary:
    """low / best / high of each event from its posterior (before hierarchy)."""
    cm = cumulative(post)
    tail = (1.0 - level) / 2.0
    low = quantile(post, cm, tail, n_events).astype(float)
    high = quantile(post, cm, 1.0 - tail, n_events).astype(float)
    median = quantile(post, cm, 0.5, n_events).astype(float)

    w = dep.weight[rows] > 0
    cls = p.cls[rows]
    wr, we = rows[w], local_ev[w]
    n_w = np.bincount(we, minlength=n_events)
    vague_only = (np.bincount(we, weights=(p.cls[wr] == 5), minlength=n_events) == n_w) & \
        (n_w > 0)
    bounds_only = (np.bincount(we, weights=np.isin(p.cls[wr], (1, 2)), minlength=n_events)
                   == n_w) & (n_w > 0)
    del cls

    # Vague words only: the stated range is the interval.
    if vague_only.any():
        vlo = np.full(n_events, -np.inf)
        vhi = np.full(n_events, np.inf)
        np.maximum.at(vlo, we, p.lo[wr])
        np.minimum.at(vhi, we, p.hi[wr])
        ok = vague_only & (vlo <= vhi)
        low = np.where(ok, vlo, low)
        high = np.where(ok & np.isfinite(vhi), vhi, np.where(ok, np.maximum(high, vlo), high))

    # Where every weighted figure agrees (their intervals intersect), best stays inside.
    inter_lo = np.full(n_events, -np.inf)
    inter_hi = np.full(n_events, np.inf)
    np.maximum.at(inter_lo, we, p.lo[wr])
    np.minimum.at(inter_hi, we, p.hi[wr])
    agree = inter_lo <= inter_hi
    inter_lo = np.where(agree, inter_lo, -np.inf)
    inter_hi = np.where(agree, inter_hi, np.inf)

    # Disputes: a posterior with two modes, or live independent figures that exclude
    # each other even allowing half their learnt noise each, each holding real mass.
    n_src = np.bincount(unique_pairs(we, p.src[wr])[:, 0],
                        minlength=n_events) if len(wr) else np.zeros(n_events, np.int64)
    bimodal, mode_lo, mode_hi = bimodality(post, cm, n_events, n_src >= 2)
    sigma = post.sigma[wr]
    spread = np.exp(0.5 * sigma)
    wide = mass_between(post, cm, we, np.floor(p.lo[wr] / spread), np.ceil(p.hi[wr] * spread))
    strong = (wide >= 0.15) & ~p.zero[wr]
    max_lo = np.full(n_events, -np.inf)
    min_hi = np.full(n_events, np.inf)
    np.maximum.at(max_lo, we[strong], (p.lo[wr] / spread)[strong])
    np.minimum.at(min_hi, we[strong], (p.hi[wr] * spread)[strong])
    split = max_lo > min_hi
    split &= n_src >= 2
    bimodal &= n_src >= 2
    disputed = split | bimodal

    # Best: the count most likely to be within 10%: the centre of the posterior's
    # densest window [x / 1.1, x / 0.9] (its "10% mode"). In a dispute, only a number
    # some figure holds: not a compromise nobody stated.
    centre = window_mode(post, cm, n_events, median) if window else median
    lead = np.full(n_events, -1, dtype=np.int64)
    if disputed.any() and len(wr):
        centre, lead = _held_mode(p, wr, we, post, cm, disputed, centre, params.outlier)
    best = np.clip(centre, inter_lo, inter_hi)
    snapped = lead >= 0
    if snap and len(wr):
        anchor = p.anchor[wr]
        value = np.where(p.cls[wr] == 0, p.core_lo[wr], anchor)
        stated = np.isin(p.cls[wr], (0, 3)) & np.isfinite(value) & (value >= p.lo[wr]) & \
            (value <= p.hi[wr]) & ~p.zero[wr]
        cand = stated & (value >= low[we]) & (value <= high[we]) & (value >= inter_lo[we]) & \
            (value <= inter_hi[we]) & ~disputed[we]
        if cand.any():
            cr, ce, cv = wr[cand], we[cand], value[cand]
            dens = np.round(density_at(post, ce, cv) * cv, 2)
            distrust = params.outlier[p.src[cr]] + params.noise[p.src[cr]]
            order = np.lexsort((-cr, -p.pub[cr], distrust, -dens, ce))
            first = order[np.r_[True, ce[order][1:] != ce[order][:-1]]]
            best[ce[first]] = cv[first]
            snapped[ce[first]] = True
            lead[ce[first]] = cr[first]
    low = np.minimum(low, best)
    high = np.maximum(high, best)
    return EventSummary(low, best, high, median, snapped, vague_only, bounds_only, lead, split,
                        bimodal, mode_lo, mode_hi)


def _held_mode(p: Prepared, wr: np.ndarray, we: np.ndarray, post: Posterior, cm: np.ndarray,
               disputed: np.ndarray, centre: np.ndarray, p_outlier: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """For disputed events: among the numbers the figures state (an exact or approximate
    number, the ends of a bound or range), the one the posterior supports most."""
    keep = disputed[we] & ~p.zero[wr]
    cls = p.cls[wr]
    value = np.concatenate([np.where(np.isin(cls, (0, 3)), p.anchor[wr], np.nan),
                            np.where(np.isin(cls, (1, 4, 5)), p.lo[wr], np.nan),
                            np.where(np.isin(cls, (2, 4, 5)), p.hi[wr], np.nan)])
    ev = np.concatenate([we, we, we])
    row = np.concatenate([wr, wr, wr])
    ok = np.concatenate([keep, keep, keep]) & np.isfinite(value) & (value >= 1)
    lead = np.full(len(centre), -1, dtype=np.int64)
    if not ok.any():
        return centre, lead
    value, ev, row = value[ok], ev[ok], row[ok]
    # the posterior's own support for the number (its density there, to the nearest 1%),
    # then the learnt trust of who stated it, then the later report: never "the lower"
    dens = np.round(density_at(post, ev, value) * value, 2)
    trust = -p_outlier[p.src[row]]
    order = np.lexsort((row, -p.pub[row], -trust, -dens, ev))
    first = order[np.r_[True, ev[order][1:] != ev[order][:-1]]]
    out = centre.copy()
    out[ev[first]] = value[first]
    lead[ev[first]] = row[first]
    return out, lead


def claim_verdicts(p: Prepared, dep: Dependence, rows: np.ndarray, local_ev: np.ndarray,
                   s: EventSummary, post: Posterior, params
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(verdict, distance, support, wide support) of each claim of the block.

    ``support`` is the posterior mass inside the claim's interval; ``wide``
    the same with the interval widened by its source's learnt noise
    (what a point figure really claims).
    """
    cm = cumulative(post)
    lo, hi = p.lo[rows], p.hi[rows]
    low, high = s.low[local_ev], s.high[local_ev]
    below = hi < low
    above = lo > high
    distance = np.where(below, low - hi, np.where(above, lo - high, 0.0))
    support = mass_between(post, cm, local_ev, lo, hi)
    spread = np.exp(params.noise[p.src[rows]])
    wide = mass_between(post, cm, local_ev, np.floor(lo / spread), np.ceil(hi * spread))

    role = dep.role[rows]
    weighted = dep.weight[rows] > 0
    verdict = np.where(below, "below", np.where(above, "above", "consistent")).astype(object)
    # An earlier two-sided count below best, when a later count holds best: tolls grow,
    # the later count supersedes it.
    holds = weighted & (lo <= s.best[local_ev]) & (s.best[local_ev] <= hi) & (p.pub[rows] >= 0)
    n_ev = len(s.low)
    latest_holding = np.full(n_ev, -1, dtype=np.int64)
    np.maximum.at(latest_holding, local_ev[holds], p.pub[rows][holds])
    grown = weighted & (hi < s.best[local_ev]) & np.isin(p.cls[rows], (0, 3, 4, 5)) & \
        (p.pub[rows] >= 0) & (p.pub[rows] < latest_holding[local_ev])
    verdict[grown] = "superseded"
    verdict[p.denial[rows]] = "denial"
    verdict[role == SUPERSEDED] = "superseded"
    verdict[role == RELAYED] = "relayed"
    verdict[role == COPY] = "copy"
    del weighted
    return verdict, distance, support, wide


def _counts_text(x: np.ndarray) -> np.ndarray:
    """Whole numbers with thousands separators ("∞" for inf), formatted once per value."""
    codes, uniques = pd.factorize(np.asarray(x, dtype=float))
    text = np.array(["∞" if not np.isfinite(v) else f"{v:,.0f}" for v in uniques] or [""],
                    dtype=object)
    return text[codes] if len(codes) else np.zeros(0, dtype=object)


def _column(p: Prepared, name: str, rows: np.ndarray) -> np.ndarray:
    """A text column of the claims at ``rows`` ("" where missing): the rows are taken
    first, so a block never converts the whole table's column."""
    c = p.claims
    if name not in c:
        return np.full(len(rows), "", dtype=object)
    values = c[name].iloc[rows]
    return values.where(values.notna(), "").astype(str).to_numpy(dtype=object)


def _figure_text(p: Prepared, rows: np.ndarray, need: np.ndarray) -> np.ndarray:
    """The figure as written (its interval when only bounds were given), for the rows in
    ``need`` (others get ""): only leads and conflicts are ever shown."""
    out = np.full(len(rows), "", dtype=object)
    idx = np.flatnonzero(need)
    if not len(idx):
        return out
    r = rows[idx]
    fig = _column(p, "figure", r)
    fig = np.where(pd.isna(fig), "", fig).astype(object)
    lo, hi = p.lo[r], p.hi[r]
    lo_s, hi_s = _counts_text(lo), _counts_text(hi)
    interval = np.where(lo == hi, lo_s, "[" + lo_s + ", " + hi_s + np.where(np.isfinite(hi), "]",
                                                                            ")"))
    out[idx] = np.where(fig != "", fig, interval)
    return out


def explain_events(p: Prepared, dep: Dependence, rows: np.ndarray, local_ev: np.ndarray,
                   events: np.ndarray, s: EventSummary, post: Posterior, verdict: np.ndarray,
                   distance: np.ndarray, wide: np.ndarray, params, level: float,
                   policy_note: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """status, grade, basis, conflicts, best_claims and counts of each event of a block."""
    n_ev = len(events)
    name = p.source_names[p.src[rows]]
    weighted = dep.weight[rows] > 0
    lo, hi = p.lo[rows], p.hi[rows]
    best = s.best[local_ev]
    n_ind = dep.n_independent[events]
    n_claims = np.bincount(local_ev, minlength=n_ev)
    pairs = unique_pairs(local_ev, p.src[rows]) if len(rows) else \
        np.zeros((0, 2), np.int64)
    n_sources = np.bincount(pairs[:, 0], minlength=n_ev)

    # The claim best comes from: weighted, holding best, most trusted; else the most supported.
    holds = weighted & (lo <= best) & (best <= hi)
    trust = dep.weight[rows] / params.noise[p.src[rows]]
    kind_rank = np.array([0, 2, 2, 0, 1, 3])[p.cls[rows]]  # stated numbers before bounds
    pick = np.where(rows == s.lead[local_ev], 3.0, np.where(holds, 2.0,
                                                              np.where(weighted, 1.0, 0.0)))
    with np.errstate(divide="ignore", invalid="ignore"):
        near = np.abs(np.log(np.maximum(p.core_lo[rows], 1.0)) - np.log(np.maximum(best, 1.0)))
    order = np.lexsort((-rows, -p.pub[rows], -wide, -trust, near, kind_rank, -pick, local_ev))
    first = order[np.r_[True, local_ev[order][1:] != local_ev[order][:-1]]] if len(order) else order
    lead = np.full(n_ev, -1, dtype=np.int64)
    lead[local_ev[first]] = first  # position within rows
    need = np.zeros(len(rows), dtype=bool)
    need[lead[lead >= 0]] = True
    weighted_all = dep.weight[rows] > 0
    need |= weighted_all & (np.isin(verdict, ("below", "above")) | p.denial[rows])
    # Claims that measure something else than their event (scope checks): listed as
    # a scope mismatch, never as a conflict.
    mism = (p.mismatch[rows] > 0) if p.mismatch is not None else np.zeros(len(rows), bool)
    need |= mism
    fig = _figure_text(p, rows, need)
    lead_txt = np.full(n_ev, "", dtype=object)
    has_lead = lead >= 0
    lead_txt[has_lead] = name[lead[has_lead]] + " '" + fig[lead[has_lead]] + "'"
    latest_pub = np.full(n_ev, -1, dtype=np.int64)
    np.maximum.at(latest_pub, local_ev[weighted], p.pub[rows][weighted])
    at_latest = np.bincount(local_ev, weights=weighted & (p.pub[rows] == latest_pub[local_ev]),
                            minlength=n_ev)
    is_latest = has_lead & (p.pub[rows][np.maximum(lead, 0)] == latest_pub) & (latest_pub >= 0) \
        & (n_ind >= 2) & (at_latest == 1)

    # Status.
    out_mask = weighted & np.isin(verdict, ("below", "above")) & ~mism
    n_out = np.bincount(local_ev[out_mask], minlength=n_ev)
    n_in = np.bincount(local_ev, weights=weighted & (verdict == "consistent"), minlength=n_ev)
    denial = weighted & p.denial[rows]
    has_denial = np.bincount(local_ev, weights=denial, minlength=n_ev) > 0
    positive = weighted & (lo > 0)
    has_positive = np.bincount(local_ev, weights=positive, minlength=n_ev) > 0
    contested_denial = has_denial & has_positive & (n_ind >= 2)
    # A posterior with two modes (a real dispute, or two events taken for one), or
    # live independent figures that exclude each other.
    split = (s.split | s.bimodal) & (n_ind >= 2)
    mode_lo, mode_hi = s.mode_lo, s.mode_hi
    inter_hi = np.full(n_ev, np.inf)
    inter_lo = np.full(n_ev, -np.inf)
    live = weighted & (verdict != "superseded")
    np.minimum.at(inter_hi, local_ev[live], hi[live])
    np.maximum.at(inter_lo, local_ev[live], lo[live])
    bounded = np.isfinite(inter_hi) & (inter_lo <= inter_hi)
    single = n_ind <= 1
    contested = (contested_denial | split) & ~single
    # Agreed: the live figures of two or more independent sources share a bounded range
    # that holds a number one of them stated.
    live_src = unique_pairs(local_ev[live], p.src[rows][live]) \
        if live.any() else np.zeros((0, 2), np.int64)
    n_live = np.bincount(live_src[:, 0], minlength=n_ev)
    cls = p.cls[rows]
    stated_pts = [np.where(np.isin(cls, (0, 1, 2, 3)), p.anchor[rows], np.nan),
                  np.where(cls == 4, lo, np.nan), np.where(cls == 4, hi, np.nan),
                  np.where(np.isin(cls, (1, 0)), lo, np.nan), np.where(cls == 2, hi, np.nan)]
    common = np.zeros(n_ev, dtype=bool)
    for x in stated_pts:
        ok = live & np.isfinite(x) & (x >= inter_lo[local_ev]) & (x <= inter_hi[local_ev])
        common[local_ev[ok]] = True
    agreed = ~single & ~contested & (n_out == 0) & (n_live >= 2) & bounded & common
    status = np.select([single, contested, agreed], ["single-source", "contested", "agreed"],
                       "resolved").astype(object)
    hedged_all = np.bincount(local_ev, weights=weighted & p.hedged[rows], minlength=n_ev) == \
        np.bincount(local_ev, weights=weighted, minlength=n_ev)
    grade = np.select([status == "contested", single | s.vague_only | hedged_all,
                       status == "agreed"], ["contested", "weak", "confirmed"], "fair") \
        .astype(object)

    # Basis: how best was chosen; what the other sources say.
    # One Python step per event, with each event's parts picked by integer codes: string
    # arithmetic on object arrays makes a pass over every event per "+".
    how_kind = np.select([s.vague_only, s.bounds_only & ~s.snapped,
                          s.snapped & (s.split | s.bimodal), s.snapped & is_latest, s.snapped],
                         [0, 1, 2, 3, 4], 5)
    how_text = ("Only vague figures ({}): the interval keeps their width",
                "Only bounds (nearest: {}): best adds the growth learnt for such figures",
                "Best follows the better-supported figure, {}", "Best is {}, the latest count",
                "Best is {}", "Best is the middle of the weighed figures (nearest: {})")
    how = [how_text[k].format(t) for k, t in zip(how_kind.tolist(), lead_txt.tolist(),
                                                   strict=True)]
    if policy_note is not None:
        how = [n or h for n, h in zip(policy_note.tolist(), how, strict=True)]
    deniers = join_per_event(local_ev[denial], pd.Series(name[denial]), n_ev, unique=True,
                             sep=", ")
    two = contested & split & s.bimodal
    modes = np.full(n_ev, "", dtype=object)
    if two.any():
        modes[two] = ("the figures split into two groups (around " + _counts_text(mode_lo[two])
                      + " and around " + _counts_text(mode_hi[two]) + "): contested")
    sup_kind = np.select([contested_denial & contested, two, split & contested,
                          single & (s.vague_only | s.bounds_only), single, agreed],
                         [0, 1, 2, 3, 4, 5], 6)
    n_in_i = n_in.astype(int).tolist()
    n_ind_i = n_ind.astype(int).tolist()
    outside = np.where(~single & ~agreed & ~contested & (n_out > 0), n_out, 0).tolist()
    n_grown = np.bincount(local_ev[weighted & (verdict == "superseded")], minlength=n_ev)
    grown = np.where(~single, n_grown, 0).tolist()
    tail = f" ({round(100 * level)}% interval)."

    def support(k: int, i: int) -> str:
        if k == 0:
            text = (f"denied by {deniers[i]}; a denial alone does not erase independent "
                    "counts: contested")
        elif k == 1:
            text = modes[i]
        elif k == 2:
            text = "independent figures exclude each other: contested"
        elif k == 3:
            text = "one independent source"
        elif k == 4:
            text = "one independent source: the interval is its learnt noise"
        elif k == 5:
            text = f"{n_in_i[i]} independent sources agree"
        else:
            text = f"{n_in_i[i]} of {n_ind_i[i]} independent sources consistent"
        if outside[i]:
            text += f"; {outside[i]} outside [low, high]"
        if grown[i]:
            text += (f"; {grown[i]} earlier count{'' if grown[i] == 1 else 's'} below a later "
                     "one (tolls grow)")
        return text

    basis = np.array([f"{h}; {support(k, i)}{tail}"
                      for i, (k, h) in enumerate(zip(sup_kind.tolist(), how, strict=True))],
                     dtype=object) if n_ev else np.zeros(0, dtype=object)

    # Conflicts: weighted figures outside [low, high], and denials of a count.
    conflict = out_mask | (denial & (s.best[local_ev] > 0))
    ci = np.flatnonzero(conflict)
    hedge = _column(p, "hedge", rows[ci])
    dist = _counts_text(distance[ci])
    text = np.where(denial[ci], name[ci] + " " + fig[ci] + " (denial)",
                    name[ci] + " " + fig[ci] + " (" + verdict[ci].astype(object) + " by " + dist
                    + np.where((hedge != "") & ~denial[ci], ", " + hedge, "") + ")")
    conflicts = join_per_event(local_ev[ci], pd.Series(text, dtype=object), n_ev)
    scope_mismatch = _scope_mismatch(p, rows, local_ev, n_ev, mism, name, fig, verdict, distance)

    # The claims behind best.
    # (rows are in claim_id order: prepare_claims sorts by it)
    order = np.lexsort((rows, -trust, local_ev))
    hold_sorted = order[holds[order]]
    rank = _rank_in_group(local_ev[hold_sorted])
    top = hold_sorted[rank < 5]
    none = np.ones(n_ev, dtype=bool)
    none[local_ev[top]] = False
    none &= has_lead
    shown = np.concatenate([top, lead[none]])
    ids = _column(p, "claim_id", rows[shown])
    best_claims = _join_in_order(local_ev[top], ids[:len(top)], n_ev)
    # fall back to the lead claim when none holds best
    best_claims[none] = ids[len(top):]

    return {"status": status, "grade": grade, "basis": basis, "conflicts": conflicts,
            "scope_mismatch": scope_mismatch, "best_claims": best_claims, "n_claims": n_claims,
            "n_sources": n_sources, "n_independent": n_ind}


def _scope_mismatch(p: Prepared, rows: np.ndarray, local_ev: np.ndarray, n_ev: int,
                    mism: np.ndarray, name: np.ndarray, fig: np.ndarray, verdict: np.ndarray,
                    distance: np.ndarray) -> np.ndarray:
    """Per event, its claims that measure something else, with why ("Demo Monitor 'at
    least 15' subset: civilians among the people"); each source's figure once."""
    mi = np.flatnonzero(mism)
    if not len(mi):
        return np.full(n_ev, "", dtype=object)
    check = p.claims["scope_check"].astype(str).to_numpy(dtype=object)[rows[mi]]
    outside = np.isin(verdict[mi], ("below", "above"))
    where = np.where(outside, " (" + verdict[mi].astype(object) + " by "
                     + _counts_text(distance[mi]) + ")", "")
    text = name[mi] + " '" + fig[mi] + "' " + check + where
    return join_per_event(local_ev[mi], pd.Series(text, dtype=object), n_ev, unique=True)


def _extreme_claim(ev: np.ndarray, mask: np.ndarray, value: np.ndarray, n_ev: int,
                   pick_max: bool) -> np.ndarray:
    """Per event, the position of the masked claim with the smallest (largest) value."""
    out = np.full(n_ev, -1, dtype=np.int64)
    idx = np.flatnonzero(mask)
    if not len(idx):
        return out
    key = -value[idx] if pick_max else value[idx]
    order = idx[np.lexsort((idx, key, ev[idx]))]
    first = order[np.r_[True, ev[order][1:] != ev[order][:-1]]]
    out[ev[first]] = first
    return out


def _rank_in_group(g: np.ndarray) -> np.ndarray:
    if not len(g):
        return np.zeros(0, np.int64)
    start = np.r_[True, g[1:] != g[:-1]]
    pos = np.arange(len(g))
    return pos - np.maximum.accumulate(np.where(start, pos, 0))


def _join_in_order(ev: np.ndarray, text: np.ndarray, n_ev: int, sep: str = ";") -> np.ndarray:
    """Per event, its texts joined in the given order."""
    out = np.full(n_ev, "", dtype=object)
    if not len(ev):
        return out
    bounds = np.flatnonzero(np.r_[True, ev[1:] != ev[:-1], True])
    starts, ends = bounds[:-1], bounds[1:]
    alone = ends - starts == 1  # most events: one text, nothing to join
    out[ev[starts[alone]]] = text[starts[alone]]
    texts = text.tolist()
    for a, b in zip(starts[~alone].tolist(), ends[~alone].tolist(), strict=True):
        out[ev[a]] = sep.join(texts[a:b])
    return out
