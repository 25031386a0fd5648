"""Simulated worlds: deterministic, well-formed, and true to their own truth tables."""

from __future__ import annotations

import random
import re

import numpy as np
import pandas as pd
import pytest

from reconcile.core.interval import INF
from reconcile.core.parse import Figure, parse_figure
from reconcile.errors import InputError, OutputError, ReconcileError
from reconcile.places import default_gazetteer
from reconcile.rules.load import default_rules
from reconcile.schema import SIMULATED_CLAIM_COLUMNS as CLAIM_COLUMNS
from reconcile.schema import TRUTH_CLAIM_COLUMNS, TRUTH_EVENT_COLUMNS, TRUTH_SOURCE_COLUMNS
from reconcile.simulate import (
    SCENARIOS,
    WorldSpec,
    simulate_to_dir,
    simulate_world,
    write_world,
)


@pytest.fixture(scope="module")
def realistic():
    return simulate_world(WorldSpec(n_claims=5000, seed=1, scenario="realistic"))


@pytest.fixture(scope="module")
def easy():
    return simulate_world(WorldSpec(n_claims=3000, seed=2, scenario="easy"))


@pytest.fixture(scope="module")
def adversarial():
    return simulate_world(WorldSpec(n_claims=4000, seed=3, scenario="adversarial"))


@pytest.fixture(params=SCENARIOS)
def world(request, realistic, easy, adversarial):
    return {"realistic": realistic, "easy": easy, "adversarial": adversarial}[request.param]


def _valid(world) -> np.ndarray:
    return ~world.truth_claims["malformed"].to_numpy(dtype=bool)


def _intended(world, i: int):
    tc = world.truth_claims
    hi = tc["intended_high"].iat[i]
    return int(tc["intended_low"].iat[i]), (INF if pd.isna(hi) else int(hi))


class TestDeterminism:
    def test_same_seed_same_world(self):
        spec = WorldSpec(n_claims=1500, seed=42, scenario="adversarial")
        a, b = simulate_world(spec), simulate_world(spec)
        for name in ("claims", "truth_events", "truth_claims", "truth_sources"):
            pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))

    def test_other_seed_other_world(self):
        a = simulate_world(WorldSpec(n_claims=800, seed=1))
        b = simulate_world(WorldSpec(n_claims=800, seed=2))
        assert not a.claims["figure"].equals(b.claims["figure"])
        assert not a.truth_events["count"].equals(b.truth_events["count"])

    def test_python_global_random_is_untouched(self):
        random.seed(5)
        before = random.getstate()
        simulate_world(WorldSpec(n_claims=300, seed=9))
        assert random.getstate() == before

    def test_explicit_default_rules_give_the_same_world(self):
        spec = WorldSpec(n_claims=400, seed=4)
        pd.testing.assert_frame_equal(simulate_world(spec).claims,
                                      simulate_world(spec, default_rules()).claims)


class TestShape:
    def test_columns(self, world):
        assert tuple(world.claims.columns) == CLAIM_COLUMNS
        assert tuple(world.truth_events.columns) == TRUTH_EVENT_COLUMNS
        assert tuple(world.truth_claims.columns) == TRUTH_CLAIM_COLUMNS
        assert tuple(world.truth_sources.columns) == TRUTH_SOURCE_COLUMNS

    @pytest.mark.parametrize("n", [1, 2, 7, 40, 333])
    @pytest.mark.parametrize("scenario", SCENARIOS)
    def test_exactly_n_claims(self, n, scenario):
        w = simulate_world(WorldSpec(n_claims=n, seed=n, scenario=scenario))
        assert len(w.claims) == len(w.truth_claims) == n

    def test_ids_unique_and_aligned(self, world):
        assert world.claims["claim_id"].is_unique
        assert world.truth_events["true_event_id"].is_unique
        assert world.claims["claim_id"].equals(world.truth_claims["claim_id"])

    def test_low_high_are_nullable_integers(self, world):
        assert str(world.claims["low"].dtype) == "Int64"
        assert str(world.claims["high"].dtype) == "Int64"

    def test_a_row_gives_figure_or_bounds_not_both(self, world):
        c = world.claims[_valid(world)]
        has_figure = c["figure"].notna()
        assert (has_figure ^ c["low"].notna()).all()

    def test_every_event_is_reported(self, world):
        assert (world.truth_events["n_claims"] >= 1).all()

    def test_rows_in_order_of_publication(self, world):
        pub = pd.to_datetime(world.claims["published"], errors="coerce").dropna()
        assert pub.is_monotonic_increasing

    def test_event_date_not_after_publication(self, world):
        c = world.claims[_valid(world)]
        single = c["event_date"].notna() & ~c["event_date"].str.contains("/", na=False)
        both = c[single & c["published"].notna()]
        day = pd.to_datetime(both["event_date"])
        pub = pd.to_datetime(both["published"]).dt.normalize()
        assert (day <= pub).all()

    def test_tally_claims_give_a_date_window(self, world):
        tc, c = world.truth_claims, world.claims
        kind = tc["true_event_id"].map(world.truth_events.set_index("true_event_id")["kind"])
        dates = c.loc[(kind == "tally").to_numpy() & c["event_date"].notna(), "event_date"]
        assert dates.str.fullmatch(r"\d{4}-\d\d-\d\d/\d{4}-\d\d-\d\d").all()


