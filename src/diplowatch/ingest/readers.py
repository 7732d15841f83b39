"""The readers' building blocks: checks, dates, text articles, JSON records, stdin, directory walks.

- :func:`parse_published`: lenient publication dates;
- :func:`read_text_file`, :func:`read_stdin`: one plain-text article (UTF-8, an
  optional BOM removed, line endings kept; empty, whitespace-only, binary and
  invalid UTF-8 input refused with the reason), with an optional front matter
  block for its date, URL, title, language and id (:func:`split_front_matter`);
- ``_record``: one JSON Lines line into an Article (the checks every JSON or
  CSV record goes through), ``_iter_lines``: the lines of a stream, over-long
  ones refused;
- :func:`walk`: the files of a directory tree, sorted.

The one JSON Lines reader is :func:`diplowatch.ingest.corpora.read_jsonl`; the
entry points that choose a reader per input are in
:mod:`diplowatch.ingest.sources` (:func:`~diplowatch.ingest.sources.read_inputs`,
and the older :func:`~diplowatch.ingest.sources.read_path`).

Bad input never raises out of the readers: an :class:`~diplowatch.errors.InputError`
naming the source (and the 1-based line for JSON Lines) is *yielded* in place of
the record that failed, so a caller reports it and goes on with the rest.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from diplowatch.errors import InputError
from diplowatch.model import Article, article_id, surrogate_reason

log = logging.getLogger(__name__)

__all__ = ["DIRECTORY_SUFFIXES", "JSONL_SUFFIXES", "MAX_RECORD_BYTES", "STDIN", "STDIN_NAME", "TEXT_SUFFIXES",
           "FRONT_MATTER_FIELDS", "parse_published", "read_capped", "read_stdin", "read_text_file",
           "split_front_matter", "walk"]

JSONL_SUFFIXES: frozenset[str] = frozenset({".jsonl", ".json"})
"""Suffixes read as JSON Lines (lower-cased comparison)."""

TEXT_SUFFIXES: frozenset[str] = frozenset({".txt"})
"""Suffixes read as one plain-text article."""

DIRECTORY_SUFFIXES: frozenset[str] = frozenset({".txt", ".jsonl"})
"""Suffixes picked up when a directory is walked."""

MAX_RECORD_BYTES: int = 64 * 1024 * 1024
"""Largest text file or JSON Lines line accepted (bytes); larger ones are refused."""

STDIN = "-"
STDIN_NAME = "<stdin>"

_MIN_YEAR = 1800
BINARY_SNIFF = 8192
_CONTROL_SHARE = 0.10  # share of control characters above which text counts as binary
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")


# --------------------------------------------------------------------------- dates

def parse_published(value: Any, *, today: dt.date | None = None) -> dt.date | None:
    """Parse a publication date leniently: anything doubtful becomes ``None``.

    Args:
        value: an ISO 8601 calendar date string ``YYYY-MM-DD`` (an ISO date-time
            such as ``2024-01-30T08:00:00Z`` keeps its date part), a
            :class:`datetime.date`/:class:`datetime.datetime`, or ``None``.
        today: reference day for the "far future" check (default: today).

    Returns:
        The date, or ``None`` when the value is missing, not a string or date
        (numbers such as Unix timestamps ``9999999999``), not ISO 8601
        (two-digit years, ``30/01/2024``), not a real calendar day
        (``0000-00-00``, ``2023-02-30``), before 1800 or more than one year after
        ``today``. Never raises.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        m = _ISO_DATE.fullmatch(value.strip())
        if not m:
            return None
        try:
            day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    else:
        return None
    ref = today or dt.date.today()
    if day.year < _MIN_YEAR or day > ref + dt.timedelta(days=366):
        return None
    return day


# --------------------------------------------------------------------------- checks

def _nul_offset(data: bytes) -> int:
    return data.find(b"\x00")


