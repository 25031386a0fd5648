"""Figure text -> interval constraint, anchor and kind.

"at least 29 killed" -> ``[29, ∞)``, anchor 29, kind ``lower``. Every phrase
comes from the rules (``rules/qualifiers.toml``, ``vague.toml``,
``numbers.toml``); this module only knows the rule *kinds*.

A figure is read as ``[qualifier] quantity [qualifier]`` where a quantity is
a number (digits or words, with a scale: "1.2 million", "5k", "a hundred
and twenty"), a range of two numbers ("between 20 and 30") or a vague
quantity ("dozens"). The grammar is matched over tokens, longest phrase
first, in time linear in the number of tokens.

Numbers are exact: whole numbers are Python integers and decimals are
fractions, never floats, so 99999999999999999999999999 is itself.

Bad text never raises: :func:`parse_figure` returns a :class:`NotAFigure`
carrying the reason, so one bad row cannot stop a run. A number that is
not well formed ("1,00", "6e18", "one thousand one thousand") is a
:class:`NotAFigure` with the reason, never a smaller or larger count.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..rules.load import Qualifier, Rules, VagueQuantity, default_rules
from .interval import INF, Interval
from .text import Token, tokenize

__all__ = ["Figure", "FigureMatch", "NotAFigure", "find_figures", "parse_figure"]


@dataclass(frozen=True, slots=True)
class Figure:
    """A parsed figure: the constraint it places on the true count."""

    text: str
    interval: Interval
    anchor: int | None  # the number the source stated; None for vague words
    kind: str

    @property
    def low(self) -> int:
        return self.interval.lo

    @property
    def high(self) -> int | None:
        """The upper bound, or None when unbounded."""
        return None if self.interval.hi == INF else int(self.interval.hi)

    def to_json(self) -> str:
        return json.dumps({"text": self.text, "low": self.low, "high": self.high,
                           "anchor": self.anchor, "kind": self.kind}, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class NotAFigure:
    """Text that is not one figure, and why."""

    text: str
    reason: str

    def to_json(self) -> str:
        return json.dumps({"text": self.text, "error": self.reason}, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class FigureMatch:
    """A figure found inside a longer text, with its token and character span."""

    figure: Figure | NotAFigure
    first_token: int  # index of the first token of the match
    end_token: int  # index one past the last token
    start: int  # character offsets into the text
    end: int
    number_start: int  # character offsets of the quantity alone (no qualifier)
    number_end: int


Number = int | Fraction  # exact: a float would turn 10**25 into 10000000000000000905969664


@dataclass(slots=True)  # not frozen: built for every number read, and never changed
class _Quantity:
    kind: str  # number | range | vague
    value: Number  # number: the value; range: low; vague: nominal or low
    high: Number | float  # range: high; vague: high (inf when unbounded); number: value
    anchor: Number | None
    vague: VagueQuantity | None
    end: int  # token index one past the quantity
    problem: str | None = None  # why the quantity is not a count ("1,00", "6e18")


# (value, end, had_scale, problem) for a number read at a token
_Read = tuple[Number, int, bool, str | None]


class _Grammar:
    """Rule phrases indexed by their first token, longest first."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.numbers = rules.numbers
        self.before: dict[str, list[Qualifier]] = {}
        self.after: dict[str, list[Qualifier]] = {}
        for q in rules.qualifiers:
            table = self.before if q.position == "before" else self.after
            table.setdefault(q.tokens[0], []).append(q)
        self.vague: dict[str, list[VagueQuantity]] = {}
        for v in rules.vague:
            self.vague.setdefault(v.tokens[0], []).append(v)
        self.range_prefix: dict[str, list] = {}
        self.bare_connectors: frozenset = frozenset()
        for r in rules.ranges:
            if r.prefix:
                self.range_prefix.setdefault(r.prefix[0], []).append(r)
            else:
                self.bare_connectors = self.bare_connectors | r.connectors
        for q_table in (self.before, self.after):
            for q_rows in q_table.values():
                q_rows.sort(key=lambda q: -len(q.tokens))
        for v_rows in self.vague.values():
            v_rows.sort(key=lambda v: -len(v.tokens))
        for r_rows in self.range_prefix.values():
            r_rows.sort(key=lambda r: -len(r.prefix))
        self.not_a_count = sorted(rules.not_a_count, key=lambda n: -len(n.tokens))
        # The same rules by first token (in that order), so a figure's words are
        # looked up instead of every rule tried at every word.
        self.not_a_count_at_start: dict[str, list] = {}
        self.not_a_count_anywhere: dict[str, list] = {}
        for rule in self.not_a_count:
            by_first = self.not_a_count_at_start if rule.at_start else self.not_a_count_anywhere
            by_first.setdefault(rule.tokens[0], []).append(rule)
        self.zeros: dict[str, list[tuple[str, ...]]] = {}
        for z in sorted(self.numbers.zeros, key=len, reverse=True):
            self.zeros.setdefault(z[0], []).append(z)
        self.fractions = {w: Fraction(str(v)) for w, v in self.numbers.fractions.items()}
        # Every qualifier phrase, to find one stacked on another ("at most at least 5").
        # Longest first, then alphabetical: the same order in every process.
        self.any_qualifier = sorted({q.tokens for q in rules.qualifiers},
                                    key=lambda p: (-len(p), p))
        # Their positions in that order, by last and by first token.
        self.qualifier_by_last: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        self.qualifier_by_first: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        for n, phrase in enumerate(self.any_qualifier):
            self.qualifier_by_last.setdefault(phrase[-1], []).append((n, phrase))
            self.qualifier_by_first.setdefault(phrase[0], []).append((n, phrase))
        # Connectors by first token, longest first (iterating a frozenset is stable).
        self.connectors: dict[int, tuple[frozenset, dict[str, list]]] = {}
        for conns in (self.bare_connectors, *(r.connectors for r in rules.ranges)):
            self.connectors[id(conns)] = (conns, _by_first_token(conns))
        # Tokens other than digits that can start a number, range or vague quantity.
        self.quantity_first = (frozenset(self.numbers.units) | frozenset(self.numbers.tens)
                               | frozenset(self.numbers.fractions) | frozenset(self.vague)
                               | frozenset(self.range_prefix) | frozenset(self.zeros)
                               | {"a", "an"})
        # Tokens that can start a quantity: a cheap filter for the scan.
        self.starters = (set(self.numbers.units) | set(self.numbers.tens) | set(self.vague)
                         | set(self.range_prefix) | set(self.numbers.fractions) | set(self.zeros)
                         | {"a", "an"})
        self.starters |= set(self.before)


