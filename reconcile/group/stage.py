"""The grouping stage: claims -> events with their hierarchy and canonical sources.

Describe, train, then execute (as Splink does):

1. :func:`~reconcile.group.normalise.prepare_claims` — global and cheap:
   places to gazetteer ids with admin chains, countries to ISO codes
   (inferred from place, article and source when blank), typos, canonical
   source ids, victims from the figure's noun, event-type families, date
   windows. Per distinct value.
2. :func:`train` — global: candidate pairs, comparison levels, EM estimates
   of the match weights (:mod:`~reconcile.group.linkage`).
3. :func:`group_block` — per partition, many blocks at once: candidate
   pairs, weights, constrained clustering, hierarchy and content ids. A
   block is a country (or the claims whose country is unknown); a
   partition is any set of whole blocks, and the result for a block does
   not depend on which other blocks share its partition, nor on row order.

:func:`group_claims` runs all three on one table.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace

import numpy as np
import pandas as pd

from ..places.admin import AdminIndex, default_admin_index
from ..rules.grouping import GroupingRules, grouping_rules_for
from ..rules.load import Rules, default_rules
from ..schema import GROUP_COLUMNS, PLACE_COLUMNS
from .blocking import candidate_pairs
from .cluster import cluster_pairs
from .compare import Features, blocking_vetoes, compare_pairs, judge, pair_sides, vetoed
from .hierarchy import event_table, link_events
from .ids import event_ids
from .linkage import LinkageModel, estimate_model, estimate_u
from .normalise import Prepared, prepare_claims

__all__ = ["GroupResult", "group", "group_block", "group_claims", "prepare", "train"]

_LINKS = np.array(["", "part", "within"], dtype=object)


@dataclass
class GroupResult:
    """What grouping produced: the claims with their events, the model, the sources."""

    claims: pd.DataFrame
    model: LinkageModel
    sources: pd.DataFrame
    n_pairs: int
    seconds: dict[str, float] = field(default_factory=dict)  # by step, for the bench


@contextmanager
def _timed(seconds: dict[str, float] | None, name: str):
    t0 = time.perf_counter()
    yield
    if seconds is not None:
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - t0


# -- features ------------------------------------------------------------------------------


def _victim_tables(rules: Rules, grules: GroupingRules, names: list[str]
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(relation V x V: 0 same, 1 wider, 2 part, 3 different; narrower V x V bool)."""
    parent = {g.name: g.part_of for g in rules.victims}

    def ancestors(name: str) -> list[str]:
        out, cur = [], parent.get(name)
        while cur is not None and cur not in out:
            out.append(cur)
            cur = parent.get(cur)
        return out

    v = len(names)
    rel = np.full((v, v), 3, np.int8)
    narrower = np.zeros((v, v), bool)
    anc = [ancestors(n) for n in names]
    for a in range(v):
        for b in range(v):
            if a == b:
                rel[a, b] = 0
                continue
            inner, outer = (a, b) if names[b] in anc[a] else (b, a) if names[a] in anc[b] \
                else (-1, -1)
            if inner < 0:
                continue
            narrower[inner, outer] = True
            path = [names[inner], *anc[inner][:anc[inner].index(names[outer])]]
            rel[a, b] = 2 if any(p in grules.part_groups for p in path) else 1
    return rel, narrower


