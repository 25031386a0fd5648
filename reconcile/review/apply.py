"""Review verdicts as inputs to the pipeline: the hooks ``reconcile run --review`` calls.

The pipeline (:func:`reconcile.pipeline.reconcile_claims`) calls these in order:

1. :meth:`ReviewPlan.before_grouping` — claims and sources ``exclude``\\ d
   leave the table before grouping and resolution; ``set-figure`` on a
   claim re-reads its figure (the rules' parser) as if the source had
   written it.
2. :meth:`ReviewPlan.constrain_groups` — the grouping constraints, applied
   to the grouping's ``event_id``: ``merge-with`` moves a claim (or every
   claim of an event) into the named event, ``split`` takes a claim out
   into an event of its own, or splits an event by its claims' stated
   place, dates and event type; ``exclude`` on an event takes its claims
   out before resolution. A grouping stage that takes must-link /
   cannot-link constraints natively can take them from
   :attr:`ReviewPlan.merges` and :attr:`ReviewPlan.splits` instead.
3. :meth:`ReviewPlan.source_priors` — ``trust`` and ``distrust`` as priors
   about sources for the resolver (the resolver's own business how it
   weighs them).
4. :meth:`ReviewPlan.finish` — ``set-figure`` on an event replaces its
   figure (the model's estimate stays in ``basis``), excluded claims come
   back into the claims table with verdict ``excluded`` on the event they
   would have joined, and every verdict is listed in the ``review`` column
   of the events and claims it concerns.

Targets are ids that stay stable across runs: claim ids (the user's, or a
hash of the row's content) and source names. An event id can change when
its claims change; a verdict on an event follows the claims listed in its
``claims`` column when its id is gone. A verdict whose target names
nothing of this run is an error with its line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.parse import NotAFigure, parse_figure
from ..rules.load import Rules
from .verdicts import ALLOWED, ReviewError, Verdict

__all__ = ["EXCLUDED", "ReviewPlan", "plan_review"]

EXCLUDED = "excluded"  # the verdict of a claim a reviewer excluded
TRUST, DISTRUST = "trust", "distrust"


def _short_hash(text: str, prefix: str) -> str:
    return prefix + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def _fold(name: str) -> str:
    return " ".join(str(name).casefold().split())


@dataclass
class ReviewPlan:
    """The verdicts of one review file matched against one run's claims."""

    file: str
    verdicts: tuple[Verdict, ...]
    rules: Rules
    kinds: dict[int, str] = field(default_factory=dict)  # line -> claim/event/source
    names: dict[int, str] = field(default_factory=dict)  # line -> the matched claim id / source
    problems: list[str] = field(default_factory=list)
    bad: set[int] = field(default_factory=set)  # lines with a problem: not applied
    merges: list[tuple[Verdict, str]] = field(default_factory=list)  # (verdict, into event)
    splits: list[Verdict] = field(default_factory=list)

    # -- 1 ---------------------------------------------------------------------------
    def before_grouping(self, claims: pd.DataFrame, rules: Rules
                        ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(claims to group, claims excluded) after claim and source verdicts."""
        out = claims.copy()
        excluded = pd.Series(False, index=out.index)
        ids = out["claim_id"].astype(str)
        src = out["source"].astype(str).map(_fold)
        for v in self.verdicts:
            kind, name = self.kinds.get(v.line), self.names.get(v.line, "")
            if kind == "claim" and v.action == "exclude":
                excluded |= ids.eq(name)
            elif kind == "source" and v.action == "exclude":
                excluded |= src.eq(_fold(name))
            elif kind == "claim" and v.action == "set-figure":
                fig = parse_figure(v.argument, rules)
                if isinstance(fig, NotAFigure):
                    continue  # a problem already (plan_review), raised after grouping
                row = ids.eq(name)
                out.loc[row, "figure"] = fig.text
                out.loc[row, "low"] = fig.low
                out.loc[row, "high"] = pd.NA if fig.high is None else fig.high
                out.loc[row, "anchor"] = pd.NA if fig.anchor is None else fig.anchor
                out.loc[row, "kind"] = fig.kind
        return out[~excluded], out[excluded]

    # -- 2 ---------------------------------------------------------------------------
    def constrain_groups(self, grouped: pd.DataFrame, excluded: pd.DataFrame
                         ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Event verdicts matched against the grouping, then merges, splits and exclusions.

        Returns (claims to resolve, claims excluded so far).
        """
        out = grouped.copy()
        events = set(out["event_id"].astype(str))
        where = dict(zip(out["claim_id"].astype(str), out["event_id"].astype(str), strict=True))
        for v in self.verdicts:
            if self.kinds.get(v.line) is None and v.line not in self.bad:
                self._match_event(v, events, where)
        for v in self.verdicts:
            if v.action == "merge-with":
                into = self._event_of(v.argument, events, where)
                if into is None:
                    self.problems.append(f"{self.file}:{v.line}: verdict: merge-with "
                                         f"{v.argument!r} names no event of this run (nor a "
                                         "claim id whose event it could be)")
                else:
                    self.merges.append((v, into))
            elif v.action == "split" and self.kinds.get(v.line) in ("claim", "event"):
                self.splits.append(v)
            elif v.action == "set-figure" and self.kinds.get(v.line) == "event":
                fig = parse_figure(v.argument, self.rules)
                if isinstance(fig, NotAFigure):
                    self.problems.append(f"{self.file}:{v.line}: verdict: set-figure "
                                         f"{v.argument!r} is not a figure: {fig.reason}")
        self.raise_problems()
        ev = out["event_id"].astype(str).to_numpy(dtype=object).copy()
        ids = out["claim_id"].astype(str).to_numpy(dtype=object)
        renamed: dict[str, str] = {}
        for v, into in self.merges:
            name = self.names[v.line]
            if self.kinds[v.line] == "claim":
                ev[ids == name] = into
            else:
                ev[ev == name] = into
                renamed[name] = into
        for v in self.splits:
            name = self.names[v.line]
            if self.kinds[v.line] == "claim":
                ev[ids == name] = _short_hash("claim:" + name, "s")
                continue
            rows = np.flatnonzero(ev == name)
            key = pd.Series("", index=range(len(rows)), dtype=object)
            for col in ("location", "date_start", "date_end", "event"):
                if col in out:
                    key = key + "\x1f" + out[col].iloc[rows].fillna("").astype(str) \
                        .str.casefold().str.strip().to_numpy()
            if key.nunique() < 2:
                self.problems.append(
                    f"{self.file}:{v.line}: verdict: split of event {name}: its claims agree on "
                    "place, dates and event type, so there is nothing to split it by; name "
                    "the claims to take out (target = a claim id, verdict = split)")
                continue
            ev[rows] = [_short_hash(name + k, "s") for k in key]
        self.raise_problems()
        out["event_id"] = ev
        if "parent_event_id" in out and renamed:
            out["parent_event_id"] = out["parent_event_id"].map(lambda p: renamed.get(p, p))
        gone = pd.Series(False, index=out.index)
        for v in self.verdicts:
            if v.action == "exclude" and self.kinds.get(v.line) == "event":
                gone |= out["event_id"].astype(str).eq(self.names[v.line])
        return out[~gone], pd.concat([excluded, out[gone]]) if gone.any() else excluded

    def _event_of(self, ref: str, events: set[str], where: dict[str, str]) -> str | None:
        ref = ref.removeprefix("event:").removeprefix("claim:").strip()
        if ref in events:
            return ref
        return where.get(ref)

    def _match_event(self, v: Verdict, events: set[str], where: dict[str, str]) -> None:
        if v.target in events:
            self.kinds[v.line], self.names[v.line] = "event", v.target
            return
        held = [where[c] for c in v.claims if c in where]
        if held:
            # the event id changed (its claims changed): follow most of its claims
            top = pd.Series(held).value_counts()
            self.kinds[v.line], self.names[v.line] = "event", str(top.index[0])
            return
        hint = " (its id may have changed: list its claim ids in the claims column so the " \
            "verdict can follow them)" if v.kind == "event" or v.target.startswith("e") else ""
        self.problems.append(f"{self.file}:{v.line}: target: {v.target!r} names no claim, "
                             f"event or source of this run{hint}")

    # -- 3 ---------------------------------------------------------------------------
    def source_priors(self) -> dict[str, str]:
        """``{source: "trust" | "distrust"}``: what the reviewer says of each source."""
        return {self.names[v.line]: v.action for v in self.verdicts
                if v.action in (TRUST, DISTRUST) and v.line in self.names}

    # -- 4 ---------------------------------------------------------------------------
    def finish(self, events: pd.DataFrame, claims: pd.DataFrame, excluded: pd.DataFrame,
               place: Callable[[pd.DataFrame], pd.Series] | None = None
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Events and claims with the verdicts written in: set figures, excluded claims
        (verdict ``excluded``, on the event ``place`` puts them in), ``review`` columns."""
        events = events.copy()
        claims = claims.copy()
        if len(excluded):
            back = excluded.copy()
            if "event_id" not in back:
                back["event_id"] = pd.NA
            missing = back["event_id"].isna()
            if missing.any():
                back.loc[missing, "event_id"] = place(back[missing]) if place is not None else ""
            back["verdict"] = EXCLUDED
            for col in ("weight", "distance"):
                if col in claims:
                    back[col] = 0.0
            claims = pd.concat([claims, back], ignore_index=True)
        ev_ids = events["event_id"].astype(str)
        for v in self.verdicts:
            if v.action == "set-figure" and self.kinds.get(v.line) == "event":
                self._set_event_figure(events, ev_ids.eq(self.names[v.line]), v)
        # the review column: every verdict that concerns the row
        claim_notes: dict[str, list[str]] = {}
        source_notes: dict[str, list[str]] = {}
        event_notes: dict[str, list[str]] = {}
        for v in self.verdicts:
            kind, name = self.kinds.get(v.line), self.names.get(v.line, "")
            if kind == "claim":
                claim_notes.setdefault(name, []).append(v.label)
            elif kind == "source":
                source_notes.setdefault(_fold(name), []).append(f"source {name}: {v.label}")
            elif kind == "event":
                event_notes.setdefault(name, []).append(v.label)
        for v, into in self.merges:  # a merge also concerns the event merged into
            if self.kinds[v.line] == "event" and self.names[v.line] != into:
                event_notes.setdefault(into, []).append(
                    f"event {self.names[v.line]} merged in: {v.label}")
        cid = claims["claim_id"].astype(str)
        src = claims["source"].astype(str).map(_fold)
        claims["review"] = [
            " | ".join(claim_notes.get(c, []) + source_notes.get(s, []))
            for c, s in zip(cid, src, strict=True)]
        per_event: dict[str, list[str]] = {}
        for e, c, s in zip(claims["event_id"].astype(str), cid, src, strict=True):
            notes = [f"claim {c}: {t}" for t in claim_notes.get(c, [])] + source_notes.get(s, [])
            if notes:
                per_event.setdefault(e, []).extend(notes)
        events["review"] = [
            " | ".join(dict.fromkeys(event_notes.get(e, []) + per_event.get(e, [])))
            for e in ev_ids]
        return events, claims

    def _set_event_figure(self, events: pd.DataFrame, row: pd.Series, v: Verdict) -> None:
        fig = parse_figure(v.argument, self.rules)
        if isinstance(fig, NotAFigure) or not row.any():
            return
        before = events.loc[row].iloc[0]
        old = f"{before.get('best')} [{before.get('low')}, " \
            f"{'' if pd.isna(before.get('high')) else before.get('high')}]"
        best = fig.anchor if fig.anchor is not None else fig.low
        events.loc[row, "low"] = fig.low
        events.loc[row, "best"] = max(fig.low, min(best, fig.high if fig.high is not None
                                                   else best))
        events.loc[row, "high"] = pd.NA if fig.high is None else fig.high
        events.loc[row, "confidence"] = np.nan
        note = (f"Set by a reviewer: {v.label}; the estimate from the claims was {old}.")
        if "basis" in events:
            events.loc[row, "basis"] = note
        else:
            events["basis"] = np.where(row, note, "")

    def raise_problems(self) -> None:
        """:class:`ReviewError` listing every problem found so far, if any."""
        if self.problems:
            raise ReviewError(self.file, list(dict.fromkeys(self.problems)))


def plan_review(file: str, verdicts: tuple[Verdict, ...], claims: pd.DataFrame,
                rules: Rules, problems: list[str] | None = None) -> ReviewPlan:
    """Match each verdict's target against the loaded claims (claim ids, sources).

    Event targets are matched after grouping (:meth:`ReviewPlan.constrain_groups`),
    which raises every problem found (``problems`` brings those of reading
    the file): a target that names nothing of the run, a verdict on the
    wrong kind of target, two figures set for one target, a figure that
    cannot be read.
    """
    plan = ReviewPlan(file, verdicts, rules, problems=list(problems or []))
    ids = set(claims["claim_id"].astype(str))
    sources = {_fold(s): s for s in claims["source"].astype(str).unique()}
    figures: dict[str, int] = {}
    for v in verdicts:
        as_claim = v.target in ids and v.kind in (None, "claim")
        as_source = _fold(v.target) in sources and v.kind in (None, "source")
        if as_claim and as_source:
            plan.problems.append(f"{file}:{v.line}: target: {v.target!r} is both a claim id "
                                 f"and a source; write claim:{v.target} or source:{v.target}")
            plan.bad.add(v.line)
            continue
        kind = "claim" if as_claim else "source" if as_source else None
        if kind is None and v.kind in ("claim", "source"):
            plan.problems.append(f"{file}:{v.line}: target: no {v.kind} {v.target!r} in this run")
            plan.bad.add(v.line)
            continue
        if kind is None:
            continue  # an event, matched after grouping
        if kind not in ALLOWED[v.action]:
            fix = {"trust": "name its source", "distrust": "name its source"}.get(
                v.action, f"name a {' or '.join(ALLOWED[v.action])}")
            plan.problems.append(f"{file}:{v.line}: verdict: {v.action} names a "
                                 f"{' or '.join(ALLOWED[v.action])}, and {v.target!r} is a "
                                 f"{kind}; {fix}")
            plan.bad.add(v.line)
            continue
        plan.kinds[v.line] = kind
        plan.names[v.line] = sources[_fold(v.target)] if kind == "source" else v.target
        if v.action == "set-figure":
            if v.target in figures:
                plan.problems.append(f"{file}:{v.line}: verdict: a second set-figure for "
                                     f"{v.target!r} (the first is on line {figures[v.target]})")
            figures[v.target] = v.line
            fig = parse_figure(v.argument, rules)
            if isinstance(fig, NotAFigure):
                plan.problems.append(f"{file}:{v.line}: verdict: set-figure {v.argument!r} is "
                                     f"not a figure: {fig.reason}")
                plan.kinds.pop(v.line)
                plan.bad.add(v.line)
    return plan
