"""``reconcile export claimreview``: schema.org ClaimReview JSON-LD for reviewed events.

Fact-checkers publish verdicts as ClaimReview (https://schema.org/ClaimReview),
which has no place for a range. Each event a reviewer gave a verdict (its
``review`` column is not blank) becomes one ClaimReview:

- ``claimReviewed``: the toll and what the sources said ("killed people,
  Lakeport, Examplestan, 2025-03-02: Port authority '34'; ...");
- ``itemReviewed``: a ``Claim`` with every ``appearance`` (a ``CreativeWork``
  per report: its ``url``, ``publisher`` the outlet, ``datePublished``, the
  quote as ``text``) and ``firstAppearance`` (the earliest published);
- ``reviewRating``: a ``Rating`` whose ``alternateName`` is the verdict as the
  review column gives it, ``ratingExplanation`` the event's basis;
- ``about``: the range as a ``QuantitativeValue`` (``minValue`` = low,
  ``value`` = best, ``maxValue`` = high, ``unitText`` such as "people killed");
- ``author``: the reviewers named in the verdicts (``... by NAME, DATE: ...``)
  as ``Person``; ``datePublished``: the latest date they give.

The document is one JSON-LD object: ``@context`` https://schema.org and the
reviews under ``@graph``. :data:`TYPES_USED` and :data:`PROPERTIES_USED` name
every term it uses; ``tests/test_claimreview.py`` checks them against a
vendored extract of the schema.org vocabulary.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from ..io.write import atomic_write_text
from .reasons import text
from .tables import read_tables

__all__ = ["DEFAULT_NAME", "PROPERTIES_USED", "TYPES_USED", "claim_reviews",
           "export_claimreview"]

DEFAULT_NAME = "claimreview.jsonld"
TYPES_USED = ("ClaimReview", "Claim", "CreativeWork", "Organization", "Person", "Rating",
              "QuantitativeValue")
PROPERTIES_USED = ("identifier", "name", "claimReviewed", "itemReviewed", "reviewRating",
                   "about", "author", "datePublished", "appearance", "firstAppearance",
                   "url", "publisher", "text", "alternateName", "ratingExplanation",
                   "minValue", "value", "maxValue", "unitText")

# "set-figure 31 by Ana, 2025-03-05: reason" -> Ana, 2025-03-05
_BY = re.compile(r" by (?P<who>[^,:|]+?)(?:, (?P<date>\d{4}-\d{2}-\d{2}))?(?=: |$)")


def _int(value: object) -> int | None:
    s = text(value)
    try:
        return int(float(s)) if s else None
    except ValueError:
        return None


def _appearance(c: Mapping[Any, Any]) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork"}
    if text(c.get("url")):
        work["url"] = text(c.get("url"))
    if text(c.get("article_id")):
        work["identifier"] = text(c.get("article_id"))
    if text(c.get("outlet")):
        work["publisher"] = {"@type": "Organization", "name": text(c.get("outlet"))}
    if text(c.get("published")):
        work["datePublished"] = text(c.get("published"))
    if text(c.get("quote")):
        work["text"] = text(c.get("quote"))
    return work


def claim_reviews(events: pd.DataFrame, claims: pd.DataFrame | None) -> list[dict[str, Any]]:
    """One ClaimReview (a JSON-LD node, without ``@context``) per reviewed event."""
    if "review" not in events:
        return []
    by_event: dict[str, list[dict[Any, Any]]] = {}
    if claims is not None and "event_id" in claims:
        for c in claims.to_dict("records"):
            if text(c.get("verdict")) != "excluded":
                by_event.setdefault(text(c.get("event_id")), []).append(c)
    out = []
    for e in events.sort_values("event_id").to_dict("records"):
        review = text(e.get("review"))
        if not review:
            continue
        eid = text(e["event_id"])
        mine = sorted(by_event.get(eid, []),
                      key=lambda c: (text(c.get("published")) or "~", text(c.get("claim_id"))))
        what = " ".join(p for p in (text(e.get("category")), text(e.get("victims"))) if p)
        place = ", ".join(p for p in (text(e.get("location")), text(e.get("country"))) if p)
        start, end = text(e.get("date_start")), text(e.get("date_end"))
        dates = start + (f"/{end}" if end and end != start else "")
        said = "; ".join(f"{text(c.get('source'))} '{text(c.get('figure'))}'" for c in mine)
        head = ", ".join(p for p in (what, place, dates) if p)
        claim: dict[str, Any] = {"@type": "Claim", "name": head,
                                 "appearance": [_appearance(c) for c in mine]}
        dated = [c for c in mine if text(c.get("published"))]
        if dated:
            claim["firstAppearance"] = _appearance(dated[0])
        unit = " ".join(p for p in (text(e.get("victims")), text(e.get("category"))) if p)
        quantity: dict[str, Any] = {"@type": "QuantitativeValue", "unitText": unit or "people"}
        for prop, col in (("minValue", "low"), ("value", "best"), ("maxValue", "high")):
            if (v := _int(e.get(col))) is not None:
                quantity[prop] = v
        rating: dict[str, Any] = {"@type": "Rating", "alternateName": review}
        if text(e.get("basis")):
            rating["ratingExplanation"] = text(e.get("basis"))
        node: dict[str, Any] = {
            "@type": "ClaimReview", "identifier": eid,
            "claimReviewed": f"{head}: {said}" if said else head,
            "itemReviewed": claim, "reviewRating": rating, "about": quantity,
        }
        people = [m for note in review.split(" | ") if (m := _BY.search(note))]
        names = list(dict.fromkeys(m["who"].strip() for m in people))
        if names:
            node["author"] = [{"@type": "Person", "name": n} for n in names]
        if days := sorted(m["date"] for m in people if m["date"]):
            node["datePublished"] = days[-1]
        out.append(node)
    return out


def export_claimreview(outdir: str | Path, output: str | Path | None = None) -> tuple[Path, int]:
    """Write the ClaimReview JSON-LD of run ``outdir`` to ``output`` (default
    ``OUTDIR/claimreview.jsonld``), atomically; returns the path and the number of reviews.
    """
    tables = read_tables(outdir)
    events = tables["events"]
    if events is None:  # pragma: no cover - read_tables raises first
        raise InputError("no events table here", file=str(outdir))
    nodes = claim_reviews(events, tables.get("claims"))
    doc = {"@context": "https://schema.org", "@graph": nodes}
    target = Path(output) if output is not None else Path(outdir) / DEFAULT_NAME
    atomic_write_text(target, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    return target, len(nodes)
