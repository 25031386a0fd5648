"""The whole-article scorer (evaluate/articles.py) on a tiny made-up folder."""

from __future__ import annotations

import pandas as pd

from reconcile.evaluate.articles import incident_counts, score_articles

ARTICLES = {
    "a1.txt": ("outlet: Town Courier\npublished: 2024-03-02\n\n"
               "Two people were killed and three were injured in a shooting in Dayton on "
               "Friday, police said.\n"),
    "a2.txt": ("outlet: Valley Times\npublished: 2024-03-03\n\n"
               "Police in Dayton said two people died and three others were wounded in "
               "Friday's shooting.\n"),
    "b1.txt": ("outlet: Town Courier\npublished: 2024-05-10\n\n"
               "A man was fatally stabbed in Leeds on Thursday, police said.\n"),
}


def _folder(tmp_path):
    for name, text in ARTICLES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "articles.csv").write_text(
        "file,incident_id,outlet,published\n"
        "a1.txt,dayton,Town Courier,2024-03-02\n"
        "a2.txt,dayton,Valley Times,2024-03-03\n"
        "b1.txt,leeds,Town Courier,2024-05-10\n", encoding="utf-8")
    (tmp_path / "incidents.csv").write_text(
        "incident_id,date,location,country,killed,injured,description\n"
        "dayton,2024-03-01,Dayton,United States,2,3,made up\n"
        "leeds,2024-05-09,Leeds,United Kingdom,1,0,made up\n"
        "nowhere,2024-05-09,Leeds,United Kingdom,4,0,an incident no article reports\n",
        encoding="utf-8")
    return tmp_path


def test_scores_each_incident(tmp_path):
    score = score_articles(_folder(tmp_path))
    got = {r.incident_id: (r.got_killed, r.got_injured) for r in score.incidents}
    assert got["dayton"] == (2, 3)
    assert got["leeds"] == (1, 0)  # no injured event: zero injured
    assert got["nowhere"] == (0, 0)
    summary = score.summary()
    assert summary["incidents"] == 3 and summary["articles"] == 3
    assert summary["both_right"] == round(2 / 3, 4)
    assert summary["killed_right"] == round(2 / 3, 4)
    assert summary["injured_right"] == 1.0


def test_the_event_with_most_of_the_articles_claims_wins():
    events = pd.DataFrame({"event_id": ["e1", "e2"], "category": ["killed", "killed"],
                           "best": [5, 9]})
    claims = pd.DataFrame({"event_id": ["e1", "e1", "e2"], "article_id": ["a", "b", "z"]})
    assert incident_counts(events, claims, ["a", "b", "z"]) == {"killed": 5, "injured": 0}
    assert incident_counts(events, claims, ["z"]) == {"killed": 9, "injured": 0}
