"""Load a claims table: read the file, validate every row, keep every row.

Reading is :func:`reconcile.io.records.read_records` (a table of strings
with the 1-based line each row came from). Validation
(:func:`validate_claims`, pure) parses figures into intervals, normalises
categories, victims and dates, and splits the rows into usable
claims and rejects. Every input row lands in exactly one of the two, and a
reject names its line, the column at fault and the reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .core.interval import INF
from .core.parse import Figure, NotAFigure, parse_figure
from .core.text import SPACE_CLASS
from .errors import InputError
from .io.records import read_records
from .rules.load import Rules, default_rules
from .schema import CLAIM_COLUMNS, CLAIM_OUTPUT_COLUMNS, PARSED_COLUMNS, REJECT_COLUMNS, SCOPES

__all__ = ["CheckedRows", "LoadResult", "as_of_cutoff", "check_ids", "check_rows",
           "finish_claims", "load_claims", "published_by", "validate_claims"]



@dataclass(frozen=True)
class LoadResult:
    """Usable claims, rejected rows and reading warnings for one file."""

    claims: pd.DataFrame
    rejects: pd.DataFrame
    path: str
    n_rows: int
    warnings: tuple[str, ...] = field(default=())


# -- validation ---------------------------------------------------------------
#
# Validation never calls Python once per row: a column is factorised into
# codes and its distinct values (claims repeat figures, dates, sources and
# places a lot), a check runs once per distinct value, and its answer is
# spread back to the rows through the codes with numpy.


class _Column:
    """A text column (pandas ``str``, positional index), factorised on first use
    into ``codes`` and its distinct ``values``."""

    __slots__ = ("_codes", "_values", "series")

    def __init__(self, series: pd.Series, codes: np.ndarray | None = None,
                 values: list[str] | None = None) -> None:
        self.series = series
        self._codes = codes
        self._values = values

    @classmethod
    def read(cls, s: pd.Series, *, strip: bool) -> _Column:
        """The column as text; stripped (as ``str.strip``) when ``strip``."""
        s = s.reset_index(drop=True).fillna("")
        if s.dtype != "str":
            s = s.astype("str")
        return cls(_strip(s) if strip else s)

    @classmethod
    def from_table(cls, codes: np.ndarray, table: list[str]) -> _Column:
        """Rows ``table[codes]``: a column derived once per distinct value."""
        values = pd.array(table or [""], dtype="str")
        return cls(pd.Series(values.take(codes)), codes, list(table))

    def _factorise(self) -> None:
        codes, uniques = pd.factorize(self.series)
        self._codes = np.asarray(codes, dtype=np.intp)
        self._values = [str(v) for v in uniques.tolist()]

    @property
    def codes(self) -> np.ndarray:
        if self._codes is None:
            self._factorise()
        assert self._codes is not None
        return self._codes

    @property
    def values(self) -> list[str]:
        if self._values is None:
            self._factorise()
        assert self._values is not None
        return self._values

    def map(self, fn: Callable[[str], object], dtype: Any = object) -> np.ndarray:
        """``fn`` of each row's value, computed once per distinct value."""
        table = np.empty(len(self.values), dtype=dtype)
        table[:] = [fn(v) for v in self.values]
        return table[self.codes]

    def where(self, keep: Callable[[str], bool]) -> np.ndarray:
        """The rows whose value passes ``keep``, as a boolean mask."""
        return self.map(keep, dtype=bool)

    def derive(self, fn: Callable[[str], str]) -> _Column:
        """A new column of ``fn`` of each value, computed once per distinct value."""
        return _Column.from_table(self.codes, [fn(v) for v in self.values])

    def blank(self) -> np.ndarray:
        return self.series.eq("").to_numpy(dtype=bool, na_value=True)


_EDGE_SPACE = f"^{SPACE_CLASS}|{SPACE_CLASS}$"


