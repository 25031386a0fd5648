"""Rule files: the phrases and ranges a fact-checker can edit.

Rules live in TOML files under ``rules/`` (shipped inside the package as
``reconcile.rule_files``). They are read as data with :mod:`tomllib` — never
evaluated — into frozen dataclasses. Validation collects every problem in
every file and raises them together, each naming the file, the line of the
row and the key, so one run of ``reconcile rules check`` shows all there is
to fix.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from ..core.interval import INF
from ..core.text import words
from ..errors import RulesError
from .toml import Problems, TomlReader, key_line, read_phrase

__all__ = [
    "QUALIFIER_KINDS",
    "RULE_FILES",
    "Category",
    "NotACount",
    "NumberWords",
    "Qualifier",
    "RangeRule",
    "Rules",
    "Tolerance",
    "VagueQuantity",
    "VictimGroup",
    "default_rules",
    "default_rules_dir",
    "load_rules",
]

T = TypeVar("T")

QUALIFIER_KINDS = ("lower", "upper", "nearly", "approx", "exact")
POSITIONS = ("before", "after")
RULE_FILES = ("qualifiers.toml", "vague.toml", "numbers.toml", "categories.toml", "victims.toml")


@dataclass(frozen=True, slots=True)
class Qualifier:
    phrase: str
    tokens: tuple[str, ...]
    position: str
    kind: str
    strict: bool = False
    scale: float = 1.0


@dataclass(frozen=True, slots=True)
class RangeRule:
    prefix: tuple[str, ...]
    connectors: frozenset[tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Tolerance:
    unit: int
    relative: float
    min_tol: int


@dataclass(frozen=True, slots=True)
class VagueQuantity:
    """A word for a count without a number: "dozens" is [24, 99].

    ``value`` is the nominal count (one number for the phrase), ``acled``
    the figure ACLED's coding assigns; ``stated`` says the phrase states
    ``value`` ("two dozen"), which then is the claim's anchor.
    """

    phrase: str
    tokens: tuple[str, ...]
    low: int
    high: int | float
    value: int
    acled: int
    stated: bool = False

    @property
    def anchor(self) -> int | None:
        """The number the source stated: ``value`` when the phrase states it, else None."""
        return self.value if self.stated else None


@dataclass(frozen=True, slots=True)
class NotACount:
    tokens: tuple[str, ...]
    reason: str
    at_start: bool = False  # only when the figure text starts with the phrase ("=12")


@dataclass(frozen=True, slots=True)
class NumberWords:
    units: Mapping[str, int]
    tens: Mapping[str, int]
    scales: Mapping[str, int]
    fractions: Mapping[str, float]
    joiners: frozenset[str]
    max_count: int = 10**10
    # Phrases that state a count of zero ("no one", "nobody", "not a single").
    zeros: tuple[tuple[str, ...], ...] = ()

    def is_number_word(self, token: str) -> bool:
        return token in self.units or token in self.tens


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    aliases: tuple[str, ...]
    contains: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VictimGroup:
    name: str
    aliases: tuple[str, ...]
    part_of: str | None = None


@dataclass(frozen=True)
class Rules:
    """Every rule, validated. Build with :func:`load_rules`."""

    directory: str
    qualifiers: tuple[Qualifier, ...]
    ranges: tuple[RangeRule, ...]
    tolerances: tuple[Tolerance, ...]
    vague: tuple[VagueQuantity, ...]
    numbers: NumberWords
    not_a_count: tuple[NotACount, ...]
    categories: tuple[Category, ...]
    victims: tuple[VictimGroup, ...]
    # Lookup tables derived from the rows above.
    _category_alias: dict[str, str] = field(default_factory=dict, repr=False)
    _victim_alias: dict[str, str] = field(default_factory=dict, repr=False)
    # Tables other stages build from these rules (the figure grammar, the
    # extractor's lexicon): owned here, so they live and die with this object.
    _derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for cat in self.categories:
            for alias in (cat.name, *cat.aliases):
                self._category_alias[" ".join(words(alias))] = cat.name
        for grp in self.victims:
            for alias in (grp.name, *grp.aliases):
                self._victim_alias[" ".join(words(alias))] = grp.name

    def __getstate__(self) -> dict[str, Any]:
        # A pickled copy (what a worker process receives) carries the rules,
        # not the tables built from them; it builds its own on first use.
        state = dict(self.__dict__)
        state["_derived"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def derived(self, name: str, build: Callable[[Rules], T]) -> T:
        """The table ``name`` built from these rules by ``build``, built once.

        Stages keep what they precompute from the rules here instead of in a
        module-level cache, so nothing outlives the rules it came from.

        >>> rules = default_rules()
        >>> rules.derived("n_qualifiers", lambda r: len(r.qualifiers)) == len(rules.qualifiers)
        True
        """
        try:
            return self._derived[name]
        except KeyError:
            value = self._derived[name] = build(self)
            return value

    def category(self, text: str) -> str | None:
        """The category an alias names ("wounded" -> "injured"), or None."""
        return self._category_alias.get(" ".join(words(text)))

    def victim_group(self, text: str) -> str | None:
        """The victim group an alias names ("kids" -> "children"), or None."""
        return self._victim_alias.get(" ".join(words(text)))

    def tolerance(self, n: int, scale: float = 1.0) -> int:
        """How far an approximate ``n`` may be from the truth.

        The roundness unit of ``n`` is the largest rule unit dividing it;
        that row's relative share of ``n`` (at least its ``min_tol``) times
        ``scale``, rounded up.
        """
        row = self.tolerances[0]
        for t in self.tolerances:
            if n and n % t.unit == 0 and t.unit >= row.unit:
                row = t
        return max(1, math.ceil(max(row.min_tol, row.relative * n) * scale))


def _read_qualifiers(reader: TomlReader) -> tuple[list, list, list]:
    qualifiers: list[Qualifier] = []
    seen: dict[tuple, str] = {}
    for line, key, row in reader.rows("qualifier"):
        reader.unknown_keys(row, line, key, ("phrase", "position", "kind", "strict", "scale"))
        ph = read_phrase(reader, row, line, key)
        position = reader.get(row, line, key, "position", str)
        kind = reader.get(row, line, key, "kind", str)
        strict = reader.get(row, line, key, "strict", bool, required=False, default=False)
        scale = reader.get(row, line, key, "scale", (int, float), required=False, default=1.0)
        if position is not None and position not in POSITIONS:
            reader.problems.add(reader.name, line, f"{key}.position",
                                f"unknown position {position!r} (expected one of {', '.join(POSITIONS)})")
            position = None
        if kind is not None and kind not in QUALIFIER_KINDS:
            reader.problems.add(reader.name, line, f"{key}.kind",
                                f"unknown kind {kind!r} (expected one of {', '.join(QUALIFIER_KINDS)})")
            kind = None
        if strict and kind not in (None, "lower", "upper"):
            reader.problems.add(reader.name, line, f"{key}.strict",
                                "only lower and upper qualifiers can be strict")
        if scale is not None and scale <= 0:
            reader.problems.add(reader.name, line, f"{key}.scale", "must be positive")
        if ph and position and kind:
            ident = (ph[1], position)
            if ident in seen:
                reader.problems.add(reader.name, line, f"{key}.phrase",
                                    f"{ph[0]!r} ({position}) is already defined at {seen[ident]}")
            seen[ident] = f"line {line}"
            qualifiers.append(Qualifier(ph[0], ph[1], position, kind, bool(strict), float(scale)))

    ranges: list[RangeRule] = []
    for line, key, row in reader.rows("range"):
        reader.unknown_keys(row, line, key, ("prefix", "connectors"))
        prefix = reader.get(row, line, key, "prefix", str)
        connectors = reader.get(row, line, key, "connectors", list)
        if connectors is not None:
            bad = [c for c in connectors if not isinstance(c, str) or not words(c)]
            if bad or not connectors:
                reader.problems.add(reader.name, line, f"{key}.connectors",
                                    "expected a non-empty list of phrases")
                connectors = None
        if prefix is not None and connectors is not None:
            ranges.append(RangeRule(words(prefix), frozenset(words(c) for c in connectors)))

    tolerances: list[Tolerance] = []
    for line, key, row in reader.rows("tolerance"):
        reader.unknown_keys(row, line, key, ("unit", "relative", "min_tol"))
        unit = reader.get(row, line, key, "unit", int)
        relative = reader.get(row, line, key, "relative", (int, float))
        min_tol = reader.get(row, line, key, "min_tol", int)
        if unit is not None and unit < 1:
            reader.problems.add(reader.name, line, f"{key}.unit", "must be at least 1")
        elif relative is not None and not 0 <= relative < 1:
            reader.problems.add(reader.name, line, f"{key}.relative", "must be in [0, 1)")
        elif min_tol is not None and min_tol < 0:
            reader.problems.add(reader.name, line, f"{key}.min_tol", "must be non-negative")
        elif None not in (unit, relative, min_tol):
            tolerances.append(Tolerance(unit, float(relative), min_tol))
    if reader.data and not any(t.unit == 1 for t in tolerances):
        reader.problems.add(reader.name, key_line(reader.text, "[[tolerance]]"), "tolerance",
                            "needs a row with unit = 1 (for numbers that are not round)")
    return qualifiers, ranges, sorted(tolerances, key=lambda t: t.unit)


def _read_vague(reader: TomlReader) -> list[VagueQuantity]:
    out: list[VagueQuantity] = []
    seen: dict[tuple, int | None] = {}
    for line, key, row in reader.rows("vague"):
        reader.unknown_keys(row, line, key, ("phrase", "low", "high", "value", "stated", "acled"))
        ph = read_phrase(reader, row, line, key)
        low = reader.get(row, line, key, "low", int)
        high = reader.get(row, line, key, "high", int, required=False, default=INF)
        value = reader.get(row, line, key, "value", int)
        stated = reader.get(row, line, key, "stated", bool, required=False, default=False)
        acled = reader.get(row, line, key, "acled", int)
        if low is not None and low < 0:
            reader.problems.add(reader.name, line, f"{key}.low", "must be non-negative")
            continue
        if acled is not None and acled < 0:
            reader.problems.add(reader.name, line, f"{key}.acled", "must be non-negative")
            continue
        if low is not None and high is not None and high < low:
            reader.problems.add(reader.name, line, f"{key}.high", f"{high} is below low = {low}")
            continue
        if value is not None and low is not None and not low <= value <= high:
            reader.problems.add(reader.name, line, f"{key}.value",
                                f"{value} lies outside [low, high] = [{low}, {high}]")
            continue
        if ph and ph[1] in seen:
            reader.problems.add(reader.name, line, f"{key}.phrase",
                                f"{ph[0]!r} is already defined at line {seen[ph[1]]}")
            continue
        if ph and low is not None and value is not None and acled is not None:
            seen[ph[1]] = line
            out.append(VagueQuantity(ph[0], ph[1], low, high, value, acled, bool(stated)))
    return out


def _read_numbers(reader: TomlReader) -> tuple[NumberWords, list[NotACount]]:
    def table(name: str, kind: type | tuple) -> dict:
        raw = reader.data.get(name, {})
        line = key_line(reader.text, name)
        if not isinstance(raw, dict):
            reader.problems.add(reader.name, line, name, "expected a table of word = number")
            return {}
        out = {}
        for word, value in raw.items():
            if not isinstance(value, kind) or isinstance(value, bool) or value < 0:  # type: ignore[operator]
                reader.problems.add(reader.name, key_line(reader.text, word) or line,
                                    f"{name}.{word}", f"expected a non-negative number, got {value!r}")
                continue
            toks = words(word)
            if len(toks) != 1:
                reader.problems.add(reader.name, line, f"{name}.{word}", "must be a single word")
                continue
            out[toks[0]] = value
        return out

    if reader.data:
        for name in ("units", "tens", "scales"):
            if name not in reader.data:
                reader.problems.add(reader.name, None, name, "missing table")
    units, tens = table("units", int), table("tens", int)
    scales, fractions = table("scales", int), table("fractions", (int, float))
    joiners_row = reader.data.get("joiners", {})
    joiners = joiners_row.get("words", []) if isinstance(joiners_row, dict) else []
    if not isinstance(joiners, list) or not all(isinstance(w, str) for w in joiners):
        reader.problems.add(reader.name, key_line(reader.text, "joiners"), "joiners.words",
                            "expected a list of words")
        joiners = []
    not_counts = []
    for line, key, row in reader.rows("not_a_count"):
        reader.unknown_keys(row, line, key, ("phrase", "reason", "at_start"))
        ph = read_phrase(reader, row, line, key)
        reason = reader.get(row, line, key, "reason", str)
        at_start = reader.get(row, line, key, "at_start", bool, required=False, default=False)
        if ph and reason:
            not_counts.append(NotACount(ph[1], reason, bool(at_start)))
    zeros: list[tuple[str, ...]] = []
    zero_seen: dict[tuple[str, ...], int | None] = {}
    for line, key, row in reader.rows("zero"):
        reader.unknown_keys(row, line, key, ("phrase",))
        ph = read_phrase(reader, row, line, key)
        if ph is None:
            continue
        if ph[1] in zero_seen:
            reader.problems.add(reader.name, line, f"{key}.phrase",
                                f"{ph[0]!r} is already defined at line {zero_seen[ph[1]]}")
            continue
        zero_seen[ph[1]] = line
        zeros.append(ph[1])
    limits = reader.data.get("limits", {})
    max_count = limits.get("max_count", 10**10) if isinstance(limits, dict) else None
    if not isinstance(max_count, int) or isinstance(max_count, bool) or max_count < 1:
        reader.problems.add(reader.name, key_line(reader.text, "max_count"), "limits.max_count",
                            f"expected a positive whole number, got {max_count!r}")
        max_count = 10**10
    numbers = NumberWords(units, tens, scales, fractions, frozenset(joiners), max_count,
                          tuple(zeros))
    return numbers, not_counts


def _read_aliases(reader: TomlReader, table: str, link: str) -> list[tuple]:
    rows = []
    seen: dict[str, str] = {}
    for line, key, row in reader.rows(table):
        reader.unknown_keys(row, line, key, ("name", "aliases", link))
        name = reader.get(row, line, key, "name", str)
        aliases = reader.get(row, line, key, "aliases", list, required=False, default=[])
        linked = reader.get(row, line, key, link, (str, list), required=False)
        if aliases and not all(isinstance(a, str) and a.strip() for a in aliases):
            reader.problems.add(reader.name, line, f"{key}.aliases", "expected a list of phrases")
            aliases = []
        if name is None:
            continue
        for alias in (name, *aliases):
            norm = " ".join(words(alias))
            if norm in seen and seen[norm] != name:
                reader.problems.add(reader.name, line, f"{key}.aliases",
                                    f"{alias!r} already names {seen[norm]!r}")
            seen[norm] = name
        rows.append((line, key, name, tuple(aliases), linked))
    return rows


def _read_categories(reader: TomlReader) -> list[Category]:
    rows = _read_aliases(reader, "category", "contains")
    names = {r[2] for r in rows}
    out = []
    for line, key, name, aliases, contains in rows:
        contains = contains or []
        if isinstance(contains, str):
            contains = [contains]
        for c in contains:
            if c not in names:
                reader.problems.add(reader.name, line, f"{key}.contains",
                                    f"{c!r} is not a category defined here")
        out.append(Category(name, aliases, tuple(contains)))
    return out


def _read_victims(reader: TomlReader) -> list[VictimGroup]:
    rows = _read_aliases(reader, "victims", "part_of")
    names = {r[2] for r in rows}
    out = []
    for line, key, name, aliases, part_of in rows:
        if part_of is not None and (not isinstance(part_of, str) or part_of not in names):
            reader.problems.add(reader.name, line, f"{key}.part_of",
                                f"{part_of!r} is not a victim group defined here")
            part_of = None
        out.append(VictimGroup(name, aliases, part_of))
    # A cycle would make "children <= people" checks loop.
    parents = {g.name: g.part_of for g in out}
    for g in out:
        seen: set[str] = set()
        cur: str | None = g.name
        while cur is not None and cur not in seen:
            seen.add(cur)
            cur = parents.get(cur)
        if cur is not None:
            reader.problems.add(reader.name, None, "victims", f"part_of forms a cycle through {cur!r}")
            break
    return out


def default_rules_dir() -> Path:
    """The rules shipped with the package."""
    return Path(str(resources.files("reconcile.rule_files")))


def load_rules(directory: str | Path | None = None) -> Rules:
    """Read and validate every rule file in ``directory`` (default: shipped rules).

    Raises
    ------
    RulesError
        Listing every problem found, each as ``file:line: key: message``.
    """
    root = Path(directory) if directory is not None else default_rules_dir()
    problems = Problems()
    if not root.is_dir():
        raise RulesError([f"{root}: not a directory of rule files"])
    readers = {name: TomlReader(root / name, problems) for name in RULE_FILES}
    qualifiers, ranges, tolerances = _read_qualifiers(readers["qualifiers.toml"])
    vague = _read_vague(readers["vague.toml"])
    numbers, not_counts = _read_numbers(readers["numbers.toml"])
    categories = _read_categories(readers["categories.toml"])
    victims = _read_victims(readers["victims.toml"])
    if problems.items:
        raise RulesError(problems.items)
    return Rules(str(root), tuple(qualifiers), tuple(ranges), tuple(tolerances), tuple(vague),
                 numbers, tuple(not_counts), tuple(categories), tuple(victims))


@cache
def default_rules() -> Rules:
    """The shipped rules, loaded once per process."""
    return load_rules()
