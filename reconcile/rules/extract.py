"""``rules/extract.toml``: the words the extractor reads around a figure.

Loaded like the other rule files (:mod:`reconcile.rules.load`): read as data with
:mod:`tomllib`, validated row by row, every problem collected with its file,
line and key, and raised together as one :class:`~reconcile.errors.RulesError`.

A rules directory without ``extract.toml`` or ``places.toml`` (one written
before these files existed) falls back to the shipped copy of that file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.text import words
from ..errors import RulesError
from .load import Rules, default_rules, default_rules_dir, load_rules
from .toml import Problems, TomlReader, key_line

__all__ = [
    "ATTRIBUTION_KINDS",
    "EARLIER_LISTS",
    "FALSE_FIGURE_LISTS",
    "NOT_PLACE_LISTS",
    "PEOPLE_LISTS",
    "PROJECTION_LISTS",
    "TRANSFER_LISTS",
    "AttributionWord",
    "CategoryWord",
    "DateWords",
    "ExtractRules",
    "PartOfCue",
    "check_extract_rules",
    "extract_rules_for",
    "load_extract_rules",
]

ATTRIBUTION_KINDS = ("verb", "told", "prep", "by", "relay", "citing")
# The word lists of [people] and [false_figures] (each required).
PEOPLE_LISTS = ("determiners", "modifiers", "heads", "not_victims", "ordinals", "male", "female",
                "pronouns", "generic")
EARLIER_LISTS = ("cues", "toll_verbs", "toll_subjects")
TRANSFER_LISTS = ("verbs", "places")
PROJECTION_LISTS = ("modals", "up_to", "beyond")
# places.toml [not_places]: names the extractor's place reading does not take for places.
NOT_PLACE_LISTS = ("titles", "speech", "residence", "treated")
FALSE_FIGURE_LISTS = ("increments", "totals", "change_verbs", "rates", "rates_before",
                      "rate_exceptions", "identification", "uncounted", "ages")
POSITIONS = ("before", "after", "both")

Phrase = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CategoryWord:
    tokens: Phrase
    category: str
    before: bool  # may stand before the figure
    after: bool  # may stand after the figure
    agentive: bool = False


@dataclass(frozen=True, slots=True)
class PartOfCue:
    tokens: Phrase
    position: str  # before | after
    reach: int = 0


@dataclass(frozen=True, slots=True)
class AttributionWord:
    tokens: Phrase
    kind: str
    hedge: bool = False


@dataclass(frozen=True, slots=True)
class DateWords:
    months: dict[str, int]
    weekdays: dict[str, int]
    relative: dict[Phrase, int]
    units: dict[str, float]
    since: tuple[Phrase, ...]
    past: tuple[Phrase, ...]
    ago: tuple[Phrase, ...]
    statement_verbs: frozenset[str]
    periods: dict[Phrase, tuple[str, int]]


@dataclass(frozen=True)
class ExtractRules:
    """Every extraction rule, validated. Build with :func:`load_extract_rules`."""

    categories: tuple[CategoryWord, ...]
    not_casualty_before: tuple[tuple[Phrase, str], ...]
    not_casualty_after: tuple[tuple[Phrase, str], ...]
    part_of: tuple[PartOfCue, ...]
    attribution: tuple[AttributionWord, ...]
    hedges: tuple[Phrase, ...]
    denials: tuple[Phrase, ...]
    zeros: tuple[tuple[Phrase, str], ...]
    scope: tuple[tuple[Phrase, str], ...]
    update_verbs: frozenset[str]
    source_nouns: frozenset[str]
    source_connectors: frozenset[str]
    report_nouns: frozenset[str]
    pronouns: frozenset[str]
    generic_relays: frozenset[str]
    word_sets: dict[str, frozenset[str]]
    carry_back: tuple[Phrase, ...]
    biography_roles: tuple[Phrase, ...]
    biography_verbs: frozenset[str]
    abbreviations: frozenset[str]
    dates: DateWords
    people: dict[str, tuple[Phrase, ...]]  # determiners, modifiers, heads, not_victims, ordinals
    earlier: dict[str, tuple[Phrase, ...]]  # cues, toll_verbs, toll_subjects
    false_figures: dict[str, tuple[Phrase, ...]]  # increments, totals, rates, ...
    transfer: dict[str, tuple[Phrase, ...]]  # verbs, places: "taken to Mercy Hospital"
    projection: dict[str, tuple[Phrase, ...]]  # modals, up_to, beyond: "could climb to 20,000"
    # From places.toml: titles, speech, residence, treated ("Sgt. Hale", "a Milford man").
    not_places: dict[str, frozenset[str]] = field(default_factory=dict)


def _phrases(reader: TomlReader, row: dict, line: int | None, key: str) -> list[Phrase]:
    """A row's ``phrase`` (one) or ``phrases`` (a list), as token tuples."""
    if "phrase" in row and "phrases" in row:
        reader.problems.add(reader.name, line, key, "give phrase or phrases, not both")
        return []
    if "phrase" not in row and "phrases" not in row:
        reader.problems.add(reader.name, line, f"{key}.phrase", "missing")
        return []
    raw = row.get("phrases", [row.get("phrase")])
    if "phrase" in row and not isinstance(row["phrase"], str):
        reader.problems.add(reader.name, line, f"{key}.phrase",
                            f"expected str, got {type(row['phrase']).__name__}")
        return []
    if not isinstance(raw, list):
        reader.problems.add(reader.name, line, f"{key}.phrases", "expected a list of phrases")
        return []
    out = []
    for item in raw:
        toks = words(item) if isinstance(item, str) else ()
        if not toks:
            reader.problems.add(reader.name, line, f"{key}.phrases",
                                f"{item!r} is not a phrase")
            continue
        out.append(toks)
    return out