def _strip(s: pd.Series) -> pd.Series:
    """``str.strip`` of each cell; one compiled scan finds the few cells that need it."""
    hit = s.str.contains(_EDGE_SPACE, regex=True).to_numpy(dtype=bool, na_value=False)
    if not hit.any():
        return s  # the common case: nothing to strip, no copy
    out = s.copy()
    out[hit] = [v.strip() for v in s[hit].tolist()]
    return out


class _Rejections:
    """Per-row reasons, gathered check by check, so a row lists all its faults.

    A check is a row mask, the column at fault and a reason: one text, or
    one text per row (an array). Reasons are joined only for rejected rows,
    column-wise, at the end.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.checks: list[tuple[np.ndarray, str, str | np.ndarray]] = []
        self._bad = np.zeros(n, dtype=bool)

    def add(self, mask: np.ndarray | pd.Series, column: str, reason: str | np.ndarray) -> None:
        hit = np.asarray(mask, dtype=bool)
        if not hit.any():
            return
        self.checks.append((hit, column, reason))
        self._bad |= hit

    def mask(self) -> np.ndarray:
        return self._bad.copy()

    def texts(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(fields joined by ";", reasons joined by "; ") for the rows at ``rows``."""
        fields = np.full(len(rows), "", dtype=object)
        reasons = np.full(len(rows), "", dtype=object)
        started = np.zeros(len(rows), dtype=bool)
        for hit_all, column, reason in self.checks:
            hit = hit_all[rows]
            if not hit.any():
                continue
            text: Any = reason[rows[hit]] if isinstance(reason, np.ndarray) else reason
            first = ~started[hit]
            fields[hit] = _join(fields[hit], first, ";", column)
            reasons[hit] = _join(reasons[hit], first, "; ", np.add(column + ": ", text))
            started[hit] = True
        return fields, reasons


def _join(done: np.ndarray, first: np.ndarray, sep: str, more: Any) -> np.ndarray:
    """``done + sep + more`` per element, without ``sep`` where ``first``."""
    lead = np.where(first, "", sep).astype(object)
    return np.add(np.add(done, lead), more)


# A bound as a spreadsheet writes a count: digits, thousands commas in threes,
# and zeros after a decimal point ("25.0"). The same forms the figure parser
# reads as a plain number; "1,00", "1e3", "-5", "2.5" are not counts.
_COUNT = re.compile(r"(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.0*)?")


def _count_value(text: str) -> float:
    """A bound cell's number (NaN when blank or not a whole count)."""
    if not text or not _COUNT.fullmatch(text):
        return np.nan
    try:
        return float(text.replace(",", ""))
    except (ValueError, OverflowError):
        return np.nan


def _whole_numbers(col: _Column) -> tuple[np.ndarray, np.ndarray]:
    """(numbers as float with NaN for blank, mask of cells that are not whole counts)."""
    bad = col.where(lambda t: bool(t) and not _COUNT.fullmatch(t))
    return col.map(_count_value, dtype=float), bad


def _bound_reason(text: str) -> str:
    """Why a low/high cell is not a whole count, in the figure parser's words."""
    figure = parse_figure(text)
    if isinstance(figure, Figure):
        return f"{text!r} is not a whole non-negative number (write only the number)"
    return f"{text!r} is not a whole non-negative number: {figure.reason}"


def _parse_date(text: str) -> tuple[str, str] | str:
    """'2024-12-02' or '2024-12-01/2024-12-03' -> (start, end); an error string otherwise."""
    text = text.strip()
    if not text:
        return ("", "")
    parts = text.split("/")
    if len(parts) > 2:
        return f"{text!r} is not an ISO date or start/end range"
    try:
        days = [dt.datetime.fromisoformat(p.strip()).date() if "T" in p or " " in p.strip()
                else dt.date.fromisoformat(p.strip()) for p in parts]
    except ValueError:
        return f"{text!r} is not an ISO date (YYYY-MM-DD) or start/end range"
    start, end = days[0], days[-1]
    if end < start:
        return f"{text!r} ends before it starts"
    return (start.isoformat(), end.isoformat())


