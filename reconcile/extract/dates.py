"""Date phrases in a sentence, resolved against the publication date.

A small rule layer instead of a date parser run over the text (which turns
"25, the" into a date): it reads only the shapes listed in
``rules/extract.toml`` — "yesterday", "on Wednesday", "November 27",
"3 May 2023", "2024-11-27", "last week", "since November 27",
"over the past 24 hours", "two weeks ago" — and always truncates to dates.
Linear in the number of tokens; every phrase is a bounded lookahead.

A phrase's tokens are also what makes a number part of a date ("27" in
"November 27"), so the extractor rejects figures inside them even when the
publication date is unknown.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..rules.extract import DateWords
from ..rules.load import NumberWords

__all__ = ["DateGrammar", "DatePhrase", "find_dates", "parse_published"]


@dataclass(frozen=True, slots=True)
class DatePhrase:
    start: int  # token span [start, end)
    end: int
    kind: str  # point | window | since | past | year
    first: dt.date | None  # resolved dates (None when unknown)
    last: dt.date | None
    statement: bool = False  # "said on Monday": when it was said, not when it happened

    def iso(self) -> str:
        if self.first is None:
            return ""
        if self.last is None or self.last == self.first:
            return self.first.isoformat()
        return f"{self.first.isoformat()}/{self.last.isoformat()}"


def parse_published(value: object) -> dt.date | None:
    """An ISO date or date-time (the time is dropped); None when unreadable."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    for fmt in ("%d %B %Y", "%B %d, %Y", "%d %b %Y", "%b %d, %Y", "%Y/%m/%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _small_number(word: str, numbers: NumberWords) -> int | None:
    if word.isdigit() and len(word) <= 4:
        return int(word)
    if word in numbers.units:
        return numbers.units[word]
    if word in numbers.tens:
        return numbers.tens[word]
    if word in ("a", "an", "one"):
        return 1
    return None


