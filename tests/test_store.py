"""The knowledge base: idempotent, atomic, round-tripping (RELIABILITY.md "Store")."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from diplowatch.errors import StoreError
from diplowatch.model import Actor, Article, Event, Evidence, event_id
from diplowatch.store import KnowledgeBase, StoredEvent, default_db_url
from diplowatch.store.schema import metadata

RUS = Actor("RUS", "Russia", "state", "RUS")
CHN = Actor("CHN", "China", "state", "CHN")
TALIBAN_GOV = Actor("AFG:taliban", "Taliban-led government of Afghanistan", "government", "AFG")
TALIBAN_ORG = Actor("ORG:taliban", "Taliban", "organization", "AFG")
UN = Actor("UN", "United Nations", "body", None)

TEXT = ("Russia recognised the Taliban government on Thursday. "
        "China accepted the credentials of the Afghan ambassador. "
        "No other country has recognised the government.")


def make_event(doc: str, kind: str, source: Actor | None, target: Actor | None, start: int, end: int,
               *, polarity: str = "asserted", date: str | None = "2025-07-03",
               precision: str | None = "day", cameo: str = "054", plover: str = "SUPPORT",
               attribution: str | None = None, confidence: float = 0.9, text: str = TEXT) -> Event:
    return Event(
        id=event_id(doc, "rules/1", start, end, kind, source.id if source else None,
                    target.id if target else None),
        doc=doc, event=kind, source=source, target=target, polarity=polarity, date=date,
        date_precision=precision, cameo=cameo, plover=plover,
        evidence=Evidence(text[start:end], start, end), attribution=attribution,
        confidence=confidence, extractor="rules/1")


def sample(doc: str = "a_seed", published: dt.date | None = dt.date(2025, 7, 4)
           ) -> tuple[Article, list[Event]]:
    art = Article(id=doc, text=TEXT, title="Russia recognises Taliban", url=f"https://news.example/{doc}",
                  published=published, lang="en")
    evs = [
        make_event(doc, "recognize_government", RUS, TALIBAN_GOV, 0, 53,
                   attribution="Russian Foreign Ministry", confidence=0.93),
        make_event(doc, "accredit_ambassador", CHN, TALIBAN_GOV, 54, 111, date="2024-01",
                   precision="month", cameo="050"),
        make_event(doc, "recognize_government", None, TALIBAN_GOV, 112, 160, polarity="negated",
                   date=None, precision=None),
    ]
    return art, evs


@pytest.fixture
def kb(kb_url: str):
    """An empty knowledge base, on SQLite and on PostgreSQL (``kb_url`` in conftest.py)."""
    with KnowledgeBase(kb_url) as store:
        yield store


@pytest.fixture
def sqlite_kb(tmp_path: Path):
    """An empty knowledge base in a SQLite file, for SQLite-only checks."""
    with KnowledgeBase(f"sqlite:///{tmp_path / 'kb.db'}") as store:
        yield store


def test_default_url_uses_env_and_creates_parent(tmp_path, monkeypatch):
    target = tmp_path / "deep" / "er" / "dw.db"
    monkeypatch.setenv("DIPLOWATCH_DB", str(target))
    assert default_db_url() == f"sqlite:///{target}"
    assert target.parent.is_dir()
    monkeypatch.delenv("DIPLOWATCH_DB")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    url = default_db_url()
    assert url == f"sqlite:///{tmp_path / 'home' / '.local/share/diplowatch/diplowatch.db'}"
    assert (tmp_path / "home" / ".local/share/diplowatch").is_dir()
    with KnowledgeBase() as store:  # opens the default file
        assert store.counts() == {"articles": 0, "events": 0, "actors": 0}
    assert (tmp_path / "home" / ".local/share/diplowatch/diplowatch.db").is_file()


def test_sqlite_pragmas(sqlite_kb):
    with sqlite_kb._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == _head()


def _head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from diplowatch.store.opening import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head()


def test_migrations_match_metadata(kb):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with kb._engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_add_is_idempotent(kb):
    art, evs = sample()
    assert kb.add(art, evs) is True
    assert kb.counts() == {"articles": 1, "events": 3, "actors": 3}
    assert kb.add(art, evs) is False
    extra = make_event(art.id, "open_embassy", RUS, TALIBAN_GOV, 0, 20)
    assert kb.add(art, [*evs, extra]) is False  # article known: nothing changes
    assert kb.counts() == {"articles": 1, "events": 3, "actors": 3}
    assert kb.has_article(art.id) and not kb.has_article("a_other")


def test_another_article_under_a_taken_id_is_refused_not_dropped(kb):
    """Two files x/news.txt and y/news.txt both get id "news": the second must not vanish as "already stored"."""
    first = Article(id="news", text="Russia recognised the Taliban government on Thursday.")
    other = Article(id="news", text="China accepted the credentials of the Afghan ambassador.")
    assert kb.add(first, [make_event("news", "recognize_government", RUS, TALIBAN_GOV, 0, 20)]) is True
    with pytest.raises(StoreError, match="news") as err:
        kb.add(other, [make_event("news", "accredit_ambassador", CHN, TALIBAN_GOV, 0, 20)])
    assert "different article" in str(err.value) and "distinct file names or ids" in str(err.value)
    with pytest.raises(StoreError, match="different article"):
        kb.is_stored(other)
    assert kb.counts()["events"] == 1 and kb.article("news").text == first.text
    # the same article again (its id and its text) stays a silent no-op
    assert kb.is_stored(first) and kb.add(first, []) is False


def test_readers_do_not_create_a_missing_sqlite_file(tmp_path):
    missing = tmp_path / "typo" / "kb.db"
    with pytest.raises(StoreError, match="no knowledge base at .*kb.db.*diplowatch ingest"):
        KnowledgeBase(f"sqlite:///{missing}", create=False)
    assert not missing.parent.exists()
    with KnowledgeBase(f"sqlite:///{missing}") as store:  # writers create it
        assert store.counts()["articles"] == 0
    with KnowledgeBase(f"sqlite:///{missing}", create=False) as store:  # and then readers open it
        assert store.counts()["events"] == 0


def test_resolve_db_url_takes_paths_and_urls_like_the_environment(tmp_path, monkeypatch):
    from diplowatch.store.opening import resolve_db_url

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DIPLOWATCH_DB", "env.db")
    assert resolve_db_url("kb.db") == f"sqlite:///{tmp_path / 'kb.db'}"
    assert resolve_db_url("~/kb.db") == f"sqlite:///{tmp_path / 'home' / 'kb.db'}"
    assert resolve_db_url("sqlite:////x/kb.db") == "sqlite:////x/kb.db"
    assert resolve_db_url("postgresql://u@h/db") == "postgresql://u@h/db"
    assert resolve_db_url(None) == resolve_db_url("  ") == default_db_url() == f"sqlite:///{tmp_path / 'env.db'}"
    assert not (tmp_path / "deep").exists() and resolve_db_url("deep/kb.db").endswith("/deep/kb.db")
    assert not (tmp_path / "deep").exists()  # create=False (the default) makes no directory


def _foreign(path: Path, table: str = "invoices") -> bytes:
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    return path.read_bytes()


@pytest.mark.parametrize("create", [False, True])
def test_a_foreign_sqlite_file_is_refused_and_left_as_it_was(tmp_path, create):
    other = tmp_path / "other.db"
    before = _foreign(other)
    with pytest.raises(StoreError, match=r"other\.db is not a diplowatch knowledge base .*invoices"):
        KnowledgeBase(f"sqlite:///{other}", create=create)
    assert other.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["other.db"]


def test_a_schema_revision_of_another_version_is_named(tmp_path):
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    KnowledgeBase(url).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    engine.dispose()
    for create in (False, True):
        with pytest.raises(StoreError, match="schema revision '9999', unknown to this version"):
            KnowledgeBase(url, create=create)


def test_an_empty_sqlite_file_is_no_knowledge_base_for_readers_and_initialised_by_writers(tmp_path):
    empty = tmp_path / "kb.db"
    empty.touch()
    with pytest.raises(StoreError, match="no knowledge base at .*kb.db"):
        KnowledgeBase(f"sqlite:///{empty}", create=False)
    assert empty.stat().st_size == 0
    with KnowledgeBase(f"sqlite:///{empty}") as store:
        assert store.counts()["articles"] == 0


_READ_ONLY_PROBE = """
import os, sys
from diplowatch.errors import StoreError
from diplowatch.store import KnowledgeBase
path = sys.argv[1]
if os.access(os.path.dirname(path), os.W_OK):
    print("WRITABLE")  # the privileges were not dropped: the test cannot run here
    sys.exit(0)