def _parse_datetime(text: str) -> str | None:
    text = text.strip()
    if not text:
        return ""
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(timespec="seconds")


_ISO_SECONDS = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"


def _published(col: _Column) -> np.ndarray:
    """Each row's publication time as ISO seconds in UTC ("" blank, None unreadable).

    Values already written that way (most of a large file, nearly all
    distinct) are checked at once by pandas' compiled parser; the others go
    through :func:`_parse_datetime` one distinct value at a time.
    """
    values = pd.Series(col.values, dtype="str")
    canonical = values.str.fullmatch(_ISO_SECONDS).to_numpy(dtype=bool, na_value=False)
    if canonical.any():
        parsed = pd.to_datetime(values[canonical], format="%Y-%m-%dT%H:%M:%S", errors="coerce")
        ok = np.zeros(len(values), dtype=bool)
        ok[np.flatnonzero(canonical)] = parsed.notna().to_numpy()
    else:
        ok = canonical
    table = np.asarray(col.values, dtype=object).copy()
    for i in np.flatnonzero(~ok).tolist():
        table[i] = _parse_datetime(col.values[i])
    return table[col.codes]


def _digests(frame: dict[str, pd.Series], columns: list[str], rows: np.ndarray) -> np.ndarray:
    """Stable ids from row content: the same row gets the same id in any file order.

    ``frame`` holds the validated columns; ids are made for the rows at
    ``rows``. Identical rows get the same digest; :func:`check_ids` numbers them.
    """
    cols = sorted(c for c in columns if c not in ("claim_id", "line"))
    if not len(rows):
        return np.array([], dtype=object)
    joined = pd.Series("", index=range(len(rows)), dtype="str")
    for col in cols:
        joined = joined + "\x1f" + frame[col].iloc[rows].reset_index(drop=True).astype("str")
    sha1 = hashlib.sha1
    return np.array(["c" + sha1(t.encode("utf-8")).hexdigest()[:12] for t in joined.tolist()],
                    dtype=object)


def _part_of_cycles(df: pd.DataFrame, candidates: pd.Series) -> pd.Series:
    """Rows whose ``part_of`` chain comes back to them, with the reason naming the lines.

    Each claim names at most one whole, so following ``part_of`` from any
    claim either ends or enters a cycle; every claim is visited once.
    """
    rows = df.loc[candidates & df["part_of"].ne(""), ["claim_id", "part_of", "line"]]
    if rows.empty:
        return pd.Series([], dtype=object)
    whole = dict(zip(rows["claim_id"], rows["part_of"], strict=True))
    index_of = dict(zip(rows["claim_id"], rows.index, strict=True))
    line_of = dict(zip(rows["claim_id"], rows["line"], strict=True))
    done: set[str] = set()
    reasons: dict[int, str] = {}
    for start in whole:
        path: list[str] = []
        on_path: set[str] = set()
        node: str | None = start
        while node is not None and node in whole and node not in done:
            if node in on_path:
                cycle = path[path.index(node):]
                first = cycle.index(min(cycle))  # the same message whatever the row order
                cycle = cycle[first:] + cycle[:first]
                ring = " -> ".join(f"line {line_of[c]} ({c!r})" for c in [*cycle, cycle[0]])
                for c in cycle:
                    reasons[index_of[c]] = (f"part_of forms a cycle: {ring}; a claim cannot "
                                            "be part of its own part")
                break
            path.append(node)
            on_path.add(node)
            node = whole[node]
        done.update(path)
    return pd.Series(reasons, dtype=object)


def unknown_victims(claims: pd.DataFrame, rules: Rules) -> str | None:
    """One warning naming the victim groups the rules do not know, with their counts.

    The vocabulary is open (journalists, aid workers): such rows are kept as
    written. None when every group is known.
    """
    if "victims" not in claims.columns or claims.empty:
        return None
    known = {g.name for g in rules.victims}
    values = claims["victims"].astype(str)
    unknown = values[values.ne("") & ~values.isin(known)]
    if unknown.empty:
        return None
    counts = unknown.value_counts()
    shown = ", ".join(f"{name!r} ({n} row{'s' if n > 1 else ''})"
                      for name, n in counts.head(10).items())
    more = f" and {len(counts) - 10} more" if len(counts) > 10 else ""
    return (f"{len(unknown)} claim(s) name victim groups that rules/victims.toml does not know, "
            f"kept as written: {shown}{more}; add them there (or an alias) to group them")


