"""The web app of ``diplowatch serve``: the API and the dashboard over one knowledge base.

:func:`create_app` puts it together from the API's router (JSON under
``/api``, :mod:`diplowatch.api`), the dashboard's router (HTML pages at ``/``,
:mod:`diplowatch.dashboard.pages`) and the static files at ``/static``: the
dashboard's scripts and styles (``dashboard/static/``) and the map geometry,
package data of :mod:`diplowatch.data` (``data/static/``, read by the API's map
view too). It sits above both: the API knows nothing of the dashboard, and the
dashboard reads the API's views downward.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from diplowatch.api import ApiSettings, add_error_handlers
from diplowatch.api import router as api_router
from diplowatch.api.ingest import Pipeline
from diplowatch.api.security import BodyLimitMiddleware, RateLimiter, SecurityHeadersMiddleware
from diplowatch.dashboard.pages import error_page
from diplowatch.dashboard.pages import router as pages_router
from diplowatch.store import KnowledgeBase
from diplowatch.write import Writer

__all__ = ["create_app"]


def create_app(settings: ApiSettings | str | None = None, *, extractor: Any = None) -> FastAPI:
    """Build the web app over one knowledge base.

    Args:
        settings: an :class:`ApiSettings`, or just a database URL (``None``: the default store).
        extractor: an object with ``extract(article, cancelled=None) ->
            list[Event]`` to use (by one request at a time) instead of the
            pool of ``settings.ingest_workers`` :class:`diplowatch.extract.Extractor`
            objects (each loaded lazily, on first use; see
            :class:`diplowatch.api.ingest.Pipeline`).

    Returns:
        The FastAPI app; ``app.state.kb`` is its :class:`KnowledgeBase`,
        ``app.state.writer`` the write path of ``POST /api/ingest`` over it.

    Raises:
        StoreError: the knowledge base cannot be opened.
    """
    if not isinstance(settings, ApiSettings):
        settings = ApiSettings(db_url=settings)
    kb = KnowledgeBase(settings.db_url, window_days=settings.window_days)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        kb.close()

    app = FastAPI(title="diplowatch", version="0.1.0", docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="Diplomatic events from the news: who recognises whom. Reads are open; "
                              "writes need a bearer token.")
    app.state.kb = kb
    app.state.writer = Writer(kb)
    app.state.settings = settings
    app.state.pipeline = (Pipeline(lambda: extractor) if extractor is not None
                          else Pipeline(workers=settings.ingest_workers))
    app.state.limiter = RateLimiter(settings.rate_capacity, settings.rate_per_second)
    add_error_handlers(app, html=error_page)
    app.include_router(api_router)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(packages=[("diplowatch.dashboard", "static"), ("diplowatch.data", "static")]),
              name="static")
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    return app
