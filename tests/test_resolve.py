"""Baseline grouping and resolution."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.group.baseline import group_claims
from reconcile.load import validate_claims
from reconcile.resolve.baseline import EVENT_COLUMNS, resolve_events


def claims(rows: list[dict]) -> pd.DataFrame:
    raw = pd.DataFrame(rows).fillna("").astype(str)
    raw.insert(0, "line", range(2, len(raw) + 2))
    ok, rejects = validate_claims(raw)
    assert rejects.empty, rejects
    return ok


def resolve(rows: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    return resolve_events(group_claims(claims(rows)))


def one_event(rows: list[dict]) -> pd.Series:
    events, _ = resolve(rows)
    assert len(events) == 1
    return events.iloc[0]


def test_event_key_groups_same_incident_and_splits_others():
    base = {"category": "killed", "location": "Aleppo", "event_date": "2013-02-22"}
    events, out = resolve([
        {**base, "source": "A", "figure": "29"},
        {**base, "source": "B", "figure": "at least 20", "location": " aleppo "},
        {**base, "source": "C", "figure": "5", "category": "wounded"},
        {**base, "source": "D", "figure": "5", "event_date": "2013-02-23"},
    ])
    assert len(events) == 3
    assert out.groupby("event_id")["source"].apply(lambda s: "".join(sorted(s))).sort_values() \
        .tolist() == ["AB", "C", "D"]


def test_consistent_claims_intersect():
    ev = one_event([{"source": "A", "figure": "at least 25"},
                    {"source": "B", "figure": "between 20 and 40"},
                    {"source": "C", "figure": "about 30"}])
    assert (ev["low"], ev["best"], ev["high"], ev["status"]) == (27, 30, 33, "agreed")


def test_lower_bounds_are_not_penalised():
    events, out = resolve([{"source": "A", "figure": "at least 7"},
                           {"source": "B", "figure": "56"}])
    ev = events.iloc[0]
    assert (ev["low"], ev["best"], ev["high"]) == (56, 56, 56)
    assert set(out["verdict"]) == {"consistent"}


def test_unbounded_high_stays_empty():
    ev = one_event([{"source": "A", "figure": "more than 290"}])
    assert ev["low"] == 291 and ev["best"] == 291 and pd.isna(ev["high"])
    assert ev["status"] == "single-source"


def test_contested_uses_median_and_middle_claims():
    events, out = resolve([{"source": s, "figure": f}
                           for s, f in [("A", "10"), ("B", "12"), ("C", "14"), ("D", "200")]])
    ev = events.iloc[0]
    assert ev["status"] == "contested"
    assert (ev["low"], ev["best"], ev["high"]) == (10, 12, 14)
    verdicts = dict(zip(out["source"], out["verdict"], strict=True))
    assert verdicts == {"A": "below", "B": "consistent", "C": "above", "D": "above"}
    assert "D 200 (above)" in ev["conflicts"]


def test_later_report_supersedes_earlier_from_same_source():
    events, out = resolve([
        {"source": "CD", "figure": "at least 120", "published": "2025-06-10T06:00"},
        {"source": "CD", "figure": "312", "published": "2025-06-13T06:00"},
        {"source": "HM", "figure": "more than 300", "published": "2025-06-12T06:00"},
    ])
    ev = events.iloc[0]
    assert (ev["best"], ev["status"], ev["n_claims"], ev["n_sources"]) == (312, "agreed", 3, 2)
    assert out.set_index("figure").loc["at least 120", "verdict"] == "superseded"


def test_each_source_weighs_once():
    # Three claims from A at the same time must not outvote B and C.
    rows = [{"source": "A", "figure": "100"}] * 1 + [
        {"source": "A", "figure": "101"}, {"source": "A", "figure": "102"},
        {"source": "B", "figure": "10"}, {"source": "C", "figure": "11"}]
    ev = one_event(rows)
    assert ev["best"] == 11


def test_part_of_links_events():
    events, _ = resolve([
        {"claim_id": "w", "source": "WH", "figure": "25", "victims": "people"},
        {"claim_id": "p", "source": "WH", "figure": "10", "victims": "children", "part_of": "w"},
    ])
    by_victims = events.set_index("victims")
    assert by_victims.loc["children", "parent_event_id"] == by_victims.loc["people", "event_id"]


def test_columns_and_empty_input():
    events, out = resolve_events(group_claims(claims([{"source": "A", "figure": "1"}]).iloc[:0]))
    assert list(events.columns) == list(EVENT_COLUMNS) and events.empty and out.empty


figures = st.sampled_from(["5", "at least 5", "more than 10", "up to 8", "about 60", "dozens",
                           "between 3 and 9", "none", "nearly 100", "1,200", "fewer than 4"])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ABCDE"), figures, st.sampled_from("XY")),
                min_size=1, max_size=12))
def test_low_best_high_ordered_and_order_free(rows):
    """low <= best <= high for every event, and shuffling rows changes nothing."""
    table = [{"source": s, "figure": f, "location": loc} for s, f, loc in rows]
    events, out = resolve(table)
    high = events["high"].astype("Float64").fillna(float("inf"))
    assert (events["low"] <= events["best"]).all() and (events["best"] <= high).all()
    events2, out2 = resolve(list(reversed(table)))
    pd.testing.assert_frame_equal(events, events2)
    pd.testing.assert_frame_equal(out.drop(columns="line"), out2.drop(columns="line"))


@pytest.mark.parametrize("status, rows", [
    ("single-source", [{"source": "A", "figure": "3"}, {"source": "A", "figure": "3"}]),
    ("agreed", [{"source": "A", "figure": "3"}, {"source": "B", "figure": "at least 2"}]),
    ("contested", [{"source": "A", "figure": "3"}, {"source": "B", "figure": "9"}]),
])
def test_status(status, rows):
    assert one_event(rows)["status"] == status
