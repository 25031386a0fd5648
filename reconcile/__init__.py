"""reconcile: conflicting casualty figures -> low / best / high with provenance."""

from importlib.metadata import PackageNotFoundError, version

from .core.interval import EMPTY, INF, Interval, format_interval, parse_interval
from .core.parse import Figure, NotAFigure, find_figures, parse_figure
from .errors import InputError, ReconcileError, RulesError
from .group import group_claims
from .load import LoadResult, load_claims, validate_claims
from .pipeline import RunResult, reconcile_claims, run
from .resolve import Resolution, resolve_events
from .rules.load import Rules, default_rules, load_rules

try:
    __version__ = version("reconcile")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0+unknown"

__all__ = [
    "EMPTY",
    "INF",
    "Figure",
    "InputError",
    "Interval",
    "LoadResult",
    "NotAFigure",
    "ReconcileError",
    "Resolution",
    "Rules",
    "RulesError",
    "RunResult",
    "__version__",
    "default_rules",
    "find_figures",
    "format_interval",
    "group_claims",
    "load_claims",
    "load_rules",
    "parse_figure",
    "parse_interval",
    "reconcile_claims",
    "resolve_events",
    "run",
    "validate_claims",
]
