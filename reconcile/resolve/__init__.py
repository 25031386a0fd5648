"""Events -> low / best / high."""

from __future__ import annotations

from .baseline import (
    EVENT_COLUMNS,
    VERDICTS,
    resolve_block,
    resolve_events,
)

__all__ = [
    "EVENT_COLUMNS",
    "VERDICTS",
    "resolve_block",
    "resolve_events",
]
