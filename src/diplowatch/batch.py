"""Scale-out extraction on Dask: ``diplowatch batch INPUT… --out DIR``.

The client reads the inputs (JSON Lines, text files, directories, or Parquet
files with the article columns ``id``, ``text`` and optionally ``url``,
``title``, ``published``, ``lang``) as a stream, cuts it into partitions of
``partition_size`` articles and hands each partition to a Dask worker. Each
worker process loads one :class:`~diplowatch.extract.Extractor` (once: a
worker plugin warms it at start, :func:`worker_extractor` caches it) and
returns the partition's articles and events as Arrow tables. The client writes
them, per partition, as

* ``DIR/events/<pid>.parquet``: one row per event, the flat DESIGN §2 columns of
  :data:`diplowatch.interchange.EVENT_COLUMNS`;
* ``DIR/articles/<pid>.parquet``: the partition's articles
  (:data:`diplowatch.interchange.ARTICLE_COLUMNS`), all of them, with or
  without events, so that ``diplowatch ingest DIR`` stores them through the
  write path of every ingest (:class:`diplowatch.write.Writer`);

each written to a hidden temporary file, flushed to disk and renamed into
place. Only then is the partition recorded in ``DIR/manifest.json`` (itself
replaced atomically), so a partition is in the manifest only when both files
are complete. A re-run with the same inputs skips recorded partitions: after a
crash it resumes where it stopped and writes no partition twice. A
partition's id ``<pid>`` is its index and a hash of its articles' ids and texts,
so a changed input never passes for a finished partition.

The client writes every file: workers need no access to the inputs or to
``DIR`` (a ``tcp://`` scheduler on other machines works without shared
storage), but they need diplowatch (the same version) and its spaCy model
installed, since they run :func:`extract_partition` from this module. At most
``2 × workers`` partitions are in flight, so the client's memory stays bounded
however large the input. A worker that dies mid-task is
replaced by its nanny and Dask runs the task again elsewhere (up to
``distributed.scheduler.allowed-failures`` times); a task that raises stops the
run after the partitions already finished are recorded.

``diplowatch ingest DIR`` recognises a batch output by its manifest and loads it
with :func:`load_batch` (idempotent: stored articles are skipped).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from diplowatch.errors import DiplowatchError, InputError
from diplowatch.files import atomic_write
from diplowatch.interchange import (
    article_from_row, article_row, article_schema, event_from_row, event_row, event_schema,
)
from diplowatch.model import Article, Event, article_id

__all__ = ["BatchError", "BatchReport", "MANIFEST", "Partition", "is_batch_dir", "load_batch",
           "plan_partitions", "read_articles", "run_batch", "worker_extractor"]

MANIFEST = "manifest.json"
"""Name of the manifest in a batch output directory."""
FORMAT = "diplowatch-batch"
VERSION = 1
FAULT_ENV = "DIPLOWATCH_BATCH_FAULT"
"""Fault injection for tests: ``crash-after:N`` kills the client (SIGKILL) right
after it records its N-th partition of the run."""


class BatchError(DiplowatchError):
    """A batch cannot run: bad options, an output directory of another batch, a failed task."""


# --------------------------------------------------------------------------- reading

def _parquet_articles(path: Path, published: dt.date | None) -> Iterator[Article | InputError]:
    """Articles of a Parquet file, row by row (batches of 1024 rows)."""
    from diplowatch.ingest.readers import parse_published

    try:
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
    except Exception as exc:  # ArrowInvalid, OSError
        yield InputError(str(path), f"not a readable Parquet file: {exc}")
        return
    names = set(pf.schema_arrow.names)
    if "text" not in names:
        yield InputError(str(path), "Parquet articles need a 'text' column")
        return
    cols = [c for c in ("id", "url", "title", "published", "text", "lang") if c in names]
    row_no = 0
    for batch in pf.iter_batches(batch_size=1024, columns=cols):
        for row in batch.to_pylist():
            row_no += 1
            text = row.get("text")
            if not isinstance(text, str) or not text.strip():
                yield InputError(str(path), "no text", row_no)
                continue
            url = row.get("url") or None
            pub = row.get("published")
            if isinstance(pub, dt.datetime):
                pub = pub.date()
            pub = parse_published(pub.isoformat() if isinstance(pub, dt.date) else pub) or published
            yield Article(id=str(row.get("id") or article_id(url, text)), text=text,
                          title=row.get("title") or None, url=url, published=pub, lang=row.get("lang") or None)


def read_articles(inputs: Iterable[str], published: dt.date | None = None) -> Iterator[Article | InputError]:
    """Articles of every input, in order: ``*.parquet`` with :func:`_parquet_articles`,
    anything else with :func:`diplowatch.ingest.read_inputs`, as ``analyze`` and ``ingest``
    read it (text, JSON Lines, CSV, HTML, feeds, directories, ``-``). Bad records are
    yielded as :class:`InputError`."""
    from diplowatch.ingest import read_inputs

    for item in inputs:
        if str(item).lower().endswith((".parquet", ".pq")):
            yield from _parquet_articles(Path(item), published)
        else:
            yield from read_inputs([str(item)], published=published)


@dataclass(frozen=True, slots=True)
class Partition:
    """A slice of the input: ``index`` in input order, ``pid`` its id, its articles."""

    index: int
    pid: str
    articles: tuple[Article, ...]


def _pid(index: int, articles: list[Article]) -> str:
    h = hashlib.sha256()
    for a in articles:
        for part in (a.id, a.title or "", a.url or "", a.published.isoformat() if a.published else "", a.text):
            h.update(part.encode("utf-8", "surrogatepass"))
            h.update(b"\x1f")
        h.update(b"\x1e")
    return f"p{index:06d}-{h.hexdigest()[:12]}"


def plan_partitions(items: Iterable[Article | InputError], size: int,
                    on_error: Callable[[InputError], None] | None = None) -> Iterator[Partition]:
    """Cut a stream of articles into partitions of ``size`` (the last may be smaller).

    Input errors are passed to ``on_error`` and left out.
    """
    if size < 1:
        raise BatchError(f"partition size must be at least 1, not {size}")
    chunk: list[Article] = []
    index = 0
    for item in items:
        if isinstance(item, InputError):
            if on_error:
                on_error(item)
            continue
        chunk.append(item)
        if len(chunk) == size:
            yield Partition(index, _pid(index, chunk), tuple(chunk))
            index, chunk = index + 1, []
    if chunk:
        yield Partition(index, _pid(index, chunk), tuple(chunk))


# --------------------------------------------------------------------------- worker side

_EXTRACTORS: dict[bool, Any] = {}


def worker_extractor(prefilter: bool = True) -> Any:
    """The process's :class:`~diplowatch.extract.Extractor`, loaded on first use and kept."""
    ex = _EXTRACTORS.get(prefilter)
    if ex is None:
        from diplowatch.extract import Extractor

        ex = _EXTRACTORS[prefilter] = Extractor(prefilter=prefilter)
    return ex


