"""Interchange formats: flat event rows (CSV, Parquet), JSON Lines, and GDELT 2.0 events.

Flat rows
    One row per event with the DESIGN §2 fields flattened
    (:data:`EVENT_COLUMNS`: ``source_id``, ``source_name`` …, ``evidence_text``,
    ``evidence_start`` …). Batch output (:mod:`diplowatch.batch`), ``export
    --format csv|parquet`` and :func:`event_from_row` share them. Exports from the
    knowledge base add the article's ``published`` and ``url``.

Our own exports (``import --format jsonl|csv|parquet``)
    ``export --format jsonl`` writes one DESIGN §2 object per event followed by
    its article's ``published`` and ``url``; ``csv`` and ``parquet`` write the
    flat rows with the same two columns. :func:`import_events` reads any of
    them back: every event as it was (id, actors, polarity, date, codes,
    evidence and offsets, attribution, confidence, extractor, issues), under
    an article with its id, ``published`` and ``url``. The article's text is
    not exported; the imported article's text holds each evidence sentence at
    its offsets (blanks between) and a closing line naming the article, so
    ``content[start:end]`` is still the evidence and no two articles share a
    text. Export, import into an empty store and export again gives the same
    file. A file that holds an unreadable or invalid record stores nothing.

GDELT 2.0 (``export --format gdelt``, ``import --format gdelt``)
    The 61 tab-separated columns of the GDELT 2.0 event table
    (:data:`GDELT_COLUMNS`, no header, as GDELT publishes them). What we fill:

    * ``GLOBALEVENTID``: for an event imported from GDELT, its own id; for an
      extracted one, the first 60 bits of its ``ev_`` hash as a decimal number.
    * ``SQLDATE``/``MonthYear``/``Year``/``FractionDate``: the effective date
      (the event's date, first day of its month or year at that precision, else
      the publication date). Events with no date at all are not exported.
    * actors: CAMEO-style codes (:func:`cameo_actor`): a state is its ISO3 code
      (``RUS``); a government, a person (an official) or an executive body is
      ``<ISO3>GOV``; armed forces and defence ministries ``<ISO3>MIL``;
      parliaments ``<ISO3>LEG``; courts ``<ISO3>JUD``; organisations their
      CAMEO code where CAMEO has one (``IGOUNO``, ``IGOEUREEC``, ``IGOWSTNAT``,
      known groups such as ``TAL``), else ``IGO`` with the name. Names are upper
      case, as in GDELT.
    * ``EventCode`` (our CAMEO code), ``EventBaseCode`` (first three digits),
      ``EventRootCode`` (first two), ``QuadClass`` (the PLOVER quad category
      of the event's PLOVER type, :func:`diplowatch.ontology.quad_class`),
      ``GoldsteinScale`` (:func:`diplowatch.ontology.goldstein` of the code:
      the published Goldstein table, ``data/goldstein.tsv``; the same weights
      and classes as ``diplowatch stance``), ``IsRootEvent`` (1 when the
      evidence is in the headline or the first 400 characters).
    * ``NumMentions``/``NumSources``/``NumArticles``: 1 (one row is one report);
      ``AvgTone`` 0 (we measure no tone); every geography column empty. Events
      imported from GDELT give back what GDELT said (``IsRootEvent``, the
      counts and the tone are kept in their evidence text).
    * ``DATEADDED``: publication date at ``000000``; ``SOURCEURL``: the article
      URL, else its id.

    Only *asserted* events are exported: GDELT has no negated or hypothetical
    events, and a reader of a GDELT file takes every row as having happened.

    Import maps ``EventCode`` to our ontology where the meaning is the same
    (:data:`GDELT_IMPORT`) and skips (and counts) every other code. Decisions:

    * ``054`` (grant diplomatic recognition) and ``161`` (reduce or break
      diplomatic relations) are skipped and counted: in our ontology (DESIGN
      §3) 054 codes recognition, first relations and missions alike, and 161
      breaks, recalls and closures alike, so importing them as recognitions or
      breaks would put facts into the relation state that the source never
      reported (an Indian embassy reopened would come back as India
      recognising the Taliban).
    * ``040``-``046`` are ``high_level_talks``, ``051`` ``praise``, ``111``
      ``criticize``, ``163`` ``impose_sanctions``,
      ``085`` ``ease_sanctions``, ``174`` ``expel_diplomats`` (CAMEO's "expel or
      deport individuals"), ``1722`` ``designate_organization`` and ``0812``
      ``delist_organization`` (banning and unbanning political groups).
    * ``050`` (diplomatic cooperation, not specified) and ``160`` (reduce
      relations, not specified) are skipped: too vague to set a relation
      state, although our ``restore_relations``/``accredit_ambassador`` and
      ``withdraw_recognition`` are exported with those codes.
    * rows whose actors are not a state, a government (or its military,
      legislature, judiciary) or a known organisation are skipped (GDELT codes
      media, rebels, civilians …; they are not diplomatic actors).

    Every imported event keeps its origin: ``extractor`` is ``"gdelt/2.0"``,
    its article is ``gdelt:<GLOBALEVENTID>`` (no URL, so it never takes the
    place of the real article when that is ingested later; the text,
    ``Coded by GDELT 2.0 from <SOURCEURL> as [root ]event <id> (<n> mentions,
    <n> sources, <n> articles, tone <t>)``, is the evidence), ``published`` is
    the day of ``DATEADDED``, the date ``SQLDATE`` at day precision, polarity
    asserted, confidence :data:`IMPORT_CONFIDENCE`. Actors become our
    gazetteer's (an official or body named in Actor*Name when we know it, else
    for a GOV code the government in office on the day of ``DATEADDED``);
    geography and the time of day of ``DATEADDED`` are not kept.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from diplowatch.errors import InputError
from diplowatch.files import write_file
from diplowatch.model import Actor, Article, Event, Evidence, event_id
from diplowatch.ontology import QUAD_CLASSES, event_type, goldstein

__all__ = [
    "ARTICLE_COLUMNS", "EVENT_COLUMNS", "GDELT_COLUMNS", "GDELT_EXTRACTOR", "GDELT_IMPORT",
    "IMPORT_FORMATS", "ImportReport", "ImportStore", "article_from_row", "article_row", "cameo_actor",
    "event_from_row", "event_row", "export_events", "gdelt_event", "gdelt_row", "import_events", "import_gdelt",
    "read_events", "read_gdelt",
]

# --------------------------------------------------------------------------- flat rows

EVENT_COLUMNS: tuple[str, ...] = (
    "id", "doc", "event",
    "source_id", "source_name", "source_kind", "source_state",
    "target_id", "target_name", "target_kind", "target_state",
    "polarity", "date", "date_precision", "cameo", "plover",
    "evidence_text", "evidence_start", "evidence_end",
    "attribution", "confidence", "extractor", "issues",
)
"""Columns of a flat event row, in DESIGN §2 order."""

ARTICLE_COLUMNS: tuple[str, ...] = ("id", "url", "title", "published", "text", "lang")
"""Columns of a flat article row (``published`` ISO ``YYYY-MM-DD`` or empty)."""

_INT_COLUMNS = frozenset({"evidence_start", "evidence_end"})


def event_row(ev: Event) -> dict[str, Any]:
    """The flat row of an event (:data:`EVENT_COLUMNS`); missing actors give ``None`` fields."""
    row: dict[str, Any] = {"id": ev.id, "doc": ev.doc, "event": ev.event}
    for role, actor in (("source", ev.source), ("target", ev.target)):
        row[f"{role}_id"] = actor.id if actor else None
        row[f"{role}_name"] = actor.name if actor else None
        row[f"{role}_kind"] = actor.kind if actor else None
        row[f"{role}_state"] = actor.state if actor else None
    row.update({
        "polarity": ev.polarity, "date": ev.date, "date_precision": ev.date_precision,
        "cameo": ev.cameo, "plover": ev.plover,
        "evidence_text": ev.evidence.text, "evidence_start": ev.evidence.start, "evidence_end": ev.evidence.end,
        "attribution": ev.attribution, "confidence": float(ev.confidence), "extractor": ev.extractor,
        "issues": ";".join(ev.issues) or None,
    })
    return row


def _none(value: Any) -> Any:
    """``None`` for empty strings and NaN (CSV and pandas), else the value."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def event_from_row(row: dict[str, Any]) -> Event:
    """Inverse of :func:`event_row` (accepts strings from CSV for the numeric fields).

    Raises:
        KeyError, ValueError: a required column is missing or malformed.
    """
    actors: dict[str, Actor | None] = {}
    for role in ("source", "target"):
        aid = _none(row.get(f"{role}_id"))
        actors[role] = None if aid is None else Actor(
            str(aid), str(_none(row.get(f"{role}_name")) or aid), str(_none(row.get(f"{role}_kind")) or ""),
            _none(row.get(f"{role}_state")))
    return Event(
        id=row["id"], doc=row["doc"], event=row["event"], source=actors["source"], target=actors["target"],
        polarity=row["polarity"], date=_none(row.get("date")), date_precision=_none(row.get("date_precision")),
        cameo=str(row["cameo"]), plover=row["plover"],
        evidence=Evidence(row.get("evidence_text") or "", int(row["evidence_start"]), int(row["evidence_end"])),
        attribution=_none(row.get("attribution")), confidence=float(row["confidence"]),
        extractor=row["extractor"], issues=tuple(str(_none(row.get("issues")) or "").split(";")) if
        _none(row.get("issues")) else (),
    )