def validate_claims(raw: pd.DataFrame, rules: Rules | None = None, *,
                    file: str = "<claims>") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a table of strings (with ``line``) into usable claims and rejects.

    Claims gain ``low``/``high``/``anchor`` (nullable Int64; a missing
    ``high`` means unbounded), ``kind``, ``date_start``/``date_end`` and a
    ``claim_id`` where none was given. Rejects keep their original cells plus
    ``line``, ``field`` and ``reason``. Pure: no I/O. The three steps
    (:func:`check_rows`, :func:`check_ids`, :func:`finish_claims`) are what
    an engine runs per partition and across partitions.

    Raises
    ------
    InputError
        When a required column is missing (naming the columns found).
    """
    checked = check_rows(raw, rules, file=file)
    return finish_claims(checked, check_ids(checked.id_table()))


def check_rows(raw: pd.DataFrame, rules: Rules | None = None, *,
               file: str = "<claims>") -> CheckedRows:
    """The checks of each row on its own: figures, bounds, vocabularies, dates.

    Pure: no I/O. The result holds the validated columns, the parsed
    intervals and every row's faults so far.

    Raises
    ------
    InputError
        When a required column is missing (naming the columns found).

    Notes
    -----
    Every check runs once per distinct value of its column and is spread to
    the rows with numpy, so the time is that of factorising each column
    (O(n)) plus one Python call per distinct value. ``raw`` is never
    copied whole.
    """
    rules = rules or default_rules()
    columns = [c for c in raw.columns if c != "line"]
    missing = []
    if "source" not in columns:
        missing.append("'source'")
    if "figure" not in columns and "low" not in columns and "high" not in columns:
        missing.append("'figure' (or 'low'/'high')")
    if missing:
        found = ", ".join(columns) if columns else "none"
        raise InputError(f"missing required column {' and '.join(missing)}; found: {found}",
                         file=file, line=1)
    n = len(raw)
    index = pd.RangeIndex(n)
    blank_column = _Column.from_table(np.zeros(n, dtype=np.intp), [""])
    # Each column the loader reads, stripped; carried-through text (quote,
    # span) stays untouched. An unchanged column is the input column itself.
    cols: dict[str, _Column] = {}
    for col in CLAIM_COLUMNS:
        cols[col] = _Column.read(raw[col], strip=col not in ("quote", "span")) \
            if col in raw.columns else blank_column
    # The validated cells, column by column.
    out: dict[str, pd.Series] = {col: cols[col].series for col in CLAIM_COLUMNS}
    rej = _Rejections(n)

    rej.add(cols["source"].blank(), "source",
            "empty: every claim needs the source that asserts it")

    # Figures: parse each distinct text once.
    figure = cols["figure"]
    parsed = [parse_figure(t, rules) if t else None for t in figure.values]
    has_figure = figure.where(bool)
    fig_ok_table = np.array([isinstance(p, Figure) for p in parsed], dtype=bool)
    fig_ok = fig_ok_table[figure.codes]
    fig_bad = has_figure & ~fig_ok
    rej.add(fig_bad, "figure", _table([
        f"cannot read {p.text!r}: {p.reason}" if isinstance(p, NotAFigure) else ""
        for p in parsed])[figure.codes])

    low_num, low_bad = _whole_numbers(cols["low"])
    high_num, high_bad = _whole_numbers(cols["high"])
    rej.add(low_bad, "low", cols["low"].map(lambda t: _bound_reason(t) if t and not
                                             _COUNT.fullmatch(t) else ""))
    rej.add(high_bad, "high", cols["high"].map(lambda t: _bound_reason(t) if t and not
                                               _COUNT.fullmatch(t) else ""))
    limit = rules.numbers.max_count
    too_big = f"larger than any count of people (limit {limit:,} in rules/numbers.toml)"
    low_big, high_big = low_num > limit, high_num > limit
    rej.add(low_big, "low", too_big)
    rej.add(high_big, "high", too_big)
    low_num, high_num = np.where(low_big, np.nan, low_num), np.where(high_big, np.nan, high_num)
    low_bad, high_bad = low_bad | low_big, high_bad | high_big
    low_given, high_given = ~np.isnan(low_num), ~np.isnan(high_num)
    rej.add(low_given & high_given & (low_num > high_num), "high", "is below low")
    no_value = ~has_figure & ~low_given & ~high_given & ~low_bad & ~high_bad
    rej.add(no_value, "figure", "empty, and no low/high given")

    # The parsed interval of each distinct figure, spread to the rows.
    nan = np.nan
    lo = np.array([float(p.interval.lo) if isinstance(p, Figure) else nan for p in parsed]
                  + [nan])[figure.codes]
    hi = np.array([float(p.interval.hi) if isinstance(p, Figure) else nan for p in parsed]
                  + [nan])[figure.codes]
    anchor = np.array([float(p.anchor) if isinstance(p, Figure) and p.anchor is not None
                       else nan for p in parsed] + [nan])[figure.codes]
    kind = _table([p.kind if isinstance(p, Figure) else "" for p in parsed])[figure.codes]
    # A figure and bounds that disagree: the row contradicts itself.
    given = (low_given | high_given) & fig_ok
    clash = given & ((np.where(low_given, low_num, 0) != lo)
                     | (np.where(high_given, high_num, INF) != hi))
    rej.add(clash, "low", "low/high disagree with the figure; give one or make them agree")
    bounds_only = ~has_figure & (low_given | high_given)
    lo = np.where(bounds_only, np.where(low_given, low_num, 0), lo)
    hi = np.where(bounds_only, np.where(high_given, high_num, INF), hi)
    bounds_kind = np.where(low_num == high_num, "exact",
                           np.where(~high_given, "lower", np.where(~low_given, "upper", "range")))
    kind = np.where(bounds_only, bounds_kind.astype(object), kind)
    anchor = np.where(bounds_only & (low_num == high_num), low_num, anchor)

    # Categories and victims through the rules' aliases.
    category = cols["category"]
    cats = [rules.category(c) if c else "" for c in category.values]
    unknown_cat = _table([c is None for c in cats], bool)[category.codes]
    known = ", ".join(c.name for c in rules.categories)
    rej.add(unknown_cat, "category", category.map(
        lambda c: f"unknown category {c!r} (known: {known}; add an alias in rules/categories.toml)"
        if c and rules.category(c) is None else ""))
    out["category"] = _Column.from_table(category.codes, [
        c if c is not None else v for c, v in zip(cats, category.values, strict=True)]).series
    victims = cols["victims"]
    groups = [rules.victim_group(v) if v else "" for v in victims.values]
    out["victims"] = _Column.from_table(victims.codes, [
        v.lower() if g is None else g for g, v in zip(groups, victims.values, strict=True)]).series

    event_date = cols["event_date"]
    dates = [_parse_date(t) for t in event_date.values]
    rej.add(_table([isinstance(d, str) for d in dates], bool)[event_date.codes], "event_date",
            _table([d if isinstance(d, str) else "" for d in dates])[event_date.codes])
    out["date_start"] = _Column.from_table(event_date.codes, [
        d[0] if isinstance(d, tuple) else "" for d in dates]).series
    out["date_end"] = _Column.from_table(event_date.codes, [
        d[1] if isinstance(d, tuple) else "" for d in dates]).series

    published = _published(cols["published"])
    bad_published = pd.isna(published)
    rej.add(bad_published, "published", cols["published"].map(
        lambda p: f"{p!r} is not an ISO date-time"))
    published[bad_published] = ""
    out["published"] = pd.Series(published, index=index).astype("str")

    scope = cols["scope"]
    rej.add(scope.where(lambda v: v.lower() not in ("", *SCOPES)), "scope",
            scope.map(lambda v: f"{v!r} is not one of {', '.join(SCOPES)}"))
    out["scope"] = scope.derive(lambda v: v.lower() or "incident").series

    # Ids: given ones are kept; blanks get a stable content hash of the
    # validated cells (carried-through columns as read), numbered in check_ids.
    for col in columns:
        if col not in out:
            out[col] = raw[col].reset_index(drop=True).fillna("").astype("str")
    generated = cols["claim_id"].blank()
    lines = raw["line"].to_numpy(dtype=np.int64)
    return CheckedRows(raw, columns, out, lo, hi, anchor, kind, rej, lines, generated)


@dataclass
class CheckedRows:
    """A table (or one partition of it) after the checks that need only its own rows.

    :meth:`id_table` is what the checks across rows (:func:`check_ids`) need;
    :func:`finish_claims` applies their answer and splits claims from rejects.
    """

    raw: pd.DataFrame
    columns: list[str]
    out: dict[str, pd.Series]
    lo: np.ndarray
    hi: np.ndarray
    anchor: np.ndarray
    kind: np.ndarray
    rejections: _Rejections
    lines: np.ndarray
    generated: np.ndarray

    def id_table(self) -> pd.DataFrame:
        """Per row: ``claim_id`` (a content digest where none was given),
        ``generated``, ``part_of``, ``line`` and ``bad`` (a row check failed)."""
        ids = self.out["claim_id"]
        if self.generated.any():
            rows = np.flatnonzero(self.generated)
            values = ids.to_numpy(dtype=object, na_value="")
            values[rows] = _digests(self.out, self.columns, rows)
            ids = pd.Series(values, dtype="str")
        return pd.DataFrame({"claim_id": ids.reset_index(drop=True),
                             "generated": self.generated,
                             "part_of": self.out["part_of"].reset_index(drop=True),
                             "line": self.lines, "bad": self.rejections.mask()})


def check_ids(table: pd.DataFrame) -> pd.DataFrame:
    """The checks across rows: ids and the part_of links between claims.

    ``table`` is :meth:`CheckedRows.id_table` of every partition, stacked.
    Returns, per row in the same order, the final ``claim_id`` (identical
    rows without an id numbered "-2", "-3"... in line order), and the
    ``field``/``reason`` of the one id fault it has ("" when none).

    Notes
    -----
    Factorising the ids is O(n); the part_of loop repeats once per link of
    the longest chain of claims that stop being usable.
    """
    n = len(table)
    ids = table["claim_id"].reset_index(drop=True)
    lines = table["line"].to_numpy(dtype=np.int64)
    generated = table["generated"].to_numpy(dtype=bool)
    if generated.any():
        rows = np.flatnonzero(generated)
        digests = ids.iloc[rows].to_numpy(dtype=object)
        order = np.lexsort((lines[rows], digests.astype(str)))
        occurrence = np.empty(len(rows), dtype=np.int64)
        occurrence[order] = pd.Series(digests[order]).groupby(digests[order]).cumcount().to_numpy()
        numbered = np.add(np.add(digests, "-"), (occurrence + 1).astype(str).astype(object))
        values = ids.to_numpy(dtype=object, na_value="")
        values[rows] = np.where(occurrence == 0, digests, numbered)
        ids = pd.Series(values, dtype="str")
    field = np.full(n, "", dtype=object)
    reason = np.full(n, "", dtype=object)
    bad = table["bad"].to_numpy(dtype=bool).copy()

    id_codes, id_uniques = pd.factorize(ids)
    id_counts = np.bincount(id_codes, minlength=len(id_uniques))
    dup = id_counts[id_codes] > 1
    if dup.any():
        dup_rows = np.flatnonzero(dup)
        order = dup_rows[np.lexsort((lines[dup_rows], id_codes[dup_rows]))]
        listed: dict[int, list[str]] = {}
        for code, line in zip(id_codes[order].tolist(), lines[order].tolist(), strict=True):
            listed.setdefault(code, []).append(str(line))
        field[dup_rows] = "claim_id"
        reason[dup_rows] = [f"{id_uniques[c]!r} appears on lines {', '.join(listed[c])}"
                            for c in id_codes[dup_rows].tolist()]
        bad |= dup

    # part_of must name a claim that is itself usable, and never lead back to
    # the claim itself (a in b, b in a); repeat for chains.
    part_of = _Column.read(table["part_of"], strip=False)
    has_part = ~part_of.blank()
    if has_part.any():
        # The claim each part_of names, as a code into the distinct ids (-1: none).
        named = pd.Index(id_uniques).get_indexer(pd.Index(part_of.values, dtype=object))
        target = np.where(has_part, named[part_of.codes], -1)
        self_ref = has_part & (target == id_codes)
        links = pd.DataFrame({"claim_id": ids, "part_of": part_of.series, "line": lines})
        while True:
            usable = np.zeros(len(id_uniques) + 1, dtype=bool)
            usable[id_codes[~bad]] = True
            dangling = ~bad & has_part & ~usable[target]
            self_now = self_ref & ~bad
            cycles = _part_of_cycles(links, pd.Series(~bad & ~dangling & ~self_now))
            if not (dangling.any() or self_now.any() or len(cycles)):
                break
            field[self_now | dangling] = "part_of"
            reason[self_now] = "a claim cannot be part of itself"
            dangling &= ~self_now
            reason[dangling] = part_of.map(
                lambda p: f"names claim {p!r}, which is not a usable claim")[dangling]
            bad |= self_now | dangling
            if len(cycles):
                at = cycles.index.to_numpy()
                field[at] = "part_of"
                reason[at] = cycles.to_numpy()
                bad[at] = True
    return pd.DataFrame({"claim_id": ids, "field": pd.Series(field, dtype="str"),
                         "reason": pd.Series(reason, dtype="str")})


def finish_claims(checked: CheckedRows, ids: pd.DataFrame, *, sort: bool = True
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Claims and rejects of one checked partition, given its rows of :func:`check_ids`.

    Claims are sorted by ``claim_id`` (when ``sort``), rejects by line.
    """
    rej, lines, out = checked.rejections, checked.lines, checked.out
    field = ids["field"].to_numpy(dtype=object, na_value="")
    reason = ids["reason"].to_numpy(dtype=object)
    for name in ("claim_id", "part_of"):
        rej.add(field == name, name, reason)
    final_ids = ids["claim_id"].reset_index(drop=True)
    bad = rej.mask()
    good = np.flatnonzero(~bad)
    if sort:  # one sort, one take per column: the claims in claim_id order
        good = good[final_ids.iloc[good].argsort(kind="stable").to_numpy()]
    claims: dict[str, object] = {}
    for col in CLAIM_OUTPUT_COLUMNS:
        if col == "line":
            claims[col] = lines[good]
        elif col == "claim_id":
            claims[col] = final_ids.array.take(good)
        elif col in ("low", "high", "anchor"):
            values = {"low": checked.lo, "high": np.where(checked.hi == INF, np.nan, checked.hi),
                      "anchor": checked.anchor}[col]
            claims[col] = pd.array(np.round(values[good]), dtype="Float64").astype("Int64")
        elif col == "kind":
            claims[col] = pd.array(checked.kind[good], dtype="str")
        else:
            claims[col] = out[col].array.take(good)
    for col in checked.columns:
        if col not in (*CLAIM_COLUMNS, *PARSED_COLUMNS):
            claims[col] = out[col].array.take(good)
    claims_frame = pd.DataFrame(claims)

    rejected_rows = np.flatnonzero(bad)
    rejected_rows = rejected_rows[np.argsort(lines[rejected_rows], kind="stable")]
    fields, reasons = rej.texts(rejected_rows)
    rejected = checked.raw.iloc[rejected_rows].reset_index(drop=True)
    _, field_col, reason_col = REJECT_COLUMNS
    rejected.insert(1, field_col, pd.Series(fields, dtype="str"))
    rejected.insert(2, reason_col, pd.Series(reasons, dtype="str"))
    return claims_frame, rejected


