"""Resolution: dependence, time, the posterior, verdicts, hierarchy, policies, the seam."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.group.baseline import group_claims
from reconcile.load import validate_claims
from reconcile.resolve import (
    Options,
    Stats,
    make_blocks,
    resolve_block,
    resolve_events,
    update_sources,
)
from reconcile.resolve.dependence import detect_dependence
from reconcile.resolve.frame import prepare_claims
from reconcile.resolve.model import initial_params
from reconcile.resolve.policy import POLICIES
from reconcile.rules.sources import default_source_priors
from reconcile.schema import EVENT_COLUMNS, RESOLVED_CLAIM_COLUMNS, SOURCE_COLUMNS, VERDICTS


def claims(rows: list[dict]) -> pd.DataFrame:
    raw = pd.DataFrame(rows).fillna("").astype(str)
    raw.insert(0, "line", range(2, len(raw) + 2))
    ok, rejects = validate_claims(raw)
    assert rejects.empty, rejects
    return ok


def resolve(rows: list[dict], **kw):
    return resolve_events(group_claims(claims(rows)), **kw)


def one_event(rows: list[dict], **kw) -> tuple[pd.Series, pd.DataFrame]:
    r = resolve(rows, **kw)
    assert len(r.events) == 1
    return r.events.iloc[0], r.claims.set_index("claim_id")


def verdicts(out: pd.DataFrame) -> dict[str, str]:
    return dict(zip(out["figure"], out["verdict"], strict=True))


# -- dependence -------------------------------------------------------------------------


def test_same_source_later_report_supersedes_and_repeats_are_relayed():
    ev, out = one_event([
        {"claim_id": "a", "source": "CD", "figure": "at least 120", "published": "2025-06-10T06:00"},
        {"claim_id": "b", "source": "CD", "figure": "312", "published": "2025-06-13T06:00"},
        {"claim_id": "c", "source": "cd ", "figure": "312", "published": "2025-06-13T09:00",
         "outlet": "Wire"},
        {"claim_id": "d", "source": "HM", "figure": "at least 300", "published": "2025-06-12T06:00"},
    ])
    assert out.loc["a", "verdict"] == "superseded" and out.loc["a", "weight"] == 0
    assert out.loc["c", "verdict"] == "relayed" and out.loc["c", "weight"] == 0
    assert out.loc["b", "weight"] == 1 and out.loc["b", "source_id"] == "cd"
    assert (ev["n_claims"], ev["n_sources"], ev["n_independent"]) == (4, 2, 2)
    assert ev["best"] == 312


def test_each_source_speaks_once_per_event():
    """Three figures from A at the same time share A's one voice against B and C."""
    rows = [{"source": "A", "figure": f} for f in ("100", "101", "102")] + [
        {"source": "B", "figure": "10"}, {"source": "C", "figure": "11"}]
    ev, out = one_event(rows)
    assert out[out["source"] == "A"]["weight"].round(3).tolist() == [0.333] * 3
    assert ev["n_independent"] == 3
    assert 10 <= ev["best"] <= 11


def test_copier_is_detected_and_adds_no_weight():
    """A source that repeats another's figures, later, on many events, is a copy."""
    rows = []
    for i in range(12):
        day = f"2024-03-{i + 1:02d}"
        rows += [
            {"claim_id": f"o{i}", "source": "Monitor", "figure": str(20 + 3 * i),
             "location": f"Town{i}", "event_date": day, "published": f"{day}T08:00"},
            {"claim_id": f"c{i}", "source": "Feed", "figure": str(20 + 3 * i),
             "location": f"Town{i}", "event_date": day, "published": f"{day}T09:00"},
            {"claim_id": f"x{i}", "source": "Agency", "figure": str(19 + 3 * i + i % 3),
             "location": f"Town{i}", "event_date": day, "published": f"{day}T10:00"},
        ]
    r = resolve(rows)
    out = r.claims.set_index("claim_id")
    assert set(out.loc[[f"c{i}" for i in range(12)], "verdict"]) == {"copy"}
    assert out.loc[[f"c{i}" for i in range(12)], "weight"].max() < 0.1
    src = r.sources.set_index("source")
    assert src.loc["Feed", "copies_of"] == "Monitor"
    assert src.loc["Feed", "cluster"] == src.loc["Monitor", "cluster"] == "Monitor"
    assert src.loc["Agency", "copies_of"] == "" and src.loc["Agency", "cluster"] == "Agency"
    assert (r.events["n_independent"] == 2).all()


