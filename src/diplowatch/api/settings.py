"""Settings of the HTTP API: one frozen dataclass."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ApiSettings"]


@dataclass(frozen=True, slots=True)
class ApiSettings:
    """Everything :func:`diplowatch.web.create_app` can be told.

    Attributes:
        db_url: SQLAlchemy URL of the knowledge base; ``None`` for the default
            (``$DIPLOWATCH_DB`` or the embedded SQLite file).
        window_days: corroboration window of the knowledge base (days).
        max_body_bytes: largest request body accepted (413 above it), counted
            while the body is read, whatever ``Content-Length`` says.
        max_json_depth: deepest nesting of JSON arrays/objects accepted (422 above).
        max_json_items: most elements of one JSON array or members of one
            object accepted (422 above).
        max_batch: most articles in one JSON Lines request (422 above).
        rate_capacity: burst size of the per-token rate limit (requests).
        rate_per_second: sustained rate of the per-token rate limit.
        page_size: default page size of event lists.
        ingest_time_limit: seconds one ``POST /api/ingest`` may take, from the
            moment its body is read (waiting for a free extractor, fetching a
            URL and analysing included); past it the analysis is abandoned,
            nothing of the request is written and the answer is 503 with the
            reason. ``None``: no limit (each article still has the extractor's
            own time budget, :data:`diplowatch.extract.pipeline.TIME_BUDGET`).
        ingest_workers: most articles analysed at once (one extractor, with
            its own copy of the spaCy models, per worker); a request that
            finds all of them busy waits (within its time limit).
    """

    db_url: str | None = None
    window_days: int = 7
    max_body_bytes: int = 2 * 1024 * 1024
    max_json_depth: int = 16
    max_json_items: int = 1000
    max_batch: int = 200
    rate_capacity: float = 30.0
    rate_per_second: float = 0.5
    page_size: int = 50
    ingest_time_limit: float | None = 30.0
    ingest_workers: int = 2