class TestTruth:
    """The truth is a tree: aggregates sum their children, parts fit in their whole."""

    def test_parents_exist_and_have_the_right_kind(self, world):
        ev = world.truth_events.set_index("true_event_id")
        child = ev[ev["parent_event_id"].notna()]
        parent_kind = ev.loc[child["parent_event_id"], "kind"].to_numpy()
        allowed = {"part": {"incident"}, "incident": {"daily_total", "tally"},
                   "daily_total": {"tally"}}
        for kind, pk in zip(child["kind"], parent_kind, strict=True):
            assert pk in allowed[kind]

    def test_part_count_at_most_whole(self, world):
        ev = world.truth_events.set_index("true_event_id")
        parts = ev[ev["kind"] == "part"]
        assert len(parts) > 0
        whole = ev.loc[parts["parent_event_id"], "count"].to_numpy()
        assert (parts["count"].to_numpy() <= whole).all()
        assert (parts["count"] >= 1).all()

    def test_aggregate_count_equals_sum_of_children(self, world):
        ev = world.truth_events
        children = ev[ev["parent_event_id"].notna() & (ev["kind"] != "part")]
        sums = children.groupby("parent_event_id")["count"].sum()
        agg = ev[ev["kind"].isin(["daily_total", "tally"])].set_index("true_event_id")
        assert len(agg) > 0
        assert (sums.reindex(agg.index).fillna(0).astype(int) == agg["count"]).all()

    def test_aggregates_contain_killed_incidents_of_their_country_and_dates(self, world):
        ev = world.truth_events.set_index("true_event_id")
        inc = ev[(ev["kind"] == "incident") & ev["parent_event_id"].notna()]
        parent = ev.loc[inc["parent_event_id"]]
        assert (inc["category"].to_numpy() == "killed").all()
        assert (inc["country"].to_numpy() == parent["country"].to_numpy()).all()
        assert (inc["date_start"].to_numpy() >= parent["date_start"].to_numpy()).all()
        assert (inc["date_end"].to_numpy() <= parent["date_end"].to_numpy()).all()

    def test_tallies_do_not_overlap_within_a_country(self, world):
        t = world.truth_events[world.truth_events["kind"] == "tally"]
        for _, rows in t.sort_values("date_start").groupby("country"):
            assert (rows["date_start"].to_numpy()[1:] > rows["date_end"].to_numpy()[:-1]).all()

    def test_counts_are_heavy_tailed(self, realistic):
        inc = realistic.truth_events
        killed = inc.loc[(inc["kind"] == "incident") & (inc["category"] == "killed"), "count"]
        assert killed.min() >= 1
        assert killed.median() <= 10
        assert (killed <= 30).mean() > 0.85
        assert killed.max() >= 100

    def test_places_come_from_the_gazetteer(self, world):
        ev = world.truth_events
        cities = ev[ev["geonameid"].notna()]
        assert (cities["geonameid"] > 0).all()
        assert set(ev["country_code"]) <= {"SY", "UA", "SD", "YE", "PS", "MM", "CD", "AF", "IQ",
                                           "NG", "SO", "ML", "SS", "LY", "ET", "BF"}


