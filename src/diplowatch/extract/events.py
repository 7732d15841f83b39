"""Event candidates from one parsed sentence: triggers, roles, coordination.

For each token whose lemma is a trigger of the lexicon (``data/triggers.yaml``)
the first frame whose conditions hold fires. Its roles are read from the
dependency parse:

* **source**: the agent of a passive ("were accepted *by* X"), the subject of
  the trigger or of the verb it depends on ("agreed to restore", "the first
  country to recognise", "took the decision to recognise"), the possessor or
  "by"-phrase of a nominal trigger ("Russia's recognition of", "the recognition
  of X *by* Y");
* **target**: the object or the subject of a passive, the "with/to/from/in/of"
  complements, and inside them possessors, demonyms and "of"/"by" phrases
  ("the ambassadors *of* Uruguay", "*Beijing's* ambassador", "the *Afghan*
  ambassador", "the ambassador sent to Beijing *by the Taliban*"); the nearest
  in the parse tree wins;
* coordination fans out: "Ireland, Norway and Spain recognised" gives three
  events; "expelled the ambassadors of seven countries" gives one per country;
* mutual frames with no object take the target from a coordinated subject
  ("Israel and Morocco agreed to normalise relations") or from "between X and Y".

The result is a list of :class:`Candidate`; polarity, dates and coding are
added by :mod:`diplowatch.extract.pipeline`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from diplowatch.extract.lexicon import Frame, Lexicon
from diplowatch.extract.mentions import Mention
from diplowatch.model import Actor

ARG_DEPS = frozenset({"dobj", "nsubj", "nsubjpass", "prep", "pobj", "compound", "amod", "prt", "attr", "oprd",
                      "dative", "acomp", "poss", "nmod", "appos", "conj", "xcomp", "npadvmod", "advmod", "acl", "agent",
                      "dep", "nummod", "det"})
CLAUSE_DEPS = frozenset({"ccomp", "advcl", "relcl", "parataxis", "csubj"})
TARGET_PREPS = ("with", "to", "from", "in", "of", "against", "on", "over", "for", "between", "toward",
                "towards", "into", "out", "at", "by", "off", "upon", "about")
SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
GENERIC = "generic"


@dataclass(slots=True)
class Candidate:
    """An event found in a sentence before polarity, dates and coding.

    Attributes:
        frame: the frame that fired.
        event: the event type (may differ from ``frame.event`` for
            governments, switches).
        trigger: the trigger token.
        source: the source actor, or ``None`` for a generic one.
        target: the target actor.
        source_generic: the source is a generic phrase ("no country", "others").
        source_path, target_path: how each role was found (for ``--explain``).
        refers_to_event: the target was read through an event noun ("welcomed
            the move") and must be resolved by the caller.
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
    extra: dict[str, str] = field(default_factory=dict)


def _conjuncts(tok: Token) -> Iterator[Token]:
    """``tok`` and the tokens coordinated with it ("Ireland, Norway and Spain")."""
    yield tok
    for c in tok.children:
        if c.dep_ in ("conj", "appos") and c.dep_ == "conj":
            yield from _conjuncts(c)


def _arg_lemmas(trigger: Token, depth: int = 3) -> dict[str, Token]:
    """Lemmas (and lower-cased forms) of the trigger's arguments, down ``depth`` steps, not into clauses."""
    out: dict[str, Token] = {}
    frontier = [trigger]
    if trigger.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "compound") and trigger.pos_ == "NOUN":
        pass
    for _ in range(depth):
        nxt = []
        for node in frontier:
            for c in node.children:
                if c.dep_ in CLAUSE_DEPS or c.dep_ not in ARG_DEPS:
                    continue
                out.setdefault(c.lemma_.lower(), c)
                out.setdefault(c.lower_, c)
                nxt.append(c)
        frontier = nxt
    # a nominal trigger inside "X of relations" or "relations' rupture"; a verb whose subject is the noun
    head = trigger.head
    if trigger.pos_ == "NOUN" and head.i != trigger.i and head.pos_ == "NOUN":
        out.setdefault(head.lemma_.lower(), head)
    return out


