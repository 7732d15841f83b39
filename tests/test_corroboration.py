"""Article identity, near-duplicates, corroboration and quarantine (issue 4; DESIGN §5, RELIABILITY "Store").

Fast: events are built by hand, no spaCy. Every store test runs on SQLite and,
when ``$DIPLOWATCH_TEST_PG_URL`` is set, on PostgreSQL (``kb_url`` in conftest).
"""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from sqlalchemy import create_engine, text, update
from typer.testing import CliRunner

import diplowatch.cli as cli
from diplowatch.errors import StoreError
from diplowatch.model import Actor, Article, Event, Evidence, event_id
from diplowatch.ontology import EVENT_TYPES
from diplowatch.store import KnowledgeBase
from diplowatch.store.corroborate import canonical_url, content_key
from diplowatch.store.schema import REAL_EVENTS
from diplowatch.store.neardup import shingles, signature, similarity

RUS = Actor("RUS", "Russia", "state", "RUS")
RUS_MFA = Actor("RUS:mfa", "Russian Foreign Ministry", "body", "RUS")
CHN = Actor("CHN", "China", "state", "CHN")
UZB = Actor("UZB", "Uzbekistan", "state", "UZB")
AFG = Actor("AFG", "Afghanistan", "state", "AFG")
TALIBAN_GOV = Actor("AFG:taliban", "Taliban-led government of Afghanistan", "government", "AFG")


def wire_story(seed: int = 1, words: int = 300) -> str:
    """A long story of varied words (each 5-word shingle distinct)."""
    rng = random.Random(seed)
    vocab = [f"w{n}" for n in range(5000)]
    body = " ".join(rng.choice(vocab) for _ in range(words))
    return "Russia recognised the Taliban government. " + body + "."


def article(doc: str, published: str | None, *, text: str | None = None, url: str | None = "auto",
            ) -> Article:
    return Article(id=doc, text=text if text is not None else f"Report {doc}: " + wire_story(hash(doc) % 997),
                   url=f"https://news.example/{doc}" if url == "auto" else url,
                   published=dt.date.fromisoformat(published) if published else None)


def report(art: Article, kind: str = "recognize_government", source: Actor | None = RUS,
           target: Actor | None = TALIBAN_GOV, date: str | None = None, *, polarity: str = "asserted",
           start: int = 0, end: int = 10) -> Event:
    et = EVENT_TYPES[kind]
    precision = {4: "year", 7: "month", 10: "day"}.get(len(date or ""))
    return Event(id=event_id(art.id, "rules/1", start, end, kind, source.id if source else None,
                             target.id if target else None),
                 doc=art.id, event=kind, source=source, target=target, polarity=polarity, date=date,
                 date_precision=precision, cameo=et.cameo, plover=et.plover,
                 evidence=Evidence(art.content[start:end], start, end))


@pytest.fixture
def kb(kb_url):
    with KnowledgeBase(kb_url) as store:
        yield store


# --------------------------------------------------------------------------- identity


def test_canonical_url():
    assert canonical_url("HTTPS://News.Example:443/a/b/?utm_source=x&id=3#top") == "https://news.example/a/b?id=3"
    assert canonical_url("http://news.example:8080/") == "http://news.example:8080"
    assert canonical_url("  ") is None and canonical_url(None) is None


def test_same_article_under_another_doc_id_adds_nothing(kb):
    a = article("a_one", "2025-07-04", url="https://news.example/story")
    assert kb.add(a, [report(a, date="2025-07-03")]) is True
    before = kb.counts(), kb.real_events()
    # same canonical URL (tracking parameter, trailing slash), other doc id, other text
    b = article("a_two", "2025-07-05", url="https://NEWS.example/story/?utm_campaign=feed")
    assert content_key(a) == content_key(b)
    assert kb.is_stored(b)
    assert kb.add(b, [report(b, date="2025-07-03")]) is False
    # same text without URL: keyed by its normalised text
    c = Article(id="a_three", text="Kabul  said so.\n", published=dt.date(2025, 7, 6))
    d = Article(id="a_four", text="kabul said so.", published=dt.date(2025, 7, 6))
    assert kb.add(c, []) is True and kb.add(d, []) is False
    assert kb.counts()["articles"] == before[0]["articles"] + 1
    assert kb.counts()["events"] == before[0]["events"]
    assert kb.real_events() == before[1]
    assert not kb.has_article("a_two")


# --------------------------------------------------------------------------- corroboration


