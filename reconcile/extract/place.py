"""Where a claim happened: places in the sentence, paragraph, headline or article.

:class:`PlaceFinder` is held by the extraction engine
(:mod:`reconcile.extract.engine`). It reads an article through the
engine's per-article context (:class:`PlaceContext`) and keeps what it has
found in that context's :class:`ArticlePlaces`. Every search is bounded:
the paragraph fallback looks at most ``NEARBY`` sentences each side.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import compress
from typing import Any, Protocol

from ..core.text import Token, fold_key, tokenize
from ..places.gazetteer import KIND_RANK, Gazetteer, Place, PlaceMention
from .document import Article
from .grammar import Lexicon, SentenceView

__all__ = ["NEARBY", "ArticlePlaces", "PlaceContext", "PlaceFinder"]

NEARBY = 3  # sentences each side searched for a place
_PLACE_PREPS = frozenset({"in", "at", "of", "from", "near", "for", "outside", "across"})
_AFTER_RESIDENT = frozenset({",", ".", "who", "and", "died", "dies", "killed", "shot", "stabbed",
                             "injured", "wounded", "hurt", "in", "on", "at", "with", "had"})
# Capitalised words that open a sentence before a place ("Police in ...", "Near Aleppo").
_OPENERS = frozenset({"in", "at", "on", "near", "from", "outside", "inside", "across", "police",
                      "officials", "residents", "witnesses", "troops", "forces",
                      "authorities", "rescuers", "earlier", "later", "meanwhile", "elsewhere",
                      "yesterday", "today", "overnight", "since", "after", "before", "during",
                      "north", "south", "east", "west", "northern", "southern", "eastern",
                      "western", "central", "greater", "downtown", "suburban", "rural",
                      "dozens", "hundreds", "thousands", "two", "three", "four", "five"})


@dataclass(slots=True)
class ArticlePlaces:
    """What :class:`PlaceFinder` has found in one article, filled as it is asked."""

    mentions: dict[int, list[PlaceMention]] = field(default_factory=dict)  # by sentence index
    countries: tuple[set[str], str | None] | None = None  # named countries, the most named one
    title_mentions: list[PlaceMention] | None = None
    # Residences ("a man from Hempstead"): not where it happened, but in the country.
    residences: dict[int, list[PlaceMention]] = field(default_factory=dict)
    surnames: frozenset[str] | None = None  # last words of people named in the article
    lede: Place | None = None  # the first place the body names
    lede_done: bool = False

# "Justin Martin, 24," "Sgt. John Hale": a person's name, whose last word is no place
# anywhere in the article.
_NAMED = re.compile(r"\b([A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?) ([A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?),"
                    r" (?:aged )?\d{1,3},")
_TITLED = re.compile(r"\b([A-Z][a-z]{1,12})\.? (?:[A-Z][a-z]+ ){0,2}([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b")


class PlaceContext(Protocol):
    """The parts of the engine's per-article context that places are read from."""

    text: str
    doc: Article
    title: str | None
    views: dict[int, SentenceView]
    places: ArticlePlaces


