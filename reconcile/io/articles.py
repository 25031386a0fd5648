"""Reading articles for ``reconcile extract`` and writing its claims table.

The only part of the extractor that touches files. Every problem with one
file (binary, empty, undecodable, too large, a bad JSON line) becomes a
message naming the file (and line); the other files are still read.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InputError
from .records import (
    csv_reader,
    csv_rows,
    decode_text,
    json_lines,
    json_loads,
    nested_field,
    normalise_header,
    read_bytes,
    sniff_delimiter,
)
from .write import csv_text, write_csv

__all__ = [
    "ArticleInput",
    "ExtractReport",
    "claims_csv_text",
    "read_articles",
    "split_header",
    "write_claims",
]

MAX_ARTICLE_CHARS = 5_000_000
_HEADER_KEYS = ("outlet", "published", "url", "title", "date", "id")
# Possessive runs only: linear on any line.
_HEADER_LINE = re.compile(r"[ \t]*+([A-Za-z_]++)[ \t]*+:[ \t]*+([^\n]*+)")
_LEADING_DATE = re.compile(r"\s{0,20}+date[ \t]++(\d{4}-\d{2}-\d{2})\b")
TEXT_SUFFIXES = (".txt", ".text", ".md", "")
_INT_COLUMNS = ("low", "high", "anchor")


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """One article to read: its id, text and metadata, and where it came from."""

    id: str
    text: str
    published: str | None = None
    outlet: str | None = None
    url: str | None = None
    title: str | None = None
    origin: str = ""


@dataclass
class ExtractReport:
    """What :func:`~reconcile.extract.extract_files` did."""

    output: Path | str  # the claims CSV, or "<stdout>"
    files: int = 0  # files given
    files_read: int = 0  # files that gave at least one article
    articles: int = 0
    claims: int = 0
    messages: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.claims} claim(s) from {self.articles} article(s) in "
                f"{self.files_read} of {self.files} file(s) -> {self.output}")

    def summary_dict(self) -> dict[str, object]:
        """The report as plain values (``reconcile extract --json``)."""
        return {"files": self.files, "files_read": self.files_read, "articles": self.articles,
                "claims": self.claims, "output": str(self.output),
                "messages": list(self.messages)}


def split_header(text: str) -> tuple[dict[str, str], str]:
    """Leading ``key: value`` lines up to a blank line, and the body after them.

    Keys are ``outlet``, ``published`` (or ``date``), ``url``, ``title`` and
    ``id``. Without such lines the text is all body. A first line
    ``date 2024-12-02 ...`` (as some feeds write it) gives ``published`` but
    stays in the body.

    >>> split_header("outlet: BBC\\npublished: 2024-12-02\\n\\nText.")
    ({'outlet': 'BBC', 'published': '2024-12-02'}, 'Text.')
    """
    fields: dict[str, str] = {}
    pos = 0
    lines = 0
    while pos < len(text) and lines < 20:
        nl = text.find("\n", pos)
        line_end = len(text) if nl < 0 else nl
        line = text[pos:line_end]
        if not line.strip():
            if fields:
                return fields, text[line_end + 1:] if nl >= 0 else ""
            break
        m = _HEADER_LINE.fullmatch(line.rstrip("\r"))
        if not m or m.group(1).lower() not in _HEADER_KEYS or \
                (m.group(1).lower() == "url" and not m.group(2)):
            break
        key = m.group(1).lower()
        fields["published" if key == "date" else key] = m.group(2).strip()
        pos = line_end + 1
        lines += 1
    if fields and pos >= len(text):
        return fields, ""
    if fields:
        # Header lines without the blank line after them: still a header.
        return fields, text[pos:]
    m = _LEADING_DATE.match(text)
    if m:
        return {"published": m.group(1)}, text
    return {}, text


def _clean(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    text = str(value).strip()
    return text or None


_ARTICLE_FIELDS = ("text", "id", "published", "outlet", "url", "title")


def _article(record: dict, *, fallback_id: str, origin: str, defaults: dict,
             max_chars: int, messages: list[str]) -> ArticleInput | None:
    nested = nested_field(record, [f for f in _ARTICLE_FIELDS if f in record])
    if nested is not None:
        messages.append(f"{origin}: {nested}; skipped")
        return None
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        messages.append(f"{origin}: no article text (field 'text' is missing or empty)")
        return None
    if len(text) > max_chars:
        messages.append(f"{origin}: article is {len(text):,} characters, over the limit of "
                        f"{max_chars:,}; skipped (raise max_chars to read it)")
        return None
    return ArticleInput(
        id=_clean(record.get("id")) or fallback_id, text=text,
        published=_clean(record.get("published")) or defaults.get("published"),
        outlet=_clean(record.get("outlet")) or defaults.get("outlet"),
        url=_clean(record.get("url")) or defaults.get("url"),
        title=_clean(record.get("title")) or None, origin=origin)


def read_articles(path: str | Path, *, outlet: str | None = None, published: str | None = None,
                  url: str | None = None, max_chars: int = MAX_ARTICLE_CHARS,
                  data: bytes | None = None) -> tuple[list[ArticleInput], list[str]]:
    """The articles in one file, and a message for every part that could not be read.

    ``.txt`` (or ``.md``, no suffix): one article; optional ``outlet:``,
    ``published:``, ``url:``, ``title:`` header lines before a blank line.
    ``.jsonl``/``.ndjson``, ``.json`` (a list) and ``.csv``/``.tsv``: one
    article per record with fields ``id``, ``text``, ``published``,
    ``outlet``, ``url`` (and optionally ``title``). Values in the file win;
    the keyword arguments fill what a file leaves out.

    ``data``, when given, is the content (standard input): ``path`` only
    names it, and a first ``{`` makes it JSON lines, a first ``[`` a JSON
    list, anything else one text article.

    Raises
    ------
    InputError
        When the file as a whole cannot be read (missing, unreadable, binary,
        empty, undecodable, unknown type).
    """
    p = Path(path)
    name = str(path)
    defaults = {"outlet": outlet, "published": published, "url": url}
    if data is not None:
        suffix = _sniff_articles(data)
        size = len(data)
    else:
        if not p.exists():
            raise InputError("no such file", file=name)
        if p.is_dir():
            raise InputError("is a directory, not an article file", file=name)
        suffix = p.suffix.lower()
        size = p.stat().st_size
    known = (*TEXT_SUFFIXES, ".jsonl", ".ndjson", ".json", ".csv", ".tsv")
    if suffix not in known:
        raise InputError(f"unknown file type {suffix!r} (expected .txt, .jsonl, .json or .csv)",
                         file=name)
    if suffix in TEXT_SUFFIXES and size > 4 * max_chars:
        raise InputError(f"is {size / 1e6:.1f} MB, over the limit of {max_chars:,} characters "
                         "for one article (raise max_chars to read it)", file=name)
    text, warning = decode_text(read_bytes(p, name) if data is None else data, name)
    messages = [warning] if warning else []
    if suffix in TEXT_SUFFIXES:
        header, body = split_header(text)
        record = {"text": body, **header}
        article = _article(record, fallback_id="stdin" if data is not None else p.stem,
                           origin=name, defaults=defaults,
                           max_chars=max_chars, messages=messages)
        return ([article] if article else []), messages
    if suffix in (".jsonl", ".ndjson"):
        records = _jsonl(text, name, messages)
    elif suffix == ".json":
        records = _json(text, name, messages)
    else:
        records = _csv(text, name, "\t" if suffix == ".tsv" else None)
    out = []
    for line, record in records:
        origin = f"{name}:{line}"
        stem = "stdin" if data is not None else p.stem
        article = _article(record, fallback_id=f"{stem}:{line}", origin=origin,
                           defaults=defaults, max_chars=max_chars, messages=messages)
        if article is not None:
            out.append(article)
    if not out and not messages:
        messages.append(f"{name}: no articles found")
    return out, messages


def _sniff_articles(data: bytes) -> str:
    """The suffix article text on standard input stands for: '.jsonl', '.json' or ''."""
    head = data[:4096]
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if head.startswith(bom):
            head = head[len(bom):]
            break
    head = head.replace(b"\x00", b"").lstrip()
    if head.startswith(b"{"):
        return ".jsonl"
    if head.startswith(b"["):
        return ".json"
    return ""


def _jsonl(text: str, name: str, messages: list[str]) -> Iterable[tuple[int, dict]]:
    for number, obj, error in json_lines(text):
        if error is not None:
            messages.append(f"{name}:{number}: {error}; line skipped")
            continue
        if not isinstance(obj, dict):
            messages.append(f"{name}:{number}: not a JSON object; line skipped")
            continue
        yield number, obj


def _json(text: str, name: str, messages: list[str]) -> Iterable[tuple[int, dict]]:
    try:
        data = json_loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", file=name, line=exc.lineno) from None
    except RecursionError:
        raise InputError("nested too deeply to read (thousands of levels of [ or {)",
                         file=name) from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise InputError("expected a JSON list of articles", file=name)
    out = []
    for i, obj in enumerate(data, 1):
        if isinstance(obj, dict):
            out.append((i, obj))
        else:
            messages.append(f"{name}:{i}: item {i} of the list is not a JSON object; skipped")
    return out


def _csv(text: str, name: str, delimiter: str | None) -> list[tuple[int, dict]]:
    if delimiter is None:
        delimiter = sniff_delimiter(text)
    reader = csv_reader(text, delimiter)
    try:
        columns = normalise_header(next(reader))
    except (StopIteration, csv.Error) as exc:
        raise InputError(f"cannot read the CSV header ({exc})", file=name, line=1) from None
    if "text" not in columns:
        raise InputError(f"no 'text' column (found: {', '.join(columns) or 'none'})",
                         file=name, line=1)
    out = []
    for start, row, error in csv_rows(reader):
        if error is not None:
            raise InputError(f"unreadable CSV row ({error})", file=name, line=start)
        out.append((start, dict(zip(columns, row, strict=False))))
    return out


def claims_frame(rows: Sequence[dict], columns: Sequence[str]) -> pd.DataFrame:
    """Rows as a table sorted by (article_id, span), bounds as nullable integers."""
    frame = pd.DataFrame(list(rows), columns=list(columns))
    if len(frame):
        span = frame["span"].astype(str).str.partition("-")
        # A claim read from the title has no span in the body: it sorts first.
        frame["_s"] = pd.to_numeric(span[0], errors="coerce").fillna(-1)
        frame["_e"] = pd.to_numeric(span[2], errors="coerce").fillna(-1)
        frame = frame.sort_values(["article_id", "_s", "_e", "claim_id"], kind="stable")
        frame = frame.drop(columns=["_s", "_e"]).reset_index(drop=True)
    for col in _INT_COLUMNS:
        if col in frame.columns:
            frame[col] = pd.array([None if v is None or v != v else int(v)
                                   for v in frame[col].tolist()], dtype="Int64")
    return frame


def write_claims(rows: Sequence[dict], output: str | Path, columns: Sequence[str]) -> Path:
    """Write the claims table to ``output`` atomically (temp file + rename)."""
    frame = claims_frame(rows, columns)
    # Integer columns stay numbers; text cells get the formula guard in write_csv.
    return write_csv(frame, output)


def claims_csv_text(rows: Sequence[dict], columns: Sequence[str]) -> str:
    """The claims table as CSV text, formulas neutralised (for standard output)."""
    return csv_text(claims_frame(rows, columns))
