"""Actor mentions: find the spans of a parsed block that name an actor, and resolve them.

A mention is found by, in order of trust:

1. the gazetteer's names, aliases, capitals, seats, officials and organisations
   (written as the gazetteer writes them and aligned to tokens, see
   :func:`name_automaton`);
2. spaCy's named entities (GPE, NORP, ORG, PERSON) looked up in the gazetteer;
   a person the gazetteer does not know takes the state of its title or
   apposition ("Joseph Wu, Taiwan's foreign minister") and is remembered by
   surname for later references ("Wu said");
3. demonyms ("the Afghan ambassador");
4. bodies acting for a state: a body word with a state modifier ("the Russian
   Foreign Ministry", "Israel's foreign ministry", "the foreign ministry of
   Honduras");
5. references back to an earlier mention (DESIGN §4): a bare body ("the
   ministry") to the nearest earlier body of the same kind, a definite
   description ("the country", "the island", "the group") to the nearest earlier
   compatible actor, a pronoun (it, its, they, their) to the subject of its
   sentence or of the sentence before.

Token indices are indices into the block's ``Doc``; character offsets are into
the article content.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

import ahocorasick
import yaml

from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from diplowatch.actors import Gazetteer, normalize
from diplowatch.errors import ConfigurationError
from diplowatch.model import Actor

STATE_NOUNS = frozenset({"country", "nation", "state", "island", "kingdom", "republic", "territory", "emirate"})
GROUP_NOUNS = frozenset({"group", "movement", "organisation", "organization", "militants", "insurgents", "faction", "militia"})
BODY_HEADS = frozenset({"consulate", "representative", "staff", "personnel",
    "ministry", "government", "administration", "office", "department", "court", "parliament", "president",
    "minister", "spokesperson", "spokesman", "spokeswoman", "ambassador", "envoy", "embassy", "regime",
    "cabinet", "king", "leader", "authorities", "authority", "army", "military", "council", "prime", "premier",
    "chancellor", "diplomat", "diplomats", "secretary", "mission", "delegation", "leadership", "side",
})
GROUP_REFERENCES = frozenset({"leader", "minister", "side", "government", "president", "neighbour", "neighbor", "party",
                              "capital", "ally", "partner", "rival", "member", "head", "premier", "counterpart", "foe",
                              "adversary", "power", "administration", "delegation", "foreign", "signatory", "monarch"})
"""Plural nouns that, counted ("the two leaders", "both sides"), refer back to a group of states."""
REFERRING_BODIES = frozenset({"ministry", "government", "administration", "regime", "authorities", "cabinet", "leadership", "office", "department"})
PRONOUNS = frozenset({"it", "its", "they", "their", "them", "itself"})
PERSONAL = frozenset({"he", "she", "his", "her", "him"})
ENVOYS = frozenset({"ambassador", "envoy", "diplomat", "commissioner", "nuncio", "emissary", "chargé", "charge",
                    "consul", "attaché"})
"""Nouns of a person who represents a state abroad ("the ambassador" refers back to the last one named)."""
REPRESENTATION = frozenset({"ambassador", "envoy", "embassy", "diplomat", "mission", "delegation", "consulate",
                            "commissioner", "nuncio", "emissary",
                            "representative", "chargé", "attaché"})
"""Nouns whose state modifier names the state they represent ("the Mexican ambassador")."""
NUMBERS = {"both": 2, "two": 2, "three": 3, "four": 4, "five": 5, "2": 2, "3": 3, "4": 4, "5": 5}


REGION_QUALIFIERS = frozenset({"central", "south", "north", "latin", "east", "west", "southeast", "southern",
                               "northern", "eastern", "western", "sub-saharan"})
"""Words that make a demonym or a name a region ("Central American", "Latin America"), which names no
single state."""


@functools.lru_cache(maxsize=1)
def regions() -> dict[str, frozenset[str]]:
    """Region adjective (lower case) → ISO3 codes, from ``data/regions.yaml``.

    Raises:
        ConfigurationError: the file is malformed.
    """
    raw = yaml.safe_load(resources.files("diplowatch.data").joinpath("regions.yaml").read_text("utf-8"))
    if not isinstance(raw, dict) or not all(isinstance(v, list) for v in raw.values()):
        raise ConfigurationError("regions.yaml: expected a mapping of region → list of ISO3 codes")
    return {str(k).lower(): frozenset(str(c) for c in v) for k, v in raw.items()}


def _region_of(tok: Token) -> frozenset[str] | None:
    """States a description may refer to, by its region words ("the Central American country",
    "the island", "the Gulf state"); None when it names no region."""
    words = [t for c in tok.lefts if c.dep_ in ("amod", "compound", "nmod", "npadvmod") for t in c.subtree]
    text = " ".join(w.lower_ for w in words)
    table = regions()
    found: frozenset[str] | None = None
    keys = [text.replace(" - ", "-")] + [w.lower_ for w in words] + [tok.lemma_.lower()]
    for key in keys:
        if key in table:
            found = table[key] if found is None else found & table[key]
    return found


def _epithet_modifier(tok: Token) -> bool:
    """A regional adjective of a definite description ("the *Central African* nation", "the *Gulf*
    kingdom", "the *Balkan* country"): it names a region, and the description refers back to a state
    of it, which is read by reference resolution, not as the demonym's own state."""
    head = tok
    while head.dep_ in ("amod", "compound") and head.head.i != head.i and head.head.i == head.i + 1:
        head = head.head
    if head.i == tok.i or head.pos_ != "NOUN" or head.lemma_.lower() not in STATE_NOUNS or head.tag_.endswith("S"):
        return False
    if not any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in head.children):
        return False
    words = " ".join(t.lower_ for t in head.doc[tok.i:head.i] if t.dep_ in ("amod", "compound")).replace(" - ", "-")
    table = regions()
    return words in table or tok.lower_ in table


