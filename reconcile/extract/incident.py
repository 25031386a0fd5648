"""What an article says about its incident as a whole.

Sentence by sentence, the extractor reads "a man was shot", "He died in
hospital", "A woman, 31, was also killed". Read together they say more: the
man who was shot is the man who died (one victim, killed), and the article
names two people killed although it never says "two". This module reads the
claims of one article together:

* **Victims named one by one** (:func:`link_victims`). Each single-victim
  figure ("a 27-year-old man", "the victim", "his wife") and each pronoun
  governed by a casualty word ("He died") is a mention. A mention refers
  back to an earlier victim when nothing marks it as new: a pronoun or "the
  man" to the last victim of the same sex; "a man" to an earlier man of a
  compatible age in another sentence. "another man", "a second victim", a
  man beside a woman, a 21-year-old beside a 27-year-old are new victims.
  A victim is one claim, at its first mention, in its final state: killed
  if any mention says so, else injured, else "shot" (casualties); later
  mentions of the same victim are not claims of their own.
* **Totals** (:func:`article_totals`). When an article names two or more
  victims of a category one by one, or adds to a count ("Another woman died
  later", "a second victim has died"), and no figure in it states that
  many, a claim of the sum is added: ``kind`` ``sum``, ``claim_id``
  ``<article>:sum-<category>``, ``figure`` the count, empty ``span``; the
  victims it sums are its parts (``part_of``). A victim named after a
  stated total ("Two people were killed ... a woman in her 20s") is a part
  of that total.
* **Wounds that include deaths across sentences.** "Three people were
  stabbed" and later "One died" leave two injured: a count of people shot or
  stabbed (casualties) becomes the injured who lived, ``N - killed``, when
  the article states no injured count. "found five victims with gunshot
  wounds. Three were taken to hospital ... two were pronounced dead":
  the five are the casualties, not five injured.
* **The incident's date** (:func:`fill_dates`): a claim without a date
  phrase of its own takes the date of the first dated claim about the
  incident in the article.

Everything here is a pass over the article's claims (a few dozen rows), so it
adds time linear in the number of claims.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .grammar import Fig, Lexicon, Person

__all__ = ["Note", "article_totals", "fill_dates", "link_victims", "restated", "split_wholes",
           "wounds_with_deaths"]

# Severity of a victim's state: a victim shot and later dead is killed.
_RANK = {"casualties": 1, "injured": 2, "killed": 3}
# Heads that say nothing of who the victim is beyond sex: "the victim", "the 23-year-old".
_ANY_HEAD = frozenset({"victim", "person", "individual", "adult", "male", "female", "man",
                       "woman", "boy", "girl", "teenager", "teen", "youth", "juvenile", "old",
                       "resident", "he", "she", "one", "child", "baby", "infant", "minor",
                       "people", "pedestrian", "civilian", "gentleman", "lady"})
# A text of this many sentences is an article: its victims are of one incident.
_ARTICLE_SENTENCES = 4
# Heads whose rank counts every victim: "a second victim", "a second person", "a third died".
_RANKED = frozenset({"victim", "person", "individual", "one", "second", "third", "fourth",
                     "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"})
# Words after a number that make it an addition to the count before it: "two others died".
_ADDED_AFTER = frozenset({"more", "additional", "further"})
_ADDED_BEFORE = frozenset({"another", "further", "additional", "also"})


@dataclass
class Note:
    """A figure read in an article: its claim row (None for a pronoun) and sentence."""

    row: dict | None
    fig: Fig
    sentence: int


@dataclass
class _Victim:
    person: Person
    first: Note
    state: str
    sentence: int
    rows: list[dict] = field(default_factory=list)
    added: bool = False  # introduced as new: "another man", "a second victim"


def _age_ok(a: str, b: str) -> bool:
    if not a or not b:
        return True
    if a.endswith("s") or b.endswith("s"):  # "in his 30s" and 34
        da, db = a.rstrip("s"), b.rstrip("s")
        return da[:-1] == db[:-1] if len(da) == len(db) == 2 else da == db
    return a == b


def _compatible(v: Person, p: Person) -> bool:
    if v.gender and p.gender and v.gender != p.gender:
        return False
    if not _age_ok(v.age, p.age):
        return False
    return v.head == p.head or v.head in _ANY_HEAD or p.head in _ANY_HEAD


def _same(v: _Victim, p: Person, det: str, sentence: int) -> bool:
    """Whether a mention (``p``, introduced by ``det``) names victim ``v`` again."""
    if not _compatible(v.person, p):
        return False
    if det in ("pronoun", "def"):
        return True
    # "a man" again, in another sentence: the same man unless his age differs or
    # nothing but his sex is shared ("a man" after "a driver" may be anyone).
    return sentence != v.sentence and (v.person.head == p.head or
                                       (bool(p.age) and p.age == v.person.age))


def restated(notes: Sequence[Note]) -> set[int]:
    """Ids of rows that count people counted before: "Five people were shot ... All five
    were taken to hospital", "the two men who died"."""
    out: set[int] = set()
    seen: set[int] = set()
    for n in notes:
        row = n.row
        if row is None or row["high"] is None or row["low"] != row["high"] \
                or row["category"] not in _RANK:
            continue
        count = int(row["low"])
        if n.fig.anaphor and count in seen:
            out.add(id(row))
        seen.add(count)
    return out


