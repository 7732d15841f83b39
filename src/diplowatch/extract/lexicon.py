"""The trigger lexicon and polarity cues, loaded from ``data/triggers.yaml`` and ``data/polarity.yaml``
(English) or ``data/<lang>/triggers.yaml`` and ``data/<lang>/polarity.yaml`` (French: ``fr``).

The lexicon is data, not code: each frame names the lemmas that can report an
event type, the argument words it requires or refuses, and how its roles are
read. See the comments at the top of ``triggers.yaml`` for the fields.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from diplowatch.errors import ConfigurationError
from diplowatch.ontology import EVENT_TYPES


@dataclass(frozen=True, slots=True)
class Frame:
    """One trigger frame of ``triggers.yaml``.

    Attributes:
        name: frame name (used in explanations).
        event: event type it codes (a key of ``ontology.EVENT_TYPES``).
        lemmas: trigger lemmas (lower case).
        pos: parts of speech the trigger may have (``VERB``, ``NOUN``).
        requires: argument lemmas of which one must be present (empty: none needed).
        requires_exempt: trigger lemmas that need no ``requires`` word.
        veto: object head lemmas that stop the frame.
        particle: required verb particle, or ``""``.
        government_event: event type used when the object names a government.
        government_words: lemmas that mark a government object.
        roles: ``""``, ``recipient_source``, ``host_allows``, ``takes_effect``, ``switch``,
            ``mediator``, ``speaker_judges`` or ``speaker_blames`` (see triggers.yaml).
        hosts: lemmas of the permitting verb for ``host_allows``.
        mutual: a coordinated subject gives the target when there is no object.
        constitutive: "agreed to ..." reports the act itself.
        target_kinds: actor kinds allowed as target (empty: any).
        object_events: the object may be an event ("welcomed the move").
        excludes_when: trigger lemma → argument lemmas that stop the frame.
        owner_is_source: the possessor of the object is the source ("recalled
            *its* ambassador", "shut *its* embassy"), never the target.
        requires_text: phrases of which one must occur in the trigger's
            phrase ("persona non grata").
        clause_target: the target may sit in a complement clause ("declared
            the ambassador persona non grata", "charging that X meddled").
        skip_preps: prepositions that never introduce the target ("talks
            *in* Beijing": a venue).
        location_source: with no subject, "in X" names the source ("the
            Taliban, banned *in Russia*").
        context_veto: words that, anywhere in the sentence, stop the frame
            ("Japan will meet Australia in the semi-final").
        posting_source: with no agent, the envoy's posting gives the source
            ("Russia's ambassador *to Moldova* was expelled").
        cameo: a CAMEO code more specific than the event type's (042 for a
            visit, 043 for hosting, 046 for negotiations); ``""`` for the
            ontology's.
        reciprocal: the act is done by both parties ("held talks with",
            "spoke by phone with"): the event is also coded target → source.
        target_preps: when not empty, the only prepositions that may
            introduce the target ("spoke *with* X", never "spoke *of* X").
        lemma_requires: trigger lemma → words of which one must occur in
            the trigger's phrase ("summon" recalls an envoy only "home",
            "back" or "for consultations").
        from_source: a nominal trigger's "from" phrase names the source and
            the clause it is the object of names the target ("Sweden drew
            criticism *from Israel*").
        target_depth: how many steps below the trigger's arguments the target may
            lie (statements: 3, so "complained about remarks on *its ties with
            the US*" does not make the US the target).
        official_source: the source must be a person or an official
            ("the minister arrived in Amman"; "Chinese troops arrived in
            Mali" is no visit): see ``Lexicon.official_nouns``.
    """

    name: str
    event: str
    lemmas: frozenset[str]
    pos: frozenset[str]
    requires: frozenset[str] = frozenset()
    requires_exempt: frozenset[str] = frozenset()
    veto: frozenset[str] = frozenset()
    particle: str = ""
    government_event: str = ""
    government_words: frozenset[str] = frozenset()
    roles: str = ""
    hosts: frozenset[str] = frozenset()
    mutual: bool = False
    constitutive: bool = False
    target_kinds: frozenset[str] = frozenset()
    object_events: bool = False
    excludes_when: dict[str, frozenset[str]] = field(default_factory=dict)
    owner_is_source: bool = False
    requires_text: tuple[str, ...] = ()
    clause_target: bool = False
    skip_preps: frozenset[str] = frozenset()
    location_source: bool = False
    context_veto: frozenset[str] = frozenset()
    cameo: str = ""
    posting_source: bool = False
    reciprocal: bool = False
    target_preps: frozenset[str] = frozenset()
    official_source: bool = False
    lemma_requires: dict[str, frozenset[str]] = field(default_factory=dict)
    from_source: bool = False
    target_depth: int = 5


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Frames plus the word lists the extractor consults.

    Attributes:
        frames: frames in the order they are tried.
        by_lemma: lemma → frames that list it, in order.
        event_nouns: nouns that refer back to an event of one actor ("the move").
        joint_event_nouns: nouns of an event of several actors ("the deal"),
            which name no single actor to refer back to.
        generic_subjects: heads of subjects that name no particular actor.
        official_nouns: nouns of persons and delegations that act for a state
            ("minister", "delegation"), for ``Frame.official_source``.
        rival_governments: ISO3 → the states whose governments claim the same
            state (CHN ↔ TWN): switching recognition *to* one withdraws it from
            the other when the text does not say from whom.
        cues: polarity cues (keys of ``polarity.yaml``) as frozensets or tuples.
        lang: the language of the lexicon (ISO 639-1).
        word_forms: a word the frames name → other words that stand for it in
            text, for the prefilter, which reads text before any parse: in
            French, the nouns that the clear view glosses in English
            ("ambassador" ← ambassadeur, ambassadrice; ``fr/glossary.yaml``).
        reference_words: words of the language that refer back to an actor
            ("il", "son", "le ministère"), for the prefilter (the English ones
            are the mention finder's own).
    """

    frames: tuple[Frame, ...]
    by_lemma: dict[str, tuple[Frame, ...]]
    event_nouns: frozenset[str]
    joint_event_nouns: frozenset[str]
    generic_subjects: frozenset[str]
    official_nouns: frozenset[str]
    rival_governments: dict[str, tuple[str, ...]]
    cues: dict[str, Any]
    lang: str = "en"
    word_forms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    reference_words: frozenset[str] = frozenset()

    @property
    def trigger_words(self) -> frozenset[str]:
        """Every trigger lemma (for the prefilter)."""
        return frozenset(self.by_lemma)


def _words(value: Any) -> frozenset[str]:
    """A list of words as a lower-case set.

    Raises:
        ConfigurationError: an item is not a string (YAML reads a bare ``no``
            or ``on`` as a boolean: quote it).
    """
    items = list(value or [])
    bad = [v for v in items if not isinstance(v, str)]
    if bad:
        raise ConfigurationError(f"lexicon data: {bad!r} is not a word; quote it in the YAML file")
    return frozenset(v.lower() for v in items)


def _frame(raw: dict[str, Any]) -> Frame:
    event = raw["event"]
    for name in (event, raw.get("government_event") or event):
        if name not in EVENT_TYPES:
            raise ConfigurationError(f"triggers.yaml frame {raw.get('name')!r}: unknown event {name!r}")
    return Frame(
        name=raw["name"], event=event, lemmas=_words(raw["lemmas"]), pos=frozenset(p.upper() for p in raw.get("pos") or ("VERB", "NOUN")),
        requires=_words(raw.get("requires")), requires_exempt=_words(raw.get("requires_exempt")),
        veto=_words(raw.get("veto")), particle=str(raw.get("particle") or ""),
        government_event=str(raw.get("government_event") or ""),
        government_words=_words(raw.get("government_words")), roles=str(raw.get("roles") or ""),
        hosts=_words(raw.get("hosts")), mutual=bool(raw.get("mutual")),
        constitutive=bool(raw.get("constitutive")), target_kinds=_words(raw.get("target_kinds")),
        object_events=bool(raw.get("object_events")),
        excludes_when={k.lower(): _words(v) for k, v in (raw.get("excludes_when") or {}).items()},
        owner_is_source=bool(raw.get("owner_is_source")),
        requires_text=tuple(str(v).lower() for v in raw.get("requires_text") or ()),
        clause_target=bool(raw.get("clause_target")), skip_preps=_words(raw.get("skip_preps")),
        location_source=bool(raw.get("location_source")),
        context_veto=_words(raw.get("context_veto")), cameo=str(raw.get("cameo") or ""),
        posting_source=bool(raw.get("posting_source")), reciprocal=bool(raw.get("reciprocal")),
        target_preps=_words(raw.get("target_preps")), official_source=bool(raw.get("official_source")),
        lemma_requires={k.lower(): _words(v) for k, v in (raw.get("lemma_requires") or {}).items()},
        from_source=bool(raw.get("from_source")), target_depth=int(raw.get("target_depth") or 5),
    )


def _read(name: str) -> dict[str, Any]:
    text = resources.files("diplowatch.data").joinpath(name).read_text("utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ConfigurationError(f"{name}: expected a mapping at the top level")
    return data


LANGUAGES: tuple[str, ...] = ("en", "fr")
"""Languages with a packaged lexicon."""


@functools.lru_cache(maxsize=len(LANGUAGES))
def load_lexicon(lang: str = "en") -> Lexicon:
    """Load and check the packaged lexicon of ``lang`` (cached).

    Args:
        lang: ISO 639-1 code, one of :data:`LANGUAGES`. The French files have
            the English files' format; their words are the lemmas of the clear
            view of a French parse (:mod:`diplowatch.nlp.french`).

    Raises:
        ConfigurationError: ``lang`` has no lexicon, or a data file is malformed
            or names an unknown event.
    """
    if lang not in LANGUAGES:
        raise ConfigurationError(f"no trigger lexicon for language {lang!r}: packaged are {', '.join(LANGUAGES)}")
    prefix = "" if lang == "en" else f"{lang}/"
    triggers = _read(f"{prefix}triggers.yaml")
    frames = tuple(_frame(raw) for raw in triggers["frames"])
    by_lemma: dict[str, list[Frame]] = {}
    for frame in frames:
        for lemma in frame.lemmas:
            by_lemma.setdefault(lemma, []).append(frame)
    polarity = _read(f"{prefix}polarity.yaml")
    cues = {key: (tuple(str(x) for x in v) if key.endswith("phrases") else _words(v)) for key, v in polarity.items()}
    forms: dict[str, list[str]] = {}
    if lang != "en":
        for word, gloss in (_read(f"{prefix}glossary.yaml") or {}).items():
            forms.setdefault(str(gloss).lower(), []).append(str(word).lower())
    return Lexicon(frames, {k: tuple(v) for k, v in by_lemma.items()},
                   _words(triggers.get("event_nouns")), _words(triggers.get("joint_event_nouns")),
                   _words(triggers.get("generic_subjects")), _words(triggers.get("official_nouns")),
                   {str(k): tuple(str(x) for x in v) for k, v in (triggers.get("rival_governments") or {}).items()},
                   cues, lang, {k: tuple(v) for k, v in forms.items()}, _words(triggers.get("reference_words")))
