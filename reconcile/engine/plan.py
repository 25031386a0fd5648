"""The pipeline written once against the :class:`~reconcile.engine.base.Engine` interface.

load (per partition, line numbers kept) -> the id checks across partitions
-> grouping: prepare and train (global, on the caller), the prepared claims
cut on the blocking key (the country), ``group_block`` per partition ->
resolution -> the tables.

Every step is a function of its partition and of small broadcast values,
so a partition's result does not depend on which worker, or how many
times, it was computed: results are identical on every engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..group import group_block, prepare, train
from ..io.records import (
    count_lines,
    csv_ranges,
    parquet_groups,
    read_csv_range,
    read_parquet_groups,
    read_records,
)
from ..load import CheckedRows, LoadResult, check_ids, check_rows, finish_claims, unknown_victims
from ..progress import NO_PROGRESS, Progress
from ..resolve import Options, resolve_events
from ..rules.load import Rules, default_rules
from ..rules.sources import SourcePriors
from ..schema import GROUP_COLUMNS, PLACE_COLUMNS
from .base import Engine, Parts, PerPart, bucket_of

__all__ = ["BLOCK_KEY", "PlanResult", "group_on", "load_on", "run_plan"]

@dataclass
class PlanResult:
    """The run's tables, gathered, and what loading counted."""

    events: pd.DataFrame
    claims: pd.DataFrame
    rejects: pd.DataFrame
    n_rows: int
    warnings: list[str] = field(default_factory=list)
    sources: pd.DataFrame | None = None


def load_on(engine: Engine, path: str | Path, rules: Rules, *, data: bytes | None = None,
            progress: Progress = NO_PROGRESS) -> LoadResult:
    """The claims at ``path`` loaded per partition on ``engine`` and gathered in
    ``claim_id`` order: what :func:`reconcile.load.load_claims` gives, row for row."""
    rules_handle = engine.broadcast(rules)
    with progress.stage(f"loading {path}"):
        raw_parts, unreadable, warnings = _read(engine, path, data)
        checked = engine.map_partitions(_check_rows, raw_parts, rules_handle, str(path))
        tables = engine.gather(engine.map_partitions(_id_table, checked))
        sizes = [len(t) for t in tables]
        ids = check_ids(pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0])
        bounds = np.cumsum([0, *sizes])
        id_parts = PerPart(engine.scatter(
            [ids.iloc[a:b].reset_index(drop=True) for a, b in pairwise(bounds)]))
        finished = engine.map_partitions(_finish, checked, id_parts)
        del raw_parts, checked, id_parts, ids, tables  # the raw cells live on only in rejects
        claims = engine.map_partitions(_first, finished)
        rejects = engine.gather(engine.map_partitions(_second, finished))
        del finished
        n_rows = sum(sizes) + len(unreadable)
        victims = engine.reduce(claims, _victim_counts, _add_counts)
        message = unknown_victims(_victims_frame(victims), rules)
        if message:
            warnings.append(f"{path}: {message}")
        table = _concat_sorted(engine.gather(claims), "claim_id")
        del claims
    return LoadResult(table, _rejects_table(rejects, unreadable), str(path), n_rows,
                      tuple(warnings))


def run_plan(engine: Engine, path: str | Path, rules: Rules, *, data: bytes | None = None,
             progress: Progress = NO_PROGRESS, policy: str = "estimate",
             priors: SourcePriors | None = None, options: Options | None = None) -> PlanResult:
    """Load, group and resolve the claims at ``path`` on ``engine``.

    Loading runs per partition on the engine (:func:`load_on`); grouping
    prepares and trains on the gathered claims (both global in
    :mod:`reconcile.group`), then runs ``group_block`` per partition of whole
    blocks on the engine (:func:`group_on`). Resolution runs
    :func:`~reconcile.resolve.resolve_events` on the caller: its blocks index
    one table prepared for the whole run (source codes and dependence are
    global), so they cannot yet be shipped to workers one by one (see
    docs/engines.md). :func:`reconcile.pipeline.run` composes the same two
    steps with a review file's verdicts between the stages.
    """
    loaded = load_on(engine, path, rules, data=data, progress=progress)
    with progress.stage("grouping"):
        grouped = group_on(engine, loaded.claims, rules)
    with progress.stage("resolving"):
        resolution = resolve_events(grouped, policy=policy, priors=priors, options=options)
        del grouped
    return PlanResult(resolution.events, resolution.claims, loaded.rejects, loaded.n_rows,
                      list(loaded.warnings), resolution.sources)