def article_row(article: Article) -> dict[str, Any]:
    """The flat row of an article (:data:`ARTICLE_COLUMNS`; ``published`` a ``datetime.date`` or ``None``)."""
    return {"id": article.id, "url": article.url, "title": article.title, "published": article.published,
            "text": article.text, "lang": article.lang}


def _as_date(value: Any) -> dt.date | None:
    """A ``published`` cell (a date, a datetime, an ISO string, empty) as a date.

    Raises:
        ValueError: a string that does not start with an ISO ``YYYY-MM-DD`` date.
    """
    value = _none(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value.strip()[:10])
    return value


def article_from_row(row: dict[str, Any]) -> Article:
    """Inverse of :func:`article_row`; ``published`` may be a date or an ISO string."""
    return Article(id=row["id"], text=row.get("text") or "", title=_none(row.get("title")),
                   url=_none(row.get("url")), published=_as_date(row.get("published")), lang=_none(row.get("lang")))


def event_schema() -> Any:
    """The pyarrow schema of flat event rows (strings, int64 offsets, float64 confidence)."""
    import pyarrow as pa

    types = {"evidence_start": pa.int64(), "evidence_end": pa.int64(), "confidence": pa.float64()}
    return pa.schema([(c, types.get(c, pa.string())) for c in EVENT_COLUMNS])


