"""One reader for every table the project reads: claims, article collections, benchmarks.

Bytes become text through one decoder, :func:`decode_text`: UTF-8 with or
without a byte-order mark; UTF-16 with a mark, or recognised without one;
otherwise Windows-1252 (the superset of Latin-1 that Windows writes) with a
warning naming the first line that is not UTF-8. CSV rows keep the 1-based
line they start on (the header is line 1; a quoted field spanning lines
gives its row's first line); JSON lines keep their line number. Nothing here
judges a claim: that is :mod:`reconcile.load`'s job.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = [
    "MAX_FIELD_CHARS",
    "csv_rows",
    "decode_text",
    "json_lines",
    "normalise_header",
    "read_records",
    "sniff_delimiter",
]

# The longest cell either CSV reader accepts (Python's csv module stops at
# 131,072 characters unless told otherwise; pandas' C reader has no limit).
MAX_FIELD_CHARS = 2**31 - 1
csv.field_size_limit(MAX_FIELD_CHARS)


def _undefined_as_latin1(exc: UnicodeError) -> tuple[str, int]:
    # Windows-1252 leaves five bytes undefined; read them as Latin-1 does.
    assert isinstance(exc, UnicodeDecodeError)
    return exc.object[exc.start:exc.end].decode("latin-1"), exc.end


codecs.register_error("reconcile-latin1", _undefined_as_latin1)


def _utf16_without_mark(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when NUL bytes sit where UTF-16 puts them."""
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > len(odd) * 0.3 and even.count(0) < len(even) * 0.05:
        return "utf-16-le"
    if even.count(0) > len(even) * 0.3 and odd.count(0) < len(odd) * 0.05:
        return "utf-16-be"
    return None


def decode_text(data: bytes, name: str) -> tuple[str, str | None]:
    """Text from a file's bytes, and a warning (or None) about how it was read.

    Raises :class:`InputError` naming the file for an empty file, a binary
    file, or bytes that no supported encoding reads.
    """
    if not data or not data.strip():
        raise InputError("the file is empty", file=name)
    warning = None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _check_text(data.decode("utf-16"), name), None
        except UnicodeDecodeError as exc:
            raise InputError(f"has a UTF-16 mark but is not UTF-16 ({exc.reason})",
                             file=name) from None
    if b"\x00" in data[:8192]:
        encoding = _utf16_without_mark(data[:8192])
        if encoding is None:
            raise InputError("looks like a binary file (it contains NUL bytes), not text",
                             file=name)
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            text = ""
        sample = text[:4096]
        readable = sum(1 for c in sample if c.isprintable() or c in "\t\n\r")
        if not sample or readable < 0.95 * len(sample):
            raise InputError("looks like a binary file (it contains NUL bytes), not text",
                             file=name)
        return _check_text(text, name), (f"{name}: UTF-16 without a byte-order mark; read as "
                                          f"{encoding.upper()}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = data.decode("cp1252", errors="reconcile-latin1")
        line = data.count(b"\n", 0, exc.start) + 1
        warning = (f"{name}: line {line} is not UTF-8; read the file as Windows-1252 (Latin-1 "
                   "with typographic quotes) — check accented names, or save the file as UTF-8")
    return _check_text(text, name), warning


def _check_text(text: str, name: str) -> str:
    sample = text[:65536]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\f\v")
    if controls > max(8, len(sample) // 100):
        raise InputError("looks like a binary file (many control characters), not text",
                         file=name)
    if not text.strip():
        raise InputError("the file is empty", file=name)
    return text


def sniff_delimiter(text: str) -> str:
    """The field delimiter of CSV text: comma, semicolon, tab or bar."""
    header = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(text[:65536], delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: header.count(d) for d in ",;\t|"}
        return max(counts, key=lambda d: (counts[d], d == ","))


def normalise_header(names: list[str]) -> list[str]:
    """Column names as the loader knows them: lower case, runs of spaces as one "_"."""
    return [" ".join(n.strip().lower().split()).replace(" ", "_") for n in names]


def csv_rows(reader) -> Iterator[tuple[int, list[str], str | None]]:
    """``(first line, cells, error)`` for each non-blank row after the header.

    ``reader`` is a :func:`csv.reader` whose header was read. The line is the
    1-based line where the row starts (a quoted field may span lines); an
    unreadable row gives its error text and no cells, and reading goes on.
    """
    prev = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield prev + 1, [], str(exc)
            prev = reader.line_num
            continue
        start, prev = prev + 1, reader.line_num
        if row and "".join(row).strip():  # blank lines are not rows
            yield start, row, None


def json_lines(text: str) -> Iterator[tuple[int, object, str | None]]:
    """``(line, value, error)`` for each non-blank line of JSON-lines text.

    ``error`` is the JSON parser's message for a line that is not valid JSON
    (``value`` is then None).
    """
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line), None
        except json.JSONDecodeError as exc:
            yield number, None, exc.msg


def _read_csv_fast(text: str, delimiter: str, columns: list[str],
                   header_lines: int) -> pd.DataFrame | None:
    """pandas' C reader, when every row is one line: then row i sits on line i + 2.

    Returns None (and the careful reader runs) for anything else: a quoted
    field spanning lines, a blank line, a row with too many fields.
    """
    if header_lines != 1 or "\r" in text:
        return None
    n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    try:
        with warnings.catch_warnings():
            # A row longer than the header only warns (and loses cells): refuse it.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=object, header=0,
                                index_col=False, keep_default_na=False, na_filter=False,
                                skip_blank_lines=False, engine="c", quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError):
        return None
    if len(frame) + 1 != n_lines or len(frame.columns) != len(columns):
        return None
    frame.columns = columns
    frame = frame.astype(object)
    if len(frame) and (frame == "").all(axis=1).any():
        return None  # blank lines: let the careful reader skip them
    frame.insert(0, "line", np.arange(2, len(frame) + 2, dtype=np.int64))
    return frame


