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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .core.interval import INF
from .core.parse import Figure, parse_figure
from .errors import InputError
from .io.records import read_records
from .rules.load import Rules, default_rules
from .schema import CLAIM_COLUMNS, CLAIM_OUTPUT_COLUMNS, PARSED_COLUMNS, REJECT_COLUMNS, SCOPES

__all__ = ["LoadResult", "as_of_cutoff", "load_claims", "published_by", "validate_claims"]



@dataclass(frozen=True)
class LoadResult:
    """Usable claims, rejected rows and reading warnings for one file."""

    claims: pd.DataFrame
    rejects: pd.DataFrame
    path: str
    n_rows: int
    warnings: tuple[str, ...] = field(default=())


# -- validation ---------------------------------------------------------------


class _Rejections:
    """Per-row reasons, gathered check by check, so a row lists all its faults."""

    def __init__(self, index: pd.Index) -> None:
        self.index = index
        self.fields: dict[int, list[str]] = {}
        self.reasons: dict[int, list[str]] = {}

    def add(self, mask: pd.Series, column: str, reason: str | pd.Series) -> None:
        hit = mask[mask].index
        if len(hit) == 0:
            return
        texts = reason.loc[hit] if isinstance(reason, pd.Series) else None
        for pos in hit:
            self.fields.setdefault(pos, []).append(column)
            self.reasons.setdefault(pos, []).append(
                f"{column}: {texts.loc[pos] if texts is not None else reason}")

    def mask(self) -> pd.Series:
        return pd.Series(self.index.isin(list(self.reasons)), index=self.index)


def _strip(s: pd.Series) -> pd.Series:
    s = s.astype(str)
    uniques = s.unique()
    changed = {u: u.strip() for u in uniques if u[:1].isspace() or u[-1:].isspace()}
    if not changed:
        return s  # the common case: nothing to strip, no per-row work
    return s.map(lambda v: changed.get(v, v))


def _blank(s: pd.Series) -> pd.Series:
    return s.astype(str).str.strip().eq("")


# A bound as a spreadsheet writes a count: digits, thousands commas in threes,
# and zeros after a decimal point ("25.0"). The same forms the figure parser
# reads as a plain number; "1,00", "1e3", "-5", "2.5" are not counts.
_COUNT = r"(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.0*)?"


