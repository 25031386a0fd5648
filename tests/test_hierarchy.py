"""The event table's per-event modes (reconcile/group/hierarchy.py) against pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from reconcile.group.hierarchy import _mode


def _reference_mode(ev, values, n_ev, *, skip=-1, prefer_high=False):
    """Count (event, value) pairs, then per event the highest count, ties by value."""
    out = np.full(n_ev, skip, dtype=values.dtype)
    known = ~np.isnan(values) if isinstance(skip, float) else values != skip
    counts = pd.DataFrame({"e": ev[known], "v": values[known]}).groupby(["e", "v"]).size() \
        .rename("n").reset_index() \
        .sort_values(["e", "n", "v"], ascending=[True, False, not prefer_high], kind="stable") \
        .drop_duplicates("e")
    out[counts["e"].to_numpy()] = counts["v"].to_numpy()
    return out


@given(st.integers(1, 6), st.lists(st.tuples(st.integers(0, 5), st.integers(-1, 3)),
                                   max_size=40), st.booleans(), st.booleans())
def test_mode_is_the_most_common_value(n_ev, rows, as_days, prefer_high):
    """Per event, the most common known value; ties to the lowest (or the highest)."""
    ev = np.array([min(e, n_ev - 1) for e, _ in rows], np.int64)
    values = np.array([v for _, v in rows], np.int64)
    kw: dict = {"prefer_high": prefer_high}
    if as_days:
        values = np.where(values < 0, np.nan, values.astype(float))
        kw["skip"] = np.nan
    got = _mode(ev, values, n_ev, **kw)
    want = _reference_mode(ev, values, n_ev, **kw)
    assert np.array_equal(got, want, equal_nan=True)
