"""The grammar around a figure: which word governs it, whom it counts, what it is part of.

Everything here works on the tokens of one sentence. Each search is bounded
(a figure looks at most a dozen tokens to each side, phrases are matched by
a dict lookup on their first or last token), so a sentence costs time linear
in its length whatever it contains.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core.interval import INF, Interval
from ..core.parse import Figure, FigureMatch, NotAFigure, find_figures, parse_figure
from ..core.text import Token, tokenize, words
from ..rules.extract import CategoryWord, ExtractRules, PartOfCue
from ..rules.load import Rules
from .dates import DateGrammar, DatePhrase, find_dates

__all__ = ["Fig", "Lexicon", "Person", "PhraseIndex", "SentenceView", "govern_figures"]

Phrase = tuple[str, ...]
_LEFT_REACH = 16  # tokens a figure looks back for its governing word
_HAVE = frozenset({"have", "has", "had"})
# Words that open an aside between a figure's noun and its verb:
# "Six children, aged between four and 12, died".
_ASIDES = frozenset({"aged", "all", "mostly", "most", "many", "both", "who", "some", "mainly"})
_SUFFIX_GLUE = "-/:"


class PhraseIndex:
    """Phrases indexed by first and by last token, longest first."""

    def __init__(self, items: Iterable[tuple[Phrase, Any]]) -> None:
        self.first: dict[str, list[tuple[Phrase, Any]]] = {}
        self.last: dict[str, list[tuple[Phrase, Any]]] = {}
        for toks, value in items:
            self.first.setdefault(toks[0], []).append((toks, value))
            self.last.setdefault(toks[-1], []).append((toks, value))
        for table in (self.first, self.last):
            for rows in table.values():
                rows.sort(key=lambda r: -len(r[0]))

    def at(self, w: Sequence[str], i: int, n: int | None = None) -> tuple[Any, int] | None:
        """The longest phrase starting at token i (ending before n): (value, end)."""
        if n is None:
            n = len(w)
        if i >= n:
            return None
        rows = self.first.get(w[i])
        if rows is None:
            return None
        for toks, value in rows:
            k = len(toks)
            if i + k <= n and (k == 1 or tuple(w[i:i + k]) == toks):
                return value, i + k
        return None

    def positions(self, w: Sequence[str]) -> list[int]:
        """Indexes of tokens that may start a phrase (a dict lookup each)."""
        first = self.first
        return [i for i, t in enumerate(w) if t in first]

    def scan(self, w: Sequence[str]) -> list[tuple[Any, int, int]]:
        """Every non-overlapping phrase, left to right: (value, start, end)."""
        out: list[tuple[Any, int, int]] = []
        last = 0
        for i in self.positions(w):
            if i < last:
                continue
            hit = self.at(w, i)
            if hit is not None:
                out.append((hit[0], i, hit[1]))
                last = hit[1]
        return out

    def ending(self, w: Sequence[str], j: int, lo: int = 0) -> tuple[Any, int] | None:
        """The longest phrase ending at token j (starting at or after lo): (value, start)."""
        if j < lo:
            return None
        for toks, value in self.last.get(w[j], ()):
            k = len(toks)
            if j - k + 1 >= lo and (k == 1 or tuple(w[j - k + 1:j + 1]) == toks):
                return value, j - k + 1
        return None


class Lexicon:
    """Lookup tables built once from the rules."""

    def __init__(self, rules: Rules, ex: ExtractRules) -> None:
        self.rules, self.ex = rules, ex
        self.dates = DateGrammar(ex.dates, rules.numbers)
        self.cat_after = PhraseIndex((c.tokens, c) for c in ex.categories if c.after)
        self.cat_before = PhraseIndex((c.tokens, c) for c in ex.categories if c.before)
        self.cat_any = PhraseIndex((c.tokens, c) for c in ex.categories)
        self.cat_first = frozenset(c.tokens[0] for c in ex.categories)
        victims = []
        for g in rules.victims:
            for alias in (g.name, *g.aliases):
                victims.append((words(alias), g.name))
        self.victims = PhraseIndex(victims)
        self.victim_parent = {g.name: g.part_of for g in rules.victims}
        self.nc_before = PhraseIndex(ex.not_casualty_before)
        self.nc_after = PhraseIndex(ex.not_casualty_after)
        self.part_before = PhraseIndex((c.tokens, c) for c in ex.part_of if c.position == "before")
        self.part_after = PhraseIndex((c.tokens, c) for c in ex.part_of if c.position == "after")
        self.part_reach = max((c.reach for c in ex.part_of if c.position == "before"), default=0)
        self.attribution = PhraseIndex((a.tokens, a) for a in ex.attribution)
        self.hedges = PhraseIndex((h, " ".join(h)) for h in ex.hedges)
        self.denials = PhraseIndex((d, " ".join(d)) for d in ex.denials)
        self.zeros = PhraseIndex(ex.zeros)
        self.scope = PhraseIndex(ex.scope)
        self.carry_back = PhraseIndex((c, True) for c in ex.carry_back)
        ws = ex.word_sets
        self.aux, self.passive = ws["auxiliaries"], ws["passive"]
        self.fillers, self.preps = ws["np_fillers"], ws["np_preps"]
        self.breaks = ws["clause_breaks"] - {".", "?", "!"}
        self.determiners = ws["determiners"]
        self.source_adverbs = ws["source_adverbs"]
        # "2,000 last week", "three on Sunday": a time after a figure is not its noun.
        dates = ex.dates
        self.times_after = PhraseIndex(
            [(p, True) for p in dates.periods] + [(p, True) for p in dates.relative]
            + [((d,), True) for d in dates.weekdays])
        nums = rules.numbers
        self.number_words = frozenset(nums.units) | frozenset(nums.tens)
        vague_words: set[str] = set()
        for v in rules.vague:
            vague_words.update(v.tokens)
        vague_words -= {"a", "an", "of"}
        # A sentence without a digit and without one of these words has no figure.
        # A zero phrase ("not a single", "nobody") by its longest word.
        zero_words = frozenset(max((t for t in z if t.isalpha()), key=len, default=z[0])
                               for z in nums.zeros)
        self.prefilter = (self.number_words | frozenset(nums.scales) | frozenset(vague_words)
                          | frozenset(nums.fractions) | zero_words)
        # Zero claims and denials need no number: found by their words.
        self.zero_words = frozenset(" ".join(p) for p, _ in ex.zeros) | \
            frozenset(d[0] for d in ex.denials)
        self.zero_first = frozenset(p[0] for p, _ in ex.zeros) | \
            frozenset(d[0] for d in ex.denials)
        # Every category phrase has one of these words: a sentence with none of
        # them has no figure claim, whatever numbers it holds.
        # A phrase that holds a one-word category ("injured people") needs no word of
        # its own: the set stays small and specific, and the test stays exact.
        single = {c.tokens[0] for c in ex.categories if len(c.tokens) == 1}
        self.casualty_words = frozenset(single) | frozenset(
            max(reversed([t for t in c.tokens if t.isalpha()] or [c.tokens[0]]), key=len)
            for c in ex.categories if len(c.tokens) > 1 and single.isdisjoint(c.tokens))
        self.figure_starts = (self.number_words | frozenset(v.tokens[0] for v in rules.vague))
        # Single victims without a digit ("a driver was killed").
        people = ex.people
        self.person_det = frozenset(" ".join(p) for p in people["determiners"])
        self.person_mod = frozenset(" ".join(p) for p in people["modifiers"])
        self.person_heads = PhraseIndex((p, " ".join(p)) for p in people["heads"])
        self.not_detained = frozenset(" ".join(p) for p in people["not_victims"])
        self.ordinals = frozenset(" ".join(p) for p in people["ordinals"])
        self.male = frozenset(" ".join(p) for p in people["male"])
        self.female = frozenset(" ".join(p) for p in people["female"])
        self.person_pronouns = frozenset(" ".join(p) for p in people["pronouns"])
        self.generic_people = frozenset(" ".join(p) for p in people["generic"])
        # A sentence with none of these words has no single victim: one set test.
        self.person_cues = frozenset(p[-1] for p in people["heads"]) | self.ordinals \
            | {"another"} | self.person_pronouns
        self.prefilter = self.prefilter | frozenset(
            t for p in people["heads"] for t in p if t.isalpha() and len(t) > 2) \
            | self.person_pronouns
        # First words of what the search after a figure looks for.
        self.np_first = (frozenset(self.cat_after.first) | frozenset(self.nc_after.first)
                         | frozenset(self.victims.first))
        # Earlier tolls and tolls referred back to.
        earlier = ex.earlier
        # Capitalised words that may stand before a capitalised number that counts:
        # "In Two days", "Only Three people".
        self.name_starters = frozenset({"in", "at", "on", "of", "the", "and", "but", "only",
                                        "some", "about", "around", "over", "nearly", "almost",
                                        "least", "than", "to", "for", "with", "by"})
        proj = ex.projection
        self.modals = PhraseIndex((p, " ".join(p)) for p in proj["modals"])
        self.rise_to = PhraseIndex([(p, "up_to") for p in proj["up_to"]]
                                   + [(p, "beyond") for p in proj["beyond"]])
        self.transfer_verbs = PhraseIndex((p, p) for p in ex.transfer["verbs"])
        self.transfer_places = PhraseIndex((p, p) for p in ex.transfer["places"])
        self.earlier_cues = PhraseIndex((p, " ".join(p)) for p in earlier["cues"])
        self.toll_verbs = PhraseIndex((p, " ".join(p)) for p in earlier["toll_verbs"])
        self.toll_subjects = PhraseIndex((p, " ".join(p)) for p in earlier["toll_subjects"])
        # "the number", "the count": the head nouns of a toll named by its subject.
        self.toll_heads = frozenset(p[-1] for p in earlier["toll_subjects"]) - {"it"}
        # Numbers that are not claims, as structures.
        ff = ex.false_figures
        self.increments = frozenset(" ".join(p) for p in ff["increments"])
        self.totals = frozenset(" ".join(p) for p in ff["totals"])
        self.change_verbs = frozenset(" ".join(p) for p in ff["change_verbs"])
        self.rates = PhraseIndex((p, " ".join(p)) for p in ff["rates"])
        self.rates_before = PhraseIndex((p, " ".join(p)) for p in ff["rates_before"])
        self.rate_exceptions = frozenset(" ".join(p) for p in ff["rate_exceptions"])
        self.identification = frozenset(" ".join(p) for p in ff["identification"])
        self.uncounted = frozenset(" ".join(p) for p in ff["uncounted"])
        self.age_words = frozenset(" ".join(p) for p in ff["ages"])
        # One set test per sentence decides whether the rate, identification,
        # change and increment checks can find anything at all.
        self.false_cues = (frozenset(p[0] for p in ff["rates"]) | frozenset(p[0] for p in ff["rates_before"])
                           | self.identification | self.age_words | self.increments | {"by"})

    def victim_at(self, w: Sequence[str], i: int, n: int | None = None) -> tuple[str, int] | None:
        return self.victims.at(w, i, n)

    def common_group(self, a: str, b: str) -> str:
        """The narrowest victim group containing both (children, women -> civilians)."""
        chain: list[str] = []
        cur: str | None = a
        while cur is not None and cur not in chain:
            chain.append(cur)
            cur = self.victim_parent.get(cur)
        cur, seen = b, set()
        while cur is not None and cur not in seen:
            if cur in chain:
                return cur
            seen.add(cur)
            cur = self.victim_parent.get(cur)
        return "people"

    def within(self, child: str, parent: str) -> bool:
        """Whether victim group ``child`` lies inside (or is) ``parent``."""
        cur: str | None = child
        seen: set[str] = set()
        while cur is not None and cur not in seen:
            if cur == parent:
                return True
            seen.add(cur)
            cur = self.victim_parent.get(cur)
        return parent == "people"


class SentenceView:
    """One sentence's tokens and the derived arrays the searches share."""

    __slots__ = ("_attrs", "_dates", "_false", "_places", "_rates", "article_start", "brk", "caps", "clause",
                 "commas", "figs", "index", "lex", "paragraph", "text", "toks", "w")

    def __init__(self, text: str, article_start: int, index: int, paragraph: int,
                 lex: Lexicon, toks: list[Token] | None = None) -> None:
        self.text, self.article_start, self.index, self.paragraph = text, article_start, index, \
            paragraph
        self.lex = lex
        self.toks = toks if toks is not None else tokenize(text)
        toks = self.toks
        self.w = w = [t.text for t in toks]
        self.caps = [text[t.start].isupper() for t in toks]
        breaks = lex.breaks
        self.brk = brk = [t in breaks for t in w]
        self.commas = [i for i, t in enumerate(w) if t == ","]
        # Clause number of each token: one more after every break or comma.
        clause, cid = [], 0
        for b, t in zip(brk, w, strict=True):
            if b or t == ",":
                cid += 1
            clause.append(cid)
        self.clause = clause
        self._dates: list[DatePhrase] | None = None
        self._attrs: list | None = None
        self._places: list | None = None
        self._false: bool | None = None
        self._rates: frozenset[int] | None = None
        self.figs: list[Fig] = []

    def rate_starts(self) -> frozenset[int]:
        """Where a rate phrase ("each day", "a month") starts, not followed by 'earlier'."""
        if self._rates is None:
            lex, w = self.lex, self.w
            n = len(w)
            self._rates = frozenset(
                k for _, k, end in lex.rates.scan(w)
                if end >= n or w[end] not in lex.rate_exceptions)
        return self._rates

    def may_hold_false_figures(self) -> bool:
        """Whether a rate, change, increment, identification or age word is in the sentence."""
        if self._false is None:
            self._false = not self.lex.false_cues.isdisjoint(self.w)
        return self._false

    def dates(self, published) -> list[DatePhrase]:
        if self._dates is None:
            self._dates = find_dates(self.w, self.caps, published, self.lex.dates)
        return self._dates

    def span(self, a: int, b: int) -> str:
        """The original text of tokens [a, b)."""
        return self.text[self.toks[a].start:self.toks[b - 1].end]