def _by_first_token(connectors: frozenset) -> dict[str, list]:
    table: dict[str, list] = {}
    for conn in sorted(connectors, key=len, reverse=True):
        table.setdefault(conn[0], []).append(conn)
    return table


def _grammar(rules: Rules) -> _Grammar:
    return rules.derived("figure_grammar", _Grammar)


def _starts_with(tokens: Sequence[str], i: int, phrase: Sequence[str]) -> bool:
    n = len(phrase)
    if n == 1:
        return i < len(tokens) and tokens[i] == phrase[0]
    return tuple(tokens[i:i + n]) == tuple(phrase)


_NOT_WELL_FORMED = "is not a well-formed number"


def _digits(tok: str) -> tuple[Number | None, str | None]:
    """A digit token's exact value, and why it is not a plain count (or None).

    '1,200' -> 1200; '1.2' -> 6/5; '1.200.000' -> 1200000 (thousands dots);
    '25.0' -> 25 (a spreadsheet's float). A comma group of other than three
    digits ('1,00', '1,5') and a lone dot before three digits ('2.500': 2.5 or
    2,500?) give their value with a problem: they read as decimals only
    before a scale word ("1,5 million").
    """
    try:
        if "," in tok:
            parts = tok.split(",")
            if "." not in tok and 1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:]):
                return int("".join(parts)), None
            if "." in parts[-1]:
                head, _, frac = parts[-1].partition(".")
                if len(head) == 3 and 1 <= len(parts[0]) <= 3 \
                        and all(len(p) == 3 for p in parts[1:-1]):
                    return Fraction("".join(parts[:-1]) + head + "." + frac), None
                return None, f"{tok!r} {_NOT_WELL_FORMED}"
            if len(parts) == 2:  # "1,5": a decimal comma, or a typo for 1,500 or 15
                return Fraction(f"{parts[0]}.{parts[1]}"), (
                    f"{tok!r} {_NOT_WELL_FORMED}: digits after a comma come in groups of "
                    "three (1,000), and a decimal comma is not a whole count")
            return None, f"{tok!r} {_NOT_WELL_FORMED}: digits after a comma come in groups of three"
        if "." in tok:
            parts = tok.split(".")
            if len(parts) > 2:
                if all(len(p) == 3 for p in parts[1:]) and len(parts[0]) <= 3:
                    return int("".join(parts)), None
                return None, f"{tok!r} {_NOT_WELL_FORMED}"
            value = Fraction(tok)
            if len(parts[1]) == 3 and len(parts[0]) <= 3 and parts[0] != "0":
                return value, (f"{tok!r} is ambiguous: {tok} with a decimal point, or "
                               f"{parts[0]}{parts[1]} with a thousands dot; write it without the dot")
            return value, None
        return int(tok), None
    except ValueError:  # digits the Unicode tables call digits but int() does not read
        return None, f"{tok!r} {_NOT_WELL_FORMED}"


