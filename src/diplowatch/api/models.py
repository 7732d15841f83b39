"""Pydantic response models of the HTTP API: the OpenAPI schema is made from these.

Relation-state answers reuse the frozen dataclasses of :mod:`diplowatch.state`
(``TargetStatus``, ``Recognizer``, ``Transition``) as they are, so the JSON is
exactly :meth:`~diplowatch.state.TargetStatus.to_dict`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field

from diplowatch.state import Recognizer, TargetStatus, Transition

__all__ = ["ActorDetailOut", "ActorOut", "ChangesOut", "ContextOut", "DyadOut", "ErrorOut", "EventDetailOut",
           "EventOut", "EventPageOut", "FamilyOut", "IngestErrorOut", "IngestOut", "IngestedArticleOut", "IsoDate",
           "MapCategoryOut", "MapOut", "MapStateOut", "RealEventOut", "RecognitionsOut", "SourceOut", "TargetOut",
           "TimelineBinOut", "TimelineCountsOut", "TimelineEntryOut", "TimelineOut"]

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_date(value: Any) -> dt.date:
    """A query parameter as a calendar date: only ISO 8601 ``YYYY-MM-DD``.

    Pydantic alone reads ``0`` or ``1720000000`` as Unix timestamps
    (1970-01-01 …) and ``2025-07-01T00:00`` as a day; both are refused here.

    Raises:
        ValueError: (answered 422) anything else, naming the value.
    """
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    text = value if isinstance(value, str) else repr(value)
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"{text[:40]!r} is not a valid date ({exc})") from None
    raise ValueError(f"{text[:40]!r} is not a date YYYY-MM-DD (ISO 8601)")


IsoDate = Annotated[dt.date, BeforeValidator(iso_date)]
"""A ``datetime.date`` given as ``YYYY-MM-DD`` only (:func:`iso_date`); the schema says ``format: date``."""

Category = Literal["recognized", "withdrawn", "accredited", "contacts", "none"]


class ErrorOut(BaseModel):
    """Every 4xx answer: ``{"detail": "what is wrong"}`` (validation errors add ``errors``)."""

    detail: str
    errors: list[dict[str, str]] | None = None


class ActorOut(BaseModel):
    """A canonical actor (DESIGN §4)."""

    id: str
    name: str
    kind: str
    state: str | None


class EvidenceOut(BaseModel):
    """The sentence that reports an event; ``start``/``end`` are offsets into the article content."""

    text: str
    start: int
    end: int


class ContextOut(BaseModel):
    """The evidence in its surroundings: ``before + evidence + after`` is a slice of the article content."""

    before: str
    evidence: str
    after: str


class EventOut(BaseModel):
    """A stored event: the DESIGN §2 object plus its effective date and its article's date and URL."""

    id: str
    doc: str
    event: str
    source: ActorOut | None
    target: ActorOut | None
    polarity: Literal["asserted", "negated", "hypothetical"]
    date: str | None
    date_precision: str | None
    cameo: str
    plover: str
    evidence: EvidenceOut
    attribution: str | None
    confidence: float
    extractor: str
    effective: str | None = Field(None, description="Date the event counts at (ISO day), or null.")
    date_shown: str = Field("undated", description="The date as shown to people, at its precision: "
                                                   "'2005', '2005-03', '2025-07-03', or 'undated (reported "
                                                   "2025-07-04)' when only its article's date is known.")
    published: str | None = Field(None, description="Publication date of its article.")
    url: str | None = Field(None, description="URL of its article.")
    context: ContextOut | None = Field(None, description="The evidence in its surroundings (event lists).")


class EventPageOut(BaseModel):
    """One page of events, newest first; pass ``next_cursor`` as ``cursor`` for the next page."""

    items: list[EventOut]
    next_cursor: str | None
    limit: int


class SourceOut(BaseModel):
    """An article that reports an event."""

    doc: str
    url: str | None
    title: str | None
    published: str | None
    near_duplicate_of: str | None = None


class RealEventOut(BaseModel):
    """One real-world event and the reports that corroborate it (``store.RealEvent``)."""

    id: int
    event: str
    source: str | None
    target: str | None
    polarity: str
    first_date: str | None
    last_date: str | None
    n_reports: int
    n_sources: int
    event_ids: list[str]


class EventDetailOut(BaseModel):
    """One event with its evidence in context, its article and every source that reports it."""

    event: EventOut
    context: ContextOut
    article: SourceOut
    sources: list[SourceOut]
    real_event: RealEventOut | None


class DyadOut(BaseModel):
    """What one observer does towards one target, in one row (current values)."""

    observer: str
    target: str
    category: Category
    label: str
    recognition: str
    relations: str
    ambassador: str
    own_ambassador: str
    mission: str
    contacts: int
    last_contact: str | None