class TestPlaces:
    """Places are named as reporters name them: spelling variants and typos (grouping needs them)."""

    @staticmethod
    def _written(world) -> pd.DataFrame:
        """Claims on incidents with a city: the place as written and the true one."""
        c = world.claims[_valid(world)][["claim_id", "location"]]
        c = c.merge(world.truth_claims[["claim_id", "true_event_id"]], on="claim_id")
        ev = world.truth_events[["true_event_id", "location", "geonameid"]]
        c = c.merge(ev.rename(columns={"location": "true_location"}), on="true_event_id")
        return c[c["geonameid"].notna() & c["location"].notna()]

    def test_variants_are_spellings_the_gazetteer_knows(self, realistic):
        c = self._written(realistic)
        other = c[c["location"] != c["true_location"]]
        gaz = default_gazetteer()
        known = other.apply(lambda r: any(p.name == r["true_location"] or p.geonameid == r["geonameid"]
                                          for p in gaz.lookup(r["location"])), axis=1)
        assert known.mean() > 0.6  # the rest are typos
        assert known.sum() / len(c) > 0.05
        assert other.loc[known, "location"].nunique() > 50

    def test_typos_drop_or_swap_a_letter(self, realistic):
        c = self._written(realistic)
        typo = c[(c["location"] != c["true_location"])
                 & c.apply(lambda r: sorted(r["location"]) == sorted(r["true_location"])
                           or len(r["location"]) == len(r["true_location"]) - 1, axis=1)]
        assert len(typo) / len(c) > 0.01

    def test_easy_worlds_have_no_typos_but_some_variants(self, easy):
        c = self._written(easy)
        assert 0.01 < (c["location"] != c["true_location"]).mean() < 0.1


class TestFigures:
    def test_every_valid_figure_parses_to_the_intended_interval(self, world):
        c = world.claims
        for i in np.flatnonzero(_valid(world)):
            text = c["figure"].iat[i]
            if pd.isna(text):
                hi = c["high"].iat[i]
                got = (int(c["low"].iat[i]), INF if pd.isna(hi) else int(hi))
            else:
                fig = parse_figure(text)
                assert isinstance(fig, Figure), (text, fig)
                got = (fig.interval.lo, fig.interval.hi)
            assert got == _intended(world, i), text

    def test_interval_holds_what_the_source_believed(self, world):
        tc = world.truth_claims[_valid(world)]
        b = tc["believed"].astype(int)
        assert (b >= tc["intended_low"].astype(int)).all()
        hi = tc["intended_high"]
        assert (hi.isna() | (b <= hi.fillna(0).astype(int))).all()

    def test_honest_sources_contain_the_truth(self, world):
        tc = world.truth_claims[_valid(world) & world.truth_claims["honest"].to_numpy()]
        assert len(tc) > 50
        count = tc["true_event_id"].map(world.truth_events.set_index("true_event_id")["count"])
        assert (count >= tc["intended_low"]).all()
        hi = tc["intended_high"]
        assert (hi.isna() | (count <= hi)).all()

    def test_growing_tolls_make_early_reports_lower_bounds(self, realistic):
        tc = realistic.truth_claims[_valid(realistic)]
        early_honest = tc[tc["honest"] & (tc["toll_fraction"] < 0.5)]
        assert len(early_honest) > 0
        assert (early_honest["style"] == "lower").all()

    def test_every_style_is_written(self, realistic):
        styles = set(realistic.truth_claims["style"])
        assert {"exact", "lower", "upper", "nearly", "approx", "range", "vague"} <= styles
        assert realistic.truth_claims["bounds"].any()

    def test_figure_text_uses_rule_phrases_and_number_words(self, realistic):
        figs = realistic.claims["figure"].dropna().str.lower()
        assert figs.str.startswith("at least ").any()
        assert figs.str.startswith("about ").any() or figs.str.startswith("around ").any()
        assert figs.str.contains(r"\d,\d{3}").any()  # thousands separators
        words = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}
        assert figs.map(lambda f: bool(words & set(re.findall(r"[a-z]+", f)))).any()
        assert not figs.str.contains(r"\b(?:another|a further)\b").any()  # increments