@dataclass(frozen=True, slots=True)
class Person:
    """One person a single-victim figure names: 'a 27-year-old man', 'his wife', 'she'."""

    head: str
    gender: str = ""  # m | f | "" (unknown: "the victim", "a person")
    age: str = ""  # "27", "30s" or "" when not said


@dataclass(slots=True)
class Fig:
    """A figure in a sentence and what the grammar around it says."""

    match: FigureMatch
    figure: Figure
    first: int  # token span [first, end)
    end: int
    category: str | None = None
    side: str = ""  # right | left | coord | part
    victims: str | None = None
    np_end: int = 0
    part_cue: bool = False
    among: bool = False  # governed by "among the dead": part of a whole named earlier
    word_at: int | None = None  # token index of the governing casualty word
    word: CategoryWord | None = None
    part_of: int | None = None  # index into the sentence's figs
    mixed: bool = False
    person: str | None = None  # the head noun of a single victim without a digit
    earlier: bool = False  # an earlier toll: "up from 42", "revised from 73 to 87"
    toll_ref: bool = False  # "it stood at 1,782": the subject refers back to a toll
    derived: bool = False  # the count is not the figure's words: "five shot, two fatally" -> 3
    persons: tuple[Person, ...] = ()  # the people a single-victim figure names
    det: str = ""  # indef | def | another | pronoun: how a single victim is introduced
    ordinal: int = 0  # "a second victim": the victim's rank (2), which says a total
    anaphor: bool = False  # "All three were taken to hospital", "the two men": counted before
    partitive: bool = False  # "Three of the injured": part of a whole said before
    hedge: str = ""  # a projection's words: "could climb to"
    reject: str | None = None
    claim: dict | None = field(default=None, repr=False)


