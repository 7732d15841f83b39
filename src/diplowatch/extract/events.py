"""Event candidates from one parsed sentence: triggers, roles, coordination.

For each token whose lemma is a trigger of the lexicon (``data/triggers.yaml``)
the first frame whose conditions hold fires. Its roles are read from the
dependency parse:

* **source**: the agent of a passive ("were accepted *by* X"), the subject of
  the trigger or of the verb it depends on ("agreed to restore", "the first
  country to recognise", "took the decision to recognise"), the possessor or
  "by"-phrase of a nominal trigger ("Russia's recognition of", "the recognition
  of X *by* Y");
* **target**: the object, or the subject of a passive, the "with/to/from/in/of"
  complements, and inside them possessors, demonyms and "of"/"by" phrases
  ("the ambassadors *of* Uruguay", "*Beijing's* ambassador", "the *Afghan*
  ambassador", "the ambassador sent to Beijing *by the Taliban*"); the nearest
  in the parse tree wins. For frames whose object belongs to the source
  ("recalled *its* ambassador", "shut *its* embassy") the possessor is never
  the target;
* coordination fans out: "Ireland, Norway and Spain recognised" gives three
  events; "expelled the ambassadors of seven countries" gives one per country;
  "X and Y recognised each other" gives both directions;
* mutual frames take the target from "between X and Y" or from a pair of
  coordinated subjects ("Israel and Morocco agreed to normalise relations");
* clauses coordinated under one subject share their target ("held talks and
  allowed the Taliban to operate embassies").

The result is a list of :class:`Candidate`; polarity, dates and coding are
added by :mod:`diplowatch.extract.pipeline`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from spacy.tokens import Span, Token

from diplowatch.extract.lexicon import Frame, Lexicon
from diplowatch.extract.mentions import STATE_NOUNS, Mention, gerund_agent
from diplowatch.extract.polarity import is_participle
from diplowatch.actors import Gazetteer
from diplowatch.model import Actor

ARG_DEPS = frozenset({"dobj", "nsubj", "nsubjpass", "prep", "pobj", "compound", "amod", "prt", "attr", "oprd",
                      "dative", "acomp", "poss", "nmod", "appos", "xcomp", "agent", "npadvmod"})
"""Dependencies followed when looking for a frame's required argument words."""
CLAUSE_DEPS = frozenset({"ccomp", "advcl", "relcl", "parataxis", "csubj"})
TARGET_PREPS = frozenset({"with", "to", "from", "in", "of", "against", "on", "over", "for", "between", "toward",
                          "towards", "into", "out", "at", "off", "upon", "about", "like", "including", "as"})
MEASURE_NOUNS = frozenset({"day", "week", "month", "year", "hour", "round", "series", "decade", "session"})
"""Heads of "four days of talks": the event noun's clause is above them."""
CIRCUMSTANCE_PREPS = frozenset({"after", "during", "following", "before", "at", "in", "on", "amid"})
"""Prepositions of "announced the deal *after* a phone call with X": a joint event the subject took part in."""
OBJECT_CONTROL = frozenset({"urge", "ask", "call", "order", "allow", "let", "permit", "encourage", "press", "persuade",
                            "invite", "force", "push", "pressure", "tell", "instruct", "request", "require", "enable"})
"""Verbs whose object is the subject of their complement ("urged Putin to recognise")."""
CLIMB_DEPS = frozenset({"xcomp", "conj", "advcl", "dobj", "attr", "pobj", "prep", "ccomp", "acl", "oprd",
                        "npadvmod", "appos", "pcomp", "nsubj", "nsubjpass", "compound", "amod", "csubj", "acomp"})
RECIPROCAL = frozenset({"other", "another"})
NOUNS = ("NOUN", "PROPN")
LIST_NOUNS = frozenset({"list", "roster", "register", "registry", "blacklist"})
PARTITIVES = frozenset({"all", "some", "most", "many", "several", "one", "each", "none", "part", "half", "dozen",
                        "number", "majority", "rest", "remainder"})
"""Heads of "four *of* the five consulates": transparent when reading a trigger's arguments."""
MISSION_EVENTS = frozenset({"open_embassy", "close_embassy"})
HOST_VERBS = frozenset({"host", "convene", "organise", "organize"})
# acts on one's own envoy or mission whose other party an article about a dyad may leave out
DYAD_EVENTS = frozenset({"recall_ambassador"})
MISSION_NOUNS = frozenset({"embassy", "embassies", "consulate", "consulates", "mission", "missions", "legation",
                           "office", "offices", "delegation", "delegations", "representation"})
FORUM_NOUNS = frozenset({"summit", "meeting", "conference", "session", "forum", "gathering", "assembly", "ministerial"})
GROUP_NOUNS = frozenset({"countries", "states", "members", "nations", "governments"})
MEMBER_VERBS = frozenset({"include", "comprise", "take", "be", "number", "encompass", "consist", "feature", "count"})
"""Verbs that say which states a group consists of ("the list ... includes A, B and C")."""


@dataclass(slots=True)
class Candidate:
    """An event found in a sentence before polarity, dates and coding.

    Attributes:
        frame: the frame that fired.
        event: the event type (may differ from ``frame.event`` for
            governments and switches).
        trigger: the trigger token.
        source: the source actor, or ``None`` for a generic one.
        target: the target actor, or ``None`` while it must still be read
            through an event noun (``refers_to_event``).
        source_generic: the source is a generic phrase ("no country", "others").
        source_path, target_path: how each role was found (for ``--explain``).
        refers_to_event: the object is an event noun ("welcomed the move");
            the caller resolves the target to the actor of that event.
        nominal_ref: a nominal trigger that is itself the object of a
            reaction ("welcomed *the recognition of* X by Y"): a back-reference
            to an event that may be reported in full elsewhere.
        source_refers: the subject is an event noun ("*the move* removes the
            Taliban from the list"); the caller takes the source of that event.
        restates: the trigger restates an event of ``source`` already
            reported ("their decision will take effect on 28 May"); the caller
            takes the type and target of that event.
        implicit_target: a nominal trigger whose target the sentence leaves
            out ("... joined B in announcing their recognition," after "have
            recognised the State of Palestine"); the caller takes the target
            of the nearest earlier event of the same type.
        backref: for a bare back-reference to an act already reported ("the
            government announced *the break* on Friday"), the event types it
            may name (``()``: any act); it reports no new event, but its date
            dates the act it names when that act had none of its own.
        dyad_target: an act on one's own envoy that names no other party
            ("said it was bringing its envoy home"); the caller takes the
            other party of the last act reported with the source in it.
        ref_kinds: with ``refers_to_event``, the event types the event noun
            names by its complement ("the move *to recognise*"; "the decision
            *on recognition*"); ``()`` when it names none.
    """

    frame: Frame
    event: str
    trigger: Token
    source: Actor | None
    target: Actor | None
    source_generic: bool = False
    source_path: str = ""
    target_path: str = ""
    refers_to_event: bool = False
    nominal_ref: bool = False
    source_refers: bool = False
    restates: bool = False
    implicit_target: bool = False
    backref: tuple[str, ...] | None = None
    ref_kinds: tuple[str, ...] = ()
    dyad_target: bool = False


def _conjuncts(tok: Token) -> Iterator[Token]:
    """``tok`` and the tokens coordinated with it ("Ireland, Norway and Spain", "together with Spain")."""
    yield tok
    for c in tok.children:
        if c.dep_ == "conj":
            yield from _conjuncts(c)
        elif c.dep_ == "advmod" and c.lower_ == "together":
            for p in c.children:
                if p.dep_ == "prep" and p.lower_ == "with":
                    for o in p.children:
                        if o.dep_ == "pobj":
                            yield from _conjuncts(o)
        elif c.dep_ == "prep" and c.lower_ in ("with", "alongside") and any(
                x.lower_ in ("together", "along") for x in c.children):
            for o in c.children:
                if o.dep_ == "pobj":
                    yield from _conjuncts(o)
    # "to China ... and to Iraq and Oman": the second preposition is coordinated with the first
    if tok.dep_ == "pobj":
        prep = tok.head
        for c in list(prep.children) + list(prep.head.children):
            if c.dep_ == "conj" and c.pos_ == "ADP" and c.lower_ == prep.lower_ and c.i != prep.i:
                for o in c.children:
                    if o.dep_ == "pobj":
                        yield from _conjuncts(o)


COMPLAINT_PREPS = frozenset({"against", "over", "about", "at", "regarding", "for"})
"""Prepositions by which a frame's required noun names the act it is about ("a protest *against*
the move", "concern *over* the decision", "gratitude *for* the step")."""


def _named(tok: Token, mentions: dict[int, Mention]) -> Mention | None:
    """The mention at ``tok``, or else the one of a modifier that names it ("his Argentine
    counterpart", "son homologue angolais": the demonym); a possessive pronoun names no one here."""
    m = mentions.get(tok.i)
    if m is not None:
        return m
    return next((mentions[c.i] for c in tok.children if c.dep_ in ("amod", "compound", "appos", "poss", "nmod")
                 and c.i in mentions and mentions[c.i].via != "pronoun"), None)


