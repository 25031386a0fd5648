"""Engines: the same block functions on one machine or on a Dask cluster.

``LocalEngine`` (in-process pandas) is the default; ``DaskEngine``
(dask.distributed) is imported only when asked for, and says what to
install when it is missing. :func:`run_plan` is the pipeline written once
against the :class:`Engine` interface.
"""

from __future__ import annotations

from typing import Any

from ..errors import ReconcileError
from .base import Engine, Parts, PerPart, bucket_of
from .local import LocalEngine
from .plan import PlanResult, group_on, load_on, run_plan

__all__ = ["ENGINES", "Engine", "LocalEngine", "Parts", "PerPart", "PlanResult", "bucket_of",
           "group_on", "load_on", "make_engine", "run_plan"]

ENGINES = ("local", "dask")


def make_engine(name: str = "local", *, scheduler: str | None = None,
                partitions: int | None = None, **options: Any) -> Engine:
    """The engine called ``name``: "local" or "dask".

    Raises :class:`ReconcileError` for an unknown name, a Dask option given to
    the local engine, or the dask engine without its extra installed.
    """
    if name == "local":
        if scheduler is not None:
            raise ReconcileError("--scheduler is for --engine dask")
        return LocalEngine(partitions or 1)
    if name == "dask":
        try:
            from .dask_engine import DaskEngine
        except ImportError:
            raise ReconcileError("the dask engine needs dask.distributed: "
                                 "pip install 'reconcile[dask]'") from None
        return DaskEngine(partitions, scheduler=scheduler, **options)
    raise ReconcileError(f"unknown engine {name!r} (known: {', '.join(ENGINES)})")
