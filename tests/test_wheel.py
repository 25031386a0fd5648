"""A built wheel carries the rule files and works without the source tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

# The editable install's import hook would find the source tree first; drop it
# so the subprocess imports only what the wheel installed (PYTHONPATH = the
# folder the wheel was installed into).
PROBE = """
import sys
sys.meta_path[:] = [f for f in sys.meta_path if not type(f).__module__.startswith("__editable__")]
import reconcile
from reconcile.cli import main
assert reconcile.__file__.startswith(sys.argv[1]), reconcile.__file__
sys.argv = ["reconcile", *sys.argv[2:]]
main()
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp / "dist"), str(ROOT)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    wheel = next((tmp / "dist").glob("reconcile-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for rule in ("qualifiers", "vague", "numbers", "categories", "victims"):
        assert f"reconcile/rule_files/{rule}.toml" in names
    site = tmp / "site"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q",
                              "--target", str(site), str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    return site


def run_installed(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, "-c", PROBE, str(site), *args],
                          capture_output=True, text=True, cwd=cwd, env=env)


def test_wheel_rules_check(installed, tmp_path):
    proc = run_installed(installed, "rules", "check", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert str(installed) in proc.stdout and "qualifiers" in proc.stdout


def test_wheel_parse_and_run(installed, tmp_path):
    proc = run_installed(installed, "parse", "nearly 6,000", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["low"] == 5400
    proc = run_installed(installed, "run", str(ROOT / "examples" / "claims.csv"), "-o",
                         str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "events.csv").exists()
    # the report's template, stylesheet and script are package data
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<table id=\"events\">" in report and "events-data" in report