def _word_list(reader: TomlReader, table: str, name: str, *, phrase: bool = False) -> list:
    section = reader.data.get(table, {})
    raw = section.get(name) if isinstance(section, dict) else None
    line = key_line(reader.text, name)
    if raw is None:
        reader.problems.add(reader.name, key_line(reader.text, table), f"{table}.{name}",
                            "missing")
        return []
    if not isinstance(raw, list) or not all(isinstance(w, str) and words(w) for w in raw):
        reader.problems.add(reader.name, line, f"{table}.{name}", "expected a list of words")
        return []
    if phrase:
        return [words(w) for w in raw]
    out = []
    for w in raw:
        toks = words(w)
        if len(toks) != 1:
            reader.problems.add(reader.name, line, f"{table}.{name}",
                                f"{w!r} must be a single word")
            continue
        out.append(toks[0])
    return out


def _number_table(reader: TomlReader, name: str, kind: type | tuple) -> dict[str, Any]:
    section = reader.data.get("dates", {})
    raw = section.get(name) if isinstance(section, dict) else None
    line = key_line(reader.text, name)
    if not isinstance(raw, dict):
        reader.problems.add(reader.name, line, f"dates.{name}", "expected a table of word = number")
        return {}
    out = {}
    for word, value in raw.items():
        if not isinstance(value, kind) or isinstance(value, bool):
            reader.problems.add(reader.name, line, f"dates.{name}.{word}",
                                f"expected a number, got {value!r}")
            continue
        out[" ".join(words(word))] = value
    return out


