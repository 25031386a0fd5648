"""The distributed engine: the same plan on dask.distributed workers.

Imported only when asked for (``reconcile run --engine dask``); it needs
the ``dask`` extra: ``pip install 'reconcile[dask]'``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import ReconcileError
from .base import Engine, Parts, PerPart, concat_pieces, split_by_bucket

try:
    from distributed import Client, LocalCluster
except ImportError as exc:  # pragma: no cover - exercised by the import-message test
    raise ImportError("the dask engine needs dask.distributed: pip install 'reconcile[dask]'"
                      ) from exc

__all__ = ["DaskEngine"]


def _identity(value: Any) -> Any:
    return value


class DaskEngine(Engine):
    """Partitions are futures on dask.distributed workers.

    ``scheduler`` is the address of an existing cluster's scheduler
    ("tcp://10.0.0.5:8786"); without one a LocalCluster of ``workers``
    worker processes (one thread each) is started and closed with the engine.
    Every partition is made by a task (never scattered without lineage), so
    when a worker dies Dask recomputes what it held and the results are the
    same; after ``retries`` failures of one task the run stops with an error
    and writes nothing.
    """

    name = "dask"

    def __init__(self, partitions: int | None = None, *, scheduler: str | None = None,
                 workers: int = 2, memory_limit: str | None = None, retries: int = 3) -> None:
        self._cluster: LocalCluster | None = None
        try:
            if scheduler is None:
                self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                             processes=True, dashboard_address=None,
                                             memory_limit=memory_limit or "auto")
                self.client = Client(self._cluster)
            else:
                self.client = Client(scheduler, timeout="30s")
        except OSError as exc:
            raise ReconcileError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
        n_workers = len(self.client.scheduler_info().get("workers", {})) or workers
        super().__init__(partitions or 4 * n_workers)
        self.retries = retries

    def scatter(self, items: Sequence[Any]) -> Parts:
        # A task per item: the scheduler keeps the item, so a lost result is remade.
        return [self.client.submit(_identity, item, pure=False, retries=self.retries)
                for item in items]

    def broadcast(self, value: Any) -> Any:
        return self.client.scatter(value, broadcast=True, hash=False)

    def map_partitions(self, fn: Callable[..., Any], parts: Parts, *args: Any,
                       **kwargs: Any) -> Parts:
        n = len(parts)
        columns = [list(a) if isinstance(a, PerPart) else [a] * n for a in args]
        return self.client.map(fn, parts, *columns, pure=False, retries=self.retries, **kwargs)

    def gather(self, parts: Parts) -> list[Any]:
        return list(self.client.gather(parts))

    def shuffle(self, parts: Parts, key: str) -> Parts:
        """Split each partition by bucket on the workers, then one task per output
        bucket concatenates its pieces: n x n small tasks, no data through the client."""
        n = self.partitions
        pieces = self.map_partitions(split_by_bucket, parts, key, n)
        out = []
        for i in range(n):
            taken = [self.client.submit(operator.getitem, p, i, pure=False, retries=self.retries)
                     for p in pieces]
            out.append(self.client.submit(_concat, *taken, pure=False, retries=self.retries))
        return out

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def _concat(*pieces: Any) -> Any:
    return concat_pieces(list(pieces))
