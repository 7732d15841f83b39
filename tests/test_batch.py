"""``diplowatch batch`` on Dask: cluster = serial, crash and resume, a killed worker, bulk ingest.

The corpus is seven short articles written for these tests (six diplomatic, one
not), cut into partitions of two. The serial runs reuse the session
``extractor``; the cluster runs share one 2-worker LocalCluster per module.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import diplowatch.batch as batch
from diplowatch.batch import BatchError, batch_events, load_batch, run_batch
from diplowatch.cli import app
from diplowatch.store import KnowledgeBase

pytestmark = pytest.mark.slow

ARTICLES = [
    {"id": "t-1", "published": "2025-07-04", "url": "https://example.org/t-1",
     "title": "Russia recognises Taliban government",
     "text": "MOSCOW, July 3 - Russia on Thursday became the first country to formally recognise the Taliban "
             "government of Afghanistan, the Russian Foreign Ministry said. The ministry said it had accepted "
             "the credentials of the new Afghan ambassador, Gul Hassan Hassan."},
    {"id": "t-2", "published": "2024-05-28", "url": "https://example.org/t-2",
     "title": "Three European states recognise Palestine",
     "text": "Spain, Ireland and Norway formally recognised the State of Palestine on Tuesday. Israel recalled "
             "its ambassadors from the three countries in protest."},
    {"id": "t-3", "published": "2024-04-06", "url": "https://example.org/t-3",
     "title": "Mexico breaks relations with Ecuador",
     "text": "Mexico broke off diplomatic relations with Ecuador on Friday after Ecuadorian police raided the "
             "Mexican embassy in Quito, President Andres Manuel Lopez Obrador said."},
    {"id": "t-4", "published": "2024-01-30", "url": "https://example.org/t-4",
     "title": "Xi receives credentials of Taliban envoy",
     "text": "President Xi Jinping of China formally received the credentials of the ambassador sent to Beijing "
             "by the Taliban, Afghanistan's foreign ministry said on Tuesday. China has not formally "
             "recognised the Taliban government."},
    {"id": "t-5", "published": "2024-03-02", "url": "https://example.org/t-5",
     "title": "Storm brings snow to the Alps",
     "text": "Heavy snow fell across the Alps on Saturday, closing several passes. Forecasters expect the "
             "storm to ease by Monday, when temperatures will rise again."},
    {"id": "t-6", "published": "2023-12-30", "url": "https://example.org/t-6",
     "title": "Kazakhstan removes Taliban from banned list",
     "text": "Kazakhstan has removed the Taliban from its list of banned organisations, the foreign ministry "
             "in Astana said on Friday."},
    {"id": "t-7", "published": "2023-10-05", "url": "https://example.org/t-7",
     "title": "Indian and Chinese ministers meet",
     "text": "The foreign ministers of India and China met in Beijing on Monday for talks on the border, "
             "the Indian foreign ministry said. Both sides praised the meeting."},
]
SIZE = 2  # seven articles: four partitions


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "articles.jsonl"
    path.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def primed(extractor):  # noqa: ANN001, ANN201
    """Serial runs in this process use the session extractor (spaCy is loaded once)."""
    batch._EXTRACTORS[True] = extractor
    return extractor


@pytest.fixture(scope="module")
def serial_dir(corpus: Path, primed, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: ANN001
    out = tmp_path_factory.mktemp("serial") / "out"
    report = run_batch([str(corpus)], out, scheduler="serial", partition_size=SIZE)
    assert (report.partitions, report.done, report.skipped, report.articles) == (4, 4, 0, 7)
    return out


@pytest.fixture(scope="module")
def client():  # noqa: ANN201
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=50)
    cl = Client(cluster)
    yield cl
    cl.close()
    cluster.close()


def _dicts(out: Path) -> list[dict]:
    return [e.to_dict() for e in batch_events(out)]


def _recorded(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text("utf-8"))["partitions"]


def test_serial_batch_equals_extract(serial_dir: Path, primed) -> None:  # noqa: ANN001
    articles = {a.id: a for a, _ in load_batch(serial_dir)}
    assert list(articles) == [a["id"] for a in ARTICLES], "every article is kept, in input order"
    want = [e.to_dict() for a in articles.values() for e in primed.extract(a)]
    got = _dicts(serial_dir)
    assert got == want and len(got) >= 6
    assert {e["event"] for e in got} >= {"recognize_government", "recognize_state", "break_relations"}
    assert len(_recorded(serial_dir)) == 4
    assert sorted(p.name for p in (serial_dir / "events").iterdir()) == \
        sorted(f"{pid}.parquet" for pid in _recorded(serial_dir))


def test_local_cluster_equals_serial(corpus: Path, serial_dir: Path, client, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "cluster"
    report = run_batch([str(corpus)], out, client=client, partition_size=SIZE)
    assert (report.done, report.skipped, report.failed) == (4, 0, [])
    assert _dicts(out) == _dicts(serial_dir)
    assert len(report.memory) >= 1 and all(m["peak_rss"] < 2**30 for m in report.memory.values())


def test_worker_killed_mid_task(corpus: Path, serial_dir: Path, client, tmp_path: Path) -> None:  # noqa: ANN001
    """The first task kills its worker process; the nanny restarts it, Dask reruns the task."""
    flag = tmp_path / "killed-once"
    out = tmp_path / "cluster"
    report = run_batch([str(corpus)], out, client=client, partition_size=SIZE,
                       fault={"kill_worker_once": str(flag)})
    assert flag.exists(), "a worker was killed"
    assert (report.done, report.failed) == (4, [])
    assert _dicts(out) == _dicts(serial_dir)


def test_crash_and_resume(corpus: Path, serial_dir: Path, primed, tmp_path: Path) -> None:  # noqa: ANN001
    """The client is SIGKILLed right after recording its first partition; a re-run finishes the rest."""
    out = tmp_path / "out"
    env = {**os.environ, batch.FAULT_ENV: "crash-after:1"}
    proc = subprocess.run(
        [sys.executable, "-c", "from diplowatch.cli import main; main()", "batch", str(corpus), "--out", str(out),
         "--scheduler", "serial", "--partition-size", str(SIZE), "--quiet"],
        env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert len(_recorded(out)) == 1
    (out / "events" / ".half-written.parquet.x1y2.tmp").write_bytes(b"PAR1 torn")  # a crash mid-write
    report = run_batch([str(corpus)], out, scheduler="serial", partition_size=SIZE)
    assert (report.partitions, report.skipped, report.done) == (4, 1, 3)
    assert _dicts(out) == _dicts(serial_dir)
    assert len(_recorded(out)) == 4
    assert sorted(p.name for p in (out / "events").iterdir()) == sorted(f"{pid}.parquet" for pid in _recorded(out))
    again = run_batch([str(corpus)], out, scheduler="serial", partition_size=SIZE)
    assert (again.skipped, again.done) == (4, 0), "a finished batch writes nothing again"
    ids = [e["id"] for e in _dicts(out)]
    assert len(ids) == len(set(ids))


def test_resume_needs_the_same_options(corpus: Path, serial_dir: Path) -> None:
    with pytest.raises(BatchError, match="partition_size"):
        run_batch([str(corpus)], serial_dir, scheduler="serial", partition_size=SIZE + 1)


def test_parquet_input(corpus: Path, serial_dir: Path, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "articles.parquet"
    pq.write_table(pa.Table.from_pylist(ARTICLES), src)
    out = tmp_path / "out"
    report = run_batch([str(src)], out, scheduler="serial", partition_size=SIZE)
    assert report.input_errors == [] and report.articles == 7
    assert _dicts(out) == _dicts(serial_dir)


def test_ingest_batch_dir(serial_dir: Path, tmp_path: Path) -> None:
    """`diplowatch ingest DIR` stores the batch's articles and events, once."""
    db = f"sqlite:///{tmp_path / 'kb.db'}"
    runner = CliRunner()
    res = runner.invoke(app, ["ingest", str(serial_dir), "--db", db, "--quiet", "--summary-json", "-"])
    assert res.exit_code == 0, res.output
    with KnowledgeBase(db) as kb:
        assert kb.counts()["articles"] == 7
        stored = sorted(e.id for e in kb.events())
    assert stored == sorted(e["id"] for e in _dicts(serial_dir))
    res = runner.invoke(app, ["ingest", str(serial_dir), "--db", db, "--quiet", "--summary-json", "-"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    assert summary["new"] == 0 and summary["duplicates"] == 7


# --------------------------------------------------------------------------- bad options and inputs (CLI)

def _cli(*args: str):  # noqa: ANN202
    res = CliRunner().invoke(app, ["batch", *args])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception  # no traceback
    return res


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_out_that_is_no_directory_is_refused(corpus: Path, tmp_path: Path) -> None:
    """`--out FILE`, `--out DIR/` whose DIR/events is a file, `--out FILE/sub`: exit 2, nothing created."""
    (tmp_path / "file").write_text("x")
    (tmp_path / "od").mkdir()
    (tmp_path / "od" / "events").write_text("x")
    before = _tree(tmp_path)
    for out, culprit in ((tmp_path / "file", "file"), (tmp_path / "od", "od/events"),
                         (tmp_path / "file" / "sub", "file")):
        res = _cli(str(corpus), "--out", str(out) + "/", "--scheduler", "serial")
        assert res.exit_code == 2, res.output
        assert res.stderr.startswith("error: --out ") and culprit in res.stderr and "not a directory" in res.stderr
        assert len(res.stderr.strip().splitlines()) == 1
        assert _tree(tmp_path) == before


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:notaport", "tcp://127.0.0.1", "tcp://:8786",
                                     "tcp://127.0.0.1:70000", "udp://127.0.0.1:8786"])
