"""The output frames: figure text, the claims rows, malformed rows and the truth tables.

About 0.5% of rows are malformed (empty source, figure "n/a", a negative
``low``, ``low`` above ``high``, an impossible date): the loader must reject
them; the truth marks them ``malformed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
import pandas as pd

from ..schema import (
    SIMULATED_CLAIM_COLUMNS,
    TRUTH_CLAIM_COLUMNS,
    TRUTH_EVENT_COLUMNS,
    TRUTH_SOURCE_COLUMNS,
)
from .claims import HEDGES, WorldState
from .columns import Cols, factorize_rows, hash_unit
from .events import CATEGORIES, DAILY, EVENT_KINDS, EVENT_TYPES, PART, TALLY, VICTIMS, YEAR_START
from .figures import BOUNDS, RANGE, STYLES, VAGUE, FigureTables
from .places import typo
from .spec import World

__all__ = ["MALFORMED", "add_malformed", "render_world"]

MALFORMED = ("empty source", "figure n/a", "negative low", "low above high", "bad date")
_BAD_DATES = ("2024-02-30", "2024-13-05", "31/12/2024", "not a date")


def add_malformed(ctx: WorldState, valid: Cols, n_mal: int) -> Cols:
    """``valid`` and ``n_mal`` malformed copies of its rows, with exactly one problem each."""
    malformed = _malformed(ctx, valid, n_mal)
    return Cols.concat([valid, malformed]) if len(malformed) else valid


def _malformed(ctx: WorldState, valid: Cols, n_mal: int) -> Cols:
    rng = ctx.rng
    if n_mal <= 0:
        return valid.take(np.zeros(0, np.int64))
    out = valid.take(rng.integers(0, len(valid), n_mal))
    out.set(mal=(1 + rng.integers(0, len(MALFORMED), n_mal)).astype(np.int8),
            mal_r=rng.integers(1, 50, n_mal), parent_row=np.full(n_mal, -1),
            origin=np.full(n_mal, -1), role=np.full(n_mal, 4, np.int8),
            published=out.published + rng.integers(1, 600, n_mal),
            article=np.full(n_mal, -1), pub_missing=np.zeros(n_mal, bool))
    return out


def render_world(ctx: WorldState, claims: Cols) -> World:
    """The world's tables: claims rows in order of publication, and the truth behind them."""
    rng = ctx.rng
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
    figure, low, high = _render_figures(ctx, claims)
    cols = _render_fields(ctx, claims, art_codes)
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
    n_claims_per_event = np.bincount(claims.ev[~is_mal], minlength=len(ctx.ev))
    keep = (ctx.ev.kind != PART) | (n_claims_per_event > 0)
    ev_id = _event_ids(keep)
    true_ev = np.where(is_mal, None, ev_id[claims.ev])
    src_names = ctx.src.name
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
        "malformed_reason": np.where(is_mal, np.array(("", *MALFORMED), dtype=object)[mal],
                                     None),
        "role": roles[claims.role],
        "source_canonical": np.where(mal == 1, None, src_names[claims.name_src]),
        "originator": src_names[claims.src], "channel": src_names[channel],
        "origin_claim_id": origin,
        "style": np.array(STYLES, dtype=object)[claims.form],
        "bounds": claims.style == BOUNDS,
        "believed": pd.array(believed, dtype="Int64"),
        "intended_low": pd.array(lo_t, dtype="Int64"),
        "intended_high": pd.array(hi_t, dtype="Int64"),
        "honest": claims.honest & ~is_mal, "toll_fraction": np.round(claims.toll, 4)})
    truth_claims = _strings(truth_claims[list(TRUTH_CLAIM_COLUMNS)], exclude=(
        "malformed", "bounds", "believed", "intended_low", "intended_high", "honest",
        "toll_fraction"))
    return World(spec=ctx.spec, claims=claims_df,
                 truth_events=_truth_events(ctx, ev_id, n_claims_per_event, keep),
                 truth_claims=truth_claims,
                 truth_sources=_truth_sources(ctx, claims))


def _event_ids(keep: np.ndarray) -> np.ndarray:
    """Ids ``e000001``... for the events kept, in order; None for the others."""
    n = int(keep.sum())
    width = max(6, len(str(n)))
    ids = np.full(len(keep), None, dtype=object)
    ids[keep] = [f"e{i:0{width}d}" for i in range(1, n + 1)]
    return ids