def _utf8_error(data: bytes) -> UnicodeDecodeError | None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc
    return None


def unusable_date(where: str, raw: Any, published: dt.date | None, summary: Any = None) -> None:
    """Warn (and count in ``summary``, a :class:`~diplowatch.ingest.summary.RunSummary`) an unusable stated date.

    The warning says what the article gets instead: the ``--published`` date
    when one was given (``published``), else an unknown date.

    Args:
        where: the file and line, or item, named in the warning.
        raw: the stated date as found.
        published: the fallback date, or ``None``.
        summary: counters ``dates_unusable`` and ``dates_defaulted``, or ``None``.
    """
    if summary is not None:
        summary.dates_unusable += 1
        summary.dates_defaulted += published is not None
    used = f"used the --published date {published.isoformat()} instead" if published else "treated as unknown"
    log.warning("%s: unusable published date %r, %s", where, raw, used)


def _json_message(msg: str) -> str:
    """The JSON decoder's message without a trailing "at" (we add "at column N" ourselves)."""
    return msg[:-3] if msg.endswith(" at") else msg


def _mostly_control(text: str) -> bool:
    """True when more than 10 % of the (first 8192) characters are control characters."""
    sample = text[:BINARY_SNIFF]
    if not sample:
        return False
    bad = sum(1 for c in sample if c not in _ALLOWED_CONTROLS and unicodedata.category(c) == "Cc")
    return bad / len(sample) > _CONTROL_SHARE


def _decode_text(source: str, data: bytes) -> str | InputError:
    """Validate and decode the bytes of a whole text article."""
    if not data:
        return InputError(source, "empty file")
    nul = _nul_offset(data)
    if nul >= 0:
        return InputError(source, f"binary file: NUL byte at byte offset {nul}")
    err = _utf8_error(data)
    if err is not None:
        return InputError(source, f"invalid UTF-8 at byte offset {err.start} "
                                  f"(byte 0x{data[err.start]:02x}); convert the file to UTF-8")
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    if _mostly_control(text):
        return InputError(source, "binary file: mostly control characters, not text")
    if not text.strip():
        return InputError(source, "file holds only whitespace")
    return text


# --------------------------------------------------------------------------- readers

def read_capped(path: Path, source: str, cap: int = MAX_RECORD_BYTES) -> bytes | InputError:
    """The bytes of a file of at most ``cap`` bytes, or an :class:`InputError` naming ``source`` and why not."""
    try:
        size = path.stat().st_size
        if size > cap:
            return InputError(source, f"file too large: {size} bytes (limit {cap})")
        with path.open("rb") as fh:
            return fh.read(cap + 1)
    except FileNotFoundError:
        return InputError(source, "no such file")
    except PermissionError:
        return InputError(source, "permission denied")
    except IsADirectoryError:
        return InputError(source, "is a directory")
    except OSError as exc:
        return InputError(source, f"cannot read: {exc.strerror or exc}")


FRONT_MATTER_FIELDS: tuple[str, ...] = ("published", "title", "url", "id", "lang")
"""Keys a text article's front matter may set (the fields of a JSON Lines record, but ``text``)."""

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?P<block>(?:.*\r?\n){0,50}?)---[ \t]*(?:\r?\n|\Z)")


