"""Resolve each event's claims into ``low / best / high``.

BASELINE, to be replaced by the resolution issue (learned reliability,
source dependence, calibrated confidence). What it does now:

1. A later report from the same source on the same event supersedes its
   earlier ones (tolls grow; an early "at least 25" is not wrong).
2. When the active claims' intervals intersect, the event is ``agreed`` and
   ``[low, high]`` is that intersection; ``best`` is the median of the
   stated numbers, moved into the intersection.
3. When they do not, the event is ``contested``: ``best`` is the median of
   the stated numbers, weighting each source once, and ``[low, high]`` spans
   the middle half of them (the weighted 25th to 75th percentile).

``confidence`` here is a heuristic, not yet calibrated: ``1 - 0.5**n`` for
n agreeing sources, and half the source-weighted share of claims that
overlap ``[low, high]`` for a contested event.

Everything is column-wise over the whole table (no Python call per event),
so a block of many events costs about the same as one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .figures import KINDS  # noqa: F401  (documents the kinds resolve reads)

__all__ = ["EVENT_COLUMNS", "VERDICTS", "resolve_block", "resolve_events"]

EVENT_COLUMNS = (
    "event_id", "category", "victims", "location", "country", "date_start", "date_end",
    "low", "best", "high", "confidence", "status", "n_claims", "n_sources", "n_independent",
    "parent_event_id", "sources", "conflicts",
)
VERDICTS = ("consistent", "below", "above", "superseded")


def _bounds(claims: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    lo = claims["low"].astype("Float64").astype(float)
    hi = claims["high"].astype("Float64").astype(float).fillna(np.inf)
    return lo, hi


def _point(claims: pd.DataFrame, lo: pd.Series, hi: pd.Series) -> pd.Series:
    """The number a claim stands for: its anchor, else its interval's middle (or floor)."""
    anchor = claims["anchor"].astype("Float64").astype(float)
    middle = np.where(np.isinf(hi), lo, np.floor((lo + hi) / 2))
    return anchor.fillna(pd.Series(middle, index=claims.index))


def _weighted_quantile(frame: pd.DataFrame, q: float) -> pd.Series:
    """Per event, the smallest value whose cumulative weight reaches q of the total."""
    f = frame.sort_values(["event_id", "value"], kind="stable")
    cw = f.groupby("event_id", sort=False)["w"].cumsum()
    total = f.groupby("event_id", sort=False)["w"].transform("sum")
    hit = f[cw >= q * total - 1e-9]
    return hit.groupby("event_id", sort=True)["value"].first()


def _first_by_claim(claims: pd.DataFrame, column: str) -> pd.Series:
    """Per event, the most common value of ``column`` (ties: the smallest)."""
    counts = claims.groupby(["event_id", column], sort=True).size().rename("n").reset_index()
    counts = counts.sort_values(["event_id", "n", column], ascending=[True, False, True])
    return counts.groupby("event_id", sort=True)[column].first()


