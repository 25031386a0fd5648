"""Figure text -> interval constraint, anchor and kind.

"at least 29 killed" -> ``[29, ∞)``, anchor 29, kind ``lower``. Every phrase
comes from the rules (``rules/qualifiers.toml``, ``vague.toml``,
``numbers.toml``); this module only knows the rule *kinds*.

A figure is read as ``[qualifier] quantity [qualifier]`` where a quantity is
a number (digits or words, with a scale: "1.2 million", "5k", "a hundred
and twenty"), a range of two numbers ("between 20 and 30") or a vague
quantity ("dozens"). The grammar is matched over tokens, longest phrase
first, in time linear in the number of tokens.

Bad text never raises: :func:`parse_figure` returns a :class:`NotAFigure`
carrying the reason, so one bad row cannot stop a run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

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


@dataclass(slots=True)  # not frozen: built for every number read, and never changed
class _Quantity:
    kind: str  # number | range | vague
    value: float  # number: the value; range: low; vague: nominal or low
    high: float  # range: high; vague: high; number: value
    anchor: float | None
    vague: VagueQuantity | None
    end: int  # token index one past the quantity


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
        # Connectors by first token, longest first (iterating a frozenset is stable).
        self.connectors: dict[int, tuple[frozenset, dict[str, list]]] = {}
        for conns in (self.bare_connectors, *(r.connectors for r in rules.ranges)):
            self.connectors[id(conns)] = (conns, _by_first_token(conns))
        # Tokens other than digits that can start a number, range or vague quantity.
        self.quantity_first = (frozenset(self.numbers.units) | frozenset(self.numbers.tens)
                               | frozenset(self.numbers.fractions) | frozenset(self.vague)
                               | frozenset(self.range_prefix) | {"a", "an"})
        # Tokens that can start a quantity: a cheap filter for the scan.
        self.starters = (set(self.numbers.units) | set(self.numbers.tens) | set(self.vague)
                         | set(self.range_prefix) | set(self.numbers.fractions) | {"a", "an"})
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


def _digits(tok: str) -> float | None:
    """'1,200' -> 1200; '1.2' -> 1.2; '1.200.000' -> 1200000 (thousands dots)."""
    if "," in tok:
        parts = tok.split(",")
        if all(len(p) == 3 for p in parts[1:]) and "." not in tok:
            return float("".join(parts))
        # "1,5" as a decimal comma
        if len(parts) == 2 and "." not in tok:
            return float(f"{parts[0]}.{parts[1]}")
        if "." in parts[-1]:
            head, _, frac = parts[-1].partition(".")
            if len(head) == 3 and all(len(p) == 3 for p in parts[1:-1]):
                return float("".join(parts[:-1]) + head + "." + frac)
        return None
    if "." in tok:
        parts = tok.split(".")
        if len(parts) > 2:
            return float("".join(parts)) if all(len(p) == 3 for p in parts[1:]) else None
        return float(tok)
    return float(tok)


class _Scanner:
    def __init__(self, g: _Grammar, tokens: Sequence[str]) -> None:
        self.g, self.t, self.n = g, tokens, len(tokens)
        self._numbers: dict[int, tuple[float, int, bool] | None] = {}

    def tok(self, i: int) -> str | None:
        return self.t[i] if i < self.n else None

    # -- numbers --------------------------------------------------------
    def number(self, i: int) -> tuple[float, int, bool] | None:
        """A number at token i: (value, end, had_scale)."""
        try:
            return self._numbers[i]
        except KeyError:
            found = self._numbers[i] = self._number(i)
            return found

    def _number(self, i: int) -> tuple[float, int, bool] | None:
        tok = self.tok(i)
        if tok is None:
            return None
        nums = self.g.numbers
        if tok[0].isdigit():
            value = _digits(tok)
            if value is None:
                return None
            j = i + 1
            scale = self.tok(j) or ""
            if scale in nums.scales and scale != "dozen":
                return value * nums.scales[scale], j + 1, True
            if scale == "dozen":
                return value * 12, j + 1, True
            return value, j, False
        return self.words(i)

    def words(self, i: int) -> tuple[float, int, bool] | None:
        """Number words at token i: "twenty-five", "a hundred and twenty"."""
        nums = self.g.numbers
        total, current, j, last, scaled = 0.0, 0.0, i, None, False
        fraction = None
        tok = self.tok(j) or ""
        if tok in nums.fractions and self.tok(j + 1) in ("a", "an") \
                and self.tok(j + 2) in nums.scales:
            fraction = nums.fractions[tok]  # "half a million"
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
            elif tok in nums.scales and last is not None and (last != "scale" or current):
                scale = nums.scales[tok]
                if scale < 1000:  # hundred, dozen: multiply what came before
                    current = (current or 1) * scale
                else:
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
        value = total + current
        if fraction is not None:
            value *= fraction
        return value, j, scaled

    # -- quantities -----------------------------------------------------
    def quantity(self, i: int) -> _Quantity | None:
        tok = self.tok(i)
        if tok is None or not (tok[0].isdigit() or tok in self.g.quantity_first):
            return None  # no number, range or vague word starts here
        best: _Quantity | None = None
        for cand in (self.range(i), self.vague(i), self.plain(i)):
            if cand is not None and (best is None or cand.end > best.end):
                best = cand
        return best

    def plain(self, i: int) -> _Quantity | None:
        num = self.number(i)
        if num is None:
            return None
        return _Quantity("number", num[0], num[0], num[0], None, num[1])

    def vague(self, i: int) -> _Quantity | None:
        for v in self.g.vague.get(self.tok(i) or "", ()):
            if _starts_with(self.t, i, v.tokens):
                nominal = v.value if v.value is not None else v.low
                return _Quantity("vague", nominal, v.high, v.value, v, i + len(v.tokens))
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
                if b[2] and not a[2] and lo < hi / 10 and lo < 1000:
                    scale = self._trailing_scale(a[1] + len(conn), b[1])
                    if scale and lo * scale <= hi:
                        lo *= scale
                lo, hi = min(lo, hi), max(lo, hi)
                return _Quantity("range", lo, hi, None, None, b[1])
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
        """The longest figure starting at token i, as its parts."""
        before = self.qualifier(i, self.g.before)
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
        end = qty.end + (len(after.tokens) if after else 0)
        return before, qty, after, end


def _whole(x: float) -> int | None:
    return int(x) if float(x).is_integer() else None


def _combine(rules: Rules, text: str, qualifier: Qualifier | None,
             qty: _Quantity) -> Figure | NotAFigure:
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
        if v.value is not None and kind in ("lower", "upper", "nearly", "exact"):
            n = v.value  # "more than two dozen" reads like "more than 24"
        else:
            if kind == "lower":
                return Figure(text, Interval(v.low, INF), v.value, "lower")
            if kind == "upper":
                return Figure(text, Interval(0, v.high), v.value, "upper")
            return Figure(text, Interval(v.low, v.high), v.value, "vague")
    else:
        n_whole = _whole(qty.value)
        if n_whole is None:
            return NotAFigure(text, f"{qty.value:g} is not a whole count of people")
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
    scan = _Scanner(g, words)
    out: list[FigureMatch] = []
    starters = g.starters
    end = 0
    for i in [k for k, w in enumerate(words) if w[0].isdigit() or w in starters]:
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
        fig = _combine(rules, text[start_char:end_char], qualifier, qty)
        out.append(FigureMatch(fig, i, end, start_char, end_char, num_start, num_end))
    return out


def _not_a_count(rules: Rules, words: list[str]) -> str | None:
    g = _grammar(rules)
    for i in range(len(words)):
        for rule in g.not_a_count:
            if _starts_with(words, i, rule.tokens):
                return rule.reason
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
    if stripped.startswith("-") and len(stripped) > 1 and stripped[1:2].isdigit():
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
    return Figure(text, fig.interval, fig.anchor, fig.kind)
