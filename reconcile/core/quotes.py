"""Provenance integrity: does a claim's quote hold its figure, and does its span point at it?

A figure cited to a document that does not contain it is the commonest way a
casualty count goes wrong in print. Every claim with a ``quote`` is checked:

- the quote must state the figure: its number (digits or number words:
  "thirty" is 30, "six thousand" is 6,000), the same interval ("between 30
  and 40", "dozens"), or, for a claim of 0, a zero phrase ("no one was
  killed", "no civilians") or a denial ("rejected reports of");
- when ``span`` is given it must point at that figure: ``START-END``,
  character offsets (Unicode code points, 0-based, END exclusive) into the
  quote, or into the article when ``quote_start`` (the offset of the quote's
  first character in the article, as ``extract`` writes) is given.

The result is one code per claim (:data:`QUOTE_CHECKS`):

``ok``
    the quote states the figure (and the span, if any, covers it);
``no-quote``
    nothing to check;
``inferred``
    the extractor counted the figure from words that state no number
    ("a driver was killed" is 1; "five shot, two fatally" is 3 injured):
    column ``inferred`` says so, and the span must still lie in the quote;
``figure-not-in-quote``
    the quote states no such figure;
``span-mismatch``
    the figure is in the quote but the span points elsewhere (or at nothing);
``span-out-of-range``
    the span lies outside the quote (beyond its end, before its start, or
    a number too large to be an offset);
``span-unreadable``
    the span is not ``START-END`` in whole numbers, or ends before it starts.

Pure: values in, codes out. A quote is parsed once however many claims cite
it; time is linear in the length of the distinct quotes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..rules.load import Rules, default_rules
from ..schema import QUOTE_CHECKS
from .interval import INF
from .parse import Figure, FigureMatch, find_figures
from .text import tokenize, words

__all__ = ["QUOTE_CHECKS", "check_quote", "check_quotes", "parse_span"]


# Offsets longer than this many digits are no offsets (and never parsed: a
# million-digit "span" must not cost a million-digit integer).
_MAX_DIGITS = 15
_SPAN = re.compile(rf"\s*([0-9]{{1,{_MAX_DIGITS}}})\s*-\s*([0-9]{{1,{_MAX_DIGITS}}})\s*")
_DIGITS = re.compile(r"\s*[0-9]+\s*-\s*[0-9]+\s*")
_OFFSET = re.compile(rf"\s*([0-9]{{1,{_MAX_DIGITS}}})\s*")
_NEGATIONS = frozenset({"no", "not", "none", "zero", "nil", "without"})


def parse_span(span: str, quote_start: str = "") -> tuple[int, int] | str:
    """``(start, end)`` of a span in the quote's own offsets, or the code of its fault.

    >>> parse_span("12-15"), parse_span("112-115", "100"), parse_span("15-12")
    ((12, 15), (12, 15), 'span-unreadable')
    >>> parse_span("-3-4"), parse_span("1e3-2e3"), parse_span("1" * 40 + "-" + "2" * 40)
    ('span-unreadable', 'span-unreadable', 'span-out-of-range')
    """
    m = _SPAN.fullmatch(span)
    if m is None:
        return "span-out-of-range" if _DIGITS.fullmatch(span) else "span-unreadable"
    start, end = int(m.group(1)), int(m.group(2))
    if end < start:
        return "span-unreadable"
    if quote_start.strip():
        q = _OFFSET.fullmatch(quote_start)
        if q is None:
            return "span-unreadable"
        offset = int(q.group(1))
        start, end = start - offset, end - offset
    return start, end


def _number(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if np.isnan(f):
        return None
    return INF if np.isinf(f) else int(f)


def _states(fig: Figure, low: float | None, high: float | None, anchor: float | None) -> bool:
    """Whether a figure read in the quote states the claim's figure."""
    if anchor is not None and fig.anchor is not None and fig.anchor == anchor:
        return True
    hi = INF if high is None else high
    if fig.interval.lo == low and fig.interval.hi == hi:
        return True
    # A claim given as bounds: the number the quote states is one of them.
    if anchor is None and fig.anchor is not None and fig.anchor in (low, high):
        return True
    # "rose from 12 to 19" reads as a range; each end is a number the quote states.
    return fig.kind == "range" and anchor is not None and anchor in (fig.interval.lo,
                                                                      fig.interval.hi)


def _says_zero(quote: str, denials: Sequence[tuple[str, ...]],
               nouns: frozenset[str]) -> bool:
    """A denial phrase, or a negation shortly before a casualty noun ("no civilians")."""
    toks = [t.text for t in tokenize(quote)]
    for phrase in denials:
        k = len(phrase)
        if any(tuple(toks[i:i + k]) == phrase for i in range(len(toks) - k + 1)):
            return True
    for i, t in enumerate(toks):
        if t in _NEGATIONS and any(n in nouns for n in toks[i + 1:i + 4]):
            return True
    return False


