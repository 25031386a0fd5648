"""The engine interface: what a backend must do to run reconcile's block functions.

A backend is a small abstract class (splink's pattern): partitions in,
partitions out, and a few methods. Everything else, the pipeline's plan
(:mod:`reconcile.engine.plan`), is shared and engine-agnostic, so results
are identical whichever engine runs them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Engine", "Parts", "PerPart", "bucket_of", "concat_pieces", "split_by_bucket"]

# An engine's handle on a partitioned table (or on per-partition values):
# a list of DataFrames for the local engine, a list of futures for Dask.
Parts = list[Any]


class PerPart(list):
    """An argument of :meth:`Engine.map_partitions` that holds one value per partition."""


class Engine(ABC):
    """Runs functions over partitions of a table.

    Required: :meth:`scatter`, :meth:`broadcast`, :meth:`map_partitions`,
    :meth:`gather`. :meth:`shuffle` and :meth:`reduce` are written once,
    here, in terms of those; a backend may do better.
    """

    name: str = "engine"

    def __init__(self, partitions: int = 1) -> None:
        if partitions < 1:
            raise ValueError("partitions must be at least 1")
        self.partitions = partitions

    @abstractmethod
    def scatter(self, items: Sequence[Any]) -> Parts:
        """Place each item (a partition, or a description of one) with a worker."""

    @abstractmethod
    def broadcast(self, value: Any) -> Any:
        """A handle on ``value`` that every task may take as an argument, sent once per worker."""

    @abstractmethod
    def map_partitions(self, fn: Callable[..., Any], parts: Parts, *args: Any,
                       **kwargs: Any) -> Parts:
        """``fn(part, *args, **kwargs)`` for each partition. An argument may be a
        :meth:`broadcast` handle, a plain value, or a :class:`PerPart` list (its
        i-th item goes to the i-th call)."""

    @abstractmethod
    def gather(self, parts: Parts) -> list[Any]:
        """The partitions' values, in order, on the caller."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release workers the engine started."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- shared logic ---------------------------------------------------------

    def shuffle(self, parts: Parts, key: str) -> Parts:
        """Repartition so that rows with equal ``key`` share a partition.

        Each partition is split into ``self.partitions`` pieces by a stable
        hash of the key (:func:`bucket_of`), then piece i of every partition
        becomes partition i, in partition order.
        """
        n = self.partitions
        pieces = self.map_partitions(split_by_bucket, parts, key, n)
        return [self.combine(pieces, i) for i in range(n)]

    def combine(self, pieces: Parts, i: int) -> Any:
        """Partition ``i`` of a shuffle: piece ``i`` of every split, concatenated."""
        return concat_pieces([p[i] for p in self.gather(pieces)])

    def reduce(self, parts: Parts, each: Callable[..., Any], combine: Callable[[list[Any]], Any],
               *args: Any) -> Any:
        """``combine([each(part, *args) for part in parts])``: a global reduce of small values."""
        return combine(self.gather(self.map_partitions(each, parts, *args)))


def bucket_of(values: pd.Series, n: int) -> np.ndarray:
    """A stable bucket in ``range(n)`` per value: the same in every process and run
    (pandas' hash of the text, not Python's salted ``hash``)."""
    if n == 1:
        return np.zeros(len(values), dtype=np.int64)
    hashed = pd.util.hash_pandas_object(values.astype("str"), index=False).to_numpy()
    return (hashed % np.uint64(n)).astype(np.int64)


def split_by_bucket(part: pd.DataFrame, key: str, n: int) -> list[pd.DataFrame]:
    """``part`` cut into ``n`` pieces by :func:`bucket_of` its ``key`` column, rows in order."""
    buckets = bucket_of(part[key], n)
    order = np.argsort(buckets, kind="stable")
    bounds = np.searchsorted(buckets[order], np.arange(n + 1))
    return [part.iloc[order[bounds[i]:bounds[i + 1]]].reset_index(drop=True) for i in range(n)]


def concat_pieces(pieces: list[pd.DataFrame]) -> pd.DataFrame:
    nonempty = [p for p in pieces if len(p)]
    if not nonempty:
        return pieces[0]
    return pd.concat(nonempty, ignore_index=True) if len(nonempty) > 1 else nonempty[0]
