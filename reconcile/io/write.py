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
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import OutputError

__all__ = ["atomic_write_bytes", "atomic_write_text", "csv_bytes", "csv_chunks", "csv_text",
           "neutralise_formulas", "output_folder", "write_csv"]

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
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: str | Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` (bytes, or pieces of bytes) to ``path`` via a temporary file,
    fsync and a rename.

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
        with os.fdopen(fd, "wb") as fh:
            for piece in [data] if isinstance(data, bytes) else data:
                fh.write(piece)
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
    return csv_bytes(frame).decode("utf-8")


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write one table as UTF-8 CSV, atomically, formulas neutralised."""
    atomic_write_bytes(path, csv_chunks(frame))
    return Path(path)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """One table as UTF-8 CSV bytes, formulas neutralised (see :func:`csv_chunks`)."""
    return b"".join(csv_chunks(frame))


# Rows per chunk of the column-wise writer: bounds its memory to a few
# tens of megabytes, whatever the table's length.
_CHUNK_ROWS = 1 << 17


def csv_chunks(frame: pd.DataFrame) -> Iterator[bytes]:
    """One table as UTF-8 CSV, in pieces of bytes, formulas neutralised.

    Byte for byte what ``neutralise_formulas(frame).to_csv(index=False,
    lineterminator="\\n")`` writes, built column-wise with pyarrow's compute
    functions (one Python call per distinct number, none per cell), a slice
    of rows at a time; pandas writes it when pyarrow is missing or a column
    holds values other than text, numbers and booleans.
    """
    arrow = _arrow_writer(frame)
    if arrow is None:
        yield neutralise_formulas(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")
        return
    pa, pc = arrow
    header = ",".join(_quote_name(str(n)) for n in frame.columns)
    yield (header + "\n").encode("utf-8")
    for start in range(0, len(frame), _CHUNK_ROWS):
        yield _csv_rows(frame.iloc[start:start + _CHUNK_ROWS], pa, pc)


def _quote_chars() -> str:
    """The characters that make pandas quote a cell (its csv writer's rule, probed once)."""
    probe = ["a,", 'a"', "a\n", "a\r", "a\t", "a;"]
    written = pd.DataFrame({"x": probe, "y": ""}).to_csv(index=False, lineterminator="\n")
    return "".join(p[1] for p in probe if '"' + p.replace('"', '""') + '"' in written)


_QUOTE_CHARS: list[str] = []


def _quoting() -> str:
    if not _QUOTE_CHARS:
        _QUOTE_CHARS.append(_quote_chars())
    return _QUOTE_CHARS[0]


def _quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"' if any(c in name for c in _quoting()) else name


def _arrow_writer(frame: pd.DataFrame) -> tuple[Any, Any] | None:
    """pyarrow's modules when the column-wise writer can write ``frame``, else None."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow is a dependency; this is a fallback
        return None
    if len(frame.columns) < 2 or len(frame) == 0 or frame.columns.duplicated().any():
        return None  # pandas' special cases (a lone empty cell is written "")
    for name in frame.columns:
        dtype = frame[name].dtype
        if pd.api.types.is_object_dtype(dtype):
            kind = pd.api.types.infer_dtype(frame[name].to_numpy(), skipna=True)
            if kind not in ("string", "empty"):
                return None
        elif not (pd.api.types.is_string_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
                  or pd.api.types.is_numeric_dtype(dtype)):
            return None
    return pa, pc


def _csv_rows(frame: pd.DataFrame, pa: Any, pc: Any) -> bytes:
    """The CSV lines of ``frame``'s rows (no header), each ending in a newline."""
    quote_chars = _quoting()

    def quoted(arr: Any) -> Any:
        if not _may_hold(arr, quote_chars):
            return arr
        needs = None
        for c in quote_chars:
            hit = pc.match_substring(arr, c)
            needs = hit if needs is None else pc.or_(needs, hit)
        if needs is None or not pc.any(needs).as_py():
            return arr
        if isinstance(arr, pa.ChunkedArray):
            arr, needs = arr.combine_chunks(), needs.combine_chunks()
        rows = pc.filter(arr, needs)
        wrapped = pc.binary_join_element_wise('"', pc.replace_substring(rows, '"', '""'), '"', "")
        return pc.replace_with_mask(arr, needs, wrapped)

    texts = [quoted(_column_text(frame[name], pa, pc)) for name in frame.columns]
    # Cells joined by commas, then "\n" after each row: the string data buffer of
    # a contiguous array is then the CSV lines themselves.
    rows = pc.binary_join_element_wise(pc.binary_join_element_wise(*texts, ","), "", "\n")
    if isinstance(rows, pa.ChunkedArray):
        rows = rows.combine_chunks()
    rows = rows.cast(pa.large_string())
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64)[rows.offset:rows.offset + len(rows) + 1]
    return bytes(memoryview(rows.buffers()[2])[int(offsets[0]):int(offsets[-1])])


def _column_text(col: pd.Series, pa: Any, pc: Any) -> Any:
    """A column as a pyarrow string array of its CSV cells (before quoting), or None."""
    dtype = col.dtype
    if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        # Integers print one way: pyarrow's cast writes what pandas writes.
        ints = pa.array(col.array if isinstance(dtype, pd.api.extensions.ExtensionDtype)
                        else col.to_numpy(), from_pandas=True)
        return pc.fill_null(pc.cast(ints, pa.string()), "")
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        # Each distinct value as pandas writes it: a two-column frame of the values.
        written = pd.DataFrame({"v": uniques, "w": 0}).to_csv(
            index=False, header=False, lineterminator="\n").split("\n")[:-1]
        table = [w[:-2] for w in written] + [""]
        return pa.array(np.asarray(table, dtype=object)[codes], type=pa.string())
    if pd.api.types.is_object_dtype(dtype):
        values = col.to_numpy()
        if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
            return None
        text = pa.array(values, type=pa.string(), from_pandas=True)
    elif pd.api.types.is_string_dtype(dtype):
        text = pa.array(col.array, type=pa.string())
    else:
        return None
    text = pc.fill_null(text, "")
    # The formula guard: only cells that start like a formula are looked at in Python.
    if not _may_hold(text, "".join(_FORMULA_START)):
        return text
    first = pc.utf8_slice_codeunits(text, 0, 1)
    risky = pc.is_in(first, value_set=pa.array(list(_FORMULA_START)))
    if pc.any(risky).as_py():
        hit = np.flatnonzero(risky.to_numpy(zero_copy_only=False))
        cells = text.to_numpy(zero_copy_only=False).astype(object)
        cells[hit] = [_neutralise_cell(c) for c in cells[hit]]
        text = pa.array(cells, type=pa.string())
    return text


def _may_hold(arr: object, chars: str) -> bool:
    """Whether any of ``chars`` occurs in the string data behind ``arr`` (a bulk byte
    search; True may be a false alarm, False is certain)."""
    chunks = getattr(arr, "chunks", None) or [arr]
    needles = [c.encode("utf-8") for c in chars]
    for chunk in chunks:
        data = chunk.buffers()[2]
        if data is None:
            continue
        raw = data.to_pybytes()
        if any(n in raw for n in needles):
            return True
    return False
