"""The benchmark: speed, memory and accuracy of every stage, against peers.

    python bench/run.py                     # what `make bench` runs
    python bench/run.py --sizes 10000       # a quick look
    python bench/run.py --skip-extract
    python bench/run.py --sections worlds,population   # re-measure some sections only;
                                                        # the others are kept from results.json

Prints tables, writes bench/results.json and rewrites BENCHMARKS.md from
them, so the published numbers are always the ones this code produced.
Sections:

1. scale — wall time and peak memory (RSS growth during the stage) of load,
   group and resolve on simulated claims, next to pandas just reading the
   same CSV (the floor);
2. worlds — grouping precision/recall (pairwise, B-cubed) and estimate
   error, coverage and calibration on simulated worlds with known truth, for
   the engine and every baseline in reconcile/resolve/policies.py on the same groups
   (reconcile/evaluate/harness.py), with the grouping stage's events and with
   the true grouping, on held-out seeds (REPORT_SEEDS: never used while
   developing; development used DEV_SEEDS); ablations of the model;
3. population — the real Population benchmark (Wikipedia city populations);
4. extract — bench/bench_extract.py, when present;
5. report — bench/bench_report.py: what report.html adds to a run at 100,000
   and 1,000,000 claims, and how fast it opens in chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from reconcile.evaluate.harness import evaluate_population, evaluate_world
from reconcile.group import group
from reconcile.group.baseline import group_claims as exact_key_groups
from reconcile.load import load_claims
from reconcile.resolve import Options
from reconcile.simulate.world import WorldSpec, simulate_world, write_world

# Seeds the resolution model was developed and tuned on, and seeds it never saw:
# every number BENCHMARKS.md reports for the worlds comes from REPORT_SEEDS.
DEV_SEEDS = tuple(range(101, 111))
REPORT_SEEDS = (9301, 9302)
# Seeds of earlier reports, each looked at once or twice before later changes, so no
# longer held out and not reported: 9001-9002 (first look), 9101-9102 (the first
# round's report, looked at again before the second round's changes were measured).
SPENT_SEEDS = (9001, 9002, 9101, 9102)
SECTIONS = ("scale", "grouping", "worlds", "population", "extract", "report")
SCENARIOS = ("easy", "realistic", "adversarial")
ABLATIONS = {
    "full model": {},
    "without dependence": {"dependence": False},
    "without growth": {"growth": False},
    "without learnt bias": {"learn_bias": False},
    "without shrinkage": {"shrinkage": False},
    "without exactness": {"exactness": False},
}

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

POPULATION = ROOT.parent / "shared" / "bench" / "population"


class PeakRSS:
    """Samples this process's resident memory in a thread; reports the peak growth."""

    def __init__(self, interval: float = 0.005) -> None:
        import psutil

        self.proc = psutil.Process()
        self.interval = interval
        self.start = self.peak = 0
        self._stop = threading.Event()

    def __enter__(self) -> PeakRSS:
        self.start = self.peak = self.proc.memory_info().rss
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(self.interval)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)

    @property
    def mib(self) -> float:
        return (self.peak - self.start) / 2**20


def measure(fn: Callable[[], object]) -> tuple[object, float, float]:
    """(result, seconds, peak MiB of growth)."""
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - t0
    return result, seconds, mem.mib


# -- 1. scale ---------------------------------------------------------------------


