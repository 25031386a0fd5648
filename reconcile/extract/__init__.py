"""Article text -> casualty claims."""

from __future__ import annotations

from .engine import (
    ExtractReport,
    extract_article,
    extract_files,
    read_articles,
    write_claims,
)

__all__ = [
    "ExtractReport",
    "extract_article",
    "extract_files",
    "read_articles",
    "write_claims",
]
