"""Article → events: the extraction pipeline of DESIGN §1.

``Extractor.extract(article)`` cuts the article into lines and the lines into
sentences (a Title-Case headline is one unit, parsed in sentence case), parses
each sentence that may hold an event on its own with spaCy (:mod:`.prefilter`),
resolves actor mentions (:mod:`.mentions`), finds event candidates
(:mod:`.events`), reads their polarity and attribution (:mod:`.polarity`) and
dates (:mod:`.dates`), codes them in CAMEO and PLOVER (:mod:`diplowatch.ontology`),
and merges reports of the same event within the article: one event reported
three times is one event, kept at its first, most certain report.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import deque
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

from spacy.language import Language
from spacy.tokens import Span, Token

from diplowatch.actors import Gazetteer
from diplowatch.extract.dates import is_duration, resolve_date
from diplowatch.extract.events import Candidate, EventFinder
from diplowatch.extract.issues import tag_events
from diplowatch.extract.positions import PositionFinder, conditioned_demand
from diplowatch.extract.lexicon import Lexicon, load_lexicon
from diplowatch.extract.mentions import ArticleContext, Mention, MentionFinder
from diplowatch.extract.polarity import clause_tokens, governing_chain, read_polarity
from diplowatch.extract.prefilter import Prefilter
from diplowatch.model import Actor, Article, Event, Evidence, event_id
from diplowatch.errors import Cancelled, ConfigurationError
from diplowatch.nlp.french import load_french
from diplowatch.nlp.normal import TextView, normalise
from diplowatch.nlp.pipeline import Block, SentenceSplitter, load_nlp, segment, split_block
from diplowatch.ontology import MUTUAL_EVENTS, POSITION_EVENTS, event_type

log = logging.getLogger(__name__)

LANGUAGES: tuple[str, ...] = ("en", "fr")
"""Languages the extractor reads: English, and French through the clear view of its parse
(:mod:`diplowatch.nlp.french`), with the same engine."""

EXTRACTOR = "rules/1"
"""Name and version of this extractor, stored with every event."""

BATCH_DOCS, BATCH_CHARS = 256, 50_000
"""Sentences parsed in one ``nlp.pipe`` batch: at most this many, of at most this many characters in
all (one longer sentence is a batch of its own). Few large batches make spaCy's matrix products
efficient; the character cap bounds the memory of a batch of long sentences."""
BACKGROUND_MARKS = frozenset({"after", "before", "since", "when", "until", "once"})
"""Subordinators of a clause whose act is dated relative to another, not on the publication day."""
MIN_DATE, MAX_DATE = dt.date(1800, 1, 1), dt.date(2200, 12, 31)
"""Publication dates outside this range are treated as unknown."""
TIME_BUDGET = 60.0
"""Seconds of analysis one article may take (RELIABILITY: a per-document time budget)."""

IMPLICIT_WINDOW = 400
"""Characters back to the report whose target a nominal trigger without one takes ("their recognition")."""
REACTIONS = frozenset({"praise", "criticize", "high_level_talks"})
"""Events that "the move" or "the decision" never refers back to."""
REPRESENTATION_EVENTS = frozenset({"accredit_ambassador", "expel_diplomats", "recall_ambassador"})
"""Events whose target is the state an envoy represents, not the envoy."""


class Extractor:
    """Extract coded diplomatic events from articles.

    Args:
        nlp: a spaCy pipeline with parser and NER (default: :func:`load_nlp`).
        gazetteer: actor gazetteer (default: the packaged one).
        lexicon: trigger lexicon (default: the packaged one).
        prefilter: parse only the sentences that may hold an event (see
            :mod:`.prefilter`); results are the same either way.
        time_budget: seconds one article may take; the sentences after it are
            not analysed (a warning is logged). ``None`` for no limit.
        copy: which copy of the spaCy pipelines to use by default (see
            :func:`diplowatch.nlp.pipeline.load_nlp`): 0, the process's shared
            one; extractors that run in threads side by side each take their
            own number (an extractor itself is used by one thread at a time).
        lang: the language this extractor reads (ISO 639-1, one of
            :data:`LANGUAGES`); its defaults are that language's pipeline,
            gazetteer and lexicon. An article whose ``lang`` is another
            language of :data:`LANGUAGES` is read by an extractor of that
            language, made on the first such article (so an English-only run
            never loads the French model); an article without ``lang``, or in
            a language not analysed, is read as this extractor's language.

    Raises:
        ConfigurationError: no spaCy model is installed for ``lang``, or a data file is invalid.
    """

    def __init__(self, nlp: Language | None = None, gazetteer: Gazetteer | None = None,
                 lexicon: Lexicon | None = None, prefilter: bool = True,
                 time_budget: float | None = TIME_BUDGET, lang: str = "en", copy: int = 0) -> None:
        if lang not in LANGUAGES:
            raise ConfigurationError(f"language {lang!r} is not analysed: give one of {', '.join(LANGUAGES)}")
        self.lang = lang
        self.time_budget = time_budget
        self.copy = copy
        self.nlp = nlp or (load_french(copy) if lang == "fr" else load_nlp(copy))
        self.gazetteer = gazetteer or Gazetteer.for_language(lang)
        self.lexicon = lexicon or load_lexicon(lang)
        self._readers: dict[str, Extractor] = {lang: self}
        self.mentions = MentionFinder(self.gazetteer)
        self.events = EventFinder(self.lexicon, self.gazetteer)
        self.positions = PositionFinder(self.lexicon, self.events)
        self.prefilter = Prefilter(self.lexicon, self.gazetteer) if prefilter else None
        self.sentences = SentenceSplitter(self.nlp)

    def _keep_case(self, word: str) -> bool:
        gaz = self.gazetteer
        return gaz.demonym(word) is not None or gaz.lookup(word) is not None

    def extract(self, article: Article, cancelled: Callable[[], bool] | None = None) -> list[Event]:
        """Events reported by one article.

        Args:
            article: the article; its ``published`` date anchors relative dates.
            cancelled: asked between sentences and between the candidates of
                one sentence; when it answers true the analysis is abandoned
                (a server's time limit passed, its client went away).

        Returns:
            Events in text order, one per (event, source, target, polarity).

        Raises:
            Cancelled: ``cancelled`` answered true; no event is returned.
        """
        return next(self._extract_group([article], cancelled))[1]

    def _plan(self, lines: list[Block]) -> list[tuple[Block, bool, tuple[tuple[int, int], ...]]]:
        """The units of an article, whether each is parsed, and the names in those that are not.

        A unit is a sentence (a headline is one unit). Without the prefilter,
        every sentence is parsed. With it (see :mod:`.prefilter`), a sentence
        is parsed when it may hold an event, and so is the unit before a
        parsed sentence that refers back ("it", "the ministry"); a line
        with no such sentence is not cut into sentences at all: it is one
        unit whose names are remembered. A line fails the prefilter only when
        each of its sentences would, so the cut is the same either way.

        Returns:
            ``(unit, parse, names)`` in text order; ``names`` are the
            ``(start, end)`` spans of gazetteer names in an unparsed unit.
        """
        if self.prefilter is None:
            return [(unit, True, ()) for line in lines for unit in split_block(line, self.sentences)]
        plan: list[tuple[Block, bool, tuple[tuple[int, int], ...]]] = []
        whole = -1  # index in ``plan`` of the last line kept uncut
        seen_actor = False
        for line in lines:
            decision = self.prefilter.decide(line.text, seen_actor)
            if not decision.parse:
                seen_actor = seen_actor or decision.actor
                whole = len(plan)
                plan.append((line, False, decision.names))
                continue
            for unit in split_block(line, self.sentences):
                decision = self.prefilter.decide(unit.text, seen_actor)
                seen_actor = seen_actor or decision.actor
                if decision.parse and decision.reference and plan and not plan[-1][1]:
                    previous = plan.pop()[0]
                    units = split_block(previous, self.sentences) if whole == len(plan) else [previous]
                    plan += [(u, False, self.prefilter.decide(u.text, True).names) for u in units[:-1]]
                    plan.append((units[-1], True, ()))
                plan.append((unit, decision.parse, decision.names))
        return plan

    def extract_many(self, articles: Iterable[Article], group: int = 32) -> Iterator[tuple[Article, list[Event]]]:
        """Events of many articles, parsing the blocks of ``group`` articles in one ``nlp.pipe`` stream.

        The same events as :meth:`extract` article by article, with spaCy's
        per-call cost shared by many articles.

        Args:
            articles: the articles, in order.
            group: how many articles share one parse stream.

        Yields:
            ``(article, events)`` in input order.
        """
        batch: list[Article] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= group:
                yield from self._extract_group(batch)
                batch = []
        if batch:
            yield from self._extract_group(batch)

    def reader(self, lang: str | None) -> Extractor:
        """The extractor that reads articles in ``lang``: this one, or one of that language made
        on first use with the same prefilter and time budget (see the class doc)."""
        if lang is None or lang == self.lang or lang not in LANGUAGES:
            return self
        found = self._readers.get(lang)
        if found is None:
            found = self._readers[lang] = Extractor(prefilter=self.prefilter is not None,
                                                    time_budget=self.time_budget, lang=lang, copy=self.copy)
        return found

    def _extract_group(self, articles: list[Article], cancelled: Callable[[], bool] | None = None
                       ) -> Iterator[tuple[Article, list[Event]]]:
        """Events of a group of articles: each run of articles in one language is read by that
        language's extractor (:meth:`reader`), in input order."""
        start = 0
        for n in range(1, len(articles) + 1):
            if n == len(articles) or self.reader(articles[n].lang) is not self.reader(articles[start].lang):
                yield from self.reader(articles[start].lang)._extract_run(articles[start:n], cancelled)
                start = n

    def _extract_run(self, articles: list[Article], cancelled: Callable[[], bool] | None = None
                     ) -> Iterator[tuple[Article, list[Event]]]:
        plans = []
        for article in articles:
            article = self._checked(article)
            view = normalise(article.content)
            read = replace(article, text=view.text, title=None) if view.changed else article
            plans.append((article, read, view, self._plan(segment(read.content, self._keep_case))))
        texts = (unit.parse_text for *_, plan in plans for unit, parse, _ in plan if parse)
        parsed = (doc for batch in _batches(texts) for doc in self.nlp.pipe(batch, batch_size=len(batch)))
        for n, (article, read, view, plan) in enumerate(plans):
            # lazily, one batch at a time; what the time budget leaves unread is still taken off
            # the shared stream before the next article, which must start at its own first unit
            docs = ((unit, next(parsed) if parse else names, parse) for unit, parse, names in plan)
            events = self._from_docs(read, read.content, docs, len(plan), cancelled)
            if n + 1 < len(plans):
                deque(docs, maxlen=0)
            yield article, (_restored(events, view, article.content) if view.changed else events)

    def _checked(self, article: Article) -> Article:
        """The article, with a publication date outside 1800–2200 treated as unknown (warned)."""
        if article.published is not None and not MIN_DATE <= article.published <= MAX_DATE:
            log.warning("%s: publication date %s is out of range; relative dates are left unresolved",
                        article.id, article.published.isoformat())
            return replace(article, published=None)
        return article

    # -- per article ---------------------------------------------------------------
    def _from_docs(self, article: Article, content: str, docs: Iterable[tuple[Block, Any, bool]],
                   n_blocks: int, cancelled: Callable[[], bool] | None = None) -> list[Event]:
        """Events of the blocks, parsed lazily one batch at a time, within the time budget.

        ``docs`` holds ``(block, parsed Doc, True)`` or, for a block not parsed,
        ``(block, its name spans, False)``. The budget and ``cancelled`` are
        checked before each block and each candidate of a sentence.
        """
        ctx = ArticleContext(on=article.published)
        events: list[Event] = []
        clock = _Clock(article.id, self.time_budget, cancelled, n_blocks)
        for n, (block, doc, parsed) in enumerate(docs):
            if clock.spent(n):
                break
            if not parsed:
                self.mentions.find_names(block.text, doc, block.start, ctx)
                continue
            mentions = self.mentions.find(doc, block.start, ctx)
            doc.user_data["diplowatch_dates"] = [e for e in doc.ents if _is_date(e)]
            for sent in doc.sents:
                headline = block.headline or (block.first and sent.start == 0 and not sent.text.rstrip().endswith((".", "!", "?", ":"))
                                              and len(sent) <= 20)
                found: list[Event] = []
                for cand in self.events.find(sent, mentions, headline):
                    if clock.spent(n):
                        break
                    if cand.event in POSITION_EVENTS:
                        continue  # positions are read by extract/positions.py
                    coded = self._code(article, content, block, sent, cand, mentions, events)
                    events.extend(coded)
                    found.extend(coded)
                if clock.over:
                    break
                found.extend(self._positions(article, content, block, sent, mentions, events, found))
                self._remember_dyads(found, ctx)
            if clock.over:
                break
        kept = [e for e in events if not e.explanation.get("context_only")]
        return tag_events(_merge(kept + switches(kept, self.lexicon.rival_governments)), content)

    def _positions(self, article: Article, content: str, block: Block, sent: Span,
                   mentions: dict[int, Mention], events: list[Event], found: list[Event]) -> list[Event]:
        """The positions of a sentence (:mod:`.positions`): appeals, demands, and the demand that a
        conditional act states; appended to ``events``."""
        out = [e for cand in self.positions.find(sent, mentions)
               if (e := self._code_one(article, content, block, sent, cand, mentions, events, cand.source,
                                       cand.target, "")) is not None]
        for e in found:
            d = conditioned_demand(e, e.evidence.text)
            if d is not None:
                out.append(replace(d, id=event_id(article.id, EXTRACTOR, d.evidence.start, d.evidence.end, d.event,
                                                  d.source.id if d.source else None, d.target.id if d.target else None),
                                   cameo=event_type("demand").cameo, plover=event_type("demand").plover))
        events.extend(out)
        return out

    def _date_back_reference(self, article: Article, cand: Candidate, earlier: list[Event]) -> None:
        """Date an act by a later back-reference to it: "Nicaragua Cuts Ties With Israel" / "The
        government announced *the break* in a statement on Friday" dates the break to Friday.

        Only an act dated by the publication day alone (a headline, a bare report) takes the
        date, and only from an explicit date of the back-reference's own clause.
        """
        reading = read_polarity(cand.trigger, self.lexicon, cand.frame.constitutive,
                                ordered=cand.frame.roles == "host_allows")
        if reading.polarity != "asserted":
            return
        date, precision, text = self._date(cand.trigger, reading.attribution_head, article.published, "past")
        if not date or text in ("", "(published)"):
            return
        for n in range(len(earlier) - 1, -1, -1):
            e = earlier[n]
            if e.event in REACTIONS or e.polarity != "asserted" or (cand.backref and e.event not in cand.backref):
                continue
            if e.explanation.get("date_text") == "(published)":
                earlier[n] = replace(e, date=date, date_precision=precision,
                                     explanation={**e.explanation, "date_text": f"{text} (back-reference)"})
            return

    def _remember_dyads(self, found: list[Event], ctx: ArticleContext) -> None:
        """Keep the two states of each bilateral act of a sentence, for "the two sides" after it.

        An act is bilateral when all the events of its trigger involve the same two states
        ("A and B held talks"); "A, B and C cut ties with D" is no pair.
        """
        by_trigger: dict[tuple[int, str], set[str]] = {}
        for e in found:
            states = {a.state for a in (e.source, e.target) if a is not None and a.state}
            by_trigger.setdefault((e.evidence.start, str(e.explanation.get("trigger"))), set()).update(states)
        for (start, _), states in by_trigger.items():
            if len(states) == 2:
                a, b = sorted(states)
                try:
                    ctx.dyads.append((start, (self.gazetteer.state(a), self.gazetteer.state(b))))
                except KeyError:
                    continue

    def _code(self, article: Article, content: str, block: Block, sent: Span, cand: Candidate,
              mentions: dict[int, Mention], earlier: list[Event]) -> list[Event]:
        """Code a candidate: resolve back-references, read polarity and date; [] when it is no event.

        "the move", "the decision" refer to the article's lead event: the
        first asserted act that is not a reaction, with all the sources
        reported with it ("Spain, Ireland and Norway recognised ..., a move
        welcomed by ..." gives three events).
        """
        if cand.backref is not None:
            self._date_back_reference(article, cand, earlier)
            return []
        if cand.dyad_target:
            state = cand.source.state if cand.source is not None else None
            ref = next((e for e in reversed(earlier) if state and e.source is not None and e.target is not None
                        and e.source.state != e.target.state and state in (e.source.state, e.target.state)), None)
            if ref is None:
                return []
            other = ref.target if ref.source.state == state else ref.source
            coded = self._code_one(article, content, block, sent, cand, mentions, earlier, cand.source,
                                   self.gazetteer.state(other.state) if other.state else other, f"dyad:{ref.event}")
            return [coded] if coded is not None else []
        if cand.implicit_target:
            # "... in announcing their recognition": the target of the nearest earlier report of it
            start = block.start + sent.start_char
            ref = next((e for e in reversed(earlier) if e.event == cand.event and e.target is not None
                        and 0 <= start - e.evidence.end <= IMPLICIT_WINDOW), None)
            if ref is None:
                return []
            definite = any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in cand.trigger.children)
            if definite and cand.source is not None and any(
                    e.event == cand.event and e.source is not None and e.source.state == cand.source.state
                    for e in earlier):
                # "Spain will recognise Palestine. Sánchez insisted that *the recognition* is aimed at
                # no one": the act already reported, named again; it reports nothing new
                return []
            coded = self._code_one(article, content, block, sent, cand, mentions, earlier, cand.source, ref.target,
                                   f"implicit:{ref.event}")
            return [coded] if coded is not None else []
        if (cand.refers_to_event and cand.target is None) or cand.source_refers:
            if cand.ref_kinds:
                # "the move to recognise a Palestinian state": every act of that kind reported so far
                same = [e for e in earlier if e.event in cand.ref_kinds and e.source is not None
                        and e.polarity != "negated"]
                same = list({e.source.id: e for e in reversed(same)}.values())[::-1]
                ref = same[0] if same else None
            else:
                ref = next((e for e in earlier if e.event not in REACTIONS
                            and e.source is not None and e.polarity == "asserted"), None)
                same = [e for e in earlier if ref is not None and e.evidence.start == ref.evidence.start
                        and e.event == ref.event and e.polarity == ref.polarity and e.source is not None]
            if ref is None:
                return []
            out = []
            for e in same:
                source, target = (e.source, cand.target) if cand.source_refers else (cand.source, e.source)
                if source is not None and target is not None and target.state == source.state:
                    continue
                coded = self._code_one(article, content, block, sent, cand, mentions, earlier, source, target,
                                       f"event-ref:{ref.event}")
                if coded is not None:
                    out.append(coded)
            return out
        coded = self._code_one(article, content, block, sent, cand, mentions, earlier, cand.source, cand.target, "")
        if coded is None:
            return []
        if cand.frame.reciprocal and coded.source is not None and not cand.target_path.startswith("shared:"):
            # both parties hold talks; a counterpart only inferred from a coordinated clause
            # ("held talks and let them run embassies") is not mirrored
            return [coded, _mirrored(coded)]
        return [coded]

    def _code_one(self, article: Article, content: str, block: Block, sent: Span, cand: Candidate,
                  mentions: dict[int, Mention], earlier: list[Event], source: Actor | None,
                  target: Actor | None, ref_path: str) -> Event | None:
        tpath, spath = cand.target_path, cand.source_path
        if ref_path:
            if cand.source_refers:
                spath = ref_path
            else:
                tpath = ref_path
        event_name = cand.event
        if cand.restates:
            ref = next((e for e in reversed(earlier) if e.event not in REACTIONS and e.source is not None
                        and source is not None and e.source.state == source.state), None)
            if ref is None:
                return None
            event_name, target, tpath = ref.event, ref.target, f"restates:{ref.event}"
        if target is None:
            return None
        if cand.frame.target_kinds and target.kind == "government":
            # banned lists name organisations, also while they govern
            target = self.gazetteer.organization(target) or target
        if event_name in REPRESENTATION_EVENTS and target.kind == "person" and target.state:
            # "accepted the credentials of Gul Hassan Hassan, the Afghan ambassador": his government
            target = self.gazetteer.government(target.state, article.published, de_facto=True) \
                or self.gazetteer.state(target.state)
        elif event_name in ("open_embassy", "close_embassy") and target.kind == "organization" and target.state:
            # "raised the PLO delegation to a mission": missions are of states
            target = self.gazetteer.state(target.state)
        elif event_name in ("recognize_state", "recognize_government") and target.kind == "person" and target.state:
            # "recognises Juan Guaidó as interim president": the government he leads, not a person
            event_name, target = "recognize_government", self.gazetteer.state(target.state) or target
        reading = read_polarity(cand.trigger, self.lexicon, cand.frame.constitutive,
                                ordered=cand.frame.roles == "host_allows")
        polarity = reading.polarity
        attribution = self._attribution(cand.trigger, reading.attribution_head, mentions)
        context_only = cand.source_generic and polarity == "asserted" and not cand.frame.object_events \
            and not attribution
        # "several have recognised" names nobody: keep what it denies or expects, reactions of
        # collectives ("condemned by the international community") and attributed claims ("Serbia
        # says nine countries withdrew recognition"); the act is kept only as context, for a later
        # "their recognition" that leaves out whom it recognises
        date, precision, date_text = self._date(cand.trigger, reading.attribution_head, article.published,
                                                "future" if polarity == "hypothetical" else "past")
        if date is None and date_text:
            # "Moscow responded the next day by expelling ...": after the last dated act reported
            date, precision = _after_previous(date_text, earlier)
        if polarity == "asserted" and date and article.published and _after(date, article.published):
            polarity = "hypothetical"
        if date and precision != "unknown":
            # "Petro's predecessor, Iván Duque, recognised Guaidó in 2019": an official acts for the
            # state he served when he acted, not on the day of the report
            source, target = (self._person_at(a, date) for a in (source, target))
        start = block.start + sent.start_char
        end = block.start + sent.end_char
        text = content[start:end]
        etype = event_type(event_name)
        confidence = _confidence(cand, polarity, tpath)
        src_id = source.id if source else None
        return Event(
            id=event_id(article.id, EXTRACTOR, start, end, event_name, src_id, target.id),
            doc=article.id, event=event_name, source=source, target=target, polarity=polarity,
            date=date, date_precision=precision, cameo=cand.frame.cameo or etype.cameo, plover=etype.plover,
            evidence=Evidence(text, start, end), attribution=attribution, confidence=confidence,
            extractor=EXTRACTOR,
            explanation={"trigger": cand.trigger.text, "frame": cand.frame.name, "source_path": spath,
                         "target_path": tpath, "polarity_cue": reading.cue, "date_text": date_text,
                         "headline": block.headline, "nominal_ref": cand.nominal_ref, "context_only": context_only,
                         "future_date": bool(date and article.published and _after(date, article.published))},
        )

    def _person_at(self, actor: Actor | None, date: str) -> Actor | None:
        """``actor`` re-resolved at ``date`` (ISO 8601, any precision) when it is a listed official
        who held a role then; any other actor unchanged."""
        if actor is None or actor.kind != "person":
            return actor
        parts = [int(p) for p in date.split("-")]
        on = dt.date(parts[0], parts[1] if len(parts) > 1 else 7, parts[2] if len(parts) > 2 else 1)
        try:
            then = self.gazetteer.actor(actor.id, on)
        except KeyError:
            return actor
        return then if then.state else actor

    def _date(self, trigger: Token, reporting: int | None, published: dt.date | None,
              prefer: str) -> tuple[str | None, str | None, str]:
        """Date of the event and the words it was read from.

        In order: for an announced step, a future date of its sentence ("takes
        effect on 28 May"); a date attached to the trigger or to a word that
        governs it within its clause, the lowest first ("reached an agreement
        *on Thursday* to normalise"); the nearest date of its clause; a date of
        the reporting verb ("..., the ministry said *on Friday*"); else the
        publication date, unless the report is in the past perfect ("had
        designated"), whose time is unknown.

        Returns:
            ``(iso_date, precision, source words)``, or ``(None, None, "")``.
        """
        doc = trigger.doc
        said: set[int] = set()
        if reporting is not None:
            said = {t.i for c in doc[reporting].children if c.dep_ in ("prep", "npadvmod", "advmod")
                    for t in c.subtree}
        if prefer == "future" and published is not None:
            for ent in _sentence_dates(trigger):
                if ent.root.i in said:
                    continue  # "..., officials said on Monday": when it was said, which is past
                resolved = resolve_date(ent.text, published, "future", doc.lang_)
                if resolved is not None and _after(resolved[0], published):
                    return resolved[0], resolved[1], ent.text
        effective = _effective_date(trigger, published, self.lexicon.cues.get("effect_phrases", ()))
        if effective is not None:
            return effective
        chain, _ = governing_chain(trigger, self.lexicon)
        for n, t in enumerate(chain):
            if t.dep_ in ("advcl", "conj", "relcl", "parataxis"):
                chain = chain[:n + 1]  # "..., although X have met Y": the main clause's date is not X's
                break
        level = {t.i: n for n, t in enumerate(chain)}
        attached: list[tuple[int, int, Span]] = []
        clause = {t.i for t in clause_tokens(chain[-1], trigger)}
        nearest: list[tuple[int, int, Span]] = []
        for ent in _sentence_dates(trigger):
            if ent.root.i in level or is_duration(ent.text):
                continue
            head = ent.root.head
            anchor = head.head if head.dep_ == "prep" or head.pos_ == "ADP" else head
            hit = next((level[t.i] for t in (head, anchor) if t.i in level), None)
            if hit is not None:
                attached.append((hit, 0, ent))
            elif any(t.i in clause for t in ent):
                nearest.append((_tree_distance(trigger, ent.root), 0, ent))
        own = attached + nearest
        nearest += [(99, 1, ent) for ent in _sentence_dates(trigger) if ent.root.i in said]
        for _, rank, ent in sorted(attached, key=lambda x: x[:2]) + sorted(nearest, key=lambda x: x[:2]):
            resolved = resolve_date(ent.text, published, "past" if rank else prefer, doc.lang_)
            if resolved is not None:
                return resolved[0], resolved[1], ent.text
        if own:
            # the clause says when ("in recent years", "more than a decade after"), but no point
            # in time: the date is unknown, not the day of publication
            return None, None, own[0][2].text
        if trigger.dep_ == "conj":
            # "cut ties with Taiwan in 2019 and switched recognition to Beijing": a coordinated
            # verb without a date of its own shares its head's
            head = trigger.head
            if head.pos_ in ("ADV", "ADP", "PART") and head.dep_ in ("advmod", "prt"):
                head = head.head  # "went further still and recognised": the verb the parser hung it on
            for ent in _sentence_dates(trigger):
                anchors = {head.i} | {c.i for c in head.children if c.dep_ == "prep"}
                if ent.root.head.i in anchors:
                    resolved = resolve_date(ent.text, published, prefer, doc.lang_)
                    if resolved is not None:
                        return resolved[0], resolved[1], ent.text
        if published is None or prefer == "future":
            return None, None, ""  # an announced step without a date of its own has none
        if any(t.dep_ in ("advcl", "pcomp") and any(c.dep_ == "mark" and c.lower_ in BACKGROUND_MARKS
                                                    for c in t.children) or
               (t.dep_ == "pcomp" and t.head.lower_ in BACKGROUND_MARKS) for t in chain):
            return None, None, ""  # "... after it cut ties": an earlier act, at no date the text gives
        verb = next((t for t in chain if t.pos_ in ("VERB", "AUX")), trigger)
        if any(c.dep_ == "aux" and c.lemma_ == "have" and c.tag_ == "VBD" for c in verb.children):
            return None, None, ""  # "had designated": at an earlier time the text does not give
        if any(c.dep_ == "aux" and c.lemma_ == "have" and c.tag_ in ("VBZ", "VBP") for c in verb.children) \
                and _state_of_affairs(verb, trigger):
            # "have all held talks", "have held five rounds of talks", "has let them run embassies":
            # a state of affairs up to now, not an act of the day of publication ("has expelled the
            # ambassador" in a report is the day's news and keeps the date)
            return None, None, ""
        return published.isoformat(), "day", "(published)"

    def _attribution(self, trigger: Token, head: int | None, mentions: dict[int, Mention]) -> str | None:
        if head is None:
            for t in trigger.sent:
                if t.lower_ == "according" and t.i + 1 < len(trigger.doc) and trigger.doc[t.i + 1].lower_ == "to":
                    pobj = next((c for c in trigger.doc[t.i + 1].children if c.dep_ == "pobj"), None)
                    if pobj is not None:
                        return " ".join(x.text for x in pobj.subtree)
            return None
        verb = trigger.doc[head]
        subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is None:
            return None
        m = mentions.get(subj.i)
        if m is not None and m.actor is not None and m.via in ("pronoun", "reference"):
            return m.actor.name
        return " ".join(x.text for x in subj.subtree if x.dep_ not in ("punct",)).strip() or None


