"""The HTTP API and the dashboard of diplowatch (FastAPI; ``diplowatch serve``).

``create_app(settings or db_url)`` builds the app; :class:`ApiSettings` holds
its limits. Routes: ``GET /api/events``, ``/api/events/{id}``,
``/api/actors/{id}``, ``/api/relations/{target}``, ``/api/recognitions/{target}``,
``/api/changes``, ``/api/timeline/{actor}``, ``/api/map``; ``POST /api/ingest``
(bearer token with scope ``ingest``). The dashboard pages are served at ``/``.
"""

from diplowatch.api.app import ApiError, create_app
from diplowatch.api.settings import ApiSettings

__all__ = ["ApiError", "ApiSettings", "create_app"]
