"""The column-wise CSV writer writes exactly what pandas writes."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.io.write import csv_bytes, neutralise_formulas

CHARS = st.sampled_from(list("ab ,\"\n\r\t=+-@;é'1.∞\x1f"))
TEXT = st.lists(CHARS, max_size=6).map("".join)


def reference(frame: pd.DataFrame) -> bytes:
    return neutralise_formulas(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 12))
    columns: dict[str, object] = {}
    for k in range(draw(st.integers(2, 5))):
        kind = draw(st.sampled_from(["str", "object", "int", "Int64", "float", "bool"]))
        if kind in ("str", "object"):
            values = draw(st.lists(st.one_of(TEXT, st.none()), min_size=n, max_size=n))
            column: object = pd.Series(values, dtype="str" if kind == "str" else object)
        elif kind == "int":
            column = pd.Series(draw(st.lists(st.integers(-10, 10**7), min_size=n, max_size=n)))
        elif kind == "Int64":
            column = pd.array(draw(st.lists(st.one_of(st.none(), st.integers(0, 99)),
                                            min_size=n, max_size=n)), dtype="Int64")
        elif kind == "float":
            column = pd.Series(draw(st.lists(st.sampled_from([np.nan, 1 / 3, 0.875, 1.0, 1e-5, 1e20]),
                                             min_size=n, max_size=n)))
        else:
            column = pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
        columns[draw(st.sampled_from(["a", "b c", 'q"', "d,e", "=f"])) + str(k)] = column
    return pd.DataFrame(columns)


@settings(max_examples=150, deadline=None)
@given(frames())
def test_csv_bytes_is_what_pandas_writes(frame):
    """For any table of text, numbers and booleans, the fast writer's bytes equal pandas'."""
    assert bytes(csv_bytes(frame)) == reference(frame)


def test_one_column_and_empty_tables_go_through_pandas():
    for frame in (pd.DataFrame({"x": ["", "a"]}), pd.DataFrame({"x": [], "y": []})):
        assert bytes(csv_bytes(frame)) == reference(frame)


def test_slices_of_rows_join_into_the_same_bytes(monkeypatch):
    """The writer works a slice of rows at a time; the slices make the same file."""
    from reconcile.io import write

    frame = pd.DataFrame({"a": ["x", "=1", 'q"', "a,b", "", "y", "z"], "n": [1.5, 2, 3, 4, 5, 6, 7]})
    monkeypatch.setattr(write, "_CHUNK_ROWS", 3)
    assert bytes(csv_bytes(frame)) == reference(frame)
