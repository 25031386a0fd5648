"""Pure core: interval algebra, text folding and tokens, figure parsing."""

from __future__ import annotations

from .interval import (
    EMPTY,
    INF,
    Interval,
    format_interval,
    parse_interval,
)
from .parse import (
    Figure,
    FigureMatch,
    NotAFigure,
    find_figures,
    parse_figure,
)
from .text import (
    Token,
    fold,
    fold_key,
    normalise,
    plain,
    tokenize,
    words,
)

__all__ = [
    "EMPTY",
    "INF",
    "Figure",
    "FigureMatch",
    "Interval",
    "NotAFigure",
    "Token",
    "find_figures",
    "fold",
    "fold_key",
    "format_interval",
    "normalise",
    "parse_figure",
    "parse_interval",
    "plain",
    "tokenize",
    "words",
]
