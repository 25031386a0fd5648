"""Interval algebra: laws (hypothesis) and pinned cases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconcile.core.interval import EMPTY, INF, Interval, format_interval, parse_interval

counts = st.integers(min_value=0, max_value=10_000)


@st.composite
def intervals(draw, allow_empty: bool = True) -> Interval:
    """Intervals built to shape: two sorted counts, sometimes unbounded, sometimes empty."""
    if allow_empty and draw(st.integers(0, 9)) == 0:
        return EMPTY
    a, b = sorted((draw(counts), draw(counts)))
    if draw(st.booleans()) and draw(st.booleans()):
        return Interval(a, INF)
    return Interval(a, b)


nonempty = intervals(allow_empty=False)


class TestIntersection:
    @given(intervals(), intervals())
    def test_commutative(self, a, b):
        """a & b == b & a"""
        assert a & b == b & a

    @given(intervals(), intervals(), intervals())
    def test_associative(self, a, b, c):
        """(a & b) & c == a & (b & c)"""
        assert (a & b) & c == a & (b & c)

    @given(intervals())
    def test_idempotent(self, a):
        """a & a == a"""
        assert a & a == a

    @given(intervals(), intervals())
    def test_inside_both(self, a, b):
        """a & b lies inside a and inside b."""
        i = a & b
        assert a.contains(i) and b.contains(i)

    @given(intervals(), intervals(), counts)
    def test_membership(self, a, b, n):
        """n is in a & b exactly when n is in a and in b."""
        assert (n in (a & b)) == (n in a and n in b)

    @given(intervals())
    def test_empty_absorbs(self, a):
        """a & EMPTY is EMPTY."""
        assert (a & EMPTY).is_empty


class TestHull:
    @given(intervals(), intervals())
    def test_commutative(self, a, b):
        """a | b == b | a"""
        assert a | b == b | a

    @given(intervals(), intervals(), intervals())
    def test_associative(self, a, b, c):
        """(a | b) | c == a | (b | c)"""
        assert (a | b) | c == a | (b | c)

    @given(intervals())
    def test_idempotent(self, a):
        """a | a == a"""
        assert a | a == a

    @given(intervals(), intervals())
    def test_holds_both(self, a, b):
        """a and b both lie inside a | b."""
        h = a | b
        assert h.contains(a) and h.contains(b)

    @given(intervals())
    def test_empty_is_identity(self, a):
        """a | EMPTY == a"""
        assert a | EMPTY == a

    @given(intervals(), intervals())
    def test_absorption(self, a, b):
        """a & (a | b) == a"""
        assert a & (a | b) == a


class TestDistance:
    @given(nonempty, nonempty)
    def test_zero_iff_overlap(self, a, b):
        """distance(a, b) == 0 exactly when a and b overlap."""
        assert (a.distance(b) == 0) == a.overlaps(b)

    @given(nonempty, nonempty)
    def test_symmetric(self, a, b):
        """distance(a, b) == distance(b, a)"""
        assert a.distance(b) == b.distance(a)

    @given(nonempty, nonempty)
    def test_non_negative(self, a, b):
        """distance is never negative."""
        assert a.distance(b) >= 0

    @given(nonempty, nonempty, nonempty)
    def test_hull_does_not_move_away(self, a, b, c):
        """Growing an interval never increases its distance to another."""
        assert (a | b).distance(c) <= a.distance(c)

    def test_gap_counts(self):
        assert Interval(1, 2).distance(Interval(5, 9)) == 3
        assert Interval(1, 2).distance(Interval(3, 9)) == 1
        assert Interval(0, 3).distance(EMPTY) == INF


class TestContainsAndWidth:
    @given(intervals(), intervals(), intervals())
    def test_contains_transitive(self, a, b, c):
        """a ⊇ b and b ⊇ c imply a ⊇ c."""
        if a.contains(b) and b.contains(c):
            assert a.contains(c)

    @given(nonempty, nonempty)
    def test_contains_iff_intersection_is_self(self, a, b):
        """a ⊇ b exactly when a & b == b."""
        assert a.contains(b) == ((a & b) == b)

    @given(nonempty, nonempty)
    def test_width_monotone(self, a, b):
        """An interval is at least as wide as any part of it."""
        i = a & b
        if not i.is_empty:
            assert i.width <= a.width and i.width <= b.width

    @given(nonempty)
    def test_clamp_lands_inside(self, a):
        """clamp(n) lies inside the interval for any count n."""
        for n in (0, a.lo, 10**6):
            assert a.clamp(n) in a

    def test_empty_has_no_width(self):
        with pytest.raises(ValueError, match="no width"):
            _ = EMPTY.width


class TestFormat:
    @given(intervals())
    def test_round_trip(self, a):
        """parse(format(a)) == a"""
        assert parse_interval(format_interval(a)) == a

    @given(intervals())
    def test_round_trip_ascii(self, a):
        """parse(format(a, ascii=True)) == a"""
        assert parse_interval(format_interval(a, ascii=True)) == a

    @pytest.mark.parametrize("interval, text", [
        (Interval(29, INF), "[29, ∞)"),
        (Interval(25, 25), "[25, 25]"),
        (Interval(0, 9), "[0, 9]"),
        (EMPTY, "∅"),
    ])
    def test_format(self, interval, text):
        assert format_interval(interval) == text

    def test_open_bound_normalised(self):
        assert parse_interval("[3, 7)") == Interval(3, 6)

    @pytest.mark.parametrize("text", ["", "29", "[a, 3]", "[3, x]", "[5, 2]", "(1, 2]", "[1, ∞]"])
    def test_parse_errors_name_the_text(self, text):
        with pytest.raises(ValueError, match="not an interval"):
            parse_interval(text)


class TestConstruction:
    def test_reversed_bounds_are_empty(self):
        assert Interval(5, 2) == EMPTY and Interval(5, 2).is_empty

    @pytest.mark.parametrize("lo, hi", [(-1, 5), (1.5, 3), (0, 2.5)])
    def test_bad_bounds(self, lo, hi):
        with pytest.raises(ValueError):
            Interval(lo, hi)

    def test_bool_is_not_a_count(self):
        with pytest.raises(TypeError):
            Interval(True, 3)

    def test_unbounded_low_rejected(self):
        with pytest.raises(ValueError, match="lo cannot be unbounded"):
            Interval(INF, INF)

    def test_strict_constructors(self):
        assert Interval.at_least(290, strict=True) == Interval(291, INF)
        assert Interval.at_most(10, strict=True) == Interval(0, 9)
        assert Interval.point(25) == Interval(25, 25)

    def test_immutable(self):
        with pytest.raises(AttributeError):
            Interval(1, 2).lo = 5  # type: ignore[misc]

    def test_numpy_integers_accepted(self):
        np = pytest.importorskip("numpy")
        assert Interval(np.int64(3), np.int64(4)) == Interval(3, 4)