_LATER = re.compile(r"^(?:the\s+)?(?:(next|following)\s+day|day\s+after|(a|one|two|three|four|five|six|seven)\s+days?\s+"
                    r"(?:later|after(?:wards)?)|hours\s+later|(?:a\s+few\s+|several\s+)?hours\s+after(?:wards)?)$", re.I)


_DURATIVE_ADVERBS = frozenset({"already", "long", "all", "repeatedly", "previously", "ever", "yet", "always",
                               "often", "regularly", "frequently", "since", "so", "traditionally", "increasingly",
                               "consistently", "continuously", "never"})
_DURATIVE_VERBS = frozenset({"let", "allow", "permit", "maintain", "keep", "run", "operate", "continue", "remain"})


def _state_of_affairs(verb: Token, trigger: Token) -> bool:
    """Whether a present perfect reports a state or a series, not one act: "have *all* held
    talks", "have *already* recognised", "have held *five rounds of* talks", "has *let* them run
    embassies", "have met *several times*", "have ... *in recent years*"."""
    words = [verb] + ([trigger.head] if trigger.dep_ in ("ccomp", "xcomp") else [])
    if any(w.lemma_.lower() in _DURATIVE_VERBS for w in words):
        return True
    scope = [c for w in words for c in w.children] + [c for c in trigger.children]
    for c in scope:
        if c.dep_ in ("advmod", "predet", "npadvmod", "det") and c.lower_ in _DURATIVE_ADVERBS:
            return True
        if c.dep_ in ("nsubj", "nsubjpass") and any(d.lower_ == "all" for d in c.children):
            return True
        if c.dep_ == "prep" and c.lower_ in ("since", "for", "over", "in") and any(
                d.lemma_.lower() in ("year", "decade", "month", "week", "time") or d.lower_ in ("years", "decades")
                for d in c.subtree):
            return True
        if c.dep_ in ("dobj", "npadvmod") and (c.lemma_.lower() in ("time", "round", "session", "occasion")
                                                or any(d.dep_ == "nummod" or d.lower_ in ("several", "many", "numerous",
                                                       "multiple", "repeated") for d in c.children)):
            return True
    return False


