"""Coded errors: every message says what went wrong and what to do about it."""

from __future__ import annotations


class Errors:
    """Message templates, by code. Codes never change meaning once released."""

    # E0xx: command line and configuration
    E001 = "Input path {path} does not exist. Check the path, or use '-' to read JSONL from stdin."
    E002 = "Output directory {path} exists and holds a run of different inputs; pass --overwrite or pick another --out."
    E003 = "Unsupported input {path}: expected .txt, .jsonl, .jsonl.gz, a directory of them, or '-'."
    E004 = "Pattern file {path} line {line}: {detail}. Fix the entry; see patterns/README.md for the format."
    E005 = "Pattern directory {path} has no pattern files; expected provinces.jsonl, counties.jsonl, ..."
    E006 = "Gold directory {path} has no gold files (*.gold.json). Point --gold at the corpus folder."
    E009 = "Gold file {path} has no 'text_sha256': it is not an entity/claim gold file (see corpus/README.md)."
    E008 = "The Dask engine needs the dask extra: pip install 'newsclaims[dask]'."
    E007 = "Run directory {path} has no {name}. Run 'newsclaims extract ... --out {path}' first."
    # E1xx: bad articles (recorded in errors.jsonl, the batch goes on)
    E101 = "File is not valid UTF-8 text (byte {position}). Re-encode it as UTF-8, or give it as HTML with its charset."
    E102 = "File is empty: there is no article text to process."
    E103 = "Line is not valid JSON ({detail}). Each line of a JSONL file must be one JSON object."
    E104 = "JSON record has no non-empty string field 'text' (or 'html'). Add the article text."
    E105 = "Article is {size} characters, over the limit of {limit}. Split it, or raise --max-chars."
    E106 = "Field '{field}' must be {expected}, got {got!r}."
    E107 = "Processing the article failed: {detail}. This is a bug: please report it with the article."
    E108 = "Article text is blank (only whitespace)."
    E109 = "Duplicate doc_id {doc_id} (first seen at {first}); this copy was skipped."
    E110 = "Processing the article took longer than {seconds} s and was stopped. Raise --doc-timeout, or split the article."
    E111 = "The worker process died while processing this article ({detail}); it was skipped. Check memory limits."
    # E2xx: ingest and fetch (web pages, archives, URLs)
    E201 = "Page is not an article ({reason}); no text was taken. If it is one, save its text as .txt."
    E202 = "Content type {content_type!r} is not HTML, so the body was not read. Save its text as .txt."
    E203 = "Page is over {limit} bytes once decoded, so it was not used. Raise --max-bytes if it is real."
    E204 = "Duplicate of {first} (same {key}); it was processed once. Drop the copy from the inputs."
    E205 = "robots.txt of {origin} disallows {url} for agent {agent!r}; not fetched. Ask the site."
    E206 = "robots.txt of {origin} is unreachable ({detail}), so the site counts as disallowed. Re-run later."
    E207 = "HTTP {status} from {url}. Check the address; client errors (4xx) are not retried."
    E208 = "HTTP {status} from {url} after {attempts} attempt(s){detail}. The server is busy; re-run later."
    E209 = "Timed out fetching {url}: {detail}. Re-run later, or raise --timeout / --deadline."
    E210 = "Redirect error at {url}: {detail}. Open the address in a browser to see where it leads."
    E211 = "Network error fetching {url}: {detail}. Check the connection and the address."
    E212 = "Not an http(s) URL: {url!r}. Give absolute http:// or https:// addresses, one per line."
    E213 = (
        "WARC file is gzipped as one stream, not one gzip member per record, so it cannot be streamed. "
        "Run 'warcio recompress {path} fixed.warc.gz' and read the fixed file."
    )
    E214 = (
        "WARC record {record} is truncated ({detail}): the archive was cut short. "
        "The record was skipped; re-create or re-download the archive."
    )
    E215 = "WARC file could not be read ({detail}). Check that it is a WARC file and not damaged."
    E216 = "Fetch option {name} must be {expected}, got {value!r}. Fix the option and run again."
    # E3xx: databases (load, export, migrations). Quarantine codes (E311-E316) mark record lines that were
    # not loaded; the rest of the run loads.
    E301 = "Unsupported database URL {url}. Use sqlite:///path.db (or a plain file path) or postgresql://user@host:port/dbname."
    E302 = "PostgreSQL support needs psycopg 3, which is not installed. Install it with: pip install 'newsclaims[postgres]'."
    E303 = "Cannot open database {url}: {detail}. Check the URL, that the server is running, and your access rights."
    E304 = (
        "Database {url} has schema version {found}, newer than this newsclaims understands ({supported})."
        " Upgrade newsclaims, or use another database."
    )
    E305 = (
        "Database migration {version} ({name}) failed: {detail}. The database stays at the previous "
        "version; report this with the message."
    )
    E306 = (
        "Run directory {path} has a manifest.json that is not valid JSON ({detail}). Re-extract the run, "
        "or remove the broken manifest."
    )
    E307 = (
        "Run directory {path} holds records of schema version {found}; this newsclaims loads version "
        "{supported}. Re-extract the run with this version."
    )
    E308 = "Loading {path} failed, and nothing from it was kept: {detail}. Fix the cause and load the run again."
    E309 = "Unsupported export format {fmt!r}. Use jsonl or csv."
    E310 = "Cannot write the export to {path}: {detail}. Check that the folder exists and is writable."
    E311 = "Line is not a JSON object ({detail}). Each line of a record file must be one JSON object; re-extract the run."
    E312 = "Record does not match the {kind} schema: {detail}. Re-extract the run, or fix the record."
    E313 = (
        "Record refers to doc_id {doc_id}, which is neither in this run's documents.jsonl nor in the "
        "database. Load the run that has the document, or re-extract."
    )
    E314 = "Duplicate {key} {value} (first at line {first}); this copy was not loaded. Re-extract the run."
    E315 = "Document {doc_id} is inconsistent: {detail}. Offsets into it cannot be trusted; re-extract the run."
    E316 = (
        "Record contains a NUL character or an unpaired surrogate, which databases cannot store. Clean "
        "the input text and re-extract."
    )
    E317 = "SQLite {version} is too old: newsclaims needs SQLite 3.25 or newer. Use a newer Python, or load into PostgreSQL."
    E318 = "Database {url} has no newsclaims tables. Load a run first: newsclaims load RUN_DIR --db {url}."
    # E4xx: corroboration (grouping claims into events across runs)
    E401 = "Corroboration option {name} must be {expected}, got {value!r}. Fix it; docs/corroboration.md lists the options."
    E402 = "Corroboration config {path} could not be read ({detail}). It must be a JSON object of option names and values."
    E403 = "Corroboration config {path} has unknown option(s) {names}. Known options: {known}."
    E404 = "{path} line {line}: {detail}. Each line must be one record of a run directory; re-extract the run."
    E405 = "Events file {path} cannot be read ({detail}). Run 'newsclaims corroborate RUN_DIR... --out {path}' first."
    E406 = "Gold events file {path} is not valid: {detail}. See corpus/events/README.md for the format."
    E407 = (
        "Gold selector {selector} matches {count} claims of the events file. Give a longer 'sentence' substring, "
        "or a 'clause' substring, so that it names one claim."
    )
    E408 = "Cannot write {path}: {detail}. Check that the folder exists and is writable, and that the path is a file."
    # E5xx: review (the local review page, its decisions, export and stats)
    E501 = "Nothing to review: give a run directory (newsclaims review RUN_DIR) or a database (newsclaims review --db URL)."
    E502 = "Reviewer name {name!r} is not usable: {detail}. Pass --reviewer with 1-64 printable characters."
    E503 = "Cannot listen on {host}:{port}: {detail}. Pick another --port (0 picks a free one)."
    E504 = "Claim {claim_id!r} is not in the database. Reload the page; the database may have been replaced."
    E505 = "Decision {decision!r} is not one of {allowed}. Use the page's buttons or keys."
    E506 = "Decision id {decision_id!r} is not a UUID. The page makes one per decision; reload it and try again."
    E507 = (
        "Decision id {decision_id} was already recorded for a different decision ({recorded}). "
        "Each decision needs a fresh id; reload the page."
    )
    E508 = "The correction is not valid: {detail}. Fix the form and save again."
    E509 = "Nothing to undo: reviewer {reviewer!r} has no decision left to withdraw."
    E510 = "The request is not valid: {detail}. Reload the page; if it persists, report it with the server log."
    E511 = "Database {url} has no claims to review. Load a run first: newsclaims review RUN_DIR --db {url}."
    E512 = "Cannot write the review export to {path}: {detail}. Check that the folder exists and is writable."
    E513 = "Request refused: {detail}. Open the page at the address the server printed."
    E514 = (
        "The database could not record the decision ({detail}); nothing was saved. The page retries with the "
        "same decision id, which is recorded once."
    )
    E515 = "The review server failed to answer ({detail}). Reload the page; if it persists, report it with the server log."
    E516 = (
        "Event {event_id!r} is not in the database. Reload the events list: loading an events file replaces every "
        "event (newsclaims review RUN_DIR, newsclaims load RUN_DIR --events FILE)."
    )


class NewsclaimsError(Exception):
    """An error with a stable code; `str(err)` is the one-line message a user sees."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        template = getattr(Errors, code)
        self.detail = template.format(**params)
        super().__init__(f"[{code}] {self.detail}")
