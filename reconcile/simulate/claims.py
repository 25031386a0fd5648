"""The claims sources write: original reports, parts, repeats by outlets, copies.

Every event is reported at least once while claims last; a report ``t``
hours after the event states what its source believed then (the toll known
at ``t`` through the source's bias and noise). Outlets repeat an
originator's figure under their own name, naming the originator or not;
copiers republish one source's figures word for word a little later.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .columns import Cols, GroupSampler, pick_rows, round_half_up
from .events import CATEGORIES, DAILY, KILLED, PART, believe, toll_fraction
from .figures import FigureTables, rephrase, write_figures
from .places import WorldPlaces, spell
from .sources import Sources, name_variant
from .spec import Scenario, WorldSpec

__all__ = ["HEDGES", "WorldState", "reports"]

HEDGES = ("claimed", "unconfirmed", "preliminary figures", "according to local sources",
          "could not be independently verified")


@dataclass(frozen=True, eq=False)
class WorldState:
    """What a world's claims are drawn from: its scenario, generator, tables, places, sources, events."""

    spec: WorldSpec
    sc: Scenario
    rng: np.random.Generator
    t: FigureTables
    places: WorldPlaces
    countries: list[tuple]  # rows of COUNTRIES, in the order of places.codes
    country_p: np.ndarray  # share of events by country
    src: Sources
    ev: Cols  # the true events

    @property
    def n_countries(self) -> int:
        return len(self.countries)


def reports(ctx: WorldState, orig_ev: np.ndarray, n_part: int, n_rep: int, n_copy: int) -> Cols:
    """Original reports of the events ``orig_ev``, then parts, repeats and copies of them."""
    originals = original_reports(ctx, orig_ev)
    parts = part_reports(ctx, originals, n_part)
    n_rep += n_part - len(parts)
    repeats = repeat_reports(ctx, originals, n_rep)
    copies = copy_reports(ctx, originals, n_copy)
    return Cols.concat([p for p in (originals, parts, repeats, copies) if len(p)]
                       or [originals])


def original_reports(ctx: WorldState, ev_idx: np.ndarray) -> Cols:
    """One report per entry of ``ev_idx`` by an originator that covers the event."""
    rng, ev, sc = ctx.rng, ctx.ev, ctx.sc
    n = len(ev_idx)
    n_c, n_k = ctx.n_countries, len(CATEGORIES)
    s = ctx.src.n_originators
    home = ctx.src.country[:s]
    in_country = (home[None, :] == -1) | (home[None, :] == np.arange(n_c)[:, None])
    w_inc = in_country[:, None, :] * ctx.src.cover[:s].T[None, :, :]
    w_agg = in_country[:, None, :] * (np.arange(n_k) == KILLED)[None, :, None] \
        * ctx.src.agg_weight[:s][None, None, :]
    weights = np.concatenate([w_inc.reshape(n_c * n_k, s), w_agg.reshape(n_c * n_k, s)])
    is_agg = ev.kind[ev_idx] >= DAILY
    combo = ev.country[ev_idx] * n_k + ev.category[ev_idx] + np.where(is_agg, n_c * n_k, 0)
    src = pick_rows(rng, weights, combo)
    src = np.where(src < 0, ctx.src.n_originators - 1, src)
    delay = ctx.src.delay[src] * np.exp(0.9 * rng.standard_normal(n)) + 0.2
    start = (ev.day1[ev_idx] * 24 + ev.hour[ev_idx]) * 60
    published = (start + delay * 60).astype(np.int64)
    f = toll_fraction(ev, ev_idx, delay)
    # the source's belief: the toll known at t, through its bias and its (per-event) noise
    key = ev_idx.astype(np.int64) * len(ctx.src) + src
    _, inv = np.unique(key, return_inverse=True)
    z = rng.standard_normal(inv.max() + 1 if n else 0)[inv]
    factor = ctx.src.bias[src] * np.exp(ctx.src.noise[src] * z)
    believed, incomplete = believe(ev.count[ev_idx], f, factor, ctx.src.honest[src])
    out = blank(n)
    out.set(ev=ev_idx, src=src, role=np.zeros(n, np.int8), writer=src, name_src=src,
            published=published, toll=f, factor=factor, believed=believed,
            honest=ctx.src.honest[src], article=np.arange(n, dtype=np.int64))
    # how the originator names itself: mostly its canonical name
    out.set(name_var=name_variant(rng, ctx.src, src, src, max(0.9, sc.canonical_name)))
    out.set(outlet=np.where(rng.random(n) < 0.8, src, -1))
    _figures(ctx, out, incomplete, src)
    describe(ctx, out, jitter=True)
    return out


