"""Claims loading: formats, encodings, validation, and nothing lost."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconcile.errors import InputError
from reconcile.load import load_claims, validate_claims

HEADER = "source,figure,category,location,event_date\n"


def write(tmp_path, name: str, text: str | bytes):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_basic_csv(tmp_path):
    p = write(tmp_path, "c.csv", HEADER + "SOHR,at least 29,killed,Aleppo,2013-02-22\n")
    r = load_claims(p)
    assert len(r.claims) == 1 and r.rejects.empty
    row = r.claims.iloc[0]
    assert (row["low"], row["anchor"], row["kind"], row["line"]) == (29, 29, "lower", 2)
    assert pd.isna(row["high"])  # unbounded
    assert str(r.claims["low"].dtype) == "Int64" and str(r.claims["high"].dtype) == "Int64"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters_are_sniffed(tmp_path, delimiter):
    rows = [["source", "figure", "category"], ["A", "at least 5", "killed"], ["B", "7", "dead"]]
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows(rows)
    r = load_claims(write(tmp_path, "c.csv", buf.getvalue()))
    assert list(r.claims["source"]) == ["A", "B"] or sorted(r.claims["source"]) == ["A", "B"]
    assert set(r.claims["category"]) == {"killed"}


def test_utf8_bom(tmp_path):
    p = write(tmp_path, "c.csv", "\ufeffsource,figure\nSOHR,5\n".encode())
    r = load_claims(p)
    assert list(r.claims.columns[:3]) == ["claim_id", "line", "source"]
    assert r.claims["source"].iloc[0] == "SOHR" and not r.warnings


def test_latin1_fallback_warns(tmp_path):
    p = write(tmp_path, "c.csv", "source,figure,location\nSOHR,5,Alep\xe9\n".encode("latin-1"))
    r = load_claims(p)
    assert r.claims["location"].iloc[0] == "Alepé"
    assert len(r.warnings) == 1 and "Latin-1" in r.warnings[0] and "c.csv" in r.warnings[0]


def test_missing_required_column_names_what_was_found(tmp_path):
    p = write(tmp_path, "c.csv", "who,figure\nSOHR,5\n")
    with pytest.raises(InputError) as err:
        load_claims(p)
    msg = str(err.value)
    assert "c.csv:1" in msg and "'source'" in msg and "found: who, figure" in msg


def test_missing_figure_and_bounds(tmp_path):
    with pytest.raises(InputError, match=r"'figure' \(or 'low'/'high'\)"):
        load_claims(write(tmp_path, "c.csv", "source,category\nA,killed\n"))


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"\x00\x01\x02binary", "binary"),
])
def test_unreadable_files(tmp_path, content, message):
    with pytest.raises(InputError, match=message):
        load_claims(write(tmp_path, "c.csv", content))


def test_missing_file_and_unknown_type(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_claims(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="unknown file type"):
        load_claims(write(tmp_path, "c.xlsx", "x"))


BAD_ROWS = [
    # (row, field, reason fragment)
    (",5,killed,,", "source", "empty"),
    ("A,n/a,killed,,", "figure", "cannot read 'n/a'"),
    ("A,,killed,,", "figure", "no low/high"),
    ("A,5,exploded,,", "category", "unknown category 'exploded'"),
    ("A,5,killed,,2024-02-30", "event_date", "not an ISO date"),
    ("A,5,killed,,2024-03-05/2024-03-01", "event_date", "ends before it starts"),
    ("A,a 7-year-old,killed,,", "figure", "an age"),
]


@pytest.mark.parametrize("row, field, reason", BAD_ROWS)
def test_each_bad_row_is_rejected_with_line_field_and_reason(tmp_path, row, field, reason):
    text = HEADER + "A,3,killed,X,2024-01-01\n" + row + "\n"
    r = load_claims(write(tmp_path, "c.csv", text))
    assert len(r.claims) == 1 and len(r.rejects) == 1
    rej = r.rejects.iloc[0]
    assert rej["line"] == 3 and rej["field"] == field and reason in rej["reason"]


def test_bounds_columns(tmp_path):
    text = ("source,low,high\nA,5,9\nB,5,\nC,,9\nD,-1,3\nE,9,5\nF,x,\nG,2.5,\nH,4,4\n")
    r = load_claims(write(tmp_path, "c.csv", text))
    got = {row.source: (row.low, None if pd.isna(row.high) else row.high, row.kind)
           for row in r.claims.itertuples()}
    assert got == {"A": (5, 9, "range"), "B": (5, None, "lower"), "C": (0, 9, "upper"),
                   "H": (4, 4, "exact")}
    assert sorted(r.rejects["source"]) == ["D", "E", "F", "G"]


def test_figure_and_bounds_must_agree(tmp_path):
    text = "source,figure,low,high\nA,at least 5,5,\nB,at least 5,6,\n"
    r = load_claims(write(tmp_path, "c.csv", text))
    assert list(r.claims["source"]) == ["A"]
    assert "disagree with the figure" in r.rejects["reason"].iloc[0]


def test_row_with_too_many_fields(tmp_path):
    text = "source,figure\nA,5\nB,about 5,000\n"
    r = load_claims(write(tmp_path, "c.csv", text))
    assert len(r.claims) == 1
    assert r.rejects.iloc[0]["line"] == 3 and "3 fields" in r.rejects.iloc[0]["reason"]


def test_multiline_quoted_field_keeps_line_numbers(tmp_path):
    text = 'source,figure,quote\nA,5,"two\nlines"\n,6,x\n'
    r = load_claims(write(tmp_path, "c.csv", text))
    assert r.claims["line"].tolist() == [2] and r.rejects["line"].tolist() == [4]


def test_duplicate_claim_ids_are_all_rejected(tmp_path):
    text = "claim_id,source,figure\nx,A,5\nx,B,6\ny,C,7\n"
    r = load_claims(write(tmp_path, "c.csv", text))
    assert list(r.claims["claim_id"]) == ["y"]
    assert set(r.rejects["line"]) == {2, 3} and "lines 2, 3" in r.rejects["reason"].iloc[0]


def test_part_of_must_name_a_usable_claim(tmp_path):
    text = ("claim_id,source,figure,part_of\nwhole,A,25,\npart,A,10,whole\n"
            "orphan,A,3,missing\nbad,,4,\nchild,A,2,bad\n")
    r = load_claims(write(tmp_path, "c.csv", text))
    assert sorted(r.claims["claim_id"]) == ["part", "whole"]
    assert sorted(r.rejects["claim_id"]) == ["bad", "child", "orphan"]


def test_generated_ids_are_stable_and_distinct(tmp_path):
    text = HEADER + "A,5,killed,X,\nA,5,killed,X,\nB,6,killed,X,\n"
    one = load_claims(write(tmp_path, "a.csv", text)).claims
    lines = text.splitlines()
    two = load_claims(write(tmp_path, "b.csv", "\n".join([lines[0], *lines[:0:-1]]) + "\n")).claims
    assert one["claim_id"].is_unique
    assert sorted(one["claim_id"]) == sorted(two["claim_id"])


def test_aliases_normalised(tmp_path):
    text = "source,figure,category,victims\nA,5,Wounded,kids\nB,6,fatalities,Martians\n"
    r = load_claims(write(tmp_path, "c.csv", text))
    got = dict(zip(r.claims["source"], zip(r.claims["category"], r.claims["victims"],
                                           strict=True), strict=True))
    assert got == {"A": ("injured", "children"), "B": ("killed", "martians")}


def test_unknown_columns_carried_through(tmp_path):
    r = load_claims(write(tmp_path, "c.csv", "source,figure,My Note\nA,5,keep me\n"))
    assert r.claims["my_note"].iloc[0] == "keep me"


def test_jsonl(tmp_path):
    lines = [json.dumps({"source": "A", "figure": "at least 3", "low": None}),
             "{not json", json.dumps([1, 2]), "", json.dumps({"source": "B", "low": 4, "high": 6})]
    r = load_claims(write(tmp_path, "c.jsonl", "\n".join(lines) + "\n"))
    assert sorted(r.claims["source"]) == ["A", "B"]
    assert r.rejects["line"].tolist() == [2, 3]
    assert r.n_rows == 4


def test_parquet(tmp_path):
    path = tmp_path / "c.parquet"
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        path.write_bytes(b"PAR1")
        with pytest.raises(InputError, match=r"pip install 'reconcile\[parquet\]'"):
            load_claims(path)
        return
    pd.DataFrame({"source": ["A", ""], "figure": ["5", "6"]}).to_parquet(path)
    r = load_claims(path)
    assert list(r.claims["source"]) == ["A"] and r.rejects["line"].tolist() == [2]


# -- nothing lost, whatever the rows --------------------------------------------

cells = st.sampled_from(["", "A", "SOHR", "at least 29", "n/a", "5", "-3", "dozens", "2.5",
                         "2024-01-02", "2024-13-01", "killed", "wounded", "exploded", "x,y",
                         '"quoted"', "=cmd()", "about 1,200", "c1", "c2"])


@settings(max_examples=60, deadline=None,  # a load per example: slow on a busy machine
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(cells, cells, cells, cells, cells, cells, cells), max_size=25))
def test_rows_in_equal_rows_used_plus_rejected(tmp_path, rows):
    """Every data row is either a claim or a reject, never both, never neither."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["claim_id", "source", "figure", "low", "high", "category", "event_date"])
    w.writerows(rows)
    path = write(tmp_path, "c.csv", buf.getvalue())
    r = load_claims(path)
    kept = [row for row in rows if any(cell.strip() for cell in row)]
    assert r.n_rows == len(kept) == len(r.claims) + len(r.rejects)
    assert set(r.claims["line"]).isdisjoint(set(r.rejects["line"]))


