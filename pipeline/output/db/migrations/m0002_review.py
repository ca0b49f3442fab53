"""Migration 2: review decisions (append-only) and each reviewer's current decision per claim."""

NAME = "review"

SQL = """
CREATE TABLE review_decisions (
    decision_id TEXT PRIMARY KEY,
    claim_id TEXT NOT NULL REFERENCES claims (claim_id),
    reviewer TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'correct', 'skip', 'flag', 'undo')),
    corrected {JSON},
    note TEXT,
    created_at {TIMESTAMP} NOT NULL,
    supersedes TEXT REFERENCES review_decisions (decision_id)
);
CREATE INDEX review_decisions_claim_id ON review_decisions (claim_id, reviewer);
CREATE INDEX review_decisions_supersedes ON review_decisions (supersedes);

CREATE VIEW claim_review_status AS
SELECT claim_id, reviewer, decision, decision_id, corrected, note, created_at
FROM (
    SELECT
        r.*,
        ROW_NUMBER() OVER (
            PARTITION BY r.claim_id, r.reviewer ORDER BY r.created_at DESC, r.decision_id DESC
        ) AS latest
    FROM review_decisions AS r
    WHERE NOT EXISTS (SELECT 1 FROM review_decisions AS s WHERE s.supersedes = r.decision_id)
) AS live
WHERE latest = 1 AND decision <> 'undo';
"""

# Decisions are evidence: a change is a new row that supersedes the old one, never an edit.
SQLITE_EXTRA = """
CREATE TRIGGER review_decisions_no_update BEFORE UPDATE ON review_decisions
BEGIN
    SELECT RAISE(ABORT, 'review_decisions is append-only: insert a decision that supersedes this one');
END;
CREATE TRIGGER review_decisions_no_delete BEFORE DELETE ON review_decisions
BEGIN
    SELECT RAISE(ABORT, 'review_decisions is append-only: insert a decision that supersedes this one');
END;
"""

POSTGRES_EXTRA = """
CREATE FUNCTION review_decisions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'review_decisions is append-only: insert a decision that supersedes this one';
END
$$;
CREATE TRIGGER review_decisions_append_only BEFORE UPDATE OR DELETE ON review_decisions
FOR EACH ROW EXECUTE FUNCTION review_decisions_append_only();
"""
