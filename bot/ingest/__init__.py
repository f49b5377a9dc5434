"""Ingestion: turn local files, feeds and pages into cleaned `Article`s and store them."""

from __future__ import annotations

from bot.ingest.clean import clean_text
from bot.ingest.files import LoadResult, load_file, load_paths
from bot.ingest.service import IngestReport, ingest_paths, load_bundled_sample

__all__ = [
    "IngestReport",
    "LoadResult",
    "clean_text",
    "ingest_paths",
    "load_bundled_sample",
    "load_file",
    "load_paths",
]