def article_schema() -> Any:
    """The pyarrow schema of flat article rows (``published`` as date32)."""
    import pyarrow as pa

    return pa.schema([("id", pa.string()), ("url", pa.string()), ("title", pa.string()),
                      ("published", pa.date32()), ("text", pa.string()), ("lang", pa.string())])


# --------------------------------------------------------------------------- CAMEO / GDELT tables

GDELT_COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
    "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode",
    "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code",
    "Actor1Geo_ADM2Code", "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
    "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code",
    "Actor2Geo_ADM2Code", "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code",
    "ActionGeo_ADM2Code", "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
    "DATEADDED", "SOURCEURL",
)
"""The 61 columns of a GDELT 2.0 event record (GDELT 2.0 Event Database codebook)."""

GDELT_EXTRACTOR = "gdelt/2.0"
"""``extractor`` of events imported from GDELT."""

IMPORT_CONFIDENCE = 0.5
"""Confidence given to imported GDELT events (machine-coded, unchecked)."""

ORG_CODES: dict[str, tuple[str, str]] = {
    "ORG:un": ("IGOUNO", ""), "ORG:unsc": ("IGOUNO", ""), "ORG:unga": ("IGOUNO", ""),
    "ORG:eu": ("IGOEUREEC", ""), "ORG:european-commission": ("IGOEUREEC", ""),
    "ORG:european-council": ("IGOEUREEC", ""),
    "ORG:nato": ("IGOWSTNAT", ""), "ORG:au": ("IGOAFRAFU", ""), "ORG:asean": ("IGOSEAASN", ""),
    "ORG:arab-league": ("IGOMEAARL", ""), "ORG:oic": ("IGOMOSOIC", ""), "ORG:icj": ("IGOUNOJUDICJ", ""),
    "ORG:icc": ("IGOJUDICC", ""), "ORG:g7": ("IGOBUSGOS", ""), "ORG:opec": ("IGOBUSOPC", ""),
    "ORG:osce": ("IGOEURSCE", ""), "ORG:oas": ("IGOOAS", ""),
    "ORG:taliban": ("TAL", "TAL"), "ORG:hamas": ("HMS", "HMS"), "ORG:hezbollah": ("HEZ", "HEZ"),
    "ORG:al-qaeda": ("ALQ", "ALQ"), "ORG:pkk": ("PKK", "PKK"),
}
"""CAMEO actor code and known-group code of organisations (CAMEO actor codebook)."""

_ORG_BY_CODE: dict[str, str] = {}
for _oid, (_code, _group) in ORG_CODES.items():
    _ORG_BY_CODE.setdefault(_code, _oid)
    if _group:
        _ORG_BY_CODE.setdefault(_group, _oid)

_BODY_ROLES = {"mod": "MIL", "mil": "MIL", "parl": "LEG", "court": "JUD"}
_ROLE_BODIES = {"MIL": "mil", "LEG": "parl", "JUD": "court"}

GDELT_IMPORT: dict[str, str] = {
    "040": "high_level_talks", "041": "high_level_talks", "042": "high_level_talks",
    "043": "high_level_talks", "044": "high_level_talks", "045": "high_level_talks",
    "046": "high_level_talks",
    "051": "praise", "0812": "delist_organization", "085": "ease_sanctions",
    "111": "criticize", "163": "impose_sanctions", "1722": "designate_organization",
    "174": "expel_diplomats",
}
"""GDELT ``EventCode`` → our event type, for the codes whose meaning is one event type of ours."""