def _shift_months(day: dt.date, months: int) -> dt.date:
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class _DateScan:
    def __init__(self, words: Sequence[str], caps: Sequence[bool], published: dt.date | None,
                 grammar: DateGrammar) -> None:
        dw, numbers = grammar.dw, grammar.numbers
        self.grammar = grammar
        # "yesterday's" and "Monday's" read as their word.
        if "'s " in " ".join(words) + " ":
            self.w = [t[:-2] if t.endswith("'s") else t for t in words]
        else:
            self.w = list(words)
        self.caps, self.pub, self.dw, self.numbers = caps, published, dw, numbers
        self.n = len(words)

    def at(self, i: int, phrase: tuple[str, ...]) -> bool:
        return tuple(self.w[i:i + len(phrase)]) == phrase

    def calendar_date(self, i: int) -> tuple[int, dt.date | None] | None:
        """A calendar date at token i: (end, date); the date is None without a year."""
        w, dw = self.w, self.dw
        if i >= self.n:
            return None
        tok = w[i]
        # 2024-11-27
        if len(tok) == 4 and tok.isdigit() and i + 4 < self.n and w[i + 1] == "-" \
                and w[i + 3] == "-" and w[i + 2].isdigit() and w[i + 4].isdigit():
            try:
                return i + 5, dt.date(int(tok), int(w[i + 2]), int(w[i + 4]))
            except ValueError:
                return None
        month = dw.months.get(tok) if self.caps[i] else None
        if month is not None:
            # November 27[, 2024] | November 2024 | November | Sept. 11
            j = i + 1
            if j + 1 < self.n and w[j] == "." and len(tok) <= 4 and w[j + 1].isdigit():
                j += 1
            if j < self.n and w[j].isdigit() and len(w[j]) <= 2:
                day, end = int(w[j]), j + 1
                if end < self.n and w[end] in ("st", "nd", "rd", "th"):
                    end += 1
                year = None
                k = end + 1 if end < self.n and w[end] == "," else end
                if k < self.n and len(w[k]) == 4 and w[k].isdigit():
                    year, end = int(w[k]), k + 1
                return end, self.make(year, month, day)
            if i + 1 < self.n and len(w[i + 1]) == 4 and w[i + 1].isdigit():
                return i + 2, self.make(int(w[i + 1]), month, 1)
            return i + 1, self.make(None, month, 1)
        # 27 November [2024] | 3rd of May
        if tok.isdigit() and len(tok) <= 2:
            k = i + 1
            if k < self.n and w[k] in ("st", "nd", "rd", "th"):
                k += 1
            if k < self.n and w[k] == "of":
                k += 1
            month = dw.months.get(w[k]) if k < self.n and self.caps[k] else None
            if month is not None:
                year, end = None, k + 1
                if end < self.n and len(w[end]) == 4 and w[end].isdigit():
                    year, end = int(w[end]), end + 1
                return end, self.make(year, month, int(tok))
        # mid-June
        if tok in ("mid", "early", "late") and i + 2 < self.n and w[i + 1] == "-" \
                and w[i + 2] in dw.months:
            return i + 3, self.make(None, dw.months[w[i + 2]], 15 if tok == "mid" else 1)
        return None

    def make(self, year: int | None, month: int, day: int) -> dt.date | None:
        if year is None:
            if self.pub is None:
                return None
            year = self.pub.year
            try:
                candidate = dt.date(year, month, day)
            except ValueError:
                return None
            if candidate > self.pub + dt.timedelta(days=2):
                year -= 1
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None

    def weekday(self, i: int) -> tuple[int, dt.date | None] | None:
        wd = self.dw.weekdays.get(self.w[i]) if self.caps[i] else None
        if wd is None:
            return None
        if self.pub is None:
            return i + 1, None
        back = (self.pub.weekday() - wd) % 7
        if i > 0 and self.w[i - 1] == "last" and back == 0:
            back = 7
        return i + 1, self.pub - dt.timedelta(days=back)

    def point(self, i: int) -> tuple[int, dt.date | None] | None:
        return self.calendar_date(i) or self.weekday(i)

    def duration(self, i: int) -> tuple[int, float] | None:
        """'24 hours', 'two weeks', 'week' at i: (end, days)."""
        if i >= self.n:
            return None
        n = _small_number(self.w[i], self.numbers)
        j = i + 1 if n is not None else i
        if j < self.n and self.w[j] in self.dw.units:
            return j + 1, (n if n is not None else 1) * self.dw.units[self.w[j]] / 24
        return None

    def statement(self, i: int) -> bool:
        k = i - 1
        while k >= 0 and k >= i - 3 and self.w[k] in ("on", "late", "early", "last", "in"):
            k -= 1
        return k >= 0 and k < i - 0 and self.w[k] in self.dw.statement_verbs

    def scan(self) -> list[DatePhrase]:
        out: list[DatePhrase] = []
        w, dw, pub = self.w, self.dw, self.pub
        starts, firsts = self.grammar.starts, self.grammar.firsts
        units = dw.units
        # "a"/"an" start a date phrase only as "a week ago", "a few days ago":
        # skipping the others keeps the commonest word of English off this path.
        candidates = [k for k, t in enumerate(w) if (t in starts or t[0].isdigit())
                      and (t not in _ARTICLES or (k + 1 < len(w) and (w[k + 1] in units
                                                                    or w[k + 1] in _A_NEXT)))]
        phrase_first = firsts["any"]
        for i in candidates:
            if out and i < out[-1].end:
                continue
            tok = w[i]
            found: DatePhrase | None = None
            phrased = tok in phrase_first
            for phrase in firsts["since"].get(tok, ()) if phrased else ():
                if self.at(i, phrase):
                    j = i + len(phrase)
                    p = self.point(j)
                    if p is not None:
                        first = p[1]
                        found = DatePhrase(i, p[0], "since", first, pub if first else None)
                    elif j < self.n and len(w[j]) == 4 and w[j].isdigit():
                        year = int(w[j])
                        found = DatePhrase(i, j + 1, "since", dt.date(year, 1, 1)
                                           if 1800 <= year <= 2100 else None, pub)
                    else:
                        found = DatePhrase(i, j, "since", None, None)
                    break
            if found is None and phrased:
                for phrase in firsts["past"].get(tok, ()):
                    if self.at(i, phrase):
                        d = self.duration(i + len(phrase))
                        if d is not None:
                            first = pub - dt.timedelta(days=max(1, math.ceil(d[1]))) \
                                if pub else None
                            found = DatePhrase(i, d[0], "past", first, pub)
                        break
            if found is None and (tok in self.dw.units or tok[0].isdigit()
                                  or tok in self.numbers.units or tok in self.numbers.tens
                                  or tok in ("a", "an", "one")):
                d = self.duration(i)
                if d is not None and d[0] < self.n and any(self.at(d[0], a) for a in dw.ago):
                    end = d[0] + 1
                    day = pub - dt.timedelta(days=round(d[1])) if pub else None
                    found = DatePhrase(i, end, "point", day, day)
            if found is None and phrased:
                for phrase, offset in firsts["relative"].get(tok, ()):
                    if self.at(i, phrase):
                        day = pub + dt.timedelta(days=offset) if pub else None
                        found = DatePhrase(i, i + len(phrase), "point", day, day,
                                           self.statement(i))
                        break
            if found is None and phrased:
                for phrase, (unit, offset) in firsts["periods"].get(tok, ()):
                    if self.at(i, phrase):
                        found = DatePhrase(i, i + len(phrase), "window",
                                           *self.period(unit, offset))
                        break
            if found is None:
                p = self.point(i)
                if p is not None:
                    found = DatePhrase(i, p[0], "point", p[1], p[1], self.statement(i))
            if found is None and len(tok) == 4 and tok.isdigit() and 1800 <= int(tok) <= 2100 \
                    and i > 0 and w[i - 1] in ("in", "since", "of", "by", "until", "from",
                                               "early", "late", "mid", "-"):
                year = int(tok)
                found = DatePhrase(i, i + 1, "year", dt.date(year, 1, 1), dt.date(year, 12, 31))
            if found is not None:
                out.append(found)
        return out

    def period(self, unit: str, offset: int) -> tuple[dt.date | None, dt.date | None]:
        pub = self.pub
        if pub is None:
            return None, None
        if unit == "week":
            start = pub - dt.timedelta(days=pub.weekday()) + dt.timedelta(weeks=offset)
            return start, min(pub, start + dt.timedelta(days=6))
        if unit == "month":
            start = _shift_months(pub.replace(day=1), offset)
            end = _shift_months(start, 1) - dt.timedelta(days=1)
            return start, min(pub, end)
        start = dt.date(pub.year + offset, 1, 1)
        return start, min(pub, dt.date(pub.year + offset, 12, 31))


