"""reconcile diff: two runs on the example, events matched through their claims."""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconcile.cli import main
from reconcile.report.diff import diff_runs

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "claims.csv"
GOLDEN = ROOT / "tests" / "golden"

HOSTILE_SOURCE = '[bold red]Evil[/] =HYPERLINK("http://x")'

OLD_REVIEW = """target,verdict,reviewer,reason,date
e0d766f81529bc8d1,note,Ana,checked with the port authority,2025-03-05
e41ba70f9eae60994,note,Ben,police figure confirmed,2025-08-06
e0c5871a931e7e15f,note,Ana,state media undercounts,2013-02-23
"""
# the ferry note stays; the raid's is dropped; a merge and a split
NEW_REVIEW = """target,verdict,reviewer,reason,date
e0d766f81529bc8d1,note,Ana,checked with the port authority,2025-03-05
wh-since-20ch,merge-with wh-since-56,Ana,same count,2024-12-03
blog-damascus-60,split,Ana,another attack,2013-02-23
"""


def modified_claims(path: Path) -> None:
    """The example with one claim removed, one changed and four added."""
    with EXAMPLE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    cols = list(rows[0])
    rows = [r for r in rows if r["claim_id"] != "ex-quake-inj"]  # its event goes
    for r in rows:
        if r["claim_id"] == "ex-raid-2":
            r["figure"], r["quote"] = "60", "Police said 60 people were detained."

    def add(**kw: str) -> None:
        row = dict.fromkeys(cols, "")
        row.update(kw, category="killed", victims="people", country="Examplestan")
        rows.append(row)

    add(claim_id="ex-ferry-6", source="Port authority", figure="48", location="Lakeport",
        event_date="2025-03-02", published="2025-03-05T10:00:00", outlet="Example Wire",
        article_id="ex-020", event="ferry capsized",
        quote="The port authority now counts 48 dead.")
    add(claim_id="ex-aleppo-new", source="State media", figure="more than 200",
        location="Aleppo", country="Syria", event_date="2013-02-22",
        published="2013-02-24T10:00:00", outlet="State TV", article_id="ex-021",
        event="rocket attacks", quote="More than 200 were killed in Aleppo.")
    add(claim_id="ex-river-1", source=HOSTILE_SOURCE, figure="7", location="Riverton",
        event_date="2025-09-01", published="2025-09-01T10:00:00", outlet="=cmd|calc",
        article_id="ex-022", event="bridge collapse", quote="[link=http://evil]7[/link] died.")
    add(claim_id="ex-ferry-miss-2", source="Local officials", figure="more than 90",
        category="missing", location="Lakeport", event_date="2025-03-02",
        published="2025-03-04T09:00:00", outlet="Demo Daily", article_id="ex-025",
        event="ferry capsized", quote="Officials said more than 90 were missing.")
    rows[-1]["category"] = "missing"
    rows[-2]["country"] = "Examplestan"
    rows[-3]["country"] = "Syria"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, cols)
        writer.writeheader()
        writer.writerows(rows)


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("diff")
    (root / "old.csv").write_text(OLD_REVIEW, encoding="utf-8")
    (root / "new.csv").write_text(NEW_REVIEW, encoding="utf-8")
    modified_claims(root / "claims.csv")
    old, new = root / "old", root / "new"
    for claims, out, review in ((EXAMPLE, old, "old.csv"), (root / "claims.csv", new, "new.csv")):
        result = invoke("run", str(claims), "-o", str(out), "-q", "--no-report",
                        "--review", str(root / review))
        assert result.exit_code == 0, result.output
    return old, new