def _restrictive(tok: Token) -> bool:
    """Whether a counted description is defined by what follows it, not by what came before
    ("the three countries *that recognised* ...", "the two *of them*"; "heads *of state*" is no restriction)."""
    for c in tok.children:
        if c.dep_ in ("relcl", "acl"):
            return True
        if c.dep_ == "prep" and c.lower_ == "of" and not any(
                p.lemma_.lower() in ("state", "government") for p in c.children if p.dep_ == "pobj"):
            return True
    return False


def _plural_count(tok: Token) -> int:
    """How many states a plural description counts ("both countries", "the three nations"), 0 if none."""
    if not tok.tag_.endswith("S"):
        return 0
    for c in tok.children:
        if c.dep_ in ("det", "nummod", "predet", "preconj") and c.lower_ in NUMBERS:
            return NUMBERS[c.lower_]
    return 0
TITLES = re.compile(r"^(?:(?:mr|mrs|ms|dr|sir|lord|lady|president|prime minister|foreign minister|minister|king|queen|prince|sheikh|emir|mawlawi|mullah|secretary|general|chancellor|premier)\.?\s+)+", re.I)


def gerund_agent(node: Token) -> Token | None:
    """The agent of a gerund after "for" ("commended *Kiribati* for cutting its links", "blamed X
    for expelling"): the object of the verb that praises or blames; ``None`` for any other token."""
    if node.dep_ != "pcomp" or node.tag_ != "VBG" or node.head.lower_ != "for" or node.head.dep_ != "prep":
        return None
    return next((c for c in node.head.head.children if c.dep_ == "dobj"), None)


@dataclass(slots=True)
class Mention:
    """A span that names an actor.

    Attributes:
        start, end: token span in the block ``Doc`` (end exclusive).
        char_start, char_end: character span in the article content.
        text: the span text.
        actor: the resolved actor, or ``None`` when unresolved.
        via: how it was found (``name``, ``alias``, ``capital``, ``seat``,
            ``demonym``, ``official``, ``organization``, ``government``,
            ``entity``, ``body``, ``person``, ``reference``, ``pronoun``).
        sent: index of the sentence in the article (for reference resolution).
        head: index of the span's syntactic head token.
        group: further actors a plural reference stands for ("both
            countries", "the two nations"); ``actor`` is the first of them.
    """

    start: int
    end: int
    char_start: int
    char_end: int
    text: str
    actor: Actor | None
    via: str
    sent: int = 0
    head: int = 0
    group: tuple[Actor, ...] = ()


