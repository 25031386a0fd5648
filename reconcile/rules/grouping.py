"""``rules/grouping.toml``: the grouping stage's comparison levels, priors,
threshold, date windows, event-type families, victim part groups, place
words and source aliases, validated into a frozen :class:`GroupingRules`.

The code knows what each comparison and level *means* (``place.inside``:
one place lies inside the other); the file holds the numbers and words.
Every problem is reported at once as ``file:line: key: message``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from ..core.text import words
from ..errors import RulesError
from ..places.admin import PlaceWords
from .toml import Problems, TomlReader, key_line

__all__ = [
    "COMPARISONS",
    "Comparison",
    "EventFamily",
    "EventWords",
    "GroupingRules",
    "Level",
    "SourceAlias",
    "check_grouping_rules",
    "grouping_rules_for",
    "load_grouping_rules",
]

# Each comparison and the levels the code gives meaning to, in order. The
# date and figure comparisons take bands: levels with ``max_days`` (or
# ``max_ratio``) in increasing order, the last without.
COMPARISONS: dict[str, tuple[str, ...] | None] = {
    "place": ("same", "fuzzy", "inside", "coarse", "different"),
    "date": None,
    "event": ("same", "related", "different"),
    "victims": ("same", "wider", "part", "different"),
    "figure": None,
    "source": ("same", "different"),
    "scope": ("same", "different"),
}
_FIGURE_FIXED = ("equal", "overlap")


@dataclass(frozen=True, slots=True)
class Level:
    name: str
    m: float
    u: float
    max_days: int | None = None
    max_ratio: float | None = None


@dataclass(frozen=True, slots=True)
class Comparison:
    name: str
    levels: tuple[Level, ...]

    def index(self, level: str) -> int:
        return [lv.name for lv in self.levels].index(level)


@dataclass(frozen=True, slots=True)
class EventFamily:
    family: str
    words: tuple[tuple[str, ...], ...]
    related: tuple[str, ...] = ()
    generic: bool = False


@dataclass(frozen=True, slots=True)
class SourceAlias:
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class GroupingRules:
    """Everything ``rules/grouping.toml`` says, validated."""

    path: str
    threshold: float
    prior: float
    prior_strength: float
    em_iterations: int
    em_tolerance: float
    training_pairs: int
    veto_weight: float
    aggregate_ratio: float
    vetoes: tuple[tuple[tuple[str, str], ...], ...]
    max_component: int
    incident_days: int
    total_days: int
    undated_days: int
    comparisons: tuple[Comparison, ...]
    families: tuple[EventFamily, ...]
    part_groups: frozenset[str]
    place_words: PlaceWords
    small_words: frozenset[str]
    synonyms: dict[str, str]
    source_fuzzy_length: int
    source_fuzzy_score: float
    sources: tuple[SourceAlias, ...]

    def comparison(self, name: str) -> Comparison:
        for c in self.comparisons:
            if c.name == name:
                return c
        raise KeyError(name)


def _number(reader: TomlReader, table: dict, line: int | None, key: str, name: str,
            lo: float, hi: float, *, integer: bool = False, default: Any = None) -> Any:
    kind = int if integer else (int, float)
    value = reader.get(table, line, key, name, kind, required=default is None, default=default)
    if value is None:
        return default
    if not (lo <= value <= hi) or (isinstance(value, float) and not math.isfinite(value)):
        reader.problems.add(reader.name, line, f"{key}.{name}",
                            f"expected a number from {lo} to {hi}, got {value!r}")
        return default
    return value


def _levels(reader: TomlReader, row: dict, line: int | None, key: str,
            name: str) -> tuple[Level, ...]:
    raw = reader.get(row, line, key, "levels", list)
    if not raw:
        return ()
    out: list[Level] = []
    fixed = COMPARISONS.get(name)
    for i, item in enumerate(raw):
        lkey = f"{key}.levels[{i}]"
        if not isinstance(item, dict):
            reader.problems.add(reader.name, line, lkey, "expected { name = ..., m = ..., u = ... }")
            continue
        reader.unknown_keys(item, line, lkey, ("name", "m", "u", "max_days", "max_ratio"))
        lname = reader.get(item, line, lkey, "name", str)
        m = _number(reader, item, line, lkey, "m", 1e-6, 1.0)
        u = _number(reader, item, line, lkey, "u", 1e-6, 1.0)
        max_days = reader.get(item, line, lkey, "max_days", int, required=False)
        max_ratio = reader.get(item, line, lkey, "max_ratio", (int, float), required=False)
        if lname is None or m is None or u is None:
            continue
        out.append(Level(lname, float(m), float(u), max_days,
                         float(max_ratio) if max_ratio is not None else None))
    names = tuple(lv.name for lv in out)
    if fixed is not None and len(out) == len(raw) and names != fixed:
        reader.problems.add(reader.name, line, f"{key}.levels",
                            f"expected the levels {', '.join(fixed)} in this order, "
                            f"got {', '.join(names)}")
    if name == "date" and out:
        _bands(reader, line, key, out, "max_days", 0)
    if name == "figure" and out:
        if names[:2] != _FIGURE_FIXED:
            reader.problems.add(reader.name, line, f"{key}.levels",
                                "the figure comparison starts with the levels equal, overlap")
        _bands(reader, line, key, out[2:], "max_ratio", 2)
    for side in ("m", "u"):
        total = sum(getattr(lv, side) for lv in out)
        if out and len(out) == len(raw) and abs(total - 1.0) > 0.02:
            reader.problems.add(reader.name, line, f"{key}.levels",
                                f"the {side} values add up to {total:.3f}, not 1")
    return tuple(out)


def _bands(reader: TomlReader, line: int | None, key: str, levels: list[Level], bound: str,
           offset: int) -> None:
    values = [getattr(lv, bound) for lv in levels]
    if len(levels) < 2 or values[-1] is not None or any(v is None for v in values[:-1]):
        reader.problems.add(reader.name, line, f"{key}.levels",
                            f"every band level but the last needs {bound} (the last has none)")
        return
    if any(b <= a for a, b in pairwise(values[:-1])) or values[0] < 0:
        reader.problems.add(reader.name, line, f"{key}.levels[{offset}]",
                            f"{bound} must grow from level to level")


def _read(reader: TomlReader) -> dict[str, Any]:
    p = reader.problems
    data = reader.data
    out: dict[str, Any] = {"path": reader.name}
    model = data.get("model", {})
    mline = key_line(reader.text, "model")
    if not isinstance(model, dict):
        p.add(reader.name, mline, "model", "expected a [model] table")
        model = {}
    reader.unknown_keys(model, mline, "model", (
        "threshold", "prior", "prior_strength", "em_iterations", "em_tolerance",
        "training_pairs", "veto_weight", "aggregate_ratio", "vetoes", "max_component"))
    out["threshold"] = _number(reader, model, mline, "model", "threshold", 0.01, 0.99)
    out["prior"] = _number(reader, model, mline, "model", "prior", 1e-4, 0.99)
    out["prior_strength"] = _number(reader, model, mline, "model", "prior_strength", 0, 1e9)
    out["em_iterations"] = _number(reader, model, mline, "model", "em_iterations", 0, 10000,
                                   integer=True)
    out["em_tolerance"] = _number(reader, model, mline, "model", "em_tolerance", 0, 1)
    out["training_pairs"] = _number(reader, model, mline, "model", "training_pairs", 100, 10**9,
                                    integer=True)
    out["veto_weight"] = _number(reader, model, mline, "model", "veto_weight", -1000, 0)
    out["aggregate_ratio"] = float(_number(reader, model, mline, "model", "aggregate_ratio",
                                           1.0, 1e6))
    raw = model.get("vetoes", [])
    vetoes: list[tuple[tuple[str, str], ...]] = []
    if not isinstance(raw, list) or not all(isinstance(v, list) and v and
                                            all(isinstance(x, str) for x in v) for v in raw):
        p.add(reader.name, mline, "model.vetoes",
              "expected a list of lists of 'comparison.level'")
        raw = []
    for k, row in enumerate(raw):
        wanted: list[tuple[str, str]] = []
        for item in row:
            comp, _, level = item.partition(".")
            fixed = COMPARISONS.get(comp) if comp in COMPARISONS else None
            if comp not in COMPARISONS:
                p.add(reader.name, mline, f"model.vetoes[{k}]",
                      f"{item!r}: unknown comparison {comp!r}")
            elif fixed is not None and level not in fixed:
                p.add(reader.name, mline, f"model.vetoes[{k}]",
                      f"{item!r}: {comp} has no level {level!r} (levels: {', '.join(fixed)})")
            else:
                wanted.append((comp, level))
        if len(wanted) == len(row):
            vetoes.append(tuple(wanted))
    out["vetoes"] = tuple(vetoes)
    out["max_component"] = _number(reader, model, mline, "model", "max_component", 2, 100000,
                                   integer=True)
    dates = data.get("dates", {})
    dline = key_line(reader.text, "dates")
    if not isinstance(dates, dict):
        p.add(reader.name, dline, "dates", "expected a [dates] table")
        dates = {}
    reader.unknown_keys(dates, dline, "dates", ("incident_days", "total_days", "undated_days"))
    for name in ("incident_days", "total_days", "undated_days"):
        out[name] = _number(reader, dates, dline, "dates", name, 0, 366, integer=True)

    comparisons: list[Comparison] = []
    seen: set[str] = set()
    for line, key, row in reader.rows("comparison"):
        reader.unknown_keys(row, line, key, ("name", "levels"))
        name = reader.get(row, line, key, "name", str)
        if name is None:
            continue
        if name not in COMPARISONS:
            p.add(reader.name, line, f"{key}.name",
                  f"unknown comparison {name!r} (known: {', '.join(COMPARISONS)})")
            continue
        if name in seen:
            p.add(reader.name, line, f"{key}.name", f"comparison {name!r} given twice")
            continue
        seen.add(name)
        levels = _levels(reader, row, line, key, name)
        if levels:
            comparisons.append(Comparison(name, levels))
    for name in COMPARISONS:
        if name not in seen:
            p.add(reader.name, None, "comparison", f"no [[comparison]] row for {name!r}")
    out["comparisons"] = tuple(sorted(comparisons, key=lambda c: list(COMPARISONS).index(c.name)))

    families: list[EventFamily] = []
    fam_names: dict[str, int | None] = {}
    owner: dict[tuple[str, ...], str] = {}
    pending_related: list[tuple[int | None, str, tuple[str, ...]]] = []
    for line, key, row in reader.rows("event_type"):
        reader.unknown_keys(row, line, key, ("family", "words", "related", "generic"))
        fam = reader.get(row, line, key, "family", str)
        raw = reader.get(row, line, key, "words", list)
        related = reader.get(row, line, key, "related", list, required=False, default=[])
        generic = reader.get(row, line, key, "generic", bool, required=False, default=False)
        if fam is None or raw is None:
            continue
        if fam in fam_names:
            p.add(reader.name, line, f"{key}.family", f"family {fam!r} given twice")
            continue
        fam_names[fam] = line
        toks: list[tuple[str, ...]] = []
        for w in raw:
            t = words(w) if isinstance(w, str) else ()
            if not t:
                p.add(reader.name, line, f"{key}.words", f"expected phrases, got {w!r}")
                continue
            if t in owner and owner[t] != fam:
                p.add(reader.name, line, f"{key}.words",
                      f"{w!r} is also a word of the family {owner[t]!r}")
                continue
            owner[t] = fam
            toks.append(t)
        if not all(isinstance(r, str) for r in related):
            p.add(reader.name, line, f"{key}.related", "expected a list of family names")
            related = []
        pending_related.append((line, key, tuple(related)))
        families.append(EventFamily(fam, tuple(toks), tuple(related), bool(generic)))
    for line, key, related in pending_related:
        for r in related:
            if r not in fam_names:
                p.add(reader.name, line, f"{key}.related", f"unknown family {r!r}")
    out["families"] = tuple(families)

    vic = data.get("victims", {})
    vline = key_line(reader.text, "victims")
    groups = vic.get("part_groups", []) if isinstance(vic, dict) else None
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        p.add(reader.name, vline, "victims.part_groups", "expected a list of victim groups")
        groups = []
    out["part_groups"] = frozenset(groups)

    places = data.get("places", {})
    pline = key_line(reader.text, "places")
    if not isinstance(places, dict):
        p.add(reader.name, pline, "places", "expected a [places] table")
        places = {}
    reader.unknown_keys(places, pline, "places", ("admin_words", "drop_words", "articles",
                                                  "directions", "max_edits_short",
                                                  "max_edits_long", "min_fuzzy_length"))
    lists = {}
    for name in ("admin_words", "drop_words", "articles"):
        value = places.get(name, [])
        if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
            p.add(reader.name, pline, f"places.{name}", "expected a list of words")
            value = []
        lists[name] = frozenset(" ".join(words(w)) for w in value)
    directions = places.get("directions", {})
    dirs: dict[str, str] = {}
    if not isinstance(directions, dict) or not all(isinstance(v, str)
                                                   for v in directions.values()):
        p.add(reader.name, key_line(reader.text, "places.directions"), "places.directions",
              "expected word = direction pairs")
    else:
        compass = {"north", "south", "east", "west", "northeast", "northwest", "southeast",
                   "southwest"}
        for word, direction in directions.items():
            if direction not in compass:
                p.add(reader.name, key_line(reader.text, "places.directions"),
                      f"places.directions.{word}",
                      f"unknown direction {direction!r} (known: {', '.join(sorted(compass))})")
                continue
            dirs[" ".join(words(word))] = direction
    out["place_words"] = PlaceWords(
        directions=dirs, admin=lists["admin_words"], drop=lists["drop_words"],
        articles=lists["articles"],
        max_edits_short=_number(reader, places, pline, "places", "max_edits_short", 0, 5,
                                integer=True, default=1),
        max_edits_long=_number(reader, places, pline, "places", "max_edits_long", 0, 5,
                               integer=True, default=2),
        min_fuzzy_length=_number(reader, places, pline, "places", "min_fuzzy_length", 1, 50,
                                 integer=True, default=5))

    src = data.get("sources", {})
    sline = key_line(reader.text, "sources")
    if not isinstance(src, dict):
        p.add(reader.name, sline, "sources", "expected a [sources] table")
        src = {}
    reader.unknown_keys(src, sline, "sources", ("small_words", "synonyms", "min_fuzzy_length",
                                                "fuzzy_score"))
    small = src.get("small_words", [])
    if not isinstance(small, list) or not all(isinstance(w, str) for w in small):
        p.add(reader.name, sline, "sources.small_words", "expected a list of words")
        small = []
    out["small_words"] = frozenset(w.lower() for w in small)
    syn = src.get("synonyms", {})
    if not isinstance(syn, dict) or not all(isinstance(v, str) for v in syn.values()):
        p.add(reader.name, sline, "sources.synonyms", "expected word = spelling pairs")
        syn = {}
    out["synonyms"] = {k.lower(): v.lower() for k, v in syn.items()}
    out["source_fuzzy_length"] = _number(reader, src, sline, "sources", "min_fuzzy_length", 1,
                                         200, integer=True, default=10)
    out["source_fuzzy_score"] = float(_number(reader, src, sline, "sources", "fuzzy_score", 50,
                                              100, default=92))
    aliases: list[SourceAlias] = []
    taken: dict[str, str] = {}
    for line, key, row in reader.rows("source"):
        reader.unknown_keys(row, line, key, ("name", "aliases"))
        name = reader.get(row, line, key, "name", str)
        al = reader.get(row, line, key, "aliases", list, required=False, default=[])
        if name is None:
            continue
        if not all(isinstance(a, str) and a.strip() for a in al):
            p.add(reader.name, line, f"{key}.aliases", "expected a list of names")
            continue
        for a in (name, *al):
            folded = " ".join(words(a))
            if folded in taken and taken[folded] != name:
                p.add(reader.name, line, f"{key}.aliases",
                      f"{a!r} is already a name of {taken[folded]!r}")
            taken[folded] = name
        aliases.append(SourceAlias(name, tuple(al)))
    out["sources"] = tuple(aliases)
    return out


def check_grouping_rules(directory: str | Path | None = None) -> list[str]:
    """Every problem in ``grouping.toml`` (empty when valid)."""
    problems = Problems()
    _read(TomlReader(_path(directory), problems))
    return problems.items


def _path(directory: str | Path | None) -> Path:
    from .load import default_rules_dir

    root = Path(directory) if directory is not None else default_rules_dir()
    path = root / "grouping.toml"
    return path if path.exists() else default_rules_dir() / "grouping.toml"


def load_grouping_rules(directory: str | Path | None = None) -> GroupingRules:
    """Read and validate ``grouping.toml`` in ``directory`` (default: the shipped rules).

    Raises
    ------
    RulesError
        Listing every problem, each as ``file:line: key: message``.
    """
    problems = Problems()
    data = _read(TomlReader(_path(directory), problems))
    if problems.items:
        raise RulesError(problems.items)
    return GroupingRules(**data)


def grouping_rules_for(rules: Any = None) -> GroupingRules:
    """The grouping rules beside ``rules`` (a :class:`~reconcile.rules.load.Rules`), once."""
    from .load import default_rules

    rules = rules or default_rules()
    return rules.derived("grouping_rules", lambda r: load_grouping_rules(r.directory))


class EventWords:
    """The event-type families a text names ("air strikes" -> ("air strike",)): whole
    tokens, longest phrase first, plurals folded, generic families ("attacks") left out,
    as they are no evidence. The one reader of ``[[family]]`` phrases: the grouping
    stage and the extractor's article context both call it; build it once per rules.

    >>> from types import SimpleNamespace
    >>> fams = EventWords(SimpleNamespace(families=(
    ...     EventFamily("air strike", (("air", "strike"),)),)))
    >>> fams("Two air strikes hit the town"), fams("")
    (('air strike',), ())
    """

    def __init__(self, grules: GroupingRules) -> None:
        self._fold: dict[str, str] = {}
        phrases: dict[tuple[str, ...], str] = {}
        for fam in grules.families:
            if fam.generic:
                continue
            for toks in fam.words:
                phrases[tuple(self.plural(t) for t in toks)] = fam.family
        self.phrases = phrases
        self.longest = max((len(p) for p in phrases), default=0)
        self.first = frozenset(p[0] for p in phrases)
        # Every token whose plural fold can start a phrase: the fold drops "s" or "es".
        self._may_start = self.first | {f + end for f in self.first for end in ("s", "es")}

    def plural(self, tok: str) -> str:
        folded = self._fold.get(tok)
        if folded is None:
            folded = tok
            if len(tok) > 3 and tok.endswith("es") and tok[:-2].endswith(("sh", "ch", "x", "ss")):
                folded = tok[:-2]
            elif len(tok) > 3 and tok.endswith("s") and not tok.endswith("ss"):
                folded = tok[:-1]
            if len(self._fold) < 100_000:
                self._fold[tok] = folded
        return folded

    def __call__(self, text: str) -> tuple[str, ...]:
        return self.of_tokens(words(text)) if text else ()

    def of_tokens(self, w: Sequence[str]) -> tuple[str, ...]:
        """The families named by a text already split into tokens."""
        if self._may_start.isdisjoint(w):
            return ()  # no token starts a phrase: nothing to fold
        tokens = [self.plural(t) for t in w]
        found: list[str] = []
        i, n, phrases, first = 0, len(tokens), self.phrases, self.first
        while i < n:
            if tokens[i] in first:
                for k in range(min(self.longest, n - i), 0, -1):
                    hit = phrases.get(tuple(tokens[i:i + k]))
                    if hit:
                        if hit not in found:
                            found.append(hit)
                        i += k
                        break
                else:
                    i += 1
            else:
                i += 1
        return tuple(sorted(found))
