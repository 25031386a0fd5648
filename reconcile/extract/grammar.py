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

from ..core.parse import Figure, FigureMatch, NotAFigure, find_figures, parse_figure
from ..core.text import Token, tokenize, words
from ..rules.extract import CategoryWord, ExtractRules, PartOfCue
from ..rules.load import Rules
from .dates import DateGrammar, DatePhrase, find_dates

__all__ = ["Fig", "Lexicon", "PhraseIndex", "SentenceView", "govern_figures"]

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
        self.casualty_words = frozenset(
            max(reversed([t for t in c.tokens if t.isalpha()] or [c.tokens[0]]), key=len)
            for c in ex.categories)
        self.figure_starts = (self.number_words | frozenset(v.tokens[0] for v in rules.vague))

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

    __slots__ = ("_attrs", "_dates", "_places", "article_start", "brk", "caps", "clause",
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
        self.figs: list[Fig] = []

    def dates(self, published) -> list[DatePhrase]:
        if self._dates is None:
            self._dates = find_dates(self.w, self.caps, published, self.lex.dates)
        return self._dates

    def span(self, a: int, b: int) -> str:
        """The original text of tokens [a, b)."""
        return self.text[self.toks[a].start:self.toks[b - 1].end]


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
        -> tuple[FigureMatch, Figure | NotAFigure]:
    """'rose from 12 to 19' is an update: keep the second number."""
    i = m.first_token
    if fig.kind != "range" or i == 0:
        return m, fig
    before = s.w[i - 1]
    if before not in lex.ex.update_verbs:
        return m, fig
    for k in range(m.end_token - 1, i, -1):
        if s.w[k] in ("to", "-", "–"):
            start = s.toks[k + 1].start
            new = parse_figure(s.text[start:m.end], lex.rules)
            if isinstance(new, Figure):
                nm = FigureMatch(new, k + 1, m.end_token, start, m.end, start, m.number_end)
                return nm, new
    return m, fig


def _reject(s: SentenceView, m: FigureMatch, fig: Figure, lex: Lexicon, published) -> str | None:
    w, i, e = s.w, m.first_token, m.end_token
    if _glued(s.text, m.start, m.end):
        return "part of a word, label or code"
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
    if fig.text.lower() == "one" and i > 0 and w[i - 1] in (
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


def _skip_part_parenthesis(s: SentenceView, j: int, n: int) -> int | None:
    """At ', including three children,' return the index after the closing comma."""
    lex = s.lex
    if lex.part_before.at(s.w, j + 1, n) is None and (j + 1 >= n or s.w[j + 1] not in _ASIDES):
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
    while j < n:
        t = w[j]
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
            break
        if t in lex.aux or s.brk[j]:
            break
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
        if t.isalpha() and unknown < 4 and t not in lex.determiners and t not in (
                "and", "or", "to", "as", "than", "by", "with", "for"):
            unknown += 1
            j += 1
            continue
        break
    f.victims, f.np_end = victims, j
    passive, steps = False, 0
    while j < n and steps < 8:
        c = lex.cat_after.at(w, j, n)
        if c is not None:
            cat: CategoryWord = c[0]
            end = c[1]
            f.word_at, f.word = j, cat
            if cat.agentive and not passive and end < len(w):
                nxt = w[end]
                if nxt[0].isdigit() or nxt in lex.determiners or nxt in lex.figure_starts \
                        or lex.victim_at(w, end) is not None:
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


def _left(s: SentenceView, f: Fig, lo: int) -> CategoryWord | None:
    lex, w = s.lex, s.w
    j, dist = f.first - 1, 0
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
    return False, None


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
    for m in matches:
        fig = m.figure
        if isinstance(fig, NotAFigure):
            if rejected is not None:
                rejected.append((s.text[m.start:m.end], fig.reason))
            continue
        m, fig = _update_range(s, m, fig, lex)
        if isinstance(fig, NotAFigure):
            continue
        reason = _reject(s, m, fig, lex, published)
        if reason is not None:
            if rejected is not None:
                rejected.append((fig.text, reason))
            continue
        figs.append(Fig(m, fig, m.first_token, m.end_token))
    n = len(s.w)
    starts = [f.first for f in figs]
    for k, f in enumerate(figs):
        hi = figs[k + 1].first if k + 1 < len(figs) else n
        lo = figs[k - 1].end if k else 0
        outcome, value = _right(s, f, hi, starts)
        if outcome == "reject":
            f.reject = value
            continue
        if outcome == "agent":
            f.reject = "the figure counts the attackers"
            continue
        if outcome == "category":
            f.category, f.side = value.category, "right"
            f.among = value.tokens[0] == "among"
            continue
        cue, cue_victims = _part_cue(s, f, lo)
        f.part_cue = cue
        if cue_victims and f.victims is None:
            f.victims = cue_victims
        cat = _left(s, f, lo)
        if cat is not None:
            f.category, f.side = cat.category, "left"
    # Coordination: "killed 5 civilians and 3 soldiers", "13 soldiers and 170 others were killed".
    for k, f in enumerate(figs):
        if f.category is not None or f.reject or f.part_cue:
            continue
        if k and figs[k - 1].category and figs[k - 1].side in ("left", "coord") \
                and not figs[k - 1].reject and _coordinated(s, figs[k - 1].np_end, f.first):
            f.category, f.side = figs[k - 1].category, "coord"
            continue
        if k + 1 < len(figs) and figs[k + 1].side == "right" \
                and _coordinated(s, f.np_end, figs[k + 1].first):
            f.category, f.side = figs[k + 1].category, "coord"
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
        if f.category is None or f.reject:
            continue
        if f.victims is None and f.side in ("left", "coord", "right") and not f.part_cue and k:
            prev = figs[k - 1]
            if prev.category and prev.part_of is None and not prev.reject and prev.victims \
                    and _coordinated_loose(s, prev.np_end, f.first):
                f.victims = prev.victims
        if f.victims is None:
            f.victims = _victims_before(s, f)
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
        out.append(f)
    s.figs = out
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
