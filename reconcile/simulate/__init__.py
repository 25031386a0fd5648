"""Simulated worlds with known truth."""

from __future__ import annotations

from .world import (
    CLAIM_COLUMNS,
    SCENARIOS,
    TRUTH_CLAIM_COLUMNS,
    TRUTH_EVENT_COLUMNS,
    TRUTH_SOURCE_COLUMNS,
    World,
    WorldSpec,
    simulate_to_dir,
    simulate_world,
    write_world,
)

__all__ = [
    "CLAIM_COLUMNS",
    "SCENARIOS",
    "TRUTH_CLAIM_COLUMNS",
    "TRUTH_EVENT_COLUMNS",
    "TRUTH_SOURCE_COLUMNS",
    "World",
    "WorldSpec",
    "simulate_to_dir",
    "simulate_world",
    "write_world",
]
