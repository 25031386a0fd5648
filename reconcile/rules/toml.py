"""Reading rule files: TOML rows with their line numbers, problems collected.

Every rule loader (core rules, the extractor's, places) reads through
:class:`TomlReader`, so every problem is reported the same way:
``file:line: key: message``, all of them at once.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..core.text import words

__all__ = ["Problems", "TomlReader", "key_line", "read_phrase", "row_lines", "toml_error"]


class Problems:
    """Collects problems as ``file:line: key: message`` strings.

    A problem with the file as a whole (not found, not TOML) has no key:
    ``file:line: message``, or ``file: message`` without a line.
    """

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, file: str, line: int | None, key: str | None, message: str) -> None:
        where = f"{file}:{line}" if line else file
        self.items.append(f"{where}: {key}: {message}" if key else f"{where}: {message}")


# tomllib (before Python 3.14) puts the place in the message: "... (at line 229, column 6)".
_TOML_PLACE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$|\s*\(at end of document\)$")


def toml_error(exc: tomllib.TOMLDecodeError, text: str) -> tuple[int | None, str]:
    """(line, message) for a TOML syntax error: the line apart, the column in the message."""
    message = str(exc)
    m = _TOML_PLACE.search(message)
    if m is None:
        return getattr(exc, "lineno", None), message
    message = message[:m.start()]
    if m.group(1) is None:  # at the end of the document
        return text.count("\n") + (0 if text.endswith("\n") else 1) or None, message
    return int(m.group(1)), f"{message} (column {m.group(2)})"


def row_lines(text: str, table: str) -> list[int]:
    """1-based line numbers of each ``[[table]]`` header, in order."""
    header = f"[[{table}]]"
    return [i for i, line in enumerate(text.splitlines(), 1) if line.strip() == header]


def key_line(text: str, key: str) -> int | None:
    for i, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped == f"[{key}]" or stripped.startswith(f"{key} ") or stripped.startswith(f"{key}="):
            return i
    return None


class TomlReader:
    """Reads one TOML file's rows, checking types and recording problems."""

    def __init__(self, path: Path, problems: Problems) -> None:
        self.name = str(path)
        self.problems = problems
        self.text = ""
        self.data: dict[str, Any] = {}
        try:
            self.text = path.read_text(encoding="utf-8")
            self.data = tomllib.loads(self.text)
        except FileNotFoundError:
            problems.add(self.name, None, None, "file not found")
        except IsADirectoryError:
            problems.add(self.name, None, None, "is a folder, not a rule file")
        except OSError as exc:
            problems.add(self.name, None, None, f"cannot read: {exc.strerror or exc}")
        except UnicodeDecodeError as exc:
            problems.add(self.name, None, None, f"not UTF-8 text ({exc.reason})")
        except tomllib.TOMLDecodeError as exc:
            line, message = toml_error(exc, self.text)
            problems.add(self.name, line, None, f"not valid TOML: {message}")

    def rows(self, table: str) -> Iterable[tuple[int | None, str, dict[str, Any]]]:
        rows = self.data.get(table, [])
        if not isinstance(rows, list):
            self.problems.add(self.name, key_line(self.text, table), table,
                              f"expected [[{table}]] rows")
            return
        lines = row_lines(self.text, table)
        for i, row in enumerate(rows):
            line = lines[i] if i < len(lines) else None
            yield line, f"{table}[{i}]", row

    def get(self, row: dict[str, Any], line: int | None, key: str, name: str, kind: type | tuple,
            *, required: bool = True, default: Any = None) -> Any:
        if name not in row:
            if required:
                self.problems.add(self.name, line, f"{key}.{name}", "missing")
            return default
        value = row[name]
        # TOML booleans are Python ints; only a bool key may hold one.
        ok = isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
        if not ok:
            want = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            self.problems.add(self.name, line, f"{key}.{name}",
                              f"expected {want}, got {type(value).__name__} {value!r}")
            return default
        return value

    def unknown_keys(self, row: dict[str, Any], line: int | None, key: str,
                     known: Iterable[str]) -> None:
        for name in sorted(set(row) - set(known)):
            self.problems.add(self.name, line, f"{key}.{name}",
                              f"unknown key (known: {', '.join(sorted(known))})")


def read_phrase(reader: TomlReader, row: dict, line: int | None, key: str,
            name: str = "phrase") -> tuple[str, tuple[str, ...]] | None:
    phrase = reader.get(row, line, key, name, str)
    if phrase is None:
        return None
    tokens = words(phrase)
    if not tokens:
        reader.problems.add(reader.name, line, f"{key}.{name}", "empty phrase")
        return None
    return phrase, tokens
