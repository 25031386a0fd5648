"""One ``reconcile run`` in a fresh process, timed stage by stage (used by bench/run.py).

    python bench/stage_run.py CLAIMS OUTDIR [--engine dask] [--partitions N] [--profile-parts]

Prints one JSON object: seconds per stage (loading, grouping, resolving,
writing), the total, CPU seconds, and the process's peak resident memory
(children included: Dask's worker processes count). With
``--profile-parts`` the local engine runs N partitions and the seconds of
every per-partition call are recorded by function: the measured
per-partition costs behind the 100M-claim estimate.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections import defaultdict
from contextlib import contextmanager
from typing import Any

from reconcile.engine import LocalEngine, make_engine
from reconcile.pipeline import run


class StageClock:
    """A Progress that records the wall seconds of each stage."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str, total: int | None = None):
        t0 = time.perf_counter()
        yield lambda n=1: None
        key = name.split()[0]
        self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - t0


class TimedLocalEngine(LocalEngine):
    """The local engine, recording the seconds of each call of each per-partition function."""

    def __init__(self, partitions: int) -> None:
        super().__init__(partitions)
        self.calls: dict[str, list[float]] = defaultdict(list)

    def map_partitions(self, fn: Any, parts: Any, *args: Any, **kwargs: Any) -> Any:
        def timed(part: Any, *a: Any, **k: Any) -> Any:
            t0 = time.perf_counter()
            out = fn(part, *a, **k)
            self.calls[fn.__name__].append(time.perf_counter() - t0)
            return out
        return super().map_partitions(timed, parts, *args, **kwargs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("claims")
    parser.add_argument("outdir")
    parser.add_argument("--engine", default="local")
    parser.add_argument("--partitions", type=int, default=None)
    parser.add_argument("--profile-parts", action="store_true")
    args = parser.parse_args()
    clock = StageClock()
    engine = TimedLocalEngine(args.partitions or 1) if args.profile_parts else \
        make_engine(args.engine, partitions=args.partitions)
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    with engine:
        result = run(args.claims, args.outdir, engine=engine, progress=clock)
    total = time.perf_counter() - t0
    out: dict[str, Any] = {
        "stages": clock.seconds, "total_s": total, "cpu_s": time.process_time() - cpu0,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "children_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "claims": len(result.claims), "rejects": len(result.rejects), "events": len(result.events),
        "partitions": engine.partitions}
    if args.profile_parts:
        out["calls"] = dict(engine.calls)  # type: ignore[attr-defined]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
