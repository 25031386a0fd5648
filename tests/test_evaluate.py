"""Evaluation metrics against hand-computed values and brute force."""

from __future__ import annotations

from itertools import combinations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconcile.evaluate.metrics import (
    bcubed,
    calibration_table,
    estimate_metrics,
    match_events,
    pairwise_scores,
)


def brute_pairwise(p: list, t: list) -> tuple[float, float]:
    pairs = list(combinations(range(len(p)), 2))
    pp = {(i, j) for i, j in pairs if p[i] == p[j]}
    tt = {(i, j) for i, j in pairs if t[i] == t[j]}
    return (len(pp & tt) / len(pp) if pp else 1.0, len(pp & tt) / len(tt) if tt else 1.0)


def brute_bcubed(p: list, t: list) -> tuple[float, float]:
    n = len(p)
    prec = sum(sum(1 for j in range(n) if p[j] == p[i] and t[j] == t[i]) /
               sum(1 for j in range(n) if p[j] == p[i]) for i in range(n)) / n
    rec = sum(sum(1 for j in range(n) if p[j] == p[i] and t[j] == t[i]) /
              sum(1 for j in range(n) if t[j] == t[i]) for i in range(n)) / n
    return prec, rec


labels = st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from("wxyz")), min_size=1,
                  max_size=30)


@given(labels)
def test_pairwise_matches_brute_force(rows):
    """Counting by cluster sizes equals counting every pair."""
    p, t = [r[0] for r in rows], [r[1] for r in rows]
    got = pairwise_scores(pd.Series(p), pd.Series(t))
    assert (got["precision"], got["recall"]) == pytest.approx(brute_pairwise(p, t))


@given(labels)
def test_bcubed_matches_brute_force(rows):
    """B-cubed by cell counts equals the per-claim definition."""
    p, t = [r[0] for r in rows], [r[1] for r in rows]
    got = bcubed(pd.Series(p), pd.Series(t))
    assert (got["precision"], got["recall"]) == pytest.approx(brute_bcubed(p, t))


def test_perfect_and_merged_clusterings():
    t = pd.Series(["a", "a", "b", "b"])
    assert pairwise_scores(t, t)["f1"] == 1.0 and bcubed(t, t)["f1"] == 1.0
    merged = pd.Series(["x"] * 4)
    assert pairwise_scores(merged, t)["precision"] == pytest.approx(2 / 6)
    assert pairwise_scores(merged, t)["recall"] == 1.0


def test_match_events_majority():
    claims = pd.DataFrame({"claim_id": list("abcd"), "event_id": ["E1", "E1", "E1", "E2"]})
    truth = pd.DataFrame({"claim_id": list("abcd"), "true_event_id": ["T1", "T2", "T2", "T3"]})
    assert match_events(claims, truth).to_dict() == {"E1": "T2", "E2": "T3"}


def test_estimate_metrics_and_calibration():
    events = pd.DataFrame({
        "event_id": ["a", "b", "c", "d"],
        "low": [8, 50, 0, 100], "best": [10, 60, 5, 100],
        "high": pd.array([12, None, 4, 100], dtype="Int64").fillna(pd.NA),
        "confidence": [0.95, 0.85, 0.15, 0.9],
    })
    events.loc[2, "high"] = 9
    truth = pd.Series({"a": 10, "b": 40, "c": 20, "d": 100})
    m = estimate_metrics(events, truth)
    assert m["n"] == 4 and m["exact_share"] == 0.5 and m["coverage"] == 0.5
    assert m["median_rel_error"] == pytest.approx(0.25)  # errors 0, 0.5, 0.75, 0
    assert m["mean_rel_error"] == pytest.approx(1.25 / 4)
    table = calibration_table(events, truth)
    assert table["n"].sum() == 4
    row = table.set_index("bin").loc["0.9-1.0"]
    assert row["n"] == 2 and row["coverage"] == 1.0
