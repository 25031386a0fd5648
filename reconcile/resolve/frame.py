"""Grouped claims -> the arrays resolution works on.

Everything after this module is integer codes and numpy columns. This is
where the grouping contract (:data:`reconcile.schema.GROUP_COLUMNS`) is read,
with the fallbacks used until the grouping stage provides it:

- ``source_id``: the source text case-folded and space-folded (a name in
  ``rules/sources.toml`` maps its aliases to the row's name);
- ``parent_event_id`` / ``parent_link``: from ``part_of`` links (the event of
  the claim named), link ``"part"``.

Claims are put in a canonical order (by ``claim_id``) first, so that no
result depends on the order of the input rows.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from ..core.text import words
from ..rules.sources import SourcePriors

__all__ = [
    "AGE_EDGES",
    "FAMILIES",
    "KIND_CLASSES",
    "N_AGE",
    "SCOPE_DIFFERENT",
    "SCOPE_NONE",
    "SCOPE_SUBSET",
    "SCOPE_SUPERSET",
    "Prepared",
    "prepare_claims",
    "provenance_factor",
    "scope_codes",
]

# Kind classes of the noise model, and the family of offsets each one uses:
# "down" (the truth may lie above the stated number: lower bounds), "two"
# (a figure for the count known then: the truth may have grown since) and
# "up" (an upper bound: the truth may lie below).
KIND_CLASSES = ("exact", "lower", "upper", "approx", "range", "vague")
_CLASS_OF_KIND = {"exact": 0, "lower": 1, "upper": 2, "approx": 3, "nearly": 3, "range": 4,
                  "vague": 5}
FAMILIES = ("two", "down", "up")
FAMILY_OF_CLASS = np.array([0, 1, 2, 0, 0, 0], dtype=np.int8)

# Hours from the start of the event's first day to the report: tolls grow
# over the first days. The last bin holds reports whose age is unknown.
AGE_EDGES = (12.0, 24.0, 48.0, 96.0)
N_AGE = len(AGE_EDGES) + 2
AGE_UNKNOWN = N_AGE - 1

LINK_NONE, LINK_PART, LINK_WITHIN = 0, 1, 2


@dataclass(eq=False)
class Prepared:
    """Claims as numpy columns, in canonical order, with their events and sources.

    Per claim (length ``n``): ``ev`` event code, ``src`` source code, ``lo``,
    ``hi`` (``inf`` when unbounded) and ``anchor`` (``nan`` when none) as
    floats, ``cls`` kind class (:data:`KIND_CLASSES`), ``core_lo``/``core_hi``
    (what the noise model reads: the stated number, or the stated interval),
    ``hedged``, ``final``, ``zero`` (a claim of 0), ``denial``, ``pub``
    (minutes since 1970, -1 when unknown), ``age`` (bin), ``outlet_of`` and
    ``relay_of`` (who carried it, as written; "" when none or the source itself).

    Per event (length ``n_events``): ``event_ids``, ``parent`` (event code or
    -1), ``link`` (0 none, 1 part, 2 within) and ``prior_group``.

    Per source: ``source_ids`` (folded canonical names), ``source_names``
    (the spelling used most), ``source_aliases``.

    ``factor`` (per claim, or None): the hook through which checks made before
    resolution make a claim weigh less — read from the ``quote_check`` column
    (:func:`provenance_factor`); the resolver multiplies each claim's share of
    one independent voice by it.
    """

    claims: pd.DataFrame
    ev: np.ndarray
    src: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    anchor: np.ndarray
    cls: np.ndarray
    core_lo: np.ndarray
    core_hi: np.ndarray
    hedged: np.ndarray
    final: np.ndarray
    zero: np.ndarray
    denial: np.ndarray
    pub: np.ndarray
    age: np.ndarray
    outlet_of: np.ndarray
    relay_of: np.ndarray
    event_ids: np.ndarray
    parent: np.ndarray
    link: np.ndarray
    prior_group: np.ndarray
    prior_groups: tuple[str, ...]
    source_ids: np.ndarray
    source_names: np.ndarray
    source_aliases: np.ndarray
    # Per claim: a factor on its weight from checks made before resolution (the quote
    # check: rules/sources.toml [provenance]); 1 when nothing is wrong.
    factor: np.ndarray | None = None
    # Per claim: its scope check (SCOPE_NONE, SCOPE_SUBSET, SCOPE_SUPERSET,
    # SCOPE_DIFFERENT from the ``scope_check`` column), or None when none differ.
    mismatch: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.ev)

    def take(self, rows: np.ndarray, ev: np.ndarray, event_ids: np.ndarray,
             prior_group: np.ndarray) -> Prepared:
        """The claims ``rows`` (repeats allowed) as the events ``ev`` (codes into
        ``event_ids``), unlinked: the prefixes :mod:`.history` resolves.

        Sources and what is learnt about them keep their codes.
        """
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in _PER_CLAIM:
            value = out[name]
            if value is not None:
                out[name] = value[rows]
        unknown = [f.name for f in fields(self) if f.name not in (*_PER_CLAIM, *_KEPT)]
        if unknown:  # a new column must say whether it is per claim, event or source
            raise TypeError(f"Prepared.take does not know the fields {unknown}")
        n_events = len(event_ids)
        out.update(claims=self.claims.iloc[rows].reset_index(drop=True),
                   ev=np.asarray(ev, dtype=np.int64), event_ids=np.asarray(event_ids, object),
                   parent=np.full(n_events, -1, dtype=np.int64),
                   link=np.zeros(n_events, dtype=np.int8),
                   prior_group=np.asarray(prior_group, dtype=np.int64))
        return Prepared(**out)

    @property
    def n_events(self) -> int:
        return len(self.event_ids)

    @property
    def n_sources(self) -> int:
        return len(self.source_ids)


def _text(claims: pd.DataFrame, column: str) -> pd.Series:
    if column not in claims.columns:
        return pd.Series("", index=claims.index, dtype=object)
    return claims[column].astype(object).where(claims[column].notna(), "").astype(str)


def _map_unique(values: pd.Series, fn) -> np.ndarray:
    """``fn`` of each value, computed once per distinct value (an object array)."""
    codes, uniques = pd.factorize(values, sort=False)
    table = np.empty(max(len(uniques), 1), dtype=object)
    for i, u in enumerate(uniques):
        table[i] = fn(u)
    return table[codes] if len(values) else np.zeros(0, dtype=object)


def _has_phrase(tokens: tuple[str, ...], phrases: tuple[tuple[str, ...], ...],
                negations: frozenset[str] = frozenset()) -> bool:
    for phrase in phrases:
        k = len(phrase)
        for i in range(len(tokens) - k + 1):
            if tokens[i:i + k] == phrase:
                before = tokens[max(0, i - 2):i]
                if not any(t in negations for t in before):
                    return True
    return False


def _minutes(text: pd.Series) -> np.ndarray:
    """ISO date-times (or dates) as minutes since 1970; -1 where empty or unreadable."""
    codes, uniques = pd.factorize(text, sort=False)
    if not len(uniques):
        return np.full(len(text), -1, dtype=np.int64)
    parsed = pd.to_datetime(pd.Series(uniques), errors="coerce", format="ISO8601")
    mins = parsed.to_numpy(dtype="datetime64[m]").astype(np.int64)
    mins[parsed.isna().to_numpy()] = -1
    return mins[codes]


def _per_event_first(ev: np.ndarray, values: np.ndarray, n_events: int) -> np.ndarray:
    """Per event, the smallest non-empty string among its claims ("" when none)."""
    out = np.full(n_events, "", dtype=object)
    has = values != ""
    if not has.any():
        return out
    frame = pd.DataFrame({"ev": ev[has], "v": values[has]}).sort_values(["ev", "v"])
    first = frame.drop_duplicates("ev")
    out[first["ev"].to_numpy()] = first["v"].to_numpy()
    return out


def prepare_claims(claims: pd.DataFrame, priors: SourcePriors) -> Prepared:
    """Read grouped claims (each with an ``event_id``) into :class:`Prepared`.

    Raises ``ValueError`` when ``event_id`` is missing: grouping comes first.
    """
    if "event_id" not in claims.columns:
        raise ValueError("claims need an event_id column: group them first")
    c = claims.sort_values("claim_id", kind="stable").reset_index(drop=True) \
        if "claim_id" in claims.columns else claims.reset_index(drop=True)
    n = len(c)
    ev, event_index = pd.factorize(_text(c, "event_id"), sort=True)
    event_ids = np.asarray(event_index, dtype=object)
    n_events = len(event_ids)

    # Sources: the grouping's source_id, else the folded text (sources.toml aliases folded in).
    raw_source = _text(c, "source")
    given = _text(c, "source_id")
    folded = pd.Series(_map_unique(raw_source, priors.canonical), index=c.index, dtype=object)
    source_key = given.where(given.ne(""), folded)
    src, source_index = pd.factorize(source_key, sort=True)
    source_ids = np.asarray(source_index, dtype=object)
    names, aliases = _source_names(src, raw_source.to_numpy(dtype=object), len(source_ids))

    # Who carried a claim (its outlet, or a relay "as quoted by"), when not its source.
    def carrier(column: str) -> np.ndarray:
        text = _text(c, column)
        key = _map_unique(text, priors.canonical)
        other = (text.ne("").to_numpy() & (key != source_key.to_numpy())) if n else \
            np.zeros(0, bool)
        return np.where(other, text.to_numpy(dtype=object), "")

    outlet_of = carrier("outlet")
    relay_of = carrier("relay")

    lo = c["low"].astype("Float64").astype(float).to_numpy() if n else np.zeros(0)
    hi = c["high"].astype("Float64").astype(float).fillna(np.inf).to_numpy() if n else np.zeros(0)
    anchor = c["anchor"].astype("Float64").astype(float).to_numpy() if "anchor" in c else \
        np.full(n, np.nan)
    kind = _text(c, "kind").str.lower()
    cls = kind.map(_CLASS_OF_KIND).fillna(4).astype(np.int8).to_numpy() if n else \
        np.zeros(0, np.int8)
    # A range with equal ends is an exact figure; bounds rows without a kind:
    point = lo == hi
    cls = np.where(point, 0, cls).astype(np.int8)
    # Scope checks (the grouping's events may hold figures of other measures,
    # :mod:`.scope`): a subset's figure bounds the event's count from below, a
    # superset's from above; a different measure, or a bound that bounds nothing
    # ("at least 500" in all, above one incident), says nothing (weight 0, below).
    mismatch = scope_codes(_text(c, "scope_check"))
    silent = np.zeros(n, dtype=bool)  # a bound that bounds nothing: [0, inf)
    if mismatch is not None:
        sub, sup = mismatch == SCOPE_SUBSET, mismatch == SCOPE_SUPERSET
        silent = (sub & (lo <= 0)) | (sup & ~np.isfinite(hi))
        sub, sup = sub & ~silent, sup & ~silent
        hi = np.where(sub, np.inf, hi)
        lo = np.where(sup, 0.0, lo)
        cls = np.where(sub, 1, np.where(sup, 2, cls)).astype(np.int8)
    # The noise model's core: the stated number for point-like kinds.
    # A bound's number is its bound ("more than 12": at least 13 known), an exact
    # figure's its anchor.
    stated = np.where(cls == 1, lo, np.where(cls == 2, hi, np.where(np.isnan(anchor), lo, anchor)))
    pointlike = np.isin(cls, (0, 1, 2))
    core_lo = np.where(pointlike, stated, lo)
    core_hi = np.where(pointlike, stated, hi)

    hedge_text = _text(c, "hedge")

    def says(text: pd.Series, phrases, negations=frozenset()) -> np.ndarray:
        return _map_unique(text, lambda t: _has_phrase(tuple(words(t)), phrases, negations)
                           ).astype(bool)

    denial_word = says(hedge_text, priors.denial_words)
    final = says(hedge_text, priors.final_words, priors.negations) | \
        says(_text(c, "scope"), priors.final_words, priors.negations)
    if "final" in c.columns:
        final |= _text(c, "final").str.lower().isin(("1", "true", "yes", "final")).to_numpy()
    zero = hi == 0
    denial = (_text(c, "denial").ne("").to_numpy() | denial_word) & zero
    # Any other hedge text casts doubt: "feared", "claimed", "unconfirmed".
    hedged = hedge_text.ne("").to_numpy() & ~final & ~denial_word

    pub = _minutes(_text(c, "published"))
    day0 = _minutes(_text(c, "date_start"))
    age_h = np.where((pub >= 0) & (day0 >= 0), (pub - day0) / 60.0, np.nan)
    age = np.digitize(age_h, AGE_EDGES).astype(np.int8)
    age[np.isnan(age_h)] = AGE_UNKNOWN

    parent, link = _parents(c, ev, event_ids)

    # Prior groups: category and scope of each event (its claims' most common).
    cat = _text(c, "category").str.lower()
    cumulative = _text(c, "scope").str.lower().eq("cumulative")
    group_key: pd.Series = cat + np.where(cumulative, "|cumulative", "")
    groups, group_names = pd.factorize(group_key, sort=True)
    counts = pd.DataFrame({"ev": ev, "g": groups}).value_counts().rename("n").reset_index()
    counts = counts.sort_values(["ev", "n", "g"], ascending=[True, False, True])
    prior_group = np.zeros(n_events, dtype=np.int64)
    if len(counts):
        first = counts.drop_duplicates("ev")
        prior_group[first["ev"].to_numpy()] = first["g"].to_numpy()

    factor = provenance_factor(c, priors)
    if mismatch is not None and ((mismatch == SCOPE_DIFFERENT) | silent).any():
        factor = np.where((mismatch == SCOPE_DIFFERENT) | silent, 0.0,
                          1.0 if factor is None else factor)

    return Prepared(
        claims=c, ev=ev.astype(np.int64), src=src.astype(np.int64), lo=lo, hi=hi,
        anchor=anchor, cls=cls, core_lo=core_lo.astype(float), core_hi=core_hi.astype(float),
        hedged=hedged, final=final, zero=zero, denial=denial, pub=pub, age=age,
        outlet_of=outlet_of, relay_of=relay_of, event_ids=event_ids, parent=parent,
        link=link, prior_group=prior_group,
        prior_groups=tuple(str(g) for g in group_names) or ("",),
        source_ids=source_ids, source_names=names, source_aliases=aliases, factor=factor,
        mismatch=mismatch)


# What :meth:`Prepared.take` indexes per claim, and what it keeps or rebuilds.
_PER_CLAIM = ("src", "lo", "hi", "anchor", "cls", "core_lo", "core_hi", "hedged", "final",
              "zero", "denial", "pub", "age", "outlet_of", "relay_of", "factor", "mismatch")
_KEPT = ("claims", "ev", "event_ids", "parent", "link", "prior_group", "prior_groups",
         "source_ids", "source_names", "source_aliases")

SCOPE_NONE, SCOPE_SUBSET, SCOPE_SUPERSET, SCOPE_DIFFERENT = 0, 1, 2, 3
_SCOPE_CODE = {"subset": SCOPE_SUBSET, "superset": SCOPE_SUPERSET, "different": SCOPE_DIFFERENT}


def scope_codes(scope_check: pd.Series) -> np.ndarray | None:
    """Per claim, its scope check as a code (None when every claim measures its event's).

    ``scope_check`` values are ``"kind: reason"`` (:mod:`reconcile.resolve.scope`).
    """
    if not len(scope_check) or not scope_check.ne("").any():
        return None
    kind = scope_check.str.split(":", n=1).str[0].str.strip()
    return kind.map(_SCOPE_CODE).fillna(SCOPE_NONE).astype(np.int8).to_numpy()


def provenance_factor(claims: pd.DataFrame, priors: SourcePriors) -> np.ndarray | None:
    """Per claim, the factor on its weight its ``quote_check`` gives (None: all 1).

    The codes are :data:`reconcile.schema.QUOTE_CHECKS`; the factors are
    ``[provenance]`` of ``rules/sources.toml`` (a code not listed weighs 1).
    """
    if "quote_check" not in claims.columns or not len(claims):
        return None
    code = _text(claims, "quote_check")
    factor = _map_unique(code, priors.quote_factor).astype(float)
    return None if bool((factor == 1.0).all()) else factor


def _source_names(src: np.ndarray, raw: np.ndarray, n_sources: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Per source: the spelling used most (ties: the smallest) and the others, joined."""
    names = np.full(n_sources, "", dtype=object)
    aliases = np.full(n_sources, "", dtype=object)
    if not len(src):
        return names, aliases
    counts = pd.DataFrame({"s": src, "raw": raw}).value_counts().rename("n").reset_index()
    counts = counts.sort_values(["s", "n", "raw"], ascending=[True, False, True])
    first = counts.drop_duplicates("s")
    names[first["s"].to_numpy()] = first["raw"].to_numpy()
    rest = counts[~counts.index.isin(first.index)].sort_values(["s", "raw"])
    if len(rest):
        joined = rest.groupby("s")["raw"].agg("; ".join)
        aliases[joined.index.to_numpy()] = joined.to_numpy()
    return names, aliases


def _parents(c: pd.DataFrame, ev: np.ndarray, event_ids: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """Per event: its parent event code (-1 when none) and the link kind.

    From the grouping's ``parent_event_id`` / ``parent_link`` when present,
    else from ``part_of`` (the event of the named claim; link "part"). An
    event with several candidate parents takes the smallest id; links that
    would close a cycle are dropped, so the events form a forest.
    """
    n_events = len(event_ids)
    parent = np.full(n_events, -1, dtype=np.int64)
    link = np.zeros(n_events, dtype=np.int8)
    if not len(c):
        return parent, link
    index = pd.Index(event_ids)
    given = _text(c, "parent_event_id").to_numpy(dtype=object)
    if (given != "").any():
        per_event = _per_event_first(ev, given, n_events)
        code = index.get_indexer(per_event)
        ok = (per_event != "") & (code >= 0) & (code != np.arange(n_events))
        parent[ok] = code[ok]
        kinds = _per_event_first(ev, _text(c, "parent_link").str.lower().to_numpy(dtype=object),
                                 n_events)
        link[ok] = np.where(kinds[ok] == "within", LINK_WITHIN, LINK_PART)
    else:
        part_of = _text(c, "part_of")
        has = part_of.ne("").to_numpy()
        if has.any():
            where = pd.Series(ev, index=_text(c, "claim_id").to_numpy())
            where = where[~where.index.duplicated()]
            target = where.reindex(part_of[has].to_numpy()).to_numpy()
            frame = pd.DataFrame({"ev": ev[has], "parent": target}).dropna()
            frame = frame[frame["parent"] != frame["ev"]]
            frame["parent"] = frame["parent"].astype(np.int64)
            frame = frame.sort_values(["ev", "parent"]).drop_duplicates("ev")
            parent[frame["ev"].to_numpy()] = frame["parent"].to_numpy()
            link[frame["ev"].to_numpy()] = LINK_PART
    # Break cycles: follow parents; an event that reaches itself loses its link.
    for e in _cycle_members(parent):
        parent[e] = -1
        link[e] = LINK_NONE
    return parent, link


def _cycle_members(parent: np.ndarray) -> list[int]:
    """One event per cycle of the parent pointers (the smallest), to cut."""
    n = len(parent)
    state = np.zeros(n, dtype=np.int8)  # 0 new, 1 on the current path, 2 done
    cut = []
    for start in np.flatnonzero(parent >= 0):
        if state[start]:
            continue
        path = []
        e = int(start)
        while e >= 0 and state[e] == 0:
            state[e] = 1
            path.append(e)
            e = int(parent[e])
        if e >= 0 and state[e] == 1:  # a cycle: from e along the path
            cycle = path[path.index(e):]
            cut.append(min(cycle))
        for p in path:
            state[p] = 2
    return cut

