"""``rules/sources.toml``: what resolution may assume about sources before it learns.

Loaded like every other rule file (:class:`~reconcile.rules.toml.TomlReader`):
read as data, checked row by row, every problem collected as
``file:line: key: message`` and raised together. A rules directory without
``sources.toml`` (one written before this file existed) falls back to the
shipped copy, which is neutral: every source starts unbiased with the
population's noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ..core.text import words
from ..errors import RulesError
from ..schema import QUOTE_CHECKS
from .load import default_rules_dir
from .toml import Problems, TomlReader, key_line

__all__ = ["SourcePrior", "SourcePriors", "check_source_priors", "default_source_priors",
           "fold_source", "load_source_priors"]

_DEFAULT_KEYS = ("bias", "noise", "strength", "denial", "party_denial", "hedge_scale",
                 "vague_scale")
_SOURCE_KEYS = ("name", "aliases", "bias", "noise", "strength", "denial", "exact", "party")


def fold_source(name: str) -> str:
    """A source name folded for matching: case-folded, runs of space made one.

    >>> fold_source("  Syrian  Observatory ")
    'syrian observatory'
    """
    return " ".join(str(name).casefold().split())


@dataclass(frozen=True, slots=True)
class SourcePrior:
    """Where one named source starts (``None``: the defaults)."""

    name: str
    aliases: tuple[str, ...] = ()
    bias: float | None = None
    noise: float | None = None
    strength: float | None = None
    denial: float | None = None
    party: bool = False
    exact: float | None = None  # share of its exact figures that are the count itself


@dataclass(frozen=True)
class SourcePriors:
    """Every prior about sources, validated. Build with :func:`load_source_priors`."""

    bias: float = 1.0
    noise: float = 0.1
    strength: float = 4.0
    denial: float = 0.5
    party_denial: float = 0.25
    hedge_scale: float = 2.5
    vague_scale: float = 4.0
    sources: tuple[SourcePrior, ...] = ()
    final_words: tuple[tuple[str, ...], ...] = ()
    denial_words: tuple[tuple[str, ...], ...] = ()
    negations: frozenset[str] = frozenset()
    treated_words: tuple[tuple[str, ...], ...] = ()
    # A claim's weight factor per quote check code ([provenance]; a code not listed: 1).
    provenance: dict[str, float] = field(default_factory=dict, compare=False)
    # Not an init field: dataclasses.replace() builds a new index instead of sharing
    # (and filling) the cached default's.
    _by_name: dict[str, SourcePrior] = field(default_factory=dict, init=False, repr=False,
                                             compare=False)

    def __post_init__(self) -> None:
        for row in self.sources:
            for name in (row.name, *row.aliases):
                self._by_name[fold_source(name)] = row

    def lookup(self, name: str) -> SourcePrior | None:
        """The row naming ``name`` (by its name or an alias, folded), or None."""
        return self._by_name.get(fold_source(name))

    def quote_factor(self, code: str) -> float:
        """How much a claim with quote check ``code`` weighs (1: whole)."""
        return self.provenance.get(code, 1.0)

    def canonical(self, name: str) -> str:
        """The folded canonical name of ``name``: its row's name when a row names it."""
        row = self.lookup(name)
        return fold_source(row.name if row is not None else name)


def _number(reader: TomlReader, table: dict, line: int | None, key: str, name: str,
            low: float, high: float | None, *, open_low: bool = True) -> float | None:
    value = reader.get(table, line, key, name, (int, float), required=False)
    if value is None:
        return None
    bad_low = value <= low if open_low else value < low
    if bad_low or (high is not None and value >= high):
        left = "(" if open_low else "["
        span = f"{left}{low}, {high})" if high is not None else (
            f"> {low}" if open_low else f">= {low}")
        reader.problems.add(reader.name, line, f"{key}.{name}", f"must be {span}, got {value!r}")
        return None
    return float(value)


def _phrases(reader: TomlReader, section: dict, line: int | None, name: str
             ) -> tuple[tuple[str, ...], ...]:
    raw = section.get(name, [])
    if not isinstance(raw, list) or not all(isinstance(w, str) and words(w) for w in raw):
        reader.problems.add(reader.name, key_line(reader.text, name) or line, f"claims.{name}",
                            "expected a list of words or phrases")
        return ()
    return tuple(tuple(words(w)) for w in raw)


