"""The world's places: countries, their cities and the spellings reporters use.

The forty largest cities of each of sixteen conflict countries, weighted by
population, from the gazetteer shipped with the package
(:mod:`reconcile.places`: GeoNames, CC BY 4.0). A claim names the place by
its name as news copy prints it (Hamah), by one of its Latin-script
spellings (Ḩamāh, Hama, Halab / Alep for Aleppo; an outlet keeps to one
spelling), with a typo (a swapped or dropped letter) or not at all.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np

from ..core.text import PARTICLES, fold
from ..places import Gazetteer, default_gazetteer
from .columns import hash_unit

__all__ = ["COUNTRIES", "WorldPlaces", "spell", "typo", "world_places"]

# code, name, demonym, Red Crescent or Red Cross, other name in use, share of events
COUNTRIES = (
    ("SY", "Syria", "Syrian", "Red Crescent", "Syrian Arab Republic", 0.11),
    ("UA", "Ukraine", "Ukrainian", "Red Cross", None, 0.12),
    ("SD", "Sudan", "Sudanese", "Red Crescent", None, 0.09),
    ("YE", "Yemen", "Yemeni", "Red Crescent", None, 0.07),
    ("PS", "Palestine", "Palestinian", "Red Crescent", "Palestinian Territories", 0.08),
    ("MM", "Myanmar", "Myanmar", "Red Cross", "Burma", 0.07),
    ("CD", "DR Congo", "Congolese", "Red Cross", "Democratic Republic of the Congo", 0.07),
    ("AF", "Afghanistan", "Afghan", "Red Crescent", None, 0.05),
    ("IQ", "Iraq", "Iraqi", "Red Crescent", None, 0.05),
    ("NG", "Nigeria", "Nigerian", "Red Cross", None, 0.06),
    ("SO", "Somalia", "Somali", "Red Crescent", None, 0.05),
    ("ML", "Mali", "Malian", "Red Cross", None, 0.04),
    ("SS", "South Sudan", "South Sudanese", "Red Cross", None, 0.04),
    ("LY", "Libya", "Libyan", "Red Crescent", None, 0.03),
    ("ET", "Ethiopia", "Ethiopian", "Red Cross", None, 0.05),
    ("BF", "Burkina Faso", "Burkinabe", "Red Cross", None, 0.04),
)
_CITIES_PER_COUNTRY = 40


def _odd_place_name(name: str) -> bool:
    """GeoNames names no reporter writes: "Rayon KTZ", "Nioko I"."""
    toks = name.split()
    return any(len(w) >= 2 and w.isupper() for w in toks) or (
        len(toks) > 1 and toks[-1] in ("I", "II", "III", "IV"))


def _latin(text: str) -> bool:
    return all(not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN") for ch in text)


def _spelling_variant(alt: str, name: str, taken: set[str]) -> bool:
    """An alternate name a reporter writing in a Latin script might use.

    ``taken``: the folded names of the country's other places.
    """
    if alt == name or len(alt) < 4 or alt.isupper() or not alt[0].isupper():
        return False  # codes (ALP), machine transliterations (a lei po)
    if any(ch.isdigit() or ch in "=()/,;.:`‘’“”" for ch in alt) or not _latin(alt):
        return False
    if any(w[0].islower() and w.lower() not in PARTICLES
           for w in alt.replace("-", " ").split()):
        return False  # "Kiev osh", "Khaleb khot": a word of another language
    if fold(alt) in taken:
        return False  # the name of another place in the country
    from rapidfuzz import fuzz
    return fuzz.ratio(fold(alt), fold(name)) >= 35  # not a historical name (Berea)


@dataclass(frozen=True)
class WorldPlaces:
    """The cities of the simulated countries and their spelling variants, as columns."""

    codes: tuple[str, ...]
    city_name: np.ndarray  # object
    city_country: np.ndarray
    city_weight: np.ndarray
    city_geonameid: np.ndarray
    var_start: np.ndarray
    var_count: np.ndarray
    var_name: np.ndarray  # object, grouped by city
    var_key: np.ndarray  # city index + cumulative weight within the city


def world_places(gazetteer: Gazetteer | None = None) -> WorldPlaces:
    """The simulated countries' largest cities and their spellings, from the gazetteer.

    Uses the shipped gazetteer (:func:`reconcile.places.default_gazetteer`;
    then built once per process) unless ``gazetteer`` is given.
    """
    return _places_of(gazetteer) if gazetteer is not None else _default_places()


@cache
def _default_places() -> WorldPlaces:
    return _places_of(default_gazetteer())


def _places_of(gaz: Gazetteer) -> WorldPlaces:
    from rapidfuzz import fuzz

    codes: list[str] = []
    names: list[str] = []  # one per city
    countries: list[int] = []
    weights: list[float] = []
    ids: list[int] = []
    vstart: list[int] = []
    vcount: list[int] = []
    vnames: list[str] = []  # spelling variants, city after city
    vkeys: list[float] = []
    for code, *_ in COUNTRIES:
        rows = [p for p in gaz.places_in(code, "city") if not _odd_place_name(p.name)]
        rows = rows[:_CITIES_PER_COUNTRY]
        if not rows:
            continue
        ci = len(codes)
        codes.append(code)
        taken = {fold(p.name) for p in rows}
        for place in rows:
            idx = len(names)
            names.append(place.name)
            countries.append(ci)
            weights.append(max(place.population, 1000) ** 0.5)
            ids.append(place.geonameid)
            others = taken - {fold(place.name)}
            alts = [alt for alt in dict.fromkeys(place.spellings)
                    if _spelling_variant(alt, place.name, others)]
            vstart.append(len(vnames))
            vcount.append(len(alts))
            if alts:
                w = np.array([(fuzz.ratio(fold(a), fold(place.name)) / 100) ** 2
                              for a in alts])
                cum = np.cumsum(w) / w.sum()
                cum[-1] = 1.0
                vnames.extend(alts)
                vkeys.extend(idx + cum)
    return WorldPlaces(
        codes=tuple(codes), city_name=np.array(names, dtype=object),
        city_country=np.array(countries, dtype=np.int64),
        city_weight=np.array(weights, dtype=float),
        city_geonameid=np.array(ids, dtype=np.int64),
        var_start=np.array(vstart, dtype=np.int64), var_count=np.array(vcount, dtype=np.int64),
        var_name=np.array(vnames, dtype=object), var_key=np.array(vkeys, dtype=float))


def spell(gaz: WorldPlaces, city: np.ndarray, writer: np.ndarray) -> np.ndarray:
    """Which alternate name a writer uses for a place (city -1: none): each writer keeps to one."""
    city = np.maximum(city, 0)
    u = hash_unit(writer, city)
    pos = np.searchsorted(gaz.var_key, city + u, side="right")
    first = gaz.var_start[city]
    last = first + np.maximum(gaz.var_count[city], 1) - 1
    return np.clip(pos, first, last)


def typo(name: str, op: int, r: int) -> str:
    """A swapped or dropped letter, never the first one."""
    if len(name) < 4:
        return name
    i = 1 + (r * (len(name) - 2)) // 1000
    if op == 0 and i + 1 < len(name):
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    return name[:i] + name[i + 1:]
