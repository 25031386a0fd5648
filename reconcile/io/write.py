"""Writers: every output file goes through here.

Writers are the I/O edge of the pipeline. Every file is written to a
temporary file in the target folder and renamed into place, so a reader
never sees half a file and a failed run leaves the old output whole.
Text from articles is untrusted: a cell that a spreadsheet would run as a
formula gets a leading apostrophe. A new file gets the mode the user's
umask gives any new file (not the temporary file's 0600); a file that is
replaced keeps its mode.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from pathlib import Path

import pandas as pd

from ..errors import OutputError

__all__ = ["atomic_write_text", "csv_text", "neutralise_formulas", "output_folder", "write_csv"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A signed plain number ("-5", "+1,200", "-0.5"): a spreadsheet reads it as that
# number and runs nothing, so it is written as it was.
_SIGNED_NUMBER = re.compile(r"[+-](?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


def _neutralise_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START) \
            and not _SIGNED_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would evaluate ("=HYPERLINK(...)").

    Only text columns are touched: numbers such as -1 stay numbers, and a
    text cell that is a plain signed number ("-5", "+1,200") is left as it is.
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
    if target.is_dir():
        raise OutputError("is a folder, not a file", file=str(target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write here: {exc.strerror or exc}", file=str(target)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fchmod(fh.fileno(), _new_file_mode(target))
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write: {exc.strerror or exc}", file=str(target)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process umask, read without changing it where Linux says it."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: read it by setting it, and put it back
    os.umask(mask)
    return mask


def _new_file_mode(target: Path) -> int:
    """The mode ``target`` should have: its own when it exists, else 0666 less the umask."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


def output_folder(path: str | Path) -> Path:
    """The folder ``path``, made if missing; :class:`OutputError` when it cannot be one.

    An existing file there, or a folder that cannot be made, is one clear
    error naming the path (exit status 1), before any work is done.
    """
    root = Path(path)
    if root.exists() and not root.is_dir():
        raise OutputError("is a file, not a folder; give a folder for the output files",
                          file=str(root))
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make the output folder: {exc.strerror or exc}",
                          file=str(root)) from None
    return root


def csv_text(frame: pd.DataFrame) -> str:
    """One table as CSV text, formulas neutralised: what :func:`write_csv` writes."""
    return neutralise_formulas(frame).to_csv(index=False, lineterminator="\n")


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write one table as UTF-8 CSV, atomically, formulas neutralised."""
    atomic_write_text(path, csv_text(frame))
    return Path(path)
