"""Reading inputs and writing outputs: one records reader, the article reader, atomic writers."""

from __future__ import annotations

from .articles import ArticleInput, ExtractReport, read_articles, split_header, write_claims
from .records import (
    MAX_FIELD_CHARS,
    csv_rows,
    decode_text,
    json_lines,
    normalise_header,
    read_records,
    sniff_delimiter,
)
from .write import atomic_write_text, neutralise_formulas, write_csv

__all__ = [
    "MAX_FIELD_CHARS",
    "ArticleInput",
    "ExtractReport",
    "atomic_write_text",
    "csv_rows",
    "decode_text",
    "json_lines",
    "neutralise_formulas",
    "normalise_header",
    "read_articles",
    "read_records",
    "sniff_delimiter",
    "split_header",
    "write_claims",
    "write_csv",
]
