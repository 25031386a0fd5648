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
