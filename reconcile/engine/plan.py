"""The pipeline written once against the :class:`~reconcile.engine.base.Engine` interface.

load (per partition, line numbers kept) -> the id checks across partitions
-> shuffle on the blocking key -> group (a block function per partition)
-> resolve (a block function per partition) -> the tables.

Every step is a function of its partition and of small broadcast values,
so a partition's result does not depend on which worker, or how many
times, it was computed: results are identical on every engine.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..group import EVENT_KEY, group_block
from ..io.records import (
    count_lines,
    csv_ranges,
    parquet_groups,
    read_csv_range,
    read_parquet_groups,
    read_records,
)
from ..load import CheckedRows, check_ids, check_rows, finish_claims, unknown_victims
from ..progress import NO_PROGRESS, Progress
from ..resolve import Options, resolve_events
from ..rules.load import Rules
from ..rules.sources import SourcePriors
from .base import Engine, Parts, PerPart

__all__ = ["BLOCK_COLUMN", "PlanResult", "block_keys", "run_plan"]

# The shuffle key column while claims move between stages (never written).
BLOCK_COLUMN = "__block"


@dataclass
class PlanResult:
    """The run's tables, gathered, and what loading counted."""

    events: pd.DataFrame
    claims: pd.DataFrame
    rejects: pd.DataFrame
    n_rows: int
    warnings: list[str] = field(default_factory=list)
    sources: pd.DataFrame | None = None


def run_plan(engine: Engine, path: str | Path, rules: Rules, *, data: bytes | None = None,
             progress: Progress = NO_PROGRESS, policy: str = "estimate",
             priors: SourcePriors | None = None, options: Options | None = None) -> PlanResult:
    """Load, group and resolve the claims at ``path`` on ``engine``.

    Loading and grouping run per partition on the engine. Resolution runs
    :func:`~reconcile.resolve.resolve_events` on the gathered claims: its
    blocks index one table prepared for the whole run (source codes and
    dependence are global), so they cannot yet be shipped to workers one by
    one (see docs/engines.md).
    """
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
    with progress.stage("grouping"):
        claims = _co_locate(engine, claims)
        grouped = engine.map_partitions(_group, claims)
        del claims
    with progress.stage("resolving"):
        table = _concat_sorted(engine.gather(grouped), "claim_id")
        del grouped
        resolution = resolve_events(table, policy=policy, priors=priors, options=options)
        del table
    rejects_out = _rejects_table(rejects, unreadable)
    return PlanResult(resolution.events, resolution.claims, rejects_out, n_rows, warnings,
                      resolution.sources)


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


# -- grouping and resolution ------------------------------------------------------------


def block_keys(claims: pd.DataFrame) -> pd.Series:
    """The blocking key of each claim: claims that may be one event share it.

    For today's grouping the event key itself, case- and space-folded (its
    blocks are its events); a grouping with looser blocks supplies its own.
    """
    key = pd.Series("", index=claims.index, dtype="str")
    for col in EVENT_KEY:
        values = claims[col].fillna("").astype("str") if col in claims else \
            pd.Series("", index=claims.index, dtype="str")
        codes, uniques = pd.factorize(values)
        folded = np.asarray([" ".join(str(u).casefold().split()) for u in uniques] + [""],
                            dtype=object)
        key = key + "\x1f" + pd.Series(folded[codes], index=claims.index, dtype="str")
    return key


def _with_block(claims: pd.DataFrame) -> pd.DataFrame:
    out = claims.copy(deep=False)
    out[BLOCK_COLUMN] = block_keys(claims)
    return out


def _co_locate(engine: Engine, claims: Parts) -> Parts:
    """Shuffle so that every block, and every part with its whole (``part_of``),
    sits in one partition: blocks linked by part_of share a bucket key."""
    if engine.partitions == 1 and len(claims) == 1:
        return claims
    keyed = engine.map_partitions(_with_block, claims)
    links = engine.gather(engine.map_partitions(_part_links, keyed))
    named = {w for part in links for w in part["part_of"]}
    owners = engine.gather(engine.map_partitions(_blocks_of, keyed, engine.broadcast(named)))
    block_of = {cid: b for part in owners for cid, b in zip(part["claim_id"], part[BLOCK_COLUMN],
                                                              strict=True)}
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for part in links:
        for block, whole in zip(part[BLOCK_COLUMN], part["part_of"], strict=True):
            other = block_of.get(whole)
            if other is not None:
                a, b = root(block), root(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    joined = {b: root(b) for b in parent}
    keyed = engine.map_partitions(_join_blocks, keyed, engine.broadcast(joined))
    return engine.shuffle(keyed, BLOCK_COLUMN)


def _part_links(claims: pd.DataFrame) -> pd.DataFrame:
    has = claims["part_of"].fillna("").astype("str").ne("")
    return claims.loc[has, [BLOCK_COLUMN, "part_of"]].reset_index(drop=True)


def _blocks_of(claims: pd.DataFrame, named: set[str]) -> pd.DataFrame:
    hit = claims["claim_id"].isin(pd.Index(sorted(named), dtype="str")) if named else \
        pd.Series(False, index=claims.index)
    return claims.loc[hit, ["claim_id", BLOCK_COLUMN]].reset_index(drop=True)


def _join_blocks(claims: pd.DataFrame, joined: dict[str, str]) -> pd.DataFrame:
    """The bucket key: a digest of the block's root (blocks joined by part_of share one),
    short and the same text on every machine; once per distinct block."""
    codes, uniques = pd.factorize(claims[BLOCK_COLUMN])
    roots = [joined.get(u, u) for u in uniques.tolist()]
    table = np.asarray([hashlib.sha1(r.encode("utf-8")).hexdigest()[:16] for r in roots],
                       dtype=object)
    claims[BLOCK_COLUMN] = pd.Series(table[codes], index=claims.index, dtype="str")
    return claims


def _group(claims: pd.DataFrame) -> pd.DataFrame:
    # pandas copies on write: neither line copies the table's columns.
    out = claims.drop(columns=[BLOCK_COLUMN]) if BLOCK_COLUMN in claims else claims.copy(deep=False)
    out["event_id"] = group_block(out)
    return out


def _concat_sorted(frames: list[pd.DataFrame], key: str) -> pd.DataFrame:
    nonempty = [f for f in frames if len(f)]
    if len(nonempty) == 1:
        return nonempty[0]
    if not nonempty:
        return frames[0]
    table = pd.concat(nonempty, ignore_index=True)
    return table.take(table[key].argsort(kind="stable").to_numpy()).reset_index(drop=True)


