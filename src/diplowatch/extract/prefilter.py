"""The fast path: which sentences of an article can hold an event, found without parsing.

Parsing is most of diplowatch's cost, and most sentences of most news articles
report no diplomatic event. Before parsing, an Aho-Corasick automaton
(pyahocorasick) over the trigger lexicon finds, in one pass over a line's or a
sentence's lower-cased text, the trigger words of every frame, the argument
words frames require ("ties", "embassy", "credentials") and the names of
actors. A text is parsed when some frame could fire in it — its trigger is
there and, when it requires one, an argument word too — and it names an actor,
or refers back to one ("it", "the ministry") in an article that has named one.
Names of up to three characters ("US", "UN", "CAR") count only as written,
since "us", "un" and "car" are words. The extractor
(:meth:`diplowatch.extract.Extractor._plan`) asks first of each line, then
of each sentence of the lines that pass; it parses the sentences that pass, and
the sentence before one that refers back. Other text is only scanned, to
remember the names it mentions.

Trigger words are matched as word beginnings: "recognis" finds "recognised"
and "recognising". English verbs whose past forms do not begin with their
lemma ("met", "held", "broke") are listed in :data:`IRREGULAR`.
"""

from __future__ import annotations

from dataclasses import dataclass

import ahocorasick

from diplowatch.actors import Gazetteer
from diplowatch.extract.lexicon import Lexicon
from diplowatch.extract.mentions import GROUP_REFERENCES, PERSONAL, PRONOUNS, REFERRING_BODIES, STATE_NOUNS

IRREGULAR: dict[str, tuple[str, ...]] = {
    "meet": ("met",), "hold": ("held",), "break": ("broke", "broken"), "take": ("took", "taken"),
    "give": ("gave", "given"), "withdraw": ("withdrew", "withdrawn"), "bring": ("brought",),
    "strike": ("struck", "stricken"), "keep": ("kept",), "leave": ("left",), "begin": ("began", "begun"),
    "seek": ("sought",), "rebuild": ("rebuilt",), "set": ("set",), "shut": ("shut",), "cut": ("cut",),
    "put": ("put",), "become": ("became",), "come": ("came",), "run": ("ran",), "draw": ("drew", "drawn"),
    "speak": ("spoke", "spoken"), "tell": ("told",), "undertake": ("undertook",), "forsake": ("forsook",),
    "overthrow": ("overthrew", "overthrown"), "lay": ("laid",), "sell": ("sold",), "send": ("sent",),
    "win": ("won",), "lose": ("lost",), "deal": ("dealt",), "stand": ("stood",), "forge": ("forged",),
    "fly": ("flew", "flown"), "throw": ("threw", "thrown"), "freeze": ("froze", "frozen"), "choose": ("chose", "chosen"),
    "shake": ("shook", "shaken"), "feel": ("felt",), "go": ("went", "gone"),
    "be": ("is", "was", "were", "are", "been", "'s"), "have": ("has", "had"),
}
"""Past forms that do not begin with the lemma's stem (English irregular verbs)."""

SHORT_FORM = 3
"""Actor names of at most this many characters count only when written as the gazetteer writes them."""


FRENCH_IRREGULAR: dict[str, tuple[str, ...]] = {
    "mettre": ("met", "mis"), "remettre": ("remet", "remis"), "prendre": ("pren", "pri"),
    "reprendre": ("repren", "repri"), "tenir": ("tien", "tin"), "entretenir": ("entretien", "entretin"),
    "ouvrir": ("ouvert",), "rouvrir": ("rouvert",), "recevoir": ("reçu", "reçoi"), "rompre": ("romp",),
    "interrompre": ("interromp",), "reconnaître": ("reconnu", "reconnai", "reconnaî"),
}
"""French verbs whose forms do not all begin with the stem :func:`stems` gives."""

FRENCH_ENDINGS = ("aître", "oir", "er", "ir", "re")
"""Infinitive endings cut off a French verb's lemma to find its forms ("expulser" → "expuls")."""


def stems(word: str, lang: str = "en") -> set[str]:
    """Word beginnings that find every inflection of ``word`` ("recognise" → {"recognise", "recognis"};
    French "expulser" → {"expulser", "expuls"})."""
    word = word.lower()
    if lang == "fr":
        out = {word, *FRENCH_IRREGULAR.get(word, ())}
        ending = next((e for e in FRENCH_ENDINGS if word.endswith(e) and len(word) - len(e) >= 3), None)
        if ending is not None:
            out.add(word[:-len(ending)])
        return out
    out = {word}
    if len(word) > 4 and word.endswith("e"):
        out.add(word[:-1])
    if len(word) > 3 and word.endswith("y"):
        out.add(word[:-1] + "i")
    out.update(IRREGULAR.get(word, ()))
    return out


