"""Event ids from content: the id of an event is the id of its originating claim.

An event's **originating claim** is its earliest-published claim (undated
claims count as published after every dated one; ties go to the smallest
claim id). The event id is a 64-bit hash of that claim's id (pandas'
stable SipHash of the string, fixed key, then mixed), written ``e`` + 16
hex digits. Claim ids are themselves the user's or a hash of the row's
content (:mod:`reconcile.load`), so event ids depend on content only, never
on row order or partitions.

Why the originating claim and not all of them: an event keeps its id when
later reports join it, so ids are stable across runs on growing claims.
The rules that follow, and that ``reconcile diff`` reports:

- **claims added** to an event (published after its first report): same id;
- **merge**: the merged event keeps the id of the member event whose first
  report is oldest (its originating claim is the merged event's);
- **split**: the part holding the originating claim keeps the id; each other
  part takes the id of its own earliest claim;
- **an earlier report joins** (a back-filled archive): the event takes that
  report's id — ``diff`` shows it as the same event under a new id.

Formatting is column-wise too: hex digits through a lookup table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["claim_hashes", "event_ids", "originating_claims"]

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_MIX = np.uint64(0x9E3779B97F4A7C15)
# Sorts after every ISO date-time: undated claims come after dated ones.
UNDATED = "\uffff"


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


def originating_claims(labels: np.ndarray, claim_ids: np.ndarray,
                       published: np.ndarray | None = None) -> np.ndarray:
    """Per claim, the position of its event's originating claim.

    ``labels`` groups the claims into events; ``published`` holds ISO
    date-times ("" or None when undated; ISO text sorts as time does).
    Without ``published`` every claim is undated and the smallest id wins.

    >>> originating_claims(np.array([0, 0, 1]), np.array(["b", "a", "c"]),
    ...                    np.array(["2024-01-02T00:00:00", "", "2024-01-01T00:00:00"]))
    array([0, 0, 2])
    """
    n = len(labels)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    ids = np.asarray(claim_ids, dtype=object).astype(str)
    if published is None:
        when = np.full(n, UNDATED, dtype=object)
    else:
        pub = pd.Series(published, dtype=object).fillna("").astype(str).to_numpy(dtype=object)
        when = np.where(pub == "", UNDATED, pub)
    _, inv = np.unique(labels, return_inverse=True)
    inv = inv.reshape(-1)
    order = np.lexsort((ids, when.astype(str), inv))
    first_sorted = np.r_[True, inv[order][1:] != inv[order][:-1]]
    first_of_event = np.empty(inv.max() + 1, dtype=np.int64)
    first_of_event[inv[order][first_sorted]] = order[first_sorted]
    return first_of_event[inv]


def event_ids(labels: np.ndarray, hashes: np.ndarray, prefix: str = "e", *,
              claim_ids: np.ndarray | None = None,
              published: np.ndarray | None = None) -> np.ndarray:
    """The id of each claim's event (``labels`` groups the claims): the mixed hash of
    its originating claim (see the module notes).

    ``hashes`` are :func:`claim_hashes` of ``claim_ids``. Without ``claim_ids``
    the originating claim is the one with the smallest hash (no dates).
    """
    if len(labels) == 0:
        return np.zeros(0, dtype=object)
    hashes = np.asarray(hashes, dtype=np.uint64)
    if claim_ids is None:
        _, inv = np.unique(labels, return_inverse=True)
        inv = inv.reshape(-1)
        low = np.full(inv.max() + 1, np.iinfo(np.uint64).max, dtype=np.uint64)
        np.minimum.at(low, inv, hashes)
        origin_hash = low[inv]
    else:
        origin_hash = hashes[originating_claims(labels, claim_ids, published)]
    with np.errstate(over="ignore"):
        mixed = (origin_hash ^ _MIX) * np.uint64(0xBF58476D1CE4E5B9)
        mixed ^= mixed >> np.uint64(31)
    return _hex(mixed, prefix)
