"""Ingest: turn inputs (text, JSONL, HTML, WARC, URLs) into `Document` records."""