class EventFinder:
    """Find event candidates in sentences, given the mentions of the block.

    Args:
        lexicon: the trigger lexicon.
    """

    def __init__(self, lexicon: Lexicon) -> None:
        self.lex = lexicon

    # -- triggers --------------------------------------------------------------
    def frame_for(self, tok: Token) -> tuple[Frame, Token | None] | None:
        """The first frame that fires on ``tok``, and the argument token that satisfied ``requires``."""
        frames = self.lex.by_lemma.get(tok.lemma_.lower()) or self.lex.by_lemma.get(tok.lower_)
        if not frames:
            return None
        pos = "NOUN" if tok.pos_ in ("NOUN", "PROPN") else "VERB" if tok.pos_ in ("VERB", "AUX") else tok.pos_
        args = None
        for frame in frames:
            if pos not in frame.pos:
                continue
            if args is None:
                args = _arg_lemmas(tok)
            if frame.particle and not any(c.dep_ == "prt" and c.lower_ == frame.particle for c in tok.children):
                continue
            lemma = tok.lemma_.lower()
            stop = frame.excludes_when.get(lemma)
            if stop and any(w in args for w in stop):
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
            if any(c.dep_ == "prep" and c.lower_ == "as" and any(
                    p.lemma_.lower() in frame.veto for p in c.children) for c in tok.children):
                return True
        return False

    def _host(self, tok: Token, frame: Frame) -> Token | None:
        head = tok.head
        if tok.dep_ in ("ccomp", "xcomp", "conj") and head.lemma_.lower() in frame.hosts:
            return head
        return None

    @staticmethod
    def _objects(tok: Token) -> list[Token]:
        objs = [c for c in tok.children if c.dep_ in ("dobj", "nsubjpass", "attr", "oprd", "dative")]
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ in ("of", "to", "with"):
                objs += [p for p in c.children if p.dep_ == "pobj"]
        return objs

    # -- roles -------------------------------------------------------------------
    def find(self, sent: Span, mentions: dict[int, Mention]) -> list[Candidate]:
        """All candidates in one sentence.

        Args:
            sent: a sentence of a parsed block.
            mentions: token index → mention for the block.

        Returns:
            Candidates in trigger order; a noun trigger that served as the
            required argument of another trigger ("withdrew *recognition*") is
            not a trigger of its own.
        """
        fired: list[tuple[Token, Frame]] = []
        consumed: set[int] = set()
        for tok in sorted(sent, key=lambda t: (t.pos_ not in ("VERB", "AUX"), t.i)):
            if tok.i in consumed:
                continue
            found = self.frame_for(tok)
            if found is None:
                continue
            frame, hit = found
            fired.append((tok, frame))
            if hit is not None:
                consumed.add(hit.i)
        out: list[Candidate] = []
        for tok, frame in sorted(fired, key=lambda x: x[0].i):
            if tok.i in consumed:
                continue
            out.extend(self._roles(tok, frame, mentions))
        return out

    def _mentions_under(self, tok: Token, mentions: dict[int, Mention], avoid: set[int],
                        depth: int = 4) -> list[tuple[int, Mention, str]]:
        """Mentions in ``tok``'s phrase, breadth first: (distance, mention, path)."""
        found: list[tuple[int, Mention, str]] = []
        seen: set[int] = set()
        frontier = [(tok, tok.dep_)]
        for dist in range(depth + 1):
            nxt = []
            for node, path in frontier:
                m = mentions.get(node.i)
                if m is not None and node.i not in avoid and id(m) not in seen:
                    seen.add(id(m))
                    found.append((dist, m, path))
                for c in node.children:
                    if c.dep_ in CLAUSE_DEPS and c.dep_ != "relcl" or c.i in avoid:
                        continue
                    if c.dep_ == "prep" and c.lower_ not in TARGET_PREPS:
                        continue
                    nxt.append((c, f"{path}>{c.dep_}:{c.lower_}"))
            frontier = nxt
        return found

    def _expand(self, m: Mention, mentions: dict[int, Mention], doc_tokens) -> list[Mention]:
        """A mention and the mentions coordinated with its head."""
        out = [m]
        seen = {id(m)}
        for t in _conjuncts(doc_tokens[m.head]):
            mm = mentions.get(t.i)
            if mm is not None and id(mm) not in seen and mm.actor is not None:
                seen.add(id(mm))
                out.append(mm)
        return out

    def _subject(self, tok: Token, mentions: dict[int, Mention]) -> tuple[list[Mention], bool, str, set[int]]:
        """Source mentions of the trigger, whether the subject is generic, the path, and tokens used."""
        node = tok
        path = ""
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children)
        for _ in range(6):
            kids = list(node.children)
            if passive or node.pos_ == "NOUN" or node.i != tok.i:
                for c in kids:
                    if c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ == "by"):
                        objs = [p for p in c.children if p.dep_ == "pobj"]
                        for p in objs:
                            ms = self._collect(p, mentions)
                            if ms:
                                return ms, False, f"{path}agent", {t.i for t in p.subtree}
            subj = next((c for c in kids if c.dep_ in ("nsubj", "csubj") or (c.dep_ == "nsubjpass" and node.i != tok.i)), None)
            if node.pos_ == "NOUN" and subj is None:
                poss = next((c for c in kids if c.dep_ == "poss"), None)
                if poss is not None:
                    ms = self._collect(poss, mentions)
                    if ms:
                        return ms, False, f"{path}poss", {t.i for t in poss.subtree}
            if subj is not None:
                ms = self._collect(subj, mentions)
                if ms:
                    return ms, False, f"{path}nsubj", {t.i for t in subj.subtree}
                if subj.lemma_.lower() in self.lex.generic_subjects or subj.lower_ in self.lex.generic_subjects:
                    return [], True, f"{path}nsubj:generic", {t.i for t in subj.subtree}
                if subj.lower_ in ("which", "that", "who") and node.dep_ == "relcl":
                    pass
                else:
                    return [], False, f"{path}nsubj:unresolved", {t.i for t in subj.subtree}
            if node.head.i == node.i:
                break
            if node.dep_ == "relcl" or (node.dep_ == "acl" and node.head.pos_ == "NOUN"):
                head = node.head
                ms = self._collect(head, mentions)
                if ms:
                    return ms, False, f"{path}relcl-head", {head.i}
                if head.lemma_.lower() in self.lex.generic_subjects and head.dep_ not in ("attr",):
                    if not any(c.dep_ == "prep" for c in head.children if c.lower_ == "of"):
                        return [], True, f"{path}relcl-head:generic", {head.i}
                node = head
                path += "relcl^"
                continue
            if node.dep_ in ("xcomp", "conj", "advcl", "dobj", "attr", "pobj", "prep", "ccomp", "acl", "oprd",
                             "npadvmod", "appos", "pcomp", "nsubj", "nsubjpass", "compound", "amod"):
                if node.dep_ in ("nsubj", "nsubjpass") and node.pos_ != "NOUN":
                    break
                path += f"{node.dep_}^"
                node = node.head
                continue
            break
        return [], False, "none", set()

    def _collect(self, tok: Token, mentions: dict[int, Mention]) -> list[Mention]:
        """The mentions a role phrase headed by ``tok`` names, coordination included."""
        doc = tok.doc
        m = mentions.get(tok.i)
        if m is None:
            # "the governments of both countries", "Maduro's regime in Venezuela", "President Xi of China"
            under = self._mentions_under(tok, mentions, set(), depth=2)
            under = [u for u in under if u[1].actor is not None]
            if not under:
                return []
            m = under[0][1]
        if m.actor is None:
            return []
        return self._expand(m, mentions, doc)

    def _roles(self, tok: Token, frame: Frame, mentions: dict[int, Mention]) -> list[Candidate]:
        sources, generic, spath, used = self._subject(tok, mentions)
        if frame.roles == "host_allows":
            host = tok.head
            hs, hgen, hpath, hused = self._subject(host, mentions)
            allowed = self._collect(next((c for c in tok.children if c.dep_ == "nsubj"), tok), mentions) \
                if any(c.dep_ == "nsubj" for c in tok.children) else []
            if not allowed:
                allowed = self._collect(next((c for c in host.children if c.dep_ == "dobj"), host), mentions) \
                    if any(c.dep_ == "dobj" for c in host.children) else []
            return self._fan(frame, frame.event, tok, hs, allowed, hgen, "host:" + hpath, "allowed")
        if frame.roles == "recipient_source":
            recips = []
            for c in tok.children:
                if c.dep_ in ("dative",) or (c.dep_ == "prep" and c.lower_ == "to"):
                    for p in ([c] if c.dep_ == "dative" else [p for p in c.children if p.dep_ == "pobj"]):
                        recips += self._collect(p, mentions)
            return self._fan(frame, frame.event, tok, recips, sources, False, "prep:to", "presenter:" + spath)
        if frame.roles == "switch":
            out = []
            for prep, event in (("from", "withdraw_recognition"), ("to", "recognize_state")):
                for c in tok.children:
                    if c.dep_ == "prep" and c.lower_ == prep:
                        tg = [m for p in c.children if p.dep_ == "pobj" for m in self._collect(p, mentions)]
                        if event == "recognize_state":
                            tg_gov = [m for m in tg if m.actor and m.actor.kind == "government"]
                            out += self._fan(frame, "recognize_government" if tg_gov else event, tok, sources,
                                             tg, generic, spath, f"prep:{prep}")
                        else:
                            out += self._fan(frame, event, tok, sources, tg, generic, spath, f"prep:{prep}")
            return out
        targets, tpath, refers = self._target(tok, frame, mentions, used)
        if not targets and frame.mutual:
            # "Israel and Morocco agreed to normalise relations", "talks between X and Y"
            between = [p for c in tok.children if c.dep_ == "prep" and c.lower_ == "between"
                       for p in c.children if p.dep_ == "pobj"]
            if between:
                pair = self._collect(between[0], mentions)
                if len(pair) >= 2:
                    return self._fan(frame, frame.event, tok, pair[:1], pair[1:], False, "between", "between")
            if len(sources) >= 2:
                return self._fan(frame, frame.event, tok, sources[:1], sources[1:], generic, spath, "conj-subject")
        event = frame.event
        if frame.government_event:
            gov_words = frame.government_words
            obj_words = {t.lemma_.lower() for o in self._objects(tok) for t in o.subtree}
            if tok.pos_ == "NOUN":
                obj_words |= {t.lemma_.lower() for t in tok.subtree}
            if obj_words & gov_words or any(m.actor and m.actor.kind == "government" for m in targets):
                event = frame.government_event
        cands = self._fan(frame, event, tok, sources, targets, generic, spath, tpath)
        for c in cands:
            c.refers_to_event = refers
        if refers and not targets:
            cands = [Candidate(frame, event, tok, m.actor, None, False, spath, "event-ref", True)
                     for m in sources if m.actor is not None] if sources else []
        return cands

    def _target(self, tok: Token, frame: Frame, mentions: dict[int, Mention],
                used: set[int]) -> tuple[list[Mention], str, bool]:
        """Target mentions of the trigger, the path, and whether the object is an event noun."""
        avoid = set(used)
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children)
        starts: list[Token] = []
        for c in tok.children:
            if c.i in avoid:
                continue
            if c.dep_ in ("dobj", "dative", "attr", "oprd") or (passive and c.dep_ == "nsubjpass"):
                starts.append(c)
            elif c.dep_ == "prep" and c.lower_ in TARGET_PREPS and c.lower_ != "by":
                starts.append(c)
            elif c.dep_ == "prt":
                starts += [p for p in c.children if p.dep_ == "prep"]
            elif c.dep_ in ("xcomp", "ccomp") and frame.roles == "":
                continue
        if tok.pos_ == "NOUN" and tok.dep_ in ("dobj", "nsubj", "pobj", "nsubjpass", "attr"):
            # "cut ties with X": the nominal head's own complements were read above
            pass
        if frame.object_events:
            for s in starts:
                if s.dep_ in ("dobj", "nsubjpass") and s.lemma_.lower() in self.lex.event_nouns:
                    inner = self._event_noun_actors(s, mentions)
                    return inner, "event-noun", not inner
        best: list[tuple[int, Mention, str]] = []
        for s in starts:
            best += self._mentions_under(s, mentions, avoid)
        best = [b for b in best if b[1].actor is not None and b[1].via != "demonym" or
                b[1].actor is not None and b[2].count(">") <= 3]
        if frame.target_kinds:
            best = [b for b in best if b[1].actor.kind in frame.target_kinds]
        if not best:
            return [], "none", False
        best.sort(key=lambda b: (b[0], b[1].start))
        first = best[0][1]
        return self._expand(first, mentions, tok.doc), best[0][2], False

    def _event_noun_actors(self, noun: Token, mentions: dict[int, Mention]) -> list[Mention]:
        """Actors named inside an event noun phrase: "the decisions by Spain, Norway and Ireland"."""
        for c in noun.children:
            if c.dep_ == "poss" or (c.dep_ == "prep" and c.lower_ == "by"):
                heads = [c] if c.dep_ == "poss" else [p for p in c.children if p.dep_ == "pobj"]
                for h in heads:
                    ms = self._collect(h, mentions)
                    if ms:
                        return ms
        return []

    def _fan(self, frame: Frame, event: str, tok: Token, sources: list[Mention], targets: list[Mention],
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