def cameo_actor(actor: Actor | None) -> dict[str, str]:
    """CAMEO-style code, upper-case name, country, known-group and type code of an actor.

    Returns:
        ``{"code", "name", "country", "group", "type"}`` (empty strings for
        no actor). See the module doc for the rules.
    """
    if actor is None:
        return {"code": "", "name": "", "country": "", "group": "", "type": ""}
    name = actor.name.upper()
    country = actor.state or ""
    if actor.kind == "organization":
        code, group = ORG_CODES.get(actor.id, ("IGO", ""))
        return {"code": code, "name": name, "country": country if group else "", "group": group,
                "type": "IGO" if code.startswith("IGO") else ""}
    if not country:
        return {"code": "", "name": name, "country": "", "group": "", "type": ""}
    if actor.kind == "state":
        return {"code": country, "name": name, "country": country, "group": "", "type": ""}
    role = "GOV"
    if actor.kind == "body":
        role = _BODY_ROLES.get(actor.id.partition(":")[2], "GOV")
    return {"code": country + role, "name": name, "country": country, "group": "", "type": role}


def _gdelt_id(ev: Event) -> str:
    if ev.extractor == GDELT_EXTRACTOR and ev.doc.startswith("gdelt:"):
        return ev.doc.split(":", 1)[1]
    return str(int(ev.id.removeprefix("ev_")[:15], 16))


_IMPORT_TEXT = re.compile(
    r"^Coded by GDELT 2\.0 from (?P<url>.*) as (?P<root>root )?event (?P<id>\d+) \((?P<mentions>\d+) mentions, "
    r"(?P<sources>\d+) sources, (?P<articles>\d+) articles, tone (?P<tone>-?\d+(?:\.\d+)?)\)$", re.S)


def gdelt_row(ev: Event, published: dt.date | str | None = None, url: str | None = None) -> list[str] | None:
    """The 61 GDELT 2.0 fields of an asserted event, or ``None`` when it cannot be one.

    Args:
        ev: the event (a ``StoredEvent`` carries ``published`` and ``url`` itself).
        published: publication date of its article (default: ``ev.published``).
        url: its article's URL (default: ``ev.url``, else the article id).

    Returns:
        A list of 61 strings, or ``None`` for a negated or hypothetical event
        or one without any date.
    """
    from diplowatch.state import effective_date

    if ev.polarity != "asserted":
        return None
    published = published if published is not None else getattr(ev, "published", None)
    url = url or getattr(ev, "url", None)
    counts = {"root": "1" if ev.evidence.start < 400 else "0", "mentions": "1", "sources": "1", "articles": "1",
              "tone": "0"}
    if ev.extractor == GDELT_EXTRACTOR:
        m = _IMPORT_TEXT.match(ev.evidence.text)
        if m:  # what GDELT said, kept in the evidence text on import
            url = m.group("url")
            counts = {"root": "1" if m.group("root") else "0", "mentions": m.group("mentions"),
                      "sources": m.group("sources"), "articles": m.group("articles"), "tone": m.group("tone")}
    day = effective_date(ev, published)
    if day is None:
        return None
    pub: dt.date | None = None
    if isinstance(published, str):
        try:
            pub = dt.date.fromisoformat(published[:10])
        except ValueError:
            pub = None
    elif isinstance(published, dt.date):
        pub = published
    code = ev.cameo
    a1, a2 = cameo_actor(ev.source), cameo_actor(ev.target)
    frac = day.year + (day.timetuple().tm_yday - 1) / 365
    rec = dict.fromkeys(GDELT_COLUMNS, "")
    rec.update({
        "GLOBALEVENTID": _gdelt_id(ev), "SQLDATE": day.strftime("%Y%m%d"), "MonthYear": day.strftime("%Y%m"),
        "Year": str(day.year), "FractionDate": f"{frac:.4f}",
        "Actor1Code": a1["code"], "Actor1Name": a1["name"], "Actor1CountryCode": a1["country"],
        "Actor1KnownGroupCode": a1["group"], "Actor1Type1Code": a1["type"],
        "Actor2Code": a2["code"], "Actor2Name": a2["name"], "Actor2CountryCode": a2["country"],
        "Actor2KnownGroupCode": a2["group"], "Actor2Type1Code": a2["type"],
        "IsRootEvent": counts["root"],
        "EventCode": code, "EventBaseCode": code[:3], "EventRootCode": code[:2],
        "QuadClass": str(QUAD_CLASSES.get(ev.plover, "")), "GoldsteinScale": f"{goldstein(code):.1f}",
        "NumMentions": counts["mentions"], "NumSources": counts["sources"], "NumArticles": counts["articles"],
        "AvgTone": counts["tone"],
        "DATEADDED": (pub or day).strftime("%Y%m%d") + "000000",
        "SOURCEURL": url or ev.doc,
    })
    return [rec[c].replace("\t", " ").replace("\n", " ") for c in GDELT_COLUMNS]