def _after_previous(expression: str, earlier: list[Event]) -> tuple[str | None, str | None]:
    """A date told relative to the act reported just before ("the next day", "two days later",
    "hours later"): that act's day plus the offset, or ``(None, None)``."""
    found = _LATER.match(" ".join(expression.split()))
    if found is None:
        return None, None
    anchor = next((e for e in reversed(earlier) if e.date and e.date_precision == "day"
                   and e.explanation.get("date_text") not in (None, "", "(published)")), None)
    if anchor is None:
        return None, None
    words = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
    days = 1 if found.group(1) or "day after" in found.group(0).lower() else words.get((found.group(2) or "").lower(), 0)
    day = dt.date.fromisoformat(anchor.date) + dt.timedelta(days=days)
    return day.isoformat(), "day"


def _mirrored(e: Event) -> Event:
    """The same act coded from the other party: target → source (talks are held by both)."""
    assert e.source is not None and e.target is not None
    return replace(e, id=event_id(e.doc, EXTRACTOR, e.evidence.start, e.evidence.end, e.event, e.target.id, e.source.id),
                   source=e.target, target=e.source,
                   explanation={**e.explanation, "source_path": e.explanation.get("target_path", ""),
                                "target_path": "reciprocal:" + str(e.explanation.get("source_path", ""))})


