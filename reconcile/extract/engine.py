"""``reconcile extract``: casualty claims from news text.

An article becomes rows of the claims table (see DESIGN.md): each figure
that counts people killed, injured, missing, displaced or detained, with its
interval, category, victims, place, event date, scope (incident or
cumulative), source and relay, hedges, denials and part-whole links, and the
sentence and character span it came from.

How a figure is read (each step is a bounded search over one sentence's
tokens, so the whole extractor is linear in the text):

1. :func:`~reconcile.figures.find_figures` finds the figures; numbers that
   are part of dates, ages, durations, money, labels or counts of things are
   dropped (``not_casualty`` rows of ``rules/extract.toml``).
2. The word that governs the figure within its clause gives the category:
   a word after the figure and its noun ("60 people were killed") wins over
   one before it ("killing at least 25", "the death toll ... rose to 56").
   A figure before an active verb with an object counts the attackers.
3. "including 10 children", "among them", "20 of them children" link a part
   to its whole (``part_of`` is the whole's ``claim_id``).
4. Attribution, hedges, place, date and scope are read around the figure,
   falling back to the next sentence (source), paragraph, headline and
   article (place) as described in :class:`_Engine`.

Headlines and an author's biography are not read for figures: a headline
restates the body ("..., 25 killed") or is rhetorical ("Thousands die
everyday"), and the numbers of a biography are not casualties.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO
from urllib.parse import urlparse

from ..core.parse import FigureMatch, find_figures
from ..core.text import tokenize
from ..errors import InputError, OutputError, ReconcileError
from ..io.articles import (
    MAX_ARTICLE_CHARS,
    ArticleInput,
    ExtractReport,
    claims_csv_text,
    read_articles,
    write_claims,
)
from ..io.records import STDIN
from ..places.gazetteer import Gazetteer, default_gazetteer, load_gazetteer
from ..progress import NO_PROGRESS, Progress
from ..rules.extract import extract_rules_for
from ..rules.grouping import EventWords
from ..rules.load import Rules, default_rules, default_rules_dir
from ..schema import EXTRACTED_COLUMNS
from .attribution import (
    Attribution,
    choose_source,
    find_attributions,
    hard_breaks,
    hedges_in,
    np_left,
    source_text,
)
from .dates import DatePhrase, parse_published
from .document import MAX_SENTENCE, Article, Sentence, split_article
from .grammar import Fig, Lexicon, SentenceView, govern_figures
from .incident import (
    Note,
    article_totals,
    fill_dates,
    link_victims,
    restated,
    split_wholes,
    wounds_with_deaths,
)
from .place import ArticlePlaces, PlaceFinder

__all__ = [
    "ExtractReport",
    "extract_article",
    "extract_files",
    "read_articles",
    "write_claims",
]


STDOUT = "<stdout>"  # how the report names standard output
_DIGIT = re.compile(r"\d")
_WORDS = re.compile(r"[^\W\d_]+")
_ASCII_WORDS = re.compile(r"[A-Za-z]+")  # the same words in ASCII text, found faster
_PARENT_LOOKBACK = 50
_PROVISIONAL = ("at first", "initially", "at the scene", "at the time", "immediately")


@dataclass(slots=True)
class _Ctx:
    """What the engine remembers while reading one article."""

    article_id: str
    text: str
    doc: Article
    published: object
    outlet: str | None
    url: str | None
    title: str | None
    views: dict[int, SentenceView]
    figs: dict[int, list[Fig]]
    tokens: dict[int, list]
    claims: list[dict]
    named_sources: list[str]
    last_source: tuple[str, str] | None = None
    notes: list[Note] = field(default_factory=list)  # figures read, for the article pass
    places: ArticlePlaces = field(default_factory=ArticlePlaces)  # filled by the PlaceFinder
    sha256: str = ""  # of the text, once asked (the claims' text_sha256)


# "BEIRUT (Reuters) —", "Idlib, Syria -": the place a report was filed from.
_DATELINE = re.compile(r"([A-Z][A-Za-z'’. -]{1,40}?)(?:,\s*[A-Z][A-Za-z ]+)?\s*"
                       r"(?:\([^)]{1,40}\))?\s*[—–-]{1,2}\s")


class _Engine:
    """Rules, lookup tables and the gazetteer, built once per rules directory."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.ex = extract_rules_for(rules)
        self.lex = Lexicon(rules, self.ex)
        self._gaz: Gazetteer | None = None
        self._places: PlaceFinder | None = None
        self._carry_strings = tuple(" ".join(p) for p in self.ex.carry_back)
        self._event_words: EventWords | None = None

    @property
    def event_words(self) -> EventWords:
        """The event-type families a text names (``rules/grouping.toml``), table built once."""
        if self._event_words is None:
            from ..rules.grouping import grouping_rules_for

            self._event_words = EventWords(grouping_rules_for(self.rules))
        return self._event_words

    @property
    def gaz(self) -> Gazetteer:
        if self._gaz is None:
            custom = Path(self.rules.directory) / "places.toml"
            if Path(self.rules.directory) != default_rules_dir() and custom.exists():
                self._gaz = load_gazetteer(custom)
            else:
                self._gaz = default_gazetteer()
        return self._gaz

    @property
    def places(self) -> PlaceFinder:
        """Where claims happened (built on first use, with the gazetteer)."""
        if self._places is None:
            self._places = PlaceFinder(self.gaz, self.lex, self.ex.source_nouns, self.tokens)
        return self._places

    # -- sentences --------------------------------------------------------
    def prefilter(self, text: str) -> tuple[bool, bool]:
        """(may hold a figure claim, may hold a zero claim) from one scan of the words.

        A sentence without a digit and without a number or vague word has no
        figure; one without a casualty word ("killed", "toll", "homes") has no
        figure claim; one without "no", "deny", ... has no zero claim.
        """
        found = set((_ASCII_WORDS if text.isascii() else _WORDS).findall(text.lower()))
        figure = (bool(_DIGIT.search(text)) or not self.lex.prefilter.isdisjoint(found)) \
            and not self.lex.casualty_words.isdisjoint(found)
        zero = not self.lex.zero_first.isdisjoint(found)
        if zero:
            low = text.lower()
            zero = any(z in low for z in self.lex.zero_words)
        return figure, zero

    def tokens(self, ctx: _Ctx, index: int) -> list:
        toks = ctx.tokens.get(index)
        if toks is None:
            sent = ctx.doc.sentences[index]
            toks = ctx.tokens[index] = tokenize(ctx.text[sent.start:sent.end])
        return toks

    def view(self, ctx: _Ctx, index: int, toks=None) -> SentenceView:
        v = ctx.views.get(index)
        if v is None:
            sent = ctx.doc.sentences[index]
            v = SentenceView(ctx.text[sent.start:sent.end], sent.start, index, sent.paragraph,
                             self.lex, toks if toks is not None else self.tokens(ctx, index))
            ctx.views[index] = v
        return v

    def figures(self, ctx: _Ctx, index: int, rejected: list | None = None,
                checked: bool = False) -> list[Fig]:
        found = ctx.figs.get(index)
        if found is None:
            found = []
            sent = ctx.doc.sentences[index]
            para = ctx.doc.paragraphs[sent.paragraph]
            stext = ctx.text[sent.start:sent.end]
            readable = not para.biography and (not para.heading or sent.paragraph == 0)
            if readable and (checked or self.prefilter(stext)[0]):
                toks = self.tokens(ctx, index)
                matches = find_figures(stext, self.rules, toks)
                if matches and (sent.cut_start or sent.cut_end):
                    matches = _uncut(matches, sent, len(toks), rejected)
                # Without a number a sentence may still name a single victim.
                found = govern_figures(self.view(ctx, index, toks), ctx.published, rejected,
                                       matches)
            ctx.figs[index] = found
        return found

    # -- the article ------------------------------------------------------
    def article(self, text: str, article_id: str, published, outlet, url, title,
                rejected: list | None = None) -> list[dict]:
        ex = self.ex
        doc = split_article(text, ex.abbreviations, ex.biography_roles, ex.biography_verbs)
        ctx = _Ctx(article_id, text, doc, parse_published(published), outlet or None,
                   url or None, title or None, {}, {}, {}, [], [])
        pub_text = "" if published is None else str(published)
        headline_end = 0  # claims made from the headline: ctx.claims[:headline_end]
        for sent in doc.sentences:
            para = doc.paragraphs[sent.paragraph]
            if para.biography or (para.heading and sent.paragraph > 0):
                continue  # a section heading is not read; the headline is, below
            stext = text[sent.start:sent.end]
            may_figure, deny = self.prefilter(stext)
            figs = self.figures(ctx, sent.index, rejected, True) if may_figure else []
            if not figs and not deny:
                continue
            s = self.view(ctx, sent.index)
            zeros = self.zeros_and_denials(s) if deny else []
            if not figs and not zeros:
                continue
            self.sentence_claims(ctx, sent, s, figs, zeros, pub_text)
            if para.heading:
                headline_end = len(ctx.claims)
        claims = self.incident(ctx, headline_end)
        headline_end = min(headline_end, len(claims))
        if title and not (doc.paragraphs and doc.paragraphs[0].heading) and headline_end == 0:
            head = self.article(title, article_id, published, outlet, url, None)
            for row in head:
                row["claim_id"] = f"{article_id}:title:{row['span']}"
                row["span"] = ""
                if not row["location"] or row["location"] == row["country"]:
                    # "Two dead after shooting": the body says where.
                    row["location"], row["country"] = self.places.article_place(ctx)
                row["quote_start"] = ""  # the title is not in the body the spans index
            claims = head + claims
            headline_end = len(head)
        if headline_end:
            claims = _headline_once(claims, headline_end)
        if len(doc.sentences) > 1 and any(not r["event_date"] for r in claims) \
                and not self.places.roundup(ctx):
            fill_dates(claims)  # one incident: its date
        if claims:
            self.article_context(ctx, claims)
        return claims

    def incident(self, ctx: _Ctx, headline_end: int) -> list[dict]:
        """The body's claims read together: one claim per victim, totals, wounds and deaths.

        See :mod:`reconcile.extract.incident`. The headline's claims
        (``ctx.claims[:headline_end]``) are left to :func:`_headline_once`.
        """
        if not ctx.notes or ctx.notes[0].sentence == ctx.notes[-1].sentence:
            return ctx.claims  # one sentence: the grammar has read it all
        victims, drop = link_victims(ctx.notes)
        drop |= restated(ctx.notes)
        words = {n.sentence: ctx.views[n.sentence].w for n in ctx.notes}
        split_wholes(ctx.notes, drop)
        sums = article_totals(ctx.notes, victims, drop, words, ctx.article_id, self.lex,
                              len(ctx.doc.sentences))
        wounds_with_deaths(ctx.notes, drop, sums)
        return [r for r in ctx.claims if id(r) not in drop] + sums

    # -- article context ----------------------------------------------------
    def article_context(self, ctx: _Ctx, claims: list[dict]) -> None:
        """What the whole article says around each claim, for grouping.

        ``title``; ``dateline`` (the place a report is filed from: "BEIRUT
        (Reuters) —"); ``places`` (every place the article names, most named
        first); ``event_words`` (the event-type families of the claim's
        sentence, else of the title, from ``rules/grouping.toml``).
        """
        body = ctx.text.lstrip()
        dateline = ""
        m = _DATELINE.match(body)
        if m and self.gaz.lookup(m.group(1)):
            dateline = self.gaz.lookup(m.group(1))[0].name
        counts: dict[str, int] = {}
        # The extractor's place reading: people's names, hospitals and homes are not places.
        for i in self.places.place_sentences(ctx):
            for mention in self.places.mentions(ctx, i):
                place = mention.candidates[0]
                if place.kind != "country":
                    counts[place.name] = counts.get(place.name, 0) + 1
        places = "; ".join(sorted(counts, key=lambda k: (-counts[k], k)))
        title = ctx.title or ""
        families = self.event_words
        title_fams = families(title) if title else ()
        # Only the claims' sentences: their tokens are read already (the view's).
        quotes = {c.get("quote", "") for c in claims}
        fams = {v.text: families.of_tokens(v.w) for v in ctx.views.values() if v.text in quotes}
        for q in quotes:
            if q not in fams:
                fams[q] = families(q)
        for claim in claims:
            words = sorted(fams.get(claim.get("quote", ""), ()) or title_fams)
            claim.update({"title": title, "dateline": dateline, "places": places,
                          "event_words": "; ".join(words)})

    # -- zero claims ------------------------------------------------------
    def zeros_and_denials(self, s: SentenceView) -> list[tuple]:
        """(first, end, category, victims, denial phrase, verb index) for each zero claim."""
        lex, w = self.lex, s.w
        out: list[tuple] = []
        n = len(w)
        starts = sorted(set(lex.denials.positions(w)) | set(lex.zeros.positions(w)))
        if not starts:
            return out
        i = starts[0]
        while i < n:
            if w[i] not in lex.denials.first and w[i] not in lex.zeros.first:
                i += 1
                continue
            hit = lex.denials.at(w, i)
            if hit is not None:
                _phrase, end = hit
                cat = vic = None
                last = None
                k = end
                while k < n and k < end + 10 and not s.brk[k] and w[k] != ",":
                    c = lex.cat_any.at(w, k)
                    if c is not None and cat is None:
                        cat, k = c[0].category, c[1]
                        last = k
                        continue
                    v = lex.victim_at(w, k)
                    if v is not None and vic is None:
                        vic, k = v[0], v[1]
                        last = k
                        continue
                    if w[k][0].isdigit():
                        break
                    k += 1
                if last is not None:
                    out.append((i, last, cat or "casualties", vic or "people",
                                s.span(i, end).lower(), i))
                    i = last
                    continue
                i = end
                continue
            hit = lex.zeros.at(w, i)
            if hit is not None and " ".join(w[hit[1]:hit[1] + 3]).startswith(_PROVISIONAL):
                i = hit[1]  # "no victims at first", "no victims at the scene": not a toll
                continue
            if hit is not None:
                category, end = hit
                vic = None
                for k in range(i, end):
                    v = lex.victim_at(w, k, end)
                    if v is not None:
                        vic = v[0]
                        break
                out.append((i, end, category, vic or "people", "", None))
                i = end
                continue
            i += 1
        return out

    # -- one sentence's claims ---------------------------------------------
    def sentence_claims(self, ctx: _Ctx, sent: Sentence, s: SentenceView, figs: list[Fig],
                        zeros: list[tuple], pub_text: str) -> None:
        inside = [False] * len(s.w)
        ends = set()
        for f in s.figs:
            for k in range(f.first, f.end):
                inside[k] = True
            ends.add(f.end)
        attrs = find_attributions(s, inside, ends)
        hard = hard_breaks(s)
        hedges = hedges_in(s)
        carry_attr, carry_hedges = self.carry_back(ctx, sent)
        if carry_attr is None:
            carry_attr = self.quote_speaker(ctx, sent)
        scope_clauses = self._scope_clauses(s)
        usable = any(a.kind != "relay" and not a.is_relay and (a.source or a.pronoun)
                     for a in attrs)
        base: dict[str, object] = {"article_id": ctx.article_id, "outlet": ctx.outlet or "",
                "published": pub_text, "url": ctx.url or "", "quote": s.text,
                "quote_start": s.article_start, "text_sha256": _text_sha256(ctx),
                "inferred": ""}
        made: dict[int, dict] = {}
        source_spans = [a.np for a in attrs if a.np is not None]
        # With at most one place named in the sentence, every figure gets the same place.
        one_place = len(self.places.mentions(ctx, s.index)) <= 1
        places: tuple[str, str] | None = None
        headline = ctx.doc.paragraphs[sent.paragraph].heading
        for k, f in enumerate(figs):
            if f.det == "pronoun":
                # "He died in hospital": a victim named before, if any (incident.py).
                if not headline:
                    ctx.notes.append(Note(None, f, s.index))
                continue
            if any(f.first < z[1] and z[0] < f.end for z in zeros):
                # "No one was killed": the zero phrase is read once, as a zero claim
                # (its category comes with the phrase), not again as a figure.
                continue
            a = choose_source(s, attrs, f.first, f.end, hard)
            if a is None and not usable:
                a = carry_attr
            if a is None and not usable and sent.index:
                a = self._continued(ctx, sent)
            if a is None and f.category == "detained" and f.side == "left" and f.word is not None \
                    and f.word.agentive and f.word_at is not None:
                a = self._agent_source(s, f.word_at)
            source, stype, relay = self._source(ctx, s, attrs, a)
            hedge = list(dict.fromkeys([*([f.hedge] if f.hedge else []), *hedges, *carry_hedges,
                                        *([a.hedge] if a is not None and a.hedge else [])]))
            cumulative = self._cumulative(s, f.first, scope_clauses) or (
                f.word_at is not None and s.clause[f.word_at] in scope_clauses)
            parent = made.get(f.part_of) if f.part_of is not None else None
            if parent is not None:
                cumulative = cumulative or parent["scope"] == "cumulative"
            event_date = self._event_date(ctx, s, f.first, f.end, cumulative)
            if parent is not None and not event_date:
                event_date = parent["event_date"]
            if places is None or not one_place:
                places = self.places.place(ctx, s, f.first, source_spans)
            location, country = places
            start = s.article_start + f.match.start
            end = s.article_start + f.match.end
            fig = f.figure
            text = ctx.text[start:end]
            inferred = ""
            if f.person is not None or f.derived:
                # "a driver", "five shot, two fatally": the words are at span; the
                # figure is the count they stand for, so that the row reads back.
                text = _count_text(fig)
                inferred = "victims named" if f.person is not None else "derived"
            row = dict(base)
            row["inferred"] = inferred
            row.update({
                "claim_id": f"{ctx.article_id}:{start}-{end}",
                "figure": text, "low": fig.low, "high": fig.high,
                "anchor": fig.anchor, "kind": fig.kind, "category": f.category,
                "victims": f.victims or "people", "location": location, "country": country,
                "event_date": event_date, "scope": "cumulative" if cumulative else "incident",
                "source": source, "source_type": stype, "relay": relay or "",
                "hedge": "; ".join(hedge), "denial": "",
                "part_of": parent["claim_id"] if parent is not None else "",
                "span": f"{start}-{end}",
            })
            if (f.part_cue and parent is None and f.side == "left") or f.among:
                row["part_of"] = self._article_parent(ctx, row, f.partitive)
                if row["part_of"] and stype == "outlet":
                    # "Among the deceased were 241 children": the whole's source says so.
                    whole = next(r for r in reversed(ctx.claims)
                                 if r["claim_id"] == row["part_of"])
                    for key in ("source", "source_type", "relay"):
                        row[key] = whole[key]
            made[k] = row
            ctx.claims.append(row)
            if not headline:
                ctx.notes.append(Note(row, f, s.index))
        for first, last, category, victims, denial, verb in zeros:
            if verb is not None:
                found = np_left(s, verb)
                a = None
                if found == "pronoun" or isinstance(found, tuple):
                    a = Attribution("verb", verb, verb + 1)
                    if isinstance(found, tuple):
                        a.np = found
                        a.source, a.unnamed = source_text(s, found)
                    else:
                        a.pronoun = True
            else:
                a = choose_source(s, attrs, first, last, hard)
            source, stype, relay = self._source(ctx, s, attrs, a)
            start = s.article_start + s.toks[first].start
            end = s.article_start + s.toks[last - 1].end
            spans = source_spans + ([a.np] if a is not None and a.np else [])
            location, country = self.places.place(ctx, s, first, spans)
            row = dict(base)
            row.update({
                "claim_id": f"{ctx.article_id}:{start}-{end}",
                "figure": "0", "low": 0, "high": 0, "anchor": 0,
                "kind": "exact", "category": category, "victims": victims,
                "location": location, "country": country,
                "event_date": self._event_date(ctx, s, first, last, False),
                "scope": "incident", "source": source, "source_type": stype,
                "relay": relay or "", "hedge": "; ".join(hedges),
                "denial": ctx.text[start:end] if denial else "",
                "part_of": "", "span": f"{start}-{end}",
            })
            ctx.claims.append(row)

    # -- attribution -------------------------------------------------------
    def carry_back(self, ctx: _Ctx, sent: Sentence) -> tuple[Attribution | None, list[str]]:
        """'Those figures have not been confirmed – but they come from X': the next sentence."""
        nxt = sent.index + 1
        if nxt >= len(ctx.doc.sentences) or ctx.doc.sentences[nxt].paragraph != sent.paragraph:
            return None, []
        sent_n = ctx.doc.sentences[nxt]
        low = ctx.text[sent_n.start:sent_n.end].lower()
        if not any(p in low for p in self._carry_strings):
            return None, []
        v = self.view(ctx, nxt)
        if not self.lex.carry_back.scan(v.w):
            return None, []
        if self.figures(ctx, nxt):
            return None, []
        attrs = find_attributions(v, [False] * len(v.w), set())
        best = next((a for a in attrs if a.kind != "relay" and a.source), None)
        return best, hedges_in(v)

    def _continued(self, ctx: _Ctx, sent: Sentence) -> Attribution | None:
        """'..., Coroner Kevin Kirby said. The youngest victims include two infants': a
        sentence that names no source continues the report of the sentence before it in
        its paragraph (that sentence's last source, not a relay)."""
        prev = ctx.doc.sentences[sent.index - 1]
        if prev.paragraph != sent.paragraph or ctx.doc.paragraphs[prev.paragraph].heading:
            return None
        v = self.view(ctx, prev.index)
        attrs = find_attributions(v, [False] * len(v.w), set())
        named = [a for a in attrs if a.source and not a.pronoun and not a.is_relay
                 and a.kind in ("verb", "told", "prep")]
        return named[-1] if named else None

    def quote_speaker(self, ctx: _Ctx, sent: Sentence) -> Attribution | None:
        """'"We fear 15 have died. There were 18 workers inside," G Sathyanarayanan told
        AFP': a quotation left open is its speaker's, named after it closes (at most three
        sentences on, in the same paragraph)."""
        text = ctx.text[sent.start:sent.end]
        if text.count('"') % 2 == 0 and text.count("“") <= text.count("”"):
            return None
        for nxt in range(sent.index + 1, min(sent.index + 4, len(ctx.doc.sentences))):
            later = ctx.doc.sentences[nxt]
            if later.paragraph != sent.paragraph:
                return None
            low = ctx.text[later.start:later.end]
            if low.count('"') % 2 == 0 and "”" not in low:
                continue  # still inside the quotation
            v = self.view(ctx, nxt)
            close = next((k for k, t in enumerate(v.w) if t in ('"', "”")), None)
            if close is None:
                return None
            attrs = find_attributions(v, [False] * len(v.w), set())
            return next((a for a in attrs if a.start > close and a.source and not a.pronoun
                         and a.kind in ("verb", "told")), None)
        return None

    def _previous_speaker(self, ctx: _Ctx, index: int) -> str | None:
        """'He said' / 'She told AFP': the last named speaker of the sentences before.

        Looks back at most four sentences: a named source of an attribution
        ("According to Ko Zaw Tun", "Elizabeth Throssell ... gave the
        figures") or a capitalised name opening a sentence ("Mohammed
        Alaloul, 37, ... saw his house collapse").
        """
        for j in range(index - 1, max(-1, index - 5), -1):
            sent = ctx.doc.sentences[j]
            if ctx.doc.paragraphs[sent.paragraph].biography:
                continue
            v = self.view(ctx, j)
            attrs = find_attributions(v, [False] * len(v.w), set())
            named = [a for a in attrs if a.source and not a.unnamed and a.kind != "relay"]
            if named:
                return named[-1].source
            name = self._subject_name(v)
            if name is not None:
                return name
        return None

    @staticmethod
    def _subject_name(v: SentenceView) -> str | None:
        """A name of two or more capitalised words that opens a sentence."""
        k = 0
        while k < len(v.w) and k < 5 and v.caps[k] and v.w[k][0].isalpha():
            k += 1
        if k >= 2 and k < len(v.w) and (v.w[k] == "," or v.w[k] in v.lex.ex.source_nouns
                                        or v.w[k].endswith("ed") or v.w[k] in ("said", "told")):
            return v.span(0, k)
        return None

    def _apposed_name(self, s: SentenceView, noun: str) -> str | None:
        w = s.w
        titles = self.ex.not_places["titles"]
        for k, t in enumerate(w[:-1]):
            # "police Capt. Ali Omar said": a person with a title, not the noun's name.
            if t == noun and s.caps[k + 1] and not s.caps[k] and w[k + 1] not in titles:
                end = k + 1
                while end < len(w) and end - k <= 6 and (s.caps[end] or w[end] in ("-", "of")):
                    end += 1
                while end > k + 1 and not s.caps[end - 1]:
                    end -= 1
                return s.span(k + 1, end)
        return None

    def _agent_source(self, s: SentenceView, verb: int) -> Attribution | None:
        """'Police in Karachi arrested 45 people': those who detain report it."""
        span = np_left(s, verb)
        if not isinstance(span, tuple):
            return None
        a = Attribution("verb", verb, verb + 1, np=span)
        a.source, a.unnamed = source_text(s, span)
        words = set(s.w[span[0]:span[1]])
        agents = {"police", "army", "military", "authorities", "forces", "troops",
                  "government", "ministry", "officials"}
        return a if words & agents or not a.unnamed else None

    def _source(self, ctx: _Ctx, s: SentenceView, attrs: Sequence[Attribution],
                a: Attribution | None) -> tuple[str, str, str | None]:
        """(source, source_type, relay) for a chosen attribution, or the outlet."""
        source, unnamed, relay = None, False, None
        if a is not None:
            relay = a.relay
            later = [x for x in attrs if x.start > a.start and x.source and not x.pronoun
                     and x.kind in ("verb", "told") and not x.is_relay] \
                if a.pronoun and a.first_person else []
            if a.pronoun and a.first_person and not later:
                quoted = self.quote_speaker(ctx, ctx.doc.sentences[s.index])
                later = [quoted] if quoted is not None else []
            if later:
                # '"We have confirmed 97 deaths," Chaitra V. told AFP': the quote's speaker.
                source, unnamed = later[0].source, later[0].unnamed
                relay = relay or later[0].relay
            elif a.pronoun:
                earlier = [x for x in attrs if x.start < a.start and x.source
                           and not x.pronoun and x.kind != "relay"]
                if earlier:
                    source, unnamed = earlier[-1].source, earlier[-1].unnamed
                    relay = relay or earlier[-1].relay
                else:
                    speaker = self._previous_speaker(ctx, s.index)
                    if speaker is not None:
                        source, unnamed = speaker, False
                    elif ctx.last_source is not None:
                        source, unnamed = ctx.last_source[0], ctx.last_source[1] == "unnamed"
            else:
                source, unnamed = a.source, a.unnamed
        if source and unnamed and len(source.split()) <= 2:
            # "the ministry" after "Russia's defense ministry": the same source.
            for prev in reversed(ctx.named_sources):
                if prev.lower().endswith(" " + source):
                    source, unnamed = prev, False
                    break
        if source and unnamed and " " not in source:
            # "the charity said" after "the charity World Central Kitchen": its name.
            named = self._apposed_name(s, source)
            if named:
                source, unnamed = named, False
        if source:
            stype = "unnamed" if unnamed else "named"
            ctx.last_source = (source, stype)
            if not unnamed and source not in ctx.named_sources:
                ctx.named_sources.append(source)
            return source, stype, relay
        fallback = ctx.outlet or (urlparse(ctx.url).hostname if ctx.url else None) \
            or ctx.article_id
        return fallback, "outlet", None

    def _article_parent(self, ctx: _Ctx, row: dict, partitive: bool = False) -> str:
        """'Among the fatalities were 10 children': the whole named earlier in the article.

        A partitive ("Three of the injured") names a part of a larger count of the
        same people; other parts name a narrower group (children of the dead).
        """
        fallback = ""
        for prev in reversed(ctx.claims[-_PARENT_LOOKBACK:]):
            if prev["category"] != row["category"] or prev["part_of"] or prev["denial"]:
                continue
            if partitive:
                if int(prev["low"]) <= int(row["low"]) or \
                        not self.lex.within(row["victims"], prev["victims"]):
                    continue
            elif prev["victims"] == row["victims"] or \
                    not self.lex.within(row["victims"], prev["victims"]):
                continue
            if prev["source"] == row["source"]:
                return prev["claim_id"]
            fallback = fallback or prev["claim_id"]
        return fallback

    # -- scope and dates ---------------------------------------------------
    def _scope_clauses(self, s: SentenceView) -> set[int]:
        return {s.clause[start] for _, start, _ in self.lex.scope.scan(s.w)}

    def _cumulative(self, s: SentenceView, first: int, clauses: set[int]) -> bool:
        if not clauses:
            return False
        own = s.clause[first]
        if own in clauses:
            return True
        # A sentence-opening clause ("Since November 27, ...") covers the sentence.
        return 0 in clauses and own > 0 and bool(s.commas) and s.clause[s.commas[0]] == 1

    def _event_date(self, ctx: _Ctx, s: SentenceView, first: int, end: int,
                    cumulative: bool) -> str:
        phrases: list[DatePhrase] = [d for d in s.dates(ctx.published)
                                     if d.first is not None and not d.statement
                                     and d.kind != "year"]
        if not phrases:
            return ""
        windows = [d for d in phrases if d.kind in ("since", "past", "window")]
        pool = windows if cumulative and windows else [d for d in phrases if d.kind == "point"]
        if not pool:
            return ""
        best = min(pool, key=lambda d: (d.end <= first and first - d.end) or
                   (d.start >= end and d.start - end) or 0)
        return best.iso()