class _Checker:
    """The rules a quote check needs, read once, and the figures of each quote read once."""

    def __init__(self, rules: Rules) -> None:
        from ..rules.extract import extract_rules_for

        self.rules = rules
        try:
            self.denials: tuple[tuple[str, ...], ...] = tuple(extract_rules_for(rules).denials)
        except Exception:  # a rules folder without extract.toml: zero phrases only
            self.denials = ()
        nouns: set[str] = set()
        names = [(c.name, *c.aliases) for c in rules.categories] + \
            [(v.name, *v.aliases) for v in rules.victims]
        for group in names:
            for alias in group:
                nouns.update(words(alias))
        self.nouns = frozenset(nouns)
        self.figures: dict[str, list[FigureMatch]] = {}

    def matches(self, quote: str) -> list[FigureMatch]:
        found = self.figures.get(quote)
        if found is None:
            found = [m for m in find_figures(quote, self.rules) if isinstance(m.figure, Figure)]
            self.figures[quote] = found
        return found

    def check(self, quote: str, low: object, high: object, anchor: object, span: str,
              quote_start: str, inferred: str) -> str:
        if not quote.strip():
            return "no-quote"
        lo, hi, an = _number(low), _number(high), _number(anchor)
        where: tuple[int, int] | None = None
        if span.strip():
            parsed = parse_span(span, quote_start)
            if isinstance(parsed, str):
                return parsed
            if parsed[0] < 0 or parsed[1] > len(quote):
                return "span-out-of-range"
            where = parsed
        if inferred.strip():
            return "inferred"
        if not self.states(quote, lo, hi, an):
            return "figure-not-in-quote"
        if where is None:
            return "ok"
        a, b = where
        # The span points at the figure when the words at the span state it and no
        # other figure ("12" in "rose from 12 to 19"; not the whole sentence around it).
        if b > a:
            inside = self.matches(quote[a:b])
            if inside and all(_states(m.figure, lo, hi, an)  # type: ignore[arg-type]
                              for m in inside):
                return "ok"
            if not inside and hi == 0 and _says_zero(quote[a:b], self.denials, self.nouns):
                return "ok"
        return "span-mismatch"

    def states(self, text: str, lo: float | None, hi: float | None, an: float | None) -> bool:
        """Whether ``text`` states the figure (a zero: a zero phrase or a denial)."""
        if any(_states(m.figure, lo, hi, an)  # type: ignore[arg-type]
               for m in self.matches(text)):
            return True
        return hi == 0 and _says_zero(text, self.denials, self.nouns)


def check_quote(quote: str, low: int | None, high: int | None = None,
                anchor: int | None = None, span: str = "", quote_start: str = "",
                inferred: str = "", rules: Rules | None = None) -> str:
    """The quote check of one claim (see the module notes); ``high`` None is unbounded.

    >>> check_quote("Rockets killed at least 29 people.", 29, None, 29)
    'ok'
    >>> check_quote("Around thirty died when rockets hit homes.", 27, 33, 30, "7-13")
    'ok'
    >>> check_quote("Around thirty died.", 27, 33, 30, "0-6")
    'span-mismatch'
    >>> check_quote("The toll rose to 56.", 65, 65, 65)
    'figure-not-in-quote'
    >>> check_quote("No civilians were hurt, the army said.", 0, 0, 0)
    'ok'
    """
    return _Checker(rules or default_rules()).check(
        quote, low, None if high is None else high, anchor, span, quote_start, inferred)


def _text(claims: pd.DataFrame, column: str) -> pd.Series:
    if column not in claims.columns:
        return pd.Series("", index=claims.index, dtype=object)
    col = claims[column]
    return col.astype(object).where(col.notna(), "").astype(str)


def check_quotes(claims: pd.DataFrame, rules: Rules | None = None) -> pd.Series:
    """The quote check of every claim of a loaded claims table (a Series of codes).

    Reads ``quote``, ``low``, ``high``, ``anchor``, ``span``, ``quote_start``
    and ``inferred`` (each optional); a claim without a quote is ``no-quote``
    with no work. Each distinct (quote, figure, span) is checked once.
    """
    out = pd.Series("no-quote", index=claims.index, dtype=object)
    quote = _text(claims, "quote")
    has = quote.str.strip().ne("")
    if not has.any():
        return out
    checker = _Checker(rules or default_rules())
    cols = {c: _text(claims, c)[has] for c in ("low", "high", "anchor", "span", "quote_start",
                                               "inferred")}
    frame = pd.DataFrame({"quote": quote[has], **cols})
    key = pd.MultiIndex.from_frame(frame)
    codes, uniques = pd.factorize(key)
    results = np.array([checker.check(q, lo or None, hi or None, an or None, sp, qs, inf)
                        for q, lo, hi, an, sp, qs, inf in uniques], dtype=object)
    out.loc[has] = results[codes]
    return out