class _Scanner:
    def __init__(self, g: _Grammar, tokens: Sequence[str],
                 spans: Sequence[Token] | None = None, text: str | None = None) -> None:
        self.g, self.t, self.n = g, tokens, len(tokens)
        self.spans, self.text = spans, text
        self._numbers: dict[int, _Read | None] = {}

    def source(self, i: int, j: int) -> str:
        """The text of tokens [i, j) as written (shortened past 60 characters), for messages."""
        if self.spans is not None and self.text is not None:
            out = self.text[self.spans[i].start:self.spans[j - 1].end]
        else:
            out = " ".join(self.t[i:j])
        return out if len(out) <= 60 else out[:57] + "..."

    def glued(self, i: int) -> bool:
        """Whether token i + 1 follows token i with nothing between ("6e18")."""
        spans = self.spans
        return spans is not None and i + 1 < len(spans) and spans[i].end == spans[i + 1].start

    def tok(self, i: int) -> str | None:
        return self.t[i] if i < self.n else None

    # -- numbers --------------------------------------------------------
    def number(self, i: int) -> _Read | None:
        """A number at token i: (value, end, had_scale, problem)."""
        try:
            return self._numbers[i]
        except KeyError:
            found = self._numbers[i] = self._number(i)
            return found

    def _number(self, i: int) -> _Read | None:
        tok = self.tok(i)
        if tok is None:
            return None
        nums = self.g.numbers
        if tok[0].isdecimal():
            value, problem = _digits(tok)
            j = i + 1
            exponent = self._exponent(i)
            if exponent is not None:
                return (value or 0, exponent, False,
                        f"{self.source(i, exponent)!r} is scientific notation, not a count "
                        "of people; write the whole number")
            if value is None:
                return (0, j, False, problem)
            scale = self.tok(j) or ""
            if scale in nums.scales:  # "5 thousand", "1,5 million", "two dozen"
                return value * nums.scales[scale], j + 1, True, None
            return value, j, False, problem
        return self.words(i)

    def _exponent(self, i: int) -> int | None:
        """The end of an exponent glued to the digits at i ("6e18", "1.5E+3"), or None."""
        if self.tok(i + 1) != "e" or not self.glued(i):
            return None
        j = i + 2
        if self.tok(j) in ("+", "-") and self.glued(i + 1):
            j += 1
        nxt = self.tok(j)
        if nxt is None or not nxt[0].isdecimal() or not self.glued(j - 1):
            return None
        return j + 1

    def words(self, i: int) -> _Read | None:
        """Number words at token i: "twenty-five", "a hundred and twenty".

        A scale that repeats or grows ("one thousand one thousand",
        "five hundred hundred") is read to its end and carries a problem:
        such a run is not a number, and no part of it is a count.
        """
        nums = self.g.numbers
        total, current, j, last, scaled = 0, 0, i, None, False
        big: int | None = None  # the last scale of a thousand or more
        problem: str | None = None
        fraction: Fraction | None = None
        tok = self.tok(j) or ""
        if tok in nums.fractions and self.tok(j + 1) in ("a", "an") \
                and self.tok(j + 2) in nums.scales:
            fraction = self.g.fractions[tok]  # "half a million"
            j += 1
        while j < self.n:
            tok, nxt = self.t[j], self.tok(j + 1) or ""
            if tok in nums.units:
                unit = nums.units[tok]
                if not (last in (None, "scale") or (last == "tens" and 0 < unit < 10)):
                    break
                current += unit
                last = "unit"
            elif tok in nums.tens:
                if last not in (None, "scale"):
                    break
                current += nums.tens[tok]
                last = "tens"
            elif tok in ("a", "an") and last is None and nxt in nums.scales:
                current, last = 1, "a"
            elif tok == "-" and last == "tens" and nxt in nums.units and nums.units[nxt] < 10:
                pass  # "twenty-five"
            elif tok in nums.scales and last is not None:
                scale = nums.scales[tok]
                if last == "scale" and not current:
                    problem = problem or f"the number words repeat the scale {tok!r}"
                elif scale < 1000:  # hundred, dozen: multiply what came before
                    if current >= scale and scale >= 100:
                        problem = problem or f"the number words repeat the scale {tok!r}"
                    current = (current or 1) * scale
                else:
                    if big is not None and scale >= big:
                        problem = problem or f"the number words repeat the scale {tok!r}"
                    big = scale
                    total += (current or 1) * scale
                    current = 0
                last, scaled = "scale", True
            elif tok in nums.joiners and last == "scale" and (nxt in nums.units or nxt in nums.tens):
                pass  # "a hundred and twenty"
            else:
                break
            j += 1
        if last is None or last == "a":
            return None
        value: Number = total + current
        if fraction is not None:
            value = value * fraction
        if problem is not None:
            problem = f"{self.source(i, j)!r} is not a number: {problem}"
        return value, j, scaled, problem

    # -- quantities -----------------------------------------------------
    def quantity(self, i: int) -> _Quantity | None:
        tok = self.tok(i)
        if tok is None or not (tok[0].isdecimal() or tok in self.g.quantity_first):
            return None  # no number, range or vague word starts here
        best: _Quantity | None = None
        for cand in (self.range(i), self.vague(i), self.zero(i), self.plain(i)):
            if cand is not None and (best is None or cand.end > best.end):
                best = cand
        return best

    def plain(self, i: int) -> _Quantity | None:
        num = self.number(i)
        if num is None:
            return None
        return _Quantity("number", num[0], num[0], num[0], None, num[1], num[3])

    def zero(self, i: int) -> _Quantity | None:
        """A way of saying zero: "no one", "nobody", "not a single"."""
        for z in self.g.zeros.get(self.tok(i) or "", ()):
            if _starts_with(self.t, i, z):
                return _Quantity("number", 0, 0, 0, None, i + len(z))
        return None

    def vague(self, i: int) -> _Quantity | None:
        for v in self.g.vague.get(self.tok(i) or "", ()):
            if _starts_with(self.t, i, v.tokens):
                return _Quantity("vague", v.value, v.high, v.anchor, v, i + len(v.tokens))
        return None

    def range(self, i: int) -> _Quantity | None:
        options: list[tuple[int, frozenset]] = []
        for r in self.g.range_prefix.get(self.tok(i) or "", ()):
            if _starts_with(self.t, i, r.prefix):
                options.append((i + len(r.prefix), r.connectors))
        options.append((i, self.g.bare_connectors))
        for start, connectors in options:
            a = self.number(start)
            if a is None:
                continue
            known = self.g.connectors.get(id(connectors))
            table = known[1] if known is not None and known[0] is connectors else \
                _by_first_token(connectors)
            for conn in table.get(self.tok(a[1]) or "", ()):
                if not _starts_with(self.t, a[1], conn):
                    continue
                b = self.number(a[1] + len(conn))
                if b is None:
                    continue
                lo, hi = a[0], b[0]
                # "1 to 2 million": the scale after the second number covers both.
                if b[2] and not a[2] and lo * 10 < hi and lo < 1000:
                    scale = self._trailing_scale(a[1] + len(conn), b[1])
                    if scale and lo * scale <= hi:
                        lo *= scale
                lo, hi = min(lo, hi), max(lo, hi)
                problem = a[3] or b[3]
                if problem is None and lo == hi:
                    problem = (f"{self.source(i, b[1])!r} is not a range: both ends are {lo} "
                               "(a score, a year or a typo?)")
                return _Quantity("range", lo, hi, None, None, b[1], problem)
        return None

    def _trailing_scale(self, start: int, end: int) -> int | None:
        tok = self.t[end - 1]
        return self.g.numbers.scales.get(tok) if end - 1 >= start else None

    # -- qualifiers -----------------------------------------------------
    def qualifier(self, i: int, table: dict[str, list[Qualifier]]) -> Qualifier | None:
        for q in table.get(self.tok(i) or "", ()):
            if _starts_with(self.t, i, q.tokens):
                return q
        return None

    def figure_at(self, i: int) -> tuple[Qualifier | None, _Quantity, Qualifier | None, int] | None:
        """The longest figure starting at token i, as its parts.

        A qualifier of symbols glued to a word before it is markup, not a
        comparison ("<p>5"); a qualifier after the number that a quantity
        starts a figure belongs to that figure ("30 and over 100 hurt": "over
        100", not "30 and over"; "5 and up to 10": "up to 10").
        """
        before = self.qualifier(i, self.g.before)
        if before is not None and i and self.glued(i - 1) and self.t[i - 1][-1:].isalnum() \
                and not any(c.isalnum() for tok in before.tokens for c in tok):
            before = None
        qty = None
        if before is not None:
            qty = self.quantity(i + len(before.tokens))
            if qty is None:
                before = None
        if qty is None:
            qty = self.quantity(i)
            if qty is None:
                return None
        after = self.qualifier(qty.end, self.g.after)
        if after is not None and self._figure_starts(qty.end, qty.end + len(after.tokens)):
            after = None
        end = qty.end + (len(after.tokens) if after else 0)
        return before, qty, after, end

    def _figure_starts(self, a: int, b: int) -> bool:
        """Whether a quantity, or a qualifier and its quantity, starts at a token in [a, b]."""
        for k in range(a, b + 1):
            q = self.qualifier(k, self.g.before)
            if self.quantity(k + len(q.tokens) if q is not None else k) is not None:
                return True
            if q is not None and self.quantity(k) is not None:
                return True
        return False


