"""Measure results against known truth (simulated worlds, gold sets).

Pure functions over tables: grouping quality (pairwise precision/recall,
B-cubed), estimate error, interval coverage and a calibration table. The
benchmark and the accuracy-floor tests share them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "bcubed",
    "calibration_table",
    "estimate_metrics",
    "expected_calibration_error",
    "hierarchy_scores",
    "knowable_ceiling",
    "match_events",
    "match_true_events",
    "pairwise_scores",
]


def _pairs(labels: pd.Series) -> int:
    sizes = labels.value_counts().to_numpy(dtype=np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise_scores(predicted: pd.Series, truth: pd.Series) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a clustering against the true one.

    Both series are indexed by claim; a pair of claims counts as "together"
    when they share a label. Runs in O(n) via cluster-size counting.
    """
    both = pd.DataFrame({"p": predicted, "t": truth}).dropna()
    together_pred = _pairs(both["p"])
    together_true = _pairs(both["t"])
    together_both = _pairs(both["p"].astype(str) + "\x1f" + both["t"].astype(str))
    precision = together_both / together_pred if together_pred else 1.0
    recall = together_both / together_true if together_true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def bcubed(predicted: pd.Series, truth: pd.Series) -> dict[str, float]:
    """B-cubed precision, recall and F1 (Bagga & Baldwin 1998), averaged over claims."""
    both = pd.DataFrame({"p": predicted, "t": truth}).dropna()
    if both.empty:
        return {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    joint = both.groupby(["p", "t"]).size()
    p_size = both.groupby("p").size()
    t_size = both.groupby("t").size()
    n_pt = joint.to_numpy(dtype=float)
    p_of = p_size.reindex(joint.index.get_level_values(0)).to_numpy(dtype=float)
    t_of = t_size.reindex(joint.index.get_level_values(1)).to_numpy(dtype=float)
    # Each of the n_pt claims in cell (p, t) has precision n_pt/|p| and recall n_pt/|t|.
    precision = float((n_pt * n_pt / p_of).sum() / len(both))
    recall = float((n_pt * n_pt / t_of).sum() / len(both))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def match_events(claims: pd.DataFrame, truth_claims: pd.DataFrame) -> pd.Series:
    """For each predicted event, the true event most of its claims belong to.

    ``claims`` has ``claim_id`` and ``event_id``; ``truth_claims`` has
    ``claim_id`` and ``true_event_id``. Ties go to the smallest true id.
    """
    merged = claims[["claim_id", "event_id"]].merge(
        truth_claims[["claim_id", "true_event_id"]], on="claim_id", how="inner")
    merged = merged[merged["true_event_id"].notna() & merged["true_event_id"].astype(str).ne("")]
    counts = merged.groupby(["event_id", "true_event_id"]).size().rename("n").reset_index()
    counts = counts.sort_values(["event_id", "n", "true_event_id"], ascending=[True, False, True])
    return counts.groupby("event_id")["true_event_id"].first()


def hierarchy_scores(claims: pd.DataFrame, truth_claims: pd.DataFrame,
                     truth_events: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Precision and recall of the parent links between events, overall and per kind.

    ``claims`` has ``claim_id``, ``event_id``, ``parent_event_id`` and
    ``parent_link``; each predicted event stands for the true event most of
    its claims belong to (:func:`match_events`). A predicted link child ->
    parent is right when the true parent of the child's true event is the
    parent's true event. A true link counts as found when some predicted
    link maps onto it. Only true links whose child and parent both have
    claims are counted (a link nobody reported cannot be found).
    """
    mapped = match_events(claims, truth_claims)
    links = claims[["event_id", "parent_event_id", "parent_link"]].drop_duplicates("event_id")
    links = links[links["parent_event_id"].astype(str).ne("")]
    child_t = links["event_id"].map(mapped)
    parent_t = links["parent_event_id"].map(mapped)
    te = truth_events.set_index("true_event_id")
    true_parent = te["parent_event_id"].astype(object).where(te["parent_event_id"].notna(), "")
    right = child_t.notna() & parent_t.notna() & (child_t.map(true_parent) == parent_t)
    seen = set(truth_claims["true_event_id"].dropna().astype(str))
    kinds = te["kind"]
    want = true_parent[(true_parent.astype(str) != "") & true_parent.index.isin(list(seen))
                       & true_parent.astype(str).isin(list(seen))]
    found = set(zip(child_t[right], parent_t[right], strict=True))
    out: dict[str, dict[str, float]] = {}
    # "part": the child is a part of its parent; "within": an incident or total in a total.
    child_kind = kinds.reindex(want.index).to_numpy()
    groups = {"all": np.ones(len(want), bool), "part": np.asarray(child_kind == "part"),
              "within": np.asarray(child_kind != "part")}
    for name, sel in groups.items():
        pred = links["parent_link"].eq(name).to_numpy() if name != "all" else \
            np.ones(len(links), bool)
        n_pred = int(pred.sum())
        n_right = int((right.to_numpy() & pred).sum())
        w = want[sel]
        hits = sum((c, p) in found for c, p in zip(w.index, w.to_numpy(), strict=True))
        out[name] = {"precision": n_right / n_pred if n_pred else 1.0,
                     "recall": hits / len(w) if len(w) else 1.0,
                     "predicted": n_pred, "true": len(w)}
    return out


def match_true_events(claims: pd.DataFrame, truth_claims: pd.DataFrame) -> pd.Series:
    """For each true event, the found event that holds most of its claims.

    This is how a reader of the output meets a true event: through the row
    that carries most of what was said about it. Each true event is counted
    once, however many found events its claims were split over. Ties go to
    the smallest found id. Returns a Series true_event_id -> event_id.
    """
    merged = claims[["claim_id", "event_id"]].merge(
        truth_claims[["claim_id", "true_event_id"]], on="claim_id", how="inner")
    merged = merged[merged["true_event_id"].notna() & merged["true_event_id"].astype(str).ne("")]
    counts = merged.groupby(["true_event_id", "event_id"]).size().rename("n").reset_index()
    counts = counts.sort_values(["true_event_id", "n", "event_id"], ascending=[True, False, True])
    return counts.groupby("true_event_id")["event_id"].first()


def knowable_ceiling(claims: pd.DataFrame, truth_claims: pd.DataFrame, truth_count: pd.Series,
                     tolerance: float = 0.10) -> float:
    """Share of true events with any stated number within ``tolerance`` of the true count.

    A stated number is a claim's anchor, else each finite bound of its
    interval. An engine that only ever picks a stated number cannot do better
    on "within 10%"; learning sources' biases and how tolls grow is how one does.
    """
    merged = claims[["claim_id", "low", "high", "anchor"]].merge(
        truth_claims[["claim_id", "true_event_id"]], on="claim_id", how="inner")
    merged = merged[merged["true_event_id"].notna()]
    truth = merged["true_event_id"].map(truth_count).astype(float)
    close = pd.Series(False, index=merged.index)
    for col in ("anchor", "low", "high"):
        v = merged[col].astype("Float64").astype(float)
        close |= ((v - truth).abs() <= tolerance * truth.clip(lower=1)).fillna(False)
    hit = close.groupby(merged["true_event_id"]).any()
    return float(hit.reindex(truth_count.index).fillna(False).mean())


def estimate_metrics(events: pd.DataFrame, truth_count: pd.Series) -> dict[str, float]:
    """Error, coverage and width of ``events`` against true counts.

    ``events`` has ``event_id``, ``best``, ``low``, ``high`` (empty = unbounded);
    ``truth_count`` maps event_id -> true count (events without one are skipped).
    """
    ev = events.set_index("event_id")
    truth = truth_count.reindex(ev.index).astype(float)
    keep = truth.notna()
    ev, truth = ev[keep], truth[keep]
    if ev.empty:
        return {"n": 0}
    best = ev["best"].astype(float)
    low = ev["low"].astype(float)
    high = ev["high"].astype("Float64").astype(float).fillna(np.inf)
    rel = (best - truth).abs() / truth.clip(lower=1)
    covered = (low <= truth) & (truth <= high)
    width = (high - low) / truth.clip(lower=1)
    return {
        "n": len(ev),
        "median_rel_error": float(rel.median()),
        "mean_rel_error": float(rel.mean()),
        "exact_share": float((best == truth).mean()),
        "within_10pct": float((rel <= 0.10).mean()),
        "coverage": float(covered.mean()),
        "bounded_share": float(np.isfinite(high).mean()),
        "median_rel_width": float(width[np.isfinite(width)].median()) if np.isfinite(width).any()
        else float("inf"),
    }


def calibration_table(events: pd.DataFrame, truth_count: pd.Series, bins: int = 10) -> pd.DataFrame:
    """Coverage of ``[low, high]`` by stated-confidence bin.

    A calibrated engine has ``coverage`` close to ``mean_confidence`` in
    every row. Columns: ``bin`` ("0.0-0.1" ...), ``n``, ``mean_confidence``,
    ``coverage``.
    """
    ev = events.set_index("event_id")
    truth = truth_count.reindex(ev.index).astype(float)
    ev, truth = ev[truth.notna()], truth[truth.notna()]
    conf = ev["confidence"].astype(float).clip(0, 1)
    low = ev["low"].astype(float)
    high = ev["high"].astype("Float64").astype(float).fillna(np.inf)
    covered = ((low <= truth) & (truth <= high)).astype(float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1]), 0, bins - 1)
    frame = pd.DataFrame({"bin": which, "conf": conf, "covered": covered})
    table = frame.groupby("bin").agg(n=("conf", "size"), mean_confidence=("conf", "mean"),
                                     coverage=("covered", "mean")).reset_index()
    table["bin"] = [f"{edges[b]:.1f}-{edges[b + 1]:.1f}" for b in table["bin"]]
    return table


def expected_calibration_error(table: pd.DataFrame) -> float:
    """ECE of a :func:`calibration_table`: the event-weighted mean |coverage - confidence|."""
    if table.empty:
        return float("nan")
    n = table["n"].to_numpy(dtype=float)
    gap = (table["coverage"] - table["mean_confidence"]).abs().to_numpy()
    return float((n * gap).sum() / n.sum())