def blank(n: np.ndarray | int) -> Cols:
    """A claims table of ``n`` rows; the dtypes are kept by :meth:`Cols.set`."""
    n = int(n)
    i8, i16, i32, i64 = (np.zeros(n, t) for t in (np.int8, np.int16, np.int32, np.int64))
    no = np.zeros(n, bool)
    return Cols(
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


def describe(ctx: WorldState, out: Cols, *, jitter: bool) -> None:
    """Place spelling, date, category, victims, event words, scope, missing fields."""
    rng, sc, ev = ctx.rng, ctx.sc, ctx.ev
    n = len(out)
    e = out.ev
    kind = ev.kind[e]
    agg = kind >= DAILY
    city = ev.city[e]
    u = rng.random(n)
    has_var = ctx.places.var_count[np.maximum(city, 0)] > 0
    mode = np.zeros(n, np.int8)  # 0 name, 1 variant, 2 typo, 3 missing, 4 country
    cut1 = sc.missing_place
    cut2 = cut1 + sc.typo_rate
    cut3 = cut2 + sc.variant_rate
    mode[u < cut1] = 3
    mode[(u >= cut1) & (u < cut2)] = 2
    mode[(u >= cut2) & (u < cut3) & has_var] = 1
    mode[agg] = np.where(rng.random(int(agg.sum())) < 0.5, 4, 3)
    out.set(loc_mode=mode)
    out.set(loc_var=spell(ctx.places, ctx.ev.city[out.ev], out.writer))
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
    hedge_p = ctx.src.hedge[out.src] + np.where(out.toll < 0.9, 0.05, 0)
    out.set(hedge=np.where(rng.random(n) < hedge_p, rng.integers(0, len(HEDGES), n),
                           -1).astype(np.int8))
    out.set(pub_missing=rng.random(n) < (0.005 if sc.fancy < 1 else 0.02),
            date_missing=rng.random(n) < 0.01, url=rng.random(n) < 0.75,
            article_missing=rng.random(n) < 0.2)


def part_reports(ctx: WorldState, originals: Cols, n_part: int) -> Cols:
    """"25 killed, including 10 children": a second claim on the part, linked by part_of."""
    rng, ev = ctx.rng, ctx.ev
    part_of_incident = np.full(len(ev), -1)
    parts = np.flatnonzero(ev.kind == PART)
    part_of_incident[ev.parent[parts]] = parts
    cand = np.flatnonzero(part_of_incident[originals.ev] >= 0)
    k = min(n_part, len(cand))
    if k == 0:
        return originals.take(np.zeros(0, np.int64))
    rows = np.sort(rng.choice(cand, size=k, replace=False))
    out = originals.take(rows)
    child = part_of_incident[out.ev]
    f, factor, honest = out.toll, out.factor, out.honest
    known = np.maximum(1, round_half_up(ev.count[child] * f))
    believed = np.where(honest, known, np.minimum(
        out.believed, np.maximum(1, round_half_up(ev.count[child] * f * factor))))
    out.set(ev=child, role=np.full(k, 1, np.int8), parent_row=rows, believed=believed,
            origin=np.full(k, -1))
    _figures(ctx, out, known < ev.count[child], out.src)
    return out


def repeat_reports(ctx: WorldState, originals: Cols, n_rep: int) -> Cols:
    """Outlets repeating an originator's figure under their own outlet name."""
    rng, sc = ctx.rng, ctx.sc
    if n_rep <= 0 or not len(ctx.src.outlets) or not len(originals):
        return originals.take(np.zeros(0, np.int64))
    outlets = ctx.src.outlets
    act = ctx.src.activity[outlets]
    outlet = outlets[rng.choice(len(outlets), size=n_rep, p=act / act.sum())]
    weight = (1 + np.log1p(ctx.ev.count[originals.ev]))
    all_group = np.zeros(len(originals), np.int64)
    by_all = GroupSampler(all_group, weight, 1)
    by_src = GroupSampler(originals.src, weight, len(ctx.src))
    by_country = GroupSampler(ctx.ev.country[originals.ev], weight, ctx.n_countries)
    pick = by_all.sample(rng, np.zeros(n_rep, np.int64))
    fav = ctx.src.favourite[outlet]
    loyal = (fav >= 0) & (rng.random(n_rep) < sc.loyal_strength)
    loyal &= by_src.has(np.maximum(fav, 0))
    home = ctx.src.country[outlet]
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
    out.set(name_var=np.where(attributed, name_variant(rng, ctx.src, outlet, out.src, 0.5),
                              name_variant(rng, ctx.src, outlet, outlet, 0.9)))
    rephrase(rng, ctx.t, out, sc.rephrase)
    # an outlet writes the place its own way
    u = rng.random(k)
    city_ok = ctx.ev.city[out.ev] >= 0
    has_var = ctx.places.var_count[np.maximum(ctx.ev.city[out.ev], 0)] > 0
    mode = out.loc_mode.copy()
    respell = city_ok & (mode != 3)
    mode[respell] = 0
    mode[respell & (u < sc.typo_rate)] = 2
    mode[respell & (u >= sc.typo_rate) & (u < sc.typo_rate + sc.variant_rate) & has_var] = 1
    out.set(loc_mode=mode)
    out.set(loc_var=spell(ctx.places, ctx.ev.city[out.ev], out.writer))
    out.set(hedge=np.where(rng.random(k) < 0.08, len(HEDGES) - 1, out.hedge)
            .astype(np.int8), url=rng.random(k) < 0.75, article_missing=rng.random(k) < 0.2,
            pub_missing=rng.random(k) < 0.02, typo_r=rng.integers(0, 1000, k).astype(np.int16))
    return out


def copy_reports(ctx: WorldState, originals: Cols, n_copy: int) -> Cols:
    """Copiers: one source's figures, word for word, a little later, under their name."""
    rng = ctx.rng
    copiers = ctx.src.copiers
    if n_copy <= 0 or not len(copiers) or not len(originals):
        return originals.take(np.zeros(0, np.int64))
    act = ctx.src.activity[copiers]
    copier = copiers[rng.choice(len(copiers), size=n_copy, p=act / act.sum())]
    weight = np.ones(len(originals))
    by_src = GroupSampler(originals.src, weight, len(ctx.src))
    target = ctx.src.target[copier]
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


def _figures(ctx: WorldState, out: Cols, incomplete: np.ndarray, src: np.ndarray) -> None:
    write_figures(ctx.rng, ctx.t, out, incomplete, src, ctx.src.habit, ctx.src.honest,
                  ctx.src.p_round, ctx.ev.victims)
