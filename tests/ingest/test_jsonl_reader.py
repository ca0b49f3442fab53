"""JSONL article dumps: each line one article, a bad line one coded error, the rest read."""

from __future__ import annotations

from pathlib import Path

import pipeline.ingest  # noqa: F401  (registers the readers)
from pipeline.ingest.readers import iter_documents
from pipeline.types import Document, ErrorRecord


def test_jsonl_a_byte_order_mark_is_read_past_and_lines_that_are_not_valid_json_are_E103(tmp_path: Path):
    lines = [
        b'\xef\xbb\xbf{"id": "bom", "text": "Trucks crossed at Hyesan."}',  # saved by a Windows editor
        b'{"id": "latin1", "text": "caf\xe9"}',  # not UTF-8
        b'{"id": "nan", "text": "x", "score": NaN}',  # not JSON, though Python's json module reads it
        b'{"id": "surrogate", "text": "\\ud800"}',  # a lone surrogate: no UTF-8 file could hold the text
        b'{"id": "ok", "text": "Sedans went to Musan.", "published": "2025-05-20"}',
    ]
    path = tmp_path / "dump.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    items = list(iter_documents([str(path)]))
    docs = [i for i in items if isinstance(i, Document)]
    errors = [i for i in items if isinstance(i, ErrorRecord)]
    assert [(d.doc_id, d.text, d.origin) for d in docs] == [
        ("bom", "Trucks crossed at Hyesan.", f"{path}:1"),
        ("ok", "Sedans went to Musan.", f"{path}:5"),
    ]
    assert [(e.code, e.line) for e in errors] == [("E103", 2), ("E103", 3), ("E103", 4)]
    assert "not valid UTF-8" in errors[0].message
