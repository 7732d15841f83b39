"""Knowledge-base benchmark: ingest rate and query latency over a synthetic history.

Generates a deterministic history of N events (default 1,000,000) among 250
actors: states of the gazetteer plus a few governments and organisations,
with a skewed popularity (great powers are in the news more than small
states). Event types come from diplowatch.ontology in a realistic mix (talks,
praise and criticism common; recognitions rare), dates are spread over 20
years (some at month or year precision, a few undated) and polarity is mostly
asserted. Events are grouped into articles of 10 to 90 events.

Then it ingests them and times, for ~50 random target states, exactly what
the CLI runs:

- ``status T``:         ``kb.status(T)``
- ``who-recognizes T``: ``recognizers(kb.status(T, facets=("recognition",)))``
- ``stance T``:         ``stance_of(kb, T)`` (every event towards T, weighed per month; issue 17)

and prints the median and 95th-percentile latency in milliseconds, and the
number of rows ``status`` folds per target (``kb.state_rows(T)``).

Ingest modes (``--ingest``):

- ``add`` (default): ``Writer.add()`` per article (:mod:`diplowatch.write`), the real write path
  (one transaction per article, with corroboration links and near-duplicate
  signatures). The ingest rate printed is this path's.
- ``bulk``: the same rows of ``articles``, ``actors`` and ``events`` written
  with multi-row inserts, 500 articles per transaction, without the derived
  corroboration tables. Use it to build a large history quickly for the
  query timings (``status`` and ``who-recognizes`` read only those three
  tables).

Usage::

    .venv/bin/python benchmarks/store.py                         # 1M events, SQLite, add()
    .venv/bin/python benchmarks/store.py --events 1000000 --ingest bulk \\
        --pg postgresql://user:pw@127.0.0.1:5432/bench            # SQLite and PostgreSQL
    .venv/bin/python benchmarks/store.py --events 20000          # quick run

The SQLite file goes to a temporary directory (``--sqlite PATH`` to keep it);
``--pg URL`` must name an empty database or schema, whose tables are dropped
first when ``--pg-reset`` is given. Without ``--pg`` the PostgreSQL part is
skipped.

Reuse: a store that already holds events is not ingested again; its queries
are timed as they are (``events/s`` is then ``nan``), after the migrations of
this version have upgraded it. Generating a million events takes minutes, so
keep them and time again::

    .venv/bin/python benchmarks/store.py --events 1000000 --ingest bulk --sqlite /tmp/bench1m/b.db  # once
    .venv/bin/python benchmarks/store.py --sqlite /tmp/bench1m/b.db --pg URL  # again: reuses both stores

(``--events`` and ``--seed`` only matter when the store is empty; rerun
without ``--pg-reset`` to keep the PostgreSQL history.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from diplowatch.actors import Gazetteer
from diplowatch.model import Actor, Article, Event, Evidence, event_id
from diplowatch.ontology import EVENT_TYPES
from diplowatch.state import recognizers
from diplowatch.store import KnowledgeBase

N_ACTORS = 250
START = dt.date(2005, 1, 1)
DAYS = 20 * 365

# relative frequency of each event type (DESIGN §3 types; talks, praise, criticism common)
MIX = {
    "high_level_talks": 300, "praise": 180, "criticize": 200, "impose_sanctions": 40, "ease_sanctions": 15,
    "accredit_ambassador": 40, "recall_ambassador": 15, "expel_diplomats": 20, "open_embassy": 20,
    "close_embassy": 10, "establish_relations": 8, "restore_relations": 8, "break_relations": 5,
    "recognize_state": 3, "recognize_government": 3, "withdraw_recognition": 1,
    "designate_organization": 8, "delist_organization": 3,
    "call_for_engagement": 4, "call_for_isolation": 4, "appeal": 6, "demand": 6,
}
POLARITY = (("asserted", 90), ("hypothetical", 6), ("negated", 4))
VERBS = {"high_level_talks": "met", "praise": "praised", "criticize": "criticised"}


def actors() -> tuple[list[Actor], list[Actor]]:
    """250 actors (states, then governments, organisations and bodies) and the organisations."""
    g = Gazetteer.default()
    entries = g._entries.values()  # noqa: SLF001 - a benchmark may read the gazetteer's table
    govs = [e.actor(None) for e in entries if e.kind == "government"][:6]
    orgs = [e.actor(None) for e in entries if e.kind == "organization"][:10]
    states = sorted((e.actor(None) for e in entries if e.kind == "state" and e.id == e.state),
                    key=lambda a: a.id)[:N_ACTORS - len(govs) - len(orgs)]
    return states + govs + orgs, orgs


def history(n_events: int, seed: int) -> Iterator[tuple[Article, list[Event]]]:
    """Articles with their events, ``n_events`` in all (deterministic for a seed)."""
    rng = random.Random(seed)
    everyone, orgs = actors()
    order = everyone[:]
    rng.shuffle(order)  # popularity rank: a random permutation, then 1/(rank + 5)
    weights = [1 / (rank + 5) for rank in range(len(order))]
    kinds, kind_w = zip(*MIX.items())
    pols, pol_w = zip(*POLARITY)
    made = 0
    doc_no = 0
    while made < n_events:
        k = min(rng.randint(10, 90), n_events - made)
        doc = f"bench_{doc_no:07d}"
        published = START + dt.timedelta(days=rng.randrange(DAYS))
        sentences: list[str] = []
        specs = []
        for kind, pol in zip(rng.choices(kinds, kind_w, k=k), rng.choices(pols, pol_w, k=k)):
            src, tgt = rng.choices(order, weights, k=2)
            while tgt.id == src.id:
                tgt = rng.choices(order, weights)[0]
            if kind in ("designate_organization", "delist_organization"):
                tgt = rng.choice(orgs)
            roll = rng.random()
            day = published - dt.timedelta(days=rng.randrange(30))
            if roll < 0.05:
                date, precision = None, None
            elif roll < 0.10:
                date, precision = f"{day.year:04d}", "year"
            elif roll < 0.20:
                date, precision = f"{day.year:04d}-{day.month:02d}", "month"
            else:
                date, precision = day.isoformat(), "day"
            sentences.append(f"{src.name} {VERBS.get(kind, kind.replace('_', ' '))} {tgt.name} ({len(sentences)}).")
            specs.append((kind, pol, src, tgt, date, precision))
        text = " ".join(sentences)
        events, pos = [], 0
        for s, (kind, pol, src, tgt, date, precision) in zip(sentences, specs):
            et = EVENT_TYPES[kind]
            events.append(Event(
                id=event_id(doc, "bench/1", pos, pos + len(s), kind, src.id, tgt.id), doc=doc, event=kind,
                source=src, target=tgt, polarity=pol, date=date, date_precision=precision, cameo=et.cameo,
                plover=et.plover, evidence=Evidence(s, pos, pos + len(s)), confidence=0.9, extractor="bench/1"))
            pos += len(s) + 1
        yield Article(id=doc, text=text, url=f"https://bench.example/{doc}", published=published, lang="en"), events
        made += k
        doc_no += 1


def ingest_add(kb: KnowledgeBase, n_events: int, seed: int) -> tuple[int, float]:
    from diplowatch.write import Writer

    writer = Writer(kb)
    n, t0 = 0, time.perf_counter()
    for art, evs in history(n_events, seed):
        writer.add(art, evs)
        n += len(evs)
        _progress(n, n_events, t0)
    return n, time.perf_counter() - t0


def ingest_bulk(kb: KnowledgeBase, n_events: int, seed: int, batch: int = 500) -> tuple[int, float]:
    from diplowatch.store.schema import ACTORS, ARTICLES, EVENTS
    from diplowatch.store.writes import _event_row  # noqa: PLC2701

    n, t0 = 0, time.perf_counter()
    stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    known: set[str] = set()
    arts, acts, rows = [], [], []

    def flush() -> None:
        with kb.transaction() as conn:
            if acts:
                conn.execute(kb.insert_ignore(ACTORS), acts)
            conn.execute(kb.insert_ignore(ARTICLES), arts)
            conn.execute(kb.insert_ignore(EVENTS), rows)
        arts.clear(), acts.clear(), rows.clear()

    for art, evs in history(n_events, seed):
        arts.append({"id": art.id, "url": art.url, "title": art.title, "published": art.published.isoformat(),
                     "text": art.text, "lang": art.lang, "ingested_at": stamp})
        for ev in evs:
            for a in (ev.source, ev.target):
                if a.id not in known:
                    known.add(a.id)
                    acts.append(a.to_dict())
        rows.extend(_event_row(ev) for ev in evs)
        n += len(evs)
        if len(arts) >= batch:
            flush()
            _progress(n, n_events, t0)
    if arts:
        flush()
    return n, time.perf_counter() - t0


def _progress(n: int, total: int, t0: float) -> None:
    if sys.stderr.isatty():
        rate = n / max(time.perf_counter() - t0, 1e-9)
        print(f"\r  {n:,}/{total:,} events, {rate:,.0f}/s", end="", file=sys.stderr, flush=True)


def time_queries(kb: KnowledgeBase, targets: list[str]) -> dict[str, list[float]]:
    """Wall-clock ms of each query per target, and this process's CPU ms (for SQLite, all the work)."""
    from diplowatch.store.stance import stance_of

    out: dict[str, list[float]] = {"status": [], "who-recognizes": [], "stance": [], "status cpu": [],
                                   "events": []}
    for code in targets:
        t, c = time.perf_counter(), time.process_time()
        kb.status(code)
        out["status"].append((time.perf_counter() - t) * 1000)
        out["status cpu"].append((time.process_time() - c) * 1000)
        t = time.perf_counter()
        recognizers(kb.status(code, facets=("recognition",)))
        out["who-recognizes"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        stance_of(kb, code)
        out["stance"].append((time.perf_counter() - t) * 1000)
        out["events"].append(len(kb.state_rows(code)))
    return out


def p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20, method="inclusive")[-1]


