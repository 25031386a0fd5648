"""Every table's columns and every closed vocabulary, in one place.

The loader, the extractor, the simulator, the resolver and the writers all
name their columns from here, so a column added to a table is added once.
The README's tables are checked against these tuples by ``tests/test_docs.py``.
"""

from __future__ import annotations

__all__ = [
    "CHECK_COLUMNS",
    "CLAIM_COLUMNS",
    "CLAIM_OUTPUT_COLUMNS",
    "EVENT_COLUMNS",
    "EXTRACTED_COLUMNS",
    "FIGURE_KINDS",
    "GRADES",
    "GROUP_COLUMNS",
    "HISTORY_COLUMNS",
    "PARENT_LINKS",
    "PARSED_COLUMNS",
    "PLACE_COLUMNS",
    "PROVENANCE_COLUMNS",
    "QUOTE_CHECKS",
    "REJECT_COLUMNS",
    "RESERVED_COLUMNS",
    "RESOLVED_CLAIM_COLUMNS",
    "SCOPES",
    "SIMULATED_CLAIM_COLUMNS",
    "SOURCE_COLUMNS",
    "STATUSES",
    "TRUTH_CLAIM_COLUMNS",
    "TRUTH_EVENT_COLUMNS",
    "TRUTH_SOURCE_COLUMNS",
    "VERDICTS",
    "renamed_columns",
]

# -- claims: the input table (claims.csv that a user or `extract` writes) ------

# Columns the loader understands, in output order. Others are carried through.
CLAIM_COLUMNS = (
    "claim_id", "source", "figure", "low", "high", "category", "victims", "location",
    "country", "event_date", "published", "outlet", "url", "article_id", "event", "scope",
    "part_of", "hedge", "quote", "span", "quote_start", "text_sha256", "inferred",
)

# Columns the loader adds when it parses a row.
PARSED_COLUMNS = ("anchor", "kind", "date_start", "date_end")

# The claims table `reconcile run` writes: the input line, the parsed interval,
# the input columns, the parsed dates; carried-through columns follow.
CLAIM_OUTPUT_COLUMNS = (
    "claim_id", "line", "source", "figure", "low", "high", "anchor", "kind",
    *[c for c in CLAIM_COLUMNS if c not in ("claim_id", "source", "figure", "low", "high")],
    "date_start", "date_end",
)

# What `reconcile extract` writes per figure: the input columns it can fill,
# plus what only text reveals (who relayed it, whether it is a denial).
EXTRACTED_COLUMNS = (
    "claim_id", "article_id", "figure", "low", "high", "anchor", "kind", "category",
    "victims", "location", "country", "event_date", "scope", "source", "source_type", "relay",
    "outlet", "published", "url", "hedge", "denial", "part_of", "quote", "span", "quote_start",
    "text_sha256", "inferred", "title", "dateline", "places", "event_words",
)

# Provenance columns: the quote, where the figure sits in it (``span``, in the
# article when ``quote_start`` says where the quote starts there), the SHA-256
# of the article text the offsets index into, and ``inferred`` (how the
# extractor counted a figure no number states: "victims named", "derived").
PROVENANCE_COLUMNS = ("quote", "span", "quote_start", "text_sha256", "inferred")

# What `reconcile simulate` writes: every input column but the provenance ones.
SIMULATED_CLAIM_COLUMNS = tuple(c for c in CLAIM_COLUMNS if c not in PROVENANCE_COLUMNS)

# Every row that could not be used: these first, then the row's original cells.
REJECT_COLUMNS = ("line", "field", "reason")

# -- vocabularies ---------------------------------------------------------------

# How a figure constrains the count ("at least 29" is lower, "dozens" vague).
FIGURE_KINDS = ("exact", "lower", "upper", "range", "nearly", "approx", "vague")

SCOPES = ("incident", "cumulative")

# A claim against its event's estimate: where its bounds sit against [low, high]
# (consistent, below, above), or why it carries no weight of its own
# (superseded by a later count, relayed: the same source's figure again, copy:
# a repeat of another source's figure) or a denial (a claim of 0 by its speaker);
# excluded: a reviewer took it out (reconcile run --review).
VERDICTS = ("consistent", "below", "above", "superseded", "relayed", "copy", "denial",
            "excluded")

# A claim's quote check (claims.csv ``quote_check``; reconcile/core/quotes.py):
# the quote states the figure and the span points at it, nothing to check, a
# figure the extractor counted from words, or what is wrong.
QUOTE_CHECKS = ("ok", "no-quote", "inferred", "figure-not-in-quote", "span-mismatch",
                "span-out-of-range", "span-unreadable")

# Columns the checks add to each claim, after resolution's: ``quote_check``
# (above) and ``scope_check`` (what the claim measures when that is not what
# its event measures: "subset", "superset", "treated", "campaign", "day"; "" when
# it is).
CHECK_COLUMNS = ("quote_check", "scope_check")

# An event's status.
STATUSES = ("agreed", "resolved", "contested", "single-source")

# -- grouping: what the group stage adds to each claim for resolve -----------------