def _restored(events: list[Event], view: TextView, content: str) -> list[Event]:
    """Events read from the normalised view of an article (:mod:`diplowatch.nlp.normal`), with their
    evidence mapped back to the article's own ``content`` (its span, its text, and the id hashed from them)."""
    out = []
    for e in events:
        start, end = view.span(e.evidence.start, e.evidence.end)
        out.append(replace(e, evidence=Evidence(content[start:end], start, end),
                           id=event_id(e.doc, e.extractor, start, end, e.event, e.source.id if e.source else None,
                                       e.target.id if e.target else None)))
    return out


class _Clock:
    """The time budget of one article's analysis, and its caller's cancellation.

    Args:
        article: the article id (for the messages).
        budget: seconds the analysis may take, or ``None``.
        cancelled: the caller's question "abandon?", or ``None``.
        n_blocks: how many sentences the article has (for the messages).
    """

    def __init__(self, article: str, budget: float | None, cancelled: Callable[[], bool] | None,
                 n_blocks: int) -> None:
        self.article, self.budget, self.cancelled, self.n_blocks = article, budget, cancelled, n_blocks
        self.started = time.monotonic()
        self.over = False

    def spent(self, n: int) -> bool:
        """Whether the budget is spent (warned once), at sentence ``n`` (0-based).

        Raises:
            Cancelled: the caller asked to abandon the analysis.
        """
        if self.cancelled is not None and self.cancelled():
            raise Cancelled(f"article {self.article}: analysis abandoned at sentence {n + 1} of {self.n_blocks}")
        if not self.over and self.budget is not None and time.monotonic() - self.started > self.budget:
            log.warning("%s: time budget of %.0f s spent after %d of %d sentences; the rest is not analysed",
                        self.article, self.budget, n, self.n_blocks)
            self.over = True
        return self.over


