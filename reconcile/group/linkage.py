"""Fellegi–Sunter match weights, estimated by expectation maximisation (as Splink does).

A pair's comparison levels are treated as independent given whether the
pair is a match. Each level has ``m`` (its probability among matching
pairs) and ``u`` (among non-matching pairs); the pair's match weight is
``log2(prior / (1 - prior)) + sum(log2(m / u))`` over the levels it falls
in, a blank field adding nothing. As Splink does, ``u`` is estimated apart
from pairs that are not matches (here: pairs of nearby claims that name two
event types, or two towns, which a veto keeps apart: each such set serves
the comparisons it was not chosen by), and EM estimates ``m`` and the prior
from the candidate pairs, starting at (and regularised towards) the priors
in ``rules/grouping.toml``: ``prior_strength`` pseudo-pairs of prior belief
are added to every update, so a handful of claims stay near the priors and a
large input speaks for itself. Fixing ``u`` keeps EM from settling on
another split of the candidates (repeats of one report against the rest).

EM runs over distinct comparison patterns with their counts (a million
candidate pairs have a few thousand patterns), so each iteration costs
microseconds. Training is global: the engine trains once, then scores every
block with the same weights, so the result does not depend on how blocks
are spread over partitions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..rules.grouping import GroupingRules

__all__ = ["LinkageModel", "estimate_model", "estimate_u", "prior_model"]


@dataclass(frozen=True)
class LinkageModel:
    """Learnt m and u per comparison level, and the prior match share of candidates."""

    names: tuple[str, ...]  # comparison names
    levels: tuple[tuple[str, ...], ...]  # level names per comparison
    m: tuple[np.ndarray, ...]
    u: tuple[np.ndarray, ...]
    prior: float
    iterations: int = 0
    converged: bool = True
    pairs: int = 0  # training pairs

    def weights(self) -> tuple[np.ndarray, ...]:
        """log2(m / u) per level, per comparison."""
        return tuple(np.log2(m / u) for m, u in zip(self.m, self.u, strict=True))

    def score(self, gamma: np.ndarray) -> np.ndarray:
        """Match weight (log2 odds, prior included) of pairs with levels ``gamma``.

        Each distinct comparison pattern is scored once: the pattern's code
        (levels as digits, a blank as 0) indexes a table of every pattern's
        weight, a few thousand entries, so a pair costs one lookup.
        """
        code = np.zeros(len(gamma), np.int32)
        for c, levels in enumerate(self.levels):
            code *= len(levels) + 1
            code += gamma[:, c].astype(np.int32) + 1
        return self.pattern_weights()[code]

    def pattern_weights(self) -> np.ndarray:
        """The weight of every pattern, indexed as :meth:`score` codes them."""
        table = np.full(1, np.log2(self.prior / (1 - self.prior)))
        for w in self.weights():
            table = (table[:, None] + np.r_[0.0, w][None, :]).reshape(-1)
        return table

    def table(self) -> pd.DataFrame:
        """One row per comparison level: m, u and the weight log2(m/u)."""
        rows = []
        for name, levels, m, u in zip(self.names, self.levels, self.m, self.u, strict=True):
            for k, level in enumerate(levels):
                rows.append({"comparison": name, "level": level, "m": float(m[k]),
                             "u": float(u[k]), "weight": float(np.log2(m[k] / u[k]))})
        return pd.DataFrame(rows, columns=["comparison", "level", "m", "u", "weight"])


def prior_model(grules: GroupingRules) -> LinkageModel:
    """The model as ``rules/grouping.toml`` states it, before any data."""
    comps = grules.comparisons
    return LinkageModel(
        names=tuple(c.name for c in comps),
        levels=tuple(tuple(lv.name for lv in c.levels) for c in comps),
        m=tuple(np.array([lv.m for lv in c.levels]) / sum(lv.m for lv in c.levels)
                for c in comps),
        u=tuple(np.array([lv.u for lv in c.levels]) / sum(lv.u for lv in c.levels)
                for c in comps),
        prior=grules.prior)


def estimate_u(gammas: list[np.ndarray], grules: GroupingRules) -> tuple[np.ndarray, ...]:
    """u per level from pairs known not to match, one pair set per comparison.

    ``gammas[c]`` are the levels of pairs that are certainly different events
    for a reason other than comparison ``c`` (two event types for the place
    comparison, two towns for the event comparison): among them, comparison
    ``c`` falls as it does among non-matches. The priors add
    ``prior_strength`` pseudo-pairs.
    """
    model = prior_model(grules)
    out = []
    for c, u0 in enumerate(model.u):
        g = gammas[c][:, c] if len(gammas[c]) else np.zeros(0, np.int64)
        g = g[g >= 0]
        counts = np.bincount(g.astype(np.int64), minlength=len(u0)).astype(float)
        su = counts + grules.prior_strength * u0
        out.append(np.maximum(su / su.sum(), 1e-6))
    return tuple(out)


def estimate_model(gamma: np.ndarray, grules: GroupingRules,
                   counts: np.ndarray | None = None,
                   u_fixed: tuple[np.ndarray, ...] | None = None,
                   known_different: np.ndarray | None = None) -> LinkageModel:
    """EM estimates of m, u and the prior from candidate pairs' levels ``gamma``.

    Parameters
    ----------
    gamma : int8 array (pairs, comparisons)
        Levels from :func:`reconcile.group.compare.compare_pairs` (-1 blank).
    grules : GroupingRules
        Priors, their strength, iterations and tolerance.
    counts : array, optional
        How many pairs each row of ``gamma`` stands for (default one each).
    u_fixed : arrays, optional
        u per level, estimated apart (:func:`estimate_u`, as Splink estimates
        u from random pairs); EM then estimates m and the prior only.
    known_different : bool array, optional
        Pairs known to be different events (a veto forbids them): their
        match probability is 0 in every E step, so they anchor the
        non-match class and never pull m towards them.

    Notes
    -----
    Patterns are made unique first; each iteration is O(patterns x
    comparisons). Deterministic: the same pairs give the same model,
    whatever their order.
    """
    model = prior_model(grules)
    if len(gamma) == 0:
        return model
    width = np.array([len(lv) + 1 for lv in model.levels], dtype=np.int64)
    code = np.zeros(len(gamma), np.int64)
    for c in range(gamma.shape[1]):
        code = code * width[c] + (gamma[:, c].astype(np.int64) + 1)
    if known_different is not None:
        code = code * 2 + known_different.astype(np.int64)
    weights = np.ones(len(gamma)) if counts is None else counts.astype(float)
    uniq, inv = np.unique(code, return_inverse=True)
    n_p = np.bincount(inv.reshape(-1), weights=weights, minlength=len(uniq))
    pat = np.zeros((len(uniq), gamma.shape[1]), np.int64)
    rest = uniq.copy()
    apart = np.zeros(len(uniq), bool)
    if known_different is not None:
        apart = (rest % 2).astype(bool)
        rest //= 2
    for c in range(gamma.shape[1] - 1, -1, -1):
        pat[:, c] = rest % width[c] - 1
        rest //= width[c]
    alpha = grules.prior_strength
    m0 = [x.copy() for x in model.m]
    u0 = [x.copy() for x in model.u]
    m = [x.copy() for x in m0]
    u = [x.copy() for x in (u_fixed if u_fixed is not None else u0)]
    lam = model.prior
    total = float(n_p.sum())
    converged = False
    it = 0
    while it < grules.em_iterations:
        it += 1
        log_m = np.zeros(len(uniq))
        log_u = np.zeros(len(uniq))
        for c in range(pat.shape[1]):
            g = pat[:, c]
            known = g >= 0
            log_m[known] += np.log(m[c][g[known]])
            log_u[known] += np.log(u[c][g[known]])
        odds = np.log(lam) - np.log1p(-lam) + log_m - log_u
        r = np.where(apart, 0.0, 1.0 / (1.0 + np.exp(-np.clip(odds, -50, 50))))
        wm = n_p * r
        wu = n_p * (1 - r)
        new_m, new_u = [], []
        for c in range(pat.shape[1]):
            g = pat[:, c]
            known = g >= 0
            k = len(m[c])
            sm = np.bincount(g[known], weights=wm[known], minlength=k) + alpha * m0[c]
            su = np.bincount(g[known], weights=wu[known], minlength=k) + alpha * u0[c]
            new_m.append(np.maximum(sm / sm.sum(), 1e-6))
            new_u.append(u[c] if u_fixed is not None else np.maximum(su / su.sum(), 1e-6))
        new_lam = float(np.clip((wm.sum() + alpha * model.prior) / (total + alpha), 1e-4, 0.999))
        delta = max(max(float(np.abs(a - b).max()) for a, b in zip(new_m, m, strict=True)),
                    max(float(np.abs(a - b).max()) for a, b in zip(new_u, u, strict=True)),
                    abs(new_lam - lam))
        m, u, lam = new_m, new_u, new_lam
        if delta < grules.em_tolerance:
            converged = True
            break
    return LinkageModel(model.names, model.levels, tuple(m), tuple(u), lam, it, converged,
                        int(total))
