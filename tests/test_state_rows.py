"""The store's fast path to the relation state: ``KnowledgeBase.state_rows`` and ``status``.

``status`` and ``who-recognizes`` fold flat rows that SQL has already filtered
(no praise or criticism; for ``who-recognizes`` only asserted recognitions and
withdrawals with a source). These tests hold that fold to the fold of every
stored event, on SQLite and on PostgreSQL, so that a wrong SQL filter shows.
"""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from typer.testing import CliRunner

import diplowatch.cli as cli
from diplowatch.model import Actor, Article, Event, Evidence, event_id
from diplowatch.ontology import EVENT_TYPES, MUTUAL_EVENTS
from diplowatch.state import EventRow, event_row, recognizers, relation_state
from diplowatch.store import KnowledgeBase

RUS = Actor("RUS", "Russia", "state", "RUS")
CHN = Actor("CHN", "China", "state", "CHN")
KAZ = Actor("KAZ", "Kazakhstan", "state", "KAZ")
PAK = Actor("PAK", "Pakistan", "state", "PAK")
UZB = Actor("UZB", "Uzbekistan", "state", "UZB")
AFG = Actor("AFG", "Afghanistan", "state", "AFG")
TALIBAN_GOV = Actor("AFG:taliban", "Taliban-led government of Afghanistan", "government", "AFG")
TALIBAN_ORG = Actor("ORG:taliban", "Taliban", "organization", "AFG")
UN = Actor("UN", "United Nations", "body", None)
RECOGNITION = ("recognition",)
TEXT = "x" * 200

runner = CliRunner()


def _event(doc: str, n: int, kind: str, source: Actor | None, target: Actor | None, date: str | None,
           polarity: str = "asserted") -> Event:
    et = EVENT_TYPES[kind]
    return Event(id=event_id(doc, "test/1", n, n + 1, kind, source.id if source else None,
                             target.id if target else None),
                 doc=doc, event=kind, source=source, target=target, polarity=polarity, date=date,
                 date_precision={4: "year", 7: "month", 10: "day"}.get(len(date or "")),
                 cameo=et.cameo, plover=et.plover, evidence=Evidence(TEXT[n:n + 1], n, n + 1))


def _add(kb: KnowledgeBase, doc: str, published: dt.date | None, specs: list[tuple]) -> None:
    """Store one article with an event per spec ``(kind, source, target, date[, polarity])``."""
    kb.add(Article(id=doc, text=TEXT, url=f"https://news.example/{doc}", published=published),
           [_event(doc, n, *spec) for n, spec in enumerate(specs)])


@pytest.fixture
def kb(kb_url: str):
    with KnowledgeBase(kb_url) as store:
        yield store


@pytest.fixture
def mixed(kb):
    """A seeded mix of every event type, polarity and date form, some articles without a publication date."""
    rng = random.Random(11)
    parties = [RUS, CHN, KAZ, TALIBAN_GOV, TALIBAN_ORG, UN, PAK, AFG]
    kinds = sorted(EVENT_TYPES) + ["praise", "criticize"] * 4
    for a in range(40):
        published = None if a % 6 == 0 else dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(2000))
        specs = []
        for _ in range(15):
            src = None if rng.random() < 0.1 else rng.choice(parties)
            tgt = rng.choice([p for p in parties if p is not src])
            date = rng.choice([None, "2021", "2022-03", "2023-05-17", "0000-00-00", "2024-02-29"])
            specs.append((rng.choice(kinds), src, tgt, date,
                          rng.choice(["asserted"] * 4 + ["negated", "hypothetical"])))
        _add(kb, f"a_mix{a:02d}", published, specs)
    return kb


@pytest.mark.parametrize("target", ["AFG", "PAK", "RUS", "KAZ"])
def test_status_folds_like_every_stored_event(mixed, target):
    """Same TargetStatus (undated ones in the same order) and recognizers as the fold of the events
    towards the state and the mutual events it is the source of, in the store's order."""
    kb = mixed
    everything = [e for e in kb.events(actor=target) if (e.target and e.target.state) == target
                  or (e.event in MUTUAL_EVENTS and (e.source and e.source.state) == target)]
    rows = kb.state_rows(target)
    assert all(isinstance(r, EventRow) for r in rows) and len(rows) < len(everything)
    towards = [e.id for e in kb.events(target_state=target, state_only=True)]
    assert [r.id for r in rows if r.target_state == target] == towards
    sided = [r for r in rows if r.target_state != target]
    assert sided and all(r.source_state == target and r.event in MUTUAL_EVENTS for r in sided)
    by_id = {e.id: event_row(e) for e in everything}
    assert all(by_id[r.id] == r for r in rows)  # the SQL row is the Event's row, field for field
    for as_of in (None, "2021-01-01", "2022-03-01", "2023-05-17", "2024-01-01"):
        full = relation_state(everything, target, as_of)
        assert kb.status(target, as_of) == full
        assert relation_state(rows, target, as_of) == full
        recs = kb.status(target, as_of, facets=RECOGNITION)
        for withdrawn in (False, True):
            assert recognizers(recs, include_withdrawn=withdrawn) == recognizers(full, include_withdrawn=withdrawn)


def test_recognition_rows_are_only_asserted_recognitions_and_withdrawals(mixed):
    rows = mixed.state_rows("AFG", facets=RECOGNITION)
    assert rows, "the mix has recognitions of AFG"
    assert {r.event for r in rows} <= {"recognize_state", "recognize_government", "withdraw_recognition"}
    assert {r.polarity for r in rows} == {"asserted"} and all(r.source_id for r in rows)
    assert "withdraw_recognition" in {r.event for r in rows}
    with pytest.raises(ValueError, match="no event type"):
        mixed.state_rows("AFG", facets=("no-such-facet",))


