"""Figure parsing: DESIGN.md's table, then one case for every rule row."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconcile.core.interval import INF, Interval
from reconcile.core.parse import Figure, NotAFigure, find_figures, parse_figure
from reconcile.rules.load import default_rules

RULES = default_rules()


def _fig(text: str) -> Figure:
    result = parse_figure(text)
    assert isinstance(result, Figure), f"{text!r}: {result}"
    return result


# DESIGN.md's interval table, written out by hand: if a rule edit changes
# one of these readings, this table is where it shows.
DESIGN_TABLE = [
    ("25 killed", 25, 25, 25, "exact"),
    ("at least 29", 29, INF, 29, "lower"),
    ("no fewer than 29", 29, INF, 29, "lower"),
    ("29 or more", 29, INF, 29, "lower"),
    ("more than 290", 291, INF, 290, "lower"),
    ("over 290", 291, INF, 290, "lower"),
    ("upwards of 290", 291, INF, 290, "lower"),
    ("up to 30", 0, 30, 30, "upper"),
    ("as many as 30", 0, 30, 30, "upper"),
    ("at most 30", 0, 30, 30, "upper"),
    ("fewer than 10", 0, 9, 10, "upper"),
    ("under 10", 0, 9, 10, "upper"),
    ("nearly 6,000", 5400, 5999, 6000, "nearly"),
    ("almost 6,000", 5400, 5999, 6000, "nearly"),
    ("about 60", 54, 66, 60, "approx"),
    ("around 60", 54, 66, 60, "approx"),
    ("some 60", 54, 66, 60, "approx"),
    ("an estimated 60", 54, 66, 60, "approx"),
    ("roughly 60", 54, 66, 60, "approx"),
    ("about 57", 54, 60, 57, "approx"),
    ("between 20 and 30", 20, 30, 25, "range"),
    ("20 to 30", 20, 30, 25, "range"),
    ("20-30", 20, 30, 25, "range"),
    ("20–30", 20, 30, 25, "range"),
    ("from 20 to 30", 20, 30, 25, "range"),
    ("between eight to 24", 8, 24, 16, "range"),
    ("between six and eight", 6, 8, 7, "range"),
    ("1000–5000", 1000, 5000, 3000, "range"),
    ("1 to 2 million", 1_000_000, 2_000_000, 1_500_000, "range"),
    ("dozens of soldiers", 24, 99, None, "vague"),
    ("two dozen", 20, 28, 24, "vague"),
    ("more than two dozen", 25, INF, 24, "lower"),
    ("at least a dozen", 12, INF, 12, "lower"),
    ("seven", 7, 7, 7, "exact"),
    ("twenty-five", 25, 25, 25, "exact"),
    ("a hundred and twenty", 120, 120, 120, "exact"),
    ("two hundred thousand", 200_000, 200_000, 200_000, "exact"),
    ("half a million", 500_000, 500_000, 500_000, "exact"),
    ("1.2 million", 1_200_000, 1_200_000, 1_200_000, "exact"),
    ("1,200", 1200, 1200, 1200, "exact"),
    ("5k", 5000, 5000, 5000, "exact"),
    ("300-plus", 301, INF, 300, "lower"),
    ("29 or more people", 29, INF, 29, "lower"),
    ("none", 0, 0, 0, "exact"),
]


@pytest.mark.parametrize("text, lo, hi, anchor, kind", DESIGN_TABLE)
def test_design_table(text, lo, hi, anchor, kind):
    fig = _fig(text)
    assert (fig.interval, fig.anchor, fig.kind) == (Interval(lo, hi), anchor, kind)


@pytest.mark.parametrize("text, reason", [
    ("", "empty figure"),
    ("n/a", "no number or quantity word found"),
    ("2.5", "not a whole count"),
    ("-5", "cannot be negative"),
    ("in 2012 and 2013", "more than one figure: 2012, 2013"),
    ("25 killed, including 10 children", "more than one figure"),
    ("a 7-year-old", "an age is not a count"),
    ("30%", "a percentage"),
    ("$5 million", "money"),
    ("fewer than 0", "no count is below zero"),
    ("nearly 0", "nothing is nearly zero"),
    ("x" * 600, "longer than 500"),
])
def test_errors_are_values_with_reasons(text, reason):
    result = parse_figure(text)
    assert isinstance(result, NotAFigure)
    assert reason in result.reason


def _expected(kind: str, strict: bool, scale: float, n: int) -> Interval:
    """What a qualifier row of this kind says about n, per the rule file's header."""
    if kind == "lower":
        return Interval(n + 1 if strict else n, INF)
    if kind == "upper":
        return Interval(0, n - 1 if strict else n)
    if kind == "exact":
        return Interval(n, n)
    tol = RULES.tolerance(n, scale)
    if kind == "nearly":
        return Interval(n - tol, n - 1)
    return Interval(n - tol, n + tol)