def _read(reader: TomlReader, categories: Iterable[str]) -> dict[str, Any]:
    known = set(categories)
    out: dict[str, Any] = {}

    cats: list[CategoryWord] = []
    for line, key, row in reader.rows("category"):
        reader.unknown_keys(row, line, key, ("phrase", "phrases", "category", "position",
                                             "agentive"))
        phrases = _phrases(reader, row, line, key)
        category = reader.get(row, line, key, "category", str)
        position = reader.get(row, line, key, "position", str)
        agentive = reader.get(row, line, key, "agentive", bool, required=False, default=False)
        if category is not None and known and category not in known:
            reader.problems.add(reader.name, line, f"{key}.category",
                                f"{category!r} is not a category in categories.toml "
                                f"(known: {', '.join(sorted(known))})")
            category = None
        if position is not None and position not in POSITIONS:
            reader.problems.add(reader.name, line, f"{key}.position",
                                f"unknown position {position!r} (expected one of "
                                f"{', '.join(POSITIONS)})")
            position = None
        if category and position:
            cats.extend(CategoryWord(p, category, position in ("before", "both"),
                                     position in ("after", "both"), bool(agentive))
                        for p in phrases)
    out["categories"] = tuple(cats)

    before: list[tuple[Phrase, str]] = []
    after: list[tuple[Phrase, str]] = []
    for line, key, row in reader.rows("not_casualty"):
        reader.unknown_keys(row, line, key, ("phrase", "phrases", "position", "reason"))
        phrases = _phrases(reader, row, line, key)
        position = reader.get(row, line, key, "position", str)
        reason = reader.get(row, line, key, "reason", str)
        if position is not None and position not in ("before", "after"):
            reader.problems.add(reader.name, line, f"{key}.position",
                                f"unknown position {position!r} (expected before or after)")
            continue
        if position and reason:
            (before if position == "before" else after).extend((p, reason) for p in phrases)
    out["not_casualty_before"] = tuple(before)
    out["not_casualty_after"] = tuple(after)

    cues: list[PartOfCue] = []
    for line, key, row in reader.rows("part_of"):
        reader.unknown_keys(row, line, key, ("phrase", "phrases", "position", "reach"))
        phrases = _phrases(reader, row, line, key)
        position = reader.get(row, line, key, "position", str)
        reach = reader.get(row, line, key, "reach", int, required=False, default=0)
        if position is not None and position not in ("before", "after"):
            reader.problems.add(reader.name, line, f"{key}.position",
                                f"unknown position {position!r} (expected before or after)")
            continue
        if reach is not None and not 0 <= reach <= 20:
            reader.problems.add(reader.name, line, f"{key}.reach", "must be between 0 and 20")
            continue
        if position:
            cues.extend(PartOfCue(p, position, reach or 0) for p in phrases)
    out["part_of"] = tuple(cues)

    attrs: list[AttributionWord] = []
    for line, key, row in reader.rows("attribution"):
        reader.unknown_keys(row, line, key, ("phrase", "phrases", "kind", "hedge"))
        phrases = _phrases(reader, row, line, key)
        kind = reader.get(row, line, key, "kind", str)
        hedge = reader.get(row, line, key, "hedge", bool, required=False, default=False)
        if kind is not None and kind not in ATTRIBUTION_KINDS:
            reader.problems.add(reader.name, line, f"{key}.kind",
                                f"unknown kind {kind!r} (expected one of "
                                f"{', '.join(ATTRIBUTION_KINDS)})")
            continue
        if kind:
            attrs.extend(AttributionWord(p, kind, bool(hedge)) for p in phrases)
    out["attribution"] = tuple(attrs)

    for table, name in (("hedge", "hedges"), ("denial", "denials")):
        phrases_found: list[Phrase] = []
        for line, key, row in reader.rows(table):
            reader.unknown_keys(row, line, key, ("phrase", "phrases"))
            phrases_found.extend(_phrases(reader, row, line, key))
        out[name] = tuple(phrases_found)

    for table, field_name, choices in (("zero", "category", known), ("scope", "scope",
                                                                      {"cumulative"})):
        found: list[tuple[Phrase, str]] = []
        for line, key, row in reader.rows(table):
            reader.unknown_keys(row, line, key, ("phrase", "phrases", field_name))
            phrases = _phrases(reader, row, line, key)
            value = reader.get(row, line, key, field_name, str)
            if value is not None and choices and value not in choices:
                reader.problems.add(reader.name, line, f"{key}.{field_name}",
                                    f"{value!r} is not one of {', '.join(sorted(choices))}")
                continue
            if value:
                found.extend((p, value) for p in phrases)
        out["zeros" if table == "zero" else "scope"] = tuple(found)

    out["update_verbs"] = frozenset(" ".join(p) for p in _word_list(reader, "update", "verbs",
                                                                    phrase=True))
    out["source_nouns"] = frozenset(_word_list(reader, "source", "nouns"))
    out["source_connectors"] = frozenset(_word_list(reader, "source", "connectors"))
    out["report_nouns"] = frozenset(_word_list(reader, "source", "report_nouns"))
    out["pronouns"] = frozenset(_word_list(reader, "source", "pronouns"))
    out["generic_relays"] = frozenset(" ".join(p) for p in
                                      _word_list(reader, "source", "generic_relays", phrase=True))
    out["word_sets"] = {
        name: frozenset(_word_list(reader, "words", name))
        for name in ("auxiliaries", "passive", "np_fillers", "np_preps", "clause_breaks",
                     "determiners")
    }
    out["word_sets"]["source_adverbs"] = frozenset(_word_list(reader, "words", "source_adverbs"))
    abbreviations = reader.data.get("words", {}).get("abbreviations", [])
    if not isinstance(abbreviations, list) or not all(isinstance(a, str) for a in abbreviations):
        reader.problems.add(reader.name, key_line(reader.text, "abbreviations"),
                            "words.abbreviations", "expected a list of words")
        abbreviations = []
    out["abbreviations"] = frozenset(a.lower().rstrip(".") for a in abbreviations)
    out["carry_back"] = tuple(_word_list(reader, "words", "carry_back", phrase=True))
    out["biography_roles"] = tuple(_word_list(reader, "words", "biography_roles", phrase=True))
    out["biography_verbs"] = frozenset(_word_list(reader, "words", "biography_verbs"))

    out["people"] = {name: tuple(_word_list(reader, "people", name, phrase=True))
                     for name in PEOPLE_LISTS}
    out["false_figures"] = {name: tuple(_word_list(reader, "false_figures", name, phrase=True))
                            for name in FALSE_FIGURE_LISTS}
    out["earlier"] = {name: tuple(_word_list(reader, "earlier", name, phrase=True))
                      for name in EARLIER_LISTS}
    out["transfer"] = {name: tuple(_word_list(reader, "transfer", name, phrase=True))
                       for name in TRANSFER_LISTS}
    out["projection"] = {name: tuple(_word_list(reader, "projection", name, phrase=True))
                         for name in PROJECTION_LISTS}

    periods: dict[Phrase, tuple[str, int]] = {}
    section = reader.data.get("dates", {})
    raw_periods = section.get("periods", {}) if isinstance(section, dict) else {}
    for name, spec in (raw_periods.items() if isinstance(raw_periods, dict) else ()):
        unit, _, offset = str(spec).partition(":")
        try:
            value = int(offset)
        except ValueError:
            value = None
        if unit not in ("week", "month", "year") or value is None:
            reader.problems.add(reader.name, key_line(reader.text, "periods"),
                                f"dates.periods.{name}",
                                f"expected 'week|month|year:<offset>', got {spec!r}")
            continue
        periods[words(name)] = (unit, value)
    relative = {tuple(k.split(" ")): v for k, v in _number_table(reader, "relative", int).items()}
    out["dates"] = DateWords(
        months=_number_table(reader, "months", int),
        weekdays=_number_table(reader, "weekdays", int),
        relative=relative,
        units=_number_table(reader, "units", (int, float)),
        since=tuple(_word_list(reader, "dates", "since", phrase=True)),
        past=tuple(_word_list(reader, "dates", "past", phrase=True)),
        ago=tuple(_word_list(reader, "dates", "ago", phrase=True)),
        statement_verbs=frozenset(_word_list(reader, "dates", "statement_verbs")),
        periods=periods,
    )
    for name, month in out["dates"].months.items():
        if not 1 <= month <= 12:
            reader.problems.add(reader.name, key_line(reader.text, "months"),
                                f"dates.months.{name}", "must be between 1 and 12")
    for name, day in out["dates"].weekdays.items():
        if not 0 <= day <= 6:
            reader.problems.add(reader.name, key_line(reader.text, "weekdays"),
                                f"dates.weekdays.{name}", "must be between 0 (Monday) and 6")
    return out


