"""The run's tables: events.csv, claims.csv, rejects.csv in the output folder."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..io.write import output_folder, write_csv

__all__ = ["write_tables"]


def write_tables(outdir: str | Path, tables: Mapping[str, pd.DataFrame]) -> dict[str, Path]:
    """Write each ``name -> table`` as ``outdir/name.csv``; returns the paths."""
    root = output_folder(outdir)
    return {name: write_csv(frame, root / f"{name}.csv") for name, frame in tables.items()}
