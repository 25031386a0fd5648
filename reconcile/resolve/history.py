"""How each event's low / best / high moved with each report, from one run.

Trackers ask for the value before a revision; recorders overwrite it. Here
every event keeps its history, computed in the run that resolved it, not by
re-running per date: for each distinct publication time of an event's
claims, the event is resolved on the claims published up to then (its
*prefix*), with the run's learnt source model, each source speaking through
its latest report *of that time* (an earlier report is superseded only once
the later one exists). The prefixes of every event of a block are resolved
together, column-wise, as "virtual" events by the same block function as the
run (:func:`reconcile.resolve.resolver.resolve_block`, handed over as
:data:`ResolveFn`): no model call per event or per step (only the joining of
each step's claim ids is a Python step per row of ``history.csv``).

Rules, which the README repeats:

- steps are the distinct publication times of the event's dated claims; an
  event reported at more than ``steps`` times is shown at ``steps`` of them
  (evenly by report, always the last), each step taking every claim
  published up to its time;
- the last step is the event's row of ``events.csv`` itself (so the history
  ends where the run does): it also weighs the event's undated claims and the
  bounds its parent and parts put on it (``note`` says so when they apply);
  earlier steps weigh the dated claims of the event alone;
- the history is the run's reading of each prefix, not ``--as-of``: an
  ``--as-of`` run also re-learns the sources and regroups the claims known
  then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..schema import HISTORY_COLUMNS
from .columns import join_per_event
from .dependence import (
    COPY,
    RELAYED,
    SUPERSEDED,
    Dependence,
    independent_voices,
    keep_one_voice,
)
from .frame import Prepared

__all__ = ["DEFAULT_STEPS", "HistoryPart", "ResolveFn", "event_history", "history_block",
           "prefix_dependence", "steps_of"]

DEFAULT_STEPS = 20

# The run's block function as :func:`reconcile.resolve.resolver.resolve_events` hands
# it over (this module never imports the resolver): the claims of a Prepared, as its
# events 0 .. n_events - 1, with their dependence, resolved with the run's learnt
# sources and policy; returns the events table and the claims' resolution columns
# (with ``row``, the claim's position in the Prepared).
ResolveFn = Callable[[Prepared, Dependence], tuple[pd.DataFrame, pd.DataFrame]]


@dataclass(frozen=True)
class HistoryPart:
    """What :func:`history_block` gives back: the intermediate steps of a block's events
    (``rows``) and, per (prefix, claim), whether the claim was superseded then
    (``superseded``: columns claim, event, step, sup)."""

    rows: pd.DataFrame
    superseded: pd.DataFrame


def _iso(minutes: np.ndarray) -> np.ndarray:
    """Minutes since 1970 -> ISO date-times ("" for -1)."""
    out = np.full(len(minutes), "", dtype=object)
    ok = minutes >= 0
    if ok.any():
        stamps = minutes[ok].astype("datetime64[m]")
        out[ok] = np.datetime_as_string(stamps, unit="s").astype(object)
    return out


def steps_of(ev: np.ndarray, pub: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Per dated claim, its step within its event, and per claim its event's step count.

    ``ev``: event code per claim; ``pub``: publication minutes (all dated).
    Distinct times are numbered within each event; an event with more than
    ``steps`` distinct times has them put into ``steps`` buckets, evenly by
    time rank, so that the last bucket holds the last time.
    """
    n = len(ev)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = np.lexsort((pub, ev))
    e, t = ev[order], pub[order]
    new_ev = np.r_[True, e[1:] != e[:-1]]
    new_time = new_ev | np.r_[True, t[1:] != t[:-1]]
    rank = np.cumsum(new_time) - 1
    first_rank = np.maximum.accumulate(np.where(new_ev, rank, 0))
    k = rank - first_rank  # distinct-time rank within the event
    m = np.zeros(int(e.max()) + 1, dtype=np.int64)
    np.maximum.at(m, e, k + 1)
    total = m[e]
    bucket = np.where(total > steps, np.ceil((k + 1) * steps / np.maximum(total, 1)) - 1, k)
    count = np.minimum(total, steps)
    out_step = np.empty(n, np.int64)
    out_count = np.empty(n, np.int64)
    out_step[order] = bucket.astype(np.int64)
    out_count[order] = count
    return out_step, out_count


