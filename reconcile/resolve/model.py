"""The per-event posterior over the true count, and what EM learns across events.

A claim ``c`` by source ``s`` is read as a noisy statement about the count
known when it was made (see ``docs/resolve.md``)::

    log(stated_c) = log(T_e) + gamma_c + b_s + eps_c,    eps_c ~ Logistic(0, sigma_s [* kappa if hedged])

- ``T_e`` is the event's final count, on a grid of candidate integers;
- ``gamma_c`` is an offset drawn from a mixture learnt per kind of figure and
  age of the report: 0 ("complete"), or below 0 for a count still growing or
  a lower bound ("at least 25": the truth is usually above), above 0 for an
  upper bound. A final or confirmed count takes 0;
- ``b_s`` and ``sigma_s`` are the source's bias and noise, learnt;
- the claim's stated interval is censored: an exact "312" is the mass of
  [311.5, 312.5], "about 60" the mass of [53.5, 66.5], "dozens" of [23.5, 99.5];
- with probability ``omega_s`` (learnt per source: how often its figures are
  wild) a figure is an outlier (uniform on the log scale): one wild figure
  cannot drag an event, and a source often wrong elsewhere loses ties;
- a claim of 0 (a denial) has its own likelihood: 1 when ``T = 0``, the
  speaker's learnt false-denial rate otherwise; a positive count at ``T = 0``
  has likelihood ``FABRICATION``.

The posterior of an event is its prior (learnt per category and scope) times
the product of its claims' likelihoods, each raised to the claim's weight
(one voice per independent source; see :mod:`.dependence`). Everything is a
segment operation over (claim, grid point) pairs, column-wise per block.

:func:`update_sources` is the M-step: the small global reduce from summed
statistics to new parameters, with shrinkage toward the sources' priors and
the population (CATD's point: a source with three figures is neither trusted
nor distrusted on three figures).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace

import numpy as np

from ..rules.sources import SourcePriors
from .frame import FAMILY_OF_CLASS, KIND_CLASSES, N_AGE, Prepared

__all__ = [
    "COMPONENTS",
    "Options",
    "SourceParams",
    "Stats",
    "initial_params",
    "update_sources",
]

LOGISTIC = math.sqrt(3.0) / math.pi  # logistic scale per unit of standard deviation
LOG_RANGE = math.log(2e6)  # span of the outlier's uniform density on the log scale
MAX_K = 5
OUTLIER = 0.03  # where every source's outlier share starts
MAX_STRATUM = 8  # strata of activity: sources shrink toward sources as active as they are
EXACT = 0.2  # where every source's exactness starts (the share of its complete figures it states exactly)

# Offsets per family: "two" (a figure for the count known then), "down" (a lower
# bound), "up" (an upper bound). Each component is a point offset ``gamma`` with
# its own spread ``tau`` (on top of the source's noise), or, where ``flat`` is
# set, an offset spread evenly over [gamma, tau]: "at least 7" may come from an
# early count of a toll that ended anywhere far above. Component 0 is "complete".
COMPONENTS = {
    0: ((0.0, -0.15, -0.5), (0.0, 0.08, 0.2), (0.8, 0.12, 0.08), (False, False, False)),
    1: ((0.0, -0.15, -0.4, -0.8, -3.0), (0.0, 0.08, 0.12, 0.2, 0.0),
        (0.3, 0.2, 0.2, 0.15, 0.15), (False, False, False, False, True)),
    2: ((0.0, 0.15, 0.4, 0.8, 0.0), (0.0, 0.08, 0.12, 0.2, 3.0), (0.2, 0.25, 0.2, 0.15, 0.2),
        (False, False, False, False, True)),
}
# Kinds whose interval is the statement ("about 60", "20 to 30", "dozens") get a
# scale of their own on top of their source's noise, learnt by a local search
# over these factors of the current value (a generalised EM step).
SCALE_STEPS = (0.64, 0.8, 1.0, 1.25, 1.5625)

SCALED_CLASSES = (3, 4, 5)
UNDATED_TWO = (0.94, 0.04, 0.02)
N_FAMILY_K = {f: len(v[0]) for f, v in COMPONENTS.items()}

# The prior over log T: a histogram on fixed bins, per prior group.
PRIOR_STEP = 0.25
PRIOR_SMOOTH = 0.5  # the learnt prior is smoothed by a normal kernel this wide (log scale)
PRIOR_EDGES = np.arange(0.0, math.log(1e10) + PRIOR_STEP, PRIOR_STEP)
N_PRIOR = len(PRIOR_EDGES)


@dataclass(frozen=True)
class Options:
    """How to resolve. The defaults are the engine; the switches are the bench's ablations.

    ``level``: the credible level of ``[low, high]``. ``dependence``, ``growth``,
    ``learn_bias``, ``shrinkage``: parts of the model that can be turned off.
    ``max_iter``: EM rounds. ``em_claims``: EM is fitted on the claims of
    multi-source events, at most this many (a deterministic sample of events
    beyond). ``block_claims``: claims per block. ``grid_step``: spacing of the
    grid of candidate counts on the log scale. ``snap``: when a stated number
    lies in the posterior's middle half, best is that number (the densest one).
    ``exactness``: learn per source how often its exact figures are the count
    itself. ``shared_error``: the correlation ``rho`` of the errors of one
    event's sources in the final pass (the event's claims weigh
    ``1 / (1 + (W - 1) rho)`` of their likelihood, ``W`` its independent
    weight; 0 treats them as independent). ``workers``: threads of the local
    engine's map over blocks (results do not depend on it).
    """

    level: float = 0.8
    dependence: bool = True
    growth: bool = True
    learn_bias: bool = True
    shrinkage: bool = True
    max_iter: int = 8
    tol: float = 0.003
    em_claims: int = 50_000
    block_claims: int = 50_000
    grid_step: float = 0.08
    max_points: int = 40
    snap: bool = True
    exactness: bool = True
    shared_error: float = 0.2
    workers: int = field(default_factory=lambda: min(4, os.cpu_count() or 1))

    def __post_init__(self) -> None:
        if not 0.0 < self.level < 1.0:
            raise ValueError(f"level must lie strictly between 0 and 1, got {self.level!r}")
        if not 0.0 <= self.shared_error <= 1.0:
            raise ValueError(f"shared_error must lie in [0, 1], got {self.shared_error!r}")


def _base_prior() -> np.ndarray:
    """A broad log-scale prior: any count from one to millions, most below a thousand."""
    centre = np.log(20.0)
    x = PRIOR_EDGES
    dens = np.exp(-0.5 * ((x - centre) / 4.0) ** 2) + 0.002
    return np.log(dens / dens.sum() / PRIOR_STEP)


@dataclass(eq=False)
class SourceParams:
    """The global state EM learns: small, broadcast to every block.

    Per source: ``bias`` (log scale), ``noise`` (standard deviation on the log
    scale), ``false_denial`` (probability it denies when people did die),
    ``exact`` (the share of its complete exact figures that state the count
    itself, not a noisy reading of it), ``outlier`` (the share that are wild).
    Global: ``offsets[class, age, k]`` (mixture weights of the offsets),
    ``hedge_scale``, ``outlier``, ``log_prior[group, bin]`` (log density over
    log T), ``p_zero`` (prior mass at 0 in events with a denial).
    """

    bias: np.ndarray
    noise: np.ndarray
    false_denial: np.ndarray
    offsets: np.ndarray
    hedge_scale: float
    outlier: np.ndarray
    log_prior: np.ndarray
    class_scale: np.ndarray = field(default_factory=lambda: np.ones(6))
    exact: np.ndarray = field(default_factory=lambda: np.zeros(0))
    p_zero: float = 0.5
    # Priors kept for the M-step.
    prior_bias: np.ndarray = field(default_factory=lambda: np.zeros(0))
    prior_noise: np.ndarray = field(default_factory=lambda: np.zeros(0))
    prior_strength: np.ndarray = field(default_factory=lambda: np.zeros(0))
    prior_false_denial: np.ndarray = field(default_factory=lambda: np.zeros(0))
    prior_class_scale: np.ndarray = field(default_factory=lambda: np.ones(6))
    # Per source: its exactness prior from sources.toml (NaN: none, learn freely).
    prior_exact: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # Per source: its stratum of activity (log2 of its number of claims in the input).
    activity: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    iterations: int = 0

    def distance(self, other: SourceParams) -> float:
        """Largest change of a source's bias or noise between two rounds."""
        if not len(self.bias):
            return 0.0
        return float(max(np.max(np.abs(self.bias - other.bias)),
                         np.max(np.abs(self.noise - other.noise))))


