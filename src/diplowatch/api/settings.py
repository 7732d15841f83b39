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
