"""What careless and hostile users send (issue 8).

Inputs the readers must survive (deep JSON, JSON containers, UTF-16 without
a mark, long cells, part_of cycles, unknown victims, bad dates), the
outputs' mode and formula guard, the command-line conventions (``-``,
``--quiet``, ``--json``, exit codes, progress on standard error), a corpus of
hostile files generated here and run through ``run`` and ``extract``, and
hypothesis fuzz tests of the reader and the parser.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconcile.cli import main
from reconcile.core.parse import Figure, NotAFigure, find_figures, parse_figure
from reconcile.errors import InputError, ReconcileError
from reconcile.extract.engine import extract_article, extract_files
from reconcile.io.records import decode_text, read_records
from reconcile.io.write import atomic_write_text, write_csv
from reconcile.load import load_claims

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "claims.csv"
GOOD_ARTICLE = "published: 2024-05-01\n\nAt least 12 people were killed in Kabul, police said.\n"
DEEP = "[" * 5000 + "]" * 5000


def cli(*args: str, input: bytes | str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def csv_text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


# -- inputs -------------------------------------------------------------------------------------

class TestDeepJson:
    """A line nested thousands of levels deep is one bad line, never a RecursionError."""

    def test_run_rejects_the_line_and_keeps_the_rest(self, tmp_path):
        path = write(tmp_path / "c.jsonl", "\n".join([
            json.dumps({"source": "A", "figure": "5"}), DEEP,
            '{"source": "B", "figure": ' + '{"a": ' * 3000 + "1" + "}" * 3000 + "}",
            json.dumps({"source": "C", "figure": "7"})]) + "\n")
        r = load_claims(path)
        assert sorted(r.claims["source"]) == ["A", "C"]
        assert r.rejects["line"].tolist() == [2, 3]
        assert all("nested too deeply" in reason for reason in r.rejects["reason"])
        assert r.n_rows == 4

    def test_extract_names_the_file_and_reads_the_others(self, tmp_path):
        folder = tmp_path / "in"
        for i in range(17):
            write(folder / f"good{i:02}.txt", GOOD_ARTICLE)
        write(folder / "deep.json", DEEP)
        write(folder / "deep.jsonl", json.dumps({"id": "ok", "text": "Police said 4 people "
                                                 "were injured."}) + "\n" + DEEP + "\n")
        result = cli("extract", str(folder), "-o", str(tmp_path / "c.csv"))
        assert result.exit_code == 0, result.output
        assert f"Warning: {folder / 'deep.json'}: nested too deeply" in result.stderr
        assert f"Warning: {folder / 'deep.jsonl'}:2: nested too deeply" in result.stderr
        assert "18 claim(s) from 18 article(s) in 18 of 19 file(s)" in result.stdout

    def test_a_5000_digit_integer_is_a_reject_not_a_crash(self, tmp_path):
        path = write(tmp_path / "c.jsonl", '{"source": "A", "figure": 1' + "0" * 5000 + "}\n"
                     '{"source": "B", "figure": 6}\n')
        r = load_claims(path)
        assert list(r.claims["source"]) == ["B"]
        assert "longer than 500 characters" in r.rejects["reason"].iloc[0]


class TestJsonContainers:
    def test_a_list_or_object_cell_is_a_reject_with_its_reason(self, tmp_path):
        path = write(tmp_path / "c.jsonl", '{"source": ["x"], "figure": {"a": 1}}\n'
                     '{"source": "ok", "figure": "5", "tags": null}\n')
        r = load_claims(path)
        assert list(r.claims["source"]) == ["ok"]
        rej = r.rejects.iloc[0]
        assert (rej["line"], rej["field"]) == (1, "source")
        assert "column 'source' holds a list" in rej["reason"]
        assert rej["source"] == '["x"]'  # the cell is kept, as JSON

    def test_extract_skips_an_article_whose_field_is_a_container(self, tmp_path):
        path = write(tmp_path / "a.jsonl",
                     json.dumps({"id": "x", "text": ["At least 5 people were killed."]}) + "\n"
                     + json.dumps({"id": "y", "text": "At least 5 people were killed."}) + "\n")
        report = extract_files([path], tmp_path / "o.csv")
        assert report.articles == 1
        assert any(f"{path}:1: column 'text' holds a list" in m for m in report.messages)


class TestUtf16WithoutMark:
    """run and extract both read UTF-16 without a byte-order mark, in any script."""

    TEXTS: ClassVar[dict[str, tuple[str, str]]] = {
        "english": ("SOHR", "At least 5 people were killed in Aleppo, activists said."),
        "arabic": ("المرصد السوري", "قتل 5 أشخاص في حلب. At least 5 people were killed."),
        "chinese": ("新华社", "死亡人数上升至五人。At least 5 people were killed, police said."),
        "russian": ("ТАСС", "Погибли пять человек. At least 5 people were killed."),
    }

    @pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
    @pytest.mark.parametrize("script", sorted(TEXTS))
    def test_run_and_extract(self, tmp_path, script, encoding):
        source, article = self.TEXTS[script]
        claims = write(tmp_path / "c.csv", f"source,figure\n{source},5\n".encode(encoding))
        r = load_claims(claims)
        assert list(r.claims["source"]) == [source]
        assert len(r.warnings) == 1 and encoding.upper() in r.warnings[0]
        art = write(tmp_path / "a.txt", article.encode(encoding))
        report = extract_files([art], tmp_path / "o.csv")
        assert report.articles == 1 and report.claims >= 1
        assert any(encoding.upper() in m for m in report.messages)


class TestLongCells:
    """A 200,000-character cell reads the same through the fast and the careful CSV reader."""

    @pytest.mark.parametrize("multiline", [False, True])
    def test_both_readers_read_the_cell(self, tmp_path, multiline):
        big = "x" * 200_000
        other = '"two\nlines"' if multiline else "short"
        path = write(tmp_path / "c.csv", f"source,figure,quote\nA,5,{big}\nB,6,{other}\n")
        csv.field_size_limit(131072)  # as another library may leave it
        r = load_claims(path)
        assert r.rejects.empty, r.rejects.to_dict("records")
        assert r.claims.set_index("source").loc["A", "quote"] == big

    def test_an_article_csv_with_a_long_text_cell(self, tmp_path):
        text = "At least 5 people were killed, police said. " + "Filler words here. " * 12000
        path = write(tmp_path / "a.csv", csv_text([["id", "text"], ["a", text], ["b", "x\ny"]]))
        csv.field_size_limit(131072)
        report = extract_files([path], tmp_path / "o.csv")
        assert report.articles == 2 and report.claims == 1


class TestBounds:
    """low/high cells are read as the figure parser reads a plain number."""

    @pytest.mark.parametrize("cell, reason", [
        ("1e3", "scientific notation"), ("1,00", "not a well-formed number"),
        ("-1", "cannot be negative"), ("2.5", "not a whole count"), ("x", "no number"),
        ("5 killed", "write only the number")])
    def test_bad_bounds_say_why(self, tmp_path, cell, reason):
        r = load_claims(write(tmp_path / "c.csv", csv_text([["source", "low"], ["A", cell]])))
        assert r.claims.empty and reason in r.rejects["reason"].iloc[0]

    @pytest.mark.parametrize("cell, value", [("1,000", 1000), ("25.0", 25), ("007", 7)])
    def test_good_bounds(self, tmp_path, cell, value):
        r = load_claims(write(tmp_path / "c.csv", csv_text([["source", "low"], ["A", cell]])))
        assert r.claims["low"].tolist() == [value]


class TestColumnNames:
    """Blank and reserved column names are renamed and carried, never clobbered or fatal."""

    def test_reserved_and_blank_names(self, tmp_path):
        path = write(tmp_path / "c.csv", ",,line,source,figure,kind,reason,field,event_id\n"
                     "x,y,7,A,5,airstrike,r,f,e1\nx,y,8,B,n/a,shelling,r,f,e2\n")
        r = load_claims(path)
        claim = r.claims.iloc[0]
        assert (claim["line"], claim["kind"], claim["input_kind"], claim["input_line"]) == \
            (2, "exact", "airstrike", "7")
        assert (claim["column_1"], claim["column_2"], claim["input_event_id"]) == ("x", "y", "e1")
        rej = r.rejects.iloc[0]
        assert (rej["line"], rej["field"], rej["input_reason"], rej["input_field"]) == \
            (3, "figure", "r", "f")
        assert len(r.warnings) == 7
        assert f"{path}: column 'line' is read as 'input_line'" in r.warnings[2]

    def test_json_keys_that_name_one_column(self, tmp_path):
        path = write(tmp_path / "c.jsonl", '{"Source": "A", "source": "B", "figure": "5"}\n'
                     '{"line": 9, "source": "C", "figure": "6"}\n')
        r = load_claims(path)
        assert list(r.claims["source"]) == ["C"] and list(r.claims["input_line"]) == ["9"]
        assert "keys 'Source', 'source' name the same column" in r.rejects["reason"].iloc[0]

    def test_run_with_reserved_columns(self, tmp_path):
        path = write(tmp_path / "c.csv", "line,source,figure,verdict\n1,A,5,x\n")
        result = cli("run", str(path), "-o", str(tmp_path / "o"), "--json")
        assert json.loads(result.stdout)["claims"] == 1
        assert "column 'verdict' is read as 'input_verdict'" in result.stderr


class TestPartOfCycles:
    def test_cycles_are_rejected_naming_the_lines(self, tmp_path):
        path = write(tmp_path / "c.csv", "claim_id,source,figure,part_of\n"
                     "a,S,5,b\nb,S,6,a\nc,S,7,\nd,S,3,e\ne,S,4,f\nf,S,9,d\ng,S,2,a\nh,S,1,c\n")
        r = load_claims(path)
        assert sorted(r.claims["claim_id"]) == ["c", "h"]
        reasons = dict(zip(r.rejects["claim_id"], r.rejects["reason"], strict=True))
        assert "cycle: line 2 ('a') -> line 3 ('b') -> line 2 ('a')" in reasons["a"]
        assert reasons["a"] == reasons["b"]
        assert "line 5 ('d') -> line 6 ('e') -> line 7 ('f') -> line 5 ('d')" in reasons["f"]
        assert "names claim 'a', which is not a usable claim" in reasons["g"]
        assert set(r.rejects["field"]) == {"part_of"}


class TestUnknownVictims:
    def test_kept_counted_and_named_in_one_warning(self, tmp_path):
        path = write(tmp_path / "c.csv", "source,figure,victims\nA,5,teachers\nB,6,kids\n"
                     "C,7,Teachers\nD,3,firefighters\n")
        r = load_claims(path)
        assert sorted(r.claims["victims"]) == ["children", "firefighters", "teachers", "teachers"]
        [warning] = r.warnings
        assert "3 claim(s) name victim groups" in warning
        assert "'teachers' (2 rows), 'firefighters' (1 row)" in warning

    def test_no_warning_when_all_known(self):
        assert load_claims(EXAMPLE).warnings == ()


class TestPublicationDates:
    def test_bad_header_date_is_a_message_naming_the_file(self, tmp_path):
        bad = write(tmp_path / "bad.txt", "published: not-a-date\n\nAt least 5 people were "
                    "killed yesterday, police said.\n")
        report = extract_files([bad], tmp_path / "o.csv")
        assert [m for m in report.messages if m.startswith(f"{bad}: published: 'not-a-date' is "
                                                             "not a date")]
        [row] = list(csv.DictReader(open(tmp_path / "o.csv", encoding="utf-8")))
        assert row["published"] == "" and row["event_date"] == ""
        # What extract writes, run reads: no row rejected for its date.
        assert load_claims(tmp_path / "o.csv").rejects.empty

    def test_a_readable_date_that_is_not_iso_is_written_as_iso(self, tmp_path):
        path = write(tmp_path / "a.txt", "published: 2 December 2024\n\nAt least 5 people were "
                     "killed yesterday, police said.\n")
        extract_files([path], tmp_path / "o.csv")
        [row] = list(csv.DictReader(open(tmp_path / "o.csv", encoding="utf-8")))
        assert (row["published"], row["event_date"]) == ("2024-12-02", "2024-12-01")

    def test_bad_published_option_is_a_usage_error(self, tmp_path):
        write(tmp_path / "a.txt", GOOD_ARTICLE)
        result = CliRunner().invoke(main, ["extract", str(tmp_path / "a.txt"), "-o",
                                           str(tmp_path / "o.csv"), "--published", "yesterday"])
        assert result.exit_code == 2
        assert result.stderr.strip().splitlines()[-1] == (
            "Error: Invalid value for '--published': 'yesterday' is not a date; give an ISO "
            "date (YYYY-MM-DD) or date-time")
        assert not (tmp_path / "o.csv").exists()

    def test_library_rejects_a_bad_default(self, tmp_path):
        with pytest.raises(InputError, match="'yesterday' is not a date"):
            extract_files([write(tmp_path / "a.txt", GOOD_ARTICLE)], tmp_path / "o.csv",
                          published="yesterday")


# -- outputs ------------------------------------------------------------------------------------

class TestOutputs:
    def test_new_files_get_the_umask_mode(self, tmp_path):
        old = os.umask(0o022)
        try:
            atomic_write_text(tmp_path / "a.csv", "x\n")
            os.umask(0o002)
            atomic_write_text(tmp_path / "b.csv", "x\n")
        finally:
            os.umask(old)
        assert stat.S_IMODE((tmp_path / "a.csv").stat().st_mode) == 0o644
        assert stat.S_IMODE((tmp_path / "b.csv").stat().st_mode) == 0o664

    def test_a_replaced_file_keeps_its_mode(self, tmp_path):
        target = write(tmp_path / "a.csv", "old\n")
        target.chmod(0o640)
        atomic_write_text(target, "new\n")
        assert stat.S_IMODE(target.stat().st_mode) == 0o640
        assert target.read_text(encoding="utf-8") == "new\n"

    def test_run_outputs_are_readable_by_the_team(self, tmp_path):
        old = os.umask(0o022)
        try:
            assert cli("run", str(EXAMPLE), "-o", str(tmp_path / "o"), "-q").exit_code == 0
        finally:
            os.umask(old)
        for name in ("events.csv", "claims.csv", "rejects.csv"):
            assert stat.S_IMODE((tmp_path / "o" / name).stat().st_mode) == 0o644

    def test_rejects_keep_plain_numbers_and_guard_formulas(self, tmp_path):
        src = write(tmp_path / "c.csv", 'source,figure,low,quote\nA,-5,,-1.5\nB,=1+2,,"-2+3"\n'
                    "C,+7,-1,@x\nD,5,,+1,200\n")
        assert cli("run", str(src), "-o", str(tmp_path / "o"), "-q").exit_code == 0
        back = pd.read_csv(tmp_path / "o" / "rejects.csv", dtype=str, keep_default_na=False)
        cells = {row.source: row for row in back.itertuples()}
        assert (cells["A"].figure, cells["A"].quote) == ("-5", "-1.5")
        assert (cells["B"].figure, cells["B"].quote) == ("'=1+2", "'-2+3")
        assert (cells["C"].figure, cells["C"].low, cells["C"].quote) == ("+7", "-1", "'@x")

    @pytest.mark.parametrize("cell, written", [
        ("-5", "-5"), ("+5", "+5"), ("-1,200", "-1,200"), ("-0.5", "-0.5"), ("=5", "'=5"),
        ("-5+1", "'-5+1"), ("-A1", "'-A1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t5", "'\t5"),
        ("-", "'-"), ("-1,20", "'-1,20")])
    def test_formula_guard(self, tmp_path, cell, written):
        write_csv(pd.DataFrame({"c": [cell]}), tmp_path / "x.csv")
        back = pd.read_csv(tmp_path / "x.csv", dtype=str, keep_default_na=False)
        assert back["c"].iloc[0] == written


class TestRulesCheckSyntax:
    def test_toml_syntax_error_is_file_line_message(self, tmp_path):
        import shutil

        from reconcile.rules.load import default_rules_dir

        rules = tmp_path / "r"
        shutil.copytree(default_rules_dir(), rules, ignore=shutil.ignore_patterns("*.py", "__py*"))
        text = (rules / "vague.toml").read_text(encoding="utf-8")
        line = text.count("\n") + 2
        (rules / "vague.toml").write_text(text + "\n[[vague]\nphrase = 'x'\n", encoding="utf-8")
        result = CliRunner().invoke(main, ["rules", "check", str(rules)])
        assert result.exit_code == 1
        assert f"  {rules / 'vague.toml'}:{line}: not valid TOML: Expected ']]' at the end of " \
               "an array declaration (column 8)" in result.output.splitlines()


# -- command-line conventions -------------------------------------------------------------------

class TestConventions:
    def test_run_reads_standard_input(self, tmp_path):
        data = EXAMPLE.read_bytes()
        a = cli("run", "-", "-o", str(tmp_path / "a"), "--json", input=data)
        b = cli("run", str(EXAMPLE), "-o", str(tmp_path / "b"), "--json")
        assert a.exit_code == b.exit_code == 0
        sa, sb = json.loads(a.stdout), json.loads(b.stdout)
        assert sa["rows"] == sb["rows"] == sa["claims"] + sa["rejected"]
        for name in ("events.csv", "claims.csv", "rejects.csv"):
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()

    def test_run_reads_json_lines_from_standard_input(self, tmp_path):
        lines = "\n".join(json.dumps({"source": s, "figure": f}) for s, f in
                          [("A", "5"), ("B", "at least 3"), ("C", "n/a")]) + "\n"
        result = cli("run", "-", "-o", str(tmp_path / "o"), "--json", input=lines)
        assert json.loads(result.stdout)[ "rejected"] == 1
        rejects = (tmp_path / "o" / "rejects.csv").read_text(encoding="utf-8")
        assert "3,figure,figure: cannot read 'n/a'" in rejects

    def test_run_errors_name_standard_input(self, tmp_path):
        result = CliRunner().invoke(main, ["run", "-", "-o", str(tmp_path / "o")],
                                    input="who,figure\nA,5\n")
        assert result.exit_code == 1
        assert result.stderr.strip() == ("Error: <stdin>:1: missing required column 'source'; "
                                         "found: who, figure")

    def test_extract_from_standard_input_to_standard_output(self):
        result = cli("extract", "-", "-o", "-",
                     input="At least 5 people were killed in Kabul, police said.\n")
        assert result.exit_code == 0
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert [(r["article_id"], r["figure"], r["source"]) for r in rows] == [
            ("stdin", "At least 5", "police")]
        assert "1 claim(s) from 1 article(s) in 1 of 1 file(s) -> <stdout>" in result.stderr

    def test_extract_json_lines_from_standard_input(self):
        lines = "\n".join(json.dumps({"id": f"a{i}", "text": f"{i + 2} people were killed, "
                                      "police said."}) for i in range(3)) + "\n"
        result = cli("extract", "-", "-o", "-", "-q", input=lines)
        assert result.stderr == ""
        assert [r["article_id"] for r in csv.DictReader(io.StringIO(result.stdout))] == [
            "a0", "a1", "a2"]

    def test_json_summaries(self, tmp_path):
        result = cli("run", str(EXAMPLE), "-o", str(tmp_path / "o"), "--json")
        summary = json.loads(result.stdout)
        assert set(summary) == {"rows", "claims", "excluded", "rejected", "events", "contested",
                                "status", "sources", "policy", "as_of", "left_out", "warnings",
                                "outputs", "manifest_sha256"}
        assert summary["rows"] == summary["claims"] + summary["rejected"]
        assert summary["outputs"]["events"] == str(tmp_path / "o" / "events.csv")
        write(tmp_path / "a.txt", GOOD_ARTICLE)
        result = cli("extract", str(tmp_path / "a.txt"), "-o", str(tmp_path / "c.csv"), "--json")
        assert json.loads(result.stdout)["claims"] == 1

    def test_json_with_extract_to_standard_output_is_a_usage_error(self, tmp_path):
        result = CliRunner().invoke(main, ["extract", "-", "-o", "-", "--json"], input="x")
        assert result.exit_code == 2 and "--json prints to standard output" in result.stderr

    @pytest.mark.parametrize("args", [
        ["run", str(EXAMPLE), "-o", "{tmp}/o", "-q"],
        ["extract", str(ROOT / "examples" / "articles"), "-o", "{tmp}/c.csv", "-q"],
        ["simulate", "-o", "{tmp}/w", "--claims", "50", "-q"],
        ["rules", "check", "-q"],
    ])
    def test_quiet_prints_nothing_on_success(self, tmp_path, args):
        result = cli(*(a.replace("{tmp}", str(tmp_path)) for a in args))
        assert result.exit_code == 0 and result.output == ""

    def test_quiet_silences_warnings_but_not_errors(self, tmp_path):
        src = write(tmp_path / "c.csv", "source,figure,victims\nA,5,teachers\n")
        assert cli("run", str(src), "-o", str(tmp_path / "o"), "-q").output == ""
        result = CliRunner().invoke(main, ["run", str(tmp_path / "no.csv"), "-o",
                                           str(tmp_path / "o"), "-q"])
        assert result.exit_code == 1 and result.stderr.startswith("Error: ")

    @pytest.mark.parametrize("text, line", [
        ("-5", {"text": "-5", "error": "a count of people cannot be negative"}),
        ("-12 killed", {"text": "-12 killed", "error": "a count of people cannot be negative"}),
        ("-x", {"text": "-x", "error": "no number or quantity word found"}),
    ])
    def test_parse_reads_a_leading_dash_as_a_figure(self, text, line):
        result = CliRunner().invoke(main, ["parse", text, "5"])
        assert result.exit_code == 1
        assert json.loads(result.stdout.splitlines()[0]) == line

    def test_progress_goes_to_standard_error_only(self, tmp_path, monkeypatch):
        """With a terminal (FORCE_COLOR stands in for one), progress is drawn on stderr only."""
        monkeypatch.setenv("FORCE_COLOR", "1")
        monkeypatch.delenv("NO_COLOR", raising=False)
        quiet = cli("run", str(EXAMPLE), "-o", str(tmp_path / "q"), "--json", "-q")
        loud = cli("run", str(EXAMPLE), "-o", str(tmp_path / "l"), "--json")
        assert json.loads(quiet.stdout) and json.loads(loud.stdout)  # stdout: one JSON object
        assert quiet.stderr == ""
        for stage in ("loading", "grouping", "resolving", "writing"):
            assert stage in loud.stderr
        sim = cli("simulate", "-o", str(tmp_path / "w"), "--claims", "50")
        assert "simulating" in sim.stderr and "simulating" not in sim.stdout
        ext = cli("extract", str(ROOT / "examples" / "articles"), "-o", "-")
        assert "extracting" in ext.stderr and "extracting" not in ext.stdout


class TestExitCodes:
    """Bad input (as opposed to a bad command line) exits 1 with one Error: line."""

    def _one_error(self, result, text: str) -> None:
        assert result.exit_code == 1, result.output
        assert result.stdout == ""
        assert result.stderr.strip().splitlines() == [f"Error: {text}"]

    def test_directory_as_input(self, tmp_path):
        result = CliRunner().invoke(main, ["run", str(tmp_path), "-o", str(tmp_path / "o")])
        self._one_error(result, f"{tmp_path}: is a directory, not a claims file")

    def test_unreadable_input(self, tmp_path, monkeypatch):
        src = write(tmp_path / "c.csv", "source,figure\nA,5\n")

        def denied(self):
            raise PermissionError(13, "Permission denied", str(self))

        monkeypatch.setattr(Path, "read_bytes", denied)
        result = CliRunner().invoke(main, ["run", str(src), "-o", str(tmp_path / "o")])
        self._one_error(result, f"{src}: cannot read: Permission denied")
        result = CliRunner().invoke(main, ["extract", str(src), "-o", str(tmp_path / "c.csv")])
        assert result.exit_code == 1 and "cannot read: Permission denied" in result.stderr

    def test_output_path_that_is_a_file(self, tmp_path):
        blocker = write(tmp_path / "out", "x")
        result = CliRunner().invoke(main, ["run", str(EXAMPLE), "-o", str(blocker)])
        self._one_error(result, f"{blocker}: is a file, not a folder; give a folder for the "
                                "output files")
        result = CliRunner().invoke(main, ["simulate", "-o", str(blocker), "--claims", "5"])
        self._one_error(result, f"{blocker}: is a file, not a folder; give a folder for the "
                                "output files")

    def test_extract_output_that_is_a_folder(self, tmp_path):
        write(tmp_path / "a.txt", GOOD_ARTICLE)
        result = CliRunner().invoke(main, ["extract", str(tmp_path / "a.txt"), "-o", str(tmp_path)])
        self._one_error(result, f"{tmp_path}: is a folder, not a file; give the claims CSV to "
                                "write")


# -- a corpus of hostile inputs -----------------------------------------------------------------

def _claims_corpus() -> dict[str, tuple[bytes, int | None]]:
    """name -> (content, data rows when the file is readable, None when it is not)."""
    rows = [["source", "figure", "category", "victims", "part_of", "claim_id", "quote"],
            ["SOHR", "at least 29", "killed", "civilians", "", "a", "=HYPERLINK(\"x\")"],
            ["", "5", "killed", "", "", "", ""],
            ["X", "=12", "", "", "", "", "-5"],
            ["X", "1,00", "", "", "", "", ""],
            ["X", "twenty-twenty", "", "", "", "", ""],
            ["X", "6e18", "", "", "", "", ""],
            ["X", "99999999999999999999999999", "", "", "", "", ""],
            ["X", "at most at least 5", "", "", "", "", ""],
            ["X", "no one", "killed", "journalists", "", "", ""],
            ["X", ">10", "wounded", "teachers", "", "", ""],
            ["X", "5", "exploded", "", "", "", ""],
            ["X", "7", "", "", "c", "b", ""],
            ["X", "8", "", "", "b", "c", ""],
            ["X", "²", "", "", "", "", ""],
            ["X", "x" * 600, "", "", "", "", "y" * 200_000]]
    good = csv_text(rows)
    n = len(rows) - 1
    deep = "\n".join([json.dumps({"source": "A", "figure": "5"}), DEEP,
                      json.dumps({"source": ["x"], "figure": {"a": 1}}),
                      '{"source": "B", "figure": 1' + "0" * 5000 + "}", "not json", "[1, 2]",
                      json.dumps({"source": "C", "figure": "no deaths"})]) + "\n"
    return {
        "hostile.csv": (good.encode(), n),
        "hostile_crlf_bom.csv": (b"\xef\xbb\xbf" + good.replace("\n", "\r\n").encode(), n),
        "hostile_semicolon.csv": (good.replace(",", ";").encode(), None),  # quoting varies
        "hostile_utf16.csv": (good.encode("utf-16-le"), n),
        "hostile_utf16be.csv": (good.encode("utf-16-be"), n),
        "hostile_latin1.csv": ("source,figure\nCafé,5\nNaïve,6\n".encode("latin-1"), 2),
        "multiline.csv": (b'source,figure,quote\nA,5,"a\nb"\nB,6,"unclosed\n', None),
        "ragged.csv": (b"source,figure\nA,5,x,y\nB\nC,6,,\n,,\n\n", 3),
        "reserved.csv": (b",,line,reason,field,kind,source,figure\nx,y,1,r,f,k,A,5\n,,2,,,,B,x\n", 2),
        "reserved.jsonl": (b'{"line": 1, "reason": "r", "source": "A", "figure": "5"}\n'
                           b'{"Source": "A", "source": "B", "figure": "5"}\n', 2),
        "hostile.jsonl": (deep.encode(), 7),
        "empty.csv": (b"", None),
        "header_only.csv": (b"source,figure\n", 0),
        "binary.csv": (bytes(range(256)) * 8, None),
        "nul_garbage.csv": (b"\x00\x01\x02binary" * 10, None),
        "no_source.csv": (b"who,figure\nA,5\n", None),
        "dup_columns.csv": (b"source,source,figure\nA,B,5\n", None),
        "not_json.jsonl": (b"\xff\xfe{\x00", None),
        "garbage.parquet": (b"PAR1 not really", None),
        "table.xlsx": (b"PK\x03\x04", None),
    }


def _articles_corpus() -> dict[str, bytes]:
    run_of_words = ("one thousand " * 15000).encode()
    return {
        "good.txt": GOOD_ARTICLE.encode(),
        "good_utf16.txt": GOOD_ARTICLE.encode("utf-16-be"),
        "bad_date.txt": b"published: not-a-date\n\nAt least 5 people were killed yesterday.\n",
        "words.txt": b"Officials said " + run_of_words + b"people were killed.",
        "deep.json": DEEP.encode(),
        "deep.jsonl": (json.dumps({"id": "d", "text": "Police said 4 people were injured."})
                       + "\n" + DEEP + "\n").encode(),
        "containers.jsonl": (json.dumps({"id": ["x"], "text": "5 killed."}) + "\n").encode(),
        "no_text.csv": b"id,body\n1,At least 5 killed\n",
        "list.json": json.dumps([1, {"id": "l", "text": "Nine people were killed."}]).encode(),
        "empty.txt": b"",
        "binary.txt": bytes(range(256)) * 8,
        "zero.txt": b"Not one civilian died in the strike, the army said.",
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    claims = {name: (write(root / "claims" / name, data), rows)
              for name, (data, rows) in _claims_corpus().items()}
    (root / "claims" / "folder.csv").mkdir()
    claims["folder.csv"] = (root / "claims" / "folder.csv", None)
    articles = {name: write(root / "articles" / name, data)
                for name, data in _articles_corpus().items()}
    return root, claims, articles


def _check_result(result, out: Path) -> None:
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
        assert len(errors) == 1 and result.stderr.startswith("Error: "), result.stderr
        assert result.stdout == ""
        assert not out.exists(), "partial output after an error"


@pytest.mark.parametrize("name", sorted([*_claims_corpus(), "folder.csv"]))
def test_hostile_claims_through_run(corpus, name):
    root, claims, _ = corpus
    path, expected_rows = claims[name]
    out = root / "out" / name
    result = CliRunner().invoke(main, ["run", str(path), "-o", str(out), "--json"])
    _check_result(result, out)
    if result.exit_code == 0:
        summary = json.loads(result.stdout)
        assert summary["rows"] == summary["claims"] + summary["rejected"]
        used = pd.read_csv(out / "claims.csv", dtype=str, keep_default_na=False)
        rejected = pd.read_csv(out / "rejects.csv", dtype=str, keep_default_na=False)
        assert (len(used), len(rejected)) == (summary["claims"], summary["rejected"])
        if expected_rows is not None:
            assert summary["rows"] == expected_rows
        assert sorted(p.name for p in out.iterdir()) == ["claims.csv", "events.csv",
                                                        "history.csv", "manifest.json",
                                                        "rejects.csv", "report.html",
                                                        "sources.csv"]
    elif expected_rows is not None:
        pytest.fail(f"{name} should be readable: {result.stderr}")


def test_hostile_rows_get_their_reasons(corpus):
    _, claims, _ = corpus
    r = load_claims(claims["hostile.csv"][0])
    reasons = dict(zip(r.rejects["line"], r.rejects["reason"], strict=True))
    for line, words in [(3, "source: empty"), (4, "a spreadsheet formula"),
                        (5, "not a well-formed number"), (6, "not a range"),
                        (7, "scientific notation"), (8, "larger than any count"),
                        (9, "stacked qualifiers"), (12, "unknown category"), (13, "cycle"),
                        (14, "cycle"), (15, "no number"), (16, "longer than 500")]:
        assert words in reasons[line], (line, reasons[line])
    used = r.claims.set_index("line")
    assert (used.loc[10, "low"], used.loc[10, "high"]) == (0, 0)  # "no one"
    assert used.loc[11, "low"] == 11 and pd.isna(used.loc[11, "high"])  # ">10"
    assert any("'journalists'" not in w and "'teachers' (1 row)" in w for w in r.warnings)


@pytest.mark.parametrize("name", sorted(_articles_corpus()))
def test_hostile_articles_through_extract(corpus, name):
    root, _, articles = corpus
    out = root / "extracted" / f"{name}.csv"
    result = CliRunner().invoke(main, ["extract", str(articles[name]), "-o", str(out)])
    _check_result(result, out)


def test_hostile_article_folder_reads_every_good_file(corpus):
    root, _, _ = corpus
    out = root / "extracted" / "all.csv"
    result = CliRunner().invoke(main, ["extract", str(root / "articles"), "-o", str(out)])
    _check_result(result, out)
    assert result.exit_code == 0
    rows = list(csv.DictReader(open(out, encoding="utf-8")))
    by_article = {r["article_id"]: r for r in rows}
    assert by_article["good"]["low"] == by_article["good_utf16"]["low"] == "12"
    assert (by_article["zero"]["low"], by_article["zero"]["high"]) == ("0", "0")
    assert "l" in by_article and "d" in by_article
    assert not [r for r in rows if r["article_id"] == "words" and len(r["figure"]) > 30]
    for name in ("deep.json", "deep.jsonl:2", "containers.jsonl:1", "no_text.csv", "list.json:1",
                 "empty.txt", "binary.txt", "bad_date.txt"):
        assert f"Warning: {root / 'articles' / name}" in result.stderr, name
    # The claims extract writes are claims run reads.
    assert load_claims(out).rejects.empty


# -- fuzz ---------------------------------------------------------------------------------------

FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=2000))
def test_fuzz_decode_text(data):
    """Any bytes decode to text or give the project's InputError, nothing else."""
    try:
        text, _ = decode_text(data, "f")
    except InputError:
        return
    assert isinstance(text, str)


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from([".csv", ".jsonl", ".tsv", ".parquet", ""]))
def test_fuzz_reader_on_random_bytes(tmp_path, data, suffix):
    """Random bytes under any name: a table and rejects, or a ReconcileError."""
    path = tmp_path / f"f{suffix}"
    path.write_bytes(data)
    try:
        r = load_claims(path)
    except ReconcileError:
        return
    assert r.n_rows == len(r.claims) + len(r.rejects)