def _stage_run(claims: Path, outdir: Path, *extra: str) -> dict:
    """One ``reconcile run`` in a fresh process (bench/stage_run.py): stage seconds, peak memory."""
    done = subprocess.run([sys.executable, str(HERE / "stage_run.py"), str(claims), str(outdir),
                           *extra], capture_output=True, text=True)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-12:]
        print("\n".join(tail), file=sys.stderr)
        raise RuntimeError(f"stage_run {' '.join(extra)} failed: {tail[-1] if tail else ''}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _floors(path: Path) -> dict:
    """pandas reading the file as text, with its C reader and with pyarrow's (the floors)."""
    _, t_c, m_c = measure(lambda: pd.read_csv(path, dtype=str, keep_default_na=False))
    _, t_a, _ = measure(lambda: pd.read_csv(path, dtype=str, keep_default_na=False,
                                            engine="pyarrow"))
    return {"csv_read_s": t_c, "csv_read_mib": m_c, "csv_read_arrow_s": t_a}


def bench_scale(sizes: list[int], workdir: Path) -> list[dict]:
    """End to end (load, group, resolve, write) in a fresh process per size, against the floors."""
    rows = []
    for n in sizes:
        world = simulate_world(WorldSpec(n_claims=n, seed=7, scenario="realistic"))
        path = write_world(world, workdir / f"scale_{n}")["claims"]
        del world
        row: dict = {"claims": n, **_floors(path)}
        run = _stage_run(path, workdir / f"out_{n}")
        stages = run["stages"]
        row.update(load_s=stages.get("loading", 0.0), group_s=stages.get("grouping", 0.0),
                   resolve_s=stages.get("resolving", 0.0), write_s=stages.get("writing", 0.0),
                   total_s=run["total_s"], cpu_s=run["cpu_s"], peak_mib=run["peak_mib"],
                   rows_used=run["claims"], rows_rejected=run["rejects"], report_s=None)
        row["total_vs_read"] = row["total_s"] / row["csv_read_s"]
        row["load_vs_read"] = row["load_s"] / row["csv_read_s"]
        row["claims_per_s"] = n / row["total_s"]
        rows.append(row)
        print(f"  {n:>9,} claims: read {row['csv_read_s']:6.2f}s  load {row['load_s']:6.2f}s  "
              f"group {row['group_s']:6.2f}s  resolve {row['resolve_s']:6.2f}s  write "
              f"{row['write_s']:6.2f}s = {row['total_vs_read']:.1f}x the CSV read, peak "
              f"{row['peak_mib']:.0f} MiB", flush=True)
        if n == max(sizes):
            bench_engines.source = path  # type: ignore[attr-defined]
    return rows


def _garbage(path: Path, out: Path) -> Path:
    """The same rows with every figure unreadable and every date bad (nearly all distinct)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, engine="pyarrow")
    rng = np.random.default_rng(1)
    words = pd.Series(["".join(w) for w in rng.choice(list("abcdefghijklmnopqrstuvwxyz"),
                                                      (len(frame), 8))], dtype="str")
    frame["figure"] = "toll unclear " + words
    frame["low"] = frame["high"] = ""
    frame["event_date"] = "around " + words
    frame["published"] = "last " + words
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out, index=False)
    return out


def bench_engines(workdir: Path, partitions: int = 8) -> dict | None:
    """At the largest size: garbage vs clean, local vs a 2-worker LocalCluster, and the
    per-partition costs of each step (the local engine, ``partitions`` partitions)."""
    path = getattr(bench_engines, "source", None)
    if path is None:
        return None
    out: dict = {"claims": int(sum(1 for _ in open(path, "rb")) - 1), "partitions": partitions}
    garbage = _garbage(path, workdir / "garbage" / "claims.csv")
    out["garbage"] = _stage_run(garbage, workdir / "garbage_out")
    print(f"  garbage: {out['garbage']['total_s']:.2f}s, peak {out['garbage']['peak_mib']:.0f} MiB",
          flush=True)
    try:
        out["dask"] = _stage_run(path, workdir / "dask_out", "--engine", "dask",
                                 "--partitions", str(partitions))
        print(f"  dask LocalCluster (2 workers): {out['dask']['total_s']:.2f}s", flush=True)
    except RuntimeError as exc:  # recorded, not hidden: the table says it failed
        out["dask"] = {"error": str(exc)}
    out["parts"] = _stage_run(path, workdir / "parts_out", "--profile-parts",
                              "--partitions", str(partitions))
    print(f"  local, {partitions} partitions: {out['parts']['total_s']:.2f}s", flush=True)
    return out


def estimate(engines: dict, target_claims: int = 100_000_000, workers: int = 32,
             worker_mib: float = 4096) -> dict:
    """What a ``target_claims`` run would need, from the measured per-partition costs.

    Per-partition steps (read, row checks, finishing, keys, shuffle split,
    group) scale with the claims per worker; the client's steps (the id
    checks, today's resolution, writing) with all claims. Memory per worker:
    the measured peak per million claims of one partition.
    """
    parts = engines["parts"]
    n = engines["claims"]
    per_part = {name: sum(times) for name, times in parts["calls"].items()}
    distributed_s = sum(per_part.values())  # seconds of worker work for n claims
    stages = parts["stages"]
    client_s = max(0.0, parts["total_s"] - distributed_s)  # what ran on the caller
    scale = target_claims / n
    claims_per_worker_m = target_claims / workers / 1e6
    return {
        "target_claims": target_claims, "workers": workers,
        "worker_seconds_per_million": distributed_s / (n / 1e6),
        "client_seconds_per_million": client_s / (n / 1e6),
        "resolve_seconds_per_million": stages.get("resolving", 0.0) / (n / 1e6),
        "distributed_hours": distributed_s * scale / workers / 3600,
        "client_hours": client_s * scale / 3600,
        "peak_mib_per_million": parts["peak_mib"] / (n / 1e6),
        "claims_per_worker_m": claims_per_worker_m,
        "partitions_per_worker": max(1, int(np.ceil(claims_per_worker_m * 1500 / worker_mib))),
        "worker_mib": worker_mib,
    }


def draw_scaling(rows: list[dict], target: Path) -> None:
    """Total seconds against claims (log-log) with n and n log n through the smallest size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = np.array([r["claims"] for r in rows], dtype=float)
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=110)
    for key, label in (("total_s", "end to end"), ("load_s", "load"), ("group_s", "group"),
                       ("resolve_s", "resolve"), ("write_s", "write"),
                       ("csv_read_s", "pandas read_csv (floor)")):
        ax.plot(n, [r[key] for r in rows], marker="o", label=label,
                linestyle="--" if key == "csv_read_s" else "-")
    t0 = rows[0]["total_s"]
    ax.plot(n, t0 * n / n[0], color="grey", linewidth=0.8, linestyle=":", label="n (from 10k)")
    ax.plot(n, t0 * n * np.log(n) / (n[0] * np.log(n[0])), color="black", linewidth=0.8,
            linestyle=":", label="n log n (from 10k)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("claims")
    ax.set_ylabel("seconds (wall)")
    ax.set_title("reconcile run: time by stage against claims")
    ax.legend(fontsize=7)
    ax.grid(True, which="both", linewidth=0.3)
    fig.tight_layout()
    fig.savefig(target)
    plt.close(fig)


# -- 2. worlds ---------------------------------------------------------------------


def _mean_leaves(items: list) -> object:
    """The mean of each numeric leaf across dicts of the same shape (the grouping stage's
    scores nest: hierarchy links by kind); lists and text are left out."""
    first = items[0]
    if isinstance(first, dict):
        out = {k: _mean_leaves([x[k] for x in items]) for k in first}
        return {k: v for k, v in out.items() if v is not None}
    if isinstance(first, (int, float)) and not isinstance(first, bool):
        return float(np.mean(items))
    return None


def _pool(runs: list[dict]) -> dict:
    """Pool the runs of several seeds: estimate metrics weighted by events, calibration
    tables summed bin by bin (exactly), ECE and ceiling recomputed."""
    out = {"seeds": [r["seed"] for r in runs], "claims": sum(r["claims"] for r in runs),
           "true_events": sum(r["true_events"] for r in runs),
           "events_found": sum(r["events_found"] for r in runs),
           "rejected": sum(r["rejected"] for r in runs)}
    n = np.array([r["true_events"] for r in runs], dtype=float)
    out["ceiling_within_10pct"] = float((n * [r["ceiling_within_10pct"] for r in runs]).sum()
                                        / n.sum())
    out["grouping_scores"] = _mean_leaves([r["grouping_scores"] for r in runs])
    out["estimates"] = {}
    for method in runs[0]["estimates"]:
        rows = [r["estimates"][method] for r in runs]
        w = np.array([x["n"] for x in rows], dtype=float)
        out["estimates"][method] = {k: float((w * [x[k] for x in rows]).sum() / w.sum())
                                    for k in rows[0] if k != "n"}
        out["estimates"][method]["n"] = int(w.sum())
    bins: dict[str, list[float]] = {}
    for r in runs:
        for row in r["calibration"]:
            b = bins.setdefault(row["bin"], [0.0, 0.0, 0.0])
            b[0] += row["n"]
            b[1] += row["n"] * row["mean_confidence"]
            b[2] += row["n"] * row["coverage"]
    table = [{"bin": k, "n": int(v[0]), "mean_confidence": v[1] / v[0], "coverage": v[2] / v[0]}
             for k, v in sorted(bins.items())]
    out["calibration"] = table
    total = sum(row["n"] for row in table)
    out["ece"] = sum(row["n"] * abs(row["coverage"] - row["mean_confidence"]) for row in table) \
        / total if total else float("nan")
    out["engine_seconds"] = float(np.mean([r["seconds"]["reconcile"] for r in runs]))
    return out


# Seeds looked at while the grouping stage was developed (its rules and
# thresholds were tuned on worlds with these seeds) and seeds held apart:
# the grouping section reports only held-apart seeds, none of which was run
# before the numbers in BENCHMARKS.md were made.
DEVELOPMENT_SEEDS = (3, 5, 7, 11, 101, 102, 103)
HELD_APART_SEEDS = (9001, 9002, 9003)


def bench_group_speed(sizes: list[int], workdir: Path) -> list[dict]:
    """Speed and memory of grouping alone (read, load, group, exact-key baseline; no
    resolution): the scale section's grouping columns, for a rerun of grouping only."""
    rows = []
    for n in sizes:
        world = simulate_world(WorldSpec(n_claims=n, seed=7, scenario="realistic"))
        path = write_world(world, workdir / f"group_{n}")["claims"]
        del world
        _, t_read, _ = measure(lambda p=path: pd.read_csv(p, dtype=str, keep_default_na=False))
        loaded = load_claims(path)
        result, t_group, m_group = measure(lambda c=loaded.claims: group(c))
        _, t_base, _ = measure(lambda c=loaded.claims: exact_key_groups(c))
        rows.append({"claims": n, "csv_read_s": t_read, "group_s": t_group, "group_mib": m_group,
                     "group_vs_read": t_group / t_read, "baseline_group_s": t_base,
                     "group_steps": result.seconds,  # type: ignore[attr-defined]
                     "candidate_pairs": result.n_pairs})  # type: ignore[attr-defined]
        print(f"  {n:>9,} claims: read {t_read:6.2f}s  group {t_group:6.2f}s "
              f"({m_group:.0f} MiB, {t_group / t_read:.1f}x the read)", flush=True)
        del loaded, result
    return rows


def bench_grouping(n: int, seeds: tuple[int, ...] = HELD_APART_SEEDS) -> dict:
    """Grouping on held-apart seeds: pairwise and B-cubed, hierarchy links, weights."""
    out: dict = {"claims": n, "seeds": list(seeds), "development_seeds": list(DEVELOPMENT_SEEDS),
                 "runs": []}
    for scenario, realism in (("realistic", False), ("adversarial", False),
                              ("realistic", True), ("adversarial", True)):
        for seed in seeds:
            w = evaluate_world(scenario, n, seed=seed, realism=realism)
            g = w["grouping_scores"]
            run = {"scenario": scenario + (" + realism" if realism else ""), "seed": seed,
                   "realism": realism, "pairwise": g["pairwise"],
                   "bcubed": g["bcubed"], "hierarchy": g["hierarchy"],
                   "seconds": g["seconds"], "candidate_pairs": g["candidate_pairs"],
                   "prior": g["prior"], "weights": g["weights"],
                   "true_events": w["true_events"], "events_found": w["events_found"]}
            out["runs"].append(run)
            print(f"  {run['scenario']:<21} seed {seed}: pairwise F1 {g['pairwise']['f1']:.3f} "
                  f"(P {g['pairwise']['precision']:.3f} R {g['pairwise']['recall']:.3f}), "
                  f"B-cubed F1 {g['bcubed']['f1']:.3f}, hierarchy P "
                  f"{g['hierarchy']['all']['precision']:.3f} R "
                  f"{g['hierarchy']['all']['recall']:.3f}", flush=True)
    return out


def bench_worlds(n: int, seeds: tuple[int, ...]) -> list[dict]:
    rows = []
    for scenario in SCENARIOS:
        for grouping in ("stage", "baseline", "true"):
            runs = [evaluate_world(scenario, n, seed, grouping=grouping) for seed in seeds]
            w = _pool(runs)
            w.update(scenario=scenario, grouping=grouping, claims_per_world=n)
            rows.append(w)
            e = w["estimates"]
            print(f"  {scenario:<11} {grouping:<8} within-10% {e['reconcile']['within_10pct']:.3f} "
                  f"(ceiling {w['ceiling_within_10pct']:.3f})  median rel. error "
                  f"{e['reconcile']['median_rel_error']:.3f} (best baseline "
                  f"{min(v['median_rel_error'] for k, v in e.items() if k != 'reconcile'):.3f})  "
                  f"ECE {w['ece']:.3f}", flush=True)
    return rows


def bench_ablations(n: int, seeds: tuple[int, ...]) -> list[dict]:
    rows = []
    for scenario in ("realistic", "adversarial"):
        for name, switches in ABLATIONS.items():
            runs = [evaluate_world(scenario, n, seed, grouping="true", options=Options(**switches),
                                   baselines=False) for seed in seeds]
            w = _pool(runs)
            e = w["estimates"]["reconcile"]
            rows.append({"scenario": scenario, "model": name, "within_10pct": e["within_10pct"],
                         "median_rel_error": e["median_rel_error"], "coverage": e["coverage"],
                         "ece": w["ece"]})
            print(f"  {scenario:<11} {name:<20} within-10% {e['within_10pct']:.3f}  median rel. "
                  f"error {e['median_rel_error']:.3f}  ECE {w['ece']:.3f}", flush=True)
    return rows


# -- 3. population ------------------------------------------------------------------


def bench_population() -> dict | None:
    if not POPULATION.exists():
        print("  skipped: ../shared/bench/population not found")
        return None
    return evaluate_population(POPULATION)


# -- 4. extract ------------------------------------------------------------------------


def bench_extract() -> dict | None:
    script = HERE / "bench_extract.py"
    if not script.exists():
        print("  skipped: bench/bench_extract.py not present")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "extract.json"
        subprocess.run([sys.executable, str(script), "--json", str(out)], check=True)
        return json.loads(out.read_text(encoding="utf-8"))


# -- 5. report -------------------------------------------------------------------------


def bench_report(sizes: str = "100000,1000000") -> dict | None:
    script = HERE / "bench_report.py"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        subprocess.run([sys.executable, str(script), "--claims", sizes, "--json", str(out)],
                       check=True)
        return json.loads(out.read_text(encoding="utf-8"))


def _report_markdown(rep: dict) -> list[str]:
    """The report section, from bench/bench_report.py's JSON."""
    lines = ["## Report (`report.html`)", "",
             f"Measured by `bench/bench_report.py` on {rep.get('date', 'the date above')}. "
             f"Simulated realistic worlds. *Run*: load, group, resolve and write the tables; "
             f"*report*: build and write report.html with the defaults (the "
             f"{rep['max_events']:,} events most in need of review, charts for the first "
             f"{rep['max_charts']}). *Opens*: chromium (headless, network blocked) from "
             "navigation to the drawn events table, median of three fresh pages; *detail*: "
             "from a click on an event to its detail with chart.", "",
             "*run* and *report* are CPU seconds (the process's threads and the chart "
             "workers) with wall seconds in brackets: the machine was shared, so wall time "
             "counts the neighbours' work too.", "",
             "| claims | events | run | report | report / run (CPU) | events held | size | "
             "opens | detail |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rep["sizes"]:
        opens = f"{r['open_s']:.2f} s" if "open_s" in r else "–"
        detail = f"{r['detail_s']:.2f} s" if "detail_s" in r else "–"
        run_cpu, rep_cpu = r.get("run_cpu_s", r["run_s"]), r.get("report_cpu_s", r["report_s"])
        lines.append(f"| {r['claims']:,} | {r['events']:,} | {run_cpu:.1f} s ({r['run_s']:.0f} s) | "
                     f"{rep_cpu:.1f} s ({r['report_s']:.0f} s) | {100 * r['report_share']:.0f}% | "
                     f"{r['held']:,} | {r['mib']:.0f} MiB | {opens} | {detail} |")
    for r in rep["sizes"]:
        if "all_open_s" in r:
            lines += ["", f"Holding every event of the {r['claims']:,}-claim run "
                      f"(`--report-events {r['events']}`): {r['all_mib']:.0f} MiB, built in "
                      f"{r['all_report_s']:.1f} s, opens in {r['all_open_s']:.2f} s, an event's "
                      f"detail in {r['all_detail_s']:.2f} s."]
    return [*lines, ""]



def _machine() -> dict:
    import psutil

    return {"python": platform.python_version(), "pandas": pd.__version__,
            "numpy": np.__version__, "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "platform": platform.platform()}


def _seed_span(seeds: list[int]) -> str:
    return f"{min(seeds)}-{max(seeds)}" if seeds else "none recorded"


def _cpu(row: dict) -> str:
    return f"{row['resolve_cpu_s']:.2f} s" if "resolve_cpu_s" in row else "–"


def _fmt(x: float, digits: int = 3) -> str:
    if isinstance(x, float) and not np.isfinite(x):
        return "∞" if x > 0 else "–"
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def _render_scale(results: dict) -> list[str]:
    rows = results["scale"]
    lines = ["## Scale: end to end vs. pandas reading the same CSV", "",
             "Simulated realistic worlds; each size is one `reconcile run` (load, group, resolve, "
             "write; no HTML report) in a fresh process (`bench/stage_run.py`). Peak is the "
             "process's peak resident memory. The floor is `pd.read_csv(path, dtype=str, "
             "keep_default_na=False)` (pandas' C reader; pyarrow's reader through pandas in "
             "brackets).", ""]
    if "write_s" not in rows[0]:  # results from before the end-to-end runs
        return lines
    lines += ["| claims | pandas read_csv | load | group | resolve | write | total | total / read "
              "| peak MiB | report |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        # the scale runs write no report.html: its cost is the Report section's (bench_report.py)
        report = ("see Report" if results.get("report") else "–") if r.get("report_s") is None \
            else f"{r['report_s']:.2f} s"
        lines.append(
            f"| {r['claims']:,} | {r['csv_read_s']:.2f} s ({r['csv_read_arrow_s']:.2f} s) | "
            f"{r['load_s']:.2f} s | {r['group_s']:.2f} s | {r['resolve_s']:.2f} s | "
            f"{r['write_s']:.2f} s | {r['total_s']:.2f} s | {r['total_vs_read']:.1f}x | "
            f"{r['peak_mib']:.0f} | {report} |")
    base = rows[0]
    lines += ["", "Scaling from the smallest size (a ratio at or below 1 grows no worse than "
              "n log n):", "",
              f"| claims | µs per claim | time / (n log n), {base['claims']:,} = 1 |",
              "|---:|---:|---:|"]
    for r in rows:
        ratio = (r["total_s"] / (r["claims"] * np.log(r["claims"]))) / \
            (base["total_s"] / (base["claims"] * np.log(base["claims"])))
        lines.append(f"| {r['claims']:,} | {1e6 * r['total_s'] / r['claims']:.1f} | {ratio:.2f} |")
    lines += ["", "![time by stage against claims](bench/scaling.png)", ""]
    eng = results.get("engines")
    if eng:
        g, d, loc = eng["garbage"], eng["dask"], rows[-1]
        lines += [f"### {eng['claims']:,} claims: garbage, engines, partitions", "",
                  "| run | total | load | group | resolve | write | peak MiB |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for name, r in (("local engine, clean file", {"total_s": loc["total_s"], "stages": {
                "loading": loc["load_s"], "grouping": loc["group_s"], "resolving": loc["resolve_s"],
                "writing": loc["write_s"]}, "peak_mib": loc["peak_mib"]}),
                        ("local engine, every figure and date garbage", g),
                        (f"Dask LocalCluster, 2 worker processes, {eng['partitions']} partitions "
                         "(peak: client / largest worker)", d),
                        (f"local engine, {eng['partitions']} partitions", eng["parts"])):
            if "error" in r:
                lines.append(f"| {name} | failed: {r['error']} | | | | | |")
                continue
            st = r["stages"]
            peak = f"{r['peak_mib']:.0f}" + (f" / {r['children_peak_mib']:.0f}"
                                             if r.get("children_peak_mib") else "")
            lines.append(f"| {name} | {r['total_s']:.2f} s | {st.get('loading', 0):.2f} s | "
                         f"{st.get('grouping', 0):.2f} s | {st.get('resolving', 0):.2f} s | "
                         f"{st.get('writing', 0):.2f} s | {peak} |")
        lines += ["", "Measured per-partition costs (seconds summed over the partitions, local "
                  "engine):", "", "| step | seconds | per million claims |", "|---|---:|---:|"]
        for name, times in sorted(eng["parts"]["calls"].items(), key=lambda kv: -sum(kv[1])):
            if sum(times) >= 0.01:
                lines.append(f"| `{name}` | {sum(times):.2f} | "
                             f"{sum(times) / (eng['claims'] / 1e6):.2f} |")
        e = estimate(eng)
        lines += ["", f"**An estimate for {e['target_claims']:,} claims** on {e['workers']} "
                  f"workers of {e['worker_mib'] / 1024:.0f} GiB, from these costs: the "
                  f"per-partition work is {e['worker_seconds_per_million']:.1f} s per million "
                  f"claims, {e['distributed_hours']:.2f} h spread over the workers "
                  f"({e['claims_per_worker_m']:.1f}M claims each, in "
                  f"{e['partitions_per_worker']}+ partitions each to stay within memory at about "
                  "1.5 GiB per million claims of a partition). The client's share (the id checks, "
                  f"resolution, writing) is {e['client_seconds_per_million']:.1f} s per million "
                  f"claims, of which resolution {e['resolve_seconds_per_million']:.1f} s: "
                  f"{e['client_hours']:.1f} h and about "
                  f"{e['peak_mib_per_million'] * e['target_claims'] / 1e6 / 1024:.0f} GiB on one "
                  "machine. So today a 100M-claim run is bound by the client; it becomes "
                  "a cluster job when resolution runs per partition (docs/engines.md says what "
                  "its seam needs), after which the time is about the workers' share plus the "
                  "shuffles.", ""]
    return lines


def render_markdown(results: dict, command: str) -> str:
    m = results["machine"]
    lines = [
        "# Benchmarks",
        "",
        f"Made by `{command}` on {results['date']}; machine: {m['cores']} cores, "
        f"{m['memory_gib']} GiB, {m['platform']}, Python {m['python']}, pandas {m['pandas']}, "
        f"numpy {m['numpy']}"
        + (f"; load average when the scale section started {results['load_average']}"
           if results.get("load_average") else "")
        + ". The whole file is rewritten by `bench/run.py` from "
        "`bench/results.json`; ratios compare against peers measured in the same run.",
        "",
        "Resolution is the model of `reconcile/resolve/` (docs/resolve.md). World numbers "
        f"come from seeds {', '.join(map(str, results.get('report_seeds', [])))}, never used "
        f"while developing (development used seeds {_seed_span(results.get('dev_seeds', []))}; "
        f"seeds {', '.join(map(str, results.get('spent_seeds', [])))} were reported earlier, "
        "before later changes, and are no longer held out nor used here), "
        "two worlds pooled per row. Each true event is counted once, through the found event "
        "that holds most of its claims. Baselines see the same groups and one number per claim "
        "(its anchor, else its interval's middle); their `[low, high]` is a point, so their "
        "coverage equals their exact share. The machine is shared with other sessions: wall "
        "times vary with their load.",
        "",
    ]
    if results.get("scale"):
        lines += _render_scale(results)
    if results.get("grouping"):
        lines += _grouping_markdown(results["grouping"], results.get("scale") or [])
    worlds = results.get("worlds", [])
    if worlds:
        lines += ["## Targets", "",
                  "| scenario | grouping | within 10% | knowable ceiling | median rel. error "
                  "(best baseline) | ECE | calibration bins off by > 0.05 (of bins with >= 50 "
                  "events) |", "|---|---|---:|---:|---:|---:|---:|"]
        for w in worlds:
            e = w["estimates"]
            best_base = min(v["median_rel_error"] for k, v in e.items() if k != "reconcile")
            big = [r for r in w["calibration"] if r["n"] >= 50]
            off = sum(abs(r["coverage"] - r["mean_confidence"]) > 0.05 for r in big)
            lines.append(f"| {w['scenario']} | {w['grouping']} | "
                         f"{e['reconcile']['within_10pct']:.3f} | {w['ceiling_within_10pct']:.3f} | "
                         f"{e['reconcile']['median_rel_error']:.3f} ({best_base:.3f}) | "
                         f"{w['ece']:.3f} | {off} of {len(big)} |")
        lines += ["", "Targets from the issue: within 10% >= 0.58 (realistic) and >= 0.43 "
                  "(adversarial); median relative error below every baseline; ECE <= 0.03 and "
                  "every decile within 0.05 of its mean confidence (realistic and adversarial).",
                  ""]
    for w in worlds:
        g = w["grouping_scores"]
        lines += [f"## World: {w['scenario']}, {w['grouping']} grouping ({w['claims_per_world']:,} "
                  f"claims per world, seeds {', '.join(map(str, w['seeds']))}: "
                  f"{w['true_events']:,} true events, {w['events_found']:,} found, "
                  f"{w['rejected']} malformed rows rejected)", "",
                  f"Grouping: pairwise precision {g['pairwise']['precision']:.3f}, recall "
                  f"{g['pairwise']['recall']:.3f}, F1 {g['pairwise']['f1']:.3f}; B-cubed F1 "
                  f"{g['bcubed']['f1']:.3f}. Knowable ceiling (any stated number within 10%): "
                  f"{w['ceiling_within_10pct']:.3f}. Engine time per world: "
                  f"{w['engine_seconds']:.1f} s.", "",
                  "| method | median rel. error | within 10% | exact | coverage of [low, high] | "
                  "median rel. width |", "|---|---:|---:|---:|---:|---:|"]
        for name, sc in w["estimates"].items():
            lines.append(f"| {name} | {_fmt(sc['median_rel_error'])} | {_fmt(sc['within_10pct'])} | "
                         f"{_fmt(sc['exact_share'])} | {_fmt(sc['coverage'])} | "
                         f"{_fmt(sc['median_rel_width'])} |")
        lines += ["", f"Calibration of the engine (coverage by stated confidence; ECE "
                  f"{w['ece']:.3f}):", "",
                  "| confidence | events | mean confidence | coverage | gap |",
                  "|---|---:|---:|---:|---:|"]
        for row in w["calibration"]:
            lines.append(f"| {row['bin']} | {row['n']} | {row['mean_confidence']:.3f} | "
                         f"{row['coverage']:.3f} | {row['coverage'] - row['mean_confidence']:+.3f} |")
        lines.append("")
    abl = results.get("ablations")
    if abl:
        lines += ["## Ablations (true grouping, report seeds)", "",
                  "| scenario | model | within 10% | median rel. error | coverage | ECE |",
                  "|---|---|---:|---:|---:|---:|"]
        for r in abl:
            lines.append(f"| {r['scenario']} | {r['model']} | {r['within_10pct']:.3f} | "
                         f"{r['median_rel_error']:.3f} | {r['coverage']:.3f} | {r['ece']:.3f} |")
        lines.append("")
    pop = results.get("population")
    if pop:
        lines += ["## Population (real; Wikipedia city populations, 308 gold values)", "",
                  f"The engine's loader used {pop['engine_loader']['claims']:,} rows and rejected "
                  f"{pop['engine_loader']['rejects']} with reasons (garbage values up to 6e18). "
                  "One editor (a SourceID, \"user id: name\" or an IP) is one source. Target: "
                  "exact >= 0.87 on the conflicting subset with MAE below Investment's.", "",
                  "| method | exact (conflicting) | MAE (conflicting) | exact (all gold) | MAE (all) | "
                  "seconds |", "|---|---:|---:|---:|---:|---:|"]
        for name, s in pop["methods"].items():
            c, a = s["conflicting"], s["all"]
            lines.append(f"| {name} | {c['exact_share']:.3f} (n={c['n']}) | {c['mae']:,.0f} | "
                         f"{a['exact_share']:.3f} (n={a['n']}) | {a['mae']:,.0f} | "
                         f"{s['seconds']:.2f} |")
        lines.append("")
    ext = results.get("extract")
    if ext:
        lines += _extract_markdown(ext)
    rep = results.get("report")
    if rep:
        lines += _report_markdown(rep)
    return "\n".join(lines)


def _grouping_markdown(gr: dict, scale: list[dict]) -> list[str]:
    """The grouping section: accuracy on held-apart seeds, weights, speed."""
    runs = gr["runs"]
    lines = ["## Grouping (`reconcile/group/`)", "",
             f"Simulated worlds of {gr['claims']:,} claims on seeds held apart while the stage "
             f"was developed ({', '.join(map(str, gr['seeds']))}); the development seeds were "
             f"{', '.join(map(str, gr['development_seeds']))}"
             + (f" ({gr['seeds_note']})" if gr.get("seeds_note") else "")
             + ". Pairwise and B-cubed scores are "
             "over every claim with a true event; hierarchy links are the parent links between "
             "events (`part`: the children among the dead; `within`: an incident inside a day "
             "total or a tally), each predicted event standing for the true event most of its "
             "claims belong to. \"+ realism\" lays `reconcile/simulate/realism.py` over the "
             "same worlds: place granularity (outskirts, province, \"northwestern Syria\"), "
             "transliterations by the writer's own rules, \"people\" and \"civilians\" for "
             "one toll, incidents moved into another incident's town and day; none of it "
             "comes from the engine's rules.", "",
             "| scenario | seed | pairwise P | pairwise R | pairwise F1 | B-cubed P | B-cubed R "
             "| B-cubed F1 | links P | links R | part P / R | within P / R | seconds |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        p, b, h = r["pairwise"], r["bcubed"], r["hierarchy"]
        lines.append(
            f"| {r['scenario']} | {r['seed']} | {p['precision']:.3f} | {p['recall']:.3f} | "
            f"**{p['f1']:.3f}** | {b['precision']:.3f} | {b['recall']:.3f} | {b['f1']:.3f} | "
            f"{h['all']['precision']:.3f} | {h['all']['recall']:.3f} | "
            f"{h['part']['precision']:.2f} / {h['part']['recall']:.2f} | "
            f"{h['within']['precision']:.2f} / {h['within']['recall']:.2f} | "
            f"{r['seconds']:.1f} |")
    for scenario in sorted({r["scenario"] for r in runs}):
        sel = [r for r in runs if r["scenario"] == scenario]
        mean = sum(r["pairwise"]["f1"] for r in sel) / len(sel)
        worst = min(r["pairwise"]["f1"] for r in sel)
        hp = min(r["hierarchy"]["all"]["precision"] for r in sel)
        hr = min(r["hierarchy"]["all"]["recall"] for r in sel)
        lines.append(f"\n{scenario}: pairwise F1 mean {mean:.3f}, worst {worst:.3f}; hierarchy "
                     f"links precision at least {hp:.3f}, recall at least {hr:.3f}.")
    first = {r["scenario"]: r for r in reversed(runs) if not r.get("realism")}
    for scenario, r in sorted(first.items()):
        lines += ["", f"Learnt weights, {scenario} seed {r['seed']} (u from pairs known apart, "
                  f"m and the prior by EM; prior share of matches among nearby pairs "
                  f"{r['prior']:.3f}; log2(m/u) is what a level adds to a pair's match weight):",
                  "", "| comparison | level | m | u | weight |", "|---|---|---:|---:|---:|"]
        for w in r["weights"]:
            lines.append(f"| {w['comparison']} | {w['level']} | {w['m']:.4f} | {w['u']:.4f} | "
                         f"{w['weight']:+.2f} |")
    speed = gr.get("speed") or [r for r in scale if "group_steps" in r]
    if speed:
        scale = speed
        lines += ["", "Speed and memory of grouping alone (`reconcile.group.group`, every step "
                  "from normalising to event ids), on simulated realistic worlds, measured by "
                  f"`{gr.get('speed_command', 'make bench')}` on this 2-core machine while "
                  "other sessions shared it (seconds "
                  "vary by tens of percent between runs; the first call also loads the "
                  "gazetteer and its admin table, about 1.5 s"
                  + ("; here the accuracy runs above had loaded them already"
                     if gr.get("speed_command") else "")
                  + (f"; load average {gr['load_average']} when the speed runs started"
                     if gr.get("load_average") else "") + "):", "",
                  "| claims | pandas read_csv | group | group / read | peak MiB | candidate "
                  "pairs | exact-key baseline | steps |", "|---:|---:|---:|---:|---:|---:|---:|---|"]
        for r in scale:
            steps = ", ".join(f"{k} {v:.1f}" for k, v in r.get("group_steps", {}).items())
            lines.append(f"| {r['claims']:,} | {r['csv_read_s']:.2f} s | {r['group_s']:.2f} s | "
                         f"{r.get('group_vs_read', float('nan')):.1f}x | {r['group_mib']:.0f} | "
                         f"{r.get('candidate_pairs', 0):,} | "
                         f"{r.get('baseline_group_s', float('nan')):.2f} s | {steps} |")
    return [*lines, ""]


def _extract_markdown(ext: dict) -> list[str]:
    """The extraction section, from bench/bench_extract.py's JSON."""
    lines = ["## Extraction (`reconcile extract`)", "",
             "Accuracy on (category, interval) against labelled sentences; attribution is the "
             "share of matched claims with the right source (all of them, and those whose "
             "source is named in the text). The development sets were tuned on, so their "
             "scores are optimistic; the held-apart sets were written by someone who did not "
             "see the extractor's code and were never tuned on (only their totals are read).",
             "",
             "| tool | set | role | precision | recall | attribution | named source | victims |",
             "|---|---|---|---:|---:|---:|---:|---:|"]
    roles = {k: v.get("role", "") for k, v in ext.get("sets", {}).items()}
    q = ext.get("quantulum3", {})
    tools = [("reconcile", ext.get("reconcile_sets") or
              {"gold": ext.get("reconcile_accuracy"), "heldout": ext.get("reconcile_heldout")}),
             ("quantulum3 + nearest casualty word", q.get("sets") or
              {"gold": q.get("accuracy"), "heldout": q.get("heldout")})]
    for tool, by_set in tools:
        for name, acc in by_set.items():
            if acc:
                lines.append(f"| {tool} | {name} (n={acc['n_gold']}) | {roles.get(name, '')} | "
                             f"{acc['precision']:.3f} | {acc['recall']:.3f} | "
                             f"{acc['attribution']:.3f} | "
                             f"{acc.get('attribution_named', float('nan')):.3f} | "
                             f"{acc.get('victims', float('nan')):.3f} |")
    art = ext.get("articles")
    if art:
        lines += ["", f"Whole articles (extract, then run; {art['articles']} articles about "
                  f"{art['incidents']} incidents, held apart): killed and injured both right for "
                  f"{art['both_right']:.3f} of incidents (killed {art['killed_right']:.3f}, "
                  f"injured {art['injured_right']:.3f}); {art['claims']} claims extracted."]
    sp = ext.get("reconcile_speed", {})
    lines += ["", "Speed on one core (sentences per second; whole articles include sentences "
              "without figures):", "",
              "| text | reconcile | quantulum3 | ratio |", "|---|---:|---:|---:|"]
    if "skipped" in q:
        lines.append(f"| whole articles ({sp.get('articles_sentences')} sentences) | "
                     f"{sp.get('articles_sentences_per_s'):,} | {q['skipped']} | – |")
    else:
        lines.append(f"| whole articles ({sp.get('articles_sentences')} sentences) | "
                     f"{sp.get('articles_sentences_per_s'):,} | "
                     f"{q.get('articles_sentences_per_s'):,} | {q.get('speedup_articles')}x |")
        if sp.get("gold_sentences_per_s"):
            lines.append(f"| gold sentences (every one has numbers) | "
                         f"{sp['gold_sentences_per_s']:,} | {q.get('gold_sentences_per_s'):,} | "
                         f"{q.get('speedup_gold')}x |")
    adv = ext.get("adversarial")
    if adv:
        w = adv["worst"]
        lines += ["", f"Adversarial inputs ({adv['size_chars']:,} characters each: runs of digits, "
                  f"spaces, commas, number words, ...): worst {w['us_per_char']} µs per character "
                  f"({w['case']}); doubling an input multiplies the time by at most "
                  f"{adv['max_growth_x2']}."]
    big = ext.get("big_article")
    if big:
        lines += ["", f"A {big['size_mb']} MB article: handled in {big['seconds']} s — "
                  f"\"{big['message']}\""]
    return [*lines, ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="claims per scale run, comma-separated")
    parser.add_argument("--world-claims", type=int, default=20000)
    parser.add_argument("--skip-extract", action="store_true")
    parser.add_argument("--skip-report", action="store_true")
    parser.add_argument("--report-only", action="store_true",
                        help="measure the report alone and add it to the existing results JSON")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    parser.add_argument("--markdown", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--sections", default=",".join(SECTIONS),
                        help="sections to measure, comma-separated (default: all); the others "
                        "keep their results from --out")
    parser.add_argument("--grouping-seeds", default="",
                        help="held-apart seeds for the grouping section, comma-separated "
                        "(default: " + ",".join(map(str, HELD_APART_SEEDS)) + ")")
    parser.add_argument("--grouping-speed", default="",
                        help="with the grouping section but not the scale section: claims per "
                        "run of grouping alone (read, load, group), comma-separated")
    parser.add_argument("--grouping-only", action="store_true",
                        help="rerun the grouping section into the existing results JSON")
    parser.add_argument("--render-only", action="store_true",
                        help="rewrite the markdown from the existing results JSON")
    parser.add_argument("--only-scale", action="store_true",
                        help="measure only the scale and engine sections; keep the others "
                             "from the existing results JSON")
    args = parser.parse_args(argv)
    if args.report_only:
        results = json.loads(args.out.read_text(encoding="utf-8"))
        print("5. report")
        results["report"] = bench_report()
        args.out.write_text(json.dumps(results, indent=2, default=float) + "\n", encoding="utf-8")
        args.render_only = True
    if args.grouping_only:
        results = json.loads(args.out.read_text(encoding="utf-8"))
        speed = (results.get("grouping") or {}).get("speed")
        results["grouping"] = bench_grouping(args.world_claims)
        if speed:
            results["grouping"]["speed"] = speed
        args.out.write_text(json.dumps(results, indent=2, default=float) + "\n",
                            encoding="utf-8")
        args.render_only = True
    if args.render_only:
        results = json.loads(args.out.read_text(encoding="utf-8"))
        args.markdown.write_text(render_markdown(results, results.get("command", "make bench"))
                                 + "\n", encoding="utf-8")
        return 0
    command = "make bench" if argv is None and len(sys.argv) == 1 else \
        "python bench/run.py " + " ".join(sys.argv[1:] if argv is None else argv)
    sections = {s.strip() for s in args.sections.split(",") if s.strip()}
    if args.only_scale:
        sections = {"scale"}
    unknown = sections - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {sorted(unknown)}; known: {', '.join(SECTIONS)}")
    results: dict = {}
    if sections != set(SECTIONS) and args.out.exists():
        results = json.loads(args.out.read_text(encoding="utf-8"))
        command = results.get("command", "make bench") + f"; then {command}"
    results.update({"date": time.strftime("%Y-%m-%d"), "machine": _machine(), "command": command})
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if "scale" in sections:
        print("1. scale")
        results["load_average"] = [round(x, 2) for x in os.getloadavg()]
        with tempfile.TemporaryDirectory() as tmp:
            results["scale"] = bench_scale(sizes, Path(tmp))
            print("   engines, garbage and partitions at the largest size")
            results["engines"] = bench_engines(Path(tmp))
        draw_scaling(results["scale"], HERE / "scaling.png")
    if "grouping" in sections:
        print("2. grouping (held-apart seeds)")
        seeds = tuple(int(x) for x in args.grouping_seeds.split(",") if x.strip()) or \
            HELD_APART_SEEDS
        results["grouping"] = bench_grouping(args.world_claims, seeds)
        if seeds != HELD_APART_SEEDS:
            results["grouping"]["seeds_note"] = (
                "each run once, by `" + command.split("; then ")[-1] + "`, before any of their "
                "numbers were seen; earlier held-apart seeds "
                + ", ".join(map(str, HELD_APART_SEEDS)) + " are spent")
        if "scale" not in sections and args.grouping_speed:
            print("   grouping speed")
            load = [round(x, 2) for x in os.getloadavg()]
            with tempfile.TemporaryDirectory() as tmp:
                results["grouping"]["speed"] = bench_group_speed(
                    [int(x) for x in args.grouping_speed.split(",") if x.strip()], Path(tmp))
            results["grouping"]["speed_command"] = command.split("; then ")[-1]
            results["grouping"]["load_average"] = load
        else:
            results["grouping"]["speed"] = [r for r in results.get("scale") or []
                                            if "group_steps" in r]
    if "worlds" in sections:
        print(f"2. worlds (seeds {', '.join(map(str, REPORT_SEEDS))}, never used in development)")
        results["dev_seeds"] = list(DEV_SEEDS)
        results["report_seeds"] = list(REPORT_SEEDS)
        results["spent_seeds"] = list(SPENT_SEEDS)
        results["worlds"] = bench_worlds(args.world_claims, REPORT_SEEDS)
        print("   ablations (true grouping)")
        results["ablations"] = bench_ablations(args.world_claims, REPORT_SEEDS)
    if "population" in sections:
        print("3. population")
        results["population"] = bench_population()
        if results["population"]:
            for name, s in results["population"]["methods"].items():
                print(f"  {name:<13} exact {s['conflicting']['exact_share']:.3f}  "
                      f"MAE {s['conflicting']['mae']:,.0f}")
    if "extract" in sections and not args.skip_extract:
        print("4. extract")
        results["extract"] = bench_extract()
    if "report" in sections and not args.skip_report:
        print("5. report")
        results["report"] = bench_report()
    args.out.write_text(json.dumps(results, indent=2, default=float) + "\n", encoding="utf-8")
    args.markdown.write_text(render_markdown(results, command) + "\n", encoding="utf-8")
    print(f"wrote {args.out} and {args.markdown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
