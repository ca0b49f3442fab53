"""Migration 4: document digests, so a reload leaves documents whose record lines did not change alone."""

NAME = "digests"

# One row per document whose record lines all loaded last time (see pipeline/output/db/digests.py).
# Bookkeeping of the loader only: drop a row, or the whole table's rows, and the next load re-checks those
# documents in full.
SQL = """
CREATE TABLE document_digests (
    doc_id TEXT PRIMARY KEY REFERENCES documents (doc_id),
    digest TEXT NOT NULL
);
"""
