"""diplowatch: diplomatic events from the news, coded and kept as relation state."""

from __future__ import annotations

import logging

logging.getLogger(__name__).addHandler(logging.NullHandler())

__version__ = "0.1.0"
