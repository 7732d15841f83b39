"""The trigger lexicon, polarity cues, date resolution and block segmentation: data and small parts, no model."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from diplowatch.errors import ConfigurationError
from diplowatch.extract import lexicon as lexicon_module
from diplowatch.extract.dates import resolve_date
from diplowatch.extract.lexicon import load_lexicon
from diplowatch.nlp.pipeline import looks_like_headline, segment, sentence_case
from diplowatch.ontology import EVENT_TYPES


@pytest.fixture(scope="module")
def lex():
    return load_lexicon()


def test_every_frame_codes_an_event_of_the_ontology(lex):
    for frame in lex.frames:
        assert frame.event in EVENT_TYPES, frame.name
        assert not frame.government_event or frame.government_event in EVENT_TYPES, frame.name
        assert frame.lemmas, f"frame {frame.name} has no trigger lemmas"


def test_every_event_type_of_the_ontology_has_a_trigger(lex):
    coded = {f.event for f in lex.frames} | {f.government_event for f in lex.frames}
    # withdraw_recognition and recognize_government also come from switch frames
    missing = set(EVENT_TYPES) - coded - {"withdraw_recognition", "recognize_government"}
    assert not missing, f"no frame codes {sorted(missing)}"


def test_frame_names_are_unique(lex):
    names = [f.name for f in lex.frames]
    assert len(names) == len(set(names))


def test_yaml_booleans_are_refused():
    # YAML reads a bare `no` as False: the loader must refuse it rather than look for "false"
    with pytest.raises(ConfigurationError, match="quote it"):
        lexicon_module._words(yaml.safe_load("[not, no, never]"))


def test_negation_cues_hold_the_word_no(lex):
    assert "no" in lex.cues["negating_determiners"]
    assert "no" in lex.cues["negators"]


def test_recognition_is_never_praise(lex):
    frames = lex.by_lemma["recognize"]
    assert frames[0].event == "recognize_state" and frames[0].government_event == "recognize_government"
    assert EVENT_TYPES["recognize_state"].cameo == "054"


def test_visits_have_their_own_cameo_code(lex):
    visit = next(f for f in lex.frames if "visit" in f.lemmas)
    assert visit.cameo == "042"


PUB = dt.date(2024, 5, 22)  # a Wednesday


@pytest.mark.parametrize(("expression", "prefer", "expected"), [
    ("on Friday", "past", ("2024-05-17", "day")),
    ("on Friday", "future", ("2024-05-24", "day")),
    ("last month", "past", ("2024-04", "month")),
    ("last year", "past", ("2023", "year")),
    ("in 2016", "past", ("2016", "year")),
    ("back in 2005", "past", ("2005", "year")),
    ("in September", "past", ("2023-09", "month")),
    ("in September", "future", ("2024-09", "month")),
    ("on 28 May", "future", ("2024-05-28", "day")),
    ("March 10, 2023", "past", ("2023-03-10", "day")),
    ("today", "past", ("2024-05-22", "day")),
    ("two decades ago", "past", ("2004", "year")),
    ("nearly four years after August 2021", "past", ("2025", "year")),
    ("two months after March 2024", "past", ("2024-05", "month")),
    ("four days", "past", None),
    ("in June", "past", ("2023-06", "month")),
    ("in June", "future", ("2024-06", "month")),
    ("in December", "past", ("2023-12", "month")),
    ("three days ago", "past", ("2024-05-19", "day")),
    ("two weeks ago", "past", ("2024-05", "month")),
    ("last week", "past", ("2024-05", "month")),
    ("in recent years", "past", None),
    ("decades", "past", None),
])
def test_resolve_date(expression, prefer, expected):
    assert resolve_date(expression, PUB, prefer) == expected


def test_dates_off_the_calendar_are_unknown():
    assert resolve_date("last week", dt.date(1, 1, 3)) is None
    assert resolve_date("next year", dt.date(9999, 6, 1)) is None


def test_relative_dates_need_a_publication_date():
    assert resolve_date("on Friday", None) is None
    assert resolve_date("last year", None) is None
    assert resolve_date("in 2016", None) == ("2016", "year")


def test_headline_detection():
    assert looks_like_headline("Chile Recognises Palestinian State As Talks Stall")
    assert not looks_like_headline("Chile recognised the Palestinian state on Monday.")
    assert not looks_like_headline("WORLD")


def test_sentence_case_keeps_length_and_names():
    line = "Chile Recognises Palestinian State"
    cased = sentence_case(line, lambda w: w in {"Chile", "Palestinian"})
    assert cased == "Chile recognises Palestinian state"
    assert len(cased) == len(line)


def test_segment_offsets_point_into_the_content():
    content = "Chile Recognises Palestine\n\nSantiago said on Monday it recognised the State of Palestine.\n"
    blocks = segment(content, lambda w: False)
    assert [b.headline for b in blocks] == [True, False]
    for b in blocks:
        assert content[b.start:b.start + len(b.text)] == b.text


def test_segment_cuts_an_overlong_line():
    content = "word " * 10_000
    blocks = segment(content, lambda w: False)
    assert len(blocks) > 1
    assert "".join(b.text for b in blocks) == content.rstrip("\n")
