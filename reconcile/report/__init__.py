"""Output tables (and later the HTML report)."""

from __future__ import annotations

from .tables import (
    atomic_write_text,
    neutralise_formulas,
    write_csv,
    write_tables,
)

__all__ = [
    "atomic_write_text",
    "neutralise_formulas",
    "write_csv",
    "write_tables",
]
