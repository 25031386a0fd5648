"""The run's tables: events.csv, claims.csv, rejects.csv in the output folder."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..errors import OutputError
from ..io.write import write_csv

__all__ = ["write_tables"]


def write_tables(outdir: str | Path, tables: Mapping[str, pd.DataFrame]) -> dict[str, Path]:
    """Write each ``name -> table`` as ``outdir/name.csv``; returns the paths."""
    root = Path(outdir)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make the output folder: {exc.strerror or exc}",
                          file=str(root)) from None
    return {name: write_csv(frame, root / f"{name}.csv") for name, frame in tables.items()}
