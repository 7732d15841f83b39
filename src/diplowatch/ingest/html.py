"""HTML pages → :class:`~diplowatch.model.Article` through trafilatura.

:func:`html_article` keeps the main text (menus, "Share this", related links
and footers left out) with its title, publication date, canonical URL and
language. Hostile pages are bounded: a document over
``IngestSettings.max_html_bytes`` is refused before parsing, and deep nesting
(100,000 ``<div>``) is handled by lxml's own depth limit — any
``RecursionError`` or parser failure becomes an :class:`InputError`, never a crash.

:func:`fragment_text` turns a small HTML fragment (a feed summary) into text
with the standard library's streaming parser (no recursion, no tree).
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import logging
import re
from html.parser import HTMLParser
from pathlib import Path

from diplowatch.errors import InputError
from diplowatch.ingest.readers import parse_published, unusable_date
from diplowatch.ingest.settings import IngestSettings
from diplowatch.model import Article, article_id

log = logging.getLogger(__name__)

__all__ = ["decode_markup", "fragment_text", "html_article", "looks_like_html"]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_HTML_LANG = re.compile(r"""<html[^>]*?\slang\s*=\s*["']?([A-Za-z_\-]+)""", re.I)
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|div|p|article)\b",
                         re.I | re.S)
_BLOCK = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
                    "blockquote", "section", "article", "header", "footer", "pre", "table", "hr", "dd", "dt"})
_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "object"})


def looks_like_html(head: bytes) -> bool:
    """True when the opening bytes of a document look like HTML (doctype or a common tag)."""
    head = head.lstrip(b"\xef\xbb\xbf")
    return bool(_HTML_START.match(head[:4096]))


def decode_markup(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode HTML/XML bytes, trusting valid UTF-8 over a (possibly wrong) declaration.

    Args:
        data: the document.
        declared: charset from the HTTP ``Content-Type``, or ``None``.

    Returns:
        ``(text, encoding used)``. Order: a UTF-8 BOM or bytes that are valid
        UTF-8 → UTF-8; else the declared or ``<meta charset>`` encoding; else
        charset-normalizer's guess; else cp1252. Undecodable bytes become
        U+FFFD (``errors="replace"``). Never raises.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates: list[str] = []
    if declared:
        candidates.append(declared)
    m = _META_CHARSET.search(data[:8192])
    if m:
        candidates.append(m.group(1).decode("ascii", "replace"))
    for enc in candidates:
        try:
            return data.decode(enc, "replace"), enc
        except LookupError:
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:65536]).best()
        if best is not None and best.encoding:
            return data.decode(best.encoding, "replace"), best.encoding
    except Exception:  # noqa: BLE001 - a guess only
        pass
    return data.decode("cp1252", "replace"), "cp1252"


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:  # noqa: ANN001
        if tag in _SKIP:
            self._skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def fragment_text(fragment: str) -> str:
    """Plain text of an HTML fragment: tags dropped, scripts and styles left out.

    Args:
        fragment: HTML (or plain text with entities).

    Returns:
        Text with one line per block element, runs of spaces collapsed, blank
        lines removed. Never raises (malformed markup is read as far as possible).
    """
    if "<" not in fragment and "&" not in fragment:
        text = fragment
    else:
        parser = _TextParser()
        try:
            parser.feed(fragment)
            parser.close()
            text = "".join(parser.parts)
        except Exception:  # noqa: BLE001 - stdlib parser on hostile markup
            text = html_lib.unescape(re.sub(r"<[^>]*>", " ", fragment))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _http_url(value: str | None) -> str | None:
    if value and re.match(r"^https?://[^\s/]+", value.strip(), re.I):
        return value.strip()
    return None


def html_article(data: bytes | str, *, source: str, url: str | None = None, doc_id: str | None = None,
                 published: dt.date | None = None, charset: str | None = None,
                 settings: IngestSettings | None = None) -> Article | InputError:
    """Extract the article of an HTML page.

    Args:
        data: the page, bytes (decoded with :func:`decode_markup`) or text.
        source: file name or URL named in errors.
        url: the URL the page was fetched from, used when the page declares
            no canonical URL (``<link rel=canonical>``, ``og:url``).
        doc_id: article id (for a file: its name without suffix, as for
            ``.txt``); default (a fetched page) a hash of its canonical URL,
            else of its text.
        published: date used when the page states none (or an unusable one).
        charset: HTTP ``Content-Type`` charset, if any.
        settings: limits (``max_html_bytes``).

    Returns:
        An :class:`Article` (``text`` = main text, ``title``, ``url`` =
        canonical http(s) URL or ``url``, ``published``, ``lang`` = declared
        ``<html lang>`` code, refined later by language detection), or an
        :class:`InputError`: larger than ``max_html_bytes``, unparseable, or
        no main text found (which is also the outcome for absurdly nested
        markup). Never raises.
    """
    s = settings or IngestSettings()
    size = len(data)
    if size > s.max_html_bytes:
        return InputError(source, f"HTML too large: {size} bytes (limit {s.max_html_bytes}; "
                                  "set $DIPLOWATCH_MAX_HTML_BYTES to raise it)")
    if isinstance(data, bytes):
        if not data.strip():
            return InputError(source, "empty file")
        if b"\x00" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return InputError(source, "binary file: NUL byte in HTML")
        text, _enc = decode_markup(data, charset)
    else:
        text = data
    if not text.strip():
        return InputError(source, "empty file")
    try:
        from trafilatura import bare_extraction

        doc = bare_extraction(text, url=_http_url(url), with_metadata=True, include_comments=False,
                              include_tables=True,
                              date_extraction_params={"extensive_search": False, "original_date": True})
    except RecursionError:
        return InputError(source, "HTML nested too deeply to extract")
    except MemoryError:
        return InputError(source, "HTML too large to extract (out of memory)")
    except Exception as exc:  # noqa: BLE001 - trafilatura/lxml on hostile markup
        log.debug("trafilatura failed on %s", source, exc_info=True)
        return InputError(source, f"cannot extract HTML: {exc.__class__.__name__}: {exc}")
    body = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not body:
        return InputError(source, "no article text found in the HTML")
    title = (getattr(doc, "title", None) or "").strip() or None
    canonical = _http_url(getattr(doc, "url", None)) or _http_url(url)
    raw_date = getattr(doc, "date", None)
    day = parse_published(raw_date) if raw_date else None
    if raw_date and day is None:
        unusable_date(source, raw_date, published)
    m = _HTML_LANG.search(text[:4096])
    declared = m.group(1) if m else None
    return Article(id=doc_id or article_id(canonical, body),
                   text=body, title=title, url=canonical, published=day or published,
                   lang=declared)


def html_file_id(path: Path) -> str:
    """Article id of a saved page without a URL: the file name without its suffix."""
    return path.stem
