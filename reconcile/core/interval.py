"""Closed intervals over non-negative integer counts.

A casualty figure is a constraint on a count of people: "at least 29" is
``[29, ∞)``, "fewer than 10" is ``[0, 9]``. Counts are whole and
non-negative, so every open bound is normalised to a closed one when the
interval is built (``(290, ∞)`` is ``[291, ∞)``) and the algebra only ever
sees closed bounds.

The empty interval is a real value: two contradicting claims intersect to
``EMPTY`` instead of raising, and the caller decides what a contradiction
means. Nothing here reads or writes files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

__all__ = ["EMPTY", "INF", "Interval", "format_interval", "parse_interval"]

INF: Final = math.inf

_INF_SIGNS = ("∞", "inf", "infinity", "+inf", "+∞")


def _check_bound(value: object, name: str) -> int | float:
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a whole number, not a bool")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value == INF:
            return INF
        if value.is_integer():
            return int(value)
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    # numpy / pandas integers
    try:
        as_int = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a whole number, got {value!r}") from None
    if as_int != value:
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return as_int


@dataclass(frozen=True, slots=True, order=False)
class Interval:
    """A closed interval ``[lo, hi]`` of whole counts; ``hi`` may be ``INF``.

    Build one with ``Interval(lo, hi)``; a ``hi`` below ``lo`` gives the
    empty interval (use :data:`EMPTY` to say so on purpose).

    >>> Interval(29, INF)
    Interval(29, inf)
    >>> Interval(20, 30) & Interval(25, INF)
    Interval(25, 30)
    >>> (Interval(0, 9) & Interval(10, 20)).is_empty
    True
    """

    lo: int
    hi: int | float

    def __post_init__(self) -> None:
        lo = _check_bound(self.lo, "lo")
        hi = _check_bound(self.hi, "hi")
        if lo == INF:
            raise ValueError("lo cannot be unbounded")
        if lo < 0:
            raise ValueError(f"counts are non-negative: lo={lo}")
        if hi < lo:
            # Canonical empty value, so that every empty interval is equal.
            lo, hi = 1, 0
        object.__setattr__(self, "lo", lo)
        object.__setattr__(self, "hi", hi)

    # -- constructors ---------------------------------------------------
    @classmethod
    def point(cls, n: int) -> Interval:
        """The interval holding exactly ``n``."""
        return cls(n, n)

    @classmethod
    def at_least(cls, n: int, *, strict: bool = False) -> Interval:
        """``[n, ∞)``, or ``[n + 1, ∞)`` when ``strict`` ("more than n")."""
        return cls(n + 1 if strict else n, INF)

    @classmethod
    def at_most(cls, n: int, *, strict: bool = False) -> Interval:
        """``[0, n]``, or ``[0, n - 1]`` when ``strict`` ("fewer than n")."""
        return cls(0, n - 1 if strict else n)

    # -- predicates -----------------------------------------------------
    @property
    def is_empty(self) -> bool:
        return self.hi < self.lo

    @property
    def is_bounded(self) -> bool:
        """True when the interval has a finite upper bound (empty counts as bounded)."""
        return self.hi != INF

    @property
    def width(self) -> int | float:
        """``hi - lo``: 0 for a single count, ``INF`` when unbounded.

        Raises ``ValueError`` on the empty interval, which has no width.
        """
        if self.is_empty:
            raise ValueError("the empty interval has no width")
        return self.hi - self.lo

    def __contains__(self, item: object) -> bool:
        if isinstance(item, Interval):
            return self.contains(item)
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            return self.lo <= item <= self.hi
        return False

    def contains(self, other: Interval | int) -> bool:
        """True when ``other`` (a count or an interval) lies inside this one.

        The empty interval lies inside every interval.
        """
        if isinstance(other, Interval):
            if other.is_empty:
                return True
            return self.lo <= other.lo and other.hi <= self.hi
        return self.lo <= other <= self.hi

    def overlaps(self, other: Interval) -> bool:
        """True when some count lies in both intervals."""
        return not (self & other).is_empty

    # -- algebra --------------------------------------------------------
    def intersection(self, other: Interval) -> Interval:
        """The counts in both intervals (possibly empty)."""
        if self.is_empty or other.is_empty:
            return EMPTY
        return Interval(max(self.lo, other.lo), min(self.hi, other.hi))

    def hull(self, other: Interval) -> Interval:
        """The smallest interval holding both (empty is the identity)."""
        if self.is_empty:
            return other
        if other.is_empty:
            return self
        return Interval(min(self.lo, other.lo), max(self.hi, other.hi))

    __and__ = intersection
    __or__ = hull

    def distance(self, other: Interval) -> int | float:
        """Counts between the two intervals: 0 when they overlap.

        ``[1, 2]`` and ``[5, 9]`` are 3 apart. Distance to the empty
        interval is ``INF``: nothing is close to a contradiction.
        """
        if self.is_empty or other.is_empty:
            return INF
        if self.hi < other.lo:
            return other.lo - self.hi
        if other.hi < self.lo:
            return self.lo - other.hi
        return 0

    def clamp(self, n: int | float) -> int | float:
        """The count in the interval closest to ``n``."""
        if self.is_empty:
            raise ValueError("cannot clamp into the empty interval")
        return min(max(n, self.lo), self.hi)

    def __str__(self) -> str:
        return format_interval(self)

    def __repr__(self) -> str:
        if self.is_empty:
            return "EMPTY"
        return f"Interval({self.lo}, {self.hi})"


EMPTY: Final = Interval(1, 0)


def format_interval(interval: Interval, *, ascii: bool = False) -> str:
    """Write an interval as ``[29, ∞)``, ``[25, 25]`` or ``∅``.

    ``ascii=True`` writes ``inf`` and ``{}`` for terminals that lack the signs.
    """
    if interval.is_empty:
        return "{}" if ascii else "∅"
    if interval.hi == INF:
        return f"[{interval.lo}, {'inf' if ascii else '∞'})"
    return f"[{interval.lo}, {interval.hi}]"


def parse_interval(text: str) -> Interval:
    """Read what :func:`format_interval` writes.

    Raises ``ValueError`` naming the text when it is not an interval.

    >>> parse_interval("[29, ∞)")
    Interval(29, inf)
    """
    s = text.strip()
    if s in ("∅", "{}", "empty"):
        return EMPTY
    if len(s) < 5 or s[0] != "[" or s[-1] not in "])" or "," not in s:
        raise ValueError(f"not an interval: {text!r}")
    lo_text, _, hi_text = s[1:-1].partition(",")
    lo_text, hi_text = lo_text.strip(), hi_text.strip()
    try:
        lo = int(lo_text)
    except ValueError:
        raise ValueError(f"not an interval: {text!r} (lower bound {lo_text!r})") from None
    if hi_text.lower() in _INF_SIGNS:
        if s[-1] != ")":
            raise ValueError(f"not an interval: {text!r} (an unbounded end is written ')')")
        return Interval(lo, INF)
    try:
        hi = int(hi_text)
    except ValueError:
        raise ValueError(f"not an interval: {text!r} (upper bound {hi_text!r})") from None
    if s[-1] == ")":
        hi -= 1  # an open integer bound: [3, 7) is [3, 6]
    if hi < lo:
        raise ValueError(f"not an interval: {text!r} (upper bound below lower bound)")
    return Interval(lo, hi)