def _table(values: list, dtype: Any = object) -> np.ndarray:
    """A per-distinct-value table, with one spare slot for codes of -1."""
    table = np.empty(len(values) + 1, dtype=dtype)
    table[:-1] = values
    table[-1] = "" if dtype is object else False
    return table


def load_claims(path: str | Path, rules: Rules | None = None, *,
                data: bytes | None = None) -> LoadResult:
    """Read and validate a claims file (.csv, .tsv, .jsonl or .parquet).

    Every row is either a usable claim or a reject:
    ``result.n_rows == len(result.claims) + len(result.rejects)``.
    ``data``, when given, is the file's content (standard input); ``path``
    then only names it. A warning names the victim groups the rules do not know.

    Raises
    ------
    InputError
        When the file cannot be read at all or lacks a required column.
    """
    rules = rules or default_rules()
    raw, unreadable, warnings = read_records(path, data=data)
    claims, rejects = validate_claims(raw, rules, file=str(path))
    victims_warning = unknown_victims(claims, rules)
    if victims_warning:
        warnings.append(f"{path}: {victims_warning}")
    if unreadable:
        extra = pd.DataFrame(unreadable)
        rejects = pd.concat([rejects, extra], ignore_index=True)
        rejects = rejects.sort_values("line", kind="stable").reset_index(drop=True)
        for col in rejects.columns:
            if col != "line":
                rejects[col] = rejects[col].fillna("").astype("str")
    rejects["line"] = rejects["line"].astype(np.int64)
    n_rows = len(raw) + len(unreadable)
    return LoadResult(claims, rejects, str(path), n_rows, tuple(warnings))