def _read(reader: TomlReader) -> dict:
    out: dict = {}
    defaults = reader.data.get("defaults", {})
    dline = key_line(reader.text, "defaults")
    if not isinstance(defaults, dict):
        reader.problems.add(reader.name, dline, "defaults", "expected a table")
        defaults = {}
    reader.unknown_keys(defaults, dline, "defaults", _DEFAULT_KEYS)
    checks = {"bias": (0.0, None, True), "noise": (0.0, 5.0, True),
              "strength": (0.0, None, False), "denial": (0.0, 1.0, True),
              "party_denial": (0.0, 1.0, True), "hedge_scale": (1.0, None, False),
              "vague_scale": (0.0, None, True), "exact": (0.0, 1.0, False)}
    for key_name, (low, high, _open) in checks.items():
        line = key_line(reader.text, key_name) or dline
        value = _number(reader, defaults, line, "defaults", key_name, low, high,
                        open_low=_open)
        if value is not None:
            out[key_name] = value

    rows: list[SourcePrior] = []
    seen: dict[str, int | None] = {}
    for line, key, row in reader.rows("source"):
        reader.unknown_keys(row, line, key, _SOURCE_KEYS)
        name: str | None = reader.get(row, line, key, "name", str)
        aliases = reader.get(row, line, key, "aliases", list, required=False, default=[])
        if aliases and not all(isinstance(a, str) and a.strip() for a in aliases):
            reader.problems.add(reader.name, line, f"{key}.aliases", "expected a list of names")
            aliases = []
        if name is not None and not name.strip():
            reader.problems.add(reader.name, line, f"{key}.name", "empty name")
            name = None
        values = {n: _number(reader, row, line, key, n, *checks[n][:2], open_low=checks[n][2])
                  for n in ("bias", "noise", "strength", "denial", "exact")}
        party = reader.get(row, line, key, "party", bool, required=False, default=False)
        if name is None:
            continue
        ok = True
        for alias in (name, *aliases):
            folded = fold_source(alias)
            if folded in seen:
                reader.problems.add(reader.name, line, f"{key}.aliases" if alias != name
                                    else f"{key}.name",
                                    f"{alias!r} is already named at line {seen[folded]}")
                ok = False
            seen[folded] = line
        if ok:
            rows.append(SourcePrior(name.strip(), tuple(a.strip() for a in aliases), **values,
                                    party=bool(party)))
    out["sources"] = tuple(rows)

    claims = reader.data.get("claims", {})
    cline = key_line(reader.text, "claims")
    if not isinstance(claims, dict):
        reader.problems.add(reader.name, cline, "claims", "expected a table")
        claims = {}
    reader.unknown_keys(claims, cline, "claims", ("final", "denial", "negation", "treated"))
    out["final_words"] = _phrases(reader, claims, cline, "final")
    out["denial_words"] = _phrases(reader, claims, cline, "denial")
    out["treated_words"] = _phrases(reader, claims, cline, "treated")
    negations = _phrases(reader, claims, cline, "negation")
    if any(len(p) != 1 for p in negations):
        reader.problems.add(reader.name, key_line(reader.text, "negation") or cline,
                            "claims.negation", "each negation must be a single word")
    out["negations"] = frozenset(p[0] for p in negations if len(p) == 1)

    provenance = reader.data.get("provenance", {})
    pline = key_line(reader.text, "provenance")
    if not isinstance(provenance, dict):
        reader.problems.add(reader.name, pline, "provenance", "expected a table")
        provenance = {}
    reader.unknown_keys(provenance, pline, "provenance", QUOTE_CHECKS)
    factors = {}
    for code in QUOTE_CHECKS:
        if code not in provenance:
            continue
        value = provenance[code]
        line = key_line(reader.text, code) or pline
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            reader.problems.add(reader.name, line, f"provenance.{code}",
                                f"must be a number in [0, 1], got {value!r}")
            continue
        factors[code] = float(value)
    out["provenance"] = factors
    return out


def _path(directory: Path) -> Path:
    path = directory / "sources.toml"
    return path if path.exists() else default_rules_dir() / "sources.toml"


def check_source_priors(directory: str | Path | None = None) -> list[str]:
    """Every problem in ``sources.toml`` (empty when valid)."""
    root = Path(directory) if directory is not None else default_rules_dir()
    problems = Problems()
    _read(TomlReader(_path(root), problems))
    return problems.items


def load_source_priors(directory: str | Path | None = None) -> SourcePriors:
    """Read and validate ``sources.toml`` in ``directory`` (default: the shipped file).

    Raises
    ------
    RulesError
        Listing every problem found, each as ``file:line: key: message``.

    Examples
    --------
    >>> load_source_priors().bias
    1.0
    """
    root = Path(directory) if directory is not None else default_rules_dir()
    problems = Problems()
    data = _read(TomlReader(_path(root), problems))
    if problems.items:
        raise RulesError(problems.items)
    return SourcePriors(**data)


@cache
def default_source_priors() -> SourcePriors:
    """The shipped priors, loaded once per process."""
    return load_source_priors()
