"""Where a claim happened: places in the sentence, paragraph, headline or article.

:class:`PlaceFinder` is held by the extraction engine
(:mod:`reconcile.extract.engine`). It reads an article through the
engine's per-article context (:class:`PlaceContext`) and keeps what it has
found in that context's :class:`ArticlePlaces`. Every search is bounded:
the paragraph fallback looks at most ``NEARBY`` sentences each side.
"""

from __future__ import annotations

import re
from bisect import bisect_right
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
_LEDE_SENTENCES = 8  # the lede is read from the body's first sentences ...
_LEDE_PARAGRAPHS = 3  # ... of its first paragraphs
_ROUNDUP_TOWNS = 3  # an article naming this many towns reports more than one incident
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
    roundup: bool | None = None  # three towns or more: several incidents
    place_sentences: list[int] | None = None  # sentences that may name a place
    top_country: str | None = None  # "" once computed and none found

# "Justin Martin, 24,": a person's name, whose last word is no place anywhere in the article.
_AGE_AFTER = re.compile(r", (?:aged )?\d{1,3},")
_NAME_BEFORE = re.compile(r"[A-Z][a-z]+ $")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]{2,}\b")


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
        self._place_words: dict[str, bool] = {}

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
            if len(ctx.doc.sentences) < 2:
                ctx.places.surnames = frozenset()  # the gazetteer reads names in one sentence
                return ctx.places.surnames
            self.place_sentences(ctx)  # finds them on its way through the article
        return ctx.places.surnames or frozenset()

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

    def _title_mentions(self, ctx: PlaceContext) -> list[PlaceMention]:
        if ctx.places.title_mentions is None:
            title = ctx.title or ""
            toks = tokenize(title)
            w = [t.text for t in toks]
            found = self.gaz.find(toks, title)
            if found:
                caps = [title[t.start].isupper() for t in toks]
                found = [m for m in found if not self._adjectival(w, m)
                         and not self._person(ctx, w, caps, m, found)
                         and not self._residence(w, m)]
            ctx.places.title_mentions = found
        return ctx.places.title_mentions

    def lede(self, ctx: PlaceContext) -> Place | None:
        """The first place below a country that the body names in its first paragraphs.

        Where the report's incident happened ("... in Stanton on Sunday"): claims
        nothing nearer places fall back to it before the country.
        """
        if not ctx.places.lede_done:
            ctx.places.lede_done = True
            doc = ctx.doc
            if self.roundup(ctx):
                return None
            for i, sent in enumerate(doc.sentences[:_LEDE_SENTENCES]):
                para = doc.paragraphs[sent.paragraph]
                if para.biography or sent.paragraph > _LEDE_PARAGRAPHS:
                    break
                found = [m for m in self.mentions(ctx, i) if m.candidates[0].kind != "country"]
                if found:
                    ctx.places.lede = self._pick(ctx, found[:1], None)
                    break
        return ctx.places.lede

    def article_place(self, ctx: PlaceContext) -> tuple[str, str]:
        """(location, country) of the article as a whole: its lede, else its country."""
        place = self.lede(ctx)
        if place is None:
            top = self.top_country(ctx)
            name = self.gaz.country_name(top) if top else ""
            return name, name
        code = place.country or (self.top_country(ctx) or "")
        return place.name, self.gaz.country_name(code) if code else ""

    def roundup(self, ctx: PlaceContext) -> bool:
        """Whether the article reports from three towns or more (a live blog, a roundup):
        then a claim its sentence does not place is not placed, or dated, by the first."""
        if ctx.places.roundup is None:
            towns: set[str] = set()
            for i in self.place_sentences(ctx):
                for m in self.mentions(ctx, i):
                    if m.candidates[0].kind == "city":
                        towns.add(m.candidates[0].name)
                if len(towns) >= _ROUNDUP_TOWNS:
                    break
            ctx.places.roundup = len(towns) >= _ROUNDUP_TOWNS
        return ctx.places.roundup

    def place_sentences(self, ctx: PlaceContext) -> list[int]:
        """Sentences holding a capitalised word that names a place (one regex pass and a
        cached look-up per word): the only ones a count of places needs to read."""
        if ctx.places.place_sentences is None:
            text = ctx.text
            starts = [sent.start for sent in ctx.doc.sentences]
            known = self._place_words
            titles = self.not_places["titles"]
            found: set[int] = set()
            people: set[str] = set()
            for m in _CAPITALISED.finditer(text):
                word = m.group()
                hit = known.get(word)
                if hit is None:
                    if len(known) > 50_000:
                        known.clear()
                    hit = known[word] = bool(self.gaz.lookup(word))
                if not hit:
                    continue
                found.add(bisect_right(starts, m.start()) - 1)
                # A place word that names a person elsewhere in the article: "Justin
                # Martin, 24," or "Sgt. John Hale" (a title up to two words before it).
                a, b = m.start(), m.end()
                if _AGE_AFTER.match(text, b) and _NAME_BEFORE.search(text, max(0, a - 40), a):
                    people.add(word.lower())
                    continue
                before = text[max(0, a - 40):a].replace(".", " ").split()[-3:]
                for k in range(len(before) - 1, -1, -1):
                    if not before[k][:1].isupper():
                        break
                    if before[k].lower() in titles:
                        people.add(word.lower())
                        break
            ctx.places.place_sentences = sorted(i for i in found if i >= 0)
            ctx.places.surnames = frozenset(people)
        return ctx.places.place_sentences

    def top_country(self, ctx: PlaceContext) -> str | None:
        """The country the article's places (homes and title included) point at most."""
        if ctx.places.top_country is not None:
            return ctx.places.top_country or None
        counts: dict[str, int] = {}
        every = [m for i in self.place_sentences(ctx) for m in self.mentions(ctx, i)]
        every += [m for found in ctx.places.residences.values() for m in found]
        every += self._title_mentions(ctx) if ctx.title else []
        for m in every:
            code = m.candidates[0].country
            if code:
                counts[code] = counts.get(code, 0) + 1
        top = max(sorted(counts), key=lambda c: counts[c]) if counts else self.countries(ctx)[1]
        ctx.places.top_country = top or ""
        return top

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
            place = self._pick(ctx, self._title_mentions(ctx), None)
        if place is None:
            place = self.lede(ctx)
        if place is None:
            top = self.top_country(ctx)
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