def test_each_kind_of_change(runs):
    d = diff_runs(*runs)
    assert d["counts"] == {"added": 1, "removed": 1, "merged": 1, "split": 1, "moved": 4,
                           "contested": 2, "verdicts": 2, "unchanged": 4}
    added = d["added"][0]
    assert added["place"] == "Riverton, Examplestan"
    assert [c["claim_id"] for c in added["new_claims"]] == ["ex-river-1"]
    assert d["removed"][0]["event_id"] == "e9f2768ec3745a785"  # ex-quake-inj's
    merged = d["merged"][0]
    assert sorted(e["event_id"] for e in merged["from"]) == ["e1dfab1420197732e",
                                                             "eb27421bfb9bf9f1e"]
    split = d["split"][0]
    assert split["from"]["event_id"] == "e0c5871a931e7e15f"
    assert len(split["into"]) == 2
    moved = {m["event_id"]: m for m in d["moved"]}
    ferry = moved["e0d766f81529bc8d1"]
    assert ferry["old"][1] == 34 and ferry["by"] == ferry["new"][1] - 34 != 0
    assert [(c["claim_id"], c["why"]) for c in ferry["new_claims"]] == [("ex-ferry-6", "new")]
    raid = moved["e41ba70f9eae60994"]
    assert raid["new_claims"] == [{"claim_id": "ex-raid-2", "claim": "Local activists '60' "
                                   "(ex-raid-2)", "why": "figure was '45'"}]
    # the missing now have two sources that exclude each other; the ferry's new 48 leaves
    # the officials' "more than 100" excluded by independent figures, no longer an outlier
    contested = {e["event_id"]: e["was"] for e in d["contested"]}
    assert contested == {"ecedaa307eda88a5e": ["single-source"],
                         "e0d766f81529bc8d1": ["resolved"]}
    gone = {v["event_id"]: v["why"] for v in d["verdicts"]}
    # the ferry's note is still on it; the raid's was dropped; Damascus was split
    assert gone == {"e41ba70f9eae60994": "verdict not in the new run",
                    "e0c5871a931e7e15f": "event split into 2"}


def test_same_run_has_no_changes(runs):
    d = diff_runs(runs[0], runs[0])
    assert all(d["counts"][k] == 0 for k in d["counts"] if k != "unchanged")
    assert d["counts"]["unchanged"] == 18


def test_reverse_diff_swaps_merges_and_splits(runs):
    d = diff_runs(runs[1], runs[0])
    assert d["counts"]["merged"] == 1 and d["counts"]["split"] == 1
    assert d["counts"]["added"] == 1 and d["counts"]["removed"] == 1
    assert "e0c5871a931e7e15f" in [e["event_id"] for e in d["contested"]]


def test_matches_across_formats(runs, tmp_path):
    result = invoke("run", str(EXAMPLE), "-o", str(tmp_path / "sql"), "-q", "--no-report",
                    "--format", "sqlite", "--review", str(runs[0].parent / "old.csv"))
    assert result.exit_code == 0, result.output
    d = diff_runs(runs[0], tmp_path / "sql")
    assert d["counts"]["unchanged"] == 18 and not d["moved"] and not d["verdicts"]


def test_cli_golden_and_hostile_text(runs):
    old, new = runs
    result = invoke("diff", str(old), str(new))
    assert result.exit_code == 0, result.output
    out = result.output.replace(str(old), "<old>").replace(str(new), "<new>")
    # markup in a source is printed as text, not interpreted; a formula is just text
    assert "[bold red]Evil[/]" in out and '=HYPERLINK("http://x")' in out
    path = GOLDEN / "diff_stdout.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8"), "diff_stdout.txt differs; UPDATE_GOLDEN=1"


def test_cli_json(runs):
    result = invoke("diff", *map(str, runs), "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data == json.loads(json.dumps(diff_runs(*runs)))
    assert HOSTILE_SOURCE in data["added"][0]["new_claims"][0]["claim"]


def test_not_a_run_folder(tmp_path, runs):
    result = CliRunner().invoke(main, ["diff", str(tmp_path), str(runs[1])])
    assert result.exit_code == 1
    assert re.search(r"Error: .*no events table here", result.output)