# ``event_id``: the event the claim speaks of. ``parent_event_id``: that event's
# parent ("" when none). ``parent_link``: how the event sits in its parent:
# "part" (a subset of the same victims: the children among the dead) or
# "within" (a disjoint incident inside a day total or a cumulative tally).
# ``source_id``: the canonical source, so that name variants count once.
GROUP_COLUMNS = ("event_id", "parent_event_id", "parent_link", "source_id")
PARENT_LINKS = ("part", "within")

# Where the group stage placed each claim: ``country_code`` (ISO 3166 alpha-2,
# from the country column or inferred from the place, the article or the
# source; "" when unknown or not an ISO country), ``place_id`` (gazetteer id:
# ``gn:<GeoNames id>``, ``a1:<division>``, ``cc:<country>``, ``loc:...`` for a
# local row of places.toml, ``rg:...`` for "northwest Syria", ``nm:...`` for a
# name in no gazetteer), ``admin_chain`` (country > division > city > district)
# and ``where_prec`` (UCDP-like: 1 exact place or district, 2 town or city,
# 4 first-order division, 5 part of a country, 6 country only; blank: unknown).
PLACE_COLUMNS = ("country_code", "place_id", "admin_chain", "where_prec")

# Columns resolution adds to each claim (after the loader's): its event and
# canonical source, the verdict, the claim's share of one independent voice
# (0 for superseded, relayed and copied figures) and how far its bounds lie
# outside its event's [low, high].
RESOLVED_CLAIM_COLUMNS = (
    "event_id", "parent_event_id", "parent_link", "source_id", "verdict", "weight", "distance",
)

# Columns the pipeline adds to a claim or a reject. An input column with one of
# these names would be overwritten (or stop the run), so it is carried
# through as ``input_<name>`` instead, with a warning.
RESERVED_COLUMNS = tuple(dict.fromkeys((*REJECT_COLUMNS, *PARSED_COLUMNS, *GROUP_COLUMNS,
                                        *RESOLVED_CLAIM_COLUMNS, *PLACE_COLUMNS,
                                        *CHECK_COLUMNS)))


def renamed_columns(columns: list[str], reserved: tuple[str, ...] = RESERVED_COLUMNS
                    ) -> list[str]:
    """The input's column names, with blank and reserved ones renamed.

    A blank name becomes ``column_<position>`` (1-based); a reserved one
    ``input_<name>`` (with a number added while that is taken too).

    >>> renamed_columns(["", "source", "line", "kind", ""])
    ['column_1', 'source', 'input_line', 'input_kind', 'column_5']
    """
    taken = set(columns)
    out: list[str] = []
    for i, name in enumerate(columns, 1):
        if name and name not in reserved:
            out.append(name)
            continue
        base = f"input_{name}" if name else f"column_{i}"
        new, n = base, 1
        while new in taken:
            n += 1
            new = f"{base}_{n}"
        taken.add(new)
        out.append(new)
    return out


# -- events -------------------------------------------------------------------------

EVENT_COLUMNS = (
    "event_id", "category", "victims", "location", "country", "date_start", "date_end",
    "low", "best", "high", "confidence", "grade", "status", "basis", "n_claims", "n_sources",
    "n_independent", "parent_event_id", "sources", "conflicts", "scope_mismatch", "best_claims",
)

# An event's grade (after Airwars): how far its figure can be relied on.
GRADES = ("confirmed", "fair", "weak", "contested")

# -- history (history.csv): how each event's figures moved with each report -----------

# One row per (event, step): the step's time, the claims first published then
# (new_claims, new_sources, new_figures), the event's low / best / high as of then
# and how far best moved, its confidence and status then, the claims holding
# best, the claims that step superseded, how many claims and independent
# sources it weighed, and a note on what the last step weighs besides.
HISTORY_COLUMNS = (
    "event_id", "step", "published", "new_claims", "new_sources", "new_figures", "low", "best",
    "high", "change", "confidence", "status", "best_claims", "superseded", "n_claims",
    "n_independent", "note",
)

# -- sources (sources.csv) ------------------------------------------------------------

SOURCE_COLUMNS = (
    "source", "aliases", "claims", "events", "reliability", "bias", "noise", "agreement",
    "cluster", "copies_of", "cited_by",
)

# -- simulated truth (reconcile simulate) -----------------------------------------

TRUTH_EVENT_COLUMNS = (
    "true_event_id", "kind", "category", "victims", "location", "geonameid", "country",
    "country_code", "date_start", "date_end", "count", "scope", "parent_event_id", "event",
    "n_claims",
)
TRUTH_CLAIM_COLUMNS = (
    "claim_id", "true_event_id", "malformed", "malformed_reason", "role", "source_canonical",
    "originator", "channel", "origin_claim_id", "style", "bounds", "believed", "intended_low",
    "intended_high", "honest", "toll_fraction",
)
TRUTH_SOURCE_COLUMNS = (
    "source", "role", "kind", "country", "honest", "bias", "noise", "median_delay_hours",
    "repeats", "copies", "name_variants", "n_claims",
)
