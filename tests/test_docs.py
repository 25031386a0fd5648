"""The README stays true to the code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
from click.testing import CliRunner

from reconcile.cli import main
from reconcile.rules.load import RULE_FILES
from reconcile.schema import (
    CLAIM_COLUMNS,
    EVENT_COLUMNS,
    GRADES,
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


def test_parse_example_matches_output():
    block = re.search(r"```\n\$ (reconcile parse .*?)\n(.*?)```", README, re.S)
    assert block, "README lost its parse example"
    args = re.findall(r'"([^"]*)"', block.group(1))
    result = CliRunner().invoke(main, ["parse", *args])
    expected = [json.loads(line) for line in block.group(2).strip().splitlines()]
    assert [json.loads(line) for line in result.output.splitlines()] == expected
