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
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from ..core.text import words
from ..places.admin import AdminIndex, PlaceRef, default_admin_index
from ..places.gazetteer import fold_key
from ..rules.grouping import GroupingRules
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


def _text(s: pd.Series) -> pd.Series:
    """Cells as stripped strings ("" for missing), computed once per distinct value."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    table = np.array([str(u).strip() for u in uniques] + [""], dtype=object)
    return pd.Series(table[codes], index=s.index, dtype=object)


def _per_unique(s: pd.Series, fn) -> pd.Series:
    uniques = pd.unique(s.to_numpy())
    table = {u: fn(u) for u in uniques}
    return s.map(table)


def _days(iso: pd.Series) -> np.ndarray:
    """ISO dates (or date-times) -> day numbers, NaN when blank."""
    text = _text(iso).str.slice(0, 10)
    uniques = pd.unique(text.to_numpy())
    table = {}
    for u in uniques:
        try:
            table[u] = float((np.datetime64(u, "D") - _EPOCH).astype(np.int64)) if u else np.nan
        except ValueError:
            table[u] = np.nan
    return text.map(table).to_numpy(dtype=float)


# -- event types -------------------------------------------------------------------------


def _plural(tok: str) -> str:
    if len(tok) > 3 and tok.endswith("es") and tok[:-2].endswith(("sh", "ch", "x", "ss")):
        return tok[:-2]
    if len(tok) > 3 and tok.endswith("s") and not tok.endswith("ss"):
        return tok[:-1]
    return tok


def event_families(texts: Sequence[str], grules: GroupingRules) -> list[tuple[str, ...]]:
    """The event-type families each text names ("air strikes" -> ("air strike",)).

    Phrases match whole tokens, longest first, plurals folded; generic
    families ("attacks") are left out: they are no evidence.
    """
    phrases: dict[tuple[str, ...], str] = {}
    for fam in grules.families:
        if fam.generic:
            continue
        for toks in fam.words:
            phrases[tuple(_plural(t) for t in toks)] = fam.family
    longest = max((len(p) for p in phrases), default=0)
    out: list[tuple[str, ...]] = []
    for text in texts:
        toks = [_plural(t) for t in words(text)] if text else []
        found: list[str] = []
        i = 0
        while i < len(toks):
            for k in range(min(longest, len(toks) - i), 0, -1):
                fam = phrases.get(tuple(toks[i:i + k]))
                if fam:
                    if fam not in found:
                        found.append(fam)
                    i += k
                    break
            else:
                i += 1
        out.append(tuple(sorted(found)))
    return out


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
        k = 2
        while sid in used_ids:
            sid, k = f"{base}-{k}", k + 1
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


def prepare_claims(claims: pd.DataFrame, grules: GroupingRules, rules: Rules,
                   index: AdminIndex | None = None) -> Prepared:
    """Normalise every claim for grouping (see :class:`Prepared`). Pure; no I/O.

    Work is per distinct value (place name and country, source name, figure
    text, event text), so a million claims that repeat a few thousand
    names cost a few thousand lookups.
    """
    index = index or default_admin_index()
    from ..places.gazetteer import default_gazetteer

    demonyms = dict(default_gazetteer().rules.demonyms)
    df = claims
    n = len(df)
    out = pd.DataFrame(index=df.index)
    col = {c: (_text(df[c]) if c in df.columns else pd.Series("", index=df.index))
           for c in ("location", "country", "source", "figure", "victims", "event", "category",
                     "article_id", "scope", "date_start", "date_end", "published", "part_of",
                     "claim_id", "dateline", "event_words", "places")}

    # Countries named in the country column.
    given = _per_unique(col["country"], index.country_key)
    # Places: exact names first (with the country when given).
    loc = col["location"]
    pairs = pd.DataFrame({"loc": loc, "cc": given})
    exact_key = loc + "\x1f" + given
    uniq = pairs.drop_duplicates()
    exact = {}
    for l_, c_ in zip(uniq["loc"].tolist(), uniq["cc"].tolist(), strict=True):
        exact[l_ + "\x1f" + c_] = index.resolve(l_, c_ if len(c_) == 2 else "",
                                                grules.place_words) if l_ else None
    ref0 = exact_key.map(exact)
    place_cc = ref0.map(lambda r: r.country if r is not None else "")
    country = given.where(given.ne(""), place_cc)
    # Blank countries from the claim's article, then from its source's home.
    source_names = col["source"]
    art = col["article_id"]
    known = country.ne("")
    if (~known).any() and art.ne("").any():
        mates = pd.DataFrame({"a": art[known & art.ne("")], "c": country[known & art.ne("")]})
        if len(mates):
            top = mates.groupby(["a", "c"]).size().rename("n").reset_index() \
                .sort_values(["a", "n", "c"], ascending=[True, False, True]) \
                .drop_duplicates("a").set_index("a")["c"]
            fill = art.map(top).fillna("")
            country = country.where(known, fill)
    known = country.ne("")
    src_uniques, src_inverse = np.unique(source_names.to_numpy(dtype=str), return_inverse=True)
    src_counts = np.bincount(src_inverse, minlength=len(src_uniques))
    sid_list, canon_list, sources = canonical_sources(
        [str(s) for s in src_uniques], src_counts.tolist(), grules, index, demonyms)
    sid = pd.Series(np.asarray(sid_list, dtype=object)[src_inverse], index=df.index)
    if (~known).any():
        home = pd.DataFrame({"s": sid[known], "c": country[known]})
        share = home.groupby(["s", "c"]).size().rename("n").reset_index()
        share["tot"] = share.groupby("s")["n"].transform("sum")
        share = share[(share["n"] >= 3) & (share["n"] >= 0.8 * share["tot"])]
        home_of = share.set_index("s")["c"].to_dict()
        # A source's name that names a country ("Afghan Civil Defence").
        for i, nm in enumerate(canon_list):
            s_ = sid_list[i]
            if s_ in home_of:
                continue
            codes = {c for t in fold_key(nm).split(" ")
                     for c in (demonyms.get(t), index.country_keys.get(t)) if c}
            if len(codes) == 1:
                home_of[s_] = codes.pop()
        country = country.where(known, sid.map(lambda x: home_of.get(x, "")))
    # Still unknown: the one country where the same figure was reported for the same
    # category within the date window (a repeat that dropped the place and country).
    country = _country_from_twins(df, col, country, grules)
    # Places again, now with the inferred countries, typos matched within each country.
    pk = pd.DataFrame({"loc": loc, "cc": country})
    grp = pk[loc.ne("")].groupby(["loc", "cc"]).size().rename("n").reset_index()
    refs = index.resolve_many(grp["loc"].tolist(), [c if len(c) == 2 or c.startswith("?")
                                                   else "" for c in grp["cc"].tolist()],
                              grp["n"].tolist(), grules.place_words)
    ref_of = dict(zip((grp["loc"] + "\x1f" + grp["cc"]).tolist(), refs, strict=True))
    ref = (loc + "\x1f" + country).map(ref_of)
    # A country named but no place: the country itself.
    no_place = ref.isna()
    if no_place.any():
        cref = {c: (index.country_ref(c) if len(c) == 2 else
                    (index.unlisted("", c) if c else None)) for c in country[no_place].unique()}
        for c, r in list(cref.items()):
            if r is not None and c.startswith("?"):
                cref[c] = PlaceRef(f"cc:{c}", c[1:], "", "country", (f"cc:{c}",), (c[1:],))
        ref = ref.where(~no_place, country.map(cref))
    refs_u = {r.id: r for r in ref.dropna().unique()} if ref.notna().any() else {}
    out["country_code"] = ref.map(lambda r: r.country if r is not None and r.country else "") \
        .where(ref.notna(), "")
    out["country_code"] = out["country_code"].where(out["country_code"].ne(""),
                                                    country.where(country.str.len().eq(2), ""))
    out["country_key"] = country.where(country.ne(""), ref.map(
        lambda r: r.chain[0][3:] if r is not None else "").fillna(""))
    out["place_id"] = ref.map(lambda r: r.id if r is not None else "").fillna("")
    prec = ref.map(lambda r: r.where_prec if r is not None else 0).fillna(0).astype(int)
    out["where_prec"] = prec.astype(object).where(prec.gt(0), "")
    out["admin_chain"] = ref.map(lambda r: r.chain_text() if r is not None else "").fillna("")
    out["source_id"] = sid
    out["_g_source_name"] = pd.Series(np.asarray(canon_list, dtype=object)[src_inverse],
                                      index=df.index)

    # Victims: the column, else the figure's own noun.
    vic = col["victims"]
    from_fig = _per_unique(col["figure"].where(vic.eq(""), ""),
                           lambda f: _victims_from_figure(f, rules) if f else "")
    out["victims_group"] = vic.where(vic.ne(""), from_fig)

    # Event families: the event text, and extract's event words when present.
    ev_text = (col["event"] + " " + col["event_words"]).str.strip()
    fam_u = pd.unique(ev_text.to_numpy())
    fams = dict(zip(fam_u, event_families([str(u) for u in fam_u], grules), strict=True))
    families = ev_text.map(fams)
    out["event_family"] = families.map(lambda f: "; ".join(f))
    fam_names = [f.family for f in grules.families]
    bit = {f: 1 << i for i, f in enumerate(fam_names)}
    out["_g_event_mask"] = families.map(lambda f: sum(bit[x] for x in f)).astype(np.int64)

    # Dates: the event window, else a window before publication.
    lo = _days(col["date_start"])
    hi = _days(col["date_end"])
    hi = np.where(np.isnan(hi), lo, hi)
    pub = _days(col["published"])
    undated = np.isnan(lo) & ~np.isnan(pub)
    lo = np.where(undated, pub - grules.undated_days, lo)
    hi = np.where(undated, pub, hi)
    out["_g_lo"] = lo
    out["_g_hi"] = hi
    out["_g_undated"] = undated

    # Places as codes along the chain: country, admin1, city (or region), district.
    chain_codes = np.full((n, 4), -1, dtype=np.int64)
    place_code = np.full(n, -1, dtype=np.int64)
    if refs_u:
        ids = sorted({pid for r in refs_u.values() for pid in r.chain})
        code_of = {pid: i for i, pid in enumerate(ids)}
        keys_u = sorted(refs_u)
        table = np.full((len(keys_u) + 1, 4), -1, dtype=np.int64)
        own = np.full(len(keys_u) + 1, -1, dtype=np.int64)
        for k, pid in enumerate(keys_u):
            r = refs_u[pid]
            for link in r.chain:
                kind = "country" if link.startswith("cc:") else (
                    "admin1" if link.startswith("a1:") else None)
                if kind is None:
                    kind = index.rows[link].kind if link in index.rows else (
                        "region" if link.startswith("rg:") else "place")
                table[k, _LEVEL.get(kind, 2)] = code_of[link]
            own[k] = code_of[pid]
        pos = pd.Index(keys_u).get_indexer(out["place_id"])  # -1 for ""
        chain_codes = table[pos]
        place_code = own[pos]
    out["_g_place"] = place_code
    for k, name in enumerate(("_g_c0", "_g_c1", "_g_c2", "_g_c3")):
        out[name] = chain_codes[:, k]
    out["_g_place_level"] = ref.map(lambda r: _LEVEL.get(r.kind, 2) if r is not None else -1) \
        .fillna(-1).astype(int)
    out["_g_region"] = ref.map(lambda r: r is not None and r.kind == "region").fillna(False) \
        .astype(bool)
    out["_g_fuzzy"] = ref.map(lambda r: bool(r is not None and r.fuzzy)).fillna(False).astype(bool)
    return Prepared(out, sources, {r.id: r for r in refs_u.values()})


def _country_from_twins(df: pd.DataFrame, col: dict[str, pd.Series], country: pd.Series,
                        grules: GroupingRules) -> pd.Series:
    """Blank countries from claims elsewhere with the same category, figure and days.

    Only when every such claim is in one country: at scale the same "at
    least 5 killed" on one day is reported from many countries, and then
    the claim stays without a country.
    """
    from .blocking import _codes, window_join

    unknown = country.eq("").to_numpy()
    if not unknown.any() or unknown.all():
        return country
    lo_d = _days(col["date_start"])
    hi_d = _days(col["date_end"])
    hi_d = np.where(np.isnan(hi_d), lo_d, hi_d)
    pub = _days(col["published"])
    lo_d = np.where(np.isnan(lo_d), pub - grules.undated_days, lo_d)
    hi_d = np.where(np.isnan(hi_d), pub, hi_d)
    dated = ~np.isnan(lo_d)
    f_lo = df["low"].astype("Float64").astype(float).fillna(-1).to_numpy() \
        if "low" in df else np.full(len(df), -1.0)
    f_hi = df["high"].astype("Float64").astype(float).fillna(-2).to_numpy() \
        if "high" in df else np.full(len(df), -1.0)
    cat = pd.factorize(col["category"])[0]
    key = _codes(cat, pd.factorize(f_lo)[0], pd.factorize(f_hi)[0])
    key = np.where(dated, key, -1)
    lo_i = np.where(dated, lo_d, 0).astype(np.int64)
    hi_i = np.where(dated, hi_d, 0).astype(np.int64)
    li, ri = window_join(np.where(unknown, key, -1), lo_i, hi_i,
                         np.where(~unknown, key, -1), lo_i, hi_i, grules.incident_days)
    if len(li) == 0:
        return country
    found = pd.DataFrame({"l": li, "c": country.to_numpy()[ri]}).drop_duplicates()
    single = found.groupby("l")["c"].agg(["nunique", "first"])
    single = single[single["nunique"] == 1]
    out = country.to_numpy().copy()
    out[single.index.to_numpy()] = single["first"].to_numpy()
    return pd.Series(out, index=country.index)


def _mode(values: Sequence[str]) -> str:
    c = Counter(v for v in values if v)
    return min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] if c else ""