def test_two_reports_three_days_apart_are_one_real_event(kb):
    a = article("a_first", "2025-07-04")
    b = article("a_second", "2025-07-06")
    kb.add(a, [report(a, date="2025-07-03")])
    kb.add(b, [report(b, source=RUS_MFA, date=None)])  # undated: counts at its publication date
    (real,) = kb.real_events()
    assert (real.event, real.source, real.target, real.polarity) == \
        ("recognize_government", "RUS", "AFG", "asserted")
    assert (real.n_reports, real.n_sources) == (2, 2)
    assert (real.first_date, real.last_date) == ("2025-07-03", "2025-07-06")
    assert len(real.event_ids) == 2
    assert kb.recount_real_events() == 0


def test_ten_days_apart_are_two_real_events(kb):
    a = article("a_first", "2025-07-04")
    b = article("a_later", "2025-07-14")
    kb.add(a, [report(a, date="2025-07-03")])
    kb.add(b, [report(b, date="2025-07-13")])
    got = kb.real_events(event="recognize_government")
    assert [(r.first_date, r.last_date, r.n_reports, r.n_sources) for r in got] == [
        ("2025-07-03", "2025-07-03", 1, 1), ("2025-07-13", "2025-07-13", 1, 1)]


def test_span_never_exceeds_the_window(kb):
    """Reports every 5 days do not chain into one ever-growing event."""
    for n, day in enumerate(("2025-07-01", "2025-07-06", "2025-07-11")):
        a = article(f"a_{n}", day)
        kb.add(a, [report(a, date=day)])
    got = kb.real_events()
    assert [(r.first_date, r.last_date) for r in got] == [("2025-07-01", "2025-07-06"),
                                                           ("2025-07-11", "2025-07-11")]


def test_window_is_configurable(kb_url):
    with pytest.raises(StoreError, match="window_days"):
        KnowledgeBase(kb_url, window_days=-1)
    with KnowledgeBase(kb_url, window_days=1) as kb:
        a, b = article("a_first", "2025-07-04"), article("a_second", "2025-07-06")
        kb.add(a, [report(a, date="2025-07-03")])
        kb.add(b, [report(b, date="2025-07-06")])
        assert len(kb.real_events()) == 2


def test_near_duplicate_wire_copy_is_one_source(kb):
    story = wire_story(7)
    a = article("a_wire", "2025-07-04", text="Reuters. All rights reserved.\n" + story)
    b = article("a_copy", "2025-07-04",
                text="Daily Example — subscribe to our newsletter today!\n" + story + "\nRead more: world news.")
    c = article("a_other", "2025-07-05")  # an independent report
    assert similarity(signature(a.text), signature(b.text)) >= 0.8
    assert similarity(signature(a.text), signature(c.text)) < 0.5
    kb.add(a, [report(a, date="2025-07-03")])
    kb.add(b, [report(b, date="2025-07-03")])
    root, sim = kb.near_duplicate_of("a_copy")
    assert root == "a_wire" and sim >= 0.8
    assert kb.near_duplicate_of("a_wire") is None
    (real,) = kb.real_events()
    assert (real.n_reports, real.n_sources) == (2, 1)
    kb.add(c, [report(c, date=None)])
    (real,) = kb.real_events()
    assert (real.n_reports, real.n_sources) == (3, 2)
    assert kb.near_duplicate_of("a_other") is None


def test_near_duplicate_of_a_copy_links_to_the_root(kb):
    story = wire_story(11)
    copies = [article(f"a_{n}", "2025-07-04", text=f"Outlet number {n} reports.\n" + story) for n in range(3)]
    for art in copies:
        kb.add(art, [report(art, date="2025-07-03")])
    assert [kb.near_duplicate_of(a.id)[0] if kb.near_duplicate_of(a.id) else None for a in copies] == \
        [None, "a_0", "a_0"]
    (real,) = kb.real_events()
    assert (real.n_reports, real.n_sources) == (3, 1)


def test_near_duplicates_seen_across_two_handles(kb_url):
    """The LSH index of one KnowledgeBase learns what another one stored."""
    story = wire_story(5)
    a = article("a_wire", "2025-07-04", text="Wire.\n" + story)
    b = article("a_copy", "2025-07-04", text="Copy.\n" + story)
    with KnowledgeBase(kb_url) as one, KnowledgeBase(kb_url) as two:
        one.add(Article(id="a_warm", text="warm up the index of the first handle"), [])
        two.add(a, [])
        one.add(b, [])
        assert one.near_duplicate_of("a_copy")[0] == "a_wire"


