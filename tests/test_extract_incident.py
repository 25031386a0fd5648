"""Issue 12, second round: an article's claims read together, and names that are not places.

One case per behaviour of :mod:`reconcile.extract.incident` (victims named
one by one, totals, wounds and deaths across sentences, the incident's date)
and per row kind of ``[not_places]`` in ``rules/places.toml``. The whole
articles of ``tests/data/articles_dev/`` are scored in tests/test_extract.py.
"""

from __future__ import annotations

import pytest

from reconcile.extract.engine import extract_article


def rows(text: str, title: str | None = None) -> list[dict]:
    return extract_article(text, article_id="a", published="2024-03-02", title=title)


def counts(text: str, title: str | None = None) -> list[tuple]:
    return [(r["low"], r["high"], r["category"], r["kind"]) for r in rows(text, title)]


# -- victims named one by one -----------------------------------------------------------------

def test_a_victim_named_again_is_one_claim_in_its_final_state():
    text = ("A man was shot outside a store in Dayton on Friday, police said. "
            "He was taken to a hospital, where he died on Sunday.")
    assert counts(text) == [(1, 1, "killed", "exact")]


def test_the_injured_man_is_not_the_man_who_died():
    text = ("Officers found a woman who had been fatally shot and a man with apparent gunshot "
            "wounds inside the house, police said. The injured man was taken to a hospital, "
            "where he remains in critical condition.")
    assert sorted(counts(text)) == [(1, 1, "injured", "exact"), (1, 1, "killed", "exact")]


def test_two_victims_named_apart_give_a_sum_with_its_parts():
    text = ("A man was killed in a shooting on Hale Street in Dayton on Friday, police said. "
            "A woman, 29, was taken to Mercy Hospital, where she later died.")
    got = rows(text)
    total = next(r for r in got if r["kind"] == "sum")
    assert (total["low"], total["category"], total["claim_id"], total["span"]) == \
        (2, "killed", "a:sum-killed", "")
    assert {r["part_of"] for r in got if r is not total} == {"a:sum-killed"}


def test_a_title_restated_by_the_sum_counts_once():
    text = ("A man was killed in a shooting in Dayton on Friday, police said. "
            "A woman also died at the scene.")
    assert [r["low"] for r in rows(text, title="Two dead in Dayton shooting")
            if r["category"] == "killed" and r["kind"] == "sum"] == [2]
    assert not any(":title:" in r["claim_id"] for r in rows(text, title="Two dead in shooting"))


def test_another_adds_to_a_count():
    text = ("Three women and one man were pronounced dead at the scene in Wilkinsburg. "
            "Another woman died later at a hospital.")
    assert max(r["low"] for r in rows(text) if r["category"] == "killed") == 5


def test_victims_in_one_sentence_of_a_short_text_are_not_summed():
    # Two deaths in one storm may be two events: the grammar reads the sentence.
    text = ("One man died of a heart attack in a shelter, while another was killed by a "
            "falling tree on Friday, authorities said.")
    assert all(r["kind"] != "sum" for r in rows(text))


def test_a_named_total_takes_the_victims_as_parts():
    text = ("Two people were killed in a shooting in Detroit on Sunday. "
            "Police said a woman in her 20s was among the dead.")
    got = rows(text)
    whole = next(r for r in got if r["low"] == 2)
    assert all(r["part_of"] == whole["claim_id"] for r in got if r is not whole)


def test_all_three_restates_the_count_before():
    text = ("Three people were stabbed in Leeds on Sunday, police said. "
            "All three were taken to hospital.")
    assert [(r["low"], r["category"]) for r in rows(text)] == [(3, "casualties")]


# -- wounds and deaths across sentences --------------------------------------------------------

def test_stabbed_then_died_leaves_the_rest_injured():
    text = ("Three people were stabbed in a block of flats in Liverpool on Sunday. "
            "One of them, a man aged 28, later died in hospital.")
    assert sorted((r["low"], r["category"]) for r in rows(text)) == \
        [(1, "killed"), (2, "injured")]


def test_an_injured_count_split_into_dead_and_hurt_is_the_casualties():
    text = ("Officers found five people with gunshot wounds in Indianapolis. Two were "
            "pronounced dead at the scene and three others were taken to hospitals.")
    assert sorted((r["low"], r["category"]) for r in rows(text)) == \
        [(2, "killed"), (3, "injured"), (5, "casualties")]


# -- the incident's date and place ---------------------------------------------------------------

def test_undated_claims_take_the_incident_date():
    text = ("A man was shot dead in Tacoma early Sunday, police said. "
            "A woman was also wounded and taken to a hospital.")
    assert {r["event_date"] for r in rows(text)} == {"2024-02-25"}  # the Sunday before


def test_title_claims_take_the_body_s_place():
    got = rows("A man was shot dead in Tacoma on Sunday, police said.",
               title="3 hurt in shooting")
    assert {r["location"] for r in got} == {"Tacoma"}


@pytest.mark.parametrize("text", [
    # titles: a person, not a town
    'Officer Hale said three people were killed in Dayton.',
    # speech: "Hale said"
    'Three people were killed in Dayton on Friday. "It is tragic," Hale said.',
    # an age after a name
    'Tyasia Manning, 25, was one of three people killed in Rochester on Sunday.',
    # a hospital the hurt were taken to
    'Three people were killed in Dayton and two were taken to Mercy Hospital.',
    # residence: "from X", "an X man"
    'Three people, including a man from Hempstead, were killed in Rochester.',
    'A Milford man and two others were killed in Rochester on Sunday.',
])
def test_names_that_are_not_places(text):
    assert {r["location"] for r in rows(text)} <= {"Dayton", "Rochester"}


# -- the article context for grouping ------------------------------------------------------------

def test_event_words_read_as_the_grouping_stage_reads_them():
    """The extractor's table-once matcher agrees with reconcile.group.normalise.event_families."""
    import json
    from pathlib import Path

    from reconcile.extract.engine import engine
    from reconcile.group.normalise import event_families
    from reconcile.rules.grouping import grouping_rules_for

    texts = [json.loads(line)["text"] for line in
             (Path(__file__).parent / "data" / "extract_dev_a.jsonl").read_text().splitlines()
             if line.strip()][:200]
    texts += ["Two air strikes and a car bombing killed 5", "", "Airstrikes, shelling."]
    ours = engine().event_words
    assert [ours(t) for t in texts] == event_families(texts, grouping_rules_for(engine().rules))
