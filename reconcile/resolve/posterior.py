"""Per-event posteriors on a grid of candidate counts, for a block of many events.

A block is a set of whole events (and whole families of events: a part and
its whole, a total and the incidents within it, fall in one block). The work
is column-wise over (claim, grid point) pairs of the block; there is no
Python call per event.

The grid of an event is a set of integer candidates: every number its claims
state and the integers on either side of every bound (so that mass inside
and outside a claim's interval is counted exactly), plus a lattice of
log-spaced counts over the span its claims allow. Each candidate stands for
the integers between it and its neighbours (a *bin*); a bin's prior is the
prior density times its number of integers, its likelihood that of its
candidate. A claim's own number is always a bin of one integer, so a narrow
likelihood is neither missed nor smeared.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .dependence import Dependence
from .frame import FAMILY_OF_CLASS, N_AGE, Prepared
from .model import (
    COMPONENTS,
    LOG_RANGE,
    LOGISTIC,
    MAX_K,
    N_PRIOR,
    PRIOR_STEP,
    SCALE_STEPS,
    SCALED_CLASSES,
    Options,
    SourceParams,
    Stats,
)

__all__ = ["Grid", "Posterior", "build_grid", "compute_posterior", "estep_stats"]

MAX_COUNT = 1e10
FINE_STEP = 0.04  # spacing of the comb of candidates around each stated number (log scale)
FINE_POINTS = 3  # candidates on each side
SHIFT = np.int64(1) << np.int64(35)  # event * SHIFT + count: one sortable key (counts < 3.4e10)


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 + 0.5 * np.tanh(0.5 * x)


@dataclass(eq=False)
class Grid:
    """Candidate counts of the events of a block, events contiguous and ascending.

    ``ev`` (local event index per point), ``point`` (the candidate), ``b`` and
    ``n`` (first integer of its bin and how many), ``logv`` (log of the
    candidate; -inf for 0), ``start``/``stop`` per event, ``first_pos`` per
    event (the first positive candidate: 0, when present, comes first).
    """

    ev: np.ndarray
    point: np.ndarray
    b: np.ndarray
    n: np.ndarray
    logv: np.ndarray
    start: np.ndarray
    stop: np.ndarray
    first_pos: np.ndarray

    @property
    def size(self) -> int:
        return len(self.point)


def _reach(p: Prepared, rows: np.ndarray, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How far below and above its numbers a claim's likelihood reaches (log scale)."""
    fam = FAMILY_OF_CLASS[p.cls[rows]]
    widen = 3.0 * sigma + 0.2
    down = np.where(fam == 2, 3.0, np.where(fam == 1, 0.4, 0.9)) + widen
    up = np.where(fam == 1, 3.0, np.where(fam == 2, 0.4, 1.0)) + widen
    lo = np.maximum(p.core_lo[rows], 1.0)
    hi = np.where(np.isfinite(p.core_hi[rows]), np.maximum(p.core_hi[rows], 1.0),
                  lo * np.exp(2.3))
    return np.log(lo) - down, np.log(hi) + up