def test_mutual_events_merge_across_direction(kb):
    a, b = article("a_one", "2025-03-01"), article("a_two", "2025-03-02")
    kb.add(a, [report(a, "establish_relations", AFG, UZB, "2025-03-01")])
    kb.add(b, [report(b, "establish_relations", UZB, AFG, "2025-03-02")])
    (real,) = kb.real_events()
    assert (real.source, real.target, real.n_reports, real.n_sources) == ("AFG", "UZB", 2, 2)
    # a directed event does not merge across direction
    c, d = article("a_three", "2025-03-01"), article("a_four", "2025-03-01")
    kb.add(c, [report(c, "praise", AFG, UZB, "2025-03-01")])
    kb.add(d, [report(d, "praise", UZB, AFG, "2025-03-01")])
    assert len(kb.real_events(event="praise")) == 2


def test_negated_and_hypothetical_never_merge_with_asserted(kb):
    for n, pol in enumerate(("asserted", "negated", "hypothetical", "asserted")):
        a = article(f"a_{n}", "2025-07-04")
        kb.add(a, [report(a, date="2025-07-03", polarity=pol)])
    got = {r.polarity: r for r in kb.real_events()}
    assert set(got) == {"asserted", "negated", "hypothetical"}
    assert got["asserted"].n_reports == 2
    assert got["negated"].n_reports == got["hypothetical"].n_reports == 1


def test_undated_reports_share_one_undated_event(kb):
    for n in range(2):
        a = article(f"a_{n}", None)
        kb.add(a, [report(a, date=None)])
    (real,) = kb.real_events()
    assert (real.first_date, real.last_date, real.n_reports) == (None, None, 2)


def test_two_reports_in_one_article_are_one_source(kb):
    a = article("a_one", "2025-07-04")
    kb.add(a, [report(a, date="2025-07-03"), report(a, date="2025-07-03", start=11, end=20)])
    (real,) = kb.real_events()
    assert (real.n_reports, real.n_sources) == (2, 1)


def test_aggregates_are_recomputed_not_incremented(kb):
    for n in range(3):
        a = article(f"a_{n}", f"2025-07-0{n + 1}")
        kb.add(a, [report(a, date=None)])
    (real,) = kb.real_events()
    assert kb.recount_real_events() == 0
    with kb._engine.begin() as conn:
        conn.execute(update(REAL_EVENTS).values(n_sources=99, last_date="1999-01-01"))
    assert kb.recount_real_events() == 1
    assert kb.real_events() == [real]


def test_real_events_filters_and_timeline_links(kb):
    a = article("a_one", "2025-07-04")
    kb.add(a, [report(a, date="2025-07-03"), report(a, "accredit_ambassador", CHN, TALIBAN_GOV, "2024-01-30")])
    assert [r.event for r in kb.real_events(party="CHN")] == ["accredit_ambassador"]
    assert [r.event for r in kb.real_events(since="2025-01-01")] == ["recognize_government"]
    assert [r.event for r in kb.real_events(until="2025-01-01")] == ["accredit_ambassador"]
    assert kb.real_events(polarity="negated") == []
    with pytest.raises(ValueError):
        kb.real_events(since="July")
    tl = kb.timeline("AFG")
    assert [t.event.event for t in tl] == ["accredit_ambassador", "recognize_government"]
    assert all(t.real_event is not None and t.real_event.n_sources == 1 for t in tl)


def test_store_failure_leaves_no_links(kb):
    a = article("a_bad", "2025-07-04")
    broken = report(a, "praise", RUS, TALIBAN_GOV, "2025-07-03")
    broken = Event(**{**{f: getattr(broken, f) for f in broken.__dataclass_fields__}, "cameo": None})
    with pytest.raises(StoreError):
        kb.add(a, [report(a, date="2025-07-03"), broken])
    assert kb.real_events() == [] and kb.counts()["articles"] == 0
    assert kb.near_duplicate_of("a_bad") is None


# --------------------------------------------------------------------------- quarantine


def test_quarantine_keeps_any_record(kb):
    bad = Article(id="a_surrogate", text="Kabul \ud83d said", url="https://news.example/\udcff")
    with pytest.raises(StoreError, match="surrogate") as err:
        kb.add(bad, [])
    qid = kb.quarantine("corpus.jsonl", str(err.value), bad, line=2)
    kb.quarantine("odd \udc80 name.txt", "reason with \ud800 in it")
    first, second = kb.quarantined()
    assert first.id == qid and first.source == "corpus.jsonl" and first.line == 2
    assert "surrogate" in first.reason
    assert first.raw.isascii()
    assert json.loads(first.raw)["text"] == "Kabul \ud83d said"
    assert second.raw is None and second.line is None
    assert second.source == "odd \\udc80 name.txt" and second.reason == "reason with \\ud800 in it"
    dt.datetime.fromisoformat(first.created_at)


