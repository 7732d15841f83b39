"""Input readers: files, directories, JSON Lines corpora and stdin into Articles.

See :mod:`diplowatch.ingest.readers`.
"""

from __future__ import annotations

from diplowatch.ingest.readers import parse_published, read_path, read_paths

__all__ = ["parse_published", "read_path", "read_paths"]
