"""Trust over time (issue 14): --as-of, the run manifest and verify, history, diff, ids,
quote and scope checks, ClaimReview export."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from reconcile.cli import main
from reconcile.io.manifest import read_manifest, verify_run
from reconcile.load import as_of_cutoff
from reconcile.pipeline import run

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "claims.csv"


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def example() -> pd.DataFrame:
    return read(EXAMPLE)


# -- --as-of -------------------------------------------------------------------------------


class TestAsOf:
    @pytest.mark.parametrize("text,cutoff", [
        ("2024-12-02", "2024-12-02T23:59:59"),
        ("2024-12-02T10:00:00", "2024-12-02T10:00:00"),
        ("2024-12-02T12:00:00+02:00", "2024-12-02T10:00:00"),
        ("2024-12-02T10:00:00Z", "2024-12-02T10:00:00"),
    ])
    def test_cutoff(self, text, cutoff):
        assert as_of_cutoff(text) == cutoff

    @pytest.mark.parametrize("text", ["yesterday", "2024-13-01", "", "12/02/2024"])
    def test_bad_date_is_a_usage_error(self, text, tmp_path):
        result = cli("run", str(EXAMPLE), "-o", str(tmp_path / "o"), "--as-of", text)
        assert result.exit_code == 2
        assert "--as-of" in result.output and "ISO date" in result.output

    @pytest.mark.parametrize("as_of", ["2013-02-22", "2024-12-02T10:00:00", "2024-12-02",
                                       "2025-03-03T12:00:00", "2030-01-01"])
    def test_same_events_as_the_file_cut_by_date(self, tmp_path, as_of):
        """Law: run --as-of DATE == run on the rows published up to DATE."""
        rows = example()
        cutoff = as_of_cutoff(as_of)
        published = rows["published"].str.replace("Z", "")
        cut = rows[published.ne("") & published.le(cutoff)]
        cut.to_csv(tmp_path / "cut.csv", index=False)
        a = run(EXAMPLE, tmp_path / "a", as_of=as_of)
        run(tmp_path / "cut.csv", tmp_path / "b")
        for name in ("events.csv", "sources.csv"):
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), \
                name
        # claims.csv: the same claims with the same verdicts; only their input lines differ
        ca, cb = read(tmp_path / "a" / "claims.csv"), read(tmp_path / "b" / "claims.csv")
        pd.testing.assert_frame_equal(ca.drop(columns="line"), cb.drop(columns="line"))
        assert a.left_out == len(rows) - len(a.rejects) - len(a.claims)
        assert a.n_rows == len(rows)

    def test_simulated_world_equivalence(self, tmp_path):
        """The same law on a simulated world: relays, copies, supersession, growing tolls."""
        cli("simulate", "-o", str(tmp_path / "w"), "--claims", "400", "--seed", "3", "-q")
        rows = read(tmp_path / "w" / "claims.csv")
        pub = pd.to_datetime(rows["published"], errors="coerce", format="ISO8601")
        as_of = pub.dropna().sort_values().iloc[len(pub) // 2].strftime("%Y-%m-%dT%H:%M:%S")
        cutoff = as_of_cutoff(as_of)
        ok = pub.notna() & pub.dt.strftime("%Y-%m-%dT%H:%M:%S").le(cutoff)
        rows[ok].to_csv(tmp_path / "cut.csv", index=False)
        run(tmp_path / "w" / "claims.csv", tmp_path / "a", as_of=as_of)
        run(tmp_path / "cut.csv", tmp_path / "b")
        assert (tmp_path / "a" / "events.csv").read_bytes() == \
            (tmp_path / "b" / "events.csv").read_bytes()

    def test_undated_claims_are_left_out_and_counted(self, tmp_path):
        rows = example()
        rows.loc[rows["claim_id"] == "ex-quake-5", "published"] = ""
        rows.to_csv(tmp_path / "c.csv", index=False)
        result = run(tmp_path / "c.csv", tmp_path / "o", as_of="2030-01-01")
        assert result.undated == 1 and result.later == 0
        assert "ex-quake-5" not in set(result.claims["claim_id"])
        assert any("without a published date" in w for w in result.warnings)
        assert result.summary_dict()["left_out"] == 1
        s = result.summary_dict()
        assert s["rows"] == s["claims"] + s["rejected"] + s["left_out"]

    def test_a_part_whose_whole_is_later_keeps_its_figure(self, tmp_path):
        rows = example()
        rows.loc[rows["claim_id"] == "wh-idlib-25", "published"] = "2024-12-03T10:00:00"
        rows.to_csv(tmp_path / "c.csv", index=False)
        result = run(tmp_path / "c.csv", tmp_path / "o", as_of="2024-12-02")
        kids = result.claims.set_index("claim_id").loc["wh-idlib-children"]
        assert kids["part_of"] == ""
        assert any("part_of" in w for w in result.warnings)

    def test_no_published_column(self, tmp_path):
        rows = example().drop(columns="published")
        rows.to_csv(tmp_path / "c.csv", index=False)
        result = cli("run", str(tmp_path / "c.csv"), "-o", str(tmp_path / "o"), "--as-of",
                     "2024-12-02")
        assert result.exit_code == 1
        assert "--as-of needs publication times" in result.output


# -- the manifest and verify -----------------------------------------------------------------


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class TestManifest:
    def test_manifest_records_the_run(self, tmp_path):
        out = tmp_path / "out"
        result = run(EXAMPLE, out, policy="median", level=0.9)
        m = read_manifest(out)
        assert m["reconcile_version"] and m["versions"]["pandas"]
        assert m["options"]["policy"] == "median" and m["options"]["level"] == 0.9
        assert m["started"] <= m["finished"]
        (entry,) = m["inputs"]
        assert entry["sha256"] == sha(EXAMPLE) and entry["bytes"] == EXAMPLE.stat().st_size
        assert {r["file"] for r in m["rules"]} >= {"qualifiers.toml", "grouping.toml",
                                                   "sources.toml"}
        for r in m["rules"] + m["data"]:
            assert r["sha256"] == sha(Path(r["resolved"]))
        assert set(m["outputs"]) >= {"events", "claims", "sources", "rejects"}
        for entry in m["outputs"].values():
            assert entry["sha256"] == sha(out / entry["file"])
        assert m["counts"]["rows"] == 39
        assert m["counts"]["claims"] == len(result.claims)
        assert m["counts"]["events"] == len(result.events)
        assert result.manifest_sha256 == sha(out / "manifest.json")

    def test_verify_passes_on_a_fresh_run(self, tmp_path):
        run(EXAMPLE, tmp_path / "out")
        result = cli("verify", str(tmp_path / "out"))
        assert result.exit_code == 0, result.output
        assert f"manifest sha256:{sha(tmp_path / 'out' / 'manifest.json')}" in result.output

    def test_tampering_with_one_input_byte_is_caught(self, tmp_path):
        claims = tmp_path / "claims.csv"
        data = bytearray(EXAMPLE.read_bytes())
        claims.write_bytes(bytes(data))
        run(claims, tmp_path / "out")
        at = data.index(b"at least 29")
        original = data[at + 10]
        data[at + 10] = ord("8")  # "at least 29" -> "at least 28": one byte
        claims.write_bytes(bytes(data))
        result = cli("verify", str(tmp_path / "out"))
        assert result.exit_code == 1
        last = result.output.strip().splitlines()[-1]
        assert last.startswith("Error: ") and "input claims" in last and "changed" in last
        assert str(claims) in last
        check = {c.name: c for c in verify_run(tmp_path / "out").checks}[f"claims {claims}"]
        assert check.status == "changed" and check.found == sha(claims)
        # put the byte back: verified again
        data[at + 10] = original
        claims.write_bytes(bytes(data))
        assert cli("verify", str(tmp_path / "out")).exit_code == 0

    def test_tampered_output_and_missing_rule_file(self, tmp_path):
        rules = tmp_path / "rules"
        rules.mkdir()
        for p in (ROOT / "rules").glob("*.toml"):
            (rules / p.name).write_bytes(p.read_bytes())
        run(EXAMPLE, tmp_path / "out", rules_dir=rules)
        events = tmp_path / "out" / "events.csv"
        events.write_text(events.read_text(encoding="utf-8").replace(",56,", ",57,", 1),
                          encoding="utf-8")
        (rules / "vague.toml").unlink()
        v = verify_run(tmp_path / "out")
        assert {(c.kind, c.name, c.status) for c in v.failed} == {
            ("output", "events", "changed"), ("rules", "vague.toml", "missing")}
        assert "output events changed" in v.problem() and "vague.toml missing" in v.problem()

    def test_moved_input_checked_with_input_option(self, tmp_path):
        claims = tmp_path / "claims.csv"
        claims.write_bytes(EXAMPLE.read_bytes())
        run(claims, tmp_path / "out")
        archive = tmp_path / "archive"
        archive.mkdir()
        claims.rename(archive / "claims.csv")
        assert cli("verify", str(tmp_path / "out")).exit_code == 1
        assert cli("verify", str(tmp_path / "out"), "--input",
                   str(archive / "claims.csv")).exit_code == 0

    def test_standard_input_is_recorded_but_not_checkable(self, tmp_path):
        result = CliRunner().invoke(main, ["run", "-", "-o", str(tmp_path / "out"), "-q"],
                                    input=EXAMPLE.read_bytes())
        assert result.exit_code == 0, result.output
        (entry,) = read_manifest(tmp_path / "out")["inputs"]
        assert entry["path"] == "-" and entry["sha256"] == sha(EXAMPLE)
        v = verify_run(tmp_path / "out")
        assert v.ok and [c.status for c in v.checks if c.kind == "input"] == ["not checkable"]
        assert [c.status for c in verify_run(tmp_path / "out", inputs=[EXAMPLE]).checks
                if c.kind == "input"] == ["not checkable"]  # a different name: not that input

    def test_verify_json_and_errors(self, tmp_path):
        run(EXAMPLE, tmp_path / "out")
        data = json.loads(cli("verify", str(tmp_path / "out"), "--json").output)
        assert data["ok"] and {c["kind"] for c in data["checks"]} == {"output", "input",
                                                                      "rules", "data"}
        (tmp_path / "empty").mkdir()
        result = cli("verify", str(tmp_path / "empty"))
        assert result.exit_code == 1 and "no manifest.json" in result.output
        (tmp_path / "empty" / "manifest.json").write_text("{not json", encoding="utf-8")
        result = cli("verify", str(tmp_path / "empty"))
        assert result.exit_code == 1 and "cannot read the manifest" in result.output


# -- quote checks ------------------------------------------------------------------------------

from reconcile.core.quotes import check_quote, check_quotes, parse_span  # noqa: E402
from reconcile.schema import QUOTE_CHECKS  # noqa: E402

QUOTE = "Rescuers said at least 29 people were killed and 40 hurt in Aleppo."
#        0         1         2         3         4         5         6
#        0123456789012345678901234567890123456789012345678901234567890123456


class TestQuoteCheck:
    @pytest.mark.parametrize("span,expected", [
        ("", "ok"),
        ("14-25", "ok"),  # "at least 29"
        ("23-25", "ok"),  # "29"
        (" 23 - 25 ", "ok"),  # spaces around the numbers
        ("48-50", "span-mismatch"),  # "40": another figure
        ("0-8", "span-mismatch"),  # words, no figure
        ("0-67", "span-mismatch"),  # the whole sentence: two figures
        ("23-23", "span-mismatch"),  # empty
        ("25-23", "span-unreadable"),  # reversed
        ("-23-25", "span-unreadable"),  # negative
        ("23-", "span-unreadable"),
        ("23", "span-unreadable"),
        ("a-b", "span-unreadable"),
        ("23–25", "span-unreadable"),  # an en dash
        ("2e1-25", "span-unreadable"),
        ("0x17-0x19", "span-unreadable"),
        ("٢٣-٢٥", "span-unreadable"),  # digits of another script: not offsets
        ("23-25-27", "span-unreadable"),
        ("23.0-25.0", "span-unreadable"),
        ("60-90", "span-out-of-range"),  # beyond the end of the quote
        ("9999999999999-10000000000000", "span-out-of-range"),
        ("1" * 5000 + "-" + "2" * 5000, "span-out-of-range"),  # huge: never parsed
        ("1" * 16 + "-" + "1" * 17, "span-out-of-range"),
    ])
    def test_hostile_spans(self, span, expected):
        assert check_quote(QUOTE, 29, None, 29, span) == expected

    @pytest.mark.parametrize("span,quote_start,expected", [
        ("114-125", "100", "ok"),
        ("123-125", "100", "ok"),
        ("14-25", "100", "span-out-of-range"),  # before the quote starts
        ("23-25", "", "ok"),
        ("123-125", "abc", "span-unreadable"),
        ("123-125", "-100", "span-unreadable"),
        ("123-125", "1" * 40, "span-unreadable"),
    ])
    def test_span_in_the_article(self, span, quote_start, expected):
        assert check_quote(QUOTE, 29, None, 29, span, quote_start) == expected

    @pytest.mark.parametrize("quote,low,high,anchor,expected", [
        (QUOTE, 29, None, 29, "ok"),
        (QUOTE, 40, 40, 40, "ok"),
        (QUOTE, 30, 30, 30, "figure-not-in-quote"),
        (QUOTE, 290, None, 290, "figure-not-in-quote"),  # 29 is not 290
        ("Around thirty died when rockets hit homes.", 27, 33, 30, "ok"),
        ("Close to six thousand civilians left.", 5400, 5999, 6000, "ok"),
        ("Dozens more were hurt in the same strike.", 24, 99, None, "ok"),
        ("Hundreds were hurt.", 24, 99, None, "figure-not-in-quote"),
        ("Between 30 and 40 passengers drowned.", 30, 40, 35, "ok"),
        ("The toll rose from 12 to 19 overnight.", 12, 12, 12, "ok"),
        ("The toll rose from 12 to 19 overnight.", 19, 19, 19, "ok"),
        ("The monitor counted 31 or more dead.", 31, None, None, "ok"),  # given as bounds
        ("Nobody was killed, police said.", 0, 0, 0, "ok"),
        ("The strikes hit only insurgent positions and no civilians.", 0, 0, 0, "ok"),
        ("Moscow rejected reports of civilian victims.", 0, 0, 0, "ok"),
        ("The army said the strike hit a depot.", 0, 0, 0, "figure-not-in-quote"),
        ("", 5, 5, 5, "no-quote"),
        ("   ", 5, 5, 5, "no-quote"),
        ("2012", 2012, 2012, 2012, "ok"),  # the check reads numbers; a year is the loader's
    ])
    def test_figure_in_quote(self, quote, low, high, anchor, expected):
        assert check_quote(quote, low, high, anchor) == expected

    def test_inferred_figures(self):
        quote = "A driver was killed when the bus overturned."
        assert check_quote(quote, 1, 1, 1) == "figure-not-in-quote"
        assert check_quote(quote, 1, 1, 1, "0-8", inferred="victims named") == "inferred"
        assert check_quote(quote, 1, 1, 1, "0-80", inferred="victims named") == \
            "span-out-of-range"  # the span must still lie in the quote

    def test_parse_span_never_parses_a_huge_number(self):
        import time

        span = "9" * 1_000_000 + "-" + "9" * 1_000_000
        t = time.perf_counter()
        assert parse_span(span) == "span-out-of-range"
        assert time.perf_counter() - t < 1.0

    def test_a_long_quote_and_odd_cells(self):
        claims = pd.DataFrame({
            "quote": ["x " * 100_000 + "killed 7.", QUOTE, QUOTE, None, "At least 29 died."],
            "low": [7, 29, 29, 5, pd.NA], "high": [7, pd.NA, pd.NA, 5, pd.NA],
            "anchor": [7, 29, 29, 5, pd.NA], "span": ["", "23-25", "x", "", ""],
        })
        assert list(check_quotes(claims)) == ["ok", "ok", "span-unreadable", "no-quote",
                                              "figure-not-in-quote"]
        assert set(check_quotes(claims)) <= set(QUOTE_CHECKS)

    def test_extracted_claims_point_into_their_article(self, tmp_path):
        """extract writes quote_start and text_sha256: every span lands on its figure."""
        out = tmp_path / "claims.csv"
        assert cli("extract", str(ROOT / "examples" / "articles"), "-o", str(out),
                   "-q").exit_code == 0
        rows = read(out)
        assert (rows["quote_start"] != "").all() and rows["text_sha256"].str.len().eq(64).all()
        for name, group in rows.groupby("article_id"):
            body = (ROOT / "examples" / "articles" / f"{name}.txt").read_text(encoding="utf-8")
            for row in group.itertuples():
                start = int(row.quote_start)
                assert row.quote in body[start:]  # the quote sits at quote_start in the text
        from reconcile.load import load_claims

        assert set(check_quotes(load_claims(out).claims)) == {"ok"}


class TestQuoteWeight:
    def rows(self, quote_b: str) -> pd.DataFrame:
        base = {"category": "killed", "location": "Lakeport", "country": "Examplestan",
                "event_date": "2025-03-02", "event": "ferry capsized"}
        return pd.DataFrame([
            {**base, "claim_id": "a", "source": "Port authority", "figure": "34",
             "published": "2025-03-03T19:00:00", "quote": "The port authority put the toll at 34."},
            {**base, "claim_id": "b", "source": "Demo Daily", "figure": "60",
             "published": "2025-03-03T20:00:00", "quote": quote_b},
            {**base, "claim_id": "c", "source": "Example Wire", "figure": "36",
             "published": "2025-03-03T21:00:00", "quote": "At least 36 died."},
        ])

    def test_a_claim_whose_quote_lacks_its_figure_weighs_less(self, tmp_path):
        self.rows("Sixty people died, the paper said.").to_csv(tmp_path / "ok.csv", index=False)
        self.rows("Many people died, the paper said.").to_csv(tmp_path / "bad.csv", index=False)
        good = run(tmp_path / "ok.csv", tmp_path / "ok")
        bad = run(tmp_path / "bad.csv", tmp_path / "bad")
        g = good.claims.set_index("claim_id")
        b = bad.claims.set_index("claim_id")
        assert g.at["b", "quote_check"] == "ok" and b.at["b", "quote_check"] == \
            "figure-not-in-quote"
        assert b.at["b", "weight"] == pytest.approx(0.5 * g.at["b", "weight"])
        assert b.at["a", "weight"] == g.at["a", "weight"]
        # the written claims table says so
        written = read(tmp_path / "bad" / "claims.csv").set_index("claim_id")
        assert written.at["b", "quote_check"] == "figure-not-in-quote"

    def test_factors_come_from_the_rules(self, tmp_path):
        rules = tmp_path / "rules"
        rules.mkdir()
        for p in (ROOT / "rules").glob("*.toml"):
            (rules / p.name).write_bytes(p.read_bytes())
        text = (rules / "sources.toml").read_text(encoding="utf-8")
        (rules / "sources.toml").write_text(
            text.replace("figure-not-in-quote = 0.5", "figure-not-in-quote = 0.0"),
            encoding="utf-8")
        self.rows("Many people died.").to_csv(tmp_path / "bad.csv", index=False)
        out = run(tmp_path / "bad.csv", tmp_path / "o", rules_dir=rules)
        assert out.claims.set_index("claim_id").at["b", "weight"] == 0.0
        (rules / "sources.toml").write_text(
            text.replace("figure-not-in-quote = 0.5", "figure-not-in-quote = 2"),
            encoding="utf-8")
        result = cli("rules", "check", str(rules))
        assert result.exit_code == 1 and "provenance.figure-not-in-quote" in result.output

    def test_an_input_column_named_quote_check_cannot_pass_for_the_check(self, tmp_path):
        rows = self.rows("Many people died.").assign(quote_check="ok")
        rows.to_csv(tmp_path / "c.csv", index=False)
        out = run(tmp_path / "c.csv", tmp_path / "o")
        c = out.claims.set_index("claim_id")
        assert c.at["b", "quote_check"] == "figure-not-in-quote"
        assert c.at["b", "input_quote_check"] == "ok"


# -- scope checks ------------------------------------------------------------------------------

from reconcile.resolve import resolve_events  # noqa: E402
from reconcile.resolve.scope import check_scopes, scope_kind  # noqa: E402
from reconcile.rules.sources import default_source_priors  # noqa: E402
from reconcile.schema import CHECK_COLUMNS, RESOLVED_CLAIM_COLUMNS  # noqa: E402

TREATED = default_source_priors().treated_words


def grouped(rows: list[dict]) -> pd.DataFrame:
    base = {"source": "S", "category": "killed", "victims": "people", "scope": "incident",
            "date_start": "2024-12-02", "date_end": "2024-12-02", "quote": "", "figure": "",
            "hedge": ""}
    return pd.DataFrame([{**base, **r} for r in rows])


class TestScopeCheck:
    @pytest.mark.parametrize("rows,expected", [
        # children among the people: a subset (a part group); the people: the event
        ([{"victims": "people"}, {"victims": "people"}, {"victims": "children"}],
         ["", "", "subset"]),
        # civilians beside people: one toll in two words, as grouping reads it
        ([{"victims": "people"}, {"victims": "people"}, {"victims": "civilians"}], ["", "", ""]),
        # the event counts children; a claim of all people is a superset
        ([{"victims": "children"}, {"victims": "children"}, {"victims": "people"}],
         ["", "", "superset"]),
        # killed or injured beside killed
        ([{"category": "killed"}, {"category": "killed"}, {"category": "casualties"}],
         ["", "", "superset"]),
        ([{"category": "casualties"}, {"category": "casualties"}, {"category": "killed"}],
         ["", "", "subset"]),
        ([{"category": "killed"}, {"category": "killed"}, {"category": "displaced"}],
         ["", "", "different"]),
        # treated in hospital beside injured
        ([{"category": "injured", "quote": "40 people were injured."},
          {"category": "injured", "quote": "About 45 were hurt."},
          {"category": "injured", "quote": "Some 30 were treated in hospital."}],
         ["", "", "subset"]),
        # a campaign total beside one day: the dates must say so too
        ([{}, {}, {"scope": "cumulative", "date_start": "2024-11-27"}], ["", "", "superset"]),
        ([{}, {}, {"scope": "cumulative"}], ["", "", ""]),  # same day: only a label
        ([{"scope": "cumulative", "date_start": "2024-11-27"},
          {"scope": "cumulative", "date_start": "2024-11-27"}, {}], ["", "", "subset"]),
        # a subset of one thing and a superset of another: a different measure
        ([{}, {}, {"victims": "children", "category": "casualties"}], ["", "", "different"]),
        # blank fields are unknown, never a mismatch
        ([{}, {}, {"victims": "", "category": ""}], ["", "", ""]),
    ])
    def test_measures(self, rows, expected):
        frame = grouped([{**r, "event_id": "e1"} for r in rows])
        assert [scope_kind(x) for x in check_scopes(frame, treated=TREATED)] == expected

    def test_each_event_has_its_own_measure(self):
        frame = grouped([{"event_id": "a", "victims": "people"},
                         {"event_id": "b", "victims": "children"},
                         {"event_id": "b", "victims": "children"}])
        assert list(check_scopes(frame)) == ["", "", ""]
        assert check_scopes(frame.iloc[:0]).empty

    def test_reason_is_readable(self):
        frame = grouped([{"event_id": "e"}, {"event_id": "e"},
                         {"event_id": "e", "victims": "children"}])
        assert check_scopes(frame).iloc[2] == "subset: children among the people"

    def resolve(self, scope_check: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
        claims = pd.DataFrame({
            "claim_id": ["a", "b", "c"], "source": ["A", "B", "C"],
            "figure": ["30", "31", "12"], "low": [30, 31, 12], "high": [30, 31, 12],
            "anchor": [30, 31, 12], "kind": ["exact"] * 3, "category": ["killed"] * 3,
            "victims": ["people", "people", "children"], "event_id": ["e1"] * 3,
            "published": ["2024-12-02T10:00:00"] * 3, "scope_check": scope_check,
        }).astype({"low": "Int64", "high": "Int64", "anchor": "Int64"})
        res = resolve_events(claims)
        return res.events, res.claims.set_index("claim_id")

    def test_a_subset_is_a_lower_bound_and_no_conflict(self):
        events, claims = self.resolve(["", "", "subset: children among the people"])
        (row,) = events.itertuples()
        assert row.conflicts == "" and row.status != "contested"
        assert row.scope_mismatch == "C '12' subset: children among the people"
        assert 30 <= row.best <= 31
        assert claims.at["c", "verdict"] == "consistent"
        # without the check the same figure is a conflict
        events, _ = self.resolve(["", "", ""])
        assert "C 12" in events.at[0, "conflicts"] and events.at[0, "scope_mismatch"] == ""

    def test_a_different_measure_does_not_weigh(self):
        _, claims = self.resolve(["", "", "different: displaced; the event counts killed"])
        assert claims.at["c", "weight"] == 0.0

    def test_end_to_end_treated_and_injured(self, tmp_path):
        base = {"category": "injured", "location": "Northvale", "country": "Examplestan",
                "event_date": "2025-06-10", "event": "earthquake"}
        pd.DataFrame([
            {**base, "claim_id": "t", "source": "Health ministry", "figure": "1,400",
             "published": "2025-06-12T12:00:00",
             "quote": "Some 1,400 were treated in hospital for injuries."},
            {**base, "claim_id": "i", "source": "Civil defence", "figure": "2,100",
             "published": "2025-06-12T13:00:00",
             "quote": "Civil defence said 2,100 people were injured."},
            {**base, "claim_id": "j", "source": "Example Wire", "figure": "about 2,000",
             "published": "2025-06-12T15:00:00", "quote": "About 2,000 were injured."},
        ]).to_csv(tmp_path / "c.csv", index=False)
        result = run(tmp_path / "c.csv", tmp_path / "o")
        (event,) = result.events.itertuples()
        assert event.conflicts == "" and event.status == "agreed"
        assert event.scope_mismatch.startswith("Health ministry '1,400' subset: treated")
        written = read(tmp_path / "o" / "claims.csv")
        assert list(written.columns[-len(RESOLVED_CLAIM_COLUMNS) - 3:]) == \
            [*RESOLVED_CLAIM_COLUMNS, *CHECK_COLUMNS, "review"]
        assert read(tmp_path / "o" / "events.csv").at[0, "scope_mismatch"] == \
            event.scope_mismatch


# -- history -----------------------------------------------------------------------------------

from reconcile.report.charts import history_chart  # noqa: E402
from reconcile.resolve.history import steps_of  # noqa: E402
from reconcile.schema import HISTORY_COLUMNS  # noqa: E402

GOLDEN = ROOT / "tests" / "golden"


def event_of(outdir: Path, claim_id: str) -> str:
    claims = read(outdir / "claims.csv")
    return str(claims.set_index("claim_id").at[claim_id, "event_id"])


def history_of(outdir: Path, event_id: str) -> pd.DataFrame:
    h = read(outdir / "history.csv")
    h = h[h["event_id"] == event_id]
    return h.assign(step=h["step"].astype(int)).sort_values("step").reset_index(drop=True)


def check_history_laws(outdir: Path) -> None:
    """Laws of history.csv against the run's own tables: every event has one; its steps
    are 1..n in time order; each claim arrives at exactly one step of its event, dated
    claims at the step of their time; the last step is the event's events.csv row;
    ``change`` is best minus the step before; low <= best <= high."""
    h, events, claims = (read(outdir / f"{n}.csv") for n in ("history", "events", "claims"))
    assert list(h.columns) == list(HISTORY_COLUMNS)
    assert set(h["event_id"]) == set(events["event_id"])
    h = h.assign(step=h["step"].astype(int))
    for col in ("low", "best", "high"):
        h[col] = h[col].astype(int)
    assert (h["low"] <= h["best"]).all() and (h["best"] <= h["high"]).all()
    arrived = h.assign(claim=h["new_claims"].str.split(";")).explode("claim")
    arrived = arrived[arrived["claim"] != ""]
    assert sorted(arrived["claim"]) == sorted(claims["claim_id"])
    pub = claims.set_index("claim_id")["published"].str.replace("Z", "")
    for eid, steps in h.groupby("event_id"):
        steps = steps.sort_values("step")
        assert list(steps["step"]) == list(range(1, len(steps) + 1)), eid
        dated = steps["published"][steps["published"] != ""]
        assert dated.is_monotonic_increasing and dated.is_unique, eid
        assert steps["change"].iloc[0] == ""
        moved = steps["best"].diff().iloc[1:].astype(int)
        assert list(steps["change"].iloc[1:]) == [f"{m:+d}" for m in moved], eid
        last = steps.iloc[-1]
        row = events.set_index("event_id").loc[eid]
        for col in ("low", "best", "high"):
            assert last[col] == int(row[col]), (eid, col)
        for col in ("confidence", "status", "best_claims", "n_claims", "n_independent"):
            assert last[col] == row[col], (eid, col)
    # a dated claim arrives at the step whose time it falls in: after the step before
    when = h.set_index(["event_id", "step"])["published"]
    for a in arrived.itertuples():
        if pub[a.claim]:
            assert pub[a.claim][:19] <= a.published, a.claim
            if a.step > 1:
                assert pub[a.claim][:19] > when[(a.event_id, a.step - 1)], a.claim


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    """The example's run folder."""
    folder = tmp_path_factory.mktemp("history") / "out"
    run(EXAMPLE, folder)
    return folder