class FakeExtractor:
    """Stands in for the spaCy extractor: one recognition per article."""

    def extract(self, art: Article) -> list[Event]:
        return [report(art, date=None)]


def test_cli_ingest_quarantines_and_goes_on(kb_url, tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "_extractor", lambda: FakeExtractor())
    good = {"id": "g1", "url": "https://news.example/g1", "published": "2025-07-04",
            "text": "Russia recognised the Taliban government on Thursday."}
    lines = [json.dumps(good),
             '{"id": "s1", "published": "2025-07-04", "text": "Moscow \\ud83d praised Kabul."}',
             "this is not json",
             json.dumps({"id": "g2", "url": "https://news.example/g2", "published": "2025-07-05",
                         "text": "Moscow became the first capital to recognise the Taliban."}),
             json.dumps({**good, "id": "g1-again"})]  # same URL under another id
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["ingest", str(corpus), "--db", kb_url, "--window", "3"])
    assert result.exit_code == 1, result.output
    assert "quarantined 2" in result.stdout and "2 new" in result.stdout and "1 already stored" in result.stdout
    assert "surrogate" in result.stderr and "not valid JSON" in result.stderr
    with KnowledgeBase(kb_url) as kb:
        assert kb.counts()["articles"] == 2
        q = kb.quarantined()
        # the reader refuses the lone surrogate (file and line), before the store sees it
        assert [(r.source, r.line) for r in q] == [(str(corpus), 2), (str(corpus), 3)]
        assert "lone surrogate \\ud83d at offset 7" in q[0].reason
        assert "not valid JSON" in q[1].reason
        (real,) = kb.real_events()
        assert (real.n_reports, real.n_sources, real.first_date, real.last_date) == \
            (2, 2, "2025-07-04", "2025-07-05")
    again = CliRunner().invoke(cli.app, ["ingest", str(corpus), "--db", kb_url])
    assert "0 new" in again.stdout and "3 already stored" in again.stdout


# --------------------------------------------------------------------------- migration from 0001


def test_upgrade_from_0001_backfills(kb_url):
    """A database made by revision 0001 gets content keys, signatures and real-world events."""
    from alembic import command
    from alembic.config import Config

    from diplowatch.store.opening import MIGRATIONS

    url = kb_url
    engine = create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    story = wire_story(3)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        for n, (url_, txt, pub) in enumerate((("https://x.example/1", "Wire.\n" + story, "2025-07-04"),
                                              ("https://x.example/1/", "Other text", "2025-07-05"),
                                              (None, "Copy.\n" + story, "2025-07-05"))):
            conn.execute(text("INSERT INTO articles (id, url, published, text, ingested_at) "
                              "VALUES (:id, :url, :p, :t, :at)"),
                         {"id": f"a_{n}", "url": url_, "p": pub, "t": txt, "at": f"2025-07-0{n + 1}T00:00:00"})
        conn.execute(text("INSERT INTO actors VALUES ('RUS', 'Russia', 'state', 'RUS'), "
                          "('AFG:taliban', 'Taliban', 'government', 'AFG')"))
        for n in range(3):
            conn.execute(text("INSERT INTO events (id, doc, event, source_id, target_id, polarity, date, cameo, "
                              "plover, evidence_text, evidence_start, evidence_end, confidence, extractor) VALUES "
                              "(:id, :doc, 'recognize_government', 'RUS', 'AFG:taliban', 'asserted', NULL, "
                              "'054', 'SUPPORT', 'x', 0, 1, 0.9, 'rules/1')"), {"id": f"ev_{n}", "doc": f"a_{n}"})
    engine.dispose()
    with KnowledgeBase(url) as kb:
        (real,) = kb.real_events()
        assert (real.n_reports, real.n_sources, real.first_date, real.last_date) == \
            (3, 2, "2025-07-04", "2025-07-05")
        assert kb.near_duplicate_of("a_2")[0] == "a_0"
        with kb._engine.connect() as conn:
            keys = conn.execute(text("SELECT content_key FROM articles ORDER BY id")).scalars().all()
        assert all(keys) and len(set(keys)) == 3  # the duplicate URL keeps its row under its own key
        dup = Article(id="a_new", text="again", url="https://x.example/1")
        assert kb.add(dup, []) is False


def test_shingles():
    assert shingles("One two three four five six") == {"one two three four five", "two three four five six"}
    assert shingles("Too short") == {"too short"}
    assert shingles("  ...  ") == set() and signature("") is None
