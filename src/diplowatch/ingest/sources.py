"""One entry point for every input: :func:`read_inputs`.

An input is a file, a directory (walked recursively by extension), ``-`` for
standard input, or an http(s) URL. Its format is chosen by, in order: the
file extension, the HTTP ``Content-Type``, then the content itself:

=========  ===========================================  ==============================
format     extensions                                   content types / sniffing
=========  ===========================================  ==============================
html       .html .htm .xhtml                            text/html, application/xhtml+xml; ``<!doctype html``, ``<html``
feed       .rss .atom (.xml when the root is a feed)    application/rss+xml, atom+xml, rdf+xml; root ``rss``/``feed``/``rdf:RDF``
jsonl      .jsonl .ndjson .json                         application/x-ndjson, application/json; first byte ``{``
csv        .csv .tsv                                    text/csv, text/tab-separated-values
text       .txt and anything else                       everything else
=========  ===========================================  ==============================

Every article then has its language resolved (detection wins over a
declared code); articles in a language not in ``IngestSettings.languages`` are
skipped and counted in the :class:`~diplowatch.ingest.summary.RunSummary`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from diplowatch.errors import InputError
from diplowatch.ingest import readers
from diplowatch.ingest.corpora import read_csv, read_jsonl, read_jsonl_file
from diplowatch.ingest.feeds import looks_like_feed, parse_feed
from diplowatch.ingest.fetch import Fetcher, is_url
from diplowatch.ingest.html import html_article, looks_like_html
from diplowatch.ingest.lang import resolve_lang
from diplowatch.ingest.settings import IngestSettings
from diplowatch.ingest.summary import RunSummary
from diplowatch.model import Article, article_id

log = logging.getLogger(__name__)

__all__ = ["DIRECTORY_SUFFIXES", "FORMATS", "admit", "read_bytes", "read_inputs", "read_path", "read_paths",
           "read_urls", "sniff_format"]

FORMATS: tuple[str, ...] = ("html", "feed", "jsonl", "csv", "text")

_BY_SUFFIX = {".html": "html", ".htm": "html", ".xhtml": "html", ".rss": "feed", ".atom": "feed",
              ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "csv",
              ".txt": "text"}
_BY_TYPE = {"text/html": "html", "application/xhtml+xml": "html",
            "application/rss+xml": "feed", "application/atom+xml": "feed", "application/rdf+xml": "feed",
            "application/feed+xml": "feed", "application/x-rss+xml": "feed",
            "application/x-ndjson": "jsonl", "application/jsonl": "jsonl", "application/jsonlines": "jsonl",
            "application/json": "jsonl", "application/x-jsonlines": "jsonl",
            "text/csv": "csv", "text/tab-separated-values": "csv"}

DIRECTORY_SUFFIXES: frozenset[str] = frozenset({".txt", ".jsonl", ".ndjson", ".csv", ".tsv", ".html", ".htm",
                                                ".xhtml", ".rss", ".atom", ".xml"})
"""Suffixes picked up when a directory is walked (``.json`` is not: most JSON files are not corpora)."""

_ACCEPT = ("text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
           "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5")


def sniff_format(name: str | None, content_type: str | None, head: bytes) -> str:
    """Choose the reader for an input.

    Args:
        name: file name or URL path (its suffix counts first), or ``None``.
        content_type: media type without parameters, or ``None``.
        head: the first bytes of the content (a few kB suffice).

    Returns:
        One of :data:`FORMATS`. ``.xml`` files and XML content types are
        ``feed`` only when the root element is a feed; otherwise ``html``.
    """
    suffix = Path(urlsplit(name).path if name and "://" in name else (name or "")).suffix.lower()
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if suffix == ".xml":
        return "feed" if looks_like_feed(head) else "html"
    ctype = (content_type or "").split(";", 1)[0].strip().lower()
    if ctype in _BY_TYPE:
        fmt = _BY_TYPE[ctype]
        if fmt == "html" and looks_like_feed(head):
            return "feed"  # some servers label feeds text/html
        return fmt
    if ctype in ("application/xml", "text/xml") or ctype.endswith("+xml"):
        return "feed" if looks_like_feed(head) else "html"
    if looks_like_feed(head):
        return "feed"
    if looks_like_html(head):
        return "html"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        return "jsonl"
    return "text"


def read_bytes(data: bytes, *, source: str, fmt: str | None = None, name: str | None = None,
               content_type: str | None = None, charset: str | None = None, url: str | None = None,
               doc_id: str | None = None, published: dt.date | None = None,
               settings: IngestSettings | None = None, summary: RunSummary | None = None,
               fetcher: Fetcher | None = None,
               is_known: Any = None) -> Iterator[Article | InputError]:
    """Read an input held in memory (stdin, a fetched body, a small file).

    Args:
        data: the content.
        source: name used in errors.
        fmt: one of :data:`FORMATS`, or ``None`` to sniff (:func:`sniff_format`).
        name: file name or URL whose suffix hints the format.
        content_type, charset: from HTTP, if fetched.
        url: where it was fetched (article URL for html/text; feed base URL).
        doc_id: id of a text or html article without URL (file name stem).
        published: fallback date.
        settings, summary, fetcher: see :func:`read_inputs`.
        is_known: for feeds, ``is_known(article_id) -> bool`` skips stored
            items (see :func:`~diplowatch.ingest.feeds.parse_feed`).

    Yields:
        :class:`Article` | :class:`InputError`, before the language filter.
    """
    s = settings or IngestSettings()
    stats = summary if summary is not None else RunSummary()
    fmt = fmt or sniff_format(name, content_type, data[:65536])
    if fmt == "html":
        yield html_article(data, source=source, url=url, doc_id=doc_id, published=published,
                           charset=charset, settings=s)
    elif fmt == "feed":
        yield from parse_feed(data, source=source, url=url, content_type=content_type, published=published,
                              settings=s, fetcher=fetcher, summary=stats, is_known=is_known)
    elif fmt == "jsonl":
        yield from read_jsonl(io.BytesIO(data), source, fields=s.fields, published=published, summary=stats)
    elif fmt == "csv":
        delim = "\t" if (name or "").lower().endswith(".tsv") or (content_type or "").endswith(
            "tab-separated-values") else None
        yield from read_csv(data, source, fields=s.fields, published=published, summary=stats,
                            delimiter=delim)
    else:
        item = readers._text_article(source, doc_id, data, published)
        if isinstance(item, Article) and url:
            item = dataclasses.replace(item, url=url, id=article_id(url, item.text))
        yield item


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(65536)
    except OSError:
        return b""


def _read_file(path: Path, s: IngestSettings, stats: RunSummary, published: dt.date | None,
               fetcher: Fetcher | None) -> Iterator[Article | InputError]:
    source = str(path)
    fmt = sniff_format(path.name, None, _head(path))
    if fmt == "text":
        yield from readers.read_text_file(path, published)
        return
    if fmt == "jsonl":
        yield from read_jsonl_file(path, fields=s.fields, published=published, summary=stats)
        return
    cap = {"html": s.max_html_bytes, "feed": s.max_feed_bytes}.get(fmt, readers.MAX_RECORD_BYTES)
    data = readers.read_capped(path, str(path), cap)
    if isinstance(data, InputError):
        yield data
        return
    if not data.strip():
        yield InputError(source, "empty file" if not data else "file holds only whitespace")
        return
    yield from read_bytes(data, source=source, fmt=fmt, name=path.name, doc_id=path.stem, published=published,
                          settings=s, summary=stats, fetcher=fetcher)


def _walk(root: Path) -> Iterator[Path | InputError]:
    """The readable files of a directory tree (:func:`readers.walk` with every format's suffix)."""
    return readers.walk(root, DIRECTORY_SUFFIXES)


def read_url(url: str, *, fetcher: Fetcher, settings: IngestSettings, summary: RunSummary,
             published: dt.date | None = None) -> Iterator[Article | InputError]:
    """Fetch ``url`` (see :class:`~diplowatch.ingest.fetch.Fetcher`) and read what it returns.

    Yields:
        The articles of the page, feed or corpus, or one
        :class:`~diplowatch.ingest.fetch.FetchError` (an :class:`InputError`).
    """
    try:
        got = fetcher.fetch(url, accept=_ACCEPT)
    except InputError as exc:
        yield exc
        return
    if not got.content.strip():
        yield InputError(url, "empty response body")
        return
    yield from read_bytes(got.content, source=url, name=got.url, content_type=got.content_type,
                          charset=got.charset, url=got.url, published=published, settings=settings,
                          summary=summary, fetcher=fetcher)


def _raw_inputs(inputs: Iterable[str | os.PathLike[str]], s: IngestSettings, stats: RunSummary,
                published: dt.date | None, fetcher_box: list[Any]) -> Iterator[Article | InputError]:
    def fetcher() -> Fetcher:
        if not fetcher_box:
            fetcher_box.append(Fetcher(s))
        return fetcher_box[0]

    lazy = _LazyFetcher(fetcher)
    for item in inputs:
        if isinstance(item, str) and item == readers.STDIN:
            stream = getattr(sys.stdin, "buffer", None)
            if sys.stdin is None:
                yield InputError(readers.STDIN_NAME, "no standard input")
                continue
            try:
                data = stream.read() if stream is not None else sys.stdin.read().encode("utf-8", "surrogatepass")
            except OSError as exc:
                yield InputError(readers.STDIN_NAME, f"cannot read: {exc.strerror or exc}")
                continue
            yield from read_bytes(data, source=readers.STDIN_NAME, published=published, settings=s,
                                  summary=stats, fetcher=lazy if s.fetch_linked else None)
            continue
        if isinstance(item, str) and is_url(item):
            yield from read_url(item, fetcher=fetcher(), settings=s, summary=stats, published=published)
            continue
        p = Path(item)
        try:
            is_dir = p.is_dir()
        except OSError:
            is_dir = False
        files = _walk(p) if is_dir else iter([p])
        for f in files:
            if isinstance(f, InputError):
                yield f
            else:
                yield from _read_file(f, s, stats, published, lazy if s.fetch_linked else None)


class _LazyFetcher:
    """Creates the real :class:`Fetcher` on first use (most runs never fetch)."""

    def __init__(self, make: Any) -> None:
        self._make = make

    def fetch(self, *args: Any, **kwargs: Any) -> Any:
        return self._make().fetch(*args, **kwargs)


def accept_language(article: Article, settings: IngestSettings, summary: RunSummary) -> Article | None:
    """Resolve ``article.lang`` (or take ``settings.force_language``); return ``None`` (and count it)
    when the language is not analysed."""
    lang = settings.force_language or resolve_lang(article.content, article.lang)
    if lang != article.lang:
        article = dataclasses.replace(article, lang=lang)
    if settings.languages and lang is not None and lang not in settings.languages:
        summary.skipped_language[lang] += 1
        log.info("%s: language %s, skipped", article.url or article.id, lang)
        return None
    return article


def admit(article: Article, settings: IngestSettings, summary: RunSummary) -> Article | None:
    """Count an article read and let it through the language filter (:func:`accept_language`);
    an article kept with no publication date is counted in ``summary.dates_unknown``.

    Returns:
        The article (``lang`` resolved), or ``None`` when its language is not analysed.
    """
    summary.read += 1
    kept = accept_language(article, settings, summary)
    if kept is not None and kept.published is None:
        summary.dates_unknown += 1
    return kept


def read_inputs(inputs: Iterable[str | os.PathLike[str]], *, published: dt.date | None = None,
                settings: IngestSettings | None = None, summary: RunSummary | None = None,
                fetcher: Fetcher | None = None) -> Iterator[Article | InputError]:
    """Read files, directories, ``-`` and URLs of any supported format into articles.

    Args:
        inputs: paths, directories (walked recursively, sorted, by
            :data:`DIRECTORY_SUFFIXES`), ``"-"`` (stdin, format sniffed) or
            http(s) URLs (other schemes such as ``file:`` are refused).
        published: date for articles that state none or an unusable one
            (``--published``); a valid stated date is never overridden.
        settings: limits, field names, languages, ``fetch_linked``, allow-list
            (default :meth:`IngestSettings.from_env`).
        summary: counters to fill: ``read`` (articles produced by the readers),
            ``skipped_language``, ``skipped_empty``, ``dates_unknown`` (articles
            yielded without a publication date), ``dates_unusable``.
        fetcher: the fetcher to use for URLs; default one is created when
            needed and closed at the end.

    Yields:
        :class:`Article` (``lang`` resolved; other languages dropped) and
        :class:`InputError` (not raised), in input order.
    """
    s = settings or IngestSettings.from_env()
    if isinstance(published, dt.datetime):
        published = published.date()
    stats = _summary(summary)
    box: list[Any] = [fetcher] if fetcher is not None else []
    return _accepted(_raw_inputs(inputs, s, stats, published, box), s, stats, box, own_fetcher=fetcher is None)


def read_urls(urls: Iterable[str], *, published: dt.date | None = None, settings: IngestSettings | None = None,
              summary: RunSummary | None = None, fetcher: Fetcher | None = None) -> Iterator[Article | InputError]:
    """Fetch and read http(s) URLs only: an input is never opened as a file, whatever it looks like.

    What a client names over the network (``POST /api/ingest {"url"}``) comes
    through here. Each URL is parsed once by
    :func:`~diplowatch.ingest.fetch.parse_url` inside the guarded
    :meth:`Fetcher.fetch <diplowatch.ingest.fetch.Fetcher.fetch>`: ``http:/x``,
    ``http:///etc/passwd``, ``http:\\\\x`` or ``http:/../../etc/hostname`` give a
    :class:`~diplowatch.ingest.fetch.FetchError`, even when a folder named
    ``http:`` exists in the working directory.

    Args, Yields: as :func:`read_inputs`.
    """
    s = settings or IngestSettings.from_env()
    stats = _summary(summary)
    box: list[Any] = [fetcher] if fetcher is not None else []

    def raw() -> Iterator[Article | InputError]:
        for url in urls:
            if not box:
                box.append(Fetcher(s))
            yield from read_url(url, fetcher=box[0], settings=s, summary=stats, published=published)

    return _accepted(raw(), s, stats, box, own_fetcher=fetcher is None)


def _summary(summary: RunSummary | None) -> RunSummary:
    return summary if summary is not None else RunSummary()


def _accepted(items: Iterator[Article | InputError], s: IngestSettings, stats: RunSummary,
              box: list[Any], *, own_fetcher: bool) -> Iterator[Article | InputError]:
    """Count what the readers produce and drop articles in languages not analysed; close our fetcher."""
    try:
        for item in items:
            if isinstance(item, InputError):
                yield item
                continue
            kept = admit(item, s, stats)
            if kept is not None:
                yield kept
    finally:
        if box and own_fetcher:
            box[0].close()


def read_path(path: str | os.PathLike[str], published: dt.date | None = None
              ) -> Iterator[Article | InputError]:
    """Read one input into articles.

    Args:
        path: a ``.txt`` file (one article; id = file name without ``.txt``), a
            ``.jsonl``/``.json`` JSON Lines file (one article per line; id =
            the ``id`` field, else :func:`~diplowatch.model.article_id` of URL
            or text), a directory (its ``.txt``/``.jsonl`` files, recursively,
            sorted by path), or ``"-"`` for standard input (one text article,
            id = hash of its text). Files of any other suffix are read as text.
        published: publication date used when a record has none: always for
            text files and stdin; for JSON Lines only where ``published`` is
            missing or unusable (see :func:`parse_published`). A record's own
            valid date is never overridden.

    Yields:
        :class:`Article` for every good record and :class:`InputError` (not
        raised) for every bad one, in input order: missing or unreadable files,
        empty or whitespace-only files, binary data (NUL bytes or mostly
        control characters), invalid UTF-8 (the error names the byte offset; for
        JSON Lines, the line), a line that is not JSON, not an object, lacks
        ``"text"`` or has a field of the wrong type. ``error.source`` is the file
        name (``"<stdin>"`` for stdin) and ``error.line`` the 1-based line
        number or ``None``. A lone surrogate escaped in a JSON string
        (``"\\ud83d"``: legal JSON, not valid Unicode) in ``text``, ``title``,
        ``url``, ``id`` or ``lang`` makes the record an ``InputError`` naming
        the field and the offset.
    """
    if isinstance(published, dt.datetime):
        published = published.date()
    if isinstance(path, str) and path == readers.STDIN:
        yield from readers.read_stdin(published)
        return
    p = Path(path)
    try:
        is_dir = p.is_dir()
    except OSError:
        is_dir = False
    if is_dir:
        for item in readers.walk(p):
            if isinstance(item, InputError):
                yield item
            else:
                yield from read_path(item, published)
        return
    if p.suffix.lower() in readers.JSONL_SUFFIXES:
        yield from read_jsonl_file(p, published=published)
    else:
        yield from readers.read_text_file(p, published)


def read_paths(paths: Iterable[str | os.PathLike[str]], published: dt.date | None = None
               ) -> Iterator[Article | InputError]:
    """Read several inputs one after the other; see :func:`read_path`.

    Args:
        paths: files, directories or ``"-"``, in the order to read them.
        published: fallback publication date, as for :func:`read_path`.

    Yields:
        :class:`Article` or :class:`InputError`, input after input.
    """
    for path in paths:
        yield from read_path(path, published)


def estimate_total(inputs: Iterable[str | os.PathLike[str]]) -> int | None:
    """Cheap upper estimate of the number of records in ``inputs`` (for a progress bar).

    Counts lines of JSON Lines and CSV files, one per HTML or text file;
    returns ``None`` as soon as an input's count cannot be known without
    reading it (stdin, URLs, feeds).
    """
    total = 0
    for item in inputs:
        if isinstance(item, str) and (item == readers.STDIN or is_url(item)):
            return None
        p = Path(item)
        try:
            files = [f for f in _walk(p) if isinstance(f, Path)] if p.is_dir() else [p]
        except OSError:
            return None
        for f in files:
            fmt = _BY_SUFFIX.get(f.suffix.lower())
            if fmt in ("jsonl", "csv"):
                try:
                    with f.open("rb") as fh:
                        n = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
                except OSError:
                    n = 1
                total += max(1, n - (1 if fmt == "csv" else 0))
            elif fmt in ("html", "text"):
                total += 1
            else:
                return None
    return total
