"""The run's tables in the output folder: CSV, JSON lines, Parquet or one SQLite database.

``write_tables`` writes ``events``, ``claims``, ``sources`` (when resolution
made it) and ``rejects`` in one format; ``read_tables`` reads any of them
back (``reconcile explain`` and ``summary`` work on the folder alone).

- ``csv``: ``NAME.csv``, UTF-8, formulas neutralised (:mod:`reconcile.io.write`);
  with ``hxl=True`` the second line is an HXL hashtag row (:data:`HXL_TAGS`).
- ``jsonl``: ``NAME.jsonl``, one JSON object per row, numbers as numbers,
  blanks as null.
- ``parquet``: ``NAME.parquet`` (the ``parquet`` extra: pyarrow).
- ``sqlite``: ``reconcile.sqlite`` with the four tables, primary and foreign
  keys (claims -> events, events -> parent events, claims -> sources) and a
  full-text index ``claims_fts`` over quotes, sources and figures that
  Datasette and sqlite-utils find by its name.

Columns follow UCDP GED where the meaning is the same: events carry ``low``,
``best``, ``high``, ``date_start``, ``date_end`` and, added by
:func:`ged_columns`, ``number_of_sources`` (distinct reports),
``source_article``, ``source_office`` and ``source_original``.
"""

from __future__ import annotations

import io
import json
import math
import os
import sqlite3
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, OutputError
from ..io.write import atomic_write_text, neutralise_formulas, output_folder

__all__ = [
    "FORMATS",
    "GED_COLUMNS",
    "HXL_TAGS",
    "SQLITE_NAME",
    "TABLES",
    "ged_columns",
    "hxl_row",
    "parquet_available",
    "read_tables",
    "table_paths",
    "write_tables",
]

FORMATS = ("csv", "jsonl", "parquet", "sqlite")
TABLES = ("events", "claims", "sources", "rejects", "history")
SQLITE_NAME = "reconcile.sqlite"

# UCDP GED columns the events table adds (the meaning is GED's):
# number_of_sources: distinct reports behind the event (an article id, else a
# URL, else an outlet and publication time, else the claim itself);
# source_article: those reports; source_office: the outlets; source_original:
# who gave the figures (the same list as ``sources``, under GED's name);
# where_prec (when the grouping gives claims one): the most precise of its claims'.
GED_COLUMNS = ("number_of_sources", "source_article", "source_office", "source_original")

# Integer and float columns, for the typed formats (JSON lines, Parquet, SQLite).
_INTS = {"low", "best", "high", "anchor", "line", "n_claims", "n_sources", "n_independent",
         "claims", "events", "number_of_sources", "where_prec"}
_FLOATS = {"confidence", "reliability", "bias", "noise", "agreement", "weight", "distance"}

# HXL hashtags (https://hxlstandard.org), per table and column. ``best``,
# ``low`` and ``high`` name the category when every event shares one
# (``#affected+killed``, ``#affected+killed+min``); see :func:`hxl_row`.
HXL_TAGS: dict[str, dict[str, str]] = {
    "events": {
        "event_id": "#event+id", "category": "#affected+type", "victims": "#group+victims",
        "location": "#loc+name", "country": "#country+name", "admin1": "#adm1+name",
        "date_start": "#date+start", "date_end": "#date+end", "low": "#affected{cat}+min",
        "best": "#affected{cat}", "high": "#affected{cat}+max",
        "confidence": "#meta+confidence", "grade": "#meta+grade", "status": "#status",
        "basis": "#description+basis", "n_claims": "#meta+claims+num",
        "n_sources": "#meta+sources+num", "n_independent": "#meta+sources+independent+num",
        "parent_event_id": "#event+id+parent", "sources": "#meta+source",
        "conflicts": "#description+conflicts", "best_claims": "#meta+claims+best",
        "review": "#description+review", "number_of_sources": "#meta+reports+num",
        "source_article": "#meta+url", "source_office": "#org+outlet",
        "source_original": "#meta+source+original", "where_prec": "#geo+precision",
    },
    "claims": {
        "claim_id": "#meta+id", "line": "#meta+line", "source": "#meta+source",
        "figure": "#affected+text", "low": "#affected+min", "high": "#affected+max",
        "anchor": "#affected+stated", "kind": "#meta+kind", "category": "#affected+type",
        "victims": "#group+victims", "location": "#loc+name", "country": "#country+name",
        "event_date": "#date+occurred", "published": "#date+reported", "outlet": "#org+outlet",
        "url": "#meta+url", "quote": "#description+quote", "hedge": "#description+hedge",
        "date_start": "#date+start", "date_end": "#date+end", "event_id": "#event+id",
        "verdict": "#status+verdict", "review": "#description+review",
    },
    "sources": {
        "source": "#meta+source", "aliases": "#meta+source+alias", "claims": "#meta+claims+num",
        "events": "#meta+events+num", "reliability": "#indicator+reliability",
        "bias": "#indicator+bias", "noise": "#indicator+noise",
        "agreement": "#indicator+agreement", "cluster": "#meta+cluster",
        "copies_of": "#meta+source+copied", "cited_by": "#meta+source+citing",
    },
    "rejects": {"line": "#meta+line", "field": "#meta+field", "reason": "#description+reason"},
}

