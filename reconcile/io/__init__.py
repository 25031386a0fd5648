"""Reading inputs and writing outputs."""

from __future__ import annotations

from .articles import (
    ArticleInput,
    ExtractReport,
    decode_bytes,
    read_articles,
    write_claims,
)

__all__ = [
    "ArticleInput",
    "ExtractReport",
    "decode_bytes",
    "read_articles",
    "write_claims",
]