def test_relay_column_makes_a_citation():
    r = resolve([{"source": "SOHR", "figure": "more than 290", "relay": "Live blog"},
                 {"source": "Wire", "figure": "at least 250"}])
    src = r.sources.set_index("source")
    assert src.loc["SOHR", "cited_by"] == "Live blog"


# -- the estimate -------------------------------------------------------------------------


def test_a_single_exact_figure_gets_an_interval_from_its_source_noise():
    ev, _ = one_event([{"source": "A", "figure": "56"}])
    assert ev["low"] < 56 < ev["high"] and ev["best"] == 56
    assert 0.75 <= ev["confidence"] <= 0.95
    assert (ev["status"], ev["grade"]) == ("single-source", "weak")
    assert "learnt noise" in ev["basis"]


def test_lower_bounds_are_not_penalised_for_being_low():
    ev, out = one_event([{"source": "A", "figure": "at least 7", "published": "2024-01-01T08:00"},
                         {"source": "B", "figure": "56", "published": "2024-01-02T08:00"}])
    assert ev["best"] == 56
    assert set(out["verdict"]) == {"consistent"}


def test_bounds_not_anchors_decide_what_lies_outside():
    """'More than 80' is [81, inf): its distance to [low, high] counts from 81."""
    ev, out = one_event([{"source": "A", "figure": "60"}, {"source": "B", "figure": "61"},
                         {"source": "C", "figure": "62"}, {"source": "D", "figure": "more than 80"}])
    row = out[out["figure"] == "more than 80"].iloc[0]
    assert row["verdict"] == "above"
    assert row["distance"] == 81 - ev["high"]
    assert f"more than 80 (above by {81 - ev['high']})" in ev["conflicts"]


def test_vague_only_event_keeps_its_width_and_says_so():
    vague, _ = one_event([{"source": "A", "figure": "dozens"}])
    exact, _ = one_event([{"source": "A", "figure": "56"}])
    assert (vague["low"], vague["high"]) == (24, 99)
    assert "vague" in vague["basis"] and vague["grade"] == "weak"
    assert vague["confidence"] < exact["confidence"]


def test_a_denial_alone_does_not_erase_an_independent_count():
    ev, out = one_event([{"source": "Army", "low": "0", "high": "0", "hedge": "denied"},
                         {"source": "Monitor", "figure": "at least 15"}])
    assert ev["best"] >= 15 and ev["status"] == "contested"
    assert out[out["source"] == "Army"]["verdict"].tolist() == ["denial"]
    assert "Army 0 (denial)" in ev["conflicts"]


def test_a_lone_denial_gives_zero():
    ev, _ = one_event([{"source": "Army", "low": "0", "high": "0", "hedge": "denied"}])
    assert ev["best"] == 0 and ev["low"] == 0


def test_ties_are_broken_by_trust_not_by_lower():
    """Two figures, one voice each: the side of the source that is right elsewhere wins."""
    rows = []
    for i in range(15):  # Good agrees with a third source on 15 events; Bad is always off
        rows += [{"source": "Good", "figure": str(100 + i), "location": f"T{i}"},
                 {"source": "Other", "figure": str(100 + i), "location": f"T{i}"},
                 {"source": "Bad", "figure": str(150 + i), "location": f"T{i}"}]
    rows += [{"source": "Good", "figure": "300", "location": "X"},
             {"source": "Bad", "figure": "200", "location": "X"}]
    r = resolve(rows)
    x = r.events.set_index("location").loc["X"]
    assert x["best"] == 300


