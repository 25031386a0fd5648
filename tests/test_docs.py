"""The README stays true to the code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
from click.testing import CliRunner

from reconcile.cli import main
from reconcile.rules.load import RULE_FILES, default_rules
from reconcile.schema import (
    CLAIM_COLUMNS,
    EVENT_COLUMNS,
    GRADES,
    HISTORY_COLUMNS,
    RESOLVED_CLAIM_COLUMNS,
    SOURCE_COLUMNS,
    STATUSES,
    VERDICTS,
)

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "reconcile") -> list[str]:
    out = []
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            out += commands(cmd, f"{prefix} {name}")
        else:
            out.append(f"{prefix} {name}")
    return out


def test_every_command_documented():
    for command in commands(main):
        assert f"`{command}" in README, command


def test_every_claims_column_documented():
    for column in CLAIM_COLUMNS:
        assert f"`{column}`" in README, column


def test_every_event_column_and_verdict_documented():
    flat = " ".join(README.split())
    assert ", ".join(EVENT_COLUMNS) in flat
    assert ", ".join(RESOLVED_CLAIM_COLUMNS) in flat
    assert ", ".join(SOURCE_COLUMNS) in flat
    assert ", ".join(HISTORY_COLUMNS) in flat
    for word in (*VERDICTS, *STATUSES, *GRADES):
        assert f"{word}" in flat, word


def test_every_policy_documented():
    from reconcile.resolve.policy import POLICIES

    for name in POLICIES:
        assert f"`{name}`" in README, name


def test_every_rule_file_documented():
    for name in (*RULE_FILES, "extract.toml", "places.toml", "sources.toml"):
        assert f"`{name}`" in README, name


def test_set_up_commands_present():
    assert "make demo" in README and "make test" in README


def test_parse_examples_match_output():
    blocks = re.findall(r"```\n\$ (reconcile parse .*?)\n(.*?)```", README, re.S)
    assert len(blocks) >= 2, "README lost its parse examples (the design table, the forms)"
    for command, output in blocks:
        args = re.findall(r'"([^"]*)"', command)
        result = CliRunner().invoke(main, ["parse", *args])
        expected = [json.loads(line) for line in output.strip().splitlines()]
        assert [json.loads(line) for line in result.output.splitlines()] == expected


def test_every_vague_row_documented_with_value_and_acled():
    """The README's table lists every [[vague]] row: interval, value, ACLED coding, anchor."""
    import math

    rows = re.findall(r"^\| ([^|]+) \| \[([\d,]+), ([\d,]+|∞)\] \| ([\d,]+) \| ([\d,]+) \| "
                      r"(stated|—) \|$", README, re.M)
    table = {r[0]: r[1:] for r in rows}
    rules = default_rules()
    assert len(table) == len(rules.vague)
    for v in rules.vague:
        high = "∞" if v.high == math.inf else f"{int(v.high):,}"
        assert table[v.phrase] == (f"{v.low:,}", high, f"{v.value:,}", f"{v.acled:,}",
                                   "stated" if v.stated else "—"), v.phrase


def test_every_zero_phrase_documented():
    flat = " ".join(README.split())
    for phrase in default_rules().numbers.zeros:
        assert f'"{" ".join(phrase).replace(" - ", "-")}"' in flat, phrase


def test_conventions_documented():
    flat = " ".join(README.split())
    for needed in ("`reconcile run -`", "`reconcile extract -`", "`-o -`", "`--quiet`",
                   "`--json`", "**Exit status**", "standard error", "`1` bad input",
                   "`2` usage error", "formula"):
        assert needed in flat, needed
    for option in ("--quiet", "--json"):
        for command in ("run", "extract"):
            result = CliRunner().invoke(main, [command, "--help"])
            assert option in result.output, (command, option)


ROOT = Path(__file__).parents[1]


def test_architecture_lists_every_module_once():
    """docs/architecture.md has one line per module of the tree, no more, no less."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    listed = re.findall(r"^- `(reconcile/[\w/]+\.py)` — ", doc, re.M)
    tree = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "reconcile").rglob("*.py"))
    assert len(listed) == len(set(listed)), "a module is listed twice"
    assert sorted(listed) == tree


def test_readme_layout_names_every_stage():
    for stage in ("core", "rules", "io", "places", "extract", "group", "resolve", "report",
                  "simulate", "evaluate"):
        assert f"`{stage}/`" in README, stage


def test_history_example_matches_golden():
    """The README's history example is the golden output of tests/test_trust.py."""
    block = re.search(r"```\n\$ reconcile run examples/claims.csv -o out/ -q\n"
                      r"(\$ reconcile history .*?)```", README, re.S)
    assert block, "README lost its history example"
    golden = (Path(__file__).parent / "golden" / "history_stdout.txt").read_text(encoding="utf-8")
    assert golden.startswith(block.group(1))


def test_report_review_and_formats_documented():
    from reconcile.report.tables import FORMATS, GED_COLUMNS
    from reconcile.review.verdicts import REVIEW_VERDICTS

    flat = " ".join(README.split())
    for fmt in FORMATS:
        assert f"`{fmt}`" in flat, fmt
    for verdict in REVIEW_VERDICTS:
        assert f"| `{verdict}" in README or f"`{verdict}`" in flat, verdict
    for column in GED_COLUMNS:
        assert f"| `{column}` | `{column}` |" in README, column
    for option in ("--review", "--format", "--hxl", "--report-events", "--report-charts",
                   "--no-report"):
        assert option in flat, option
        assert option in CliRunner().invoke(main, ["run", "--help"]).output, option
    for picture in ("docs/report.png", "docs/report-event.png"):
        assert f"]({picture})" in README
        assert (ROOT / picture).stat().st_size > 10_000
    assert "make screenshot" in README
