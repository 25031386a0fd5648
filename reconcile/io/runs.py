"""Reading a run's output folder back: the tables ``reconcile run`` wrote.

``history``, ``diff`` and ``export`` work from output folders alone, so that
a published figure can be examined (and compared with a later run) without
the inputs. Every table is read as text (no type guessing: ids stay ids,
"0012" stays "0012"), with blanks as empty strings; the formula guard's
apostrophe is taken off what the writer added it to.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from ..errors import InputError

__all__ = ["read_run", "read_run_table"]

_GUARDED = ("'=", "'+", "'-", "'@", "'\t", "'\r")


def read_run_table(outdir: str | Path, name: str, *, required: bool = True
                   ) -> pd.DataFrame | None:
    """``outdir/name.csv`` as a table of strings (None when absent and not ``required``).

    Raises :class:`InputError` naming the folder when the folder is missing,
    or the file is missing and required, or cannot be read as CSV.
    """
    root = Path(outdir)
    if not root.is_dir():
        raise InputError("is not a run folder (no such folder)", file=str(outdir))
    path = root / f"{name}.csv"
    if not path.is_file():
        if not required:
            return None
        raise InputError(f"no {name}.csv: not a folder written by reconcile run", file=str(root))
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False,
                            quoting=csv.QUOTE_MINIMAL, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(f"cannot read it as a table: {exc}", file=str(path)) from None
    for col in table.columns:
        values = table[col]
        guarded = values.str.startswith(_GUARDED)
        if guarded.any():
            table.loc[guarded, col] = values[guarded].str[1:]
    return table


def read_run(outdir: str | Path, names: tuple[str, ...] = ("events", "claims"),
             optional: tuple[str, ...] = ()) -> dict[str, pd.DataFrame | None]:
    """The tables ``names`` (required) and ``optional`` of a run folder, by name."""
    out: dict[str, pd.DataFrame | None] = {n: read_run_table(outdir, n) for n in names}
    out.update({n: read_run_table(outdir, n, required=False) for n in optional})
    return out
