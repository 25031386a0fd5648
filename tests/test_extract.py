"""``reconcile extract``: casualty claims from news text.

Table-driven sentences written for these tests (the gold set in
tests/data/extract_gold.jsonl is scored separately, with floors), the seed
articles in ../shared/seeds when present, the file reader's bad inputs and a
growth test on adversarial strings.
"""

from __future__ import annotations

import csv
import gc
import json
import time
from pathlib import Path

import pytest

from reconcile.errors import InputError, RulesError
from reconcile.evaluate.extraction import load_gold, score_rows
from reconcile.extract.document import split_article
from reconcile.extract.engine import extract_article, extract_files, read_articles
from reconcile.io.articles import split_header
from reconcile.rules.extract import check_extract_rules, load_extract_rules
from reconcile.schema import EXTRACTED_COLUMNS as CLAIM_FIELDS

ROOT = Path(__file__).parents[1]
SEEDS = Path(__file__).parents[2] / "shared" / "seeds"
GOLD = ROOT / "tests" / "data" / "extract_gold.jsonl"


def claims(text: str, published: str | None = "2024-12-02", **kw) -> list[dict]:
    return extract_article(text, article_id="t", published=published, **kw)


def brief(rows: list[dict]) -> list[tuple]:
    return [(r["figure"], r["low"], r["high"], r["category"], r["victims"]) for r in rows]


class TestFigures:
    """The figure, its interval and the word that governs it."""

    @pytest.mark.parametrize("text, expected", [
        ("Shelling killed at least 12 people in the town, medics said.",
         [("at least 12", 12, None, "killed", "people")]),
        ("Officials said 44 civilians were wounded and 9 others died later in hospital.",
         [("44", 44, 44, "injured", "civilians"), ("9", 9, 9, "killed", "civilians")]),
        ("The bombing killed 18 soldiers and wounded more than two dozen, the army said.",
         [("18", 18, 18, "killed", "soldiers"), ("more than two dozen", 25, None, "injured",
                                                  "people")]),
        ("The toll from the blast has risen to 61, police said.",
         [("61", 61, 61, "killed", "people")]),
        ("Nearly 500 people are missing after the storm, officials said.",
         [("Nearly 500", 462, 499, "missing", "people")]),
        ("Between eight to 24 residents were detained overnight, activists said.",
         [("Between eight to 24", 8, 24, "detained", "people")]),
        ("About 3,000 families have fled the fighting, the UN said.",
         [("About 3,000", 2400, 3600, "displaced", "people")]),
        ("Dozens of people were hurt in the stampede, witnesses said.",
         [("Dozens of", 24, 99, "injured", "people")]),
        ("The clashes left 30 casualties, a hospital official said.",
         [("30", 30, 30, "casualties", "people")]),
        ("The attack killed 31 people and wounded 70 others, officials said.",
         [("31", 31, 31, "killed", "people"), ("70", 70, 70, "injured", "people")]),
        ("Twelve miners and three rescuers were killed in the collapse, officials said.",
         [("Twelve", 12, 12, "killed", "people"), ("three", 3, 3, "killed", "aid workers")]),
        ("The number of dead in the port city stood at more than 120, the mayor said.",
         [("more than 120", 121, None, "killed", "people")]),
        # An update: 52 is the toll, 40 the earlier toll (its own claim, issue 12).
        ("The death toll rose from 40 to 52 on Friday, officials said.",
         [("40", 40, 40, "killed", "people"), ("52", 52, 52, "killed", "people")]),
        ("In 2019 the group killed 52 soldiers in a single attack, one of its deadliest.",
         [("52", 52, 52, "killed", "soldiers")]),
        ("Killed: 5. Injured: 12.", [("5", 5, 5, "killed", "people"),
                                     ("12", 12, 12, "injured", "people")]),
        ("Six children, aged between four and 12, died when the bus overturned.",
         [("Six", 6, 6, "killed", "children")]),
        ("A total of 75 people, most of them civilians, have been killed since Friday.",
         [("A total of 75", 75, 75, "killed", "people")]),
    ])
    def test_casualty_figures(self, text, expected):
        assert brief(claims(text)) == expected

    @pytest.mark.parametrize("text", [
        "The war began in 2011 and entered its 13th year in March.",
        "The 32-year-old nurse had worked at the hospital for six years.",
        "Police said 250 officers were deployed to the stadium.",
        "Militants fired 40 rockets and 12 mortar shells at the base, the army said.",
        "The agency said it needed $45 million and 300 trucks to reach the camps.",
        "Some 300 fighters laid down their arms and surrendered to the army.",
        "A convoy of 14 trucks reached the city, which has 2 million residents.",
        "The earthquake, of magnitude 6.4, struck at 3:40 am local time.",
        "Voters in 12 provinces went to the polls on 7 June.",
        "Five gunmen stormed the hotel before dawn, residents said.",
        "It is not yet known how many people died in the attack.",
        "The truce was meant to last 72 hours and covered 30 percent of the province.",
        "Our correspondent has covered more than 20 wars in her 35-year career.",
        "The F-16 and the MiG-29 flew over the capital.",
        "Up to 80,000 people could flee into Chad in the coming weeks.",
    ])
    def test_numbers_that_are_not_casualty_figures(self, text):
        assert claims(text) == []

    def test_attackers_are_not_victims(self):
        rows = claims("Five gunmen killed 14 villagers in the raid, police said.")
        assert brief(rows) == [("14", 14, 14, "killed", "people")]

    def test_casualties_never_mapped_to_killed(self):
        rows = claims("The strike caused 57 casualties, a doctor said.")
        assert [r["category"] for r in rows] == ["casualties"]

    def test_headline_and_biography_are_not_read(self):
        text = ("Bombing in market, 40 dead\n"
                "A car bomb killed at least 40 people in the market, police said.\n"
                "Jane Doe is a senior correspondent who has covered 30 conflicts "
                "in which thousands were killed.")
        rows = claims(text)
        assert brief(rows) == [("at least 40", 40, None, "killed", "people")]

    def test_span_points_at_the_figure(self):
        text = "Rescuers said at least 7 people died when the roof fell."
        [row] = claims(text)
        start, end = map(int, row["span"].split("-"))
        assert text[start:end] == row["figure"] == "at least 7"
        assert row["claim_id"] == f"t:{start}-{end}"
        assert row["quote"] == text


