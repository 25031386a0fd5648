"""The benchmark: speed, memory and accuracy of every stage, against peers.

    python bench/run.py                     # what `make bench` runs
    python bench/run.py --sizes 10000       # a quick look
    python bench/run.py --skip-extract

Prints tables, writes bench/results.json and rewrites BENCHMARKS.md from
them, so the published numbers are always the ones this code produced.
Sections:

1. scale — wall time and peak memory (RSS growth during the stage) of load,
   group and resolve on simulated claims, next to pandas just reading the
   same CSV (the floor);
2. worlds — grouping precision/recall (pairwise, B-cubed) and estimate
   error, coverage and calibration on simulated worlds with known truth, for
   the engine and every baseline in reconcile/resolve/policies.py on the same groups
   (reconcile/evaluate/harness.py);
3. population — the real Population benchmark (Wikipedia city populations);
4. extract — bench/bench_extract.py, when present.
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
from reconcile.group.baseline import group_claims
from reconcile.load import load_claims
from reconcile.resolve.baseline import resolve_events
from reconcile.simulate.world import WorldSpec, simulate_world, write_world

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


def bench_scale(sizes: list[int], workdir: Path) -> list[dict]:
    rows = []
    for n in sizes:
        world = simulate_world(WorldSpec(n_claims=n, seed=7, scenario="realistic"))
        paths = write_world(world, workdir / f"scale_{n}")
        del world
        path = paths["claims"]
        _, t_read, m_read = measure(lambda p=path: pd.read_csv(p, dtype=str, keep_default_na=False))
        loaded, t_load, m_load = measure(lambda p=path: load_claims(p))
        grouped, t_group, m_group = measure(lambda c=loaded.claims: group_claims(c))
        _, t_resolve, m_resolve = measure(lambda g=grouped: resolve_events(g))
        row = {"claims": n, "rows_used": len(loaded.claims), "rows_rejected": len(loaded.rejects),
               "csv_read_s": t_read, "csv_read_mib": m_read,
               "load_s": t_load, "load_mib": m_load, "group_s": t_group, "group_mib": m_group,
               "resolve_s": t_resolve, "resolve_mib": m_resolve}
        row["total_s"] = t_load + t_group + t_resolve
        row["total_vs_read"] = row["total_s"] / t_read
        row["load_vs_read"] = t_load / t_read
        row["claims_per_s"] = n / row["total_s"]
        rows.append(row)
        print(f"  {n:>9,} claims: read {t_read:6.2f}s  load {t_load:6.2f}s  group {t_group:6.2f}s  "
              f"resolve {t_resolve:6.2f}s  = {row['total_vs_read']:.1f}x the CSV read", flush=True)
        del loaded, grouped
    return rows


# -- 2. worlds ---------------------------------------------------------------------


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


# -- report ------------------------------------------------------------------------------


def _machine() -> dict:
    import psutil

    return {"python": platform.python_version(), "pandas": pd.__version__,
            "numpy": np.__version__, "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "platform": platform.platform()}


def _fmt(x: float, digits: int = 3) -> str:
    if isinstance(x, float) and not np.isfinite(x):
        return "∞" if x > 0 else "–"
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def render_markdown(results: dict, command: str) -> str:
    m = results["machine"]
    lines = [
        "# Benchmarks",
        "",
        f"Made by `{command}` on {results['date']}; machine: {m['cores']} cores, "
        f"{m['memory_gib']} GiB, {m['platform']}, Python {m['python']}, pandas {m['pandas']}, "
        f"numpy {m['numpy']}. The whole file is rewritten by `bench/run.py` from "
        "`bench/results.json`; ratios compare against peers measured in the same run.",
        "",
        "Reading these tables: grouping and resolution are still the foundation's "
        "baselines (exact event-key match; intersection, else source-weighted median), and "
        "`confidence` is a heuristic, so the calibration tables show what the learned "
        "resolver has to fix. Baselines see the engine's groups and one number per claim "
        "(its anchor, else its interval's middle); their `[low, high]` is a point, so their "
        "coverage equals their exact share.",
        "",
    ]
    if results.get("scale"):
        lines += ["## Scale: load, group, resolve vs. pandas reading the same CSV", "",
                  "Simulated realistic worlds. Peak memory is the growth of resident memory "
                  "during the stage.", "",
                  "| claims | pandas read_csv | load | group | resolve | total | total / read | "
                  "peak MiB load / group / resolve |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in results["scale"]:
            lines.append(
                f"| {r['claims']:,} | {r['csv_read_s']:.2f} s | {r['load_s']:.2f} s | "
                f"{r['group_s']:.2f} s | {r['resolve_s']:.2f} s | {r['total_s']:.2f} s | "
                f"{r['total_vs_read']:.1f}x | {r['load_mib']:.0f} / {r['group_mib']:.0f} / "
                f"{r['resolve_mib']:.0f} |")
        lines.append("")
    for w in results.get("worlds", []):
        g = w["grouping"]
        lines += [f"## World: {w['scenario']} ({w['claims']:,} claims, {w['true_events']:,} true "
                  f"events, {w['events_found']:,} found, {w['rejected']} malformed rows rejected)", "",
                  f"Grouping: pairwise precision {g['pairwise']['precision']:.3f}, recall "
                  f"{g['pairwise']['recall']:.3f}, F1 {g['pairwise']['f1']:.3f}; B-cubed F1 "
                  f"{g['bcubed']['f1']:.3f}.", "",
                  "| method | median rel. error | within 10% | exact | coverage of [low, high] | "
                  "median rel. width |", "|---|---:|---:|---:|---:|---:|"]
        for name, s in w["estimates"].items():
            lines.append(f"| {name} | {_fmt(s['median_rel_error'])} | {_fmt(s['within_10pct'])} | "
                         f"{_fmt(s['exact_share'])} | {_fmt(s['coverage'])} | "
                         f"{_fmt(s['median_rel_width'])} |")
        lines += ["", "Calibration of the engine (coverage by stated confidence):", "",
                  "| confidence | events | mean confidence | coverage |", "|---|---:|---:|---:|"]
        for row in w["calibration"]:
            lines.append(f"| {row['bin']} | {row['n']} | {row['mean_confidence']:.3f} | "
                         f"{row['coverage']:.3f} |")
        lines.append("")
    pop = results.get("population")
    if pop:
        lines += ["## Population (real; Wikipedia city populations, 308 gold values)", "",
                  f"The engine's loader used {pop['engine_loader']['claims']:,} rows and rejected "
                  f"{pop['engine_loader']['rejects']} with reasons (garbage values up to 6e18).", "",
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
    return "\n".join(lines)


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
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    parser.add_argument("--markdown", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--render-only", action="store_true",
                        help="rewrite the markdown from the existing results JSON")
    args = parser.parse_args(argv)
    if args.render_only:
        results = json.loads(args.out.read_text(encoding="utf-8"))
        args.markdown.write_text(render_markdown(results, results.get("command", "make bench"))
                                 + "\n", encoding="utf-8")
        return 0
    command = "make bench" if argv is None and len(sys.argv) == 1 else \
        "python bench/run.py " + " ".join(sys.argv[1:] if argv is None else argv)
    results: dict = {"date": time.strftime("%Y-%m-%d"), "machine": _machine(), "command": command}
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    print("1. scale")
    with tempfile.TemporaryDirectory() as tmp:
        results["scale"] = bench_scale(sizes, Path(tmp))
    print("2. worlds")
    results["worlds"] = []
    for scenario in ("easy", "realistic", "adversarial"):
        w = evaluate_world(scenario, args.world_claims)
        results["worlds"].append(w)
        e = w["estimates"]
        print(f"  {scenario:<11} grouping F1 {w['grouping']['pairwise']['f1']:.3f}  "
              + "  ".join(f"{k} {v['median_rel_error']:.3f}" for k, v in e.items()), flush=True)
    print("3. population")
    results["population"] = bench_population()
    if results["population"]:
        for name, s in results["population"]["methods"].items():
            print(f"  {name:<13} exact {s['conflicting']['exact_share']:.3f}  "
                  f"MAE {s['conflicting']['mae']:,.0f}")
    if not args.skip_extract:
        print("4. extract")
        results["extract"] = bench_extract()
    args.out.write_text(json.dumps(results, indent=2, default=float) + "\n", encoding="utf-8")
    args.markdown.write_text(render_markdown(results, command) + "\n", encoding="utf-8")
    print(f"wrote {args.out} and {args.markdown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
