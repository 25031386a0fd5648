"""Score extract-then-run on whole articles against reference incident counts.

A folder holds article files, ``articles.csv`` (``file,incident_id,...``:
which incident each article reports) and ``incidents.csv``
(``incident_id,...,killed,injured``: the reference counts). The articles are
extracted into one claims table, the claims are reconciled as by
``reconcile run``, and each incident's killed and injured counts are read
from the resolved events that hold its articles' claims:

* the incident's events of a category are the events with at least one claim
  from one of its articles; the one with the most such claims (then the
  larger ``best``) gives the count;
* no event of a category counts as zero ("nobody was hurt").

An incident is right when both counts equal the reference; killed and
injured are also scored apart. This measures the whole pipeline, so grouping
and resolution limit it as much as extraction does.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["ArticleScore", "IncidentResult", "incident_counts", "score_articles"]


@dataclass(frozen=True)
class IncidentResult:
    incident_id: str
    killed: int
    injured: int
    got_killed: int | None
    got_injured: int | None

    @property
    def killed_ok(self) -> bool:
        return self.got_killed == self.killed

    @property
    def injured_ok(self) -> bool:
        return self.got_injured == self.injured

    @property
    def ok(self) -> bool:
        return self.killed_ok and self.injured_ok


@dataclass
class ArticleScore:
    incidents: list[IncidentResult] = field(default_factory=list)
    n_articles: int = 0
    n_claims: int = 0

    def share(self, what: str = "ok") -> float:
        if not self.incidents:
            return 0.0
        return sum(getattr(r, what) for r in self.incidents) / len(self.incidents)

    def summary(self) -> dict[str, float | int]:
        return {"incidents": len(self.incidents), "articles": self.n_articles,
                "claims": self.n_claims, "both_right": round(self.share("ok"), 4),
                "killed_right": round(self.share("killed_ok"), 4),
                "injured_right": round(self.share("injured_ok"), 4)}


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def incident_counts(events: pd.DataFrame, claims: pd.DataFrame,
                    articles: Iterable[str]) -> dict[str, int]:
    """Resolved killed and injured counts for the events holding these articles' claims.

    >>> events = pd.DataFrame({"event_id": ["e1", "e2"], "category": ["killed", "injured"],
    ...                        "best": [3, 2]})
    >>> claims = pd.DataFrame({"event_id": ["e1", "e1", "e2"], "article_id": ["a", "b", "c"]})
    >>> incident_counts(events, claims, ["a", "b"])
    {'killed': 3, 'injured': 0}
    """
    wanted = set(articles)
    mine = claims[claims["article_id"].astype(str).isin(wanted)]
    held = mine.groupby("event_id").size()
    out: dict[str, int] = {}
    for category in ("killed", "injured"):
        ev = events[events["category"] == category]
        ev = ev[ev["event_id"].isin(held.index)]
        if ev.empty:
            out[category] = 0
            continue
        ev = ev.assign(_n=ev["event_id"].map(held), _best=pd.to_numeric(ev["best"]))
        top = ev.sort_values(["_n", "_best"], ascending=False).iloc[0]
        out[category] = int(top["_best"])
    return out


def score_articles(folder: str | Path, rules=None) -> ArticleScore:
    """Extract every article in ``folder``, reconcile, and compare each incident to its reference."""
    from ..extract.engine import extract_files  # the pipeline pulls in every stage
    from ..pipeline import run

    folder = Path(folder)
    mapping = _read_csv(folder / "articles.csv")
    reference = _read_csv(folder / "incidents.csv")
    by_incident: dict[str, list[str]] = {}
    for row in mapping:
        by_incident.setdefault(row["incident_id"], []).append(Path(row["file"]).stem)
    score = ArticleScore(n_articles=len(mapping))
    with tempfile.TemporaryDirectory() as tmp:
        claims_path = Path(tmp) / "claims.csv"
        files = [folder / row["file"] for row in mapping]
        report = extract_files(files, claims_path, rules=rules)
        score.n_claims = report.claims
        result = run(claims_path, Path(tmp) / "out", rules=rules)
    for ref in reference:
        got = incident_counts(result.events, result.claims,
                              by_incident.get(ref["incident_id"], []))
        score.incidents.append(IncidentResult(ref["incident_id"], int(ref["killed"]),
                                              int(ref["injured"]), got["killed"],
                                              got["injured"]))
    return score
