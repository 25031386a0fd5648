"""Events -> low / best / high."""

from __future__ import annotations

from .baseline import (
    resolve_block,
    resolve_events,
)

__all__ = [
    "resolve_block",
    "resolve_events",
]
