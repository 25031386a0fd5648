"""A fact-checker's review verdicts, as inputs to the pipeline."""
