"""The run manifest: what a run read, with which rules and options, and what it wrote.

Every ``reconcile run`` writes ``manifest.json`` into its output folder, last
and atomically: the reconcile version (and Python's, pandas', numpy's), the
options, the SHA-256 of every input file, of every rule file in the rules
folder in use and of the gazetteer tables, the row counts in and out, the
start and end time, and the SHA-256 of every output file. The manifest's own
SHA-256 (:func:`manifest_sha256`) is what to cite with a published figure:
it pins the claims, the rules and the result.

:func:`verify_run` re-checks a run folder against its manifest: every output
must still hash to what was written, and every input and rule file named
must still be there with the same hash. Standard input cannot be read
again; it is reported as not checkable (give ``--input FILE`` to check a
saved copy).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import InputError
from .write import atomic_write_text

__all__ = [
    "MANIFEST",
    "MANIFEST_VERSION",
    "Check",
    "Verification",
    "build_manifest",
    "data_files",
    "file_entry",
    "manifest_sha256",
    "read_manifest",
    "rule_files",
    "sha256_bytes",
    "sha256_file",
    "utc_now",
    "verify_run",
    "write_manifest",
]

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
STDIN_NAME = "-"
_CHUNK = 1 << 20


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def utc_now() -> str:
    """Now, as an ISO 8601 UTC time to the microsecond (``...Z``)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def file_entry(path: str | Path, *, role: str | None = None, data: bytes | None = None,
               relative_to: Path | None = None) -> dict[str, Any]:
    """One file of the manifest: its path (as given, and resolved), size and SHA-256.

    ``data``: the bytes that were read (standard input, path ``-``). With
    ``relative_to`` the path is written relative to that folder (outputs, so
    a run folder can be moved whole).
    """
    p = Path(path)
    entry: dict[str, Any] = {}
    if role is not None:
        entry["role"] = role
    if data is not None:
        entry.update(path=str(path), bytes=len(data), sha256=sha256_bytes(data))
        return entry
    if relative_to is not None:
        entry["file"] = p.relative_to(relative_to).as_posix()
    else:
        entry["path"] = str(path)
        entry["resolved"] = str(p.resolve())
    entry.update(bytes=p.stat().st_size, sha256=sha256_file(p))
    return entry


def rule_files(directory: str | Path) -> list[Path]:
    """The rule files of a rules folder: every ``*.toml`` in it, by name."""
    return sorted(Path(directory).glob("*.toml"), key=lambda p: p.name)


def data_files() -> list[Path]:
    """The package data a run reads besides the rules: the gazetteer tables."""
    root = Path(str(resources.files("reconcile.places.data")))
    return sorted(root.glob("*.tsv.gz"), key=lambda p: p.name)


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in ("reconcile", "pandas", "numpy", "networkx", "rapidfuzz"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "unknown"
    return out


def build_manifest(*, command: str, options: Mapping[str, Any],
                   inputs: Iterable[Mapping[str, Any]], rules_dir: str | Path,
                   counts: Mapping[str, int], started: str, finished: str,
                   outputs: Mapping[str, str | Path], outdir: str | Path) -> dict[str, Any]:
    """The manifest of one run, as plain JSON values.

    ``inputs`` are :func:`file_entry` records (computed when the input was
    read, so a file changed during the run is caught); ``outputs`` maps each
    output's name to its path inside ``outdir``, hashed here.
    """
    root = Path(outdir).resolve()
    versions = _versions()
    return {
        "manifest_version": MANIFEST_VERSION,
        "reconcile_version": versions["reconcile"],
        "versions": versions,
        "command": command,
        "options": dict(options),
        "started": started,
        "finished": finished,
        "inputs": [dict(i) for i in inputs],
        "rules_dir": str(Path(rules_dir).resolve()),
        "rules": [file_entry(p) | {"file": p.name} for p in rule_files(rules_dir)],
        "data": [file_entry(p) | {"file": p.name} for p in data_files()],
        "counts": {k: int(v) for k, v in counts.items()},
        "outputs": {name: file_entry(Path(path).resolve(), relative_to=root)
                    for name, path in outputs.items()},
    }


def write_manifest(outdir: str | Path, manifest: Mapping[str, Any]) -> Path:
    """Write ``manifest.json`` atomically (sorted keys, two-space indent, final newline)."""
    path = Path(outdir) / MANIFEST
    atomic_write_text(path, json.dumps(manifest, indent=2, sort_keys=True,
                                       ensure_ascii=False) + "\n")
    return path


def manifest_sha256(outdir: str | Path) -> str:
    """SHA-256 of the run's ``manifest.json``: the hash to cite with a published figure."""
    return sha256_file(Path(outdir) / MANIFEST)


def read_manifest(outdir: str | Path) -> dict[str, Any]:
    """The manifest of a run folder.

    Raises :class:`InputError` naming the file when it is missing or not a
    manifest (a folder written by another tool, or by a reconcile before
    manifests).
    """
    path = Path(outdir) / MANIFEST
    if not Path(outdir).is_dir():
        raise InputError("is not a run folder (no such folder)", file=str(outdir))
    if not path.is_file():
        raise InputError("no manifest.json: not a folder written by reconcile run "
                         "(or written before runs had manifests); run it again", file=str(outdir))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read the manifest: {exc}", file=str(path)) from None
    if not isinstance(data, dict) or data.get("manifest_version") != MANIFEST_VERSION \
            or not isinstance(data.get("outputs"), dict):
        raise InputError(f"not a reconcile manifest (version {MANIFEST_VERSION} expected)",
                         file=str(path))
    return data


# -- verification -------------------------------------------------------------------------

OK, CHANGED, MISSING, UNCHECKABLE = "ok", "changed", "missing", "not checkable"


@dataclass(frozen=True)
class Check:
    """One file checked: ``kind`` (output, input, rules, data), ``name``, ``status``
    (ok, changed, missing, not checkable), where it was looked for, and the hashes."""

    kind: str
    name: str
    status: str
    path: str
    recorded: str
    found: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "name": self.name, "status": self.status, "path": self.path,
                "recorded": self.recorded, "found": self.found}


