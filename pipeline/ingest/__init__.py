"""Ingest: turn inputs (text, JSONL, HTML, WARC, URLs) into `Document` records.

Importing the package registers every reader (text, JSONL, HTML, WARC, URL lists); trafilatura, warcio
and httpx are imported only when a reader or the fetcher first needs them.
"""

from . import html, readers, urls, warc  # noqa: F401  (importing registers the readers)
