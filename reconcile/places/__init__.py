"""The gazetteer: place names to places, for extract, group and simulate."""

from __future__ import annotations

from ..core.text import fold_key
from .gazetteer import (
    KIND_RANK,
    Gazetteer,
    Place,
    PlaceMention,
    PlaceRules,
    default_gazetteer,
    load_gazetteer,
    load_place_rules,
)

__all__ = [
    "KIND_RANK",
    "Gazetteer",
    "Place",
    "PlaceMention",
    "PlaceRules",
    "default_gazetteer",
    "fold_key",
    "load_gazetteer",
    "load_place_rules",
]