def _arg_tokens(trigger: Token, depth: int = 3) -> Iterator[Token]:
    """The trigger's argument tokens, down ``depth`` steps, not into clauses."""
    frontier = [trigger]
    if trigger.dep_ in ("xcomp", "advcl"):
        # "ordered its ambassadors to be recalled", "gave the envoy 24 hours to quit": the
        # controller's object (or recipient, or passive subject) is an argument
        frontier += [c for c in trigger.head.children if c.dep_ in ("dobj", "dative")
                     or (c.dep_ == "nsubjpass" and trigger.dep_ == "xcomp")]
        yield from frontier[1:]
    elif trigger.dep_ in ("acl", "relcl") and trigger.head.dep_ in ("dobj", "npadvmod"):
        # "gave the envoy 48 hours to leave": the giver's recipient is an argument
        frontier += [c for c in trigger.head.head.children if c.dep_ in ("dative", "dobj") and c.i != trigger.head.i]
        yield from frontier[1:]
    budget = depth
    while budget > 0 and frontier:
        budget -= 1
        nxt = []
        for node in frontier:
            for c in node.children:
                small_clause = c.dep_ == "ccomp" and c.pos_ in ("NOUN", "PROPN", "ADJ")
                if not small_clause and (c.dep_ in CLAUSE_DEPS or c.dep_ not in ARG_DEPS):
                    continue
                yield c
                nxt.append(c)
        if any(c.dep_ == "pobj" and (c.pos_ == "NUM" or c.lemma_.lower() in PARTITIVES) for c in nxt):
            budget += 2  # "the closure of four of the five consulates": a partitive adds "of" and its noun
        frontier = nxt
    head = trigger.head
    if trigger.pos_ == "NOUN" and head.i != trigger.i and head.pos_ == "NOUN":
        yield head
    elif trigger.dep_ == "relcl" and head.pos_ in ("NOUN", "PROPN") and not any(
            c.dep_ in ("dobj", "nsubjpass") for c in trigger.children):
        yield head  # "the invitation *he received*": the relativised noun is the verb's object


def _arg_lemmas(trigger: Token) -> dict[str, Token]:
    """Lemma and lower-cased form → token, for :func:`_arg_tokens`."""
    out: dict[str, Token] = {}
    for c in _arg_tokens(trigger):
        out.setdefault(c.lemma_.lower(), c)
        out.setdefault(c.lower_, c)
    return out


def _under_other_prep(tok: Token, prep: Token) -> bool:
    """Whether ``tok`` hangs below ``prep`` through another preposition than "of" ("between Iran
    and the US *in Muscat*": Muscat is the venue, not a party)."""
    node = tok.head
    while node.i != prep.i and node.head.i != node.i:
        if node.dep_ == "prep" and node.lower_ != "of":
            return True
        node = node.head
    return False


def _described(tok: Token) -> Token | None:
    """The noun a participle describes ("a move *welcomed* by X and *condemned* by Y" → move), or None."""
    t = tok
    while t.dep_ == "conj" and t.head.i != t.i and t.tag_ == "VBN":
        t = t.head
    if t.dep_ == "acl" and t.tag_ == "VBN" and t.head.pos_ in ("NOUN", "PROPN"):
        return t.head
    return None


def _bare_back_reference(tok: Token, event_nouns: frozenset[str] = frozenset()) -> bool:
    """A nominal trigger that only points back at an act already reported, naming none of its
    parties: "*this recognition* is aimed at no one", "*the break* was announced on Friday"."""
    if tok.pos_ not in NOUNS:
        return False
    dets = {c.lower_ for c in tok.children if c.dep_ == "det"}
    if not dets & {"this", "that", "these", "those", "such"} and not (
            "the" in dets and tok.dep_ in ("dobj", "nsubj", "nsubjpass") and tok.lemma_.lower() not in event_nouns):
        return False
    return not any(c.dep_ in ("poss", "compound", "amod", "agent") or (c.dep_ == "prep" and c.lower_ in ("of", "by", "with", "to", "between"))
                   for c in tok.children)


def _passive(tok: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children)


def _forum_or_group(m: Mention, trigger: Token) -> bool:
    """Whether an organisation mention ``m`` is only the forum or the group of the talks at ``trigger``.

    "the G-7 summit is being held in Biarritz", "an AU meeting": the
    organisation names where the meeting is (``FORUM_NOUNS``); "a meeting with
    the speakers of the member countries of the CSTO": it names a group of
    states (``GROUP_NOUNS`` "of" it), none of them a party of a dyad. "met the
    NATO secretary general", "met EU leaders", "talks with the EU" keep it.
    """
    actor = m.actor
    doc = trigger.doc
    last = m.end - 1
    while last > m.start and doc[last].is_punct:
        last -= 1
    head = doc[last]  # the phrase's head noun ("the African *Union*"); the parser may hang "the" elsewhere
    if actor.kind != "organization":
        return False
    if head.dep_ in ("amod", "compound", "nmod") and head.head.lemma_.lower() in FORUM_NOUNS:
        return True
    node = head
    while node.i != trigger.i and node.head.i != node.i:
        if node.dep_ == "pobj" and node.head.lower_ == "of" and node.head.head.lower_ in GROUP_NOUNS:
            return True
        node = node.head
    return False


