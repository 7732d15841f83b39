"""``POST /api/ingest``: request bodies into Articles, then extract and store (idempotent).

Bodies, by ``Content-Type``:

* ``text/plain`` (UTF-8): one article; ``id``, ``title``, ``url``,
  ``published`` may come as query parameters.
* ``application/json``: one object ``{"text", "title", "url", "published",
  "id", "lang"}``; with ``url`` and no ``text`` the URL is fetched (http(s)
  only, through :mod:`diplowatch.ingest`'s guarded fetcher).
* ``application/x-ndjson`` (or ``application/jsonl``): JSON Lines, one such
  object per line (no fetching); bad lines are reported, the others stored.

Storing: through the write path of every ingest (:class:`diplowatch.write.Writer`:
the watch rules are evaluated in the transaction that stores the events, the
alerts delivered after the commit). An article already stored (same id, or
same canonical URL or text) is not extracted again; its stored event ids are
returned. A record that cannot be stored is quarantined with its reason
(RELIABILITY.md, "Store").
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from diplowatch.api.models import IngestedArticleOut, IngestErrorOut, IngestOut
from diplowatch.api.security import JsonShapeError, check_json_shape
from diplowatch.api.settings import ApiSettings
from diplowatch.errors import Cancelled, DiplowatchError, InputError
from diplowatch.model import Article, article_id, surrogate_reason
from diplowatch.store import queries
from diplowatch.write import Writer

log = logging.getLogger(__name__)

__all__ = ["IngestRequestError", "ParsedBody", "Pipeline", "UnsupportedMediaError", "parse_body", "store_articles"]

JSON_TYPES = ("application/json",)
JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines")
TEXT_TYPES = ("text/plain",)
_FIELDS = ("id", "url", "title", "published", "text", "lang")


class IngestRequestError(ValueError):
    """The request as a whole cannot be ingested (HTTP 422)."""


class UnsupportedMediaError(ValueError):
    """A ``Content-Type`` that ``POST /api/ingest`` does not read (HTTP 415)."""


@dataclass
class ParsedBody:
    """Articles read from a body (with their line, ``None`` for one-article bodies), errors, URL to fetch."""

    articles: list[tuple[int | None, Article]] = field(default_factory=list)
    errors: list[IngestErrorOut] = field(default_factory=list)
    url: str | None = None
    published: dt.date | None = None
    batch: bool = False


def _published(value: Any, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise IngestRequestError(f"{where}: published must be a date YYYY-MM-DD, not {type(value).__name__}")
    from diplowatch.ingest import parse_published

    day = parse_published(value)
    if day is None:
        raise IngestRequestError(f"{where}: published {value[:40]!r} is not a plausible date YYYY-MM-DD")
    return day


def _check_text(text: str, where: str) -> None:
    if not text.strip():
        raise IngestRequestError(f"{where}: the text is empty")
    if "\x00" in text:
        raise IngestRequestError(f"{where}: the text holds a NUL character (binary data?)")
    sample = text[:8192]
    bad = sum(1 for c in sample if c not in "\t\n\r\f\v" and unicodedata.category(c) == "Cc")
    if bad / len(sample) > 0.10:
        raise IngestRequestError(f"{where}: mostly control characters, not text")


def _article_from(obj: Any, where: str, *, allow_url_only: bool) -> Article | str:
    """An Article from a JSON object, or the URL to fetch when it has a URL and no text."""
    if not isinstance(obj, dict):
        raise IngestRequestError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    for name in _FIELDS:
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            raise IngestRequestError(f'{where}: field "{name}" must be a string or null, not {type(value).__name__}')
    for name in ("id", "url", "title", "lang", "published"):
        if "\x00" in (obj.get(name) or ""):
            raise IngestRequestError(f'{where}: field "{name}" holds a NUL character')
    text, url = obj.get("text"), (obj.get("url") or "").strip() or None
    if text is None:
        if url and allow_url_only:
            return url
        raise IngestRequestError(f'{where}: missing field "text"' + (' (or "url" to fetch)' if allow_url_only else ""))
    _check_text(text, where)
    if len((obj.get("id") or "")) > 255:
        raise IngestRequestError(f'{where}: field "id" longer than 255 characters')
    art_id = (obj.get("id") or "").strip() or article_id(url, text)
    return Article(id=art_id, text=text, title=obj.get("title"), url=url,
                   published=_published(obj.get("published"), where), lang=obj.get("lang"))


def _decode(body: bytes, where: str) -> str:
    if not body.strip():
        raise IngestRequestError(f"{where}: the request body is empty")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestRequestError(f"{where}: invalid UTF-8 at byte offset {exc.start}") from None
    return text[1:] if text.startswith("\ufeff") else text


def parse_body(content_type: str, body: bytes, params: dict[str, str | None], settings: ApiSettings) -> ParsedBody:
    """Read a request body into articles (see the module doc).

    Args:
        content_type: the ``Content-Type`` header (parameters ignored, except a non-UTF-8 charset).
        body: the raw body (already size-limited).
        params: query parameters ``id``, ``title``, ``url``, ``published`` (text bodies only).
        settings: JSON depth, item and batch limits.

    Raises:
        UnsupportedMediaError: another content type, or a charset other than UTF-8.
        IngestRequestError: the body as a whole is unusable (with the reason).
        JsonShapeError: JSON nested too deeply or with too many items.
    """
    media, _, rest = (content_type or "").partition(";")
    media = media.strip().lower()
    charset = next((p.split("=", 1)[1].strip().strip('"').lower() for p in rest.split(";")
                    if p.strip().lower().startswith("charset=")), "utf-8")
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaError(f"charset {charset!r} is not supported; send UTF-8")
    out = ParsedBody()
    if media in TEXT_TYPES:
        bad = next((k for k, v in params.items() if v and "\x00" in v), None)
        if bad:
            raise IngestRequestError(f"{bad}: holds a NUL character")
        text = _decode(body, "body")
        _check_text(text, "body")
        url = (params.get("url") or "").strip() or None
        art_id = (params.get("id") or "").strip() or article_id(url, text)
        out.articles.append((None, Article(id=art_id, text=text, title=params.get("title") or None, url=url,
                                           published=_published(params.get("published"), "published"))))
        return out
    if media in JSON_TYPES:
        text = _decode(body, "body")
        try:
            obj = check_json_shape(text, max_depth=settings.max_json_depth, max_items=settings.max_json_items)
        except JsonShapeError:
            raise
        except ValueError as exc:
            raise IngestRequestError(f"body: not valid JSON: {exc}") from None
        got = _article_from(obj, "body", allow_url_only=True)
        if isinstance(got, str):
            bad = surrogate_reason([("url", got)])
            if bad is not None:
                raise IngestRequestError(f"body: {bad}")
            out.url = got
            out.published = _published(obj.get("published"), "body")
        else:
            out.articles.append((None, got))
        return out
    if media in JSONL_TYPES:
        out.batch = True
        lines = _decode(body, "body").splitlines()
        records = [(n, line) for n, line in enumerate(lines, 1) if line.strip()]
        if not records:
            raise IngestRequestError("body: no JSON Lines records")
        if len(records) > settings.max_batch:
            raise IngestRequestError(f"body: {len(records)} records; the limit is {settings.max_batch} per request")
        for n, line in records:
            try:
                obj = check_json_shape(line, max_depth=settings.max_json_depth, max_items=settings.max_json_items)
                got = _article_from(obj, f"line {n}", allow_url_only=False)
            except JsonShapeError as exc:
                raise JsonShapeError(f"line {n}: {exc}") from None
            except IngestRequestError as exc:
                out.errors.append(IngestErrorOut(line=n, reason=str(exc)))
                continue
            except ValueError as exc:
                out.errors.append(IngestErrorOut(line=n, reason=f"line {n}: not valid JSON: {exc}"))
                continue
            out.articles.append((n, got))  # type: ignore[arg-type]
        return out
    raise UnsupportedMediaError(f"Content-Type {media or '(none)'!r} is not read; send text/plain, "
                                "application/json or application/x-ndjson")


def fetch_articles(url: str, published: dt.date | None, max_articles: int = 200) -> list[Article]:
    """Fetch an http(s) URL into articles with :func:`diplowatch.ingest.sources.read_urls` (SSRF-guarded).

    The URL is parsed once (:func:`diplowatch.ingest.fetch.parse_url`: http or
    https, with a host) and only ever fetched: whatever it looks like
    (``http:/../../etc/hostname`` next to a folder named ``http:``), it is never
    opened as a local path.

    Raises:
        IngestRequestError: the URL is refused (the reason names it), cannot be
            fetched or read, or holds no article.

    Returns:
        At most ``max_articles`` articles (a feed gives one per item).
    """
    from diplowatch.ingest.fetch import parse_url
    from diplowatch.ingest.sources import read_urls

    shown = _shown(url)
    try:
        parsed = parse_url(url)
    except InputError as exc:
        raise IngestRequestError(f"url {shown}: {exc.reason}") from None
    try:
        items = list(read_urls([str(parsed)], published=published))
    except InputError as exc:
        raise IngestRequestError(str(exc)) from None
    errors = [i for i in items if isinstance(i, InputError)]
    arts = [i for i in items if isinstance(i, Article)]
    if not arts:
        raise IngestRequestError(str(errors[0]) if errors else
                                 f"url {shown}: no article found (or not in a language analysed)")
    for a in arts:
        _check_text(a.text, f"url {shown}")
    return arts[:max_articles]


def _shown(value: str, limit: int = 80) -> str:
    """``value`` cut to ``limit`` characters, quoted, lone surrogates as ``\\udXXX`` (safe in any answer)."""
    return repr(value[:limit].encode("utf-8", "backslashreplace").decode("utf-8"))


class Pipeline:
    """A bounded pool of extractors, so that one long analysis does not hold up every other write.

    Each worker has an extractor of its own, made on its first use: an
    extractor (and the spaCy pipeline under it) is used by one thread at a
    time, so the default extractors each load their own copy of the models
    (:func:`diplowatch.nlp.pipeline.load_nlp`, ``copy`` 1..``workers``; about
    50 MB each). The pool runs in the threads of the server's thread pool,
    off the event loop. Threads rather than processes: the events, articles
    and an injected extractor need not be pickled, a worker's models stay
    loaded between requests, and the hot loops that matter (spaCy's parser)
    run in native code; the Python parts of two analyses take turns on the
    CPU (the GIL), so a hostile article slows a normal one down instead of
    blocking it. Analyses are stopped, not killed: ``cancelled`` is asked
    inside every sentence (:meth:`diplowatch.extract.Extractor.extract`).

    Args:
        factory: makes one worker's extractor, an object with
            ``extract(article, cancelled=None) -> list[Event]``; ``None``:
            :class:`diplowatch.extract.Extractor` with a copy of the models of
            its own.
        workers: most analyses that run at once (at least 1); a request that
            finds every worker busy waits for one (and its time limit runs).
    """

    def __init__(self, factory: Callable[[], Any] | None = None, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self._factory = factory
        self.workers = workers
        self._idle: queue.LifoQueue[Any] = queue.LifoQueue()
        self._made = 0
        self._lock = threading.Lock()

    @property
    def busy(self) -> int:
        """Workers analysing (or loading their models) now."""
        with self._lock:
            return self._made - self._idle.qsize()

    def extract(self, article: Article, cancelled: Callable[[], bool] | None = None) -> list[Any]:
        """Events of one article, analysed by an idle worker (waited for while none is idle).

        Args:
            article: the article.
            cancelled: asked while waiting for a worker and during the
                analysis; when it answers true the work is abandoned.

        Raises:
            Cancelled: ``cancelled`` answered true; no event is returned.
        """
        extractor = self._take(article, cancelled)
        try:
            return extractor.extract(article, cancelled=cancelled)
        finally:
            self._idle.put(extractor)

    def _take(self, article: Article, cancelled: Callable[[], bool] | None) -> Any:
        """An idle worker's extractor, a new one while fewer than ``workers`` exist, or the next one freed."""
        while True:
            try:
                return self._idle.get_nowait()
            except queue.Empty:
                pass
            with self._lock:
                copy = self._made + 1 if self._made < self.workers else 0
                self._made += bool(copy)
            if copy:
                try:
                    return self._make(copy)
                except BaseException:
                    with self._lock:
                        self._made -= 1
                    raise
            try:
                return self._idle.get(timeout=0.1)
            except queue.Empty:
                if cancelled is not None and cancelled():
                    raise Cancelled(f"article {article.id}: abandoned while waiting for a free extractor "
                                    f"({self.workers} busy)") from None

    def _make(self, copy: int) -> Any:
        if self._factory is not None:
            return self._factory()
        from diplowatch.extract import Extractor

        return Extractor(copy=copy)


def _quarantine(writer: Writer, art: Article, line: int | None, source: str, reason: str,
                errors: list[IngestErrorOut]) -> None:
    """Quarantine an article that cannot be stored and add the reason (valid UTF-8) to ``errors``."""
    try:
        writer.quarantine(art.url or source, reason, art, line)
    except DiplowatchError as exc:
        reason += f" (and it could not be quarantined: {exc})"
    errors.append(IngestErrorOut(line=line, reason=reason.encode("utf-8", "backslashreplace").decode("utf-8")))


def store_articles(writer: Writer, pipeline: Pipeline, parsed: ParsedBody, source: str,
                   cancelled: Callable[[], bool] | None = None) -> tuple[IngestOut, bool]:
    """Extract and store every article of a parsed body; quarantine what cannot be stored.

    Every article is analysed first, then all are written: a request abandoned
    during the analysis (``cancelled``: its time limit passed, its client went
    away) writes nothing at all, neither articles nor quarantined records.

    Args:
        writer: the write path over the app's knowledge base.
        pipeline: the pool of extractors.
        parsed: the body, from :func:`parse_body` (or fetched articles).
        source: what quarantined records are said to come from (``api:<token id>``).
        cancelled: asked during the analyses (see :meth:`Pipeline.extract`).

    Returns:
        ``(answer, created)``: ``created`` is true when at least one article was new.

    Raises:
        IngestRequestError: a one-article body whose article could not be stored.
        Cancelled: ``cancelled`` answered true; nothing was written.
    """
    kb = writer.kb
    done: list[IngestedArticleOut] = []
    errors = list(parsed.errors)
    created = False
    # what each article comes to: ("stored", None) already stored, ("events", [...]) or ("bad", reason)
    outcomes: list[tuple[int | None, Article, str, Any]] = []
    for line, art in parsed.articles:
        bad = surrogate_reason([("text", art.text), ("title", art.title), ("url", art.url), ("id", art.id),
                                ("lang", art.lang)])
        if bad is not None:  # the reason the CLI gives, before anything reads the record
            outcomes.append((line, art, "bad", f"{'body' if line is None else f'line {line}'}: {bad}"))
            continue
        try:
            if kb.stored_article_id(art) is not None:
                outcomes.append((line, art, "stored", None))
            else:
                outcomes.append((line, art, "events", pipeline.extract(art, cancelled)))
            continue
        except Cancelled:
            raise
        except DiplowatchError as exc:
            reason = str(exc)
        except Exception as exc:  # an extractor failure on hostile input must not become a 500
            log.exception("ingest of %s failed", art.id)
            reason = f"article {art.id}: cannot be analysed: {type(exc).__name__}: {exc}".splitlines()[0]
        outcomes.append((line, art, "bad", reason))
    for line, art, kind, value in outcomes:
        if kind == "events":
            try:
                if writer.add(art, value):
                    created = True
                    done.append(IngestedArticleOut(id=art.id, status="stored", events=sorted({e.id for e in value})))
                    continue
            except DiplowatchError as exc:
                _quarantine(writer, art, line, source, str(exc), errors)
                continue
        if kind == "bad":
            _quarantine(writer, art, line, source, value, errors)
            continue
        existing = kb.stored_article_id(art) or art.id
        done.append(IngestedArticleOut(id=existing, status="already_stored", events=queries.event_ids_of(kb, existing)))
    if not parsed.batch and not done and errors:
        raise IngestRequestError(errors[0].reason)
    if parsed.batch and not done and errors:
        raise IngestRequestError("; ".join(e.reason for e in errors[:5]))
    return IngestOut(articles=done, errors=errors), created
