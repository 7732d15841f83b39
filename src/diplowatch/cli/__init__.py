"""The ``diplowatch`` command line: thin commands over the library.

Each command parses its options, calls one library function, and turns library
errors into a clear message and a non-zero exit. Exit codes: 0 success; 1 some
input could not be read or stored (``ingest`` quarantines it; the others were
processed); 2 usage or configuration error (bad option, no model, unknown
target, store cannot be opened).

The commands live in modules by concern (``analysis``, ``queries``, ``serve``,
``interchange``, ``alerts``) and share ``_common`` (the ``app``, consoles,
option types and helpers). ``diplowatch.cli:main`` is the script's entry point;
``diplowatch.cli._extractor`` is looked up at call time, so replacing it (as
the tests do) reaches every command.
"""

from __future__ import annotations

import logging
import sys

# Importing a module registers its commands on ``app``, in this order (the order of ``--help``):
from diplowatch.cli import analysis  # noqa: F401  analyze, ingest, follow, eval
from diplowatch.cli import queries  # noqa: F401  status, who-recognizes, timeline, changes
from diplowatch.cli import stance  # noqa: F401  stance
from diplowatch.cli import serve  # noqa: F401  serve, token …
from diplowatch.cli import interchange  # noqa: F401  batch, export, import
from diplowatch.cli import alerts  # noqa: F401  watch …, alerts …
from diplowatch.cli._common import (
    MAX_DATE, MIN_DATE, NO_EVENTS, PIPED_WIDTH, _check_format, _error, _extractor, _iso_date, _out_width, app, err,
    out,
)
from diplowatch.errors import DiplowatchError

__all__ = ["MAX_DATE", "MIN_DATE", "NO_EVENTS", "PIPED_WIDTH", "app", "err", "main", "out"]


def main() -> None:
    """Entry point of the ``diplowatch`` script (library warnings go to stderr as ``warning: …``)."""
    root = logging.getLogger()
    if not root.handlers:
        # warnings and errors only, also from libraries that set their own loggers to INFO (Dask)
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(logging.WARNING)
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        logging.addLevelName(logging.WARNING, "warning")
        logging.addLevelName(logging.ERROR, "error")
        logging.addLevelName(logging.CRITICAL, "critical")
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
    try:
        app()
    except DiplowatchError as exc:
        _error(exc)
        sys.exit(2)