def default_offsets(growth: bool = True) -> np.ndarray:
    """Where the offset mixtures start (and are shrunk toward): each family's defaults;
    an undated figure of a count is read as complete more often (nothing says it was
    early), a bound keeps its spread."""
    table = np.zeros((len(KIND_CLASSES), N_AGE, MAX_K))
    for cls in range(len(KIND_CLASSES)):
        fam = int(FAMILY_OF_CLASS[cls])
        w = np.array(COMPONENTS[fam][2]) if growth else np.eye(1, N_FAMILY_K[fam])[0]
        table[cls, :, :len(w)] = w
        if growth and fam == 0:
            table[cls, N_AGE - 1, :len(w)] = UNDATED_TWO
    return table


def initial_params(p: Prepared, priors: SourcePriors, options: Options) -> SourceParams:
    """Where EM starts: every source at its prior (sources.toml, else the defaults)."""
    S = p.n_sources
    bias = np.full(S, math.log(priors.bias))
    noise = np.full(S, priors.noise)
    strength = np.full(S, priors.strength)
    false_denial = np.full(S, 1.0 - priors.denial)
    prior_exact = np.full(S, np.nan)
    for i, sid in enumerate(p.source_ids):
        row = priors.lookup(str(sid))
        if row is None:
            continue
        if row.bias is not None:
            bias[i] = math.log(row.bias)
        if row.noise is not None:
            noise[i] = row.noise
        if row.strength is not None:
            strength[i] = row.strength
        if row.exact is not None:
            prior_exact[i] = row.exact
        if row.denial is not None:
            false_denial[i] = 1.0 - row.denial
        elif row.party:
            false_denial[i] = 1.0 - priors.party_denial
    if not options.learn_bias:
        bias = np.zeros(S)
    n_groups = max(len(p.prior_groups), 1)
    log_prior = np.tile(_base_prior(), (n_groups, 1))
    class_scale = np.ones(len(KIND_CLASSES))
    class_scale[5] = priors.vague_scale
    return SourceParams(
        bias=bias, noise=noise, false_denial=false_denial,
        offsets=default_offsets(options.growth), hedge_scale=priors.hedge_scale,
        outlier=np.full(S, OUTLIER),
        exact=np.where(np.isnan(prior_exact), EXACT, prior_exact) if options.exactness
        else np.zeros(S),
        log_prior=log_prior, class_scale=class_scale, prior_bias=bias.copy(),
        prior_noise=noise.copy(), prior_strength=strength,
        prior_false_denial=false_denial.copy(), prior_class_scale=class_scale.copy(),
        prior_exact=prior_exact,
        activity=_activity(np.bincount(p.src, minlength=S)))