def _features(frame: pd.DataFrame, rules: Rules, grules: GroupingRules,
              index: AdminIndex, places: dict) -> tuple[Features, np.ndarray]:
    """Column arrays for ``frame`` (already in canonical order) and the victim 'narrower' table.

    Reads only the integer and float ``_g_*`` columns :func:`prepare` made: no
    string is coded again here.
    """
    def col(name: str, dtype=None) -> np.ndarray:
        return frame[name].to_numpy(dtype=dtype)

    victims = col("_g_victims", np.int64)
    n_vic = max(len(rules.victims), int(victims.max()) + 1 if len(victims) else 0)
    vic_names = [g.name for g in rules.victims]
    vic_all = vic_names + [f"\0extra{k}" for k in range(n_vic - len(vic_names))]
    relation, narrower = _victim_tables(rules, grules, vic_all)
    # part_of: the row (in this frame) of the claim each claim is part of, -1 none.
    h = col("_g_hash", np.uint64)
    part = col("_g_part", np.uint64)
    order = np.argsort(h, kind="stable")
    pos = np.minimum(np.searchsorted(h[order], part), max(len(h) - 1, 0))
    found = (part != 0) & (h[order][pos] == part) if len(h) else np.zeros(0, bool)
    part_of = np.where(found, order[pos] if len(h) else 0, -1).astype(np.int64)
    place = col("_g_place", np.int64)
    pid_of_code: dict[int, str] = {}
    if col("_g_region", bool).any():
        # Place ids are only read for regions and what a region is compared with.
        first = np.unique(place, return_index=True)[1]
        pid_of_code = dict(zip(place[first].tolist(),
                               frame["place_id"].to_numpy(dtype=object)[first].tolist(),
                               strict=True))
    cache: dict[tuple[int, int], bool | None] = {}

    def region_within(region_code: int, other_code: int) -> bool | None:
        key = (region_code, other_code)
        if key not in cache:
            outer = places.get(pid_of_code.get(region_code, ""))
            inner = places.get(pid_of_code.get(other_code, ""))
            cache[key] = None if outer is None or inner is None else index.within(inner, outer)
        return cache[key]

    feats = Features(
        block=col("_g_block", np.int64), category=col("_g_category", np.int64), place=place,
        chain=frame[["_g_c0", "_g_c1", "_g_c2", "_g_c3"]].to_numpy(dtype=np.int64),
        place_level=col("_g_place_level", np.int64), region=col("_g_region", bool),
        fuzzy=col("_g_fuzzy", bool), unlisted=col("_g_unlisted", bool),
        lo=col("_g_lo", float), hi=col("_g_hi", float),
        event=col("_g_event_mask", np.int64), related=col("_g_related", np.int64),
        victims=victims, victim_relation=relation,
        fig_lo=col("_g_fig_lo", float), fig_hi=col("_g_fig_hi", float),
        point=col("_g_point", float), source=col("_g_source", np.int64),
        scope=col("_g_scope", np.int64), article=col("_g_article", np.int64),
        part_of=part_of, region_within=region_within)
    return feats, narrower


def _codes2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A code per distinct (a, b) pair of floats (NaN: a value of its own)."""
    ca = pd.factorize(a, use_na_sentinel=False)[0]
    cb = pd.factorize(b, use_na_sentinel=False)[0]
    return pd.factorize(ca.astype(np.int64) * (int(cb.max(initial=0)) + 1) + cb)[0].astype(np.int64)


# What the block function reads of a prepared frame.
_BLOCK_COLUMNS = ["place_id", "_g_block", "_g_category", "_g_place", "_g_c0", "_g_c1", "_g_c2",
                  "_g_c3", "_g_place_level", "_g_region", "_g_fuzzy", "_g_unlisted", "_g_lo",
                  "_g_hi", "_g_event_mask", "_g_related", "_g_victims", "_g_fig_lo", "_g_fig_hi",
                  "_g_point", "_g_source", "_g_scope", "_g_article", "_g_hash", "_g_part"]
# What event ids read besides (the originating claim: earliest published, then id).
_ID_COLUMNS = ["claim_id", "published"]


def _ordered(frame: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """(canonical order, the columns the block function reads in that order)."""
    order = _canonical(frame)
    cols = _BLOCK_COLUMNS + [c for c in _ID_COLUMNS if c in frame]
    return order, frame[cols].iloc[order]


def _canonical(frame: pd.DataFrame) -> np.ndarray:
    """Row order by content (claim id hash, then id): the same in any input order."""
    h = frame["_g_hash"].to_numpy(dtype=np.uint64)
    order = np.argsort(h, kind="stable")
    sh = h[order]
    if len(sh) > 1 and (sh[1:] == sh[:-1]).any():  # a hash shared: the ids decide
        ids = frame["claim_id"].astype(str).to_numpy()
        return np.lexsort((ids, h))
    return order


def _pairs(f: Features, n_categories: int, grules: GroupingRules) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs of canonical rows, found over the rows in (block, day) order.

    Canonical order scatters a block's claims over the whole table; blocking's
    sorts and gathers run on the claims of one block and a few days, so it
    reads them in (block, day) order and maps its pairs back to canonical rows
    (the same pairs, in the same order: blocking sorts them by row numbers).
    """
    perm = np.lexsort((np.nan_to_num(f.lo, nan=np.inf), f.block))
    g = _permuted(f, perm)
    city = np.where(g.place_level >= 2, np.where(g.region, -1, g.chain[:, 2]), -1)
    admin1 = g.chain[:, 1]
    return candidate_pairs(g.block, g.category, g.lo, g.hi, city, admin1, g.place_level,
                           g.event, g.source, g.article, n_categories, grules.incident_days,
                           scope=g.scope, weak_place=g.unlisted | g.fuzzy,
                           figure=_codes2(g.fig_lo, g.fig_hi),
                           keep=blocking_vetoes(g, grules), national_days=grules.total_days,
                           ids=perm)


