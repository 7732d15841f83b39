"""Positions: statements of policy towards a government (issue 17).

Four event types of the ontology (family ``position``, ``data/ontology.csv``):
``call_for_engagement``, ``call_for_isolation``, ``appeal`` and ``demand``.
Their trigger words are the ``position-*`` frames of ``data/triggers.yaml``;
how they are read is in ``data/positions.yaml``. Rules:

- **Appeals for engagement or isolation.** An engage or isolate word
  ("engage", "engagement", "isolate", "isolation", "shun") under a verb of
  appeal ("urged the world to isolate the regime", "called for engagement
  with Kabul") is the appeal's position: the appeal's subject is the source,
  its polarity (read on the appeal verb: "did not call for", "may urge") is
  the event's, the actor of the word's ``with``/``of`` phrase or object the
  target. Without an appeal verb the word is read as it stands: "Qatar has
  engaged with the Taliban" is a stated policy of engagement (asserted);
  "remain divided on whether to engage or isolate the regime" weighs both
  (hypothetical).
- **Appeals.** A verb of appeal to an actor ("urged the Taliban to reopen
  schools", "called on Kabul to", "appealed to") with no engage or isolate word
  under it is an ``appeal`` to that actor.
- **Demands.** "demanded that the Taliban reopen schools", "conditioned any
  recognition of the Taliban on ...": ``demand`` towards the actor named.
- **Conditions.** An act of :data:`conditional_acts` that is denied or
  expected under a condition ("will not recognise the Taliban *until* girls
  return to school", "would reopen its embassy *only if* ...") is also an
  asserted ``demand`` of the same source towards the same target: the
  condition is a stated position, whatever happens to the act.

The roles are read with the extractor's own role finder
(:class:`~diplowatch.extract.events.EventFinder`), so names, demonyms,
capitals and officials resolve as for every other event.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from importlib import resources

import yaml
from spacy.tokens import Span, Token

from diplowatch.extract.events import Candidate, EventFinder
from diplowatch.extract.lexicon import Frame, Lexicon
from diplowatch.extract.mentions import Mention
from diplowatch.extract.polarity import governing_chain
from diplowatch.model import Event
from diplowatch.ontology import POSITION_EVENTS

__all__ = ["PositionFinder", "PositionRules", "conditioned_demand", "load_rules"]

_CALLS = frozenset({"call_for_engagement", "call_for_isolation"})


@dataclass(frozen=True, slots=True)
class PositionRules:
    """``data/positions.yaml``: appeal verbs, the particles "call" needs, conditional acts, the phrases of
    a condition and those that only look like one ("until after the monsoon": a time, no condition)."""

    appeal_verbs: frozenset[str]
    call_particles: frozenset[str]
    conditional_acts: frozenset[str]
    condition_phrases: tuple[str, ...]
    not_conditions: tuple[str, ...] = ()


@functools.lru_cache(maxsize=1)
def load_rules() -> PositionRules:
    """The packaged rules of ``data/positions.yaml``."""
    raw = yaml.safe_load(resources.files("diplowatch.data").joinpath("positions.yaml").read_text("utf-8"))
    return PositionRules(frozenset(raw["appeal_verbs"]), frozenset(raw["call_particles"]),
                         frozenset(raw["conditional_acts"]), tuple(raw["condition_phrases"]),
                         tuple(raw.get("not_conditions") or ()))


class PositionFinder:
    """Position candidates of a sentence.

    Args:
        lexicon: the trigger lexicon (its ``position-*`` frames).
        finder: the extractor's :class:`EventFinder`, whose role readers are used.
        rules: :func:`load_rules` by default.
    """

    def __init__(self, lexicon: Lexicon, finder: EventFinder, rules: PositionRules | None = None) -> None:
        self.lex = lexicon
        self.finder = finder
        self.rules = rules or load_rules()
        self.frames: dict[str, Frame] = {f.event: f for f in lexicon.frames if f.event in POSITION_EVENTS}

    def _appeal_verb(self, tok: Token) -> bool:
        lemma = tok.lemma_.lower()
        if tok.pos_ != "VERB" or lemma not in self.rules.appeal_verbs:
            return False
        return lemma != "call" or any(c.lower_ in self.rules.call_particles for c in tok.children)

    def _governor(self, tok: Token) -> Token | None:
        """The verb of appeal above an engage or isolate word, or ``None``."""
        chain, _ = governing_chain(tok, self.lex)
        return next((t for t in chain[1:] if self._appeal_verb(t)), None)

    def find(self, sent: Span, mentions: dict[int, Mention]) -> list[Candidate]:
        """Position candidates of ``sent`` (the trigger of an appeal is its appeal verb).

        Returns:
            :class:`Candidate` objects for the pipeline to code like any other;
            one per (source, target) of each position.
        """
        out: list[Candidate] = []
        governed: set[int] = set()
        calls: list[tuple[Token, Frame, list[Mention], Token | None]] = []
        for tok in sent:
            lemma = tok.lemma_.lower()
            for event in _CALLS:
                frame = self.frames.get(event)
                if frame is None or lemma not in frame.lemmas or tok.pos_ not in frame.pos:
                    continue
                if any(c.lemma_.lower() in frame.excludes_when.get(lemma, ()) for c in tok.subtree):
                    continue
                targets = self._targets(tok, frame, mentions)
                gov = self._governor(tok)
                if not targets and gov is not None:
                    # "called for engagement with the Taliban", parsed with "with" on "called"
                    targets = self._targets(gov, frame, mentions, preps=frame.target_preps)
                calls.append((tok, frame, targets, gov))
        for tok, frame, targets, gov in calls:
            if not targets:
                # "whether to engage or isolate the regime": coordinated words share the object
                targets = next((t for o, _, t, _ in calls if t and (o.head.i == tok.i or tok.head.i == o.i)
                                and "conj" in (o.dep_, tok.dep_)), [])
            anchor = gov if gov is not None else tok
            if gov is not None:
                governed.add(gov.i)
            out += self._fan(frame, anchor, mentions, targets)
        for tok in sent:
            lemma = tok.lemma_.lower()
            demand = self.frames.get("demand")
            if demand is not None and lemma in demand.lemmas and tok.pos_ in demand.pos \
                    and self._required(tok, demand):
                out += self._fan(demand, tok, mentions, self._targets(tok, demand, mentions, clause=True))
            appeal = self.frames.get("appeal")
            if appeal is not None and tok.i not in governed and self._appeal_verb(tok) and lemma in appeal.lemmas:
                out += self._fan(appeal, tok, mentions, self._targets(tok, appeal, mentions))
        return out

    @staticmethod
    def _required(tok: Token, frame: Frame) -> bool:
        words = frame.lemma_requires.get(tok.lemma_.lower())
        return not words or any(c.lower_ in words for c in tok.subtree)

    def _targets(self, tok: Token, frame: Frame, mentions: dict[int, Mention], clause: bool = False,
                 preps: frozenset[str] | None = None) -> list[Mention]:
        """The nearest actor of ``tok``'s object or target prepositions (``preps`` only, when given), or of
        the subject of its complement clause (``clause``)."""
        found = []
        under = self.finder._mentions_under  # noqa: SLF001 - the extractor's own role reader
        allowed = preps if preps is not None else frame.target_preps
        for c in tok.children:
            if (preps is None and c.dep_ in ("dobj", "attr", "dative")) or (
                    c.dep_ == "prep" and (not allowed or c.lower_ in allowed)):
                found += under(c, mentions, set(), depth=frame.target_depth)
            elif clause and c.dep_ in ("ccomp", "xcomp"):
                subj = [s for s in c.children if s.dep_ in ("nsubj", "nsubjpass")]
                for s in subj:
                    found += under(s, mentions, set())
                if not subj:  # "demanded that the Taliban reopen schools" parsed as a noun phrase
                    found += [f for f in under(c, mentions, set(), depth=2) if f[2] != "prep"]
        found = [f for f in found if f[1].actor is not None]
        found.sort(key=lambda f: (f[0], f[1].start))
        return [found[0][1]] if found else []

    def _fan(self, frame: Frame, anchor: Token, mentions: dict[int, Mention],
             targets: list[Mention]) -> list[Candidate]:
        if not targets:
            return []
        sources, generic, spath, _ = self.finder._subject(anchor, mentions)  # noqa: SLF001
        actors = [m.actor for m in sources if m.actor is not None] or [None]
        out = []
        for s in actors:
            for t in targets:
                if s is not None and (t.actor.id == s.id or (t.actor.state and t.actor.state == s.state)):
                    continue
                out.append(Candidate(frame, frame.event, anchor, s, t.actor, s is None, spath or "none",
                                     "position"))
        return out


def conditioned_demand(event: Event, sentence: str, rules: PositionRules | None = None) -> Event | None:
    """The asserted ``demand`` that a denied or expected conditional act states, or ``None``.

    Args:
        event: a coded event of :data:`PositionRules.conditional_acts` with polarity
            ``negated`` or ``hypothetical`` and a source and a target.
        sentence: its evidence sentence.

    Returns:
        The same dyad and evidence as ``demand``: CAMEO and PLOVER of the
        ontology, polarity asserted, id made by the caller.
    """
    rules = rules or load_rules()
    if event.event not in rules.conditional_acts or event.polarity == "asserted" or event.source is None \
            or event.target is None or str(event.explanation.get("target_path", "")).startswith("reciprocal:"):
        return None  # a mirrored report of talks states no condition of the other party
    low = f" {sentence.lower()} "
    for phrase in rules.not_conditions:
        low = low.replace(phrase, " ")
    cue = next((p for p in rules.condition_phrases if p in low), None)
    if cue is None:
        return None
    return replace(event, event="demand", polarity="asserted",
                   explanation={**event.explanation, "frame": "position-condition", "polarity_cue": "",
                                "condition": cue.strip()})
