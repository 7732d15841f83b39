"""Input readers: files, directories, corpora, HTML pages, feeds, URLs and stdin into Articles.

The one entry point is :func:`read_inputs` (:mod:`diplowatch.ingest.sources`):
it picks the reader by extension, content type or content. The older
:func:`read_path`/:func:`read_paths` (also in :mod:`diplowatch.ingest.sources`)
read plain text and JSON Lines only, through the same readers. Storing what
they read: :func:`diplowatch.ingest.pipeline.store_items`.
"""

from __future__ import annotations

from diplowatch.ingest.readers import parse_published
from diplowatch.ingest.settings import IngestSettings, parse_field_map
from diplowatch.ingest.sources import read_inputs, read_path, read_paths
from diplowatch.ingest.summary import RunSummary

__all__ = ["IngestSettings", "RunSummary", "parse_field_map", "parse_published", "read_inputs", "read_path",
           "read_paths"]