def split_front_matter(source: str, text: str) -> tuple[dict[str, Any], str] | InputError:
    """The front matter of a text article, and the text after it.

    A text article may open with a YAML front matter block (the convention of
    Jekyll, Hugo and pandoc): a line ``---``, ``key: value`` lines, a line
    ``---``, at most 50 lines in all. The keys are those of
    :data:`FRONT_MATTER_FIELDS`, e.g.::

        ---
        published: 2025-07-04
        url: https://news.example/2025/07/04/recognition
        ---
        Russia on Thursday formally recognised …

    The article text, into which evidence offsets point, is what follows the
    closing ``---``. A text that does not open with such a block (no closing
    line, or a block that is not a YAML mapping) is all text.

    Returns:
        ``(fields, text)`` with ``published`` a :class:`datetime.date` and the
        other fields strings; ``({}, text)`` without front matter; or an
        :class:`InputError` naming ``source`` for an unknown key, a value that
        is not a string, or a ``published`` that is not a date ``YYYY-MM-DD``.
    """
    m = _FRONT_MATTER.match(text)
    if m is None:
        return {}, text
    import yaml

    try:
        data = yaml.safe_load(m.group("block")) if m.group("block").strip() else {}
    except yaml.YAMLError:
        return {}, text
    if not isinstance(data, dict):
        return {}, text
    unknown = sorted(str(k) for k in data if k not in FRONT_MATTER_FIELDS)
    if unknown:
        return InputError(source, f"front matter: unknown key(s) {', '.join(unknown)} "
                                  f"(keys: {', '.join(FRONT_MATTER_FIELDS)})")
    fields: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            continue
        if key == "published":
            day = parse_published(value)
            if day is None:
                return InputError(source, f"front matter: published {value!r} is not a date (YYYY-MM-DD)")
            fields[key] = day
        elif isinstance(value, (str, int)) and not isinstance(value, bool):
            fields[key] = str(value).strip() or None
        else:
            return InputError(source, f"front matter: {key} must be a string, not {type(value).__name__}")
    return fields, text[m.end():]


def _text_article(source: str, art_id: str | None, data: bytes,
                  published: dt.date | None) -> Article | InputError:
    """A text article from its bytes; its front matter (:func:`split_front_matter`) sets its fields,
    over ``art_id`` and the fallback date ``published``."""
    text = _decode_text(source, data)
    if isinstance(text, InputError):
        return text
    split = split_front_matter(source, text)
    if isinstance(split, InputError):
        return split
    meta, text = split
    if not text.strip():
        return InputError(source, "file holds only front matter, no text")
    return Article(id=meta.get("id") or art_id or article_id(meta.get("url"), text), text=text,
                   title=meta.get("title"), url=meta.get("url"), published=meta.get("published") or published,
                   lang=meta.get("lang"))


def read_text_file(path: Path, published: dt.date | None) -> Iterator[Article | InputError]:
    """One plain-text article from a file: its id the file name without the suffix (``Path.stem``);
    a front matter block (:func:`split_front_matter`) may give its date, URL, title, language and id.

    Yields:
        The :class:`Article`, or one :class:`InputError` naming the file and why.
    """
    source = str(path)
    data = read_capped(path, source)
    if isinstance(data, InputError):
        yield data
        return
    yield _text_article(source, path.stem, data, published)


def _opt_str(obj: dict[str, Any], name: str, source: str, line: int) -> str | None | InputError:
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        return InputError(source, f'field "{name}" must be a string or null, '
                                  f"not {type(value).__name__}", line)
    return value