# --------------------------------------------------------------------------- export

EXPORT_FORMATS = ("gdelt", "jsonl", "csv", "parquet")

def export_events(events: Iterable[Event], fmt: str, out: IO[str] | str | Path) -> int:
    """Write events in one of :data:`EXPORT_FORMATS`.

    Args:
        events: events (``StoredEvent`` adds ``published`` and ``url`` columns
            to csv/parquet and is used for GDELT dates and SOURCEURL).
        fmt: ``gdelt`` (tab-separated, no header), ``jsonl`` (DESIGN §2
            objects), ``csv`` (header + :data:`EVENT_COLUMNS`, ``published``,
            ``url``) or ``parquet`` (same columns; ``out`` must be a path).
        out: a text stream, or a file path.

    Returns:
        The number of records written (GDELT skips non-asserted and undated events).

    Raises:
        ValueError: unknown format, or parquet to a stream.
        OutputError: the file ``out`` cannot be written (:func:`write_file`:
            it is written whole or not at all).
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not isinstance(out, (str, Path)):
            raise ValueError("parquet export needs a file (--out FILE)")
        rows = [_export_row(e) for e in events]
        schema = event_schema().append(pa.field("published", pa.date32())).append(pa.field("url", pa.string()))
        table = pa.Table.from_pylist(rows, schema=schema)
        write_file(out, lambda p: pq.write_table(table, str(p)))
        return len(rows)
    if isinstance(out, (str, Path)):
        def write(path: Path) -> int:
            with open(path, "w", encoding="utf-8", newline="") as fh:
                return export_events(events, fmt, fh)

        return write_file(out, write)
    n = 0
    if fmt == "jsonl":
        for e in events:
            out.write(json.dumps(_export_object(e), ensure_ascii=False) + "\n")
            n += 1
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=[*EVENT_COLUMNS, "published", "url"], lineterminator="\n")
        writer.writeheader()
        for e in events:
            writer.writerow(_export_row(e))
            n += 1
    else:
        for e in events:
            row = gdelt_row(e)
            if row is not None:
                out.write("\t".join(row) + "\n")
                n += 1
    return n


def _export_row(e: Event) -> dict[str, Any]:
    pub = getattr(e, "published", None)
    return {**event_row(e), "published": pub, "url": getattr(e, "url", None)}


def _export_object(e: Event) -> dict[str, Any]:
    """The DESIGN §2 object, then the report's ``published`` (ISO date or ``None``) and ``url``
    when ``e`` was read from a store (a ``StoredEvent``)."""
    obj = e.to_dict()
    if hasattr(e, "published"):
        pub = getattr(e, "published")
        obj["published"] = pub.isoformat() if isinstance(pub, dt.date) else pub
        obj["url"] = getattr(e, "url", None)
    return obj


# --------------------------------------------------------------------------- import

@dataclass
class ImportReport:
    """What :func:`import_gdelt` did.

    Attributes:
        read: GDELT records read.
        imported: events stored (new articles).
        already: records whose ``gdelt:<id>`` article was already stored.
        skipped: records not imported, by reason (``"EventCode 057"``,
            ``"actor1 USAMED"``, …).
        errors: unreadable lines (:class:`InputError`).
    """

    read: int = 0
    imported: int = 0
    already: int = 0
    skipped: Counter = field(default_factory=Counter)
    errors: list[InputError] = field(default_factory=list)


def _open_text(path: Path) -> Iterator[tuple[str, IO[str]]]:
    """Yield ``(name, text stream)`` of a GDELT file: plain, ``.gz`` or ``.zip`` (every member)."""
    name = path.name.lower()
    if name.endswith(".zip"):
        with zipfile.ZipFile(path) as zf:
            for member in zf.namelist():
                with zf.open(member) as raw:
                    yield f"{path}!{member}", io.TextIOWrapper(raw, encoding="utf-8", errors="replace")
    elif name.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as fh:
            yield str(path), fh
    else:
        with open(path, encoding="utf-8", errors="replace") as fh:
            yield str(path), fh


def read_gdelt(path: str | Path) -> Iterator[dict[str, str] | InputError]:
    """Read a GDELT 2.0 event file (``*.export.CSV``, optionally ``.zip``/``.gz``).

    Yields:
        One ``{column: value}`` dict per record (:data:`GDELT_COLUMNS`), or an
        :class:`InputError` for a line without 61 tab-separated fields. When
        the first line with content already has the wrong number, the file (or
        zip member) is no GDELT 2.0 events file: one error naming it, and
        nothing more is read from it.
    """
    p = Path(path)
    for name, fh in _open_text(p):
        first = True
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) != len(GDELT_COLUMNS):
                if first:
                    yield InputError(name, f"not a GDELT 2.0 events file (line {n} has {len(fields)} "
                                           f"tab-separated field{'s' if len(fields) != 1 else ''}, "
                                           f"a GDELT 2.0 event row has {len(GDELT_COLUMNS)})")
                    break
                yield InputError(name, f"expected {len(GDELT_COLUMNS)} tab-separated GDELT 2.0 fields, "
                                       f"found {len(fields)}", n)
                continue
            first = False
            yield dict(zip(GDELT_COLUMNS, fields))


def _day(value: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(value[:8], "%Y%m%d").date()
    except ValueError:
        return None


def _count(value: str) -> int:
    value = value.strip()
    return int(value) if value.isdigit() else 1


def _tone(value: str) -> str:
    try:
        return f"{float(value):g}" if value.strip() else "0"
    except ValueError:
        return "0"


def _by_name(name: str, cc: str, on: dt.date, gaz: Any) -> Actor | None:
    """The official, body or government of state ``cc`` that an Actor*Name names, if any."""
    if not name:
        return None
    title = name.title()
    found = gaz.lookup(title, on)
    if found is not None and found.actor.state == cc and found.actor.kind in ("person", "body", "government"):
        return found.actor
    words = title.split()
    for i in range(len(words)):
        kind = gaz.body_kind(" ".join(words[i:]))
        if kind is not None:
            return gaz.body(cc, kind)
    return None


def _gdelt_actor(rec: dict[str, str], n: int, on: dt.date, gaz: Any) -> Actor | None:
    """Our actor for Actor1/Actor2 of a GDELT record, or ``None`` when it is no diplomatic actor."""
    code = rec[f"Actor{n}Code"].strip().upper()
    country = rec[f"Actor{n}CountryCode"].strip().upper()
    group = rec[f"Actor{n}KnownGroupCode"].strip().upper()
    name = rec[f"Actor{n}Name"].strip()
    if not code:
        return None
    for key in (code, group):
        if key and key in _ORG_BY_CODE:
            try:
                return gaz.actor(_ORG_BY_CODE[key], on)
            except KeyError:
                break
    if code.startswith(("IGO", "NGO")):
        found = gaz.lookup(name.title(), on) if name else None
        if found is not None and found.actor.kind == "organization":
            return found.actor
        return None
    cc = country or code[:3]
    try:
        state = gaz.state(cc)
    except KeyError:
        return None
    role = code[len(cc):len(cc) + 3] if code.startswith(cc) else ""
    if role == "":
        return state
    if role in ("GOV", *_ROLE_BODIES):
        named = _by_name(name, cc, on, gaz)
        if named is not None:
            return named
    if role == "GOV":
        return gaz.government(cc, on) or gaz.body(cc, "gov") or state
    if role in _ROLE_BODIES:
        return gaz.body(cc, _ROLE_BODIES[role]) or state
    return None


def gdelt_event(rec: dict[str, str], gaz: Any = None) -> tuple[Article, Event] | str:
    """The article and event of one GDELT record, or the reason it is skipped.

    Args:
        rec: a record from :func:`read_gdelt`.
        gaz: the gazetteer (default: the packaged one).

    Returns:
        ``(article, event)`` (see the module doc for the origin they keep), or a
        reason string (``"EventCode 057"``, ``"actor2 USAMED"``, ``"no date"``).
    """
    from diplowatch.actors import Gazetteer

    gaz = gaz or Gazetteer.default()
    code = rec["EventCode"].strip()
    name = GDELT_IMPORT.get(code)
    if name is None:
        return f"EventCode {code or '(none)'}"
    day = _day(rec["SQLDATE"].strip())
    if day is None:
        return "no date"
    gid = rec["GLOBALEVENTID"].strip()
    if not gid.isdigit():
        return "no GLOBALEVENTID"
    added = _day(rec["DATEADDED"].strip()) or day
    source = _gdelt_actor(rec, 1, added, gaz)  # as of the report, as the extractor resolves actors
    if source is None:
        return f"actor1 {rec['Actor1Code'] or '(none)'}"
    target = _gdelt_actor(rec, 2, added, gaz)
    if target is None:
        return f"actor2 {rec['Actor2Code'] or '(none)'}"
    if name == "recognize_state" and target.kind in ("government", "body") and target.state:
        name = "recognize_government"
    url = rec["SOURCEURL"].strip()
    doc = f"gdelt:{gid}"
    counts = [_count(rec[c]) for c in ("NumMentions", "NumSources", "NumArticles")]
    tone = _tone(rec["AvgTone"])
    root = "root " if rec["IsRootEvent"].strip() == "1" else ""
    text = (f"Coded by GDELT 2.0 from {url} as {root}event {gid} "
            f"({counts[0]} mentions, {counts[1]} sources, {counts[2]} articles, tone {tone})")
    article = Article(id=doc, text=text, published=added)
    etype = event_type(name)
    ev = Event(
        id=event_id(doc, GDELT_EXTRACTOR, 0, len(text), name, source.id, target.id),
        doc=doc, event=name, source=source, target=target, polarity="asserted",
        date=day.isoformat(), date_precision="day", cameo=code, plover=etype.plover,
        evidence=Evidence(text, 0, len(text)), attribution=None, confidence=IMPORT_CONFIDENCE,
        extractor=GDELT_EXTRACTOR,
    )
    return article, ev


class ImportStore(Protocol):
    """Where :func:`import_gdelt` stores: the write path of every ingest (:class:`diplowatch.write.Writer`)."""

    def is_stored(self, article: Article) -> bool:
        """Whether this article (here: its URL) is stored."""

    def add(self, article: Article, events: list[Event]) -> bool:
        """Store the article and its events; ``False`` when it was stored already."""


def import_gdelt(store: ImportStore, paths: Iterable[str | Path],
                 on_error: Callable[[InputError], None] | None = None) -> ImportReport:
    """Seed a knowledge base from GDELT 2.0 event files (idempotent).

    Args:
        store: where to store: the write path over the knowledge base, so
            that watch rules are evaluated as for every ingest.
        paths: GDELT 2.0 event files (plain, ``.zip`` or ``.gz``).
        on_error: called with each :class:`InputError` (unreadable line or
            file) as it happens; they are also collected in the report.

    Returns:
        An :class:`ImportReport`.

    Raises:
        StoreError: an event cannot be stored.
    """
    from diplowatch.actors import Gazetteer

    gaz = Gazetteer.default()
    report = ImportReport()
    for path in paths:
        try:
            records = list(read_gdelt(path))
        except OSError as exc:
            err = InputError(str(path), f"cannot read: {exc.strerror or exc}")
            report.errors.append(err)
            if on_error:
                on_error(err)
            continue
        for rec in records:
            if isinstance(rec, InputError):
                report.errors.append(rec)
                if on_error:
                    on_error(rec)
                continue
            report.read += 1
            got = gdelt_event(rec, gaz)
            if isinstance(got, str):
                report.skipped[got] += 1
                continue
            article, ev = got
            url = rec["SOURCEURL"].strip()
            if url.startswith(("http://", "https://")) and store.is_stored(Article(id="", text="", url=url)):
                # the report itself is stored (extracted by diplowatch): GDELT's coding of it is
                # no second, independent source
                report.skipped["source article already stored"] += 1
                continue
            if store.add(article, [ev]):
                report.imported += 1
            else:
                report.already += 1
    return report


# --------------------------------------------------------------------------- import of our own exports

IMPORT_FORMATS = ("gdelt", "jsonl", "csv", "parquet")
"""Formats ``import`` reads: GDELT 2.0 event files, and the jsonl, csv and parquet that ``export`` writes."""

_REQUIRED_COLUMNS = ("id", "doc", "event", "polarity", "cameo", "plover", "evidence_start", "evidence_end",
                     "confidence", "extractor")


@dataclass(frozen=True, slots=True)
class _Report:
    """One exported event with its article's ``published`` date (or ``None``) and ``url``."""

    event: Event
    published: dt.date | None
    url: str | None