@settings(max_examples=30, deadline=None)  # two loads of the example: slow on a busy machine
@given(st.randoms(use_true_random=False))
def test_result_does_not_depend_on_row_order(rnd: random.Random):
    """Shuffling the rows changes line numbers only."""
    src = Path(__file__).parents[1] / "examples" / "claims.csv"
    raw = pd.read_csv(src, dtype=str, keep_default_na=False)
    raw.insert(0, "line", range(2, len(raw) + 2))
    shuffled = raw.sample(frac=1, random_state=rnd.randint(0, 10**6))
    a, ra = validate_claims(raw)
    b, rb = validate_claims(shuffled)
    pd.testing.assert_frame_equal(a.drop(columns="line"), b.drop(columns="line"))
    assert sorted(ra["claim_id"]) == sorted(rb["claim_id"])


def test_absurd_counts_rejected(tmp_path):
    text = "source,figure,low,high\nA,,6000000000000000000,\nB,20 billion,,\nC,,5,6\n"
    r = load_claims(write(tmp_path, "c.csv", text))
    assert list(r.claims["source"]) == ["C"]
    reasons = dict(zip(r.rejects["source"], r.rejects["reason"], strict=True))
    assert reasons["A"].startswith("low: larger than any count") and ";" not in reasons["A"]
    assert "larger than any count" in reasons["B"]