def prefix_dependence(p: Prepared, dep: Dependence, rows: np.ndarray, vp: Prepared) -> Dependence:
    """Dependence of the virtual claims ``vp`` (copies of ``rows`` of ``p``, each in a prefix).

    Relays and copy matches only look back in time, so a prefix keeps them
    as the run found them; supersession is counted again within each prefix
    (a source's latest report *then* speaks for it); weights and independent
    voices follow as :func:`~reconcile.resolve.dependence.detect_dependence`
    gives them, then the checks' factor.
    """
    n, S = vp.n, vp.n_sources
    role0 = dep.role[rows]
    relayed = role0 == RELAYED
    obs = ~relayed
    pair = vp.ev * S + vp.src
    latest = pd.Series(np.where(obs, vp.pub, -1)).groupby(pair).transform("max").to_numpy()
    superseded = obs & (vp.pub < latest)
    role = np.where(relayed, RELAYED, np.where(superseded, SUPERSEDED, 0)).astype(np.int8)
    active = role == 0
    share = pd.Series(active.astype(float)).groupby(pair).transform("sum").to_numpy()
    weight = np.where(active, 1.0 / np.maximum(share, 1.0), 0.0)
    match = dep.match[rows]
    copy_w = np.where(match, 1.0 - dep.p_copier[vp.src], 1.0)
    weight = weight * copy_w
    role[active & match & (dep.p_copier[vp.src] >= 0.5)] = COPY
    weight = keep_one_voice(weight, vp.ev, vp.n_events)
    if vp.factor is not None:
        weight = weight * vp.factor
    n_ind = independent_voices(vp.ev, vp.src, weight, vp.n_events, S)
    return Dependence(role, weight, dep.copies_src[rows], match, dep.p_copier, dep.copies_of,
                      dep.n_eligible, dep.n_match, n_ind, dep.rate_independent,
                      dep.rate_copier, dep.share_copiers) if n else dep


