"""What a run hands to people: its tables, report.html, and what explain and summary print."""

from __future__ import annotations

from .claimreview import export_claimreview
from .diff import diff_runs
from .html import build_report, write_report
from .reasons import claim_reasons, rank_for_review
from .tables import read_tables, write_tables

__all__ = ["build_report", "claim_reasons", "diff_runs", "export_claimreview", "rank_for_review",
           "read_tables", "write_report", "write_tables"]
