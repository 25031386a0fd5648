"""The report's size and speed: what report.html adds to a run, and how fast it opens.

    python bench/bench_report.py                       # 100,000 and 1,000,000 claims
    python bench/bench_report.py --claims 100000 --json out.json

For each size: a simulated realistic world; ``reconcile run`` without the
report (load, group, resolve, write the tables: the run time), then the
report alone (``build_report`` + write) with the default caps (the events
most in need of review, charts for the first of them); the share the report
adds, in CPU seconds (the process's threads and the chart workers): on a
machine shared with other work, wall time says more about the neighbours
than about the code, so both are kept. For the 100,000-claim run, report.html is opened in Debian's chromium
(headless, network blocked) and timed until its table is drawn, then until
an event's detail is shown: the median of three fresh pages; the same for a
report holding every event (``--report-events`` at the number of events).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from reconcile.load import load_claims
from reconcile.pipeline import reconcile_claims
from reconcile.report.html import DEFAULT_MAX_CHARTS, DEFAULT_MAX_EVENTS, build_report, write_report
from reconcile.report.tables import ged_columns, write_tables
from reconcile.simulate.world import WorldSpec, simulate_world, write_world

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def open_times(path: Path, tries: int = 3) -> dict:
    """Median seconds to a drawn table, and to an event's detail, on fresh pages."""
    from playwright.sync_api import sync_playwright

    table, detail = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        for _ in range(tries):
            context = browser.new_context()
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                          else r.abort())
            page = context.new_page()
            t0 = time.perf_counter()
            page.goto(path.as_uri(), wait_until="domcontentloaded")
            page.wait_for_selector("body[data-ready='1']", timeout=60_000)
            table.append(time.perf_counter() - t0)
            t1 = time.perf_counter()
            page.locator("#events-body tr").first.click()
            page.wait_for_selector("#detail:not([hidden])")
            detail.append(time.perf_counter() - t1)
            context.close()
        browser.close()
    return {"open_s": statistics.median(table), "detail_s": statistics.median(detail)}


def cpu_seconds() -> float:
    """CPU time of this process (all its threads) and of the workers it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def bench_size(n: int, workdir: Path, browser: bool) -> dict:
    world = simulate_world(WorldSpec(n_claims=n, seed=7, scenario="realistic"))
    path = write_world(world, workdir / f"w{n}")["claims"]
    del world
    out = workdir / f"out{n}"
    t0, c0 = time.perf_counter(), cpu_seconds()
    loaded = load_claims(path)
    result = reconcile_claims(loaded)
    claims, sources = result.claims, result.sources
    events = ged_columns(result.events, claims)
    write_tables(out, {"events": events, "claims": claims, "sources": sources,
                       "rejects": loaded.rejects})
    run_s, run_cpu = time.perf_counter() - t0, cpu_seconds() - c0
    t1, c1 = time.perf_counter(), cpu_seconds()
    html = build_report(events, claims, sources=sources, rejects=loaded.rejects,
                        n_rows=loaded.n_rows, input_name=str(path))
    report = write_report(out / "report.html", html)
    report_s, report_cpu = time.perf_counter() - t1, cpu_seconds() - c1
    row = {"claims": n, "events": len(events), "run_s": run_s, "report_s": report_s,
           "run_cpu_s": run_cpu, "report_cpu_s": report_cpu,
           "report_share": report_cpu / run_cpu, "held": min(len(events), DEFAULT_MAX_EVENTS),
           "charts": DEFAULT_MAX_CHARTS, "mib": report.stat().st_size / 2**20}
    print(f"  {n:>9,} claims, {len(events):,} events: run {run_s:6.1f} s ({run_cpu:.1f} s CPU), "
          f"report {report_s:5.1f} s ({report_cpu:.1f} s CPU, +{100 * row['report_share']:.0f}%), "
          f"{row['mib']:.0f} MiB", flush=True)
    if browser:
        row.update(open_times(report))
        print(f"    opens in {row['open_s']:.2f} s; an event's detail in {row['detail_s']:.2f} s",
              flush=True)
        t2 = time.perf_counter()
        full = write_report(out / "report-all.html", build_report(
            events, claims, sources=sources, rejects=loaded.rejects, n_rows=loaded.n_rows,
            input_name=str(path), max_events=len(events)))
        row["all_report_s"] = time.perf_counter() - t2
        row["all_mib"] = full.stat().st_size / 2**20
        times = open_times(full)
        row["all_open_s"], row["all_detail_s"] = times["open_s"], times["detail_s"]
        print(f"    every event held ({len(events):,}): {row['all_mib']:.0f} MiB, opens in "
              f"{row['all_open_s']:.2f} s", flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", default="100000,1000000")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.claims.split(",")):
            rows.append(bench_size(n, Path(tmp), browser=n == 100_000))
    result = {"date": time.strftime("%Y-%m-%d"), "sizes": rows, "max_events": DEFAULT_MAX_EVENTS,
              "max_charts": DEFAULT_MAX_CHARTS}
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    else:
        json.dump(result, sys.stdout, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
