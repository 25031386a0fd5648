"""Writers: every output file goes through here.

Writers are the I/O edge of the pipeline. Every file is written to a
temporary file in the target folder and renamed into place, so a reader
never sees half a file and a failed run leaves the old output whole.
Text from articles is untrusted: a cell that a spreadsheet would run as a
formula gets a leading apostrophe.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from ..errors import OutputError

__all__ = ["atomic_write_text", "neutralise_formulas", "write_csv"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutralise_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would evaluate ("=HYPERLINK(...)").

    Only text columns are touched: numbers such as -1 stay numbers.
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(_neutralise_cell)
    return out


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file, fsync and a rename.

    Raises :class:`OutputError` naming the file when it cannot be written.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write here: {exc.strerror or exc}", file=str(target)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write: {exc.strerror or exc}", file=str(target)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write one table as UTF-8 CSV, atomically, formulas neutralised."""
    text = neutralise_formulas(frame).to_csv(index=False, lineterminator="\n")
    atomic_write_text(path, text)
    return Path(path)
