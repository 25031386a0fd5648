"""The grouping stage: normalisation, compatibility, constraints, hierarchy, determinism."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconcile.errors import RulesError
from reconcile.group import group_block, group_claims, prepare, train
from reconcile.group.normalise import canonical_sources, event_families
from reconcile.load import load_claims, validate_claims
from reconcile.places.admin import default_admin_index
from reconcile.places.gazetteer import default_gazetteer
from reconcile.rules.grouping import COMPARISONS, grouping_rules_for, load_grouping_rules
from reconcile.rules.load import default_rules, default_rules_dir
from reconcile.schema import GROUP_COLUMNS, PLACE_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
GROUPING = load_grouping_rules()


def claims(rows: list[dict]) -> pd.DataFrame:
    raw = pd.DataFrame(rows).fillna("").astype(str)
    raw.insert(0, "line", range(2, len(raw) + 2))
    ok, rejects = validate_claims(raw)
    assert rejects.empty, rejects
    return ok


def grouped(rows: list[dict]) -> pd.DataFrame:
    return group_claims(claims(rows)).set_index("claim_id")


def same(out: pd.DataFrame, a: str, b: str) -> bool:
    return bool(out.at[a, "event_id"] == out.at[b, "event_id"])


BASE = {"category": "killed", "country": "Syria", "event_date": "2024-12-02"}


# -- rules/grouping.toml, row by row ------------------------------------------------------


class TestGroupingRules:
    def test_every_comparison_is_present_with_its_levels(self):
        names = [c.name for c in GROUPING.comparisons]
        assert names == list(COMPARISONS)
        for comp in GROUPING.comparisons:
            assert abs(sum(lv.m for lv in comp.levels) - 1) < 0.02, comp.name
            assert abs(sum(lv.u for lv in comp.levels) - 1) < 0.02, comp.name

    @pytest.mark.parametrize("family", GROUPING.families, ids=lambda f: f.family)
    def test_every_event_word_names_its_family(self, family):
        for toks in family.words:
            found = event_families([" ".join(toks)], GROUPING)[0]
            assert found == (() if family.generic else (family.family,)), toks

    @pytest.mark.parametrize("row", GROUPING.sources, ids=lambda r: r.name)
    def test_every_source_alias_is_its_source(self, row):
        names = [row.name, *row.aliases]
        ids, canon, _ = canonical_sources(names, [1] * len(names), GROUPING,
                                          default_admin_index(),
                                          dict(default_gazetteer().rules.demonyms))
        assert set(ids) == {ids[0]} and set(canon) == {row.name}

    @pytest.mark.parametrize("word,direction", sorted(GROUPING.place_words.directions.items()))
    def test_every_direction_word_makes_a_region(self, word, direction):
        ref = default_admin_index().resolve(f"{word} Syria", "SY", GROUPING.place_words)
        if " " not in word:  # "north - east" is three tokens once folded
            assert ref is not None and ref.kind == "region" and ref.id.endswith(direction)

    def test_plural_event_words(self):
        assert event_families(["air strikes", "rocket attacks", "car bombs"], GROUPING) == [
            ("air strike",), ("rocket attack",), ("car bomb",)]

    def test_problems_are_listed_all_at_once(self, tmp_path):
        shutil.copytree(default_rules_dir(), tmp_path, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("*.py", "__pycache__"))
        path = tmp_path / "grouping.toml"
        text = path.read_text(encoding="utf-8")
        text = text.replace("threshold = 0.5", "threshold = 2")
        text = text.replace('{ name = "same", m = 0.62, u = 0.04 }',
                            '{ name = "exact", m = 0.62, u = 0.04 }')
        text = text.replace('["event.different"],', '["event.elsewhere"],')
        text = text.replace('related = ["drone strike", "missile strike"]',
                            'related = ["drone strike", "tsunami"]')
        path.write_text(text, encoding="utf-8")
        with pytest.raises(RulesError) as err:
            load_grouping_rules(tmp_path)
        problems = err.value.problems
        assert len(problems) == 4, problems
        assert all(p.startswith(f"{path}:") for p in problems)
        joined = "\n".join(problems)
        for bit in ("model.threshold", "comparison[0].levels", "model.vetoes[0]",
                    "unknown family 'tsunami'"):
            assert bit in joined


# -- places, countries, sources --------------------------------------------------------------


class TestNormalise:
    idx = default_admin_index()

    def test_spellings_are_one_place(self):
        ids = {self.idx.resolve(n, "SY").id for n in ("Aleppo", "Halab", "Alep")}
        assert len(ids) == 1

    def test_admin_chain_and_precision(self):
        mazraa = self.idx.resolve("Mazraa", "SY")
        assert mazraa.chain_text() == "Syria > Dimashq > Damascus > Mazraa"
        assert mazraa.where_prec == 1
        assert self.idx.resolve("Idlib province", "SY").where_prec == 4
        assert self.idx.resolve("northwest Syria").where_prec == 5
        assert self.idx.resolve("Syria").where_prec == 6

    def test_containment(self):
        nw = self.idx.resolve("northwestern Syria")
        assert self.idx.within(self.idx.resolve("Idlib", "SY"), nw)
        assert not self.idx.within(self.idx.resolve("Daraa", "SY"), nw)
        idlib_gov = self.idx.resolve("Idlib province", "SY")
        assert idlib_gov.contains(self.idx.resolve("Idlib", "SY"))
        assert self.idx.resolve("Damascus", "SY").contains(self.idx.resolve("Mazraa", "SY"))

    def test_country_codes(self):
        for name in ("Syria", "Syrian Arab Republic", "sy"):
            assert self.idx.country_code(name) == "SY"
        assert self.idx.country_code("Examplestan") == ""

    def test_typos_match_within_a_country(self):
        refs = self.idx.resolve_many(["Aleppo", "Alpepo", "Aleppo"], ["SY", "SY", "IQ"],
                                     [3, 1, 1])
        assert refs[1].id == refs[0].id and refs[1].fuzzy
        assert refs[2].id != refs[0].id  # no Aleppo in Iraq: kept as a name there

    def test_unknown_names_fold_to_their_most_common_spelling(self):
        refs = self.idx.resolve_many(["Lakeport", "Lakeprot"], ["?examplestan"] * 2, [5, 1])
        assert refs[0].id == refs[1].id

    def test_source_variants_are_one_source(self):
        names = ["Syrian Observatory for Human Rights", "Syrian Observatory on Human Rights",
                 "SOHR", "syrian observatory for human rights ", "Syrian Observatory",
                 "Syrian Health Ministry", "Syria Ministry of Health", "White Helmets"]
        ids, canon, table = canonical_sources(names, [5, 1, 1, 1, 1, 1, 1, 1], GROUPING,
                                              self.idx, dict(default_gazetteer().rules.demonyms))
        assert len(set(ids[:5])) == 1
        assert ids[5] == ids[6] != ids[0]
        assert canon[1] == "Syrian Observatory for Human Rights"
        row = table[table["source_id"] == ids[0]].iloc[0]
        assert "SOHR" in row["aliases"]

    def test_victims_from_the_figures_noun(self):
        out = grouped([{**BASE, "source": "A", "figure": "dozens of soldiers", "location": "Homs"}])
        assert out.iloc[0]["victims"] == ""  # the claim is not changed...
        prepared = prepare(claims([{**BASE, "source": "A", "figure": "dozens of soldiers"}]))
        assert prepared.frame.iloc[0]["victims_group"] == "soldiers"  # ...grouping reads it

    def test_blank_country_from_the_place(self):
        out = grouped([{"source": "A", "figure": "3", "category": "killed", "location": "Idlib",
                        "event_date": "2024-12-02"}])
        assert out.iloc[0]["country_code"] == "SY"
        assert out.iloc[0]["place_id"].startswith("gn:")


# -- compatibility, evidence, constraints -----------------------------------------------------------


class TestCompatibility:
    def test_blank_fields_neither_block_nor_prove(self):
        out = grouped([
            {**BASE, "claim_id": "a", "source": "A", "figure": "at least 12",
             "location": "Aleppo", "victims": "civilians", "event": "air strike"},
            {**BASE, "claim_id": "b", "source": "B", "figure": "14", "location": "Halab",
             "event": "airstrikes"},
            {**BASE, "claim_id": "c", "source": "C", "figure": "13", "location": "Aleppo",
             "victims": "civilians", "country": "", "event_date": "2024-12-03"},
        ])
        assert same(out, "a", "b") and same(out, "a", "c")

    def test_a_car_bomb_and_an_air_strike_in_one_city_on_one_day_are_two_events(self):
        out = grouped([
            {**BASE, "claim_id": "a", "source": "A", "figure": "9", "location": "Homs",
             "event": "car bomb"},
            {**BASE, "claim_id": "b", "source": "B", "figure": "9", "location": "Homs",
             "event": "air strike"},
        ])
        assert not same(out, "a", "b")

    def test_a_category_and_a_date_are_not_evidence(self):
        out = grouped([
            {**BASE, "claim_id": "a", "source": "A", "figure": "4"},
            {**BASE, "claim_id": "b", "source": "B", "figure": "40"},
        ])
        assert not same(out, "a", "b")

    def test_dates_match_within_a_window(self):
        rows = [{**BASE, "claim_id": k, "source": k.upper(), "figure": "at least 20",
                 "location": "Hama", "event": "shelling", "event_date": d}
                for k, d in (("a", "2024-12-02"), ("b", "2024-12-03"), ("c", "2024-12-20"))]
        out = grouped(rows)
        assert same(out, "a", "b") and not same(out, "a", "c")

    def test_part_is_never_merged_with_its_whole(self):
        out = grouped([
            {**BASE, "claim_id": "all", "source": "A", "figure": "25", "location": "Idlib"},
            {**BASE, "claim_id": "kids", "source": "A", "figure": "10", "location": "Idlib",
             "part_of": "all"},
        ])
        assert not same(out, "all", "kids")
        assert out.at["kids", "parent_event_id"] == out.at["all", "event_id"]
        assert out.at["kids", "parent_link"] == "part"

    def test_one_sources_growing_toll_is_one_event(self):
        out = grouped([
            {**BASE, "claim_id": "a", "source": "SOHR", "figure": "at least 12",
             "location": "Deir ez-Zor", "event": "drone strike",
             "published": "2024-12-02T08:00:00"},
            {**BASE, "claim_id": "b", "source": "Syrian Observatory for Human Rights",
             "figure": "31", "location": "Deir ez-Zor", "event": "drone strike",
             "published": "2024-12-03T08:00:00"},
        ])
        assert same(out, "a", "b")
        assert out.at["a", "source_id"] == out.at["b", "source_id"]

    def test_no_chaining_through_a_blank_place(self):
        out = grouped([
            {**BASE, "claim_id": "a", "source": "A", "figure": "5", "location": "Aleppo",
             "event": "shelling"},
            {**BASE, "claim_id": "b", "source": "B", "figure": "5", "event": "shelling"},
            {**BASE, "claim_id": "c", "source": "C", "figure": "5", "location": "Idlib",
             "event": "shelling"},
        ])
        assert not same(out, "a", "c")

    def test_a_national_total_sits_over_its_incidents(self):
        out = grouped([
            {**BASE, "claim_id": "bomb", "source": "A", "figure": "60", "location": "Damascus",
             "event": "car bomb"},
            {**BASE, "claim_id": "total", "source": "SOHR", "figure": "more than 290"},
        ])
        assert not same(out, "bomb", "total")
        assert out.at["bomb", "parent_event_id"] == out.at["total", "event_id"]
        assert out.at["bomb", "parent_link"] == "within"


# -- the example, as a person reads it ----------------------------------------------------------


def test_examples_grouped_as_a_reader_would():
    """examples/claims.csv, event by event, as a fact-checker groups it."""
    loaded = load_claims(ROOT / "examples" / "claims.csv")
    out = group_claims(loaded.claims).set_index("claim_id")
    events = out.groupby("event_id").groups
    members = {frozenset(v) for v in events.values()}
    expect = [
        # 22 Feb 2013: rocket attacks on Aleppo, three reports of one toll.
        {"blog-aleppo-29", "ex-aleppo-act", "ex-aleppo-wire"},
        # 21 Feb 2013: the Damascus car bomb, three reports ...
        {"blog-damascus-60", "ex-damascus-state", "ex-damascus-mon"},
        # ... and the nationwide toll of the day's attacks, two reports.
        {"sohr-total-290", "ex-total-wire"},
        # 2 Dec 2024: the White Helmets' "at least 25" across the northwest ...
        {"wh-idlib-25"},
        # ... the military's "at least seven" from one strike on Idlib: not the same toll,
        {"mil-idlib-7"},
        # ... the civilians among the dead, contested by two denials,
        {"ex-idlib-civ", "deny-syria", "deny-russia"},
        # ... the ten children among the 25, the injured of the strike,
        {"wh-idlib-children"}, {"mil-idlib-inj"},
        # ... and the campaign's toll since 27 November, with its 20 children.
        {"wh-since-56"}, {"wh-since-20ch"},
        # The army's soldiers in the rebel offensive on Aleppo.
        {"army-soldiers"},
        # Aleppo's evacuation, 2016.
        {"mod-evac-6000", "ex-evac-5000"},
        # The ferry: one toll reported five times, and the missing.
        {"ex-ferry-1", "ex-ferry-2", "ex-ferry-3", "ex-ferry-4", "ex-ferry-5"}, {"ex-ferry-miss"},
        # The earthquake: killed, injured, displaced.
        {"ex-quake-1", "ex-quake-2", "ex-quake-3", "ex-quake-4", "ex-quake-5"},
        {"ex-quake-inj"}, {"ex-quake-disp"},
        # The raid: detained (and arrested) people.
        {"ex-raid-1", "ex-raid-2"},
    ]
    assert members == {frozenset(e) for e in expect}

    def parent(claim: str) -> tuple[str, str]:
        row = out.loc[claim]
        return row["parent_event_id"], row["parent_link"]

    def event(claim: str) -> str:
        return out.at[claim, "event_id"]

    assert parent("mil-idlib-7") == (event("wh-idlib-25"), "within")  # one strike of the day's
    assert parent("ex-idlib-civ") == (event("wh-idlib-25"), "part")  # civilians among the dead
    assert parent("wh-idlib-children") == (event("wh-idlib-25"), "part")
    assert parent("wh-idlib-25") == (event("wh-since-56"), "within")  # the day inside the tally
    assert parent("wh-since-20ch") == (event("wh-since-56"), "part")
    assert parent("blog-damascus-60") == (event("sohr-total-290"), "within")
    for claim in ("sohr-total-290", "wh-since-56", "blog-aleppo-29", "ex-ferry-2", "ex-quake-3"):
        assert parent(claim) == ("", ""), claim
    # Where each claim was placed.
    assert out.at["wh-idlib-25", "where_prec"] == 5
    assert out.at["mil-idlib-7", "admin_chain"] == "Syria > Idlib > Idlib"
    assert out.at["sohr-total-290", "place_id"] == "cc:SY"
    assert out.at["ex-ferry-1", "country_code"] == ""  # Examplestan has no ISO code


# -- determinism ---------------------------------------------------------------------------------

_WORLD: dict[str, pd.DataFrame] = {}


def world_claims() -> pd.DataFrame:
    if "claims" not in _WORLD:
        from reconcile.simulate import WorldSpec, simulate_world

        world = simulate_world(WorldSpec(n_claims=700, seed=5, scenario="adversarial"))
        raw = world.claims.astype(object).where(world.claims.notna(), "").astype(str)
        raw.insert(0, "line", range(2, len(raw) + 2))
        ok, _ = validate_claims(raw)
        _WORLD["claims"] = ok
        _WORLD["grouped"] = group_claims(ok)
    return _WORLD["claims"]


def _columns(out: pd.DataFrame) -> pd.DataFrame:
    cols = [*GROUP_COLUMNS, *PLACE_COLUMNS]
    return out.set_index("claim_id")[cols].sort_index().astype(str)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_row_order_does_not_change_anything(rnd):
    """Law: grouping a permutation of the rows gives every claim the same columns."""
    base = world_claims()
    order = list(range(len(base)))
    rnd.shuffle(order)
    shuffled = base.iloc[order].reset_index(drop=True)
    pd.testing.assert_frame_equal(_columns(group_claims(shuffled)),
                                  _columns(_WORLD["grouped"]))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=1, max_value=6), st.randoms(use_true_random=False))
def test_any_split_into_partitions_gives_the_same_events(k, rnd):
    """Law: group_block over any split of the blocks into partitions equals one run."""
    base = world_claims()
    rules = default_rules()
    prepared = prepare(base, rules)
    model = train(prepared, rules)
    frame = prepared.frame
    blocks = sorted(frame["country_key"].unique())
    part_of_block = {b: rnd.randrange(k) for b in blocks}
    pieces = [group_block(frame[frame["country_key"].map(part_of_block) == p], model, rules,
                          places=prepared.places)
              for p in range(k)]
    split = pd.concat([pc for pc in pieces if len(pc)]).loc[frame.index]
    whole = group_block(frame, model, rules, places=prepared.places)
    pd.testing.assert_frame_equal(split.sort_index(), whole.sort_index())
    # and the one-call entry point agrees with the block function
    assert (_WORLD["grouped"].set_index(base.index)["event_id"] == whole["event_id"]).all()


def test_event_ids_come_from_content():
    out = grouped([
        {**BASE, "claim_id": "a", "source": "A", "figure": "7", "location": "Hama",
         "event": "shelling"},
        {**BASE, "claim_id": "b", "source": "B", "figure": "7", "location": "Hama",
         "event": "shelling"},
    ])
    again = grouped([
        {**BASE, "claim_id": "b", "source": "B", "figure": "7", "location": "Hama",
         "event": "shelling"},
        {**BASE, "claim_id": "a", "source": "A", "figure": "7", "location": "Hama",
         "event": "shelling"},
    ])
    assert out.at["a", "event_id"] == again.at["a", "event_id"]
    assert out.at["a", "event_id"].startswith("e") and len(out.at["a", "event_id"]) == 17


def test_empty_input():
    out = group_claims(claims([{"source": "A", "figure": "1"}]).iloc[:0])
    assert len(out) == 0 and set(GROUP_COLUMNS) <= set(out.columns)


def test_grouping_rules_load_once_per_rules_object():
    rules = default_rules()
    assert grouping_rules_for(rules) is grouping_rules_for(rules)


def test_extract_then_run_groups_the_seed_reports(tmp_path):
    """`reconcile extract examples/articles/` then `reconcile run`: the seed reports, as read."""
    from click.testing import CliRunner

    from reconcile.cli import main

    runner = CliRunner()
    claims_csv = tmp_path / "c.csv"
    result = runner.invoke(main, ["extract", str(ROOT / "examples" / "articles"), "-o",
                                  str(claims_csv), "--quiet"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["run", str(claims_csv), "-o", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(tmp_path / "out" / "claims.csv", dtype=str, keep_default_na=False)
    out["key"] = out["article_id"].str.split("_").str[0] + " " + out["figure"]
    out = out.set_index("key")
    events = {frozenset(v) for v in out.groupby("event_id").groups.values()}
    # Every figure is its own event: no two reports in these three articles give one toll.
    assert len(events) == len(out) == 12
    ev = out["event_id"]

    def parent(key: str) -> tuple[str, str]:
        return out.at[key, "parent_event_id"], out.at[key, "parent_link"]

    # Idlib, 2 December 2024: the military's seven from one strike are within the White
    # Helmets' 25 across the northwest; the ten children are a part of the 25.
    assert parent("idlib at least seven") == (ev["idlib at least 25"], "within")
    assert parent("idlib 10") == (ev["idlib at least 25"], "part")
    # ... the 20 children of the 56 since 27 November are a part of that tally.
    assert parent("idlib 20") == (ev["idlib 56"], "part")
    # Damascus, 21 February 2013: the car bomb sits in the day's nationwide "more than 290".
    assert parent("syria an estimated 60") == (ev["syria more than 290"], "within")
    # The next day's rockets on Aleppo are not in it, nor is anything else.
    for key in ("syria at least 29", "syria more than 290", "idlib at least 25", "idlib 56",
                "idlib dozens", "aleppo almost 6,000"):
        assert parent(key) == ("", ""), key
    assert out.at["idlib at least 25", "source_id"] == "white-helmets"
    assert out.at["syria more than 290", "source_id"] == "syrian-observatory-for-human-rights"


def test_realism_rewrites_claims_not_the_truth():
    """Law: realism changes what claims say, never which event they speak of or its count."""
    from reconcile.simulate import WorldSpec, simulate_world
    from reconcile.simulate.realism import add_realism

    world = simulate_world(WorldSpec(n_claims=1500, seed=8, scenario="realistic"))
    once, twice = add_realism(world), add_realism(world)
    pd.testing.assert_frame_equal(once.claims, twice.claims)
    assert (once.claims["location"].fillna("") != world.claims["location"].fillna("")).any()
    assert (once.claims["victims"].fillna("") != world.claims["victims"].fillna("")).any()
    pd.testing.assert_series_equal(once.truth_events["count"], world.truth_events["count"])
    pd.testing.assert_frame_equal(once.truth_claims, world.truth_claims)
