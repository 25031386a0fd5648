"""Rule files: shipped rules load; broken ones report every problem with file, line, key."""

from __future__ import annotations

import shutil

import pytest

from reconcile.errors import RulesError
from reconcile.rules.load import RULE_FILES, default_rules, default_rules_dir, load_rules


@pytest.fixture
def rules_dir(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def append(path, text: str) -> int:
    """Append rows to a rule file; returns the line number where they start."""
    before = path.read_text(encoding="utf-8")
    path.write_text(before + "\n" + text, encoding="utf-8")
    return before.count("\n") + 2


def problems(directory) -> list[str]:
    with pytest.raises(RulesError) as err:
        load_rules(directory)
    return err.value.problems


def test_shipped_rules_meet_the_issue_minimums():
    r = default_rules()
    assert len(r.qualifiers) >= 40 and len(r.vague) >= 15
    phrases = {q.phrase for q in r.qualifiers}
    for needed in ["at least", "no fewer than", "or more", "more than", "over", "upwards of",
                   "in excess of", "exceeding", "topping", "up to", "as many as", "as high as",
                   "at most", "no more than", "fewer than", "less than", "under", "below",
                   "nearly", "almost", "close to", "just under", "about", "around", "some",
                   "roughly", "approximately", "an estimated", "estimated at"]:
        assert needed in phrases, needed
    vague = {v.phrase for v in r.vague}
    for needed in ["a dozen", "dozens", "two dozen", "several dozen", "scores", "a hundred",
                   "hundreds", "several hundred", "thousands", "tens of thousands",
                   "hundreds of thousands", "millions", "several", "a few", "a handful"]:
        assert needed in vague, needed


def test_copied_rules_load(rules_dir):
    assert len(load_rules(rules_dir).qualifiers) == len(default_rules().qualifiers)


def test_every_problem_reported_at_once_with_file_line_key(rules_dir):
    q_line = append(rules_dir / "qualifiers.toml",
                    '[[qualifier]]\nphrase = "at the very least"\nposition = "before"\n'
                    'kind = "lowr"\n')
    v_line = append(rules_dir / "vague.toml",
                    '[[vague]]\nphrase = "umpteen"\nlow = 50\nhigh = 10\nvalue = 60\nacled = 50\n')
    c_line = append(rules_dir / "categories.toml",
                    '[[category]]\nname = "sick"\naliases = ["ill"]\ncontains = ["poorly"]\n')
    found = problems(rules_dir)
    assert len(found) == 3
    assert f"qualifiers.toml:{q_line}: qualifier[" in found[0] and ".kind: unknown kind 'lowr'" \
        in found[0]
    assert f"vague.toml:{v_line}: vague[" in found[1] and "high: 10 is below low = 50" in found[1]
    assert f"categories.toml:{c_line}: category[" in found[2] and "'poorly' is not a category" \
        in found[2]


@pytest.mark.parametrize("file, text, message", [
    ("qualifiers.toml", '[[qualifier]]\nphrase = "at least"\nposition = "before"\nkind = "lower"\n',
     "already defined"),
    ("qualifiers.toml", '[[qualifier]]\nphrase = "zz"\nposition = "middle"\nkind = "lower"\n',
     "unknown position 'middle'"),
    ("qualifiers.toml", '[[qualifier]]\nphrase = "zz"\nposition = "before"\nkind = "approx"\n'
     'strict = true\n', "only lower and upper qualifiers can be strict"),
    ("qualifiers.toml", '[[qualifier]]\nphrase = "zz"\nposition = "before"\nkind = "lower"\n'
     'colour = "red"\n', "unknown key"),
    ("qualifiers.toml", '[[qualifier]]\nphrase = ""\nposition = "before"\nkind = "lower"\n',
     "empty phrase"),
    ("qualifiers.toml", '[[qualifier]]\nposition = "before"\nkind = "lower"\n', "phrase: missing"),
    ("qualifiers.toml", '[[tolerance]]\nunit = 0\nrelative = 0.1\nmin_tol = 1\n',
     "must be at least 1"),
    ("qualifiers.toml", '[[range]]\nprefix = "twixt"\nconnectors = []\n', "non-empty list"),
    ("vague.toml", '[[vague]]\nphrase = "a bunch"\nlow = "ten"\nvalue = 5\nacled = 5\n',
     "expected int"),
    ("vague.toml", '[[vague]]\nphrase = "a bunch"\nlow = 5\nhigh = 9\nvalue = 20\nacled = 5\n',
     "lies outside"),
    ("vague.toml", '[[vague]]\nphrase = "dozens"\nlow = 5\nvalue = 5\nacled = 5\n',
     "already defined"),
    ("vague.toml", '[[vague]]\nphrase = "a bunch"\nlow = 5\nhigh = 9\nacled = 5\n',
     "value: missing"),
    ("vague.toml", '[[vague]]\nphrase = "a bunch"\nlow = 5\nhigh = 9\nvalue = 6\n',
     "acled: missing"),
    ("vague.toml", '[[vague]]\nphrase = "a bunch"\nlow = 5\nvalue = 6\nacled = -1\n',
     "acled: must be non-negative"),
    ("numbers.toml", '[[zero]]\nphrase = "nobody"\n', "already defined"),
    ("numbers.toml", '[[not_a_count]]\nphrase = "km"\nreason = "a distance"\nat_start = 1\n',
     "expected bool"),
    ("numbers.toml", '[[not_a_count]]\nphrase = "km"\n', "reason: missing"),
    ("victims.toml", '[[victims]]\nname = "toddlers"\npart_of = "adults"\n',
     "'adults' is not a victim group"),
    ("victims.toml", '[[victims]]\nname = "kids2"\naliases = ["kids"]\n', "already names"),
    ("categories.toml", '[[category]]\nname = "killed2"\naliases = [3]\n', "list of phrases"),
])
def test_each_validation_rule(rules_dir, file, text, message):
    line = append(rules_dir / file, text)
    found = problems(rules_dir)
    assert len(found) == 1, found
    assert found[0].startswith(f"{rules_dir / file}:{line}") or f"{file}" in found[0]
    assert message in found[0]


def test_bad_toml_names_the_line(rules_dir):
    append(rules_dir / "vague.toml", "[[vague]\nphrase = 'x'\n")
    found = problems(rules_dir)
    assert len(found) == 1 and "vague.toml" in found[0] and "not valid TOML" in found[0]


def test_missing_file_and_directory(rules_dir, tmp_path):
    (rules_dir / "victims.toml").unlink()
    assert any("victims.toml: file not found" in p for p in problems(rules_dir))
    assert "not a directory" in problems(tmp_path / "nowhere")[0]


def test_numbers_table_checks(rules_dir):
    path = rules_dir / "numbers.toml"
    text = path.read_text(encoding="utf-8").replace("seven = 7", 'seven = "7"')
    path.write_text(text, encoding="utf-8")
    found = problems(rules_dir)
    assert len(found) == 1 and "units.seven" in found[0] and "non-negative number" in found[0]


def test_victim_cycle_detected(rules_dir):
    path = rules_dir / "victims.toml"
    text = path.read_text(encoding="utf-8").replace(
        'name = "people"\n', 'name = "people"\npart_of = "children"\n', 1)
    path.write_text(text, encoding="utf-8")
    assert any("cycle" in p for p in problems(rules_dir))


def test_rule_files_list_matches_shipped_files():
    shipped = {p.name for p in default_rules_dir().glob("*.toml")}
    assert set(RULE_FILES) <= shipped


class TestDerivedTables:
    """Tables built from the rules live on the Rules object, not in module caches."""

    def test_pickled_copies_build_their_own_tables_and_nothing_keeps_them(self):
        import gc
        import pickle
        import weakref

        from reconcile.core.parse import parse_figure
        from reconcile.extract.engine import extract_article

        rules = load_rules()
        parse_figure("at least 5", rules)
        extract_article("At least 5 people were killed, police said.", article_id="a",
                        rules=rules)
        blob = pickle.dumps(rules)
        # The pickle carries the rules, not the grammar or the extractor built from them.
        assert len(blob) == len(pickle.dumps(load_rules()))
        refs = []
        for _ in range(50):
            copy = pickle.loads(blob)
            assert copy == rules
            assert parse_figure("at least 5", copy).interval.lo == 5
            refs.append(weakref.ref(copy))
            del copy
        gc.collect()
        assert not [r for r in refs if r() is not None], "a module still holds unpickled rules"

    def test_each_table_is_built_once_per_rules_object(self):
        rules = load_rules()
        calls = []
        first = rules.derived("probe", lambda r: calls.append(r) or object())
        assert rules.derived("probe", lambda r: calls.append(r) or object()) is first
        assert len(calls) == 1


# -- sources.toml ---------------------------------------------------------------------------


def test_shipped_source_priors_are_neutral():
    from reconcile.rules.sources import default_source_priors

    priors = default_source_priors()
    assert priors.bias == 1.0 and priors.denial == 0.5 and priors.sources == ()
    assert ("final",) in priors.final_words and ("denied",) in priors.denial_words


def test_source_priors_report_every_problem_with_line_and_key(rules_dir):
    from reconcile.rules.sources import check_source_priors, load_source_priors

    path = rules_dir / "sources.toml"
    line = append(path, '[[source]]\nname = "SOHR"\nnoise = -1\nparty = "yes"\ncolour = 1\n'
                        'exact = 1.5\n[[source]]\nname = "sohr"\n')
    found = check_source_priors(rules_dir)
    assert f"{path}:{line}: source[0].noise: must be (0.0, 5.0), got -1" in found
    assert f"{path}:{line}: source[0].party: expected bool, got str 'yes'" in found
    assert any(p.startswith(f"{path}:{line}: source[0].colour: unknown key") for p in found)
    assert f"{path}:{line}: source[0].exact: must be [0.0, 1.0), got 1.5" in found
    assert f"{path}:{line + 6}: source[1].name: 'sohr' is already named at line {line}" in found
    with pytest.raises(RulesError):
        load_source_priors(rules_dir)


def test_source_priors_rows_and_aliases(rules_dir):
    from reconcile.rules.sources import load_source_priors

    append(rules_dir / "sources.toml",
           '[[source]]\nname = "Syrian Observatory for Human Rights"\naliases = ["SOHR"]\n'
           'noise = 0.05\n\n[[source]]\nname = "Syrian military"\nparty = true\nexact = 0\n')
    priors = load_source_priors(rules_dir)
    assert priors.lookup("Syrian military").exact == 0.0
    assert priors.lookup("SOHR").exact is None
    assert priors.canonical(" sohr ") == "syrian observatory for human rights"
    assert priors.lookup("SOHR").noise == 0.05
    assert priors.lookup("syrian military").party


def test_a_rules_dir_without_sources_toml_uses_the_shipped_one(rules_dir):
    from reconcile.rules.sources import load_source_priors

    (rules_dir / "sources.toml").unlink()
    assert load_source_priors(rules_dir).bias == 1.0


def test_rules_check_covers_sources_toml(rules_dir):
    from reconcile.rules.extract import check_all_rules

    append(rules_dir / "sources.toml", "[[source]]\nbias = 0\n")
    with pytest.raises(RulesError) as err:
        check_all_rules(rules_dir)
    text = "\n".join(err.value.problems)
    assert "sources.toml" in text and "source[0].name: missing" in text


def test_replacing_source_priors_leaves_the_cached_default_alone():
    """Regression: dataclasses.replace shared the lookup index, so a review's trust rows
    leaked into default_source_priors() for the rest of the process."""
    import dataclasses

    from reconcile.rules.sources import SourcePrior, default_source_priors

    base = default_source_priors()
    before = base.lookup("Health ministry")
    extra = dataclasses.replace(base, sources=(*base.sources,
                                               SourcePrior(name="Health ministry", noise=0.1)))
    assert extra.lookup("Health ministry") is not None
    assert base.lookup("Health ministry") is before
