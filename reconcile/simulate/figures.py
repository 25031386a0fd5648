"""How a claim states its number: styles, qualifier phrases, rounding, and the interval meant.

Figure text is written from the rules (qualifier phrases by kind and
position, vague words whose range holds the number, range connectors,
number words), so every figure parses with
:func:`reconcile.core.parse.parse_figure` to exactly the interval the
simulator intended, and that interval holds what the source believed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..rules.load import Rules
from .columns import Cols, magnitude, pick_rows
from .events import CATEGORIES, VICTIMS

__all__ = [
    "APPROX", "BOUNDS", "EXACT", "LOWER", "NEARLY", "RANGE", "STYLES", "UPPER", "VAGUE",
    "FigureTables", "figure_tables", "rephrase", "write_figures",
]


# Figure styles. "bounds" rows give low/high instead of figure text.
STYLES = ("exact", "lower", "upper", "nearly", "approx", "range", "vague", "bounds")
EXACT, LOWER, UPPER, NEARLY, APPROX, RANGE, VAGUE, BOUNDS = range(8)
_QUALIFIER_STYLE = {"exact": EXACT, "lower": LOWER, "upper": UPPER, "nearly": NEARLY,
                    "approx": APPROX}
# Qualifiers the simulator never writes: "another 10" and "a further 10" are
# increments on an earlier toll, not the toll, whatever kind the rules give them.
_INCREMENTAL = ("another", "a further")
_PHRASE_WEIGHT = {
    "at least": 12, "more than": 7, "over": 3, "upwards of": 1, "or more": 1, "up to": 5,
    "as many as": 3, "fewer than": 1, "less than": 1, "about": 7, "around": 5, "some": 3,
    "an estimated": 4, "roughly": 2, "approximately": 2, "nearly": 5, "almost": 3,
    "close to": 1, "a total of": 1,
}
_VAGUE_WEIGHT = {
    "dozens": 5, "hundreds": 4, "thousands": 4, "scores": 2, "several": 3, "a few": 3,
    "a handful": 2, "a dozen": 2, "tens of thousands": 3, "hundreds of thousands": 2,
    "several hundred": 2, "a few hundred": 2, "several thousand": 2, "a few thousand": 2,
    "two dozen": 1, "several dozen": 1, "a couple": 1, "a number of": 1, "few": 0.5,
    "numerous": 0.5, "many": 0.5, "three dozen": 0.3, "a score of": 0.3, "a hundred": 0.5,
    "a thousand": 0.5, "millions": 1,
}
# (prefix, connector, weight) of ranges, used when the rules allow them
_RANGE_FORMS = (("between", "and", 4), ("", "to", 1.5), ("", "-", 2.5), ("from", "to", 1),
                ("", "–", 1))
# rounding: candidate units are magnitude // divisor, coarse to fine, then 1
_DIVISORS = (1, 2, 10, 20, 100, 200, 1000, 2000, 10**4, 2 * 10**4, 10**5, 2 * 10**5,
             10**6, 2 * 10**6, 10**7, 2 * 10**7)
_LEVEL_ONE = len(_DIVISORS)


class FigureTables:
    """Everything the simulator writes figures with, read from one Rules object."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        # phrase 0 is "no phrase"
        phrases: list[str] = [""]
        before = [True]
        style = [EXACT]
        strict = [False]
        scale = [1.0]
        weight = [0.0]
        for q in rules.qualifiers:
            if q.phrase in _INCREMENTAL or q.kind not in _QUALIFIER_STYLE:
                continue
            phrases.append(q.phrase)
            before.append(q.position == "before")
            style.append(_QUALIFIER_STYLE[q.kind])
            strict.append(bool(q.strict))
            scale.append(float(q.scale))
            weight.append(float(_PHRASE_WEIGHT.get(q.phrase, 0.5)))
        self.phrase = phrases
        self.before = np.array(before)
        self.phrase_style = np.array(style)
        self.strict = np.array(strict)
        self.scale = np.array(scale)
        w = np.zeros((len(STYLES), len(phrases)))
        for i in range(1, len(phrases)):
            w[style[i], i] = weight[i]
        if w[EXACT].sum() > 0:  # an exact figure is usually bare: "25"
            w[EXACT] *= 0.08 / w[EXACT].sum()
        w[EXACT, 0] = 0.92
        self.phrase_weights = w
        plain = [i for i in range(1, len(phrases)) if style[i] == LOWER and not strict[i]
                 and before[i]]
        self.plain_lower = max(plain, key=lambda i: weight[i]) if plain else 0
        # a phrase with the same meaning, for outlets that rephrase
        same: dict[tuple, list[int]] = {}
        for i in range(1, len(phrases)):
            same.setdefault((style[i], strict[i], scale[i]), []).append(i)
        self.same_meaning = same
        # ranges
        allowed = {(" ".join(r.prefix), " ".join(c)) for r in rules.ranges for c in r.connectors}
        forms = [(p, c, w) for p, c, w in _RANGE_FORMS if (p, c) in allowed]
        self.range_forms = [(p, c) for p, c, _ in forms]
        self.range_weights = np.array([w for *_, w in forms] or [0.0])[None, :]
        # vague quantities
        self._vague(rules)
        # number words 1..99
        units: dict[int, str] = {}
        for word, value in rules.numbers.units.items():
            units.setdefault(value, word)
        tens: dict[int, str] = {}
        for word, value in rules.numbers.tens.items():
            tens.setdefault(value, word)
        self.words: dict[int, str] = {}
        for n in range(1, 100):
            if n in units:
                self.words[n] = units[n]
            elif n // 10 * 10 in tens and (n % 10 == 0 or n % 10 in units):
                self.words[n] = tens[n // 10 * 10] + ("" if n % 10 == 0 else f"-{units[n % 10]}")
        self.words_ok = np.array([n in self.words for n in range(100)])
        # categories, victims and their aliases
        self.category_alias = [self._aliases(rules.categories, name, rules.category)
                               for name in CATEGORIES]
        self.victim_alias = [self._aliases(rules.victims, name, rules.victim_group)
                             for name in VICTIMS]
        nouns: list[str] = []
        self.noun_of: list[list[int]] = []
        for i, name in enumerate(VICTIMS):
            idx = [len(nouns)]
            nouns.append(name)
            for alias in self.victim_alias[i][:2]:
                idx.append(len(nouns))
                nouns.append(alias)
            self.noun_of.append(idx)
        self.nouns = nouns

    @staticmethod
    def _aliases(rows: Sequence, name: str, lookup: Callable[[str], str | None]) -> list[str]:
        for row in rows:
            if row.name == name:
                return [a for a in row.aliases if a != name and lookup(a) == name
                        and " of" not in a][:4]
        return []

    def _vague(self, rules: Rules) -> None:
        rows = list(rules.vague)
        texts = [v.phrase for v in rows]
        sibling = {}
        usable = []
        for i, v in enumerate(rows):
            if v.phrase.endswith(" of") and v.phrase[:-3] in texts:
                base = rows[texts.index(v.phrase[:-3])]
                if (base.low, base.high) == (v.low, v.high):
                    sibling[texts.index(v.phrase[:-3])] = i
                    continue  # the base phrase stands for it; "of" is added before a noun
            usable.append(i)
        self.vague_rows = rows
        self.vague_of = sibling  # base row -> its "... of" row
        self.vague_needs_noun = np.array([v.phrase.endswith(" of") for v in rows] or [False])
        lows = np.array([v.low for v in rows], dtype=float)
        highs = np.array([v.high for v in rows], dtype=float)
        finite = highs[np.isfinite(highs)]
        bounds = np.unique(np.concatenate([[0.0], lows, finite + 1]))
        seg_hi = np.concatenate([bounds[1:] - 1, [np.inf]])
        w = np.zeros((len(bounds), max(len(rows), 1)))
        for i in usable:
            ok = (lows[i] <= bounds) & (highs[i] >= seg_hi)
            w[ok, i] = _VAGUE_WEIGHT.get(rows[i].phrase, 1.0)
        self.vague_bounds = bounds
        self.vague_weights = w
        self.vague_low = lows.astype(np.int64) if rows else np.zeros(1, np.int64)
        self.vague_high = np.where(np.isfinite(highs), highs, -1).astype(np.int64) \
            if rows else np.zeros(1, np.int64)

    def tolerance(self, n: np.ndarray, scale: np.ndarray) -> np.ndarray:
        """:meth:`Rules.tolerance` of each ``(n, scale)`` pair, called once per distinct pair.

        Few pairs are distinct (a million claims state some thousands of
        numbers), so the rules' own arithmetic stays the only one.
        """
        n = np.asarray(n, dtype=np.int64)
        scale = np.broadcast_to(np.asarray(scale, dtype=float), n.shape)
        out = np.empty(len(n), dtype=np.int64)
        for s in np.unique(scale):
            rows = np.flatnonzero(scale == s)
            values, inverse = np.unique(n[rows], return_inverse=True)
            tol = np.array([self.rules.tolerance(int(v), float(s)) for v in values], dtype=np.int64)
            out[rows] = tol[inverse]
        return out

    def style_available(self) -> np.ndarray:
        ok = np.ones(len(STYLES), dtype=bool)
        for s in (LOWER, UPPER, NEARLY, APPROX):
            ok[s] = self.phrase_weights[s].sum() > 0
        ok[RANGE] = bool(self.range_forms)
        ok[VAGUE] = self.vague_weights.sum() > 0
        return ok


def figure_tables(rules: Rules) -> FigureTables:
    """The figure tables of ``rules``, built once and kept by the rules."""
    return rules.derived("simulate_tables", FigureTables)


def write_figures(rng: np.random.Generator, t: FigureTables, out: Cols, incomplete: np.ndarray,
                  src: np.ndarray, src_habit: np.ndarray, src_honest: np.ndarray,
                  src_p_round: np.ndarray, ev_victims: np.ndarray) -> None:
    """Choose how each claim states its believed count, and the interval that says.

    ``src`` is each claim's source; ``src_habit``, ``src_honest`` and
    ``src_p_round`` are per source, ``ev_victims`` per event.
    """
    n = len(out)
    b = out.believed
    honest = src_honest[src]
    style = pick_rows(rng, src_habit, src).astype(np.int8)
    # a toll still growing is stated as a lower bound (always, by honest sources)
    force = incomplete & (honest | (rng.random(n) < 0.6))
    if t.phrase_weights[LOWER].sum() > 0:
        style[force] = LOWER
    else:
        style[force & (style != BOUNDS)] = BOUNDS
    form = style.copy()
    bounds = style == BOUNDS
    sub = np.array([EXACT, LOWER, RANGE])[rng.choice(3, size=n, p=[0.25, 0.3, 0.45])]
    if not t.range_forms:
        sub[sub == RANGE] = EXACT
    sub[force] = LOWER
    form[bounds] = sub[bounds]
    phrase = pick_rows(rng, t.phrase_weights, form)
    phrase = np.where(phrase < 0, 0, phrase)
    phrase[bounds] = 0  # bounds have no phrase; their lower bound is inclusive
    strict = t.strict[phrase] & ~bounds
    scale = t.scale[phrase]
    n1 = b.copy()
    n2 = np.zeros(n, np.int64)
    p_round = src_p_round[src]
    start = np.full(n, _LEVEL_ONE)
    approx_like = (form == APPROX) | (form == NEARLY)
    start[approx_like] = np.array([0, 1, 2])[rng.choice(3, size=int(approx_like.sum()),
                                                          p=[0.55, 0.2, 0.25])]
    bound_like = ((form == LOWER) | (form == UPPER)) & (rng.random(n) < p_round)
    start[bound_like] = np.array([0, 2])[rng.choice(2, size=int(bound_like.sum()),
                                                     p=[0.3, 0.7])]
    is_range = form == RANGE
    start[is_range] = np.array([0, 1, 2])[rng.choice(3, size=int(is_range.sum()),
                                                      p=[0.3, 0.2, 0.5])]
    width = rng.uniform(0.08, 0.35, size=n)
    ok = np.ones(n, bool)

    def lower(r: np.ndarray, u: np.ndarray):
        bb = b[r]
        c1 = np.where(strict[r], (bb - 1) // u * u, bb // u * u)
        return c1, c1 * 0, c1 >= 1

    def upper(r: np.ndarray, u: np.ndarray):
        bb = b[r]
        c1 = np.where(strict[r], (bb // u + 1) * u, -(-bb // u) * u)
        return c1, c1 * 0, np.ones(len(r), bool)

    def nearly(r: np.ndarray, u: np.ndarray):
        bb = b[r]
        c1 = (bb // u + 1) * u
        return c1, c1 * 0, c1 - t.tolerance(c1, scale[r]) <= bb

    def approx(r: np.ndarray, u: np.ndarray):
        bb = b[r]
        c1 = (2 * bb + u) // (2 * u) * u
        return c1, c1 * 0, (c1 >= 1) & (np.abs(c1 - bb) <= t.tolerance(c1, scale[r]))

    def ranged(r: np.ndarray, u: np.ndarray):
        bb = b[r].astype(float)
        a = (np.floor(bb * (1 - width[r]) / u) * u).astype(np.int64)
        z = (np.ceil(bb * (1 + width[r]) / u) * u).astype(np.int64)
        return a, z, (a >= 1) & (a < z)

    for code, fn in ((LOWER, lower), (UPPER, upper), (NEARLY, nearly),
                     (APPROX, approx), (RANGE, ranged)):
        rows = np.flatnonzero(form == code)
        if len(rows) == 0:
            continue
        c1, c2, found = _round_search(b[rows], start[rows], rows, fn)
        n1[rows], n2[rows], ok[rows] = c1, c2, found
    # vague words whose range holds the number
    vague = np.zeros(n, np.int64)
    rows = np.flatnonzero(form == VAGUE)
    if len(rows):
        seg = np.searchsorted(t.vague_bounds, b[rows], side="right") - 1
        pick = pick_rows(rng, t.vague_weights, seg)
        vague[rows] = np.maximum(pick, 0)
        ok[rows] = pick >= 0
    # a lower bound that cannot be strict ("more than 0") is written "at least N"
    lower_bad = ~ok & (form == LOWER)
    if t.plain_lower:
        phrase[lower_bad & ~bounds] = t.plain_lower
    else:
        style[lower_bad] = BOUNDS
        bounds = style == BOUNDS
        phrase[lower_bad] = 0
    strict = strict & ~lower_bad
    n1[lower_bad] = b[lower_bad]
    ok |= lower_bad
    # what cannot be written as chosen is written as the plain number
    bad = ~ok
    style[bad & ~bounds] = EXACT
    form[bad] = EXACT
    phrase[bad] = 0
    strict = strict & ~bad
    n1[bad] = b[bad]
    # the interval each form states
    tol = t.tolerance(n1, scale)
    lo = np.select(
        [form == LOWER, form == UPPER, form == NEARLY, form == APPROX, form == RANGE,
         form == VAGUE],
        [n1 + strict, np.zeros(n, np.int64), np.maximum(0, n1 - tol),
         np.maximum(0, n1 - tol), n1, t.vague_low[vague]], default=n1)
    hi = np.select(
        [form == LOWER, form == UPPER, form == NEARLY, form == APPROX, form == RANGE,
         form == VAGUE],
        [np.full(n, -1), n1 - strict, n1 - 1, n1 + tol, n2, t.vague_high[vague]],
        default=n1)
    # surface form: number words, thousands separators, a noun, a capital
    text = ~bounds
    plain_number = np.isin(form, (EXACT, LOWER, UPPER, NEARLY, APPROX)) & text
    symbol_after = np.array([not bf and p[:1] in "+-" for bf, p in
                             zip(t.before, t.phrase, strict=True)])[phrase]
    small = np.minimum(n1, 99)
    p_words = np.where(n1 <= 10, 0.3, np.where(n1 <= 20, 0.15, 0.06))
    words = (plain_number & (n1 <= 99) & t.words_ok[small] & ~symbol_after
             & (rng.random(n) < p_words))
    sep = rng.random(n) < 0.85
    noun_group = ev_victims[out.ev]  # "children" for a part
    want_noun = text & (rng.random(n) < 0.12) & ~(plain_number & (n1 == 1))
    want_noun |= text & (form == VAGUE) & t.vague_needs_noun[vague]
    noun = np.full(n, -1, np.int64)
    rows = np.flatnonzero(want_noun)
    if len(rows):
        choice = np.where(rng.random(len(rows)) < 0.8, 0, 1 + rng.integers(0, 2, len(rows)))
        tbl = np.full((len(VICTIMS), 3), -1, np.int64)
        for g, idx in enumerate(t.noun_of):
            tbl[g, :len(idx)] = idx
            tbl[g, len(idx):] = idx[0]
        noun[rows] = tbl[noun_group[rows], choice]
    rform = np.zeros(n, np.int8)
    rows = np.flatnonzero(form == RANGE)
    if len(rows) and t.range_forms:
        rform[rows] = pick_rows(rng, t.range_weights, np.zeros(len(rows), np.int64))
    cap = text & (rng.random(n) < 0.05)
    out.set(style=style, form=form, phrase=phrase, n1=n1, n2=n2, vague=vague, rform=rform,
            noun=noun, words=words, sep=sep, cap=cap, lo=lo, hi=hi)


def _round_search(b: np.ndarray, start: np.ndarray, rows: np.ndarray,
                  candidate: Callable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The coarsest rounding unit, from each row's start level, that ``candidate`` accepts."""
    n = len(b)
    n1 = b.copy()
    n2 = np.zeros(n, np.int64)
    done = np.zeros(n, bool)
    mag = magnitude(b)
    for level in range(_LEVEL_ONE + 1):
        act = ~done & (start <= level)
        if not act.any():
            continue
        if level == _LEVEL_ONE:
            unit = np.ones(n, np.int64)
        else:
            div = _DIVISORS[level]
            unit = np.where(mag % div == 0, mag // div, 1)
        idx = np.flatnonzero(act)
        c1, c2, ok = candidate(rows[idx], unit[idx])
        hit = idx[ok]
        n1[hit], n2[hit], done[hit] = c1[ok], c2[ok], True
    return n1, n2, done


def rephrase(rng: np.random.Generator, t: FigureTables, out: Cols, share: float) -> None:
    """Swap a qualifier for another of the same meaning ("at least" -> "no fewer than")."""
    rows = np.flatnonzero((out.phrase > 0) & (rng.random(len(out)) < share))
    if not len(rows):
        return
    phrase = out.phrase.copy()
    for r, u in zip(rows, rng.random(len(rows)), strict=True):
        p = int(phrase[r])
        key = (int(t.phrase_style[p]), bool(t.strict[p]), float(t.scale[p]))
        same = t.same_meaning.get(key, [p])
        new = same[int(u * len(same))]
        if out.words[r] and not t.before[new] and t.phrase[new][:1] in "+-":
            continue  # "twelve-plus": keep what it was
        phrase[r] = new
    out.set(phrase=phrase)