def _glued(text: str, a: int, b: int) -> bool:
    """Whether a figure at text[a:b] is glued to letters or digits: M23, 9/11, 20-member."""
    if a > 0:
        c = text[a - 1]
        if c.isalnum() or (c in _SUFFIX_GLUE + "." and a > 1 and text[a - 2].isalnum()):
            return True
    if b < len(text):
        c = text[b]
        if c.isalnum() or (c in _SUFFIX_GLUE and b + 1 < len(text) and text[b + 1].isalnum()):
            return True
    return False


def _update_range(s: SentenceView, m: FigureMatch, fig: Figure, lex: Lexicon) \
        -> tuple[FigureMatch, Figure | NotAFigure, FigureMatch | None]:
    """'rose from 12 to 19' is an update: 19 is the toll, 12 the earlier toll."""
    i = m.first_token
    if fig.kind != "range" or i == 0:
        return m, fig, None
    w = s.w
    update = w[i - 1] in lex.ex.update_verbs or (
        w[i] == "from" and any(w[k] in lex.ex.update_verbs for k in range(max(0, i - 8), i)))
    if not update:
        return m, fig, None
    for k in range(m.end_token - 1, i, -1):
        if w[k] in ("to", "-", "–"):
            start = s.toks[k + 1].start
            new = parse_figure(s.text[start:m.end], lex.rules)
            if isinstance(new, Figure):
                nm = FigureMatch(new, k + 1, m.end_token, start, m.end, start, m.number_end)
                first = i + 1 if w[i] == "from" else i
                old_start, old_end = s.toks[first].start, s.toks[k - 1].end
                old = parse_figure(s.text[old_start:old_end], lex.rules)
                om = FigureMatch(old, first, k, old_start, old_end, old_start, old_end) \
                    if isinstance(old, Figure) else None
                return nm, new, om
    return m, fig, None


def _reject(s: SentenceView, m: FigureMatch, fig: Figure, lex: Lexicon, published) -> str | None:
    w, i, e = s.w, m.first_token, m.end_token
    if _glued(s.text, m.start, m.end):
        return "part of a word, label or code"
    if i and e == i + 1 and s.caps[i] and s.caps[i - 1] and w[i - 1].isalpha() \
            and w[i] in lex.number_words and w[i - 1] not in lex.name_starters:
        return "part of a name"  # "Regional One Hospital", "Channel Four"
    hit = lex.nc_before.ending(w, i - 1)
    if hit is not None:
        return hit[0]
    hit = lex.nc_after.at(w, e)
    if hit is not None:
        return hit[0]
    for d in s.dates(published):
        if d.start < e and i < d.end:
            return "date"
    if fig.kind in ("exact", "range"):
        num_tok = w[_number_token(s, m)]
        if len(num_tok) == 4 and num_tok.isdigit() and 1800 <= int(num_tok) <= 2100:
            nxt = w[e] if e < len(w) else ""
            if not (lex.victim_at(w, e) or nxt in lex.cat_first):
                return "year"
    if fig.text.lower() == "one" and i > 0 and not (e < len(w) and (
            lex.victim_at(w, e) is not None or lex.person_heads.at(w, e) is not None)) \
            and w[i - 1] in (
            "no", "any", "every", "each", "this", "that", "which", "only", "another", "such",
            "the", "anyone", "someone"):
        return "pronoun 'one'"
    return None


def _number_token(s: SentenceView, m: FigureMatch) -> int:
    """The token where the quantity starts (after any qualifier)."""
    k = m.first_token
    while k + 1 < m.end_token and s.toks[k].start < m.number_start:
        k += 1
    return k


_PART_WORDS = frozenset({"them", "whom", "including", "among", "mostly", "mainly", "those"})


def _skip_part_parenthesis(s: SentenceView, j: int, n: int) -> int | None:
    """At ', including three children,' or ', four of them children,' the index after it."""
    lex = s.lex
    if lex.part_before.at(s.w, j + 1, n) is None and (j + 1 >= n or s.w[j + 1] not in _ASIDES):
        # ", four of them children,", ", a woman and a child among them,"
        k = j + 1
        while k < n and k < j + 14 and s.w[k] != "," and not s.brk[k]:
            if s.w[k] in _PART_WORDS:
                break
            k += 1
        else:
            return None
        if k >= n or k >= j + 14 or s.w[k] == "," or s.brk[k]:
            return None
    k = j + 1
    while k < n and k < j + 14:
        if s.w[k] == ",":
            return k + 1
        if s.brk[k]:
            return None
        k += 1
    return None


def _right(s: SentenceView, f: Fig, hi: int, starts: Sequence[int] = ()) -> tuple[str | None, Any]:
    """Search after the figure: its noun, auxiliaries and a category word.

    Returns (outcome, value): ("category", CategoryWord), ("reject", reason),
    ("agent", None) or (None, None); sets the figure's victims and np_end.
    """
    lex, w = s.lex, s.w
    n = hi
    j = f.end
    victims, unknown, last_was_and = None, 0, False
    while j < n and f.person is not None:
        # A single victim's own verb follows it, after an age or an aside in commas.
        if w[j] == "," and j + 5 < len(w) and w[j + 1] == "also" and w[j + 2] == "in" \
                and w[j + 3] in _POSSESSIVES and w[j + 4][0].isdigit():
            k = j + 5  # "a woman, also in her 30s, is in a serious condition"
            while k < len(w) and k < j + 7 and w[k] != ",":
                k += 1
            if k < len(w) and w[k] == ",":
                j = k + 1
                kk = bisect_left(starts, j)
                n = max(n, starts[kk] if kk < len(starts) else len(w))
                continue
        if w[j] == "," and j + 2 < len(w) and w[j + 1][0].isdigit() and w[j + 2] == ",":
            j += 3  # "the woman, 31, died": the age is no figure of its own
            k = bisect_left(starts, j)
            n = max(n, starts[k] if k < len(starts) else len(w))
            continue
        if w[j] == ",":
            after = _skip_part_parenthesis(s, j, len(w)) or _skip_apposition(s, j)
            if after is not None:
                j = after
                continue
        if w[j] in ("from", "of") and j + 1 < len(w) and s.caps[j + 1]:
            k = j + 1  # "a 27-year-old man from Hempstead was killed": where the person lives
            while k < len(w) and k < j + 4 and s.caps[k] and w[k].isalpha():
                k += 1
            j = k
            kk = bisect_left(starts, j)
            n = max(n, starts[kk] if kk < len(starts) else len(w))
            continue
        if w[j] == "in" and j + 2 < len(w) and w[j + 1] in _POSSESSIVES \
                and w[j + 2][0].isdigit():
            j += 3  # "a woman in her 20s"
            if j < len(w) and w[j] == "s":
                j += 1
            continue
        break  # nothing else stands between a single victim and its verb
    np_first = lex.np_first
    while j < n and f.person is None:
        t = w[j]
        v = None
        if t in np_first:  # one set test spares three look-ups for most words
            c = lex.cat_after.at(w, j, n)
            if c is not None:
                break
            if victims is None:
                # "40 homes", "three rocket attacks": the noun counts things.
                nc = lex.nc_after.at(w, j, n)
                if nc is not None:
                    return "reject", nc[0]
            v = lex.victim_at(w, j, n)
        if v is not None:
            if victims is None:
                victims = v[0]
            elif v[0] != victims and last_was_and:
                f.mixed = True
                victims = lex.common_group(victims, v[0])
            j, last_was_and = v[1], False
            continue
        if t in lex.fillers or t in (".", "'"):
            j += 1
            continue
        if t == "and" and victims is not None and lex.victim_at(w, j + 1, n) is not None:
            last_was_and = True
            j += 1
            continue
        if t == ",":
            after = _skip_part_parenthesis(s, j, len(w))
            if after is not None:
                # The figures inside the parenthesis are parts; look past them.
                j = after
                k = bisect_left(starts, j)
                n = starts[k] if k < len(starts) else len(w)
                continue
            after = _skip_apposition(s, j) if victims is None and j > f.end else None
            if after is not None:
                j = after  # "one of them, a 28-year-old man, was pronounced dead"
                k = bisect_left(starts, j)
                n = starts[k] if k < len(starts) else len(w)
                continue
            break
        if t in lex.aux or s.brk[j]:
            break
        if t in lex.preps and victims is None and not unknown and t != "of":
            break  # "2,000 in Haiti last year": no noun, the place is not what it counts
        if t in lex.preps and (victims is not None or unknown):
            k = j + 1
            verbs = lex.passive | _HAVE
            while k < n and k < j + 8 and not s.brk[k] and w[k] != ",":
                if w[k] in verbs or lex.cat_after.at(w, k, n) is not None:
                    break
                k += 1
            if k < n and (w[k] in verbs or lex.cat_after.at(w, k, n) is not None):
                j = k
            break
        if victims is None and t in lex.times_after.first \
                and lex.times_after.at(w, j, n) is not None:
            break  # "reached 2,000 last week": when, not what it counts
        if t.isalpha() and unknown < 4 and t not in lex.determiners and t not in (
                "and", "or", "to", "as", "than", "by", "with", "for", "before", "after",
                "since", "during", "until", "while", "when", "given", "amid", "despite",
                "following", "because"):
            unknown += 1
            j += 1
            continue
        break
    if victims is not None or f.person is None:
        f.victims = victims
    f.np_end = j
    passive, steps = False, 0
    while j < n and steps < 8:
        c = lex.cat_after.at(w, j, n)
        if c is not None and c[0].tokens == ("remains",):
            c = None  # after its figure "remains" is a verb: "he remains in hospital"
        if c is None and w[j] in lex.transfer_verbs.first:
            c = _transfer(s, j, n)
        if c is not None and c[0].category == "casualties" and (
                c[0].tokens in _VICTIM_NOUNS or (j and w[j - 1] in _RELATIVE_AUX)):
            # "13 victims were taken to hospital", "two people who were shot remain in
            # hospital": the main verb says more than the noun or the relative clause.
            more = _verb_after_noun(s, c[1], n)
            if more is not None:
                c = more  # "13 victims have been taken to hospital": injured
        if c is not None and c[0].category == "detained" and c[0].tokens in _CAPTIVE_NOUNS:
            more = _verb_after_noun(s, c[1], n)
            if more is not None and more[0].category in ("killed", "injured", "missing"):
                c = more  # "22 hostages were killed": the verb says what became of them
        if c is not None:
            cat: CategoryWord = c[0]
            end = c[1]
            f.word_at, f.word = j, cat
            if cat.agentive and not passive and end < len(w):
                nxt = w[end]
                if nxt[0].isdigit() or nxt in lex.determiners or nxt in lex.figure_starts \
                        or nxt in _OBJECT_PRONOUNS or lex.victim_at(w, end) is not None:
                    return "agent", None
            return "category", cat
        rejected = lex.nc_after.at(w, j, n) if steps else None
        if rejected is not None:
            return "reject", rejected[0]
        if w[j] in lex.aux:
            passive = passive or w[j] in lex.passive
            j += 1
            steps += 1
            continue
        break
    return None, None