def history_block(p: Prepared, dep: Dependence, rows: np.ndarray, local_ev: np.ndarray,
                  events: np.ndarray, resolve: ResolveFn, *,
                  steps: int = DEFAULT_STEPS) -> HistoryPart | None:
    """The intermediate steps of the events of one block (every step but the last).

    ``rows``/``local_ev``/``events`` as a :class:`~reconcile.resolve.resolver.Block`
    holds them. Returns one row per (event, step) with the step's new claims
    and its resolution; :func:`event_history` adds the last steps. None when
    no event of the block was reported at two times or more.
    """
    dated = p.pub[rows] >= 0
    r, le = rows[dated], local_ev[dated]
    if not len(r):
        return None
    step, count = steps_of(le, p.pub[r], steps)
    # Copies: a claim of step c is in every prefix c .. count - 2 (the last is the run's).
    reps = np.maximum(count - 1 - step, 0)
    keep = reps > 0
    if not keep.any():
        return None
    r_k, le_k, step_k, count_k, reps_k = r[keep], le[keep], step[keep], count[keep], reps[keep]
    vrows = np.repeat(r_k, reps_k)
    offs = np.arange(int(reps_k.sum())) - np.repeat(np.cumsum(reps_k) - reps_k, reps_k)
    vstep = np.repeat(step_k, reps_k) + offs
    vevent = np.repeat(le_k, reps_k)
    # virtual event per (event, step), ordered by (event, step)
    key = vevent * (int(count_k.max()) + 1) + vstep
    vcodes, vkeys = pd.factorize(key, sort=True)
    n_cap = int(count_k.max()) + 1
    v_event = (np.asarray(vkeys) // n_cap).astype(np.int64)
    v_step = (np.asarray(vkeys) % n_cap).astype(np.int64)
    own_step = np.repeat(step_k, reps_k)
    order = np.argsort(vcodes, kind="stable")
    vrows, vcodes, own_step = vrows[order], vcodes[order].astype(np.int64), own_step[order]
    real_events = events[v_event]
    vids = (p.event_ids[real_events].astype(str).astype(object) + "@"
            + v_step.astype(str).astype(object))
    vp = p.take(vrows, vcodes, vids, p.prior_group[real_events])
    vdep = prefix_dependence(p, dep, vrows, vp)
    ev_table, claim_table = resolve(vp, vdep)

    # New claims at each step: those whose own step is the virtual event's step.
    new = own_step == v_step[vcodes]
    n_v = len(vids)
    new_ids, new_src, new_fig = _new_claims(p, vcodes[new], vrows[new], n_v)
    when = np.full(n_v, -1, dtype=np.int64)
    np.maximum.at(when, vcodes, p.pub[vrows])
    verdict = claim_table.sort_values("row")["verdict"].to_numpy(dtype=object)
    sup_now = (verdict == "superseded")
    out = pd.DataFrame({
        "event_id": p.event_ids[real_events], "step": v_step + 1, "published": _iso(when),
        "new_claims": new_ids, "new_sources": new_src, "new_figures": new_fig,
    })
    for col in ("low", "best", "high", "confidence", "status", "best_claims", "n_claims",
                "n_independent"):
        out[col] = ev_table[col].to_numpy()
    # Claims superseded at a step: superseded then, not at the step before.
    sup = pd.DataFrame({"claim": vrows, "v": vcodes, "event": v_event[vcodes],
                        "step": v_step[vcodes], "sup": sup_now})
    return HistoryPart(out, sup)


def event_history(p: Prepared, dep: Dependence, blocks: list, events: pd.DataFrame,
                  claims: pd.DataFrame, resolve: ResolveFn, *, steps: int = DEFAULT_STEPS,
                  map_fn: Callable | None = None) -> pd.DataFrame:
    """The history of every event (:data:`~reconcile.schema.HISTORY_COLUMNS`).

    ``blocks``: the run's final blocks (each with ``rows``, ``local_ev`` and
    ``events``); ``events``/``claims``: the run's
    tables (the last step of each event is its ``events.csv`` row, and its
    claims' verdicts decide what that step superseded). ``map_fn(fn, blocks)``
    is the engine's map (default: a loop); ``resolve`` the run's block function.
    """
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")

    def fn(b) -> HistoryPart | None:
        return history_block(p, dep, b.rows, b.local_ev, b.events, resolve, steps=steps)

    parts = map_fn(fn, blocks) if map_fn is not None else [fn(b) for b in blocks]
    mids = [x for x in parts if x is not None]
    middle = pd.concat([m.rows for m in mids], ignore_index=True) if mids else None
    sups = pd.concat([m.superseded for m in mids], ignore_index=True) if mids else None
    last = _last_steps(p, dep, events, claims, steps, middle)
    table = pd.concat([t for t in (middle, last) if t is not None and len(t)],
                      ignore_index=True) if len(last) or middle is not None else last
    if not len(table):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in HISTORY_COLUMNS})
    table = table.sort_values(["event_id", "step"], kind="stable").reset_index(drop=True)
    table["note"] = table["note"].fillna("") if "note" in table else ""
    table["superseded"] = _superseded(p, claims, table, sups)
    prev = table.groupby("event_id")["best"].shift(1)
    change = table["best"].astype(float) - prev
    table["change"] = change.map(lambda x: "" if pd.isna(x) else f"{int(x):+d}")
    for col in ("low", "best", "high", "step", "n_claims", "n_independent"):
        table[col] = table[col].astype(np.int64)
    return table[list(HISTORY_COLUMNS)]


def _last_steps(p: Prepared, dep: Dependence, events: pd.DataFrame, claims: pd.DataFrame,
                steps: int, middle: pd.DataFrame | None) -> pd.DataFrame:
    """Each event's last step: its row of events.csv, with the claims new since the step
    before (every claim when there was none) and a note on what else it weighs."""
    if not len(events):
        return pd.DataFrame()
    event_of = p.ev
    dated = p.pub >= 0
    step = np.full(p.n, -1, dtype=np.int64)
    count = np.zeros(p.n, dtype=np.int64)
    if dated.any():
        s, c = steps_of(event_of[dated], p.pub[dated], steps)
        step[dated], count[dated] = s, c
    n_steps = np.ones(p.n_events, dtype=np.int64)
    np.maximum.at(n_steps, event_of, count)
    last_step = n_steps[event_of] - 1
    new = (~dated) | (step == last_step)
    n_e = p.n_events
    new_ids, new_src, new_fig = _new_claims(p, event_of[new], np.flatnonzero(new), n_e)
    when = np.full(n_e, -1, dtype=np.int64)
    np.maximum.at(when, event_of, p.pub)
    n_undated = np.bincount(event_of[~dated], minlength=n_e)
    by_id = events.set_index("event_id").reindex(p.event_ids)
    linked = (p.parent >= 0) | np.isin(np.arange(n_e), p.parent)
    notes = np.where(n_undated > 0, "also weighs " + n_undated.astype(str).astype(object)
                     + " undated claim(s)", "").astype(object)
    notes = np.where(linked, np.where(notes != "", notes + "; ", "")
                     + "read with its parent and parts", notes)
    out = pd.DataFrame({
        "event_id": p.event_ids, "step": n_steps, "published": _iso(when),
        "new_claims": new_ids, "new_sources": new_src, "new_figures": new_fig,
        "low": by_id["low"].to_numpy(), "best": by_id["best"].to_numpy(),
        "high": by_id["high"].to_numpy(), "confidence": by_id["confidence"].to_numpy(),
        "status": by_id["status"].to_numpy(), "best_claims": by_id["best_claims"].to_numpy(),
        "n_claims": by_id["n_claims"].to_numpy(),
        "n_independent": by_id["n_independent"].to_numpy(),
        "note": notes,
    })
    return out


