"""True events: incidents, their parts, national daily totals, tallies, and tolls over time.

Events fall over 2024 with bursts per country. True counts are heavy tailed:
a lognormal body (most incidents 1-30 killed) with a Pareto tail. Some
incidents have a *part* (the children or women among the victims); on some
days a *national daily total* sums a country's killed incidents; *tallies*
sum all killed incidents of a country over a window of 7-30 days
(non-overlapping per country). The truth is a tree through ``parent``: an
aggregate's count is exactly the sum of its children's counts, a part's
count is at most its whole's. Tolls grow: a report ``t`` hours after an
event knows the fraction ``1 - (1 - f0) exp(-t / tau)`` of the final toll.
"""

from __future__ import annotations

import math

import numpy as np

from .columns import Cols, GroupSampler, pick_rows, round_half_up
from .places import WorldPlaces
from .spec import Scenario

__all__ = [
    "CATEGORIES", "DAILY", "EVENT_KINDS", "EVENT_TYPES", "INCIDENT", "KILLED", "N_DAYS", "PART",
    "PEOPLE", "TALLY", "VICTIMS", "YEAR_START", "believe", "build_events", "toll_fraction",
]

YEAR_START = np.datetime64("2024-01-01", "D")
N_DAYS = 366

CATEGORIES = ("killed", "injured", "missing", "displaced", "detained")
_CAT_SHARE = (0.55, 0.20, 0.05, 0.08, 0.12)
KILLED, _INJURED = 0, 1
VICTIMS = ("people", "civilians", "soldiers", "fighters", "children", "women")
PEOPLE, _CIVILIANS, _CHILDREN, _WOMEN = 0, 1, 4, 5
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

