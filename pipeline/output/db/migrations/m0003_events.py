"""Migration 3: corroborated events (from `newsclaims corroborate`) and the claims each groups."""

NAME = "events"

SQL = """
CREATE TABLE events (
    event_id TEXT PRIMARY KEY,
    schema_version INTEGER NOT NULL,
    claim_type TEXT NOT NULL,
    negated {BOOL} NOT NULL,
    claim_count INTEGER NOT NULL,
    article_count INTEGER NOT NULL,
    source_count INTEGER NOT NULL,
    place_id TEXT,
    place_name TEXT,
    time_basis TEXT,
    time_from TEXT,
    time_to TEXT,
    time_common_from TEXT,
    time_common_to TEXT,
    figures_agree {BOOL},
    record {JSON} NOT NULL
);
CREATE INDEX events_place ON events (place_id, time_from);
CREATE INDEX events_type ON events (claim_type);

CREATE TABLE event_claims (
    event_id TEXT NOT NULL REFERENCES events (event_id) ON DELETE CASCADE,
    claim_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    doc_id TEXT NOT NULL,
    outlet TEXT,
    source TEXT,
    via TEXT,
    cites TEXT,
    republication_of TEXT,
    PRIMARY KEY (event_id, claim_id)
);
CREATE INDEX event_claims_claim ON event_claims (claim_id);
"""
