"""The tables a run loads into, and the merge SQL built from them (the same for both dialects)."""

from __future__ import annotations

from dataclasses import dataclass

from .base import STAGE_PREFIX

SCOPE_DOCS = "nc_scope_docs"  # documents of this run: their sentences, mentions and claims are replaced
SCOPE_CLAIMS = "nc_scope_claims"  # claims whose parts are replaced: the run's claims and those it removes
SKIP_DOCS = "nc_skip_docs"  # documents whose lines are as last loaded: left alone, their rows counted unchanged
DIGESTS = "document_digests"


@dataclass(frozen=True)
class TableSpec:
    """A loaded table: its columns (in row order), key, and which rows a run replaces."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    scope: tuple[str, str] | None = None  # (column, scope table): rows in scope but not in the run go
    untracked: tuple[str, ...] = ()  # set on every change but not a change in itself (load_id)
    retain_reviewed: bool = False  # rows with review decisions are kept, marked is_current = false

    @property
    def stage(self) -> str:
        return STAGE_PREFIX + self.name

    @property
    def compared(self) -> tuple[str, ...]:
        return tuple(c for c in self.columns if c not in self.key and c not in self.untracked)


_REF = ("mention_id", "label", "text", "start_char", "end_char", "canonical_id", "canonical_name")

DOCUMENTS = TableSpec(
    "documents",
    ("doc_id", "url", "final_url", "title", "author", "published", "source", "site", "language", "obtained",
     "text", "text_sha256", "sentence_count", "extra", "load_id"),
    ("doc_id",),
    untracked=("load_id",),
)  # fmt: skip
SENTENCES = TableSpec(
    "sentences",
    ("doc_id", "sentence_index", "start_char", "end_char", "text"),
    ("doc_id", "sentence_index"),
    # A document record carries all its sentences, so every staged document's set is replaced.
    scope=("doc_id", STAGE_PREFIX + "documents"),
)
MENTIONS = TableSpec(
    "mentions",
    ("mention_id", "doc_id", "label", "text", "start_char", "end_char", "sentence_index", "canonical_id",
     "canonical_name", "admin_level", "parent", "former_name", "kind", "country", "vehicle_class", "origin",
     "quantity_value", "quantity_lower", "quantity_upper", "quantity_unit", "attrs", "load_id"),
    ("mention_id",),
    scope=("doc_id", SCOPE_DOCS),
    untracked=("load_id",),
)  # fmt: skip
CLAIMS = TableSpec(
    "claims",
    ("claim_id", "doc_id", "claim_type", "schema_version", "sentence_index", "sentence_start", "sentence_end",
     "sentence_text", "span_start", "span_end", "trigger_text", "trigger_lemma", "trigger_start",
     "trigger_end", "quantity_text", "quantity_value", "quantity_lower", "quantity_upper",
     "quantity_lower_inclusive", "quantity_upper_inclusive", "quantity_approximate", "quantity_vague",
     "quantity_unit", "quantity_per", "time_text", "time_from", "time_to", "time_granularity",
     "time_relation", "time_anchored_to", "time_fuzzy", "time_resolved", "attribution_text",
     "attribution_source", "attribution_status", "negated", "is_current", "record", "load_id"),
    ("claim_id",),
    scope=("doc_id", SCOPE_DOCS),
    untracked=("load_id",),
    retain_reviewed=True,
)  # fmt: skip
CLAIM_ITEMS = TableSpec(
    "claim_items",
    ("claim_id", "position", *_REF, "item_class", "origin", "sanctions"),
    ("claim_id", "position"),
    scope=("claim_id", SCOPE_CLAIMS),
)
CLAIM_LOCATIONS = TableSpec(
    "claim_locations",
    ("claim_id", "position", *_REF, "kind", "parent", "province_id", "role"),
    ("claim_id", "position"),
    scope=("claim_id", SCOPE_CLAIMS),
)
CLAIM_AGENCIES = TableSpec(
    "claim_agencies",
    ("claim_id", "position", *_REF, "role"),
    ("claim_id", "position"),
    scope=("claim_id", SCOPE_CLAIMS),
)
CLAIM_SANCTIONS = TableSpec(
    "claim_sanctions",
    ("claim_id", "position", "measure_id", "resolution", "paragraph", "hs", "description", "item"),
    ("claim_id", "position"),
    scope=("claim_id", SCOPE_CLAIMS),
)

# Parents before children: merged in this order, deleted from in the reverse.
TABLES: tuple[TableSpec, ...] = (
    DOCUMENTS, SENTENCES, MENTIONS, CLAIMS, CLAIM_ITEMS, CLAIM_LOCATIONS, CLAIM_AGENCIES, CLAIM_SANCTIONS,
)  # fmt: skip
CLAIM_PARTS = (CLAIM_ITEMS, CLAIM_LOCATIONS, CLAIM_AGENCIES, CLAIM_SANCTIONS)


def _key_match(spec: TableSpec, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{k} = {right}.{k}" for k in spec.key)


def count_new_sql(spec: TableSpec) -> str:
    """Staged rows whose key is not in the table yet (run before the merge)."""
    return (
        f"SELECT COUNT(*) FROM {spec.stage} AS s WHERE NOT EXISTS "
        f"(SELECT 1 FROM {spec.name} AS t WHERE {_key_match(spec, 't', 's')})"
    )


def merge_sql(spec: TableSpec, distinct_op: str) -> str:
    """Insert new rows and update changed ones; an unchanged row is not written (so not counted).

    Rows go in key order, so each index of the key grows at one end instead of at random pages.
    """
    cols = ", ".join(spec.columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in spec.columns if c not in spec.key)
    old = ", ".join(f"{spec.name}.{c}" for c in spec.compared)
    new = ", ".join(f"excluded.{c}" for c in spec.compared)
    return (
        f"INSERT INTO {spec.name} ({cols}) SELECT {cols} FROM {spec.stage} ORDER BY {', '.join(spec.key)} "
        f"ON CONFLICT ({', '.join(spec.key)}) DO UPDATE SET {updates} "
        f"WHERE ({old}) {distinct_op} ({new})"
    )


def _gone(spec: TableSpec) -> str:
    if spec.scope is None:
        raise ValueError(f"table {spec.name} has no scope: a run never deletes from it")
    column, scope = spec.scope
    return (
        f"{spec.name}.{column} IN (SELECT {column} FROM {scope}) AND NOT EXISTS "
        f"(SELECT 1 FROM {spec.stage} AS s WHERE {_key_match(spec, 's', spec.name)})"
    )


def _reviewed(spec: TableSpec) -> str:
    return f"EXISTS (SELECT 1 FROM review_decisions AS r WHERE r.claim_id = {spec.name}.claim_id)"


def delete_sql(spec: TableSpec) -> str:
    """Delete rows of the run's scope that the run no longer has (reviewed claims are kept)."""
    sql = f"DELETE FROM {spec.name} WHERE {_gone(spec)}"
    return f"{sql} AND NOT {_reviewed(spec)}" if spec.retain_reviewed else sql