@pytest.mark.parametrize("q", RULES.qualifiers, ids=lambda q: f"{q.position}:{q.phrase}")
def test_every_qualifier_row(q):
    n = 37
    text = f"{q.phrase} {n}" if q.position == "before" else f"{n} {q.phrase}"
    fig = _fig(text)
    assert fig.interval == _expected(q.kind, q.strict, q.scale, n)
    assert fig.anchor == n
    assert fig.kind == q.kind


@pytest.mark.parametrize("v", RULES.vague, ids=lambda v: v.phrase)
def test_every_vague_row(v):
    fig = _fig(f"{v.phrase} people")
    assert fig.interval == Interval(v.low, v.high)
    assert fig.anchor == (v.value if v.stated else None)
    assert fig.kind == "vague"
    # Every row documents its nominal value and its ACLED-style coding.
    assert v.low <= v.value <= v.high and v.acled >= 0


@pytest.mark.parametrize("prefix, connector", sorted(
    (" ".join(r.prefix), " ".join(c)) for r in RULES.ranges for c in r.connectors))
def test_every_range_form(prefix, connector):
    fig = _fig(f"{prefix} 20 {connector} 30".strip())
    assert (fig.interval, fig.anchor, fig.kind) == (Interval(20, 30), 25, "range")


@pytest.mark.parametrize("row", RULES.tolerances, ids=lambda t: f"unit={t.unit}")
def test_every_tolerance_row(row):
    n = 7 * row.unit  # round to this unit and to no larger one
    tol = max(1, math.ceil(max(row.min_tol, row.relative * n)))
    assert _fig(f"about {n:,}").interval == Interval(max(0, n - tol), n + tol)


def test_rounder_numbers_get_wider_tolerance():
    widths = [_fig(f"about {n}").interval.width / n for n in (57, 60, 600, 6000)]
    assert widths == sorted(widths)


@pytest.mark.parametrize("word, value", sorted({**RULES.numbers.units, **RULES.numbers.tens}.items()))
def test_every_number_word(word, value):
    assert _fig(word).interval == Interval(value, value)


@pytest.mark.parametrize("word, scale", sorted(RULES.numbers.scales.items()))
def test_every_scale(word, scale):
    assert _fig(f"7 {word}").interval == Interval(7 * scale, 7 * scale)
    if len(word) > 2:  # words, not abbreviations: "seven dozen", "seven million"
        assert _fig(f"seven {word}").interval == Interval(7 * scale, 7 * scale)


@pytest.mark.parametrize("word, share", sorted(RULES.numbers.fractions.items()))
def test_every_fraction(word, share):
    n = int(share * 1_000_000)
    assert _fig(f"{word} a million").interval == Interval(n, n)


@pytest.mark.parametrize("tens", sorted(RULES.numbers.tens))
def test_compound_number_words(tens):
    value = RULES.numbers.tens[tens] + 4
    assert _fig(f"{tens}-four").interval == Interval(value, value)
    assert _fig(f"{tens} four").interval == Interval(value, value)


@pytest.mark.parametrize("rule", RULES.not_a_count, ids=lambda r: " ".join(r.tokens))
def test_every_not_a_count_row(rule):
    result = parse_figure(f"{' '.join(rule.tokens)} 37 {' '.join(rule.tokens)}")
    assert isinstance(result, NotAFigure) and result.reason == rule.reason


@given(st.integers(min_value=0, max_value=10**9))
def test_digits_round_trip(n):
    """Any count written with or without thousands separators parses to itself."""
    assert _fig(str(n)).interval == Interval(n, n)
    assert _fig(f"{n:,}").interval == Interval(n, n)


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_range_order_does_not_matter(a, gap):
    """'a to b' and 'b to a' read as the same interval."""
    b = a + gap
    assert _fig(f"{a} to {b}").interval == _fig(f"{b} to {a}").interval == Interval(a, b)


@given(st.integers(0, 10**6))
def test_a_range_with_equal_ends_is_not_a_range(a):
    """'a to a' is a score, a year or a typo: a reject, never [a, a]."""
    assert isinstance(parse_figure(f"{a} to {a}"), NotAFigure)


