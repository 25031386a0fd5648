"""The ``reconcile`` command line. Each command parses options and calls one
library function; library errors become one ``Error: ...`` line and exit 1,
usage errors exit 2 (click's convention)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .core.parse import parse_figure
from .errors import ReconcileError
from .pipeline import run as run_pipeline
from .resolve.policy import POLICIES
from .rules.load import default_rules_dir, load_rules

rules_option = click.option(
    "--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder of rule files to use instead of the shipped ones.")


class _Group(click.Group):
    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except ReconcileError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconcile")
def main() -> None:
    """Reconcile conflicting casualty figures into low / best / high estimates."""


@main.command()
@click.argument("claims", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", "outdir", type=click.Path(file_okay=False, path_type=Path),
              required=True,
              help="Folder for events.csv, claims.csv, sources.csv and rejects.csv.")
@click.option("--policy", type=click.Choice(list(POLICIES)), default="estimate",
              show_default=True,
              help="How best is chosen: the model's estimate, ACLED's conservative rule, or a "
                   "baseline for comparison.")
@click.option("--level", type=click.FloatRange(0.5, 0.99), default=0.8, show_default=True,
              help="Credible level of [low, high].")
@rules_option
def run(claims: Path, outdir: Path, policy: str, level: float, rules_dir: Path | None) -> None:
    """Reconcile the claims in CLAIMS (.csv, .tsv, .jsonl, .parquet) into OUT.

    \b
    Example:
        reconcile run examples/claims.csv -o out/
        reconcile run examples/claims.csv -o out/ --policy conservative
    """
    result = run_pipeline(claims, outdir, rules_dir=rules_dir, policy=policy, level=level)
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(result.summary())


@main.command()
@click.argument("texts", nargs=-1, required=True)
@rules_option
def parse(texts: tuple[str, ...], rules_dir: Path | None) -> None:
    """Parse figure TEXTS into intervals, one JSON object per line.

    Unbounded ``high`` is null; text that is not a figure gives ``error``
    and exit status 1 after every text is printed.

    \b
    Example:
        reconcile parse "at least 29" "more than 290" "dozens"
    """
    rules = load_rules(rules_dir)
    failed = False
    for text in texts:
        figure = parse_figure(text, rules)
        click.echo(figure.to_json())
        failed = failed or not hasattr(figure, "interval")
    if failed:
        sys.exit(1)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "output", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="The claims CSV to write.")
@click.option("--outlet", help="Outlet of articles whose file does not say.")
@click.option("--published", help="Publication date (ISO) of articles whose file does not say.")
@click.option("--url", help="URL of articles whose file does not say.")
@rules_option
def extract(inputs: tuple[Path, ...], output: Path, outlet: str | None, published: str | None,
            url: str | None, rules_dir: Path | None) -> None:
    """Extract casualty claims from news articles into a claims CSV.

    INPUTS are .txt articles (optional outlet:, published:, url:, title:
    header lines, then a blank line), .jsonl/.json/.csv collections with
    fields id, text, published, outlet, url, or folders of them. A file that
    cannot be read gets a message and the rest is read; exit status 1 only
    when nothing could be read.

    \b
    Example:
        reconcile extract examples/articles/ -o claims.csv
        reconcile run claims.csv -o out/
    """
    from .extract.engine import extract_files

    rules = load_rules(rules_dir) if rules_dir is not None else None
    report = extract_files(list(inputs), output, outlet=outlet, published=published, url=url,
                           rules=rules)
    for message in report.messages:
        click.echo(f"Warning: {message}", err=True)
    click.echo(report.summary())


@main.command()
@click.option("-o", "--out", "outdir", type=click.Path(file_okay=False, path_type=Path),
              required=True,
              help="Folder for claims.csv, truth.csv, truth_claims.csv, truth_sources.csv.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Random seed: the same seed gives the same world.")
@click.option("--claims", "n_claims", type=click.IntRange(min=1), default=5000,
              show_default=True, help="How many claims to write.")
@click.option("--scenario", type=click.Choice(["easy", "realistic", "adversarial"]),
              default="realistic", show_default=True,
              help="adversarial: most outlets repeat one biased originator.")
def simulate(outdir: Path, seed: int, n_claims: int, scenario: str) -> None:
    """Write a simulated world with known truth, for measuring the engine.

    \b
    Example:
        reconcile simulate -o world/ --claims 10000 --scenario adversarial
        reconcile run world/claims.csv -o world/out/
    """
    from .simulate.world import simulate_to_dir  # numpy-heavy; load only when asked

    summary = simulate_to_dir(outdir, n_claims=n_claims, seed=seed, scenario=scenario)
    click.echo(f"world:     {summary['scenario']}, seed {summary['seed']}: "
               f"{summary['n_claims']} claims ({summary['n_malformed']} malformed on purpose), "
               f"{summary['n_events']} true events, {summary['n_sources']} sources")
    for name, path in summary["files"].items():
        click.echo(f"{name + ':':<14} {path}")


@main.group()
def rules() -> None:
    """Inspect the rule files."""


@rules.command("check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
def rules_check(directory: Path | None) -> None:
    """Validate every rule file in DIRECTORY (default: the shipped rules).

    Checks the core rules, the extractor's (extract.toml, places.toml) and
    the source priors (sources.toml); every problem is listed at once, as
    file:line: key: message.

    \b
    Example:
        reconcile rules check rules/
    """
    from .rules.extract import check_all_rules

    loaded = check_all_rules(directory)
    click.echo(
        f"ok: {directory or default_rules_dir()}: {len(loaded.qualifiers)} qualifiers, "
        f"{len(loaded.ranges)} range forms, {len(loaded.vague)} vague quantities, "
        f"{len(loaded.categories)} categories, {len(loaded.victims)} victim groups"
    )


if __name__ == "__main__":  # pragma: no cover
    main()