# -- loading ------------------------------------------------------------------------


def _read(engine: Engine, path: str | Path, data: bytes | None
          ) -> tuple[Parts, list[dict], list[str]]:
    """The raw table as partitions: CSV byte ranges (UTF-8, one line per row) or
    parquet row groups read by the workers, else the file read here and split."""
    n = engine.partitions
    suffix = Path(path).suffix.lower()
    if n > 1 and data is None and suffix in (".csv", ".tsv", ".txt", "") and Path(path).is_file():
        found = csv_ranges(path, n)
        if found is not None:
            header, ranges = found
            counts = engine.gather(engine.map_partitions(
                _count_lines, engine.scatter(ranges), str(path)))
            firsts = np.cumsum([2, *counts[:-1]]).tolist()
            parts = engine.map_partitions(
                _read_range, engine.scatter([(a, b, f) for (a, b), f in
                                             zip(ranges, firsts, strict=True)]),
                str(path), header)
            notes = engine.gather(engine.map_partitions(_second, parts))
            if all(not isinstance(v, str) for v in notes):
                return engine.map_partitions(_first, parts), [], list(dict.fromkeys(
                    note for part_notes in notes for note in part_notes))
    if n > 1 and data is None and suffix == ".parquet" and Path(path).is_file():
        groups = parquet_groups(path, n)
        if groups is not None:
            parts = engine.map_partitions(_read_groups, engine.scatter(groups), str(path))
            notes = engine.gather(engine.map_partitions(_second, parts))
            return engine.map_partitions(_first, parts), [], list(dict.fromkeys(
                note for part_notes in notes for note in part_notes))
    frame, unreadable, warnings = read_records(path, data=data)
    bounds = np.linspace(0, len(frame), n + 1).astype(int)
    return (engine.scatter([frame.iloc[a:b].reset_index(drop=True)
                            for a, b in pairwise(bounds)]),
            unreadable, warnings)


def _count_lines(span: tuple[int, int], path: str) -> int:
    return count_lines(path, *span)


def _read_range(span: tuple[int, int, int], path: str, header: bytes
                ) -> tuple[pd.DataFrame | None, list[str] | str]:
    frame, notes = read_csv_range(path, header, *span)
    if frame is None:
        return None, "whole"  # a marker: the file must be read whole
    return frame, notes


def _read_groups(spec: tuple[list[int], int], path: str) -> tuple[pd.DataFrame, list[str]]:
    return read_parquet_groups(path, *spec)


def _check_rows(raw: pd.DataFrame, rules: Rules, file: str) -> CheckedRows:
    if raw is None:
        raise InputError("a partition could not be read", file=file)
    return check_rows(raw, rules, file=file)


def _id_table(checked: CheckedRows) -> pd.DataFrame:
    return checked.id_table()


