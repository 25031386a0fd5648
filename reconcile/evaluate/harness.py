"""The measuring harness the bench and the accuracy tests share.

:func:`evaluate_world` simulates a world with known truth, runs the engine
and the coder and truth-discovery baselines on the engine's groups, and
scores grouping, estimates and calibration; :func:`evaluate_population` does
the same on the real Population benchmark. Both return plain dicts.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..group import group
from ..io.records import read_records
from ..load import load_claims, validate_claims
from ..resolve.baseline import resolve_events
from ..resolve.policies import BASELINES
from ..simulate.world import WorldSpec, simulate_world, write_world
from .metrics import (
    bcubed,
    calibration_table,
    estimate_metrics,
    hierarchy_scores,
    match_events,
    pairwise_scores,
)
from .population import load_population, score_population

__all__ = ["baseline_values", "evaluate_population", "evaluate_world"]


def baseline_values(claims: pd.DataFrame) -> pd.DataFrame:
    """The baselines' input: one number per claim (its anchor, else interval middle)."""
    lo = claims["low"].astype(float)
    hi = claims["high"].astype("Float64").astype(float)
    anchor = claims["anchor"].astype("Float64").astype(float)
    middle = np.where(hi.isna(), lo, np.floor((lo + hi.fillna(0)) / 2))
    value = anchor.fillna(pd.Series(middle, index=claims.index))
    return pd.DataFrame({"event_id": claims["event_id"], "source": claims["source"],
                         "value": value, "published": claims["published"]})


def evaluate_world(scenario: str, n: int, seed: int = 11, *, realism: bool = False) -> dict:
    """Simulate a world, run the engine and every baseline on it, and score them.

    Returns grouping scores (pairwise, B-cubed, hierarchy links, the learnt
    weights, seconds), estimate metrics per method, the engine's calibration
    table and counts; the bench prints these and ``tests/test_accuracy.py``
    keeps floors under them. ``realism`` lays the variation of
    :mod:`reconcile.simulate.realism` over the world (place granularity,
    transliterations, two victim words for one toll, incidents sharing a
    town and a day).
    """
    world = simulate_world(WorldSpec(n_claims=n, seed=seed, scenario=scenario))
    if realism:
        from ..simulate.realism import add_realism

        world = add_realism(world)
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_world(world, Path(tmp))
        loaded = load_claims(paths["claims"])
    t0 = time.perf_counter()
    result = group(loaded.claims)
    group_s = time.perf_counter() - t0
    grouped = result.claims
    events, claims = resolve_events(grouped)
    truth_claims = world.truth_claims
    truth_events = world.truth_events.set_index("true_event_id")

    # Grouping quality, over claims with a true event.
    tc = truth_claims[truth_claims["true_event_id"].astype(str).ne("")]
    merged = claims[["claim_id", "event_id"]].merge(tc[["claim_id", "true_event_id"]], on="claim_id")
    grouping = {"pairwise": pairwise_scores(merged["event_id"], merged["true_event_id"]),
                "bcubed": bcubed(merged["event_id"], merged["true_event_id"]),
                "hierarchy": hierarchy_scores(grouped, truth_claims, world.truth_events),
                "weights": result.model.table().to_dict("records"),
                "prior": result.model.prior, "em_iterations": result.model.iterations,
                "candidate_pairs": result.n_pairs, "seconds": group_s}

    matched = match_events(claims, truth_claims)
    truth_count = matched.map(truth_events["count"])
    methods = {"reconcile": estimate_metrics(events, truth_count)}
    table = calibration_table(events, truth_count)
    values = baseline_values(claims)
    timings = {}
    for name, fn in BASELINES.items():
        t0 = time.perf_counter()
        est = fn(values)
        timings[name] = time.perf_counter() - t0
        methods[name] = estimate_metrics(est, truth_count)
    return {"scenario": scenario, "claims": n, "events_found": len(events),
            "true_events": len(truth_events), "grouping": grouping, "estimates": methods,
            "calibration": table.to_dict("records"), "baseline_seconds": timings,
            "rejected": len(loaded.rejects)}


def evaluate_population(folder: str | Path) -> dict:
    """The engine and every baseline on the Population benchmark in ``folder``.

    The engine reads the claims through its own validation (each garbage
    value becomes a reject); the baselines get the benchmark loader's rows.
    """
    folder = Path(folder)
    claims, truth, rejects = load_population(folder / "population_claims.csv",
                                             folder / "population_truth.csv")
    out: dict = {"baseline_loader": {"claims": len(claims), "rejects": len(rejects)}, "methods": {}}
    # The engine reads the same file through its own loader.
    raw, _, _ = read_records(folder / "population_claims.csv")
    frame = pd.DataFrame({"line": raw["line"], "source": raw["sourceid"],
                          "low": raw["propertyvalue"], "high": raw["propertyvalue"],
                          "location": raw["objectid"], "event": raw["propertyid"]})
    t0 = time.perf_counter()
    ok, rej = validate_claims(frame)
    ok["event_id"] = ok["location"] + "|" + ok["event"]
    events, _ = resolve_events(ok)
    engine_s = time.perf_counter() - t0
    out["engine_loader"] = {"claims": len(ok), "rejects": len(rej),
                            "reasons": rej["reason"].value_counts().head(5).to_dict()}
    out["methods"]["reconcile"] = {**score_population(events, truth), "seconds": engine_s}
    for name, fn in BASELINES.items():
        t0 = time.perf_counter()
        est = fn(claims)
        secs = time.perf_counter() - t0
        out["methods"][name] = {**score_population(est, truth), "seconds": secs}
    return out