class TestSources:
    def test_repeats_and_copies_keep_the_originals_figure(self, world):
        tc = world.truth_claims.set_index("claim_id")
        c = world.claims.set_index("claim_id")
        dep = tc[tc["role"].isin(["repeat", "copy"])]
        assert len(dep) > 0
        orig = tc.loc[dep["origin_claim_id"]]
        assert (dep["believed"].to_numpy() == orig["believed"].to_numpy()).all()
        assert (dep["intended_low"].to_numpy() == orig["intended_low"].to_numpy()).all()
        assert (dep["true_event_id"].to_numpy() == orig["true_event_id"].to_numpy()).all()
        pub = pd.to_datetime(c.loc[dep.index, "published"])
        opub = pd.to_datetime(c.loc[dep["origin_claim_id"], "published"]).to_numpy()
        both = pub.notna().to_numpy() & ~pd.isna(opub)
        assert (pub.to_numpy()[both] > opub[both]).all()

    def test_copies_are_word_for_word_under_the_copiers_name(self, realistic):
        tc = realistic.truth_claims.set_index("claim_id")
        c = realistic.claims.set_index("claim_id")
        copies = tc[tc["role"] == "copy"]
        assert len(copies) > 0
        a = c.loc[copies.index, "figure"].fillna("")
        b = c.loc[copies["origin_claim_id"], "figure"].fillna("")
        assert (a.to_numpy() == b.to_numpy()).all()
        kinds = realistic.truth_sources.set_index("source")["kind"]
        assert (kinds.loc[c.loc[copies.index, "source"]] == "copier").all()

    def test_outlets_name_the_originator_or_themselves(self, realistic):
        tc = realistic.truth_claims
        rep = tc[tc["role"] == "repeat"]
        attributed = rep["source_canonical"] == rep["originator"]
        assert 0.5 < attributed.mean() < 0.95
        roles = realistic.truth_sources.set_index("source")["role"]
        assert (roles.loc[rep.loc[~attributed, "source_canonical"]] == "outlet").all()

    def test_sources_are_written_under_other_names_sometimes(self, realistic):
        tc, c = realistic.truth_claims, realistic.claims
        ok = _valid(realistic)
        differs = c["source"][ok] != tc["source_canonical"][ok]
        assert 0 < differs.mean() < 0.3

    def test_part_claims_point_at_the_whole(self, world):
        tc = world.truth_claims.set_index("claim_id")
        c = world.claims.set_index("claim_id")
        parts = c[c["part_of"].notna()]
        assert len(parts) > 0
        assert (tc.loc[parts.index, "role"] == "part").all()
        parent_event = world.truth_events.set_index("true_event_id")["parent_event_id"]
        whole_event = tc.loc[parts["part_of"], "true_event_id"].to_numpy()
        assert (parent_event.loc[tc.loc[parts.index, "true_event_id"]].to_numpy()
                == whole_event).all()
        assert (tc.loc[parts.index, "believed"].to_numpy()
                <= tc.loc[parts["part_of"], "believed"].to_numpy()).all()

    def test_easy_has_no_copiers_and_no_bias(self, easy):
        src = easy.truth_sources
        assert not (src["role"] == "copier").any()
        assert (easy.truth_claims["role"] != "copy").all()
        assert (src["bias"] == 1.0).all()
        assert (src["noise"] <= 0.05).all()

    def test_adversarial_majority_of_outlets_repeat_one_inflating_originator(self, adversarial):
        tc = adversarial.truth_claims
        rep = tc[tc["role"] == "repeat"]
        modal = rep.groupby("channel")["originator"].agg(lambda s: s.value_counts().index[0])
        top = modal.value_counts()
        assert top.iloc[0] / len(modal) > 0.5
        src = adversarial.truth_sources.set_index("source")
        assert src.loc[top.index[0], "bias"] == pytest.approx(1.5)
        assert (src["role"] == "copier").sum() >= 4

    def test_place_names_vary(self, realistic):
        tc, c = realistic.truth_claims, realistic.claims
        loc = tc["true_event_id"].map(realistic.truth_events.set_index("true_event_id")["location"])
        ok = _valid(realistic) & c["location"].notna().to_numpy()
        same = (c["location"] == loc)[ok]
        assert 0.7 < same.mean() < 0.99


class TestMalformed:
    def test_about_half_a_percent_each_with_its_defect(self, world):
        tc, c = world.truth_claims, world.claims
        bad = tc["malformed"].to_numpy(dtype=bool)
        assert bad.sum() == round(0.005 * len(tc))
        assert tc.loc[bad, "true_event_id"].isna().all()
        for i in np.flatnonzero(bad):
            reason = tc["malformed_reason"].iat[i]
            row = c.iloc[i]
            if reason == "empty source":
                assert pd.isna(row["source"])
            elif reason == "figure n/a":
                assert row["figure"] == "n/a"
            elif reason == "negative low":
                assert pd.isna(row["figure"]) and row["low"] < 0
            elif reason == "low above high":
                assert pd.isna(row["figure"]) and row["low"] > row["high"]
            else:
                assert reason == "bad date"
                with pytest.raises(ValueError):
                    pd.to_datetime(row["event_date"], format="%Y-%m-%d")

    def test_valid_rows_have_source_and_figure_or_low(self, world):
        c = world.claims[_valid(world)]
        assert c["source"].notna().all()
        assert (c["figure"].notna() | c["low"].notna()).all()
        assert (c["low"].dropna() >= 0).all()