_HXL_CATEGORIES = ("killed", "injured", "missing", "displaced", "detained")


def hxl_row(name: str, frame: pd.DataFrame) -> list[str]:
    """The HXL hashtag of each column of table ``name`` ("" when none fits).

    >>> hxl_row("events", pd.DataFrame({"best": [3], "category": ["killed"], "x": [1]}))
    ['#affected+killed', '#affected+type', '']
    """
    tags = HXL_TAGS.get(name, {})
    cat = ""
    if "category" in frame and len(frame):
        cats = set(frame["category"].dropna().astype(str))
        if len(cats) == 1 and (only := cats.pop()) in _HXL_CATEGORIES:
            cat = f"+{only}"
    return [tags.get(str(c), "").replace("{cat}", cat) for c in frame.columns]


def ged_columns(events: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """``events`` with the UCDP GED columns of :data:`GED_COLUMNS` appended.

    Column-wise: one group-by over the claims, no Python call per event.
    """
    out = events.copy()
    if events.empty or claims.empty:
        for name in GED_COLUMNS:
            out[name] = pd.Series(dtype="Int64" if name == "number_of_sources" else object)
        return out

    def cells(name: str) -> pd.Series:
        if name in claims:
            return claims[name].astype("string").fillna("").str.strip()
        return pd.Series("", index=claims.index, dtype="string")

    active = claims["verdict"].astype("string").ne("excluded") if "verdict" in claims else \
        pd.Series(True, index=claims.index)
    c = claims[active.fillna(True).to_numpy()]
    article, url, outlet = cells("article_id")[c.index], cells("url")[c.index], \
        cells("outlet")[c.index]
    published = cells("published")[c.index]
    report = article.where(article.ne(""), url)
    report = report.where(report.ne(""), (outlet + "@" + published).where(outlet.ne(""), ""))
    report = report.where(report.ne(""), "claim:" + c["claim_id"].astype("string"))
    ev = c["event_id"].astype("string")
    n_reports = pd.DataFrame({"e": ev, "r": report}).drop_duplicates().groupby("e").size()
    out["number_of_sources"] = out["event_id"].map(n_reports).fillna(0).astype("Int64")
    shown = article.where(url.eq(""), url)

    def joined(values: pd.Series) -> pd.Series:
        frame = pd.DataFrame({"e": ev, "v": values})
        frame = frame[frame["v"].ne("")].drop_duplicates().sort_values(["e", "v"])
        return frame.groupby("e")["v"].agg("; ".join)

    def per_event(values: pd.Series) -> pd.Series:
        mapped = out["event_id"].map(joined(values)).astype(object)
        return mapped.where(mapped.notna(), "")

    out["source_article"] = per_event(shown)
    out["source_office"] = per_event(outlet)
    out["source_original"] = out["sources"] if "sources" in out else \
        per_event(c["source"].astype("string"))
    if "where_prec" in c and "where_prec" not in out:
        # the most precise place any of its claims gives (UCDP: 1 exact ... 6 country)
        prec = pd.to_numeric(c["where_prec"], errors="coerce")
        out["where_prec"] = out["event_id"].map(prec.groupby(ev).min()).astype("Int64")
    return out


# -- writing --------------------------------------------------------------------------


def table_paths(outdir: str | Path, fmt: str, names: tuple[str, ...] = TABLES) -> dict[str, Path]:
    """Where each table of ``names`` goes in format ``fmt`` (one database for sqlite)."""
    root = Path(outdir)
    if fmt == "sqlite":
        return {name: root / SQLITE_NAME for name in names}
    return {name: root / f"{name}.{fmt}" for name in names}


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers as numbers (nullable), everything else as text or null."""
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        s = frame[col]
        if col in _INTS:
            out[col] = pd.to_numeric(s, errors="coerce").round().astype("Int64")
        elif col in _FLOATS:
            out[col] = pd.to_numeric(s, errors="coerce").astype("Float64")
        elif pd.api.types.is_integer_dtype(s.dtype) or pd.api.types.is_float_dtype(s.dtype) \
                or pd.api.types.is_bool_dtype(s.dtype):
            out[col] = s
        else:
            out[col] = s.astype("string")
    return out


def _whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the count columns of :data:`_INTS` that a blank made float
    (``high`` of an event set to "at least 15") as whole numbers: 39, not 39.0."""
    out = frame
    for col in frame.columns:
        s = frame[col]
        if col in _INTS and pd.api.types.is_float_dtype(s.dtype):
            values = s.dropna()
            if np.isfinite(values).all() and (values == values.round()).all():
                if out is frame:
                    out = frame.copy()
                out[col] = s.round().astype("Int64")
    return out


def _csv(frame: pd.DataFrame, name: str, hxl: bool) -> str:
    buffer = io.StringIO()
    frame = _whole_numbers(frame)
    body = neutralise_formulas(frame)
    if hxl:
        tags = pd.DataFrame([hxl_row(name, frame)], columns=frame.columns)
        body = pd.concat([tags, body.astype(object)], ignore_index=True)
    body.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def _jsonl(frame: pd.DataFrame) -> str:
    typed = _typed(frame)
    records = typed.astype(object).where(typed.notna(), None).to_dict("records")
    return "".join(json.dumps(r, ensure_ascii=False, default=_json_default) + "\n"
                   for r in records)


def _json_default(value: object) -> object:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if math.isnan(value) else float(value)
    return str(value)


def _atomic_path(target: Path) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    return Path(tmp)


def parquet_available() -> bool:
    """Whether pyarrow (the ``parquet`` extra) is installed."""
    import importlib.util

    return importlib.util.find_spec("pyarrow") is not None


def _parquet(frames: Mapping[str, pd.DataFrame], paths: Mapping[str, Path]) -> None:
    if not parquet_available():
        raise OutputError("--format parquet needs pyarrow: pip install 'reconcile[parquet]'")
    for name, table in frames.items():
        tmp = _atomic_path(paths[name])
        try:
            _typed(table).to_parquet(tmp, index=False)
            os.replace(tmp, paths[name])
        finally:
            tmp.unlink(missing_ok=True)


def _sql_type(series: pd.Series) -> str:
    if pd.api.types.is_integer_dtype(series.dtype):
        return "INTEGER"
    if pd.api.types.is_float_dtype(series.dtype):
        return "REAL"
    return "TEXT"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite(frames: Mapping[str, pd.DataFrame], path: Path) -> None:
    """One database: keys, foreign keys, a full-text index over the claims' quotes."""
    tmp = _atomic_path(path)
    tmp.unlink()
    try:
        con = sqlite3.connect(tmp)
        typed = {name: _typed(frame) for name, frame in frames.items()}
        events = typed.get("events")
        event_ids = set(events["event_id"].dropna()) if events is not None else set()
        if events is not None and "parent_event_id" in events:
            parent = events["parent_event_id"]
            events["parent_event_id"] = parent.where(parent.isin(event_ids), pd.NA)
        claims = typed.get("claims")
        sources = typed.get("sources")
        if claims is not None and "event_id" in claims:
            # an excluded claim whose whole event was excluded has no event row
            claims["event_id"] = claims["event_id"].where(claims["event_id"].isin(event_ids), pd.NA)
        keys = {"events": "event_id", "claims": "claim_id", "sources": "source"}
        foreign = {"events": [("parent_event_id", "events", "event_id")],
                   "claims": [("event_id", "events", "event_id")],
                   "history": [("event_id", "events", "event_id")]}
        if sources is not None and claims is not None and "source_id" not in claims:
            known = set(sources["source"].dropna())
            if claims["source"].isin(known).all():
                foreign["claims"].append(("source", "sources", "source"))
        for name in ("sources", "events", "claims", "rejects", "history"):
            if name not in typed:
                continue
            frame = typed[name]
            key = keys.get(name) if name != "claims" or frame["claim_id"].is_unique else None
            cols = []
            for col in frame.columns:
                spec = f"{_q(col)} {_sql_type(frame[col])}"
                if col == key:
                    spec += " PRIMARY KEY"
                cols.append(spec)
            for col, table, ref in foreign.get(name, []):
                if col in frame and table in typed:
                    cols.append(f"FOREIGN KEY ({_q(col)}) REFERENCES {_q(table)}({_q(ref)})")
            con.execute(f"CREATE TABLE {_q(name)} ({', '.join(cols)})")
            rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False)
            marks = ", ".join("?" * len(frame.columns))
            con.executemany(f"INSERT INTO {_q(name)} VALUES ({marks})",
                            ([_sql_value(v) for v in row] for row in rows))
            for col, _, _ in foreign.get(name, []):
                if col in frame:
                    con.execute(f"CREATE INDEX {_q(f'{name}_{col}')} ON {_q(name)}({_q(col)})")
        if claims is not None:
            fts = [c for c in ("quote", "source", "figure", "location") if c in claims]
            con.execute(f"CREATE VIRTUAL TABLE claims_fts USING fts5({', '.join(fts)}, "
                        "content='claims', content_rowid='rowid')")
            con.execute(f"INSERT INTO claims_fts(rowid, {', '.join(fts)}) SELECT rowid, "
                        f"{', '.join(_q(c) for c in fts)} FROM claims")
        con.commit()
        bad = con.execute("PRAGMA foreign_key_check").fetchall()
        con.close()
        if bad:  # pragma: no cover - a bug, not an input problem
            raise OutputError(f"foreign keys do not hold: {bad[:3]}", file=str(path))
        os.chmod(tmp, 0o666 & ~_umask_now())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _umask_now() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _sql_value(value: object) -> object:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def write_tables(outdir: str | Path, tables: Mapping[str, pd.DataFrame | None], *,
                 fmt: str = "csv", hxl: bool = False) -> dict[str, Path]:
    """Write each ``name -> table`` into ``outdir`` in ``fmt``; returns the paths.

    A ``None`` table is skipped. Raises :class:`OutputError` naming the file
    when one cannot be written, or the extra to install when a format needs
    one (parquet: pyarrow).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    if hxl and fmt != "csv":
        raise OutputError("--hxl adds a hashtag row to CSV files; use it with --format csv")
    root = output_folder(outdir)
    frames = {n: f for n, f in tables.items() if f is not None}
    paths = table_paths(root, fmt, tuple(frames))
    if fmt == "csv":
        for name, frame in frames.items():
            atomic_write_text(paths[name], _csv(frame, name, hxl))
    elif fmt == "jsonl":
        for name, frame in frames.items():
            atomic_write_text(paths[name], _jsonl(frame))
    elif fmt == "parquet":
        _parquet(frames, paths)
    else:
        _sqlite(frames, root / SQLITE_NAME)
    return paths


# -- reading back -----------------------------------------------------------------------


def _read_csv(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if len(frame) and all(str(v).startswith("#") or not str(v) for v in frame.iloc[0]) \
            and any(str(v).startswith("#") for v in frame.iloc[0]):
        frame = frame.iloc[1:].reset_index(drop=True)  # the HXL hashtag row
    return frame


def _detect(root: Path) -> str:
    if (root / SQLITE_NAME).exists():
        return "sqlite"
    for fmt in ("csv", "jsonl", "parquet"):
        if (root / f"events.{fmt}").exists():
            return fmt
    raise InputError("no events table here (events.csv, .jsonl, .parquet or "
                     f"{SQLITE_NAME}); give the folder `reconcile run -o` wrote",
                     file=str(root))


def read_tables(outdir: str | Path) -> dict[str, pd.DataFrame | None]:
    """The tables of a run's output folder, whatever format it was written in.

    Every cell is read as text ("" for blank) except in the typed formats,
    where numbers stay numbers. A missing table (``sources`` in a run before
    resolution wrote one) is ``None``.
    """
    root = Path(outdir)
    if not root.is_dir():
        raise InputError("not a folder; give the folder `reconcile run -o` wrote",
                         file=str(root))
    fmt = _detect(root)
    out: dict[str, pd.DataFrame | None] = {}
    if fmt == "sqlite":
        con = sqlite3.connect(f"file:{root / SQLITE_NAME}?mode=ro", uri=True)
        try:
            have = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            for name in TABLES:
                out[name] = pd.read_sql_query(f"SELECT * FROM {_q(name)}", con) \
                    if name in have else None
        finally:
            con.close()
        return out
    for name in TABLES:
        path = root / f"{name}.{fmt}"
        if not path.exists():
            out[name] = None
        elif fmt == "csv":
            out[name] = _read_csv(path)
        elif fmt == "jsonl":
            out[name] = pd.read_json(path, lines=True, dtype=False) if path.stat().st_size \
                else pd.DataFrame()
        else:
            try:
                out[name] = pd.read_parquet(path)
            except ImportError:
                raise InputError("reading parquet needs pyarrow: pip install "
                                 "'reconcile[parquet]'", file=str(path)) from None
    return out