def _permuted(f: Features, perm: np.ndarray) -> Features:
    """``f`` with its rows in the order ``perm`` (``part_of`` renumbered to match)."""
    rows = {fl.name: getattr(f, fl.name)[perm] for fl in fields(f)
            if fl.name not in ("victim_relation", "region_within", "part_of")}
    where = np.empty(len(perm), np.int64)
    where[perm] = np.arange(len(perm))
    part = f.part_of[perm]
    rows["part_of"] = np.where(part >= 0, where[np.maximum(part, 0)], -1)
    return replace(f, **rows)


# -- the three steps -----------------------------------------------------------------------------


def prepare(claims: pd.DataFrame, rules: Rules | None = None,
            index: AdminIndex | None = None) -> Prepared:
    """Step 1: the claims with the normalised columns grouping compares (global)."""
    rules = rules or default_rules()
    grules = grouping_rules_for(rules)
    prepared = prepare_claims(claims, grules, rules, index)
    prepared.frame = pd.concat([claims, prepared.frame], axis=1)
    return prepared


def train(prepared: Prepared, rules: Rules | None = None,
          index: AdminIndex | None = None) -> LinkageModel:
    """Step 2: EM estimates of the match weights from the candidate pairs (global)."""
    rules = rules or default_rules()
    grules = grouping_rules_for(rules)
    _, frame = _ordered(prepared.frame)
    feats, _ = _features(frame, rules, grules, index or default_admin_index(), prepared.places)
    return _train(feats, frame, grules)