def test_sources_agreeing_on_an_exact_number_outweigh_one_figure_a_little_off():
    """Population's Indianapolis: six editors state 791,926, one 791,555. Exactness: the
    agreed number itself, not a point of the blurred density between them."""
    rows = [{"source": f"E{i}", "figure": "791,926"} for i in range(6)]
    rows.append({"source": "Odd", "figure": "791,555"})
    ev, _ = one_event(rows)
    assert ev["best"] == 791926 and ev["status"] != "contested"


def test_exactness_is_learnt_per_source():
    """A source whose exact figures match others' is learnt more exact than one whose
    figures are always a little off."""
    rows = []
    for i in range(12):
        rows += [{"source": "Exact", "figure": str(200 + 7 * i), "location": f"T{i}"},
                 {"source": "Other", "figure": str(200 + 7 * i), "location": f"T{i}"},
                 {"source": "Near", "figure": str(203 + 7 * i), "location": f"T{i}"}]
    r = resolve(rows)
    code = {s: i for i, s in enumerate(sorted(r.claims["source_id"].unique()))}
    assert r.params.exact[code["exact"]] > r.params.exact[code["near"]]


def test_shared_error_widens_many_sources_and_leaves_one_alone():
    """Five sources of one event carry less than five independent observations'
    evidence (shared errors: the grouping's and the sources'): their interval is wider
    than if they were independent; a lone source's is untouched (nothing to share)."""
    rows = [{"source": f"S{i}", "figure": str(v)} for i, v in enumerate([90, 97, 100, 104, 111])]
    shared, _ = one_event(rows)
    indep, _ = one_event(rows, options=Options(shared_error=0.0))
    assert shared["high"] - shared["low"] > indep["high"] - indep["low"]
    assert shared["low"] <= indep["low"] and shared["high"] >= indep["high"]
    lone = [{"source": "A", "figure": "56"}]
    a, _ = one_event(lone)
    b, _ = one_event(lone, options=Options(shared_error=0.0))
    assert (a["low"], a["best"], a["high"], a["confidence"]) == \
        (b["low"], b["best"], b["high"], b["confidence"])
    # A denial shares no error with the count it denies: one count and two denials are
    # weighed as if independent (the count's evidence against 0 is not thinned).
    denied = [{"source": "Monitor", "figure": "at least 15"},
              {"source": "Accused", "figure": "0"}, {"source": "Ally", "figure": "0"}]
    a, _ = one_event(denied)
    b, _ = one_event(denied, options=Options(shared_error=0.0))
    assert (a["low"], a["best"], a["high"]) == (b["low"], b["best"], b["high"])
    with pytest.raises(ValueError, match="shared_error"):
        Options(shared_error=1.5)


def test_figures_a_few_percent_apart_are_not_a_dispute():
    ev, _ = one_event([{"source": "A", "figure": "300", "published": "2025-06-12T12:00"},
                       {"source": "B", "figure": "312", "published": "2025-06-12T12:00"}])
    assert ev["status"] != "contested"


def test_contested_when_independent_figures_exclude_each_other():
    at = "2024-01-01T10:00"
    ev, _ = one_event([{"source": "A", "figure": "12", "published": at},
                       {"source": "B", "figure": "45", "published": at}])
    assert ev["status"] == "contested" and ev["grade"] == "contested"
    assert "around 12 and around 45" in ev["basis"]


@pytest.mark.parametrize("status, rows", [
    ("single-source", [{"source": "A", "figure": "3"}, {"source": "A", "figure": "3"}]),
    ("agreed", [{"source": "A", "figure": "30"}, {"source": "B", "figure": "between 28 and 33"}]),
    ("resolved", [{"source": "A", "figure": "at least 30"}, {"source": "B", "figure": "more than 20"}]),
])
def test_status(status, rows):
    assert one_event(rows)[0]["status"] == status


# -- hierarchy ------------------------------------------------------------------------------