with KnowledgeBase("sqlite:///" + path, create=False) as kb:
    print("counts", kb.counts()["articles"], kb.counts()["events"])
    try:
        kb.quarantine("x", "y")
    except StoreError as exc:
        print("refused", exc)
try:
    KnowledgeBase("sqlite:///" + path)
except StoreError as exc:
    print("writer", exc)
"""


def test_a_read_only_knowledge_base_can_be_queried_and_is_not_written(tmp_path):
    """A current knowledge base in a directory the user cannot write (no -wal/-shm can be made)."""
    import shutil
    import subprocess
    import sys

    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "kb.db"
    with KnowledgeBase(f"sqlite:///{path}") as store:
        store.add(*sample())
    before = path.read_bytes()
    assert sorted(p.name for p in folder.iterdir()) == ["kb.db"]  # checkpointed and closed
    cmd = [sys.executable, "-c", _READ_ONLY_PROBE, str(path)]
    if os.geteuid() == 0:  # root writes anywhere: drop the capabilities that let it
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: cannot make a directory read-only for this test")
        caps = "-dac_override,-dac_read_search,-fowner"
        cmd = [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}", *cmd]
    folder.chmod(0o555)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    finally:
        folder.chmod(0o755)
    if proc.stdout.strip() == "WRITABLE" or "Operation not permitted" in proc.stderr:
        pytest.skip(f"cannot drop the privileges to write a read-only directory here: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "counts 1 3"
    assert lines[1].startswith("refused cannot quarantine a record of x: cannot write to") and "read-only" in lines[1]
    assert lines[2].startswith("writer cannot write to") and "read-only" in lines[2]
    assert path.read_bytes() == before and sorted(p.name for p in folder.iterdir()) == ["kb.db"]


def test_quarantine_is_idempotent(kb):
    first = kb.quarantine("feed.jsonl", "invalid JSON", "{broken", line=2)
    assert kb.quarantine("feed.jsonl", "invalid JSON", "{broken", line=2) == first
    assert kb.quarantine("feed.jsonl", "invalid JSON", "{broken", line=3) != first  # another line
    assert kb.quarantine("feed.jsonl", "not UTF-8", "{broken", line=2) != first  # another reason
    kb.quarantine("doc-1", "cannot store")
    kb.quarantine("doc-1", "cannot store")  # no line, no raw record
    assert [(q.source, q.line, q.reason) for q in kb.quarantined()] == [
        ("feed.jsonl", 2, "invalid JSON"), ("feed.jsonl", 3, "invalid JSON"), ("feed.jsonl", 2, "not UTF-8"),
        ("doc-1", None, "cannot store")]


def test_round_trip(kb):
    art, evs = sample()
    kb.add(art, evs)
    assert kb.article(art.id) == art
    assert kb.article("missing") is None
    got = kb.events()
    # ordered by date (ISO string; undated last), then published, then id
    assert [e.event for e in got] == ["accredit_ambassador", "recognize_government", "recognize_government"]
    assert [e.polarity for e in got] == ["asserted", "asserted", "negated"]
    by_id = {e.id: e for e in got}
    for original in evs:
        stored = by_id[original.id]
        assert isinstance(stored, StoredEvent) and isinstance(stored, Event)
        assert stored.to_dict() == original.to_dict()
        assert stored.published == dt.date(2025, 7, 4)
        assert stored.url == "https://news.example/a_seed"
    assert by_id[evs[0].id].confidence == 0.93
    assert by_id[evs[0].id].attribution == "Russian Foreign Ministry"
    assert by_id[evs[2].id].source is None


def test_article_without_published_or_title(kb):
    art = Article(id="a_plain", text="Plain text.")
    assert kb.add(art, []) is True
    assert kb.article("a_plain") == art
    assert kb.counts() == {"articles": 1, "events": 0, "actors": 0}


def test_filters_and_ordering_across_articles(kb):
    a1, e1 = sample("a_one", dt.date(2025, 7, 5))
    a2, e2 = sample("a_two", dt.date(2025, 7, 4))
    kb.add(a1, e1)
    kb.add(a2, e2)
    rec = kb.events(event="recognize_government", polarity="asserted")
    assert [e.doc for e in rec] == ["a_two", "a_one"]  # same date: earlier publication first
    assert {e.source.id for e in kb.events(source_state="CHN")} == {"CHN"}
    assert len(kb.events(target_state="AFG")) == 6
    assert kb.events(target_state="PAK") == []
    assert len(kb.events(polarity="negated")) == 2
    assert [e.doc for e in kb.events(doc="a_one")] == ["a_one"] * 3
    # actors are shared, not duplicated
    assert kb.counts() == {"articles": 2, "events": 6, "actors": 3}


def test_articles_for(kb):
    art, evs = sample()
    kb.add(art, evs)
    found = kb.articles_for([evs[0].id, evs[1].id, "ev_unknown"])
    assert set(found) == {evs[0].id, evs[1].id}
    assert found[evs[0].id] == art


def test_existing_actor_is_kept(kb):
    art, evs = sample()
    kb.add(art, evs)
    renamed = Actor("RUS", "Russian Federation", "state", "RUS")
    art2 = Article(id="a_two", text=TEXT, published=dt.date(2025, 7, 6))
    kb.add(art2, [make_event("a_two", "open_embassy", renamed, TALIBAN_GOV, 0, 53)])
    assert {e.source.name for e in kb.events(doc="a_two")} == {"Russia"}


def _snapshot(store: KnowledgeBase):
    return store.counts(), [e.to_dict() for e in store.events()]


def test_doc_mismatch_rolls_back(kb):
    art0, evs0 = sample("a_before")
    kb.add(art0, evs0)
    before = _snapshot(kb)
    art, evs = sample("a_new")
    stray = make_event("a_elsewhere", "open_embassy", Actor("PAK", "Pakistan", "state", "PAK"),
                       TALIBAN_GOV, 0, 20)
    with pytest.raises(StoreError) as err:
        kb.add(art, [*evs, stray])
    assert "a_new" in str(err.value) and "a_elsewhere" in str(err.value)
    assert _snapshot(kb) == before
    assert not kb.has_article("a_new")


def test_database_error_mid_transaction_rolls_back(kb):
    """The article and actors are written before the bad event: all must vanish."""
    art, evs = sample("a_bad")
    broken = make_event("a_bad", "open_embassy", Actor("IRN", "Iran", "state", "IRN"), TALIBAN_GOV, 0, 20,
                        cameo=None)  # type: ignore[arg-type]  # NOT NULL violation
    with pytest.raises(StoreError) as err:
        kb.add(art, [*evs, broken])
    assert "a_bad" in str(err.value) and "IntegrityError" in str(err.value)
    assert kb.counts() == {"articles": 0, "events": 0, "actors": 0}
    # the store still works afterwards
    assert kb.add(art, evs) is True


def test_invalid_polarity_refused(kb):
    art, evs = sample("a_pol")
    weird = make_event("a_pol", "praise", RUS, TALIBAN_GOV, 0, 20, polarity="maybe")
    with pytest.raises(StoreError, match="a_pol"):
        kb.add(art, [*evs, weird])
    assert kb.counts()["articles"] == 0


def test_lone_surrogate_refused(kb):
    art0, evs0 = sample("a_good")
    kb.add(art0, evs0)
    before = _snapshot(kb)
    bad = Article(id="a_surrogate", text="Kabul \ud83d said", published=dt.date(2025, 1, 1))
    with pytest.raises(StoreError) as err:
        kb.add(bad, [])
    assert "a_surrogate" in str(err.value) and "surrogate" in str(err.value)
    assert _snapshot(kb) == before
    art, evs = sample("a_surrogate_ev")
    bad_ev = make_event("a_surrogate_ev", "praise", RUS, TALIBAN_GOV, 0, 9, text="Moscow \ud83d praised")
    with pytest.raises(StoreError, match="a_surrogate_ev"):
        kb.add(art, [*evs, bad_ev])
    assert _snapshot(kb) == before


def test_lone_surrogate_refused_by_driver_rolls_back(kb, monkeypatch):
    """Without the up-front check, the driver's own refusal is wrapped and rolled back."""
    monkeypatch.setattr(KnowledgeBase, "_check_unicode", staticmethod(lambda article, events: None))
    art, evs = sample("a_driver")
    bad_ev = make_event("a_driver", "praise", RUS, TALIBAN_GOV, 0, 9, text="Moscow \ud83d praised")
    with pytest.raises(StoreError, match="a_driver"):
        kb.add(art, [*evs, bad_ev])
    assert kb.counts() == {"articles": 0, "events": 0, "actors": 0}


