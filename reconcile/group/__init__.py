"""Claims -> events."""

from __future__ import annotations

from .baseline import (
    EVENT_KEY,
    group_block,
    group_claims,
)

__all__ = [
    "EVENT_KEY",
    "group_block",
    "group_claims",
]