@given(st.integers(1, 10**6), st.sampled_from(["at least", "more than", "up to", "about",
                                                "nearly", "fewer than"]))
def test_anchor_lies_near_interval(n, phrase):
    """The stated number is inside the interval or on its open edge."""
    fig = _fig(f"{phrase} {n}")
    assert fig.anchor == n
    assert fig.interval.distance(Interval(n, n)) <= 1


def test_find_figures_spans_point_into_text():
    text = "Strikes killed at least 25, and more than two dozen were hurt in 2024."
    found = find_figures(text)
    spans = [text[m.start:m.end] for m in found]
    assert spans == ["at least 25", "more than two dozen", "2024"]
    assert [text[m.number_start:m.number_end] for m in found] == ["25", "two dozen", "2024"]


def test_json_output_uses_null_for_unbounded():
    assert _fig("at least 29").to_json() == (
        '{"text": "at least 29", "low": 29, "high": null, "anchor": 29, "kind": "lower"}')


# -- issue 8: zero forms, comparison forms, garbage ---------------------------

@pytest.mark.parametrize("phrase", [" ".join(z) for z in RULES.numbers.zeros])
def test_every_zero_row(phrase):
    fig = _fig(phrase)
    assert (fig.interval, fig.anchor, fig.kind) == (Interval(0, 0), 0, "exact")


@pytest.mark.parametrize("text", ["no one", "No one was killed", "not one", "nobody", "no deaths",
                                  "none", "zero", "nil", "Not a single civilian died",
                                  "no-one was hurt"])
def test_every_way_of_saying_zero_is_exactly_zero(text):
    fig = _fig(text)
    assert (fig.interval, fig.anchor, fig.kind) == (Interval(0, 0), 0, "exact")


# How a data desk, a spreadsheet or a translated report writes a comparison.
COMPARISON_TABLE = [
    (">10", 11, INF, 10, "lower"),
    ("> 10", 11, INF, 10, "lower"),
    (">=10", 10, INF, 10, "lower"),
    (">= 10", 10, INF, 10, "lower"),
    ("≥10", 10, INF, 10, "lower"),
    ("≥ 10", 10, INF, 10, "lower"),
    ("<10", 0, 9, 10, "upper"),
    ("< 10", 0, 9, 10, "upper"),
    ("<=10", 0, 10, 10, "upper"),
    ("<= 10", 0, 10, 10, "upper"),
    ("≤10", 0, 10, 10, "upper"),
    ("~60", 54, 66, 60, "approx"),
    ("≈60", 54, 66, 60, "approx"),
    ("greater than 10", 11, INF, 10, "lower"),
    ("greater than or equal to 10", 10, INF, 10, "lower"),
    ("more than or equal to 10", 10, INF, 10, "lower"),
    ("equal to or greater than 10", 10, INF, 10, "lower"),
    ("equal to or more than 10", 10, INF, 10, "lower"),
    ("less than or equal to 10", 0, 10, 10, "upper"),
    ("equal to or less than 10", 0, 10, 10, "upper"),
    ("equal to or fewer than 10", 0, 10, 10, "upper"),
    ("10 or greater", 10, INF, 10, "lower"),
    ("10 or higher", 10, INF, 10, "lower"),
    ("10 and above", 10, INF, 10, "lower"),
    ("10 and over", 10, INF, 10, "lower"),
    ("10 or lower", 0, 10, 10, "upper"),
    ("10 and under", 0, 10, 10, "upper"),
    ("10 max", 0, 10, 10, "upper"),
    ("min. 10", 10, INF, 10, "lower"),
    ("maximum 10", 0, 10, 10, "upper"),
    ("exceeding 70", 71, INF, 70, "lower"),
    ("exceeded 70", 71, INF, 70, "lower"),
    ("topped 4,000", 4001, INF, 4000, "lower"),
    ("surpassed 4,000", 4001, INF, 4000, "lower"),
    ("north of 500", 501, INF, 500, "lower"),
    ("not exceeding 10", 0, 10, 10, "upper"),
    ("at the very least 10", 10, INF, 10, "lower"),
    ("10 through 20", 10, 20, 15, "range"),
    ("10 thru 20", 10, 20, 15, "range"),
    ("10~20", 10, 20, 15, "range"),
    ("10 ~ 20", 10, 20, 15, "range"),
    ("from 10 through 20", 10, 20, 15, "range"),
    ("from 10 to as many as 20", 10, 20, 15, "range"),
    ("from 10 up to 20", 10, 20, 15, "range"),
    ("between 10 and as many as 20", 10, 20, 15, "range"),
    ("anywhere between 10 and 20", 10, 20, 15, "range"),
    ("ranging from 10 to 20", 10, 20, 15, "range"),
    ("at least 5 or more", 5, INF, 5, "lower"),
    ("60-ish", 54, 66, 60, "approx"),
    ("ca. 60", 54, 66, 60, "approx"),
    ("1,5 million", 1_500_000, 1_500_000, 1_500_000, "exact"),
    ("25.0", 25, 25, 25, "exact"),
]


