"""Why each claim counted or not, and which events most need a human.

The one place these texts are written: ``report.html``, ``reconcile explain``,
``reconcile summary`` and ``reconcile review-template`` all read them from
here, so the browser and the terminal never tell two stories.

Everything here works on the tables a run writes (events, claims and, when
resolution wrote it, sources) and degrades when a column is absent: a run
without ``grade`` ranks by ``status``; one without ``distance`` measures
how far a claim lies outside from its bounds and the event's
``[low, high]``; one without ``sources.csv`` cannot say whom a copier copies
and says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = [
    "claim_reasons",
    "fmt_count",
    "fmt_interval",
    "rank_for_review",
    "review_priority",
    "strings",
    "text",
    "why_texts",
]


def text(value: object) -> str:
    """A cell as display text: missing values (None, NaN, NA) are ""."""
    if value.__class__ is str:
        return value
    if value is None:
        return ""
    try:
        if pd.isna(value):  # type: ignore[call-overload]
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _num(value: object) -> float | None:
    """A cell as a number, or None when blank or not a number."""
    s = text(value).replace(",", "").strip()
    if not s:
        return None
    try:
        return float(s)
    except ValueError:
        return None


def fmt_count(value: object) -> str:
    """A count with thousands separators; "" when missing, "∞" when unbounded.

    >>> fmt_count(1400), fmt_count(None), fmt_count(float("inf"))
    ('1,400', '', '∞')
    """
    x = _num(value)
    if x is None:
        return ""
    if math.isinf(x):
        return "∞"
    return f"{x:,.0f}"


def fmt_interval(low: object, high: object) -> str:
    """``[low, high]``, ``[low, ∞)`` for an open upper end, the number alone when equal.

    >>> fmt_interval(29, None), fmt_interval(20, 30), fmt_interval(34, 34)
    ('[29, ∞)', '[20, 30]', '34')
    """
    lo, hi = _num(low), _num(high)
    lo_s = fmt_count(lo if lo is not None else 0)
    if hi is None or math.isinf(hi):
        return f"[{lo_s}, ∞)"
    if lo is not None and lo == hi:
        return lo_s
    return f"[{lo_s}, {fmt_count(hi)}]"


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame:
        return frame[name]
    return pd.Series("", index=frame.index, dtype=object)


def strings(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column as text, column-wise: "" for missing; whole floats without ".0"."""
    if name not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    col = frame[name]
    if pd.api.types.is_float_dtype(col.dtype):
        col = col.astype("Float64")
        if (col.dropna() % 1 == 0).all():
            col = col.astype("Int64")
    return col.astype("string").fillna("").astype(object)


def _split(cell: object) -> list[str]:
    return [p.strip() for p in text(cell).replace(";", ",").split(",") if p.strip()]


def claim_reasons(claims: pd.DataFrame, events: pd.DataFrame,
                  sources: pd.DataFrame | None = None) -> pd.Series:
    """One sentence per claim: why it counted toward its event's figure, or why not.

    Parameters
    ----------
    claims : DataFrame
        Rows of claims.csv (any subset; at least ``claim_id``, ``source``,
        ``low``, ``high``, ``event_id`` and ``verdict``).
    events : DataFrame
        Rows of events.csv holding those claims' events.
    sources : DataFrame, optional
        sources.csv, for whom a copier copies.

    Returns
    -------
    Series of str, aligned with ``claims``.

    Notes
    -----
    One Python step per claim: call it on the claims shown (an event, the
    events of a report), not on a million.
    """
    if claims.empty:
        return pd.Series([], index=claims.index, dtype=object)
    ev = events.drop_duplicates("event_id")
    ev_ids = strings(ev, "event_id").tolist() if len(ev) else []

    def per_event(name: str) -> dict[str, float | None]:
        if name not in ev:
            return {}
        return dict(zip(ev_ids, [_num(v) for v in ev[name].tolist()], strict=True))

    e_low, e_best, e_high = per_event("low"), per_event("best"), per_event("high")
    known = set(ev_ids)
    copies: dict[str, str] = {}
    if sources is not None and len(sources) and "copies_of" in sources:
        copies = {text(s): text(c) for s, c in zip(sources["source"], sources["copies_of"],
                                                   strict=True) if text(c)}
    best_ids: set[str] = set()
    if "best_claims" in ev:
        for cell in ev["best_claims"]:
            best_ids.update(_split(cell))
    cols: dict[str, list[str]] = {c: strings(claims, c).tolist() for c in
                                  ("claim_id", "event_id", "source", "verdict", "relay", "outlet",
                                   "hedge", "review", "distance", "weight", "figure", "published",
                                   "low", "high")}
    # The latest report of each (event, source), for "superseded by".
    latest: dict[tuple[str, str], tuple[str, str, str]] = {}
    for i, p in enumerate(cols["published"]):
        key = (cols["event_id"][i], cols["source"][i])
        if p and (key not in latest or p > latest[key][0]):
            latest[key] = (p, cols["claim_id"][i],
                           cols["figure"][i] or fmt_interval(cols["low"][i], cols["high"][i]))
    out = []
    for i in range(len(claims)):
        row: dict[str, str] = {c: v[i] for c, v in cols.items()}
        lo, hi = _num(row["low"]), _num(row["high"])
        eid = row["event_id"]
        has = eid in known
        out.append(_reason(row, lo or 0.0, math.inf if hi is None else hi,
                           e_low.get(eid) if has else None, e_best.get(eid) if has else None,
                           e_high.get(eid) if has else None, row["published"], latest, copies,
                           row["claim_id"] in best_ids))
    return pd.Series(out, index=claims.index, dtype=object)