def _whole(x: Number | float) -> int | None:
    if isinstance(x, int):
        return x
    if isinstance(x, Fraction):
        return int(x) if x.denominator == 1 else None
    return int(x) if x.is_integer() else None


def _show(x: Number | float) -> str:
    try:
        return f"{float(x):g}"
    except OverflowError:  # a fraction too large for a float: say it exactly
        return str(x)


def _combine(rules: Rules, text: str, qualifier: Qualifier | None,
             qty: _Quantity) -> Figure | NotAFigure:
    if qty.problem is not None:
        return NotAFigure(text, qty.problem)
    kind = qualifier.kind if qualifier else None
    if qty.kind == "range":
        lo, hi = _whole(qty.value), _whole(qty.high)
        if lo is None or hi is None:
            return NotAFigure(text, "a range of counts needs whole numbers")
        anchor = (lo + hi + 1) // 2
        if kind == "lower":
            return Figure(text, Interval(lo, INF), anchor, "lower")
        if kind == "upper":
            return Figure(text, Interval(0, hi), anchor, "upper")
        return Figure(text, Interval(lo, hi), anchor, "range")
    if qty.kind == "vague":
        v = qty.vague
        assert v is not None
        if v.stated and kind in ("lower", "upper", "nearly", "exact"):
            n = v.value  # "more than two dozen" reads like "more than 24"
        else:
            if kind == "lower":
                return Figure(text, Interval(v.low, INF), v.anchor, "lower")
            if kind == "upper":
                return Figure(text, Interval(0, v.high), v.anchor, "upper")
            return Figure(text, Interval(v.low, v.high), v.anchor, "vague")
    else:
        n_whole = _whole(qty.value)
        if n_whole is None:
            return NotAFigure(text, f"{_show(qty.value)} is not a whole count of people")
        n = n_whole
    if n > rules.numbers.max_count:
        return NotAFigure(text, f"{n:,} is larger than any count of people "
                                 f"(limit {rules.numbers.max_count:,} in rules/numbers.toml)")
    if qualifier is None or kind == "exact":
        return Figure(text, Interval(n, n), n, "exact")
    if kind == "lower":
        return Figure(text, Interval.at_least(n, strict=qualifier.strict), n, "lower")
    if kind == "upper":
        if qualifier.strict and n == 0:
            return NotAFigure(text, "no count is below zero")
        return Figure(text, Interval.at_most(n, strict=qualifier.strict), n, "upper")
    tol = rules.tolerance(n, qualifier.scale)
    if kind == "nearly":
        if n == 0:
            return NotAFigure(text, "nothing is nearly zero people")
        return Figure(text, Interval(max(0, n - tol), n - 1), n, "nearly")
    return Figure(text, Interval(max(0, n - tol), n + tol), n, "approx")