class PlaceFinder:
    """Place lookup for the extraction engine.

    Parameters
    ----------
    gaz : the gazetteer names are looked up in.
    lex, source_nouns : the engine's lexicon and the nouns that head a
        source ("official", "spokesman"), to tell "a U.S. official" (a
        country used as an adjective) from a place.
    tokens : ``tokens(ctx, index)``, the engine's (cached) tokens of a sentence
        (``ctx`` is the engine's context, a :class:`PlaceContext` and more).
    """

    def __init__(self, gaz: Gazetteer, lex: Lexicon, source_nouns: frozenset[str],
                 tokens: Callable[[Any, int], list[Token]]) -> None:
        self.gaz = gaz
        self.lex = lex
        self.source_nouns = source_nouns
        self.tokens = tokens
        self.not_places = lex.ex.not_places

    def mentions(self, ctx: PlaceContext, index: int) -> list[PlaceMention]:
        """Places named in sentence ``index``: not countries used as adjectives, people's
        names ("Hale said", "Sgt. Hale"), hospitals the hurt were taken to, or where a
        person lives ("a man from Hempstead"; kept apart in ``ctx.places.residences``)."""
        found = ctx.places.mentions.get(index)
        if found is None:
            sent = ctx.doc.sentences[index]
            text = ctx.text[sent.start:sent.end]
            toks = self.tokens(ctx, index)
            view = ctx.views.get(index)
            if view is not None and view.toks is toks:
                # The view already knows which tokens are capitalised.
                words, caps = view.w, view.caps
                found = self.gaz.find(toks, text, caps=list(compress(range(len(toks)), caps)),
                                      words=words)
            else:
                words = [t.text for t in toks]
                found = self.gaz.find(toks, text)
                caps = [text[t.start].isupper() for t in toks] if found else []
            if found:
                found = [m for m in found if not self._adjectival(words, m)
                         and not self._person(ctx, words, caps, m, found)
                         and not self._treated_at(words, m)]
                homes = [m for m in found if self._residence(words, m)]
                if homes:
                    ctx.places.residences[index] = homes
                    found = [m for m in found if m not in homes]
            ctx.places.mentions[index] = found
        return found

    # -- names that are not places ----------------------------------------
    def _surnames(self, ctx: PlaceContext) -> frozenset[str]:
        """Last words of the people the article names ("Justin Martin, 24,", "Sgt. Hale")."""
        if ctx.places.surnames is None:
            titles = self.not_places["titles"]
            found = {m.group(2).lower() for m in _NAMED.finditer(ctx.text)}
            found |= {m.group(2).lower() for m in _TITLED.finditer(ctx.text)
                      if m.group(1).lower() in titles}
            ctx.places.surnames = frozenset(found)
        return ctx.places.surnames

    def _person(self, ctx: PlaceContext, w: list[str], caps: list[bool], m: PlaceMention,
                found: list[PlaceMention]) -> bool:
        """Whether a mention is a person's name: 'Hale said', 'Sgt. Hale', 'Manning, 25,'."""
        if m.candidates[0].kind == "country":
            return False
        np = self.not_places
        a, b = m.start, m.end
        if b < len(w) and w[b] in np["speech"] and not (a and w[a - 1] in _PLACE_PREPS):
            return True  # "Hale said", but not "police in Dhaka said"
        if a and (w[a - 1] in np["titles"] or (a > 1 and w[a - 1] == "." and w[a - 2] in np["titles"])):
            return True
        if b + 2 < len(w) and w[b] == "," and w[b + 1].isdigit() and w[b + 2] == ",":
            return True
        # "Tyasia Manning ..." opening a sentence: a capitalised word that is no place
        # stands before it (the gazetteer does not look at a sentence's first word).
        if a == 1 and caps[0] and w[0].isalpha() and w[0] not in self.lex.determiners \
                and fold_key(w[0]) not in self.gaz.rules.ignore \
                and not any(x.start == 0 for x in found) and w[0] not in _OPENERS:
            return True
        return b - a == 1 and w[a] in self._surnames(ctx)

    def _treated_at(self, w: list[str], m: PlaceMention) -> bool:
        """'taken to Mercy Hospital', 'died at Presbyterian Hospital': where the hurt went."""
        if m.candidates[0].country:
            return False  # "Ikorodu General Hospital" is in Ikorodu
        b = m.end
        place = self.lex.transfer_places.at(w, b) if b < len(w) else None
        if place is None and b + 1 < len(w) and w[b] not in (",", "."):
            place = self.lex.transfer_places.at(w, b + 1)  # "Regional One Hospital"
        if place is None:
            return False
        treated = self.not_places["treated"]
        return any(w[k] in treated for k in range(max(0, m.start - 6), m.start))

    def _residence(self, w: list[str], m: PlaceMention) -> bool:
        """'a 27-year-old man from Hempstead', 'a Milford man': where a person lives."""
        if m.candidates[0].kind == "country":
            return False
        heads = self.lex.person_heads
        head = heads.at(w, m.end) if m.end < len(w) else None
        if head is not None and (head[1] >= len(w) or w[head[1]] in _AFTER_RESIDENT
                                 or w[head[1]] in self.lex.aux):
            return True  # "a Milford man was", not "the Jabalia refugee camp"
        a = m.start
        if a > 1 and w[a - 1] in self.not_places["residence"]:
            # "a man from Hempstead", "Greenhill, 27, of Hempstead"
            if a > 2 and w[a - 2] == "," and w[a - 3].isdigit():
                return True
            for k in range(max(0, a - 4), a - 1):
                hit = heads.at(w, k, a - 1)
                if hit is not None and hit[1] == a - 1:
                    return True
        return False

    def _adjectival(self, w: list[str], m: PlaceMention) -> bool:
        """'a U.S. official', 'U.S. service members': a country used as an adjective."""
        if m.candidates[0].kind != "country" or m.end >= len(w):
            return False
        nxt = w[m.end]
        return nxt in self.source_nouns or self.lex.victim_at(w, m.end) is not None \
            or nxt in ("service", "troops", "forces", "envoy", "ambassador", "officials")

    def countries(self, ctx: PlaceContext) -> tuple[set[str], str | None]:
        """Countries the article names (for ambiguous places) and the most named one."""
        if ctx.places.countries is None:
            text = ctx.text if not ctx.title else ctx.title + "\n" + ctx.text
            named, counts = self.gaz.countries_in(text, demonyms_count=False)
            top = max(sorted(counts), key=lambda c: counts[c]) if counts else None
            ctx.places.countries = (named, top)
        return ctx.places.countries

    def _pick(self, ctx: PlaceContext, mentions: list[PlaceMention],
              near: int | None) -> Place | None:
        if not mentions:
            return None
        best = min(mentions, key=lambda m: (KIND_RANK.get(m.candidates[0].kind, 5),
                                            abs(m.start - near) if near is not None else 0))
        top = best.candidates[0]
        others = [p.population for p in best.candidates if p.country != top.country]
        # A local row, or a city ten times larger than any namesake abroad, needs
        # no look at the rest of the article ("Damascus" is not the one in Maryland).
        if others and not (top.local or top.population >= 10 * max(others)):
            return self.gaz.resolve(best, self.countries(ctx)[0])
        return top

    def place(self, ctx: PlaceContext, s: SentenceView, near: int,
              sources: Sequence[tuple[int, int]] = ()) -> tuple[str, str]:
        """(location, country) of a claim at token ``near`` of sentence ``s``.

        Sentence, then paragraph, then section heading and title, then the
        article's country. A country named inside a source ("Russia's defense
        ministry", token spans ``sources``) does not place the claim.
        """
        doc = ctx.doc
        mentions = [m for m in self.mentions(ctx, s.index)
                    if m.candidates[0].kind != "country"
                    or not any(a <= m.start and m.end <= b for a, b in sources)]
        place = self._pick(ctx, mentions, near)
        # Nearby sentences of the paragraph (bounded: a paragraph may be huge).
        nearby = [i for i in range(s.index - NEARBY, s.index + NEARBY + 1)
                  if i != s.index and 0 <= i < len(doc.sentences)
                  and doc.sentences[i].paragraph == s.paragraph]
        if place is None:
            for i in sorted(nearby, key=lambda i: (abs(i - s.index), i > s.index)):
                place = self._pick(ctx, self.mentions(ctx, i), None)
                if place is not None:
                    break
        if place is None:
            for p in range(s.paragraph - 1, -1, -1):
                if doc.paragraphs[p].heading:
                    for i in doc.paragraphs[p].sentences:
                        place = self._pick(ctx, self.mentions(ctx, i), None)
                        if place is not None:
                            break
                    break
        if place is None and ctx.title:
            if ctx.places.title_mentions is None:
                ctx.places.title_mentions = self.gaz.find(tokenize(ctx.title), ctx.title)
            place = self._pick(ctx, ctx.places.title_mentions, None)
        if place is None:
            top = self.countries(ctx)[1]
            if top is None:
                return "", ""
            name = self.gaz.country_name(top)
            return name, name
        if place.kind == "city" and place.name in self.gaz.district_parents:
            for i in (s.index, *nearby):
                for m in self.mentions(ctx, i):
                    for cand in m.candidates:
                        if cand.kind == "district" and cand.parent == place.name:
                            place = cand
                            break
        code = place.country or (self.countries(ctx)[1] or "")
        return place.name, self.gaz.country_name(code) if code else ""
