"""``reconcile run``: load -> group -> resolve -> write, as one library call."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import OutputError
from .group import group_claims
from .load import LoadResult, load_claims
from .progress import NO_PROGRESS, Progress
from .report.tables import write_tables
from .resolve import Options, Resolution, resolve_events
from .rules.load import Rules, default_rules, load_rules
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

    @property
    def n_contested(self) -> int:
        return int(self.events["status"].eq("contested").sum()) if len(self.events) else 0

    def summary(self) -> str:
        """A few lines for the terminal."""
        lines = [
            f"claims:    {len(self.claims)} used, {len(self.rejects)} rejected "
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
        for name, path in self.outputs.items():
            lines.append(f"{name + ':':<10} {path}")
        return "\n".join(lines)

    def summary_dict(self) -> dict[str, object]:
        """The summary as plain values (``reconcile run --json``).

        ``rows`` = ``claims`` + ``rejected``; ``status`` counts events by status.
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
            "warnings": list(self.warnings),
            "outputs": {name: str(path) for name, path in self.outputs.items()},
        }


def reconcile_claims(loaded: LoadResult, *, policy: str = "estimate",
                     priors: SourcePriors | None = None,
                     options: Options | None = None,
                     progress: Progress = NO_PROGRESS,
                     rules: Rules | None = None) -> Resolution:
    """Group and resolve loaded claims: events, claims with verdicts, sources.

    Grouping gives each claim its event, the event's parent (parts and the
    totals that hold incidents) and the canonical source; the resolver reads
    all three.
    """
    with progress.stage("grouping"):
        grouped = group_claims(loaded.claims, rules)
    with progress.stage("resolving"):
        return resolve_events(grouped, policy=policy, priors=priors, options=options)


def run(claims_path: str | Path, outdir: str | Path, *,
        rules: Rules | None = None, rules_dir: str | Path | None = None,
        data: bytes | None = None, progress: Progress = NO_PROGRESS,
        policy: str = "estimate", level: float = 0.8) -> RunResult:
    """Load a claims file, reconcile it, and write the tables to ``outdir``.

    Writes ``events.csv``, ``claims.csv``, ``sources.csv`` and ``rejects.csv``
    (each atomically). ``data``, when given, is the claims file's content
    (standard input) and ``claims_path`` only names it. ``progress`` hears of
    each stage. ``policy`` chooses how ``best`` is picked and ``level`` is the
    credible level of ``[low, high]``.
    Raises :class:`reconcile.errors.ReconcileError` on unreadable input or rules,
    and before any work when ``outdir`` is an existing file.
    """
    if Path(outdir).exists() and not Path(outdir).is_dir():
        raise OutputError("is a file, not a folder; give a folder for the output files",
                          file=str(outdir))
    if rules is None:
        rules = load_rules(rules_dir) if rules_dir is not None else default_rules()
    priors = load_source_priors(rules_dir) if rules_dir is not None else default_source_priors()
    with progress.stage(f"loading {claims_path}"):
        loaded = load_claims(claims_path, rules, data=data)
    result = reconcile_claims(loaded, policy=policy, priors=priors, options=Options(level=level),
                              progress=progress, rules=rules)
    with progress.stage("writing"):
        outputs = write_tables(outdir, {"events": result.events, "claims": result.claims,
                                        "sources": result.sources, "rejects": loaded.rejects})
    return RunResult(result.events, result.claims, loaded.rejects, loaded.n_rows,
                     loaded.warnings, outputs, result.sources, policy)
