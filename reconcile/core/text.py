"""Tokens and folding shared by the rule loader, the figure parser, the extractor and places.

One tokenizer for rule phrases and for article text, so that a phrase in a
rule file matches the text exactly as it was split. The pattern has no
nested or overlapping repetition: its time is linear in the text length.

One fold for place names, wherever they are compared: :func:`fold` (and
:func:`fold_key`, its tokens) is what the gazetteer indexes and looks up,
what the extractor matches article tokens with, and what the simulator and
``scripts/build_places.py`` compare spellings by; :func:`plain` is the same
folding with case and apostrophes kept, for names as news copy prints them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

__all__ = ["PARTICLES", "SPACE_CLASS", "Token", "fold", "fold_key", "normalise", "plain", "tokenize", "words"]

# Digits with separators ("1,200", "1.2"), words (with an inner apostrophe),
# or one other visible character. Each alternative starts with a distinct
# character class and repeats a single class, so there is no backtracking.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)*|[^\w\s]")

# Typographic variants folded before matching; dashes are kept distinct
# because rules name them ("20–30").
# Every character str.isspace() accepts, as a regular-expression class of the
# characters themselves (no escapes), so Python's re and pyarrow's RE2 read it
# alike: what a vectorised check calls blank is what str.strip() strips.
SPACE_CLASS = "[" + "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + "]"

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


# -- folding place names --------------------------------------------------

# Letters that Unicode does not decompose into a base letter and a mark.
_LETTERS = {
    "ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
    "þ": "th", "Þ": "Th", "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe",
    "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T", "ŀ": "l", "Ŀ": "L", "ɨ": "i", "Ɨ": "I", "ƚ": "l",
    "Ƚ": "L", "ƀ": "b", "Ƀ": "B", "ĸ": "k", "ƒ": "f",
}
# Marks of transliteration that news copy leaves out: ayn and hamza ("Dar‘ā",
# "Maʿarrat"), the okina, typographic apostrophes, grave and acute accents
# written as letters.
_MARKS = "‘’ʿʾʼʻ`´"
_PLAIN = str.maketrans({**_LETTERS, **dict.fromkeys(_MARKS, "")})
_FOLDED = str.maketrans({**_LETTERS, **dict.fromkeys(_MARKS + "'", "")})
_ASCII_FOLDED = str.maketrans("", "", "`'")

# Words that may sit inside a place name in lower case ("Rio Grande do Sul",
# "Deir ez-Zor", "Alma al-Shaab", "Bir el-Abd", "Bani Walid"): name runs in
# the extractor, spelling variants in the simulator.
PARTICLES = frozenset({"al", "el", "ad", "ar", "as", "ash", "at", "az", "ez", "ed", "es", "an",
                       "de", "do", "da", "di", "du", "la", "le", "del", "bin", "ibn", "abu",
                       "bani", "bir", "wa", "of", "-"})


def _unmark(text: str, table: dict[int, str]) -> str:
    # Marks go before NFKD ("´" decomposes to a space and an accent) and letters
    # after it too ("ǿ" decomposes to "ø" and an accent).
    text = unicodedata.normalize("NFKD", text.translate(table))
    return "".join(c for c in text if not unicodedata.combining(c)).translate(table)


def plain(text: str) -> str:
    """``text`` without diacritics and transliteration marks, special letters spelt out.

    Case and ASCII apostrophes are kept: a name as news copy prints it.

    >>> plain("Ḩamāh"), plain("Dar‘ā"), plain("Diyarbakır"), plain("N'Djamena")
    ('Hamah', 'Dara', 'Diyarbakir', "N'Djamena")
    """
    return text if text.isascii() and "`" not in text else _unmark(text, _PLAIN)


def fold(text: str) -> str:
    """The one fold of place names: no case, diacritics, apostrophes or marks.

    Special letters are spelt out (ı -> i, ł -> l, ø -> o, đ -> d, ß -> ss,
    æ -> ae, œ -> oe, þ -> th, ...). Idempotent and case-insensitive.

    >>> fold("Diyarbakır") == fold("DIYARBAKIR") == fold("Diyarbakir") == "diyarbakir"
    True
    >>> fold("Maʿarrat an-Nuʿmān")
    'maarrat an-numan'
    """
    if text.isascii():
        return text.translate(_ASCII_FOLDED).lower()
    return _unmark(text.casefold(), _FOLDED).casefold()


def fold_key(name: str) -> str:
    """The lookup key of a place name: its folded tokens joined by spaces.

    >>> fold_key("Dar‘ā")
    'dara'
    >>> fold_key("Deir ez-Zor")
    'deir ez - zor'
    """
    key = fold(name)
    if key.isascii():  # the common case, fast: no need for token spans or normalising
        return " ".join(key.split()) if key.replace(" ", "").isalpha() else " ".join(
            _TOKEN.findall(key))
    return " ".join(words(key))