def test_postgresql_url_uses_psycopg3(pg_url):
    plain = pg_url.replace("postgresql+psycopg://", "postgresql://", 1)
    assert plain.startswith("postgresql://")
    with KnowledgeBase(plain) as store:
        assert store.dialect == "postgresql"
        assert store._engine.dialect.driver == "psycopg"
        assert store.counts() == {"articles": 0, "events": 0, "actors": 0}


def test_persists_across_reopen(kb_url, tmp_path):
    url = kb_url.replace("kb.db", "sub/kb.db") if kb_url.startswith("sqlite") else kb_url
    art, evs = sample()
    with KnowledgeBase(url) as store:
        assert store.add(art, evs)
    with KnowledgeBase(url) as store:  # migration is a no-op the second time
        assert store.counts() == {"articles": 1, "events": 3, "actors": 3}
        assert store.add(art, evs) is False
    if not url.startswith("sqlite"):
        return
    # plain SQLite sees a sound file
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    engine.dispose()


def test_in_memory(tmp_path):
    with KnowledgeBase("sqlite://") as store:
        art, evs = sample()
        assert store.add(art, evs) and not store.add(art, evs)
        assert store.counts()["events"] == 3


def test_bad_url():
    with pytest.raises(StoreError, match="invalid database URL"):
        KnowledgeBase("not a url")


