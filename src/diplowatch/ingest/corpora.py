"""Corpora: JSON Lines and CSV/TSV with configurable field names.

:func:`read_jsonl` (from a stream) and :func:`read_jsonl_file` (from a file)
are the one JSON Lines reader, for every input: ``read_inputs``,
``read_path``, stdin, fetched bodies. Each record becomes the object ``{"id",
"url", "title", "published", "text", "lang"}`` — keys renamed through a field
map (``--field text=body``; a dotted key such as ``meta.date`` reaches into
nested JSON objects; none: the keys as they are) — and then goes through the
checks of every record (``diplowatch.ingest.readers._record``): a bad record
yields an :class:`~diplowatch.errors.InputError` naming the file and line, and
the rest of the corpus goes on.

Dates: besides ISO 8601, RFC 2822 dates with a four-digit year
(``Thu, 03 Jul 2025 10:00:00 GMT``) are understood; anything doubtful (two-digit
years, year 0, ``0000-00-00``, far future, Unix timestamps such as
``9999999999``) becomes unknown and is counted in ``RunSummary.dates_unusable``.
"""

from __future__ import annotations

import csv
import datetime as dt
import email.utils
import io
import json
import logging
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from diplowatch.errors import InputError
from diplowatch.ingest import readers
from diplowatch.ingest.readers import MAX_RECORD_BYTES, parse_published
from diplowatch.ingest.summary import RunSummary
from diplowatch.model import Article

log = logging.getLogger(__name__)

__all__ = ["normalise_date", "read_csv", "read_jsonl", "read_jsonl_file", "remap"]

_YEAR4 = re.compile(r"(?<!\d)\d{4}(?!\d)")
NUL = b"\x00"
_TEXT_FIELDS = ("id", "url", "title", "published", "lang")


def _lookup(obj: Mapping[str, Any], key: str) -> Any:
    if key in obj:
        return obj[key]
    cur: Any = obj
    for part in key.split("."):
        if not isinstance(cur, Mapping) or part not in cur:
            return None
        cur = cur[part]
    return cur


def remap(obj: Mapping[str, Any], fields: Mapping[str, str]) -> dict[str, Any]:
    """Rename a record's keys to article fields.

    Args:
        obj: one record (JSON object or CSV row).
        fields: ``{article field: record key}``; unmapped article fields keep
            their own name.

    Returns:
        ``{"id", "url", "title", "published", "text", "lang"}`` (missing ones ``None``).
    """
    out: dict[str, Any] = {}
    for name in ("id", "url", "title", "published", "text", "lang"):
        out[name] = _lookup(obj, fields.get(name, name))
    return out


def normalise_date(value: Any) -> tuple[Any, bool]:
    """Turn a stated publication date into ISO ``YYYY-MM-DD`` when it is trustworthy.

    Returns:
        ``(value for the record, flagged)``: the ISO date string, or ``None``
        with ``flagged=True`` when a date was given but is unusable; the value
        unchanged (``None``/``""``) and ``False`` when none was given. Never raises.
    """
    if value is None or value == "":
        return None, False
    day = parse_published(value)
    if day is None and isinstance(value, str):
        text = value.strip()
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            parsed = None
        if parsed is not None and str(parsed.year) in _YEAR4.findall(text):
            day = parse_published(parsed.date())
    if day is None:
        return None, True
    return day.isoformat(), False


def _normalised_record(source: str, line: int, obj: Mapping[str, Any], fields: Mapping[str, str],
                       published: dt.date | None, summary: RunSummary,
                       blank_is_none: bool = False) -> Article | InputError | None:
    rec = remap(obj, fields)
    if blank_is_none:
        for name in _TEXT_FIELDS:
            if isinstance(rec[name], str) and not rec[name].strip():
                rec[name] = None
    if isinstance(rec["id"], (int, float)) and not isinstance(rec["id"], bool):
        rec["id"] = str(rec["id"])
    rec["published"], flagged = normalise_date(rec["published"])
    if flagged:
        readers.unusable_date(f"{source}:{line}", _lookup(obj, fields.get("published", "published")), published,
                              summary)
    if rec["text"] is None:
        key = fields.get("text", "text")
        return InputError(source, f'missing field "{key}"' + ("" if key == "text" else " (text)"), line)
    raw = json.dumps(rec, ensure_ascii=True).encode("ascii")
    return readers._record(source, line, raw, published)