def find_figures(text: str, rules: Rules | None = None,
                 tokens: list[Token] | None = None) -> list[FigureMatch]:
    """Every figure in ``text``, left to right, without overlaps.

    The extractor calls this on sentences; ``tokens`` lets it pass tokens it
    already has. Running time is linear in the number of tokens (phrases are
    bounded in length).
    """
    rules = rules or default_rules()
    g = _grammar(rules)
    toks = tokens if tokens is not None else tokenize(text)
    words = [t.text for t in toks]
    scan = _Scanner(g, words, toks, text)
    out: list[FigureMatch] = []
    starters = g.starters
    end = 0
    for i in [k for k, w in enumerate(words) if w[0].isdecimal() or w in starters]:
        if i < end:
            continue  # inside the figure just read
        found = scan.figure_at(i)
        if found is None:
            continue
        before, qty, after, end = found
        qualifier = before or after
        start_char, end_char = toks[i].start, toks[end - 1].end
        q_len = len(before.tokens) if before else 0
        num_start = toks[i + q_len].start
        num_end = toks[qty.end - 1].end
        figure_text = text[start_char:end_char]
        fig: Figure | NotAFigure
        if before is not None and after is not None and before.kind != after.kind:
            fig = NotAFigure(figure_text, f"two qualifiers that disagree: {before.phrase!r} "
                                          f"and {after.phrase!r}")
        else:
            fig = _combine(rules, figure_text, qualifier, qty)
        out.append(FigureMatch(fig, i, end, start_char, end_char, num_start, num_end))
    return out


