"""The fast path: the trigger prefilter skips blocks that cannot hold an event, and changes no result."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from diplowatch.extract import Extractor
from diplowatch.extract.lexicon import load_lexicon
from diplowatch.extract.prefilter import Prefilter, stems
from diplowatch.actors import Gazetteer
from diplowatch.ingest import read_paths
from diplowatch.model import Article
from diplowatch.nlp.pipeline import segment


@pytest.fixture(scope="module")
def prefilter():
    return Prefilter(load_lexicon(), Gazetteer.default())


def test_stems_find_inflections():
    assert "recognis" in stems("recognise")
    assert {"met"} <= stems("meet")
    assert {"broke", "broken"} <= stems("break")


@pytest.mark.parametrize("text", [
    "Chile recognised the State of Palestine on Monday.",
    "Hungary expelled two Belarusian diplomats.",
    "Seoul and Hanoi agreed to restore diplomatic ties.",
    "The ministry said it had accepted the envoy's credentials.",
])
def test_blocks_that_may_hold_an_event_are_parsed(prefilter, text):
    assert prefilter.decide(text, article_has_actor=True).parse


@pytest.mark.parametrize("text", [
    "The central bank held interest rates steady, citing slowing inflation.",
    "Heavy rain is expected across the region over the weekend.",
    "Investors cut their holdings after the earnings report.",   # "cut" without ties or relations
    "Chile beat Peru 2-1 in a friendly on Tuesday.",              # actors, but no trigger
])
def test_blocks_without_an_event_are_skipped(prefilter, text):
    assert not prefilter.decide(text, article_has_actor=True).parse


def test_a_frame_needs_its_argument_word_unless_the_trigger_is_exempt(prefilter):
    # delist: "take" needs a list word; designate: "ban" needs none, "put" does
    assert "delist" not in prefilter.decide("Kazakhstan took a decision on the Taliban.", True).frames
    assert "delist" in prefilter.decide("Kazakhstan took the Taliban off its register.", True).frames
    assert "designate" not in prefilter.decide("Jordan put the plan to Egypt.", True).frames
    assert "designate" in prefilter.decide("Jordan banned the group.", True).frames


def test_short_names_count_only_as_written(prefilter):
    # "US", "UN", "CAR" (Central African Republic) and "LeT" are actors; "us", "un-", "car" and "let" are words
    assert not prefilter.decide("Fans let us down and the car was banned from the track.", False).actor
    assert prefilter.decide("The US banned the group.", False).parse
    assert prefilter.decide("The UN condemned the coup in Niger.", False).parse


def test_a_reference_needs_an_actor_named_before(prefilter):
    text = "It expelled two diplomats on Friday."
    assert not prefilter.decide(text, article_has_actor=False).parse
    assert prefilter.decide(text, article_has_actor=True).parse


@pytest.mark.slow
def test_an_unrelated_article_is_not_parsed(extractor):
    article = Article("weather", "Heavy rain is expected on Sunday.\nThe river rose by two metres overnight.\n")
    assert [parse for _, parse, _ in extractor._plan(segment(article.content, extractor._keep_case))] == [False, False]
    assert extractor.extract(article) == []


def _parsed(extractor, content):
    return [(unit.text, parse) for unit, parse, _ in extractor._plan(segment(content, extractor._keep_case))]


@pytest.mark.slow
def test_only_the_sentences_that_may_hold_an_event_are_parsed(extractor):
    content = ("The rain stopped in Lima by noon. Peru expelled the Bolivian ambassador on Monday. "
               "Crowds gathered outside.\nFishing boats stayed in port.\n")
    assert _parsed(extractor, content) == [
        ("The rain stopped in Lima by noon.", False),
        ("Peru expelled the Bolivian ambassador on Monday.", True),
        ("Crowds gathered outside.", False),
        ("Fishing boats stayed in port.", False),
    ]


@pytest.mark.slow
def test_a_reference_parses_the_sentence_before_even_across_lines(extractor):
    content = ("Kenya's foreign minister gave a lecture in Accra on Sunday. Talks on trade went on all day.\n"
               "It then recalled its ambassador from Uganda.\n")
    assert _parsed(extractor, content) == [
        ("Kenya's foreign minister gave a lecture in Accra on Sunday.", False),
        ("Talks on trade went on all day.", True),
        ("It then recalled its ambassador from Uganda.", True),
    ]
    # a line with no event is kept whole, and cut only when the next line reaches back into it
    content = "Kenya's foreign minister was in Accra on Sunday. He stayed two days.\nIt then recalled its envoy.\n"
    assert _parsed(extractor, content) == [
        ("Kenya's foreign minister was in Accra on Sunday.", False),
        ("He stayed two days.", True),
        ("It then recalled its envoy.", True),
    ]


def _shared() -> Path:
    return Path(os.environ.get("DIPLOWATCH_SHARED") or Path(__file__).resolve().parents[2] / "shared")


@pytest.mark.slow
def test_results_are_identical_with_and_without_the_prefilter(extractor):
    shared = _shared()
    paths = [shared / "eval" / "dev" / "articles.jsonl", shared / "seed" / "000_2073b2f2a0237912.txt"]
    if not all(p.exists() for p in paths):
        pytest.skip("../shared/eval not found: the prefilter comparison needs the shared evaluation data")
    full = Extractor(nlp=extractor.nlp, gazetteer=extractor.gazetteer, lexicon=extractor.lexicon, prefilter=False)
    fast = Extractor(nlp=extractor.nlp, gazetteer=extractor.gazetteer, lexicon=extractor.lexicon, prefilter=True)
    articles = [a for a in read_paths(paths) if isinstance(a, Article)]
    assert len(articles) == 15
    for article in articles:
        assert [e.to_dict() for e in fast.extract(article)] == [e.to_dict() for e in full.extract(article)], article.id


@pytest.mark.slow
def test_extract_many_equals_extract_one_by_one(extractor):
    articles = [Article("a", "Chile recognised the State of Palestine on Monday.\nIt also expelled two Israeli diplomats."),
                Article("b", "Heavy rain fell on Sunday."),
                Article("c", "Ghana and Kenya restored diplomatic ties.\nThe move was welcomed by Nigeria.")]
    one_by_one = [[e.to_dict() for e in extractor.extract(a)] for a in articles]
    together = [[e.to_dict() for e in events] for _, events in extractor.extract_many(articles, group=2)]
    assert together == one_by_one
    assert [a.id for a, _ in extractor.extract_many(articles)] == ["a", "b", "c"]
