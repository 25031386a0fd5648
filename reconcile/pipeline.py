"""``reconcile run``: load -> group -> resolve -> write, as one library call."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .core.quotes import check_quotes
from .engine import Engine, LocalEngine, group_on, load_on
from .errors import InputError, OutputError
from .group import group_claims
from .io.manifest import (
    build_manifest,
    file_entry,
    manifest_sha256,
    utc_now,
    write_manifest,
)
from .load import LoadResult, as_of_cutoff, published_by
from .progress import NO_PROGRESS, Progress
from .report.html import DEFAULT_MAX_CHARTS, DEFAULT_MAX_EVENTS, build_report, write_report
from .report.tables import ged_columns, parquet_available, write_tables
from .resolve import Options, Resolution, resolve_events
from .resolve.history import DEFAULT_STEPS
from .resolve.scope import check_scopes
from .review import ReviewPlan, plan_review, read_review
from .rules.load import Rules, default_rules, default_rules_dir, load_rules
from .rules.sources import SourcePrior, SourcePriors, default_source_priors, load_source_priors
from .schema import STATUSES

__all__ = ["RunResult", "reconcile_claims", "resolver_priors", "run"]


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

    @property
    def n_excluded(self) -> int:
        """Claims a reviewer excluded (kept in the claims table, verdict ``excluded``)."""
        if "verdict" not in self.claims:
            return 0
        return int(self.claims["verdict"].eq("excluded").sum())

    def summary(self) -> str:
        """A few lines for the terminal."""
        excluded = f", {self.n_excluded} excluded by review" if self.n_excluded else ""
        left = f", {self.left_out} left out by --as-of" if self.as_of else ""
        lines = [
            f"claims:    {len(self.claims) - self.n_excluded} used{excluded}, "
            f"{len(self.rejects)} rejected{left} (of {self.n_rows} rows)",
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
        ``--as-of``); ``excluded`` counts the claims (among ``claims``) a
        reviewer excluded; ``status`` counts events by status.
        """
        counts = self.events["status"].value_counts() if len(self.events) else pd.Series()
        return {
            "rows": int(self.n_rows),
            "claims": len(self.claims),
            "excluded": self.n_excluded,
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


# What a reviewer's trust or distrust makes of a source: where the resolver starts
# it (its noise) and how many figures of its own it takes to move it (strength).
REVIEW_TRUST_NOISE, REVIEW_DISTRUST_NOISE, REVIEW_STRENGTH = 1 / 3, 4.0, 50.0


def resolver_priors(review: ReviewPlan | None, priors: SourcePriors,
                    grouped: pd.DataFrame | None = None) -> SourcePriors:
    """The priors hook: ``priors`` with a row per source a reviewer trusts or distrusts.

    A trusted source starts with a third of the population's noise, a
    distrusted one with four times it (at most 2, on the log scale) and an
    exactness of 0 (its exact figures are never taken as the count itself), both
    held there by the weight of 50 of its own figures: the resolver weighs
    them as it weighs any source with such a prior. The row names the source
    as the claims write it and, as aliases, the canonical ids the grouping
    gave it (``source_id`` in ``grouped``), which is what the resolver reads.
    """
    if review is None:
        return priors
    ids: dict[str, set[str]] = {}
    if grouped is not None and "source_id" in grouped:
        pairs = grouped[["source", "source_id"]].astype(str).drop_duplicates()
        for name, sid in zip(pairs["source"], pairs["source_id"], strict=True):
            ids.setdefault(" ".join(name.casefold().split()), set()).add(sid)
    rows = []
    for source, verdict in review.source_priors().items():
        factor = REVIEW_TRUST_NOISE if verdict == "trust" else REVIEW_DISTRUST_NOISE
        row = priors.lookup(source)
        known = ids.get(" ".join(source.casefold().split()), set())
        rows.append(SourcePrior(
            name=source, aliases=tuple(sorted(known | set(row.aliases if row else ()))),
            bias=row.bias if row is not None else None, denial=row.denial if row else None,
            party=row.party if row is not None else False,
            exact=0.0 if verdict == "distrust" else (row.exact if row is not None else None),
            noise=min(priors.noise * factor, 2.0), strength=REVIEW_STRENGTH))
    if not rows:
        return priors
    return dataclasses.replace(priors, sources=(*priors.sources, *rows))


def reconcile_claims(loaded: LoadResult, *, policy: str = "estimate",
                     priors: SourcePriors | None = None,
                     options: Options | None = None,
                     progress: Progress = NO_PROGRESS,
                     rules: Rules | None = None,
                     review: ReviewPlan | None = None, history_steps: int = 0,
                     group: Callable[[pd.DataFrame, Rules | None], pd.DataFrame] = group_claims
                     ) -> Resolution:
    """Group and resolve loaded claims: events, claims with verdicts, sources.

    Each claim's quote is checked first (``quote_check``: does the quote hold
    the figure, does the span point at it; :mod:`reconcile.core.quotes`); a
    claim that fails weighs less. Grouping gives each claim its event, the
    event's parent (parts and the totals that hold incidents) and the
    canonical source; the resolver reads all three. Then each claim's measure
    is checked against its event's (``scope_check``: a subset, a superset or
    another measure; :mod:`reconcile.resolve.scope`) before claims are weighed.
    With ``history_steps`` the resolution also holds each event's history
    (:mod:`reconcile.resolve.history`: the model's reading before the review's
    set figures).

    ``review`` (a :class:`~reconcile.review.ReviewPlan`) enters between the
    stages: excluded claims and set figures before grouping, merges and
    splits as constraints on the grouping, trust and distrust as source
    priors to the resolver (:func:`resolver_priors`), set event figures and
    the ``review`` columns at the end (see :mod:`reconcile.review.apply`).
    ``group`` groups the claims (:func:`~reconcile.group.group_claims` here,
    :func:`~reconcile.engine.group_on` an engine's partitions: the same events).
    """
    with progress.stage("checking quotes"):
        claims = loaded.claims.assign(quote_check=check_quotes(loaded.claims, rules))
    excluded = claims.head(0)
    if review is not None:
        claims, excluded = review.before_grouping(claims, review.rules)
    with progress.stage("grouping"):
        grouped = group(claims, rules)
    if review is not None:
        grouped, excluded = review.constrain_groups(grouped, excluded)
    treated = (priors or default_source_priors()).treated_words
    grouped = grouped.assign(scope_check=check_scopes(grouped, rules, treated))
    with progress.stage("resolving"):
        result = resolve_events(grouped, policy=policy,
                                priors=resolver_priors(review, priors or default_source_priors(),
                                                       grouped),
                                options=options, history_steps=history_steps)
    if review is None:
        # the same columns with or without a review file: an empty review column
        return dataclasses.replace(result, events=result.events.assign(review=""),
                                   claims=result.claims.assign(review=""))
    events, resolved = review.finish(
        result.events, result.claims, excluded,
        place=lambda ex: _would_join(ex, claims, result.claims, rules))
    return dataclasses.replace(result, events=events, claims=resolved)


def _would_join(excluded: pd.DataFrame, kept: pd.DataFrame, resolved: pd.DataFrame,
                rules: Rules | None) -> pd.Series:
    """The event each excluded claim would have joined: group it with the kept claims
    and take the event most of its group's kept claims ended in."""
    added = [c for c in excluded.columns if c not in kept.columns]
    together = group_claims(pd.concat([kept, excluded.drop(columns=added)], ignore_index=True),
                            rules)
    final = dict(zip(resolved["claim_id"].astype(str), resolved["event_id"].astype(str),
                     strict=True))
    group = together["event_id"].astype(str)
    mapped = together["claim_id"].astype(str).map(final)
    best = pd.DataFrame({"g": group, "e": mapped}).dropna().groupby("g")["e"].agg(
        lambda s: s.value_counts().index[0])
    mine = together.iloc[len(kept):]
    out = mine["event_id"].astype(str).map(best)
    return pd.Series(out.where(out.notna(), mine["event_id"].astype(str)).to_numpy(),
                     index=excluded.index)


def run(claims_path: str | Path, outdir: str | Path, *,
        rules: Rules | None = None, rules_dir: str | Path | None = None,
        data: bytes | None = None, progress: Progress = NO_PROGRESS,
        policy: str = "estimate", level: float = 0.8,
        fmt: str = "csv", hxl: bool = False, report: bool = True,
        report_events: int = DEFAULT_MAX_EVENTS, report_charts: int = DEFAULT_MAX_CHARTS,
        review: str | Path | None = None, as_of: str | None = None,
        history_steps: int = DEFAULT_STEPS, engine: Engine | None = None) -> RunResult:
    """Load a claims file, reconcile it, and write the tables and the report to ``outdir``.

    Writes ``events``, ``claims``, ``sources``, ``rejects`` and ``history``
    (each event's low / best / high at up to ``history_steps`` publication
    times; 0 writes none) in ``fmt`` (csv, jsonl, parquet or one sqlite
    database; each file atomically; ``hxl`` adds an HXL hashtag row to CSV
    files), ``report.html`` (unless ``report`` is false) holding the
    ``report_events`` events most in need of review, with charts for the
    first ``report_charts``, then ``manifest.json`` (:mod:`reconcile.io.manifest`:
    the inputs', rules' and outputs' SHA-256, the options, the counts, the
    times). ``data``, when given, is the claims file's content (standard
    input) and ``claims_path`` only names it. ``progress`` hears of each
    stage. ``policy`` chooses how ``best`` is picked and ``level`` is the
    credible level of ``[low, high]``. ``review`` is a review file of a
    fact-checker's verdicts (:mod:`reconcile.review`). ``as_of`` (an ISO date
    or date-time) keeps only the claims published up to then
    (:func:`reconcile.load.published_by`): the events as they were knowable
    at that time. ``engine`` loads and groups the claims
    (:mod:`reconcile.engine`; the local engine by default); the tables are
    the same on every engine. Raises :class:`reconcile.errors.ReconcileError` on
    unreadable input, rules or review file, and before any work when
    ``outdir`` is an existing file.
    """
    started = utc_now()
    if Path(outdir).exists() and not Path(outdir).is_dir():
        raise OutputError("is a file, not a folder; give a folder for the output files",
                          file=str(outdir))
    if fmt == "parquet" and not parquet_available():
        raise OutputError("--format parquet needs pyarrow: pip install 'reconcile[parquet]'")
    cutoff = None
    if as_of is not None:
        try:
            cutoff = as_of_cutoff(as_of)
        except ValueError as exc:
            raise InputError(f"--as-of: {exc}") from None
    if rules is None:
        rules = load_rules(rules_dir) if rules_dir is not None else default_rules()
    priors = load_source_priors(rules_dir) if rules_dir is not None else default_source_priors()
    problems: list[str] = []
    verdicts = read_review(review, problems) if review is not None else None
    source = file_entry("-", role="claims", data=data) if data is not None \
        else _input_entry(claims_path)
    engine = engine or LocalEngine()
    loaded = load_on(engine, claims_path, rules, data=data, progress=progress)
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
    plan = plan_review(str(review), verdicts, loaded.claims, rules, problems) \
        if verdicts is not None else None
    result = reconcile_claims(loaded, policy=policy, priors=priors, options=Options(level=level),
                              progress=progress, rules=rules, review=plan,
                              history_steps=history_steps,
                              group=lambda claims, r: group_on(engine, claims, r))
    events = ged_columns(result.events, result.claims)
    with progress.stage("writing"):
        tables = {"events": events, "claims": result.claims, "sources": result.sources,
                  "rejects": loaded.rejects}
        if result.history is not None:
            tables["history"] = result.history
        outputs = write_tables(outdir, tables, fmt=fmt, hxl=hxl)
    if fmt == "sqlite":
        outputs = {"database": next(iter(outputs.values()))}
    if report:
        with progress.stage("writing the report"):
            html = build_report(events, result.claims, sources=result.sources,
                                rejects=loaded.rejects, n_rows=loaded.n_rows,
                                input_name=str(claims_path), policy=policy,
                                max_events=report_events, max_charts=report_charts)
            outputs["report"] = write_report(Path(outdir) / "report.html", html)
    n_rows = loaded.n_rows + later + undated
    counts = {"rows": n_rows, "claims": len(result.claims),
              "rejected": len(loaded.rejects), "left_out": later + undated,
              "events": len(result.events), "sources": len(result.sources),
              "history": 0 if result.history is None else len(result.history)}
    options = {"policy": policy, "level": level, "as_of": as_of, "as_of_cutoff": cutoff,
               "history_steps": history_steps, "format": fmt, "hxl": hxl, "report": report,
               "report_events": report_events, "report_charts": report_charts,
               "review": None if review is None else str(review),
               "rules": None if rules_dir is None else str(rules_dir)}
    inputs = [source]
    if review is not None:
        inputs.append(_input_entry(review, role="review"))
    manifest = build_manifest(
        command="run", options=options, inputs=inputs,
        rules_dir=rules_dir if rules_dir is not None else default_rules_dir(),
        counts=counts, started=started, finished=utc_now(), outputs=outputs, outdir=outdir)
    outputs["manifest"] = write_manifest(outdir, manifest)
    return RunResult(events, result.claims, loaded.rejects, n_rows, tuple(warnings), outputs,
                     result.sources, policy, as_of, later, undated, manifest_sha256(outdir),
                     result.history)


def _input_entry(path: str | Path, role: str = "claims") -> dict:
    """An input file's manifest entry, hashed before it is read; an unreadable file
    is left for its reader to report in its own words."""
    try:
        return file_entry(path, role=role)
    except OSError:
        return {"role": role, "path": str(path), "sha256": ""}


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
