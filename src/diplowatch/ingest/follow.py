"""``diplowatch follow``: poll feeds and pages, ingest what is new.

Each round fetches every URL with a conditional request (``If-None-Match``
from the last ``ETag``, ``If-Modified-Since`` from the last ``Last-Modified``);
a 304 answer costs nothing. Items already stored are skipped before their
linked page is fetched. A feed that is down or malformed is logged and tried
again next round. The validators of a feed are saved (atomically, in a small
JSON state file next to the database) only after its items are stored, so a
crash never loses items: at worst they are fetched again and found stored.

Ctrl-C (SIGINT) stops cleanly: outside a write the round is abandoned at once;
inside a write it is finished first. Every article stored so far stays stored
(one transaction per article). A second Ctrl-C during a write interrupts it
(the transaction is rolled back).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from diplowatch.errors import ConfigurationError, InputError
from diplowatch.files import atomic_write
from diplowatch.ingest.fetch import Fetcher
from diplowatch.ingest.pipeline import ArticleStore, EventExtractor, store_items
from diplowatch.ingest.settings import IngestSettings
from diplowatch.ingest.sources import admit, read_bytes
from diplowatch.ingest.summary import RunSummary

log = logging.getLogger(__name__)

__all__ = ["FeedState", "FollowStore", "Follower", "parse_interval", "state_path_for"]

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d)?\s*$", re.I)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400, None: 1}


def parse_interval(text: str) -> float:
    """``"15m"`` → 900.0 seconds; units s, m, h, d (default s).

    Raises:
        ConfigurationError: not a positive number with an optional unit.
    """
    m = _INTERVAL.match(text or "")
    if not m or float(m.group(1)) <= 0:
        raise ConfigurationError(f"--every {text!r}: expected a duration such as 30s, 15m, 1h")
    unit = m.group(2).lower() if m.group(2) else None
    return float(m.group(1)) * _UNITS[unit]


def state_path_for(db_url: str) -> Path:
    """Where ``follow`` keeps feed validators for a knowledge base.

    ``sqlite:///dir/kb.db`` → ``dir/kb.db.follow.json``; any other URL →
    ``~/.local/share/diplowatch/follow-<hash of the URL>.json``.
    """
    if db_url.startswith("sqlite:///") and ":memory:" not in db_url:
        return Path(db_url[len("sqlite:///"):].split("?", 1)[0] + ".follow.json")
    digest = hashlib.sha256(db_url.encode()).hexdigest()[:16]
    return Path.home() / ".local" / "share" / "diplowatch" / f"follow-{digest}.json"


@dataclass
class FeedState:
    """What ``follow`` remembers about one URL.

    Attributes:
        etag, last_modified: validators of the last successful fetch.
        last_ok: Unix time of the last successful round, or ``None``.
        failures: consecutive failed rounds.
        last_error: the last failure, or ``None``.
    """

    etag: str | None = None
    last_modified: str | None = None
    last_ok: float | None = None
    failures: int = 0
    last_error: str | None = None


class _StateFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.feeds: dict[str, FeedState] = {}
        try:
            data = json.loads(path.read_text("utf-8"))
            for url, d in (data.get("feeds") or {}).items():
                self.feeds[url] = FeedState(**{k: d.get(k) for k in FeedState.__dataclass_fields__
                                               if k in d})
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError) as exc:
            log.warning("%s: unreadable follow state (%s); starting afresh", path, exc)

    def get(self, url: str) -> FeedState:
        return self.feeds.setdefault(url, FeedState())

    def save(self) -> None:
        data = {"version": 1, "feeds": {u: vars(s) for u, s in sorted(self.feeds.items())}}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, lambda p: p.write_text(json.dumps(data, indent=1), "utf-8"))


class _Stopper:
    """SIGINT handling: stop at once outside a write, after it inside one."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self._critical = 0
        self._old: Any = None

    def install(self) -> None:
        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGINT, self._handle)

    def uninstall(self) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)
            self._old = None

    def _handle(self, signum: int, frame: Any) -> None:
        first = not self.event.is_set()
        self.event.set()
        if self._critical and first:
            log.warning("stopping after the current write (Ctrl-C again to interrupt it)")
            return
        raise KeyboardInterrupt

    @contextlib.contextmanager
    def critical(self) -> Iterator[None]:
        self._critical += 1
        try:
            yield
        finally:
            self._critical -= 1

    def checked(self, items: list[Any]) -> Iterator[Any]:
        """Yield ``items``, raising ``KeyboardInterrupt`` before the next one once a stop was asked."""
        for item in items:
            if self.event.is_set():
                raise KeyboardInterrupt
            yield item


class FollowStore(ArticleStore, Protocol):
    """What :class:`Follower` asks of the store: :class:`~diplowatch.ingest.pipeline.ArticleStore`, and more."""

    @property
    def url(self) -> str:
        """The knowledge base's URL (names the default state file)."""

    def has_article(self, id: str) -> bool:
        """Whether an article with this id is stored (feed items already stored are not fetched)."""


