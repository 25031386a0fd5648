"""Variation the engine's rules do not contain, laid over a simulated world.

The base world writes places as GeoNames spells them (or as one of GeoNames'
alternate names, the same table the engine reads), so grouping is partly
measured against itself. :func:`add_realism` rewrites what claims say, never
what happened, with variation drawn from generators of its own:

* **place granularity** — a claim names the town's surroundings ("the
  outskirts of Homs"), its governorate ("Homs province") or the part of the
  country it lies in ("northwestern Syria", from the town's bearing to the
  country's centre, computed here from the coordinates);
* **transliterations** — a writer spells names by its own habits ("ou" for
  "u", "q" for "k", "al-" dropped or added, doubled letters), rules kept
  here, not in the engine's gazetteer;
* **one toll, two victim words** — "people" and "civilians" for the same
  count;
* **several incidents in one town on one day** — some incidents are moved to
  the town of another incident of the same country and day (the truth moves
  with them).

National daily totals beside their incidents are in every world already.
The truth's events keep their ids and counts, so every score stays
comparable with and without realism.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..places.admin import default_admin_index
from .spec import World

__all__ = ["add_realism"]

# share of claims (or incidents) each variation touches
_COARSE = 0.10  # place granularity
_TRANSLIT = 0.10  # a writer's own spelling
_VICTIM_WORD = 0.12  # "civilians" for "people" and back
_SAME_TOWN = 0.08  # incidents moved into another incident's town and day

_RULES = (("ou", "u"), ("u", "ou"), ("k", "q"), ("q", "k"), ("ei", "ay"), ("ay", "ei"),
          ("sh", "ch"), ("j", "dj"), ("dh", "z"), ("e", "a"), ("i", "ee"), ("y", "i"))
_COMPASS = ("north", "northeast", "east", "southeast", "south", "southwest", "west",
            "northwest")


def _transliterate(name: str, habit: int) -> str:
    """The name as a writer with ``habit`` spells it (one or two rules, or an article)."""
    if habit % 5 == 0:
        for article in ("al-", "Al-", "el-", "El-", "Al ", "al "):
            if name.startswith(article):
                return name[len(article):]
        return f"al-{name}" if len(name) > 3 else name
    first = _RULES[habit % len(_RULES)]
    second = _RULES[(habit // len(_RULES)) % len(_RULES)]
    out = name
    for a, b in (first, second):
        low = out.lower()
        k = low.find(a, 1)
        if k > 0:
            out = out[:k] + b + out[k + len(a):]
            break
    return out


def _bearing(lat: float, lon: float, lat0: float, lon0: float) -> str:
    dy, dx = lat - lat0, (lon - lon0) * np.cos(np.radians(lat0))
    angle = float(np.degrees(np.arctan2(dx, dy))) % 360.0
    return _COMPASS[int((angle + 22.5) // 45) % 8]


def add_realism(world: World, seed: int | None = None) -> World:
    """The same world, its claims written with the variation above.

    Deterministic: the same world and seed give the same result.
    """
    rng = np.random.default_rng((world.spec.seed if seed is None else seed) + 7919)
    claims = world.claims.copy()
    events = world.truth_events.copy()
    tc = world.truth_claims.set_index("claim_id")["true_event_id"]
    ev_of = claims["claim_id"].map(tc)
    ev = events.set_index("true_event_id")
    idx = default_admin_index()
    n = len(claims)

    # 1. Several incidents in one town on one day: move some incidents into the town
    #    of another incident of their country and day.
    inc = events[(events["kind"] == "incident") & events["geonameid"].notna()]
    key = inc["country_code"].astype(str) + "|" + inc["date_start"].astype(str)
    moved: dict[str, tuple[object, object]] = {}
    for _, grp in inc.groupby(key, sort=True):
        if len(grp) < 2:
            continue
        ids = grp["true_event_id"].to_numpy()
        pick = rng.random(len(ids)) < _SAME_TOWN
        for k in np.flatnonzero(pick):
            host = ids[(k + 1 + rng.integers(0, len(ids) - 1)) % len(ids)]
            if host != ids[k]:
                moved[ids[k]] = (ev.at[host, "location"], ev.at[host, "geonameid"])
    if moved:
        mv = events["true_event_id"].isin(list(moved))
        events.loc[mv, "location"] = events.loc[mv, "true_event_id"].map(
            lambda e: moved[e][0])
        events.loc[mv, "geonameid"] = events.loc[mv, "true_event_id"].map(
            lambda e: moved[e][1]).astype("Int64")
        # parts of a moved incident move with it
        part_mv = events["parent_event_id"].isin(list(moved)) & events["kind"].eq("part")
        events.loc[part_mv, "location"] = events.loc[part_mv, "parent_event_id"].map(
            lambda e: moved[e][0])
        claim_mv = ev_of.isin(list(moved)) & claims["location"].notna()
        claims.loc[claim_mv, "location"] = ev_of[claim_mv].map(lambda e: moved[e][0])
        parent_of = events.set_index("true_event_id")["parent_event_id"]
        claim_part = ev_of.map(parent_of).isin(list(moved)) & claims["location"].notna()
        claims.loc[claim_part, "location"] = ev_of[claim_part].map(parent_of).map(
            lambda e: moved[e][0])
    ev = events.set_index("true_event_id")

    # 2. Place granularity, from the town the claim's event happened in.
    town = ev_of.map(ev["geonameid"])
    country = ev_of.map(ev["country"])
    has_town = town.notna() & claims["location"].notna()
    u = rng.random(n)
    coarse = has_town.to_numpy() & (u < _COARSE)
    locs = claims["location"].to_numpy(dtype=object).copy()
    towns = town.to_numpy(dtype=object)
    countries = country.to_numpy(dtype=object)
    for r in np.flatnonzero(coarse).tolist():
        pid = f"gn:{int(towns[r])}"
        if pid not in idx.rows:
            continue
        row = idx.rows[pid]
        form = int(rng.integers(0, 3))
        if form == 0:
            locs[r] = f"the outskirts of {locs[r]}"
        elif form == 1 and row.admin1 in idx.rows and not idx.rows[row.admin1].name.startswith(
                row.country):
            locs[r] = f"{idx.rows[row.admin1].name} province"
        else:
            centre = idx.centre(f"cc:{row.country}")
            if centre is None or row.lat != row.lat:
                continue
            locs[r] = f"{_bearing(row.lat, row.lon, *centre)}ern {countries[r]}"

    # 3. Transliterations: a writer's own spelling of the town's name.
    writer = claims["outlet"].fillna(claims["source"]).fillna("").astype(str)
    habit = pd.util.hash_array(writer.to_numpy(dtype=object)) % 997
    present = pd.notna(locs)
    plain = present & ~coarse & (rng.random(n) < _TRANSLIT)
    for r in np.flatnonzero(plain).tolist():
        locs[r] = _transliterate(str(locs[r]), int(habit[r]))
    claims["location"] = pd.Series(locs, index=claims.index).astype(claims["location"].dtype)

    # 4. One toll, two victim words.
    vic = claims["victims"]
    swap = rng.random(n) < _VICTIM_WORD
    people = vic.eq("people") & swap
    civilians = vic.eq("civilians") & swap
    claims.loc[people, "victims"] = "civilians"
    claims.loc[civilians, "victims"] = "people"
    return replace(world, claims=claims, truth_events=events)
