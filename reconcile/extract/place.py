"""Where a claim happened: places in the sentence, paragraph, headline or article.

A mixin of the extraction engine (:mod:`reconcile.extract.engine`): it needs the
engine's ``gaz`` (a :class:`~reconcile.places.Gazetteer`), ``lex``, ``ex``,
``tokens`` and the per-article context. Every search is bounded: the
paragraph fallback looks at most ``NEARBY`` sentences each side.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress

from ..core.text import tokenize
from ..places.gazetteer import KIND_RANK, Place
from .grammar import SentenceView

__all__ = ["NEARBY", "PlaceMixin"]

NEARBY = 3  # sentences each side searched for a place


class PlaceMixin:
    """Place lookup for the extraction engine."""

    def _mentions(self, ctx, index: int) -> list:
        if ctx._mentions is None:
            ctx._mentions = {}
        found = ctx._mentions.get(index)
        if found is None:
            sent = ctx.doc.sentences[index]
            text = ctx.text[sent.start:sent.end]
            toks = self.tokens(ctx, index)
            view = ctx.views.get(index)
            if view is not None and view.toks is toks:
                # The view already knows which tokens are capitalised.
                words = view.w
                found = self.gaz._find(toks, text, 0, list(compress(range(len(toks)), view.caps)),
                                       words)
            else:
                words = [t.text for t in toks]
                found = self.gaz.find(toks, text)
            found = [m for m in found if not self._adjectival(words, m)]
            ctx._mentions[index] = found
        return found

    def _adjectival(self, w: list[str], m) -> bool:
        """'a U.S. official', 'U.S. service members': a country used as an adjective."""
        if m.candidates[0].kind != "country" or m.end >= len(w):
            return False
        nxt = w[m.end]
        return nxt in self.ex.source_nouns or self.lex.victim_at(w, m.end) is not None \
            or nxt in ("service", "troops", "forces", "envoy", "ambassador", "officials")

    def _context(self, ctx) -> tuple[set[str], str | None]:
        """Countries the article names (for ambiguous places) and the most named one."""
        if ctx._context is None:
            text = ctx.text if not ctx.title else ctx.title + "\n" + ctx.text
            named, counts = self.gaz.countries_in(text, demonyms_count=False)
            top = max(sorted(counts), key=lambda c: counts[c]) if counts else None
            ctx._context = (named, top)
        return ctx._context

    def _pick(self, ctx, mentions: list, near: int | None) -> Place | None:
        if not mentions:
            return None
        best = min(mentions, key=lambda m: (KIND_RANK.get(m.candidates[0].kind, 5),
                                            abs(m.start - near) if near is not None else 0))
        top = best.candidates[0]
        others = [p.population for p in best.candidates if p.country != top.country]
        # A local row, or a city ten times larger than any namesake abroad, needs
        # no look at the rest of the article ("Damascus" is not the one in Maryland).
        if others and not (top.local or top.population >= 10 * max(others)):
            return self.gaz.resolve(best, self._context(ctx)[0])
        return top

    def _place(self, ctx, s: SentenceView, near: int,
               sources: Sequence[tuple[int, int]] = ()) -> tuple[str, str]:
        """Sentence, then paragraph, then section heading and title, then the article's country.

        A country named inside a source ("Russia's defense ministry") does
        not place the claim.
        """
        doc = ctx.doc
        mentions = [m for m in self._mentions(ctx, s.index)
                    if m.candidates[0].kind != "country"
                    or not any(a <= m.start and m.end <= b for a, b in sources)]
        place = self._pick(ctx, mentions, near)
        # Nearby sentences of the paragraph (bounded: a paragraph may be huge).
        nearby = [i for i in range(s.index - NEARBY, s.index + NEARBY + 1)
                  if i != s.index and 0 <= i < len(doc.sentences)
                  and doc.sentences[i].paragraph == s.paragraph]
        if place is None:
            for i in sorted(nearby, key=lambda i: (abs(i - s.index), i > s.index)):
                place = self._pick(ctx, self._mentions(ctx, i), None)
                if place is not None:
                    break
        if place is None:
            for p in range(s.paragraph - 1, -1, -1):
                if doc.paragraphs[p].heading:
                    for i in doc.paragraphs[p].sentences:
                        place = self._pick(ctx, self._mentions(ctx, i), None)
                        if place is not None:
                            break
                    break
        if place is None and ctx.title:
            if ctx._title_mentions is None:
                ctx._title_mentions = self.gaz.find(tokenize(ctx.title), ctx.title)
            place = self._pick(ctx, ctx._title_mentions, None)
        if place is None:
            top = self._context(ctx)[1]
            if top is None:
                return "", ""
            name = self.gaz.country_name(top)
            return name, name
        if place.kind == "city" and place.name in self.gaz.district_parents:
            for i in (s.index, *nearby):
                for m in self._mentions(ctx, i):
                    for cand in m.candidates:
                        if cand.kind == "district" and cand.parent == place.name:
                            place = cand
                            break
        code = place.country or (self._context(ctx)[1] or "")
        return place.name, self.gaz.country_name(code) if code else ""
