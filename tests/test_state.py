"""Relation state: a pure fold of events (DESIGN §5)."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest

from diplowatch.model import Actor, Article, Event, Evidence
from diplowatch.ontology import EVENT_TYPES
from diplowatch.state import NONE, STATE_FACETS, recognizers, relation_state
from diplowatch.store import KnowledgeBase, StoredEvent

RUS = Actor("RUS", "Russia", "state", "RUS")
CHN = Actor("CHN", "China", "state", "CHN")
UZB = Actor("UZB", "Uzbekistan", "state", "UZB")
PAK = Actor("PAK", "Pakistan", "state", "PAK")
KAZ = Actor("KAZ", "Kazakhstan", "state", "KAZ")
USA = Actor("USA", "United States", "state", "USA")
UKR = Actor("UKR", "Ukraine", "state", "UKR")
RUS_MFA = Actor("RUS:mfa", "Russian Foreign Ministry", "body", "RUS")
AFG = Actor("AFG", "Afghanistan", "state", "AFG")
TALIBAN_GOV = Actor("AFG:taliban", "Taliban-led government of Afghanistan", "government", "AFG")
TALIBAN_ORG = Actor("ORG:taliban", "Taliban", "organization", "AFG")

_ids = itertools.count()


def ev(kind: str, source: Actor | None, target: Actor | None, date: str | None,
       published: str | None = None, *, polarity: str = "asserted", doc: str | None = None,
       plain: bool = False) -> Event:
    """An event as the store returns it (``StoredEvent``), or a plain ``Event``."""
    n = next(_ids)
    precision = {4: "year", 7: "month", 10: "day"}.get(len(date or ""))
    et = EVENT_TYPES[kind]
    fields = dict(id=f"ev_{n:04d}", doc=doc or f"a_{n:04d}", event=kind, source=source, target=target,
                  polarity=polarity, date=date, date_precision=precision, cameo=et.cameo,
                  plover=et.plover, evidence=Evidence(f"sentence {n}", 0, 10))
    if plain:
        return Event(**fields)
    return StoredEvent(**fields, published=dt.date.fromisoformat(published) if published else None,
                       url=f"https://news.example/{n}")


def test_recognition_withdrawal_rerecognition_periods():
    events = [
        ev("recognize_government", RUS, TALIBAN_GOV, "2025-07-03", "2025-07-04"),
        ev("recognize_government", RUS_MFA, TALIBAN_GOV, "2025-07-03", "2025-07-05"),  # second report
        ev("withdraw_recognition", RUS, TALIBAN_GOV, "2026-02-10", "2026-02-10"),
        ev("recognize_government", RUS, TALIBAN_GOV, "2026-06", "2026-06-20"),
    ]
    status = relation_state(list(reversed(events)), "AFG")  # input order does not matter
    rec = status.observer("RUS").recognition
    assert [(p.value, p.since, p.until) for p in rec.periods] == [
        ("recognized", "2025-07-03", "2026-02-10"),
        ("withdrawn", "2026-02-10", "2026-06-01"),
        ("recognized", "2026-06-01", None),
    ]
    assert rec.value == "recognized" and rec.since == "2026-06-01"
    assert [s.event_id for s in rec.periods[0].events] == [events[0].id, events[1].id]
    assert rec.periods[0].first_reported == "2025-07-04"
    assert rec.events[0].url == events[3].url and rec.events[0].date == "2026-06"

    mid = relation_state(events, "AFG", as_of=dt.date(2026, 3, 1)).observer("RUS").recognition
    assert mid.value == "withdrawn" and mid.since == "2026-02-10"
    assert [r.observer for r in recognizers(relation_state(events, "AFG", "2026-03-01"))] == []
    assert [r.value for r in recognizers(relation_state(events, "AFG", "2026-03-01"),
                                         include_withdrawn=True)] == ["withdrawn"]
    # a re-recognised observer is ordered by its very first recognition
    (rus,) = recognizers(status)
    assert rus.first.event_id == events[0].id and rus.since == "2026-06-01"


def test_as_of_before_and_after():
    events = [ev("recognize_government", RUS, TALIBAN_GOV, "2025-07-03", "2025-07-04")]
    assert relation_state(events, "AFG", as_of=dt.date(2025, 7, 2)).observers == {}
    assert relation_state(events, "AFG", as_of=dt.date(2025, 7, 2)).observer("RUS").recognition.value == NONE
    on_day = relation_state(events, "AFG", as_of="2025-07-03")
    assert on_day.as_of == "2025-07-03"
    assert on_day.observer("RUS").recognition.value == "recognized"
    assert relation_state(events, "AFG").as_of is None
    with pytest.raises(ValueError, match="as_of"):
        relation_state(events, "AFG", as_of="July 2025")
    with pytest.raises(ValueError, match="target"):
        relation_state(events, " ")


def test_year_and_month_precision_count_from_first_day():
    events = [ev("open_embassy", PAK, TALIBAN_GOV, "2024", "2024-05-01"),
              ev("accredit_ambassador", CHN, TALIBAN_GOV, "2024-01", "2024-01-30")]
    status = relation_state(events, "AFG", as_of=dt.date(2024, 1, 1))
    assert status.observer("PAK").mission.value == "open"
    assert status.observer("PAK").mission.since == "2024-01-01"
    assert status.observer("CHN").ambassador.value == "accredited"


def test_undated_event_uses_published_date():
    events = [ev("recognize_government", RUS, TALIBAN_GOV, None, "2025-07-04")]
    assert relation_state(events, "AFG", as_of="2025-07-03").observers == {}
    rec = relation_state(events, "AFG", as_of="2025-07-04").observer("RUS").recognition
    assert rec.value == "recognized" and rec.since == "2025-07-04" and rec.events[0].date is None


def test_negated_and_hypothetical_never_change_state():
    events = [
        ev("recognize_government", None, TALIBAN_GOV, "2025-07-05", "2025-07-05", polarity="negated"),
        ev("recognize_government", KAZ, TALIBAN_GOV, "2025-09", "2025-07-05", polarity="hypothetical"),
        ev("withdraw_recognition", RUS, TALIBAN_GOV, "2025-08-01", "2025-08-01", polarity="hypothetical"),
        ev("recognize_government", RUS, TALIBAN_GOV, "2025-07-03", "2025-07-04"),
        ev("break_relations", UZB, TALIBAN_GOV, "2025-07-06", "2025-07-06", polarity="negated"),
    ]
    status = relation_state(events, "AFG")
    assert status.observer("RUS").recognition.value == "recognized"
    assert [p.value for p in status.observer("RUS").recognition.periods] == ["recognized"]
    assert status.observer("KAZ").recognition.value == NONE
    assert all(f.value == NONE for f in status.observer("UZB").facets.values())
    assert [(s.observer, s.event, s.polarity) for s in status.intentions] == [
        (None, "recognize_government", "negated"),
        ("UZB", "break_relations", "negated"),
        ("RUS", "withdraw_recognition", "hypothetical"),
        ("KAZ", "recognize_government", "hypothetical"),
    ]
    assert [s.event_id for s in status.observer("KAZ").intentions] == [events[1].id]
    assert [r.observer for r in recognizers(status)] == ["RUS"]


def test_accreditation_without_recognition():
    events = [
        ev("accredit_ambassador", CHN, TALIBAN_GOV, "2024-01-30", "2024-01-30"),
        ev("high_level_talks", CHN, TALIBAN_GOV, "2024-03-02", "2024-03-03"),
        ev("praise", CHN, TALIBAN_GOV, "2024-03-02", "2024-03-03"),
        ev("accredit_ambassador", RUS, TALIBAN_GOV, "2025-07-03", "2025-07-04"),
        ev("recognize_government", RUS, TALIBAN_GOV, "2025-07-03", "2025-07-04"),
    ]
    status = relation_state(events, "AFG")
    chn = status.observer("CHN")
    assert chn.ambassador.value == "accredited" and chn.ambassador.since == "2024-01-30"
    assert chn.recognition.value == NONE and chn.recognition.events == ()
    assert chn.relations.value == NONE and chn.mission.value == NONE
    assert [(c.effective, c.published) for c in chn.contacts] == [("2024-03-02", "2024-03-03")]
    assert status.observer("RUS").ambassador.value == "accredited"
    assert [r.observer for r in recognizers(status)] == ["RUS"]


def test_first_first_ordering():
    first = ev("recognize_government", RUS, TALIBAN_GOV, "2025-07-03", "2025-07-04")
    events = [
        ev("recognize_government", PAK, TALIBAN_GOV, None, None),                 # unknown: last
        ev("recognize_government", UZB, TALIBAN_GOV, "2025-07-03", "2025-07-06"),  # same day, later report
        ev("recognize_government", KAZ, TALIBAN_GOV, "2025-08", "2025-08-20"),
        ev("recognize_government", CHN, TALIBAN_GOV, None, "2025-07-10", plain=False),
        ev("recognize_government", RUS, TALIBAN_GOV, "2025-07-04", "2025-07-03"),  # RUS, again
        first,
    ]
    status = relation_state(events, "AFG")
    order = recognizers(status)
    assert [r.observer for r in order] == ["RUS", "UZB", "CHN", "KAZ", "PAK"]
    assert order[0].first.event_id == first.id  # who was first, and the report that says so
    assert order[0].first_reported == "2025-07-03"
    assert [s.event_id for s in status.undated] == [events[0].id]
    # with an as_of, an event of unknown date cannot be placed: left out of the state
    assert "PAK" not in relation_state(events, "AFG", as_of="2030-01-01").observers


def test_plain_events_without_published():
    events = [ev("recognize_government", RUS, TALIBAN_GOV, "2025-07-03", plain=True),
              ev("recognize_government", UZB, TALIBAN_GOV, None, plain=True)]
    status = relation_state(events, "AFG")
    assert [r.observer for r in recognizers(status)] == ["RUS", "UZB"]
    assert recognizers(status)[0].first.published is None and recognizers(status)[0].first.url is None


def test_designation_listed_then_delisted():
    events = [
        ev("designate_organization", RUS, TALIBAN_ORG, "2003-02-14", "2003-02-15"),
        ev("delist_organization", RUS, TALIBAN_ORG, "2025-04-17", "2025-04-17"),
        ev("designate_organization", KAZ, TALIBAN_ORG, "2005", "2005-03-01"),
        ev("delist_organization", KAZ, TALIBAN_ORG, "2023-12-29", "2023-12-29"),
    ]
    status = relation_state(events, "AFG")
    rus = status.observer("RUS").designations["ORG:taliban"]
    assert [(p.value, p.since, p.until) for p in rus.periods] == [
        ("listed", "2003-02-14", "2025-04-17"), ("delisted", "2025-04-17", None)]
    assert rus.value == "delisted" and rus.first_reported == "2025-04-17"
    then = relation_state(events, "AFG", as_of="2010-01-01")
    assert then.observer("RUS").designations["ORG:taliban"].value == "listed"
    assert then.observer("KAZ").designations["ORG:taliban"].since == "2005-01-01"
    # a designation is not recognition
    assert status.observer("RUS").recognition.value == NONE
    # asking about the government alone leaves the organisation out
    assert relation_state(events, "AFG:taliban").observers == {}
    assert set(relation_state(events, "ORG:taliban").observers) == {"KAZ", "RUS"}


def test_mutual_relations_count_both_ways():
    events = [
        ev("establish_relations", TALIBAN_GOV, UZB, "2022-01-10", "2022-01-10"),  # coded AFG -> UZB
        ev("break_relations", USA, AFG, "2021-08-31", "2021-09-01"),
        ev("restore_relations", AFG, USA, "2026-01-05", "2026-01-05"),          # coded AFG -> USA
        ev("recognize_government", TALIBAN_GOV, UZB, "2022-01-10", "2022-01-10"),  # not mutual
        ev("high_level_talks", TALIBAN_GOV, RUS, "2024-05-01", "2024-05-02"),     # visit to Moscow
        ev("establish_relations", UKR, PAK, "2022-01-10", "2022-01-10"),         # other dyad
    ]
    status = relation_state(events, "AFG")
    assert set(status.observers) == {"UZB", "USA", "RUS"}
    assert status.observer("UZB").relations.value == "established"
    assert status.observer("UZB").recognition.value == NONE
    usa = status.observer("USA").relations
    assert [(p.value, p.since) for p in usa.periods] == [("broken", "2021-08-31"), ("established", "2026-01-05")]
    assert usa.events[0].source_id == "AFG" and usa.events[0].observer == "USA"
    assert [c.source_id for c in status.observer("RUS").contacts] == ["AFG:taliban"]


def test_shapes_and_json():
    events = [ev("recognize_government", RUS, TALIBAN_GOV, "2025-07-03", "2025-07-04"),
              ev("recognize_government", KAZ, TALIBAN_GOV, "2025-09", "2025-07-05", polarity="hypothetical")]
    status = relation_state(events, "AFG")
    assert set(status.observer("RUS").facets) == set(STATE_FACETS)
    assert set(STATE_FACETS) == {"recognition", "relations", "ambassador", "own_ambassador",
                                 "mission", "sanctions"}
    data = json.loads(json.dumps(status.to_dict()))
    rec = data["observers"]["RUS"]["facets"]["recognition"]
    assert rec["value"] == "recognized" and rec["events"][0]["published"] == "2025-07-04"
    assert data["intentions"][0]["observer"] == "KAZ"


def test_fold_over_the_store(kb_url):
    """What the CLI does: store, read back, fold (on SQLite and on PostgreSQL)."""
    text = "Russia recognised the Taliban government."
    with KnowledgeBase(kb_url) as kb:
        for doc, published, date in (("a_late", dt.date(2025, 7, 9), None), ("a_early", dt.date(2025, 7, 4), None)):
            e = Event(id=f"ev_{doc}", doc=doc, event="recognize_government", source=RUS, target=TALIBAN_GOV,
                      polarity="asserted", date=date, date_precision=None, cameo="054", plover="SUPPORT",
                      evidence=Evidence(text, 0, len(text)))
            kb.add(Article(id=doc, text=text, url=f"https://news.example/{doc}", published=published), [e])
        status = relation_state(kb.events(target_state="AFG"), "AFG")
    (rus,) = recognizers(status)
    assert rus.first.doc == "a_early" and rus.first.url == "https://news.example/a_early"
    assert rus.since == "2025-07-04" and rus.first_reported == "2025-07-04"
    assert [s.doc for s in rus.events] == ["a_early", "a_late"]
