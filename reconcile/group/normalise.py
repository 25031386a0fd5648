"""Normalise claims before matching: places, countries, sources, victims,
event types and date windows, each computed once per distinct value.

:func:`prepare_claims` is the global step of grouping: it reads the whole
input (typos are matched against the names seen in a country, a source's
acronym against the names present, a claim's blank country from its article
and its source), so it runs once before the claims are split into blocks.
Everything after it (:func:`reconcile.group.stage.group_block`) sees one
block at a time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from ..core.text import words
from ..places.admin import AdminIndex, PlaceRef, default_admin_index
from ..places.gazetteer import fold_key
from ..rules.grouping import EventWords, GroupingRules
from ..rules.load import Rules

__all__ = ["Prepared", "canonical_sources", "event_families", "prepare_claims"]

# Day numbers: days since 1970-01-01; NaN for unknown.
_EPOCH = np.datetime64("1970-01-01", "D")
# Chain positions of a place's kinds.
_LEVEL = {"country": 0, "admin1": 1, "city": 2, "place": 2, "region": 2, "district": 3,
          "landmark": 3}


@dataclass
class Prepared:
    """The claims with the columns grouping compares, plus the tables behind them.

    ``frame`` is the input (same index) with, added: ``country_code``,
    ``country_key`` (the block: ISO code, ``?name`` for a country with no
    ISO code, "" when unknown), ``place_id``, ``where_prec``,
    ``admin_chain``, ``source_id``, ``victims_group``, ``event_family`` and
    the internal ``_g_*`` columns (codes and day numbers) that the block
    function reads. ``sources`` has one row per canonical source with its
    aliases; ``places`` maps each place id to its :class:`PlaceRef`.
    """

    frame: pd.DataFrame
    sources: pd.DataFrame
    places: dict[str, PlaceRef]


# -- small helpers ------------------------------------------------------------------


# -- event types -------------------------------------------------------------------------


def event_families(texts: Sequence[str], grules: GroupingRules) -> list[tuple[str, ...]]:
    """The event-type families each text names ("air strikes" -> ("air strike",)).

    Phrases match whole tokens, longest first, plurals folded; generic
    families ("attacks") are left out: they are no evidence.
    """
    read = EventWords(grules)
    return [read(text) for text in texts]


# -- sources -----------------------------------------------------------------------------


_ACRONYM = re.compile(r"^[A-Z][A-Z.&]{1,7}$")


class _Union:
    def __init__(self, n: int) -> None:
        self.p = list(range(n))

    def find(self, a: int) -> int:
        while self.p[a] != a:
            self.p[a] = self.p[self.p[a]]
            a = self.p[a]
        return a

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.p[max(ra, rb)] = min(ra, rb)


def _country_tokens(index: AdminIndex, extra: dict[str, str]) -> dict[tuple[str, ...], str]:
    out: dict[tuple[str, ...], str] = {}
    for key, code in index.country_keys.items():
        out[tuple(key.split(" "))] = code
    for key, code in extra.items():
        out[tuple(key.split(" "))] = code
    return out


def _source_tokens(name: str, grules: GroupingRules,
                   countries: dict[tuple[str, ...], str], longest: int) -> tuple[str, ...]:
    """Folded content tokens in order: small words dropped, synonyms and countries spelt one way."""
    toks = [t for t in fold_key(name).split(" ") if t and t not in ("-", ".", ",", "'", "(", ")")]
    out: list[str] = []
    i = 0
    while i < len(toks):
        for k in range(min(longest, len(toks) - i), 0, -1):
            code = countries.get(tuple(toks[i:i + k]))
            if code:
                out.append(code.lower())
                i += k
                break
        else:
            tok = grules.synonyms.get(toks[i], toks[i])
            if tok not in grules.small_words:
                out.append(tok)
            i += 1
    return tuple(out)


def _in_order(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    it = iter(long)
    return all(tok in it for tok in short)


def _slug(name: str) -> str:
    key = fold_key(name).replace(" - ", "-")
    return re.sub(r"[^a-z0-9]+", "-", key).strip("-") or "unnamed"


def canonical_sources(names: Sequence[str], counts: Sequence[int], grules: GroupingRules,
                      index: AdminIndex, demonyms: dict[str, str]
                      ) -> tuple[list[str], list[str], pd.DataFrame]:
    """Canonical ids for source names: one id for the variants of one source.

    Two names are one source when, after folding (case, accents, small words
    such as "for"/"on"/"the", synonyms, country names and demonyms spelt as
    the country's code), they have the same tokens in any order ("Syrian
    Health Ministry" = "Ministry of Health of Syria"); when one's tokens
    begin the other's and no other name's ("Syrian Observatory" = "Syrian
    Observatory for Human Rights"); when one is the acronym of exactly one
    other ("SOHR"); when a ``[[source]]`` row of ``grouping.toml`` says so;
    or, for long names, when rapidfuzz's ratio reaches ``fuzzy_score``
    (typos). The canonical name is the fullest spelling, then the most used.

    Returns (source id per name, canonical name per name, table of
    ``source_id, source, aliases, claims``).
    """
    n = len(names)
    countries = _country_tokens(index, demonyms)
    longest = max((len(k) for k in countries), default=1)
    toks = [_source_tokens(nm, grules, countries, longest) for nm in names]
    keys = [" ".join(sorted(t)) for t in toks]
    uf = _Union(n)
    first: dict[str, int] = {}
    for i, k in enumerate(keys):
        if not k:
            continue
        if k in first:
            uf.union(first[k], i)
        else:
            first[k] = i
    # [[source]] rows: every alias joins its name.
    alias_of: dict[str, str] = {}
    for row in grules.sources:
        canon = " ".join(sorted(_source_tokens(row.name, grules, countries, longest)))
        for a in (row.name, *row.aliases):
            alias_of[" ".join(sorted(_source_tokens(a, grules, countries, longest)))] = canon
            alias_of[a.strip().upper()] = canon
    anchor: dict[str, int] = {}
    for i, nm in enumerate(names):
        target = alias_of.get(keys[i]) or alias_of.get(nm.strip().upper())
        if target is not None:
            if target in anchor:
                uf.union(anchor[target], i)
            else:
                anchor[target] = i
    # Shorter forms: "Syrian Observatory", "Frontline Monitor" — the same first word and
    # the rest in order inside exactly one longer name.
    distinct = sorted(first)
    rep = {k: first[k] for k in distinct}
    ordered = {k: toks[first[k]] for k in distinct}
    by_first: dict[str, list[str]] = {}
    for k in distinct:
        if ordered[k]:
            by_first.setdefault(ordered[k][0], []).append(k)
    for k in distinct:
        t = ordered[k]
        if len(t) < 2:
            continue
        longer = {uf.find(rep[x]) for x in by_first.get(t[0], [])
                  if len(ordered[x]) > len(t) and _in_order(t, ordered[x])}
        longer.discard(uf.find(rep[k]))
        if len(longer) == 1:
            uf.union(rep[k], longer.pop())
    # Acronyms: "SOHR" is the initials of one name present.
    initials: dict[str, set[int]] = {}
    for i, nm in enumerate(names):
        content = [w for w in fold_key(nm).split(" ") if w.isalpha()
                   and w not in grules.small_words]
        if len(content) >= 2:
            initials.setdefault("".join(w[0] for w in content), set()).add(uf.find(i))
    for i, nm in enumerate(names):
        plain = nm.strip()
        if _ACRONYM.match(plain):
            roots = initials.get(plain.replace(".", "").replace("&", "").lower(), set())
            roots = {uf.find(r) for r in roots} - {uf.find(i)}
            if len(roots) == 1:
                uf.union(i, roots.pop())
    # Typos of long names.
    long_keys = [k for k in distinct if len(k) >= grules.source_fuzzy_length]
    if len(long_keys) > 1:
        scores = process.cdist(long_keys, long_keys, scorer=fuzz.ratio, dtype=np.uint8,
                               score_cutoff=grules.source_fuzzy_score, workers=-1)
        rows, cols = np.nonzero(scores)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            if r < c:
                uf.union(rep[long_keys[r]], rep[long_keys[c]])
    # Canonical names: a [[source]] row's name, else the fullest spelling, then the most used.
    named = {uf.find(i): row.name for row in grules.sources
             for key in [" ".join(sorted(_source_tokens(row.name, grules, countries, longest)))]
             for i in [anchor.get(key, -1)] if i >= 0}
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(uf.find(i), []).append(i)
    canon_name = [""] * n
    source_id = [""] * n
    rows_out = []
    used_ids: set[str] = set()
    for root, members in sorted(groups.items(), key=lambda kv: min(names[i] for i in kv[1])):
        best = min(members, key=lambda i: (-len(toks[i]), -counts[i], names[i]))
        canon = named.get(root, names[best].strip())
        sid = base = _slug(canon)
        suffix = 2
        while sid in used_ids:
            sid, suffix = f"{base}-{suffix}", suffix + 1
        used_ids.add(sid)
        aliases = sorted({names[i].strip() for i in members} - {canon})
        for i in members:
            canon_name[i] = canon
            source_id[i] = sid
        rows_out.append({"source_id": sid, "source": canon, "aliases": "; ".join(aliases),
                         "claims": int(sum(counts[i] for i in members))})
    table = pd.DataFrame(rows_out, columns=["source_id", "source", "aliases", "claims"])
    return source_id, canon_name, table.sort_values("source_id").reset_index(drop=True)


# -- victims -------------------------------------------------------------------------------


def _victims_from_figure(figure: str, rules: Rules) -> str:
    """The victim group a figure's own noun names ("dozens of soldiers" -> soldiers)."""
    toks = words(figure) if figure else ()
    for k in (2, 1):
        for i in range(len(toks) - k, -1, -1):
            group = rules.victim_group(" ".join(toks[i:i + k]))
            if group:
                return group
    return ""


# -- the whole step ----------------------------------------------------------------------------


def _col(df: pd.DataFrame, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(codes, values): ``values[codes]`` is each cell as stripped text ("" if missing).

    ``values`` holds each distinct stripped text once, so work per distinct
    value is a loop over ``values`` and a ``take`` by ``codes``. Within one
    :func:`prepare_claims` each column is coded once.
    """
    cache = _COL_CACHE.get(id(df))
    if cache is not None and name in cache:
        return cache[name]
    out = _col_uncached(df, name)
    if cache is not None:
        cache[name] = out
    return out


_COL_CACHE: dict[int, dict[str, tuple[np.ndarray, np.ndarray]]] = {}


def _col_uncached(df: pd.DataFrame, name: str) -> tuple[np.ndarray, np.ndarray]:
    n = len(df)
    if name not in df.columns:
        return np.zeros(n, np.int64), np.array([""], dtype=object)
    codes, uniques = pd.factorize(df[name], use_na_sentinel=True)
    # One Python step per distinct value, over plain objects (iterating the extension
    # array itself costs a pandas call per element).
    stripped = np.array([str(u).strip() for u in np.asarray(uniques, dtype=object).tolist()]
                        + [""], dtype=object)
    canon, values = pd.factorize(stripped)
    codes = np.where(codes < 0, len(uniques), codes)
    return canon[codes].astype(np.int64), np.asarray(values, dtype=object)


def _refactor(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct): ``distinct[codes]`` is ``values``, for texts mapped per value."""
    codes, distinct = pd.factorize(values)
    return codes.astype(np.int64), np.asarray(distinct, dtype=object)


_DIGITS = re.compile(r"[0-9]+")


def _per_value(values: np.ndarray, fn, dtype=object) -> np.ndarray:
    return np.array([fn(v) for v in values.tolist()], dtype=dtype)


def _pair_codes(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes of the distinct (a, b) pairs: (codes per row, a per pair, b per pair)."""
    width = int(b.max()) + 1 if len(b) else 1
    codes, uniq = pd.factorize(a.astype(np.int64) * width + b.astype(np.int64))
    uniq = np.asarray(uniq, dtype=np.int64)
    return codes.astype(np.int64), uniq // width, uniq % width


def prepare_claims(claims: pd.DataFrame, grules: GroupingRules, rules: Rules,
                   index: AdminIndex | None = None) -> Prepared:
    """Normalise every claim for grouping (see :class:`Prepared`). Pure; no I/O.

    Work is per distinct value (place name and country, source name, figure
    text, event text, date), then a ``take`` by code: a million claims that
    repeat a few thousand names cost a few thousand lookups, and no Python
    call per claim.
    """
    _COL_CACHE[id(claims)] = {}
    try:
        return _prepare(claims, grules, rules, index)
    finally:
        _COL_CACHE.pop(id(claims), None)


def _prepare(claims: pd.DataFrame, grules: GroupingRules, rules: Rules,
             index: AdminIndex | None) -> Prepared:
    index = index or default_admin_index()
    from ..places.gazetteer import default_gazetteer

    demonyms = dict(default_gazetteer().rules.demonyms)
    df = claims
    n = len(df)

    # Countries named in the country column, as keys (ISO code, "?name", "").
    c_codes, c_values = _col(df, "country")
    given = _per_value(c_values, index.country_key)[c_codes]
    # Places: exact names first (with the country when given).
    l_codes, l_values = _col(df, "location")
    ck_codes, ck_values = pd.factorize(given)
    ck_values = np.asarray(ck_values, dtype=object)
    pair, p_loc, p_ck = _pair_codes(l_codes, ck_codes)
    first_cc = np.array([
        (lambda r: r.country if r is not None else "")(
            index.resolve(l_values[lc], ck_values[cc] if len(ck_values[cc]) == 2 else "",
                          grules.place_words) if l_values[lc] else None)
        for lc, cc in zip(p_loc.tolist(), p_ck.tolist(), strict=True)], dtype=object)
    country = np.where(given != "", given, first_cc[pair] if n else given).astype(object)
    # Blank countries from the claim's article, then from its source's home.
    a_codes, a_values = _col(df, "article_id")
    has_art = a_values[a_codes] != ""
    known = country != ""
    if (~known).any() and has_art.any():
        k_codes, k_values = pd.factorize(country)
        sel = known & has_art
        if sel.any():
            mates = pd.DataFrame({"a": a_codes[sel], "c": k_codes[sel]})
            top = mates.groupby(["a", "c"]).size().rename("n").reset_index() \
                .sort_values(["a", "n", "c"], ascending=[True, False, True]) \
                .drop_duplicates("a")
            fill = np.full(len(a_values), -1, np.int64)
            fill[top["a"].to_numpy()] = top["c"].to_numpy()
            got = fill[a_codes]
            take = ~known & has_art & (got >= 0)
            country[take] = np.asarray(k_values, dtype=object)[got[take]]
    known = country != ""
    s_codes, s_values = _col(df, "source")
    s_counts = np.bincount(s_codes, minlength=len(s_values))
    sid_list, canon_list, sources = canonical_sources(
        [str(v) for v in s_values.tolist()], s_counts.tolist(), grules, index, demonyms)
    sid_u = np.asarray(sid_list, dtype=object)
    if (~known).any():
        k_codes, k_values = pd.factorize(country)
        home = pd.DataFrame({"s": s_codes[known], "c": k_codes[known]})
        share = home.groupby(["s", "c"]).size().rename("n").reset_index()
        share["tot"] = share.groupby("s")["n"].transform("sum")
        share = share[(share["n"] >= 3) & (share["n"] >= 0.8 * share["tot"])]
        home_of = np.full(len(s_values), "", dtype=object)
        home_of[share["s"].to_numpy()] = np.asarray(k_values, dtype=object)[share["c"].to_numpy()]
        # A source's name that names a country ("Afghan Civil Defence").
        by_sid: dict[str, str] = {}
        for k, nm in enumerate(canon_list):
            codes = {c for t in fold_key(nm).split(" ")
                     for c in (demonyms.get(t), index.country_keys.get(t)) if c}
            if len(codes) == 1:
                by_sid.setdefault(sid_list[k], codes.pop())
        for k in range(len(s_values)):
            if not home_of[k]:
                home_of[k] = by_sid.get(sid_list[k], "")
        country = np.where(known, country, home_of[s_codes]).astype(object)
    # Still unknown: the one country where the same figure was reported for the same
    # category within the date window (a repeat that dropped the place and country).
    lo, hi, _pub, undated = _windows(df, grules)
    cat_codes, _ = _col(df, "category")
    country = _country_from_twins(df, cat_codes, lo, hi, country, grules)
    # Places again, now with the inferred countries, typos matched within each country.
    ck_codes, ck_values = pd.factorize(country)
    ck_values = np.asarray(ck_values, dtype=object)
    pair, p_loc, p_ck = _pair_codes(l_codes, ck_codes)
    counts = np.bincount(pair, minlength=len(p_loc))
    named = np.array([bool(l_values[x]) for x in p_loc.tolist()], dtype=bool)
    refs: list[PlaceRef | None] = [None] * len(p_loc)
    pos = np.flatnonzero(named)
    resolved = index.resolve_many([l_values[x] for x in p_loc[pos].tolist()],
                                  [ck_values[c] for c in p_ck[pos].tolist()],
                                  counts[pos].tolist(), grules.place_words)
    for k, r in zip(pos.tolist(), resolved, strict=True):
        refs[k] = r
    # A country named but no place: the country itself.
    for k in np.flatnonzero(~named).tolist():
        c = ck_values[p_ck[k]]
        if len(c) == 2:
            refs[k] = index.country_ref(c)
        elif c.startswith("?"):
            refs[k] = PlaceRef(f"cc:{c}", c[1:], "", "country", (f"cc:{c}",), (c[1:],))
    refs_u = {r.id: r for r in refs if r is not None}
    m = len(refs) + 1  # the last entry: no place at all
    r_id = np.array([r.id if r else "" for r in refs] + [""], dtype=object)
    r_cc = np.array([r.country if r else "" for r in refs] + [""], dtype=object)
    r_prec = np.array([r.where_prec if r else 0 for r in refs] + [0], dtype=np.int64)
    r_chain = np.array([r.chain_text() if r else "" for r in refs] + [""], dtype=object)
    r_top = np.array([r.chain[0][3:] if r else "" for r in refs] + [""], dtype=object)
    r_level = np.array([_LEVEL.get(r.kind, 2) if r else -1 for r in refs] + [-1], np.int64)
    r_region = np.array([bool(r and r.kind == "region") for r in refs] + [False])
    r_fuzzy = np.array([bool(r and r.fuzzy) for r in refs] + [False])
    row = np.where(pair >= 0, pair, m - 1)
    out = pd.DataFrame(index=df.index)
    code_cc = r_cc[row]
    iso = np.array([len(c) == 2 for c in ck_values.tolist()], dtype=bool)[ck_codes] \
        if len(ck_values) else np.zeros(n, bool)
    out["country_code"] = np.where(code_cc != "", code_cc, np.where(iso, country, ""))
    out["country_key"] = np.where(country != "", country, r_top[row])
    out["place_id"] = r_id[row]
    prec = r_prec[row]
    out["where_prec"] = np.where(prec > 0, prec.astype(object), "")
    out["admin_chain"] = r_chain[row]
    out["source_id"] = sid_u[s_codes]
    out["_g_source_name"] = np.asarray(canon_list, dtype=object)[s_codes]

    # Victims: the column, else the figure's own noun (read only where the column is
    # blank, once per figure text with its digits folded: "29 soldiers" is "0 soldiers").
    v_codes, v_values = _col(df, "victims")
    vic = v_values[v_codes]
    blank_v = vic == ""
    if blank_v.any():
        f_codes, f_values = _col(df, "figure")
        wanted = np.zeros(len(f_values), bool)
        wanted[f_codes[blank_v]] = True
        folded = np.array([_DIGITS.sub("0", v) if w else "" for v, w in
                           zip(f_values.tolist(), wanted.tolist(), strict=True)], dtype=object)
        fold_codes, fold_values = _refactor(folded)
        fig_vic = _per_value(fold_values, lambda f: _victims_from_figure(f, rules) if f else "")
        vic = np.where(blank_v, fig_vic[fold_codes][f_codes], vic)
    out["victims_group"] = vic

    # Event families: the event text, and extract's event words when present.
    e_codes, e_values = _col(df, "event")
    w_codes, w_values = _col(df, "event_words")
    ev_pair, ev_e, ev_w = _pair_codes(e_codes, w_codes)
    texts = [f"{e_values[a]} {w_values[b]}".strip() for a, b in
             zip(ev_e.tolist(), ev_w.tolist(), strict=True)]
    fams = event_families(texts, grules)
    fam_names = [f.family for f in grules.families]
    bit = {f: 1 << i for i, f in enumerate(fam_names)}
    out["event_family"] = np.array(["; ".join(f) for f in fams], dtype=object)[ev_pair]
    out["_g_event_mask"] = np.array([sum(bit[x] for x in f) for f in fams],
                                    dtype=np.int64)[ev_pair]
    out["_g_lo"] = lo
    out["_g_hi"] = hi
    out["_g_undated"] = undated

    # Places as codes along the chain: country, admin1, city (or region), district.
    ids = sorted({pid for r in refs_u.values() for pid in r.chain})
    code_of = {pid: k for k, pid in enumerate(ids)}
    table = np.full((m, 4), -1, dtype=np.int64)
    own = np.full(m, -1, dtype=np.int64)
    for k, r in enumerate(refs):
        if r is None:
            continue
        for link in r.chain:
            kind = "country" if link.startswith("cc:") else (
                "admin1" if link.startswith("a1:") else None)
            if kind is None:
                kind = index.rows[link].kind if link in index.rows else (
                    "region" if link.startswith("rg:") else "place")
            table[k, _LEVEL.get(kind, 2)] = code_of[link]
        own[k] = code_of[r.id]
    out["_g_place"] = own[row]
    for k, name in enumerate(("_g_c0", "_g_c1", "_g_c2", "_g_c3")):
        out[name] = table[row, k]
    out["_g_place_level"] = r_level[row]
    out["_g_region"] = r_region[row]
    out["_g_fuzzy"] = r_fuzzy[row]
    r_unlisted = np.array([bool(r and r.id.startswith("nm:")) for r in refs] + [False])
    out["_g_unlisted"] = r_unlisted[row]
    _codes(out, df, grules, rules, s_codes, sid_u, a_codes, a_values)
    return Prepared(out, sources, refs_u)


def _codes(out: pd.DataFrame, df: pd.DataFrame, grules: GroupingRules, rules: Rules,
           s_codes: np.ndarray, sid_u: np.ndarray, a_codes: np.ndarray,
           a_values: np.ndarray) -> None:
    """The integer columns the block function reads (``_g_*``), added to ``out``.

    Codes are global: prepare sees every claim, so equal texts have equal
    codes in every partition, and the block function never codes a string
    again. Only equality of codes is ever used, so they need no order.
    """
    from .ids import claim_hashes

    n = len(df)
    keys = out["country_key"].to_numpy(dtype=object)
    out["_g_block"] = pd.factorize(keys)[0].astype(np.int32)  # "" (unknown) is a block too
    cat_codes, cat_values = _col(df, "category")
    lut = {c.name: k for k, c in enumerate(rules.categories)}
    out["_g_category"] = np.array([lut.get(v, -1) for v in cat_values.tolist()],
                                  dtype=np.int8)[cat_codes]
    # Victim groups: the rules' groups in their order, then any other word (a group
    # of its own, "different" from every other).
    v_codes, v_values = _refactor(out["victims_group"].to_numpy(dtype=object))
    names = [g.name for g in rules.victims]
    extra = sorted(set(v_values.tolist()) - set(names) - {""})
    vlut = {v: k for k, v in enumerate([*names, *extra])}
    out["_g_victims"] = np.array([vlut.get(v, -1) for v in v_values.tolist()],
                                 dtype=np.int16)[v_codes]
    s_code_of = pd.factorize(sid_u)[0]
    out["_g_source"] = np.where(sid_u[s_codes] != "", s_code_of[s_codes], -1).astype(np.int32)
    a_lut = np.where(a_values != "", np.arange(len(a_values)), -1)
    out["_g_article"] = a_lut[a_codes].astype(np.int32)
    ids = df["claim_id"].astype(str).to_numpy(dtype=object) if n else np.zeros(0, object)
    out["_g_hash"] = claim_hashes(ids)
    p_codes, p_values = _col(df, "part_of")
    p_hash = claim_hashes(p_values)
    out["_g_part"] = np.where(p_values != "", p_hash, np.uint64(0))[p_codes]
    lo = _floats(df, "low")
    hi = _floats(df, "high")
    hi = np.where(np.isnan(hi), np.inf, hi)
    anchor = _floats(df, "anchor")
    middle = np.where(np.isinf(hi), lo, np.floor((lo + np.where(np.isinf(hi), 0, hi)) / 2))
    out["_g_fig_lo"] = lo
    out["_g_fig_hi"] = hi
    out["_g_point"] = np.where(np.isnan(anchor), middle, anchor)
    # Scope: the column; a toll over several days with no town or district named is
    # a tally, whatever the column says (the loader reads a blank scope as incident),
    # and so is a toll for a whole country that names no kind of event ("more than
    # 290 people died across Syria"): the day's national total, not an incident.
    sc_codes, sc_values = _col(df, "scope")
    scope = np.array([{"incident": 0, "cumulative": 1}.get(v, -1) for v in sc_values.tolist()],
                     dtype=np.int8)[sc_codes]
    span = out["_g_hi"].to_numpy() - out["_g_lo"].to_numpy()
    level = out["_g_place_level"].to_numpy()
    undated = out["_g_undated"].to_numpy(dtype=bool)
    scope = np.where((span >= 2) & (level <= 1) & ~undated, 1, scope)
    scope = np.where((level == 0) & (out["_g_event_mask"].to_numpy() == 0), 1, scope)
    out["_g_scope"] = scope.astype(np.int8)
    related_of = np.zeros(len(grules.families), np.int64)
    bit = {fm.family: 1 << k for k, fm in enumerate(grules.families)}
    for k, fm in enumerate(grules.families):
        for r in fm.related:
            related_of[k] |= bit[r]
    m_codes, m_values = _refactor(out["_g_event_mask"].to_numpy())
    rel = np.zeros(len(m_values), np.int64)
    for k in range(len(grules.families)):
        has = (m_values.astype(np.int64) >> k) & 1 == 1
        rel[has] |= related_of[k]
    out["_g_related"] = rel[m_codes]


def _floats(df: pd.DataFrame, name: str) -> np.ndarray:
    if name not in df.columns:
        return np.full(len(df), np.nan)
    return df[name].astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def _windows(df: pd.DataFrame, grules: GroupingRules
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(lo, hi, published, undated): day numbers of each claim's window.

    The event dates, else a window of ``undated_days`` before publication.
    """
    def days(name: str, width: int) -> np.ndarray:
        codes, values = _col(df, name)
        # Cut to the date first: a million timestamps are a few hundred days.
        day_codes, day_values = _refactor(np.array([v[:width] for v in values.tolist()],
                                                   dtype=object))
        return _per_value(day_values, _day, float)[day_codes][codes]

    lo = days("date_start", 10)
    hi = days("date_end", 10)
    hi = np.where(np.isnan(hi), lo, hi)
    pub = days("published", 10)
    undated = np.isnan(lo) & ~np.isnan(pub)
    lo = np.where(undated, pub - grules.undated_days, lo)
    hi = np.where(undated, pub, hi)
    return lo, hi, pub, undated


def _day(text: str) -> float:
    if not text:
        return np.nan
    try:
        return float((np.datetime64(text, "D") - _EPOCH).astype(np.int64))
    except ValueError:
        return np.nan


def _country_from_twins(df: pd.DataFrame, cat_codes: np.ndarray, lo_d: np.ndarray,
                        hi_d: np.ndarray, country: np.ndarray,
                        grules: GroupingRules) -> np.ndarray:
    """Blank countries from claims elsewhere with the same category, figure and days.

    Only when every such claim is in one country: at scale the same "at
    least 5 killed" on one day is reported from many countries, and then
    the claim stays without a country.
    """
    from .blocking import key_codes, window_join

    unknown = country == ""
    if not unknown.any() or unknown.all():
        return country
    dated = ~np.isnan(lo_d)
    f_lo = df["low"].astype("Float64").astype(float).fillna(-1).to_numpy() \
        if "low" in df else np.full(len(df), -1.0)
    f_hi = df["high"].astype("Float64").astype(float).fillna(-2).to_numpy() \
        if "high" in df else np.full(len(df), -1.0)
    key = key_codes(cat_codes, pd.factorize(f_lo)[0], pd.factorize(f_hi)[0])
    key = np.where(dated, key, -1)
    lo_i = np.where(dated, lo_d, 0).astype(np.int64)
    hi_i = np.where(dated, hi_d, 0).astype(np.int64)
    li, ri = window_join(np.where(unknown, key, -1), lo_i, hi_i,
                         np.where(~unknown, key, -1), lo_i, hi_i, grules.incident_days)
    if len(li) == 0:
        return country
    found = pd.DataFrame({"l": li, "c": country[ri]}).drop_duplicates()
    single = found.groupby("l")["c"].agg(["nunique", "first"])
    single = single[single["nunique"] == 1]
    out = country.copy()
    out[single.index.to_numpy()] = single["first"].to_numpy()
    return out