EVENT_TYPES = (  # type, synonyms a reporter may use
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
_TYPE_WEIGHTS = np.array([  # by category, over EVENT_TYPES
    [5, 5, 2, 1.5, 3, 4, 1.5, 1, 0.5, 2, 1, 0, 0],
    [5, 5, 2, 1.5, 3, 3, 1, 1, 0, 2, 0, 0, 0],
    [1, 1, 0, 0, 0, 3, 1, 0, 0, 0, 2, 1, 0],
    [2, 3, 0, 0, 0, 3, 0, 0, 0, 0, 0, 4, 0],
    [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 4, 0, 3],
], dtype=float)

EVENT_KINDS = ("incident", "part", "daily_total", "tally")
INCIDENT, PART, DAILY, TALLY = 0, 1, 2, 3


def build_events(rng: np.random.Generator, sc: Scenario, gaz: WorldPlaces, country_p: np.ndarray,
                 n_orig: int, n_agg: int) -> Cols:
    """The true events: incidents for ``n_orig`` original reports, their parts and aggregates."""
    n_countries = len(country_p)
    n_inc = max(1, round(n_orig / sc.claims_per_event))
    country = rng.choice(n_countries, size=n_inc, p=country_p)
    cities = GroupSampler(gaz.city_country, gaz.city_weight, n_countries)
    city = cities.sample(rng, country)
    burst = rng.gamma(0.5, 1.0, size=(n_countries, N_DAYS + 6))
    c = np.cumsum(burst, axis=1)
    smooth = (c[:, 6:] - np.concatenate([np.zeros((n_countries, 1)),
                                        c[:, :-7]], axis=1)) / 7
    day = pick_rows(rng, 0.3 + smooth, country)
    hour = rng.random(n_inc) * 24
    category = rng.choice(len(CATEGORIES), size=n_inc, p=_CAT_SHARE)
    victims = pick_rows(rng, _VICTIM_SHARE, category)
    etype = pick_rows(rng, _TYPE_WEIGHTS, category)
    count = _counts(rng, category)
    inc = Cols(kind=np.full(n_inc, INCIDENT), country=country, city=city, day0=day,
               day1=day.copy(), hour=hour, category=category, victims=victims,
               etype=etype, count=count, parent=np.full(n_inc, -1))
    parts = _part_events(rng, inc)
    daily = _daily_totals(rng, inc, n_agg)
    tallies = _tallies(rng, country_p, inc, daily, n_agg)
    daily.set(parent=tallies.c.pop("_daily_parent"))
    ev = Cols.concat([inc, parts, daily, tallies])
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
    grows |= (kind >= DAILY) & (rng.random(m) < 0.5)
    f0 = np.where(grows, rng.beta(2.0, 2.5, size=m), 1.0)
    tau = 12.0 * np.exp(0.6 * rng.standard_normal(m))
    is_part = kind == PART
    f0[is_part] = f0[parent[is_part]]
    tau[is_part] = tau[parent[is_part]]
    ev.set(f0=f0, tau=tau)
    return ev


def _counts(rng: np.random.Generator, category: np.ndarray) -> np.ndarray:
    n = len(category)
    law = np.array(_COUNT_LAW)[category]
    body = law[:, 0] * np.exp(law[:, 1] * rng.standard_normal(n))
    tail = law[:, 3] * (1 + rng.pareto(1.2, size=n))
    x = np.where(rng.random(n) < law[:, 2], tail, body)
    return np.clip(round_half_up(x), 1, _MAX_COUNT)


def _part_events(rng: np.random.Generator, inc: Cols) -> Cols:
    n = len(inc)
    ok = (np.isin(inc.category, (KILLED, _INJURED)) & np.isin(inc.victims, (
        PEOPLE, _CIVILIANS)) & (inc.count >= 3) & (rng.random(n) < 0.3))
    idx = np.flatnonzero(ok)
    k = len(idx)
    share = rng.beta(2.0, 5.0, size=k)
    count = np.clip(rng.binomial(inc.count[idx], share), 1, inc.count[idx])
    victims = np.where(rng.random(k) < 0.7, _CHILDREN, _WOMEN)
    out = inc.take(idx)
    out.set(kind=np.full(k, PART), victims=victims, count=count, parent=idx,
            _agg_parent=np.full(k, -1))
    inc.set(_agg_parent=np.full(n, -1))
    return out


def _daily_totals(rng: np.random.Generator, inc: Cols, n_agg: int) -> Cols:
    """National daily totals: a country's killed incidents of one day, summed."""
    killed = np.flatnonzero(inc.category == KILLED)
    key = inc.country[killed] * N_DAYS + inc.day0[killed]
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
    country = chosen // N_DAYS
    day = chosen % N_DAYS
    return Cols(kind=np.full(d, DAILY), country=country, city=np.full(d, -1), day0=day,
                day1=day.copy(), hour=np.full(d, 18.0), category=np.full(d, KILLED),
                victims=np.full(d, PEOPLE), etype=np.full(d, -1),
                count=count.astype(np.int64), parent=np.full(d, -1),
                _agg_parent=np.full(d, -1))


def _tallies(rng: np.random.Generator, country_p: np.ndarray, inc: Cols, daily: Cols,
             n_agg: int) -> Cols:
    """Cumulative tallies: a country's killed incidents over a window, summed.

    Windows do not overlap within a country, so the truth stays a tree:
    a tally's children are the daily totals and the remaining incidents
    of its window, and its count is exactly the sum of theirs.
    """
    t = math.ceil(n_agg * 0.5 / 3)
    empty = Cols(kind=np.zeros(0, np.int64), country=np.zeros(0, np.int64),
                 city=np.zeros(0, np.int64), day0=np.zeros(0, np.int64),
                 day1=np.zeros(0, np.int64), hour=np.zeros(0), category=np.zeros(0, np.int64),
                 victims=np.zeros(0, np.int64), etype=np.zeros(0, np.int64),
                 count=np.zeros(0, np.int64), parent=np.zeros(0, np.int64),
                 _agg_parent=np.zeros(0, np.int64),
                 _daily_parent=np.full(len(daily), -1))
    if t == 0:
        return empty
    country = rng.choice(len(country_p), size=t, p=country_p)
    length = rng.integers(7, 31, size=t)
    start = rng.integers(0, N_DAYS - length + 1)
    order = np.lexsort((start, country))
    kept: list[int] = []
    last_end: dict[int, int] = {}
    for i in order:  # one pass per window: few windows, whatever the world's size
        c = int(country[i])
        if start[i] > last_end.get(c, -1):
            kept.append(i)
            last_end[c] = int(start[i] + length[i] - 1)
    keep = np.array(kept, dtype=np.int64)
    country, start, end = country[keep], start[keep], start[keep] + length[keep] - 1
    killed = np.flatnonzero(inc.category == KILLED)
    key = inc.country[killed] * N_DAYS + inc.day0[killed]
    order_k = np.argsort(key, kind="stable")
    skey = key[order_k]
    lo = np.searchsorted(skey, country * N_DAYS + start, side="left")
    hi = np.searchsorted(skey, country * N_DAYS + end, side="right")
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
    dkey = daily.country * N_DAYS + daily.day0
    tally_of_daily = np.full(n_daily, -1)
    if n_daily:
        wkey_lo = country * N_DAYS + start
        ordw = np.argsort(wkey_lo)
        p = np.searchsorted(wkey_lo[ordw], dkey, side="right") - 1
        w = ordw[np.maximum(p, 0)]
        inside = (p >= 0) & (dkey <= country[w] * N_DAYS + end[w])
        tally_of_daily[inside] = w[inside]
    return Cols(kind=np.full(n_t, TALLY), country=country, city=np.full(n_t, -1),
                day0=start, day1=end, hour=np.full(n_t, 20.0),
                category=np.full(n_t, KILLED), victims=np.full(n_t, PEOPLE),
                etype=np.full(n_t, -1), count=count.astype(np.int64),
                parent=np.full(n_t, -1), _agg_parent=np.full(n_t, -1),
                _daily_parent=tally_of_daily)


def toll_fraction(ev: Cols, ev_idx: np.ndarray, delay: np.ndarray) -> np.ndarray:
    """The share of each event's final toll known ``delay`` hours after it."""
    return 1 - (1 - ev.f0[ev_idx]) * np.exp(-delay / ev.tau[ev_idx])


def believe(count: np.ndarray, f: np.ndarray, factor: np.ndarray,
            honest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What sources believe (the toll known, through bias and noise) and whether it is incomplete."""
    known = np.maximum(1, round_half_up(count * f))
    believed = np.where(honest, known, np.maximum(1, round_half_up(count * f * factor)))
    return believed.astype(np.int64), known < count
