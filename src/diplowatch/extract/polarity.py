"""Polarity and attribution of an event trigger (DESIGN §2).

An event is *negated* when a negation reaches its trigger ("did not
recognise", "no country has recognised", "refused to recognise", "ruled
out"), *hypothetical* when it is planned, expected, possible, urged or
conditional ("will recognise", "is considering recognising", "called on others
to recognise", "if ..."), and *asserted* otherwise. Cues are the data in
``data/polarity.yaml``; they are read on the trigger and on the chain of words
that govern it, up to the reporting verb that attributes it ("X said that ...").
Negation wins over modality: "has given no indication that it intends to
recognise" is negated. Where a language marks the future and the conditional
in the verb (French "reconnaîtra", "reconnaîtrait"), the cue
``hypothetical_morphology`` lists the morphological features that make the act
hypothetical; the English cues have none.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from diplowatch.extract.lexicon import Lexicon

CLIMB_DEPS = frozenset({"xcomp", "ccomp", "advcl", "relcl", "acl", "conj", "pobj", "prep", "dobj", "attr",
                        "nsubj", "nsubjpass", "amod", "compound", "appos", "pcomp", "npadvmod", "oprd", "dep",
                        "acomp", "nmod", "poss", "csubj"})
CIRCUMSTANCES = frozenset({"during", "after", "following", "amid", "since"})
"""Prepositions of a circumstance: what a hypothetical governor ("consider", "examiner") says of its
complement, it does not say of the talks or acts *during* or *after* which it happens."""
_OTHER_CLAUSES = frozenset({"conj", "advcl", "parataxis", "ccomp", "relcl", "acl"})
"""Dependencies of a verb whose clause is not part of the clause above it (:func:`clause_tokens`)."""


@dataclass(frozen=True, slots=True)
class PolarityReading:
    """Result of :func:`read_polarity`.

    Attributes:
        polarity: ``asserted``, ``negated`` or ``hypothetical``.
        cue: the word or phrase that decided it (``""`` for asserted).
        attribution_head: the reporting verb's token index, or ``None``.
        clause_top: index of the highest governing token read.
    """

    polarity: str
    cue: str
    attribution_head: int | None
    clause_top: int


def is_participle(tok: Token) -> bool:
    """A past participle that describes a noun: "the Taliban, banned in Russia", "the Taliban (banned in Russia)".

    Such a description is presupposed: it has no subject of its own and takes
    no polarity from the clause around it.
    """
    if tok.tag_ != "VBN" or any(c.dep_ in ("aux", "auxpass", "nsubj", "nsubjpass") for c in tok.children):
        return False
    if tok.dep_ == "conj" and tok.head.i != tok.i:
        return is_participle(tok.head)  # "a move welcomed by X and condemned by Y"
    return tok.dep_ in ("acl", "amod") or (tok.i > 0 and tok.doc[tok.i - 1].text == "(")


def clause_tokens(top: Token, trigger: Token) -> list[Token]:
    """The tokens of ``top``'s clause, without coordinated, subordinate or relative clauses that do not hold the trigger.

    "Armenia recognised Palestine, and diplomats said Georgia may follow suit":
    the clause of "recognised" ends before "and diplomats said"; "The UAE,
    which normalised ties in August, praised ...": the relative clause is not
    part of the clause of "praised".
    """
    # one walk down from ``top`` that does not enter a clause left out: linear in the clause's size
    # (skipping each clause's subtree apart is quadratic in a long chain of coordinated clauses)
    kept: list[Token] = []
    stack = [top]
    while stack:
        t = stack.pop()
        if t.dep_ in _OTHER_CLAUSES and t.pos_ in ("VERB", "AUX") \
                and not (t.left_edge.i <= trigger.i <= t.right_edge.i):
            continue
        kept.append(t)
        stack.extend(t.children)
    kept.sort(key=lambda t: t.i)
    return kept


def clause_text(top: Token, trigger: Token) -> str:
    """The words of :func:`clause_tokens`, joined by spaces."""
    return " ".join(t.text for t in clause_tokens(top, trigger))


def governing_chain(trigger: Token, lex: Lexicon) -> tuple[list[Token], Token | None]:
    """The trigger and the words above it up to (not including) a reporting verb.

    Returns:
        (chain from the trigger upwards, the reporting verb or ``None``).
    """
    chain = [trigger]
    if is_participle(trigger):
        return chain, None
    node = trigger
    reporting = lex.cues["reporting_verbs"]
    while node.head.i != node.i and node.dep_ in CLIMB_DEPS:
        head = node.head
        if head.lemma_.lower() in reporting and node.dep_ in ("ccomp", "xcomp", "dobj", "advcl", "parataxis", "conj") \
                and head.pos_ in ("VERB", "AUX"):
            return chain, head
        chain.append(head)
        node = head
    return chain, None


def read_polarity(trigger: Token, lex: Lexicon, constitutive: bool = False,
                  ordered: bool = False) -> PolarityReading:
    """Read the polarity of the event reported by ``trigger``.

    Args:
        trigger: the trigger token.
        lex: the lexicon (polarity cues).
        constitutive: the agreement itself is the act ("agreed to restore
            relations" stays asserted).
        ordered: the trigger is what an order or permission grants ("gave the
            envoy 48 hours *to leave*"), never a purpose clause.

    Returns:
        A :class:`PolarityReading`.
    """
    cues = lex.cues
    chain, reporting = governing_chain(trigger, lex)
    negated = hypothetical = ""
    presupposed = False
    morphology = cues.get("hypothetical_morphology", ())
    for depth, node in enumerate(chain):
        lemma = node.lemma_.lower()
        if depth > 0 and chain[depth - 1].pos_ in ("NOUN", "PROPN") and \
                chain[depth - 1].dep_ in ("nsubj", "nsubjpass", "dobj", "pobj"):
            # "Kazakhstan's removal of the Taliban will probably be welcomed": the
            # removal is a fact; only the welcome is expected
            presupposed = True
        for c in node.children:
            if presupposed and c.dep_ in ("aux", "auxpass", "neg", "mark"):
                continue
            cl = c.lower_
            if c.dep_ == "neg" or (c.dep_ in ("advmod", "det", "preconj") and cl in ("never", "no", "neither")):
                if not (c.dep_ == "preconj" and any(x.lower_ == "only" for x in c.children)):
                    negated = negated or cl
            if c.dep_ in ("aux", "auxpass") and (c.lemma_.lower() in cues["modals"] or cl in cues["modals"]):
                hypothetical = hypothetical or cl
            if c.dep_ == "mark" and cl in cues["conditional_markers"]:
                hypothetical = hypothetical or cl
            if c.dep_ in ("nsubj", "nsubjpass") and (
                    cl in ("nobody", "none", "nothing")
                    or any(d.dep_ == "det" and d.lower_ in cues["negating_determiners"] for d in c.children)):
                negated = negated or f"{' '.join(x.text for x in c.subtree)}"
            if depth > 0 and c.dep_ in ("nsubj", "nsubjpass") and c.i != chain[depth - 1].i and (
                    c.lemma_.lower() in cues["hypothetical_governors"]
                    or any(d.dep_ == "amod" and d.lemma_.lower() in cues["hypothetical_governors"]
                           for d in c.children)):
                # "the possible steps include recognition", "options include recognising"
                hypothetical = hypothetical or c.lemma_.lower()
        if morphology and not presupposed and any(f in morphology for t in (node, *(c for c in node.children if c.dep_ in ("aux", "auxpass")))
                              for f in str(t.morph).lower().split("|")):
            # "reconnaîtra", "reconnaîtrait", "aurait reconnu": a future or conditional (cue
            # ``hypothetical_morphology``; languages that mark them in the verb's morphology)
            hypothetical = hypothetical or node.text.lower()
        if node.dep_ == "ROOT" and node.tag_ == "VB" and any(c.dep_ == "aux" and c.lower_ == "to"
                                                              for c in node.children):
            hypothetical = hypothetical or "to"  # a headline's future: "Japan to open embassy in Kyiv"
        if depth == 0:
            if node.pos_ in ("NOUN", "PROPN"):
                # "the planned visit", "an upcoming summit": an act not yet done
                mod = next((c.lower_ for c in node.children if c.dep_ in ("amod", "compound")
                            and c.lower_ in cues["hypothetical_modifiers"]), None)
                hypothetical = hypothetical or (mod or "")
            continue
        particles = {c.lower_ for c in node.children if c.dep_ in ("prt", "advmod")}
        if any(f"{lemma} {p}" in cues["negating_phrasals"] for p in particles):
            # "called off the summit", "held back on recognising"
            negated = negated or f"{lemma} {next(p for p in particles if f'{lemma} {p}' in cues['negating_phrasals'])}"
        below = chain[depth - 1]
        if not ordered and below.dep_ == "advcl" and below.tag_ == "VB" and any(c.dep_ == "aux" and c.lower_ == "to"
                                                                for c in below.children):
            # a purpose clause: "Deby is in Israel *to open* the embassy" states an aim, not the act
            hypothetical = hypothetical or "to (purpose)"
        if lemma == "be" and chain[depth - 1].dep_ == "xcomp" and any(
                c.dep_ == "aux" and c.lower_ == "to" for c in chain[depth - 1].children):
            hypothetical = hypothetical or "be to"  # "the two leaders are to open the embassy"
        if node.dep_ == "prep" and node.lower_ == "before" and chain[depth - 1].dep_ in ("pcomp", "pobj"):
            verb = node.head
            if verb.tag_ in ("VBZ", "VBP") or any(c.dep_ == "aux" and c.lemma_.lower() in cues["modals"]
                                                  for c in verb.children):
                # "meets Netanyahu before opening an embassy": later than a present or coming act
                hypothetical = hypothetical or "before"
        if presupposed and any(t.pos_ in ("NOUN", "PROPN") and t.dep_ in ("nsubj", "nsubjpass") for t in chain[:depth]):
            continue  # "the expulsion ... followed a cyberattack": the verb of an act's subject says nothing of it
        if lemma in cues["infinitive_governors"] and chain[depth - 1].dep_ in ("acl", "xcomp") and any(
                c.dep_ == "aux" and c.lower_ == "to" for c in chain[depth - 1].children):
            hypothetical = hypothetical or lemma  # "Turkey's efforts to mediate"
        if lemma in cues["negating_governors"] and node.pos_ in ("VERB", "NOUN", "ADJ"):
            if any(c.dep_ == "neg" for c in node.children):
                # "did not rule out recognising": a negated refusal leaves the act open
                hypothetical = hypothetical or f"not {lemma}"
                if negated in ("not", "n't", "never"):
                    negated = ""
            else:
                negated = negated or lemma
        elif lemma in cues["hypothetical_governors"] and not (
                constitutive and lemma == "agree") and lemma not in cues["asserting_governors"] \
                and not (below.dep_ == "prep" and below.lower_ in CIRCUMSTANCES):
            # ... but not of its circumstance: "examined the crisis *during a phone call*" had the call
            if not (lemma == "call" and not any(c.lower_ in ("on", "upon", "for") for c in node.children)):
                hypothetical = hypothetical or lemma
    top = chain[-1]
    low = clause_text(top, trigger).lower()
    if not negated:
        for phrase in cues["negating_phrases"]:
            if phrase in low:
                negated = phrase
                break
    if not hypothetical:
        for phrase in cues["hypothetical_phrases"]:
            if phrase in low:
                hypothetical = phrase
                break
    if not negated and not hypothetical and trigger.sent.text.rstrip().endswith("?"):
        hypothetical = "?"  # a question asserts nothing ("Germany reopens embassy in Kabul?")
    if negated:
        return PolarityReading("negated", negated, reporting.i if reporting is not None else None, top.i)
    if hypothetical:
        return PolarityReading("hypothetical", hypothetical, reporting.i if reporting is not None else None, top.i)
    return PolarityReading("asserted", "", reporting.i if reporting is not None else None, top.i)
