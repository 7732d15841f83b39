"""The HTTP API of diplowatch (FastAPI; ``diplowatch serve``).

:data:`router` holds the routes; :class:`ApiSettings` holds the limits. Routes:
``GET /api/events``, ``/api/events/{id}``, ``/api/actors/{id}``,
``/api/relations/{target}``, ``/api/recognitions/{target}``, ``/api/changes``,
``/api/timeline/{actor}``, ``/api/map``; ``POST /api/ingest`` (bearer token
with scope ``ingest``). :mod:`diplowatch.api.views` is the data behind every
page and its JSON twin. The web app (the API with the dashboard pages at ``/``)
is put together by :func:`diplowatch.web.create_app`, above both.
"""

from diplowatch.api.app import ApiError, add_error_handlers, router
from diplowatch.api import stance as _stance  # noqa: F401,E402 - registers GET /api/stance/{target}
from diplowatch.api.settings import ApiSettings

__all__ = ["ApiError", "ApiSettings", "add_error_handlers", "router"]