def _invalid(ev: Event) -> str | None:
    """Why an event read from an export cannot be stored as it is, or ``None``."""
    from diplowatch.model import POLARITIES
    from diplowatch.ontology import EVENT_TYPES

    if ev.event not in EVENT_TYPES:
        return f"unknown event type {ev.event!r}"
    if ev.polarity not in POLARITIES:
        return f"polarity {ev.polarity!r} is not one of {', '.join(POLARITIES)}"
    ev_ = ev.evidence
    if not 0 <= ev_.start <= ev_.end or ev_.end - ev_.start != len(ev_.text):
        return f"evidence offsets {ev_.start}-{ev_.end} do not span its {len(ev_.text)} characters"
    return None


def _records(path: Path, fmt: str) -> Iterator[tuple[int | None, dict[str, Any]]]:
    """``(line or row number, record)`` of an export file; a record is a DESIGN §2 object (jsonl)
    or a flat row (csv, parquet). Raises ``InputError`` for a file that cannot be read at all."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(path)
        except Exception as exc:  # pyarrow raises ArrowInvalid, OSError …
            raise InputError(str(path), f"not a Parquet file of events ({exc})".splitlines()[0]) from None
        missing = [c for c in _REQUIRED_COLUMNS if c not in table.column_names]
        if missing:
            raise InputError(str(path), f"not a diplowatch events export: no column {', '.join(missing)} "
                                        f"(columns: {', '.join(table.column_names)})")
        for n, row in enumerate(table.to_pylist(), 1):
            yield n, row
        return
    with open(path, encoding="utf-8", newline="") as fh:
        if fmt == "csv":
            reader = csv.DictReader(fh)
            columns = reader.fieldnames or []
            missing = [c for c in _REQUIRED_COLUMNS if c not in columns]
            if missing:
                raise InputError(str(path), f"not a diplowatch events export: no column {', '.join(missing)} "
                                            f"(columns: {', '.join(columns)})")
            for row in reader:
                yield reader.line_num, row
            return
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(str(path), f"not JSON: {exc.msg} at column {exc.colno}", n) from None
            if not isinstance(obj, dict):
                raise InputError(str(path), "not a JSON object (one event object per line)", n)
            yield n, obj


def read_events(path: str | Path, fmt: str) -> list[_Report]:
    """Read a file written by ``export --format jsonl|csv|parquet`` (see the module docstring).

    Args:
        path: the file.
        fmt: ``jsonl``, ``csv`` or ``parquet``.

    Returns:
        Every event in file order, each with its article's ``published`` and ``url``.

    Raises:
        InputError: the file cannot be read, is no export of that format, or
            a record is malformed or invalid (the error names its line or row);
            nothing of the file is returned then.
    """
    p = Path(path)
    out: list[_Report] = []
    try:
        for n, rec in _records(p, fmt):
            try:
                ev = Event.from_dict(rec) if fmt == "jsonl" else event_from_row(rec)
                published = _as_date(rec.get("published"))
            except (KeyError, TypeError, ValueError) as exc:
                what = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
                raise InputError(str(p), f"not an exported event: {what}", n) from None
            why = _invalid(ev)
            if why:
                raise InputError(str(p), f"event {ev.id}: {why}", n)
            out.append(_Report(ev, published, _none(rec.get("url"))))
    except OSError as exc:
        raise InputError(str(p), f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(str(p), f"not UTF-8 text (byte offset {exc.start})") from None
    if not out:
        raise InputError(str(p), "no events in the file")
    return out


def _article_of(doc: str, reports: list[_Report]) -> Article:
    """The article an export's events came from: its id, ``published`` and ``url``, and a text holding
    each evidence at its offsets (blanks between) then a line naming the article.

    Raises:
        InputError: the reports disagree on the article's date or URL, or two evidences overlap
            with different characters.
    """
    for name in ("published", "url"):
        values = {getattr(r, name) for r in reports}
        if len(values) > 1:
            raise InputError(doc, f"the events of article {doc} give several {name} values: "
                                  f"{', '.join(sorted(str(v) for v in values))}")
    chars = [" "] * max(r.event.evidence.end for r in reports)
    for r in reports:
        ev = r.event.evidence
        for i, c in enumerate(ev.text, ev.start):
            if chars[i] not in (" ", c):
                raise InputError(doc, f"the evidence of event {r.event.id} overlaps another one of "
                                      f"article {doc} with other characters")
            chars[i] = c
    text = "".join(chars) + f"\n\n(article {doc}, imported from a diplowatch export: its evidence sentences)"
    return Article(id=doc, text=text, url=reports[0].url, published=reports[0].published)


def import_events(store: ImportStore, paths: Iterable[str | Path], fmt: str,
                  on_error: Callable[[InputError], None] | None = None) -> ImportReport:
    """Store the events of files written by ``export --format jsonl|csv|parquet`` (idempotent).

    Args:
        store: the write path over the knowledge base (watch rules are evaluated).
        paths: export files.
        fmt: ``jsonl``, ``csv`` or ``parquet``.
        on_error: called with each :class:`InputError` (a file refused whole,
            or an article whose events disagree); they are also in the report.

    Returns:
        An :class:`ImportReport`: ``read`` events read, ``imported`` events
        stored, ``already`` events whose article was stored already.

    Raises:
        StoreError: an article cannot be stored.
    """
    report = ImportReport()

    def error(exc: InputError) -> None:
        report.errors.append(exc)
        if on_error:
            on_error(exc)

    for path in paths:
        try:
            reports = read_events(path, fmt)
        except InputError as exc:
            error(exc)
            continue
        report.read += len(reports)
        by_doc: dict[str, list[_Report]] = {}
        for r in reports:
            by_doc.setdefault(r.event.doc, []).append(r)
        articles = []
        for doc, group in by_doc.items():
            try:
                articles.append((_article_of(doc, group), [r.event for r in group]))
            except InputError as exc:
                error(InputError(str(path), exc.reason))
        for article, events in articles:
            if store.add(article, events):
                report.imported += len(events)
            else:
                report.already += len(events)
    return report