def _not_a_count(rules: Rules, words: list[str]) -> str | None:
    g = _grammar(rules)
    if words:
        for rule in g.not_a_count_at_start.get(words[0], ()):
            if _starts_with(words, 0, rule.tokens):
                return rule.reason
    for i, word in enumerate(words):
        for rule in g.not_a_count_anywhere.get(word, ()):
            if _starts_with(words, i, rule.tokens):
                return rule.reason
    return None


def _stacked(rules: Rules, toks: list[Token], match: FigureMatch) -> str | None:
    """A qualifier right before (or after) a qualified figure: "at most at least 5"."""
    g = _grammar(rules)
    words = [t.text for t in toks]
    first, end = match.first_token, match.end_token
    # Only phrases ending on the word before the figure or starting on the word
    # after it can match; try them in the order of ``any_qualifier``.
    candidates = []
    if first:
        candidates += g.qualifier_by_last.get(words[first - 1], [])
    if end < len(words):
        candidates += g.qualifier_by_first.get(words[end], [])
    for _, phrase in sorted(candidates):
        k = len(phrase)
        if first >= k and tuple(words[first - k:first]) == phrase:
            at = first - k
            if at and toks[at - 1].end == toks[at].start and words[at - 1][-1:].isalnum() \
                    and not any(c.isalnum() for c in "".join(phrase)):
                return (f"{' '.join(phrase)!r} is glued to {words[at - 1]!r}: markup or a "
                        "typo, not a comparison")
            return f"stacked qualifiers: {' '.join(phrase)!r} before {match.figure.text!r}; give one"
        if tuple(words[end:end + k]) == phrase:
            return f"stacked qualifiers: {' '.join(phrase)!r} after {match.figure.text!r}; give one"
    return None