def run(label: str, url: str, args: argparse.Namespace) -> dict[str, object]:
    print(f"== {label}: {url.split('@')[-1]}", flush=True)
    with KnowledgeBase(url) as kb:
        if kb.counts()["events"] == 0:
            ingest = ingest_add if args.ingest == "add" else ingest_bulk
            n, secs = ingest(kb, args.events, args.seed)
            if sys.stderr.isatty():
                print(file=sys.stderr)
            rate = n / secs
            print(f"   ingested {n:,} events ({args.ingest}) in {secs:,.1f} s: {rate:,.0f} events/s", flush=True)
        else:
            rate = float("nan")
            print(f"   reusing {kb.counts()['events']:,} stored events", flush=True)
        if kb.dialect == "postgresql":
            with kb.connect() as conn:  # fresh statistics, as autovacuum would
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
        states = sorted({a.state for a in actors()[0] if a.kind == "state"})
        targets = random.Random(args.seed + 1).sample(states, args.targets)
        time_queries(kb, targets[:3])  # warm caches
        res = time_queries(kb, targets)
    row = {"db": label, "events/s": rate}
    for q in ("status", "who-recognizes", "stance"):
        row[f"{q} median"] = statistics.median(res[q])
        row[f"{q} p95"] = p95(res[q])
    row["status client CPU median"] = statistics.median(res["status cpu"])
    row["events per target (median/max)"] = f"{statistics.median(res['events']):,.0f}/{max(res['events']):,}"
    for k, v in row.items():
        if k != "db":
            print(f"   {k}: {v:,.1f}" if isinstance(v, float) else f"   {k}: {v}", flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=1_000_000, help="events to generate (default 1,000,000)")
    ap.add_argument("--targets", type=int, default=50, help="random target states to query (default 50)")
    ap.add_argument("--ingest", choices=("add", "bulk"), default="add",
                    help="add: KnowledgeBase.add() per article (default); bulk: multi-row inserts")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sqlite", metavar="PATH", help="SQLite file (kept; reused when it holds events)")
    ap.add_argument("--no-sqlite", action="store_true", help="skip SQLite")
    ap.add_argument("--pg", metavar="URL", help="PostgreSQL URL (skipped when absent)")
    ap.add_argument("--pg-reset", action="store_true", help="drop the benchmark tables in --pg first")
    args = ap.parse_args(argv)

    rows = []
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(args.sqlite) if args.sqlite else Path(tmp) / "bench.db"
            rows.append(run("sqlite", f"sqlite:///{path}", args))
    if args.pg:
        if args.pg_reset:
            from sqlalchemy import create_engine

            url = args.pg.replace("postgresql://", "postgresql+psycopg://", 1)
            eng = create_engine(url)
            with eng.begin() as conn:
                from diplowatch.store.schema import metadata

                metadata.drop_all(conn)
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            eng.dispose()
        rows.append(run("postgresql", args.pg, args))
    else:
        print("== postgresql: skipped (no --pg URL)")

    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    print(f"\n{args.events:,} events, {args.targets} targets, ingest={args.ingest}; times in ms "
          f"(events/s: nan when the store was reused); load average {load}")
    cols = ["db", "events/s", "status median", "status p95", "who-recognizes median", "who-recognizes p95",
            "stance median", "stance p95", "status client CPU median", "events per target (median/max)"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(f"{r[c]:,.1f}" if isinstance(r[c], float) else str(r[c]) for c in cols) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