def _reason(row: Mapping[str, str], lo: float, hi: float, e_low: float | None,
            e_best: float | None, e_high: float | None, published: str,
            latest: Mapping[tuple[str, str], tuple[str, str, str]], copies: Mapping[str, str],
            behind_best: bool) -> str:
    verdict = row["verdict"]
    source = row["source"]
    hedge = f" Hedged: \u201c{row['hedge']}\u201d." if row["hedge"] and verdict != "denial" else ""
    e_hi = math.inf if e_high is None else e_high
    if verdict == "excluded":
        return "Excluded by a reviewer: not used (the review says why)."
    if verdict == "superseded":
        later = latest.get((row["event_id"], source))
        if later and later[1] != row["claim_id"] and later[0] > published:
            return (f"Superseded: {source} reported again later ({later[2]}, {later[0]}); "
                    "only its latest report counts.")
        return ("Superseded: an earlier count below a later one (tolls grow); not held "
                "against the estimate.")
    if verdict == "relayed":
        by = row["relay"] or row["outlet"]
        via = f"{by} relaying {source}" if by and by != source else f"a repeat of {source}"
        return f"Relayed: {via}; counted once, with the original report.{hedge}"
    if verdict == "copy":
        whom = copies.get(source)
        of = f"copies {whom}" if whom else "repeats another source's figures"
        return f"Copy: {source} {of}; its figure adds no independent evidence.{hedge}"
    if verdict == "denial":
        return (f"Denial by {source}: a claim of none, weighed as a denial; it cannot erase "
                "independent counts.")
    if verdict in ("below", "above"):
        dist = _num(row["distance"])
        if verdict == "below":
            ref, ref_name = (e_low, "low") if e_low is not None and hi < e_low else \
                (e_best, "best")
            gap = dist if dist else (ref - hi if ref is not None else None)
            where = f"its upper bound {fmt_count(hi)} is {fmt_count(gap)} below {ref_name} " \
                f"{fmt_count(ref)}" if gap is not None else "it lies below the estimate"
        else:
            ref, ref_name = (e_high, "high") if e_high is not None and lo > e_hi else \
                (e_best, "best")
            gap = dist if dist else (lo - ref if ref is not None else None)
            where = f"its lower bound {fmt_count(lo)} is {fmt_count(gap)} above {ref_name} " \
                f"{fmt_count(ref)}" if gap is not None else "it lies above the estimate"
        return f"Outside by {fmt_count(gap)}: {where}.{hedge}" if gap is not None else \
            f"Outside: {where}.{hedge}"
    if verdict == "consistent" or not verdict:
        weight = _num(row["weight"])
        share = f" It carries {weight:.2f} of one independent voice." \
            if weight is not None and 0 < weight < 1 else ""
        if behind_best:
            return f"Consistent, and one of the claims behind best.{share}{hedge}"
        if e_low is not None and lo <= e_low and hi >= e_hi:
            what = "its interval holds all of [low, high]"
        elif e_best is not None and lo <= e_best <= hi:
            what = "its interval holds best"
        else:
            what = "its interval meets [low, high]"
        return f"Consistent: {what}.{share}{hedge}"
    return f"{verdict.capitalize()}.{hedge}"


# -- which events need a human -------------------------------------------------------

_GRADE_POINTS = {"contested": 0.0, "weak": 2.0, "fair": 1.0, "confirmed": 0.0}
_STATUS_POINTS = {"single-source": 1.5, "resolved": 1.0, "agreed": 0.0, "contested": 0.0}
CONTESTED, REVIEWED, MAX_STAKES = 10.0, 12.0, 4.0