def link_victims(notes: Sequence[Note]) -> tuple[list[_Victim], set[int]]:
    """Victims named one by one, and the ids of rows that name a victim again.

    Each victim's first row takes the victim's final state (killed over injured
    over casualties). Returns the victims (in order of first mention) and
    ``id()`` of every row to drop.
    """
    victims: list[_Victim] = []
    drop: set[int] = set()
    for note in notes:
        f = note.fig
        if f.person is None or not f.persons:
            continue
        category = note.row["category"] if note.row is not None else (f.category or "")
        if category not in _RANK or (note.row is not None and note.row["denial"]):
            continue
        matched: list[_Victim] = []
        for p in f.persons:
            hit = None
            if f.det != "another" and f.ordinal < 2:
                taken = {id(v) for v in matched}
                cands = [v for v in reversed(victims)
                         if id(v) not in taken and _same(v, p, f.det, note.sentence)]
                # "The man who died" beside a man who lived: the one in that state.
                hit = next((v for v in cands if v.state == category), None) \
                    if len(cands) > 1 else None
                hit = hit or (cands[0] if cands else None)
            if hit is None:
                if note.row is None:
                    continue  # "He died" with nobody named before: not ours to count
                hit = _Victim(p, note, category, note.sentence,
                              added=f.det == "another" or f.ordinal >= 2)
                victims.append(hit)
            elif _RANK[category] > _RANK[hit.state]:
                hit.state = category
            hit.sentence = note.sentence
            matched.append(hit)
        if note.row is None or not matched:
            continue
        if all(v.first is not note for v in matched):
            drop.add(id(note.row))  # every person in it was named before
        for v in matched:
            v.rows.append(note.row)
    for v in victims:
        row = v.first.row
        if row is None or id(row) in drop:
            continue
        if len(v.first.fig.persons) == 1 and _RANK.get(row["category"], 0) < _RANK[v.state]:
            row["category"] = v.state
    return victims, drop


def _added(note: Note, w: Sequence[str] | None, before: Note | None) -> bool:
    """'two others died', 'another three', 'a further two': added to a count before.

    Only when the figure read just before is of the same category: in "Two were
    pronounced dead and three others were taken to hospital" the others are the
    ones who did not die.
    """
    f = note.fig
    if w is None or before is None or before.row is None or note.row is None \
            or before.row["category"] != note.row["category"]:
        return False
    if f.det == "another":
        return True
    if (f.first and w[f.first - 1] in _ADDED_BEFORE) or w[f.first] in _ADDED_BEFORE:
        return True  # "also two", "Another two people died"
    return f.end < len(w) and w[f.end] in _ADDED_AFTER


def article_totals(notes: Sequence[Note], victims: Sequence[_Victim], drop: set[int],
                   words: Mapping[int, Sequence[str]], article_id: str,
                   lex: Lexicon, sentences: int = 0) -> list[dict]:
    """Totals an article implies but never states, and the parts of the totals it states.

    ``words`` gives the tokens of each sentence that holds a figure (to see
    "others", "another"). Returns the new rows (claims of a sum).
    """
    out: list[dict] = []
    for category in ("killed", "injured"):
        numbers = [n for n in notes if n.row is not None and n.fig.person is None
                   and id(n.row) not in drop and n.row["category"] == category
                   and not n.row["part_of"] and not n.row["denial"] and not n.fig.earlier
                   and n.row["scope"] == "incident" and n.row["high"] is not None]
        people = [v for v in victims if v.state == category and v.first.row is not None
                  and id(v.first.row) not in drop]
        # "a second victim", "a third died": the victim's rank is a count of the dead;
        # "a third man" counts men (the two killed before him may be men too).
        ordinal = max((n.fig.ordinal for n in notes if n.fig.person is not None
                       and n.fig.person in _RANKED
                       and (n.row["category"] if n.row is not None else n.fig.category)
                       == category), default=0)
        running, stated, groups = 0, 0, 0
        parts: list[dict] = []
        order = {id(n): k for k, n in enumerate(notes)}
        per_sentence: dict[int, int] = {}
        for n in numbers:
            per_sentence[n.sentence] = per_sentence.get(n.sentence, 0) + 1
        for n in numbers:
            row = n.row
            assert row is not None
            low = int(row["low"])
            stated = max(stated, low)
            before = notes[order[id(n)] - 1] if order[id(n)] else None
            # "24 women and 40 men, and 10 others": a breakdown, not an addition.
            alone = per_sentence[n.sentence] == 1
            if running and alone and _added(n, words.get(n.sentence), before):
                running += low
                groups += 1
                parts.append(row)
            elif low > running:
                running, groups, parts = low, 1, [row]
        whole = parts[0] if len(parts) == 1 and numbers else None
        for v in people:
            if numbers and v.added and v.first.fig.det == "another" \
                    and v.first.sentence > numbers[0].sentence:
                running += 1  # "Another woman died later at a hospital"
                groups += 1
                parts.append(v.first.row)  # type: ignore[arg-type]
        if not numbers:
            running, groups = len(people), len(people)
            parts = [v.first.row for v in people]  # type: ignore[misc]
        total = max(running, ordinal, len(people))
        # Named "separately across an article": the evidence spans two sentences or more
        # (within one sentence the grammar reads coordinations and lists).
        said_in = {n.sentence for n in notes if n.fig.person is not None or n in numbers
                   if (n.row["category"] if n.row is not None else n.fig.category) == category}
        # Within one sentence of a short text, separate victims may be separate events
        # ("One man died of a heart attack, while another was killed by a falling tree").
        short = len(said_in) < 2 and sentences < _ARTICLE_SENTENCES
        if total <= stated or total < 2 or (groups < 2 and ordinal < 2) or short:
            if whole is not None and stated >= len(people):
                # "Two people were killed ... a woman in her 20s": parts of the two.
                for v in people:
                    row = v.first.row
                    if row is not None and row is not whole and not row["part_of"] \
                            and v.first.sentence >= numbers[0].sentence:
                        row["part_of"] = whole["claim_id"]
            continue
        first = parts[0] if parts else (people[0].first.row if people else None)
        if first is None:
            continue
        row = dict(first)
        row.update({
            "claim_id": f"{article_id}:sum-{category}",
            "figure": str(total), "low": total, "high": total, "anchor": total,
            "kind": "sum", "category": category, "victims": _common(lex, parts),
            "scope": "incident", "hedge": "", "denial": "", "part_of": "", "span": "",
            "quote": " … ".join(dict.fromkeys(str(p["quote"]) for p in parts))[:400],
        })
        for p in parts:
            if not p["part_of"]:
                p["part_of"] = row["claim_id"]
        out.append(row)
    return out