def _activity(n_claims: np.ndarray) -> np.ndarray:
    """A source's stratum of activity: 0 for one claim, 1 for two or three, ... up to 8."""
    return np.clip(np.floor(np.log2(np.maximum(n_claims, 1))), 0, MAX_STRATUM).astype(np.int64)


# ---------------------------------------------------------------------------- statistics


@dataclass(eq=False)
class Stats:
    """Sufficient statistics of one E-step over one block; blocks add up.

    Per source: ``n0, s1, s2`` (weight, residual sum, squared residual sum of
    its plain figures read as complete), ``h0, h2`` (the same for hedged
    figures, squared residual over the source's variance), ``z0, z1``
    (denials and their weight of being false), ``x_num, x_den`` (complete exact
    figures stating the count itself, out of complete exact figures). Global: ``comp[class, age, k]``
    (offset responsibilities), ``out_num, out_den`` (outlier share),
    ``hist[group, bin]`` (posterior mass over log T), ``q_scale[class, step]``
    (expected log-likelihood of the interval kinds at each candidate scale).
    """

    n0: np.ndarray
    s1: np.ndarray
    s2: np.ndarray
    h0: np.ndarray
    h2: np.ndarray
    z0: np.ndarray
    z1: np.ndarray
    comp: np.ndarray
    out_num: np.ndarray
    out_den: np.ndarray
    hist: np.ndarray
    q_scale: np.ndarray
    x_num: np.ndarray
    x_den: np.ndarray

    @classmethod
    def zeros(cls, n_sources: int, n_groups: int) -> Stats:
        z = np.zeros(n_sources)
        return cls(z.copy(), z.copy(), z.copy(), z.copy(), z.copy(), z.copy(), z.copy(),
                   np.zeros((len(KIND_CLASSES), N_AGE, MAX_K)), z.copy(), z.copy(),
                   np.zeros((max(n_groups, 1), N_PRIOR)),
                   np.zeros((len(KIND_CLASSES), len(SCALE_STEPS))), z.copy(), z.copy())

    def __add__(self, other: Stats) -> Stats:
        return Stats(*(a + b for a, b in zip(self.arrays(), other.arrays(), strict=True)))

    def arrays(self) -> tuple:
        return (self.n0, self.s1, self.s2, self.h0, self.h2, self.z0, self.z1, self.comp,
                self.out_num, self.out_den, self.hist, self.q_scale, self.x_num, self.x_den)


