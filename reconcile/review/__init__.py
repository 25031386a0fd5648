"""A fact-checker's review verdicts, as inputs to the pipeline.

:func:`read_review` reads and checks the file; :func:`plan_review` matches
its targets against a run; the :class:`ReviewPlan` hooks are what
:func:`reconcile.pipeline.reconcile_claims` calls between its stages;
:func:`review_template` writes a file to fill from a run's output folder.
"""

from __future__ import annotations

from .apply import EXCLUDED, ReviewPlan, plan_review
from .template import review_template
from .verdicts import ReviewError, Verdict, read_review

__all__ = ["EXCLUDED", "ReviewError", "ReviewPlan", "Verdict", "plan_review", "read_review",
           "review_template"]