class ActorDetailOut(BaseModel):
    """An actor from the gazetteer, with its relations both ways."""

    actor: ActorOut
    code: str = Field(description="The code its relations are kept under (ISO3, or the actor id).")
    government: ActorOut | None = Field(description="For a state: its government today, if the gazetteer has one.")
    events: int
    towards: list[DyadOut] = Field(description="Other states' relations towards this actor.")
    by: list[DyadOut] = Field(description="This actor's relations towards others.")


class TargetOut(BaseModel):
    """A target of relation state: its code and display name."""

    code: str
    name: str


class RecognitionsOut(BaseModel):
    """Who recognises a target, earliest first."""

    target: str
    as_of: str | None
    recognizers: list[Recognizer]


class ChangesOut(BaseModel):
    """State transitions in a date range."""

    since: str | None
    until: str | None
    target: str | None
    changes: list[Transition]


class TimelineEntryOut(BaseModel):
    """One event of a timeline with its effective date and its real-world event."""

    date: str | None
    event: EventOut
    real_event: RealEventOut | None


class TimelineOut(BaseModel):
    """Every stored event of an actor (or of a dyad), in date order."""

    actor: str
    other: str | None = Field(None, description="The other party of the dyad, when one was asked for.")
    entries: list[TimelineEntryOut]


class MapCategoryOut(BaseModel):
    """One entry of the map legend."""

    key: Category
    label: str


class SourceRefOut(BaseModel):
    """The first source of a state value: the event and its article."""

    event_id: str
    event: str
    date: str | None
    doc: str
    url: str | None
    evidence: str


class MapStateOut(BaseModel):
    """One state on the map: its relation to the target."""

    code: str
    name: str
    category: Category
    label: str
    since: str | None
    detail: list[str]
    first_source: SourceRefOut | None


class MapOut(BaseModel):
    """The map page's data: each state's relation to the target as of a date."""

    target: TargetOut | None
    as_of: str | None
    date_min: str | None = Field(description="Earliest effective date of a stored event (YYYY-MM-DD).")
    date_max: str | None = Field(description="Latest effective date of a stored event (YYYY-MM-DD).")
    date_focus: str | None = Field(description="Start of the busy span, where the date slider starts by default "
                                               "(see diplowatch.api.views.focus_start).")
    targets: list[TargetOut]
    categories: list[MapCategoryOut]
    states: dict[str, MapStateOut]
    features: dict[str, str] = Field(description="Map feature id (ISO 3166-1 numeric) or name -> state code.")
    points: dict[str, tuple[float, float]] = Field(
        description="State code -> (longitude, latitude) of a marker, for the states too small for the map's "
                    "shapes (data/map_points.csv).")


class FamilyOut(BaseModel):
    """An event family of the timeline chart (:data:`diplowatch.ontology.FAMILIES`)."""

    key: str
    label: str


class TimelineBinOut(BaseModel):
    """One bar of the timeline chart: the real-world events of one period, by family."""

    period: str = Field(description="YYYY-MM (by month) or YYYY (by year).")
    counts: dict[str, int] = Field(description="Family key -> number of events (every family, zeros included).")
    total: int


class TimelineCountsOut(BaseModel):
    """Asserted events of an actor (or a dyad) per month or year, by event family: the timeline chart's data.

    Reports of one real-world event count once, in the period of its earliest report. An event counts at its
    own date, else (undated) at its article's publication date.
    """

    actor: str
    other: str | None = Field(None, description="The other party of the dyad, when one was asked for.")
    by: Literal["month", "year"]
    span: Literal["busy", "all"] = Field(description="busy: bins from the start of the busy span "
                                                     "(diplowatch.api.views.focus_start); all: every period.")
    families: list[FamilyOut]
    bins: list[TimelineBinOut] = Field(description="Every period from the first to the last, in order, "
                                                   "empty ones included.")
    total: int = Field(description="Events in the bins.")
    earlier: int = Field(description="Events before the busy span (0 with span=all).")
    unplaced: int = Field(description="Events with no date, or dated to the year only when by=month.")
    first: str | None = Field(description="Period of the earliest event, earlier ones included.")


class IngestedArticleOut(BaseModel):
    """One article of an ingest request."""

    id: str
    status: Literal["stored", "already_stored"]
    events: list[str]


class IngestErrorOut(BaseModel):
    """One record of an ingest request that was refused (and quarantined when it could not be stored)."""

    line: int | None
    reason: str


class IngestOut(BaseModel):
    """Answer of ``POST /api/ingest``: 201 when something new was stored, 200 when all was already stored."""

    articles: list[IngestedArticleOut]
    errors: list[IngestErrorOut]


# TargetStatus is re-exported for route annotations
RelationsOut = TargetStatus