def _common(lex: Lexicon, rows: Sequence[dict]) -> str:
    group = ""
    for r in rows:
        v = r["victims"] or "people"
        group = v if not group else lex.common_group(group, v)
    return group or "people"


def _live(notes: Sequence[Note], drop: set[int]) -> list[Note]:
    return [n for n in notes if n.row is not None and id(n.row) not in drop
            and not n.row["denial"] and n.row["scope"] == "incident"]


def split_wholes(notes: Sequence[Note], drop: set[int]) -> None:
    """'found five victims with gunshot wounds. Three were taken to hospital ... two were
    pronounced dead': an injured count that the next sentence splits into killed and
    injured is the casualties, not five injured."""
    live = _live(notes, drop)
    for k, n in enumerate(live):
        row = n.row
        assert row is not None
        if row["category"] != "injured" or n.fig.person is not None or row["high"] is None \
                or row["part_of"]:
            continue
        nxt = [m.row for m in live[k + 1:] if m.sentence == n.sentence + 1 and m.row is not None]
        killed = sum(int(r["low"]) for r in nxt if r["category"] == "killed" and not r["part_of"]
                     and r["high"] is not None)
        hurt = sum(int(r["low"]) for r in nxt if r["category"] == "injured" and not r["part_of"]
                   and r["high"] is not None)
        if killed and hurt and killed + hurt == int(row["low"]) == int(row["high"]):
            row["category"] = "casualties"


def wounds_with_deaths(notes: Sequence[Note], drop: set[int],
                       extra: Sequence[dict]) -> None:
    """'Three people were stabbed ... One died': the casualties who lived are injured.

    A count of people shot or stabbed (casualties) becomes ``N - killed`` injured
    (``figure`` the count, the words at ``span``) when the article states no
    injured count and its killed (``extra`` holds the sums) are fewer than N and
    said in another sentence.
    """
    live = _live(notes, drop)
    injured = [n for n in live if n.row is not None and n.row["category"] == "injured"]
    if injured:
        return
    deaths = [n for n in live if n.row is not None and n.row["category"] == "killed"
              and not n.row["part_of"] and n.row["high"] is not None]
    killed = max([int(n.row["low"]) for n in deaths if n.row is not None]
                 + [int(r["low"]) for r in extra if r["category"] == "killed"], default=0)
    if not killed:
        return
    for n in live:
        row = n.row
        assert row is not None
        if row["category"] != "casualties" or row["high"] is None or row["part_of"] \
                or n.fig.person is not None or all(d.sentence == n.sentence for d in deaths):
            continue  # within one sentence the grammar reads "five shot, two fatally"
        low, high = int(row["low"]), int(row["high"])
        if low != high or low <= killed:
            continue
        left = low - killed
        row.update({"category": "injured", "figure": str(left), "low": left, "high": left,
                    "anchor": left})
        break


def fill_dates(rows: Sequence[dict]) -> None:
    """Undated incident claims take the date of the article's first dated incident claim."""
    day = next((r["event_date"] for r in rows if r["event_date"] and r["scope"] == "incident"
                and "/" not in str(r["event_date"])), "")
    if not day:
        return
    for r in rows:
        if not r["event_date"] and r["scope"] == "incident":
            r["event_date"] = day