def _render_figures(ctx: WorldState, c: Cols) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Figure text (once per distinct form) and the low/high columns of bounds rows."""
    m = len(c)
    bounds = c.style == BOUNDS
    cols = [c.style, c.form, c.phrase, c.n1, c.n2, c.vague, c.rform, c.noun,
            c.words, c.sep, c.cap]
    first, inverse = factorize_rows([np.asarray(x, dtype=np.int64) for x in cols])
    texts = np.empty(len(first), dtype=object)
    for k, i in enumerate(first):
        texts[k] = None if bounds[i] else _render_one(
            ctx.t, int(c.form[i]), int(c.phrase[i]), int(c.n1[i]), int(c.n2[i]), int(c.vague[i]),
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


def _render_one(t: FigureTables, form: int, phrase: int, n1: int, n2: int, vague: int,
                rform: int, noun: int, words: bool, sep: bool, cap: bool) -> str:

    def number(x: int) -> str:
        if words and x in t.words:
            return t.words[x]
        return f"{x:,}" if sep else str(x)

    if form == VAGUE:
        row = vague
        if noun >= 0 and row in t.vague_of:
            row = t.vague_of[row]
        text = t.vague_rows[row].phrase
    elif form == RANGE:
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


def _render_fields(ctx: WorldState, c: Cols, art_codes: np.ndarray) -> dict[str, np.ndarray]:
    t, gaz, ev = ctx.t, ctx.places, ctx.ev
    m = len(c)
    e = c.ev
    kind = ev.kind[e]
    out: dict[str, np.ndarray] = {}
    # source as written
    var_idx = ctx.src.var_start[c.name_src] + np.maximum(c.name_var - 1, 0)
    out["source"] = np.where(c.name_var > 0, ctx.src.var_flat[np.minimum(
        var_idx, len(ctx.src.var_flat) - 1)], ctx.src.name[c.name_src])
    # category, victims, event words
    cat_tbl = _choice_table([[name, *t.category_alias[i]] for i, name in
                             enumerate(CATEGORIES)])
    cat = ev.category[e]
    out["category"] = _lookup(cat_tbl, cat, c.cat_form, c.writer)
    vic_tbl = _choice_table([[name, *t.victim_alias[i]] for i, name in enumerate(VICTIMS)])
    out["victims"] = _lookup(vic_tbl, ev.victims[e], c.vic_form, c.writer)
    et = ev.etype[e]
    syn = _choice_table([list(s) for _, s in EVENT_TYPES])
    etype = np.full(m, None, dtype=object)
    has = (et >= 0) & (c.etype_form >= 0)
    rows = np.flatnonzero(has)
    etype[rows] = syn[et[rows], c.etype_form[rows] % syn.shape[1]]
    out["event"] = etype
    scope = np.where(kind >= DAILY, "cumulative", "incident").astype(object)
    scope[c.scope_missing] = None
    out["scope"] = scope
    out["hedge"] = cast(np.ndarray, np.where(c.hedge >= 0, np.array(HEDGES, dtype=object)[
        np.maximum(c.hedge, 0)], None))
    # place
    city = np.maximum(ev.city[e], 0)
    loc = np.full(m, None, dtype=object)
    mode = c.loc_mode
    loc[mode == 0] = gaz.city_name[city[mode == 0]]
    loc[mode == 1] = gaz.var_name[c.loc_var[mode == 1]] if len(gaz.var_name) else None
    names = np.array([x[1] for x in ctx.countries], dtype=object)
    loc[mode == 4] = names[ev.country[e][mode == 4]]
    for r in np.flatnonzero(mode == 2):  # typos: few rows
        loc[r] = typo(str(gaz.city_name[city[r]]), int(c.typo_op[r]), int(c.typo_r[r]))
    out["location"] = loc
    other = np.array([x[4] or x[1] for x in ctx.countries], dtype=object)
    country = np.where(c.country_form == 1, other[ev.country[e]], names[ev.country[e]])
    country[c.country_form == 2] = None
    out["country"] = country
    # dates
    days = np.unique(np.concatenate([c.day, ev.day0, ev.day1]))
    day_text = np.datetime_as_string(YEAR_START + days.astype("timedelta64[D]"), unit="D")
    day_str = np.array(day_text, dtype=object)
    di = np.searchsorted(days, c.day)
    date = day_str[di]
    tal = np.flatnonzero(kind == TALLY)
    if len(tal):
        d0 = day_str[np.searchsorted(days, ev.day0[e[tal]])]
        d1 = day_str[np.searchsorted(days, ev.day1[e[tal]])]
        date[tal] = d0 + "/" + d1
    date[c.date_missing] = None
    out["event_date"] = date
    pub = YEAR_START.astype("datetime64[m]") + c.published.astype("timedelta64[m]")
    published = np.array(np.datetime_as_string(pub.astype("datetime64[s]"), unit="s"),
                         dtype=object)
    published[c.pub_missing] = None
    out["published"] = published
    # outlet, article, url
    out["outlet"] = cast(np.ndarray, np.where(c.outlet >= 0, ctx.src.name[np.maximum(c.outlet, 0)],
                                              None))
    width = max(6, len(str(int(art_codes.max()) + 1 if m else 1)))
    article = np.array([f"a{k + 1:0{width}d}" for k in art_codes], dtype=object)
    url = np.full(m, None, dtype=object)
    dom = ctx.src.domains[np.where(c.outlet >= 0, c.outlet, c.writer)]
    for r in np.flatnonzero(c.url & ~c.pub_missing):
        url[r] = f"https://{dom[r]}/{published[r][:10].replace('-', '/')}/{article[r]}"
    article[c.article_missing] = None
    out["article_id"] = article
    out["url"] = url
    return out


def _truth_events(ctx: WorldState, ev_id: np.ndarray, n_claims: np.ndarray,
                  keep: np.ndarray) -> pd.DataFrame:
    ev, gaz = ctx.ev.take(np.flatnonzero(keep)), ctx.places
    n_claims = n_claims[keep]
    city = np.maximum(ev.city, 0)
    national = ev.city < 0
    names = np.array([x[1] for x in ctx.countries], dtype=object)
    codes = np.array([x[0] for x in ctx.countries], dtype=object)
    location = np.where(national, names[ev.country], gaz.city_name[city])
    geonameid = pd.array(np.where(national, 0, gaz.city_geonameid[city]), dtype="Int64")
    geonameid[national] = pd.NA
    d0 = np.datetime_as_string(YEAR_START + ev.day0.astype("timedelta64[D]"), unit="D")
    d1 = np.datetime_as_string(YEAR_START + ev.day1.astype("timedelta64[D]"), unit="D")
    parent = np.where(ev.parent >= 0, ev_id[np.maximum(ev.parent, 0)], None)
    ev_id = ev_id[keep]
    etype = np.where(ev.etype >= 0, np.array([x[0] for x in EVENT_TYPES], dtype=object)[
        np.maximum(ev.etype, 0)], None)
    df = pd.DataFrame({
        "true_event_id": ev_id, "kind": np.array(EVENT_KINDS, dtype=object)[ev.kind],
        "category": np.array(CATEGORIES, dtype=object)[ev.category],
        "victims": np.array(VICTIMS, dtype=object)[ev.victims],
        "location": location, "geonameid": geonameid, "country": names[ev.country],
        "country_code": codes[ev.country], "date_start": np.array(d0, dtype=object),
        "date_end": np.array(d1, dtype=object), "count": ev.count.astype(np.int64),
        "scope": np.where(ev.kind >= DAILY, "cumulative", "incident").astype(object),
        "parent_event_id": parent, "event": etype, "n_claims": n_claims})
    return _strings(df[list(TRUTH_EVENT_COLUMNS)], exclude=("geonameid", "count", "n_claims"))


def _truth_sources(ctx: WorldState, claims: Cols) -> pd.DataFrame:
    s = ctx.src
    n = len(ctx.src.name)
    roles = np.array(["originator", "outlet", "copier"], dtype=object)
    names = np.array([x[1] for x in ctx.countries], dtype=object)
    country = np.where(s.country >= 0, names[np.maximum(s.country, 0)], None)
    valid = claims.mal == 0
    asserted = np.bincount(claims.name_src[valid], minlength=n)
    return _strings(pd.DataFrame({
        "source": ctx.src.name, "role": roles[s.role],
        "kind": np.array(ctx.src.kind, dtype=object), "country": country,
        "honest": s.honest, "bias": np.round(s.bias, 3), "noise": np.round(s.noise, 3),
        "median_delay_hours": np.round(s.delay, 2),
        "repeats": np.where(s.favourite >= 0, ctx.src.name[np.maximum(s.favourite, 0)],
                            None),
        "copies": np.where(s.target >= 0, ctx.src.name[np.maximum(s.target, 0)], None),
        "name_variants": np.array(["; ".join(v) or None for v in ctx.src.variants],
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
    alias = 1 + (hash_unit(writer, key) * max(width - 1, 1)).astype(np.int64)
    col = np.where(form == 1, np.minimum(alias, width - 1), 0)
    out = table[key, col]
    out[form == 2] = None
    return out


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