def _batches(texts: Iterable[str]) -> Iterator[list[str]]:
    """Consecutive runs of ``texts`` of at most ``BATCH_DOCS`` texts and ``BATCH_CHARS`` characters."""
    batch: list[str] = []
    size = 0
    for text in texts:
        if batch and (len(batch) >= BATCH_DOCS or size + len(text) > BATCH_CHARS):
            yield batch
            batch, size = [], 0
        batch.append(text)
        size += len(text)
    if batch:
        yield batch


def _sentence_dates(tok: Token) -> list[Span]:
    """DATE entities of ``tok``'s sentence (from the per-block list, not ``sent.ents``, which
    scans every entity of the block each time)."""
    sent = tok.sent
    dates = tok.doc.user_data.get("diplowatch_dates")
    if dates is None:
        dates = [e for e in tok.doc.ents if _is_date(e)]
    return [e for e in dates if sent.start <= e.start < sent.end]


_DAY_TIME = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "yesterday",
                       "today", "tonight", "morning", "evening", "afternoon", "night"})


def _is_date(ent: Span) -> bool:
    """A DATE entity, or a TIME entity that names a day ("on Sunday night", "this morning")."""
    if ent.label_ == "DATE":
        return True
    return ent.label_ == "TIME" and any(t.lower_ in _DAY_TIME for t in ent) and not any(t.like_num for t in ent)