def _text_sha256(ctx: _Ctx) -> str:
    """SHA-256 of the article text the spans index into (UTF-8), once per article."""
    if not ctx.sha256:
        ctx.sha256 = hashlib.sha256(ctx.text.encode("utf-8", "surrogatepass")).hexdigest()
    return ctx.sha256


def _count_text(fig) -> str:
    """A figure text that parses back to ``fig``'s bounds: '3', 'at least 4', 'up to 9'."""
    if fig.high is None:
        if fig.anchor is not None and fig.anchor == fig.low - 1:
            return f"more than {fig.anchor}"
        return f"at least {fig.low}"
    if fig.low == 0 and fig.anchor == fig.high and fig.high > 0:
        return f"up to {fig.high}"
    if fig.low == fig.high:
        return str(fig.low)
    return f"between {fig.low} and {fig.high}"


def _headline_once(claims: list[dict], n_head: int) -> list[dict]:
    """Headline tolls count when the body does not restate them, and only once.

    A headline claim is restated by a body claim of the same category with
    the same bounds or the same stated number; a vague headline ("Thousands
    die") is rhetoric, not a toll.
    """
    body = claims[n_head:]
    seen = {(r["category"], r["low"], r["high"]) for r in body}
    anchors = {(r["category"], r["anchor"]) for r in body if r["anchor"] is not None}
    keep = [r for r in claims[:n_head]
            if r["kind"] != "vague" and (r["category"], r["low"], r["high"]) not in seen
            and (r["anchor"] is None or (r["category"], r["anchor"]) not in anchors)]
    return keep + body


