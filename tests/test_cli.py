"""The command line: golden output on the shipped example, exit codes, error lines."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconcile.cli import main

ROOT = Path(__file__).parents[1]
GOLDEN = ROOT / "tests" / "golden"
EXAMPLE = ROOT / "examples" / "claims.csv"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs; UPDATE_GOLDEN=1 to accept"


def test_run_golden(tmp_path):
    out = tmp_path / "out"
    result = invoke("run", str(EXAMPLE), "-o", str(out))
    assert result.exit_code == 0, result.output
    # The manifest's hash holds the run's times: it differs on every run.
    stdout = re.sub(r"sha256:[0-9a-f]{64}", "sha256:<hash>", result.output)
    check_golden("run_stdout.txt", stdout.replace(str(out), "<out>"))
    for name in ("events.csv", "claims.csv", "sources.csv", "rejects.csv", "history.csv"):
        check_golden(name, (out / name).read_text(encoding="utf-8"))
    # No temporary files left behind by the atomic writes.
    assert sorted(p.name for p in out.iterdir()) == ["claims.csv", "events.csv",
                                                      "history.csv", "manifest.json",
                                                      "rejects.csv", "report.html",
                                                      "sources.csv"]


def test_run_accounts_for_every_row(tmp_path):
    invoke("run", str(EXAMPLE), "-o", str(tmp_path))
    n_rows = len(EXAMPLE.read_text(encoding="utf-8").splitlines()) - 1
    used = len((tmp_path / "claims.csv").read_text(encoding="utf-8").splitlines()) - 1
    rejected = len((tmp_path / "rejects.csv").read_text(encoding="utf-8").splitlines()) - 1
    assert used + rejected == n_rows


def test_run_missing_file_exits_1_with_one_line(tmp_path):
    result = CliRunner().invoke(main, ["run", str(tmp_path / "none.csv"), "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"Error: {tmp_path / 'none.csv'}: no such file"]


def test_run_missing_column_exits_1(tmp_path):
    bad = tmp_path / "c.csv"
    bad.write_text("who,figure\nA,5\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(bad), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: {bad}:1: missing required column 'source'; "
                                     "found: who, figure")
    assert not (tmp_path / "o").exists()


def test_run_without_out_is_a_usage_error():
    result = CliRunner().invoke(main, ["run", str(EXAMPLE)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == "Error: Missing option '-o' / '--out'."


def test_formula_cells_are_neutralised(tmp_path):
    src = tmp_path / "c.csv"
    src.write_text('source,figure,quote\n=HYPERLINK("x"),5,@SUM(A1)\n', encoding="utf-8")
    invoke("run", str(src), "-o", str(tmp_path / "o"))
    text = (tmp_path / "o" / "claims.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "'@SUM" in text


def test_parse_prints_json_lines():
    result = invoke("parse", "at least 29", "more than 290", "dozens")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert rows == [
        {"text": "at least 29", "low": 29, "high": None, "anchor": 29, "kind": "lower"},
        {"text": "more than 290", "low": 291, "high": None, "anchor": 290, "kind": "lower"},
        {"text": "dozens", "low": 24, "high": 99, "anchor": None, "kind": "vague"},
    ]


def test_parse_error_exits_1_after_all_texts():
    result = CliRunner().invoke(main, ["parse", "n/a", "5"])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines[0]["error"] == "no number or quantity word found" and lines[1]["low"] == 5


def test_rules_check_ok_and_broken(tmp_path):
    result = invoke("rules", "check")
    assert result.exit_code == 0 and result.output.startswith("ok: ")
    broken = tmp_path / "r"
    broken.mkdir()
    result = CliRunner().invoke(main, ["rules", "check", str(broken)])
    assert result.exit_code == 1
    assert "5 problem(s) in the rules" in result.output
    assert f"{broken / 'qualifiers.toml'}: file not found" in result.output


@pytest.mark.parametrize("args", [["--version"], ["-h"], ["run", "-h"], ["parse", "--help"],
                                  ["rules", "check", "--help"]])
def test_help_and_version(args):
    result = invoke(*args)
    assert result.exit_code == 0 and result.output


def test_python_dash_m(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "reconcile", "parse", "some 60"],
                          capture_output=True, text=True, check=True, cwd=tmp_path)
    assert json.loads(proc.stdout)["low"] == 54


def test_simulate_writes_a_world(tmp_path):
    result = invoke("simulate", "-o", str(tmp_path / "w"), "--claims", "300", "--seed", "2")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("world:     realistic, seed 2: 300 claims")
    names = sorted(p.name for p in (tmp_path / "w").iterdir())
    assert names == ["claims.csv", "truth.csv", "truth_claims.csv", "truth_sources.csv"]
    again = invoke("simulate", "-o", str(tmp_path / "w2"), "--claims", "300", "--seed", "2")
    assert again.exit_code == 0
    assert (tmp_path / "w" / "claims.csv").read_bytes() == (tmp_path / "w2" / "claims.csv").read_bytes()


@pytest.mark.parametrize("args, message", [
    (["--claims", "-5"], "Invalid value for '--claims': -5 is not in the range x>=1."),
    (["--claims", "0"], "Invalid value for '--claims': 0 is not in the range x>=1."),
    (["--seed", "-1"], "Invalid value for '--seed': -1 is not in the range x>=0."),
    (["--scenario", "nasty"],
     "Invalid value for '--scenario': 'nasty' is not one of 'easy', 'realistic', 'adversarial'."),
])
def test_simulate_usage_errors(tmp_path, args, message):
    result = CliRunner().invoke(main, ["simulate", "-o", str(tmp_path), *args])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == f"Error: {message}"


def test_extract_golden(tmp_path):
    out = tmp_path / "claims.csv"
    result = CliRunner().invoke(main, ["extract", str(ROOT / "examples" / "articles"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    check_golden("extract_stdout.txt", result.output.replace(str(out), "<out>"))
    check_golden("extract_claims.csv", out.read_text(encoding="utf-8"))
    # The extracted table runs through the engine with nothing rejected.
    run = invoke("run", str(out), "-o", str(tmp_path / "o"))
    assert run.exit_code == 0 and "0 rejected" in run.output


def test_extract_nothing_readable_exits_1(tmp_path):
    bad = tmp_path / "a.txt"
    bad.write_bytes(b"\x00\x01\x02\x03")
    result = CliRunner().invoke(main, ["extract", str(bad), "-o", str(tmp_path / "c.csv")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: no article could be read:")
    assert str(bad) in result.output
    assert not (tmp_path / "c.csv").exists()


def test_extract_reads_the_rest_after_a_bad_file(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("published: 2024-05-01\n\nAt least 12 people were killed in Kabul, police said.\n",
                    encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(good), str(empty), "-o", str(tmp_path / "c.csv")])
    assert result.exit_code == 0
    assert f"Warning: {empty}: the file is empty" in result.output
    assert "1 claim(s) from 1 article(s) in 1 of 2 file(s)" in result.output


def test_unwritable_output_is_one_error_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(EXAMPLE), "-o", str(blocker / "out")])
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: {blocker / 'out'}: cannot make the output folder: "
                                     "Not a directory")
