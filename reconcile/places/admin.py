"""Place names -> gazetteer ids with their admin chain, ISO country codes, typos.

The grouping stage compares places as ids, not spellings: "Halab", "Alep"
and "Aleppo" are one city; "Idlib province" is the governorate that holds
the city of Idlib; "Mazraa" is a district of Damascus; "northwest Syria" is
a part of Syria. Every place a claim names becomes a :class:`PlaceRef`: an
id, its kind, a precision level like UCDP's ``where_prec`` and its admin
chain from the country down (country -> governorate -> city -> district),
so that "is this place inside that one" is a prefix test on chains.

Data: the shipped GeoNames table (``places.tsv.gz``, the same one
:mod:`reconcile.places.gazetteer` reads), each city's first-order division
(``admin.tsv.gz``, built by ``scripts/build_places.py``) and the local rows
and country aliases of ``rules/places.toml``. Ids:

* ``gn:<geonameid>`` — a GeoNames city (a local city row of the same name
  and country takes the GeoNames id, so both spellings agree);
* ``a1:<CC>.<code>`` — a first-order division ("Idlib Governorate");
* ``cc:<CC>`` — a country (ISO 3166 alpha-2);
* ``loc:<CC>:<name>`` — a local row of ``places.toml`` with no GeoNames twin
  (districts such as Mazraa, regions such as Ghouta);
* ``rg:<parent id>:<direction>`` — a part of a country or division
  ("northwest Syria", "northern Idlib");
* ``nm:<country>:<name>`` — a name in no gazetteer, kept as written (folded),
  after typos of it were matched to its most common spelling.

Typos are matched with rapidfuzz's optimal-string-alignment distance (a
swapped pair of letters is one edit) within one country only, against the
gazetteer's names in that country and the names already seen there: short
names are ambiguous and cross-country matching over-matches them (DESIGN).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from ..core.text import fold_key
from .gazetteer import Gazetteer, default_gazetteer

__all__ = [
    "WHERE_PREC",
    "AdminIndex",
    "PlaceRef",
    "PlaceWords",
    "default_admin_index",
    "load_admin_index",
]

# UCDP GED's where_prec, as reconcile fills it: 1 an exact place (a district,
# neighbourhood or landmark), 2 a town or city (the event lies within ~25 km
# of it), 4 a first-order division (governorate, province, state), 5 a part of
# a country larger than that ("northwest Syria", "northern Idlib"), 6 the
# country only. 3 (second-order division) is not produced: the shipped table
# has no admin2 names. Blank when the claim names no place and no country.
WHERE_PREC = {"landmark": 1, "district": 1, "city": 2, "place": 2, "admin1": 4, "region": 5,
              "country": 6}


@dataclass(frozen=True, slots=True)
class PlaceRef:
    """A place resolved to an id, with its admin chain (country first)."""

    id: str
    name: str
    country: str  # ISO 3166 alpha-2, or "" when the country is not an ISO one
    kind: str  # district | landmark | city | place | admin1 | region | country
    chain: tuple[str, ...]  # ids from the country down to this place, this place last
    names: tuple[str, ...]  # display names along the chain
    fuzzy: bool = False  # matched through a typo

    @property
    def where_prec(self) -> int:
        return WHERE_PREC[self.kind]

    def contains(self, other: PlaceRef) -> bool:
        """Whether ``other`` lies inside this place (or is it)."""
        n = len(self.chain)
        return other.chain[:n] == self.chain

    def chain_text(self) -> str:
        """The admin chain for a spreadsheet: 'Syria > Idlib > Idlib'."""
        return " > ".join(self.names)


@dataclass(frozen=True)
class PlaceWords:
    """Words that turn a name into a coarser place (from ``rules/grouping.toml``)."""

    # direction word -> the part of the country it names ("northwestern" -> "northwest")
    directions: Mapping[str, str] = field(default_factory=lambda: {
        w: d for d in ("north", "south", "east", "west", "northeast", "northwest", "southeast",
                       "southwest") for w in (d, d + "ern")})
    # words after (or before) a name that make it a first-order division
    admin: frozenset[str] = frozenset({"province", "governorate", "state", "oblast",
                                       "region", "prefecture", "countryside"})
    # words to drop around a name ("outskirts of Aleppo", "the city of Homs")
    drop: frozenset[str] = frozenset({"the", "city", "town", "of", "outskirts", "near",
                                      "village", "suburbs", "centre", "center", "downtown",
                                      "in", "area", "around"})
    # articles a name may carry or drop ("al-Taiz" is Taiz)
    articles: frozenset[str] = frozenset({"al", "el", "ad", "ar", "as", "ash", "at", "az", "an",
                                          "ed", "es", "et"})
    max_edits_short: int = 1  # edits allowed for a typo of a name of 5-8 letters
    max_edits_long: int = 2  # ... of 9 letters or more
    min_fuzzy_length: int = 5  # shorter names are never matched fuzzily


@dataclass
class _Row:
    id: str
    name: str
    country: str
    kind: str
    population: int
    admin1: str = ""
    parent: str = ""  # a district's city id
    lat: float = float("nan")
    lon: float = float("nan")


@dataclass
class AdminIndex:
    """Ids, chains and names of every place; build with :func:`load_admin_index`."""

    rows: dict[str, _Row]
    by_key: dict[str, tuple[str, ...]]  # folded alias -> ids, best first
    countries: dict[str, str]  # ISO code -> name
    country_keys: dict[str, str]  # folded country name or alias -> ISO code
    _country_keys_of: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _ref_cache: dict[str, PlaceRef] = field(default_factory=dict, repr=False)

    # -- countries ----------------------------------------------------------
    def country_code(self, text: str) -> str:
        """The ISO code a country name, alias or code stands for ('' if none).

        >>> idx = default_admin_index()
        >>> idx.country_code("Syrian Arab Republic"), idx.country_code("sy")
        ('SY', 'SY')
        """
        text = text.strip()
        if len(text) == 2 and text.isalpha() and text.upper() in self.countries:
            return text.upper()
        return self.country_keys.get(fold_key(text), "")

    # -- refs ----------------------------------------------------------------
    def ref(self, place_id: str) -> PlaceRef:
        """The :class:`PlaceRef` of a gazetteer id (with its chain)."""
        hit = self._ref_cache.get(place_id)
        if hit is not None:
            return hit
        row = self.rows[place_id]
        if row.kind == "country":
            chain: tuple[str, ...] = (row.id,)
            names: tuple[str, ...] = (row.name,)
        else:
            up = row.parent or row.admin1 or (f"cc:{row.country}" if row.country else "")
            if up and up in self.rows:
                parent = self.ref(up)
                chain, names = (*parent.chain, row.id), (*parent.names, row.name)
            else:
                chain, names = (row.id,), (row.name,)
        ref = PlaceRef(row.id, row.name, row.country, row.kind, chain, names)
        self._ref_cache[place_id] = ref
        return ref

    def country_ref(self, code: str) -> PlaceRef | None:
        return self.ref(f"cc:{code}") if f"cc:{code}" in self.rows else None

    def within(self, inner: PlaceRef, outer: PlaceRef, sector: float = 67.5) -> bool | None:
        """Whether ``inner`` lies inside ``outer``: True, False, or None when unknown.

        Chains decide for countries, divisions, cities and districts. A region
        ("northwest Syria") holds the places whose bearing from the
        population-weighted centre of its country (or division) lies within
        ``sector`` degrees of its direction; places without coordinates are
        unknown (None).
        """
        if outer.contains(inner):
            return True
        if outer.kind != "region":
            return False
        base = outer.chain[-2] if len(outer.chain) >= 2 else ""
        if base not in inner.chain:
            return False
        point = self._point(inner)
        centre = self._centre(base)
        angle = _BEARINGS.get(outer.id.rsplit(":", 1)[-1])
        if point is None or centre is None or angle is None:
            return None
        lat0, lon0 = centre
        dy, dx = point[0] - lat0, (point[1] - lon0) * np.cos(np.radians(lat0))
        if abs(dx) + abs(dy) < 0.15:  # the centre itself: no direction
            return False
        bearing = float(np.degrees(np.arctan2(dx, dy))) % 360.0
        diff = abs((bearing - angle + 180.0) % 360.0 - 180.0)
        return diff <= sector

    def _point(self, ref: PlaceRef) -> tuple[float, float] | None:
        for pid in reversed(ref.chain):
            row = self.rows.get(pid)
            if row is not None and row.lat == row.lat:
                return row.lat, row.lon
            if row is not None and row.kind == "district" and row.parent in self.rows:
                parent = self.rows[row.parent]
                if parent.lat == parent.lat:
                    return parent.lat, parent.lon
        return None

    def centre(self, pid: str) -> tuple[float, float] | None:
        """The population-weighted centre (lat, lon) of a country or division id."""
        return self._centre(pid)

    def _centre(self, pid: str) -> tuple[float, float] | None:
        cache = self.__dict__.setdefault("_centres", {})
        if pid not in cache:
            if not cache:
                sums: dict[str, list[float]] = {}
                for row in self.rows.values():
                    if row.lat != row.lat or row.kind != "city":
                        continue
                    w = float(max(row.population, 1000)) ** 0.5
                    for key in (f"cc:{row.country}", row.admin1):
                        if key:
                            acc = sums.setdefault(key, [0.0, 0.0, 0.0])
                            acc[0] += w * row.lat
                            acc[1] += w * row.lon
                            acc[2] += w
                cache.update({k: (a / w, b / w) for k, (a, b, w) in sums.items()})
                cache.setdefault("", None)
            cache.setdefault(pid, None)
        return cache[pid]

    def candidates(self, key: str, country: str = "") -> tuple[str, ...]:
        ids = self.by_key.get(key, ())
        if country:
            ids = tuple(i for i in ids if self.rows[i].country == country)
        return ids

    def _keys_of_id(self) -> dict[str, list[str]]:
        cache = self.__dict__.get("_id_keys")
        if cache is None:
            cache = {}
            for k, ids in self.by_key.items():
                for pid in ids:
                    cache.setdefault(pid, []).append(k)
            self.__dict__["_id_keys"] = cache
        return cache

    def keys_in(self, country: str) -> list[str]:
        """Every folded alias of a place in ``country`` (for fuzzy matching)."""
        return self._country_keys_of.get(country, [])

    # -- resolving names -------------------------------------------------------
    def resolve(self, location: str, country: str = "",
                words: PlaceWords | None = None) -> PlaceRef | None:
        """The place ``location`` names, inside ``country`` when that is known.

        Exact names and aliases only (typos: :meth:`resolve_many`). A name
        with an admin word ("Idlib province") prefers the division; a
        direction ("northwest Syria", "northern Idlib") gives a region
        inside the country or division named; a name in no gazetteer gives
        None.

        >>> idx = default_admin_index()
        >>> idx.resolve("Halab").id == idx.resolve("Aleppo", "SY").id
        True
        >>> idx.resolve("Idlib province", "SY").kind, idx.resolve("northwest Syria").kind
        ('admin1', 'region')
        """
        words = words or PlaceWords()
        key = fold_key(location)
        if not key:
            return None
        # The whole name first: GeoNames lists "Bandundu Province" as a name of the city.
        whole = self._lookup(key, country, False)
        if whole is not None:
            return whole
        toks = key.split(" ")
        direction = ""
        admin_hint = False
        # "northwestern Syria", "north of Idlib", "Idlib's northern countryside"
        kept: list[str] = []
        for tok in toks:
            if tok in words.directions and not direction:
                direction = words.directions[tok]
            elif tok in words.admin:
                admin_hint = True
            elif tok not in words.drop and tok not in ("'s", "s"):
                kept.append(tok)
        if not kept:
            return self.country_ref(country) if (direction and country) else None
        base = self._lookup(" ".join(kept), country, admin_hint)
        if base is None:
            # "al-Taiz", "el-Fasher": the name without its article
            bare = self.core_key(" ".join(kept), words)
            if bare and bare != " ".join(kept):
                base = self._lookup(bare, country, admin_hint)
        if base is None and kept != toks:
            base = self._lookup(key, country, admin_hint)
            direction = "" if base is not None else direction
        if base is None:
            return None
        if direction and base.kind == "city":
            # "northern Idlib": the division, when one has the city's name
            same = [i for i in self.candidates(fold_key(base.name), base.country)
                    if self.rows[i].kind == "admin1"]
            if same:
                base = self.ref(same[0])
        if direction and base.kind in ("country", "admin1"):
            return self._region(base, direction)
        return base

    @staticmethod
    def core_key(key: str, words: PlaceWords) -> str:
        """A folded name without the words around it ("the outskirts of", "al-")."""
        toks = [t for t in key.split(" ") if t not in words.drop and t not in words.admin
                and t not in words.directions]
        while len(toks) > 2 and toks[0] in words.articles and toks[1] == "-":
            toks = toks[2:]
        while len(toks) > 1 and toks[0] in words.articles:
            toks = toks[1:]
        return " ".join(toks)

    def _lookup(self, key: str, country: str, admin_hint: bool) -> PlaceRef | None:
        code = self.country_keys.get(key)
        if code and (not country or code == country):
            return self.country_ref(code)
        ids = self.candidates(key, country)
        if not ids:
            return None
        if admin_hint:
            admins = [i for i in ids if self.rows[i].kind == "admin1"]
            if admins:
                return self.ref(admins[0])
        return self.ref(ids[0])

    def _region(self, base: PlaceRef, direction: str) -> PlaceRef:
        rid = f"rg:{base.id}:{direction}"
        hit = self._ref_cache.get(rid)
        if hit is None:
            hit = PlaceRef(rid, f"{direction} {base.name}", base.country, "region",
                           (*base.chain, rid), (*base.names, f"{direction} {base.name}"))
            self._ref_cache[rid] = hit
        return hit

    def unlisted(self, location: str, country: str) -> PlaceRef:
        """A place in no gazetteer, kept by its folded name inside ``country``.

        ``country`` is an ISO code, "" (unknown) or a country key for a
        country that has no ISO code (``"?examplestan"``: see :meth:`country_key`).
        """
        key = fold_key(location)
        pid = f"nm:{country}:{key}"
        hit = self._ref_cache.get(pid)
        if hit is None:
            up = self.country_ref(country) if country else None
            if up is None and country.startswith("?"):
                up = PlaceRef(f"cc:{country}", country[1:], "", "country", (f"cc:{country}",),
                              (country[1:],))
            chain = (*up.chain, pid) if up else (pid,)
            names = (*up.names, location.strip()) if up else (location.strip(),)
            hit = PlaceRef(pid, location.strip(), up.country if up else "", "place", chain,
                           names)
            self._ref_cache[pid] = hit
        return hit

    def country_key(self, text: str) -> str:
        """The ISO code of a country name, else ``"?"`` + its folded name ("" when blank)."""
        code = self.country_code(text)
        if code:
            return code
        key = fold_key(text)
        return f"?{key}" if key else ""

    def resolve_many(self, names: Sequence[str], countries: Sequence[str],
                     counts: Sequence[int] | None = None,
                     words: PlaceWords | None = None) -> list[PlaceRef | None]:
        """Resolve distinct (name, country) pairs, matching typos within each country.

        A name that :meth:`resolve` does not know is matched, within its
        country, to the gazetteer's names there and then to the names seen
        more often in ``names`` (``counts``: how often each pair occurs), by
        at most ``max_edits_short`` (names of 5-8 letters) or
        ``max_edits_long`` edits; a tie between two different places is no
        match. What still matches nothing stays an unlisted place by its own
        name. The result depends on the whole list, not on its order.

        Notes
        -----
        One rapidfuzz ``cdist`` per country over the unknown names against
        the candidate names, with ``score_cutoff``, on all cores.
        """
        words = words or PlaceWords()
        counts = list(counts) if counts is not None else [1] * len(names)
        out: list[PlaceRef | None] = [self.resolve(n, c, words) for n, c in
                                      zip(names, countries, strict=True)]
        unknown: dict[str, list[int]] = {}
        for i, (name, country) in enumerate(zip(names, countries, strict=True)):
            if out[i] is None and fold_key(name):
                unknown.setdefault(country, []).append(i)
        seen = sorted({r.id for r in out if r is not None and r.kind in ("city", "district",
                                                                         "admin1")})
        for country, rows in sorted(unknown.items()):
            keys = [self.core_key(fold_key(names[i]), words) or fold_key(names[i]) for i in rows]
            if country in self.countries:
                matched = self._fuzzy(keys, country, words)
            elif not country:
                # No country: only the places this input already names, one at most.
                matched = self._fuzzy(keys, "", words, seen)
            else:
                matched = [None] * len(rows)
            # Names no gazetteer knows: typos of each other go to the most common spelling.
            left = [k for k, m in zip(range(len(rows)), matched, strict=True) if m is None]
            canon = self._canonical_spellings([keys[k] for k in left],
                                              [counts[rows[k]] for k in left], words)
            for k, target in zip(left, canon, strict=True):
                i = rows[k]
                ref0 = self.unlisted(target if target != keys[k] else names[i], country)
                out[i] = _as_fuzzy(ref0) if target != keys[k] else ref0
            for k, ref in enumerate(matched):
                if ref is not None:
                    out[rows[k]] = _as_fuzzy(ref)
        return out

    def _fuzzy(self, keys: list[str], country: str, words: PlaceWords,
               among: Sequence[str] | None = None) -> list[PlaceRef | None]:
        if among is not None:
            allowed_ids = set(among)
            choices = sorted({k for pid in among for k in self._keys_of_id().get(pid, ())})
        else:
            allowed_ids = None
            choices = self.keys_in(country)
        out: list[PlaceRef | None] = [None] * len(keys)
        if not choices or not keys:
            return out
        dist = process.cdist(keys, choices, scorer=OSA.distance, dtype=np.int32,
                             score_cutoff=words.max_edits_long, workers=-1)
        lengths = np.array([len(k.replace(" ", "")) for k in keys])
        allowed = np.where(lengths >= 9, words.max_edits_long, words.max_edits_short)
        allowed[lengths < words.min_fuzzy_length] = -1
        for r in np.flatnonzero(allowed >= 0):
            row = dist[r]
            best = int(row.min())
            if best > allowed[r]:
                continue
            hits = {i for c in np.flatnonzero(row == best)
                    for i in self.candidates(choices[c], country)
                    if allowed_ids is None or i in allowed_ids}
            if allowed_ids is None:
                hits = {i for c in np.flatnonzero(row == best)
                        for i in self.candidates(choices[c], country)[:1]}
            if len(hits) == 1:
                out[r] = self.ref(hits.pop())
        return out

    @staticmethod
    def _canonical_spellings(keys: list[str], counts: list[int],
                             words: PlaceWords) -> list[str]:
        """Each unknown name's most common spelling among the names within its edit reach."""
        if len(keys) < 2:
            return list(keys)
        uniq = sorted(set(keys))
        total: dict[str, int] = {}
        for k, c in zip(keys, counts, strict=True):
            total[k] = total.get(k, 0) + c
        dist = process.cdist(uniq, uniq, scorer=OSA.distance, dtype=np.int32,
                             score_cutoff=words.max_edits_long, workers=-1)
        lengths = np.array([len(k.replace(" ", "")) for k in uniq])
        allowed = np.where(lengths >= 9, words.max_edits_long, words.max_edits_short)
        allowed[lengths < words.min_fuzzy_length] = -1
        freq = np.array([total[k] for k in uniq])
        canon: dict[str, str] = {}
        for r, key in enumerate(uniq):
            near = np.flatnonzero((dist[r] <= allowed[r]) & (freq > freq[r]))
            if len(near):
                # The most common spelling; ties go to the alphabetically first.
                best = min(near, key=lambda c: (-freq[c], uniq[c]))
                canon[key] = uniq[best]
            else:
                canon[key] = key
        return [canon[k] for k in keys]