def parse_figure(text: str, rules: Rules | None = None) -> Figure | NotAFigure:
    """Parse one figure ("at least 29", "more than 290 dead", "dozens").

    Words around the figure ("killed", "people") are allowed; a second
    figure, a unit that is not people (%, $, years old) or no number at all
    gives a :class:`NotAFigure` with the reason.

    >>> parse_figure("more than 290 dead")
    Figure(text='more than 290 dead', interval=Interval(291, inf), anchor=290, kind='lower')
    >>> parse_figure("an estimated 60").interval
    Interval(54, 66)
    >>> parse_figure("in 2012 and 2013").reason
    'more than one figure: 2012, 2013'
    >>> parse_figure(">10").interval
    Interval(11, inf)
    >>> parse_figure("no one was killed").interval
    Interval(0, 0)
    """
    rules = rules or default_rules()
    if not isinstance(text, str) or not text.strip():
        return NotAFigure(str(text), "empty figure")
    if len(text) > 500:
        return NotAFigure(text[:40] + "…", "figure text longer than 500 characters")
    stripped = text.strip()
    toks = tokenize(stripped)
    words = [t.text for t in toks]
    reason = _not_a_count(rules, words)
    if reason:
        return NotAFigure(text, reason)
    if stripped[:1] in ("-", "−") and stripped[1:2].isdecimal():
        return NotAFigure(text, "a count of people cannot be negative")
    matches = find_figures(stripped, rules, toks)
    if not matches:
        return NotAFigure(text, "no number or quantity word found")
    if len(matches) > 1:
        listed = ", ".join(stripped[m.start:m.end] for m in matches)
        return NotAFigure(text, f"more than one figure: {listed}")
    fig = matches[0].figure
    if isinstance(fig, NotAFigure):
        return NotAFigure(text, fig.reason)
    reason = _stacked(rules, toks, matches[0])
    if reason:
        return NotAFigure(text, reason)
    return Figure(text, fig.interval, fig.anchor, fig.kind)
