"""Tests for the truth-discovery baselines (reconcile.resolve.policies) and the Population loader."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.evaluate import population
from reconcile.resolve import policies as baselines


def table(rows, published=None):
    """rows: (event_id, source, value) tuples."""
    df = pd.DataFrame(rows, columns=["event_id", "source", "value"])
    if published is not None:
        df["published"] = published
    return df


def best(result: pd.DataFrame) -> dict:
    return dict(zip(result["event_id"], result["best"], strict=True))


# A reliable pair of sources (good1, good2) agree on five events; "bad" is off
# by half on each. On event X only good1 and bad speak, one against one.
RELIABILITY = table(
    [(f"e{i}", s, v) for i in range(5)
     for s, v in (("good1", 100 + i), ("good2", 100 + i), ("bad", 50 + i))]
    + [("X", "good1", 200), ("X", "bad", 150)]
)


class TestResultShape:
    @pytest.mark.parametrize("name", sorted(baselines.BASELINES))
    def test_columns_sorted_and_point(self, name):
        df = table([("b", "s1", 3), ("a", "s1", 1), ("a", "s2", 2), ("c", "s3", 7)])
        out = baselines.BASELINES[name](df)
        assert list(out.columns) == ["event_id", "best", "low", "high"]
        assert list(out["event_id"]) == ["a", "b", "c"]
        assert out["best"].dtype == float
        assert (out["low"] == out["best"]).all() and (out["high"] == out["best"]).all()
        assert best(out)["b"] == 3 and best(out)["c"] == 7  # single claims are kept

    @pytest.mark.parametrize("name", sorted(baselines.BASELINES))
    def test_empty_input(self, name):
        out = baselines.BASELINES[name](table([]))
        assert len(out) == 0
        assert list(out.columns) == ["event_id", "best", "low", "high"]

    @pytest.mark.parametrize("name", sorted(baselines.BASELINES))
    def test_non_finite_values_ignored(self, name):
        df = table([("a", "s1", 5), ("a", "s2", float("nan")), ("a", "s3", float("inf"))])
        assert best(baselines.BASELINES[name](df)) == {"a": 5.0}

    def test_missing_column_is_a_clear_error(self):
        with pytest.raises(ValueError, match="value"):
            baselines.median(pd.DataFrame({"event_id": ["a"], "source": ["s"]}))


class TestSimpleRules:
    DF = table([("A", "s1", 30), ("A", "s2", 10), ("A", "s3", 100), ("A", "s4", 20),
                ("B", "s1", 5)])

    def test_acled_lowest_picks_lowest(self):
        assert best(baselines.acled_lowest(self.DF)) == {"A": 10.0, "B": 5.0}

    def test_highest(self):
        assert best(baselines.highest(self.DF)) == {"A": 100.0, "B": 5.0}

    def test_median_even_count_averages_middle(self):
        assert best(baselines.median(self.DF)) == {"A": 25.0, "B": 5.0}

    def test_lone_outlier_does_not_move_median(self):
        df = table([("A", "s1", 10), ("A", "s2", 10), ("A", "s3", 10), ("A", "s4", 1e6)])
        assert best(baselines.median(df)) == {"A": 10.0}


class TestLatest:
    def test_picks_newest(self):
        df = table([("A", "s1", 10), ("A", "s2", 30), ("A", "s3", 20)],
                   published=["2024-01-01T10:00:00", "2024-01-03T09:00:00", "2024-01-02"])
        assert best(baselines.latest(df)) == {"A": 30.0}

    def test_time_zones_are_compared_in_utc(self):
        # 00:00+02:00 on the 3rd is 22:00Z on the 2nd, older than 23:30Z.
        df = table([("A", "s1", 10), ("A", "s2", 20)],
                   published=["2024-01-03T00:00:00+02:00", "2024-01-02T23:30:00Z"])
        assert best(baselines.latest(df)) == {"A": 20.0}

    def test_tied_newest_gives_their_median(self):
        df = table([("A", "s1", 30), ("A", "s2", 50), ("A", "s3", 1)],
                   published=["2024-05-01", "2024-05-01", "2024-04-01"])
        assert best(baselines.latest(df)) == {"A": 40.0}

    def test_missing_dates_fall_back_to_median(self):
        df = table([("A", "s1", 1), ("A", "s2", 2), ("A", "s3", 9),
                    ("B", "s1", 4), ("B", "s2", 8)],
                   published=[None, "not a date", np.nan, "2024-01-01", None])
        assert best(baselines.latest(df)) == {"A": 2.0, "B": 4.0}

    def test_no_published_column_is_median(self):
        assert best(baselines.latest(table([("A", "s1", 1), ("A", "s2", 3)]))) == {"A": 2.0}


class TestMajority:
    def test_most_frequent(self):
        df = table([("A", "s1", 10), ("A", "s2", 10), ("A", "s3", 12)])
        assert best(baselines.majority(df)) == {"A": 10.0}

    def test_tie_goes_to_smaller(self):
        df = table([("A", "s1", 12), ("A", "s2", 10)])
        assert best(baselines.majority(df)) == {"A": 10.0}

    def test_a_source_repeating_itself_votes_once(self):
        df = table([("A", "s1", 12), ("A", "s1", 12), ("A", "s1", 12),
                    ("A", "s2", 10), ("A", "s3", 10)])
        assert best(baselines.majority(df)) == {"A": 10.0}


class TestTruthFinder:
    def test_agreed_value_wins(self):
        df = table([("A", "s1", 10), ("A", "s2", 10), ("A", "s3", 25)])
        assert best(baselines.truthfinder(df)) == {"A": 10.0}

    def test_reliable_source_wins_one_against_one(self):
        assert best(baselines.truthfinder(RELIABILITY))["X"] == 200.0

    def test_hand_computed_single_round(self):
        # One event, two facts, both sources at t = 0.9: tau = ln 10.
        # sigma(10) = sigma(20) = ln 10;
        # imp(20 -> 10) = exp(-10/20) - 0.5, imp(10 -> 20) = exp(-10/10) - 0.5,
        # so 10 gets the larger adjusted score and wins after one round.
        tau = math.log(10)
        adj10 = tau + 0.5 * tau * (math.exp(-0.5) - 0.5)
        adj20 = tau + 0.5 * tau * (math.exp(-1.0) - 0.5)
        assert adj10 > adj20
        df = table([("A", "s1", 10), ("A", "s2", 20)])
        assert best(baselines.truthfinder(df, max_iter=1)) == {"A": 10.0}

    def test_pooled_implication_still_picks_a_claimed_value(self):
        rng = np.random.default_rng(1)
        rows = [("A", f"s{i}", float(v)) for i, v in enumerate(rng.integers(1, 500, 300))]
        df = table(rows)
        exact = baselines.truthfinder(df)
        pooled = baselines.truthfinder(df, pair_budget=400)
        assert pooled["best"].iloc[0] in set(df["value"])
        assert exact["best"].iloc[0] in set(df["value"])


class TestInvestment:
    def test_majority_case(self):
        # B0 = (2/3, 1/3); every source gets its stake back -> T = 1, 1, 1;
        # B(10) = (1 + 1)^1.2 > B(20) = 1.
        df = table([("A", "s1", 10), ("A", "s2", 10), ("A", "s3", 20)])
        assert best(baselines.investment(df)) == {"A": 10.0}

    def test_reliable_source_wins_one_against_one(self):
        assert best(baselines.investment(RELIABILITY))["X"] == 200.0


class TestCRH:
    def test_lone_outlier_does_not_move_truth(self):
        df = table([("A", "s1", 10), ("A", "s2", 10), ("A", "s3", 10), ("A", "s4", 1e6)])
        assert best(baselines.crh(df)) == {"A": 10.0}

    def test_hand_computed(self):
        # median 12; losses 2/std, 0, 988/std -> w = -log(2/990), ~690, -log(988/990);
        # weighted median: cumulative weight passes half at 12.
        df = table([("A", "s1", 10), ("A", "s2", 12), ("A", "s3", 1000)])
        assert best(baselines.crh(df)) == {"A": 12.0}

    def test_reliable_source_wins_one_against_one(self):
        assert best(baselines.crh(RELIABILITY))["X"] == 200.0


class TestCATD:
    def test_symmetric_sources_give_the_mean(self):
        # N = 1 each, equal squared errors around the median 15 -> equal weights.
        df = table([("A", "s1", 10), ("A", "s2", 20)])
        assert best(baselines.catd(df)) == pytest.approx({"A": 15.0})

    def test_reliable_source_pulls_the_mean(self):
        x = best(baselines.catd(RELIABILITY))["X"]
        assert 175.0 < x <= 200.0

    def test_lone_outlier_is_down_weighted(self):
        rows = [(f"e{i}", s, v) for i in range(6)
                for s, v in (("s1", 10 + i), ("s2", 10 + i), ("s3", 10 + i), ("odd", 1000))]
        out = best(baselines.catd(table(rows)))
        assert all(abs(out[f"e{i}"] - (10 + i)) < 1e-3 for i in range(6))


class TestChiSquare:
    @pytest.mark.parametrize(("df", "expected", "tol"), [
        (1, 0.000982, 1e-6), (2, 0.0506, 1e-4), (10, 3.247, 1e-3), (100, 74.22, 1e-2),
        (3, 0.2158, 1e-4), (30, 16.791, 1e-3), (1000, 914.257, 1e-3),
    ])
    def test_table_values(self, df, expected, tol):
        assert float(baselines.chi2_lower_quantile(0.025, df)) == pytest.approx(expected, abs=tol)

    def test_vectorised_and_continuous_at_the_switch(self):
        out = baselines.chi2_lower_quantile(0.025, np.array([0, 1, 10, 2000, 2001]))
        assert out.shape == (5,)
        assert out[0] == 0.0
        assert out[4] == pytest.approx(out[3] + 0.97, rel=1e-3)  # one more df, ~ +0.97

    def test_median_of_two_df_is_2_ln_2(self):
        # chi2 with 2 df is exponential(mean 2): its median is 2 ln 2.
        assert float(baselines.chi2_lower_quantile(0.5, 2)) == pytest.approx(2 * math.log(2))

    def test_bad_p(self):
        with pytest.raises(ValueError):
            baselines.chi2_lower_quantile(0.0, 3)


claim_rows = st.lists(
    st.tuples(st.sampled_from("abcd"), st.sampled_from(["s1", "s2", "s3", "s4", "s5"]),
              st.integers(0, 30),
              st.one_of(st.none(), st.sampled_from(["2024-01-01", "2024-01-02", "2024-01-03"]))),
    min_size=1, max_size=25,
)


@settings(max_examples=40, deadline=None)
@given(rows=claim_rows, data=st.data())
def test_output_does_not_depend_on_row_order(rows, data):
    """Every baseline gives the same table for any permutation of the claim rows."""
    df = pd.DataFrame(rows, columns=["event_id", "source", "value", "published"])
    perm = data.draw(st.permutations(range(len(df))))
    shuffled = df.iloc[list(perm)].reset_index(drop=True)
    for name, fn in baselines.BASELINES.items():
        pd.testing.assert_frame_equal(fn(df), fn(shuffled), obj=name)


class TestPopulation:
    CLAIMS = (
        '"ObjectID","PropertyID","PropertyValue","SourceID","TimeStamp"\n'
        '"x","Population2000","100","1: a","null"\n'          # line 2
        '"x","Population2000","120","2: b","null"\n'          # line 3
        '"x","Population2000","6000000000000000000","3: c","null"\n'  # line 4: absurd
        '"y","Population2000","abc","4: d","null"\n'          # line 5: not a number
        '"y","Population2000","","5: e","null"\n'             # line 6: empty
        '"y","Population2000","50","6: f","null"\n'           # line 7
        '"y","Population2000","-3","7: g","null"\n'           # line 8: negative
        '"z","Population2000","7","8: h"\n'                   # line 9: short row
        '"z","Population2000","7","9: i","null"\n'            # line 10
    )
    TRUTH = ('"ObjectID","PropertyID","PropertyValue"\n'
             '"x","Population2000","120"\n"y","Population2000","50"\n'
             '"w","Population2000","9"\n')

    @pytest.fixture
    def loaded(self, tmp_path):
        c, t = tmp_path / "claims.csv", tmp_path / "truth.csv"
        c.write_text(self.CLAIMS, encoding="utf-8")
        t.write_text(self.TRUTH, encoding="utf-8")
        return population.load_population(c, t)

    def test_claims(self, loaded):
        claims, _, _ = loaded
        assert list(claims["event_id"]) == ["x|Population2000"] * 2 + ["y|Population2000",
                                                                       "z|Population2000"]
        assert list(claims["source"]) == ["1: a", "2: b", "6: f", "9: i"]
        assert list(claims["value"]) == [100.0, 120.0, 50.0, 7.0]
        assert list(claims["line"]) == [2, 3, 7, 10]

    def test_garbage_lands_in_rejects_with_its_line(self, loaded):
        _, _, rejects = loaded
        assert {"line", "field", "reason"} <= set(rejects.columns)
        by_line = dict(zip(rejects["line"], rejects["reason"], strict=True))
        assert sorted(by_line) == [4, 5, 6, 8, 9]
        assert "absurd" in by_line[4]
        assert by_line[5] == "not a number"
        assert by_line[6] == "empty value"
        assert "negative" in by_line[8]
        assert "fields" in by_line[9]
        assert set(rejects.loc[rejects["line"] != 9, "field"]) == {"PropertyValue"}

    def test_truth(self, loaded):
        _, truth, _ = loaded
        assert list(truth["event_id"]) == ["w|Population2000", "x|Population2000",
                                           "y|Population2000"]
        assert list(truth["gold"]) == [9.0, 120.0, 50.0]
        assert list(truth["conflicting"]) == [False, True, False]
        assert list(truth["n_claims"]) == [0, 2, 1]

    def test_missing_column_is_a_reject_not_a_crash(self, tmp_path):
        c, t = tmp_path / "c.csv", tmp_path / "t.csv"
        c.write_text("ObjectID,PropertyID\nx,Population2000\n", encoding="utf-8")
        t.write_text(self.TRUTH, encoding="utf-8")
        claims, truth, rejects = population.load_population(c, t)
        assert len(claims) == 0 and len(truth) == 3
        assert list(rejects["line"]) == [1] and "missing" in rejects["reason"][0]

    def test_score(self, loaded):
        claims, truth, _ = loaded
        est = baselines.highest(claims)  # x -> 120 (exact), y -> 50 (exact), z -> 7
        s = population.score_population(est, truth)
        assert s["all"] == {"exact_share": 1.0, "mae": 0.0, "n": 2, "n_missing": 1}
        assert s["conflicting"]["n"] == 1
        low = population.score_population(baselines.acled_lowest(claims), truth)
        assert low["all"]["exact_share"] == 0.5 and low["all"]["mae"] == 10.0
        assert low["conflicting"] == {"exact_share": 0.0, "mae": 20.0, "n": 1, "n_missing": 0}

    def test_score_rounds_half_up(self):
        truth = pd.DataFrame({"event_id": ["a", "b"], "gold": [3.0, 4.0],
                              "conflicting": [True, False]})
        est = pd.DataFrame({"event_id": ["a", "b"], "best": [2.5, 4.4]})
        s = population.score_population(est, truth)
        assert s["all"]["exact_share"] == 1.0
        assert s["all"]["mae"] == pytest.approx(0.45)
