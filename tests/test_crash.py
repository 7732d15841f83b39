"""Crash safety: a writer killed with SIGKILL loses nothing it acknowledged (RELIABILITY.md).

A writer process stores synthetic articles (hand-built events, no spaCy), one
article per transaction, and prints ``ack ID N`` after each ``add()`` has
returned. The test kills it with SIGKILL at a random point (seeded: after a
random delay, or after a random number of acknowledged writes), then opens the
database and checks that:

- SQLite's ``PRAGMA integrity_check`` says ``ok``;
- every acknowledged article is there with all of its events;
- nothing is half-written: every stored article (acknowledged or not: it may
  have committed just before the kill) has exactly the events it was written
  with, every stored event belongs to a stored article, and every event is
  linked to its real-world event (``reports``) when the store keeps links.

Starting a Python process that imports the store takes seconds, so one
long-lived *fork server* imports everything once and forks a fresh writer for
each run; the writer opens its own database connection after the fork, and it
is the writer that is killed.
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the writer is forked (POSIX only)")

RUNS = 20
SEED = 20250704

# The fork server. argv[1]: a SQLite URL to warm up on (imports everything add() needs).
# stdin: one "URL<TAB>PREFIX" line per run; it forks a writer, waits for it and
# prints "exit PID STATUS". The writer prints "child PID", "open", then "ack ID N"
# after each add() returned, forever (until killed). Lines are written with one
# os.write each, so the lines of parent and child never interleave.
_SERVER = r'''
import datetime as dt, os, sys

from diplowatch.model import Actor, Article, Event, Evidence, event_id
from diplowatch.store import KnowledgeBase

STATES = [Actor(c, c, "state", c) for c in ("RUS", "CHN", "PAK", "UZB", "KAZ", "IRN", "TUR", "QAT")]
TARGETS = [Actor("AFG:taliban", "Taliban-led government", "government", "AFG"),
           Actor("AFG", "Afghanistan", "state", "AFG"), Actor("XKX", "Kosovo", "state", "XKX")]
KINDS = [("recognize_government", "054", "SUPPORT"), ("consult", "040", "CONSULT"),
         ("praise", "051", "SUPPORT"), ("criticize", "111", "DISAPPROVE")]


def say(line):
    os.write(1, (line + "\n").encode())


def n_events(i):
    return 1 + (i * 7919) % 20


def article(prefix, i):
    doc = f"{prefix}_{i:05d}"
    sentences = [f"Sentence {k} of article {doc}: state {k % 8} spoke to target {k % 3}." for k in range(n_events(i))]
    body = " ".join(sentences)
    evs, pos = [], 0
    for k, s in enumerate(sentences):
        kind, cameo, plover = KINDS[(i + k) % len(KINDS)]
        src, tgt = STATES[(i + k) % len(STATES)], TARGETS[k % len(TARGETS)]
        evs.append(Event(id=event_id(doc, "crash/1", pos, pos + len(s), kind, src.id, tgt.id), doc=doc,
                         event=kind, source=src, target=tgt, polarity="asserted",
                         date=f"{2000 + i % 25}-{1 + k % 12:02d}-{1 + i % 28:02d}", date_precision="day",
                         cameo=cameo, plover=plover, evidence=Evidence(s, pos, pos + len(s)),
                         confidence=0.9, extractor="crash/1"))
        pos += len(s) + 1
    return (Article(id=doc, text=body, url=f"https://crash.example/{doc}",
                    published=dt.date(2000 + i % 25, 1 + i % 12, 1 + i % 28), lang="en"), evs)


with KnowledgeBase(sys.argv[1]) as kb:  # warm up: imports, migrations, first add
    kb.add(*article("warm", 0))
say("ready")
for line in sys.stdin:
    url, prefix = line.rstrip("\n").split("\t")
    pid = os.fork()
    if pid == 0:
        try:
            say(f"child {os.getpid()}")
            kb = KnowledgeBase(url)
            say("open")
            i = 0
            while True:
                art, evs = article(prefix, i)
                if kb.add(art, evs):
                    say(f"ack {art.id} {len(evs)}")
                i += 1
        except BaseException as exc:
            say(f"error {type(exc).__name__}: {exc}".replace("\n", " "))
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    say(f"exit {pid} {status}")
'''


class _Server:
    def __init__(self, warm_url: str) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen([sys.executable, "-c", _SERVER, warm_url], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env, text=True, bufsize=1)
        assert self.readline(120) == "ready"

    def readline(self, timeout: float) -> str:
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            raise AssertionError(f"writer said nothing for {timeout} s")
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(f"fork server exited with {self.proc.wait()}")
        return line.rstrip("\n")

    def run(self, url: str, prefix: str, rng: random.Random) -> tuple[dict[str, int], str]:
        """One writer, killed at a random point: returns ({acknowledged id: event count}, how)."""
        self.proc.stdin.write(f"{url}\t{prefix}\n")
        self.proc.stdin.flush()
        child = self.readline(30)
        assert child.startswith("child "), child
        pid = int(child.split()[1])
        assert self.readline(60) == "open"
        acked: dict[str, int] = {}
        if rng.random() < 0.5:
            how = f"after {rng.uniform(0.0, 0.4):.3f} s"
            deadline = time.monotonic() + float(how.split()[1])
            while (left := deadline - time.monotonic()) > 0:
                ready, _, _ = select.select([self.proc.stdout], [], [], left)
                if ready:
                    self._take(self.readline(1), acked)
        else:
            count = rng.randint(0, 8)
            how = f"after {count} acknowledged writes"
            while len(acked) < count:
                self._take(self.readline(30), acked)
        os.kill(pid, signal.SIGKILL)
        while not (line := self.readline(30)).startswith("exit "):
            self._take(line, acked)  # acknowledged before the kill landed
        status = int(line.split()[2])
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, line
        return acked, how

    @staticmethod
    def _take(line: str, acked: dict[str, int]) -> None:
        assert line.startswith("ack "), line  # "error …" would be a writer failure
        _, doc, n = line.split()
        acked[doc] = int(n)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _n_events(doc: str) -> int:
    return 1 + (int(doc.rsplit("_", 1)[1]) * 7919) % 20  # as n_events() in the writer


def _check(url: str, acked: dict[str, int], how: str, in_flight: int = 1) -> None:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok", how
            articles = {r[0] for r in conn.execute(text("SELECT id FROM articles"))}
            per_doc = dict(conn.execute(text("SELECT doc, count(*) FROM events GROUP BY doc")).all())
            linked = None
            if "reports" in inspect(conn).get_table_names():
                linked = conn.execute(text(
                    "SELECT count(*) FROM events e LEFT JOIN reports r ON r.event_id = e.id "
                    "WHERE r.event_id IS NULL")).scalar_one()
    finally:
        engine.dispose()
    missing = sorted(set(acked) - articles)
    assert not missing, f"killed {how}: acknowledged articles lost: {missing[:5]}"
    for doc, n in acked.items():
        assert per_doc.get(doc, 0) == n, f"killed {how}: {doc} has {per_doc.get(doc, 0)} of {n} events"
    assert set(per_doc) <= articles, f"killed {how}: events without their article"
    for doc in articles:
        assert per_doc.get(doc, 0) == _n_events(doc), f"killed {how}: {doc} half-written"
    assert len(articles - set(acked)) <= in_flight, f"killed {how}: more than the one in flight unacknowledged"
    if linked is not None:
        assert linked == 0, f"killed {how}: {linked} events without their report link"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = _Server(f"sqlite:///{tmp_path_factory.mktemp('warm') / 'warm.db'}")
    yield srv
    srv.close()


def test_sigkill_sqlite_keeps_every_acknowledged_write(server, tmp_path: Path):
    rng = random.Random(SEED)
    total = 0
    for run in range(RUNS):
        url = f"sqlite:///{tmp_path / f'crash{run:02d}.db'}"
        acked, how = server.run(url, f"c{run:02d}", rng)
        _check(url, acked, f"run {run} {how}")
        total += len(acked)
    assert total > 0  # the runs did write something


def test_sigkill_postgresql_keeps_every_acknowledged_write(server, pg_url):
    rng = random.Random(SEED + 1)
    acked: dict[str, int] = {}
    for run in range(RUNS // 4):  # one schema for all runs, one article prefix per run
        new, how = server.run(pg_url, f"p{run:02d}", rng)
        acked.update(new)
        _check(pg_url, acked, f"run {run} {how}", in_flight=run + 1)
