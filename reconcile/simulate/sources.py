"""The world's sources: originators, outlets and copiers, their reliability, bias and copying.

Originators (monitors, ministries, rescue services, Red Crescent / Red
Cross, armed groups, rights networks, news agencies, a UN office, an NGO
and a fast partisan monitor) each have a noise level, a multiplicative bias
(a share are *honest*: no bias, no noise), a reporting delay, a coverage of
categories and a habit of phrasing. Outlets repeat an originator's figure
(some favour one originator); copiers republish one source's figures under
their own name.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .columns import hash_unit
from .figures import EXACT, NEARLY, UPPER, VAGUE
from .spec import Scenario

__all__ = ["Sources", "build_sources", "name_variant"]


@dataclass(frozen=True)
class _Kind:
    delay: float  # median hours from event to report
    habit: tuple[float, ...]  # over STYLES
    p_round: float  # share of bounds written with a rounded number
    bias: tuple[tuple[float, float], ...]  # (multiplier, probability) when not honest
    honest_factor: float  # multiplies the scenario's honest share
    hedge: float
    cover: tuple[float, ...]  # weight of each category among its incidents
    agg: float  # weight among reporters of national totals and tallies


_KINDS = {
    "monitor": _Kind(5, (.50, .28, .02, .03, .07, .03, .02, .05), .2,
                     ((1.0, .8), (.85, .1), (1.2, .1)), 1.0, .03, (3, 2, 1, 1, 2), 3),
    "ministry of health": _Kind(10, (.60, .20, .01, .02, .06, .03, .01, .07), .1,
                                ((1.0, .6), (.8, .2), (1.3, .2)), 1.0, .05,
                                (3, 3, .3, 0, 0), 3),
    "ministry of defence": _Kind(12, (.35, .15, .03, .05, .20, .05, .12, .05), .3,
                                 ((.7, .5), (1.4, .3), (1.0, .2)), .2, .3,
                                 (1.5, .8, .3, 0, 1), 0),
    "rescue service": _Kind(3, (.30, .45, .02, .03, .10, .03, .04, .03), .3,
                            ((1.0, .8), (.85, .2)), 1.0, .05, (2.5, 2, 2, .3, 0), 0),
    "red cross": _Kind(8, (.40, .20, .02, .03, .15, .10, .05, .05), .3,
                       ((1.0, .9), (.85, .1)), 1.0, .05, (.5, 2, 1.5, 2, 0), 0),
    "armed group": _Kind(3, (.25, .20, .02, .05, .22, .03, .18, .05), .4,
                         ((1.4, .7), (1.0, .2), (.7, .1)), 0.0, .5, (1.5, .5, .2, 0, 1), 0),
    "rights network": _Kind(48, (.65, .15, .02, .02, .05, .03, .01, .07), .1,
                            ((1.0, .9), (.9, .1)), 1.0, .02, (1, .3, 1.5, .2, 2), 1.5),
    "news agency": _Kind(2, (.30, .35, .03, .05, .12, .05, .07, .03), .3,
                         ((1.0, .9), (1.1, .1)), 1.0, .05, (1.5, 1.5, .5, .5, .7), .5),
    "un office": _Kind(72, (.15, .20, .05, .05, .25, .20, .05, .05), .5,
                       ((.8, .6), (1.0, .4)), 1.0, .02, (.3, .3, .3, 3, .2), .5),
    "ngo": _Kind(120, (.60, .15, .02, .02, .08, .06, .02, .05), .2,
                 ((1.0, .8), (.9, .2)), 1.0, .02, (.5, .2, .5, .5, 1.5), .5),
    "partisan monitor": _Kind(3, (.35, .30, .02, .03, .12, .03, .10, .05), .3,
                              ((1.4, 1.0),), 0.0, .2, (2, 1.5, .5, .5, .5), 1),
    "outlet": _Kind(2, (1, 0, 0, 0, 0, 0, 0, 0), 0, ((1.0, 1.0),), 1.0, .08, (0,) * 5, 0),
    "copier": _Kind(1, (1, 0, 0, 0, 0, 0, 0, 0), 0, ((1.0, 1.0),), 1.0, 0, (0,) * 5, 0),
}

# per-country originators: kind, name, other names in use ("{acr}": the initials)
_NATIONAL_SOURCES = (
    ("monitor", "{dem} Observatory for Human Rights",
     ("{dem} Observatory on Human Rights", "{acr}", "{dem} Observatory")),
    ("ministry of health", "{country} Ministry of Health",
     ("{dem} Health Ministry", "{country} Health Ministry", "{dem} Ministry of Health")),
    ("ministry of defence", "{country} Ministry of Defence",
     ("{dem} Defence Ministry", "{dem} Defense Ministry", "{dem} military")),
    ("rescue service", "{dem} Civil Defence",
     ("{dem} Civil Defense", "{dem} Civil Defence Directorate")),
    ("red cross", "{dem} {red}", ("{dem} {red} Society", "{country} {red}")),
    ("armed group", "{dem} Liberation Front", ("{dem} Liberation Front media office", "{acr}")),
    ("rights network", "{country} Network for Human Rights",
     ("{dem} Network for Human Rights", "{acr}")),
)
_GLOBAL_SOURCES = (
    ("news agency", "Continental Press Agency", ("Continental Press", "CPA")),
    ("news agency", "Global Wire Service", ("Global Wire", "GWS")),
    ("news agency", "Meridian News Agency", ("Meridian", "MNA")),
    ("un office", "International Humanitarian Coordination Office",
     ("Humanitarian Coordination Office", "IHCO")),
    ("ngo", "Rights Watch International", ("Rights Watch", "RWI")),
    ("partisan monitor", "Frontline Casualty Monitor", ("Frontline Monitor", "FCM")),
)
_OUTLET_ADJ = ("Daily", "Evening", "Morning", "Weekly", "National", "Capital", "Coastal",
               "Northern", "Southern", "Eastern", "Western", "Independent", "Free", "New",
               "Global", "Regional", "Frontier", "Valley", "Harbour", "Citizen", "Open",
               "Central", "Continental", "Union")
_OUTLET_NOUN = ("Herald", "Courier", "Ledger", "Gazette", "Observer", "Tribune", "Dispatch",
                "Chronicle", "Post", "Times", "Journal", "Record", "Sentinel", "Express",
                "Review", "Bulletin", "Mail", "Star", "Report", "Voice", "Standard", "Echo")
_COPIER_NAMES = ("Conflict Updates", "War Digest", "Crisis Feed", "Casualty Wire",
                 "Breaking Conflict News", "Daily War Report", "Situation Room Blog",
                 "Open Conflict Tracker", "Newsdesk Aggregator", "Casualty Watch Online",
                 "World Crisis Digest", "Instant News Desk", "Front Page Feed",
                 "Headline Hub", "War Room Wire", "Global Alerts")
_NAME_SMALL_WORDS = ("for", "on", "of", "the", "and")


@dataclass(frozen=True, eq=False)
class Sources:
    """Every source of a world, one row per source: originators, then outlets, then copiers."""

    role: np.ndarray  # 0 originator, 1 outlet, 2 copier
    country: np.ndarray  # home country, -1 for international sources
    honest: np.ndarray
    bias: np.ndarray
    noise: np.ndarray
    delay: np.ndarray  # median hours from event to report
    p_round: np.ndarray
    hedge: np.ndarray
    activity: np.ndarray
    favourite: np.ndarray  # the originator an outlet favours, or -1
    target: np.ndarray  # the source a copier copies, or -1
    var_start: np.ndarray  # first of the source's other names in var_flat
    var_count: np.ndarray
    name: np.ndarray  # canonical names (object)
    kind: list[str]
    variants: list[list[str]]  # other names in use
    var_flat: np.ndarray  # every other name, source after source (object)
    habit: np.ndarray  # weight of each figure style, per source
    cover: np.ndarray  # weight of each category among its incidents, per source
    agg_weight: np.ndarray  # weight among reporters of national totals and tallies
    n_originators: int
    outlets: np.ndarray
    copiers: np.ndarray
    domains: np.ndarray  # web domain of each source (object)

    def __len__(self) -> int:
        return len(self.name)


def build_sources(rng: np.random.Generator, sc: Scenario, countries: Sequence[tuple],
                  country_p: np.ndarray, style_ok: np.ndarray, n_claims: int) -> Sources:
    """The sources of a world of ``n_claims`` claims in ``countries`` (rows of COUNTRIES).

    ``style_ok`` marks the figure styles the rules can write.
    """
    names: list[str] = []
    variants: list[list[str]] = []
    kinds: list[str] = []
    home: list[int] = []
    used: set[str] = set()

    def add(kind: str, name: str, alts: Sequence[str], country: int) -> None:
        acr = "".join(w[0] for w in name.split() if w.lower() not in _NAME_SMALL_WORDS
                      and w[0].isalpha()).upper()
        keep = []
        for alt in alts:
            alt = alt.replace("{acr}", acr)
            if alt != name and alt.lower() not in used and len(alt) > 1:
                keep.append(alt)
                used.add(alt.lower())
        used.add(name.lower())
        names.append(name)
        variants.append(keep)
        kinds.append(kind)
        home.append(country)

    for ci, (_, country, dem, red, _alt, _w) in enumerate(countries):
        for kind, template, alts in _NATIONAL_SOURCES:
            fill = {"country": country, "dem": dem, "red": red, "acr": "{acr}"}
            add(kind, template.format(**fill), [a.format(**fill) for a in alts], ci)
    for kind, name, alts in _GLOBAL_SOURCES:
        add(kind, name, alts, -1)
    n_orig = len(names)
    inflator = kinds.index("partisan monitor")
    # outlets
    n_outlets = int(np.clip(20 + math.sqrt(n_claims) / 2, 20, 300))
    outlet_home = np.where(rng.random(n_outlets) < 0.4, -1,
                           rng.choice(len(countries), size=n_outlets, p=country_p))
    combos = [(a, b) for a in _OUTLET_ADJ for b in _OUTLET_NOUN]
    order = rng.permutation(len(combos))
    k = 0
    for i in range(n_outlets):
        ci = int(outlet_home[i])
        while True:
            adj, noun = combos[order[k % len(combos)]]
            if ci >= 0 and rng.random() < 0.5:
                name = f"{countries[ci][2]} {noun}"
            else:
                name = f"The {adj} {noun}"
            if k >= len(combos):
                name = f"{name} {k // len(combos) + 1}"
            k += 1
            if name.lower() not in used:
                break
        add("outlet", name, [name[4:]] if name.startswith("The ") else [], ci)
    # copiers
    n_copiers = round(n_outlets * sc.copier_share)
    if sc.copier_share > 0:
        n_copiers = max(n_copiers, 4 if sc.loyal_to_inflator else 2)
    for i in range(n_copiers):
        base = _COPIER_NAMES[i % len(_COPIER_NAMES)]
        add("copier", base if i < len(_COPIER_NAMES) else f"{base} {i // 16 + 1}", [], -1)

    s = len(names)
    kind_rows = [_KINDS[k] for k in kinds]
    role = np.array([0 if k not in ("outlet", "copier") else (1 if k == "outlet" else 2)
                     for k in kinds])
    honest_p = np.array([sc.honest_share * kr.honest_factor for kr in kind_rows])
    honest = (rng.random(s) < honest_p) & (role == 0)
    bias = np.ones(s)
    if sc.biased:
        for i, kr in enumerate(kind_rows):
            values = np.array([b for b, _ in kr.bias])
            probs = np.array([p for _, p in kr.bias])
            bias[i] = values[rng.choice(len(values), p=probs / probs.sum())]
    bias[inflator] = sc.inflator_bias
    sig = np.array([x for x, _ in sc.noise])
    sig_p = np.array([p for _, p in sc.noise])
    noise = sig[rng.choice(len(sig), size=s, p=sig_p / sig_p.sum())]
    bias = np.where(honest | (role != 0), 1.0, bias)
    noise = np.where(honest | (role != 0), 0.0, noise)
    delay = np.array([kr.delay for kr in kind_rows]) * np.exp(0.3 * rng.standard_normal(s))
    habit = np.array([kr.habit for kr in kind_rows], dtype=float)
    habit[:, [UPPER, NEARLY, VAGUE]] *= sc.fancy
    habit = np.array([rng.dirichlet(30 * h + 0.01) if r == 0 else h
                      for h, r in zip(habit, role, strict=True)])
    habit[:, ~style_ok] = 0.0
    habit[:, EXACT] += 1e-9
    cover = np.array([kr.cover for kr in kind_rows], dtype=float)
    agg = np.array([kr.agg for kr in kind_rows], dtype=float)
    cover[inflator] *= sc.inflator_reach
    agg[inflator] *= sc.inflator_reach
    # outlet loyalties and copier targets
    favourite = np.full(s, -1)
    outlets = np.flatnonzero(role == 1)
    loyal = outlets[rng.random(len(outlets)) < sc.loyal_share]
    home_arr = np.array(home)
    for o in loyal:
        if sc.loyal_to_inflator:
            favourite[o] = inflator
        else:
            ci = home_arr[o]
            cands = np.flatnonzero((role == 0) & ((home_arr == ci) if ci >= 0 else
                                                  (home_arr == -1)))
            cands = cands[[kinds[c] in ("monitor", "ministry of health", "news agency")
                           for c in cands]]
            if len(cands):
                favourite[o] = cands[rng.integers(len(cands))]
    target = np.full(s, -1)
    copiers = np.flatnonzero(role == 2)
    weight_orig = cover.sum(axis=1) * (role == 0)
    for i, c in enumerate(copiers):
        if sc.loyal_to_inflator and i % 2 == 0:
            target[c] = inflator
        else:
            target[c] = rng.choice(s, p=weight_orig / weight_orig.sum())
    # name variants, flat
    var_count = np.array([len(v) for v in variants])
    var_start = np.concatenate([[0], np.cumsum(var_count)[:-1]])
    return Sources(
        role=role, country=home_arr, honest=honest, bias=bias, noise=noise, delay=delay,
        p_round=np.array([kr.p_round for kr in kind_rows]),
        hedge=np.array([kr.hedge for kr in kind_rows]),
        activity=np.exp(rng.standard_normal(s)), favourite=favourite, target=target,
        var_start=var_start, var_count=var_count,
        name=np.array(names, dtype=object),
        kind=kinds,
        variants=variants,
        var_flat=np.array([v for vs in variants for v in vs] or [""], dtype=object),
        habit=habit,
        cover=cover,
        agg_weight=agg,
        n_originators=n_orig,
        outlets=outlets,
        copiers=copiers,
        domains=np.array(["".join(ch for ch in nm.lower() if ch.isalnum()) + ".example"
                          for nm in names], dtype=object))


def name_variant(rng: np.random.Generator, src: Sources, writer: np.ndarray, named: np.ndarray,
                 canonical: float) -> np.ndarray:
    """0 for the canonical name, k for the k-th other name; a writer keeps to one."""
    count = src.var_count[named]
    u = rng.random(len(writer))
    pick = 1 + (hash_unit(writer, named) * np.maximum(count, 1)).astype(np.int64)
    return np.where((u >= canonical) & (count > 0), pick, 0)
