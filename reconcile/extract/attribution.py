"""Who says so: sources, relays and hedges in one sentence.

"according to X", "X said/reported/told", ", said X", "X put the toll at",
"X, citing Y", "as quoted by Y", "estimated at 150 by X". A source is a noun
phrase: capitalised words and the lower-case source nouns of
``rules/extract.toml`` ("military sources", "Russia's defense ministry")
joined by connectors. Every search is bounded to a few tokens.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from .grammar import SentenceView

__all__ = ["Attribution", "choose_source", "find_attributions", "hedges_in", "source_text"]

_NP_MAX = 14
_DETERMINERS = frozenset({"the", "a", "an"})
_HARD = frozenset({"while", "whereas", "but", ";"})
_QUOTES = frozenset({'"', "“", "”", "'"})
_FIRST_PERSON = frozenset({"we", "i"})


@dataclass(slots=True)
class Attribution:
    kind: str  # verb | told | prep | by | relay | citing
    start: int  # tokens of the attribution word(s)
    end: int
    source: str | None = None
    unnamed: bool = False
    pronoun: bool = False
    relay: str | None = None
    hedge: str | None = None  # the hedging verb ("claimed")
    np: tuple[int, int] | None = None
    is_relay: bool = False  # this verb's subject only relays a cited source
    first_person: bool = False  # "we confirmed": inside a quote, its speaker's words


def _np_word(s: SentenceView, i: int) -> bool:
    t = s.w[i]
    ex = s.lex.ex
    if s.caps[i] and t[0].isalpha():
        return True
    return (t in ex.source_nouns or t in ex.source_connectors or t in _DETERMINERS
            or t in (".", "'", "&") or t.endswith(("'s", "s'")))


def _date_word(s: SentenceView, i: int) -> bool:
    """A capitalised weekday or month: when, never who ("October", "Sunday", "May")."""
    dates = s.lex.ex.dates
    return s.caps[i] and (s.w[i] in dates.weekdays or s.w[i] in dates.months)


def _time_before(s: SentenceView, k: int) -> int | None:
    """Where a time phrase ending at token k starts: "on Sunday", "on 24 May", "on May 24"."""
    w, j = s.w, k
    if _date_word(s, j):
        j -= 1
        if j >= 0 and w[j].isdigit():
            j -= 1
    elif w[j].isdigit() and j >= 1 and _date_word(s, j - 1):
        j -= 2
    else:
        return None
    return j if j >= 0 and w[j] == "on" else None


def _finish(s: SentenceView, a: int, b: int) -> tuple[int, int] | None:
    """Trim determiners, connectors and report nouns from tokens [a, b)."""
    ex, w = s.lex.ex, s.w
    for k in range(b - 1, a - 1, -1):
        if w[k] in _DETERMINERS:
            a = k + 1
            break
    while a < b and ((w[a] in ex.source_connectors and not s.caps[a]) or w[a] in (".", "'", "&")):
        a += 1
    while b > a and ((w[b - 1] in ex.source_connectors and not s.caps[b - 1]) or w[b - 1] == "&"):
        b -= 1
    if b - a > 1 and w[b - 1] in ex.report_nouns:
        b -= 1
        while b > a and w[b - 1] in ex.source_connectors:
            b -= 1
    if a >= b:
        return None
    head = w[b - 1]
    if not (s.caps[b - 1] or head in ex.source_nouns or head == "."):
        return None
    # "Elsewhere officials said": a capitalised first word of the sentence
    # that is not a source word does not start the name ("Gov. Josh Green said":
    # an abbreviated title does).
    if a == 0 and b - a > 1 and w[0] not in ex.source_nouns and not s.caps[1] \
            and w[1] not in ex.source_connectors and w[1] != "." \
            and not w[0].endswith(("'s", "’s")):
        a = 1
    # "Police in Lagos", "a doctor at Al-Shifa hospital": who, not where.
    for k in range(a + 1, b - 1):
        if w[k] in ("in", "at") and not s.caps[k]:
            b = k
            break
    return a, b


def _name_between(s: SentenceView, a: int, b: int) -> tuple[int, int] | None:
    """Tokens [a, b) when they are a capitalised name (after an optional 'the')."""
    w = s.w
    while a < b and w[a] in _DETERMINERS:
        a += 1
    if b - a < 1 or b - a > 7:
        return None
    conn = s.lex.ex.source_connectors
    if not all((s.caps[k] and w[k][0].isalpha()) or (w[k] in conn and k > a) or w[k] in ("-", ".")
               for k in range(a, b)):
        return None
    if b - a == 1 and (w[a] in s.lex.ex.source_nouns or a == 0):
        return None
    return a, b


def np_left(s: SentenceView, j: int) -> tuple[int, int] | str | None:
    """The source noun phrase ending right before token j, 'pronoun', or None."""
    lex, w = s.lex, s.w
    k = j - 1
    while k >= 0:
        if w[k] in lex.source_adverbs or (w[k].endswith("ly") and len(w[k]) > 4
                                          and not s.caps[k]):
            k -= 1
            continue
        t = _time_before(s, k)  # "the UN had on Sunday put the toll at"
        if t is None:
            break
        k = t - 1
    if k < 0:
        return None
    if w[k] == ",":
        c = bisect_left(s.commas, k) - 1
        if c < 0 or s.commas[c] < k - _NP_MAX or any(s.brk[x] for x in range(s.commas[c], k)):
            return None
        name = _name_between(s, s.commas[c] + 1, k)
        if name is not None:
            return name  # "Its director, Rami Abdel Rahman, said"
        k = s.commas[c] - 1
        if k < 0:
            return None
    # "A police officer who asked not to be named said": the subject before the relative.
    for r in range(k - 1, max(-1, k - 10), -1):
        if s.brk[r] or w[r] == ",":
            break
        if w[r] == "who" and r > 0 and _np_word(s, r - 1):
            k = r - 1
            break
    if w[k] in lex.ex.pronouns and (not s.caps[k] or k == 0 or w[k - 1] in _QUOTES):
        return "pronoun"  # "they said", '"We have confirmed 97 deaths," X told AFP
    if w[k] == "and" and k > 0 and not _np_word(s, k - 1):
        return "pronoun"  # "X say ... and deny": the subject of the earlier verb
    a = k
    while a >= 0 and k - a < _NP_MAX and _np_word(s, a) and not s.brk[a] \
            and not _date_word(s, a):  # "in late October Sinaloa officials reported"
        a -= 1
    return _finish(s, a + 1, k + 1)


def np_right(s: SentenceView, j: int, n: int | None = None) -> tuple[int, int] | None:
    """The source noun phrase starting at token j (after 'according to', 'by', ...)."""
    ex, w = s.lex.ex, s.w
    n = len(w) if n is None else n
    k = j
    while k < n and w[k] in _DETERMINERS | {"its", "their", "his", "her"}:
        k += 1
    if k < n and _date_word(s, k):
        return None  # "had reached 294 by Sunday morning": when, not who
    # "a confidential U.N. report": up to two lower-case words before the name.
    skipped = 0
    while k < n and skipped < 2 and not _np_word(s, k) and w[k].isalpha() and k + 1 < n \
            and _np_word(s, k + 1):
        k += 1
        skipped += 1
    a = k
    while k < n and k - a < _NP_MAX and _np_word(s, k) and not s.brk[k]:
        if w[k] in _DETERMINERS and not (k > a and w[k - 1] in ex.source_connectors):
            break
        k += 1
    span = _finish_right(s, a, k)
    if span is None:
        return None
    a, b = span
    # "a tally by AFP", "figures from the ministry", "casualty figures released by
    # the Houthis": the source follows.
    if w[b - 1] in ex.report_nouns and b < n:
        if w[b] in ("by", "from", "of") and b - a == 1:
            return np_right(s, b + 1, n)
        if b + 1 < n and w[b] in _ISSUED and w[b + 1] in ("by", "from"):
            return np_right(s, b + 2, n)
    return span


_ISSUED = frozenset({"released", "issued", "compiled", "published", "provided", "given",
                     "gathered", "collected", "announced", "supplied"})


def _finish_right(s: SentenceView, a: int, b: int) -> tuple[int, int] | None:
    ex, w = s.lex.ex, s.w
    if b - a > 1 and w[b - 1] == "." and len(w[b - 2]) > 1:
        b -= 1  # the sentence's full stop, not "U.N."
    while b > a and (w[b - 1] in ex.source_connectors or w[b - 1] in _DETERMINERS
                     or w[b - 1] == "&"):
        b -= 1
    if b - a > 1 and w[b - 1] in ex.report_nouns:
        b -= 1
        while b > a and w[b - 1] in ex.source_connectors:
            b -= 1
    if a >= b:
        return None
    if not any(s.caps[k] or w[k] in ex.source_nouns for k in range(a, b)):
        return None
    return a, b


def source_text(s: SentenceView, span: tuple[int, int]) -> tuple[str, bool]:
    """The source as written, and whether it is unnamed (lower-case words only)."""
    a, b = span
    text = s.span(a, b).replace("’", "'").replace("‘", "'")
    nouns = s.lex.ex.source_nouns
    # A capitalised first word of the sentence names a source only when it is
    # not a common source noun ("Activists said" is unnamed, "Reuters said" named).
    named = any(s.caps[k] and (k > 0 or (b - a == 1 and s.w[k] not in nouns)
                               or (b - a > 1 and (s.caps[k + 1] or s.w[k].endswith("'s"))))
                for k in range(a, b))
    if not named:
        text = text.lower()
    return text, not named


def find_attributions(s: SentenceView, inside_figure: list[bool],
                      figure_ends: set[int]) -> list[Attribution]:
    """Every attribution in a sentence, left to right."""
    lex, w = s.lex, s.w
    out: list[Attribution] = []
    last = 0
    for i in lex.attribution.positions(w):
        if i < last:
            continue
        hit = lex.attribution.at(w, i)
        if hit is None or (s.caps[i] and i > 0) or inside_figure[i]:
            continue
        word, end = hit
        a = Attribution(word.kind, i, end)
        if word.hedge:
            a.hedge = s.span(i, end).lower()
        span: tuple[int, int] | str | None = None
        if word.kind in ("verb", "told"):
            span = np_left(s, i)
            if span is None and (i == 0 or w[i - 1] in (",", '"')):
                span = np_right(s, end)  # ", said the city's police chief"
            if word.kind == "told":
                relay = np_right(s, end)
                if relay is not None:
                    text, unnamed = source_text(s, relay)
                    if not unnamed and text.lower() not in lex.ex.generic_relays:
                        a.relay = text
        elif word.kind in ("prep", "citing"):
            span = np_right(s, end)
        elif word.kind == "by":
            if i in figure_ends:
                span = np_right(s, end)
        elif word.kind == "relay":
            relay = np_right(s, end)
            if relay is not None:
                a.relay = source_text(s, relay)[0]
        if span == "pronoun":
            a.pronoun = True
            k = i - 1
            while k > 0 and w[k] in lex.source_adverbs:
                k -= 1
            a.first_person = k >= 0 and w[k] in _FIRST_PERSON
        elif isinstance(span, tuple):
            a.np = span
            a.source, a.unnamed = source_text(s, span)
        if a.source or a.pronoun or a.relay:
            out.append(a)
        last = end
    # Relays belong to the nearest source before them.
    sources = [x for x in out if x.kind != "relay"]
    for x in out:
        if x.kind == "relay" and x.relay:
            before = [y for y in sources if y.start < x.start]
            target = before[-1] if before else (sources[0] if sources else None)
            if target is not None and target.relay is None:
                target.relay = x.relay
    # "SANA, citing a police source, said": SANA relays the police source.
    for x in out:
        if x.kind == "citing" and x.source:
            verbs = [y for y in out if y.kind in ("verb", "told") and y.source]
            if verbs:
                y = min(verbs, key=lambda v: abs(v.start - x.start))
                y.is_relay = True
                x.relay = x.relay or y.source
    return out


def _gap(a0: int, a1: int, b0: int, b1: int) -> int:
    if a1 <= b0:
        return b0 - a1
    if b1 <= a0:
        return a0 - b1
    return 0


def choose_source(s: SentenceView, attrs: list[Attribution], first: int, end: int,
                  hard: list[int]) -> Attribution | None:
    """The attribution nearest the figure's tokens [first, end), within its clause if possible."""
    best, best_key = None, None
    for a in attrs:
        if a.kind == "relay" or a.is_relay or not (a.source or a.pronoun):
            continue
        lo, hi = (a.start, first) if a.start < first else (end, a.start)
        crossing = bisect_right(hard, hi - 1) - bisect_left(hard, lo)
        key = (crossing > 0, _gap(first, end, a.start, a.end))
        if best_key is None or key < best_key:
            best, best_key = a, key
    if best is None or best_key is None or best_key[0]:
        return best
    # The clause's own speaker: "X said (that) ... N ..., Y reported" is X's figure,
    # relayed by Y; "X said the office had documented N" is X's.
    outer = None
    for a in attrs:
        if a is best or a.kind not in ("verb", "told") or a.is_relay or not a.source \
                or a.pronoun or a.unnamed or a.start >= first or a.np is None:
            continue
        if any(a.end <= h < first for h in hard):
            continue
        outer = a
    if outer is not None and (best.start > end or (best.unnamed and best.start > outer.start)):
        best = outer
    if best.start < first and best.kind in ("verb", "told") and not best.pronoun:
        for x in attrs:
            if x.start > end and x.source and not x.unnamed and not x.pronoun \
                    and x.kind in ("verb", "told", "prep") and not x.is_relay \
                    and not any(end <= h < x.start for h in hard):
                best.relay = best.relay or x.source
                break
    return best


def hedges_in(s: SentenceView) -> list[str]:
    """Hedge phrases anywhere in the sentence ("not confirmed", "reportedly")."""
    return [value for value, _, _ in s.lex.hedges.scan(s.w)]


def hard_breaks(s: SentenceView) -> list[int]:
    return [i for i, t in enumerate(s.w) if t in _HARD]
