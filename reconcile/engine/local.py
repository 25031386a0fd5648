"""The default engine: every partition in this process, with pandas."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .base import Engine, Parts, PerPart

__all__ = ["LocalEngine"]


class LocalEngine(Engine):
    """In-process pandas: partitions are DataFrames in a list, tasks are calls.

    With one partition (the default) a run is the plain single-machine
    pipeline; more partitions run the same plan the distributed engine runs,
    in this process (what the identical-results test compares against).
    """

    name = "local"

    def scatter(self, items: Sequence[Any]) -> Parts:
        return list(items)

    def broadcast(self, value: Any) -> Any:
        return value

    def map_partitions(self, fn: Callable[..., Any], parts: Parts, *args: Any,
                       **kwargs: Any) -> Parts:
        out = []
        for i, part in enumerate(parts):
            call_args = [a[i] if isinstance(a, PerPart) else a for a in args]
            out.append(fn(part, *call_args, **kwargs))
        return out

    def gather(self, parts: Parts) -> list[Any]:
        return list(parts)