def _tree_distance(a: Token, b: Token) -> int:
    up_a = [a] + list(a.ancestors)
    up_b = [b] + list(b.ancestors)
    ids_b = {t.i: n for n, t in enumerate(up_b)}
    for n, t in enumerate(up_a):
        if t.i in ids_b:
            return n + ids_b[t.i]
    return 99


def _effective_date(trigger: Token, published: dt.date | None,
                    phrases: tuple[str, ...]) -> tuple[str, str, str] | None:
    """The coming date on which the acts of ``trigger``'s sentence take effect, if it names one.

    "The decisions to recognise Palestine will take effect on 28 May", "the
    closure comes into force next week": a date attached to a verb of an
    effect phrase (cue ``effect_phrases``: lemmas of the verb, its
    complements and their objects, e.g. "take effect", "come into force")
    dates the acts it governs or that govern it, whatever the parse made of
    the clause between them. Only a date after ``published`` counts; a past effect
    ("took effect on 1 March") leaves the ordinary rules to date the act.

    Returns:
        ``(iso_date, precision, source words)`` or ``None``.
    """
    if published is None or not phrases:
        return None
    for ent in _sentence_dates(trigger):
        node = ent.root
        for _ in range(3):
            node = node.head
            if node.pos_ in ("VERB", "AUX"):
                break
        if node.pos_ not in ("VERB", "AUX") or not (node.i == trigger.i or node.is_ancestor(trigger)
                                                     or _own_clause_below(trigger, node)):
            continue
        near = {node, *node.children, *(g for c in node.children if c.dep_ == "prep" for g in c.children)}
        words = " ".join(t.lemma_.lower() for t in sorted(near, key=lambda t: t.i))
        if not any(p in words for p in phrases):
            continue
        past = node.tag_ == "VBD" or any(c.dep_ == "aux" and c.lemma_ == "have" for c in node.children)
        resolved = resolve_date(ent.text, published, "past" if past else "future", trigger.doc.lang_)
        if resolved is not None and _after(resolved[0], published):
            return resolved[0], resolved[1], ent.text
    return None


