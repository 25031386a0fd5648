"""The ``reconcile`` command line. Each command parses options and calls one
library function; library errors become one ``Error: ...`` line and exit 1,
usage errors exit 2 (click's convention).

Conventions of csvkit and sqlite-utils: ``-`` is standard input (``run -``,
``extract -``) or standard output (``extract ... -o -``); results go to
standard output, and progress, warnings and errors to standard error;
``--quiet`` keeps only errors; ``--json`` prints the summary as one JSON
object.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from . import __version__
from .core.parse import NotAFigure, parse_figure
from .errors import ReconcileError
from .io.records import STDIN
from .pipeline import run as run_pipeline
from .progress import TerminalProgress
from .report.html import DEFAULT_MAX_CHARTS, DEFAULT_MAX_EVENTS
from .report.tables import FORMATS
from .resolve.policy import POLICIES
from .rules.load import default_rules_dir, load_rules

rules_option = click.option(
    "--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder of rule files to use instead of the shipped ones.")
quiet_option = click.option(
    "-q", "--quiet", is_flag=True,
    help="Print nothing but errors: no progress, warnings or summary.")


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ReconcileError as exc:
            raise click.ClickException(str(exc)) from None
        except BrokenPipeError:
            # "reconcile extract ... -o - | head": the reader left; stop quietly.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)


def _warn(messages: Iterable[str], quiet: bool) -> None:
    if not quiet:
        for message in messages:
            click.echo(f"Warning: {message}", err=True)


def _date_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from .extract.dates import parse_published

    if value is not None and parse_published(value) is None:
        raise click.BadParameter(f"{value!r} is not a date; give an ISO date (YYYY-MM-DD) "
                                 "or date-time")
    return value


def _as_of_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from .load import as_of_cutoff

    if value is not None:
        try:
            as_of_cutoff(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
    return value


def _stdin_bytes() -> bytes:
    if sys.stdin.isatty():
        click.echo("Reading standard input (end with Ctrl-D)...", err=True)
    return sys.stdin.buffer.read()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconcile")
def main() -> None:
    """Reconcile conflicting casualty figures into low / best / high estimates."""


@main.command()
@click.argument("claims", type=click.Path(path_type=Path, allow_dash=True))
@click.option("-o", "--out", "outdir", type=click.Path(path_type=Path), required=True,
              help="Folder for events.csv, claims.csv, sources.csv and rejects.csv.")
@click.option("--policy", type=click.Choice(list(POLICIES)), default="estimate",
              show_default=True,
              help="How best is chosen: the model's estimate, ACLED's conservative rule, or a "
                   "baseline for comparison.")
@click.option("--level", type=click.FloatRange(0.5, 0.99), default=0.8, show_default=True,
              help="Credible level of [low, high].")
@click.option("--as-of", "as_of", metavar="DATE", callback=_as_of_option,
              help="Use only the claims published up to DATE (ISO date: the whole day; or "
                   "date-time): the toll as it was knowable then. Claims without a published "
                   "date are left out.")
@click.option("--history-steps", type=click.IntRange(min=0), default=20, show_default=True,
              help="history.csv shows each event at up to this many publication times "
                   "(0: no history.csv).")
@rules_option
@quiet_option
@click.option("--json", "as_json", is_flag=True,
              help="Print the summary as one JSON object on standard output.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True,
              help="Format of the tables: CSV files, JSON lines, Parquet, "
                   "or one SQLite database (reconcile.sqlite).")
@click.option("--hxl", is_flag=True, help="Add an HXL hashtag row under each CSV header.")
@click.option("--report-events", type=click.IntRange(min=0), default=DEFAULT_MAX_EVENTS,
              show_default=True,
              help="How many events report.html holds (those most in need of review).")
@click.option("--report-charts", type=click.IntRange(min=0), default=DEFAULT_MAX_CHARTS,
              show_default=True,
              help="For how many of them report.html draws the interval chart.")
@click.option("--no-report", is_flag=True, help="Do not write report.html.")
@click.option("--review", "review", type=click.Path(path_type=Path, dir_okay=False),
              default=None,
              help="A review file of verdicts (target, verdict, reviewer, reason, date) "
                   "that change the result; see reconcile review-template.")
@click.option("--engine", "engine_name", type=click.Choice(["local", "dask"]), default="local",
              show_default=True,
              help="local: this process. dask: dask.distributed workers (pip install "
                   "'reconcile[dask]'); the results are the same.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Dask scheduler of an existing cluster (tcp://host:8786); without it "
                   "--engine dask starts local worker processes.")
@click.option("--partitions", type=click.IntRange(min=1), default=None,
              help="Partitions of the claims (default: 1 local; 4 per Dask worker).")
def run(claims: Path, outdir: Path, policy: str, level: float, as_of: str | None,
        history_steps: int, rules_dir: Path | None, quiet: bool, as_json: bool, fmt: str,
        hxl: bool, report_events: int, report_charts: int, no_report: bool,
        review: Path | None, engine_name: str, scheduler: str | None,
        partitions: int | None) -> None:
    """Reconcile the claims in CLAIMS (.csv, .tsv, .jsonl, .parquet) into OUT.

    CLAIMS may be - for standard input (CSV, JSON lines or parquet, told
    apart by their first bytes). OUT receives the tables (events, claims,
    rejects) and report.html, the disagreement report. With --engine dask the
    same pipeline runs on a Dask cluster; its workers read CLAIMS in byte
    ranges, so on a cluster give a path every worker can read.

    \b
    Example:
        reconcile run examples/claims.csv -o out/
        reconcile run examples/claims.csv -o out/ --policy conservative
        cat claims.csv | reconcile run - -o out/ --json
        reconcile run examples/claims.csv -o out-2024-12-02/ --as-of 2024-12-02
        reconcile run claims.csv -o out/ --format sqlite
        reconcile run claims.csv -o out/ --review review.csv
        reconcile run claims.csv -o out/ --engine dask --scheduler tcp://10.0.0.5:8786
    """
    if hxl and fmt != "csv":
        raise click.UsageError("--hxl adds a hashtag row to CSV files; it needs --format csv")
    from .engine import make_engine

    data = _stdin_bytes() if str(claims) == "-" else None
    name = STDIN if data is not None else claims
    with make_engine(engine_name, scheduler=scheduler, partitions=partitions) as engine, \
            TerminalProgress(enabled=not quiet) as progress:
        result = run_pipeline(name, outdir, rules_dir=rules_dir, data=data, progress=progress,
                              policy=policy, level=level, as_of=as_of,
                              history_steps=history_steps, fmt=fmt, hxl=hxl,
                              report=not no_report, report_events=report_events,
                              report_charts=report_charts, review=review,
                              engine=engine)
    _warn(result.warnings, quiet)
    if as_json:
        click.echo(json.dumps(result.summary_dict(), ensure_ascii=False))
    elif not quiet:
        click.echo(result.summary())


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("texts", nargs=-1, required=True)
@rules_option
def parse(texts: tuple[str, ...], rules_dir: Path | None) -> None:
    """Parse figure TEXTS into intervals, one JSON object per line.

    Unbounded ``high`` is null; text that is not a figure gives ``error``
    and exit status 1 after every text is printed. A text that starts with
    a dash is a figure, not an option ("-5" is a negative count: an error).

    \b
    Example:
        reconcile parse "at least 29" "more than 290" "dozens" ">10"
    """
    rules = load_rules(rules_dir)
    failed = False
    for text in texts:
        figure = parse_figure(text, rules)
        click.echo(figure.to_json())
        failed = failed or isinstance(figure, NotAFigure)
    if failed:
        sys.exit(1)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path, allow_dash=True))
@click.option("-o", "--out", "output", type=click.Path(path_type=Path, allow_dash=True),
              required=True, help="The claims CSV to write; - for standard output.")
@click.option("--outlet", help="Outlet of articles whose file does not say.")
@click.option("--published", callback=_date_option,
              help="Publication date (ISO) of articles whose file does not say.")
@click.option("--url", help="URL of articles whose file does not say.")
@rules_option
@quiet_option
@click.option("--json", "as_json", is_flag=True,
              help="Print the summary as one JSON object on standard output (not with -o -).")
def extract(inputs: tuple[Path, ...], output: Path, outlet: str | None, published: str | None,
            url: str | None, rules_dir: Path | None, quiet: bool, as_json: bool) -> None:
    """Extract casualty claims from news articles into a claims CSV.

    INPUTS are .txt articles (optional outlet:, published:, url:, title:
    header lines, then a blank line), .jsonl/.json/.csv collections with
    fields id, text, published, outlet, url, or folders of them; - reads
    standard input (one article, or JSON lines when it starts with "{").
    A file that cannot be read gets a message and the rest is read; exit
    status 1 only when nothing could be read. With -o - the claims go to
    standard output and the summary to standard error.

    \b
    Example:
        reconcile extract examples/articles/ -o claims.csv
        reconcile run claims.csv -o out/
        echo "At least 5 people were killed, police said." | reconcile extract - -o -
    """
    from .extract.engine import extract_files

    to_stdout = str(output) == "-"
    if to_stdout and as_json:
        raise click.UsageError("--json prints to standard output, which -o - fills with the "
                               "claims; give -o FILE")
    stdin = _stdin_bytes() if any(str(p) == "-" for p in inputs) else None
    rules = load_rules(rules_dir) if rules_dir is not None else None
    target: Any = sys.stdout if to_stdout else output
    with TerminalProgress(enabled=not quiet) as progress:
        report = extract_files(list(inputs), target, outlet=outlet, published=published,
                               url=url, rules=rules, stdin=stdin, progress=progress)
    _warn(report.messages, quiet)
    if as_json:
        click.echo(json.dumps(report.summary_dict(), ensure_ascii=False))
    elif not quiet:
        click.echo(report.summary(), err=to_stdout)


@main.command()
@click.option("-o", "--out", "outdir", type=click.Path(path_type=Path), required=True,
              help="Folder for claims.csv, truth.csv, truth_claims.csv, truth_sources.csv.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Random seed: the same seed gives the same world.")
@click.option("--claims", "n_claims", type=click.IntRange(min=1), default=5000,
              show_default=True, help="How many claims to write.")
@click.option("--scenario", type=click.Choice(["easy", "realistic", "adversarial"]),
              default="realistic", show_default=True,
              help="adversarial: most outlets repeat one biased originator.")
@quiet_option
def simulate(outdir: Path, seed: int, n_claims: int, scenario: str, quiet: bool) -> None:
    """Write a simulated world with known truth, for measuring the engine.

    \b
    Example:
        reconcile simulate -o world/ --claims 10000 --scenario adversarial
        reconcile run world/claims.csv -o world/out/
    """
    from .io.write import output_folder
    from .simulate import simulate_to_dir  # numpy-heavy; load only when asked

    output_folder(outdir)  # an existing file there is one clear error, before the work
    with TerminalProgress(enabled=not quiet) as progress, \
            progress.stage(f"simulating {n_claims:,} claims"):
        summary = simulate_to_dir(outdir, n_claims=n_claims, seed=seed, scenario=scenario)
    if quiet:
        return
    click.echo(f"world:     {summary['scenario']}, seed {summary['seed']}: "
               f"{summary['n_claims']} claims ({summary['n_malformed']} malformed on purpose), "
               f"{summary['n_events']} true events, {summary['n_sources']} sources")
    for name, path in summary["files"].items():
        click.echo(f"{name + ':':<14} {path}")


def _console() -> Any:
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 140, soft_wrap=False,
                   highlight=False)


@main.command()
@click.argument("event_id")
@click.option("--run", "outdir", type=click.Path(path_type=Path, file_okay=False),
              required=True, help="The output folder of reconcile run.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the event and its claims as one JSON object.")
def explain(event_id: str, outdir: Path, as_json: bool) -> None:
    """Explain one event of a run: its figures, how best was chosen, every claim and why
    it counted or not, review verdicts and the hierarchy.

    EVENT_ID may be the start of an id when only one event starts with it.
    Reads the output folder alone (any --format run wrote).

    \b
    Example:
        reconcile explain e0d766f81529bc8d1 --run out/
    """
    from .report.explain import event_explanation, explain_event
    from .report.tables import read_tables

    ex = event_explanation(read_tables(outdir), event_id, str(outdir))
    if as_json:
        click.echo(json.dumps(ex, ensure_ascii=False))
    else:
        explain_event(_console(), ex)


@main.command()
@click.argument("event_id")
@click.option("--run", "outdir", type=click.Path(path_type=Path, file_okay=False),
              required=True, help="The output folder of reconcile run.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the history as one JSON object on standard output.")
def history(event_id: str, outdir: Path, as_json: bool) -> None:
    """How EVENT_ID's low / best / high moved with each report, from one run.

    Each step is a publication time: the claims first published then, the
    event's figures as they stood, how far best moved, what the step
    superseded. The last step is the event's row of events.csv. EVENT_ID may
    be the start of an id when only one event starts with it. Reads the
    output folder alone (any --format run wrote).

    \b
    Example:
        reconcile run examples/claims.csv -o out/
        reconcile history e0d766f8 --run out/
    """
    from .report.history import event_history_data, print_history
    from .report.tables import read_tables

    tables = read_tables(outdir)
    events, steps = tables["events"], tables["history"]
    assert events is not None
    if steps is None:
        raise click.ClickException(f"{outdir}: no history table (the run was made with "
                                   "--history-steps 0, or by a reconcile without histories); "
                                   "run it again")
    data = event_history_data(events, steps, event_id, str(outdir))
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        print_history(data, _console())


@main.command()
@click.argument("outdir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--top", type=click.IntRange(min=1), default=15, show_default=True,
              help="How many events to list.")
def summary(outdir: Path, top: int) -> None:
    """Summarise a run: its numbers and the events most in need of review.

    The order is the report's: contested first, then low grade, high stakes,
    claims outside [low, high], low confidence; events already reviewed sink.

    \b
    Example:
        reconcile summary out/ --top 20
    """
    from .report.explain import summarise_run
    from .report.tables import read_tables

    summarise_run(_console(), read_tables(outdir), top=top)


@main.command("review-template")
@click.argument("outdir", type=click.Path(path_type=Path, file_okay=False))
@click.option("-o", "--out", "output", type=click.Path(path_type=Path, dir_okay=False),
              default=Path("review.csv"), show_default=True, help="The review file to write.")
@click.option("--top", type=click.IntRange(min=1), default=50, show_default=True,
              help="How many events to list, most in need of review first.")
@quiet_option
def review_template_command(outdir: Path, output: Path, top: int, quiet: bool) -> None:
    """Write a review file pre-filled with the events of OUTDIR most in need of review.

    Fill in verdict (exclude, trust, distrust, merge-with EVENT_ID, split,
    set-figure FIGURE, note), reviewer, reason and date; change the target
    to a claim id or a source where the verdict is about one; then
    reconcile run ... --review FILE. Rows left without a verdict are skipped.

    \b
    Example:
        reconcile review-template out/ -o review.csv
        reconcile run claims.csv -o out/ --review review.csv
    """
    from .review import review_template

    if output.exists() and output.resolve().parent == output.resolve().parent and \
            output.stat().st_size and not quiet:
        click.echo(f"Warning: {output} exists and is replaced", err=True)
    frame = review_template(outdir, output, top=top)
    if not quiet:
        click.echo(f"wrote {len(frame)} events to review to {output}")


@main.command()
@click.argument("outdir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--input", "inputs", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Check this file in place of the recorded input of the same name (a moved "
                   "or archived copy, or a saved copy of standard input). Repeatable.")
@quiet_option
@click.option("--json", "as_json", is_flag=True,
              help="Print every check as one JSON object on standard output.")
def verify(outdir: Path, inputs: tuple[Path, ...], quiet: bool, as_json: bool) -> None:
    """Re-check a run folder against its manifest.json.

    Every output must still have the SHA-256 the run wrote, and every input,
    rule file and gazetteer table the run read must still be there with the
    same SHA-256. Exit status 1, naming each file, when one does not match.
    Prints the manifest's SHA-256: cite it with any figure you publish.

    \b
    Example:
        reconcile run examples/claims.csv -o out/
        reconcile verify out/
    """
    from .errors import IntegrityError
    from .io.manifest import verify_run

    result = verify_run(outdir, inputs=inputs)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    elif not quiet:
        width = max((len(c.kind) + len(c.name) for c in result.checks), default=10) + 2
        for c in result.checks:
            detail = "" if c.status == "ok" else f"  ({c.path}" + (
                f": sha256 {c.found[:12]}…, recorded {c.recorded[:12]}…)" if c.found else ")")
            click.echo(f"{c.status:<14}{(c.kind + ' ' + c.name):<{width}}{detail}".rstrip())
        click.echo(f"manifest sha256:{result.manifest_sha256}")
    if not result.ok:
        raise IntegrityError(result.problem(), file=str(Path(outdir) / "manifest.json"))


@main.command()
@click.argument("old", type=click.Path(path_type=Path, file_okay=False))
@click.argument("new", type=click.Path(path_type=Path, file_okay=False))
@click.option("--json", "as_json", is_flag=True,
              help="Print the changes as one JSON object on standard output.")
def diff(old: Path, new: Path, as_json: bool) -> None:
    """What changed from run OLD to run NEW (two output folders, any --format).

    Events are matched through their claims (each run's claims table says
    which event every claim is in), not only by id: events added, removed,
    merged and split, bests that moved (by how much, and the new claims
    behind the move), newly contested events, and reviewer verdicts that no
    longer apply.

    \b
    Example:
        reconcile run examples/claims.csv -o out-old/ --as-of 2025-03-02
        reconcile run examples/claims.csv -o out/
        reconcile diff out-old/ out/
    """
    from .report.diff import diff_runs, print_diff

    data = diff_runs(old, new)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        print_diff(data, _console())


@main.group()
def export() -> None:
    """Export a run for other tools."""


@export.command("claimreview")
@click.argument("outdir", type=click.Path(path_type=Path, file_okay=False))
@click.option("-o", "--out", "output", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="The JSON-LD file to write [default: OUTDIR/claimreview.jsonld].")
@quiet_option
def export_claimreview_command(outdir: Path, output: Path | None, quiet: bool) -> None:
    """Write schema.org ClaimReview JSON-LD for the events of OUTDIR a reviewer gave
    a verdict: the claim with every appearance, the verdict as the rating, and the
    range as a QuantitativeValue (minValue = low, value = best, maxValue = high).

    \b
    Example:
        reconcile run examples/claims.csv -o out/ --review review.csv
        reconcile export claimreview out/ -o claimreview.jsonld
    """
    from .report.claimreview import export_claimreview

    path, n = export_claimreview(outdir, output)
    if not quiet:
        click.echo(f"wrote {n} ClaimReview{'s' if n != 1 else ''} to {path}")


@main.group()
def rules() -> None:
    """Inspect the rule files."""


@rules.command("check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@quiet_option
def rules_check(directory: Path | None, quiet: bool) -> None:
    """Validate every rule file in DIRECTORY (default: the shipped rules).

    Checks the core rules, the extractor's (extract.toml, places.toml),
    the source priors (sources.toml) and grouping's (grouping.toml); every problem is
    listed at once, as file:line: key: message.

    \b
    Example:
        reconcile rules check rules/
    """
    from .rules.extract import check_all_rules

    loaded = check_all_rules(directory)
    if quiet:
        return
    click.echo(
        f"ok: {directory or default_rules_dir()}: {len(loaded.qualifiers)} qualifiers, "
        f"{len(loaded.ranges)} range forms, {len(loaded.vague)} vague quantities, "
        f"{len(loaded.categories)} categories, {len(loaded.victims)} victim groups"
    )


if __name__ == "__main__":  # pragma: no cover
    main()