_VICTIM_NOUNS = frozenset({("victims",), ("casualties",)})
_CAPTIVE_NOUNS = frozenset({("hostages",), ("captives",), ("detainees",), ("prisoners",)})
# "the suspect stabbed him": an active verb with a pronoun object has an agent before it.
_OBJECT_PRONOUNS = frozenset({"him", "her", "them", "us", "me"})
_RELATIVE_AUX = frozenset({"were", "was", "been"})


def _transfer(s: SentenceView, j: int, n: int) -> tuple[CategoryWord, int] | None:
    """'taken to Mercy Hospital': a transfer verb and, within eight words, a hospital."""
    lex, w = s.lex, s.w
    hit = lex.transfer_verbs.at(w, j, n)
    if hit is None:
        return None
    for k in range(hit[1], min(n, hit[1] + 8)):
        if s.brk[k] or w[k] == ",":
            return None
        place = lex.transfer_places.at(w, k, n)
        if place is not None:
            return CategoryWord(tuple(w[j:place[1]]), "injured", False, True), place[1]
    return None


# "was taken to hospital, where he later died", "and died there": the outcome after a transfer.
_LATER_LINKS = frozenset({",", "and", "but", "where"})
_DEATH_VERBS = frozenset({"died", "dies", "succumbed", "pronounced", "declared", "passed",
                          "lost", "bled"})
_LATER_SUBJECTS = frozenset({"he", "she", "they", "both", "the", "victim", "man", "woman", "boy",
                             "girl"})
_LATER_FILLERS = frozenset({"later", "subsequently", "eventually", "soon", "shortly", "then",
                            "afterwards", "also", "tragically", "sadly", "was", "were", "has",
                            "had", "have", "been", "after", "arrival"})


def _later_death(s: SentenceView, j: int) -> bool:
    """Whether a clause right after token j says the same people died ('where she died')."""
    lex, w = s.lex, s.w
    n = len(w)
    k, stop = j, min(n, j + 14)
    while k < stop and w[k] not in _LATER_LINKS:
        if w[k] in ("(", ")", ";", ":", '"', "."):
            return False
        k += 1
    links = 0
    while k < stop and w[k] in _LATER_LINKS:
        k, links = k + 1, links + 1
    if not links or k >= stop:
        return False
    while k < stop and (w[k] in _LATER_SUBJECTS or w[k] in _LATER_FILLERS):
        k += 1
    c = lex.cat_after.at(w, k) if k < n else None
    return c is not None and c[0].category == "killed" and c[0].tokens[0] in _DEATH_VERBS


def _verb_after_noun(s: SentenceView, j: int, n: int) -> tuple[Any, int] | None:
    """'victims ..., all female, suffered injuries': the verb says what the victims are."""
    lex, w = s.lex, s.w
    steps = 0
    while j < n and steps < 10:
        if w[j] == ",":
            after = _skip_part_parenthesis(s, j, len(w))
            if after is None:
                k = j + 1  # ", all female," and other short asides
                while k < n and k < j + 5 and w[k] != "," and not s.brk[k]:
                    k += 1
                if k < n and w[k] == "," and k < j + 5:
                    after = k + 1
            if after is None:
                return None
            j = after
            steps += 1
            continue
        c = lex.cat_after.at(w, j, n)
        if c is not None:
            return c
        if w[j] in lex.aux or w[j].endswith("ly"):
            j += 1
            steps += 1
            continue
        return None
    return None


_POSSESSIVES = frozenset({"his", "her", "their"})


def _skip_apposition(s: SentenceView, j: int) -> int | None:
    """At ', a 15-year veteran of the department,' the index after the closing comma."""
    w = s.w
    if j + 1 >= len(w) or w[j + 1] not in ("a", "an", "the", "his", "her", "their"):
        return None
    k = j + 2
    while k < len(w) and k < j + 10:
        if w[k] == ",":
            return k + 1
        if s.brk[k] or w[k] in s.lex.aux or s.lex.cat_after.at(w, k) is not None:
            return None
        k += 1
    return None