@dataclass(frozen=True, slots=True)
class Decision:
    """Why a block is parsed or not.

    Attributes:
        parse: the block may hold an event.
        frames: names of the frames that could fire in it.
        actor: it names an actor.
        reference: it holds a word that refers back (a pronoun, "the ministry").
        names: ``(start, end)`` character spans of actor names written as the
            gazetteer writes them (case-sensitive), for a block that is not parsed.
    """

    parse: bool
    frames: tuple[str, ...]
    actor: bool
    reference: bool
    names: tuple[tuple[int, int], ...] = ()


class Prefilter:
    """Decide which blocks to parse.

    Args:
        lexicon: the trigger lexicon (frames with their lemmas and required words).
        gazetteer: the actor gazetteer (names and demonyms).
    """

    def __init__(self, lexicon: Lexicon, gazetteer: Gazetteer) -> None:
        self._frames = lexicon.frames
        auto = ahocorasick.Automaton()
        table: dict[str, list[tuple[str, object]]] = {}

        def add(key: str, value: tuple[str, object]) -> None:
            table.setdefault(key, []).append(value)

        lang = lexicon.lang

        def forms(word: str) -> set[str]:
            return {st for w in (word, *lexicon.word_forms.get(word, ())) for st in stems(w, lang)}

        for n, frame in enumerate(lexicon.frames):
            for lemma in frame.lemmas:
                for st in forms(lemma):
                    add(st, ("trigger", n))
            for word in frame.requires:
                for st in forms(word):
                    add(st, ("requires", n))
            for lemma in frame.requires_exempt:
                for st in forms(lemma):
                    add(st, ("exempt", n))
            for phrase in frame.requires_text:
                # its longest word: the frame reads the phrase without punctuation ('to a "mission"')
                add(max(phrase.split(), key=len), ("requires", n))
        self._forms = {form for form, _key in gazetteer.surface_forms()}
        for form in self._forms:
            # "US", "UN", "CAR", "LeT" are names only as written: "us", "car" and "let" are words
            add(form.lower(), ("short" if len(form) <= SHORT_FORM else "actor", None))
        for form in gazetteer.demonym_forms():
            add(form, ("actor", None))
        for word in PRONOUNS | PERSONAL | REFERRING_BODIES | {"group", "movement", "these", "those", "both"} \
                | lexicon.reference_words:
            add(word, ("reference", None))
        for word in STATE_NOUNS | GROUP_REFERENCES:
            for st in stems(word):  # "countries", "the two leaders": a word beginning, as for triggers
                add(st, ("refstem", None))
        for key, values in table.items():
            auto.add_word(key, (len(key), tuple(values)))
        auto.make_automaton()
        self._auto = auto

    def decide(self, text: str, article_has_actor: bool) -> Decision:
        """Whether a block must be parsed.

        Args:
            text: the block text.
            article_has_actor: an earlier block of the article named an actor.

        Returns:
            A :class:`Decision`.
        """
        low = text.lower()
        triggers: set[int] = set()
        required: set[int] = set()
        exempt: set[int] = set()
        actor = reference = False
        names: list[tuple[int, int]] = []
        for end, (length, values) in self._auto.iter(low):
            start = end - length + 1
            if start > 0 and low[start - 1].isalnum():
                continue  # not the beginning of a word
            whole = end + 1 >= len(low) or not low[end + 1].isalnum()
            for kind, n in values:
                if kind == "trigger":
                    triggers.add(n)
                elif kind == "requires":
                    required.add(n)
                elif kind == "exempt":
                    exempt.add(n)
                elif whole and kind in ("actor", "short"):
                    written = text[start:end + 1] in self._forms
                    actor = actor or written or kind == "actor"
                    if written:
                        names.append((start, end + 1))
                elif (whole and kind == "reference") or kind == "refstem":
                    reference = True
        frames = tuple(self._frames[n].name for n in sorted(triggers)
                       if not self._frames[n].requires and not self._frames[n].requires_text
                       or n in required or n in exempt)
        parse = bool(frames) and (actor or (reference and article_has_actor))
        return Decision(parse, frames, actor, reference, _longest(names))


def _longest(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Non-overlapping spans, longest first at each position ("United Arab Emirates", not "Arab")."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda x: (x[0], -(x[1] - x[0]))):
        if out and start < out[-1][1]:
            continue
        out.append((start, end))
    return tuple(out)
