"""One exception base for the whole package.

Every error a user can cause carries where it happened (file, line, field)
so the CLI can print one clear line and exit 1.
"""

from __future__ import annotations

__all__ = ["InputError", "IntegrityError", "OutputError", "ReconcileError", "RulesError"]


class ReconcileError(Exception):
    """Base of every error ``reconcile`` raises on bad input."""


class InputError(ReconcileError):
    """A claims or article file that cannot be read.

    ``file``, ``line`` (1-based) and ``field`` say where, when known.
    """

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.file, self.line, self.field, self.reason = file, line, field, message
        where = ":".join(str(p) for p in (file, line) if p is not None)
        prefix = f"{where}: " if where else ""
        column = f"column {field!r}: " if field else ""
        super().__init__(f"{prefix}{column}{message}")


class RulesError(ReconcileError):
    """Rule files with problems; ``problems`` lists every one found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        head = f"{len(problems)} problem(s) in the rules"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in problems))


class OutputError(ReconcileError):
    """An output file that cannot be written (``file`` says which)."""

    def __init__(self, message: str, *, file: str | None = None) -> None:
        self.file = file
        super().__init__(f"{file}: {message}" if file else message)


class IntegrityError(ReconcileError):
    """A run folder whose outputs, inputs or rules no longer match its manifest."""

    def __init__(self, message: str, *, file: str | None = None) -> None:
        self.file = file
        super().__init__(f"{file}: {message}" if file else message)