def _left(s: SentenceView, f: Fig, lo: int) -> CategoryWord | None:
    lex, w = s.lex, s.w
    j, dist = f.first - 1, 0
    if f.person is not None:
        # A single victim is the object of the verb right before it ("killing a man"),
        # not the second of two people after a verb ("fatally shot and a man ...").
        lo = max(lo, f.first - 3)
        if j >= 0 and w[j] in ("and", "or"):
            return None
    if j >= 1 and w[j] == ":" and j - 1 >= lo:
        # "Killed: 5, injured: 12" - a label and its figure.
        c = lex.cat_before.ending(w, j - 1, lo) or lex.cat_after.ending(w, j - 1, lo)
        if c is not None:
            f.word_at, f.word = c[1], c[0]
            return c[0]
    while j >= lo and dist < _LEFT_REACH:
        if s.brk[j]:
            return None
        if w[j] == ",":
            # Skip a parenthesis ", according to the ministry," when a comma opens it.
            k = bisect_left(s.commas, j) - 1
            if k >= 0 and s.commas[k] >= max(lo, j - 10):
                start = s.commas[k]
                if not any(s.brk[x] or w[x][0].isdigit() for x in range(start + 1, j)):
                    j, dist = start - 1, dist + 1
                    continue
            return None
        c = lex.cat_before.ending(w, j, lo)
        if c is not None:
            f.word_at, f.word = c[1], c[0]
            return c[0]
        j -= 1
        dist += 1
    return None


_SUBJECT_REACH = 40  # tokens a toll verb looks back for its toll subject


def _toll_subject(s: SentenceView, f: Fig, verb: int, lo: int) -> CategoryWord | None:
    """'The death toll from the collision between a passenger train and a freight train had
    risen to 36', 'the number of people killed when gunmen stormed the village has climbed
    to 132': a toll verb before the figure, its subject's toll word further back than a
    figure looks. No comma, figure or punctuation may stand between; a conjunction that
    opens a clause inside the subject ("when") may."""
    lex, w = s.lex, s.w
    j, stop = verb - 1, max(lo, verb - _SUBJECT_REACH)
    while j >= stop:
        t = w[j]
        if t == "," or t[0].isdigit() or (s.brk[j] and not t.isalpha()) or t in lex.aux:
            return None
        c = lex.cat_before.ending(w, j, lo)
        if c is not None:
            cat, start = c
            if "toll" in cat.tokens or lex.toll_heads.intersection(w[max(lo, start - 4):j + 1]):
                f.word_at, f.word = start, cat
                return cat
            return None
        j -= 1
    return None


def _coordinated(s: SentenceView, a: int, b: int) -> bool:
    """Tokens [a, b) only join two figures: 'and', ',', nouns, fillers."""
    if b - a > 8 or b <= a:
        return False
    lex, w = s.lex, s.w
    joined = False
    k = a
    while k < b:
        t = w[k]
        if t in ("and", ",", "as", "well", "plus", "or"):
            joined = True
            k += 1
            continue
        v = lex.victim_at(w, k, b)
        if v is not None:
            k = v[1]
            continue
        if t in lex.fillers or t in (".", "'", "-"):
            k += 1
            continue
        return False
    return joined


def _part_cue(s: SentenceView, f: Fig, lo: int) -> tuple[bool, str | None]:
    """Whether a part-of cue stands before (or after) the figure, and the victims after."""
    lex, w = s.lex, s.w
    for d in range(lex.part_reach + 1):
        j = f.first - 1 - d
        if j < lo or (d and (s.brk[j] or w[j] == ",")):
            break
        hit = lex.part_before.ending(w, j, lo)
        if hit is not None:
            cue: PartOfCue = hit[0]
            if cue.reach >= d:
                return True, None
    hit = lex.part_after.at(w, f.end)
    if hit is not None:
        v = lex.victim_at(w, hit[1])
        if v is not None:
            return True, v[0]
    for e in range(f.end, min(len(w) - 1, max(f.np_end, f.end) + 1)):
        if w[e] == "among" and w[e + 1] in _AMONG:
            return True, None  # "a woman and four children among them"
        if s.brk[e] or w[e] == ",":
            break
    return False, None


_AMONG = frozenset({"them", "whom", "those"})
# "two juveniles and an adult", "two males and a female": one group by sex or age.
_GENERIC = frozenset({"man", "woman", "male", "female", "juvenile", "adult", "person"})
_GENERIC_PLURAL = frozenset({"men", "women", "males", "females", "juveniles", "adults", "people",
                             "persons"})
_RELATIVE = frozenset({"whom", "them"})
_FATAL = (("fatally",), ("of", "them", "fatally"), ("of", "whom", "fatally"),
          ("of", "them", "mortally"), ("mortally",))
_PLACE_PREPS = frozenset({"in", "at", "from", "on"})
_MORE = frozenset({"more", "others", "other"})
_RISE_VERBS = frozenset({"gone", "went", "go", "goes", "going", "rose", "risen", "climbed",
                         "jumped", "shot", "moved"})


_FATAL_FIRST = frozenset(p[0] for p in _FATAL)


def _fatally(s: SentenceView, f: Fig) -> bool:
    """'five shot, two fatally', 'seven were shot, three of them fatally'."""
    w = s.w
    if f.end >= len(w) or w[f.end] not in _FATAL_FIRST:
        return False
    return any(tuple(w[f.end:f.end + len(p)]) == p for p in _FATAL)


def _minus(whole: Fig, part: Fig) -> bool:
    """'18 wounded, three of whom died': the wounded who lived are 18 - 3."""
    a, b = whole.figure, part.figure
    if b.kind != "exact" or b.low > a.low:
        return False
    hi = INF if a.high is None else a.high - b.low
    anchor = None if a.anchor is None else a.anchor - b.low
    whole.figure = Figure(a.text, Interval(a.low - b.low, hi), anchor, a.kind)
    whole.category = "injured"
    whole.derived = True
    return True


def _distributive(s: SentenceView, figs: list[Fig], k: int) -> str | None:
    """'290 deaths in Al Haouz, 190 in Taroudant and 89 in Chichaoua': the category of the first."""
    f, w = figs[k], s.w
    e = f.end
    if e < len(w) and w[e] in _MORE:
        e += 1  # "at least 18 more in another strike"
    v = s.lex.victim_at(w, e)
    if v is not None:
        e = v[1]
    if not k or f.first < 1 or w[f.first - 1] not in (",", "and", ":") or e >= len(w) \
            or w[e] not in _PLACE_PREPS:
        return None
    for j in range(k - 1, -1, -1):
        p = figs[j]
        if p.reject or p.part_of is not None or p.part_cue:
            continue
        if p.category is None or f.first - p.end > 25:
            return None
        # "43 deaths overall: 11 in Texas, five in Illinois": a colon opens the list.
        if any(s.brk[x] and w[x] != ":" for x in range(p.end, f.first)):
            return None
        return p.category
    return None


_AGE_HEADS = frozenset({"- year - old", "year - old", "- month - old", "month - old"})


def find_people(s: SentenceView, taken: Sequence[FigureMatch] = ()) -> list[FigureMatch]:
    """Single victims said without a digit: 'a driver', 'the 23-year-old', 'his wife'.

    A determiner (or the start of the sentence, or an age "16-year-old"), up
    to six modifiers (rule words, capitalised words, digits of an age) and a
    person noun. Each is a figure of one person; whether it is a claim is
    decided like any figure's, by the casualty word that governs it.
    """
    lex, w, caps = s.lex, s.w, s.caps
    if lex.person_cues.isdisjoint(w):
        return []
    n = len(w)
    busy = [False] * (n + 1)
    heads = lex.person_heads
    for m in taken:
        age = heads.at(w, m.end_token)
        if age is not None and age[0] in _AGE_HEADS:
            continue  # "16" in "a 16-year-old boy" is an age
        for k in range(m.first_token, m.end_token):
            busy[k] = True  # "at least one person" is the number's
    out: list[FigureMatch] = []
    i = 0
    while i < n:
        t = w[i]
        if t in lex.person_pronouns and not busy[i] and i + 1 < n and (
                w[i + 1] in lex.aux or lex.cat_after.at(w, i + 1) is not None):
            # "He died in hospital": a victim named before (kept only if the article has one).
            start, end = s.toks[i].start, s.toks[i].end
            fig = Figure(s.text[start:end], Interval(1, 1), 1, "exact")
            out.append(FigureMatch(fig, i, i + 1, start, end, start, end))
            i += 1
            continue
        det = t in lex.person_det
        age_start = t[0].isdigit() and heads.at(w, i + 1) is not None \
            and heads.at(w, i + 1)[0] in _AGE_HEADS  # type: ignore[index]
        bare = i == 0 and caps[i] and heads.at(w, i) is not None
        if busy[i] or not (det or age_start or bare):
            i += 1
            continue
        j = i + 1 if det else i
        last = None
        while j < n and j < i + 9 and not busy[j]:
            h = heads.at(w, j)
            if h is not None:
                last = j = h[1]
                continue
            tj = w[j]
            if tj in lex.person_mod or tj[0].isdigit() or (caps[j] and tj[0].isalpha()
                                                            and tj not in lex.person_det):
                j += 1
                continue
            break
        if last is None and det and i + 2 < n and w[i + 1] in lex.ordinals \
                and (w[i + 2] in lex.aux or lex.cat_after.at(w, i + 2) is not None):
            last = i + 2  # "a second was taken to hospital"
        if last is None and t == "another" and j == i + 1 and j < n and w[j] in lex.aux:
            last = i + 1  # "another was killed"
        if last is None or (last < n and not _ends_person(s, last)):
            i += 1
            continue
        start, end = s.toks[i].start, s.toks[last - 1].end
        fig = Figure(s.text[start:end], Interval(1, 1), 1, "exact")
        out.append(FigureMatch(fig, i, last, start, end, start, end))
        i = last
    return out