def _worker(url: str, n: int, out) -> None:
    with KnowledgeBase(url) as store:
        added = 0
        for i in range(n):
            art, evs = sample(f"a_{i:03d}")
            added += store.add(art, evs)
        out.put(added)


@pytest.mark.parametrize("run", range(3))
def test_two_processes_add_the_same_articles(kb_url, run):
    url = kb_url  # both create the schema at once, too
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, 15, out)) for _ in range(2)]
    for p in procs:
        p.start()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert sum(results) == 15
    with KnowledgeBase(url) as store:
        assert store.counts() == {"articles": 15, "events": 45, "actors": 3}


def test_state_only_events_fold_the_same(kb):
    """``events(state_only=True)`` drops rows, never a change of the relation state."""
    import random

    from diplowatch.ontology import EVENT_TYPES
    from diplowatch.state import recognizers, relation_state

    rng = random.Random(7)
    parties = [RUS, CHN, TALIBAN_GOV, TALIBAN_ORG, UN, Actor("PAK", "Pakistan", "state", "PAK"),
               Actor("AFG", "Afghanistan", "state", "AFG")]
    kinds = sorted(EVENT_TYPES)
    for a in range(30):
        doc = f"a_mix{a:02d}"
        published = None if a % 7 == 0 else dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(2000))
        evs = []
        for k in range(12):
            src = None if rng.random() < 0.1 else rng.choice(parties)
            tgt = rng.choice([p for p in parties if p is not src])
            date = rng.choice([None, "2021", "2022-03", "2023-05-17", "0000-00-00"])
            evs.append(make_event(doc, rng.choice(kinds + ["praise", "criticize"] * 4), src, tgt, k, k + 1,
                                  polarity=rng.choice(["asserted"] * 4 + ["negated", "hypothetical"]),
                                  date=date, precision=None))
        kb.add(Article(id=doc, text=TEXT, url=f"https://news.example/{doc}", published=published), evs)
    for target in ("AFG", "PAK", "RUS"):
        everything = kb.events(target_state=target)
        needed = kb.events(target_state=target, state_only=True)
        assert len(needed) < len(everything)
        for as_of in (None, "2021-06-30", "2024-01-01"):
            full = relation_state(everything, target, as_of)
            assert relation_state(needed, target, as_of) == full
            assert recognizers(relation_state(needed, target, as_of)) == recognizers(full)
