"""The measuring harness the bench and the accuracy tests share.

:func:`evaluate_world` simulates a world with known truth, groups it (with
the grouping stage, or with the true grouping to measure resolution alone),
runs the engine and the coder and truth-discovery baselines on the same
groups, and scores grouping, estimates and calibration, counting each true
event once through the found event that holds most of its claims.
:func:`evaluate_population` does the same on the real Population benchmark.
Both return plain dicts.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..group import group
from ..group.baseline import group_claims as exact_key_groups
from ..io.records import read_records
from ..load import load_claims, validate_claims
from ..resolve import Options, resolve_events
from ..resolve.policies import BASELINES
from ..resolve.scope import check_scopes
from ..rules.sources import fold_source
from ..simulate.world import WorldSpec, simulate_world, write_world
from .metrics import (
    bcubed,
    calibration_table,
    estimate_metrics,
    expected_calibration_error,
    hierarchy_scores,
    knowable_ceiling,
    match_true_events,
    pairwise_scores,
)
from .population import load_population, score_population

__all__ = ["GROUPINGS", "baseline_values", "evaluate_population", "evaluate_world",
           "true_grouping"]

GROUPINGS = ("stage", "baseline", "true")


def baseline_values(claims: pd.DataFrame) -> pd.DataFrame:
    """The baselines' input: one number per claim (its anchor, else interval middle)."""
    lo = claims["low"].astype(float)
    hi = claims["high"].astype("Float64").astype(float)
    anchor = claims["anchor"].astype("Float64").astype(float)
    middle = np.where(hi.isna(), lo, np.floor((lo + hi.fillna(0)) / 2))
    value = anchor.fillna(pd.Series(middle, index=claims.index))
    return pd.DataFrame({"event_id": claims["event_id"], "source": claims["source"],
                         "value": value, "published": claims["published"]})


def true_grouping(claims: pd.DataFrame, truth_claims: pd.DataFrame,
                  truth_events: pd.DataFrame) -> pd.DataFrame:
    """``claims`` grouped as the simulator made them: the grouping contract, filled from truth.

    ``event_id`` is the true event, ``parent_event_id`` its true parent,
    ``parent_link`` "part" for a victim subset and "within" for an incident
    inside a total, ``source_id`` the canonical source the claim names.
    """
    t = truth_claims.set_index("claim_id")
    ev = truth_events.set_index("true_event_id")
    out = claims.copy()
    out["event_id"] = out["claim_id"].map(t["true_event_id"]).astype(object)
    parent = out["event_id"].map(ev["parent_event_id"]).astype(object)
    out["parent_event_id"] = parent.where(parent.notna(), "")
    kind = out["event_id"].map(ev["kind"])
    out["parent_link"] = np.where(out["parent_event_id"].eq(""), "",
                                  np.where(kind.eq("part"), "part", "within"))
    canonical = out["claim_id"].map(t["source_canonical"]).astype(object)
    out["source_id"] = canonical.where(canonical.notna(), out["source"]).map(fold_source)
    return out