_TOLL_NOUNS = frozenset({"death", "deaths", "toll", "casualty", "casualties", "tally", "count",
                         "figure", "figures", "number", "injury", "injuries"})
_AFTER_PERSON = frozenset({"and", "or", "who", "whose", "whom", "after", "before", "when", "while",
                           "as", "with", "near", "outside", "inside", "during", "from", "by",
                           "in", "at", "on", "of", "to", "for", "among", "also", "then", "later",
                           "had", "has", "have", "is", "was", "were", "are", "be", "been",
                           "died", "dies", "believed", "thought", "reportedly", "allegedly",
                           "apparently", "found", "aged", "named", "identified", "not"})


def _ends_person(s: SentenceView, k: int) -> bool:
    """Whether token k may follow a person noun phrase ('camp' after 'refugee' may not)."""
    t = s.w[k]
    if not t[0].isalpha():
        return t not in ("'s", "-")
    if t in _TOLL_NOUNS:
        return False  # "the official death toll" names no person
    if s.caps[k] or t in _AFTER_PERSON or t in s.lex.aux or t in s.lex.preps:
        return True
    return s.lex.cat_after.at(s.w, k) is not None or t.endswith(("ed", "ly"))


def _with_people(s: SentenceView, matches: list[FigureMatch]) -> list[tuple[FigureMatch, str | None]]:
    """Number matches and single-victim phrases in text order; ages inside a phrase dropped."""
    people = find_people(s, matches) if not s.lex.person_cues.isdisjoint(s.w) else []
    if not people:
        return [(m, None) for m in matches]
    covered: set[int] = set()
    for p in people:
        covered.update(range(p.first_token, p.end_token))
    merged: list[tuple[FigureMatch, str | None]] = [
        (m, None) for m in matches
        if not any(k in covered for k in range(m.first_token, m.end_token))]
    for p in people:
        head = s.w[p.end_token - 1]
        merged.append((p, head))
    merged.sort(key=lambda x: x[0].first_token)
    return merged


def _false_figure(s: SentenceView, f: Fig) -> str | None:
    """Change amounts, rates, identification subsets, ages, uncounted 'many'."""
    lex, w = s.lex, s.w
    n = len(w)
    i, e = f.first, f.end
    fig = f.figure
    if fig.kind == "vague" and fig.text.lower().split()[-1] in lex.uncounted:
        return "'many' is not a count"
    if not s.may_hold_false_figures():
        return None
    # "rose by 300 to 2,450", "cut the toll by about 100": a change amount.
    if i >= 1 and w[i - 1] == "by" and any(w[k] in lex.change_verbs
                                           for k in range(max(0, i - 6), i - 1)):
        return "a change amount"
    # "four more bodies ... brought the toll to 15": an increment beside its total.
    if (e < n and w[e] in lex.increments) or (f.np_end and f.np_end <= n and
                                               any(w[k] in lex.increments
                                                   for k in range(e, min(f.np_end, e + 2)))):
        tail = w[f.np_end:] if f.np_end else w[e:]
        for k, t in enumerate(tail):
            if t in lex.totals and "to" in tail[k + 1:k + 8]:
                return "an increment (its total is the claim)"
    # Rates: "20 bodies are recovered each day", "an average of 5,000 a month".
    hit = lex.rates_before.ending(w, i - 1) if i else None
    if hit is not None:
        return "a rate"
    rates = s.rate_starts()
    if rates:
        k = e
        stop = min(n, e + 12)
        while k < stop and not s.brk[k] and w[k] != ",":
            if k in rates:
                return "a rate"
            k += 1
    # "identified 237 of the dead", "55 of the dead have been identified".
    if i and w[i - 1] in lex.identification:
        return "an identification subset"
    if e + 1 < n and w[e] == "of":
        k = e
        while k < min(n, e + 12) and not s.brk[k] and w[k] != ",":
            if w[k] in lex.identification:
                return "an identification subset"
            k += 1
    # "three girls aged 3, 7 and 11": ages in a list.
    k = i - 1
    while k >= 0 and (w[k] in (",", "and") or w[k][0].isdigit()):
        k -= 1
    if k >= 0 and k < i - 1 and w[k] in lex.age_words:
        return "an age"
    return None


