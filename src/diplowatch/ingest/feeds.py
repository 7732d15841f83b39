"""RSS 0.9x/1.0/2.0 and Atom feeds → one :class:`~diplowatch.model.Article` per item.

Feeds are parsed with feedparser **from bytes that diplowatch fetched itself**
(never feedparser's own fetcher: the bytes go in as a ``BytesIO`` so feedparser
cannot mistake them for a URL or a file name).

XML safety. feedparser strips nested entity declarations but keeps "safe"
ones (plain text values) and, when the strict parser fails, its loose parser
expands them itself: a quadratic-blowup feed (one 50 kB entity used 20,000
times) takes minutes and gigabytes there. So :func:`feed_safety_error` refuses
any feed whose prolog declares an entity (``<!ENTITY`` before the root
element, in any encoding) before feedparser sees it. External DTDs and
external entities are never fetched: the entity check refuses the latter and
expat is not asked to load the former (feedparser turns off external general
entities).
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

from diplowatch.errors import InputError
from diplowatch.ingest.html import fragment_text, html_article
from diplowatch.ingest.readers import parse_published, unusable_date
from diplowatch.ingest.settings import IngestSettings
from diplowatch.ingest.summary import RunSummary
from diplowatch.model import Article, article_id

log = logging.getLogger(__name__)

__all__ = ["FEED_TYPES", "feed_date", "feed_safety_error", "looks_like_feed", "parse_feed"]

FEED_TYPES: frozenset[str] = frozenset({
    "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+xml",
    "application/xml", "text/xml", "application/x-rss+xml", "application/rss"})
"""Content types read as feeds (``application/xml``/``text/xml`` only when the root is a feed)."""

_ROOT = re.compile(rb"<(?![?!])\s*([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_FEED_ROOTS = frozenset({b"rss", b"feed", b"rdf", b"RDF"})
_PROLOG_PART = re.compile(rb"\s*(<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(\[.*?\])?\s*>)", re.S | re.I)
_ENTITY = re.compile(rb"<!ENTITY", re.I)
_YEAR4 = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_SUMMARY_ONLY_CHARS = 1500  # a summary shorter than this is "only a summary"


def _prolog(data: bytes) -> bytes:
    """The bytes before the root element, NULs dropped (UTF-16/32 feeds become ASCII-ish)."""
    sample = data[: 1024 * 1024]
    if sample[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00<" in sample[:8] or b"<\x00" in sample[:8]:
        sample = sample.replace(b"\x00", b"")
    m = _ROOT.search(sample)
    return sample[: m.start()] if m else sample


def looks_like_feed(head: bytes) -> bool:
    """True when the root element of an XML document is ``rss``, ``feed`` or ``rdf:RDF``."""
    sample = head[:65536]
    if sample[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in sample[:8]:
        sample = sample.replace(b"\x00", b"")
    sample = sample.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n")
    pos = 0
    # skip the XML declaration, comments, processing instructions and the DOCTYPE
    while True:
        m = _PROLOG_PART.match(sample, pos)
        if not m:
            break
        pos = m.end()
    while sample[pos:pos + 1].isspace():
        pos += 1
    m = _ROOT.match(sample, pos)
    return bool(m and m.group(2) in _FEED_ROOTS)


def feed_safety_error(data: bytes, source: str) -> InputError | None:
    """Refuse a feed that declares XML entities (billion laughs, quadratic blowup, external entities).

    Returns:
        An :class:`InputError` naming ``source`` when the prolog contains
        ``<!ENTITY``; ``None`` otherwise. A DOCTYPE without an internal subset
        (Netscape RSS 0.91) is fine.
    """
    if _ENTITY.search(_prolog(data)):
        return InputError(source, "refused: the feed declares XML entities (<!ENTITY>), "
                                  "which can expand without bound or read local files")
    return None


def feed_date(raw: Any, parsed: Any) -> tuple[dt.date | None, bool]:
    """Publication date of a feed item.

    Args:
        raw: the date as the feed states it (``"Thu, 03 Jul 2025 10:00:00 GMT"``).
        parsed: feedparser's ``time.struct_time`` (UTC) for it, or ``None``.

    Returns:
        ``(date or None, flagged)``: ``flagged`` is true when a date was given
        but is unusable — unparseable, a two-digit year (no four-digit year in
        ``raw`` equal to the parsed one), year 0, before 1800 or more than a
        year ahead. Never raises.
    """
    if raw in (None, "") and parsed is None:
        return None, False
    if parsed is None:
        return None, True
    try:
        stamp = calendar.timegm(parsed)
        day = dt.datetime.fromtimestamp(stamp, tz=dt.timezone.utc).date()
    except (OverflowError, ValueError, TypeError, OSError):
        return None, True
    years = {int(y) for y in _YEAR4.findall(str(raw or ""))}
    if day.year not in years and (day - dt.timedelta(days=1)).year not in years \
            and (day + dt.timedelta(days=1)).year not in years:
        return None, True
    good = parse_published(day)
    return good, good is None


def _text_of(value: Any) -> str:
    return fragment_text(str(value or ""))


def _entry_body(entry: Any) -> tuple[str, bool]:
    """(text, has full content) of an item: content:encoded/Atom content, else summary."""
    contents = entry.get("content") or []
    full = "\n".join(_text_of(c.get("value")) for c in contents if c.get("value"))
    summary = _text_of(entry.get("summary") or entry.get("description"))
    if full.strip() and len(full) >= len(summary):
        return full, True
    return summary, False


def _http(value: Any) -> str | None:
    text = str(value or "").strip()
    return text if re.match(r"^https?://[^\s/]+", text, re.I) else None


def parse_feed(data: bytes, *, source: str, url: str | None = None, content_type: str | None = None,
               published: dt.date | None = None, settings: IngestSettings | None = None,
               fetcher: Any = None, summary: RunSummary | None = None,
               is_known: Callable[[str], bool] | None = None) -> Iterator[Article | InputError]:
    """Read a feed's items as articles.

    Args:
        data: the feed document (any encoding feedparser detects).
        source: file name or URL named in errors.
        url: URL the feed was fetched from (base of relative item links).
        content_type: HTTP ``Content-Type`` (helps decoding), or ``None``.
        published: date for items that state none (or an unusable one).
        settings: ``max_feed_bytes``, ``fetch_linked``.
        fetcher: a :class:`~diplowatch.ingest.fetch.Fetcher` for
            ``fetch_linked``; without one, items keep their summary.
        summary: counts ``skipped_empty``, ``dates_unusable`` and
            ``duplicates`` (items skipped by ``is_known``).
        is_known: ``is_known(article_id) -> bool``; known items are skipped
            before their page is fetched (``follow`` uses the store).

    Yields:
        One :class:`Article` per item with text (``title`` = item title,
        ``url`` = item link, ``published`` = item date, ``text`` = content,
        else summary, else the linked page's main text when
        ``settings.fetch_linked``), or one :class:`InputError` for a refused
        or unreadable feed (entity declarations, over ``max_feed_bytes``, not
        a feed). Items without any text are skipped and counted.
    """
    s = settings or IngestSettings()
    stats = summary if summary is not None else RunSummary()
    if len(data) > s.max_feed_bytes:
        yield InputError(source, f"feed too large: {len(data)} bytes (limit {s.max_feed_bytes})")
        return
    if not data.strip():
        yield InputError(source, "empty feed")
        return
    refused = feed_safety_error(data, source)
    if refused is not None:
        yield refused
        return
    import feedparser

    ctype = content_type or "application/xml"
    if "xml" not in ctype.split(";", 1)[0]:  # a feed served as text/html or text/plain
        ctype = "application/xml" + (";" + ctype.split(";", 1)[1] if ";" in ctype else "")
    headers = {"content-location": url or "", "content-type": ctype}
    try:
        parsed = feedparser.parse(io.BytesIO(data), response_headers=headers, resolve_relative_uris=True,
                                  sanitize_html=True)
    except RecursionError:
        yield InputError(source, "feed nested too deeply")
        return
    except Exception as exc:  # noqa: BLE001 - feedparser on hostile XML
        yield InputError(source, f"cannot parse feed: {exc.__class__.__name__}: {exc}")
        return
    if not parsed.get("version") and not parsed.entries:
        why = parsed.get("bozo_exception")
        yield InputError(source, f"not an RSS or Atom feed{f' ({why})' if why else ''}")
        return
    if parsed.get("bozo"):
        log.warning("%s: malformed feed, read leniently: %s", source, parsed.get("bozo_exception"))
    feed_lang = parsed.feed.get("language")
    for n, entry in enumerate(parsed.entries, 1):
        where = f"{source} item {n}"
        title = _text_of(entry.get("title")).replace("\n", " ").strip() or None
        link = _http(entry.get("link"))
        raw_date = entry.get("published") or entry.get("updated")
        day, flagged = feed_date(raw_date, entry.get("published_parsed") or entry.get("updated_parsed"))
        if flagged:
            unusable_date(where, raw_date, published, stats)
        body, full = _entry_body(entry)
        lang = (entry.get("content") or [{}])[0].get("language") or feed_lang
        guid = str(entry.get("id") or "")
        doc_id = article_id(link, body) if link else article_id(None, guid or body or (title or ""))
        if is_known is not None and is_known(doc_id):
            stats.duplicates += 1
            continue
        if link and s.fetch_linked and fetcher is not None and (not full or len(body) < _SUMMARY_ONLY_CHARS):
            page = _linked_page(fetcher, link, s, day or published)
            if isinstance(page, Article):
                body = page.text
                title = title or page.title
                day = day or page.published
                lang = lang or page.lang
            else:
                log.warning("%s: linked page not used: %s", where, page)
        if not body.strip():
            stats.skipped_empty += 1
            log.info("%s: no text, skipped", where)
            continue
        yield Article(id=doc_id, text=body, title=title, url=link, published=day or published, lang=lang)


def _linked_page(fetcher: Any, link: str, settings: IngestSettings,
                 published: dt.date | None) -> Article | InputError:
    try:
        got = fetcher.fetch(link, accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
    except InputError as exc:
        return exc
    return html_article(got.content, source=link, url=got.url, charset=got.charset,
                        published=published, settings=settings)