def build_grid(p: Prepared, rows: np.ndarray, local_ev: np.ndarray, n_events: int,
               weight: np.ndarray, sigma: np.ndarray, options: Options) -> Grid:
    """The grid of each of ``n_events`` events from its claims ``rows`` (weighted or not).

    ``local_ev`` gives each row's event (0..n_events-1). Claims with weight 0
    add their bounds as candidates (so their verdicts are exact) but do not
    widen the span.
    """
    w = weight[rows] > 0
    zero = p.zero[rows]
    span_rows = w & ~zero
    lo_log = np.full(n_events, np.inf)
    hi_log = np.full(n_events, -np.inf)
    if span_rows.any():
        a, b = _reach(p, rows[span_rows], sigma[span_rows])
        np.minimum.at(lo_log, local_ev[span_rows], a)
        np.maximum.at(hi_log, local_ev[span_rows], b)
    has_zero = np.zeros(n_events, dtype=bool)
    has_zero[local_ev[w & zero]] = True
    none = ~np.isfinite(lo_log)  # only denials: keep a modest span for T > 0
    lo_log[none], hi_log[none] = 0.0, np.log(1000.0)
    lo_log = np.clip(lo_log, 0.0, np.log(MAX_COUNT))
    hi_log = np.clip(hi_log, lo_log, np.log(MAX_COUNT))

    # Lattice: exp(k * step) rounded, with a coarser step for very wide spans.
    base = options.grid_step
    mult = np.maximum(1, np.ceil((hi_log - lo_log) / (base * options.max_points))).astype(np.int64)
    step = base * mult
    k0 = np.ceil(lo_log / step).astype(np.int64)
    k1 = np.floor(hi_log / step).astype(np.int64)
    count = np.maximum(k1 - k0 + 1, 0)
    lat_ev = np.repeat(np.arange(n_events), count)
    offs = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    lat = np.rint(np.exp((k0[lat_ev] + offs) * step[lat_ev]))
    # The span's own ends, so the lattice covers it.
    ends_ev = np.concatenate([np.arange(n_events), np.arange(n_events)])
    ends = np.concatenate([np.floor(np.exp(lo_log)), np.ceil(np.exp(hi_log))])

    # Stated numbers and both sides of every bound; a fine comb around each weighted
    # figure's numbers (the lattice may be coarse where nothing was said).
    cand_ev, cand = [lat_ev, ends_ev], [lat, ends]
    lo, hi = p.lo[rows], p.hi[rows]
    clo, chi = p.core_lo[rows], p.core_hi[rows]
    fine = w & ~zero
    steps = np.arange(-FINE_POINTS, FINE_POINTS + 1) * FINE_STEP
    interval = fine & (chi != clo)
    for core in (clo[fine], chi[interval]):
        ok = np.isfinite(core) & (core >= 1)
        comb = np.rint(core[ok, None] * np.exp(steps[None, :])).ravel()
        owner = local_ev[fine] if len(core) == int(fine.sum()) else local_ev[interval]
        cand_ev.append(np.repeat(owner[ok], len(steps)))
        cand.append(comb)
    for values in (clo, clo - 1, clo + 1, chi, chi - 1, chi + 1, lo, lo - 1, hi, hi + 1):
        ok = np.isfinite(values) & (values >= 1)
        cand_ev.append(local_ev[ok])
        cand.append(values[ok])
    cand_ev.append(np.flatnonzero(has_zero))
    cand.append(np.zeros(int(has_zero.sum())))
    ev_all = np.concatenate(cand_ev).astype(np.int64)
    val = np.clip(np.concatenate(cand), 0, MAX_COUNT).astype(np.int64)
    # Points outside the span (a far bound of a claim) are kept: they bound masses.
    key = np.sort(ev_all * SHIFT + val)
    key = key[np.r_[True, key[1:] != key[:-1]]] if len(key) else key
    ev = (key // SHIFT).astype(np.int64)
    point = (key % SHIFT).astype(np.int64)
    start = np.searchsorted(ev, np.arange(n_events), side="left")
    stop = np.searchsorted(ev, np.arange(n_events), side="right")
    # Bins: from half-way to the previous point to half-way to the next.
    same_prev = np.r_[False, ev[1:] == ev[:-1]]
    b = np.where(same_prev, (np.r_[0, point[:-1]] + point) // 2 + 1, point)
    nxt = np.r_[b[1:], 0]
    same_next = np.r_[ev[1:] == ev[:-1], False]
    n = np.where(same_next, nxt - b, point - b + 1)
    with np.errstate(divide="ignore"):
        logv = np.log(point.astype(float))
    first_pos = start + (point[np.minimum(start, len(point) - 1)] == 0) if len(point) else start
    return Grid(ev, point, b, n, logv, start, stop, first_pos)


def _claim_scale(p: Prepared, rows: np.ndarray, params: SourceParams) -> np.ndarray:
    """Each claim's noise (standard deviation, log scale): its source's, times its
    kind's scale (vague words, ranges, "about"), times the hedge scale if hedged."""
    sigma = params.noise[p.src[rows]] * params.class_scale[p.cls[rows]]
    return np.where(p.hedged[rows], sigma * params.hedge_scale, sigma)


@dataclass(eq=False)
class _Family:
    """The claims of one family of offsets in a block, in groups that share an offset.

    Claims of one event reported in the same age window (and alike in being
    final or not) share their offset component: sources counting at the same
    hour share the same incompleteness; each keeps its own noise and its own
    chance of being an outlier. ``cell`` indexes (group, grid point) pairs.
    """

    fam: int
    rows: np.ndarray  # claim rows (global), grouped
    group: np.ndarray  # per claim: its group
    log_gw: np.ndarray  # per group, per component: log mixture weight
    pc: np.ndarray  # per pair: position in rows
    pj: np.ndarray  # per pair: grid point
    cell: np.ndarray  # per pair: its (group, point) cell
    cell_point: np.ndarray  # per cell: grid point
    cell_group: np.ndarray  # per cell: group
    u0: np.ndarray  # per claim: log of the lower edge of its core (-inf when none)
    u1: np.ndarray  # per claim: log of the upper edge (+inf when none)
    wk: np.ndarray  # per claim, per component: mixture weight (its own kind and age)
    c_out: np.ndarray  # per claim: its probability under the outlier density
    point: np.ndarray  # per claim: a stated number (for bias and noise)
    omega: np.ndarray = None  # type: ignore[assignment]  # per claim: its source's outlier share
    exact: np.ndarray | None = None  # per claim: its source's exactness (exact figures only)
    stated: np.ndarray | None = None  # per claim: the count an exact figure states
    comp_ll: list = None  # type: ignore[assignment]  # per component, per pair (EM only)
    sums: list = None  # type: ignore[assignment]  # per component, per cell (EM only)
    log_lg: np.ndarray | None = None  # per cell: the group's log-likelihood (EM only)


def _family(p: Prepared, cr: np.ndarray, ce: np.ndarray, grid: Grid, fam: int,
            weight: np.ndarray, params: SourceParams, options: Options) -> _Family:
    gam = COMPONENTS[fam][0]
    K = len(gam)
    age, final = p.age[cr], p.final[cr]
    order = np.lexsort((cr, final, age, ce))
    cr, ce, age, final = cr[order], ce[order], age[order], final[order]
    # Undated figures share nothing: nothing says they were counted at the same time.
    undated = age == N_AGE - 1
    new = np.r_[True, (ce[1:] != ce[:-1]) | (final[1:] != final[:-1]) | undated[1:]] \
        if len(cr) else np.zeros(0, bool)
    group = np.cumsum(new) - 1
    n_groups = int(group[-1]) + 1 if len(group) else 0
    cls = p.cls[cr]
    wk = params.offsets[cls, age, :K].copy()
    wk[final] = np.eye(1, K)[0]
    w = weight[cr]
    gw = np.zeros((n_groups, K))
    np.add.at(gw, group, wk * w[:, None])
    gw /= np.maximum(gw.sum(axis=1, keepdims=True), 1e-300)
    with np.errstate(divide="ignore"):
        log_gw = np.log(gw)
    clo, chi = p.core_lo[cr], p.core_hi[cr]
    if not options.growth and fam != 0:
        # Without growth a bound is only a bound: [l, inf) or [0, h].
        clo = np.where(fam == 1, p.lo[cr], 0.0)
        chi = np.where(fam == 1, np.inf, p.hi[cr])
    with np.errstate(divide="ignore", invalid="ignore"):
        u0 = np.where(clo >= 1, np.log(np.maximum(clo - 0.5, 0.5)), -np.inf)
        u1 = np.where(np.isfinite(chi), np.log(chi + 0.5), np.inf)
    width = np.minimum(u1, LOG_RANGE) - np.maximum(u0, 0.0)
    c_out = np.clip(width, 1e-9, None) / LOG_RANGE
    first = grid.first_pos[ce]
    cnt = grid.stop[ce] - first
    pc = np.repeat(np.arange(len(cr)), cnt)
    offs = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    pj = np.repeat(first, cnt) + offs
    # cells: each group with each positive point of its event
    head = np.flatnonzero(new)
    g_cnt = cnt[head]
    g_start = np.r_[0, np.cumsum(g_cnt)[:-1]]
    cell = g_start[group[pc]] + offs
    cell_group = np.repeat(np.arange(n_groups), g_cnt)
    cell_point = np.repeat(first[head], g_cnt) + (np.arange(g_cnt.sum())
                                                  - np.repeat(g_start, g_cnt))
    point = np.isin(cls, (0, 1, 2)) if options.growth else cls == 0
    exact = stated = None
    if fam == 0 and len(params.exact):
        # An exact figure, when complete and no outlier, is the count itself with the
        # source's exactness, else a noisy reading of it.
        is_exact = (cls == 0) & (p.core_lo[cr] >= 1) & np.isfinite(p.core_lo[cr])
        if is_exact.any():
            exact = np.where(is_exact, params.exact[p.src[cr]], 0.0)
            stated = np.where(is_exact, p.core_lo[cr], -1.0).astype(np.int64)
    return _Family(fam, cr, group, log_gw, pc, pj, cell, cell_point, cell_group, u0, u1, wk,
                   c_out, point, params.outlier[p.src[cr]], exact, stated)


def _exactify(f: _Family, grid: Grid, lk: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The complete component of exact figures: ``exact * [T == stated] + (1 - exact) * lk``.

    The stated count is always a bin of one integer (its neighbours are
    candidates), so the point mass is exact on the grid. Returns the mixed
    likelihood and the pairs where the candidate is the stated count.
    """
    if f.exact is None or f.stated is None:
        return lk, None
    ex = f.exact.astype(np.float32)[f.pc]
    hit = np.flatnonzero(grid.point[f.pj] == f.stated[f.pc])
    lk = lk * (np.float32(1.0) - ex)
    lk[hit] += ex[hit]
    return lk, hit


def _distances(p: Prepared, f: _Family, grid: Grid, params: SourceParams
               ) -> tuple[np.ndarray, np.ndarray]:
    """Per pair: the claim's core edges (log, less its source's bias) minus log T.

    Single precision: the likelihood is a density on the log scale, where 1e-7
    relative precision is far below anything that moves a quantile; it halves
    the memory traffic, which is what the pair arithmetic is bound by.
    """
    bias = params.bias[p.src[f.rows]]
    v = grid.logv[f.pj].astype(np.float32)
    return ((f.u0 - bias).astype(np.float32)[f.pc] - v,
            (f.u1 - bias).astype(np.float32)[f.pc] - v)


def _component(p: Prepared, f: _Family, d0: np.ndarray, d1: np.ndarray, sigma: np.ndarray,
               params: SourceParams, k: int) -> np.ndarray:
    """Per pair: one component's likelihood of the claim (without the outlier term).

    A point component is the logistic mass of the claim's core interval,
    shifted by the offset: ``(tanh(z1 / 2) - tanh(z0 / 2)) / 2``. A flat
    component averages that mass over offsets spread evenly on [gamma, tau]:
    with S the integral of the logistic CDF (``s * softplus(x / s)``), the mass
    of [u0, u1] averaged over offsets g in [g0, g1] is
    ``(S(d1 - g0) - S(d1 - g1) - S(d0 - g0) + S(d0 - g1)) / (g1 - g0)``; for a
    core narrower than the spread, the core's width times the mean density,
    ``(u1 - u0) (F(d - g0) - F(d - g1)) / (g1 - g0)``. Far tails lose precision,
    where the outlier term dominates anyway.
    """
    gam, tau, _, flat = COMPONENTS[f.fam]
    width = f.u1 - f.u0
    if flat[k]:
        s = sigma * LOGISTIC
        inv = (1.0 / s)[f.pc]
        g0, g1 = gam[k], tau[k]
        narrow = (width < 0.5 * s)[f.pc]
        mid = 0.5 * (d0 + d1)
        mid = np.where(np.isfinite(mid), mid, np.where(np.isfinite(d0), d0, d1))
        dens = _sigmoid((mid - g0) * inv) - _sigmoid((mid - g1) * inv)
        lk = np.where(np.isfinite(width), width, 0.0)[f.pc] * dens / (g1 - g0)
        wide = np.flatnonzero(~narrow)
        if len(wide):
            iw, sw = inv[wide], s[f.pc[wide]]
            a, b = d0[wide], d1[wide]
            with np.errstate(invalid="ignore"):
                top = np.where(np.isfinite(b), sw * (_softplus((b - g0) * iw)
                                                     - _softplus((b - g1) * iw)), g1 - g0)
                bot = np.where(np.isfinite(a), sw * (_softplus((a - g0) * iw)
                                                     - _softplus((a - g1) * iw)), 0.0)
            lk[wide] = np.clip((top - bot) / (g1 - g0), 0.0, 1.0)
    else:
        # sigma(z1) - sigma(z0) = 2 sinh((z1 - z0) / 2) e^(-|a| - |b|) / ((1 + e^(-2|a|))
        # (1 + e^(-2|b|))) with a = z1 / 2, b = z0 / 2: exact, no cancellation, only
        # exponentials of negative numbers (cheap and safe).
        half_inv = 0.5 / (np.sqrt(sigma ** 2 + tau[k] ** 2) * LOGISTIC)
        finite = np.isfinite(width)
        scale = np.where(finite, 2.0 * np.sinh(np.minimum(np.where(finite, width, 0.0)
                                                           * half_inv, 80.0)), 0.0)
        h = half_inv.astype(np.float32)[f.pc]
        g = np.float32(gam[k])
        a = d1 - g
        a *= h
        np.abs(a, out=a)
        b = d0 - g
        b *= h
        np.abs(b, out=b)
        with np.errstate(invalid="ignore", over="ignore"):
            num = np.exp(-(a + b))
            num *= scale.astype(np.float32)[f.pc]
            a *= np.float32(-2.0)
            np.exp(a, out=a)
            a += np.float32(1.0)
            b *= np.float32(-2.0)
            np.exp(b, out=b)
            b += np.float32(1.0)
            a *= b
            num /= a
            lk = num
        open_end = ~finite[f.pc]
        if open_end.any():
            idx = np.flatnonzero(open_end)
            z1 = np.clip((d1[idx] - g) * 2.0 * h[idx], -80.0, 80.0)
            z0 = np.clip((d0[idx] - g) * 2.0 * h[idx], -80.0, 80.0)
            lk[idx] = 1.0 / (1.0 + np.exp(-z1)) - 1.0 / (1.0 + np.exp(-z0))
    return np.maximum(np.nan_to_num(lk, nan=0.0), 0.0)


def _with_outlier(lk: np.ndarray, f: _Family, params: SourceParams,
                  pairs: np.ndarray | slice = slice(None), p: Prepared | None = None
                  ) -> np.ndarray:
    """log((1 - omega_s) lk + omega_s c): the claim's source's outlier share mixed in."""
    omega = f.omega
    out = (omega * f.c_out).astype(np.float32)[f.pc[pairs]]
    out += (1.0 - omega).astype(np.float32)[f.pc[pairs]] * lk
    return np.log(out).astype(np.float64)


def _group_loglik(p: Prepared, f: _Family, grid: Grid, sigma: np.ndarray, weight: np.ndarray,
                  params: SourceParams, keep: bool) -> np.ndarray:
    """Per cell: log of the group's likelihood, its components shared by its claims.

    A claim alone in its group needs no sharing: its components mix in the
    linear domain and take one log per pair (the fast path, most claims).
    """
    n_cells = len(f.cell_point)
    w = weight[f.rows][f.pc]
    K = f.log_gw.shape[1]
    d0, d1 = _distances(p, f, grid, params)
    size = np.bincount(f.group)
    alone = (size[f.group] == 1)[f.pc] & (w == 1.0) & (not keep)
    shared = np.flatnonzero(~alone)
    solo = np.flatnonzero(alone)
    gw = np.exp(f.log_gw)
    mix = np.zeros(len(solo))
    sums: list[np.ndarray | None] = []
    comp: list[np.ndarray | None] = []
    for k in range(K):
        if not np.isfinite(f.log_gw[:, k]).any():
            sums.append(None)
            comp.append(None)
            continue
        lk = _component(p, f, d0, d1, sigma, params, k)
        if k == 0:
            lk, _ = _exactify(f, grid, lk)
        if len(solo):
            mix += gw[f.group[f.pc[solo]], k] * lk[solo]
        ll = _with_outlier(lk[shared], f, params, shared)
        sums.append(np.bincount(f.cell[shared], weights=w[shared] * ll, minlength=n_cells))
        comp.append(ll.astype(np.float32) if keep else None)
    terms = [f.log_gw[f.cell_group, k] + sums[k] for k in range(K) if sums[k] is not None]
    top = np.max(terms, axis=0)
    with np.errstate(invalid="ignore"):
        acc = sum(np.exp(np.where(np.isfinite(t), t - top, -np.inf)) for t in terms)
    log_lg = top + np.log(acc)
    if len(solo):
        log_lg[f.cell[solo]] = _with_outlier(mix, f, params, solo)
    if keep:
        f.comp_ll, f.sums, f.log_lg = comp, sums, log_lg
    return log_lg


@dataclass(eq=False)
class Posterior:
    """A block's posteriors: ``mass`` per grid point (each event sums to 1), the
    grid, and the pieces the E-step statistics need."""

    grid: Grid
    mass: np.ndarray
    families: list  # the _Family pairs (EM only)
    sigma: np.ndarray  # per claim of the block (global index): its noise


def compute_posterior(p: Prepared, dep: Dependence, rows: np.ndarray, local_ev: np.ndarray,
                      n_events: int, group: np.ndarray, params: SourceParams,
                      options: Options, *, keep_pairs: bool, grid: Grid | None = None
                      ) -> Posterior:
    """Posterior over the grid of each event of a block.

    ``rows``: the block's claims (indices into ``p``), ``local_ev`` their
    event (0..n_events-1), ``group`` each event's prior group. Only claims
    with positive weight enter the likelihood.
    """
    weight = dep.weight
    sigma_all = np.zeros(p.n)
    sigma_all[rows] = _claim_scale(p, rows, params)
    if grid is None:
        grid = build_grid(p, rows, local_ev, n_events, weight, sigma_all[rows], options)
    G = grid.size
    loglik = np.zeros(G)
    has_w = weight[rows] > 0
    w_rows, w_ev = rows[has_w], local_ev[has_w]
    families = []

    # Positive claims, per family of offsets.
    positive = ~p.zero[w_rows]
    fam_all = FAMILY_OF_CLASS[p.cls[w_rows]]
    zero_total = np.zeros(n_events)
    # Final pass: the counts of one event share errors beyond the offset component (the
    # same briefing, a copy not matched, a claim grouped with the wrong event): W weighted
    # counts with correlation rho carry W / (1 + (W - 1) rho) observations' evidence, so
    # each weighs 1 / (1 + (W - 1) rho). Denials are not tempered: no shared error there.
    temper = np.ones(n_events)
    if options.shared_error > 0 and not keep_pairs:
        w_pos = np.bincount(w_ev[positive], weights=weight[w_rows[positive]], minlength=n_events)
        temper = 1.0 / (1.0 + np.maximum(w_pos - 1.0, 0.0) * options.shared_error)
    for fam in (0, 1, 2):
        sel = positive & (fam_all == fam)
        if not sel.any():
            continue
        f = _family(p, w_rows[sel], w_ev[sel], grid, fam, weight, params, options)
        log_lg = _group_loglik(p, f, grid, sigma_all[f.rows], weight, params, keep_pairs)
        loglik += np.bincount(f.cell_point, weights=log_lg, minlength=G) * temper[grid.ev]
        # At T = 0 a positive count can only be an outlier (a fabrication).
        zero_total += np.bincount(w_ev[sel], weights=weight[w_rows[sel]] * np.log(
            params.outlier[p.src[w_rows[sel]]] * _c_out(p, w_rows[sel], fam, options)),
            minlength=n_events) * temper
        if keep_pairs:
            families.append(f)

    # Claims of 0: likelihood 1 - omega at T = 0, the speaker's false-denial rate above.
    zr = w_rows[~positive]
    ze = w_ev[~positive]
    if len(zr):
        zero_total += np.bincount(ze, weights=weight[zr] * np.log(1.0 - params.outlier[p.src[zr]]),
                                  minlength=n_events)
        flat = np.bincount(ze, weights=weight[zr] * np.log(params.false_denial[p.src[zr]]),
                           minlength=n_events)
        loglik += flat[grid.ev]
    is_zero = grid.point == 0
    loglik[is_zero] = zero_total[grid.ev[is_zero]]

    # Prior: density over log T times the bin's integers (per integer: density / t).
    with np.errstate(invalid="ignore"):
        pbin = np.clip((grid.logv / PRIOR_STEP).astype(np.int64), 0, N_PRIOR - 1)
    pbin[is_zero] = 0
    logprior = params.log_prior[group[grid.ev], pbin] + np.log(grid.n) - \
        np.where(is_zero, 0.0, grid.logv)
    ev_zero = np.zeros(n_events, dtype=bool)
    ev_zero[grid.ev[is_zero]] = True
    logprior = np.where(ev_zero[grid.ev], logprior + np.log1p(-params.p_zero), logprior)
    logprior[is_zero] = np.log(params.p_zero)

    lp = logprior + loglik
    top = np.maximum.reduceat(lp, grid.start) if G else np.zeros(0)
    mass = np.exp(lp - top[grid.ev])
    norm = np.add.reduceat(mass, grid.start) if G else np.zeros(0)
    mass /= norm[grid.ev]
    return Posterior(grid, mass, families, sigma_all)


def _c_out(p: Prepared, rows: np.ndarray, fam: int, options: Options) -> np.ndarray:
    """Each claim's probability under the outlier density (uniform on the log scale)."""
    clo, chi = p.core_lo[rows], p.core_hi[rows]
    if not options.growth and fam != 0:
        clo = np.where(fam == 1, p.lo[rows], 0.0)
        chi = np.where(fam == 1, np.inf, p.hi[rows])
    with np.errstate(divide="ignore", invalid="ignore"):
        u0 = np.where(clo >= 1, np.log(np.maximum(clo - 0.5, 0.5)), -np.inf)
        u1 = np.where(np.isfinite(chi), np.log(chi + 0.5), np.inf)
    return np.clip(np.minimum(u1, LOG_RANGE) - np.maximum(u0, 0.0), 1e-9, None) / LOG_RANGE


def estep_stats(p: Prepared, dep: Dependence, post: Posterior, group: np.ndarray,
                params: SourceParams, stats: Stats, *, scales: bool = True) -> None:
    """Add one block's sufficient statistics to ``stats`` (in place); ``scales``: also the
    expected log-likelihood of the interval kinds at each candidate scale (costly; a
    sample of blocks is enough for three global numbers)."""
    grid, mass = post.grid, post.mass
    weight = dep.weight
    for f in post.families:
        cr, pc, pj = f.rows, f.pc, f.pj
        w = weight[cr]
        n = len(cr)
        K = f.log_gw.shape[1]
        cell_mass = mass[f.cell_point]
        # Component responsibilities of each group, over its event's posterior.
        rho: list[np.ndarray | None] = []
        for k in range(K):
            if f.sums[k] is None:
                rho.append(None)
                continue
            rho.append(np.exp(f.log_gw[f.cell_group, k] + f.sums[k] - f.log_lg))
        comp_w = np.zeros((n, MAX_K))
        r_out = np.zeros(n)
        r0 = None
        for k in range(K):
            if rho[k] is None:
                continue
            rk = np.bincount(f.cell_group, weights=cell_mass * rho[k],
                             minlength=int(f.group[-1]) + 1 if n else 0)
            comp_w[:, k] = w * rk[f.group]
            q = (cell_mass * rho[k])[f.cell]
            out_share = np.clip(f.omega[pc] * f.c_out[pc] / np.exp(f.comp_ll[k].astype(float)),
                                0, 1)
            r_out += np.bincount(pc, weights=q * out_share, minlength=n)
            if k == 0:
                r0 = q * (1.0 - out_share)
        S = len(stats.n0)
        if r0 is not None and f.exact is not None and f.stated is not None:
            # Of the complete, non-outlier weight at the stated count: the share that is
            # the point mass (the figure is the count itself), not the noisy reading.
            hit = np.flatnonzero(grid.point[pj] == f.stated[pc])
            omega, c_out = f.omega[pc[hit]], f.c_out[pc[hit]]
            lk0 = (np.exp(f.comp_ll[0][hit].astype(float)) - omega * c_out) / (1.0 - omega)
            share = np.clip(f.exact[pc[hit]] / np.maximum(lk0, 1e-30), 0.0, 1.0)
            r_exact = r0[hit] * share
            r0 = r0.copy()
            r0[hit] -= r_exact
            is_exact = f.exact > 0
            x_num = np.bincount(pc[hit], weights=r_exact, minlength=n)
            x_den = np.bincount(pc, weights=r0, minlength=n) + x_num
            stats.x_num += np.bincount(p.src[cr][is_exact], weights=(w * x_num)[is_exact],
                                       minlength=S)
            stats.x_den += np.bincount(p.src[cr][is_exact], weights=(w * x_den)[is_exact],
                                       minlength=S)
        np.add.at(stats.comp, (p.cls[cr], p.age[cr]), comp_w)
        stats.out_num += np.bincount(p.src[cr], weights=w * r_out, minlength=S)
        stats.out_den += np.bincount(p.src[cr], weights=w, minlength=S)
        # Interval kinds: expected log-likelihood at each candidate scale (claim by claim).
        scaled = np.isin(p.cls[cr], SCALED_CLASSES) & scales
        if scaled.any():
            pos, sub_pj = _subpairs(pc, pj, scaled)
            sub = _Family(f.fam, cr[scaled], f.group[scaled], f.log_gw, pos, sub_pj,
                          np.zeros(len(pos), np.int64), f.cell_point, f.cell_group,
                          f.u0[scaled], f.u1[scaled], f.wk[scaled], f.c_out[scaled],
                          f.point[scaled], f.omega[scaled])
            cls_s = p.cls[sub.rows]
            sig = post.sigma[sub.rows]
            m = mass[sub.pj] * weight[sub.rows][sub.pc]
            d0, d1 = _distances(p, sub, grid, params)
            for i, step in enumerate(SCALE_STEPS):
                lik = np.zeros(len(sub.pc))
                for k in range(K):
                    wk_k = sub.wk[sub.pc, k]
                    if not wk_k.any():
                        continue
                    lik += wk_k * np.exp(_with_outlier(
                        _component(p, sub, d0, d1, sig * step, params, k), sub, params))
                q = np.bincount(sub.pc, weights=m * np.log(lik), minlength=len(sub.rows))
                np.add.at(stats.q_scale[:, i], cls_s, q)
        # Bias and noise from figures with a stated number, read as complete (component 0).
        point = f.point
        if r0 is None or not point.any():
            continue
        with np.errstate(divide="ignore"):
            e = np.log(p.core_lo[cr])[pc] - grid.logv[pj]
        e = np.where(np.isfinite(e), e, 0.0)
        n0 = np.bincount(pc, weights=r0, minlength=n)
        s1 = np.bincount(pc, weights=r0 * e, minlength=n)
        s2 = np.bincount(pc, weights=r0 * e * e, minlength=n)
        src = p.src[cr]
        plain = point & ~p.hedged[cr]
        stats.n0 += np.bincount(src[plain], weights=(w * n0)[plain], minlength=S)
        stats.s1 += np.bincount(src[plain], weights=(w * s1)[plain], minlength=S)
        stats.s2 += np.bincount(src[plain], weights=(w * s2)[plain], minlength=S)
        hedged = point & p.hedged[cr]
        if hedged.any():
            b = params.bias[src]
            var = params.noise[src] ** 2
            sq = (s2 - 2 * b * s1 + b * b * n0) / var
            stats.h0 += np.bincount(src[hedged], weights=(w * n0)[hedged], minlength=S)
            stats.h2 += np.bincount(src[hedged], weights=(w * sq)[hedged], minlength=S)
    # The prior over counts: pooled posterior mass.
    positive_pts = grid.point > 0
    with np.errstate(invalid="ignore"):
        pbin = np.clip((grid.logv / PRIOR_STEP).astype(np.int64), 0, N_PRIOR - 1)
    np.add.at(stats.hist, (group[grid.ev[positive_pts]], pbin[positive_pts]),
              mass[positive_pts])


def _subpairs(pc: np.ndarray, pj: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of the kept claims, with claim positions renumbered."""
    sel = keep[pc]
    new_pos = np.cumsum(keep) - 1
    return new_pos[pc[sel]], pj[sel]


def denial_stats(p: Prepared, dep: Dependence, rows: np.ndarray, local_ev: np.ndarray,
                 post: Posterior, stats: Stats) -> None:
    """Add the denials of a block to ``stats``: weight, and weight of being false."""
    zr = rows[(dep.weight[rows] > 0) & p.zero[rows]]
    if not len(zr):
        return
    ze = local_ev[(dep.weight[rows] > 0) & p.zero[rows]]
    grid = post.grid
    p0 = np.where(grid.point[grid.start[ze]] == 0, post.mass[grid.start[ze]], 0.0)
    S = len(stats.z0)
    stats.z0 += np.bincount(p.src[zr], weights=dep.weight[zr], minlength=S)
    stats.z1 += np.bincount(p.src[zr], weights=dep.weight[zr] * (1.0 - p0), minlength=S)


# ---------------------------------------------------------------------------- summaries


def cumulative(post: Posterior) -> np.ndarray:
    """Mass of each event up to and including each grid point."""
    grid = post.grid
    cs = np.cumsum(post.mass)
    before = np.r_[0.0, cs][grid.start]
    return cs - before[grid.ev]


def cdf_at(post: Posterior, cm: np.ndarray, ev: np.ndarray, x: np.ndarray) -> np.ndarray:
    """P(T <= x) for each (local event, integer x); integers inside a bin share its mass evenly."""
    grid = post.grid
    if not len(ev):
        return np.zeros(0)
    keys = grid.ev * SHIFT + grid.b
    xi = np.clip(np.floor(x), -1, MAX_COUNT * 2).astype(np.int64)
    i = np.searchsorted(keys, ev * SHIFT + np.maximum(xi, 0), side="right") - 1
    i = np.clip(i, 0, grid.size - 1)
    inside = (grid.ev[i] == ev) & (xi >= grid.b[i])
    frac = np.minimum((xi - grid.b[i] + 1) / grid.n[i], 1.0)
    out = cm[i] - post.mass[i] + post.mass[i] * frac
    out = np.where(inside, out, 0.0)
    return np.clip(out, 0.0, 1.0)


def mass_between(post: Posterior, cm: np.ndarray, ev: np.ndarray, lo: np.ndarray,
                 hi: np.ndarray) -> np.ndarray:
    """P(lo <= T <= hi) for each (local event, integer bounds); ``hi`` may be inf."""
    top = np.where(np.isfinite(hi), cdf_at(post, cm, ev, np.where(np.isfinite(hi), hi, 0)), 1.0)
    return np.clip(top - cdf_at(post, cm, ev, lo - 1), 0.0, 1.0)


def quantile(post: Posterior, cm: np.ndarray, q: float | np.ndarray, n_events: int
             ) -> np.ndarray:
    """The integer q-quantile of every event of the block."""
    grid = post.grid
    q = np.broadcast_to(np.asarray(q, dtype=float), (n_events,))
    key = grid.ev + np.minimum(cm, 1.0)
    target = np.arange(n_events) + np.clip(q, 0.0, 1.0) - 1e-12
    i = np.searchsorted(key, target, side="left")
    i = np.minimum(np.maximum(i, grid.start), grid.stop - 1)
    m = post.mass[i]
    before = cm[i] - m
    frac = np.where(m > 0, (q - before) / np.where(m > 0, m, 1.0), 0.0)
    step = np.clip(np.floor(frac * grid.n[i]), 0, grid.n[i] - 1)
    return (grid.b[i] + step).astype(np.int64)


def density_at(post: Posterior, ev: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Posterior mass per integer at x (the mass of x's bin over its size)."""
    grid = post.grid
    keys = grid.ev * SHIFT + grid.b
    i = np.clip(np.searchsorted(keys, ev * SHIFT + x.astype(np.int64), side="right") - 1, 0,
                grid.size - 1)
    inside = (grid.ev[i] == ev) & (x >= grid.b[i]) & (x < grid.b[i] + grid.n[i])
    return np.where(inside, post.mass[i] / grid.n[i], 0.0)
