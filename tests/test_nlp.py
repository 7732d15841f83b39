"""The NLP layer: the indexed attribute ruler gives the stock annotations; sentences are cut before parsing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from diplowatch.nlp import SentenceSplitter, load_nlp, segment, split_block
from diplowatch.nlp.attributes import IndexedAttributeRuler, index_attribute_ruler
from diplowatch.nlp.pipeline import MODEL_NAMES

NONDIPLOMATIC = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "nondiplomatic.jsonl"

OWN = [
    "I ain't gonna sign it, and we're not gonna wait, let's be clear,\" the envoy said.",
    "That is the embassy that Ghana reopened; the one which Peru closed is gone.",
    "Something has changed: nobody in Quito expected anything like this.  Gotta go.",
    "Whether or not Oslo agrees, Rome will, since the deal was signed because of it.",
    "  \n\t Her Excellency  presented  credentials on 3 May 2024 (Mon.)\u00a0 in Accra. ",
    "",
]


@pytest.fixture(scope="module")
def stock():
    for name in MODEL_NAMES:
        try:
            return spacy.load(name)
        except OSError:
            continue
    pytest.skip("no English spaCy model installed")


def _texts() -> list[str]:
    texts = list(OWN)
    if NONDIPLOMATIC.exists():
        texts += [json.loads(line)["text"] for line in NONDIPLOMATIC.read_text(encoding="utf-8").splitlines()[:20]]
    return texts


@pytest.mark.slow
def test_indexed_attribute_ruler_gives_the_stock_annotations(stock):
    nlp = load_nlp()
    assert isinstance(nlp.get_pipe("attribute_ruler"), IndexedAttributeRuler)
    assert nlp.get_pipe("attribute_ruler").patterns == stock.get_pipe("attribute_ruler").patterns
    for text in _texts():
        ours = [(t.text, t.pos_, str(t.morph), t.lemma_, t.tag_, t.dep_) for t in nlp(text)]
        theirs = [(t.text, t.pos_, str(t.morph), t.lemma_, t.tag_, t.dep_) for t in stock(text)]
        assert ours == theirs, text[:60]


@pytest.mark.slow
def test_indexed_matches_equal_the_matcher_s(stock):
    fast = IndexedAttributeRuler(stock.vocab)
    fast.add_patterns(stock.get_pipe("attribute_ruler").patterns)
    upstream = [proc for name, proc in stock.pipeline[:stock.pipe_names.index("attribute_ruler")]]
    matched = 0
    for text in _texts():
        doc = stock.make_doc(text)
        for proc in upstream:
            doc = proc(doc)
        expected = stock.get_pipe("attribute_ruler").match(doc)
        assert fast.match(doc) == expected, text[:60]
        matched += len(expected)
    assert matched > 500


def test_a_pattern_it_cannot_index_falls_back_to_the_matcher():
    nlp = spacy.blank("en")
    ruler = IndexedAttributeRuler(nlp.vocab)
    ruler.add_patterns([{"patterns": [[{"LOWER": "very", "OP": "+"}, {"LOWER": "good"}]], "attrs": {"POS": "ADJ"}},
                        {"patterns": [[{"LOWER": "fine"}]], "attrs": {"POS": "ADJ"}, "index": 0}])
    assert ruler._table is None
    doc = ruler(nlp("very very good and fine"))
    assert [t.pos_ for t in doc] == ["ADJ", "ADJ", "", "", "ADJ"]


def test_index_attribute_ruler_leaves_a_pipeline_without_one_alone():
    nlp = spacy.blank("en")
    index_attribute_ruler(nlp)
    assert nlp.pipe_names == []


@pytest.mark.slow
def test_sentences_are_cut_before_parsing():
    split = SentenceSplitter(load_nlp())
    text = "Mr. Lopez met U.S. officials on Jan. 5 in Lima. They agreed to talk again!  Would Chile join? No."
    assert [text[s:e] for s, e in split(text)] == [
        "Mr. Lopez met U.S. officials on Jan. 5 in Lima.", "They agreed to talk again!", "Would Chile join?", "No."]


@pytest.mark.slow
def test_split_block_keeps_offsets_and_marks_the_first_sentence():
    split = SentenceSplitter(load_nlp())
    content = "Peru Recalls Its Ambassador From Bolivia\n\nLima acted on Monday. La Paz protested.\n"
    lines = segment(content, keep=lambda w: w in {"Peru", "Bolivia", "Lima"})
    assert [b.headline for b in lines] == [True, False]
    units = [u for line in lines for u in split_block(line, split)]
    assert [(u.text, u.first, u.headline) for u in units] == [
        ("Peru Recalls Its Ambassador From Bolivia", True, True),
        ("Lima acted on Monday.", True, False),
        ("La Paz protested.", False, False),
    ]
    assert all(content[u.start:u.start + len(u.text)] == u.text for u in units)


@pytest.mark.parametrize(("line", "dateline"), [
    ("HANOI (AFP) – Vietnam recalled its envoy on Monday.", "HANOI (AFP) – "),
    ("OTTAWA, March 3 (CP) - Canada said it would act.", "OTTAWA, March 3 (CP) - "),
    ("TUNIS, May 9. /APS/. The talks resumed.", "TUNIS, May 9. /APS/. "),
    ("NAIROBI: Kenya and Somalia restored ties.", "NAIROBI: "),
    # an acronym with a colon or dash is a headline's actor, not a place; a plain sentence has none
    ("NATO: Allies agree to expel the diplomats", ""),
    ("UAE – Qatar talks resume", ""),
    ("The US said on Monday it would reopen its embassy.", ""),
])
def test_a_dateline_is_no_part_of_the_sentence_after_it(line, dateline):
    content = "Headline Here\n\n" + line + "\n"
    body = segment(content, keep=lambda w: False)[1]
    assert body.text == line[len(dateline):]
    assert content[body.start:body.start + len(body.text)] == body.text


def test_a_dateline_does_not_spoil_the_parse_of_its_sentence():
    from diplowatch import analyze

    # read with the dateline, "BRASILIA" was the subject and the two states its appositions
    text = "Ties restored\n\nBRASILIA (Reuters) – Bolivia and Paraguay restored diplomatic relations on Monday."
    found = {(e.event, e.source.state, e.target.state, e.polarity) for e in analyze(text, published="2024-03-06")
             if e.source and e.target}
    assert ("restore_relations", "BOL", "PRY", "asserted") in found