@pytest.fixture
def recognitions(kb):
    """Recognitions of the Taliban government among talks, praise and intentions."""
    _add(kb, "a1", dt.date(2025, 7, 4), [
        ("recognize_government", RUS, TALIBAN_GOV, "2025-07-03"),
        ("high_level_talks", CHN, TALIBAN_GOV, "2025-07-03"),
        ("praise", PAK, TALIBAN_GOV, "2025-07-03"),
        ("recognize_government", CHN, TALIBAN_GOV, "2025-07-03", "hypothetical"),
        ("recognize_government", KAZ, TALIBAN_GOV, "2025-07-03", "negated"),
    ])
    _add(kb, "a2", dt.date(2026, 2, 10), [
        ("withdraw_recognition", RUS, TALIBAN_GOV, "2026-02-10"),
        ("recognize_government", PAK, TALIBAN_GOV, "2026-02-10"),  # on the as-of day below
        ("recognize_government", None, TALIBAN_GOV, "2026-02-10"),  # no source: nobody's recognition
        ("accredit_ambassador", CHN, TALIBAN_GOV, "2026-02-10"),
    ])
    _add(kb, "a3", dt.date(2026, 2, 11), [("recognize_government", UZB, TALIBAN_GOV, None)])  # dated by article
    _add(kb, "a4", None, [("praise", KAZ, TALIBAN_GOV, None)])  # undated: no date, no publication date
    return kb


@pytest.mark.parametrize("as_of, expected, withdrawn", [
    (None, ["PAK", "UZB"], ["RUS", "PAK", "UZB"]),
    ("2026-02-11", ["PAK", "UZB"], ["RUS", "PAK", "UZB"]),  # the article date of UZB's report counts
    ("2026-02-10", ["PAK"], ["RUS", "PAK"]),  # the as-of day is included: RUS withdrew, PAK recognised
    ("2026-02-09", ["RUS"], ["RUS"]),
    ("2025-07-02", [], []),
])
def test_who_recognizes_as_of(recognitions, as_of, expected, withdrawn):
    """A withdrawal after a recognition ends it; intentions and unattributed reports never count."""
    kb = recognitions
    status = kb.status("AFG", as_of, facets=RECOGNITION)
    assert [r.observer for r in recognizers(status)] == expected
    assert [r.observer for r in recognizers(status, include_withdrawn=True)] == withdrawn
    full = relation_state(kb.events(target_state="AFG"), "AFG", as_of)
    assert recognizers(status) == recognizers(full)
    assert recognizers(status, include_withdrawn=True) == recognizers(full, include_withdrawn=True)
    assert set(status.observers) <= {"RUS", "PAK", "UZB"}  # CHN and KAZ only intended or talked
    if as_of is None:
        rus = next(r for r in recognizers(status, include_withdrawn=True) if r.observer == "RUS")
        assert rus.value == "withdrawn" and [s.event for s in rus.events] == [
            "recognize_government", "withdraw_recognition"]


def test_status_keeps_intentions_contacts_and_undated(recognitions):
    status = recognitions.status("AFG")
    assert status == relation_state(recognitions.events(target_state="AFG"), "AFG")
    assert {(s.observer, s.polarity) for s in status.intentions} == {("CHN", "hypothetical"), ("KAZ", "negated")}
    assert [s.observer for s in status.observer("CHN").contacts] == ["CHN"]
    assert status.observer("CHN").ambassador.value == "accredited"
    assert [s.doc for s in status.unattributed] == ["a2"]
    # praise in a dated article is not even read; in an article without any date it is listed as undated
    assert [(s.doc, s.event) for s in status.undated] == [("a4", "praise")]
    assert {r.doc for r in recognitions.state_rows("AFG") if r.event == "praise"} == {"a4"}
    assert recognitions.state_rows("AFG", limit=1) == recognitions.state_rows("AFG")[:1]


def test_cli_who_recognizes_without_recognitions_or_events(recognitions, kb_url):
    _add(recognitions, "a5", dt.date(2026, 3, 1), [("high_level_talks", UZB, KAZ, "2026-03-01")])
    none = runner.invoke(cli.app, ["who-recognizes", "KAZ", "--db", kb_url])
    assert none.exit_code == 0, none.output
    assert "no formal recognition of KAZ on record" in none.stdout
    nothing = runner.invoke(cli.app, ["who-recognizes", "PAK", "--db", kb_url])
    assert "no events towards PAK stored" in nothing.stdout
    who = json.loads(runner.invoke(cli.app, ["who-recognizes", "AFG", "--as-of", "2026-02-10", "--db", kb_url,
                                             "--format", "json"]).stdout)
    assert [(w["observer"], w["since"]) for w in who] == [("PAK", "2026-02-10")]


def test_a_mutual_event_counts_for_both_states_whichever_way_it_was_stored(kb):
    _add(kb, "a_uzb", dt.date(2024, 3, 1), [("establish_relations", UZB, AFG, "2024-02-28"),
                                            ("high_level_talks", UZB, KAZ, "2024-02-29"),
                                            ("recognize_state", UZB, KAZ, "2024-02-27")])
    assert kb.status("AFG").observers["UZB"].relations.value == "established"
    assert kb.status("UZB").observers["AFG"].relations.value == "established"
    # talks and recognitions are read towards the state
    assert [s.event for s in kb.status("KAZ").observers["UZB"].contacts] == ["high_level_talks"]
    assert "KAZ" not in kb.status("UZB").observers
    assert recognizers(kb.status("UZB", facets=RECOGNITION)) == []
