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
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..places.admin import AdminIndex, default_admin_index
from ..rules.grouping import GroupingRules, grouping_rules_for
from ..rules.load import Rules, default_rules
from ..schema import GROUP_COLUMNS, PLACE_COLUMNS
from .blocking import candidate_pairs
from .cluster import cluster_pairs
from .compare import Features, compare_pairs, evidence, vetoed
from .hierarchy import event_table, link_events
from .ids import claim_hashes, event_ids
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
    """Column arrays for ``frame`` (already in canonical order) and the victim 'narrower' table."""
    n = len(frame)
    def coded(name: str, table: dict[str, int] | None = None) -> tuple[np.ndarray, list[str]]:
        """Codes of a text column (one lookup per distinct value; "" or missing: -1).

        Without ``table`` the codes follow the sorted distinct values, so equal
        texts get equal codes whatever the order of rows.
        """
        codes, values = pd.factorize(frame[name], use_na_sentinel=True, sort=True)
        vals = ["" if v is None else str(v).strip() for v in values]
        if table is None:
            lut = np.array([-1 if v == "" else k for k, v in enumerate(vals)] + [-1],
                           dtype=np.int64)
        else:
            lut = np.array([table.get(v, -1) for v in vals] + [-1], dtype=np.int64)
        return lut[np.where(codes < 0, len(vals), codes)], vals

    keys, _ = coded("country_key")
    block = pd.factorize(keys, sort=True)[0].astype(np.int64)  # "" (unknown) is a block too
    cat_names = [c.name for c in rules.categories]
    category, _ = coded("category", {c: k for k, c in enumerate(cat_names)})
    vic_names = [g.name for g in rules.victims]
    _, vic_vals = coded("victims_group")
    extra = sorted(set(vic_vals) - set(vic_names) - {""})
    vic_all = vic_names + extra
    victims, _ = coded("victims_group", {v: k for k, v in enumerate(vic_all)})
    relation, narrower = _victim_tables(rules, grules, vic_all)
    scope, _ = coded("scope", {"incident": 0, "cumulative": 1})
    # A toll over several days with no town or district named is a tally,
    # whatever the scope column says (the loader reads a blank scope as incident).
    span = frame["_g_hi"].to_numpy(dtype=float) - frame["_g_lo"].to_numpy(dtype=float)
    unplaced = frame["_g_place_level"].to_numpy() <= 1
    scope = np.where((span >= 2) & unplaced & ~frame["_g_undated"].to_numpy(dtype=bool), 1,
                     scope)
    # So is a toll for a whole country that names no kind of event ("more than 290
    # people died across Syria"): the day's national total, not an incident.
    national = (frame["_g_place_level"].to_numpy() == 0) & \
        (frame["_g_event_mask"].to_numpy(dtype=np.int64) == 0)
    scope = np.where(national, 1, scope)
    article, _ = coded("article_id")
    source, _ = coded("source_id")
    ids = frame["claim_id"].astype(str).to_numpy()
    part_of, _ = coded("part_of", dict(zip(ids.tolist(), range(n), strict=True)))
    lo = frame["low"].astype("Float64").astype(float).to_numpy()
    hi = frame["high"].astype("Float64").astype(float).fillna(np.inf).to_numpy()
    anchor = frame["anchor"].astype("Float64").astype(float).to_numpy() \
        if "anchor" in frame else np.full(n, np.nan)
    middle = np.where(np.isinf(hi), lo, np.floor((lo + np.where(np.isinf(hi), 0, hi)) / 2))
    point = np.where(np.isnan(anchor), middle, anchor)
    fam_names = [fm.family for fm in grules.families]
    bit = {fm: 1 << k for k, fm in enumerate(fam_names)}
    related_of = np.zeros(len(fam_names), np.int64)
    for k, fm in enumerate(grules.families):
        for r in fm.related:
            related_of[k] |= bit[r]
    event = frame["_g_event_mask"].to_numpy(dtype=np.int64)
    related = np.zeros(n, np.int64)
    for k in range(len(fam_names)):
        has = (event >> k) & 1 == 1
        related[has] |= related_of[k]
    chain = frame[["_g_c0", "_g_c1", "_g_c2", "_g_c3"]].to_numpy(dtype=np.int64)
    place = frame["_g_place"].to_numpy(dtype=np.int64)
    pid_of_code: dict[int, str] = {}
    if n:
        codes = frame[["_g_place", "place_id"]].drop_duplicates()
        pid_of_code = dict(zip(codes["_g_place"].tolist(), codes["place_id"].tolist(),
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
        block=block, category=category, place=place, chain=chain,
        place_level=frame["_g_place_level"].to_numpy(dtype=np.int64),
        region=frame["_g_region"].to_numpy(dtype=bool),
        fuzzy=frame["_g_fuzzy"].to_numpy(dtype=bool),
        unlisted=_starts(frame["place_id"], "nm:"),
        lo=frame["_g_lo"].to_numpy(dtype=float), hi=frame["_g_hi"].to_numpy(dtype=float),
        event=event, related=related, victims=victims, victim_relation=relation,
        fig_lo=lo, fig_hi=hi, point=point, source=source, scope=scope, article=article,
        part_of=part_of, region_within=region_within)
    return feats, narrower


def _starts(column: pd.Series, prefix: str) -> np.ndarray:
    codes, values = pd.factorize(column)
    hit = np.array([str(v).startswith(prefix) for v in values] + [False])
    return hit[np.where(codes < 0, len(values), codes)]


def _codes2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A code per distinct (a, b) pair of floats."""
    return pd.factorize(pd.MultiIndex.from_arrays([a, b]))[0].astype(np.int64)


def _canonical(frame: pd.DataFrame) -> np.ndarray:
    """Row order by content (claim id hash, then id): the same in any input order."""
    ids = frame["claim_id"].astype(str).to_numpy()
    h = claim_hashes(ids)
    return np.lexsort((ids, h))


def _pairs(f: Features, n_categories: int, grules: GroupingRules,
           seconds: dict[str, float] | None = None
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with _timed(seconds, "blocking"):
        city = np.where(f.place_level >= 2, np.where(f.region, -1, f.chain[:, 2]), -1)
        admin1 = f.chain[:, 1]
        i, j = candidate_pairs(f.block, f.category, f.lo, f.hi, city, admin1, f.place_level,
                               f.event, f.source, f.article, n_categories,
                               grules.incident_days, scope=f.scope, weak_place=f.unlisted,
                               figure=_codes2(f.fig_lo, f.fig_hi))
    with _timed(seconds, "compare"):
        gamma = compare_pairs(f, i, j, grules)
    return i, j, gamma


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
    frame = prepared.frame.iloc[_canonical(prepared.frame)]
    feats, _ = _features(frame, rules, grules, index or default_admin_index(), prepared.places)
    return _train(feats, frame, grules)


def _reference_pairs(f: Features, grules: GroupingRules, reach: int = 8
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Nearby claims, paired without regard to what they say: the training pairs.

    Claims are sorted by (block, category, start day); each is paired with
    the ``reach`` claims after it within the date window: a sample of the
    pairs blocking starts from, chosen by nothing the comparisons look at,
    so EM sees every comparison as it falls among them. Returns (i, j, and
    two masks of pairs that are certainly different events: two unrelated
    event types, which a veto keeps apart, and two different towns).
    Deterministic: canonical order, no sampling by chance.
    """
    ok = ~np.isnan(f.lo) & (f.category >= 0)
    idx = np.flatnonzero(ok)
    idx = idx[np.lexsort((f.lo[idx], f.category[idx], f.block[idx]))]
    parts_i, parts_j = [], []
    for step in range(1, reach + 1):
        a, b = idx[:-step], idx[step:]
        near = (f.block[a] == f.block[b]) & (f.category[a] == f.category[b]) & \
            (f.lo[b] - f.hi[a] <= grules.incident_days)
        parts_i.append(a[near])
        parts_j.append(b[near])
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
    i, j, two_types, two_towns = _reference_pairs(f, grules)
    if len(i) > grules.training_pairs:
        # A sample by content hash: the same claims give the same sample in any order.
        h = claim_hashes(frame["claim_id"].to_numpy())
        with np.errstate(over="ignore"):
            mix = (h[i] ^ (h[j] * np.uint64(0x9E3779B97F4A7C15))) >> np.uint64(11)
        keep = mix.astype(np.float64) / float(1 << 53) < grules.training_pairs / len(i)
        i, j, two_types, two_towns = i[keep], j[keep], two_types[keep], two_towns[keep]
    gamma = compare_pairs(f, i, j, grules)
    u = estimate_u([gamma[two_towns] if c.name == "event" else gamma[two_types]
                    for c in grules.comparisons], grules)
    apart = vetoed(f, i, j, grules, gamma)
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
    order = _canonical(claims)
    frame = claims.iloc[order]
    feats, narrower = _features(frame, rules, grules, index, places or {})
    i, j, gamma = _pairs(feats, len(rules.categories), grules)
    out = _assign(feats, frame, narrower, i, j, gamma, model, grules)
    return out.set_axis(claims.index[order]).loc[claims.index]


def _assign(f: Features, frame: pd.DataFrame, narrower: np.ndarray, i: np.ndarray,
            j: np.ndarray, gamma: np.ndarray, model: LinkageModel,
            grules: GroupingRules, seconds: dict[str, float] | None = None) -> pd.DataFrame:
    n = len(frame)
    if n == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in
                             ("event_id", "parent_event_id", "parent_link")})
    threshold = float(np.log2(grules.threshold / (1 - grules.threshold)))
    t_score = time.perf_counter()
    weight = model.score(gamma)
    veto = vetoed(f, i, j, grules, gamma)
    # No positive evidence: never a link, but not a conflict either.
    weight = np.where(evidence(f, i, j, gamma, grules), weight, np.minimum(weight, threshold - 1e-6)) \
        if len(gamma) else weight

    def rescore(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        g = compare_pairs(f, a, b, grules)
        w = model.score(g)
        w = np.where(evidence(f, a, b, g, grules), w, np.minimum(w, threshold - 1e-6))
        v = vetoed(f, a, b, grules, g) | (f.block[a] != f.block[b])
        # Pairs that blocking did not propose are too far apart in time or share
        # no evidence: compatible only if their dates still come within the window.
        gap = np.maximum(np.maximum(f.lo[a], f.lo[b]) - np.minimum(f.hi[a], f.hi[b]), 0)
        v |= ~(gap <= grules.incident_days)
        return w, v

    if seconds is not None:
        seconds["score"] = time.perf_counter() - t_score
    with _timed(seconds, "cluster"):
        labels = cluster_pairs(n, i, j, weight, veto, threshold, grules.veto_weight,
                               grules.max_component, rescore)
    with _timed(seconds, "hierarchy"):
        table, ev = event_table(f, labels)
        parent, link = link_events(table, f, ev, narrower, grules.incident_days)
    with _timed(seconds, "ids"):
        claim_ids = frame["claim_id"].to_numpy()
        published = frame["published"].to_numpy() if "published" in frame else None
        ids = event_ids(labels, claim_hashes(claim_ids), claim_ids=claim_ids,
                        published=published)
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
        order = _canonical(prepared.frame)
        frame = prepared.frame.iloc[order]
        feats, narrower = _features(frame, rules, grules, index, prepared.places)
    i, j, gamma = _pairs(feats, len(rules.categories), grules, seconds)
    if model is None:
        with _timed(seconds, "train"):
            model = _train(feats, frame, grules)
    assigned = _assign(feats, frame, narrower, i, j, gamma, model, grules, seconds)
    assigned = assigned.set_axis(prepared.frame.index[order]).loc[claims.index]
    out = claims.copy()
    for col in GROUP_COLUMNS:
        out[col] = prepared.frame["source_id"] if col == "source_id" else assigned[col]
    for col in PLACE_COLUMNS:
        out[col] = prepared.frame[col]
    return GroupResult(out, model, prepared.sources, len(i), seconds)