def evaluate_world(scenario: str, n: int, seed: int = 11, *, grouping: str = "stage",
                   options: Options | None = None, baselines: bool = True,
                   realism: bool = False) -> dict:
    """Simulate a world, run the engine and every baseline on it, and score them.

    Returns grouping scores (pairwise, B-cubed, hierarchy links; for the
    grouping stage also its learnt weights and seconds), estimate metrics per
    method (each true event counted once), the knowable ceiling, the engine's
    calibration table and ECE, and counts; the bench prints these and
    ``tests/test_accuracy.py`` keeps floors under them. ``grouping`` is
    ``stage`` (reconcile/group), ``baseline`` (the exact event key) or
    ``true`` (the simulator's own events). ``realism`` lays the variation of
    :mod:`reconcile.simulate.realism` over the world (place granularity,
    transliterations, two victim words for one toll, incidents sharing a
    town and a day).
    """
    if grouping not in GROUPINGS:
        raise ValueError(f"grouping must be one of {GROUPINGS}, got {grouping!r}")
    world = simulate_world(WorldSpec(n_claims=n, seed=seed, scenario=scenario))
    if realism:
        from ..simulate.realism import add_realism

        world = add_realism(world)
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_world(world, Path(tmp))
        loaded = load_claims(paths["claims"])
    truth_claims = world.truth_claims
    stage_info: dict = {}
    if grouping == "true":
        grouped = true_grouping(loaded.claims, truth_claims, world.truth_events)
    elif grouping == "baseline":
        grouped = exact_key_groups(loaded.claims)
    else:
        t0 = time.perf_counter()
        found = group(loaded.claims)
        stage_info = {"weights": found.model.table().to_dict("records"),
                      "prior": found.model.prior, "em_iterations": found.model.iterations,
                      "candidate_pairs": found.n_pairs, "seconds": time.perf_counter() - t0}
        grouped = found.claims
    # As reconcile run does: each claim's measure checked against its event's.
    grouped = grouped.assign(scope_check=check_scopes(grouped))
    t0 = time.perf_counter()
    result = resolve_events(grouped, options=options)
    engine_s = time.perf_counter() - t0
    events, claims = result.events, result.claims
    truth_count = world.truth_events.set_index("true_event_id")["count"]

    # Grouping quality, over claims with a true event.
    tc = truth_claims[truth_claims["true_event_id"].astype(str).ne("")]
    merged = claims[["claim_id", "event_id"]].merge(tc[["claim_id", "true_event_id"]],
                                                    on="claim_id")
    scores = {"pairwise": pairwise_scores(merged["event_id"], merged["true_event_id"]),
              "bcubed": bcubed(merged["event_id"], merged["true_event_id"]),
              **stage_info}
    if {"parent_event_id", "parent_link"} <= set(grouped.columns):
        # the exact-key baseline links no parents: nothing to score
        scores["hierarchy"] = hierarchy_scores(grouped, truth_claims, world.truth_events)

    chosen = match_true_events(claims, truth_claims)
    truth = truth_count.reindex(chosen.index)

    def per_true_event(table: pd.DataFrame) -> pd.DataFrame:
        rows = table.set_index("event_id").reindex(chosen.to_numpy())
        rows.index = chosen.index
        return rows.rename_axis("event_id").reset_index()

    scored = per_true_event(events)
    methods = {"reconcile": estimate_metrics(scored, truth)}
    table = calibration_table(scored, truth)
    values = baseline_values(claims)
    timings = {"reconcile": engine_s}
    for name, fn in (BASELINES.items() if baselines else ()):
        t1 = time.perf_counter()
        est = fn(values)
        timings[name] = time.perf_counter() - t1
        methods[name] = estimate_metrics(per_true_event(est), truth)
    return {"scenario": scenario, "seed": seed, "grouping": grouping, "realism": realism,
            "claims": n,
            "events_found": len(events), "true_events": len(truth),
            "grouping_scores": scores, "estimates": methods,
            "ceiling_within_10pct": knowable_ceiling(claims, truth_claims, truth),
            "calibration": table.to_dict("records"), "ece": expected_calibration_error(table),
            "seconds": timings, "rejected": len(loaded.rejects),
            "em": result.diagnostics}


def evaluate_population(folder: str | Path, options: Options | None = None) -> dict:
    """The engine and every baseline on the Population benchmark in ``folder``.

    The engine reads the claims through its own validation (each garbage
    value becomes a reject); the baselines get the benchmark loader's rows.
    A SourceID is "user id: editor name" (or an IP): one editor, one source.
    """
    folder = Path(folder)
    claims, truth, rejects = load_population(folder / "population_claims.csv",
                                             folder / "population_truth.csv")
    out: dict = {"baseline_loader": {"claims": len(claims), "rejects": len(rejects)}, "methods": {}}
    raw, _, _ = read_records(folder / "population_claims.csv")
    frame = pd.DataFrame({"line": raw["line"], "source": raw["sourceid"],
                          "low": raw["propertyvalue"], "high": raw["propertyvalue"],
                          "location": raw["objectid"], "event": raw["propertyid"]})
    t0 = time.perf_counter()
    ok, rej = validate_claims(frame)
    ok["event_id"] = ok["location"] + "|" + ok["event"]
    result = resolve_events(ok, options=options)
    engine_s = time.perf_counter() - t0
    out["engine_loader"] = {"claims": len(ok), "rejects": len(rej),
                            "reasons": rej["reason"].value_counts().head(5).to_dict()}
    out["methods"]["reconcile"] = {**score_population(result.events, truth), "seconds": engine_s}
    for name, fn in BASELINES.items():
        t0 = time.perf_counter()
        est = fn(claims)
        secs = time.perf_counter() - t0
        out["methods"][name] = {**score_population(est, truth), "seconds": secs}
    return out
