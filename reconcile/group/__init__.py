"""Claims -> events: normalise, block, compare, link (Fellegi–Sunter + EM), cluster
under constraints, build the event hierarchy, give content ids."""

from __future__ import annotations

from .linkage import LinkageModel, estimate_model, prior_model
from .normalise import Prepared, canonical_sources, event_families, prepare_claims
from .stage import GroupResult, group, group_block, group_claims, prepare, train

__all__ = [
    "GroupResult",
    "LinkageModel",
    "Prepared",
    "canonical_sources",
    "estimate_model",
    "event_families",
    "group",
    "group_block",
    "group_claims",
    "prepare",
    "prepare_claims",
    "prior_model",
    "train",
]