def test_part_is_at_most_its_whole():
    r = resolve([
        {"claim_id": "w", "source": "WH", "figure": "25", "victims": "people"},
        {"claim_id": "p", "source": "WH", "figure": "30", "victims": "children", "part_of": "w"},
    ])
    ev = r.events.set_index("victims")
    part, whole = ev.loc["children"], ev.loc["people"]
    assert part["parent_event_id"] == whole["event_id"]
    assert part["best"] <= whole["best"] and part["high"] <= whole["high"]
    assert whole["low"] >= part["low"]


def test_confidence_is_taken_given_the_bounds_the_links_moved():
    """A whole raised to its part's low: its confidence is its mass in [low, high] given
    that bound, not the unconstrained mass (which left linked events under-confident)."""
    r = resolve([
        {"claim_id": "w", "source": "WH", "figure": "about 40", "victims": "people"},
        {"claim_id": "p", "source": "CH", "figure": "38", "victims": "children", "part_of": "w"},
    ])
    whole = r.events.set_index("victims").loc["people"]
    assert whole["low"] >= r.events.set_index("victims").loc["children", "low"]
    assert 0.5 <= whole["confidence"] <= 1.0


def test_total_is_at_least_the_sum_of_incidents_within():
    grouped = group_claims(claims([
        {"claim_id": "t", "source": "M", "figure": "at least 20", "location": "Total"},
        {"claim_id": "a", "source": "M", "figure": "15", "location": "A"},
        {"claim_id": "b", "source": "M", "figure": "12", "location": "B"},
    ]))
    total = grouped.loc[grouped["claim_id"] == "t", "event_id"].iloc[0]
    grouped["parent_event_id"] = np.where(grouped["claim_id"] == "t", "", total)
    grouped["parent_link"] = np.where(grouped["claim_id"] == "t", "", "within")
    ev = resolve_events(grouped).events.set_index("location")
    assert ev.loc["Total", "best"] >= ev.loc["A", "best"] + ev.loc["B", "best"]
    assert ev.loc["Total", "low"] >= ev.loc["A", "low"] + ev.loc["B", "low"]


# -- tables, policies, the seam -------------------------------------------------------------


def test_columns_and_empty_input():
    r = resolve_events(group_claims(claims([{"source": "A", "figure": "1"}]).iloc[:0]))
    assert list(r.events.columns) == list(EVENT_COLUMNS) and r.events.empty
    assert list(r.claims.columns)[-len(RESOLVED_CLAIM_COLUMNS):] == list(RESOLVED_CLAIM_COLUMNS)
    assert list(r.sources.columns) == list(SOURCE_COLUMNS)


def test_every_verdict_is_known():
    r = resolve([{"source": s, "figure": f} for s, f in
                 [("A", "3"), ("B", "9"), ("C", "at least 2"), ("A", "3")]])
    assert set(r.claims["verdict"]) <= set(VERDICTS)


@pytest.mark.parametrize("policy", list(POLICIES))
def test_every_policy_runs(policy):
    rows = [{"source": "A", "figure": "30"}, {"source": "B", "figure": "40"},
            {"source": "C", "figure": "about 35"}]
    ev, _ = one_event(rows, policy=policy)
    assert ev["low"] <= ev["best"] <= ev["high"]
    model, _ = one_event(rows)
    if policy == "conservative":
        assert ev["best"] == model["low"] and ev["basis"].startswith("Conservative")
    elif policy != "estimate":
        assert ev["low"] == ev["best"] == ev["high"] and ev["basis"].startswith(f"Policy {policy}")


def test_unknown_policy_is_an_error():
    with pytest.raises(ValueError, match="unknown policy"):
        resolve([{"source": "A", "figure": "3"}], policy="loudest")


def test_blocks_are_a_seam_results_do_not_depend_on_block_size():
    rows = [{"source": s, "figure": f, "location": loc}
            for loc in ("X", "Y", "Z") for s, f in (("A", "10"), ("B", "12"), ("C", "at least 9"))]
    grouped = group_claims(claims(rows))
    one = resolve_events(grouped, options=Options(block_claims=1))
    many = resolve_events(grouped, options=Options(block_claims=10_000))
    pd.testing.assert_frame_equal(one.events, many.events)