def govern_figures(s: SentenceView, published, rejected: list | None = None,
                   matches: list[FigureMatch] | None = None) -> list[Fig]:
    """The figures of a sentence with their category, victims and part-of links.

    Figures without a governing casualty word, or that count something other
    than people, are dropped (and listed in ``rejected`` with the reason).
    """
    lex = s.lex
    figs: list[Fig] = []
    if matches is None:
        matches = find_figures(s.text, lex.rules, s.toks)
    for m, person in _with_people(s, matches):
        fig = m.figure
        if person is not None:
            assert isinstance(fig, Figure)
            f0 = Fig(m, fig, m.first_token, m.end_token, person=person)
            v = lex.victims.at(s.w, m.end_token - 1)
            f0.victims = v[0] if v is not None else None
            _person_info(s, f0)
            figs.append(f0)
            continue
        if isinstance(fig, NotAFigure):
            if rejected is not None:
                rejected.append((s.text[m.start:m.end], fig.reason))
            continue
        if fig.kind == "upper" and m.first_token and s.w[m.first_token - 1] in _RISE_VERBS \
                and s.w[m.first_token] == "up" and fig.anchor is not None:
            # "had gone up to 45": the toll rose to 45; not "at most 45".
            fig = Figure(fig.text, Interval(fig.anchor, fig.anchor), fig.anchor, "exact")
            m = FigureMatch(fig, m.first_token, m.end_token, m.start, m.end, m.number_start,
                            m.number_end)
        m, fig, old = _update_range(s, m, fig, lex)
        if isinstance(fig, NotAFigure):
            continue
        if old is not None:
            assert isinstance(old.figure, Figure)
            figs.append(Fig(old, old.figure, old.first_token, old.end_token, earlier=True))
        reason = _reject(s, m, fig, lex, published)
        if reason is not None:
            if rejected is not None:
                rejected.append((fig.text, reason))
            continue
        f1 = Fig(m, fig, m.first_token, m.end_token)
        if m.first_token and fig.kind == "exact" and s.w[m.first_token - 1] in _ANAPHORIC:
            f1.anaphor = True  # "All three", "the two men who died"
        figs.append(f1)
    n = len(s.w)
    starts = [f.first for f in figs]
    for k, f in enumerate(figs):
        hi = figs[k + 1].first if k + 1 < len(figs) else n
        lo = next((p.end for p in reversed(figs[:k]) if not p.reject and not p.earlier), 0)
        if _fatally(s, f):
            f.category, f.side, f.part_cue, f.np_end = "killed", "fatal", True, f.end
            continue
        outcome, value = _right(s, f, hi, starts)
        false = _false_figure(s, f) if f.figure.kind == "vague" or s.may_hold_false_figures() \
            else None
        if false is not None:
            f.reject = false
            continue
        if outcome == "reject":
            f.reject = value
            continue
        if outcome == "agent":
            f.reject = "the figure counts the attackers"
            continue
        if outcome == "category":
            f.category, f.side = value.category, "right"
            if value.category in ("injured", "casualties") and f.word_at is not None \
                    and _later_death(s, f.word_at + len(value.tokens)):
                f.category = "killed"  # "was taken to hospital, where she later died"
            elif value.category == "casualties" and value.tokens in _VICTIM_NOUNS and f.first:
                before = lex.cat_before.ending(s.w, f.first - 1, lo)
                if before is not None and before[0].category == "killed":
                    f.category = "killed"  # "the bodies of 23 victims", "a burial for 23 victims"
            f.among = value.tokens[0] == "among"
            if f.end + 2 < n and s.w[f.end] == "of" and s.w[f.end + 1] in ("the", "those") \
                    and f.figure.kind == "exact":
                f.among = f.partitive = True  # "Three of the injured were taken to hospital"
            if f.end + 1 < n and s.w[f.end] == "of" and s.w[f.end + 1] in _RELATIVE:
                f.part_cue = True  # "five others, three of whom died"
            elif "condition" in value.tokens and f.person is None and any(
                    p.category == value.category and not p.reject for p in figs[:k]):
                f.part_cue = True  # "three wounded ..., one in critical condition"
            continue
        cue, cue_victims = _part_cue(s, f, lo)
        f.part_cue = cue
        if cue_victims and f.victims is None:
            f.victims = cue_victims
        if f.earlier:
            continue
        cat = _left(s, f, lo)
        if cat is not None:
            f.category, f.side = cat.category, "left"
        elif f.first:
            if lex.earlier_cues.ending(s.w, f.first - 1) is not None:
                f.earlier = True  # "climbed to 54, up from 42"
            else:
                verb = lex.toll_verbs.ending(s.w, f.first - 1)
                if verb is not None and verb[1] and lex.toll_subjects.ending(s.w, verb[1] - 1):
                    f.toll_ref = True  # "while in Syria it stood at 1,782"
                elif verb is not None and verb[1] \
                        and (cat := _toll_subject(s, f, verb[1], lo)) is not None:
                    f.category, f.side = cat.category, "left"
                elif _revised_to(s, f.first):
                    f.toll_ref = True  # "later revised the figure down to six"
    # Coordination: "killed 5 civilians and 3 soldiers", "13 soldiers and 170 others were killed".
    for k, f in enumerate(figs):
        if f.category is not None or f.reject or f.part_cue:
            continue
        if k and figs[k - 1].category and figs[k - 1].side in ("left", "coord") \
                and not figs[k - 1].reject and _coordinated(s, figs[k - 1].np_end, f.first):
            f.category, f.side = figs[k - 1].category, "coord"
            continue
        if k and figs[k - 1].part_cue and figs[k - 1].category is None \
                and not figs[k - 1].reject and _coordinated(s, figs[k - 1].np_end, f.first):
            f.part_cue = True  # "including 50 children and 94 women, and 2,000 were wounded"
            continue
        if k + 1 < len(figs) and figs[k + 1].side == "right" \
                and _coordinated(s, f.np_end, figs[k + 1].first):
            f.category, f.side = figs[k + 1].category, "coord"
            continue
        if k + 1 < len(figs) and figs[k + 1].part_cue and figs[k + 1].category is None \
                and _coordinated(s, f.np_end, figs[k + 1].first):
            f.part_cue = True  # "a woman and four children among them"
            continue
        shared = _distributive(s, figs, k)
        if shared is not None:
            f.category, f.side = shared, "coord"
    # "Of the dead, at least 145 were Egyptian": parts of a whole named before.
    opening = _partitive_opening(s)
    if opening is not None:
        for f in figs:
            if f.category is None and not f.reject and f.first > opening[1]:
                f.category, f.side, f.among = opening[0], "right", True
    # Earlier tolls and tolls referred back to: the category of the toll beside them.
    for k, f in enumerate(figs):
        if f.category is not None or f.reject or not (f.earlier or f.toll_ref):
            continue
        said_before = [p for p in figs[:k] if p.category and not p.reject
                       and p.part_of is None and not p.part_cue]
        said_after = [p for p in figs[k + 1:] if p.category and not p.reject] \
            if f.earlier else []
        ref = said_before[-1] if said_before else (said_after[0] if said_after else None)
        if ref is not None:
            f.category, f.side = ref.category, "coord"
            f.victims = f.victims or ref.victims
    # "three people were stabbed - one died and one is fighting for his life": bare
    # counts after a clause break are parts of the people shot or stabbed before them.
    for k, f in enumerate(figs):
        if f.reject or f.part_cue or f.category not in ("killed", "injured") \
                or f.np_end > f.end or f.person is not None or f.figure.kind != "exact":
            continue
        prev = next((p for p in reversed(figs[:k]) if not p.reject and p.category
                     and not p.part_cue), None)
        if prev is not None and prev.category == "casualties" and prev.part_of is None \
                and not prev.part_cue and prev.figure.kind == "exact" \
                and f.figure.low <= prev.figure.low \
                and any(s.brk[x] or s.w[x] in (",", "-") for x in range(prev.end, f.first)):
            f.part_cue = True
    # Part of a whole: the nearest earlier figure in the sentence that is a whole.
    whole: int | None = None
    for k, f in enumerate(figs):
        if f.reject:
            continue
        if f.part_cue:
            if whole is not None:
                parent = figs[whole]
                if f.category is None or f.category == parent.category:
                    f.part_of, f.category = whole, parent.category
                    f.side = f.side or "part"
                elif f.category == "killed" and parent.category in ("injured", "casualties") \
                        and parent.part_of is None and _minus(parent, f):
                    f.part_cue = False  # "five shot, two fatally": 2 killed, 3 injured
        elif f.category is not None:
            whole = k
    # "including 14 children and seven women": the second part joins the first.
    for k, f in enumerate(figs):
        if f.reject or f.part_of is not None or f.category is not None or not k:
            continue
        prev = figs[k - 1]
        if prev.part_of is not None and _coordinated(s, prev.np_end, f.first):
            f.part_of, f.category, f.part_cue, f.side = prev.part_of, prev.category, True, "part"
    # A figure without its own noun shares the victims of the figure it is
    # joined to ("28 civilians had been killed and 40 wounded").
    for k, f in enumerate(figs):
        if f.category is None or f.reject or f.person is not None:
            continue  # a single victim's noun says who it is ("a man" beside "four women")
        if f.victims is None and f.side in ("left", "coord", "right") and not f.part_cue and k \
                and all(t in s.lex.fillers for t in s.w[f.end:f.np_end]):  # not "four adults"
            prev = figs[k - 1]
            if prev.category and prev.part_of is None and not prev.reject and prev.victims \
                    and _coordinated_loose(s, prev.np_end, f.first):
                f.victims = prev.victims
        if f.victims is None:
            f.victims = _victims_before(s, f)
    for f in figs:
        if f.category is not None and not f.reject and f.person is None:
            _projection(s, f)
    parents = {id(f): figs[f.part_of] for f in figs if f.part_of is not None}
    out = []
    for f in figs:
        if f.reject or f.category is None:
            if rejected is not None:
                rejected.append((f.figure.text, f.reject or "no casualty word governs it"))
            continue
        if f.part_cue and f.mixed:
            if rejected is not None:
                rejected.append((f.figure.text, "part claim over a mixed victim group"))
            continue
        if f.person is not None and f.category == "displaced":
            if rejected is not None:  # "the gunman fled": displacement counts populations
                rejected.append((f.figure.text, "one person fleeing is not a displacement"))
            continue
        if f.category == "detained" and (f.person in s.lex.not_detained or (
                f.person is None and f.figure.high == 1 and f.np_end > f.end
                and s.w[f.np_end - 1] in s.lex.not_detained)):  # "One suspect is in custody"
            if rejected is not None:
                rejected.append((f.figure.text, "an arrest for a crime"))
            continue
        out.append(f)
    if len(out) > 1:
        out = _merge_singles(s, out)
    if parents:
        # part_of pointed into every figure read; the claims are the figures kept.
        at = {id(f): k for k, f in enumerate(out)}
        for f in out:
            if f.part_of is not None:
                f.part_of = at.get(id(parents[id(f)])) if id(f) in parents else None
    s.figs = out
    return out