@pytest.mark.parametrize("text, lo, hi, anchor, kind", COMPARISON_TABLE)
def test_comparison_forms(text, lo, hi, anchor, kind):
    fig = _fig(text)
    assert (fig.interval, fig.anchor, fig.kind) == (Interval(lo, hi), anchor, kind)


# Garbage that used to pass as a count: each is a reject with its reason.
GARBAGE_TABLE = [
    ("=12", "a spreadsheet formula"),
    ("= 12", "a spreadsheet formula"),
    ("=SUM(A1:A3)", "a spreadsheet formula"),
    ("1,00", "'1,00' is not a well-formed number"),
    ("1,5", "'1,5' is not a well-formed number"),
    ("1,2,3", "'1,2,3' is not a well-formed number"),
    ("1234,567", "'1234,567' is not a well-formed number"),
    ("1.2.3", "'1.2.3' is not a well-formed number"),
    ("2.500", "'2.500' is ambiguous"),
    ("1.000 killed", "'1.000' is ambiguous"),
    ("twenty-twenty", "'twenty-twenty' is not a range: both ends are 20"),
    ("20-20", "'20-20' is not a range"),
    ("between 5 and 5", "not a range"),
    ("one hundred and twenty-three thousand one hundred and twenty-three thousand",
     "the number words repeat the scale 'thousand'"),
    ("one thousand thousand", "repeat the scale 'thousand'"),
    ("five hundred hundred", "repeat the scale 'hundred'"),
    ("two million three million", "repeat the scale 'million'"),
    ("one thousand one million", "repeat the scale 'million'"),
    ("at most at least 5", "stacked qualifiers: 'at most' before 'at least 5'"),
    ("more than at least up to 5", "stacked qualifiers: 'at least' before 'up to 5'"),
    ("about at least 5", "stacked qualifiers"),
    ("up to 5 or more", "two qualifiers that disagree: 'up to' and 'or more'"),
    ("at least 5 at most", "two qualifiers that disagree"),
    ("6e18", "'6e18' is scientific notation, not a count of people"),
    ("1e3", "'1e3' is scientific notation"),
    ("1.5E+3", "'1.5E+3' is scientific notation"),
    ("2e-3", "'2e-3' is scientific notation"),
    ("99999999999999999999999999",
     "99,999,999,999,999,999,999,999,999 is larger than any count of people"),
    ("-5", "a count of people cannot be negative"),
    ("−5", "a count of people cannot be negative"),
    ("²", "no number"),  # a digit to str.isdigit(), not to int(): used to raise ValueError
    ("a>10", "'>' is glued to 'a': markup or a typo"),
]


@pytest.mark.parametrize("text, reason", GARBAGE_TABLE)
def test_garbage_is_a_reject_with_its_reason(text, reason):
    result = parse_figure(text)
    assert isinstance(result, NotAFigure), f"{text!r} read as {result}"
    assert reason in result.reason


def test_integers_stay_exact():
    """A count never goes through a float: 10**25 + 1 is itself, not 10000000000000000905969665."""
    import dataclasses

    big = dataclasses.replace(RULES, numbers=dataclasses.replace(RULES.numbers, max_count=10**30))
    for text, n in [("99999999999999999999999999", 99999999999999999999999999),
                    ("9,007,199,254,740,993", 9_007_199_254_740_993),
                    ("at least 10000000000000000000000001", 10**25 + 1)]:
        fig = parse_figure(text, big)
        assert isinstance(fig, Figure) and fig.anchor == n and fig.interval.lo == n
        assert str(n) in fig.to_json()


@given(st.integers(10**16, 10**40))
def test_big_numbers_are_echoed_exactly(n):
    """A number above the limit is named in the reason digit for digit."""
    result = parse_figure(str(n))
    assert isinstance(result, NotAFigure) and f"{n:,}" in result.reason