def _weighted_median(x: np.ndarray, w: np.ndarray) -> float:
    """The value below which half the weight lies (0 when there is no weight)."""
    if not len(x) or not w.sum() > 0:
        return 0.0
    order = np.argsort(x, kind="stable")
    cw = np.cumsum(w[order])
    return float(x[order][np.searchsorted(cw, 0.5 * cw[-1])])


def _source_mean(num: np.ndarray, den: np.ndarray, prior: float, k: float, lo: float,
                 hi: float) -> float:
    """The rate of a typical source: each source's own rate, weighted by ``den / (den + k)``
    (a source with many figures counts once, one with a single figure far less), with
    ``prior`` worth a few sources. What a source the data say little about is shrunk to:
    pooling figures instead would let a few prolific sources speak for everyone."""
    has = den > 0
    w = den[has] / (den[has] + k)
    rate = num[has] / den[has]
    return float(np.clip((np.sum(w * rate) + 3.0 * prior) / (np.sum(w) + 3.0), lo, hi))


def _stratum_means(num: np.ndarray, den: np.ndarray, stratum: np.ndarray, prior: float,
                   k: float, lo: float, hi: float) -> np.ndarray:
    """Per source, the rate of a typical source as active as it is (see :func:`_source_mean`),
    each stratum's rate shrunk toward the typical source's: what a source that says little
    is shrunk to is learnt from other sources that say little (a hierarchical prior)."""
    overall = _source_mean(num, den, prior, k, lo, hi)
    if not len(stratum):
        return np.full(len(num), overall)
    means = np.array([_source_mean(num[stratum == s], den[stratum == s], overall, k, lo, hi)
                      for s in range(MAX_STRATUM + 1)])
    return means[stratum]


