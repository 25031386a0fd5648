"""Event ids from content: the same claims make the same id, in any order or partition.

An event's id is a 64-bit hash of the set of its claims' ids: each claim id
is hashed once (pandas' stable SipHash of the string, fixed key), and an
event adds its members' hashes (mod 2**64, so order cannot matter) and mixes
in their count. Claim ids are themselves the user's or a hash of the row's
content (:mod:`reconcile.load`), so event ids depend on content only.
Formatting is column-wise too: hex digits through a lookup table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["claim_hashes", "event_ids"]

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def claim_hashes(claim_ids: pd.Series | np.ndarray) -> np.ndarray:
    """A stable uint64 per claim id (pandas ``hash_array``; the same on every run)."""
    values = np.asarray(claim_ids, dtype=object).astype(str).astype(object)
    return pd.util.hash_array(values, categorize=False)


def _hex(values: np.ndarray, prefix: str) -> np.ndarray:
    """uint64 -> prefix + 16 hex digits, without a Python call per value."""
    shifts = np.arange(60, -4, -4, dtype=np.uint64)
    nibbles = ((values[:, None] >> shifts[None, :]) & np.uint64(15)).astype(np.intp)
    chars = _HEX[nibbles]
    text = np.ascontiguousarray(chars).view("S16").reshape(-1)
    return np.char.add(prefix, text.astype("U16")).astype(object)


def event_ids(labels: np.ndarray, hashes: np.ndarray, prefix: str = "e") -> np.ndarray:
    """The id of each claim's event (``labels`` groups the claims), from member hashes."""
    if len(labels) == 0:
        return np.zeros(0, dtype=object)
    uniq, inv = np.unique(labels, return_inverse=True)
    inv = inv.reshape(-1)
    total = np.zeros(len(uniq), dtype=np.uint64)
    np.add.at(total, inv, hashes.astype(np.uint64))
    count = np.bincount(inv, minlength=len(uniq)).astype(np.uint64)
    with np.errstate(over="ignore"):
        mixed = (total ^ (count * _MIX)) * np.uint64(0xBF58476D1CE4E5B9)
        mixed ^= mixed >> np.uint64(31)
    return _hex(mixed, prefix)[inv]
