"""Metrics against known truth, shared by tests and bench."""

from __future__ import annotations

from .extraction import (
    GoldScore,
    load_gold,
    same_source,
    score_rows,
)
from .metrics import (
    bcubed,
    calibration_table,
    estimate_metrics,
    expected_calibration_error,
    knowable_ceiling,
    match_events,
    match_true_events,
    pairwise_scores,
)

__all__ = [
    "GoldScore",
    "bcubed",
    "calibration_table",
    "estimate_metrics",
    "expected_calibration_error",
    "knowable_ceiling",
    "load_gold",
    "match_events",
    "match_true_events",
    "pairwise_scores",
    "same_source",
    "score_rows",
]
