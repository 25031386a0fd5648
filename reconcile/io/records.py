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
from collections.abc import Iterable, Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.text import SPACE_CLASS
from ..errors import InputError
from ..schema import RESERVED_COLUMNS, renamed_columns

__all__ = [
    "MAX_FIELD_CHARS",
    "STDIN",
    "csv_reader",
    "csv_rows",
    "decode_text",
    "json_cell",
    "json_lines",
    "json_loads",
    "json_value",
    "nested_field",
    "normalise_header",
    "read_bytes",
    "read_records",
    "sniff_delimiter",
    "sniff_format",
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
    """'utf-16-le' or 'utf-16-be' when bytes with NULs read as text in one of them.

    Both byte orders are tried on the first 8 KiB; the one that gives more
    ASCII (newlines, spaces, digits, commas: what a table or an article of
    any script holds, and what puts NUL bytes in UTF-16) wins, if it gives
    some ASCII and nearly all it gives is printable text.
    Arabic, Chinese or Cyrillic text counts as printable, so a UTF-16 file
    in any script is recognised; a binary file is not.
    """
    head = head[:len(head) - len(head) % 2]
    best: tuple[int, str] | None = None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue  # a lone surrogate: not this byte order
        if not text:
            continue
        printable = sum(1 for c in text if c.isprintable() or c in "\t\n\r")
        if printable < 0.95 * len(text):
            continue
        ascii_chars = sum(1 for c in text if c < "\x80")
        if ascii_chars and (best is None or ascii_chars > best[0]):
            best = (ascii_chars, encoding)
    return best[1] if best is not None else None


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
            text = data[:len(data) - len(data) % 2].decode(encoding)
        except UnicodeDecodeError as exc:
            raise InputError(f"reads as {encoding.upper()} (without a byte-order mark) up to "
                             f"byte {exc.start}, then is not text ({exc.reason})",
                             file=name) from None
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


def csv_reader(text: str, delimiter: str):  # -> the csv module's reader
    """Python's CSV reader over ``text``, with no limit on a cell's length.

    The limit is process-wide state another library may lower; it is set
    again for every file, so both CSV readers read a 200,000-character
    cell the same way.
    """
    csv.field_size_limit(MAX_FIELD_CHARS)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def normalise_header(names: list[str]) -> list[str]:
    """Column names as the loader knows them: lower case, runs of spaces as one "_"."""
    return [" ".join(n.strip().lower().split()).replace(" ", "_") for n in names]


def _own_names(names: list[str], file: str, notes: list[str] | set[str]) -> list[str]:
    """Blank and reserved column names renamed (:func:`~reconcile.schema.renamed_columns`),
    each renaming said once in ``notes``."""
    if all(n and n not in RESERVED_COLUMNS for n in names):
        return names
    new = renamed_columns(names)
    for old, renamed in zip(names, new, strict=True):
        if old != renamed:
            why = "it has no name" if not old else f"reconcile writes a {old!r} column of its own"
            message = f"{file}: column {old!r} is read as {renamed!r} ({why})"
            if isinstance(notes, set):
                notes.add(message)
            else:
                notes.append(message)
    return new


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

    ``error`` says why a line is not read (``value`` is then None): "not
    valid JSON: " and the parser's message, or that the line is nested too
    deeply to read (a line of a few thousand ``[`` is one bad line, never a
    RecursionError). Integers too long for Python's int conversion stay text.
    """
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        yield number, *json_value(line)


_MAX_INT_DIGITS = 4000  # below Python's limit on int <-> str conversion (4300)


def _json_int(text: str) -> int | str:
    return int(text) if len(text) <= _MAX_INT_DIGITS else text


def json_loads(text: str) -> object:
    """:func:`json.loads`, keeping integers too long for ``int()`` as their text.

    Raises :class:`json.JSONDecodeError`, or :class:`RecursionError` for
    thousands of levels of nesting.
    """
    return json.loads(text, parse_int=_json_int)


def json_value(text: str) -> tuple[object, str | None]:
    """One JSON value; ``(None, reason)`` when it cannot be read. Never raises."""
    try:
        return json_loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON: {exc.msg}"
    except RecursionError:
        return None, "nested too deeply to read (thousands of levels of [ or {)"


def json_cell(value: object) -> str:
    """A JSON value as one cell's text: strings as they are, others as JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (RecursionError, ValueError):
        return "(nested JSON, too deep to show)"


def nested_field(record: dict, fields: Iterable[str] | None = None) -> str | None:
    """Why a JSON record is not one row of cells: the first field holding a list or an object.

    Only ``fields`` are checked when given. None when every value is a string,
    a number, a boolean or null.
    """
    for key in (record if fields is None else fields):
        value = record.get(key)
        if isinstance(value, (list, dict)):
            what = "a list" if isinstance(value, list) else "an object"
            return (f"column {key!r} holds {what} ({_preview(value)}); a cell must be text, "
                    "a number or null")
    return None


def _preview(value: object) -> str:
    text = json_cell(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _arrow() -> Any:
    """pyarrow's CSV module and compute functions, or None when pyarrow is missing."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover - pyarrow is a dependency; this is a fallback
        return None
    return pa, pc, pacsv


def _line_count(data: bytes | str) -> int | None:
    """Lines in the text as the careful reader counts them, or None when a lone CR
    (an old Mac line end) makes the count ambiguous."""
    nl, cr = ("\n", "\r") if isinstance(data, str) else (b"\n", b"\r")
    if cr in data and data.count(cr) != data.count(cr + nl):  # type: ignore[operator,arg-type]
        return None
    return data.count(nl) + (0 if data.endswith(nl) else 1)  # type: ignore[arg-type]


def _read_csv_fast(source: bytes | str, delimiter: str, columns: list[str],
                   header_lines: int) -> pd.DataFrame | None:
    """A compiled CSV reader, when every row is one line: then row i sits on line i + 2.

    pyarrow's multi-threaded reader (pandas' C reader without pyarrow) reads
    ``source`` (UTF-8 bytes, or text). Returns None, and the careful reader
    runs, for anything else: a quoted field spanning lines, a blank line, a
    row with too many or too few fields, a lone CR, bytes that are not UTF-8.
    Columns are pandas' ``str`` dtype; ``line`` is int64.
    """
    n_lines = _line_count(source)
    if header_lines != 1 or n_lines is None or not columns:
        return None
    arrow = _arrow()
    if arrow is None:
        frame = _read_csv_pandas(source, delimiter, columns)
    else:
        frame = _read_csv_arrow(arrow, source, delimiter, columns)
    if frame is None or len(frame) + 1 != n_lines or len(frame.columns) != len(columns):
        return None
    if len(frame) and _blank_rows(frame).any():
        return None  # blank lines: let the careful reader skip them
    frame.insert(0, "line", np.arange(2, len(frame) + 2, dtype=np.int64))
    return frame


def _read_csv_arrow(arrow: Any, source: bytes | str, delimiter: str, columns: list[str]
                    ) -> pd.DataFrame | None:
    pa, _, pacsv = arrow
    names = [f"c{i}" for i in range(len(columns))]
    data = source.encode("utf-8") if isinstance(source, str) else source
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"',
                                             double_quote=True, escape_char=False,
                                             newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False,
                quoted_strings_can_be_null=False, check_utf8=True))
    except (pa.ArrowException, ValueError):
        return None
    frame = table.to_pandas()
    del table
    frame.columns = columns
    return frame.astype("str") if any(frame.dtypes != "str") else frame


def _read_csv_pandas(source: bytes | str, delimiter: str, columns: list[str]
                     ) -> pd.DataFrame | None:
    text = source.decode("utf-8", errors="strict") if isinstance(source, bytes) else source
    try:
        with warnings.catch_warnings():
            # A row longer than the header only warns (and loses cells): refuse it.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, header=0,
                                index_col=False, keep_default_na=False, na_filter=False,
                                skip_blank_lines=False, engine="c", quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError):
        return None
    if len(frame.columns) != len(columns):
        return None
    frame.columns = columns
    return frame.astype("str")


def _blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose every cell is empty or whitespace (the careful reader skips them).

    One pass over the first column; the next columns only for the rows still blank.
    """
    arrow = _arrow()
    blank = np.ones(len(frame), dtype=bool)
    for col in frame.columns:
        idx = np.flatnonzero(blank)
        if arrow is not None:
            pa, pc, _ = arrow
            values = pa.array(frame[col].array, type=pa.string()) if len(idx) == len(frame) \
                else pa.array(frame[col].iloc[idx].array, type=pa.string())
            hit = pc.match_substring_regex(values, f"^{SPACE_CLASS}*$")
            hit = np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)
        else:
            hit = np.array([not v.strip() for v in frame[col].iloc[idx]], dtype=bool)
        blank[idx[~hit]] = False
        if not blank.any():
            break
    return blank


def _utf8_head(data: bytes) -> str | None:
    """The start of ``data`` as text when the file looks like UTF-8 the fast reader can take
    as bytes (no UTF-16 mark, no NUL, no run of control characters); else None."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:8192]:
        return None
    head = data[:262144].decode("utf-8", errors="ignore")  # >= 65,536 characters
    sample = head[:65536]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\f\v")
    if controls > max(8, len(sample) // 100) or not head.strip():
        return None
    return head


def _read_utf8_csv(path: str, data: bytes, notes: list[str]) -> pd.DataFrame | None:
    """The whole CSV read from its bytes, never decoded into one Python string.

    None (and the text path runs, which also gives every error its message)
    unless the file is UTF-8 and every row is one line.
    """
    if _arrow() is None:
        return None
    body = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
    head = _utf8_head(body)
    if head is None:
        return None
    delimiter = sniff_delimiter(head)
    reader = csv_reader(head, delimiter)
    try:
        header = next(reader)
    except (csv.Error, StopIteration):
        return None
    columns = normalise_header(header)
    if any(c and columns.count(c) > 1 for c in columns):
        return None
    own: list[str] = []
    columns = _own_names(columns, path, own)
    frame = _read_csv_fast(body, delimiter, columns, reader.line_num)
    if frame is not None:
        notes.extend(own)
    return frame


def _read_csv(path: str, text: str, notes: list[str], *, strict_width: bool = False
              ) -> tuple[pd.DataFrame, list[dict]]:
    delimiter = sniff_delimiter(text)
    reader = csv_reader(text, delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise InputError(f"cannot read the header: {exc}", file=path, line=1) from None
    except StopIteration:
        raise InputError("the file is empty", file=path) from None
    columns = normalise_header(header)
    dupes = sorted({c for c in columns if c and columns.count(c) > 1})
    if dupes:
        raise InputError(f"duplicate column(s): {', '.join(dupes)}", file=path, line=1)
    columns = _own_names(columns, path, notes)
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
    frame = pd.DataFrame(rows, columns=columns, dtype="str") if rows else \
        pd.DataFrame({c: pd.Series(dtype="str") for c in columns})
    frame.insert(0, "line", np.asarray(lines, dtype=np.int64))
    return frame, bad


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json_cell(value)
    return str(value)


def _read_jsonl(path: str, text: str, notes: list[str]) -> tuple[pd.DataFrame, list[dict]]:
    records: list[dict] = []
    bad: list[dict] = []
    renamed: set[str] = set()
    for number, obj, error in json_lines(text):
        if error is not None:
            bad.append({"line": number, "field": "(row)", "reason": error})
            continue
        if not isinstance(obj, dict):
            bad.append({"line": number, "field": "(row)", "reason": "not a JSON object"})
            continue
        cells = {k: _cell(v) for k, v in obj.items()}
        names = normalise_header(list(cells))
        dupes = sorted({c for c in names if c and names.count(c) > 1})
        if dupes:
            keys = [k for k, n in zip(cells, names, strict=True) if n in dupes]
            bad.append({"line": number, "field": dupes[0],
                        "reason": f"keys {', '.join(map(repr, keys))} name the same column"})
            continue
        names = _own_names(names, path, renamed)
        nested = nested_field(obj)
        if nested is not None:
            key = next(k for k in obj if isinstance(obj[k], (list, dict)))
            field = names[list(obj).index(key)]
            bad.append({"line": number, "field": field, "reason": nested,
                        **dict(zip(names, cells.values(), strict=True))})
            continue
        record: dict[str, object] = dict(zip(names, cells.values(), strict=True))
        record["line"] = number
        records.append(record)
    notes.extend(sorted(renamed))
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame({"line": []})
    cols = [c for c in frame.columns if c != "line"]
    out = pd.DataFrame({"line": frame["line"].astype(np.int64)})
    for col in cols:
        out[col] = frame[col].fillna("").astype("str")
    return out, bad


def _read_parquet(path: str, notes: list[str], data: bytes | None = None
                  ) -> tuple[pd.DataFrame, list[dict]]:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise InputError("reading .parquet needs pyarrow: pip install 'reconcile[parquet]'",
                         file=path) from None
    try:
        frame = pd.read_parquet(io.BytesIO(data) if data is not None else path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise InputError(f"not a readable parquet file ({exc})", file=path) from None
    return _parquet_text(frame, path, notes, 1), []


def _parquet_text(frame: pd.DataFrame, path: str, notes: list[str], first_line: int
                  ) -> pd.DataFrame:
    """A parquet table as cells of text, rows numbered from ``first_line``."""
    columns = normalise_header([str(c) for c in frame.columns])
    dupes = sorted({c for c in columns if c and columns.count(c) > 1})
    if dupes:
        raise InputError(f"duplicate column(s): {', '.join(dupes)}", file=path)
    names = _own_names(columns, path, notes)
    out = pd.DataFrame({"line": np.arange(first_line, first_line + len(frame), dtype=np.int64)})
    for name, col in zip(names, frame.columns, strict=True):
        out[name] = _text_column(frame[col])
    return out


def _text_column(values: pd.Series) -> pd.Series:
    """A parquet column as cells of text: strings as they are, missing as "",
    other values as :func:`_cell` writes them, once per distinct value."""
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        return values.fillna("").astype("str")
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    table = [_cell(v) for v in uniques.tolist()] + [""]
    return pd.Series(np.asarray(table, dtype=object)[codes], index=values.index).astype("str")


STDIN = "<stdin>"  # how messages name standard input


def sniff_format(data: bytes) -> str:
    """The suffix standard input stands for: '.parquet', '.jsonl' or '.csv'.

    Parquet starts with ``PAR1``; JSON lines with ``{`` (after a byte-order
    mark and blank space); anything else is read as CSV.
    """
    if data.startswith(b"PAR1"):
        return ".parquet"
    head = data[:4096]
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if head.startswith(bom):
            head = head[len(bom):]
            break
    text = head.replace(b"\x00", b"").lstrip()
    return ".jsonl" if text.startswith(b"{") else ".csv"


def read_bytes(path: Path, name: str) -> bytes:
    """A file's bytes; :class:`InputError` naming it when it cannot be read."""
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise InputError("is a directory, not a file", file=name) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=name) from None


def read_records(path: str | Path, *, strict_width: bool = False, data: bytes | None = None
                 ) -> tuple[pd.DataFrame, list[dict], list[str]]:
    """Read a table file into strings, with the 1-based ``line`` of each row.

    Returns the table, the rows that could not even be split into fields
    (as reject records) and reading warnings. CSV line numbers count the
    header as line 1; a quoted field spanning lines gives its row's first line.
    A CSV row longer than the header is a reject (unless its extra cells are
    blank); a shorter one is padded with blanks, or is a reject when
    ``strict_width`` is set. Column names are normalised (:func:`normalise_header`).

    ``data``, when given, is the file's content (standard input): ``path``
    only names it in messages, and the format is sniffed (:func:`sniff_format`).
    """
    p = Path(path)
    name = str(path)
    notes: list[str] = []
    if data is not None:
        suffix = sniff_format(data)
    else:
        if not p.exists():
            raise InputError("no such file", file=name)
        if p.is_dir():
            raise InputError("is a directory, not a claims file", file=name)
        suffix = p.suffix.lower()
    if suffix == ".parquet":
        frame, bad = _read_parquet(name, notes, data)
        return frame, bad, notes
    if suffix not in (".jsonl", ".ndjson", ".csv", ".tsv", ".txt", ""):
        raise InputError(f"unknown file type {suffix!r} (expected .csv, .tsv, .jsonl or .parquet)",
                         file=name)
    raw = read_bytes(p, name) if data is None else data
    if suffix not in (".jsonl", ".ndjson") and not strict_width:
        fast = _read_utf8_csv(name, raw, notes)
        if fast is not None:
            return fast, [], notes
    text, warning = decode_text(raw, name)
    del raw
    if warning:
        notes.append(warning)
    if suffix in (".jsonl", ".ndjson"):
        frame, bad = _read_jsonl(name, text, notes)
    else:
        frame, bad = _read_csv(name, text, notes, strict_width=strict_width)
    return frame, bad, notes


# -- byte ranges: reading one CSV as partitions ------------------------------------


def csv_ranges(path: str | Path, n: int) -> tuple[bytes, list[tuple[int, int]]] | None:
    """The header line and about ``n`` byte ranges of a CSV's body, each ending after a newline.

    None when the file cannot be read in ranges (not UTF-8 text the fast
    reader takes, or too small to split): read it whole instead.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
        with p.open("rb") as fh:
            head = fh.read(262144)
            if _utf8_head(head[len(codecs.BOM_UTF8):] if head.startswith(codecs.BOM_UTF8)
                          else head) is None or b"\n" not in head:
                return None
            header_end = head.index(b"\n") + 1
            cuts = [header_end]
            for i in range(1, n):
                at = max(header_end, size * i // n)
                fh.seek(at)
                tail = fh.read(1 << 20)
                nl = tail.find(b"\n")
                if nl < 0:
                    break
                cuts.append(max(cuts[-1], at + nl + 1))
    except OSError:
        return None
    cuts.append(size)
    ranges = [(a, b) for a, b in pairwise(cuts) if b > a]
    return head[:header_end], ranges or [(header_end, header_end)]


def count_lines(path: str | Path, start: int, end: int) -> int:
    """Newlines in bytes ``[start, end)`` of a file (the line offset of the next range)."""
    with Path(path).open("rb") as fh:
        fh.seek(start)
        return fh.read(end - start).count(b"\n")


def read_csv_range(path: str | Path, header: bytes, start: int, end: int, first_line: int
                   ) -> tuple[pd.DataFrame | None, list[str]]:
    """Rows in bytes ``[start, end)`` of a CSV whose body line ``first_line`` starts at ``start``.

    Returns the table (``line`` numbered as in the whole file) and reading
    notes; the table is None when the range is not one-line rows of UTF-8
    (a quoted field spanning lines, a blank line, bad bytes): the caller then
    reads the whole file with :func:`read_records`.
    """
    with Path(path).open("rb") as fh:
        fh.seek(start)
        body = fh.read(end - start)
    notes: list[str] = []
    frame = _read_utf8_csv(str(path), header + body, notes)
    if frame is None:
        return None, notes
    frame["line"] += first_line - 2
    return frame, notes


# -- row groups: reading one parquet file as partitions ------------------------------


def parquet_groups(path: str | Path, n: int) -> list[tuple[list[int], int]] | None:
    """About ``n`` runs of a parquet file's row groups, each with the line (1-based row
    number) of its first row; None when the file cannot be read that way."""
    try:
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(str(path)).metadata
    except Exception:  # an unreadable file: the whole read gives the message
        return None
    rows = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    if len(rows) < 2:
        return None
    bounds = np.linspace(0, len(rows), min(n, len(rows)) + 1).astype(int)
    firsts = np.cumsum([1, *rows])
    return [(list(range(a, b)), int(firsts[a])) for a, b in pairwise(bounds) if b > a]


def read_parquet_groups(path: str | Path, groups: list[int], first_line: int
                        ) -> tuple[pd.DataFrame, list[str]]:
    """Rows of the given row groups of a parquet file as text, numbered as in the whole file."""
    import pyarrow.parquet as pq

    notes: list[str] = []
    try:
        frame = pq.ParquetFile(str(path)).read_row_groups(groups).to_pandas()
    except (OSError, ValueError) as exc:
        raise InputError(f"not a readable parquet file ({exc})", file=str(path)) from None
    return _parquet_text(frame, str(path), notes, first_line), notes