def _whole_numbers(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(numbers as float with NaN for blank, mask of cells that are not whole counts)."""
    text = s.astype(str).str.strip()
    bad = text.ne("") & ~text.str.fullmatch(_COUNT)
    plain = text.where(~bad & text.ne(""), None).str.replace(",", "", regex=False)
    num = pd.to_numeric(plain, errors="coerce").astype(float)
    return num.where(~bad), bad


def _bound_reason(text: str) -> str:
    """Why a low/high cell is not a whole count, in the figure parser's words."""
    figure = parse_figure(text)
    if isinstance(figure, Figure):
        return f"{text!r} is not a whole non-negative number (write only the number)"
    return f"{text!r} is not a whole non-negative number: {figure.reason}"


def _map_unique(s: pd.Series, fn: Callable[[str], object]) -> pd.Series:
    """Apply ``fn`` once per distinct value: claims repeat figures and dates a lot."""
    uniques = pd.unique(s.to_numpy())
    table = {u: fn(u) for u in uniques}
    return s.map(table)


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


def _claim_ids(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Stable ids from row content: the same row gets the same id in any file order."""
    cols = sorted(c for c in columns if c not in ("claim_id", "line"))
    if frame.empty:
        return pd.Series([], index=frame.index, dtype=object)
    joined = pd.Series("", index=frame.index, dtype=object)
    for col in cols:
        joined = joined + "\x1f" + frame[col].astype(str)
    digests = joined.map(lambda s: "c" + hashlib.sha1(s.encode("utf-8")).hexdigest()[:12])
    # Identical rows: number them; which copy is "-2" cannot matter, they are equal.
    occurrence = digests.groupby(digests).cumcount()
    return digests.where(occurrence.eq(0), digests + "-" + (occurrence + 1).astype(str))


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
    ``line``, ``field`` and ``reason``. Pure: no I/O.

    Raises
    ------
    InputError
        When a required column is missing (naming the columns found).
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
    df = raw.copy()
    for col in CLAIM_COLUMNS:
        if col not in df.columns:
            df[col] = ""
    # Strip the columns validation reads; carried-through text stays untouched.
    for col in CLAIM_COLUMNS:
        if col not in ("quote", "span"):
            df[col] = _strip(df[col])
    rej = _Rejections(df.index)

    rej.add(_blank(df["source"]), "source", "empty: every claim needs the source that asserts it")

    # Figures: parse each distinct text once.
    has_figure = ~_blank(df["figure"])
    parsed = _map_unique(df.loc[has_figure, "figure"], lambda t: parse_figure(t, rules))
    fig_ok = parsed.map(lambda p: isinstance(p, Figure)).astype(bool)
    fig_bad = pd.Series(False, index=df.index)
    fig_bad.loc[fig_ok.index] = ~fig_ok
    reasons = pd.Series("", index=df.index, dtype=object)
    reasons.loc[fig_ok.index[~fig_ok]] = parsed[~fig_ok].map(
        lambda e: f"cannot read {e.text!r}: {e.reason}")
    rej.add(fig_bad, "figure", reasons)

    low_num, low_bad = _whole_numbers(df["low"])
    high_num, high_bad = _whole_numbers(df["high"])
    rej.add(low_bad, "low", _map_unique(df["low"].where(low_bad, ""), _bound_reason))
    rej.add(high_bad, "high", _map_unique(df["high"].where(high_bad, ""), _bound_reason))
    limit = rules.numbers.max_count
    too_big = f"larger than any count of people (limit {limit:,} in rules/numbers.toml)"
    low_big, high_big = low_num > limit, high_num > limit
    rej.add(low_big, "low", too_big)
    rej.add(high_big, "high", too_big)
    low_num, high_num = low_num.where(~low_big), high_num.where(~high_big)
    low_bad, high_bad = low_bad | low_big, high_bad | high_big
    both = low_num.notna() & high_num.notna()
    rej.add(both & (low_num > high_num), "high", "is below low")
    no_value = ~has_figure & low_num.isna() & high_num.isna() & ~low_bad & ~high_bad
    rej.add(no_value, "figure", "empty, and no low/high given")

    lo = pd.Series(np.nan, index=df.index)
    hi = pd.Series(np.nan, index=df.index)
    anchor = pd.Series(np.nan, index=df.index)
    kind = pd.Series("", index=df.index, dtype=object)
    good_fig = fig_ok[fig_ok].index
    if len(good_fig):
        figs = parsed.loc[good_fig]
        lo.loc[good_fig] = figs.map(lambda f: f.interval.lo).astype(float)
        hi.loc[good_fig] = figs.map(lambda f: float(f.interval.hi)).astype(float)
        anchor.loc[good_fig] = figs.map(lambda f: np.nan if f.anchor is None else f.anchor)
        kind.loc[good_fig] = figs.map(lambda f: f.kind)
        # A figure and bounds that disagree: the row contradicts itself.
        given = (low_num.notna() | high_num.notna()) & fig_ok.reindex(df.index, fill_value=False)
        given_lo = low_num.fillna(0)
        given_hi = high_num.fillna(INF)
        clash = given & ((given_lo != lo) | (given_hi != hi))
        rej.add(clash, "low", "low/high disagree with the figure; give one or make them agree")
    bounds_only = ~has_figure & (low_num.notna() | high_num.notna())
    lo = lo.where(~bounds_only, low_num.fillna(0))
    hi = hi.where(~bounds_only, high_num.fillna(INF))
    bounds_kind = pd.Series(np.where(low_num.eq(high_num), "exact",
                                     np.where(high_num.isna(), "lower",
                                              np.where(low_num.isna(), "upper", "range"))),
                            index=df.index, dtype=object)
    kind = kind.where(~bounds_only, bounds_kind)
    exact_bounds = bounds_only & low_num.eq(high_num)
    anchor = anchor.where(~exact_bounds, low_num)

    # Categories and victims through the rules' aliases.
    cat_blank = _blank(df["category"])
    cats = _map_unique(df["category"], lambda c: rules.category(c) if c else "")
    unknown_cat = ~cat_blank & cats.isna()
    known = ", ".join(c.name for c in rules.categories)
    rej.add(unknown_cat, "category",
            df["category"].map(lambda c: f"unknown category {c!r} (known: {known}; "
                               "add an alias in rules/categories.toml)"))
    df["category"] = cats.where(~unknown_cat, df["category"]).fillna("")
    victims = _map_unique(df["victims"], lambda v: rules.victim_group(v) if v else "")
    df["victims"] = victims.where(victims.notna(), df["victims"].str.lower())

    dates = _map_unique(df["event_date"], _parse_date)
    date_bad = dates.map(lambda d: isinstance(d, str))
    rej.add(date_bad, "event_date", dates.where(date_bad, ""))
    df["date_start"] = dates.map(lambda d: d[0] if isinstance(d, tuple) else "")
    df["date_end"] = dates.map(lambda d: d[1] if isinstance(d, tuple) else "")

    published = _map_unique(df["published"], _parse_datetime)
    rej.add(published.isna(), "published",
            df["published"].map(lambda p: f"{p!r} is not an ISO date-time"))
    df["published"] = published.fillna("")

    scope = df["scope"].str.lower()
    rej.add(~scope.isin(("", *SCOPES)), "scope",
            df["scope"].map(lambda s: f"{s!r} is not one of {', '.join(SCOPES)}"))
    df["scope"] = scope.where(scope.ne(""), "incident")

    # Ids: given ones are kept; blanks get a stable content hash.
    ids = df["claim_id"]
    blank_id = ids.eq("")
    if blank_id.any():
        # Hash the rows without an id only (identical rows are numbered among themselves).
        generated = _claim_ids(df[blank_id], columns)
        df["claim_id"] = ids.where(~blank_id, generated.reindex(df.index))
    counts = df["claim_id"].map(df["claim_id"].value_counts())
    dup = counts.gt(1)
    if dup.any():
        lines_of = df[dup].groupby("claim_id")["line"].agg(lambda s: ", ".join(map(str, sorted(s))))
        rej.add(dup, "claim_id",
                df["claim_id"].map(lambda c: f"{c!r} appears on lines {lines_of.get(c, '')}"))

    # part_of must name a claim that is itself usable, and never lead back to
    # the claim itself (a in b, b in a); repeat for chains.
    while True:
        bad = rej.mask()
        usable = set(df.loc[~bad, "claim_id"])
        dangling = ~bad & df["part_of"].ne("") & ~df["part_of"].isin(usable)
        self_ref = df["part_of"].eq(df["claim_id"]) & ~bad
        cycles = _part_of_cycles(df, ~bad & ~dangling & ~self_ref)
        if not (dangling.any() or self_ref.any() or len(cycles)):
            break
        rej.add(self_ref, "part_of", "a claim cannot be part of itself")
        rej.add(dangling & ~self_ref, "part_of",
                df["part_of"].map(lambda p: f"names claim {p!r}, which is not a usable claim"))
        if len(cycles):
            in_cycle = pd.Series(df.index.isin(cycles.index), index=df.index)
            rej.add(in_cycle, "part_of", cycles.reindex(df.index, fill_value=""))

    bad = rej.mask()
    out = df.loc[~bad].copy()
    out["low"] = lo[~bad].astype("Int64")
    out["high"] = hi[~bad].where(hi[~bad] != INF).astype("Int64")
    out["anchor"] = anchor[~bad].round().astype("Int64")
    out["kind"] = kind[~bad]
    extra = [c for c in out.columns if c not in (*CLAIM_COLUMNS, *PARSED_COLUMNS, "line")]
    order = [*CLAIM_OUTPUT_COLUMNS, *extra]
    out = out[order].sort_values("claim_id", kind="stable").reset_index(drop=True)

    rejected = raw.loc[bad].copy()
    line_col, field_col, reason_col = REJECT_COLUMNS
    rejected.insert(1, field_col, [";".join(rej.fields[i]) for i in rejected.index])
    rejected.insert(2, reason_col, ["; ".join(rej.reasons[i]) for i in rejected.index])
    rejected = rejected.sort_values(line_col, kind="stable").reset_index(drop=True)
    return out, rejected


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
    rejects = rejects.astype(object).where(rejects.notna(), "")
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