def test_resolve_block_and_update_sources_by_hand():
    """The map (resolve_block) and the reduce (update_sources) an engine would run."""
    grouped = group_claims(claims([{"source": s, "figure": f, "location": loc}
                                   for loc in "XYZ" for s, f in (("A", "10"), ("B", "12"))]))
    priors, options = default_source_priors(), Options()
    p = prepare_claims(grouped, priors)
    dep = detect_dependence(p)
    final, em = make_blocks(p, dep, options)
    params = initial_params(p, priors, options)
    stats = Stats.zeros(p.n_sources, len(p.prior_groups))
    for block in em:
        stats = stats + resolve_block(block, params, options, final=False).stats
    new = update_sources(stats, params, options)
    assert new.iterations == 1 and new.noise.shape == params.noise.shape
    out = [resolve_block(b, new, options) for b in final]
    assert sum(len(o.events) for o in out) == 3
    # What an engine broadcasts and reduces pickles, and a pickled block resolves the same.
    import pickle

    again = pickle.loads(pickle.dumps((final[0], new, options, stats)))
    assert again[3].n0.shape == stats.n0.shape
    twice = resolve_block(again[0], again[1], again[2])
    pd.testing.assert_frame_equal(twice.events, out[0].events)


def test_unique_pairs_is_numpys_unique_rows():
    from reconcile.resolve.columns import unique_pairs

    rng = np.random.default_rng(3)
    a, b = rng.integers(0, 40, 500), rng.integers(0, 90, 500)
    assert np.array_equal(unique_pairs(a, b), np.unique(np.stack([a, b], axis=1), axis=0))
    assert unique_pairs(a[:0], b[:0]).shape == (0, 2)


# -- laws ------------------------------------------------------------------------------------

figures = st.sampled_from(["5", "at least 5", "more than 10", "up to 8", "about 60", "dozens",
                           "between 3 and 9", "nearly 100", "1,200", "fewer than 4", "12", "14"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ABCDE"), figures, st.sampled_from("XY")),
                min_size=1, max_size=10), st.randoms())
def test_low_best_high_ordered_and_row_order_free(rows, rnd):
    """low <= best <= high for every event, and permuting the rows changes nothing."""
    table = [{"source": s, "figure": f, "location": loc} for s, f, loc in rows]
    a = resolve(table)
    high = a.events["high"].astype(float)
    assert (a.events["low"] <= a.events["best"]).all() and (a.events["best"] <= high).all()
    shuffled = table[:]
    rnd.shuffle(shuffled)
    b = resolve(shuffled)
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.claims.drop(columns="line"), b.claims.drop(columns="line"))
    pd.testing.assert_frame_equal(a.sources, b.sources)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ABCD"), st.integers(5, 200)), min_size=1, max_size=4))
def test_an_agreeing_source_never_costs_coverage(rows):
    """Adding an independent source that states best itself keeps that figure in
    [low, high] and the confidence at the level (no lost coverage to hide)."""
    table = [{"source": s, "figure": str(v)} for s, v in rows]
    before, _ = one_event(table)
    after, _ = one_event([*table, {"source": "New", "figure": str(before["best"])}])
    assert after["low"] <= before["best"] <= after["high"]
    assert after["confidence"] >= 0.78


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 500), st.integers(1, 500), st.sampled_from(["", "at least ", "about "]))
def test_part_never_exceeds_whole(whole, part, qualifier):
    """After the hierarchy, a part's low, best and high are at most its whole's."""
    r = resolve([
        {"claim_id": "w", "source": "S", "figure": f"{qualifier}{whole}", "victims": "people"},
        {"claim_id": "p", "source": "T", "figure": str(part), "victims": "children",
         "part_of": "w"}])
    ev = r.events.set_index("victims")
    for col in ("low", "best", "high"):
        assert ev.loc["children", col] <= ev.loc["people", col]
