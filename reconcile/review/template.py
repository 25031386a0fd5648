"""``reconcile review-template``: a review file pre-filled from a run's output folder.

One row per event, most in need of a human first (the order of
``reconcile summary`` and the report): the target is the event id, the
``claims`` column lists its claim ids (so that a verdict follows the event
if its id changes on a re-run), and ``event``, ``best`` and ``why`` say what
it is. The ``verdict`` cell is left blank: a row without a verdict is
skipped by ``reconcile run --review``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..io.write import write_csv
from ..report.reasons import fmt_count, fmt_interval, rank_for_review, text
from ..report.tables import read_tables

__all__ = ["TEMPLATE_COLUMNS", "review_template"]

TEMPLATE_COLUMNS = ("target", "verdict", "reviewer", "reason", "date", "claims", "event",
                    "figures", "why")


def review_template(outdir: str | Path, path: str | Path, top: int = 50) -> pd.DataFrame:
    """Write the ``top`` events most in need of review as a review file at ``path``."""
    tables = read_tables(outdir)
    events, claims = tables["events"], tables["claims"]
    assert events is not None and claims is not None
    ranked = rank_for_review(events).head(top)
    members = claims.groupby(claims["event_id"].map(text))["claim_id"].agg(
        lambda s: ";".join(sorted(map(text, s)))) if len(claims) else pd.Series(dtype=object)
    rows = []
    for e in ranked.to_dict("records"):
        eid = text(e["event_id"])
        what = " ".join(p for p in (text(e.get("category")), text(e.get("victims")),
                                    text(e.get("location")), text(e.get("date_start"))) if p)
        rows.append({"target": eid, "verdict": "", "reviewer": "", "reason": "", "date": "",
                     "claims": members.get(eid, ""), "event": what,
                     "figures": f"best {fmt_count(e.get('best'))} "
                                f"{fmt_interval(e.get('low'), e.get('high'))}",
                     "why": text(e.get("why"))})
    frame = pd.DataFrame(rows, columns=list(TEMPLATE_COLUMNS))
    write_csv(frame, path)
    return frame