class EventFinder:
    """Find event candidates in sentences, given the mentions of the block.

    Args:
        lexicon: the trigger lexicon.
        gazetteer: the actor gazetteer, for actors the text implies but does not
            name (the rival government of a recognition switch); default: the packaged one.
    """

    def __init__(self, lexicon: Lexicon, gazetteer: Gazetteer | None = None) -> None:
        self.lex = lexicon
        self.gazetteer = gazetteer or Gazetteer.default()

    # -- triggers --------------------------------------------------------------
    def frame_for(self, tok: Token) -> tuple[Frame, Token | None] | None:
        """The first frame that fires on ``tok``, and the argument token that satisfied ``requires``."""
        frames = self.lex.by_lemma.get(tok.lemma_.lower()) or self.lex.by_lemma.get(tok.lower_)
        if not frames:
            return None
        pos = "NOUN" if tok.pos_ in ("NOUN", "PROPN") else "VERB" if tok.pos_ in ("VERB", "AUX") else tok.pos_
        args: dict[str, Token] | None = None
        lemma = tok.lemma_.lower()
        for frame in frames:
            if pos not in frame.pos:
                continue
            if args is None:
                args = _arg_lemmas(tok)
            if frame.particle and not any(c.dep_ in ("prt", "prep", "advmod") and c.lower_ == frame.particle
                                          for c in tok.children):
                continue
            if frame.context_veto and any(t.lower_ in frame.context_veto or t.lemma_.lower() in frame.context_veto
                                          for t in tok.sent):
                continue
            stop = frame.excludes_when.get(lemma)
            if stop and any(w in args for w in stop):
                continue
            need = frame.lemma_requires.get(lemma)
            if need and not any(t.lower_ in need or t.lemma_.lower() in need for t in tok.subtree):
                continue
            if frame.requires_text:
                phrase = " ".join(t.lower_ for t in tok.subtree if not t.is_punct)
                if not any(p in phrase for p in frame.requires_text):
                    continue
            hit: Token | None = None
            if frame.requires and lemma not in frame.requires_exempt and tok.lower_ not in frame.requires_exempt:
                hit = next((args[w] for w in frame.requires if w in args), None)
                if hit is None:
                    continue
            if frame.veto and self._vetoed(tok, frame):
                continue
            if frame.roles == "host_allows" and not self._host(tok, frame):
                continue
            return frame, hit
        return None

    def _vetoed(self, tok: Token, frame: Frame) -> bool:
        for obj in self._objects(tok):
            lemma = obj.lemma_.lower()
            if lemma in frame.veto:
                return True
            if any(c.dep_ == "prep" and f"{lemma}_{c.lower_}" in frame.veto for c in obj.children):
                return True
        # "recognised Jerusalem as the capital"
        return any(c.dep_ == "prep" and c.lower_ == "as" and any(
            p.lemma_.lower() in frame.veto for p in c.children) for c in tok.children)

    @staticmethod
    def _host(tok: Token, frame: Frame) -> Token | None:
        """The verb that allows or orders the trigger ("allowed X *to operate*", "gave X 48 hours *to leave*")."""
        head = tok.head
        if tok.dep_ in ("ccomp", "xcomp", "conj", "advcl") and head.lemma_.lower() in frame.hosts:
            return head
        if tok.dep_ in ("acl", "relcl") and head.dep_ in ("dobj", "npadvmod") and head.head.lemma_.lower() in frame.hosts:
            return head.head
        return None

    @staticmethod
    def _objects(tok: Token) -> list[Token]:
        objs = [c for c in tok.children if c.dep_ in ("dobj", "nsubjpass", "attr", "oprd", "dative")]
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ in ("of", "to", "with"):
                objs += [p for p in c.children if p.dep_ == "pobj"]
        return objs

    # -- sentences -------------------------------------------------------------
    def find(self, sent: Span, mentions: dict[int, Mention], headline: bool = False) -> list[Candidate]:
        """All candidates in one sentence.

        Args:
            sent: a sentence of a parsed block.
            mentions: token index → mention for the block.
            headline: the sentence is a headline, whose telegraphic syntax the
                parser often misreads ("Putin signs decree recognising X"):
                when the parse gives a trigger no source, the nearest actor
                before the trigger is taken.

        Returns:
            Candidates in trigger order. A noun that served as the required
            argument of another trigger ("withdrew *recognition*", "held
            *talks*") is not a trigger of its own.
        """
        fired: list[tuple[Token, Frame]] = []
        consumed: set[int] = set()
        backrefs: list[Candidate] = []
        for tok in sorted(sent, key=lambda t: (t.pos_ not in ("VERB", "AUX"), t.i)):
            if tok.i in consumed:
                continue
            if _bare_back_reference(tok, self.lex.event_nouns):
                lemma = tok.lemma_.lower()
                types = tuple(sorted({f.event for f in self.lex.by_lemma.get(lemma, ()) if "NOUN" in f.pos}))
                if types or lemma in self.lex.event_nouns:
                    frame = (self.lex.by_lemma.get(lemma) or self.lex.frames)[0]
                    backrefs.append(Candidate(frame, frame.event, tok, None, None, backref=types))
                continue
            found = self.frame_for(tok)
            if found is None:
                continue
            frame, hit = found
            fired.append((tok, frame))
            if hit is not None:
                consumed.add(hit.i)
        reactions = {t.i for t, f in fired if f.object_events}
        out: list[Candidate] = []
        waiting: list[tuple[Token, Frame, list[Actor | None], bool, str]] = []
        for tok, frame in sorted(fired, key=lambda x: x[0].i):
            if tok.i in consumed:
                continue
            cands, pending = self._roles(tok, frame, mentions)
            if not cands and pending is None and headline:
                cands = self._headline_roles(tok, frame, mentions)
            nominal = tok.pos_ == "NOUN" and any(a.i in reactions for a in list(tok.ancestors)[:2])
            for c in cands:
                c.nominal_ref = nominal
            out.extend(cands)
            if pending is not None and tok.pos_ in ("VERB", "AUX"):
                waiting.append((tok, frame, *pending))
            elif pending is not None and tok.pos_ in NOUNS and not frame.mutual and not frame.object_events \
                    and not nominal and tok.dep_ in ("dobj", "nsubjpass", "conj"):
                out += [Candidate(frame, frame.event, tok, s, None, s is None, pending[2], "implicit",
                                  implicit_target=True) for s in pending[0]]
        # coordinated clauses share the target of a sibling with the same source
        chains: dict[int, frozenset[int]] = {}
        shared = {(c.trigger.i, c.source, c.target) for c in out}
        for tok, frame, sources, generic, spath in waiting:
            if frame.event in DYAD_EVENTS and not any(c.trigger.i == tok.i for c in out) and not any(
                    self._coordinated(tok, o.trigger, chains) for o in out if o.target is not None):
                # "Mexico said it was bringing its envoy home": from the state it is at odds with
                out += [Candidate(frame, frame.event, tok, s, None, False, spath, "dyad", dyad_target=True)
                        for s in sources if s is not None]
                continue
            for other in out:
                if other.target is None or other.trigger.i == tok.i:
                    continue
                same = other.source in sources
                if (same or frame.owner_is_source) and self._coordinated(tok, other.trigger, chains):
                    # "Bolivia severed ties with Israel, while Chile and Colombia recalled their
                    # ambassadors": an envoy or mission of one's own is recalled from the shared target
                    for s in sources:
                        if s is not None and other.target.state == s.state:
                            continue
                        if (tok.i, s, other.target) not in shared:
                            shared.add((tok.i, s, other.target))
                            out.append(Candidate(frame, frame.event, tok, s, other.target, generic, spath,
                                                 f"shared:{other.trigger.text}"))
        return out + backrefs

    def _headline_roles(self, tok: Token, frame: Frame, mentions: dict[int, Mention]) -> list[Candidate]:
        """Roles of a headline trigger by position: the nearest actor before it acts on what the parse gives."""
        before = [mentions[i] for i in range(tok.sent.start, tok.i) if i in mentions
                  and mentions[i].actor is not None and mentions[i].actor.kind in ("state", "government", "person", "body")]
        if not before:
            return []
        source = before[-1]
        targets, tpath, _ = self._target(tok, frame, mentions, set(range(source.start, source.end)),
                                         {source.actor.state} if source.actor.state else set())
        return self._fan(frame, self._event(tok, frame, targets), tok, [source], targets, False,
                         "headline:left", tpath)

    @staticmethod
    def _coordinated(a: Token, b: Token, chains: dict[int, frozenset[int]]) -> bool:
        """Whether two triggers sit in clauses coordinated with each other (one a conj of the other's verb chain).

        ``chains`` caches each trigger's verb chain for one sentence; a chain climbs at most
        :data:`COORDINATION_STEPS` heads, so that a sentence of hundreds of coordinated clauses
        costs time linear in their number per pair, not in the length of the sentence.
        """
        return bool(_verb_chain(a, chains) & _verb_chain(b, chains))

    # -- roles -----------------------------------------------------------------
    def _mentions_under(self, tok: Token, mentions: dict[int, Mention], avoid: set[int],
                        depth: int = 5, skip_preps: frozenset[str] = frozenset()) -> list[tuple[int, Mention, str]]:
        """Mentions in ``tok``'s phrase, breadth first: (distance, mention, path)."""
        found: list[tuple[int, Mention, str]] = []
        seen: set[int] = set()
        frontier = [(tok, tok.dep_ if tok.dep_ != "prep" else f"prep:{tok.lower_}")]
        for dist in range(depth + 1):
            nxt = []
            for node, path in frontier:
                m = mentions.get(node.i)
                if m is not None and node.i not in avoid and id(m) not in seen:
                    seen.add(id(m))
                    found.append((dist, m, path))
                for c in node.children:
                    if c.dep_ in CLAUSE_DEPS or c.i in avoid:
                        continue
                    if c.dep_ == "prep" and (c.lower_ not in TARGET_PREPS or c.lower_ in skip_preps):
                        continue
                    if c.dep_ == "prep" and c.lower_ == "as" and not any(x.lower_ == "such" for x in c.children) \
                            and not (c.i > 0 and c.doc[c.i - 1].lower_ == "such"):
                        continue
                    nxt.append((c, f"{path}>{c.dep_}:{c.lower_}"))
            frontier = nxt
        return found

    def _expand(self, m: Mention, mentions: dict[int, Mention], doc) -> list[Mention]:  # noqa: ANN001
        """A mention, the actors of its group, and the mentions coordinated with its head."""
        out = [m]
        seen = {id(m)}
        for extra in m.group[1:]:
            out.append(Mention(m.start, m.end, m.char_start, m.char_end, m.text, extra, m.via, m.sent, m.head))
        for t in _conjuncts(doc[m.head]):
            mm = mentions.get(t.i) if t.i == m.head else _named(t, mentions)
            if mm is not None and id(mm) not in seen and mm.actor is not None:
                seen.add(id(mm))
                out.append(mm)
        return out

    def _collect(self, tok: Token, mentions: dict[int, Mention], depth: int = 3,
                 avoid: set[int] | None = None) -> list[Mention]:
        """The mentions a role phrase headed by ``tok`` names, coordination included (not inside ``avoid``)."""
        m = mentions.get(tok.i)
        if m is None and tok.lemma_.lower() in STATE_NOUNS:
            listed = self._listed(tok, mentions)
            if listed:
                return listed
        if m is None:
            # "the governments of both countries", "Maduro's regime in Venezuela", "all of its personnel"
            under = [u for u in self._mentions_under(tok, mentions, avoid or set(), depth=depth)
                     if u[1].actor is not None]
            if not under:
                return []
            m = under[0][1]
        if m.actor is None:
            return []
        out = self._expand(m, mentions, tok.doc)
        if mentions.get(tok.i) is None:
            # "the foreign ministers of Qatar and the UAE": the parser may coordinate the second
            # name with the head noun rather than with the first name
            seen = {id(x) for x in out}
            heads = [o for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"
                     for o in c.children if o.dep_ == "pobj"] + list(_conjuncts(tok))[1:]
            for t in heads:
                extra = _named(t, mentions)
                if extra is not None and extra.actor is not None and id(extra) not in seen:
                    for x in self._expand(extra, mentions, tok.doc):
                        if id(x) not in seen:
                            seen.add(id(x))
                            out.append(x)
        return out

    def _agent(self, node: Token, mentions: dict[int, Mention], depth: int) -> tuple[list[Mention], set[int]]:
        """Actors of a "by X" phrase under ``node`` (down ``depth`` steps, not into clauses)."""
        frontier = [node]
        for _ in range(depth):
            nxt = []
            for n in frontier:
                for c in n.children:
                    if c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ == "by"):
                        for p in c.children:
                            if p.dep_ == "pobj":
                                ms = self._collect(p, mentions)
                                if ms:
                                    # "by Ireland and Norway together with Spain"
                                    for w in n.children:
                                        if w.dep_ == "prep" and w.lower_ == "with" and any(
                                                x.lower_ in ("together", "along") for x in w.children):
                                            for o in w.children:
                                                if o.dep_ == "pobj":
                                                    ms = ms + self._collect(o, mentions)
                                    return ms, {t.i for t in p.subtree}
                    elif c.dep_ not in CLAUSE_DEPS and c.dep_ in ("prep", "pobj", "compound", "amod"):
                        nxt.append(c)
            frontier = nxt
        return [], set()

    def _generic_agent(self, node: Token) -> bool:
        """"criticised *by the international community*": an agent that names no particular actor."""
        for c in node.children:
            if c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ == "by"):
                for p in c.children:
                    if p.dep_ == "pobj" and (p.lemma_.lower() in self.lex.generic_subjects
                                             or p.lower_ in self.lex.generic_subjects):
                        return True
        return False

    def _listed(self, tok: Token, mentions: dict[int, Mention]) -> list[Mention]:
        """The states a plural state noun lists as some of its members, in order.

        "18 states, *including A and B*", "several countries, *among them A and B*" (a verbless
        relative: the parser hangs its noun as ``relcl``), "18 states, *A*, *B* …" (appositions);
        every state or government named in such a phrase is one ("the Vatican and countries of
        Latin America (Honduras, Guatemala)"). The noun's other complements name no member ("the
        neighbours *of Afghanistan*"): ``[]`` when it lists none.
        """
        phrases = [c for c in tok.children if c.dep_ == "appos" or (c.dep_ == "relcl" and c.pos_ in NOUNS)]
        phrases += [p for c in tok.children if c.dep_ == "prep" and c.lower_ in ("including", "among", "like")
                    for p in c.children if p.dep_ == "pobj" and p.pos_ != "PRON"]  # not "among them"
        out: list[Mention] = []
        seen: set[str] = set()
        for phrase in sorted(phrases, key=lambda t: t.i):
            for _, m, _ in self._mentions_under(phrase, mentions, set()):
                for x in self._expand(m, mentions, tok.doc):
                    a = x.actor
                    if a is not None and a.kind in ("state", "government") and a.state and a.state not in seen \
                            and x.via != "pronoun":
                        seen.add(a.state)
                        out.append(x)
        return out

    def _subject(self, tok: Token, mentions: dict[int, Mention],
                 mutual: bool = False) -> tuple[list[Mention], bool, str, set[int]]:
        """Source mentions, whether the subject is generic, the path, and the tokens used.

        ``mutual``: the trigger is a joint event ("talks"), whose participants
        include the subject of the clause it is a circumstance of ("announced
        the deal *after a phone call with* X").
        """
        node = tok
        path = ""
        came_from = -1
        for _ in range(7):
            kids = [c for c in node.children if c.i != came_from]
            shared = path.endswith("conj^") and node.pos_ in ("VERB", "AUX") and not _passive(tok)
            if shared and any(c.dep_ == "nsubjpass" for c in kids):
                pass  # "X had been taken aback by Y and had summoned ...": coordinated verbs share X, not Y
            elif _passive(node) or node.pos_ in NOUNS or node.i != tok.i:
                ms, used = self._agent(node, mentions, 3 if node.pos_ in NOUNS else 1)
                if ms:
                    return ms, False, f"{path}agent", used
                if node.i == tok.i and self._generic_agent(node):
                    return [], True, f"{path}agent:generic", set()
            subj = next((c for c in kids if c.dep_ in ("nsubj", "csubj")
                         or (c.dep_ == "nsubjpass" and node.i != tok.i)), None)
            if node.pos_ in NOUNS and subj is None:
                poss = next((c for c in kids if c.dep_ == "poss"), None)
                if poss is not None:
                    ms = self._collect(poss, mentions)
                    if ms:
                        return ms, False, f"{path}poss", {t.i for t in poss.subtree}
            if subj is None and node.pos_ in ("VERB", "AUX"):
                # a rare name the parser did not take as subject ("Nauru granted ...")
                subj = next((c for c in kids if c.i < node.i and c.dep_ in ("advmod", "npadvmod", "compound", "dep")
                             and c.i in mentions), None)
            if subj is None and node.dep_ == "ROOT" and node.tag_ in ("VBD", "VBZ", "VBP") and not any(
                    c.dep_ in ("nsubjpass", "expl") for c in node.children):
                # a finite main verb the parser left without a subject ("On Tuesday Rwanda and the
                # DRC met ...", read as "on Tuesday Rwanda"): the last name before the verb
                left = [i for i in range(node.i - 1, node.sent.start - 1, -1) if i in mentions
                        and mentions[i].actor is not None and node.i in {a.i for a in node.doc[i].ancestors}]
                if left:
                    first = node.doc[mentions[left[0]].head]
                    while first.dep_ == "conj" and first.head.i != first.i:
                        first = first.head  # the coordination's first name ("Rwanda and the DRC")
                    ms = self._collect(first, mentions)
                    if ms:
                        return ms, False, f"{path}left", {t.i for m in ms for t in node.doc[m.start:m.end]}
            if subj is not None:
                ms = self._collect(subj, mentions)
                if ms:
                    return ms, False, f"{path}nsubj", {t.i for t in subj.subtree}
                lemma = subj.lemma_.lower()
                if lemma in self.lex.generic_subjects or subj.lower_ in self.lex.generic_subjects:
                    listed = self._colon_list(subj, mentions)
                    if listed:
                        # "Nine states have withdrawn recognition: A, B, C and D"
                        return listed, False, f"{path}nsubj:list", {t.i for t in subj.subtree}
                    return [], True, f"{path}nsubj:generic", {t.i for t in subj.subtree}
                if lemma in self.lex.event_nouns:
                    return [], False, f"{path}nsubj:event", {t.i for t in subj.subtree}
                if not (subj.lower_ in ("which", "that", "who") and node.dep_ == "relcl"):
                    return [], False, f"{path}nsubj:unresolved", {t.i for t in subj.subtree}
            if node.head.i == node.i:
                break
            if node.dep_ == "relcl" or (node.dep_ == "acl" and node.head.pos_ in ("NOUN", "PROPN")):
                head = node.head
                ms = self._collect(head, mentions, depth=2, avoid={t.i for t in node.subtree})
                if ms:
                    return ms, False, f"{path}relcl-head", {head.i}
                listing = head.lemma_.lower() in self.lex.generic_subjects or (
                    head.lemma_.lower() in LIST_NOUNS and head.dep_ in ("nsubj", "nsubjpass"))
                if listing and head.dep_ != "attr":
                    members = self._members(head, mentions)
                    if members:
                        # "the list of states that have withdrawn recognition includes A, B and C",
                        # "A was among the three countries that recognised ..."
                        return members, False, f"{path}relcl-head:members", {head.i}
                    return [], True, f"{path}relcl-head:generic", {head.i}
                if head.dep_ in ("nsubj", "nsubjpass") and any(c.dep_ == "aux" and c.lower_ == "to"
                                                               for c in node.children):
                    # "the name of the 15th state to revoke ... will be made public, Serbia said": an
                    # infinitive on the subject of another predicate is done by what that noun names,
                    # not by the subject of the clause above
                    named = [head] + [p for c in head.children if c.dep_ == "prep" and c.lower_ == "of"
                                      for p in c.children if p.dep_ == "pobj"]
                    vague = any(n.lemma_.lower() in self.lex.generic_subjects for n in named)
                    return [], vague, f"{path}relcl-head:" + ("generic" if vague else "unresolved"), {head.i}
                came_from = node.i
                node = head
                path += "relcl^"
                continue
            obj = gerund_agent(node)  # "commended Kiribati *for cutting* its links"
            if obj is not None:
                ms = self._collect(obj, mentions)
                if ms:
                    return ms, False, f"{path}for-object", {t.i for t in obj.subtree}
            if node.dep_ in ("xcomp", "advcl") and node.head.lemma_.lower() in OBJECT_CONTROL:
                obj = next((c for c in node.head.children if c.dep_ == "dobj"), None)
                if obj is None:  # "called on X to", "appealed to X to"
                    obj = next((p for c in node.head.children if c.dep_ == "prep" and c.lower_ in ("on", "upon", "to")
                                for p in c.children if p.dep_ == "pobj"), None)
                if obj is not None:
                    ms = self._collect(obj, mentions)
                    if ms:
                        return ms, False, f"{path}control-object", {t.i for t in obj.subtree}
                    if obj.lemma_.lower() in self.lex.generic_subjects:
                        return [], True, f"{path}control-object:generic", {t.i for t in obj.subtree}
            if node.dep_ in CLIMB_DEPS:
                if node.dep_ in ("nsubj", "nsubjpass") and node.pos_ not in NOUNS:
                    break
                if node.pos_ in NOUNS and not self._noun_climbs(node, frame_mutual=mutual):
                    break
                path += f"{node.dep_}^"
                came_from = node.i
                node = node.head
                if path.endswith("conj^") and node.pos_ in ("ADV", "ADP", "PART") and node.dep_ in ("advmod", "prt") \
                        and node.head.i != node.i:
                    # "went further still and formally recognised": the parser hangs the second verb
                    # on an adverb of the first
                    came_from = node.i
                    node = node.head
                continue
            break
        return [], False, "none", set()

    def _mediation(self, tok: Token, frame: Frame, mentions: dict[int, Mention], sources: list[Mention],
                   generic: bool, spath: str) -> list[Candidate]:
        """A mediator and each party: "Turkey launched a mediation effort between Somalia and
        Ethiopia", "a US-brokered agreement between Armenia and Azerbaijan", "the restoration of ties
        between Iran and Saudi Arabia under China's mediation", "mediated talks between X and Y"."""
        # "US-brokered", "Qatari-mediated": the mediator is the participle's modifier, even where the
        # clause above has a subject of its own ("A and B made peace under a US-brokered deal")
        named = [mentions[c.i] for c in tok.children if c.dep_ in ("npadvmod", "compound", "amod", "nmod")
                 and c.i in mentions and mentions[c.i].actor is not None]
        if not named and tok.i >= 2 and tok.doc[tok.i - 1].text == "-" and tok.i - 2 in mentions:
            named = [mentions[tok.i - 2]]
        if named and (not sources or tok.dep_ in ("amod", "compound")):
            sources, generic, spath = named, False, "modifier"
        nodes, node = [tok], tok
        for _ in range(3):  # the phrase that names the parties: the trigger's, its object's, or its head's
            if node.head.i == node.i:
                break
            node = node.head
            nodes.append(node)
        nodes += [c for c in tok.children if c.dep_ in ("dobj", "pobj", "attr")]
        for n in nodes:
            between = next((c for c in n.children if c.dep_ == "prep" and c.lower_ == "between"), None)
            if between is not None:
                parties = self._parties(between, mentions)
                break
        else:
            parties = [m for c in tok.children if c.dep_ == "prep" and c.lower_ == "with"
                       for o in c.children if o.dep_ == "pobj" for m in self._collect(o, mentions)]
            verb = next((n for n in nodes[1:] if n.pos_ in ("VERB", "AUX")), None)
            if not parties and verb is not None:
                # "Iran and Saudi Arabia restored ties under China's mediation": the act's own parties
                subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
                parties = self._collect(subj, mentions) if subj is not None else []
                parties += [m for c in verb.children if c.dep_ == "prep" and c.lower_ == "with"
                            for o in c.children if o.dep_ == "pobj" for m in self._collect(o, mentions)]
                parties = parties if len(parties) >= 2 else []
        return self._fan(frame, frame.event, tok, sources, parties, generic, spath, "mediated")

    def _parties(self, prep: Token, mentions: dict[int, Mention]) -> list[Mention]:
        """The actors of a "between X and Y" phrase: every mention of a distinct state in it, in
        order (the small parser often mangles the coordination of two titled names)."""
        out: list[Mention] = []
        seen: set[str] = set()
        for t in prep.subtree:
            m = mentions.get(t.i)
            if m is None or m.actor is None or _under_other_prep(t, prep):
                continue
            for x in self._expand(m, mentions, prep.doc):
                key = x.actor.state or x.actor.id if x.actor is not None else ""
                if key and key not in seen:
                    seen.add(key)
                    out.append(x)
        return out

    def _joined(self, tok: Token, mentions: dict[int, Mention]) -> list[Mention]:
        """The objects of "join X *in* doing" above the trigger ("A joined B and C in recognising")."""
        node = tok
        for _ in range(4):
            if node.head.i == node.i:
                return []
            if node.dep_ == "prep" and node.lower_ == "in" and node.head.lemma_.lower() == "join":
                return [m for c in node.head.children if c.dep_ == "dobj" for m in self._collect(c, mentions)]
            if node.dep_ not in ("pcomp", "pobj", "dobj", "prep", "xcomp"):
                return []
            node = node.head
        return []

    def _members(self, head: Token, mentions: dict[int, Mention]) -> list[Mention]:
        """States that a generic noun with a relative clause is said to consist of.

        "The list of states that ... *includes A, B and C*", "States that ... *include* A and B",
        "*Among* the countries that ... *are* A and B", "*A was among* the three countries that ...".
        """
        n = head
        if n.dep_ == "pobj" and n.head.lower_ == "of" and n.head.head.pos_ in NOUNS \
                and n.head.head.lemma_.lower() in LIST_NOUNS | {"group", "number", "club", "handful", "bloc"}:
            n = n.head.head  # "the list of states"
        if n.dep_ == "pobj" and n.head.lower_ in ("among", "of") and n.head.dep_ == "prep":
            verb = n.head.head  # "A was among the countries that ...", "among them are A and B"
            if n.head.lower_ == "of" and verb.lemma_.lower() not in ("one",):
                return []
            if verb.lemma_.lower() == "one":
                verb = verb.head
            args = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "attr") and c.i != n.head.i]
        elif n.dep_ in ("nsubj", "nsubjpass") and n.head.lemma_.lower() in MEMBER_VERBS:
            args = [c for c in n.head.children if c.dep_ in ("dobj", "attr", "oprd")]
            args += [o for c in n.head.children if c.dep_ == "prep" and c.lower_ in ("of", "in")
                     for o in c.children if o.dep_ == "pobj"]  # "consist of", "take in"
        else:
            return []
        return [m for a in args for m in self._collect(a, mentions)
                if m.actor is not None and m.actor.kind in ("state", "government")]

    def _colon_list(self, subj: Token, mentions: dict[int, Mention]) -> list[Mention]:
        """The states listed after a colon or dash later in the block ("Nine have withdrawn: A, B and C")."""
        doc = subj.doc
        for i in range(subj.i + 1, len(doc)):
            if doc[i].text in (":", "—", "–") and i + 1 < len(doc):
                first = next((j for j in range(i + 1, min(len(doc), i + 4)) if j in mentions), None)
                if first is None:
                    return []
                top = doc[mentions[first].head]
                while top.dep_ == "conj" and top.head.i != top.i and top.head.i > i:
                    top = top.head
                listed = [m for m in self._collect(top, mentions) if m.actor is not None and m.actor.kind == "state"]
                return listed if len(listed) >= 2 else []
        return []

    def _noun_climbs(self, node: Token, frame_mutual: bool = False) -> bool:
        """Whether the source of a nominal event is read from the clause above it.

        Yes for the object of a light verb ("granted recognition", "took the
        decision") and for "the announcement of recognition"; no for a noun
        in a prepositional phrase ("recalled envoys over Palestine
        recognition": Israel is not the recogniser).
        """
        if node.dep_ in ("dobj", "attr", "oprd", "nsubjpass", "conj", "appos", "compound"):
            return True
        if node.dep_ == "pobj" and node.head.lower_ == "of":
            return node.head.head.lemma_.lower() in self.lex.event_nouns | MEASURE_NOUNS
        if frame_mutual and node.dep_ == "pobj" and node.head.lower_ in CIRCUMSTANCE_PREPS:
            return True
        if frame_mutual and node.dep_ == "prep" and node.lower_ in CIRCUMSTANCE_PREPS:
            return True
        if node.dep_ == "prep" and node.lower_ == "of":
            return node.head.lemma_.lower() in self.lex.event_nouns | MEASURE_NOUNS
        return node.lemma_.lower() in MEASURE_NOUNS and node.dep_ in ("pobj", "npadvmod")

    def _roles(self, tok: Token, frame: Frame, mentions: dict[int, Mention]
               ) -> tuple[list[Candidate], tuple[list[Actor | None], bool, str] | None]:
        """Candidates of one trigger, and (sources, generic, path) when the target is still missing."""
        if frame.from_source and tok.pos_ in NOUNS:
            found = self._from_roles(tok, frame, mentions)
            if found is not None:
                return found, None
        if is_participle(tok):
            # "the Taliban (banned in Russia)": a participle has no subject of its own
            sources, used = self._agent(tok, mentions, 1)
            generic, spath = False, "agent" if sources else "participle"
        else:
            sources, generic, spath, used = self._subject(tok, mentions, mutual=frame.mutual and tok.pos_ in NOUNS)
        joined = self._joined(tok, mentions)
        if joined and sources:
            # "Malta now joins Spain and Ireland in recognising ...": those it joins act too
            seen = {id(m) for m in sources}
            sources = sources + [m for m in joined if id(m) not in seen]
            used = used | {t.i for m in joined for t in tok.doc[m.start:m.end]}
        if frame.official_source:
            sources = [m for m in sources if self._official(m, tok.doc)]
        if not sources and frame.target_kinds:
            # "the removal of the Taliban from Russia's list": the list's owner keeps it
            owner = next((c for a in _arg_tokens(tok) if a.lemma_.lower() in LIST_NOUNS
                          for c in a.children if c.dep_ == "poss"), None)
            if owner is not None:
                sources = self._collect(owner, mentions)
                if sources:
                    spath, generic = "list-owner", False
        if not sources and frame.location_source:
            # "banned in Germany"; "listed as a terrorist group in Russia", where the parser hangs the
            # place on the category noun of the "as" phrase
            holders = [tok] + [p for c in tok.children if c.dep_ == "prep" and c.lower_ == "as"
                               for p in c.children if p.dep_ == "pobj"]
            place = [p for h in holders for c in h.children if c.dep_ == "prep" and c.lower_ == "in"
                     for p in c.children if p.dep_ == "pobj"]
            sources = [m for p in place for m in self._collect(p, mentions)
                       if m.actor is not None and m.actor.kind == "state"]
            if sources:
                spath, generic = "location", False
                used = used | {t.i for p in place for t in p.subtree}
        if not sources and frame.posting_source and _passive(tok):
            # "Russia's ambassador to Moldova was expelled": by the state the envoy is posted to
            envoy = next((c for c in tok.children if c.dep_ == "nsubjpass"), None)
            posted = [p for c in (envoy.children if envoy is not None else []) if c.dep_ == "prep"
                      and c.lower_ in ("to", "in") for p in c.children if p.dep_ == "pobj"]
            if not posted:
                # "Sweden's ambassador was expelled from Iraq": by the state expelling him
                posted = [p for c in tok.children if c.dep_ == "prep" and c.lower_ == "from"
                          for p in c.children if p.dep_ == "pobj"]
            sources = [m for p in posted for m in self._collect(p, mentions)]
            if sources:
                spath, generic = "posting", False
                used = used | {t.i for p in posted for t in p.subtree}
        if not sources and frame.owner_is_source and (_passive(tok) or tok.pos_ in NOUNS):
            # "The Nigerian ambassador in Niamey was recalled", "the closure of the Norwegian
            # embassy in Kabul": by the envoy's or mission's own state
            envoy = next((c for c in tok.children if c.dep_ == "nsubjpass"), None) or next(
                (p for c in tok.children if c.dep_ == "prep" and c.lower_ == "of" for p in c.children
                 if p.dep_ == "pobj"), None)
            owners = [mentions[c.i] for c in (envoy.children if envoy is not None else [])
                      if c.dep_ in ("amod", "compound", "poss", "nmod") and c.i in mentions
                      and mentions[c.i].actor is not None]
            if owners:
                sources, spath, generic = owners, "envoy-owner", False
        if frame.roles == "host_allows":
            host = self._host(tok, frame) or tok.head
            hs, hgen, hpath, _ = self._subject(host, mentions)
            subj = next((c for c in tok.children if c.dep_ == "nsubj"), None)
            obj = next((c for c in host.children if c.dep_ == "dative"), None) or \
                next((c for c in host.children if c.dep_ == "dobj"), None) or \
                next((c for c in host.children if c.dep_ == "nsubjpass"), None)
            if not hs and _passive(host):
                # "X's ambassador has been told to leave Somalia": by the state to be left
                left = [m for c in tok.children if c.dep_ == "dobj" for m in self._collect(c, mentions)
                        if m.actor is not None and m.actor.kind == "state"]
                hs, hgen, hpath = left, False, "left"
            allowed = self._collect(subj, mentions) if subj is not None else []
            if not allowed and obj is not None:
                allowed = self._collect(obj, mentions)
            if not allowed:
                # "let them run the Afghan embassies": the mission's own state
                mission = next((c for c in tok.children if c.dep_ == "dobj"), None)
                allowed = [self._collect(c, mentions)[0] for c in (mission.children if mission is not None else [])
                           if c.dep_ in ("amod", "compound", "poss") and self._collect(c, mentions)]
            return self._fan(frame, frame.event, tok, hs, allowed, hgen, "host:" + hpath, "allowed"), None
        if frame.roles == "recipient_source":
            recips: list[Mention] = []
            for c in tok.children:
                if c.dep_ == "dative":
                    recips += self._collect(c, mentions)
                elif c.dep_ == "prep" and c.lower_ == "to":
                    for p in c.children:
                        if p.dep_ == "pobj":
                            recips += self._collect(p, mentions)
            return self._fan(frame, frame.event, tok, recips, sources, False, "prep:to", "presenter:" + spath), None
        if frame.roles == "takes_effect":
            subj = next((c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if subj is None or subj.lemma_.lower() not in self.lex.event_nouns:
                return [], None
            owner = next((c for c in subj.children if c.dep_ == "poss"), None)
            actors = self._collect(owner, mentions) if owner is not None else []
            if not actors:
                actors = self._agent(subj, mentions, 1)[0]  # "the decisions by Norway and Spain to ..."
            return [Candidate(frame, frame.event, tok, m.actor, None, False, "event-owner", "restated",
                              restates=True) for m in actors if m.actor is not None], None
        if frame.roles == "switch":
            return self._switch(tok, frame, mentions, sources, generic, spath), None
        if frame.roles == "mediator":
            return self._mediation(tok, frame, mentions, sources, generic, spath), None
        if frame.roles == "speaker_judges":
            return self._judged(tok, frame, mentions), None
        if frame.roles == "speaker_blames":
            return self._blamed(tok, frame, mentions), None
        if frame.mutual:
            holders = [tok] + [c for c in tok.children if c.dep_ in ("dobj", "nsubjpass", "nsubj")]
            if tok.pos_ == "NOUN":
                # "the restoration of ties *between* Egypt and Turkey": the relation noun holds the pair
                holders += [p for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"
                            for p in c.children if p.dep_ == "pobj"]
            between = [c for h in holders for c in h.children if c.dep_ == "prep" and c.lower_ == "between"]
            pair = self._parties(between[0], mentions) if between else []
            if len(pair) >= 2:
                cands = self._fan(frame, frame.event, tok, pair[:1], pair[1:], False, "between", "between")
                parties = {m.actor.state for m in pair if m.actor is not None}
                hosts = [m for m in sources if m.actor is not None and m.actor.state not in parties]
                if tok.lemma_.lower() in HOST_VERBS and hosts:
                    # "Oman hosted talks between Iran and the US": the host meets each party
                    cands += self._fan(frame, frame.event, tok, hosts, pair, generic, spath, "hosted")
                return cands, None
        if self._reciprocal(tok) and len(sources) >= 2:
            out = []
            for s in sources:
                out += self._fan(frame, self._event(tok, frame, sources), tok, [s],
                                 [m for m in sources if m is not s], False, spath, "reciprocal")
            return out, None
        own = {m.actor.state for m in sources if m.actor is not None and m.actor.state}
        targets, tpath, refers = self._target(tok, frame, mentions, used, own)
        if not targets and frame.mutual and len(sources) == 2 and not any(
                c.lower_ in ("all", "each") for c in tok.children):
            return self._fan(frame, frame.event, tok, sources[:1], sources[1:], generic, spath, "conj-subject"), None
        event = self._event(tok, frame, targets)
        if not sources and spath.endswith("nsubj:event") and targets:
            return [Candidate(frame, event, tok, None, t.actor, False, spath, tpath, source_refers=True)
                    for t in targets if t.actor is not None], None
        if refers:
            srcs = [m.actor for m in sources if m.actor is not None] or ([None] if generic else [])
            kinds = self._ref_kinds(tok)
            return [Candidate(frame, event, tok, s, None, s is None, spath, "event-ref", True, ref_kinds=kinds)
                    for s in srcs], None
        cands = self._fan(frame, event, tok, sources, targets, generic, spath, tpath)
        pending = None
        if not targets and (sources or generic):
            pending = ([m.actor for m in sources] or [None], generic, spath)
        return cands, pending

    def _blamed(self, tok: Token, frame: Frame, mentions: dict[int, Mention]) -> list[Candidate]:
        """Roles of "X alleged that *Y was behind* the attack": the speaker of the reporting or
        accusing verb (``reporting_verbs``, ``accusing_verbs`` of polarity.yaml) above the
        trigger is the source, the actor the trigger's subject names is the target.

        No candidate when the trigger is not a complement of such a verb (the narrator's own
        "Iran was behind the attack" is no act of any state), when its subject names no actor,
        or when the speaker blames its own state.
        """
        verb = tok.head
        speaking = self.lex.cues["reporting_verbs"] | self.lex.cues.get("accusing_verbs", frozenset())
        if tok.dep_ != "ccomp" or verb.lemma_.lower() not in speaking:
            return []
        subj = next((c for c in tok.children if c.dep_ == "nsubj"), None)
        if subj is None:
            return []
        sources, generic, spath, _used = self._subject(verb, mentions)
        if not sources and not generic:
            return []
        own = {m.actor.state for m in sources if m.actor is not None and m.actor.state}
        targets = [m for m in self._collect(subj, mentions) if m.actor is not None and m.actor.state not in own]
        return self._fan(frame, frame.event, tok, sources, targets, generic, "speaker:" + spath, "blamed")

    def _judged(self, tok: Token, frame: Frame, mentions: dict[int, Mention]) -> list[Candidate]:
        """Roles of "X said *the decree violated* international law": the speaker of the
        reporting verb above the trigger is the source; the agent of the act the trigger's
        subject names is the target ("Putin's decree": Russia; "the move": the last act
        reported, resolved by the pipeline). No candidate when the trigger is not a
        complement of a reporting verb or its subject names no act."""
        verb = tok.head
        if tok.dep_ != "ccomp" or verb.lemma_.lower() not in self.lex.cues["reporting_verbs"]:
            return []
        act = next((c for c in tok.children if c.dep_ == "nsubj"), None)
        if act is None or act.lemma_.lower() not in self.lex.event_nouns:
            return []
        sources, generic, spath, used = self._subject(verb, mentions)
        if not sources and not generic:
            return []
        own = {m.actor.state for m in sources if m.actor is not None and m.actor.state}
        agents = self._agent(act, mentions, 3)[0] or [
            m for c in act.children if c.dep_ in ("poss", "compound", "amod") and c.i not in used
            for m in self._collect(c, mentions)]
        agents = [m for m in agents if m.actor is not None and m.actor.state not in own]
        if agents:
            return self._fan(frame, frame.event, tok, sources, agents, generic, "speaker:" + spath, "judged-act")
        srcs = [m.actor for m in sources if m.actor is not None] or [None]
        kinds = self._ref_kinds(tok)
        return [Candidate(frame, frame.event, tok, s, None, s is None, "speaker:" + spath, "event-ref", True,
                          ref_kinds=kinds) for s in srcs]

    def _ref_kinds(self, tok: Token) -> tuple[str, ...]:
        """Event types named by the complement of the event noun that is ``tok``'s subject or
        object: "the move *to recognise* a Palestinian state" (recognitions), "the decision *on
        the expulsions*"; ``()`` when the noun names no act of the lexicon."""
        kinds: list[str] = []
        for noun in (c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass", "dobj")
                     and c.lemma_.lower() in self.lex.event_nouns):
            heads = [c for c in noun.children if c.dep_ in ("acl", "relcl") and c.pos_ == "VERB"]
            heads += [p for c in noun.children if c.dep_ == "prep" and c.lower_ in ("of", "on", "to")
                      for p in c.children if p.dep_ == "pobj"]
            for h in heads:
                for f in self.lex.by_lemma.get(h.lemma_.lower(), ()):
                    kinds += [f.event] + ([f.government_event] if f.government_event else [])
        return tuple(dict.fromkeys(kinds))

    def _from_roles(self, tok: Token, frame: Frame, mentions: dict[int, Mention]) -> list[Candidate] | None:
        """Roles of "criticism *from* X": X is the source; the target is the trigger's own
        ("criticism from X over Y's move") or the subject of the clause that drew it ("Sweden
        earned criticism from X"). None when the noun has no "from" phrase naming an actor."""
        holders = [tok] + ([tok.head] if tok.dep_ == "conj" and tok.head.pos_ in NOUNS else [])
        if holders[-1].dep_ == "dobj":
            holders.append(holders[-1].head)  # "drawing criticism from China": the verb holds the phrase
        preps = [c for h in holders for c in h.children if c.dep_ == "prep" and c.lower_ == "from"]
        preps += [c for p in preps for c in p.children if c.dep_ == "conj" and c.lower_ == "from"]
        sources = [m for p in preps for o in p.children if o.dep_ == "pobj" for m in self._collect(o, mentions)]
        if not sources:
            return None
        used = {t.i for p in preps for t in p.subtree}
        own = {m.actor.state for m in sources if m.actor is not None and m.actor.state}
        targets, tpath, refers = self._target(tok, frame, mentions, used, own)
        if not targets and not refers:
            verb = holders[-1] if holders[-1].pos_ in ("VERB", "AUX") else holders[-1].head
            while verb.dep_ in ("dobj", "conj", "pobj", "prep", "attr") and verb.head.i != verb.i \
                    and verb.pos_ not in ("VERB", "AUX"):
                verb = verb.head
            if verb.pos_ in ("VERB", "AUX"):
                subj, _generic, spath, _ = self._subject(verb, mentions)
                if not subj and spath.endswith("nsubj:event"):
                    # "the expulsion of two diplomats by Austria drew a protest from Moscow": its agent
                    act = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
                    subj = self._agent(act, mentions, 3)[0] if act is not None else []
                    if not subj and act is not None:
                        subj = [m for c in act.children if c.dep_ == "poss" for m in self._collect(c, mentions)]
                    spath = "event-agent"
                targets = [m for m in subj if m.actor is not None and m.actor.state not in own]
                tpath = "drew:" + spath
        if not targets:
            return None
        return self._fan(frame, frame.event, tok, sources, targets, False, "prep:from", tpath)

    def _official(self, m: Mention, doc) -> bool:  # noqa: ANN001
        """Whether a mention names a person or an official ("Zarif", "the foreign minister",
        "the *Chadian* delegation"), not a state or its troops ("*Chinese* troops")."""
        if m.actor is None:
            return False
        if m.actor.kind == "person" or m.via in ("official", "person"):
            return True
        if m.head < 0 or m.head >= len(doc):
            return False
        head = doc[m.head]
        official = self.lex.official_nouns
        if head.lemma_.lower() in official or head.lower_ in official:
            return True
        up = head.head
        return head.dep_ in ("poss", "amod", "compound", "nmod") and (up.lemma_.lower() in official or up.lower_ in official)

    @staticmethod
    def _reciprocal(tok: Token) -> bool:
        """"recognise each other", "with one another", "embassies in each other's capitals"."""
        for c in tok.subtree:
            if c.lower_ in RECIPROCAL and c.i > 0 and c.doc[c.i - 1].lower_ in ("each", "one"):
                node = c
                for _ in range(5):
                    if node.head.i == node.i or node.dep_ in CLAUSE_DEPS:
                        return False
                    node = node.head
                    if node.i == tok.i:
                        return True
                return False
        return False

    def _event(self, tok: Token, frame: Frame, targets: list[Mention]) -> str:
        if not frame.government_event:
            return frame.event
        words = {t.lemma_.lower() for o in self._objects(tok) for t in o.subtree}
        # "recognised Áñez *as Bolivia's interim leader*"
        words |= {t.lemma_.lower() for c in tok.children if c.dep_ == "prep" and c.lower_ == "as" for t in c.subtree}
        if tok.pos_ == "NOUN":
            words |= {t.lemma_.lower() for t in tok.subtree}
        if words & frame.government_words or any(m.actor and m.actor.kind == "government" for m in targets):
            return frame.government_event
        return frame.event

    def _switch(self, tok: Token, frame: Frame, mentions: dict[int, Mention], sources: list[Mention],
                generic: bool, spath: str) -> list[Candidate]:
        """"switched recognition from Taipei to Beijing": withdraw from one, recognise the other."""
        holders = [tok] + [c for c in tok.children if c.dep_ in ("dobj", "nsubjpass")]
        sides: dict[str, list[Mention]] = {"from": [], "to": []}
        for c in (c for h in holders for c in h.children):
            if c.dep_ == "prep" and c.lower_ in sides:
                sides[c.lower_] += [m for p in c.children if p.dep_ == "pobj" for m in self._collect(p, mentions)]
        states = {side: {m.actor.state for m in ms if m.actor is not None} for side, ms in sides.items()}
        if states["from"] and states["from"] == states["to"]:
            return []  # "shifted its relations from the PLO to the State of Palestine": no switch between states
        if not sides["from"] and sides["to"]:
            # "shifted its recognition to Beijing": from the rival that claims the same state
            rivals = [r for m in sides["to"] if m.actor is not None and m.actor.state
                      for r in self.lex.rival_governments.get(m.actor.state, ())]
            sides["from"] = [Mention(-1, -1, -1, -1, r, self.gazetteer.state(r), "rival") for r in rivals]
        # switching recognition between rival governments (Taipei, Beijing) recognises a government
        return (self._fan(frame, "withdraw_recognition", tok, sources, sides["from"], generic, spath, "prep:from")
                + self._fan(frame, "recognize_government", tok, sources, sides["to"], generic, spath, "prep:to"))

    def _target(self, tok: Token, frame: Frame, mentions: dict[int, Mention],
                used: set[int], own: set[str] = frozenset()) -> tuple[list[Mention], str, bool]:
        """Target mentions, the path, and whether the object is an event noun to resolve.

        ``own`` holds the source's states: a mention of them ("its mission") is
        never the target.
        """
        avoid = set(used)
        starts: list[Token] = []
        for c in tok.children:
            if c.i in avoid:
                continue
            if c.dep_ in ("dobj", "dative", "attr", "oprd") or (_passive(tok) and c.dep_ == "nsubjpass"):
                starts.append(c)
            elif c.dep_ == "npadvmod" and c.pos_ in ("NOUN", "PROPN") and c.i > tok.i:
                starts.append(c)  # a headline object the parser took for an adverbial ("expels ambassador")
            elif c.dep_ == "prep" and c.lower_ in TARGET_PREPS and c.lower_ not in frame.skip_preps \
                    and (not frame.target_preps or c.lower_ in frame.target_preps):
                starts.append(c)
            elif c.dep_ in ("prt", "advmod"):
                # "pulled its staff out of X", "brought its officials home from X"
                starts += [p for p in c.children if p.dep_ == "prep" and p.lower_ not in frame.skip_preps]
        if tok.pos_ == "NOUN":
            # "Palestine recognition"; "granted recognition to X"
            starts += [c for c in tok.children if c.dep_ in ("compound", "amod") and c.i not in avoid]
            if tok.dep_ == "dobj":
                starts += [c for c in tok.head.children if c.i not in avoid and (
                    c.dep_ == "dative" or (c.dep_ == "prep" and c.lower_ == "to"))]
        described = _described(tok)
        if described is not None:
            # "the Taliban, banned in Russia": the participle describes its head
            starts.append(described)
        elif is_participle(tok):
            # "the Taliban (banned in Russia)": the noun before the parenthesis
            doc = tok.doc
            starts += [doc[i] for i in range(tok.i - 2, max(tok.sent.start, tok.i - 5) - 1, -1)
                       if i in mentions][:1]
        if tok.dep_ == "xcomp" and _passive(tok):
            # "ordered its ambassadors in X to be recalled": the controller's object
            starts += [c for c in tok.head.children if c.dep_ == "dobj" and c.i not in avoid]
        for s in starts:
            if s.dep_ in ("dobj", "nsubjpass") and s.pos_ in NOUNS and s.lemma_.lower() in self.lex.by_lemma:
                # "withdrew *their* recognition of Kosovo": the possessor of the nominal event is its agent
                avoid.update(t.i for c in s.children if c.dep_ == "poss" for t in c.subtree)
        if frame.owner_is_source:
            for s in list(starts):
                if s.dep_ in ("dobj", "nsubjpass", "attr", "dative"):
                    avoid.add(s.i)
                    # the owner's words, with a determiner the entity swallowed ("the U.S. embassy")
                    avoid.update(t.i for c in s.children if c.dep_ in ("poss", "amod", "compound", "det")
                                 for t in c.subtree)
        if frame.object_events:
            # "lodged a protest *against the move*", "voiced concern over *the decision*": the event
            # the required noun of the frame is about stands as its object
            about = [p for s in starts if s.dep_ == "dobj" and s.lemma_.lower() in frame.requires
                     for c in s.children if c.dep_ == "prep" and c.lower_ in COMPLAINT_PREPS
                     for p in c.children if p.dep_ == "pobj"]
            for s in starts + about:
                lemma = s.lemma_.lower()
                # "welcomed the move"; "a move condemned by the AU" (the participle describes the event)
                as_object = s.dep_ in ("dobj", "nsubjpass") or (described is not None and s.i == described.i) \
                    or s in about
                if not as_object:
                    continue
                if lemma in self.lex.joint_event_nouns:
                    poss = next((c for c in s.children if c.dep_ == "poss"), None)
                    owner = self._collect(poss, mentions) if poss is not None else []
                    return owner, "joint-event:poss" if owner else "joint-event", False
                if lemma in self.lex.event_nouns:
                    inner, _ = self._agent(s, mentions, 3)
                    if not inner:
                        poss = next((c for c in s.children if c.dep_ == "poss"), None)
                        inner = self._collect(poss, mentions) if poss is not None else []
                    if not inner and not _passive(tok) and not is_participle(tok):
                        inner, _ = self._agent(tok, mentions, 1)  # "hailed the decisions by X"
                    return inner, "event-noun", not inner
        best: list[tuple[int, Mention, str]] = []
        for s in starts:
            best += self._mentions_under(s, mentions, avoid, depth=frame.target_depth, skip_preps=frame.skip_preps)
        if not best and frame.clause_target:
            for c in tok.children:
                if c.dep_ in ("ccomp", "xcomp") and c.i not in avoid:
                    subj = [x for x in c.children if x.dep_ in ("nsubj", "nsubjpass")]
                    for x in subj:
                        best += self._mentions_under(x, mentions, avoid)
        best = [b for b in best if b[1].actor is not None and b[1].actor.state not in own]
        if frame.event == "high_level_talks":
            best = [b for b in best if not _forum_or_group(b[1], tok)]
        if frame.government_event and all(b[1].actor.kind == "person" for b in best):
            # "recognised Juan Guaidó *as Venezuela's interim president*": the state he is to lead
            # (a person named as the recognised leader may hold no office yet)
            led = [(d, m, "as-leader") for o in [tok] + self._objects(tok) for c in o.children
                   if c.dep_ == "prep" and c.lower_ == "as"
                   for d, m, _ in self._mentions_under(c, mentions, avoid, depth=3)
                   if m.actor is not None and m.actor.kind in ("state", "government") and m.actor.state not in own]
            best = led or best
        if not best and frame.owner_is_source and frame.event in MISSION_EVENTS and own:
            # "Poland shut the Russian consulate in Poznań": a host acts on another state's mission
            # on its own soil; that state is the target (DESIGN §3: open/close_embassy)
            for o in self._objects(tok) + [p for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"
                                           for p in c.children if p.dep_ == "pobj"]:
                for c in o.subtree:
                    m = mentions.get(c.i)
                    if m is not None and m.actor is not None and m.actor.kind != "person" and m.actor.state \
                            and m.actor.state not in own and c.dep_ in ("amod", "compound", "poss", "nmod") \
                            and c.head.lemma_.lower() in MISSION_NOUNS:
                        # "the PLO delegation in Berlin": a mission stands for its state
                        owner = m if m.actor.kind == "state" else replace(m, actor=self.gazetteer.state(m.actor.state))
                        best.append((0, owner, "hosted-mission"))
        if frame.target_kinds:
            best = [b for b in best if b[1].actor.kind in frame.target_kinds]
        if not best:
            return [], "none", False
        best.sort(key=lambda b: (b[0], b[1].start))
        return self._expand(best[0][1], mentions, tok.doc), best[0][2], False

    @staticmethod
    def _fan(frame: Frame, event: str, tok: Token, sources: list[Mention], targets: list[Mention],
             generic: bool, spath: str, tpath: str) -> list[Candidate]:
        out: list[Candidate] = []
        srcs: list[Actor | None] = [m.actor for m in sources if m.actor is not None] or ([None] if generic else [])
        for s in srcs:
            for t in targets:
                if t.actor is None:
                    continue
                if s is not None and (t.actor.id == s.id or (t.actor.state and t.actor.state == s.state)):
                    continue
                out.append(Candidate(frame, event, tok, s, t.actor, s is None, spath, tpath))
        return out


COORDINATION_STEPS = 40
"""Heads a trigger's verb chain climbs at most when asking whether two clauses are coordinated
(no clause of real prose is forty coordinations deep; a hostile run of clauses is cut off there)."""


def _verb_chain(t: Token, chains: dict[int, frozenset[int]]) -> frozenset[int]:
    """Token indices of ``t`` and the heads above it through complements, coordination and
    prepositions, stopping at a subordinate clause ("after X recalled ...": a subordinate event,
    not a parallel one) or after :data:`COORDINATION_STEPS` heads; cached in ``chains``."""
    found = chains.get(t.i)
    if found is not None:
        return found
    start = t.i
    out = [t.i]
    while len(out) <= COORDINATION_STEPS and t.dep_ in ("xcomp", "ccomp", "dobj", "conj", "pobj", "prep", "advcl") \
            and t.head.i != t.i:
        if t.dep_ == "advcl" and t.tag_ != "VBG" and not any(
                c.dep_ == "mark" and c.lower_ in ("while", "whereas") for c in t.children):
            break
        t = t.head
        out.append(t.i)
    chains[start] = found = frozenset(out)
    return found
