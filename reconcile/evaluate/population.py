"""The Population benchmark (Pasternack & Roth): Wikipedia city populations.

A real truth-discovery benchmark with conflicting numeric claims and gold
values. :func:`load_population` reads it through the project's one records
reader; every row that cannot be used is a reject with its line and reason.
:func:`score_population` scores one estimate per object against the gold.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..io.records import read_records

__all__ = ["ABSURD", "CONFLICT_MAX", "conflict_flags", "load_population", "score_population"]

ABSURD = 1e9  # no city has a billion people
CONFLICT_MAX = 1e8  # the README's conflicting subset only looks at values below this


def _read_rows(path: Path, needed: list[str], rejects: list[dict]
               ) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line, row dict) for each CSV record; bad records go to ``rejects``."""
    name = str(path)
    try:
        frame, bad, _ = read_records(path, strict_width=True)
    except InputError as exc:
        rejects.append({"file": name, "line": 1, "field": "", "reason": exc.reason, "value": ""})
        return
    for row in bad:
        cells = [str(v) for k, v in row.items() if k not in ("line", "field", "reason")]
        reason = row["reason"].replace("row has ", "").replace(" but the header has", ", header has")
        rejects.append({"file": name, "line": row["line"], "field": "", "reason": reason,
                        "value": ",".join(cells)[:80]})
    columns = {c.lower(): c for c in needed}
    missing = [c for c in needed if c.lower() not in frame.columns]
    if missing:
        rejects.append({"file": name, "line": 1, "field": ",".join(missing),
                        "reason": f"missing column(s) {missing}", "value": ""})
        return
    lines = frame["line"].tolist()
    values = {columns[k]: frame[k].tolist() for k in columns}
    for i, line in enumerate(lines):
        yield int(line), {c: values[c][i] for c in needed}


def _parse_count(text: str) -> tuple[float | None, str]:
    s = text.strip()
    if not s or s.lower() in {"null", "nan", "none", "na"}:
        return None, "empty value"
    try:
        v = float(s)
    except ValueError:
        return None, "not a number"
    if not math.isfinite(v):
        return None, "not a finite number"
    if v < 0:
        return None, "negative count"
    if v > ABSURD:
        return None, f"absurd value (> {ABSURD:.0e})"
    return v, ""


