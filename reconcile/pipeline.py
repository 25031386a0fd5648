"""``reconcile run``: load -> group -> resolve -> write, as one library call."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .core.quotes import check_quotes
from .errors import InputError, OutputError
from .group import group_claims
from .io.manifest import (
    build_manifest,
    file_entry,
    manifest_sha256,
    utc_now,
    write_manifest,
)
from .load import LoadResult, as_of_cutoff, load_claims, published_by
from .progress import NO_PROGRESS, Progress
from .report.tables import write_tables
from .resolve import Options, Resolution, resolve_events
from .resolve.history import DEFAULT_STEPS
from .resolve.scope import check_scopes
from .rules.load import Rules, default_rules, default_rules_dir, load_rules
from .rules.sources import SourcePriors, default_source_priors, load_source_priors
from .schema import STATUSES

__all__ = ["RunResult", "reconcile_claims", "run"]


@dataclass(frozen=True)
class RunResult:
    """What a run produced: the tables, the counts and where they were written."""

    events: pd.DataFrame
    claims: pd.DataFrame
    rejects: pd.DataFrame
    n_rows: int
    warnings: tuple[str, ...] = ()
    outputs: dict[str, Path] = field(default_factory=dict)
    sources: pd.DataFrame | None = None
    policy: str = "estimate"
    as_of: str | None = None
    later: int = 0  # claims published after --as-of
    undated: int = 0  # claims without a publication time, left out by --as-of
    manifest_sha256: str = ""
    history: pd.DataFrame | None = None

    @property
    def left_out(self) -> int:
        """Usable rows left out by ``--as-of`` (published later, or undated)."""
        return self.later + self.undated

    @property
    def n_contested(self) -> int:
        return int(self.events["status"].eq("contested").sum()) if len(self.events) else 0

    def summary(self) -> str:
        """A few lines for the terminal."""
        left = f", {self.left_out} left out by --as-of" if self.as_of else ""
        lines = [
            f"claims:    {len(self.claims)} used, {len(self.rejects)} rejected{left} "
            f"(of {self.n_rows} rows)",
            f"events:    {len(self.events)} ({self.n_contested} contested)",
        ]
        if len(self.events):
            counts = self.events["status"].value_counts()
            parts = ", ".join(f"{counts.get(s, 0)} {s}" for s in STATUSES)
            lines.append(f"status:    {parts}")
        if self.sources is not None:
            n_copiers = int(self.sources["copies_of"].ne("").sum())
            lines.append(f"sources:   {len(self.sources)} ({n_copiers} repeating another)")
        if self.policy != "estimate":
            lines.append(f"policy:    {self.policy}")
        if self.as_of:
            lines.append(f"as of:     {self.as_of} ({self.later} published later, "
                         f"{self.undated} undated: left out)")
        for name, path in self.outputs.items():
            lines.append(f"{name + ':':<10} {path}")
        if self.manifest_sha256:
            lines.append(f"cite:      manifest sha256:{self.manifest_sha256}")
        return "\n".join(lines)

    def summary_dict(self) -> dict[str, object]:
        """The summary as plain values (``reconcile run --json``).

        ``rows`` = ``claims`` + ``rejected`` + ``left_out`` (rows left out by
        ``--as-of``); ``status`` counts events by status.
        """
        counts = self.events["status"].value_counts() if len(self.events) else pd.Series()
        return {
            "rows": int(self.n_rows),
            "claims": len(self.claims),
            "rejected": len(self.rejects),
            "events": len(self.events),
            "contested": self.n_contested,
            "status": {s: int(counts.get(s, 0)) for s in STATUSES},
            "sources": None if self.sources is None else len(self.sources),
            "policy": self.policy,
            "as_of": self.as_of,
            "left_out": self.left_out,
            "warnings": list(self.warnings),
            "outputs": {name: str(path) for name, path in self.outputs.items()},
            "manifest_sha256": self.manifest_sha256,
        }


def reconcile_claims(loaded: LoadResult, *, policy: str = "estimate",
                     priors: SourcePriors | None = None,
                     options: Options | None = None,
                     progress: Progress = NO_PROGRESS,
                     rules: Rules | None = None, history_steps: int = 0) -> Resolution:
    """Group and resolve loaded claims: events, claims with verdicts, sources.

    Each claim's quote is checked first (``quote_check``: does the quote hold
    the figure, does the span point at it; :mod:`reconcile.core.quotes`); a
    claim that fails weighs less. Grouping gives each claim its event, the
    event's parent (parts and the totals that hold incidents) and the
    canonical source; the resolver reads all three. Then each claim's measure
    is checked against its event's (``scope_check``: a subset, a superset or
    another measure; :mod:`reconcile.resolve.scope`) before claims are weighed.
    With ``history_steps`` the resolution also holds each event's history
    (:mod:`reconcile.resolve.history`).
    """
    with progress.stage("checking quotes"):
        claims = loaded.claims.assign(quote_check=check_quotes(loaded.claims, rules))
    with progress.stage("grouping"):
        grouped = group_claims(claims, rules)
    treated = (priors or default_source_priors()).treated_words
    grouped = grouped.assign(scope_check=check_scopes(grouped, rules, treated))
    with progress.stage("resolving"):
        return resolve_events(grouped, policy=policy, priors=priors, options=options,
                              history_steps=history_steps)


def run(claims_path: str | Path, outdir: str | Path, *,
        rules: Rules | None = None, rules_dir: str | Path | None = None,
        data: bytes | None = None, progress: Progress = NO_PROGRESS,
        policy: str = "estimate", level: float = 0.8, as_of: str | None = None,
        history_steps: int = DEFAULT_STEPS) -> RunResult:
    """Load a claims file, reconcile it, and write the tables to ``outdir``.

    Writes ``events.csv``, ``claims.csv``, ``sources.csv``, ``rejects.csv`` and
    ``history.csv`` (each event's low / best / high at up to ``history_steps``
    publication times; 0 writes none), each atomically, then ``manifest.json`` (:mod:`reconcile.io.manifest`:
    the inputs', rules' and outputs' SHA-256, the options, the counts, the
    times). ``data``, when given, is the claims file's content
    (standard input) and ``claims_path`` only names it. ``progress`` hears of
    each stage. ``policy`` chooses how ``best`` is picked and ``level`` is the
    credible level of ``[low, high]``. ``as_of`` (an ISO date or date-time)
    keeps only the claims published up to then (:func:`reconcile.load.published_by`):
    the events as they were knowable at that time.
    Raises :class:`reconcile.errors.ReconcileError` on unreadable input or rules,
    and before any work when ``outdir`` is an existing file.
    """
    started = utc_now()
    if Path(outdir).exists() and not Path(outdir).is_dir():
        raise OutputError("is a file, not a folder; give a folder for the output files",
                          file=str(outdir))
    cutoff = None
    if as_of is not None:
        try:
            cutoff = as_of_cutoff(as_of)
        except ValueError as exc:
            raise InputError(f"--as-of: {exc}") from None
    if rules is None:
        rules = load_rules(rules_dir) if rules_dir is not None else default_rules()
    priors = load_source_priors(rules_dir) if rules_dir is not None else default_source_priors()
    source = file_entry("-", role="claims", data=data) if data is not None \
        else _input_entry(claims_path)
    with progress.stage(f"loading {claims_path}"):
        loaded = load_claims(claims_path, rules, data=data)
    later = undated = 0
    warnings = list(loaded.warnings)
    if cutoff is not None:
        loaded, later, undated, unlinked = _as_of(loaded, cutoff, claims_path)
        if undated:
            warnings.append(f"--as-of {as_of}: {undated} claim(s) without a published date "
                            "left out (they cannot be shown to have been public by then)")
        if unlinked:
            warnings.append(f"--as-of {as_of}: {unlinked} claim(s) name a whole (part_of) "
                            "published later; kept without the link")
    result = reconcile_claims(loaded, policy=policy, priors=priors, options=Options(level=level),
                              progress=progress, rules=rules, history_steps=history_steps)
    with progress.stage("writing"):
        tables = {"events": result.events, "claims": result.claims, "sources": result.sources,
                  "rejects": loaded.rejects}
        if result.history is not None:
            tables["history"] = result.history
        outputs = write_tables(outdir, tables)
        counts = {"rows": loaded.n_rows + later + undated, "claims": len(result.claims),
                  "rejected": len(loaded.rejects), "left_out": later + undated,
                  "events": len(result.events), "sources": len(result.sources),
                  "history": 0 if result.history is None else len(result.history)}
        options = {"policy": policy, "level": level, "as_of": as_of, "as_of_cutoff": cutoff,
                   "history_steps": history_steps,
                   "rules": None if rules_dir is None else str(rules_dir)}
        manifest = build_manifest(
            command="run", options=options, inputs=[source],
            rules_dir=rules_dir if rules_dir is not None else default_rules_dir(),
            counts=counts, started=started, finished=utc_now(), outputs=outputs,
            outdir=outdir)
        outputs["manifest"] = write_manifest(outdir, manifest)
    return RunResult(result.events, result.claims, loaded.rejects, loaded.n_rows + later + undated,
                     tuple(warnings), outputs, result.sources, policy, as_of, later, undated,
                     manifest_sha256(outdir), result.history)


def _input_entry(path: str | Path) -> dict:
    """The claims file's manifest entry, hashed before it is read; an unreadable file
    is left for the loader to report in its own words."""
    try:
        return file_entry(path, role="claims")
    except OSError:
        return {"role": "claims", "path": str(path), "sha256": ""}


def _as_of(loaded: LoadResult, cutoff: str, name: str | Path
           ) -> tuple[LoadResult, int, int, int]:
    claims, later, undated, unlinked = published_by(loaded.claims, cutoff)
    if "published" not in loaded.claims.columns or \
            (len(loaded.claims) and loaded.claims["published"].astype(str).eq("").all()):
        raise InputError("--as-of needs publication times, and no claim has a 'published' "
                         "value", file=str(name))
    kept = LoadResult(claims, loaded.rejects, loaded.path, loaded.n_rows - later - undated,
                      loaded.warnings)
    return kept, later, undated, unlinked