class TestSpec:
    @pytest.mark.parametrize("kwargs, needle", [
        ({"n_claims": 0}, "n_claims must be at least 1"),
        ({"n_claims": -5}, "n_claims must be at least 1"),
        ({"n_claims": 2.5}, "n_claims must be a whole number"),
        ({"n_claims": True}, "n_claims must be a whole number"),
        ({"seed": -1}, "seed must be zero or more"),
        ({"scenario": "hard"}, "known scenarios: easy, realistic, adversarial"),
    ])
    def test_bad_spec(self, kwargs, needle):
        with pytest.raises(InputError, match=needle) as err:
            WorldSpec(**kwargs)
        assert isinstance(err.value, ReconcileError)

    def test_every_problem_reported_at_once(self):
        with pytest.raises(InputError) as err:
            WorldSpec(n_claims=0, seed=-1, scenario="x")
        message = str(err.value)
        assert "n_claims" in message and "seed" in message and "'x'" in message

    def test_spec_is_frozen(self):
        with pytest.raises(AttributeError):
            WorldSpec().seed = 3  # type: ignore[misc]


class TestWrite:
    def test_writes_files_atomically(self, tmp_path, realistic):
        out = tmp_path / "world"
        paths = write_world(realistic, out)
        assert set(paths) == {"claims", "truth", "truth_claims", "truth_sources"}
        assert sorted(p.name for p in out.iterdir()) == [
            "claims.csv", "truth.csv", "truth_claims.csv", "truth_sources.csv"]
        back = pd.read_csv(paths["claims"], dtype=str, keep_default_na=False)
        assert list(back.columns) == list(CLAIM_COLUMNS)
        assert len(back) == len(realistic.claims)
        assert back["claim_id"].tolist() == realistic.claims["claim_id"].tolist()
        assert (back["high"] == "").any()  # unbounded / missing bounds are empty cells
        truth = pd.read_csv(paths["truth"])
        assert len(truth) == len(realistic.truth_events)
        tcl = pd.read_csv(paths["truth_claims"], dtype=str, keep_default_na=False)
        assert (tcl.loc[tcl["malformed"] == "True", "true_event_id"] == "").all()

    def test_rewrite_replaces_and_leaves_no_temp_files(self, tmp_path, easy):
        (tmp_path / "claims.csv").write_text("stale\n", encoding="utf-8")
        write_world(easy, tmp_path)
        write_world(easy, tmp_path)
        names = sorted(p.name for p in tmp_path.iterdir())
        assert names == ["claims.csv", "truth.csv", "truth_claims.csv", "truth_sources.csv"]
        assert (tmp_path / "claims.csv").read_text(encoding="utf-8").startswith("claim_id,")

    def test_failed_write_leaves_no_temp_file(self, tmp_path, easy, monkeypatch):
        def boom(*args, **kwargs):
            raise OSError("disk full")

        monkeypatch.setattr("reconcile.io.write.os.replace", boom)
        with pytest.raises(OutputError, match=r"claims\.csv: cannot write: disk full"):
            write_world(easy, tmp_path)
        assert list(tmp_path.iterdir()) == []

    def test_simulate_to_dir(self, tmp_path):
        summary = simulate_to_dir(tmp_path / "w", n_claims=600, seed=5, scenario="easy")
        assert summary["n_claims"] == 600
        assert summary["scenario"] == "easy" and summary["seed"] == 5
        assert summary["n_malformed"] == 3
        assert summary["n_events"] > 0 and summary["n_sources"] > 0
        assert all(p.exists() for p in summary["files"].values())

    def test_simulate_to_dir_validates(self, tmp_path):
        with pytest.raises(InputError, match="known scenarios"):
            simulate_to_dir(tmp_path, n_claims=10, scenario="nope")
        assert list(tmp_path.iterdir()) == []