def resolve_block(claims: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Resolve the events of one block of claims (each with an ``event_id``).

    Returns ``(events, claims)``: one row per event with the columns of
    :data:`EVENT_COLUMNS`, and the claims with ``verdict`` added. Output is
    sorted by id and does not depend on row order.
    """
    if claims.empty:
        events = pd.DataFrame({c: pd.Series(dtype=object) for c in EVENT_COLUMNS})
        out = claims.copy()
        out["verdict"] = pd.Series(dtype=object)
        return events, out
    c = claims.sort_values("claim_id", kind="stable").reset_index(drop=True)
    lo, hi = _bounds(c)
    value = _point(c, lo, hi)
    published = c["published"].fillna("").astype(str) if "published" in c else \
        pd.Series("", index=c.index)

    # 1. Supersession within (event, source).
    latest = published.groupby([c["event_id"], c["source"]]).transform("max")
    superseded = published.ne("") & (published < latest)
    active = ~superseded

    # Each source weighs 1 in total, however many active claims it has.
    per_source = c[active].groupby(["event_id", "source"])["claim_id"].transform("size")
    w = pd.Series(0.0, index=c.index)
    w[active] = 1.0 / per_source
    act = pd.DataFrame({"event_id": c["event_id"], "lo": lo, "hi": hi, "value": value, "w": w})[active]

    # 2. Intersection of the active intervals.
    g = act.groupby("event_id", sort=True)
    ilo, ihi = g["lo"].max(), g["hi"].min()
    consistent = ilo <= ihi

    # 3. Weighted quantiles of the stated numbers.
    median = _weighted_quantile(act, 0.5)
    q25, q75 = _weighted_quantile(act, 0.25), _weighted_quantile(act, 0.75)

    best = pd.Series(np.where(consistent, np.clip(median, ilo, ihi), median), index=ilo.index)
    low = pd.Series(np.where(consistent, ilo, np.minimum(q25, best)), index=ilo.index)
    high = pd.Series(np.where(consistent, ihi, np.maximum(q75, best)), index=ilo.index)
    best = np.floor(best)

    all_g = c.groupby("event_id", sort=True)
    n_sources = all_g["source"].nunique()
    n_claims = all_g.size()

    # Share of source weight whose interval overlaps [low, high] (contested confidence).
    ev_low, ev_high = act["event_id"].map(low), act["event_id"].map(high)
    overlap = (act["lo"] <= ev_high) & (act["hi"] >= ev_low)
    share = (act["w"] * overlap).groupby(act["event_id"]).sum() / g["w"].sum()
    confidence = pd.Series(np.where(consistent, 1 - 0.5 ** n_sources, 0.5 * share),
                           index=ilo.index).round(3)
    status = pd.Series(np.where(n_sources.eq(1), "single-source",
                                np.where(consistent, "agreed", "contested")), index=ilo.index)

    # Verdict of each claim against its event's best.
    ev_best = c["event_id"].map(best)
    verdict = np.select([superseded, hi < ev_best, lo > ev_best],
                        ["superseded", "below", "above"], "consistent")
    out = c.copy()
    out["verdict"] = verdict

    # Conflicts: the active claims that leave out best, for the reviewer.
    off = out[active & out["verdict"].isin(("below", "above"))]
    label = off["source"] + " " + off["figure"].where(off["figure"].ne(""),
                                                        _interval_text(off)) + " (" + off["verdict"] + ")"
    conflicts = label.groupby(off["event_id"]).agg(lambda s: "; ".join(sorted(s)))

    parents = pd.Series(dtype=object)
    if "part_of" in c:
        link = c[c["part_of"].fillna("").ne("")]
        parent_event = link["part_of"].map(c.set_index("claim_id")["event_id"])
        link = pd.DataFrame({"event_id": link["event_id"], "parent": parent_event}).dropna()
        link = link[link["parent"] != link["event_id"]]
        parents = link.groupby("event_id")["parent"].min()

    events = pd.DataFrame(index=ilo.index)
    for col in ("category", "victims", "location", "country"):
        events[col] = _first_by_claim(c.assign(**{col: c[col].fillna("")}), col)
    starts = c["date_start"].replace("", np.nan)
    ends = c["date_end"].replace("", np.nan)
    events["date_start"] = starts.groupby(c["event_id"]).min()
    events["date_end"] = ends.groupby(c["event_id"]).max()
    events["low"] = low.astype("Int64")
    events["best"] = best.astype("Int64")
    events["high"] = high.where(~np.isinf(high)).astype("Int64")
    events["confidence"] = confidence
    events["status"] = status
    events["n_claims"] = n_claims
    events["n_sources"] = n_sources
    events["n_independent"] = n_sources  # BASELINE: no dependence detection yet
    events["parent_event_id"] = parents.reindex(events.index)
    events["sources"] = all_g["source"].agg(lambda s: "; ".join(sorted(set(s))))
    events["conflicts"] = conflicts.reindex(events.index)
    events = events.reset_index().rename(columns={"index": "event_id"})
    events = events[list(EVENT_COLUMNS)].fillna({"date_start": "", "date_end": "",
                                                 "parent_event_id": "", "conflicts": ""})
    return events, out


def _interval_text(claims: pd.DataFrame) -> pd.Series:
    high = claims["high"].astype("string").fillna("∞")
    close = np.where(claims["high"].isna(), ")", "]")
    return "[" + claims["low"].astype("string") + ", " + high + close


def resolve_events(claims: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Resolve every event in ``claims``; see :func:`resolve_block`."""
    return resolve_block(claims)