def _own_clause_below(trigger: Token, node: Token) -> bool:
    """Whether ``node`` lies below ``trigger`` with no clause of another actor between them.

    "X recognised Y, although Z said its decision would take effect ...": the
    verbs under "said", whose subject names an actor, report Z's act, not X's.
    """
    if not trigger.is_ancestor(node):
        return False
    tok = node
    while tok.i != trigger.i:
        if any(c.dep_ in ("nsubj", "nsubjpass") and any(t.ent_type_ in ("GPE", "NORP", "ORG", "PERSON") for t in c.subtree)
               for c in tok.children):
            return False
        tok = tok.head
    return True


def _after(date: str, published: dt.date) -> bool:
    """Whether an ISO date at any precision begins after ``published``."""
    parts = [int(p) for p in date.split("-")]
    first = dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    return first > published


def _confidence(cand: Candidate, polarity: str, tpath: str) -> float:
    score = 0.9
    if "none" in cand.source_path or "relcl" in cand.source_path:
        score -= 0.1
    if tpath.count(">") > 2 or tpath.startswith("event-ref"):
        score -= 0.15
    if cand.trigger.pos_ == "NOUN":
        score -= 0.05
    if polarity != "asserted":
        score -= 0.05
    return max(0.3, round(score, 2))


def _dedupe(events: list[Event]) -> list[Event]:
    """Drop exact repeats of (type, dyad, polarity) left after polarity changes, keeping the first."""
    seen: set[tuple[Any, ...]] = set()
    out = []
    for e in events:
        key = (e.event, _party(e.source), _party(e.target), e.polarity)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def _party(actor: Actor | None) -> str | None:
    return None if actor is None else actor.state or actor.id


