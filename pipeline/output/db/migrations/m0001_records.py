"""Migration 1: the run records (documents, sentences, mentions, claims and their parts), loads, views."""

NAME = "records"

# Tokens in braces are replaced per dialect (see migrations/__init__.py). Dates taken from the records
# (published, time_from, time_to) stay ISO 8601 text in both databases, so the same SQL works in both.
SQL = """
CREATE TABLE newsclaims_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at {TIMESTAMP} NOT NULL
);

CREATE TABLE load_runs (
    load_id {ID_PK},
    run_dir TEXT NOT NULL,
    run_name TEXT NOT NULL,
    manifest {JSON},
    newsclaims_version TEXT,
    loader_version TEXT NOT NULL,
    records_schema_version INTEGER,
    pattern_pack_sha256 TEXT,
    run_complete {BOOL},
    started_at {TIMESTAMP} NOT NULL,
    finished_at {TIMESTAMP},
    quarantined INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE load_counts (
    load_id {BIGINT} NOT NULL REFERENCES load_runs (load_id),
    table_name TEXT NOT NULL,
    staged INTEGER NOT NULL,
    inserted INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    deleted INTEGER NOT NULL,
    retired INTEGER NOT NULL,
    PRIMARY KEY (load_id, table_name)
);

CREATE TABLE load_quarantine (
    load_id {BIGINT} NOT NULL REFERENCES load_runs (load_id),
    file TEXT NOT NULL,
    line INTEGER NOT NULL,
    record_kind TEXT NOT NULL,
    doc_id TEXT,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (load_id, file, line)
);

CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY,
    url TEXT,
    final_url TEXT,
    title TEXT,
    author TEXT,
    published TEXT,
    source TEXT,
    site TEXT,
    language TEXT,
    obtained TEXT NOT NULL,
    text TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    sentence_count INTEGER NOT NULL,
    extra {JSON},
    load_id {BIGINT} NOT NULL REFERENCES load_runs (load_id)
);
CREATE INDEX documents_published ON documents (published);
CREATE INDEX documents_source ON documents (source);
CREATE INDEX documents_text_sha256 ON documents (text_sha256);
CREATE INDEX documents_load_id ON documents (load_id);

CREATE TABLE sentences (
    doc_id TEXT NOT NULL REFERENCES documents (doc_id),
    sentence_index INTEGER NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (doc_id, sentence_index)
);

CREATE TABLE mentions (
    mention_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents (doc_id),
    label TEXT NOT NULL,
    text TEXT NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    sentence_index INTEGER NOT NULL,
    canonical_id TEXT,
    canonical_name TEXT,
    admin_level TEXT,
    parent TEXT,
    former_name {BOOL},
    kind TEXT,
    country TEXT,
    vehicle_class TEXT,
    origin TEXT,
    quantity_value {REAL},
    quantity_lower {REAL},
    quantity_upper {REAL},
    quantity_unit TEXT,
    attrs {JSON},
    load_id {BIGINT} NOT NULL REFERENCES load_runs (load_id)
);
CREATE INDEX mentions_doc_id ON mentions (doc_id);
CREATE INDEX mentions_label_canonical_id ON mentions (label, canonical_id);
CREATE INDEX mentions_load_id ON mentions (load_id);

CREATE TABLE claims (
    claim_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents (doc_id),
    claim_type TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    sentence_index INTEGER NOT NULL,
    sentence_start INTEGER NOT NULL,
    sentence_end INTEGER NOT NULL,
    sentence_text TEXT NOT NULL,
    span_start INTEGER NOT NULL,
    span_end INTEGER NOT NULL,
    trigger_text TEXT NOT NULL,
    trigger_lemma TEXT,
    trigger_start INTEGER NOT NULL,
    trigger_end INTEGER NOT NULL,
    quantity_text TEXT,
    quantity_value {REAL},
    quantity_lower {REAL},
    quantity_upper {REAL},
    quantity_lower_inclusive {BOOL},
    quantity_upper_inclusive {BOOL},
    quantity_approximate {BOOL},
    quantity_vague {BOOL},
    quantity_unit TEXT,
    quantity_per TEXT,
    time_text TEXT,
    time_from TEXT,
    time_to TEXT,
    time_granularity TEXT,
    time_relation TEXT,
    time_anchored_to TEXT,
    time_fuzzy {BOOL},
    time_resolved {BOOL},
    attribution_text TEXT,
    attribution_source TEXT,
    attribution_status TEXT NOT NULL,
    negated {BOOL} NOT NULL,
    is_current {BOOL} NOT NULL DEFAULT TRUE,
    record {JSON} NOT NULL,
    load_id {BIGINT} NOT NULL REFERENCES load_runs (load_id)
);
CREATE INDEX claims_doc_id ON claims (doc_id);
CREATE INDEX claims_claim_type ON claims (claim_type);
CREATE INDEX claims_time_from ON claims (time_from);
CREATE INDEX claims_attribution_status ON claims (attribution_status);
CREATE INDEX claims_load_id ON claims (load_id);

CREATE TABLE claim_items (
    claim_id TEXT NOT NULL REFERENCES claims (claim_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    mention_id TEXT,
    label TEXT NOT NULL,
    text TEXT NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    canonical_id TEXT,
    canonical_name TEXT,
    item_class TEXT,
    origin TEXT,
    sanctions {JSON},
    PRIMARY KEY (claim_id, position)
);
CREATE INDEX claim_items_item_class ON claim_items (item_class);
CREATE INDEX claim_items_canonical_id ON claim_items (canonical_id);
CREATE INDEX claim_items_mention_id ON claim_items (mention_id);

CREATE TABLE claim_locations (
    claim_id TEXT NOT NULL REFERENCES claims (claim_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    mention_id TEXT,
    label TEXT NOT NULL,
    text TEXT NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    canonical_id TEXT,
    canonical_name TEXT,
    kind TEXT,
    parent TEXT,
    province_id TEXT,
    role TEXT,
    PRIMARY KEY (claim_id, position)
);
CREATE INDEX claim_locations_canonical_id ON claim_locations (canonical_id);
CREATE INDEX claim_locations_province_id ON claim_locations (province_id);
CREATE INDEX claim_locations_mention_id ON claim_locations (mention_id);

CREATE TABLE claim_agencies (
    claim_id TEXT NOT NULL REFERENCES claims (claim_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    mention_id TEXT,
    label TEXT NOT NULL,
    text TEXT NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    canonical_id TEXT,
    canonical_name TEXT,
    role TEXT,
    PRIMARY KEY (claim_id, position)
);
CREATE INDEX claim_agencies_canonical_id ON claim_agencies (canonical_id);
CREATE INDEX claim_agencies_mention_id ON claim_agencies (mention_id);

CREATE TABLE claim_sanctions (
    claim_id TEXT NOT NULL REFERENCES claims (claim_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    measure_id TEXT,
    resolution TEXT,
    paragraph TEXT,
    hs TEXT,
    description TEXT,
    item TEXT,
    PRIMARY KEY (claim_id, position)
);
CREATE INDEX claim_sanctions_resolution ON claim_sanctions (resolution);

CREATE VIEW claim_details AS
SELECT
    c.claim_id,
    c.doc_id,
    c.claim_type,
    COALESCE(c.time_from, substr(d.published, 1, 10)) AS claim_date,
    substr(COALESCE(c.time_from, d.published), 1, 7) AS claim_month,
    c.sentence_text,
    c.trigger_text,
    c.quantity_text,
    c.quantity_value,
    c.quantity_lower,
    c.quantity_upper,
    c.quantity_unit,
    c.quantity_per,
    c.time_text,
    c.time_from,
    c.time_to,
    c.attribution_status,
    c.attribution_source,
    c.negated,
    d.title,
    d.url,
    d.source,
    d.published
FROM claims AS c
JOIN documents AS d ON d.doc_id = c.doc_id
WHERE c.is_current;

CREATE VIEW claims_by_place_month AS
SELECT
    l.canonical_id AS place_id,
    l.canonical_name AS place_name,
    l.label AS place_label,
    l.province_id,
    cd.claim_month,
    COUNT(DISTINCT cd.claim_id) AS claims
FROM claim_details AS cd
JOIN claim_locations AS l ON l.claim_id = cd.claim_id
WHERE l.canonical_id IS NOT NULL
GROUP BY l.canonical_id, l.canonical_name, l.label, l.province_id, cd.claim_month;

CREATE VIEW vehicle_counts AS
WITH vehicle_claims AS (
    SELECT DISTINCT
        cd.claim_id,
        cd.claim_month,
        i.item_class AS vehicle_class,
        l.canonical_id AS place_id,
        l.canonical_name AS place_name,
        l.label AS place_label,
        l.province_id,
        CASE WHEN (cd.quantity_unit IS NULL
                   OR cd.quantity_unit NOT IN ('USD', 'CNY', 'KPW', 'KRW', 'EUR', 'RUB', 'JPY', 'GBP', 'percent'))
                  AND cd.quantity_per IS NULL
             THEN COALESCE(cd.quantity_value, cd.quantity_lower) END AS stated
    FROM claim_details AS cd
    JOIN claim_items AS i ON i.claim_id = cd.claim_id AND i.label = 'VEHICLE'
    JOIN claim_locations AS l ON l.claim_id = cd.claim_id
    WHERE NOT cd.negated AND l.canonical_id IS NOT NULL
)
SELECT
    place_id,
    place_name,
    place_label,
    province_id,
    claim_month,
    vehicle_class,
    COUNT(*) AS claims,
    SUM(stated) AS vehicles_stated
FROM vehicle_claims
GROUP BY place_id, place_name, place_label, province_id, claim_month, vehicle_class;
"""
