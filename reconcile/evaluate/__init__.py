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
    match_events,
    pairwise_scores,
)

__all__ = [
    "GoldScore",
    "bcubed",
    "calibration_table",
    "estimate_metrics",
    "load_gold",
    "match_events",
    "pairwise_scores",
    "same_source",
    "score_rows",
]