def _memory() -> tuple[int, int]:
    """(current RSS, peak RSS) of this process in bytes."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak = peak if sys.platform == "darwin" else peak * 1024
    try:
        import psutil

        rss = psutil.Process().memory_info().rss
    except ImportError:  # pragma: no cover
        rss = peak
    return rss, peak


def extract_partition(pid: str, articles: list[dict[str, Any]], prefilter: bool = True,
                      fault: dict[str, Any] | None = None) -> dict[str, Any]:
    """Extract one partition (runs on a worker, or in-process for ``serial``).

    Args:
        pid: partition id.
        articles: article rows (:func:`diplowatch.interchange.article_row`).
        prefilter: use the Aho-Corasick prefilter.
        fault: test hook; ``{"kill_worker_once": PATH}`` kills this process
            (SIGKILL) the first time any task runs while ``PATH`` does not exist
            (it is created first).

    Returns:
        ``{"pid", "events": pyarrow.Table, "articles": pyarrow.Table,
        "failed": [{"id", "reason"}], "seconds", "process", "rss", "peak_rss"}``.
        An article whose extraction raises is left out and listed in ``failed``.
    """
    import pyarrow as pa

    if fault and fault.get("kill_worker_once"):
        flag = Path(fault["kill_worker_once"])
        try:
            fd = os.open(flag, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            pass
        else:
            os.close(fd)
            os.kill(os.getpid(), signal.SIGKILL)
    t0 = time.perf_counter()
    extractor = worker_extractor(prefilter)
    ev_rows: list[dict[str, Any]] = []
    art_rows: list[dict[str, Any]] = []
    failed: list[dict[str, str]] = []
    for row in articles:
        article = article_from_row(row)
        try:
            events = extractor.extract(article)
        except Exception as exc:  # noqa: BLE001 - one bad article must not sink the partition
            failed.append({"id": article.id, "reason": f"{type(exc).__name__}: {exc}"})
            continue
        art_rows.append(article_row(article))
        ev_rows.extend(event_row(e) for e in events)
    rss, peak = _memory()
    return {
        "pid": pid,
        "events": pa.Table.from_pylist(ev_rows, schema=event_schema()),
        "articles": pa.Table.from_pylist(art_rows, schema=article_schema()),
        "failed": failed, "seconds": time.perf_counter() - t0,
        "process": f"{os.uname().nodename}:{os.getpid()}", "rss": rss, "peak_rss": peak,
    }


def _extractor_plugin(prefilter: bool) -> Any:
    """A Dask worker plugin that loads the extractor when a worker starts."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class ExtractorPlugin(WorkerPlugin):
        """Load :func:`worker_extractor` once per worker process, at start-up."""

        name = f"diplowatch-extractor-{int(prefilter)}"

        def __init__(self, prefilter: bool) -> None:
            self.prefilter = prefilter

        def setup(self, worker: Any) -> None:
            worker_extractor(self.prefilter)

    return ExtractorPlugin(prefilter)