def test_scheduler_address_is_checked_first(corpus: Path, tmp_path: Path, address: str) -> None:
    res = _cli(str(corpus), "--out", str(tmp_path / "out"), "--scheduler", address)
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith("error: --scheduler") and address in res.stderr
    assert not (tmp_path / "out").exists()


@pytest.fixture()
def not_dask():  # noqa: ANN201
    """A TCP server on 127.0.0.1 that speaks no Dask: ``start(answer)`` → its tcp:// address.

    It accepts, reads, and sends ``answer`` (nothing: it stays silent, as an HTTP server does
    while it waits for a request line)."""
    import socket
    import threading

    servers: list[socket.socket] = []

    def start(answer: bytes = b"") -> str:
        srv = socket.create_server(("127.0.0.1", 0))
        servers.append(srv)
        conns: list[socket.socket] = []

        def serve() -> None:
            while True:
                try:
                    conn, _ = srv.accept()
                except OSError:  # closed at teardown
                    return
                conns.append(conn)
                if answer:
                    conn.sendall(answer)

        threading.Thread(target=serve, daemon=True).start()
        return f"tcp://127.0.0.1:{srv.getsockname()[1]}"

    yield start
    for srv in servers:
        srv.close()


def test_scheduler_that_never_answers(corpus: Path, tmp_path: Path, not_dask) -> None:  # noqa: ANN001
    """A server that accepts and says nothing would hang the Dask handshake: bounded by --connect-timeout."""
    import time

    address = not_dask()
    t0 = time.monotonic()
    res = _cli(str(corpus), "--out", str(tmp_path / "out"), "--scheduler", address, "--connect-timeout", "0.3")
    assert res.exit_code == 2, res.output
    assert time.monotonic() - t0 < 20
    assert res.stderr.startswith(f"error: cannot connect to the Dask scheduler at {address}: no Dask handshake")
    assert len(res.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_scheduler_that_answers_garbage(corpus: Path, tmp_path: Path, not_dask) -> None:  # noqa: ANN001
    """Garbage read as a Dask frame header once made the client allocate exabytes (MemoryError)."""
    address = not_dask(b"HTTP/1.0 400 Bad Request\r\nContent-Type: text/html\r\n\r\n<html>nope</html>\r\n" * 4)
    res = _cli(str(corpus), "--out", str(tmp_path / "out"), "--scheduler", address, "--connect-timeout", "2")
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith(f"error: cannot connect to the Dask scheduler at {address}: ")
    assert len(res.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_unreadable_inputs_create_nothing(tmp_path: Path) -> None:
    """An empty JSON Lines file, a Parquet file without a text column: errors naming them, exit 1, no --out tree."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    wrong = tmp_path / "wrong.parquet"
    pq.write_table(pa.table({"body": ["Russia recognised the Taliban government."]}), wrong)
    for src in (empty, wrong):
        res = _cli(str(src), "--out", str(tmp_path / "out"), "--scheduler", "serial")
        assert res.exit_code == 1, res.output
        assert f"error: {src}: " in res.stderr and "nothing written" in res.stderr
        assert not (tmp_path / "out").exists()
        assert res.stdout == ""
    existing = tmp_path / "existing"
    existing.mkdir()
    assert _cli(str(empty), "--out", str(existing), "--scheduler", "serial").exit_code == 1
    assert _tree(existing) == [], "no empty articles/ and events/ directories"


def test_quiet_prints_no_summary(primed, tmp_path: Path) -> None:  # noqa: ANN001
    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps(ARTICLES[0]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    res = _cli(str(src), "--out", str(out), "--scheduler", "serial", "-q")
    assert res.exit_code == 0, res.output
    assert res.output == "", "no progress and no summary line"
    assert len(_recorded(out)) == 1
    res = _cli(str(src), "--out", str(out), "--scheduler", "serial")
    assert res.exit_code == 0 and "1 partition(s): 0 done, 1 already done" in res.stdout
