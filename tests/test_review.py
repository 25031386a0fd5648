"""Review verdicts: they change the result, survive a re-run, and name what they target."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from reconcile.cli import main

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "claims.csv"
HEADER = "target,verdict,reviewer,reason,date\n"


def run(tmp_path: Path, review: str | None, claims: Path = EXAMPLE, name: str = "out"):
    args = ["run", str(claims), "-o", str(tmp_path / name), "-q"]
    if review is not None:
        path = tmp_path / f"{name}-review.csv"
        path.write_text(HEADER + review, encoding="utf-8")
        args += ["--review", str(path)]
    result = CliRunner().invoke(main, args)
    return result, tmp_path / name


def tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    read = lambda n: pd.read_csv(out / f"{n}.csv", dtype=str, keep_default_na=False)  # noqa: E731
    return read("events"), read("claims")


def event_of(events: pd.DataFrame, claims: pd.DataFrame, claim_id: str) -> pd.Series:
    eid = claims.set_index("claim_id").loc[claim_id, "event_id"]
    return events.set_index("event_id").loc[eid]


def test_exclude_changes_the_result_and_is_listed(tmp_path):
    _, base = run(tmp_path, None, name="base")
    b_events, b_claims = tables(base)
    assert event_of(b_events, b_claims, "ex-ferry-2")["status"] in ("contested", "resolved")
    result, out = run(tmp_path, "ex-ferry-4,exclude,Ana,feared is not a count,2025-03-05\n")
    assert result.exit_code == 0, result.output
    events, claims = tables(out)
    ferry = event_of(events, claims, "ex-ferry-2")
    assert ferry["status"] == "agreed"  # the feared "more than 100" was the one outside
    assert "exclude by Ana, 2025-03-05: feared is not a count" in ferry["review"]
    row = claims.set_index("claim_id").loc["ex-ferry-4"]
    assert row["verdict"] == "excluded" and row["event_id"] == ferry.name
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "feared is not a count" in html


def test_distrust_and_trust_move_best(tmp_path):
    _, base = run(tmp_path, None, name="base")
    b_events, b_claims = tables(base)
    before = int(event_of(b_events, b_claims, "ex-quake-4")["best"])
    _, out = run(tmp_path, "Health ministry,trust,Ben,hospital lists,2025-06-14\n"
                           "Civil defence,distrust,Ben,,\n", name="trusted")
    events, claims = tables(out)
    after = event_of(events, claims, "ex-quake-4")
    assert int(after["best"]) != before
    assert int(after["best"]) == 300  # the trusted ministry's figure
    assert "source Health ministry: trust by Ben" in after["review"]


def test_set_figure_on_a_claim_and_on_an_event(tmp_path):
    result, out = run(tmp_path, "ex-quake-inj,set-figure about 1400,Ben,reads 'some',\n")
    assert result.exit_code == 0, result.output
    events, claims = tables(out)
    row = claims.set_index("claim_id").loc["ex-quake-inj"]
    assert row["figure"] == "about 1400" and row["kind"] == "approx"
    eid = claims.set_index("claim_id").loc["ex-ferry-2", "event_id"]
    result, out = run(tmp_path, f"{eid},set-figure 36,Ana,coroner's list,2025-03-10\n",
                      name="set")
    events, _ = tables(out)
    e = events.set_index("event_id").loc[eid]
    assert (e["low"], e["best"], e["high"]) == ("36", "36", "36")
    assert e["confidence"] == ""
    assert "coroner's list" in e["review"]


def test_merge_and_split(tmp_path):
    _, base = run(tmp_path, None, name="base")
    b_events, b_claims = tables(base)
    quake = b_claims.set_index("claim_id").loc["ex-quake-1", "event_id"]
    result, out = run(tmp_path, f"ex-ferry-3,merge-with {quake},Ana,wrong event,\n"
                                "ex-ferry-5,split,Ana,a different ferry,\n")
    assert result.exit_code == 0, result.output
    events, claims = tables(out)
    c = claims.set_index("claim_id")
    assert c.loc["ex-ferry-3", "event_id"] == quake
    alone = c.loc["ex-ferry-5", "event_id"]
    assert alone not in set(b_events["event_id"])
    assert (claims["event_id"] == alone).sum() == 1
    assert len(events) == len(b_events) + 1


def test_verdicts_survive_a_rerun_on_more_claims(tmp_path):
    review = ("ex-ferry-4,exclude,Ana,feared,\n"
              "Demo Monitor,note,Ana,check their method,\n")
    _, _first = run(tmp_path, review, name="first")
    more = tmp_path / "more.csv"
    text = EXAMPLE.read_text(encoding="utf-8")
    more.write_text(text + "ex-ferry-6,Coast guard,35,,,killed,people,Lakeport,Examplestan,"
                    "2025-03-02,2025-03-04T08:00:00,Example Wire,ex-030,ferry capsized,,,,,"
                    "The coast guard said 35 died.\n", encoding="utf-8")
    result, second = run(tmp_path, review, claims=more, name="second")
    assert result.exit_code == 0, result.output
    _events, claims = tables(second)
    assert claims.set_index("claim_id").loc["ex-ferry-4", "verdict"] == "excluded"
    assert "ex-ferry-6" in set(claims["claim_id"])
    assert claims[claims["source"] == "Demo Monitor"]["review"].str.contains("check their").all()


def test_event_verdict_follows_its_claims_when_its_id_changes(tmp_path):
    result, _out = run(tmp_path, "e-gone,note,Ana,seen,\n")
    assert result.exit_code == 1 and "names no claim, event or source" in result.output
    path = tmp_path / "follow.csv"
    path.write_text(HEADER.strip() + ",claims\ne-gone,note,Ana,seen,,ex-quake-1;ex-quake-2\n",
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(EXAMPLE), "-o", str(tmp_path / "f"), "-q",
                                       "--review", str(path)])
    assert result.exit_code == 0, result.output
    events, claims = tables(tmp_path / "f")
    assert "note by Ana: seen" in event_of(events, claims, "ex-quake-1")["review"]


def test_every_problem_is_an_error_with_its_line(tmp_path):
    result, _ = run(tmp_path, "ex-ferry-4,exclude,,,\n"
                              "nobody-knows,exclude,,,\n"
                              "ex-ferry-1,trust,,,\n"
                              "ex-ferry-2,delete,,,\n"
                              "ex-ferry-3,set-figure lots,,,\n"
                              "ex-ferry-5,note,,,13/03/2025\n")
    assert result.exit_code == 1
    out = result.output
    for line, words in ((3, "names no claim, event or source"), (4, "trust names a source"),
                        (5, "unknown verdict 'delete'"), (6, "not a figure"),
                        (7, "not an ISO date")):
        assert f"review.csv:{line}:" in out and words in out, (line, words, out)
    assert "review.csv:2:" not in out
    assert out.count("review.csv:6:") == 1
    # listed in the order of the file, whichever stage found each problem
    found = [int(n) for n in re.findall(r"review\.csv:(\d+): ", out)]
    assert found == sorted(found), out


def test_blank_verdicts_are_skipped_and_template_round_trips(tmp_path):
    _, out = run(tmp_path, None)
    template = tmp_path / "review.csv"
    result = CliRunner().invoke(main, ["review-template", str(out), "-o", str(template),
                                       "--top", "4"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(template.open(encoding="utf-8")))
    assert len(rows) == 4 and all(r["verdict"] == "" for r in rows)
    assert rows[0]["claims"] and rows[0]["why"].startswith("contested")
    rows[0]["verdict"], rows[0]["reviewer"] = "note", "Ana"
    with template.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = CliRunner().invoke(main, ["run", str(EXAMPLE), "-o", str(tmp_path / "r"), "-q",
                                       "--review", str(template)])
    assert result.exit_code == 0, result.output
    events, _ = tables(tmp_path / "r")
    assert events.set_index("event_id").loc[rows[0]["target"], "review"] == "note by Ana"


@pytest.mark.parametrize("target", ["claim:ex-ferry-4", "source:Port authority"])
def test_typed_targets(tmp_path, target):
    result, _out = run(tmp_path, f"{target},note,,,\n")
    assert result.exit_code == 0, result.output
