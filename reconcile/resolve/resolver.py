"""Resolution end to end: prepare, dependence, EM over blocks, final pass, tables.

The seam an engine distributes along is explicit:

- :func:`make_blocks` cuts the events into blocks of many whole events (a
  family of linked events never straddles two blocks);
- :func:`resolve_block` ``(block, params) -> BlockResult(stats, events, claims)``
  is the map: column-wise numpy over one block, no Python call per event;
- :func:`update_sources` ``(stats, params) -> params`` is the small global
  reduce (per-source bias and noise, offsets, prior), in :mod:`.model`.

:func:`resolve_events` runs them on the local engine: EM rounds of map and
reduce over the blocks of multi-source events (the ones that say anything
about sources), then one final map over every block.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..rules.sources import SourcePriors, default_source_priors
from ..schema import CHECK_COLUMNS, EVENT_COLUMNS, RESOLVED_CLAIM_COLUMNS
from .columns import extreme_per_event, join_per_event, mode_per_event
from .dependence import Dependence, detect_dependence, scale_weights
from .explain import EventSummary, claim_verdicts, explain_events, summarise
from .frame import Prepared, prepare_claims
from .graph import SourceGraph, build_graph, sources_table
from .hierarchy import hierarchy_messages, project
from .history import event_history
from .model import Options, SourceParams, Stats, initial_params, update_sources
from .policy import POLICIES, baseline_best
from .posterior import Grid, cdf_at, compute_posterior, cumulative, denial_stats, estep_stats, mass_between

__all__ = ["Block", "BlockResult", "Resolution", "make_blocks", "resolve_block",
           "resolve_events"]

LINK_NAMES = np.array(["", "part", "within"], dtype=object)


@dataclass(eq=False)
class Block:
    """Whole events of a partition: ``events`` (event codes, ascending), ``rows``
    (their claims, by event), ``local_ev`` (each row's position in ``events``).
    ``weighted_only``: the block carries only claims with weight (an EM block).
    """

    p: Prepared
    dep: Dependence
    events: np.ndarray
    rows: np.ndarray
    local_ev: np.ndarray
    weighted_only: bool = False
    index: int = 0  # position among its kind of blocks
    grid: Grid | None = None  # the EM blocks' grid, built once and kept across rounds

    @property
    def n_events(self) -> int:
        return len(self.events)


@dataclass(eq=False)
class BlockResult:
    """What a block gives back: statistics always; tables in the final pass."""

    stats: Stats
    codes: np.ndarray | None = None  # the block's event codes (the order of ``events``)
    events: pd.DataFrame | None = None
    claims: pd.DataFrame | None = None
    consistent: np.ndarray | None = None  # per row: verdict consistent


@dataclass(eq=False)
class Resolution:
    """A resolved claims table: events, claims with verdicts, sources, and the model."""

    events: pd.DataFrame
    claims: pd.DataFrame
    sources: pd.DataFrame
    params: SourceParams | None = None
    dependence: Dependence | None = None
    graph: SourceGraph | None = None
    diagnostics: dict = field(default_factory=dict)
    history: pd.DataFrame | None = None  # HISTORY_COLUMNS, when asked for


def _roots(parent: np.ndarray) -> np.ndarray:
    root = np.where(parent >= 0, parent, np.arange(len(parent)))
    for _ in range(len(parent)):
        nxt = np.where(parent[root] >= 0, parent[root], root)
        if np.array_equal(nxt, root):
            break
        root = nxt
    return root


def _cut(p: Prepared, dep: Dependence, event_order: np.ndarray, family: np.ndarray,
         block_claims: int, row_mask: np.ndarray | None, weighted_only: bool) -> list[Block]:
    """Blocks of whole families of events, in ``event_order``, about ``block_claims`` each."""
    rows_all = np.flatnonzero(row_mask) if row_mask is not None else np.arange(p.n)
    per_event = np.bincount(p.ev[rows_all], minlength=p.n_events)
    sizes = per_event[event_order]
    fam = family[event_order]
    fam_end = np.r_[fam[1:] != fam[:-1], True] if len(fam) else np.zeros(0, bool)
    cum = np.cumsum(sizes)
    ends = np.flatnonzero(fam_end)  # a block may end after any whole family
    cum_end = cum[ends]
    blocks: list[Block] = []
    start = 0
    used = 0
    j = 0
    while j < len(ends):
        # the first family end with block_claims claims since the last cut, else the last
        j = min(int(np.searchsorted(cum_end, used + block_claims, side="left")), len(ends) - 1)
        i = int(ends[j])
        events = np.sort(event_order[start:i + 1])
        sel = rows_all[np.isin(p.ev[rows_all], events)]
        sel = sel[np.argsort(p.ev[sel], kind="stable")]
        local = np.searchsorted(events, p.ev[sel])
        blocks.append(Block(p, dep, events, sel, local, weighted_only, len(blocks)))
        start, used = i + 1, int(cum[i])
        j += 1
    return blocks


def make_blocks(p: Prepared, dep: Dependence, options: Options) -> tuple[list[Block], list[Block]]:
    """(final blocks over every event, EM blocks over multi-source events).

    Final blocks hold whole families (an event with its parts and its parent
    total). EM blocks hold the weighted claims of events with at least two
    independent sources, at most ``options.em_claims`` of them: beyond that, a
    fixed sample of such events (by a hash of the event id, so the sample
    does not depend on row order).
    """
    family = _roots(p.parent)
    order = np.lexsort((np.arange(p.n_events), family))
    final = _cut(p, dep, order, family, options.block_claims, None, False)

    weighted = dep.weight > 0
    n_w = np.bincount(p.ev[weighted], minlength=p.n_events)
    multi = np.flatnonzero(dep.n_independent >= 2)
    if len(multi):
        h = pd.util.hash_array(p.event_ids[multi].astype(str))
        multi = multi[np.argsort(h, kind="stable")]
        keep = np.cumsum(n_w[multi]) <= options.em_claims
        keep[0] = True
        multi = np.sort(multi[keep])
    # EM blocks are smaller: the EM sample is, and the pool should have several to share.
    em_size = max(2_000, min(options.block_claims, options.em_claims // (2 * options.workers)))
    em = _cut(p, dep, multi, np.arange(p.n_events), em_size, weighted, True) \
        if len(multi) else []
    return final, em


def resolve_block(block: Block, params: SourceParams, options: Options, *,
                  final: bool = True, policy: str = "estimate",
                  policy_best: np.ndarray | None = None) -> BlockResult:
    """Resolve the events of one block under ``params``: the map of the seam.

    Returns the block's sufficient statistics (for :func:`update_sources`)
    and, when ``final``, its events table and its claims' resolution columns.
    ``policy`` chooses best (see :mod:`.policy`); a baseline policy passes its
    figure per event code in ``policy_best``.
    """
    p, dep = block.p, block.dep
    n_ev = block.n_events
    group = p.prior_group[block.events]
    post = compute_posterior(p, dep, block.rows, block.local_ev, n_ev, group, params, options,
                             keep_pairs=not final, grid=None if final else block.grid)
    stats = Stats.zeros(p.n_sources, len(p.prior_groups))
    if not final:
        # An EM block keeps its grid: the candidates hardly move between rounds.
        block.grid = post.grid
        # The three kind scales are global: every fourth block's claims are plenty.
        estep_stats(p, dep, post, group, params, stats, scales=block.index % 4 == 0)
        denial_stats(p, dep, block.rows, block.local_ev, post, stats)
        return BlockResult(stats)

    # Links inside the block, in local codes.
    parent = p.parent[block.events]
    local_parent = np.where(parent >= 0, np.searchsorted(block.events, np.maximum(parent, 0)), -1)
    local_parent = np.where((local_parent >= 0) & (block.events[np.clip(local_parent, 0, n_ev - 1)]
                                                   == parent), local_parent, -1)
    link = np.where(local_parent >= 0, p.link[block.events], 0)
    cm = cumulative(post)
    if hierarchy_messages(post, cm, local_parent, link):
        cm = cumulative(post)
    s = summarise(p, dep, block.rows, block.local_ev, n_ev, post, params, options.level,
                  options.snap)
    own_low, own_high = s.low.copy(), s.high.copy()
    project(s.low, s.best, s.high, local_parent, link)
    # A bound the links moved is a constraint the event's own posterior only partly
    # knows (its messages are one approximate round): its confidence is taken given it.
    raised, lowered = s.low > own_low, s.high < own_high
    # Verdicts, status and basis are the model's, whatever the policy.
    verdict, distance, _support, wide = claim_verdicts(p, dep, block.rows, block.local_ev, s,
                                                       post, params)
    note = None
    if policy == "conservative":
        note = np.full(n_ev, f"Conservative (ACLED's rule): best is the lowest credible figure, "
                             f"the low end of the {round(100 * options.level)}% interval",
                       dtype=object)
    elif policy != "estimate" and policy_best is not None:
        value = policy_best[block.events]
        note = np.where(np.isfinite(value), f"Policy {policy}: best is {POLICIES[policy]}; "
                        "[low, high] is that figure and confidence the model's chance that it "
                        "is exact", "").astype(object)
    expl = explain_events(p, dep, block.rows, block.local_ev, block.events, s, post, verdict,
                          distance, wide, params, options.level, note)
    if policy == "conservative":
        s.best = s.low.copy()
    elif policy != "estimate" and policy_best is not None:
        value = policy_best[block.events]
        ok = np.isfinite(value)
        s.best = np.where(ok, value, s.best)
        s.low = np.where(ok, value, s.low)
        s.high = np.where(ok, value, s.high)
    all_ev = np.arange(n_ev)
    s.confidence = mass_between(post, cm, all_ev, s.low, s.high)
    if policy in ("estimate", "conservative") and (raised.any() or lowered.any()):
        given = np.ones(n_ev)
        given[raised] *= mass_between(post, cm, all_ev[raised], s.low[raised],
                                      np.full(int(raised.sum()), np.inf))
        given[lowered] *= cdf_at(post, cm, all_ev[lowered], s.high[lowered])
        s.confidence = np.clip(s.confidence / np.maximum(np.maximum(given, s.confidence), 1e-12),
                               0.0, 1.0)
    events = _events_frame(p, block, s, expl, local_parent)
    claims = pd.DataFrame({
        "row": block.rows, "verdict": verdict, "weight": np.round(dep.weight[block.rows], 3),
        "distance": distance})
    return BlockResult(stats, block.events, events, claims, verdict == "consistent")


def _events_frame(p: Prepared, block: Block, s: EventSummary, expl: dict,
                  local_parent: np.ndarray) -> pd.DataFrame:
    c = p.claims
    rows, ev, n_ev = block.rows, block.local_ev, block.n_events
    out = pd.DataFrame({"event_id": p.event_ids[block.events]})
    for col in ("category", "victims", "location", "country"):
        values = c[col].iloc[rows] if col in c else pd.Series([""] * len(rows))
        out[col] = mode_per_event(ev, values.reset_index(drop=True), n_ev)
    for col, how in (("date_start", "min"), ("date_end", "max")):
        values = c[col].iloc[rows] if col in c else pd.Series([""] * len(rows))
        out[col] = extreme_per_event(ev, values.reset_index(drop=True), how, n_ev)
    out["low"] = s.low.astype(np.int64)
    out["best"] = s.best.astype(np.int64)
    out["high"] = s.high.astype(np.int64)
    out["confidence"] = np.round(np.asarray(s.confidence, dtype=float), 3)
    for col in ("grade", "status", "basis", "n_claims", "n_sources", "n_independent"):
        out[col] = expl[col]
    out["parent_event_id"] = np.where(local_parent >= 0,
                                      p.event_ids[block.events[np.maximum(local_parent, 0)]], "")
    out["sources"] = join_per_event(ev, pd.Series(p.source_names[p.src[rows]]), n_ev,
                                    unique=True)
    out["conflicts"] = expl["conflicts"]
    out["scope_mismatch"] = expl["scope_mismatch"]
    out["best_claims"] = expl["best_claims"]
    return out[list(EVENT_COLUMNS)]


def _map(fn, blocks: list, workers: int) -> list:
    """The local engine's map: blocks in a thread pool (numpy releases the GIL in its
    array loops), results in block order, so the reduce is the same whatever the pool."""
    if workers <= 1 or len(blocks) <= 1:
        return [fn(b) for b in blocks]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, blocks))


def fit(p: Prepared, dep: Dependence, priors: SourcePriors, options: Options,
        em_blocks: list[Block]) -> tuple[SourceParams, list[float]]:
    """EM: rounds of map (E-step per block) and reduce (M-step) until the sources settle."""
    params = initial_params(p, priors, options)
    trace = []
    for _ in range(options.max_iter if em_blocks else 0):
        stats = Stats.zeros(p.n_sources, len(p.prior_groups))
        results = _map(lambda b, q=params: resolve_block(b, q, options, final=False), em_blocks,
                       options.workers)
        for result in results:
            stats = stats + result.stats
        new = update_sources(stats, params, options)
        move = new.distance(params)
        trace.append(move)
        params = new
        if move < options.tol:
            break
    return params, trace


def resolve_events(claims: pd.DataFrame, *, policy: str = "estimate",
                   priors: SourcePriors | None = None,
                   options: Options | None = None, history_steps: int = 0) -> Resolution:
    """Resolve grouped claims (each with an ``event_id``) into events, verdicts and sources.

    Parameters
    ----------
    claims : DataFrame
        Loaded claims with ``event_id`` (and, when the grouping provides them,
        ``parent_event_id``, ``parent_link`` and ``source_id``).
    priors : SourcePriors, optional
        From ``rules/sources.toml`` (default: the shipped, neutral file).
    policy : str
        How best is chosen: one of :data:`~reconcile.resolve.policy.POLICIES`.
    options : Options, optional
        Credible level, ablation switches, block sizes.
    history_steps : int
        When positive, also each event's history (:mod:`.history`): its
        low / best / high at up to this many publication times.

    Returns
    -------
    Resolution
        ``events`` (:data:`~reconcile.schema.EVENT_COLUMNS`), ``claims`` (the
        input columns plus :data:`~reconcile.schema.RESOLVED_CLAIM_COLUMNS`),
        ``sources`` (:data:`~reconcile.schema.SOURCE_COLUMNS`), the learnt
        parameters, the dependence and the source graph. Row order of the
        input never changes the output.

    Notes
    -----
    Time is linear in the number of (claim, candidate count) pairs: each
    claim meets the 30-80 candidates of its event's grid, a few EM rounds on
    at most ``options.em_claims`` claims, then one pass over all.
    """
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}; known: {', '.join(POLICIES)}")
    priors = priors or default_source_priors()
    options = options or Options()
    p = prepare_claims(claims, priors)
    dep = scale_weights(p, detect_dependence(p, enabled=options.dependence), p.factor)
    final_blocks, em_blocks = make_blocks(p, dep, options)
    params, trace = fit(p, dep, priors, options, em_blocks)
    policy_best = None
    if policy not in ("estimate", "conservative") and p.n:
        frame = p.claims.assign(event_id=p.event_ids[p.ev])
        best = baseline_best(frame, policy)
        policy_best = best.reindex(p.event_ids).to_numpy(dtype=float)
    results = _map(lambda b: resolve_block(b, params, options, final=True, policy=policy,
                                           policy_best=policy_best), final_blocks,
                   options.workers)
    resolution = _assemble(p, dep, params, results,
                           {"em_moves": trace,
                            "em_claims": int(sum(len(b.rows) for b in em_blocks))})
    if history_steps > 0:
        resolution.history = event_history(
            p, dep, final_blocks, resolution.events, resolution.claims,
            _prefix_resolver(params, options, policy), steps=history_steps,
            map_fn=lambda fn, blocks: _map(fn, blocks, options.workers))
    return resolution


def _prefix_resolver(params: SourceParams, options: Options, policy: str):
    """The run's block function over the prefixes :mod:`.history` builds (their own
    Prepared and dependence, every event in one block), with the run's sources and policy."""

    def resolve(vp: Prepared, vdep: Dependence) -> tuple[pd.DataFrame, pd.DataFrame]:
        policy_best = None
        if policy not in ("estimate", "conservative") and vp.n:
            frame = vp.claims.assign(event_id=vp.event_ids[vp.ev])
            policy_best = baseline_best(frame, policy).reindex(vp.event_ids) \
                .to_numpy(dtype=float)
        block = Block(vp, vdep, np.arange(vp.n_events), np.arange(vp.n), vp.ev)
        result = resolve_block(block, params, options, final=True, policy=policy,
                               policy_best=policy_best)
        assert result.events is not None and result.claims is not None
        return result.events, result.claims

    return resolve


