"""How ``best`` is chosen: ``--policy`` of ``reconcile run``.

- ``estimate`` (default): the model's estimate: the count most likely to lie
  within 10% of the truth under the posterior, a stated number when one is
  that central (see :mod:`.explain`);
- ``conservative``: ACLED's rule, the lowest credible figure: the low end of
  the credible interval;
- the coder and truth-discovery baselines of :mod:`.policies`, for
  comparison: ``best`` is the baseline's figure over the event's claims (each
  claim's stated number, else its interval's middle), ``[low, high]`` that
  point, and ``confidence`` the model's probability that the truth is
  exactly it.

Whatever the policy, the posterior, the verdicts and the sources table are
the model's; only ``best`` (and, for the baselines, the interval) changes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .policies import BASELINES

__all__ = ["POLICIES", "baseline_best", "claim_values"]

POLICIES: dict[str, str] = {
    "estimate": "the count most likely to lie within 10% of the truth under the model",
    "conservative": "the lowest credible figure (ACLED's rule): the low end of the interval",
    "acled_lowest": "the lowest figure reported",
    "median": "the median of the figures reported",
    "highest": "the highest figure reported",
    "latest": "the figure reported last",
    "majority": "the figure most sources gave",
    "truthfinder": "TruthFinder's figure (Yin, Han & Yu 2007)",
    "investment": "Investment's figure (Pasternack & Roth 2010)",
    "crh": "CRH's figure (Li et al. 2014)",
    "catd": "CATD's figure (Li et al. 2015)",
}


def claim_values(claims: pd.DataFrame) -> pd.DataFrame:
    """One number per claim, as the baselines read it: its anchor, else its interval's middle."""
    lo = claims["low"].astype("Float64").astype(float)
    hi = claims["high"].astype("Float64").astype(float)
    anchor = claims["anchor"].astype("Float64").astype(float) if "anchor" in claims else \
        pd.Series(np.nan, index=claims.index)
    middle = np.where(hi.isna(), lo, np.floor((lo + hi.fillna(0)) / 2))
    value = anchor.fillna(pd.Series(middle, index=claims.index))
    published = claims["published"] if "published" in claims else pd.Series("", index=claims.index)
    return pd.DataFrame({"event_id": claims["event_id"], "source": claims["source"],
                         "value": value, "published": published})


def baseline_best(claims: pd.DataFrame, policy: str) -> pd.Series:
    """Per event_id, the figure the baseline ``policy`` picks from the event's claims."""
    if policy not in BASELINES:
        raise ValueError(f"unknown baseline policy {policy!r}; known: {', '.join(BASELINES)}")
    result = BASELINES[policy](claim_values(claims))
    return pd.Series(np.floor(result["best"].to_numpy() + 0.5), index=result["event_id"])