_BEARINGS = {"north": 0.0, "northeast": 45.0, "east": 90.0, "southeast": 135.0, "south": 180.0,
             "southwest": 225.0, "west": 270.0, "northwest": 315.0}


def _as_fuzzy(ref: PlaceRef) -> PlaceRef:
    if ref.fuzzy:
        return ref
    return PlaceRef(ref.id, ref.name, ref.country, ref.kind, ref.chain, ref.names, True)


# -- loading -------------------------------------------------------------------


def _data(name: str) -> Path:
    return Path(str(resources.files("reconcile.places.data").joinpath(name)))


def _read_places(path: Path) -> Iterable[tuple[str, str, str, int, str, list[str]]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 6:
                continue
            gid, name, country, population, kind, spellings = parts[:6]
            keys = list(dict.fromkeys(k for k in map(fold_key, spellings.split("|")) if k)) \
                if spellings else []
            yield gid, name, country, int(population or 0), kind, keys


def _read_admin(path: Path) -> tuple[list[tuple[str, str, str, list[str]]],
                                     dict[str, tuple[str, float, float]]]:
    admins: list[tuple[str, str, str, list[str]]] = []
    city_admin: dict[str, tuple[str, float, float]] = {}
    if not path.exists():
        return admins, city_admin
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "admin1" and len(parts) >= 5:
                admins.append((parts[1], parts[2], parts[3], parts[4].split("|") if parts[4]
                               else []))
            elif parts[0] == "city" and len(parts) >= 5:
                city_admin[parts[1]] = (parts[2], float(parts[3]), float(parts[4]))
    return admins, city_admin


def load_admin_index(gazetteer: Gazetteer | None = None, places_path: str | Path | None = None,
                     admin_path: str | Path | None = None) -> AdminIndex:
    """Build the index from the shipped tables and the gazetteer's ``places.toml`` rows."""
    gaz = gazetteer or default_gazetteer()
    rows: dict[str, _Row] = {}
    keys: dict[str, list[str]] = {}
    countries: dict[str, str] = {}
    country_keys: dict[str, str] = {}
    admins, city_admin = _read_admin(Path(admin_path) if admin_path else _data("admin.tsv.gz"))
    city_by_key: dict[tuple[str, str], str] = {}
    for gid, name, country, population, kind, aliases in _read_places(
            Path(places_path) if places_path else _data("places.tsv.gz")):
        if kind == "country":
            pid = f"cc:{country}"
            countries[country] = name
            rows[pid] = _Row(pid, name, country, "country", population)
            for k in aliases:
                country_keys.setdefault(k, country)
            country_keys.setdefault(fold_key(name), country)
            continue
        pid = f"gn:{gid}"
        kind = "region" if kind == "region" else "city"
        admin, lat, lon = city_admin.get(gid, ("", float("nan"), float("nan")))
        rows[pid] = _Row(pid, name, country, kind, population,
                         admin1=f"a1:{admin}" if admin else "", lat=lat, lon=lon)
        for k in aliases:
            keys.setdefault(k, []).append(pid)
            city_by_key.setdefault((k, country), pid)
    for aid, name, country, aliases in admins:
        pid = f"a1:{aid}"
        rows[pid] = _Row(pid, name, country, "admin1", 0)
        for k in aliases:
            keys.setdefault(k, []).append(pid)
    for key, code in gaz.rules.country_aliases:
        country_keys.setdefault(key, code)
    for code in countries:
        country_keys.setdefault(code.lower(), code)
    # Local rows: a city that GeoNames has too takes its id; others get their own.
    local_ids: dict[tuple[str, str], str] = {}
    for place in gaz.rules.places:
        key = fold_key(place.name)
        twin = city_by_key.get((key, place.country)) if place.kind == "city" else None
        if twin is None and place.kind == "city":
            for alias_key, p in gaz.rules.aliases:
                if p is place and (alias_key, place.country) in city_by_key:
                    twin = city_by_key[(alias_key, place.country)]
                    break
        pid = twin or f"loc:{place.country}:{key}"
        local_ids[(key, place.country)] = pid
        if twin is None:
            rows[pid] = _Row(pid, place.name, place.country, place.kind, 0)
        else:
            rows[pid].name = place.name  # the newsroom's spelling ("Daraa", not "Dar'a")
    for place in gaz.rules.places:
        pid = local_ids[(fold_key(place.name), place.country)]
        if place.parent:
            parent = local_ids.get((fold_key(place.parent), place.country)) or \
                city_by_key.get((fold_key(place.parent), place.country), "")
            rows[pid].parent = parent
    for alias_key, place in gaz.rules.aliases:
        pid = local_ids[(fold_key(place.name), place.country)]
        lst = keys.setdefault(alias_key, [])
        if pid in lst:
            lst.remove(pid)
        lst.insert(0, pid)  # local rows win over GeoNames rows of the same name
    local = set(local_ids.values())

    def rank(pid: str) -> tuple:
        r = rows[pid]
        return (pid not in local, r.kind == "admin1", -r.population, pid)

    by_key = {k: tuple(sorted(dict.fromkeys(v), key=rank)) for k, v in keys.items()
              if k not in gaz.rules.ignore}
    keys_of: dict[str, list[str]] = {}
    for k, ids in by_key.items():
        for c in {rows[i].country for i in ids}:
            keys_of.setdefault(c, []).append(k)
    for c in keys_of:
        keys_of[c].sort()
    return AdminIndex(rows, by_key, countries, country_keys, keys_of)


@cache
def default_admin_index() -> AdminIndex:
    """The shipped index, built once per process."""
    return load_admin_index()