class TestPartOf:
    def test_including(self):
        rows = claims("The strike killed 25 people, including 10 children, medics said.")
        whole, part = rows
        assert (part["figure"], part["victims"], part["category"]) == ("10", "children", "killed")
        assert part["part_of"] == whole["claim_id"] and whole["part_of"] == ""

    def test_two_parts_of_one_whole(self):
        rows = claims("Raids killed 40 people, among them 12 children and nine women, "
                      "the ministry said.")
        assert [r["victims"] for r in rows] == ["people", "children", "women"]
        assert rows[1]["part_of"] == rows[2]["part_of"] == rows[0]["claim_id"]

    def test_n_of_them(self):
        rows = claims("Shelling has killed 30 people since Monday, 11 of them children, "
                      "monitors said.")
        assert rows[1]["victims"] == "children" and rows[1]["part_of"] == rows[0]["claim_id"]
        assert rows[0]["scope"] == rows[1]["scope"] == "cumulative"

    def test_among_the_dead_links_to_the_earlier_whole_of_the_same_source(self):
        text = ("Strikes killed at least 25 people in the city, the White Helmets said. "
                "Police said six people died in a separate attack. "
                "The White Helmets said eight children were among the dead.")
        rows = claims(text)
        assert rows[2]["victims"] == "children"
        assert rows[2]["part_of"] == rows[0]["claim_id"]

    def test_mixed_group_is_not_a_part(self):
        rows = claims("The blast killed 20 people, including 8 women and children, police said.")
        assert brief(rows) == [("20", 20, 20, "killed", "people")]