_cell = st.one_of(st.text(max_size=12),
                  st.sampled_from(["", "5", "at least 5", '"', '""', "a,b", "x\ny", "\r", ";",
                                   "=1+2", "-5", "no one", ">10", "1,00", "6e18", "²", "\x00",
                                   "killed", "civilians", "2024-01-01"]))


@FUZZ
@given(st.lists(st.lists(_cell, max_size=8), min_size=1, max_size=12),
       st.sampled_from([",", ";", "\t"]), st.booleans())
def test_fuzz_csv_shapes(tmp_path, rows, delimiter, header):
    """Any CSV shape: every data row is a claim or a reject (or the file is one clear error)."""
    if header:
        rows = [["source", "figure", "part_of", "claim_id"], *rows]
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path = tmp_path / "c.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    try:
        r = load_claims(path)
    except ReconcileError:
        return
    assert r.n_rows == len(r.claims) + len(r.rejects)
    assert set(r.claims["line"]).isdisjoint(r.rejects["line"])


_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
              st.text(max_size=10)),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5),
                                                                       children, max_size=3),
    max_leaves=20)


@FUZZ
@given(st.lists(st.one_of(st.dictionaries(st.sampled_from(["source", "figure", "low", "x"]),
                                          _json, max_size=4),
                          _json, st.integers(0, 6000).map(lambda d: "[" * d + "]" * d)),
                min_size=1, max_size=6))