def _checked_date(art: ArticleInput, default: str | None, messages: list[str]) -> ArticleInput:
    """The article with a publication date the claims loader reads, or none, said out loud.

    A date the extractor reads but ``reconcile run`` would not ("2 December
    2024") is written as ISO; one it cannot read is dropped with a message
    naming the file (then ``default``, from ``--published``, is used).
    """
    if not art.published or art.published == default:
        return art
    day = parse_published(art.published)
    if day is None:
        fallback = f"; using --published {default}" if default else (
            "; relative dates in it (yesterday, on Monday) are left blank")
        messages.append(f"{art.origin}: published: {art.published!r} is not a date "
                        f"(YYYY-MM-DD or an ISO date-time){fallback}")
        return replace(art, published=default)
    try:
        dt.datetime.fromisoformat(art.published.replace("Z", "+00:00"))
    except ValueError:
        return replace(art, published=day.isoformat())
    return art


# A figure this many tokens from the edge of a sentence cut at MAX_SENTENCE may
# be cut itself (a run of number words, a qualifier split from its number).
_CUT_EDGE = 12


def _uncut(matches: list[FigureMatch], sent: Sentence, n_tokens: int,
           rejected: list | None) -> list[FigureMatch]:
    """The figures of a cut sentence that lie clear of the cut: a cut figure is never a claim."""
    kept = []
    for m in matches:
        if (sent.cut_start and m.first_token < _CUT_EDGE) or \
                (sent.cut_end and m.end_token > n_tokens - _CUT_EDGE):
            if rejected is not None:
                rejected.append((m.figure.text, "cut by the sentence length limit "
                                 f"({MAX_SENTENCE} characters)"))
            continue
        kept.append(m)
    return kept