class TestAttribution:
    @pytest.mark.parametrize("text, source, kind, relay", [
        ("At least 9 people were killed, according to the Red Crescent.",
         "Red Crescent", "named", ""),
        ("Local officials said 14 people were injured.", "local officials", "unnamed", ""),
        ("Activists say 30 people were killed in the raid.", "activists", "unnamed", ""),
        ("The raid killed 17 people, the interior ministry said.", "interior ministry",
         "unnamed", ""),
        ("The toll rose to 33, said the provincial governor.", "provincial governor",
         "unnamed", ""),
        ("Amnesty International put the death toll at 120.", "Amnesty International", "named",
         ""),
        ("Twenty people were killed, a police officer told Reuters.", "police officer",
         "unnamed", "Reuters"),
        ("Eleven soldiers were killed, the defence ministry said, as quoted by TASS.",
         "defence ministry", "unnamed", "TASS"),
        ("Al Arabiya, citing medical sources, said 40 people had died.", "medical sources",
         "unnamed", "Al Arabiya"),
        ("The number detained was estimated at 300 by a rights group.", "rights group",
         "unnamed", ""),
    ])
    def test_sources(self, text, source, kind, relay):
        [row] = claims(text)
        assert (row["source"], row["source_type"], row["relay"]) == (source, kind, relay)

    def test_outlet_when_nothing_is_attributed(self):
        [row] = claims("At least 12 people were killed in the blast.", outlet="Daily Example")
        assert (row["source"], row["source_type"]) == ("Daily Example", "outlet")

    def test_url_host_when_no_outlet(self):
        [row] = claims("At least 12 people were killed.", url="https://news.example.org/a/1")
        assert row["source"] == "news.example.org"

    def test_source_in_the_next_sentence(self):
        rows = claims("Eleven people were killed and 23 wounded. The figures were given by "
                      "police captain Ali Omar.")
        assert {r["source"] for r in rows} == {"police captain Ali Omar"}

    def test_nearest_source_wins(self):
        rows = claims("Rockets killed 15 people, the monitor said, while state TV gave a toll "
                      "of nine.")
        assert [(r["low"], r["source"]) for r in rows] == [(15, "monitor"), (9, "state TV")]


class TestHedgesAndDenials:
    @pytest.mark.parametrize("text, hedge", [
        ("At least 40 people were reportedly killed.", "reportedly"),
        ("Dozens are feared dead after the landslide.", "feared"),
        ("The rebels claimed 50 soldiers were killed.", "claimed"),
        ("Activists said 75 were killed, a figure that could not be independently verified.",
         "could not be independently verified"),
    ])
    def test_hedges(self, text, hedge):
        [row] = claims(text)
        assert hedge in row["hedge"]

    def test_hedge_in_the_next_sentence(self):
        rows = claims("It is thought more than 100 people died. Those figures have not been "
                      "confirmed but come from local doctors.")
        assert "not been confirmed" in rows[0]["hedge"]

    def test_denial_gives_a_zero_claim_by_the_denier(self):
        rows = claims("The army denied any civilian casualties in the raid.")
        assert [(r["figure"], r["low"], r["high"], r["category"], r["victims"], r["source"],
                 r["denial"]) for r in rows] == [
            ("0", 0, 0, "casualties", "civilians", "army", "denied any civilian casualties")]

    def test_zero_phrase(self):
        [row] = claims("No one was killed in the blast, police said.")
        assert (row["low"], row["high"], row["category"], row["source"]) == \
            (0, 0, "killed", "police")


    @pytest.mark.parametrize("text, expected", [
        ("Not one civilian died in the strike, the army said.",
         [("Not one", 0, 0, "killed", "civilians")]),
        ("Not a single soldier was wounded, the ministry said.",
         [("Not a single", 0, 0, "injured", "soldiers")]),
        ("Nobody was killed in the blast, police said.", [("0", 0, 0, "killed", "people")]),
        ("The death toll topped 4,000 on Monday, the ministry said.",
         [("topped 4,000", 4001, None, "killed", "people")]),
        ("Officials said >10 people were killed.", [(">10", 11, None, "killed", "people")]),
        # A qualifier after a number that opens the next figure belongs to that figure.
        ("The strike killed 30 and over 100 were injured, officials said.",
         [("30", 30, 30, "killed", "people"), ("over 100", 101, None, "injured", "people")]),
        ("Police said 5 and up to 10 people were hurt.",
         [("5", 5, 5, "injured", "people"), ("up to 10", 0, 10, "injured", "people")]),
        # Markup is not a comparison: "<p>5" is not "more than 5".
        ("<p>5 people were killed, police said.</p>", [("5", 5, 5, "killed", "people")]),
    ])
    def test_zero_and_comparison_forms(self, text, expected):
        """The extractor reads figures with the one parser: "Not one" is 0, never 1."""
        assert brief(claims(text)) == expected


