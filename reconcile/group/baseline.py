"""Group claims into events.

BASELINE: claims belong to the same event when their normalised category,
victims, scope, location, country and event dates are equal. The grouping
issue replaces this with blocking, fuzzy place matching and clustering; the
seam stays: a block function takes a table of claims and returns one
``event_id`` per claim, so an engine can map it over partitions.
"""

from __future__ import annotations

import hashlib

import pandas as pd

__all__ = ["EVENT_KEY", "group_block", "group_claims"]

# The columns whose equality makes two claims one event in the baseline.
EVENT_KEY = ("category", "victims", "scope", "location", "country", "date_start", "date_end")


def _norm_text(text: str) -> str:
    return " ".join(text.casefold().split())


def _norm(s: pd.Series) -> pd.Series:
    """Case- and space-folded text; computed once per distinct value."""
    s = s.fillna("").astype(str)
    uniques = s.unique()
    return s.map(dict(zip(uniques, map(_norm_text, uniques), strict=True)))


def group_block(claims: pd.DataFrame) -> pd.Series:
    """One ``event_id`` per claim, from the event key alone (order-independent).

    The id is a hash of the normalised key, so it is the same whatever the
    row order or partition a claim arrives in.
    """
    if claims.empty:
        return pd.Series([], index=claims.index, dtype=object, name="event_id")
    key = _norm(claims[EVENT_KEY[0]])
    for col in EVENT_KEY[1:]:
        key = key + "\x1f" + _norm(claims[col])
    ids = {k: "e" + hashlib.sha1(k.encode("utf-8")).hexdigest()[:10] for k in key.unique()}
    return key.map(ids).rename("event_id")


def group_claims(claims: pd.DataFrame) -> pd.DataFrame:
    """``claims`` with an ``event_id`` column added."""
    out = claims.copy()
    out["event_id"] = group_block(claims)
    return out