class Follower:
    """Polls URLs (feeds or pages) and stores what is new.

    Args:
        urls: feed or page URLs.
        store: where new items are stored: the write path over an open
            knowledge base (:class:`diplowatch.write.Writer`); its ``url``
            names the default state file.
        extractor: returns the event extractor (called lazily, once).
        settings: fetch limits, ``fetch_linked``, languages.
        state_path: JSON file of validators (default :func:`state_path_for`).
        on_error: called with every input/store error (for printing).
        fetcher: fetcher to use (default: a new one, closed by :meth:`close`).
    """

    def __init__(self, urls: list[str], store: FollowStore, extractor: Callable[[], EventExtractor], *,
                 settings: IngestSettings | None = None, state_path: Path | None = None,
                 on_error: Callable[[Exception], None] | None = None, fetcher: Fetcher | None = None) -> None:
        self.urls = list(dict.fromkeys(urls))
        self.store = store
        self.settings = settings or IngestSettings.from_env()
        self._extractor = extractor
        self._ext: EventExtractor | None = None
        self.state = _StateFile(state_path or state_path_for(store.url))
        self.on_error = on_error
        self._own_fetcher = fetcher is None
        self.fetcher = fetcher or Fetcher(self.settings)
        self.stopper = _Stopper()
        self._last_round = False

    def close(self) -> None:
        """Close the fetcher if this follower created it."""
        if self._own_fetcher:
            self.fetcher.close()

    def _get_extractor(self) -> EventExtractor:
        if self._ext is None:
            self._ext = self._extractor()
        return self._ext

    def _fail(self, url: str, st: FeedState, why: str, summary: RunSummary) -> None:
        """Count a failed feed and report it once: to ``on_error`` when given, else as a log warning."""
        st.failures += 1
        st.last_error = why
        summary.feed_errors += 1
        error = InputError(url, why if self._last_round else f"{why} (retried next round)")
        if self.on_error:
            self.on_error(error)
        else:
            log.warning("%s", error)

    def poll(self, url: str, summary: RunSummary) -> None:
        """One conditional fetch of ``url`` and the storing of its new items.

        Errors of the feed (down, refused, malformed) are counted in
        ``summary.feed_errors`` and never raised; ``KeyboardInterrupt`` is.
        """
        st = self.state.get(url)
        try:
            got = self.fetcher.fetch(url, accept="application/rss+xml,application/atom+xml,application/xml;"
                                                  "q=0.9,text/xml;q=0.9,text/html;q=0.8,*/*;q=0.5",
                                     etag=st.etag, last_modified=st.last_modified)
        except InputError as exc:
            self._fail(url, st, exc.reason, summary)
            return
        if got.not_modified:
            summary.not_modified += 1
            st.failures, st.last_error, st.last_ok = 0, None, time.time()
            log.info("%s: not modified", url)
            return
        items = list(read_bytes(got.content, source=url, name=got.url, content_type=got.content_type,
                                charset=got.charset, url=got.url, settings=self.settings, summary=summary,
                                fetcher=self.fetcher, is_known=self.store.has_article))
        feed_errors = [i for i in items if isinstance(i, InputError) and i.source == url and i.line is None]
        if feed_errors and len(items) == len(feed_errors):
            self._fail(url, st, feed_errors[0].reason, summary)
            return
        kept: list[Any] = []
        for item in items:
            if isinstance(item, InputError):
                kept.append(item)
                continue
            art = admit(item, self.settings, summary)
            if art is not None:
                kept.append(art)
        store_items(self.stopper.checked(kept), self.store, self._get_extractor, summary, on_error=self.on_error,
                    critical=self.stopper.critical)
        st.etag, st.last_modified = got.etag, got.last_modified
        st.failures, st.last_error, st.last_ok = 0, None, time.time()
        with self.stopper.critical():
            self.state.save()

    def round(self, summary: RunSummary | None = None) -> RunSummary:
        """Poll every URL once; return this round's counts (filled into ``summary`` as it goes)."""
        summary = summary if summary is not None else RunSummary()
        for url in self.urls:
            if self.stopper.event.is_set():
                break
            self.poll(url, summary)
        return summary

    def run(self, every: float, *, once: bool = False, rounds: int | None = None,
            on_round: Callable[[RunSummary], None] | None = None) -> RunSummary:
        """Poll until stopped: Ctrl-C, ``once``, or ``rounds`` rounds done.

        Args:
            every: seconds between the starts of two rounds.
            once: one round only.
            rounds: stop after this many rounds (tests), ``None`` = forever.
            on_round: called with each round's summary.

        Returns:
            The counts of all rounds together. ``KeyboardInterrupt`` is not raised.
        """
        total = RunSummary()
        self.stopper.install()
        done = 0
        try:
            while not self.stopper.event.is_set():
                start = time.monotonic()
                got = RunSummary()
                self._last_round = once or (rounds is not None and done + 1 >= rounds)
                try:
                    self.round(got)
                except KeyboardInterrupt:
                    total.merge(got)
                    log.warning("interrupted: stopping; everything stored so far is kept")
                    break
                total.merge(got)
                done += 1
                if on_round:
                    on_round(got)
                if once or (rounds is not None and done >= rounds):
                    break
                wait = max(0.0, every - (time.monotonic() - start))
                try:
                    if self.stopper.event.wait(wait):
                        break
                except KeyboardInterrupt:
                    break
        finally:
            self.stopper.uninstall()
        return total
