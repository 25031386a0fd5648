"""Score an extractor against labelled gold sentences.

Gold rows (``tests/data/extract_gold.jsonl``) look like::

    {"id": "g001", "text": "...", "published": "2013-02-20",
     "claims": [{"figure": "At least 29", "low": 29, "high": null, "category": "killed",
                 "victims": "people", "source": "...", "relay"?, "part_of"?, "hedge"?,
                 "denial"?, "scope"?, "event_date"?, "location"?, "approx"?}]}

A predicted claim matches a gold claim of the same row when the categories
agree and the interval agrees: equal ``low``/``high`` (``high`` null is
unbounded); for approximate and vague gold rows (``approx`` present, bounds
null) the predicted anchor equals ``approx`` or the predicted interval
contains it ("nearly 6,000" is ``[5400, 5999]`` with anchor 6000: the anchor
is the stated number), and for vague words (``approx`` null) the figure
texts agree. Precision and recall count these matches; the other fields are
scored over matched pairs only. ``attribution`` counts every matched pair
(a gold source of null wants the outlet); ``attribution_named`` only the
pairs whose gold source is named in the text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

__all__ = ["GoldScore", "load_gold", "same_source", "score_rows"]

_SPACE = re.compile(r"\s+")


def load_gold(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _norm(text: str | None) -> str:
    text = " " + (text or "").lower().replace("’", "'").replace(".", "") + " "
    text = text.replace(" the ", " ")
    return _SPACE.sub(" ", text).strip(" ,")


def same_source(gold: str | None, predicted: str, predicted_type: str) -> bool:
    """Whether a predicted source names the gold one (None: nothing attributed)."""
    if gold is None:
        return predicted_type == "outlet"
    if predicted_type == "outlet":
        return False
    a, b = _norm(gold), _norm(predicted)
    return a == b or fuzz.token_set_ratio(a, b) >= 90


def _interval_ok(g: dict, p: dict) -> bool:
    if "approx" in g and g.get("low") is None and g.get("high") is None:
        approx = g.get("approx")
        if approx is None:
            a, b = _norm(g.get("figure")), _norm(p.get("figure"))
            return bool(a) and (a == b or a in b or b in a)
        if p.get("anchor") == approx:
            return True
        hi = p.get("high")
        return p["low"] <= approx and (hi is None or approx <= hi)
    return p.get("low") == g.get("low") and p.get("high") == g.get("high")


def _match(gold: list[dict], pred: list[dict]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching, preferring pairs whose figure texts agree."""
    pairs = []
    used: set[int] = set()
    for gi, g in enumerate(gold):
        best, best_key = None, None
        for pi, p in enumerate(pred):
            if pi in used or p.get("category") != g.get("category") or not _interval_ok(g, p):
                continue
            key = (_norm(g.get("figure")) != _norm(p.get("figure")), pi)
            if best_key is None or key < best_key:
                best, best_key = pi, key
        if best is not None:
            used.add(best)
            pairs.append((gi, best))
    return pairs


@dataclass
class GoldScore:
    n_gold: int = 0
    n_pred: int = 0
    matched: int = 0
    fields: dict[str, list[int]] = field(default_factory=dict)  # name -> [right, total]
    false_positives: list[tuple[str, dict]] = field(default_factory=list)
    false_negatives: list[tuple[str, dict]] = field(default_factory=list)
    wrong: dict[str, list[tuple[str, object, object]]] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return self.matched / self.n_pred if self.n_pred else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.n_gold if self.n_gold else 1.0

    def accuracy(self, name: str) -> float:
        right, total = self.fields.get(name, [0, 0])
        return right / total if total else 1.0

    def tally(self, name: str, ok: bool, row_id: str, want: object, got: object) -> None:
        slot = self.fields.setdefault(name, [0, 0])
        slot[0] += ok
        slot[1] += 1
        if not ok:
            self.wrong.setdefault(name, []).append((row_id, want, got))

    def summary(self) -> dict[str, float]:
        out = {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
               "n_gold": self.n_gold, "n_pred": self.n_pred, "matched": self.matched}
        for name in self.fields:
            out[name] = round(self.accuracy(name), 4)
        return out


def _same_place(gold: str, got: str) -> bool:
    a, b = _norm(gold), _norm(got)
    return bool(a) and (a == b or a in b or b in a or fuzz.ratio(a, b) >= 85)


def score_rows(gold_rows: Iterable[dict],
               predict: Callable[[dict], list[dict]],
               place_alias: Callable[[str, str], bool] | None = None) -> GoldScore:
    """Score ``predict(row) -> claims`` over gold rows."""
    score = GoldScore()
    same_place = place_alias or _same_place
    for row in gold_rows:
        gold = row.get("claims", [])
        pred = predict(row)
        score.n_gold += len(gold)
        score.n_pred += len(pred)
        pairs = _match(gold, pred)
        score.matched += len(pairs)
        matched_g = {g for g, _ in pairs}
        matched_p = {p for _, p in pairs}
        rid = row.get("id", "?")
        score.false_negatives += [(rid, g) for i, g in enumerate(gold) if i not in matched_g]
        score.false_positives += [(rid, p) for i, p in enumerate(pred) if i not in matched_p]
        by_gold = dict(pairs)
        for gi, pi in pairs:
            g, p = gold[gi], pred[pi]
            score.tally("attribution", same_source(g.get("source"), p.get("source", ""),
                                                    p.get("source_type", "named")),
                         rid, g.get("source"), p.get("source"))
            if g.get("source") is not None:
                # The source is named in the text: what attribution can get right.
                score.tally("attribution_named", same_source(
                    g.get("source"), p.get("source", ""), p.get("source_type", "named")),
                    rid, g.get("source"), p.get("source"))
            score.tally("relay", same_source(g.get("relay"), p.get("relay") or "",
                                              "named" if p.get("relay") else "outlet"),
                         rid, g.get("relay"), p.get("relay"))
            score.tally("victims", g.get("victims") == p.get("victims"), rid,
                         g.get("victims"), p.get("victims"))
            score.tally("hedge", bool(g.get("hedge")) == bool(p.get("hedge")), rid,
                         g.get("hedge"), p.get("hedge"))
            score.tally("denial", bool(g.get("denial")) == bool(p.get("denial")), rid,
                         g.get("denial"), p.get("denial"))
            score.tally("scope", (g.get("scope") or "incident") == (p.get("scope")
                                                                     or "incident"),
                         rid, g.get("scope"), p.get("scope"))
            want_parent = g.get("part_of")
            got_parent = p.get("part_of") or None
            if want_parent is None:
                ok = got_parent is None
            else:
                target = by_gold.get(want_parent)
                ok = target is not None and got_parent == pred[target].get("claim_id")
            score.tally("part_of", ok, rid, want_parent, got_parent)
            if g.get("event_date"):
                score.tally("event_date", g["event_date"] == (p.get("event_date") or "")
                             .split("/")[0] or g["event_date"] == p.get("event_date"),
                             rid, g.get("event_date"), p.get("event_date"))
            if g.get("location"):
                score.tally("location", same_place(g["location"], p.get("location") or ""),
                             rid, g.get("location"), p.get("location"))
    return score