# -- as of a date ----------------------------------------------------------------------------


def as_of_cutoff(text: str) -> str:
    """The last publication time ``--as-of TEXT`` admits, as the loader writes times.

    An ISO date admits the whole day (``2024-12-02`` is up to
    ``2024-12-02T23:59:59``); an ISO date-time admits up to that second (a
    time zone is converted to UTC, as ``published`` values are).
    Raises ``ValueError`` when ``text`` is neither.

    >>> as_of_cutoff("2024-12-02"), as_of_cutoff("2024-12-02T12:00+02:00")
    ('2024-12-02T23:59:59', '2024-12-02T10:00:00')
    """
    text = text.strip()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        value = _parse_datetime(text) if "T" in text or " " in text else None
        if not value:
            raise ValueError(f"{text!r} is not an ISO date (YYYY-MM-DD) or date-time") from None
        return value
    return f"{day.isoformat()}T23:59:59"


def published_by(claims: pd.DataFrame, cutoff: str
                 ) -> tuple[pd.DataFrame, int, int, int]:
    """The loaded claims published up to ``cutoff`` (:func:`as_of_cutoff`).

    Returns ``(kept, later, undated, unlinked)``: the claims kept; how many
    were published after the cutoff; how many have no publication time (a
    claim that cannot be shown to have been public by then is left out);
    and how many kept claims named a whole (``part_of``) that was left out —
    their link is dropped, the claim kept. Ids and order are unchanged.
    """
    published = claims["published"].astype(str)
    undated = published.eq("")
    later = ~undated & published.gt(cutoff)
    kept = claims.loc[~undated & ~later].copy()
    part_of = kept["part_of"].astype(str)
    lost = part_of.ne("") & ~part_of.isin(set(kept["claim_id"].astype(str)))
    kept.loc[lost, "part_of"] = ""
    return (kept.reset_index(drop=True), int(later.sum()), int(undated.sum()),
            int(lost.sum()))
