"""report.html (static checks), the table formats, explain and summary."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from reconcile.cli import main
from reconcile.errors import OutputError
from reconcile.report.charts import UnsafeSVG, check_svg
from reconcile.report.html import build_report, safe_url
from reconcile.report.reasons import claim_reasons, rank_for_review
from reconcile.report.tables import read_tables, write_tables

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "claims.csv"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def example_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    result = invoke("run", str(EXAMPLE), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    return out


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "action", "srcset", "poster", "data") and value:
                self.urls.append((tag, name, value))


def test_report_has_no_external_url_in_src_or_href(example_run):
    html = (example_run / "report.html").read_text(encoding="utf-8")
    parser = Links()
    parser.feed(html)
    external = [u for u in parser.urls if not u[2].startswith(("#", "data:"))]
    assert not external, external
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "@import" not in html and "url(http" not in html
    # one script of ours, allowed by hash; everything else is JSON data
    assert parser.tags.count("script") == html.count('type="application/json"') + 1
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_report_script_is_the_vetted_one():
    from importlib.resources import files

    script = files("reconcile.report.assets").joinpath("report.js").read_text(encoding="utf-8")
    for banned in ("innerHTML", "outerHTML", "eval(", "Function(", "document.write",
                   "insertAdjacentHTML", "fetch(", "XMLHttpRequest", "import("):
        assert banned not in script, banned


def test_report_tells_each_example_event(example_run):
    html = (example_run / "report.html").read_text(encoding="utf-8")
    for words in ("Disagreement report", "The run in numbers", "Events that most need a human",
                  "Lakeport", "Northvale", "Damascus", "Rows that could not be used"):
        assert words in html, words
    blocks = re.findall(r'<script type="application/json" id="d-\d+">(.*?)</script>', html, re.S)
    details = [json.loads(b) for b in blocks]
    n_events = len(pd.read_csv(example_run / "events.csv"))
    assert len(details) == n_events
    ferry = next(d for d in details if d["title"].startswith("killed people · Lakeport"))
    whys = {c["claim_id"]: c["why"] for c in ferry["claims"]}
    assert whys["ex-ferry-1"].startswith("Superseded: Port authority reported again later")
    assert whys["ex-ferry-4"].startswith("Outside by 62") and "feared" in whys["ex-ferry-4"]
    assert all(d["chart"] and d["chart"].startswith("<svg") for d in details)
    children = next(d for d in details if d["title"].startswith("killed children · Idlib")
                    and d["parent"])
    parent = next(d for d in details if d["id"] == children["parent"]["id"])
    assert children["id"] in [c["id"] for c in parent["children"]]


def test_json_blocks_cannot_close_their_script():
    events = pd.DataFrame([{"event_id": "e1", "category": "killed", "victims": "</script>",
                            "location": "<b>x</b>", "country": "", "date_start": "",
                            "date_end": "", "low": 1, "best": 1, "high": 1, "confidence": 0.5,
                            "status": "single-source", "n_claims": 1, "n_sources": 1,
                            "n_independent": 1, "parent_event_id": "", "sources": "a",
                            "conflicts": ""}])
    claims = pd.DataFrame([{"claim_id": "c1", "source": "</script><script>alert(1)</script>",
                            "figure": "1", "low": 1, "high": 1, "anchor": 1, "event_id": "e1",
                            "verdict": "consistent", "quote": "&lt;", "url": "javascript:x"}])
    html = build_report(events, claims, max_charts=0)
    body = html.split("<script>")[0]
    assert "</script><script>alert" not in html
    assert "<b>x</b>" not in html and "\\u003cb\\u003ex" in html
    assert "javascript:x" not in re.findall(r'href="([^"]*)"', body)


def test_safe_url_only_http():
    assert safe_url("http://a.example/x") == "http://a.example/x"
    for bad in ("javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "vbscript:x",
                "//a.example", "https://a.example/\"><img>", "file:///etc/passwd", "ftp://x/y"):
        assert safe_url(bad) == "", bad


def test_check_svg_refuses_active_content():
    ns = 'xmlns="http://www.w3.org/2000/svg"'
    for bad in (f"<svg {ns}><script>x</script></svg>", f'<svg {ns}><a href="http://x"/></svg>',
                f"<svg {ns}><foreignObject/></svg>", f'<svg {ns}><g onclick="x"/></svg>'):
        with pytest.raises(UnsafeSVG):
            check_svg(bad)


def test_report_caps_events_with_a_note(tmp_path):
    out = tmp_path / "out"
    result = invoke("run", str(EXAMPLE), "-o", str(out), "-q", "--report-events", "5",
                    "--report-charts", "2")
    assert result.exit_code == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    n_events = len(pd.read_csv(out / "events.csv"))
    assert f"holds the 5 events most in need of review out of {n_events}" in html
    assert "Charts are drawn for the 2 events" in html
    assert len(re.findall(r'id="d-\d+"', html)) == 5


def test_no_report(tmp_path):
    invoke("run", str(EXAMPLE), "-o", str(tmp_path), "-q", "--no-report")
    assert not (tmp_path / "report.html").exists()


# -- reasons and priority ------------------------------------------------------------


def test_every_verdict_has_a_reason():
    events = pd.DataFrame([{"event_id": "e", "low": 10, "best": 12, "high": 15}])
    rows = [("consistent", 10, 20), ("below", 1, 5), ("above", 30, 40), ("superseded", 3, 3),
            ("relayed", 12, 12), ("copy", 12, 12), ("denial", 0, 0), ("excluded", 9, 9)]
    claims = pd.DataFrame([{"claim_id": f"c{i}", "event_id": "e", "source": "S", "verdict": v,
                            "low": lo, "high": hi} for i, (v, lo, hi) in enumerate(rows)])
    sources = pd.DataFrame([{"source": "S", "copies_of": "Origin"}])
    why = claim_reasons(claims, events, sources).tolist()
    assert why[0].startswith("Consistent")
    assert why[1] == "Outside by 5: its upper bound 5 is 5 below low 10."
    assert why[2] == "Outside by 15: its lower bound 30 is 15 above high 15."
    assert why[3].startswith("Superseded")
    assert why[4].startswith("Relayed")
    assert why[5] == "Copy: S copies Origin; its figure adds no independent evidence."
    assert why[6].startswith("Denial by S")
    assert why[7].startswith("Excluded by a reviewer")


def test_priority_puts_contested_and_high_stakes_first():
    events = pd.DataFrame([
        {"event_id": "a", "status": "agreed", "best": 5, "confidence": 0.9, "conflicts": ""},
        {"event_id": "b", "status": "contested", "best": 50, "confidence": 0.4,
         "conflicts": "x (above)"},
        {"event_id": "c", "status": "single-source", "best": 5000, "confidence": 0.5,
         "conflicts": ""},
    ])
    assert rank_for_review(events)["event_id"].tolist() == ["b", "c", "a"]
    reviewed = events.assign(review=["", "note by Ana", ""])
    assert rank_for_review(reviewed)["event_id"].tolist()[0] == "c"


# -- formats -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet", "sqlite"])
def test_formats_read_back_the_same_events(tmp_path, fmt, example_run):
    out = tmp_path / fmt
    result = invoke("run", str(EXAMPLE), "-o", str(out), "-q", "--format", fmt, "--no-report")
    assert result.exit_code == 0, result.output
    back = read_tables(out)
    base = read_tables(example_run)
    assert back["events"] is not None and base["events"] is not None
    assert back["events"]["event_id"].tolist() == base["events"]["event_id"].tolist()
    assert [str(x) for x in back["events"]["best"]] == base["events"]["best"].tolist()
    assert len(back["claims"]) == len(base["claims"]) and len(back["rejects"]) == 4
    # explain works on every format
    eid = base["events"]["event_id"].iloc[0]
    assert invoke("explain", eid, "--run", str(out)).exit_code == 0


def test_sqlite_keys_and_full_text_search(tmp_path):
    invoke("run", str(EXAMPLE), "-o", str(tmp_path), "-q", "--format", "sqlite", "--no-report")
    con = sqlite3.connect(tmp_path / "reconcile.sqlite")
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"events", "claims", "rejects", "claims_fts"} <= tables
    fks = con.execute("PRAGMA foreign_key_list(claims)").fetchall()
    assert any(f[2] == "events" and f[3] == "event_id" for f in fks)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    hits = con.execute("SELECT claims.claim_id FROM claims_fts JOIN claims ON "
                       "claims.rowid = claims_fts.rowid WHERE claims_fts MATCH 'bodies'").fetchall()
    assert hits == [("ex-ferry-1",)]
    types = {r[1]: r[2] for r in con.execute("PRAGMA table_info(events)")}
    assert types["best"] == "INTEGER" and types["confidence"] == "REAL"


def test_parquet_without_pyarrow_names_the_extra(tmp_path, monkeypatch):
    import reconcile.report.tables as tables

    monkeypatch.setattr(tables, "parquet_available", lambda: False)
    with pytest.raises(OutputError, match=r"pip install 'reconcile\[parquet\]'"):
        write_tables(tmp_path, {"events": pd.DataFrame({"event_id": ["e"]})}, fmt="parquet")
    result = CliRunner().invoke(main, ["run", str(EXAMPLE), "-o", str(tmp_path / "o"), "-q",
                                       "--format", "parquet"])
    assert result.exit_code == 1
    assert "reconcile[parquet]" in result.output


def test_hxl_row_and_formula_guard_read_back(tmp_path):
    claims = tmp_path / "c.csv"
    claims.write_text("claim_id,source,figure,category,location,quote\n"
                      "a,=HYPERLINK(\"http://x\"),5,killed,@SUM(1),+1+2\n"
                      "b,Wire,7,killed,Town,-5\n", encoding="utf-8")
    out = tmp_path / "out"
    assert invoke("run", str(claims), "-o", str(out), "-q", "--hxl").exit_code == 0
    rows = list(csv.reader((out / "events.csv").open(encoding="utf-8")))
    header, tags = rows[0], rows[1]
    tag = dict(zip(header, tags, strict=True))
    assert tag["best"] == "#affected+killed" and tag["low"] == "#affected+killed+min"
    assert tag["date_start"] == "#date+start" and tag["sources"] == "#meta+source"
    back = pd.read_csv(out / "claims.csv", dtype=str, keep_default_na=False, skiprows=[1])
    cell = dict(zip(back["claim_id"], back["source"], strict=True))
    assert cell["a"] == "'=HYPERLINK(\"http://x\")"
    assert back.set_index("claim_id").loc["a", "quote"] == "'+1+2"
    assert back.set_index("claim_id").loc["b", "quote"] == "-5"
    # reading the folder back skips the hashtag row
    assert read_tables(out)["events"]["event_id"].str.startswith("#").sum() == 0


def test_hxl_needs_csv():
    result = CliRunner().invoke(main, ["run", str(EXAMPLE), "-o", "x", "--hxl", "--format",
                                       "jsonl"])
    assert result.exit_code == 2 and "--hxl" in result.output


def test_ged_columns(example_run):
    events = pd.read_csv(example_run / "events.csv", dtype=str, keep_default_na=False)
    for col in ("number_of_sources", "source_article", "source_office", "source_original"):
        assert col in events
    quake = events[(events["location"] == "Northvale") & (events["category"] == "killed")].iloc[0]
    assert quake["number_of_sources"] == "5"
    assert quake["source_office"] == "Demo Daily; Example Wire"


# -- explain and summary ------------------------------------------------------------------


def test_explain_prints_every_claim_and_why(example_run):
    events = pd.read_csv(example_run / "events.csv", dtype=str, keep_default_na=False)
    eid = events[(events["location"] == "Lakeport") & (events["category"] == "killed")] \
        ["event_id"].iloc[0]
    result = invoke("explain", eid[:6], "--run", str(example_run))
    assert result.exit_code == 0
    for words in ("Lakeport", "Superseded", "Outside by 62", "feared", "Twelve bodies"):
        assert words in result.output, words
    data = json.loads(invoke("explain", eid, "--run", str(example_run), "--json").output)
    assert len(data["claims"]) == 5 and data["event_id"] == eid


def test_explain_unknown_event_is_one_error_line(example_run):
    result = CliRunner().invoke(main, ["explain", "nope", "--run", str(example_run)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith(f"Error: {example_run}: no event")


def test_explain_needs_an_output_folder(tmp_path):
    result = CliRunner().invoke(main, ["summary", str(tmp_path)])
    assert result.exit_code == 1 and "no events table here" in result.output


def test_summary_lists_contested_first(example_run):
    result = invoke("summary", str(example_run), "--top", "3")
    assert result.exit_code == 0
    n_events = len(pd.read_csv(example_run / "events.csv"))
    assert f"{n_events} events from 35 claims" in result.output
    lines = [ln for ln in result.output.splitlines() if "contested" in ln]
    assert lines
    one = invoke("summary", str(example_run), "--top", "1").output
    assert "The event most in need of review" in one and "The 1 events" not in one


def test_many_charts_render_in_workers_the_same():
    from reconcile.report.charts import event_chart
    from reconcile.report.svg import render_many, render_svg

    specs = [event_chart([{"source": f"S{i}", "figure": str(i + 1), "low": i + 1, "high": i + 1,
                           "anchor": i + 1, "verdict": "consistent"}],
                         {"low": i + 1, "best": i + 1, "high": i + 1}) for i in range(24)]
    parallel = render_many(specs, workers=2)
    assert len(parallel) == 24 and all(s.startswith("<svg") for s in parallel)
    assert parallel[5] == render_svg(specs[5])


def test_ged_where_prec_from_claims():
    from reconcile.report.tables import ged_columns

    events = pd.DataFrame({"event_id": ["e1", "e2"], "sources": ["a", "b"]})
    claims = pd.DataFrame({"event_id": ["e1", "e1", "e2"], "claim_id": ["c1", "c2", "c3"],
                           "source": ["a", "a", "b"], "where_prec": [2, 6, None]})
    out = ged_columns(events, claims)
    assert out["where_prec"].tolist()[0] == 2 and pd.isna(out["where_prec"].tolist()[1])
    assert out["number_of_sources"].tolist() == [2, 1]


def test_csv_counts_stay_whole_numbers_when_a_blank_makes_them_float(tmp_path):
    """Regression: an event whose high a reviewer left open ("set-figure at least
    15") made pandas hold ``high`` as float, and every other event's high was
    written 39.0."""
    events = pd.DataFrame({"event_id": ["a", "b"], "low": [32, 15], "best": [34, 15],
                           "high": [39.0, float("nan")], "confidence": [0.85, float("nan")]})
    write_tables(tmp_path, {"events": events})
    rows = list(csv.DictReader((tmp_path / "events.csv").open(encoding="utf-8")))
    assert [r["high"] for r in rows] == ["39", ""]
    assert rows[0]["confidence"] == "0.85"


def test_readme_explain_examples_name_an_event_of_the_example(example_run):
    """Event ids come from their originating claim, so a change to grouping or to
    examples/claims.csv can leave the README pointing at nothing."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ids = re.findall(r"reconcile explain (\w+) --run out/", readme)
    assert ids
    for eid in ids:
        result = invoke("explain", eid, "--run", str(example_run), "--json")
        assert result.exit_code == 0, (eid, result.output)
        assert json.loads(result.output)["place"].startswith("Lakeport")
