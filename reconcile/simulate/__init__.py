"""Simulated worlds with known truth."""

from __future__ import annotations

from .world import (
    SCENARIOS,
    World,
    WorldSpec,
    simulate_to_dir,
    simulate_world,
    write_world,
)

__all__ = [
    "SCENARIOS",
    "World",
    "WorldSpec",
    "simulate_to_dir",
    "simulate_world",
    "write_world",
]