def _projection(s: SentenceView, f: Fig) -> None:
    """'the toll could climb to 20,000' (at most), 'may well surpass 100' (more than 100)."""
    lex, w = s.lex, s.w
    if not f.first or f.figure.kind != "exact" or f.figure.anchor is None:
        return
    hit = lex.rise_to.ending(w, f.first - 1)
    if hit is None:
        return
    how, start = hit
    k = start - 1
    while k >= 0 and k >= start - 6 and not s.brk[k] and w[k] != ",":
        modal = lex.modals.ending(w, k)
        if modal is not None:
            x = f.figure.anchor
            interval = Interval(x + 1, INF) if how == "beyond" else Interval(0, x)
            f.figure = Figure(f.figure.text, interval, x, "lower" if how == "beyond" else "upper")
            f.hedge = s.span(modal[1], f.first).lower()
            f.derived = True  # the figure column says what the words mean
            return
        k -= 1


def _revised_to(s: SentenceView, first: int) -> bool:
    """'revised the figure down to six', 'lowering it to eight': a toll referred back to."""
    w = s.w
    k = first - 1
    if k < 2 or w[k] not in ("to", "at"):
        return False
    k -= 1
    if w[k] in ("down", "up", "downward", "upward", "downwards", "upwards"):
        k -= 1
    hit = s.lex.toll_subjects.ending(w, k)
    if hit is None or not hit[1]:
        return False
    verb = w[hit[1] - 1]
    return verb in s.lex.ex.update_verbs or verb in ("put", "lowering", "raising", "revising",
                                                    "putting", "cutting", "bringing")


def _partitive_opening(s: SentenceView) -> tuple[str, int] | None:
    """A sentence opening 'Of the dead,' / 'Of those killed,': (category, comma index)."""
    w = s.w
    if len(w) < 4 or w[0] != "of" or w[1] not in ("the", "those"):
        return None
    c = s.lex.cat_any.at(w, 2)
    if c is None or c[1] >= len(w) or w[c[1]] != ",":
        return None
    return c[0].category, c[1]


_ANAPHORIC = frozenset({"all", "the", "those", "these", "both"})
_ORDINAL_VALUE = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
                  "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
_DEFINITE = frozenset({"the", "that", "this"})


def _person_info(s: SentenceView, f: Fig) -> None:
    """Who a single victim is: gender, age, determiner and rank ('a second victim')."""
    lex, w = s.lex, s.w
    a, e = f.first, f.end
    head = f.person or ""
    gender = "m" if head in lex.male else "f" if head in lex.female else ""
    if not gender:
        for k in range(a, e):  # "a male victim", "the baby girl"
            if w[k] in lex.male or w[k] in lex.female:
                gender = "m" if w[k] in lex.male else "f"
    age = ""
    for k in range(a, e - 1):
        if w[k].isdigit() and w[k + 1] in ("-", "year"):
            age = w[k]  # "a 27-year-old man"
    if not age and e + 2 < len(w) and w[e] == "," and w[e + 1].isdigit() and w[e + 2] == ",":
        age = w[e + 1]  # "the woman, 31,"
    if not age and e + 2 < len(w) and w[e] == "in" and w[e + 1] in _POSSESSIVES \
            and w[e + 2][0].isdigit():
        age = w[e + 2].rstrip("s") + "s"  # "a man in his 30s"
    first = w[a]
    if head in lex.person_pronouns:
        det = "pronoun"
    elif first == "another" or any(w[k] in ("other", "another") for k in range(a, e)):
        det = "another"
    elif first in _DEFINITE:
        det = "def"
    else:
        det = "indef"  # "a man", "his wife", "one person", a bare headline noun
    f.det = det
    f.ordinal = max((_ORDINAL_VALUE.get(w[k], 0) for k in range(a, e)), default=0)
    f.persons = (Person(head, gender, age),)


def _merge_singles(s: SentenceView, figs: list[Fig]) -> list[Fig]:
    """'a man and his wife died': one claim of two; 'two males and a female': of three."""
    out: list[Fig] = []
    for k, f in enumerate(figs):
        prev = out[-1] if out else None
        if prev is not None and prev.person is not None and f.person is not None \
                and s.w[prev.end:f.first] == [","]:
            continue  # "The first victim, an adult man, ...": one person named twice
        # A pair, not a longer list ("23 men, 23 women and 29 children" breaks a total down).
        pair = prev is not None and not (
            k + 1 < len(figs) and _coordinated(s, f.np_end or f.end, figs[k + 1].first)) \
            and not (len(out) > 1 and _coordinated(s, out[-2].np_end or out[-2].end, prev.first))
        # "two males and a female", "three women and one man": sex and age words for
        # people coordinated under one verb are one count.
        generic = pair and prev is not None and prev.person is None \
            and prev.figure.kind == "exact" \
            and prev.np_end > prev.end and not prev.among and not f.among \
            and s.w[prev.np_end - 1] in s.lex.generic_people \
            and (f.person in s.lex.generic_people or (
                f.person is None and f.figure.kind == "exact" and f.np_end > f.end
                and s.w[f.np_end - 1] in s.lex.generic_people))
        if prev is not None and (prev.person is not None or generic) \
                and (f.person is not None or generic) \
                and prev.category == f.category and prev.part_of is None and f.part_of is None \
                and not prev.part_cue and not f.part_cue \
                and _coordinated(s, prev.np_end or prev.end, f.first):
            count = prev.figure.low + f.figure.low
            m = prev.match
            stop = f.match.end if f.person is not None else s.toks[f.np_end - 1].end
            last = f.end if f.person is not None else f.np_end
            text = s.text[m.start:stop]
            fig = Figure(text, Interval(count, count), count, "exact")
            prev.match = FigureMatch(fig, m.first_token, last, m.start, stop, m.start, stop)
            prev.figure, prev.end, prev.np_end = fig, last, f.np_end
            prev.derived = prev.derived or prev.person is None  # "three women and one man"
            prev.persons = prev.persons + f.persons if prev.person is not None else ()
            if prev.victims != f.victims:
                prev.victims = s.lex.common_group(prev.victims or "people", f.victims or "people")
            continue
        out.append(f)
    return out


def _coordinated_loose(s: SentenceView, a: int, b: int) -> bool:
    """'had been killed and': a verb phrase then 'and' right before the figure."""
    if b - a > 6 or b <= a:
        return False
    return s.w[b - 1] == "and" and not any(s.brk[k] or s.w[k] == "," for k in range(a, b))


def _victims_before(s: SentenceView, f: Fig) -> str | None:
    """'civilian casualties rose to 56': a victim word right before the governing noun."""
    lex, w = s.lex, s.w
    j = f.first - 1
    stop = max(0, f.first - 10)
    while j >= stop:
        if s.brk[j] or w[j] == ",":
            return None
        c = lex.cat_before.ending(w, j)
        if c is not None:
            k = c[1] - 1
            v = lex.victims.ending(w, k) if k >= 0 else None
            return v[0] if v is not None else None
        j -= 1
    return None