class TestCutFigures:
    """A figure cut by the sentence length limit is never a claim."""

    @pytest.mark.parametrize("unit", ["one thousand ", "five hundred ninety-nine thousand ",
                                      "thousand one ", "nine hundred and ninety-nine thousand "])
    def test_a_run_of_number_words_gives_no_claim(self, unit):
        run = unit * (30000 // len(unit.split()))
        for text in (f"At least {run}people were killed, police said.", f"{run}killed",
                     f"Killed: {run}"):
            rows = claims(text)
            assert [r["figure"][:40] for r in rows if len(r["figure"]) > 40] == []
            assert all(r["low"] is None or r["low"] < 10**4 for r in rows), brief(rows)[:3]

    def test_a_figure_at_the_cut_is_dropped(self):
        from reconcile.extract.document import MAX_SENTENCE, split_article
        figure = "at least 500 people were killed in "
        filler = "word " * ((MAX_SENTENCE - len(figure)) // 5 - 3)
        text = filler + figure + filler + "and more."
        assert split_article(text).sentences[0].cut_end  # the figure sits at the cut
        rejected: list = []
        rows = extract_article(text, article_id="t", rejected=rejected)
        cut = [r for r in rejected if "cut by the sentence length limit" in r[1]]
        assert cut and not [r for r in rows if r["low"] == 500], brief(rows)
        # The same figure away from a cut is a claim.
        assert brief(claims(figure + "the town.")) == [("at least 500", 500, None, "killed",
                                                        "people")]


class TestDatesAndScope:
    @pytest.mark.parametrize("text, date, scope", [
        ("Five people were killed yesterday, police said.", "2024-12-01", "incident"),
        ("Four people were killed on Wednesday, police said.", "2024-11-27", "incident"),
        ("Six people died in the fire on 28 November, officials said.", "2024-11-28",
         "incident"),
        ("Since November 27, the toll has risen to 56, medics said.",
         "2024-11-27/2024-12-02", "cumulative"),
        ("Almost 6,000 civilians have left the city over the past 24 hours, the ministry said.",
         "2024-12-01/2024-12-02", "cumulative"),
        ("Officials said on Sunday that 8 people were killed.", "", "incident"),
        ("So far 210 people have been killed, the ministry said.", "", "cumulative"),
    ])
    def test_event_date_and_scope(self, text, date, scope):
        [row] = claims(text)  # published 2024-12-02, a Monday
        assert (row["event_date"], row["scope"]) == (date, scope)

    def test_no_publication_date_no_relative_date(self):
        [row] = claims("Five people were killed yesterday.", published=None)
        assert row["event_date"] == ""


class TestPlaces:
    def test_sentence_then_paragraph(self):
        rows = claims("Jets struck the rebel-held city of Idlib. The raids killed 12 people.\n"
                      "Shelling in Homs killed 3 people.")
        assert [(r["location"], r["country"]) for r in rows] == [("Idlib", "Syria"),
                                                                 ("Homs", "Syria")]

    def test_district_of_the_city(self):
        rows = claims("A car bomb killed 60 people in Damascus. It went off in the Mazraa "
                      "district of the capital.")
        assert (rows[0]["location"], rows[0]["country"]) == ("Mazraa", "Syria")

    def test_alias_and_article_country(self):
        rows = claims("Rockets hit Halab, killing 4 people, Syrian state media said.")
        assert rows[0]["location"] == "Aleppo"

    def test_headline_fallback(self):
        rows = claims("Four people were killed, police said.", title="Blast hits Kabul market")
        assert (rows[0]["location"], rows[0]["country"]) == ("Kabul", "Afghanistan")


class TestSplitting:
    def test_header(self):
        fields, body = split_header("outlet: Example\npublished: 2024-12-02\nurl: http://x\n"
                                    "title: T\n\nBody text.")
        assert fields == {"outlet": "Example", "published": "2024-12-02", "url": "http://x",
                          "title": "T"}
        assert body == "Body text."

    def test_no_header(self):
        assert split_header("Plain text: with a colon.") == ({}, "Plain text: with a colon.")

    def test_leading_date_line(self):
        fields, body = split_header(" date 2024-12-02 Jets strike Idlib, 25 killed\nBody.")
        assert fields == {"published": "2024-12-02"} and body.startswith(" date")

    def test_sentences_keep_abbreviations(self):
        doc = split_article("The U.N. said 5 died. Gen. Smith said 2 more died. Then rain.",
                            frozenset({"gen", "u.n"}))
        texts = [doc.text[s.start:s.end] for s in doc.sentences]
        assert texts == ["The U.N. said 5 died.", "Gen. Smith said 2 more died.", "Then rain."]


# -- the seed articles -----------------------------------------------------------------------

def _seed(name: str) -> list[dict]:
    path = next(SEEDS.glob(f"{name}_*.txt"))
    [art], _ = read_articles(path)
    return extract_article(art.text, article_id=art.id, published=art.published,
                           outlet=art.outlet)


def _facts(rows: list[dict]) -> list[tuple]:
    return [(r["low"], r["high"], r["category"], r["victims"],
             r["source"] if r["source_type"] != "outlet" else "<outlet>") for r in rows]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="no shared/seeds beside the repository")
class TestSeeds:
    """Every casualty figure in the seed articles, and nothing else."""

    def test_live_blog(self):
        rows = _seed("000")
        assert _facts(rows) == [
            (29, None, "killed", "people", "<outlet>"),
            (54, 66, "killed", "people", "<outlet>"),
            (291, None, "killed", "people", "Syrian Observatory on Human Rights"),
        ]
        assert [r["location"] for r in rows] == ["Aleppo", "Mazraa", "Syria"]
        assert "not been confirmed" in rows[2]["hedge"]

    def test_idlib_report(self):
        rows = _seed("001")
        assert _facts(rows) == [
            (25, None, "killed", "people", "White Helmets"),
            (7, None, "killed", "people", "military sources"),
            (24, 99, "injured", "people", "military sources"),
            (0, 0, "casualties", "civilians", "Syrian military and Russia"),
            (10, 10, "killed", "children", "White Helmets"),
            # A sentence naming no source continues its paragraph's report (round 2).
            (56, 56, "killed", "people", "White Helmets"),
            (20, 20, "killed", "children", "White Helmets"),
            (24, 99, "killed", "soldiers", "Syrian army"),
        ]
        by_figure = {r["figure"]: r for r in rows}
        assert by_figure["10"]["part_of"] == by_figure["at least 25"]["claim_id"]
        assert by_figure["20"]["part_of"] == by_figure["56"]["claim_id"]
        assert by_figure["56"]["scope"] == "cumulative"
        assert by_figure["56"]["event_date"] == "2024-11-27/2024-12-02"
        assert by_figure["dozens of"]["hedge"] == "claimed"
        assert rows[3]["denial"]

    def test_opinion_piece(self):
        rows = _seed("002")
        assert _facts(rows) == [(5400, 5999, "displaced", "civilians",
                                 "Russia's defense ministry")]
        assert rows[0]["relay"] == "Interfax news agency"
        assert rows[0]["scope"] == "cumulative"


@pytest.mark.parametrize("path", sorted((ROOT / "examples" / "articles").glob("*.txt")),
                         ids=lambda p: p.name)
def test_restated_examples_read_like_the_seeds(path):
    [art], messages = read_articles(path)
    assert messages == [] and art.outlet and art.published and art.url and art.title
    rows = extract_article(art.text, article_id=art.id, published=art.published,
                           outlet=art.outlet, url=art.url, title=art.title)
    assert rows and all(r["category"] for r in rows)


# -- the gold set ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def gold_score():
    if not GOLD.exists():
        pytest.skip("no tests/data/extract_gold.jsonl")
    gold = load_gold(GOLD)
    return score_rows(gold, lambda row: extract_article(
        row["text"], article_id=row["id"], published=row.get("published")))


def test_gold_precision_and_recall(gold_score):
    # Floors just under what the extractor reaches (1.00 / 1.00 when written).
    assert gold_score.precision >= 0.97, gold_score.false_positives
    assert gold_score.recall >= 0.97, gold_score.false_negatives


def test_gold_attribution_and_links(gold_score):
    assert gold_score.accuracy("attribution") >= 0.97, gold_score.wrong.get("attribution")
    assert gold_score.accuracy("part_of") >= 0.95
    assert gold_score.accuracy("hedge") >= 0.95
    assert gold_score.accuracy("denial") >= 0.95


def _score(name: str):
    rows = load_gold(ROOT / "tests" / "data" / name)
    return score_rows(rows, lambda row: extract_article(
        row["text"], article_id=row["id"], published=row.get("published")))


@pytest.mark.parametrize("name, precision, recall, attribution", [
    # Development sets of issue 12 (tuned on): floors just under what the
    # extractor reaches (A: 0.920 / 0.862 / 0.842; B: 0.887 / 0.809 / 0.844).
    ("extract_dev_a.jsonl", 0.91, 0.85, 0.83),
    ("extract_dev_b.jsonl", 0.88, 0.80, 0.83),
])
def test_dev_set_floors(name, precision, recall, attribution):
    score = _score(name)
    # Plain numbers in the message: a failure must not print the set's rows.
    got = (round(score.precision, 3), round(score.recall, 3),
           round(score.accuracy("attribution"), 3))
    assert got[0] >= precision and got[1] >= recall and got[2] >= attribution, got


@pytest.mark.parametrize("name, precision, recall, attribution", [
    # Held apart, never tuned against: these floors only guard against a
    # regression. Set just under the totals measured for issue 12
    # (heldout 1.000 / 0.938 / 0.967; heldout_b 0.914 / 0.842 / 0.859); nobody
    # reads their individual errors.
    ("extract_heldout.jsonl", 0.97, 0.92, 0.95),
    ("extract_heldout_b.jsonl", 0.91, 0.83, 0.85),
])
def test_heldout_floors(name, precision, recall, attribution):
    score = _score(name)
    # Plain numbers in the message: a failure must not print the set's rows.
    got = (round(score.precision, 3), round(score.recall, 3),
           round(score.accuracy("attribution"), 3))
    assert got[0] >= precision and got[1] >= recall and got[2] >= attribution, got


# -- files -----------------------------------------------------------------------------------

def _read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


class TestExtractFiles:
    def test_txt_jsonl_csv(self, tmp_path):
        (tmp_path / "a.txt").write_text("outlet: Wire\npublished: 2024-12-02\n\n"
                                        "At least 9 people were killed yesterday in Homs.",
                                        encoding="utf-8")
        (tmp_path / "b.jsonl").write_text(json.dumps(
            {"id": "b1", "text": "Police said 4 people were injured.", "outlet": "Paper"})
            + "\n", encoding="utf-8")
        with open(tmp_path / "c.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "text", "published", "outlet", "url"])
            w.writerow(["c1", "Twelve people died, medics said.", "2024-01-01", "TV", ""])
        out = tmp_path / "out" / "claims.csv"
        report = extract_files([tmp_path / "c.csv", tmp_path / "a.txt", tmp_path / "b.jsonl"],
                               out)
        assert (report.files, report.files_read, report.articles, report.claims) == (3, 3, 3, 3)
        rows = _read_csv(out)
        assert list(rows[0]) == list(CLAIM_FIELDS)
        assert [r["article_id"] for r in rows] == ["a", "b1", "c1"]
        assert rows[0]["event_date"] == "2024-12-01" and rows[0]["source"] == "Wire"
        assert rows[0]["high"] == "" and rows[0]["low"] == "9"

    def test_output_does_not_depend_on_input_order(self, tmp_path):
        for i in range(3):
            (tmp_path / f"{i}.txt").write_text(f"Shelling killed {i + 3} people, medics said.",
                                               encoding="utf-8")
        paths = sorted(tmp_path.glob("*.txt"))
        extract_files(paths, tmp_path / "x.csv")
        extract_files(paths[::-1], tmp_path / "y.csv")
        assert (tmp_path / "x.csv").read_bytes() == (tmp_path / "y.csv").read_bytes()

    def test_bad_files_get_a_message_and_the_rest_is_read(self, tmp_path):
        good = tmp_path / "good.txt"
        good.write_text("At least 9 people were killed.", encoding="utf-8")
        (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 50)
        (tmp_path / "empty.txt").write_bytes(b"")
        (tmp_path / "latin.txt").write_bytes("Caf\xe9 blast: 3 people were killed.".encode(
            "cp1252"))
        (tmp_path / "bad.jsonl").write_text('{"id": "x", "text": "5 people died."}\nnot json\n',
                                            encoding="utf-8")
        (tmp_path / "big.txt").write_text("1 " * 5000, encoding="utf-8")
        (tmp_path / "table.xlsx").write_bytes(b"xx")
        inputs = [good, *(tmp_path / n for n in ("binary.txt", "empty.txt", "latin.txt",
                                                 "bad.jsonl", "big.txt", "table.xlsx",
                                                 "missing.txt"))]
        report = extract_files(inputs, tmp_path / "out.csv", max_chars=1000)
        text = "\n".join(report.messages)
        for name, words in (("binary.txt", "binary"), ("empty.txt", "empty"),
                            ("latin.txt", "Windows-1252"), ("bad.jsonl:2", "not valid JSON"),
                            ("big.txt", "limit"), ("table.xlsx", "unknown file type"),
                            ("missing.txt", "no such file")):
            assert any(name in m and words in m for m in report.messages), (name, text)
        assert report.articles == 3  # good, latin, bad.jsonl line 1
        assert {r["article_id"] for r in _read_csv(tmp_path / "out.csv")} == {
            "good", "latin", "x"}

    def test_a_folder_stands_for_its_files(self, tmp_path):
        (tmp_path / "in").mkdir()
        for i in range(2):
            (tmp_path / "in" / f"{i}.txt").write_text(f"Shelling killed {i + 3} people.",
                                                      encoding="utf-8")
        (tmp_path / "in" / "notes.pdf").write_bytes(b"%PDF")
        report = extract_files([tmp_path / "in"], tmp_path / "o.csv")
        assert (report.files, report.articles, report.claims) == (2, 2, 2)

    def test_nothing_readable_raises(self, tmp_path):
        (tmp_path / "empty.txt").write_bytes(b"")
        with pytest.raises(InputError, match="empty"):
            extract_files([tmp_path / "empty.txt"], tmp_path / "out.csv")
        assert not (tmp_path / "out.csv").exists()

    def test_spreadsheet_formulas_are_neutralised(self, tmp_path):
        (tmp_path / "f.txt").write_text("=HYPERLINK(1) At least 9 people were killed, "
                                        "@officials said.", encoding="utf-8")
        extract_files([tmp_path / "f.txt"], tmp_path / "o.csv")
        [row] = _read_csv(tmp_path / "o.csv")
        assert row["quote"].startswith("'=")
        assert not any(v.startswith(("=", "+", "@")) for v in row.values())
        assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []

    def test_duplicate_ids_are_kept_apart(self, tmp_path):
        line = json.dumps({"id": "same", "text": "Police said 4 people were injured."})
        (tmp_path / "d.jsonl").write_text(line + "\n" + line + "\n", encoding="utf-8")
        report = extract_files([tmp_path / "d.jsonl"], tmp_path / "o.csv")
        ids = [r["article_id"] for r in _read_csv(tmp_path / "o.csv")]
        assert ids == ["same", "same~2"] and any("more than once" in m for m in report.messages)

    def test_the_claims_loader_accepts_the_output(self, tmp_path):
        claims_mod = pytest.importorskip("reconcile.load")
        for p in sorted((ROOT / "examples" / "articles").glob("*.txt")):
            (tmp_path / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
        out = tmp_path / "claims.csv"
        report = extract_files(sorted(tmp_path.glob("*.txt")), out)
        result = claims_mod.load_claims(out)
        assert len(result.claims) == report.claims, result.rejects.to_dict("records")


# -- rules -----------------------------------------------------------------------------------

def test_shipped_extract_rules_are_valid():
    assert check_extract_rules() == []


def test_bad_extract_rules_name_file_line_and_key(tmp_path):
    (tmp_path / "extract.toml").write_text(
        '[[category]]\nphrase = "slain"\ncategory = "murdered"\nposition = "after"\n\n'
        '[[attribution]]\nphrases = ["said"]\nkind = "shouted"\n', encoding="utf-8")
    with pytest.raises(RulesError) as err:
        from reconcile.rules.load import default_rules
        load_extract_rules(tmp_path, default_rules())
    text = str(err.value)
    assert "extract.toml:1: category[0].category" in text and "'murdered'" in text
    assert "extract.toml:6: attribution[0].kind" in text


# -- adversarial input -----------------------------------------------------------------------

def _best_time(text: str, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        extract_article(text, article_id="x", published="2024-01-01")
        best = min(best, time.perf_counter() - t0)
    return best


@pytest.mark.parametrize("unit", ["1 ", "1,", "9" * 50 + " ", " ", "one ", "twenty ",
                                  "a hundred and ", "killed 5 ", "1-", "November 27 ",
                                  "including 5 children, ", "Aleppo ", "denied any ", "...",
                                  "At least 29 people were killed in Aleppo, activists said. "])
def test_time_grows_linearly(unit):
    """Four times the input takes about four times as long (quadratic would be 16)."""
    small = unit * max(1, 2000 // len(unit))
    enabled = gc.isenabled()
    gc.disable()
    try:
        t1 = _best_time(small)
        t4 = _best_time(small * 4)
    finally:
        if enabled:
            gc.enable()
    assert t4 <= 8 * t1 + 0.02, (unit, t1, t4)
