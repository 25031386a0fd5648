"""examples/claims.csv, event by event, read as a fact-checker would.

Each test names the event and states the conclusion a careful reviewer would
draw from its figures; the engine's events.csv must say the same.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from reconcile.group import group_claims
from reconcile.load import load_claims
from reconcile.resolve import resolve_events

EXAMPLE = Path(__file__).parents[1] / "examples" / "claims.csv"


@pytest.fixture(scope="module")
def resolved():
    return resolve_events(group_claims(load_claims(EXAMPLE).claims))


def event(resolved, **where) -> pd.Series:
    ev = resolved.events
    mask = pd.Series(True, index=ev.index)
    for col, value in where.items():
        mask &= ev[col].eq(value)
    assert mask.sum() == 1, where
    return ev[mask].iloc[0]


def verdict(resolved, claim_id: str) -> pd.Series:
    return resolved.claims.set_index("claim_id").loc[claim_id]


def test_denials_do_not_zero_a_monitors_count(resolved):
    """Idlib civilians: two parties accused of the strikes deny any civilian deaths; an
    independent monitor counts at least 15. The denials are listed, the count stands,
    the event is contested, and "at least 15" has no upper bound of 15."""
    e = event(resolved, location="Idlib", victims="civilians")
    assert e["best"] >= 15 and e["high"] > 15
    assert (e["status"], e["grade"]) == ("contested", "contested")
    assert "Russia 0 (denial)" in e["conflicts"] and "Syrian military 0 (denial)" in e["conflicts"]
    assert "denied by" in e["basis"]
    assert verdict(resolved, "deny-russia")["verdict"] == "denial"
    assert verdict(resolved, "ex-idlib-civ")["verdict"] == "consistent"


def test_more_than_80_is_read_by_its_bound(resolved):
    """Damascus car bomb: state media 53 (early), a monitor "more than 80", a blog "an
    estimated 60". "More than 80" means 81 or more: whatever [low, high] is, the figure is
    judged by 81, never by its anchor 80; the independent figures exclude each other."""
    e = event(resolved, location="Damascus")
    mon = verdict(resolved, "ex-damascus-mon")
    if mon["verdict"] == "above":
        assert mon["distance"] == 81 - e["high"]
    else:
        assert e["high"] >= 81
    assert e["status"] == "contested"
    assert e["best"] in (53, 60, 81)  # a figure somebody stated, not a compromise


def test_two_lower_bounds_are_not_agreed_with_high_confidence(resolved):
    """All of Syria that day: "more than 290" (unconfirmed) and "at least 250". Two lower
    bounds say how low the toll cannot be, not what it is: not "agreed"; best honours the
    higher bound; the interval reaches above it."""
    e = event(resolved, country="Syria", location="", date_start="2013-02-21")
    assert e["status"] != "agreed" and e["grade"] != "confirmed"
    assert e["best"] >= 291 and e["high"] > 291
    assert e["confidence"] < 0.9
    assert "Only bounds" in e["basis"]


def test_almost_6000_and_about_5000_are_not_a_5400_agreement(resolved):
    """Aleppo evacuation: "almost 6,000" against "about 5,000". Not agreed at 5,400: either
    a figure somebody stated, or an interval honest about both."""
    e = event(resolved, category="displaced", location="Aleppo")
    assert e["status"] != "agreed"
    assert e["best"] in (5000, 5999) or (e["low"] <= 5000 and e["high"] >= 5999)


def test_the_port_authoritys_count_is_not_a_conflict(resolved):
    """Ferry: the port authority's latest count is 34; "between 30 and 40" and "up to 40"
    agree with it; officials "feared more than 100". Best is 34, the 34 is consistent, the
    feared figure is the one conflict and its hedge is shown."""
    e = event(resolved, location="Lakeport", category="killed")
    assert e["best"] == 34 and e["low"] <= 34 <= e["high"]
    assert verdict(resolved, "ex-ferry-2")["verdict"] == "consistent"
    assert verdict(resolved, "ex-ferry-1")["verdict"] == "superseded"  # its own later count
    assert "Port authority 34" not in e["conflicts"]
    assert "Local officials more than 100 (above by" in e["conflicts"]
    assert "feared" in e["conflicts"]
    assert "ex-ferry-2" in e["best_claims"].split(";")


def test_feared_more_than_100_weighs_little(resolved):
    """Without the hedged "feared more than 100" the estimate barely moves."""
    claims = load_claims(EXAMPLE).claims
    without = resolve_events(group_claims(claims[claims["claim_id"] != "ex-ferry-4"])).events
    after = without[(without["location"] == "Lakeport") & (without["category"] == "killed")]
    e = event(resolved, location="Lakeport", category="killed")
    assert abs(int(after["best"].iloc[0]) - int(e["best"])) <= 2


def test_a_later_official_count_supersedes_an_earlier_one_from_another_source(resolved):
    """Earthquake: civil defence's count rises to 312 (final); the health ministry said 300
    a day earlier; a wire says "nearly 320". Best is 312; the 300 is superseded by the later
    count (tolls grow), not a conflict; civil defence's own early bounds are superseded."""
    e = event(resolved, location="Northvale", category="killed")
    assert e["best"] == 312
    assert verdict(resolved, "ex-quake-4")["verdict"] == "superseded"
    assert verdict(resolved, "ex-quake-1")["verdict"] == "superseded"
    assert verdict(resolved, "ex-quake-5")["verdict"] == "consistent"
    assert e["conflicts"] == ""
    assert e["status"] in ("agreed", "resolved") and e["n_independent"] == 3


@pytest.mark.parametrize("where, width", [
    ({"location": "Idlib", "category": "injured"}, (24, 99)),           # "dozens"
    ({"location": "Aleppo", "victims": "soldiers"}, (24, 99)),          # "dozens", claimed
    ({"location": "Northvale", "category": "displaced"}, (20000, 99999)),  # "tens of thousands"
])
def test_vague_only_events_keep_their_width_and_say_so(resolved, where, width):
    """A vague word alone is its range, says so, grades weak, and is less sure than an
    exact figure from one source (the campaign's 56)."""
    e = event(resolved, **where)
    exact = event(resolved, location="northwestern Syria", victims="people",
                  date_end="2024-12-02", date_start="2024-11-27")
    assert (e["low"], e["high"]) == width
    assert "vague" in e["basis"] and e["grade"] == "weak"
    assert e["confidence"] < exact["confidence"]
    assert exact["best"] == 56 and exact["low"] < 56 < exact["high"]


def test_parts_sit_inside_their_wholes(resolved):
    """Ten of the Idlib dead were children; twenty of the campaign's 56 across the northwest."""
    for place, parent_low in (("Idlib", ("2024-12-02", 10)),
                              ("northwestern Syria", ("2024-11-27", 20))):
        child = event(resolved, location=place, victims="children", date_start=parent_low[0])
        whole = resolved.events.set_index("event_id").loc[child["parent_event_id"]]
        assert child["best"] == parent_low[1]
        assert child["high"] <= whole["high"] and child["best"] <= whole["best"]


def test_every_event_explains_itself(resolved):
    ev = resolved.events
    assert ev["basis"].str.len().gt(20).all()
    assert (ev["best_claims"] != "").all()
    assert ev["grade"].isin(["confirmed", "fair", "weak", "contested"]).all()
