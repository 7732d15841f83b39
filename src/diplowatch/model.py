"""Plain data of diplowatch: articles, actors, evidence and events.

Every class here is a frozen dataclass with no behaviour beyond conversion to
and from the JSON event contract of DESIGN §2. Dates are ISO 8601 strings
(``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``) or ``None`` when unknown; offsets are
character offsets into :attr:`Article.content`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

Polarity = Literal["asserted", "negated", "hypothetical"]
POLARITIES: tuple[str, ...] = ("asserted", "negated", "hypothetical")

ActorKind = Literal["state", "government", "organization", "person", "body"]
ACTOR_KINDS: tuple[str, ...] = ("state", "government", "organization", "person", "body")

DatePrecision = Literal["day", "month", "year"]


@dataclass(frozen=True, slots=True)
class Article:
    """One news article.

    Attributes:
        id: document id (the file name without its suffix for ``.txt`` and HTML files, the corpus ``id``, or
            a hash of the URL or text; see :func:`article_id`).
        text: body text as read, without the headline when the source keeps
            the headline apart (JSON Lines ``title``).
        title: headline, or ``None``.
        url: canonical URL, or ``None``.
        published: publication date, or ``None`` when unknown.
        lang: ISO 639-1 language code when known.
    """

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    published: dt.date | None = None
    lang: str | None = None

    @property
    def content(self) -> str:
        """The text that is analysed, into which evidence offsets point.

        The headline followed by a blank line and the body when the article
        has a headline that the body does not already open with; the body
        alone otherwise.
        """
        title = (self.title or "").strip()
        if not title or self.text.lstrip().startswith(title):
            return self.text
        return f"{title}\n\n{self.text}"

    @property
    def body_start(self) -> int:
        """Offset in :attr:`content` where the body begins (0 without a separate headline)."""
        return len(self.content) - len(self.text)


def lone_surrogate(value: str | None) -> int | None:
    """Character offset of the first lone surrogate (U+D800–U+DFFF) in ``value``, else ``None``.

    JSON may spell one as ``"\\ud83d"``; it is not valid Unicode (it cannot be
    encoded as UTF-8, printed or stored).
    """
    if not value:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


def surrogate_reason(fields: list[tuple[str, str | None]]) -> str | None:
    """Why a record is not valid Unicode: the first field holding a lone surrogate, else ``None``.

    Args:
        fields: ``(name, value)`` pairs, checked in order.

    Returns:
        ``'field "text": lone surrogate \\ud83d at offset 41: not valid Unicode'``
        (the offset in characters into that field's value), or ``None``. The
        same words in every interface (CLI, store, HTTP API).
    """
    for name, value in fields:
        bad = lone_surrogate(value)
        if bad is not None:
            assert value is not None
            return f'field "{name}": lone surrogate \\u{ord(value[bad]):04x} at offset {bad}: not valid Unicode'
    return None


def article_id(url: str | None, text: str) -> str:
    """Stable id of an article: a hash of its URL, or of its normalised text.

    Args:
        url: canonical URL or ``None``.
        text: article text (used only when ``url`` is empty).

    Returns:
        ``"a_"`` followed by 16 hex digits of SHA-256.
    """
    basis = (url or "").strip() or " ".join(text.split()).lower()
    return "a_" + hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Actor:
    """A canonical actor (DESIGN §4).

    Attributes:
        id: canonical id: ISO 3166-1 alpha-3 for states (``RUS``), ``AFG:taliban``
            for governments, ``ORG:taliban`` for organisations, ``RUS:mfa`` for
            bodies, ``PER:amir-khan-muttaqi`` for persons.
        name: display name.
        kind: one of :data:`ACTOR_KINDS`.
        state: ISO 3166-1 alpha-3 of the state the actor belongs to or acts
            for; ``None`` for bodies of no single state (UN, EU) and for
            entities without a code.
    """

    id: str
    name: str
    kind: str
    state: str | None

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"id", "name", "kind", "state"}``."""
        return {"id": self.id, "name": self.name, "kind": self.kind, "state": self.state}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Actor:
        """Inverse of :meth:`to_dict`. Raises ``KeyError`` on a missing field."""
        return cls(id=data["id"], name=data["name"], kind=data["kind"], state=data.get("state"))


@dataclass(frozen=True, slots=True)
class Evidence:
    """The sentence that reports an event: ``content[start:end] == text``."""

    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"text", "start", "end"}``."""
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Event:
    """One diplomatic event, coded (DESIGN §2 and §3).

    Attributes:
        id: ``"ev_"`` + 16 hex digits, a hash of (doc, extractor, evidence span,
            event type, source id, target id); see :func:`event_id`.
        doc: article id.
        event: event type of the ontology (``diplowatch.ontology.EVENT_TYPES``).
        source: acting actor, or ``None`` for a generic one ("no country").
        target: actor acted upon, or ``None``.
        polarity: ``asserted``, ``negated`` or ``hypothetical``.
        date: ISO 8601 date at ``date_precision``, or ``None``.
        date_precision: ``day``, ``month``, ``year`` or ``None``.
        cameo: CAMEO 2.0 code.
        plover: PLOVER event type.
        evidence: the sentence that reports it.
        attribution: who the report is attributed to ("X said ..."), or ``None``.
        confidence: 0..1.
        extractor: name and version of the extractor (``rules/1``).
        issues: ids of the issues its sentence or paragraph names
            (``human_rights``, ``womens_rights`` …; ``data/issues.yaml``), in
            lexicon order; empty when none.
        explanation: how the event was found (trigger, rule, role paths);
            printed by ``analyze --explain``, not part of the JSON contract.
    """

    id: str
    doc: str
    event: str
    source: Actor | None
    target: Actor | None
    polarity: str
    date: str | None
    date_precision: str | None
    cameo: str
    plover: str
    evidence: Evidence
    attribution: str | None = None
    confidence: float = 0.5
    extractor: str = "rules/1"
    issues: tuple[str, ...] = ()
    explanation: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        """Return the DESIGN §2 JSON object (keys in contract order)."""
        return {
            "id": self.id,
            "doc": self.doc,
            "event": self.event,
            "source": self.source.to_dict() if self.source else None,
            "target": self.target.to_dict() if self.target else None,
            "polarity": self.polarity,
            "date": self.date,
            "date_precision": self.date_precision,
            "cameo": self.cameo,
            "plover": self.plover,
            "evidence": self.evidence.to_dict(),
            "attribution": self.attribution,
            "confidence": round(self.confidence, 3),
            "extractor": self.extractor,
            "issues": list(self.issues),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        """Inverse of :meth:`to_dict`. Raises ``KeyError``/``TypeError`` on a malformed object."""
        ev = data["evidence"]
        return cls(
            id=data["id"],
            doc=data["doc"],
            event=data["event"],
            source=Actor.from_dict(data["source"]) if data.get("source") else None,
            target=Actor.from_dict(data["target"]) if data.get("target") else None,
            polarity=data["polarity"],
            date=data.get("date"),
            date_precision=data.get("date_precision"),
            cameo=data["cameo"],
            plover=data["plover"],
            evidence=Evidence(ev["text"], int(ev["start"]), int(ev["end"])),
            attribution=data.get("attribution"),
            confidence=float(data.get("confidence", 0.5)),
            extractor=data.get("extractor", "rules/1"),
            issues=tuple(data.get("issues") or ()),
        )


def event_id(doc: str, extractor: str, start: int, end: int, event: str,
             source: str | None, target: str | None) -> str:
    """Stable event id: hash of (doc, extractor, evidence span, event type, actor ids).

    Returns:
        ``"ev_"`` followed by 16 hex digits of SHA-256.
    """
    key = "\x1f".join([doc, extractor, str(start), str(end), event, source or "", target or ""])
    return "ev_" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def date_at_precision(day: str | None, precision: str | None) -> str | None:
    """An ISO date cut to its precision: ``("2005-01-01", "year") -> "2005"``, ``("2005-03-01", "month")
    -> "2005-03"``; a day, an unknown precision or a date already cut is returned as it is; ``None`` stays ``None``."""
    if not day:
        return None
    if precision == "year":
        return day[:4]
    if precision == "month":
        return day[:7]
    return day


def shown_date(date: str | None, reported: str | dt.date | None = None, precision: str | None = None) -> str:
    """How a date is shown to people (tables, dashboard, the ``date_shown`` field of the API): at its precision.

    Args:
        date: the event's own date (ISO ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``), or ``None``.
        reported: the publication date of the article that reported it (ISO string or date), or ``None``.
        precision: ``day``, ``month`` or ``year`` when ``date`` is a full day standing for a month or year
            (an effective date such as ``2005-01-01``); ``None`` when ``date`` is already at its precision.

    Returns:
        ``"2005"``, ``"2005-03"`` or ``"2005-03-02"``; ``"undated (reported 2025-07-04)"`` when only the
        report date is known; ``"undated"`` when neither is.
    """
    if date:
        return date_at_precision(date, precision) or date
    if reported:
        return f"undated (reported {reported.isoformat() if isinstance(reported, dt.date) else reported})"
    return "undated"