def test_fuzz_json_lines_and_nesting(tmp_path, values):
    """Random JSON values and nesting depths, one per line: each line is a claim or a reject."""
    lines = [v if isinstance(v, str) and v.startswith("[") else json.dumps(v) for v in values]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame, bad, _ = read_records(path)
    assert len(frame) + len(bad) == len([line for line in lines if line.strip()])
    r = load_claims(path) if "source" in frame.columns and "figure" in frame.columns else None
    if r is not None:
        assert r.n_rows == len(r.claims) + len(r.rejects) == len(lines)


@FUZZ
@given(st.text(max_size=80) | st.lists(st.sampled_from(
    ["at", "least", "most", "more", "than", "no", "one", "twenty", "-", "thousand", "hundred",
     "and", "5", "1,00", "1.5", "e", "3", ">", "=", "<", "~", "to", "between", "dozens", "of",
     "not", "a", "single", "²", "٣", "−", "%", "$", ".", ",", "or", "greater", "killed"]),
    max_size=12).map(" ".join))
def test_fuzz_parser(text):
    """Any text parses to a Figure or a NotAFigure with a reason; nothing raises."""
    result = parse_figure(text)
    assert isinstance(result, (Figure, NotAFigure))
    if isinstance(result, NotAFigure):
        assert result.reason
    else:
        assert 0 <= result.interval.lo <= result.interval.hi
    for m in find_figures(text):
        assert isinstance(m.figure, (Figure, NotAFigure))


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=300))
def test_fuzz_extractor(text):
    """Any article text gives rows (possibly none), never an exception."""
    rows = extract_article(text, article_id="f", published="2024-01-01")
    assert all(r["low"] is None or r["low"] >= 0 for r in rows)