@dataclass(slots=True)
class ArticleContext:
    """What reference resolution remembers across the blocks of one article.

    Attributes:
        on: the date actors are resolved at (publication date), ``None`` when unknown.
        mentions: resolved mentions so far, in text order.
        surnames: last name (lower case) → actor of a person seen in full.
        subjects: sentence index → actor of its main subject, when resolved.
        sent_count: sentences seen so far.
        groups: (offset, states) of each coordination of two or more states
            ("Uruguay, Peru and Chile"), for "these countries".
        dyads: (offset, (state, state)) of each bilateral event coded so far,
            for "the two sides" after it.
        envoys: (offset, state) of each envoy named with the state he represents
            ("China's ambassador", "Chinese Ambassador Xing"), for "the ambassador".
    """

    on: dt.date | None
    mentions: list[Mention] = field(default_factory=list)
    surnames: dict[str, Actor] = field(default_factory=dict)
    subjects: dict[int, Actor] = field(default_factory=dict)
    sent_count: int = 0
    groups: list[tuple[int, tuple[Actor, ...]]] = field(default_factory=list)
    dyads: list[tuple[int, tuple[Actor, Actor]]] = field(default_factory=list)
    envoys: list[tuple[int, Actor]] = field(default_factory=list)

    def nearest_states(self, before: int, n: int) -> list[Actor]:
        """The ``n`` nearest distinct states mentioned before character ``before``, earliest first."""
        found: list[Actor] = []
        for m in reversed(self.mentions):
            if m.char_end > before or m.actor is None or m.actor.kind != "state" or m.via == "pronoun":
                continue
            if all(a.id != m.actor.id for a in found):
                found.append(m.actor)
            if len(found) == n:
                return found[::-1]
        return []

    def recent_group(self, before: int, n: int) -> list[Actor]:
        """The states of the last coordination of exactly ``n`` states, or for two the last bilateral
        event, before character ``before`` ("Ethiopia and Eritrea ... the two neighbours"), or ``[]``."""
        found = [(start, group) for start, group in self.groups if start < before and len(group) == n]
        if n == 2:
            found += [(start, pair) for start, pair in self.dyads if start < before]
        return list(max(found, key=lambda x: x[0])[1]) if found else []

    def nearest(self, before: int, kinds: frozenset[str], body_kind: str | None = None,
                exclude: str | None = None, within: frozenset[str] | None = None,
                skip: Callable[[Mention], bool] | None = None) -> Mention | None:
        """The nearest resolved mention ending before character ``before``.

        Args:
            before: character offset in the content.
            kinds: actor kinds accepted.
            body_kind: when given, only bodies whose id ends in ``:body_kind``.
            exclude: an actor state to skip.
            within: when given, only actors of these states (a region).
            skip: when given, mentions it answers true for are passed over.
        """
        for m in reversed(self.mentions):
            if m.char_end > before or m.actor is None or m.via in ("pronoun",) or (skip is not None and skip(m)):
                continue
            if m.actor.kind not in kinds or (exclude and m.actor.state == exclude):
                continue
            if body_kind and not m.actor.id.endswith(":" + body_kind):
                continue
            if within is not None and m.actor.state not in within:
                continue
            return m
        return None


@functools.lru_cache(maxsize=4)
def name_automaton(gazetteer: Gazetteer) -> ahocorasick.Automaton:
    """A case-sensitive Aho-Corasick automaton over the gazetteer's surface forms (cached per gazetteer).

    It stands where a spaCy ``PhraseMatcher`` stood: with the officials of
    ``officials.csv`` (about 4,300 forms) the PhraseMatcher took half a
    second to build, one Doc per form; the automaton takes ten milliseconds
    and finds the same spans once :func:`name_spans` aligns them to tokens.
    """
    auto = ahocorasick.Automaton()
    for surface, _key in gazetteer.surface_forms():
        auto.add_word(surface, len(surface))
    auto.make_automaton()
    return auto


def name_spans(doc: Doc, auto: ahocorasick.Automaton) -> list[Span]:
    """Every span of ``doc`` written as a surface form, begun and ended at token boundaries.

    Overlapping and nested names all come back ("United Arab Emirates" and
    "Arab"); :func:`spacy.util.filter_spans` keeps the longest.
    """
    text = doc.text
    out = []
    for end, length in auto.iter(text):
        start = end - length + 1
        if (start and text[start - 1].isalnum()) or (end + 1 < len(text) and text[end + 1].isalnum()):
            continue  # inside a word ("Mali" in "Somalia")
        span = doc.char_span(start, end + 1)  # None unless it starts and ends a token
        if span is not None:
            out.append(span)
    return out


def _strip_title(text: str) -> str:
    text = TITLES.sub("", text.strip())
    return re.sub(r"[’']s$", "", text).strip()


