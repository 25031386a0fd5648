"""What a run hands to people: its tables (and later the HTML report and explain)."""

from __future__ import annotations

from .tables import write_tables

__all__ = ["write_tables"]