def _record(source: str, line: int, raw: bytes,
            published: dt.date | None) -> Article | InputError | None:
    """Turn one JSON Lines line into an Article, an InputError, or None (blank line)."""
    if not raw.strip():
        return None
    nul = _nul_offset(raw)
    if nul >= 0:
        return InputError(source, f"NUL byte at byte offset {nul} of the line", line)
    err = _utf8_error(raw)
    if err is not None:
        return InputError(source, f"invalid UTF-8 at byte offset {err.start} of the line "
                                  f"(byte 0x{raw[err.start]:02x})", line)
    text = raw.decode("utf-8")
    if line == 1 and text.startswith("\ufeff"):
        text = text[1:]
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return InputError(source, f"not valid JSON: {_json_message(exc.msg)} at column {exc.colno}", line)
    except RecursionError:
        return InputError(source, "not valid JSON: nested too deeply", line)
    if not isinstance(obj, dict):
        return InputError(source, f"expected a JSON object, got {type(obj).__name__}", line)
    body = obj.get("text")
    if body is None:
        return InputError(source, 'missing field "text"', line)
    if not isinstance(body, str):
        return InputError(source, f'field "text" must be a string, not {type(body).__name__}', line)
    if not body.strip():
        return InputError(source, 'field "text" is empty', line)
    if "\x00" in body or _mostly_control(body):
        return InputError(source, 'field "text" is binary (NUL or control characters)', line)
    fields: dict[str, str | None] = {}
    for name in ("url", "title", "lang"):
        value = _opt_str(obj, name, source, line)
        if isinstance(value, InputError):
            return value
        fields[name] = value
    raw_id = obj.get("id")
    if isinstance(raw_id, bool) or not (raw_id is None or isinstance(raw_id, (str, int))):
        return InputError(source, f'field "id" must be a string, not {type(raw_id).__name__}', line)
    art_id = str(raw_id).strip() if raw_id is not None else ""
    bad = surrogate_reason([("text", body), ("title", fields["title"]), ("url", fields["url"]),
                            ("id", art_id), ("lang", fields["lang"])])
    if bad is not None:
        return InputError(source, bad, line)
    raw_date = obj.get("published")
    day = parse_published(raw_date)
    if day is None and raw_date not in (None, ""):
        unusable_date(f"{source}:{line}", raw_date, published)
    return Article(
        id=art_id or article_id(fields["url"], body),
        text=body,
        title=fields["title"],
        url=fields["url"],
        published=day or published,
        lang=fields["lang"],
    )


def _iter_lines(fh: BinaryIO, source: str) -> Iterator[tuple[int, bytes | InputError]]:
    """Yield (line number, raw bytes) with an InputError for any over-long line."""
    lineno = 0
    while True:
        raw = fh.readline(MAX_RECORD_BYTES + 1)
        if not raw:
            return
        lineno += 1
        if len(raw) > MAX_RECORD_BYTES and not raw.endswith(b"\n"):
            while True:  # skip the rest of the over-long line
                rest = fh.readline(1024 * 1024)
                if not rest or rest.endswith(b"\n"):
                    break
            yield lineno, InputError(source, f"line longer than {MAX_RECORD_BYTES} bytes", lineno)
            continue
        yield lineno, raw


def read_stdin(published: dt.date | None) -> Iterator[Article | InputError]:
    """One plain-text article from standard input (its id: a hash of its text).

    Yields:
        The :class:`Article`, or one :class:`InputError` for ``<stdin>``.
    """
    if sys.stdin is None:
        yield InputError(STDIN_NAME, "no standard input")
        return
    stream = getattr(sys.stdin, "buffer", None)
    try:
        data = stream.read() if stream is not None else sys.stdin.read().encode("utf-8", "surrogatepass")
    except OSError as exc:
        yield InputError(STDIN_NAME, f"cannot read: {exc.strerror or exc}")
        return
    yield _text_article(STDIN_NAME, None, data, published)


def walk(root: Path, suffixes: frozenset[str] = DIRECTORY_SUFFIXES) -> Iterator[Path | InputError]:
    """The files of a directory tree with one of ``suffixes`` (lower case, with the dot), sorted.

    Hidden files are left out and symbolic links to directories are not
    followed. Yields an :class:`InputError` for each directory that cannot be
    listed, and one when the tree holds no such file.
    """
    found: list[Path] = []
    errors: list[InputError] = []

    def onerror(exc: OSError) -> None:
        errors.append(InputError(exc.filename or str(root),
                                 f"cannot list directory: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=False):
        dirnames.sort()
        for name in filenames:
            p = Path(dirpath, name)
            if p.suffix.lower() in suffixes and not name.startswith("."):
                found.append(p)
    yield from errors
    if not found and not errors:
        yield InputError(str(root), "directory holds no readable files (" + " ".join(sorted(suffixes)) + ")")
    yield from sorted(found)