@dataclass(frozen=True)
class Verification:
    """The result of :func:`verify_run`."""

    outdir: str
    manifest_sha256: str
    checks: tuple[Check, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status in (CHANGED, MISSING))

    @property
    def ok(self) -> bool:
        return not self.failed

    def problem(self) -> str:
        """One line naming every file that no longer matches ("" when none)."""
        if self.ok:
            return ""
        parts = [f"{c.kind} {c.name} {c.status}" for c in self.failed]
        return (f"{len(self.failed)} file(s) no longer match the manifest: " + "; ".join(parts)
                + " — the run cannot be reproduced as recorded")

    def to_dict(self) -> dict[str, Any]:
        return {"outdir": self.outdir, "manifest_sha256": self.manifest_sha256, "ok": self.ok,
                "checks": [c.to_dict() for c in self.checks]}


def _check(kind: str, name: str, path: Path, recorded: str) -> Check:
    if not path.is_file():
        return Check(kind, name, MISSING, str(path), recorded)
    try:
        found = sha256_file(path)
    except OSError as exc:
        return Check(kind, name, MISSING, str(path), recorded, f"unreadable: {exc.strerror}")
    return Check(kind, name, OK if found == recorded else CHANGED, str(path), recorded, found)


def verify_run(outdir: str | Path, *, inputs: Iterable[str | Path] = ()) -> Verification:
    """Re-check a run folder against its manifest.

    Outputs are looked for inside ``outdir`` (the folder may have moved);
    inputs, rule files and gazetteer tables where the run found them.
    ``inputs``: files to check in place of the recorded inputs of the same
    file name (a moved or archived copy, or a saved copy of standard input).
    """
    manifest = read_manifest(outdir)
    root = Path(outdir)
    overrides = {Path(p).name: Path(p) for p in inputs}
    checks: list[Check] = []
    for name, entry in sorted(manifest["outputs"].items()):
        checks.append(_check("output", name, root / entry["file"], entry["sha256"]))
    for entry in manifest.get("inputs", []):
        given = str(entry.get("path", ""))
        name = Path(given).name if given != STDIN_NAME else STDIN_NAME
        label = f"{entry.get('role', 'input')} {given}"
        if name in overrides:
            checks.append(_check("input", label, overrides[name], entry["sha256"]))
        elif given == STDIN_NAME:
            checks.append(Check("input", label, UNCHECKABLE, "standard input", entry["sha256"]))
        else:
            checks.append(_check("input", label, Path(entry.get("resolved", given)),
                                 entry["sha256"]))
    for kind in ("rules", "data"):
        for entry in manifest.get(kind, []):
            checks.append(_check(kind, entry["file"], Path(entry["resolved"]), entry["sha256"]))
    return Verification(str(outdir), manifest_sha256(outdir), tuple(checks))
