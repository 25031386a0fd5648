"""Rule files (TOML): loading and validation."""

from __future__ import annotations

from .extract import (
    ATTRIBUTION_KINDS,
    AttributionWord,
    CategoryWord,
    DateWords,
    ExtractRules,
    PartOfCue,
    check_extract_rules,
    extract_rules_for,
    load_extract_rules,
)
from .load import (
    QUALIFIER_KINDS,
    RULE_FILES,
    Category,
    NotACount,
    NumberWords,
    Qualifier,
    RangeRule,
    Rules,
    Tolerance,
    VagueQuantity,
    VictimGroup,
    default_rules,
    default_rules_dir,
    load_rules,
)

__all__ = [
    "ATTRIBUTION_KINDS",
    "QUALIFIER_KINDS",
    "RULE_FILES",
    "AttributionWord",
    "Category",
    "CategoryWord",
    "DateWords",
    "ExtractRules",
    "NotACount",
    "NumberWords",
    "PartOfCue",
    "Qualifier",
    "RangeRule",
    "Rules",
    "Tolerance",
    "VagueQuantity",
    "VictimGroup",
    "check_extract_rules",
    "default_rules",
    "default_rules_dir",
    "extract_rules_for",
    "load_extract_rules",
    "load_rules",
]