def _not_places(reader: TomlReader) -> dict[str, frozenset[str]]:
    """places.toml's [not_places] lists: single words, lower case."""
    return {name: frozenset(_word_list(reader, "not_places", name)) for name in NOT_PLACE_LISTS}


def _path(directory: Path, name: str) -> Path:
    path = directory / name
    return path if path.exists() else default_rules_dir() / name


def check_extract_rules(directory: str | Path | None = None,
                        rules: Rules | None = None) -> list[str]:
    """Every problem in ``extract.toml`` and ``places.toml`` (empty when valid)."""
    from ..places.gazetteer import load_place_rules

    root = Path(directory) if directory is not None else default_rules_dir()
    problems = Problems()
    cats = [c.name for c in (rules.categories if rules is not None else ())]
    _read(TomlReader(_path(root, "extract.toml"), problems), cats)
    load_place_rules(_path(root, "places.toml"), problems)
    _not_places(TomlReader(_path(root, "places.toml"), problems))
    return problems.items


def load_extract_rules(directory: str | Path | None = None,
                       rules: Rules | None = None) -> ExtractRules:
    """Read and validate ``extract.toml`` in ``directory`` (default: shipped rules).

    ``rules`` (the directory's other rules) lets category names be checked
    against ``categories.toml``.

    Raises
    ------
    RulesError
        Listing every problem found, each as ``file:line: key: message``.
    """
    root = Path(directory) if directory is not None else default_rules_dir()
    problems = Problems()
    cats = [c.name for c in (rules.categories if rules is not None else ())]
    data = _read(TomlReader(_path(root, "extract.toml"), problems), cats)
    data["not_places"] = _not_places(TomlReader(_path(root, "places.toml"), problems))
    if problems.items:
        raise RulesError(problems.items)
    return ExtractRules(**data)


def extract_rules_for(rules: Rules | None = None) -> ExtractRules:
    """The extraction rules that sit beside ``rules`` (loaded once per Rules object)."""
    rules = rules or default_rules()
    return rules.derived("extract_rules", lambda r: load_extract_rules(r.directory, r))


def check_all_rules(directory: str | Path | None = None) -> Rules:
    """Load every rule file in ``directory``: the core rules, the extractor's, sources.toml
    and grouping.toml.

    Raises
    ------
    RulesError
        Listing every problem in every file at once.
    """
    try:
        rules = load_rules(directory)
        problems: list[str] = []
    except RulesError as exc:
        rules, problems = None, list(exc.problems)
    problems += check_extract_rules(directory, rules)
    from .sources import check_source_priors

    problems += check_source_priors(directory)
    from .grouping import check_grouping_rules

    problems += check_grouping_rules(directory)
    if problems or rules is None:
        raise RulesError(problems)
    return rules