def review_priority(events: pd.DataFrame, words: bool = True) -> pd.DataFrame:
    """Each event's need of a human: ``priority`` (higher first) and ``why`` (plain words).

    Contested events come first (10 points: status or grade contested).
    Then the score adds: grade weak (2) or fair (1) — or, in a run without
    grades, single-source (1.5) or resolved (1) —; the stakes (log10 of
    best, at most 4: a toll of 300 weighs 2.5); each claim outside
    ``[low, high]`` (0.5, at most 2) and the missing confidence (twice
    ``1 - confidence``). An event a reviewer has already ruled on (its
    ``review`` cell is filled) loses 12: it has had its human.

    Returns a frame indexed like ``events``; :func:`rank_for_review` sorts by it.
    """
    status = strings(events, "status")
    grade = strings(events, "grade")
    contested = status.eq("contested") | grade.eq("contested")
    score = np.where(contested, CONTESTED, 0.0)
    if "grade" in events:
        score = score + grade.map(_GRADE_POINTS).fillna(0.0).astype(float).to_numpy()
    else:
        score = score + status.map(_STATUS_POINTS).fillna(0.0).astype(float).to_numpy()
    best = pd.to_numeric(_col(events, "best"), errors="coerce").fillna(0).clip(lower=0)
    score = score + np.minimum(np.log10(best.astype(float).to_numpy() + 1.0), MAX_STAKES)
    conflicts = strings(events, "conflicts").str.strip()
    n_conf = (conflicts.str.count(";") + conflicts.ne("")).where(conflicts.ne(""), 0) \
        .astype(int)
    score = score + np.minimum(0.5 * n_conf.to_numpy(), 2.0)
    conf = pd.to_numeric(_col(events, "confidence"), errors="coerce").astype(float)
    score = score + 2.0 * (1.0 - conf.fillna(1.0).clip(0, 1).to_numpy())
    reviewed = strings(events, "review").ne("")
    score = score - np.where(reviewed, REVIEWED, 0.0)
    why = why_texts(events, status, grade, n_conf, conf, best, reviewed) if words else \
        [""] * len(events)
    return pd.DataFrame({"priority": np.round(score.astype(float), 3), "why": why},
                        index=events.index)


def why_texts(events: pd.DataFrame, status: pd.Series, grade: pd.Series, n_conf: pd.Series,
              conf: pd.Series, best: pd.Series, reviewed: pd.Series) -> list[str]:
    """Plain words for each event's place in the review order."""
    n = len(events)
    why = []
    cat = strings(events, "category").tolist()
    st, gr, nc = status.tolist(), grade.tolist(), n_conf.tolist()
    cf, bs, rv = conf.tolist(), best.astype(float).tolist(), reviewed.tolist()
    for i in range(n):
        parts = []
        if st[i] == "contested" or gr[i] == "contested":
            parts.append("contested")
        elif gr[i] in ("weak", "fair"):
            parts.append(f"grade {gr[i]}")
        if st[i] == "single-source":
            parts.append("single source")
        if nc[i]:
            parts.append(f"{nc[i]} claim{'s' if nc[i] > 1 else ''} outside")
        if not math.isnan(cf[i]) and cf[i] < 0.5:
            parts.append(f"confidence {cf[i]:.2f}")
        if bs[i] >= 10:
            parts.append(f"{fmt_count(bs[i])} {cat[i]}".strip())
        if rv[i]:
            parts.append("already reviewed")
        why.append(", ".join(parts))
    return why


def rank_for_review(events: pd.DataFrame, explain: int | None = None) -> pd.DataFrame:
    """``events`` with ``priority`` and ``why``, most in need of a human first.

    Ties go to the larger best, then the event id (the order is the same on
    every run). ``why`` is written for the first ``explain`` events only
    (all when None): the words cost a Python step per event.
    """
    if explain is None:
        ranked = events.join(review_priority(events))
    else:
        ranked = events.assign(priority=review_priority(events, words=False)["priority"], why="")
    best = pd.to_numeric(_col(ranked, "best"), errors="coerce").fillna(0).to_numpy(dtype=float)
    ids, _ = pd.factorize(strings(ranked, "event_id"), sort=True)
    order = np.lexsort((ids, -best, -ranked["priority"].to_numpy(dtype=float)))
    ranked = ranked.iloc[order]
    if explain is not None and explain > 0:
        head = ranked.head(explain)
        ranked.loc[head.index, "why"] = review_priority(head.drop(columns=["priority", "why"]))["why"]
    return ranked

