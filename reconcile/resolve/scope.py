"""Scope checks: claims of one event that measure different things.

Grouping keeps most such claims apart (a part such as "10 children" becomes a
child event of the toll it belongs to; a cumulative tally a parent of the
incidents in it), but an event can still hold figures that do not count the
same thing. Before claims are weighed against each other, each claim's
*measure* is compared with its event's (the most common among the event's
claims, as ``events.csv`` names it):

- **category**: "casualties" (killed or injured) is a superset of killed and
  of injured (``contains`` in ``rules/categories.toml``); killed beside
  displaced is a different measure;
- **victims**: a part group (``[victims] part_groups`` of
  ``rules/grouping.toml``: children, women, ...) is a subset of the wider
  group it belongs to (``part_of`` in ``rules/victims.toml``); "civilians"
  beside "people" is one toll in two words, as grouping reads it, not a
  mismatch;
- **treated**: people treated in hospital (a ``treated`` word of
  ``rules/sources.toml`` in the claim's quote, figure or hedge) are a subset
  of the injured;
- **scope**: a cumulative total (a campaign's toll) is a superset of one
  incident or one day. The ``scope`` column alone is weak evidence (a report
  that does not say "since" reads as an incident), so a mismatch needs the
  dates too: a cumulative claim whose date window strictly contains its
  event's (the most common window among its claims), or an incident whose
  window lies strictly inside a cumulative event's.

The result is the claim's ``scope_check``: "" when it measures what its event
measures, else ``subset: ...``, ``superset: ...`` or ``different: ...`` with
the reason ("subset: children among the people"). The resolver reads it
(:func:`reconcile.resolve.frame.prepare_claims`): a subset's figure is a lower
bound on the event's count, a superset's an upper bound, a different measure
says nothing about it; the event lists them as ``scope_mismatch``, never as
conflicts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.text import words
from ..rules.load import Rules, default_rules

__all__ = ["SCOPE_KINDS", "check_scopes", "scope_kind"]

SCOPE_KINDS = ("subset", "superset", "different")


def scope_kind(text: str) -> str:
    """The kind of a ``scope_check`` value ("" when it is not a mismatch).

    >>> scope_kind("subset: children among the people"), scope_kind("")
    ('subset', '')
    """
    head = text.split(":", 1)[0].strip()
    return head if head in SCOPE_KINDS else ""


def _text(claims: pd.DataFrame, column: str) -> pd.Series:
    if column not in claims.columns:
        return pd.Series("", index=claims.index, dtype=object)
    col = claims[column]
    return col.astype(object).where(col.notna(), "").astype(str)


def _mode(ev: np.ndarray, values: np.ndarray, n_events: int) -> np.ndarray:
    """Per event, the most common non-empty value (ties: the smallest; "" when none)."""
    out = np.full(n_events, "", dtype=object)
    has = values != ""
    if not has.any():
        return out
    frame = pd.DataFrame({"ev": ev[has], "v": values[has]})
    counts = frame.value_counts().rename("n").reset_index()
    counts = counts.sort_values(["ev", "n", "v"], ascending=[True, False, True])
    first = counts.drop_duplicates("ev")
    out[first["ev"].to_numpy()] = first["v"].to_numpy()
    return out


def _has_phrase(text: str, phrases: tuple[tuple[str, ...], ...]) -> bool:
    toks = words(text)
    return any(tuple(toks[i:i + len(p)]) == p for p in phrases
               for i in range(len(toks) - len(p) + 1))


def _ancestors(rules: Rules) -> dict[str, tuple[str, ...]]:
    parent = {v.name: v.part_of for v in rules.victims}
    out = {}
    for name in parent:
        chain, cur, seen = [], parent.get(name), {name}
        while cur and cur not in seen:
            chain.append(cur)
            seen.add(cur)
            cur = parent.get(cur)
        out[name] = tuple(chain)
    return out


def _victims(claim: str, event: str, ancestors: dict[str, tuple[str, ...]],
             parts: frozenset[str]) -> tuple[str, str]:
    """(kind, reason) for a claim's victims against its event's."""
    if not claim or not event or claim == event:
        return "", ""

    def part_below(inner: str, outer: str) -> bool:
        # a part group at or above ``inner``, strictly below ``outer``
        chain = (inner, *ancestors.get(inner, ()))
        if outer not in chain:
            return False
        return any(g in parts for g in chain[:chain.index(outer)])

    if part_below(claim, event):
        return "subset", f"{claim} among the {event}"
    if part_below(event, claim):
        return "superset", f"all {claim}; the event counts {event}"
    return "", ""


def _category(claim: str, event: str, contains: dict[str, tuple[str, ...]]) -> tuple[str, str]:
    if not claim or not event or claim == event:
        return "", ""
    if event in contains.get(claim, ()):
        inner = " and ".join(contains[claim])
        return "superset", f"{claim} ({inner}); the event counts {event}"
    if claim in contains.get(event, ()):
        return "subset", f"{claim}; the event counts {event}"
    return "different", f"{claim}; the event counts {event}"


def check_scopes(claims: pd.DataFrame, rules: Rules | None = None,
                 treated: tuple[tuple[str, ...], ...] = ()) -> pd.Series:
    """The ``scope_check`` of every claim of a grouped claims table (needs ``event_id``).

    ``treated``: phrases (token tuples) that say a count is of people treated
    in hospital (``[claims] treated`` of ``rules/sources.toml``). Column-wise;
    a comparison runs once per distinct (claim measure, event measure).
    """
    rules = rules or default_rules()
    out = pd.Series("", index=claims.index, dtype=object)
    if "event_id" not in claims.columns or not len(claims):
        return out
    from ..rules.grouping import grouping_rules_for

    parts = grouping_rules_for(rules).part_groups
    ancestors = _ancestors(rules)
    contains = {c.name: c.contains for c in rules.categories}
    ev, _ = pd.factorize(_text(claims, "event_id"))
    n_events = int(ev.max()) + 1 if len(ev) else 0
    cat = _text(claims, "category").to_numpy(dtype=object)
    vic = _text(claims, "victims").to_numpy(dtype=object)
    scope = _text(claims, "scope").str.lower().replace("", "incident").to_numpy(dtype=object)
    hurt = np.isin(cat, ("injured", "casualties"))
    text = _text(claims, "quote") + " " + _text(claims, "figure") + " " + _text(claims, "hedge")
    is_treated = np.zeros(len(claims), dtype=bool)
    if treated and hurt.any():
        codes, uniques = pd.factorize(text[hurt])
        table = np.array([_has_phrase(u, treated) for u in uniques], dtype=bool)
        is_treated[hurt] = table[codes]
    treat = np.where(hurt, np.where(is_treated, "treated", "all"), "").astype(object)

    e_cat, e_vic = _mode(ev, cat, n_events)[ev], _mode(ev, vic, n_events)[ev]
    e_scope, e_treat = _mode(ev, scope, n_events)[ev], _mode(ev, treat, n_events)[ev]
    start, end = _text(claims, "date_start"), _text(claims, "date_end")
    window = np.where(start.ne("") & end.ne(""), start + "/" + end, "").astype(object)
    e_window = _mode(ev, window, n_events)[ev]
    key = pd.MultiIndex.from_arrays([cat, e_cat, vic, e_vic, scope, e_scope, treat, e_treat,
                                     window, e_window])
    codes, uniques = pd.factorize(key)
    results = []
    for c, ec, v, evv, s, es, t, et, w, ew in uniques:
        found = [_category(c, ec, contains), _victims(v, evv, ancestors, parts)]
        if s != es and w and ew and w != ew:
            (a, b), (ea, eb) = w.split("/"), ew.split("/")
            if s == "cumulative" and a <= ea and eb <= b:
                found.append(("superset", f"a cumulative total over {w}; the event is one "
                                          f"incident ({ew})"))
            elif es == "cumulative" and ea <= a and b <= eb:
                found.append(("subset", f"one incident ({w}); the event is a cumulative "
                                        f"total over {ew}"))
        if t and et and t != et and c == ec:
            found.append(("subset", "treated in hospital; the event counts the injured")
                         if t == "treated" else
                         ("superset", "all the injured; the event counts those treated"))
        found = [f for f in found if f[0]]
        kinds = {k for k, _ in found}
        if not found:
            results.append("")
        elif len(kinds) > 1 or "different" in kinds:
            results.append("different: " + "; ".join(r for _, r in found))
        else:
            results.append(f"{found[0][0]}: " + "; ".join(r for _, r in found))
    out[:] = np.array(results, dtype=object)[codes] if len(results) else ""
    return out