class TestHistory:
    # steps_of: (publication minutes per claim of one event, steps) -> step per claim, count
    @pytest.mark.parametrize("pub,steps,expected,count", [
        ([10], 20, [0], 1),
        ([10, 10, 10], 20, [0, 0, 0], 1),               # one time: one step
        ([30, 10, 20], 20, [2, 0, 1], 3),               # order of rows does not matter
        ([10, 20, 20, 30], 20, [0, 1, 1, 2], 3),        # same time, same step
        ([10, 20, 30, 40], 2, [0, 0, 1, 1], 2),         # capped: evenly by report
        ([10, 20, 30, 40, 50], 2, [0, 0, 1, 1, 1], 2),  # the last bucket holds the last time
        ([10, 20, 30, 40, 50], 1, [0, 0, 0, 0, 0], 1),  # one step: the run itself
        ([10, 20, 30], 3, [0, 1, 2], 3),                # exactly at the cap: not bucketed
    ])
    def test_steps_of(self, pub, steps, expected, count):
        import numpy as np

        step, n = steps_of(np.zeros(len(pub), np.int64), np.array(pub, np.int64), steps)
        assert list(step) == expected and set(n) == {count}

    def test_steps_of_keeps_events_apart(self):
        import numpy as np

        step, n = steps_of(np.array([1, 0, 1, 0]), np.array([5, 5, 9, 1]), 20)
        assert list(step) == [0, 1, 1, 0] and list(n) == [2, 2, 2, 2]

    def test_laws_on_the_example(self, out):
        check_history_laws(out)

    def test_laws_on_a_simulated_world(self, tmp_path):
        cli("simulate", "-o", str(tmp_path / "w"), "--claims", "600", "--seed", "5", "-q")
        run(tmp_path / "w" / "claims.csv", tmp_path / "o")
        check_history_laws(tmp_path / "o")

    def test_laws_with_a_cap_and_another_policy(self, tmp_path):
        run(EXAMPLE, tmp_path / "o", history_steps=2, policy="median")
        check_history_laws(tmp_path / "o")
        assert read(tmp_path / "o" / "history.csv")["step"].astype(int).max() == 2

    def test_a_later_report_of_the_same_source_supersedes_at_its_step(self, out):
        h = history_of(out, event_of(out, "ex-ferry-1"))
        at = h.set_index("step")
        arrives = int(h.index[h["new_claims"].str.contains("ex-ferry-2")][0]) + 1
        assert "ex-ferry-1" in at.at[arrives, "superseded"].split(";")
        assert all("ex-ferry-1" not in s for s in h["superseded"][: arrives - 1])
        # the first report alone: one source, its own figure
        assert at.at[1, "status"] == "single-source" and at.at[1, "best_claims"] == "ex-ferry-1"

    def test_a_rising_toll_moves_best_with_each_report(self, out):
        h = history_of(out, event_of(out, "ex-quake-1"))
        assert [int(b) for b in h["best"]] == sorted(int(b) for b in h["best"])
        assert h["new_claims"].iloc[0] == "ex-quake-1"

    def test_as_of_run_history_ends_at_the_cut(self, tmp_path):
        run(EXAMPLE, tmp_path / "o", as_of="2025-03-03T12:00:00")
        h = read(tmp_path / "o" / "history.csv")
        assert h["published"].max() <= "2025-03-03T12:00:00"
        check_history_laws(tmp_path / "o")

    def test_golden_cli(self, out):
        """reconcile history on the example's ferry and earthquake (table and JSON)."""
        texts = []
        for claim in ("ex-ferry-1", "ex-quake-1"):
            eid = event_of(out, claim)
            result = cli("history", eid[:8], "--run", str(out))
            assert result.exit_code == 0, result.output
            texts.append(f"$ reconcile history {eid[:8]} --run out/\n{result.output}")
        result = cli("history", event_of(out, "ex-ferry-1"), "--run", str(out), "--json")
        data = json.loads(result.output)
        assert [s["step"] for s in data["steps"]] == [1, 2, 3, 4, 5]
        assert data["steps"][-1]["best"] == data["best"]
        texts.append(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        text = "".join(texts)
        path = GOLDEN / "history_stdout.txt"
        if __import__("os").environ.get("UPDATE_GOLDEN") == "1":
            path.write_text(text, encoding="utf-8")
        assert text == path.read_text(encoding="utf-8"), \
            "history_stdout.txt differs; UPDATE_GOLDEN=1 to accept"

    @pytest.mark.parametrize("event_id,message", [
        ("e", "starts 18 event ids; give more of it"),
        ("nope", "no event 'nope' here"),
        ("", "no event '' here"),
    ])
    def test_unknown_or_ambiguous_id(self, out, event_id, message):
        result = cli("history", event_id, "--run", str(out))
        assert result.exit_code == 1 and message in result.output

    def test_not_a_run_folder(self, tmp_path):
        result = cli("history", "e0", "--run", str(tmp_path / "none"))
        assert result.exit_code == 1
        assert result.output.strip() == f"Error: {tmp_path / 'none'}: not a folder; give " \
                                         "the folder `reconcile run -o` wrote"

    def test_no_history_written(self, tmp_path):
        result = cli("run", str(EXAMPLE), "-o", str(tmp_path / "o"), "-q",
                     "--history-steps", "0")
        assert result.exit_code == 0 and not (tmp_path / "o" / "history.csv").exists()
        eid = read(tmp_path / "o" / "events.csv")["event_id"].iloc[0]
        result = cli("history", eid, "--run", str(tmp_path / "o"))
        assert result.exit_code == 1 and "--history-steps 0" in result.output

    def test_untrusted_text_is_shown_as_it_is(self, tmp_path):
        """Markup in a source name reaches the terminal as text; a formula is guarded in
        the file and read back as written there."""
        base = {"category": "killed", "victims": "people", "location": "Lakeport",
                "country": "Examplestan", "event_date": "2025-03-02", "event": "ferry sinking"}
        pd.DataFrame([
            {**base, "claim_id": "a", "source": "[bold red]Evil[/bold red]", "figure": "12",
             "published": "2025-03-02T08:00:00"},
            {**base, "claim_id": "b", "source": "=HYPERLINK(\"x\")", "figure": "14",
             "published": "2025-03-02T09:00:00"},
        ]).to_csv(tmp_path / "c.csv", index=False)
        run(tmp_path / "c.csv", tmp_path / "o")
        raw = (tmp_path / "o" / "history.csv").read_text(encoding="utf-8")
        assert "'=HYPERLINK" in raw  # guarded in the file
        eid = read(tmp_path / "o" / "events.csv")["event_id"].iloc[0]
        shown = cli("history", eid, "--run", str(tmp_path / "o")).output
        assert "[bold red]Evil[/bold red] '12'" in shown
        data = json.loads(cli("history", eid, "--run", str(tmp_path / "o"), "--json").output)
        assert [s["new_sources"] for s in data["steps"]] == ["[bold red]Evil[/bold red]",
                                                         "'=HYPERLINK(\"x\")"]

    @pytest.mark.parametrize("fmt", ["jsonl", "sqlite"])
    def test_any_format(self, out, tmp_path, fmt):
        """history reads a run written in any format, and tells the same steps."""
        result = cli("run", str(EXAMPLE), "-o", str(tmp_path / fmt), "-q", "--format", fmt,
                     "--no-report")
        assert result.exit_code == 0, result.output
        eid = event_of(out, "ex-quake-1")
        as_csv = json.loads(cli("history", eid, "--run", str(out), "--json").output)
        other = json.loads(cli("history", eid, "--run", str(tmp_path / fmt), "--json").output)
        assert other == as_csv

    def test_chart_keeps_the_steps_and_drops_unreadable_ones(self):
        spec = history_chart([{"step": 1, "low": 1, "best": 2, "high": 3,
                               "published": "<script>alert(1)</script>"},
                              {"step": 2, "low": "", "best": "x", "high": 4}])
        rows = spec["datasets"]["steps"]
        assert [(r["step"], r["best"], r["report"]) for r in rows] == [(1, 2.0, True),
                                                                      (2, 2.0, False)]
        assert "<script" not in json.dumps(spec)


# -- event ids under added claims ------------------------------------------------------------


def originating(claims: pd.DataFrame) -> pd.Series:
    """Per event, its originating claim: the earliest published (undated last), then the
    smallest claim id (README: Event ids)."""
    when = claims["published"].str.replace("Z", "").replace("", "9999")
    order = claims.assign(_w=when).sort_values(["event_id", "_w", "claim_id"])
    return order.groupby("event_id")["claim_id"].first()


class TestIdStability:
    @pytest.mark.parametrize("as_of", ["2013-02-22", "2024-12-02", "2025-03-03T12:00:00",
                                       "2025-06-12"])
    def test_ids_survive_added_claims(self, out, tmp_path, as_of):
        """Law: an event of an earlier run keeps its id in a run on more claims, unless an
        earlier-published claim joined it (a back-filled report) or it merged into an event
        whose first report is older; then it takes that claim's id."""
        run(EXAMPLE, tmp_path / "early", as_of=as_of, history_steps=0)
        early = read(tmp_path / "early" / "claims.csv")
        later = read(out / "claims.csv").set_index("claim_id")
        origin_later = originating(later.reset_index())
        kept = 0
        for event_id, claim in originating(early).items():
            now = later.at[claim, "event_id"]
            if now == event_id:
                kept += 1
            else:  # only when the later event's originating claim is another one
                assert origin_later[now] != claim, (as_of, event_id, claim)
        assert kept >= 1

    def test_the_ferry_keeps_its_id_as_reports_arrive(self, out, tmp_path):
        ferry = event_of(out, "ex-ferry-1")
        for as_of in ("2025-03-02", "2025-03-03T09:00:00", "2025-03-03T19:00:00"):
            run(EXAMPLE, tmp_path / as_of, as_of=as_of, history_steps=0, report=False)
            assert event_of(tmp_path / as_of, "ex-ferry-1") == ferry, as_of