class MentionFinder:
    """Find and resolve actor mentions in parsed blocks of one article.

    Args:
        gazetteer: the actor gazetteer.
    """

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.names = name_automaton(gazetteer)

    # -- finding -------------------------------------------------------------
    def find_names(self, text: str, names: tuple[tuple[int, int], ...], offset: int, ctx: ArticleContext) -> None:
        """Remember the gazetteer names of a block that is not parsed (see :mod:`.prefilter`).

        Only what needs no parse: names, aliases, capitals, officials and
        organisations, so that later references ("the country", "the
        ministry") still find them. The block counts as one sentence.

        Args:
            text: the block text.
            names: ``(start, end)`` character spans of names in ``text``, as
                the prefilter found them.
            offset: character offset of the block in the content.
            ctx: the article context; updated.
        """
        sent = ctx.sent_count
        ctx.sent_count += 1
        for start, end in names:
            found = self.gazetteer.lookup(text[start:end], ctx.on)
            if found is not None:
                ctx.mentions.append(Mention(-1, -1, offset + start, offset + end, text[start:end], found.actor,
                                            found.via, sent, -1))
        ctx.mentions.sort(key=lambda m: (m.char_start, m.char_end))

    def find(self, doc: Doc, offset: int, ctx: ArticleContext) -> dict[int, Mention]:
        """Resolve the mentions of one block.

        Args:
            doc: the parsed block.
            offset: character offset of the block in the content.
            ctx: the article context; updated with the mentions found.

        Returns:
            Token index → mention, for every token inside a mention span.
        """
        gaz, on = self.gazetteer, ctx.on
        sent_base = ctx.sent_count
        sents = list(doc.sents)
        sent_of = {}
        for si, sent in enumerate(sents):
            for i in range(sent.start, sent.end):
                sent_of[i] = sent_base + si
        ctx.sent_count = sent_base + len(sents)

        spans: list[tuple[Span, Actor | None, str]] = []
        for span in filter_spans(name_spans(doc, self.names)):
            found = gaz.lookup(span.text, on)
            before = doc[span.start - 1] if span.start > 0 else None
            if found is not None and before is not None and before.lower_ in REGION_QUALIFIERS \
                    and before.text[:1].isupper() and gaz.lookup(f"{before.text} {span.text}", on) is None:
                continue  # "Latin America", "Central Asia" name a region, not the state of the last word
            if found is not None:
                spans.append((span, found.actor, found.via))
        taken = {t.i for span, _, _ in spans for t in span}
        epithets = {t.i for t in doc if _epithet_modifier(t)}
        taken |= epithets
        for ent in doc.ents:
            if any(t.i in taken for t in ent) or ent.label_ not in ("GPE", "NORP", "ORG", "PERSON", "LOC", "FAC"):
                continue
            actor, via = self._resolve_entity(ent, ctx)
            if actor is not None or ent.label_ == "PERSON":
                spans.append((ent, actor, via))
                taken.update(t.i for t in ent)
        for tok in doc:
            if tok.i in taken:
                continue
            # French writes demonyms in lower case ("les autorités maliennes"): there, an adjective or noun will do
            iso = gaz.demonym(tok.text) if tok.text[:1].isupper() or (
                doc.lang_ != "en" and tok.pos_ in ("ADJ", "NOUN")) else None
            if iso and tok.i > 0 and doc[tok.i - 1].lower_ in REGION_QUALIFIERS:
                pair = gaz.demonym(f"{doc[tok.i - 1].text} {tok.text}")
                if pair is None:
                    continue  # "Central American" names a region, not a state
                spans.append((doc[tok.i - 1:tok.i + 1], gaz.government(pair, on, de_facto=True)
                              or self._state(pair), "demonym"))
                taken.update((tok.i - 1, tok.i))
                continue
            if iso:
                actor = gaz.government(iso, on, de_facto=True) or self._state(iso)
                spans.append((doc[tok.i:tok.i + 1], actor, "demonym"))
                taken.add(tok.i)

        by_token: dict[int, Mention] = {}
        mentions: list[Mention] = []
        for span, actor, via in sorted(spans, key=lambda x: x[0].start):
            m = self._mention(span, actor, via, offset, sent_of)
            mentions.append(m)
            for i in range(span.start, span.end):
                by_token[i] = m
        # persons known by apposition or title get remembered by surname
        for m in mentions:
            if m.via == "person" and m.actor is not None:
                ctx.surnames[m.text.split()[-1].lower()] = m.actor
            if m.actor is not None and m.actor.kind == "person" and m.actor.state and any(
                    t.lemma_.lower() in ENVOYS for t in doc[max(0, m.start - 3):m.end]):
                # "Chinese Ambassador Xing Haiming": a later "the ambassador" is his state
                ctx.envoys.append((m.char_start, self._state(m.actor.state) or m.actor))
        ctx.mentions.extend(m for m in mentions if m.actor is not None)
        for sent in sents:
            # the named subject of each sentence, for "It ..." in the sentence after
            subj = next((t for t in sent if t.dep_ in ("nsubj", "nsubjpass") and t.head.dep_ == "ROOT"), None)
            if subj is not None and subj.i in by_token and by_token[subj.i].actor is not None:
                ctx.subjects[sent_of[subj.i]] = by_token[subj.i].actor
        for m in mentions:
            group = self._coordination(doc[m.head], by_token)
            if len(group) >= 2 and doc[m.head].dep_ not in ("conj", "compound", "amod", "nmod"):
                # "the Luanda and Nairobi processes" names no pair of actors
                ctx.groups.append((m.char_start, tuple(group)))
        # bodies, definite descriptions and pronouns, in text order; each is
        # visible to the references after it
        for tok in doc:
            if tok.i in by_token and by_token[tok.i].via != "demonym":
                continue
            m = self._refer(tok, by_token, offset, sent_of, ctx)
            if m is not None:
                by_token[tok.i] = m
                ctx.mentions.append(m)
        ctx.mentions.sort(key=lambda m: (m.char_start, m.char_end))
        for sent in sents:
            subj = next((t for t in sent if t.dep_ in ("nsubj", "nsubjpass") and t.head.dep_ == "ROOT"), None)
            if subj is not None and subj.i in by_token and by_token[subj.i].actor is not None:
                ctx.subjects[sent_of[subj.i]] = by_token[subj.i].actor
        return by_token

    def _state(self, iso: str) -> Actor | None:
        try:
            return self.gazetteer.state(iso)
        except KeyError:
            return None

    def _mention(self, span: Span, actor: Actor | None, via: str, offset: int,
                 sent_of: dict[int, int]) -> Mention:
        return Mention(span.start, span.end, offset + span.start_char, offset + span.end_char, span.text,
                       actor, via, sent_of.get(span.root.i, 0), span.root.i)

    def _resolve_entity(self, ent: Span, ctx: ArticleContext) -> tuple[Actor | None, str]:
        gaz = self.gazetteer
        text = _strip_title(ent.text)
        if ent.label_ == "NORP":
            iso = gaz.demonym(text)
            if iso is None and len(text.split()) > 1 and text.split()[0].lower() in REGION_QUALIFIERS:
                return None, ""
            if iso:
                return gaz.government(iso, ctx.on, de_facto=True) or self._state(iso), "demonym"
        found = gaz.lookup(text, ctx.on)
        if found is not None:
            return found.actor, found.via
        if ent.label_ != "PERSON":
            return None, ""
        known = ctx.surnames.get(text.split()[-1].lower()) if text else None
        if known is not None:
            return known, "person"
        state = self._affiliation(ent, ctx)
        if state is None:
            return None, "person"
        slug = re.sub(r"[^a-z0-9]+", "-", normalize(text)).strip("-")
        return Actor(f"PER:{slug}", text, "person", state), "person"

    def _affiliation(self, ent: Span, ctx: ArticleContext) -> str | None:
        """State a person acts for, read from a title or an apposition next to the name."""
        gaz = self.gazetteer
        root = ent.root
        near: list[Token] = [c for c in root.children if c.dep_ in ("appos", "compound", "amod", "poss")]
        if root.dep_ == "appos":
            near.append(root.head)
        near += [t for t in ent.doc[max(0, ent.start - 4):ent.start]]
        # "Egypt's Minister of Foreign Affairs Sameh Shoukry": the title phrase before the name
        near += [t for t in ent.doc[max(root.left_edge.i, ent.start - 10):max(0, ent.start - 4)]]
        for tok in near:
            for t in tok.subtree if tok.dep_ == "appos" or tok.i == root.head.i else [tok]:
                if t.i >= ent.start and t.i < ent.end:
                    continue
                iso = gaz.demonym(t.text)
                if iso:
                    return iso
                found = gaz.lookup(t.text, ctx.on) if t.pos_ == "PROPN" else None
                if found is not None and found.actor.state and found.actor.kind in ("state", "government"):
                    return found.actor.state
        return None

    # -- references ------------------------------------------------------------
    def _refer(self, tok: Token, by_token: dict[int, Mention], offset: int,
               sent_of: dict[int, int], ctx: ArticleContext) -> Mention | None:
        gaz = self.gazetteer
        lower = tok.lower_
        char = offset + tok.idx
        if tok.pos_ in ("NOUN", "PROPN") and tok.lemma_.lower() in BODY_HEADS | STATE_NOUNS | GROUP_NOUNS | GROUP_REFERENCES:
            phrase = " ".join(t.text for t in tok.lefts if t.dep_ in ("compound", "amod") and t.i not in by_token)
            phrase = f"{phrase} {tok.text}".strip()
            kind = gaz.body_kind(phrase) or gaz.body_kind(tok.text)
            lemma = tok.lemma_.lower()
            if lemma in REPRESENTATION:
                # "the Mexican ambassador", "its embassy": the modifier is a mention of its own,
                # read by the role finder (represented state, or owner); remembered, so that a
                # later "the ambassador" stands for the same state
                owner = self._modifier_state(tok, by_token)
                if owner is not None and lemma in ENVOYS and owner.state:
                    ctx.envoys.append((char, self._state(owner.state) or owner))
                elif owner is None and lemma in ENVOYS and not tok.tag_.endswith("S") and any(
                        c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in tok.children) and not any(
                        c.dep_ in ("poss", "amod", "compound") or (c.dep_ == "prep" and c.lower_ in ("of", "to", "in"))
                        for c in tok.children):
                    envoy = next((a for start, a in reversed(ctx.envoys) if start < char), None)
                    if envoy is not None:
                        return self._ref_mention(tok, envoy, "reference", offset, sent_of)
                return None
            state = self._modifier_state(tok, by_token)
            if state is not None and kind == "gov" and state.kind == "government":
                # "the Taliban government", "the Afghan government" (2025): the government itself
                return self._ref_mention(tok, state, "government", offset, sent_of)
            if state is not None and kind is not None:
                body = gaz.body(state.state or "", phrase) if state.state else None
                return self._ref_mention(tok, body or state, "body", offset, sent_of)
            if state is not None:
                return None
            count = _plural_count(tok)
            if lemma in STATE_NOUNS and not count and tok.tag_.endswith("S") and any(
                    c.dep_ == "det" and c.lower_ in ("these", "those") for c in tok.children):
                # "these countries": the states of the last coordination before
                group = next((g for start, g in reversed(ctx.groups) if start < char), ())
                m = self._ref_mention(tok, group[0], "reference", offset, sent_of) if group else None
                if m is not None:
                    m.group = group
                return m
            if count and (lemma in STATE_NOUNS or lemma in GROUP_REFERENCES) and not _restrictive(tok):
                # "the two countries", "both sides", "the two leaders": the last pair (group) named,
                # else the nearest states
                group = ctx.recent_group(char, count) or (ctx.nearest_states(char, count) if lemma in STATE_NOUNS else [])
                if group:
                    m = self._ref_mention(tok, group[0], "reference", offset, sent_of)
                    if m is not None:
                        m.group = tuple(group)
                    return m
                return None
            has_det = any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in tok.children)
            if not has_det or any(c.dep_ == "prep" and c.lower_ == "of" for c in tok.children):
                return None
            if lemma in STATE_NOUNS and not tok.tag_.endswith("S"):
                # a definite description names the nearest state before it, of its region if it names one,
                # never one in the subject of its own clause ("only a few states, Nauru among them,
                # recognise the island": not Nauru)
                here = sent_of.get(tok.i)
                m = ctx.nearest(char, frozenset({"state"}), within=_region_of(tok),
                                skip=lambda x: x.sent == here and self._names_own_subject(x, tok))
                return self._ref_mention(tok, m.actor, "reference", offset, sent_of) if m else None
            if tok.lemma_.lower() in GROUP_NOUNS:
                m = ctx.nearest(char, frozenset({"organization", "government"}))
                return self._ref_mention(tok, m.actor, "reference", offset, sent_of) if m else None
            if tok.lemma_.lower() in REFERRING_BODIES:
                # "the ministry": the nearest body of that kind, else the nearest acting body or state
                m = (ctx.nearest(char, frozenset({"body"}), body_kind=kind) if kind else None) or \
                    ctx.nearest(char, frozenset({"body"})) or \
                    ctx.nearest(char, frozenset({"state", "government"}))
                return self._ref_mention(tok, m.actor, "reference", offset, sent_of) if m else None
            return None
        if lower in ("his", "her") and tok.dep_ == "poss" and tok.head.lemma_.lower() in STATE_NOUNS:
            # "the Solomons' foreign minister said *his* country's decision ...": the state of the
            # speaker whose clause holds it, not of the last person named
            m = next(self._governing_subjects(tok, by_token, frozenset({"person", "body", "state", "government"})),
                     None)
            if m is not None and m.actor is not None and m.actor.state:
                return self._ref_mention(tok, self._state(m.actor.state) or m.actor, "pronoun", offset, sent_of)
        if lower in PERSONAL and tok.dep_ in ("nsubj", "nsubjpass", "poss"):
            # "he", "his": the nearest person before, in this sentence or the one before
            m = ctx.nearest(char, frozenset({"person"}))
            if m is not None and m.sent >= sent_of.get(tok.i, 0) - 1 and m.actor is not None and m.actor.state:
                return self._ref_mention(tok, m.actor, "pronoun", offset, sent_of)
            return None
        if lower in PRONOUNS and tok.dep_ in ("nsubj", "nsubjpass", "poss", "dobj", "pobj"):
            kinds = frozenset({"state", "government", "body"})
            if self._bound(tok) and lower in ("them", "their") and ctx.groups:
                # "expelled the ambassadors of A, B and C, accusing them of ...": the coordination
                group = next((g for start, g in reversed(ctx.groups) if start < char), ())
                # ... but never the subject of its own clause ("A, B and C let them run ...")
                subjects = {a.id for c in self._clause_subjects(tok) for a in self._coordination(c, by_token)}
                if group and not subjects & {a.id for a in group}:
                    m = self._ref_mention(tok, group[0], "pronoun", offset, sent_of)
                    if m is not None:
                        m.group = group
                    return m
            if self._bound(tok):
                # "X let them run ...": an object pronoun is not the subject of its own clause
                local = {id(by_token[c.i]) for v in (tok.head, tok.head.head) for c in v.children
                         if c.dep_ in ("nsubj", "nsubjpass") and c.i in by_token}
                m = next((x for x in reversed(ctx.mentions) if x.char_end <= char and x.actor is not None
                          and x.actor.kind in kinds | {"organization"} and x.via != "pronoun"
                          and id(x) not in local and not self._in_subject_of(x, tok, by_token)), None)
                return self._ref_mention(tok, m.actor, "pronoun", offset, sent_of) if m else None
            if lower in ("they", "their", "them"):
                # a plural pronoun stands for a coordination ("Norway and Spain ... their decision") or
                # for a plural body ("the Taliban ... their ambassador"), never for one state
                for cand in self._governing_subjects(tok, by_token, kinds | {"organization"}):
                    group = self._coordination(tok.doc[cand.head], by_token)
                    if len(group) >= 2:
                        ref = self._ref_mention(tok, group[0], "pronoun", offset, sent_of)
                        if ref is not None:
                            ref.group = tuple(group)
                        return ref
                    if cand.actor is not None and cand.actor.kind in ("organization", "government"):
                        return self._ref_mention(tok, cand.actor, "pronoun", offset, sent_of)
                return None
            m = self._same_sentence_subject(tok, by_token, kinds)
            here = sent_of.get(tok.i, 0)
            actor = m.actor if m else ctx.subjects.get(here - 1)
            if actor is None:
                # "It then severed relations": the actor of the sentence before
                prev = next((x for x in reversed(ctx.mentions) if x.sent == here - 1 and x.actor is not None
                             and x.actor.kind in kinds and x.via != "pronoun"), None)
                actor = prev.actor if prev else None
            if actor is not None and actor.kind in ("state", "government", "body"):
                return self._ref_mention(tok, actor, "pronoun", offset, sent_of)
        return None

    @staticmethod
    def _clause_subjects(tok: Token) -> list[Token]:
        """Subjects of the verbs that govern ``tok``, up through coordinated verbs that share
        their subject ("A and B held talks and *let them* run ...")."""
        out: list[Token] = []
        v = tok.head
        for _ in range(4):
            subj = [c for c in v.children if c.dep_ in ("nsubj", "nsubjpass") and c.i != tok.i]
            out += subj
            if subj or v.dep_ not in ("conj", "xcomp", "ccomp") or v.head.i == v.i:
                break
            v = v.head
        return out

    @staticmethod
    def _bound(tok: Token) -> bool:
        """Whether a pronoun is an object, or the subject of a complement ("let *them* run")."""
        if tok.dep_ in ("dobj", "pobj"):
            return True
        return tok.dep_ == "nsubj" and tok.head.dep_ in ("ccomp", "xcomp") and tok.head.head.lemma_.lower() in (
            "let", "allow", "permit", "help", "make")

    @staticmethod
    def _names_own_subject(m: Mention, tok: Token) -> bool:
        """Whether mention ``m`` (of ``tok``'s sentence) is the subject of the verb that ``tok`` is the
        object of, or a complement of its object: "A, B and C recognise *the island*", "A and B have
        cut their ties with *the island*". A name inside a relative clause of that subject ("states
        that received aid from Taiwan") is not its subject."""
        verb = tok.head if tok.dep_ == "dobj" else None
        if tok.dep_ == "pobj" and tok.head.dep_ == "prep":
            above = tok.head.head
            verb = above if above.pos_ in ("VERB", "AUX") else above.head if above.dep_ == "dobj" else None
        if verb is None or verb.pos_ not in ("VERB", "AUX"):
            return False
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")] or [
            # a subject the parser took for an adjunct ("Aujourd'hui, seuls douze États ... reconnaissent")
            c for c in verb.lefts if c.dep_ in ("npadvmod", "nmod", "dep", "compound") and c.pos_ in ("NOUN", "PROPN")]
        for subj in subjects:
            inside = {t.i for t in subj.subtree} - {t.i for c in subj.subtree if c.dep_ in ("relcl", "acl")
                                                    and c.pos_ in ("VERB", "AUX") for t in c.subtree}
            if m.head in inside:
                return True
        return False

    @staticmethod
    def _in_subject_of(m: Mention, tok: Token, by_token: dict[int, Mention]) -> bool:
        """Whether mention ``m`` lies in the subject of the clause that holds ``tok``."""
        if m.head >= len(tok.doc) or tok.doc[m.head].sent.start != tok.sent.start:
            return False
        node = tok
        while node.head.i != node.i:
            node = node.head
            for c in node.children:
                if c.dep_ in ("nsubj", "nsubjpass") and c.left_edge.i <= m.head <= c.right_edge.i:
                    return True
        return False

    @staticmethod
    def _coordination(tok: Token, by_token: dict[int, Mention]) -> list[Actor]:
        """States coordinated with the mention at ``tok`` ("Uruguay, Peru and Chile"), in order."""
        out: list[Actor] = []
        stack = [tok]
        while stack:
            t = stack.pop(0)
            m = by_token.get(t.i)
            if m is not None and m.actor is not None and m.actor.kind == "state" \
                    and all(a.id != m.actor.id for a in out):
                out.append(m.actor)
            stack += [c for c in t.children if c.dep_ == "conj"]
        return out

    def _modifier_state(self, tok: Token, by_token: dict[int, Mention]) -> Actor | None:
        """The state named by a modifier of ``tok``: a demonym, a name, a possessor, or "of X"."""
        for c in tok.children:
            if c.dep_ in ("amod", "compound", "poss", "nmod") and c.i in by_token:
                a = by_token[c.i].actor
                if a is not None and a.state:
                    return a
            if c.dep_ == "prep" and c.lower_ == "of":
                for p in c.children:
                    if p.dep_ == "pobj" and p.i in by_token and by_token[p.i].actor is not None:
                        a = by_token[p.i].actor
                        if a and a.state and a.kind in ("state", "government"):
                            return a
        return None

    def _same_sentence_subject(self, tok: Token, by_token: dict[int, Mention],
                               kinds: frozenset[str]) -> Mention | None:
        """The actor that governs ``tok``'s clause: the subject of a verb above it, before it."""
        return next(self._governing_subjects(tok, by_token, kinds), None)

    @staticmethod
    def _governing_subjects(tok: Token, by_token: dict[int, Mention], kinds: frozenset[str]):  # noqa: ANN205
        """Candidate antecedents of a pronoun in its sentence, best first: the subjects of the
        verbs above it, then the mentions before it."""
        seen: set[int] = set()
        node = tok
        while node.head.i != node.i:
            obj = gerund_agent(node)
            if obj is not None and obj.i in by_token:
                # "commended Kiribati for cutting *its* links": the object is the gerund's subject
                m = by_token[obj.i]
                if m.actor is not None and m.actor.kind in kinds and id(m) not in seen:
                    seen.add(id(m))
                    yield m
            node = node.head
            for c in node.children:
                if c.dep_ in ("nsubj", "nsubjpass") and c.i < tok.i and c.i in by_token:
                    m = by_token[c.i]
                    if m.actor is not None and m.actor.kind in kinds and id(m) not in seen:
                        seen.add(id(m))
                        yield m
        for i in range(tok.i - 1, tok.sent.start - 1, -1):
            m = by_token.get(i)
            if m is not None and m.actor is not None and m.actor.kind in kinds and m.via != "demonym" \
                    and id(m) not in seen:
                seen.add(id(m))
                yield m

    def _ref_mention(self, tok: Token, actor: Actor | None, via: str, offset: int,
                     sent_of: dict[int, int]) -> Mention | None:
        if actor is None:
            return None
        return Mention(tok.i, tok.i + 1, offset + tok.idx, offset + tok.idx + len(tok.text), tok.text,
                       actor, via, sent_of.get(tok.i, 0), tok.i)