SWITCH_ENDS = frozenset({"break_relations"})
SWITCH_BEGINS = frozenset({"establish_relations", "restore_relations"})
"""Relations events that end and begin a switch between rival governments (see :func:`switches`)."""


def switches(events: list[Event], rivals: dict[str, tuple[str, ...]]) -> list[Event]:
    """The recognition acts of a switch between rival governments told as relations (DESIGN §1).

    DESIGN §1 codes switching recognition between rival governments (Taipei → Beijing) as a
    ``withdraw_recognition`` of one and a ``recognize_government`` of the other. A report often
    tells the switch by its relations only: in one article a state breaks its relations with one
    government ("cut ties with Taiwan") and establishes or restores them with its rival ("set up
    diplomatic relations with China"). Relations with either rival are recognition of it, so the
    two relations acts are that switch: the state withdraws its recognition of the first and
    recognises the government of the second. Only asserted acts make a switch; one act alone
    (a break with Taipei and nothing else) is no switch.

    Args:
        events: an article's events, in text order.
        rivals: ISO3 → the states whose governments claim the same state
            (``rival_governments`` of the trigger lexicon: ``{CHN: (TWN,), TWN: (CHN,)}``).

    Returns:
        The derived events (none when there is no switch): each with the evidence, date and
        polarity of the relations act it comes from, ``explanation["frame"]`` ``"switch-relations"``
        and ``explanation["switch_of"]`` the id of that act.
    """
    def party(e: Event, state: str) -> Actor | None:
        return next((a for a in (e.source, e.target) if a is not None and a.state == state), None)

    def other(e: Event, state: str) -> Actor | None:
        return next((a for a in (e.source, e.target) if a is not None and a.state != state), None)

    def derived(e: Event, name: str, source: Actor, target: Actor) -> Event:
        etype = event_type(name)
        return replace(e, id=event_id(e.doc, EXTRACTOR, e.evidence.start, e.evidence.end, name, source.id, target.id),
                       event=name, source=source, target=target, cameo=etype.cameo, plover=etype.plover,
                       explanation={**e.explanation, "frame": "switch-relations", "switch_of": e.id,
                                    "source_path": "switch", "target_path": "switch"})

    asserted = [e for e in events if e.polarity == "asserted" and e.source is not None and e.target is not None]
    out: list[Event] = []
    for end in (e for e in asserted if e.event in SWITCH_ENDS):
        for left in (s for s in rivals if party(end, s) is not None):
            state = other(end, left)
            if state is None or not state.state or state.state in rivals.get(left, ()):
                continue
            begins = [(b, party(b, r)) for b in asserted if b.event in SWITCH_BEGINS for r in rivals[left]
                      if party(b, r) is not None and party(b, state.state) is not None]
            if not begins:
                continue
            out.append(derived(end, "withdraw_recognition", state, party(end, left)))
            begin, joined = begins[0]
            out.append(derived(begin, "recognize_government", party(begin, state.state), joined))
    return out


def _merge(events: list[Event]) -> list[Event]:
    """One event per (type, source state, target state, polarity), the dyad unordered for mutual events.

    The first report is kept, with the date of the first report that gives
    one explicitly (a headline or a bare report takes the publication date).
    A nominal back-reference inside a reaction ("welcomed the recognition of
    X by Y") is dropped when the article reports the same event elsewhere.
    """
    kept: dict[tuple[Any, ...], Event] = {}
    order: list[tuple[Any, ...]] = []
    for e in events:
        pair: tuple[Any, ...] = (_party(e.source), _party(e.target))
        if e.event in MUTUAL_EVENTS:
            pair = tuple(sorted(pair, key=lambda x: x or ""))
        key = (e.event, *pair, e.polarity)
        if key not in kept:
            kept[key] = e
            order.append(key)
            continue
        first = kept[key]
        if e.date and first.explanation.get("date_text") == "(published)" \
                and e.explanation.get("date_text") not in (None, "", "(published)"):
            kept[key] = replace(first, date=e.date, date_precision=e.date_precision)
        elif e.explanation.get("future_date") and not first.explanation.get("future_date"):
            # "announced its intention to recognise ..." then "... will take effect on 28 May": the
            # announced act is dated when it takes effect
            kept[key] = replace(first, date=e.date, date_precision=e.date_precision,
                                explanation={**first.explanation, "future_date": True})
    result = [kept[k] for k in order]
    # an act announced with a future effective date is not yet done, however else it is reported
    pending = {(e.event, _party(e.source), _party(e.target)): e for e in result
               if e.polarity == "hypothetical" and e.explanation.get("future_date")}
    result = [replace(e, polarity="hypothetical", date=pending[k].date, date_precision=pending[k].date_precision)
              if e.polarity == "asserted" and (k := (e.event, _party(e.source), _party(e.target))) in pending
              and e.explanation.get("date_text") in ("", "(published)", "today") else e for e in result]
    result = _dedupe(result)
    dyads = {}
    for e in result:
        dyads.setdefault((e.event, _party(e.source), _party(e.target)), []).append(e)
    return [e for e in result if not (e.explanation.get("nominal_ref")
                                      and len(dyads[(e.event, _party(e.source), _party(e.target))]) > 1)]