def test_fast_and_careful_readers_agree(tmp_path, monkeypatch):
    """The C-reader fast path gives exactly what the line-tracking reader gives."""
    from reconcile.io import records as claims_module
    from reconcile.simulate import WorldSpec, simulate_world, write_world

    path = write_world(simulate_world(WorldSpec(n_claims=1500, seed=4)), tmp_path)["claims"]
    fast = load_claims(path)
    monkeypatch.setattr(claims_module, "_read_csv_fast", lambda *a: None)
    careful = load_claims(path)
    pd.testing.assert_frame_equal(fast.claims, careful.claims)
    pd.testing.assert_frame_equal(fast.rejects, careful.rejects)


@pytest.mark.parametrize("text", [
    "source,figure\nA,5\n\nB,6\n",  # blank line
    "source,figure\r\nA,5\r\nB,6\r\n",  # CRLF
    "source,figure\nA,5\nB\n",  # short row
    "source,figure\nA,5,x\nB,6\n",  # long row
    'source,figure,quote\nA,5,"two\nlines"\nB,6,x\n',  # quoted newline
])
def test_line_numbers_survive_every_reader_path(tmp_path, text):
    r = load_claims(write(tmp_path, "c.csv", text))
    both = pd.concat([r.claims[["source", "line"]], r.rejects[["source", "line"]]])
    got = dict(zip(both["source"], both["line"], strict=True))
    lines = text.replace("\r\n", "\n").split("\n")
    want = {ln[0]: i for i, ln in enumerate(lines, 1) if ln[:1] in ("A", "B")}
    assert got == want


class TestOneReader:
    """run and extract read bytes through one decoder and say the same thing."""

    @pytest.mark.parametrize("data, expect", [
        ("source,figure\nA,5\n".encode("utf-16-le"), "UTF-16-LE"),
        ("source,figure\nA,5\n".encode("utf-16-be"), "UTF-16-BE"),
        (b"source,figure,location\nSOHR,5,Alep\xe9\n", "line 2 is not UTF-8"),
        (b"source,figure,location\nSOHR,5,\x93Aleppo\x94\n", "Windows-1252"),
    ])
    def test_run_and_extract_agree_on_encodings(self, tmp_path, data, expect):
        from reconcile.io.articles import read_articles

        claims = write(tmp_path, "c.csv", data)
        loaded = load_claims(claims)
        assert len(loaded.claims) == 1 and len(loaded.warnings) == 1
        assert expect in loaded.warnings[0]
        article = tmp_path / "a.txt"
        article.write_bytes(data)
        _, messages = read_articles(article)
        assert len(messages) == 1 and expect in messages[0]
        assert messages[0].split(": ", 1)[1] == loaded.warnings[0].split(": ", 1)[1]

    def test_windows_1252_quotes_are_read_as_quotes(self, tmp_path):
        r = load_claims(write(tmp_path, "c.csv", b"source,figure,location\nSOHR,5,\x93Aleppo\x94\n"))
        assert r.claims["location"].iloc[0] == "“Aleppo”"

    def test_nul_bytes_that_are_not_utf16_are_binary(self, tmp_path):
        with pytest.raises(InputError, match="binary"):
            load_claims(write(tmp_path, "c.csv", b"\x00\x01\x02\x03" * 10))