def read_jsonl(fh: BinaryIO, source: str, *, fields: Mapping[str, str] | None = None,
               published: dt.date | None = None,
               summary: RunSummary | None = None) -> Iterator[Article | InputError]:
    """Read a JSON Lines corpus from a binary stream.

    Args:
        fh: open binary stream (a file, ``sys.stdin.buffer``, ``BytesIO``).
        source: name used in errors.
        fields: key overrides (see :func:`remap`).
        published: date for records that have none.
        summary: counts ``dates_unusable``.

    Yields:
        :class:`Article` or :class:`InputError` (1-based ``line``) per record, in
        order; blank lines are skipped; a corpus with no record yields one
        ``InputError`` ("file holds only whitespace"). Lines longer than
        ``MAX_RECORD_BYTES`` are refused.
    """
    fields = fields or {}
    stats = summary if summary is not None else RunSummary()
    records = 0
    try:
        for lineno, raw in readers._iter_lines(fh, source):
            if isinstance(raw, InputError):
                records += 1
                yield raw
                continue
            if not raw.strip():
                continue
            records += 1
            obj = None
            try:
                text = raw.decode("utf-8")
                if lineno == 1 and text.startswith("\ufeff"):
                    text = text[1:]
                obj = json.loads(text)
            except (UnicodeDecodeError, ValueError, RecursionError):
                obj = None
            if isinstance(obj, dict) and "\x00" not in raw.decode("utf-8", "replace"):
                item = _normalised_record(source, lineno, obj, fields, published, stats)
            else:
                item = readers._record(source, lineno, raw, published)  # names the precise error
            if item is not None:
                yield item
    except OSError as exc:
        yield InputError(source, f"read failed: {exc.strerror or exc}")
        return
    if records == 0:
        yield InputError(source, "file holds only whitespace")


def read_jsonl_file(path: Path, *, fields: Mapping[str, str] | None = None, published: dt.date | None = None,
                    summary: RunSummary | None = None) -> Iterator[Article | InputError]:
    """Read a JSON Lines corpus from a file: :func:`read_jsonl` once the file is open and looks like text.

    Args:
        path: the file (its name is the ``source`` of errors).
        fields, published, summary: as for :func:`read_jsonl`.

    Yields:
        What :func:`read_jsonl` yields; or one :class:`InputError` when the file
        cannot be opened ("no such file", "permission denied", "is a
        directory", "cannot read: …"), is empty, or opens with binary data (it
        is refused whole, not one error per line).
    """
    source = str(path)
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        yield InputError(source, "no such file")
        return
    except PermissionError:
        yield InputError(source, "permission denied")
        return
    except IsADirectoryError:
        yield InputError(source, "is a directory")
        return
    except OSError as exc:
        yield InputError(source, f"cannot read: {exc.strerror or exc}")
        return
    with fh:
        try:
            head = fh.peek(readers.BINARY_SNIFF)[:readers.BINARY_SNIFF] if hasattr(fh, "peek") else b""
        except OSError as exc:
            yield InputError(source, f"cannot read: {exc.strerror or exc}")
            return
        if not head:
            yield InputError(source, "empty file")
            return
        if readers._mostly_control(head.decode("utf-8", "ignore")):
            yield InputError(source, "binary file: not JSON Lines text")
            return
        yield from read_jsonl(fh, source, fields=fields, published=published, summary=summary)


def _decode_csv(data: bytes, source: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        log.warning("%s: invalid UTF-8 at byte offset %d; decoded with replacement characters",
                    source, exc.start)
        return data.decode("utf-8", "replace")


def read_csv(data: bytes, source: str, *, fields: Mapping[str, str] | None = None,
             published: dt.date | None = None, summary: RunSummary | None = None,
             delimiter: str | None = None) -> Iterator[Article | InputError]:
    """Read a CSV/TSV corpus (first row = header) from bytes.

    Args:
        data: the whole file (UTF-8, BOM allowed; invalid bytes are replaced
            by U+FFFD with a warning).
        source: name used in errors.
        fields: column overrides (see :func:`remap`); empty cells are ``None``.
        published: date for rows that have none.
        summary: counts ``dates_unusable``.
        delimiter: ``","``, ``"\\t"``, ``";"``…; default sniffed from the header.

    Yields:
        :class:`Article` or :class:`InputError` (``line`` = the row's physical
        line) per data row; a CSV error (unterminated quote …) ends the file
        with an ``InputError``. A header without the text column (``text``, or
        the ``fields`` override) is one ``InputError`` for the file, listing
        the columns found.
    """
    fields = fields or {}
    stats = summary if summary is not None else RunSummary()
    if not data.strip():
        yield InputError(source, "empty file")
        return
    if b"\x00" in data:
        yield InputError(source, f"binary file: NUL byte at byte offset {data.find(NUL)}")
        return
    text = _decode_csv(data, source)
    if delimiter is None:
        header = text.split("\n", 1)[0]
        counts = {d: header.count(d) for d in (",", "\t", ";", "|")}
        delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    csv.field_size_limit(MAX_RECORD_BYTES)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = 0
    try:
        columns = [c for c in reader.fieldnames or () if c is not None]
    except csv.Error as exc:
        yield InputError(source, f"malformed CSV header: {exc}", 1)
        return
    key = fields.get("text", "text")
    if columns and key not in columns:  # no row can have a text: one error for the file
        yield InputError(source, f'no column "{key}"' + ("" if key == "text" else " (text)")
                         + f" (columns: {', '.join(columns)}); "
                         "--field text=COLUMN names the column that holds the text")
        return
    try:
        for row in reader:
            rows += 1
            clean = {k: v for k, v in row.items() if k is not None}
            item = _normalised_record(source, reader.line_num, clean, fields, published, stats,
                                      blank_is_none=True)
            if item is not None:
                yield item
    except csv.Error as exc:
        yield InputError(source, f"malformed CSV: {exc}", reader.line_num)
        return
    if rows == 0:
        yield InputError(source, "CSV holds a header but no rows")
