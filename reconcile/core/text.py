"""Tokens shared by the rule loader, the figure parser and the extractor.

One tokenizer for rule phrases and for article text, so that a phrase in a
rule file matches the text exactly as it was split. The pattern has no
nested or overlapping repetition: its time is linear in the text length.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

__all__ = ["Token", "normalise", "tokenize", "words"]

# Digits with separators ("1,200", "1.2"), words (with an inner apostrophe),
# or one other visible character. Each alternative starts with a distinct
# character class and repeats a single class, so there is no backtracking.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)*|[^\w\s]")

# Typographic variants folded before matching; dashes are kept distinct
# because rules name them ("20–30").
_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " ", "\u202f": " "})


class Token(NamedTuple):
    text: str  # lower-cased
    start: int  # character offsets into the original text
    end: int


def normalise(text: str) -> str:
    """Unicode NFC, typographic quotes folded, lower case."""
    return unicodedata.normalize("NFC", text).translate(_FOLD).lower()


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into lower-cased tokens with their character spans.

    >>> [t.text for t in tokenize("At least 1,200 were killed.")]
    ['at', 'least', '1,200', 'were', 'killed', '.']
    """
    # NFC and lower() can change lengths for a few scripts; spans must point
    # into the caller's text, so fold per character only when lengths agree.
    folded = normalise(text)
    new = tuple.__new__  # Token(...) without the Python-level __new__ of a named tuple
    if len(folded) != len(text):
        folded = text.translate(_FOLD)
        return [new(Token, (m.group().lower(), m.start(), m.end()))
                for m in _TOKEN.finditer(folded)]
    # Only whitespace and "_" lie between tokens, and no token starts with either,
    # so each token is the first occurrence of its text after the previous one.
    out: list[Token] = []
    append, find, pos = out.append, folded.find, 0
    for tok in _TOKEN.findall(folded):
        start = find(tok, pos)
        pos = start + len(tok)
        append(new(Token, (tok, start, pos)))
    return out


def words(phrase: str) -> tuple[str, ...]:
    """The token texts of a rule phrase: the key it is matched by."""
    return tuple(t.text for t in tokenize(phrase))
