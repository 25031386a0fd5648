"""Progress of long work, reported to whoever asked for it.

The library never prints: :func:`reconcile.pipeline.run` and
:func:`reconcile.extract.extract_files` take a ``progress`` object and
announce their stages through it ("loading", "grouping", ...). The default,
:data:`NO_PROGRESS`, does nothing. The command line passes a
:class:`TerminalProgress`, which draws the stages with ``rich`` on standard
error, only when standard error is a terminal, so standard output carries
nothing but results and a log file gets no control codes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

__all__ = ["NO_PROGRESS", "NoProgress", "Progress", "TerminalProgress"]

Advance = Callable[..., None]  # advance(n=1): n more items of the stage done


class Progress(Protocol):
    """Announces stages of work: ``with progress.stage("grouping") as advance: ...``."""

    def stage(self, name: str, total: int | None = None) -> AbstractContextManager[Advance]:
        """A stage called ``name`` of ``total`` items (None: unknown); yields ``advance``."""
        ...


def _ignore(n: int = 1) -> None:
    return None


class NoProgress:
    """Progress that shows nothing: the default for library calls."""

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Advance]:
        yield _ignore


NO_PROGRESS = NoProgress()


class TerminalProgress:
    """Stages drawn with ``rich`` on standard error, when it is a terminal.

    Use as a context manager around the work. ``enabled=False`` (``--quiet``)
    or a standard error that is not a terminal draws nothing; ``rich``
    honours ``FORCE_COLOR`` and ``TERM=dumb`` as usual.
    """

    def __init__(self, enabled: bool = True) -> None:
        self._progress: Any = None
        if not enabled:
            return
        from rich.console import Console  # imported only when progress is drawn

        console = Console(stderr=True)
        if not console.is_terminal:
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as RichProgress

        self._progress = RichProgress(SpinnerColumn(), TextColumn("{task.description}"),
                                      BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                      console=console, transient=True)

    @property
    def enabled(self) -> bool:
        return self._progress is not None

    def __enter__(self) -> TerminalProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Advance]:
        progress = self._progress
        if progress is None:
            yield _ignore
            return
        task = progress.add_task(name, total=total)

        def advance(n: int = 1) -> None:
            progress.advance(task, n)

        try:
            yield advance
        finally:
            progress.update(task, completed=total if total is not None else 1,
                            total=total if total is not None else 1)
