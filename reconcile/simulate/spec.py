"""What world to simulate: the spec, the scenarios and the world returned."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = ["MALFORMED_SHARE", "SCENARIOS", "SCENARIO_PARAMS", "Scenario", "World", "WorldSpec"]

SCENARIOS = ("easy", "realistic", "adversarial")


@dataclass(frozen=True)
class WorldSpec:
    """What world to simulate: its size, its seed and its scenario.

    Raises :class:`~reconcile.errors.InputError` listing every problem.

    >>> WorldSpec(n_claims=1000, seed=7, scenario="easy").scenario
    'easy'
    """

    n_claims: int = 5000
    seed: int = 0
    scenario: str = "realistic"

    def __post_init__(self) -> None:
        problems = []
        if isinstance(self.n_claims, bool) or not isinstance(self.n_claims, (int, np.integer)):
            problems.append(f"n_claims must be a whole number, got {self.n_claims!r}")
        elif self.n_claims <= 0:
            problems.append(f"n_claims must be at least 1, got {self.n_claims}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)):
            problems.append(f"seed must be a whole number, got {self.seed!r}")
        elif self.seed < 0:
            problems.append(f"seed must be zero or more, got {self.seed}")
        if self.scenario not in SCENARIOS:
            problems.append(f"unknown scenario {self.scenario!r}; "
                            f"known scenarios: {', '.join(SCENARIOS)}")
        if problems:
            raise InputError("invalid world spec: " + "; ".join(problems))


@dataclass(frozen=True, eq=False)
class World:
    """A simulated world: the claims and the truth behind them.

    ``claims`` has the columns of ``claims.csv`` (:data:`~reconcile.schema.SIMULATED_CLAIM_COLUMNS`).
    ``truth_events`` has one row per true event (:data:`TRUTH_EVENT_COLUMNS`),
    ``truth_claims`` one row per claim (:data:`TRUTH_CLAIM_COLUMNS`) and
    ``truth_sources`` one row per source (:data:`TRUTH_SOURCE_COLUMNS`).
    """

    spec: WorldSpec
    claims: pd.DataFrame
    truth_events: pd.DataFrame
    truth_claims: pd.DataFrame
    truth_sources: pd.DataFrame = field(repr=False)


@dataclass(frozen=True)
class Scenario:
    """How sources and writers behave in one scenario (see :data:`SCENARIO_PARAMS`)."""

    honest_share: float  # share of originators with no bias and no noise
    noise: tuple[tuple[float, float], ...]  # (sigma of log noise, probability)
    biased: bool  # whether dishonest sources draw a bias
    inflator_bias: float  # the partisan monitor's bias
    inflator_reach: float  # multiplies its coverage
    claims_per_event: float  # original reports per incident
    repeat_share: float  # share of claims that are outlets repeating an originator
    copy_share: float  # share of claims by copiers
    copier_share: float  # copiers per outlet
    loyal_share: float  # outlets that favour one originator
    loyal_strength: float  # how often a loyal outlet repeats its favourite
    loyal_to_inflator: bool
    attribution: float  # repeats that name the originator
    rephrase: float  # repeats that swap the qualifier for one of the same meaning
    canonical_name: float  # mentions of an originator by its canonical name
    variant_rate: float  # place names written as a GeoNames alternate name
    typo_rate: float
    missing_place: float
    jitter_rate: float  # event dates one or two days off
    fancy: float  # multiplies the habits of vague, nearly and upper figures


SCENARIO_PARAMS = {
    "easy": Scenario(
        honest_share=0.7, noise=((0.02, 0.6), (0.05, 0.4)), biased=False, inflator_bias=1.0,
        inflator_reach=1.0, claims_per_event=2.0, repeat_share=0.2, copy_share=0.0,
        copier_share=0.0, loyal_share=0.1, loyal_strength=0.8, loyal_to_inflator=False,
        attribution=0.9, rephrase=0.1, canonical_name=0.97, variant_rate=0.05,
        typo_rate=0.0, missing_place=0.01, jitter_rate=0.03, fancy=0.5),
    "realistic": Scenario(
        honest_share=0.25, noise=((0.04, 0.35), (0.12, 0.40), (0.30, 0.25)), biased=True,
        inflator_bias=1.4, inflator_reach=1.0, claims_per_event=1.9, repeat_share=0.3,
        copy_share=0.05, copier_share=0.05, loyal_share=0.3, loyal_strength=0.8,
        loyal_to_inflator=False, attribution=0.75, rephrase=0.2, canonical_name=0.85,
        variant_rate=0.12, typo_rate=0.03, missing_place=0.03, jitter_rate=0.12, fancy=1.0),
    "adversarial": Scenario(
        honest_share=0.15, noise=((0.08, 0.3), (0.20, 0.4), (0.40, 0.3)), biased=True,
        inflator_bias=1.5, inflator_reach=4.0, claims_per_event=1.8, repeat_share=0.45,
        copy_share=0.10, copier_share=0.12, loyal_share=0.65, loyal_strength=0.95,
        loyal_to_inflator=True, attribution=0.6, rephrase=0.2, canonical_name=0.8,
        variant_rate=0.2, typo_rate=0.05, missing_place=0.04, jitter_rate=0.2, fancy=1.3),
}
MALFORMED_SHARE = 0.005