def retire_sql(spec: TableSpec) -> str:
    """Mark reviewed claims that the run no longer has as not current (one parameter: the load id)."""
    return f"UPDATE {spec.name} SET is_current = false, load_id = ? WHERE is_current AND {_gone(spec)}"


def claim_scope_sql() -> str:
    """Fill SCOPE_CLAIMS: the run's claims, and the claims of its documents that will be deleted."""
    return (
        f"INSERT INTO {SCOPE_CLAIMS} (claim_id) "
        f"SELECT claim_id FROM {CLAIMS.stage} "
        f"UNION SELECT claim_id FROM claims WHERE {_gone(CLAIMS)} AND NOT {_reviewed(CLAIMS)}"
    )


def invalidate_digests_sql() -> str:
    """Drop the digests of the documents whose rows this load may change: the staged documents, those that
    staged mentions and claims belong to, and those that own rows with a staged key (a mention or claim
    that moves to another document). Run before the merge."""
    owners = " UNION ".join(
        [f"SELECT doc_id FROM {spec.stage}" for spec in (DOCUMENTS, MENTIONS, CLAIMS)]
        + [f"SELECT t.doc_id FROM {spec.name} AS t JOIN {spec.stage} AS s ON {_key_match(spec, 's', 't')}"
           for spec in (MENTIONS, CLAIMS)]
    )  # fmt: skip
    return f"DELETE FROM {DIGESTS} WHERE doc_id IN ({owners})"


def skipped_counts_sql() -> str:
    """How many rows of each table (in `TABLES` order) belong to the skipped documents: the rows their lines
    would stage. One pass over their claims counts the claims' parts too.

    Their current claims are exactly the claims of their lines (a dropped one is deleted or, if reviewed,
    retired), and the parts of a claim come with it.
    """
    docs = f"SELECT doc_id FROM {SKIP_DOCS}"
    per_doc = [f"(SELECT COUNT(*) FROM {SKIP_DOCS})"] + [
        f"(SELECT COUNT(*) FROM {spec.name} WHERE doc_id IN ({docs}))" for spec in (SENTENCES, MENTIONS)
    ]
    per_claim = [f"COALESCE(SUM((SELECT COUNT(*) FROM {p.name} AS p WHERE p.claim_id = c.claim_id)), 0)" for p in CLAIM_PARTS]
    claims = f"FROM claims AS c WHERE c.doc_id IN ({docs}) AND c.is_current"
    return f"SELECT {', '.join(per_doc)}, COUNT(*), {', '.join(per_claim)} {claims}"
