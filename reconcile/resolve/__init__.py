"""Events -> low / best / high, through a graph of source agreement.

The public entry is :func:`resolve_events`; the seam an engine distributes
along is :func:`resolve_block` (the map over blocks of events) and
:func:`update_sources` (the global reduce of source parameters).
"""

from __future__ import annotations

from .model import Options, SourceParams, Stats, update_sources
from .resolver import Block, BlockResult, Resolution, make_blocks, resolve_block, resolve_events

__all__ = [
    "Block",
    "BlockResult",
    "Options",
    "Resolution",
    "SourceParams",
    "Stats",
    "make_blocks",
    "resolve_block",
    "resolve_events",
    "update_sources",
]