def _assemble(p: Prepared, dep: Dependence, params: SourceParams, results: list[BlockResult],
              diagnostics: dict) -> Resolution:
    if results:
        events = pd.concat([r.events for r in results], ignore_index=True)
        per_claim = pd.concat([r.claims for r in results], ignore_index=True)
        consistent = np.zeros(p.n, dtype=bool)
        consistent[per_claim["row"].to_numpy()] = np.concatenate(
            [r.consistent for r in results if r.consistent is not None])
    else:
        events = pd.DataFrame({c: pd.Series(dtype=object) for c in EVENT_COLUMNS})
        per_claim = pd.DataFrame({"row": [], "verdict": [], "weight": [], "distance": []})
        consistent = np.zeros(0, dtype=bool)
    if results:
        # event codes are the ranks of the event ids (factorized sorted): sort by them
        codes = np.concatenate([r.codes for r in results if r.codes is not None])
        events = events.iloc[np.argsort(codes, kind="stable")].reset_index(drop=True)
    for col in ("low", "best", "high", "n_claims", "n_sources", "n_independent"):
        events[col] = events[col].astype(np.int64)
    per_claim = per_claim.sort_values("row", kind="stable")
    out = p.claims.copy()
    out["event_id"] = p.event_ids[p.ev] if p.n else pd.Series(dtype=object)
    out["parent_event_id"] = np.where(p.parent[p.ev] >= 0,
                                      p.event_ids[np.maximum(p.parent[p.ev], 0)], "") \
        if p.n else pd.Series(dtype=object)
    out["parent_link"] = LINK_NAMES[p.link[p.ev]] if p.n else pd.Series(dtype=object)
    out["source_id"] = p.source_ids[p.src] if p.n else pd.Series(dtype=object)
    out["verdict"] = per_claim["verdict"].to_numpy()
    out["weight"] = per_claim["weight"].to_numpy().astype(float)
    out["distance"] = per_claim["distance"].to_numpy().astype(np.int64)
    rest = [c for c in out.columns if c not in (*RESOLVED_CLAIM_COLUMNS, *CHECK_COLUMNS)]
    out = out[rest + list(RESOLVED_CLAIM_COLUMNS) + [c for c in CHECK_COLUMNS if c in out]]
    graph = build_graph(p, dep)
    sources = sources_table(p, dep, graph, params, consistent)
    return Resolution(events, out, sources, params, dep, graph, diagnostics)