def _finish(checked: CheckedRows, ids: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return finish_claims(checked, ids)


def _first(pair: tuple[Any, Any]) -> Any:
    return pair[0]


def _second(pair: tuple[Any, Any]) -> Any:
    return pair[1]


def _victim_counts(claims: pd.DataFrame) -> dict[str, int]:
    values = claims["victims"].astype("str") if "victims" in claims else pd.Series(dtype="str")
    return {str(k): int(v) for k, v in values[values.ne("")].value_counts().items()}


def _add_counts(counts: list[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for one in counts:
        for name, n in one.items():
            total[name] = total.get(name, 0) + n
    return total


def _victims_frame(counts: dict[str, int]) -> pd.DataFrame:
    names = sorted(counts)
    return pd.DataFrame({"victims": np.repeat(np.asarray(names, dtype=object),
                                              [counts[k] for k in names])})


def _rejects_table(parts: list[pd.DataFrame], unreadable: list[dict]) -> pd.DataFrame:
    frames = [p for p in parts if len(p)] or parts[:1]
    rejects = pd.concat([*frames, pd.DataFrame(unreadable)], ignore_index=True) \
        if unreadable else (pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0])
    rejects = rejects.sort_values("line", kind="stable").reset_index(drop=True)
    for col in rejects.columns:
        if col != "line" and rejects[col].isna().any():
            rejects[col] = rejects[col].fillna("").astype("str")
    rejects["line"] = rejects["line"].astype(np.int64)
    return rejects


# -- grouping ---------------------------------------------------------------------------


def group_on(engine: Engine, claims: pd.DataFrame, rules: Rules | None) -> pd.DataFrame:
    """``claims`` grouped as :func:`reconcile.group.group_claims` groups them, with the
    block function run per partition of whole blocks on ``engine``.

    The prepared claims are cut on the blocking key (``country_key``: a
    block is a country, or the claims whose country is unknown) by a stable
    hash, so every block lies whole in one partition; blocks that a
    ``part_of`` link joins (a part in one country, its whole in another)
    share a partition, since the hierarchy links them.
    """
    rules = rules if rules is not None else default_rules()
    prepared = prepare(claims, rules)
    model = train(prepared, rules)
    frame = prepared.frame
    n = engine.partitions
    if n > 1 and len(frame):
        bucket = bucket_of(_linked_blocks(frame), n)
        order = np.argsort(bucket, kind="stable")
        bounds = np.searchsorted(bucket[order], np.arange(n + 1))
        pieces = [frame.iloc[order[a:b]] for a, b in pairwise(bounds) if b > a]
    else:
        pieces = [frame]
    parts = engine.scatter(pieces)
    del pieces
    assigned = engine.gather(engine.map_partitions(
        _group_part, parts, engine.broadcast(model), engine.broadcast(rules),
        engine.broadcast(prepared.places)))
    done = pd.concat(assigned) if len(assigned) > 1 else assigned[0]
    done = done.loc[frame.index]
    out = claims.copy(deep=False)
    for col in GROUP_COLUMNS:
        out[col] = frame["source_id"] if col == "source_id" else done[col]
    for col in PLACE_COLUMNS:
        out[col] = frame[col]
    return out


# The prepared column that names a claim's block.
BLOCK_KEY = "country_key"


def _linked_blocks(frame: pd.DataFrame) -> pd.Series:
    """Each claim's block, with blocks joined by part_of links named by their least key
    (a union-find over the links: one pass over the few claims that name a whole)."""
    keys = frame[BLOCK_KEY].fillna("").astype("str")
    part_of = frame["part_of"].fillna("").astype("str") if "part_of" in frame else \
        pd.Series("", index=frame.index, dtype="str")
    has = part_of.ne("").to_numpy()
    if not has.any():
        return keys
    key_of = pd.Series(keys.to_numpy(), index=frame["claim_id"].astype("str").to_numpy())
    key_of = key_of[~key_of.index.duplicated()]
    whole = part_of[has].map(key_of)
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b in zip(keys[has].tolist(), whole.tolist(), strict=True):
        if isinstance(b, str) and a != b:
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    if not parent:
        return keys
    codes, uniques = pd.factorize(keys)
    table = np.asarray([root(u) for u in uniques.tolist()] + [""], dtype=object)
    return pd.Series(table[codes], index=frame.index, dtype="str")


def _group_part(frame: pd.DataFrame, model: Any, rules: Rules, places: dict) -> pd.DataFrame:
    return group_block(frame, model, rules, places=places)


def _concat_sorted(frames: list[pd.DataFrame], key: str) -> pd.DataFrame:
    nonempty = [f for f in frames if len(f)]
    if len(nonempty) == 1:
        return nonempty[0]
    if not nonempty:
        return frames[0]
    table = pd.concat(nonempty, ignore_index=True)
    return table.take(table[key].argsort(kind="stable").to_numpy()).reset_index(drop=True)


