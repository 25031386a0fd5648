"""Article text -> paragraphs and sentences with character spans.

Pure and linear in the text length: every regular expression here is a
single character class repeated (or a possessive run), so no input makes it
backtrack, and each character is visited a bounded number of times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Article", "Paragraph", "Sentence", "split_article"]

_LINE = re.compile(r"[^\n]++")
# One or more sentence-ending marks, then closing quotes or brackets.
_END = re.compile(r"[.!?…]++[\"'”’)\]]*+")
_SPACE = re.compile(r"\s*+")
_LAST_WORD = re.compile(r"[A-Za-z.]++$")
_WORD = re.compile(r"[^\W\d_]++")
# Sentences longer than this are cut at a space: nothing longer is a sentence,
# and it bounds the memory a single pathological line can take.
MAX_SENTENCE = 2000


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int  # character offsets into the article text
    end: int
    paragraph: int  # index into Article.paragraphs
    index: int  # index into Article.sentences
    # The sentence was cut from a longer run at MAX_SENTENCE: its words go on
    # before (cut_start) or after (cut_end) it, so a figure at that edge may be cut too.
    cut_start: bool = False
    cut_end: bool = False


@dataclass(slots=True)
class Paragraph:
    start: int
    end: int
    heading: bool = False
    biography: bool = False
    sentences: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Article:
    text: str
    paragraphs: list[Paragraph]
    sentences: list[Sentence]


def _cut(text: str, start: int, end: int) -> list[tuple[int, int, bool, bool]]:
    """Split an over-long span at spaces into pieces of at most MAX_SENTENCE.

    Each piece is ``(start, end, cut_start, cut_end)``: whether it was cut
    from the piece before or after it.
    """
    out = []
    cut_start = False
    while end - start > MAX_SENTENCE:
        cut = text.rfind(" ", start + MAX_SENTENCE // 2, start + MAX_SENTENCE)
        if cut <= start:
            cut = start + MAX_SENTENCE
        out.append((start, cut, cut_start, True))
        start, cut_start = cut, True
    out.append((start, end, cut_start, False))
    return out


def _sentences(text: str, start: int, end: int, abbreviations: frozenset[str]) -> list[tuple]:
    spans = []
    begin = start
    for m in _END.finditer(text, start, end):
        space = _SPACE.match(text, m.end(), end)
        after = space.end() if space else m.end()  # \s*+ always matches
        if after == m.end() and after < end:
            continue  # "U.N.," or "3.5": no space after the mark
        if after < end:
            nxt = text[after]
            if not (nxt.isupper() or nxt.isdigit() or nxt in "\"'“‘(["):
                continue
        if text[m.start()] == "." and m.end() - m.start() == 1:
            word = _LAST_WORD.search(text, max(begin, m.start() - 12), m.start())
            if word is not None:
                w = word.group().lower()
                if w in abbreviations or (len(w) == 1 and w.isalpha()) \
                        or (len(w) <= 4 and "." in w):
                    continue
        spans.extend(_cut(text, begin, m.end()))
        begin = after
    if begin < end and text[begin:end].strip():
        spans.extend(_cut(text, begin, end))
    out = []
    for s, e, cut_start, cut_end in spans:
        # Trim surrounding whitespace so spans point at the words.
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e, cut_start, cut_end))
    return out


def _is_heading(text: str, start: int, end: int, n_paragraphs: int) -> bool:
    if n_paragraphs < 2:
        return False
    body = text[start:end].rstrip()
    if not body or body[-1] in ".!?:;\"'”’)…":
        return False
    return len(_WORD.findall(body, 0, 400)) <= 30 and end - start < 400


def _is_biography(text: str, para: Paragraph, first: Sentence | None,
                  roles: tuple[tuple[str, ...], ...], verbs: frozenset[str]) -> bool:
    if first is None:
        return False
    sentence = text[first.start:first.end]
    head = sentence[:80].lower()
    if head.startswith(("about the author", "the author")):
        return True
    if not (sentence[:1].isupper() and any(f" {v} " in head for v in verbs)):
        return False
    tokens = _WORD.findall(sentence, 0, 300)
    # "<Name> <Name> is the Washington Bureau Chief ..."
    k = 0
    while k < len(tokens) and k < 4 and tokens[k][0].isupper():
        k += 1
    if not 1 <= k <= 4 or k >= len(tokens) or tokens[k].lower() not in verbs:
        return False
    low = [t.lower() for t in tokens]
    joined = " " + " ".join(low) + " "
    return any(" " + " ".join(r) + " " in joined for r in roles)


# The lookahead rejects a word by its first letter before the alternatives are tried.
_NUMBERISH = re.compile(r"\d|\b(?=[OoTtFfSsEeNnDdHhMm])"
                        r"(?:[Oo]ne|[Tt]wo|[Tt]hree|[Ff]our|[Ff]ive|[Ss]ix|[Ss]even|"
                        r"[Ee]ight|[Nn]ine|[Tt]en|[Dd]ozen|[Hh]undred|[Tt]housand|[Mm]any|"
                        r"[Ss]everal|[Ss]cores|[Ff]ew|[Tt]welve|[Ee]leven|[Tt]wenty|[Tt]hirty|"
                        r"[Ff]orty|[Ff]ifty|[Mm]illion)")


def _has_number(text: str, para: Paragraph) -> bool:
    return _NUMBERISH.search(text, para.start, para.end) is not None


def split_article(text: str, abbreviations: frozenset[str] = frozenset(),
                  biography_roles: tuple[tuple[str, ...], ...] = (),
                  biography_verbs: frozenset[str] = frozenset()) -> Article:
    """Paragraphs (one per line) and sentences, marking headings and biographies.

    A heading is a short line without closing punctuation in an article of
    more than one paragraph; a biography is a later paragraph that starts
    "<Name> is a/the ... <role>". The extractor reads no figures from either.
    """
    lines = [(m.start(), m.end()) for m in _LINE.finditer(text)]
    lines = [(s, e) for s, e in lines if text[s:e].strip()]
    paragraphs: list[Paragraph] = []
    sentences: list[Sentence] = []
    for p_index, (start, end) in enumerate(lines):
        para = Paragraph(start, end, heading=_is_heading(text, start, end, len(lines)))
        for s, e, cut_start, cut_end in _sentences(text, start, end, abbreviations):
            sent = Sentence(s, e, p_index, len(sentences), cut_start, cut_end)
            para.sentences.append(sent.index)
            sentences.append(sent)
        paragraphs.append(para)
    if biography_roles:
        # Only paragraphs that may hold a figure need the check: a cheap digit test first.
        for p_index, para in enumerate(paragraphs):
            if p_index and not para.heading and para.sentences and _has_number(text, para):
                first = sentences[para.sentences[0]]
                para.biography = _is_biography(text, para, first, biography_roles,
                                               biography_verbs)
    return Article(text, paragraphs, sentences)