# --------------------------------------------------------------------------- client side

@dataclass
class BatchReport:
    """What :func:`run_batch` did.

    Attributes:
        partitions: partitions of the input.
        done: partitions extracted and recorded by this run.
        skipped: partitions already recorded by an earlier run.
        articles: articles in the partitions of this run.
        events: events written by this run.
        failed: articles whose extraction raised (``{"id", "reason", "pid"}``).
        input_errors: records that could not be read.
        seconds: wall time of the run (without cluster start-up).
        memory: per worker process, ``{"rss", "peak_rss"}`` in bytes (largest seen).
        stale: recorded partitions that are not part of these inputs.
    """

    partitions: int = 0
    done: int = 0
    skipped: int = 0
    articles: int = 0
    events: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    input_errors: list[InputError] = field(default_factory=list)
    seconds: float = 0.0
    memory: dict[str, dict[str, int]] = field(default_factory=dict)
    stale: list[str] = field(default_factory=list)


def _read_manifest(out: Path) -> dict[str, Any] | None:
    path = out / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BatchError(f"{path}: unreadable manifest: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BatchError(f"{path} is not a diplowatch batch manifest")
    return data


def is_batch_dir(path: str | Path) -> bool:
    """Whether ``path`` is a directory holding a diplowatch batch manifest."""
    p = Path(path)
    if not (p / MANIFEST).is_file():
        return False
    try:
        return _read_manifest(p) is not None
    except BatchError:
        return False


def _check_out_dir(out: Path) -> None:
    """Raise :class:`BatchError` unless ``out`` is, or can be made, a writable batch directory."""
    for p in (out, out / "events", out / "articles"):
        if p.exists() and not p.is_dir():
            raise BatchError(f"--out {out}: {p} exists and is not a directory")
    existing = out.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise BatchError(f"--out {out}: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise BatchError(f"--out {out}: {existing} is not writable")


class _Output:
    """The output directory: partition files and the manifest (written by the client only).

    Opening it only reads and checks (a wrong path or an incompatible manifest
    creates nothing); :meth:`create` makes the directories before the first
    partition is written, and :meth:`discard` removes those it made when the
    run recorded nothing.
    """

    def __init__(self, out: Path, partition_size: int, prefilter: bool) -> None:
        _check_out_dir(out)
        from diplowatch.extract.pipeline import EXTRACTOR

        self.out = out
        self.made: list[Path] = []
        found = _read_manifest(out)
        if found is None:
            found = {"format": FORMAT, "version": VERSION, "extractor": EXTRACTOR, "prefilter": prefilter,
                     "partition_size": partition_size, "partitions": {}}
        else:
            for key, want in (("extractor", EXTRACTOR), ("prefilter", prefilter),
                              ("partition_size", partition_size)):
                if found.get(key) != want:
                    raise BatchError(f"{out} holds a batch with {key}={found.get(key)!r}, not {want!r}: "
                                     "use the same options to resume it, or another --out")
        self.manifest = found
        # a recorded partition whose files are gone is run again
        self.manifest["partitions"] = {
            pid: rec for pid, rec in found["partitions"].items()
            if (out / rec["events"]).is_file() and (out / rec["articles"]).is_file()}

    def create(self) -> None:
        """Make the output directories and remove temporary files left by a crash mid-write."""
        out = self.out
        try:
            for d in (out, out / "events", out / "articles"):
                missing = [p for p in (d, *d.parents) if not p.exists()]
                d.mkdir(parents=True, exist_ok=True)
                self.made.extend(reversed(missing))
        except OSError as exc:
            raise BatchError(f"--out {out}: cannot create {exc.filename or out}: {exc.strerror or exc}") from exc
        for d in (out, out / "events", out / "articles"):
            for stale in d.glob(".*.tmp"):  # left by a crash mid-write
                with contextlib.suppress(OSError):
                    stale.unlink()

    def discard(self) -> None:
        """Remove the directories :meth:`create` made, when they are still empty."""
        for d in reversed(self.made):
            with contextlib.suppress(OSError):
                d.rmdir()
        self.made.clear()

    def done(self, pid: str) -> bool:
        return pid in self.manifest["partitions"]

    def record(self, index: int, result: dict[str, Any]) -> None:
        import pyarrow.parquet as pq

        pid = result["pid"]
        ev_rel, art_rel = f"events/{pid}.parquet", f"articles/{pid}.parquet"
        atomic_write(self.out / ev_rel, lambda p: pq.write_table(result["events"], str(p)))
        atomic_write(self.out / art_rel, lambda p: pq.write_table(result["articles"], str(p)))
        self.manifest["partitions"][pid] = {
            "index": index, "events": ev_rel, "articles": art_rel,
            "n_articles": result["articles"].num_rows, "n_events": result["events"].num_rows,
            "failed": result["failed"],
            "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }
        data = json.dumps(self.manifest, ensure_ascii=False, indent=1, sort_keys=True)
        atomic_write(self.out / MANIFEST, lambda p: p.write_text(data, "utf-8"))


def _crash_after() -> int | None:
    spec = os.environ.get(FAULT_ENV, "")
    if spec.startswith("crash-after:"):
        return int(spec.split(":", 1)[1])
    return None


CONNECT_TIMEOUT = 30.0
"""Seconds a ``tcp://`` scheduler has to accept the client (connection and handshake)."""


def _check_scheduler(scheduler: str, workers: int) -> None:
    """Raise :class:`BatchError` unless ``scheduler`` is local, serial or a well-formed ``tcp://HOST:PORT``."""
    if scheduler == "serial":
        return
    if scheduler == "local":
        if workers < 1:
            raise BatchError(f"--workers must be at least 1, not {workers}")
        return
    if not scheduler.startswith(("tcp://", "tls://")):
        raise BatchError(f"--scheduler must be local, serial or tcp://HOST:PORT, not {scheduler!r}")
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(scheduler)
        port = parts.port
    except ValueError:  # a port that is no number or out of range, a broken [IPv6] address
        port = None
    if not parts.hostname or not port or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise BatchError(f"--scheduler {scheduler!r} is not tcp://HOST:PORT with PORT a number from 1 to 65535")


def _connect(address: str, timeout: float) -> Any:
    """A ``distributed.Client`` of the scheduler at ``address``, started within ``timeout`` seconds.

    Dask's own timeout covers the TCP connection but not the handshake, so a
    server that accepts and never answers (any non-Dask service) would hang the
    client: it is started in a thread that is given up after the timeout.
    Any failure (a refused connection, a server that answers garbage and makes
    the client allocate exabytes) is a :class:`BatchError`.
    """
    from distributed import Client

    box: dict[str, Any] = {}

    def start() -> None:
        try:
            box["client"] = Client(address, timeout=timeout)
        except Exception as exc:  # noqa: BLE001 - reported below, whatever it is
            box["error"] = exc

    thread = threading.Thread(target=start, name="diplowatch-dask-connect", daemon=True)
    thread.start()
    thread.join(timeout + min(timeout, 1.0))  # a grace, so that Dask's own timeout is reported when it fires
    why = f"cannot connect to the Dask scheduler at {address}"
    if thread.is_alive():
        raise BatchError(f"{why}: no Dask handshake within {timeout:g} s (is it a Dask scheduler?)")
    exc = box.get("error")
    if isinstance(exc, OSError):
        raise BatchError(f"{why}: {exc}") from exc
    if exc is not None:
        raise BatchError(f"{why}: not the Dask protocol ({type(exc).__name__}: {exc})") from exc
    return box["client"]


def _client(scheduler: str, workers: int, timeout: float = CONNECT_TIMEOUT) -> tuple[Any, Any]:
    """(client, cluster or None) for ``local`` or a ``tcp://`` address (checked by :func:`_check_scheduler`)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise BatchError("diplowatch batch needs Dask: pip install dask distributed pyarrow") from exc
    if scheduler == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
        return Client(cluster), cluster
    return _connect(scheduler, timeout), None


def run_batch(inputs: list[str], out: str | Path, *, scheduler: str = "local", workers: int = 2,
              partition_size: int = 50, published: dt.date | None = None, prefilter: bool = True,
              client: Any = None, fault: dict[str, Any] | None = None,
              progress: Callable[[str], None] | None = None,
              connect_timeout: float = CONNECT_TIMEOUT) -> BatchReport:
    """Extract events from ``inputs`` into ``out`` on Dask (see the module doc).

    Args:
        inputs: files or directories (JSON Lines, text, Parquet), or ``-``.
        out: output directory (created; a directory of an earlier run with the
            same options is resumed).
        scheduler: ``local`` (a LocalCluster of ``workers`` processes),
            ``tcp://HOST:PORT`` (an existing scheduler) or ``serial`` (no
            Dask: in this process).
        workers: worker processes of a ``local`` cluster.
        partition_size: articles per partition.
        published: publication date for inputs that have none.
        prefilter: use the extractor's trigger prefilter.
        client: an existing ``distributed.Client`` to use instead (``scheduler``
            is then ignored; the client is not closed).
        fault: test hook passed to :func:`extract_partition`.
        progress: called with a line of text after each partition.
        connect_timeout: seconds a ``tcp://`` scheduler has to accept the
            client (connection and handshake).

    Returns:
        A :class:`BatchReport`. When no article could be read, nothing is
        created (``report.partitions`` is 0 and ``report.input_errors`` says why).

    Raises:
        BatchError: bad options, an output path that is no (writable)
            directory, an incompatible output directory, an unreachable
            scheduler, or a task that failed (the partitions finished before it
            are recorded). Options, output path and scheduler are checked, and
            the first partition is read, before anything is created or started;
            directories this run created are removed again when it fails before
            recording a partition.
    """
    if client is None:
        _check_scheduler(scheduler, workers)
    output = _Output(Path(out), partition_size, prefilter)
    report = BatchReport()
    crash_after = _crash_after()
    say = progress or (lambda _line: None)
    seen: set[str] = set()

    def handle(index: int, result: dict[str, Any]) -> None:
        output.record(index, result)
        report.done += 1
        report.articles += result["articles"].num_rows + len(result["failed"])
        report.events += result["events"].num_rows
        report.failed.extend({**f, "pid": result["pid"]} for f in result["failed"])
        mem = report.memory.setdefault(result["process"], {"rss": 0, "peak_rss": 0})
        mem["rss"] = max(mem["rss"], result["rss"])
        mem["peak_rss"] = max(mem["peak_rss"], result["peak_rss"])
        say(f"partition {result['pid']}: {result['articles'].num_rows} article(s), "
            f"{result['events'].num_rows} event(s) in {result['seconds']:.1f} s")
        if crash_after is not None and report.done >= crash_after:
            os.kill(os.getpid(), signal.SIGKILL)

    parts = plan_partitions(read_articles(inputs, published), partition_size, report.input_errors.append)
    first = next(parts, None)
    if first is None:  # nothing could be read: create nothing, start nothing
        report.stale = sorted(output.manifest["partitions"])
        return report
    parts = itertools.chain([first], parts)
    own_client = client is None
    own_cluster = None

    def to_do() -> Iterator[Partition]:
        """The partitions not finished by an earlier run (those are counted as skipped)."""
        for part in parts:
            report.partitions += 1
            seen.add(part.pid)
            if output.done(part.pid):
                report.skipped += 1
                continue
            yield part

    t0 = time.perf_counter()
    try:
        if client is None and scheduler == "serial":
            output.create()
            worker_extractor(prefilter)  # loaded before the clock starts, as on the workers
            t0 = time.perf_counter()
            for part in to_do():
                handle(part.index, extract_partition(part.pid, [article_row(a) for a in part.articles],
                                                     prefilter, fault))
        else:
            if client is None:
                client, own_cluster = _client(scheduler, workers, connect_timeout)
            try:
                from distributed import as_completed

                client.register_plugin(_extractor_plugin(prefilter))  # waits for every worker to load it
                output.create()
                t0 = time.perf_counter()
                n_threads = max(1, sum(client.nthreads().values()))
                limit = 2 * n_threads
                pending = as_completed()
                index_of: dict[str, int] = {}

                def finish(fut: Any) -> None:
                    try:
                        result = fut.result()
                    except Exception as exc:
                        raise BatchError(f"partition {fut.key} failed: {type(exc).__name__}: {exc}") from exc
                    handle(index_of.pop(result["pid"]), result)
                    fut.release()

                for part in to_do():
                    index_of[part.pid] = part.index
                    pending.add(client.submit(extract_partition, part.pid,
                                              [article_row(a) for a in part.articles], prefilter, fault,
                                              key=f"diplowatch-{part.pid}", pure=False))
                    while pending.count() >= limit:
                        finish(next(pending))
                for fut in pending:
                    finish(fut)
            finally:
                if own_client:
                    client.close()
                if own_cluster is not None:
                    own_cluster.close()
    except BaseException:
        if report.done == 0:
            output.discard()
        raise
    report.seconds = time.perf_counter() - t0
    report.stale = sorted(set(output.manifest["partitions"]) - seen)
    return report


# --------------------------------------------------------------------------- loading

def load_batch(out: str | Path) -> Iterator[tuple[Article, list[Event]]]:
    """Every recorded article of a batch output with its events, in input order.

    Raises:
        BatchError: ``out`` holds no batch manifest, or a recorded file is unreadable.
    """
    import pyarrow.parquet as pq

    root = Path(out)
    manifest = _read_manifest(root)
    if manifest is None:
        raise BatchError(f"{root} holds no {MANIFEST}: not a diplowatch batch output")
    recs = sorted(manifest["partitions"].items(), key=lambda kv: kv[1]["index"])
    for pid, rec in recs:
        try:
            arts = pq.read_table(root / rec["articles"]).to_pylist()
            evs = pq.read_table(root / rec["events"]).to_pylist()
        except Exception as exc:  # ArrowInvalid, OSError
            raise BatchError(f"{root}: partition {pid} is unreadable: {exc}") from exc
        by_doc: dict[str, list[Event]] = {}
        for row in evs:
            ev = event_from_row(row)
            by_doc.setdefault(ev.doc, []).append(ev)
        for row in arts:
            article = article_from_row(row)
            yield article, by_doc.get(article.id, [])


def batch_events(out: str | Path) -> list[Event]:
    """Every event of a batch output, in input order (for comparisons and tests)."""
    return [e for _a, events in load_batch(out) for e in events]


class _Precomputed:
    """Stands in for an extractor: returns the events a batch already computed for an article."""

    def __init__(self) -> None:
        self.events: dict[str, list[Event]] = {}

    def extract(self, article: Article) -> list[Event]:
        """The batch's events of ``article`` (each handed out once)."""
        return self.events.pop(article.id, [])


def batch_inputs(dirs: Iterable[str | Path], summary: Any = None) -> tuple[Iterator[Article], _Precomputed]:
    """Articles of batch outputs and an extractor stand-in that returns their events.

    For :func:`diplowatch.ingest.pipeline.store_items`: ``store_items(articles, writer,
    lambda: pre, summary)`` stores every article with the events the batch found
    (no extraction), quarantining what the store refuses, like ``ingest`` does
    for other inputs. ``summary.read`` is counted when a summary is given.
    """
    pre = _Precomputed()

    def articles() -> Iterator[Article]:
        for d in dirs:
            for article, events in load_batch(d):
                pre.events.clear()  # one article in flight: a skipped duplicate leaves nothing behind
                pre.events[article.id] = events
                if summary is not None:
                    summary.read += 1
                yield article

    return articles(), pre
