"""Engines: the same results on one machine and on a Dask cluster, and after a worker dies.

The Dask tests share one real LocalCluster of two worker processes (started
once, about 5 s) and one simulated world of 20,000 claims.
"""

from __future__ import annotations

import os
import signal
import sys
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from reconcile.cli import main
from reconcile.engine import LocalEngine, bucket_of, make_engine
from reconcile.errors import ReconcileError
from reconcile.pipeline import run
from reconcile.simulate import WorldSpec, simulate_world, write_world

TABLES = {"events": "event_id", "claims": "claim_id", "sources": "source"}


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("world")
    return write_world(simulate_world(WorldSpec(n_claims=20_000, seed=11)), folder)["claims"]


@pytest.fixture(scope="module")
def local_out(world, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local")
    run(world, out)
    return out


def assert_same_tables(a: Path, b: Path) -> None:
    """events.csv, claims.csv and sources.csv (when written) equal, row for row by id."""
    for name, key in TABLES.items():
        if not (a / f"{name}.csv").exists():
            assert not (b / f"{name}.csv").exists()
            continue
        left, right = (pd.read_csv(d / f"{name}.csv", dtype=str, keep_default_na=False)
                       .sort_values(key, kind="stable").reset_index(drop=True) for d in (a, b))
        pd.testing.assert_frame_equal(left, right)
    rejects = [pd.read_csv(d / "rejects.csv", dtype=str, keep_default_na=False) for d in (a, b)]
    pd.testing.assert_frame_equal(*rejects)


def test_local_partitions_give_the_same_tables(world, local_out, tmp_path):
    """Cutting the claims into partitions (byte ranges, shuffled blocks) changes nothing."""
    run(world, tmp_path, engine=LocalEngine(5))
    assert_same_tables(local_out, tmp_path)


@pytest.mark.parametrize("text", [
    'source,figure,quote\nA,5,"two\nlines"\nB,6,x\nC,,\nD,7,y\nA,5,"two\nlines"\n',  # careful reader
    "source,figure\r\nA,5\r\nB,six\r\nC,7\r\nD,-1\r\nE,8\r\n",  # CRLF, read in ranges
    "\ufeffsource,figure,part_of,claim_id\nA,5,c3,c1\nB,6,c1,c2\nC,7,c2,c3\nD,8,,c4\nE,9,c4,c5\n",
])
def test_partitions_keep_lines_rejects_and_links(tmp_path, text):
    """Byte ranges, the careful reader's fallback, a BOM and part_of cycles across
    partitions give what one partition gives."""
    path = tmp_path / "c.csv"
    path.write_bytes(text.encode("utf-8"))
    one = run(path, tmp_path / "one")
    many = run(path, tmp_path / "many", engine=LocalEngine(3))
    assert (one.n_rows, len(one.rejects)) == (many.n_rows, len(many.rejects))
    assert_same_tables(tmp_path / "one", tmp_path / "many")


def test_parquet_row_groups_as_partitions(world, local_out, tmp_path):
    """A parquet file is read by row groups, rows numbered as in the whole file."""
    frame = pd.read_csv(world, dtype=str, keep_default_na=False)
    path = tmp_path / "claims.parquet"
    frame.to_parquet(path, row_group_size=3000)
    run(path, tmp_path / "one")
    run(path, tmp_path / "many", engine=LocalEngine(4))
    assert_same_tables(tmp_path / "one", tmp_path / "many")


def test_bucket_is_stable_across_processes():
    """The shuffle's bucket is pandas' hash of the text, not Python's salted hash."""
    buckets = bucket_of(pd.Series(["a", "Aleppo", ""]), 7).tolist()
    assert buckets == bucket_of(pd.Series(["a", "Aleppo", ""]), 7).tolist()
    assert all(0 <= b < 7 for b in buckets)


def test_unknown_engine_and_scheduler_without_dask():
    with pytest.raises(ReconcileError, match="unknown engine"):
        make_engine("spark")
    with pytest.raises(ReconcileError, match="--scheduler is for --engine dask"):
        make_engine("local", scheduler="tcp://127.0.0.1:8786")


def test_missing_extra_names_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    monkeypatch.delitem(sys.modules, "reconcile.engine.dask_engine", raising=False)
    with pytest.raises(ReconcileError, match=r"pip install 'reconcile\[dask\]'"):
        make_engine("dask")


# -- a real cluster ------------------------------------------------------------------

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, memory_limit="2GiB") as c:
        yield c


def test_dask_gives_the_same_tables(world, local_out, cluster, tmp_path):
    """A 2-worker LocalCluster (processes) and the local engine write the same tables."""
    with make_engine("dask", scheduler=cluster.scheduler_address, partitions=6) as engine:
        result = run(world, tmp_path, engine=engine)
    assert result.n_rows == len(result.claims) + len(result.rejects)
    assert_same_tables(local_out, tmp_path)


class KillAWorker:
    """Progress that kills one worker process when the named stage starts."""

    def __init__(self, client, stage: str) -> None:
        self.client, self.when, self.killed = client, stage, False

    @contextmanager
    def stage(self, name: str, total: int | None = None):
        if name.startswith(self.when) and not self.killed:
            pids = self.client.run(os.getpid)
            os.kill(sorted(pids.values())[0], signal.SIGKILL)
            self.killed = True
        yield lambda n=1: None


@pytest.mark.parametrize("stage", ["grouping", "resolving"])
def test_a_killed_worker_loses_and_duplicates_no_row(world, local_out, cluster, tmp_path, stage):
    """Dask remakes what the dead worker held: the tables are the same, or the run
    stops with an error and writes nothing."""
    with make_engine("dask", scheduler=cluster.scheduler_address, partitions=6) as engine:
        killer = KillAWorker(engine.client, stage)  # type: ignore[attr-defined]
        try:
            run(world, tmp_path / "out", engine=engine, progress=killer)
        except Exception as exc:  # a clear error, and no partial outputs
            assert str(exc)
            assert not list((tmp_path / "out").glob("*.csv"))
            return
        finally:
            engine.client.wait_for_workers(2, timeout=60)  # type: ignore[attr-defined]
    assert killer.killed
    assert_same_tables(local_out, tmp_path / "out")


def test_cli_runs_on_the_cluster(world, local_out, cluster, tmp_path):
    result = CliRunner().invoke(main, ["run", str(world), "-o", str(tmp_path), "-q",
                                       "--engine", "dask", "--scheduler",
                                       cluster.scheduler_address, "--partitions", "3"])
    assert result.exit_code == 0, result.output
    assert_same_tables(local_out, tmp_path)