def _by_first(items) -> dict[str, list]:
    table: dict[str, list] = {}
    for item in items:
        phrase = item[0] if isinstance(item[0], tuple) else item
        table.setdefault(phrase[0], []).append(item)
    for rows in table.values():
        rows.sort(key=lambda r: -len(r[0] if isinstance(r[0], tuple) else r))
    return table


class DateGrammar:
    """The date rules indexed for scanning: built once per set of rules.

    ``starts`` holds the tokens that can begin a date phrase (a cheap
    filter); ``firsts`` the phrases of each kind by their first token.
    """

    def __init__(self, dw: DateWords, numbers: NumberWords) -> None:
        self.dw, self.numbers = dw, numbers
        first = {p[0] for p in (*dw.since, *dw.past, *dw.relative, *dw.periods)}
        first |= set(dw.months) | set(dw.weekdays) | set(dw.units) | set(numbers.units)
        first |= set(numbers.tens) | {"a", "an", "one", "mid", "early", "late"}
        firsts: dict = {"since": _by_first(dw.since), "past": _by_first(dw.past),
                        "relative": _by_first(list(dw.relative.items())),
                        "periods": _by_first(list(dw.periods.items()))}
        firsts["any"] = frozenset().union(*firsts.values())  # first tokens of any phrase
        self.starts = frozenset(first)
        self.firsts = firsts


_ARTICLES = frozenset({"a", "an"})
_A_NEXT = frozenset({"few", "couple", "half", "dozen", "fortnight"})


def find_dates(words: Sequence[str], caps: Sequence[bool], published: dt.date | None,
               grammar: DateGrammar) -> list[DatePhrase]:
    """Every date phrase in a sentence's tokens, left to right, without overlaps.

    >>> from reconcile.rules.extract import extract_rules_for
    >>> from reconcile.rules.load import default_rules
    >>> from reconcile.core.text import tokenize
    >>> toks = tokenize("Since November 27, the toll has risen to 56.")
    >>> grammar = DateGrammar(extract_rules_for().dates, default_rules().numbers)
    >>> [p.iso() for p in find_dates([t.text for t in toks], [t.text[0].isalpha() for t in toks],
    ...  dt.date(2024, 12, 2), grammar)]
    ['2024-11-27/2024-12-02']
    """
    return _DateScan(words, caps, published, grammar).scan()