def update_sources(stats: Stats, params: SourceParams, options: Options) -> SourceParams:
    """The M-step: new source parameters from the summed statistics of every block.

    Each source's noise is a posterior mean under a scaled inverse-chi-square
    prior of ``strength`` pseudo-figures at its prior noise, pulled toward the
    population's pooled noise; its bias a normal posterior mean with the same
    pseudo-count. Offsets, outlier share and hedge scale are global and
    smoothed by a few dozen pseudo-figures; the prior over counts is the
    pooled posterior mass, smoothed.
    """
    strength = params.prior_strength if options.shrinkage else np.full_like(
        params.prior_strength, 1e-3)
    n0 = stats.n0
    # Population noise: pooled over every source, each source's data counting.
    pooled_n = float(n0.sum())
    b_hat = np.where(n0 > 0, stats.s1 / np.maximum(n0, 1e-12), 0.0)
    if options.learn_bias:
        bias = (stats.s1 + strength * params.prior_bias) / (n0 + strength + 1e-12)
        # Bias is relative: the same counts fit if every source's bias moves together.
        # Pin it so that the typical source, by the weight of its figures, is unbiased.
        bias = bias - _weighted_median(bias - params.prior_bias, n0)
    else:
        bias = np.zeros_like(params.bias)
    sse = np.maximum(stats.s2 - 2 * bias * stats.s1 + bias ** 2 * n0, 0.0)
    # The population's noise: pooled over every source, the prior worth 20 figures.
    pooled_sse = float(np.maximum(stats.s2 - 2 * b_hat * stats.s1 + b_hat ** 2 * n0, 0).sum())
    pop_var = (pooled_sse + 20.0 * params.prior_noise ** 2) / (pooled_n + 20.0)
    noise = np.sqrt((strength * pop_var + sse) / (strength + n0 + 1e-12))
    noise = np.clip(noise, 0.01, 3.0)

    # Hedged figures: how many times noisier than their source's plain ones.
    k0 = 30.0 if options.shrinkage else 1e-3
    h0 = float(stats.h0.sum())
    kappa2 = (float(stats.h2.sum()) + k0 * params.hedge_scale ** 2) / (h0 + k0)
    hedge_scale = float(np.clip(math.sqrt(kappa2), 1.0, 10.0))

    # Offsets per (class, age): responsibilities smoothed toward the class's default.
    alpha = 30.0 if options.shrinkage else 1e-3
    base = default_offsets(options.growth)
    comp = stats.comp
    offsets = (comp + alpha * base) / (comp.sum(axis=2, keepdims=True) + alpha)
    if not options.growth:
        offsets = base

    # Outlier share: per source, shrunk toward the population's by 2 x strength pseudo-figures.
    k_out = 2 * strength
    k_typical = 2 * float(np.median(strength)) if len(strength) else 8.0
    pooled = _stratum_means(stats.out_num, stats.out_den, params.activity, OUTLIER, k_typical,
                            0.002, 0.3)
    outlier = np.clip((stats.out_num + k_out * pooled) / (stats.out_den + k_out + 1e-12),
                      0.002, 0.5)

    # Prior over log T: pooled posterior mass, smoothed, with the broad prior as a floor.
    base_prior = np.exp(_base_prior()) * PRIOR_STEP
    hist = stats.hist
    kernel = np.exp(-0.5 * (np.arange(-6, 7) * PRIOR_STEP / PRIOR_SMOOTH) ** 2)
    kernel /= kernel.sum()
    smooth = np.apply_along_axis(lambda h: np.convolve(h, kernel, mode="same"), 1, hist)
    total = smooth.sum(axis=1, keepdims=True)
    beta = 30.0
    mass = (smooth + beta * base_prior[None, :]) / (total + beta)
    log_prior = np.log(mass / PRIOR_STEP)

    # Exactness: per source, shrunk toward the population's like the outlier share.
    if options.exactness:
        pooled_x = _stratum_means(stats.x_num, stats.x_den, params.activity, EXACT, k_typical,
                                  0.01, 0.95)
        exact = np.clip((stats.x_num + k_out * pooled_x) / (stats.x_den + k_out + 1e-12),
                        0.001, 0.98)
        # A source with an exactness prior (a reviewer's distrust) is held near it by
        # its strength, as its noise is.
        held = ~np.isnan(params.prior_exact) if len(params.prior_exact) == len(exact) \
            else np.zeros(len(exact), bool)
        exact[held] = np.clip(
            (stats.x_num[held] + strength[held] * params.prior_exact[held])
            / (stats.x_den[held] + strength[held] + 1e-12), 0.0, 0.98)
    else:
        exact = np.zeros_like(params.exact)

    false_denial = (stats.z1 + strength * params.prior_false_denial) / (stats.z0 + strength + 1e-12)
    false_denial = np.clip(false_denial, 0.01, 0.99)

    # Interval kinds: the candidate scale with the best expected log-likelihood, a
    # normal prior (sd 0.3 on the log scale) around the kind's prior scale.
    class_scale = params.class_scale.copy()
    steps = np.array(SCALE_STEPS)
    for cls in SCALED_CLASSES:
        q = stats.q_scale[cls]
        if not np.any(q):
            continue
        cand = params.class_scale[cls] * steps
        sd = 0.3 if options.shrinkage else 30.0
        penalty = -0.5 * ((np.log(cand) - np.log(params.prior_class_scale[cls])) / sd) ** 2
        class_scale[cls] = float(np.clip(cand[int(np.argmax(q + penalty))], 0.2, 10.0))

    return replace(params, bias=bias, noise=noise, hedge_scale=hedge_scale, offsets=offsets,
                   outlier=outlier, log_prior=log_prior, false_denial=false_denial,
                   class_scale=class_scale, exact=exact, iterations=params.iterations + 1)
