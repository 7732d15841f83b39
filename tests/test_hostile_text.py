"""Hostile text (issue 13): bounded cost of one sentence, the budget and cancellation inside a
sentence, and text normalisation before extraction (RELIABILITY.md "Input": a per-document time
budget, bounded per-sentence cost, invisible characters)."""

from __future__ import annotations

import pytest

from diplowatch.errors import Cancelled
from diplowatch.extract import pipeline as pipeline_mod
from diplowatch.extract.pipeline import Extractor
from diplowatch.model import Article
from diplowatch.nlp import SentenceSplitter, load_nlp, segment, split_block
from diplowatch.nlp.pipeline import MAX_SENTENCE_CHARS

from _extraction_support import key

pytestmark = pytest.mark.slow

CLAUSES = "Hungary expelled two Iranian diplomats and Chile recalled its ambassador from Caracas and "


def _hostile(chars: int) -> str:
    return (CLAUSES * (chars // len(CLAUSES) + 1))[:chars]


def test_an_overlong_sentence_is_cut_after_a_comma_into_pieces_with_valid_offsets():
    split = SentenceSplitter(load_nlp())
    clause = "Peru, Chile and Bolivia signed a trade memorandum, "
    content = "Intro line.\n" + clause * 60 + "and the talks ended."
    line = segment(content, keep=lambda w: False)[1]
    units = split_block(line, split)
    assert len(units) >= len(line.text) // MAX_SENTENCE_CHARS + 1
    assert all(len(u.text) <= MAX_SENTENCE_CHARS for u in units)
    assert all(content[u.start:u.start + len(u.text)] == u.text for u in units)
    assert all(u.text.endswith(",") for u in units[:-1])  # cut after a comma, not inside a clause
    assert all(u.text == u.text.strip() for u in units)
    assert [u.first for u in units] == [True] + [False] * (len(units) - 1)
    # nothing lost between the pieces but the spaces at the cuts
    assert "".join(u.text for u in units).replace(" ", "") == line.text.replace(" ", "")


def test_a_sentence_under_the_cap_is_not_cut():
    split = SentenceSplitter(load_nlp())
    text = "Peru, Chile and Bolivia signed a trade memorandum, " * 20 + "and the talks ended."
    assert len(text) < MAX_SENTENCE_CHARS
    line = segment(text, keep=lambda w: False)[0]
    assert [u.text for u in split_block(line, split)] == [text]


def test_twenty_kilobytes_of_coordinated_clauses_are_read_with_valid_evidence():
    # one sentence of 20,000 characters: before the cut and the linear clause walk this ran for
    # minutes; now every clause is read and each event's evidence is a piece of the sentence
    extractor = Extractor(time_budget=None)
    article = Article(id="hostile", text=_hostile(20_000))
    found = extractor.extract(article)
    keys = {key(e) for e in found}
    assert ("expel_diplomats", "HUN", "IRN", "asserted") in keys
    assert ("recall_ambassador", "CHL", "VEN", "asserted") in keys
    for e in found:
        assert article.content[e.evidence.start:e.evidence.end] == e.evidence.text
        assert e.evidence.end - e.evidence.start <= MAX_SENTENCE_CHARS


def test_cancellation_is_asked_inside_one_sentence():
    # one sentence, one block, many candidates: the caller is asked between them, and
    # answering true abandons the analysis with the article named
    extractor = Extractor(time_budget=None)
    text = _hostile(1_200).rsplit(" and ", 1)[0] + "."
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) >= 3

    with pytest.raises(Cancelled, match=r"article one-sentence: analysis abandoned at sentence 1 of 1"):
        extractor.extract(Article(id="one-sentence", text=text), cancelled=cancelled)
    assert len(asked) == 3
    assert extractor.extract(Article(id="one-sentence", text=text), cancelled=lambda: False)


DISTINCT = ("Hungary expelled Iranian diplomats and Chile recalled its ambassador from Caracas and Norway "
            "expelled Russian diplomats and Peru recalled its ambassador from Bogota and Kenya expelled "
            "Sudanese diplomats.")


def test_the_time_budget_stops_inside_one_sentence(monkeypatch):
    # a clock that moves one second each time it is read: the budget of 2.5 s is spent at the
    # third check, the second candidate of the only sentence
    text = DISTINCT
    full = Extractor(time_budget=None).extract(Article(id="s", text=text))

    class Clock:
        now = 0.0

        def monotonic(self) -> float:
            self.now += 1.0
            return self.now

    monkeypatch.setattr(pipeline_mod, "time", Clock())
    cut = Extractor(time_budget=2.5).extract(Article(id="s", text=text))
    assert len(full) > 2
    assert 0 < len(cut) < len(full)
    assert [e.id for e in cut] == [e.id for e in full[:len(cut)]]


# -- normalisation: invisible characters and compatibility forms (issue 13, part 4) -------------

PLAIN = ("Mongolia expelled three Iranian diplomats on Monday. Separately, the foreign ministry said "
         "Slovakia had recalled its ambassador from Caracas.")
HIDDEN = {  # the same article with the names disguised by one kind of character each
    "zero-width space": PLAIN.replace("Mongolia", "Mongo\u200blia").replace("Slovakia", "Slo\u200bvakia"),
    "zero-width joiner and word joiner": PLAIN.replace("Mongolia", "Mon\u200dgolia").replace("Iranian", "Ira\u2060nian"),
    "soft hyphen": PLAIN.replace("Slovakia", "Slo\u00advakia").replace("Caracas", "Cara\u00adcas"),
    "bidi override and isolate": PLAIN.replace("Mongolia", "\u202eMongolia\u202c").replace("Slovakia", "Slo\u2067vak\u2069ia"),
    "byte-order mark and variation selector": PLAIN.replace("Iranian", "Iran\ufeffian").replace("Caracas", "Cara\ufe0fcas"),
    "full-width letters and no-break spaces": PLAIN.replace("Mongolia", "Ｍｏｎｇｏｌｉａ").replace(" expelled", "\u00a0expelled"),
}


def test_normalised_view_maps_every_span_back_to_the_original():
    from diplowatch.nlp.normal import normalise

    text = "\u200bKa\u00adbul\u200b and ﬁve Ｒｕｓｓｉａ de\u0301le\u0301gue\u0301s\u202c."
    view = normalise(text)
    assert view.text == "Kabul and five Russia délégués."
    spans = {w: view.span(view.text.index(w), view.text.index(w) + len(w)) for w in ("Kabul", "five", "Russia",
                                                                                     "délégués", "and")}
    assert {w: text[s:e] for w, (s, e) in spans.items()} == {
        "Kabul": "Ka\u00adbul", "five": "ﬁve", "Russia": "Ｒｕｓｓｉａ", "délégués": "de\u0301le\u0301gue\u0301s", "and": "and"}
    assert view.span(0, len(view.text)) == (1, len(text))  # the leading zero-width space is not in the span
    assert normalise("Plain ASCII text.").changed is False
    assert normalise("Curly \u2019quotes\u2019 \u2014 and dashes").changed is False  # NFKC leaves them


@pytest.mark.parametrize("kind", sorted(HIDDEN))
def test_invisible_characters_inside_names_hide_no_event(extractor, kind):
    from diplowatch.store import KnowledgeBase, queries

    plain = {key(e) for e in extractor.extract(Article(id="plain", text=PLAIN))}
    assert plain == {("expel_diplomats", "MNG", "IRN", "asserted"), ("recall_ambassador", "SVK", "VEN", "asserted")}
    article = Article(id="hidden", text=HIDDEN[kind], title="Two\u200b expulsions")
    found = extractor.extract(article)
    assert {key(e) for e in found} == plain
    for e in found:  # the evidence is a slice of the text as sent, hidden characters and all
        assert article.content[e.evidence.start:e.evidence.end] == e.evidence.text
        assert e.evidence.text.strip() == e.evidence.text and e.evidence.text.endswith(".")
    with KnowledgeBase("sqlite://") as kb:
        kb.add(article, found)
        stored = queries.articles(kb, ["hidden"])["hidden"]
        assert stored.content == article.content  # stored as sent
        for e in found:
            assert stored.content[e.evidence.start:e.evidence.end] == e.evidence.text