def engine(rules: Rules | None = None) -> _Engine:
    """The extraction engine for ``rules``, built once per Rules object."""
    rules = rules or default_rules()
    return rules.derived("extract_engine", _Engine)


def extract_article(text: str, *, article_id: str, published: object = None,
                    outlet: str | None = None, url: str | None = None,
                    rules: Rules | None = None, title: str | None = None,
                    rejected: list | None = None) -> list[dict]:
    """The casualty claims in one article, as rows of the claims table.

    Parameters
    ----------
    text : the article body; spans are character offsets into it.
    article_id : the id every claim id starts with (``article_id:start-end``).
    published : ISO date or date-time the relative dates resolve against.
    outlet, url : carried into every row; the outlet is the source of a
        figure nothing attributes.
    rules : rule set (default: the shipped rules); ``extract.toml`` and
        ``places.toml`` are read from the same directory.
    title : the headline, used only to place figures the body does not place.
    rejected : if a list, receives ``(figure text, reason)`` for every number
        read and not kept.

    Returns
    -------
    list of dict
        One per claim, keys :data:`~reconcile.schema.EXTRACTED_COLUMNS`, in text order.

    Examples
    --------
    >>> rows = extract_article("At least 29 people were killed in Aleppo, activists said.",
    ...                        article_id="a1", published="2013-02-22")
    >>> [(r["figure"], r["low"], r["high"], r["category"], r["source"], r["location"])
    ...  for r in rows]
    [('At least 29', 29, None, 'killed', 'activists', 'Aleppo')]

    Notes
    -----
    Linear in the length of the text: sentences without a digit or a number
    word are skipped after one regular-expression scan, and every search
    around a figure is bounded.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    return engine(rules).article(text, str(article_id), published, outlet, url, title, rejected)


def extract_files(inputs: Sequence[str | Path], output: str | Path | TextIO, *,
                  outlet: str | None = None, published: str | None = None,
                  url: str | None = None, rules: Rules | None = None,
                  max_chars: int = MAX_ARTICLE_CHARS, stdin: bytes | None = None,
                  progress: Progress = NO_PROGRESS) -> ExtractReport:
    """Extract claims from article files into one claims CSV, written atomically.

    Parameters
    ----------
    inputs : ``.txt`` articles (one per file, optional ``outlet:``/``published:``/
        ``url:``/``title:`` header lines) and ``.jsonl``/``.json``/``.csv``
        collections with fields ``id``, ``text``, ``published``, ``outlet``, ``url``;
        a folder stands for the article files directly inside it; ``-`` stands
        for ``stdin``.
    output : the claims CSV (DESIGN.md's claims table), ready for ``reconcile run``;
        or an open text stream (standard output), which gets the whole table in
        one write once every article is read.
    outlet, published, url : defaults for articles whose file does not say.
    max_chars : articles longer than this are skipped with a message.
    stdin : the bytes ``-`` stands for (a text article, JSON lines or a JSON list).
    progress : hears of the reading and extracting stages.

    Returns
    -------
    ExtractReport
        Counts and one message per problem (each naming the file and line).

    Raises
    ------
    InputError
        When no input could be read at all (the messages say why), or
        ``published`` is not a date.
    OutputError
        When ``output`` is a folder or cannot be written (nothing is written).

    Notes
    -----
    Rows are sorted by (article_id, span), so the output does not depend on
    the order of ``inputs``. An article id seen twice gets ``~2``, ``~3``...
    in the sorted order of the files.
    """
    rules = rules or default_rules()
    to_stream = not isinstance(output, (str, Path))
    report = ExtractReport(STDOUT if to_stream else Path(output),  # type: ignore[arg-type]
                           files=len(inputs))
    if not inputs:
        raise InputError("no input files given")
    if published is not None and parse_published(published) is None:
        raise InputError(f"published date {published!r} is not a date; give an ISO date "
                         "(YYYY-MM-DD) or date-time")
    if not to_stream and Path(output).is_dir():  # type: ignore[arg-type]
        raise OutputError("is a folder, not a file; give the claims CSV to write",
                          file=str(output))
    articles: list[ArticleInput] = []
    paths: set[str] = set()
    for given in inputs:
        p = Path(given)
        if str(given) == "-":
            paths.add("-")
        elif p.is_dir():
            # A folder: the article files directly inside it.
            try:
                files = [c for c in p.iterdir() if c.is_file() and c.suffix.lower() in
                         (".txt", ".text", ".md", ".jsonl", ".ndjson", ".json", ".csv", ".tsv")]
            except OSError as exc:
                report.messages.append(f"{p}: cannot read the folder: {exc.strerror or exc}")
                files = []
            else:
                if not files:
                    report.messages.append(f"{p}: a folder without article files")
            paths.update(str(c) for c in files)
        else:
            paths.add(str(p))
    report.files = len(paths)
    with progress.stage("reading articles", total=len(paths)) as advance:
        for path in sorted(paths):
            try:
                if path == "-":
                    found, messages = read_articles(STDIN, outlet=outlet, published=published,
                                                    url=url, max_chars=max_chars,
                                                    data=stdin or b"")
                else:
                    found, messages = read_articles(path, outlet=outlet, published=published,
                                                    url=url, max_chars=max_chars)
            except ReconcileError as exc:
                report.messages.append(str(exc))
                continue
            finally:
                advance()
            report.messages.extend(messages)
            if found:
                report.files_read += 1
                articles.extend(found)
    if not articles:
        detail = "; ".join(report.messages) or "no articles found"
        raise InputError(f"no article could be read: {detail}")
    seen: Counter[str] = Counter()
    rows: list[dict] = []
    with progress.stage("extracting", total=len(articles)) as advance:
        for art in articles:
            advance()
            art = _checked_date(art, published, report.messages)
            seen[art.id] += 1
            article_id = art.id if seen[art.id] == 1 else f"{art.id}~{seen[art.id]}"
            if seen[art.id] == 2:
                report.messages.append(f"{art.origin}: article id {art.id!r} is used more than "
                                       "once; later copies get ~2, ~3, ...")
            try:
                found_rows = extract_article(art.text, article_id=article_id,
                                             published=art.published, outlet=art.outlet,
                                             url=art.url, rules=rules, title=art.title)
            except RecursionError:  # pragma: no cover - defensive: never expected
                report.messages.append(f"{art.origin}: could not be read (too deeply nested)")
                continue
            report.articles += 1
            rows.extend(found_rows)
    report.claims = len(rows)
    if to_stream:
        output.write(claims_csv_text(rows, EXTRACTED_COLUMNS))  # type: ignore[union-attr]
    else:
        write_claims(rows, output, EXTRACTED_COLUMNS)  # type: ignore[arg-type]
    return report
