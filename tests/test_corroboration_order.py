"""Real-world events are a function of the stored reports: the order of ingestion and the writers do not matter.

The same articles ingested forwards, in reverse, shuffled and by three
concurrent writers give the same real-world events row for row (RELIABILITY.md
"Input", issue 13), and the same ``min_sources`` alerts. Fast: events are
built by hand, no spaCy. SQLite always; PostgreSQL when
``$DIPLOWATCH_TEST_PG_URL`` is set (``kb_url``).
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import uuid

import pytest
from sqlalchemy import select, update

from diplowatch.alerts import Rule, add_rule, list_alerts
from diplowatch.model import Actor, Article, Event, Evidence, event_id
from diplowatch.ontology import EVENT_TYPES
from diplowatch.store import KnowledgeBase
from diplowatch.store.corroborate import refresh_real_events, regroup, windows
from diplowatch.store.schema import REAL_EVENTS, REPORTS
from diplowatch.write import Writer

RUS = Actor("RUS", "Russia", "state", "RUS")
CHN = Actor("CHN", "China", "state", "CHN")
UZB = Actor("UZB", "Uzbekistan", "state", "UZB")
QAT = Actor("QAT", "Qatar", "state", "QAT")
TALIBAN_GOV = Actor("AFG:taliban", "Taliban-led government of Afghanistan", "government", "AFG")
AFG = Actor("AFG", "Afghanistan", "state", "AFG")

# (event type, source, target): a few keys, so that many reports share one
KEYS = [("recognize_government", RUS, TALIBAN_GOV), ("high_level_talks", CHN, TALIBAN_GOV),
        ("establish_relations", UZB, AFG), ("establish_relations", AFG, UZB), ("praise", QAT, TALIBAN_GOV)]


def _story(rng: random.Random, n: int) -> str:
    words = " ".join(f"w{rng.randrange(20000)}" for _ in range(120))
    return f"Dispatch {n} from the region. {words}."


def corpus(n: int = 90, seed: int = 13) -> list[tuple[Article, list[Event]]]:
    """``n`` articles over 60 days, each with 1-3 reports of the keys above; some wire copies; some undated."""
    rng = random.Random(seed)
    base = dt.date(2025, 6, 1)
    out: list[tuple[Article, list[Event]]] = []
    for i in range(n):
        published = base + dt.timedelta(days=rng.randrange(60))
        if i % 9 == 4 and out:  # a wire copy of an earlier story, with other boilerplate
            text = f"Syndicated by outlet {i}.\n" + out[-1][0].text.split("\n", 1)[-1]
        else:
            text = f"Report {i}.\n" + _story(rng, i)
        art = Article(id=f"d{i:03d}", text=text, url=f"https://news{i % 7}.example/{i}",
                      published=None if i % 17 == 3 else published)
        events = []
        for k in rng.sample(range(len(KEYS)), rng.randint(1, 3)):
            kind, src, tgt = KEYS[k]
            date = None if rng.random() < 0.3 else (published - dt.timedelta(days=rng.randrange(3))).isoformat()
            polarity = "negated" if rng.random() < 0.1 else "asserted"
            et = EVENT_TYPES[kind]
            start = 7 * len(events)
            events.append(Event(
                id=event_id(art.id, "test/1", start, start + 6, kind, src.id, tgt.id), doc=art.id, event=kind,
                source=src, target=tgt, polarity=polarity, date=date, date_precision="day" if date else None,
                cameo=et.cameo, plover=et.plover, evidence=Evidence(art.text[start:start + 6], start, start + 6),
                confidence=0.9, extractor="test/1"))
        out.append((art, events))
    return out


def rows(kb: KnowledgeBase) -> list[tuple]:
    """Every real-world event without its id (ids are a matter of insertion history), sorted."""
    return sorted((r.event, r.source, r.target, r.polarity, r.first_date or "", r.last_date or "", r.n_reports,
                   r.n_sources, tuple(sorted(r.event_ids))) for r in kb.real_events())


def _rule(kb: KnowledgeBase) -> None:
    add_rule(kb, Rule("two-sources", "recognize_government", ("stdout",), target="AFG", min_sources=2))
    add_rule(kb, Rule("uzb-afg", "establish_relations", ("stdout",), min_sources=3))


def _ingest(kb: KnowledgeBase, items: list[tuple[Article, list[Event]]]) -> None:
    writer = Writer(kb, deliver=False)
    for art, evs in items:
        writer.add(art, evs)


def _outcome(url: str) -> tuple[list[tuple], set[str], dict[str, int]]:
    with KnowledgeBase(url) as kb:
        assert kb.recount_real_events() == 0
        return rows(kb), {a.id for a in list_alerts(kb)}, kb.counts()


def _fresh(url_of, name: str) -> str:
    url = url_of(name)
    with KnowledgeBase(url) as kb:
        _rule(kb)
    return url


@pytest.fixture
def url_of(kb_url, tmp_path, request):
    """Fresh knowledge-base URLs on the backend of ``kb_url``: SQLite files, or PostgreSQL schemas."""
    if kb_url.startswith("sqlite"):
        return lambda name: f"sqlite:///{tmp_path / (name + '.db')}"
    server = request.getfixturevalue("pg_server")

    def pg(name: str) -> str:
        schema = f"dw_test_{uuid.uuid4().hex[:12]}"
        with server.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')

        def drop() -> None:
            with server.connect() as conn:
                conn.exec_driver_sql("SET lock_timeout = '30s'")
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')

        request.addfinalizer(drop)
        return server.url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    return pg


def test_windows_are_anchored_on_sorted_dates():
    pairs = [("2025-07-11", "c"), ("2025-07-01", "a"), ("2025-07-06", "b"), ("2025-07-08", "d"),
             ("2025-07-09", "e")]
    assert windows(pairs, 7) == [["a", "b", "d"], ["e", "c"]]
    assert windows(list(reversed(pairs)), 7) == windows(pairs, 7)
    assert windows(pairs, 0) == [["a"], ["b"], ["d"], ["e"], ["c"]]
    assert windows([], 7) == []


def test_same_articles_in_any_order_give_the_same_real_events(url_of):
    items = corpus()
    shuffled = items[:]
    random.Random(5).shuffle(shuffled)
    outcomes = {}
    for name, order in (("forwards", items), ("reverse", items[::-1]), ("shuffled", shuffled)):
        url = _fresh(url_of, name)
        with KnowledgeBase(url) as kb:
            _ingest(kb, order)
        outcomes[name] = _outcome(url)

    url = _fresh(url_of, "concurrent")
    barrier = threading.Barrier(3)
    failures: list[BaseException] = []

    def write(part: list[tuple[Article, list[Event]]]) -> None:
        try:
            with KnowledgeBase(url) as kb:
                barrier.wait(10)
                _ingest(kb, part)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(shuffled[i::3],)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not failures, failures
    outcomes["concurrent"] = _outcome(url)

    forwards = outcomes["forwards"]
    assert len(forwards[0]) > 20 and any(r[6] > 2 for r in forwards[0])  # the corpus corroborates
    assert forwards[1], "the corpus fires min_sources alerts"
    for name, got in outcomes.items():
        assert got[2] == forwards[2], name  # articles, events
        assert got[0] == forwards[0], f"{name}: {len(set(got[0]) ^ set(forwards[0]))} rows differ"
        assert got[1] == forwards[1], f"{name}: other alerts"


def test_an_early_report_regroups_later_windows(url_of):
    """Reports on days 5 and 10 are one event; a report on day 0 makes them {0, 5} and {10}, as in date order."""
    url = _fresh(url_of, "early")

    def one(doc: str, day: int) -> tuple[Article, list[Event]]:
        art = Article(id=doc, text=f"Moscow recognised them, says {doc}.", url=f"https://n.example/{doc}",
                      published=dt.date(2025, 7, 1) + dt.timedelta(days=day))
        et = EVENT_TYPES["recognize_government"]
        ev = Event(id=event_id(doc, "test/1", 0, 6, "recognize_government", "RUS", "AFG:taliban"), doc=doc,
                   event="recognize_government", source=RUS, target=TALIBAN_GOV, polarity="asserted",
                   date=None, date_precision=None, cameo=et.cameo, plover=et.plover,
                   evidence=Evidence(art.text[:6], 0, 6))
        return art, [ev]

    items = [one("d5", 5), one("d10", 10), one("d0", 0)]
    with KnowledgeBase(url) as kb:
        _ingest(kb, items[:2])
        assert [(r.first_date, r.last_date, r.n_sources) for r in sorted(kb.real_events(),
                key=lambda r: r.first_date)] == [("2025-07-06", "2025-07-11", 2)]
        _ingest(kb, items[2:])
        got = sorted(kb.real_events(), key=lambda r: r.first_date)
        assert [(r.first_date, r.last_date, r.n_sources) for r in got] == [
            ("2025-07-01", "2025-07-06", 2), ("2025-07-11", "2025-07-11", 1)]
        assert kb.recount_real_events() == 0


def test_regroup_repairs_an_order_dependent_grouping(url_of):
    """A store grouped by the old first-come rule is brought to the grouping of its reports."""
    items = corpus(40, seed=3)
    url = _fresh(url_of, "repair")
    with KnowledgeBase(url) as kb:
        _ingest(kb, items)
        want = rows(kb)
        # chain each key's dated reports into one real event, as a first-come rule could have
        with kb.transaction(lock=True) as conn:
            t = REAL_EVENTS.c
            first: dict[tuple, int] = {}
            for r in conn.execute(select(t.id, t.event, t.source_party, t.target_party, t.polarity)
                                  .where(t.first_date.is_not(None)).order_by(t.id)):
                key = (r.event, r.source_party, r.target_party, r.polarity)
                if key in first:
                    conn.execute(update(REPORTS).where(REPORTS.c.real_event_id == r.id)
                                 .values(real_event_id=first[key]))
                else:
                    first[key] = r.id
            refresh_real_events(conn, conn.execute(select(t.id)).scalars().all())
        assert rows(kb) != want
        with kb.transaction(lock=True) as conn:
            regroup(conn, kb.window_days)
        assert rows(kb) == want