def _read_csv(path: str, text: str, *, strict_width: bool = False
              ) -> tuple[pd.DataFrame, list[dict]]:
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise InputError(f"cannot read the header: {exc}", file=path, line=1) from None
    columns = normalise_header(header)
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes:
        raise InputError(f"duplicate column(s): {', '.join(dupes)}", file=path, line=1)
    fast = None if strict_width else _read_csv_fast(text, delimiter, columns, reader.line_num)
    if fast is not None:
        return fast, []
    width = len(columns)
    rows: list[list[str]] = []
    lines: list[int] = []
    bad: list[dict] = []
    for start, row, error in csv_rows(reader):
        if error is not None:
            bad.append({"line": start, "field": "(row)", "reason": f"unreadable CSV row: {error}"})
            continue
        if len(row) != width and strict_width:
            bad.append({"line": start, "field": "(row)",
                        "reason": f"row has {len(row)} fields but the header has {width}",
                        **dict(zip(columns, row, strict=False))})
            continue
        if len(row) > width:
            extra = [c for c in row[width:] if c.strip()]
            if extra:
                bad.append({"line": start, "field": "(row)",
                            "reason": f"row has {len(row)} fields but the header has {width}",
                            **dict(zip(columns, row, strict=False))})
                continue
            row = row[:width]
        elif len(row) < width:
            row = row + [""] * (width - len(row))
        rows.append(row)
        lines.append(start)
    frame = pd.DataFrame(rows, columns=columns, dtype=object) if rows else \
        pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    frame.insert(0, "line", np.asarray(lines, dtype=np.int64))
    return frame, bad


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _read_jsonl(text: str) -> tuple[pd.DataFrame, list[dict]]:
    records: list[dict] = []
    bad: list[dict] = []
    for number, obj, error in json_lines(text):
        if error is not None:
            bad.append({"line": number, "field": "(row)", "reason": f"not valid JSON: {error}"})
            continue
        if not isinstance(obj, dict):
            bad.append({"line": number, "field": "(row)", "reason": "not a JSON object"})
            continue
        cells = {k: _cell(v) for k, v in obj.items()}
        record: dict[str, object] = dict(zip(normalise_header(list(cells)), cells.values(),
                                             strict=True))
        record["line"] = number
        records.append(record)
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame({"line": []})
    cols = [c for c in frame.columns if c != "line"]
    frame[cols] = frame[cols].astype(object).where(frame[cols].notna(), "")
    frame["line"] = frame["line"].astype(np.int64)
    return frame[["line", *cols]], bad


def _read_parquet(path: str) -> tuple[pd.DataFrame, list[dict]]:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise InputError("reading .parquet needs pyarrow: pip install 'reconcile[parquet]'",
                         file=path) from None
    frame = pd.read_parquet(path)
    frame.columns = normalise_header([str(c) for c in frame.columns])
    frame = frame.astype(object).map(lambda v: "" if v is None or v is pd.NA or
                                     (isinstance(v, float) and np.isnan(v)) else _cell(v))
    frame.insert(0, "line", np.arange(1, len(frame) + 1, dtype=np.int64))
    return frame, []


def read_records(path: str | Path, *, strict_width: bool = False
                 ) -> tuple[pd.DataFrame, list[dict], list[str]]:
    """Read a table file into strings, with the 1-based ``line`` of each row.

    Returns the table, the rows that could not even be split into fields
    (as reject records) and reading warnings. CSV line numbers count the
    header as line 1; a quoted field spanning lines gives its row's first line.
    A CSV row longer than the header is a reject (unless its extra cells are
    blank); a shorter one is padded with blanks, or is a reject when
    ``strict_width`` is set. Column names are normalised (:func:`normalise_header`).
    """
    p = Path(path)
    name = str(path)
    notes: list[str] = []
    if not p.exists():
        raise InputError("no such file", file=name)
    if p.is_dir():
        raise InputError("is a directory, not a claims file", file=name)
    suffix = p.suffix.lower()
    if suffix == ".parquet":
        frame, bad = _read_parquet(name)
        return frame, bad, notes
    if suffix not in (".jsonl", ".ndjson", ".csv", ".tsv", ".txt", ""):
        raise InputError(f"unknown file type {suffix!r} (expected .csv, .tsv, .jsonl or .parquet)",
                         file=name)
    text, warning = decode_text(p.read_bytes(), name)
    if warning:
        notes.append(warning)
    if suffix in (".jsonl", ".ndjson"):
        frame, bad = _read_jsonl(text)
    else:
        frame, bad = _read_csv(name, text, strict_width=strict_width)
    return frame, bad, notes