def load_population(claims_csv: str | Path, truth_csv: str | Path
                    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Load the Population benchmark (Pasternack & Roth's Wikipedia city populations).

    Returns ``(claims, truth, rejects)``:

    - claims: ``event_id`` (= ObjectID + "|" + PropertyID), ``source`` (= SourceID),
      ``value`` (float), ``line`` (1-based line in the CSV; the header is line 1);
    - truth: ``event_id``, ``gold``, ``n_claims`` (accepted claims of the event),
      ``conflicting`` (its claims below 1e8 hold at least two distinct values);
    - rejects: ``file``, ``line``, ``field``, ``reason``, ``value`` — every row
      that could not be used (empty, non-numeric, non-finite, negative or
      absurd > 1e9 value; empty key field; wrong field count; duplicate gold).

    Never raises on bad rows; a missing column is one reject at line 1.
    """
    rejects: list[dict] = []
    key_cols = ["ObjectID", "PropertyID", "PropertyValue"]
    rows = []
    for line, r in _read_rows(Path(claims_csv), [*key_cols, "SourceID"], rejects):
        bad = next((k for k in ("ObjectID", "PropertyID", "SourceID") if not r[k].strip()), None)
        if bad:
            rejects.append({"file": str(claims_csv), "line": line, "field": bad,
                            "reason": "empty", "value": ""})
            continue
        v, why = _parse_count(r["PropertyValue"])
        if v is None:
            rejects.append({"file": str(claims_csv), "line": line, "field": "PropertyValue",
                            "reason": why, "value": r["PropertyValue"][:80]})
            continue
        rows.append((f"{r['ObjectID']}|{r['PropertyID']}", r["SourceID"], v, line))
    claims = pd.DataFrame(rows, columns=["event_id", "source", "value", "line"])
    claims["value"] = claims["value"].astype(float)

    gold_rows: dict[str, float] = {}
    for line, r in _read_rows(Path(truth_csv), key_cols, rejects):
        v, why = _parse_count(r["PropertyValue"])
        bad = next((k for k in ("ObjectID", "PropertyID") if not r[k].strip()), None)
        if bad or v is None:
            rejects.append({"file": str(truth_csv), "line": line,
                            "field": bad or "PropertyValue", "reason": "empty" if bad else why,
                            "value": r["PropertyValue"][:80]})
            continue
        eid = f"{r['ObjectID']}|{r['PropertyID']}"
        if eid in gold_rows:
            rejects.append({"file": str(truth_csv), "line": line, "field": "ObjectID",
                            "reason": "duplicate gold for this event", "value": eid})
            continue
        gold_rows[eid] = v
    truth = pd.DataFrame({"event_id": list(gold_rows), "gold": list(gold_rows.values())},
                         columns=["event_id", "gold"])
    truth["gold"] = truth["gold"].astype(float)
    truth = truth.sort_values("event_id", kind="mergesort").reset_index(drop=True)
    flags = conflict_flags(claims)
    truth["n_claims"] = truth["event_id"].map(flags["n_claims"]).fillna(0).astype(int)
    truth["conflicting"] = truth["event_id"].isin(flags.index[flags["conflicting"]])
    rejects_df = pd.DataFrame(rejects, columns=["file", "line", "field", "reason", "value"])
    rejects_df["line"] = rejects_df["line"].astype(int)
    return claims, truth, rejects_df


def conflict_flags(claims: pd.DataFrame, limit: float = CONFLICT_MAX) -> pd.DataFrame:
    """Per event: ``n_claims`` and ``conflicting`` (>= 2 distinct values below ``limit``)."""
    sane = claims[claims["value"] < limit]
    distinct = sane.groupby("event_id")["value"].nunique()
    out = pd.DataFrame({"n_claims": claims.groupby("event_id").size()})
    out["conflicting"] = distinct.reindex(out.index).fillna(0) >= 2
    return out


def score_population(estimates: pd.DataFrame, truth: pd.DataFrame,
                     claims: pd.DataFrame | None = None) -> dict:
    """Score estimates against gold values.

    Returns ``{"all": {...}, "conflicting": {...}}``, each with ``exact_share``
    (share of scored gold events where round(best) == gold), ``mae`` (mean
    |best - gold|), ``n`` (gold events scored: those with an estimate) and
    ``n_missing`` (gold events without an estimate, i.e. without claims).
    "conflicting" keeps gold events whose claims below 1e8 disagree; it uses
    ``truth["conflicting"]`` (from ``load_population``) or, failing that, ``claims``.
    """
    t = truth[["event_id", "gold"]].copy()
    if "conflicting" in truth.columns:
        t["conflicting"] = truth["conflicting"].astype(bool).to_numpy()
    elif claims is not None:
        flags = conflict_flags(claims)
        t["conflicting"] = t["event_id"].isin(flags.index[flags["conflicting"]])
    else:
        raise ValueError("score_population needs truth['conflicting'] or the claims table")
    merged = t.merge(estimates[["event_id", "best"]], on="event_id", how="left")

    def summary(m: pd.DataFrame) -> dict:
        have = m[m["best"].notna()]
        err = (have["best"] - have["gold"]).abs()
        exact = np.floor(have["best"].to_numpy() + 0.5) == have["gold"].to_numpy()
        return {"exact_share": float(exact.mean()) if len(have) else float("nan"),
                "mae": float(err.mean()) if len(have) else float("nan"),
                "n": len(have), "n_missing": int(m["best"].isna().sum())}

    return {"all": summary(merged), "conflicting": summary(merged[merged["conflicting"]])}