def _reference_pairs(f: Features, grules: GroupingRules, hashes: np.ndarray, reach: int = 8
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Nearby claims, paired without regard to what they say: the training pairs.

    Claims are sorted by (block, category, start day); each is paired with
    the ``reach`` claims after it within the date window: a sample of the
    pairs blocking starts from, chosen by nothing the comparisons look at,
    so EM sees every comparison as it falls among them. When there are more
    than ``training_pairs``, a sample of them by the content hashes of the
    two claims (``hashes``), so the same claims give the same sample in any
    order; pairs left out of the sample are never built. Returns (i, j, and
    two masks of pairs that are certainly different events: two unrelated
    event types, which a veto keeps apart, and two different towns).
    Deterministic: canonical order, no sampling by chance.
    """
    ok = ~np.isnan(f.lo) & (f.category >= 0)
    idx = np.flatnonzero(ok)
    idx = idx[np.lexsort((f.lo[idx], f.category[idx], f.block[idx]))]
    block, category, lo, hi = f.block[idx], f.category[idx], f.lo[idx], f.hi[idx]
    nears = []
    for step in range(1, reach + 1):
        nears.append((block[:-step] == block[step:]) & (category[:-step] == category[step:])
                     & (lo[step:] - hi[:-step] <= grules.incident_days))
    total = sum(int(x.sum()) for x in nears)
    share = grules.training_pairs / total if total > grules.training_pairs else None
    h = hashes[idx]
    parts_i, parts_j = [], []
    for step, near in enumerate(nears, start=1):
        a, b = np.flatnonzero(near), np.flatnonzero(near) + step
        if share is not None:
            with np.errstate(over="ignore"):
                mix = (h[a] ^ (h[b] * np.uint64(0x9E3779B97F4A7C15))) >> np.uint64(11)
            take = mix.astype(np.float64) / float(1 << 53) < share
            a, b = a[take], b[take]
        parts_i.append(idx[a])
        parts_j.append(idx[b])
    i = np.concatenate(parts_i) if parts_i else np.zeros(0, np.int64)
    j = np.concatenate(parts_j) if parts_j else np.zeros(0, np.int64)
    ea, eb = f.event[i], f.event[j]
    two_types = (ea > 0) & (eb > 0) & ((ea & eb) == 0) & ((f.related[i] & eb) == 0)
    city = np.where((f.place_level >= 2) & ~f.region & ~f.unlisted, f.chain[:, 2], -1)
    two_towns = (city[i] >= 0) & (city[j] >= 0) & (city[i] != city[j])
    return i, j, two_types, two_towns


def _train(f: Features, frame: pd.DataFrame, grules: GroupingRules) -> LinkageModel:
    """u from pairs that are certainly different events; m and the prior by EM
    over nearby pairs (not over candidates, which blocking chose because they agree)."""
    i, j, two_types, two_towns = _reference_pairs(f, grules,
                                                  frame["_g_hash"].to_numpy(dtype=np.uint64))
    pi, pj = pair_sides(f, i, j)
    gamma = compare_pairs(f, pi, pj, grules)
    u = estimate_u([gamma[two_towns] if c.name == "event" else gamma[two_types]
                    for c in grules.comparisons], grules)
    apart = vetoed(f, pi, pj, grules, gamma)
    return estimate_model(gamma, grules, u_fixed=u, known_different=apart)


def group_block(claims: pd.DataFrame, model: LinkageModel, rules: Rules | None = None,
                index: AdminIndex | None = None, places: dict | None = None) -> pd.DataFrame:
    """Step 3: events for a partition of whole blocks of prepared claims.

    Parameters
    ----------
    claims : DataFrame
        Prepared claims (:func:`prepare`'s ``frame``) of any number of
        blocks; every claim of a block must be present.
    model : LinkageModel
        Weights from :func:`train` (on all the claims, not this partition).

    Returns
    -------
    DataFrame indexed like ``claims`` with ``event_id``, ``parent_event_id``
    and ``parent_link``. Column-wise throughout: no Python call per claim
    or per block.
    """
    rules = rules or default_rules()
    grules = grouping_rules_for(rules)
    index = index or default_admin_index()
    order, frame = _ordered(claims)
    feats, narrower = _features(frame, rules, grules, index, places or {})
    i, j = _pairs(feats, len(rules.categories), grules)
    out = _assign(feats, frame, narrower, i, j, model, grules)
    return out.set_axis(claims.index[order]).loc[claims.index]


def _assign(f: Features, frame: pd.DataFrame, narrower: np.ndarray, i: np.ndarray,
            j: np.ndarray, model: LinkageModel,
            grules: GroupingRules, seconds: dict[str, float] | None = None) -> pd.DataFrame:
    n = len(frame)
    if n == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in
                             ("event_id", "parent_event_id", "parent_link")})
    threshold = float(np.log2(grules.threshold / (1 - grules.threshold)))
    with _timed(seconds, "score"):
        levels, weight, veto = judge(f, i, j, grules, model, threshold)
        del levels  # not kept through clustering

    def rescore(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        _, w, v = judge(f, a, b, grules, model, threshold)
        v |= f.block[a] != f.block[b]
        # Pairs that blocking did not propose are too far apart in time or share
        # no evidence: compatible only if their dates still come within the window.
        gap = np.maximum(np.maximum(f.lo[a], f.lo[b]) - np.minimum(f.hi[a], f.hi[b]), 0)
        v |= ~(gap <= grules.incident_days)
        return w, v

    with _timed(seconds, "cluster"):
        labels = cluster_pairs(n, i, j, weight, veto, threshold, grules.veto_weight,
                               grules.max_component, rescore)
    with _timed(seconds, "hierarchy"):
        table, ev = event_table(f, labels)
        parent, link = link_events(table, f, ev, narrower, grules.incident_days)
    with _timed(seconds, "ids"):
        claim_ids = frame["claim_id"].to_numpy()
        published = frame["published"].to_numpy() if "published" in frame else None
        ids = event_ids(labels, frame["_g_hash"].to_numpy(dtype=np.uint64),
                        claim_ids=claim_ids, published=published)
    # Each event's id, then each event's parent's id.
    ev_id = np.empty(len(table.label), dtype=object)
    ev_id[ev] = ids
    parent_id = np.where(parent >= 0, ev_id[np.maximum(parent, 0)], "")
    return pd.DataFrame({"event_id": ids, "parent_event_id": parent_id[ev],
                         "parent_link": _LINKS[link[ev]]}, index=frame.index)


def group_claims(claims: pd.DataFrame, rules: Rules | None = None,
                 index: AdminIndex | None = None, *,
                 model: LinkageModel | None = None) -> pd.DataFrame:
    """Group claims into events: prepare, train and group every block at once.

    Returns ``claims`` with :data:`~reconcile.schema.GROUP_COLUMNS` (``event_id``,
    ``parent_event_id``, ``parent_link``, ``source_id``) and
    :data:`~reconcile.schema.PLACE_COLUMNS` (``country_code``, ``place_id``,
    ``admin_chain``, ``where_prec``) added. :func:`group` returns the learnt
    model, the canonical sources and the time of each step as well.

    Examples
    --------
    >>> import pandas as pd
    >>> from reconcile.load import validate_claims
    >>> raw = pd.DataFrame({"line": [2, 3], "source": ["SOHR", "Syrian Observatory"],
    ...                     "figure": ["at least 29", "31"], "category": ["killed"] * 2,
    ...                     "location": ["Aleppo", "Halab"], "event_date": ["2013-02-22"] * 2})
    >>> claims, _ = validate_claims(raw)
    >>> out = group_claims(claims)
    >>> out["event_id"].nunique(), out["source_id"].nunique()
    (1, 1)
    """
    return group(claims, rules, index, model=model).claims


def group(claims: pd.DataFrame, rules: Rules | None = None, index: AdminIndex | None = None,
          *, model: LinkageModel | None = None) -> GroupResult:
    """:func:`group_claims`, with the model, the sources and the seconds of each step."""
    rules = rules or default_rules()
    grules = grouping_rules_for(rules)
    index = index or default_admin_index()
    seconds: dict[str, float] = {}
    with _timed(seconds, "prepare"):
        prepared = prepare(claims, rules, index)
    with _timed(seconds, "features"):
        order, frame = _ordered(prepared.frame)
        feats, narrower = _features(frame, rules, grules, index, prepared.places)
    with _timed(seconds, "blocking"):
        i, j = _pairs(feats, len(rules.categories), grules)
    if model is None:
        with _timed(seconds, "train"):
            model = _train(feats, frame, grules)
    assigned = _assign(feats, frame, narrower, i, j, model, grules, seconds)
    assigned = assigned.set_axis(prepared.frame.index[order]).loc[claims.index]
    out = claims.copy()
    for col in GROUP_COLUMNS:
        out[col] = prepared.frame["source_id"] if col == "source_id" else assigned[col]
    for col in PLACE_COLUMNS:
        out[col] = prepared.frame[col]
    return GroupResult(out, model, prepared.sources, len(i), seconds)