def _new_claims(p: Prepared, ev: np.ndarray, rows: np.ndarray, n: int
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (virtual) event: its new claims' ids (";"), their sources (unique) and each
    claim's figure as "Source 'figure'" in the order of the ids."""
    ids = p.claims["claim_id"].astype(str).to_numpy(dtype=object)[rows]
    figure = p.claims["figure"] if "figure" in p.claims else pd.Series("", index=p.claims.index)
    figs = figure.astype(object).where(figure.notna(), "").astype(str) \
        .to_numpy(dtype=object)[rows]
    lo, hi = p.lo[rows], p.hi[rows]
    bounds = np.where(lo == hi, lo.astype(np.int64).astype(str),
                      "[" + lo.astype(np.int64).astype(str) + ", "
                      + np.where(np.isfinite(hi), np.nan_to_num(hi, posinf=0).astype(np.int64)
                                 .astype(str) + "]", "∞)")).astype(object)
    names = p.source_names[p.src[rows]]
    text = names + " '" + np.where(figs != "", figs, bounds) + "'"
    order = np.lexsort((ids, ev))
    ev_s, ids_s, text_s = ev[order], ids[order], text[order]
    out_ids = np.full(n, "", dtype=object)
    out_fig = np.full(n, "", dtype=object)
    if len(ev_s):
        bounds_at = np.flatnonzero(np.r_[True, ev_s[1:] != ev_s[:-1], True])
        id_list, fig_list = ids_s.tolist(), text_s.tolist()
        for a, b in zip(bounds_at[:-1].tolist(), bounds_at[1:].tolist(), strict=True):
            out_ids[ev_s[a]] = ";".join(id_list[a:b])
            out_fig[ev_s[a]] = "; ".join(fig_list[a:b])
    out_src = join_per_event(ev, pd.Series(names), n, unique=True)
    return out_ids, out_src, out_fig


def _superseded(p: Prepared, claims: pd.DataFrame, table: pd.DataFrame,
                sups: pd.DataFrame | None) -> pd.Series:
    """Per history row, the claims that became superseded at that step."""
    # (event, step, claim, superseded) for the intermediate steps and the last
    frames = []
    if sups is not None and len(sups):
        frames.append(pd.DataFrame({"event_id": p.event_ids[sups["event"].to_numpy()],
                                    "step": sups["step"].to_numpy() + 1,
                                    "claim": sups["claim"].to_numpy(),
                                    "sup": sups["sup"].to_numpy()}))
    last = table.groupby("event_id")["step"].max()
    verdict = claims.set_index("claim_id")["verdict"].reindex(
        p.claims["claim_id"].astype(str)).to_numpy(dtype=object)
    frames.append(pd.DataFrame({"event_id": p.event_ids[p.ev],
                                "step": last.reindex(p.event_ids[p.ev]).to_numpy(),
                                "claim": np.arange(p.n), "sup": verdict == "superseded"}))
    allv = pd.concat(frames, ignore_index=True).sort_values(["claim", "step"], kind="stable")
    prev = allv.groupby("claim")["sup"].shift(1, fill_value=False).to_numpy(dtype=bool)
    newly = allv[allv["sup"].to_numpy(dtype=bool) & ~prev]
    ids = p.claims["claim_id"].astype(str).to_numpy(dtype=object)
    joined = pd.Series(ids[newly["claim"].to_numpy()], index=newly.index).groupby(
        [newly["event_id"], newly["step"]]).agg(lambda s: ";".join(sorted(s)))
    key = pd.MultiIndex.from_arrays([table["event_id"], table["step"]])
    return pd.Series(joined.reindex(key).fillna("").to_numpy(), index=table.index, dtype=object)
