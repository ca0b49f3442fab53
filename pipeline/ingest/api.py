"""Fetch runs: URLs -> RUN_DIR/documents.jsonl, fetch.jsonl, errors.jsonl, resumable after a kill.

`fetch_command` is what `newsclaims fetch` calls; `fetch_documents` serves the URL readers of `extract`.
While a run goes, every finished URL is appended to a journal in the run directory; the three result files
are then written atomically. A re-run with the same directory skips every URL whose status is final and
tries again the transient failures (timeouts, network errors, 429/5xx, unreachable robots.txt).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import httpx

from ..types import Document, ErrorRecord
from .cache import PageCache, write_atomic
from .dedup import Deduplicator
from .fetch import (
    DEFAULT_USER_AGENT,
    DUPLICATE,
    ERROR,
    HTTP_ERROR,
    NETWORK_ERROR,
    NOT_ARTICLE,
    ROBOTS,
    TIMEOUT,
    TOO_LARGE,
    Fetcher,
    FetchOptions,
    FetchResult,
)
from .html import document_from_html
from .progress import Progress
from .readers import DEFAULT_MAX_CHARS, ReadItem, error
from .urls import UrlLine, read_url_list

DOCUMENTS = "documents.jsonl"
FETCH_LOG = "fetch.jsonl"
ERRORS = "errors.jsonl"
JOURNAL = ".fetch-journal.jsonl"
CACHE_DIR = ".cache"
# Extraction errors and the fetch status they give the URL.
_STATUS_OF_CODE = {
    "E201": NOT_ARTICLE,
    "E202": NOT_ARTICLE,
    "E102": NOT_ARTICLE,
    "E108": NOT_ARTICLE,
    "E203": TOO_LARGE,
    "E105": TOO_LARGE,
    "E107": ERROR,
}


@dataclass(frozen=True)
class FetchSummary:
    """The outcome of a fetch run, for the CLI's summary table."""

    out: Path
    urls: int  # distinct inputs of this run
    fetched: int  # fetched now
    resumed: int  # skipped: already final in the run directory
    statuses: dict[str, int]  # final status counts over everything the run directory holds
    documents: int
    errors: int
    seconds: float

    def table(self) -> str:
        """A small plain-text table of the statuses."""
        width = max([len(s) for s in self.statuses] + [9])
        rows = [f"{'status':<{width}}  count", f"{'-' * width}  -----"]
        rows += [f"{status:<{width}}  {n:>5}" for status, n in sorted(self.statuses.items())]
        rows.append(f"{'documents':<{width}}  {self.documents:>5}")
        tail = f"{self.fetched} fetched, {self.resumed} already done, {self.seconds:.1f} s -> {self.out}"
        return "\n".join(rows) + "\n" + tail


@dataclass
class _Entry:
    """Everything the run directory records about one URL."""

    fetch: dict[str, Any]
    document: dict[str, Any] | None
    errors: list[dict[str, Any]]


def fetch_command(
    urls: Sequence[str] = (),
    *,
    out: Path,
    url_files: Sequence[Path] = (),
    user_agent: str = DEFAULT_USER_AGENT,
    cache_dir: Path | None = None,
    per_host: int = 2,
    concurrency: int = 8,
    delay: float = 1.0,
    connect_timeout: float = 10.0,
    read_timeout: float = 30.0,
    deadline: float = 60.0,
    max_bytes: int = 10_000_000,
    max_redirects: int = 5,
    retries: int = 3,
    backoff: float = 1.0,
    max_retry_after: float = 60.0,
    respect_robots: bool = True,
    max_chars: int = DEFAULT_MAX_CHARS,
    progress: bool = True,
    client: httpx.AsyncClient | None = None,
) -> FetchSummary:
    """Fetch URLs (and URL-list files), extract their articles and write the run directory `out`.

    Raises `NewsclaimsError` (E216) for an invalid option. Runs its own event loop: call `fetch_run` from
    async code. An injected `client` is not closed, and must not be bound to another event loop.
    """
    options = FetchOptions(
        user_agent=user_agent,
        per_host=per_host,
        concurrency=concurrency,
        delay=delay,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        deadline=deadline,
        max_bytes=max_bytes,
        max_redirects=max_redirects,
        retries=retries,
        backoff=backoff,
        max_retry_after=max_retry_after,
        respect_robots=respect_robots,
    )
    return asyncio.run(
        fetch_run(
            urls,
            out=out,
            url_files=url_files,
            options=options,
            cache_dir=cache_dir,
            max_chars=max_chars,
            progress=progress,
            client=client,
        )
    )


async def fetch_run(
    urls: Sequence[str],
    *,
    out: Path,
    url_files: Sequence[Path] = (),
    options: FetchOptions | None = None,
    cache_dir: Path | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    progress: bool = True,
    client: httpx.AsyncClient | None = None,
) -> FetchSummary:
    """The async body of `fetch_command`."""
    started = time.monotonic()
    options = options or FetchOptions()
    out.mkdir(parents=True, exist_ok=True)
    inputs, list_errors = _collect_inputs(urls, url_files)
    prior = load_run(out)
    journal_path = out / JOURNAL
    seen = Deduplicator()
    for url in prior:
        seen.add_url(url, url)
    todo: list[str] = []
    fresh: dict[str, _Entry] = {}
    resumed = 0
    for url in inputs:
        if url in prior and is_final(prior[url].fetch):
            resumed += 1
            continue
        first = seen.add_url(url, url) if url not in prior else None
        if first is not None:
            dup = FetchResult(url, DUPLICATE, error=error(url, "E204", first=first, key="URL"))
            fresh[url] = _entry(dup, None)
        else:
            todo.append(url)
    bar = Progress(len(todo), label="fetch", enabled=progress)
    own_client = client is None
    client = client or _default_client(options)
    try:
        fetcher = Fetcher(client, options=options, cache=PageCache(cache_dir or out / CACHE_DIR))
        with journal_path.open("a", encoding="utf-8") as journal:
            for entry in fresh.values():
                _journal(journal, entry)
            for entry in await _fetch_all(fetcher, todo, max_chars=max_chars, bar=bar, journal=journal):
                fresh[entry.fetch["url"]] = entry
    finally:
        bar.close()
        if own_client:
            await client.aclose()
    entries = {**prior, **fresh}
    order = list(dict.fromkeys([*inputs, *prior]))
    documents, errors, statuses = _assemble(order, entries, prior_first=list(prior))
    _write_jsonl(out / DOCUMENTS, documents)
    _write_jsonl(out / FETCH_LOG, [entries[url].fetch for url in order if url in entries])
    _write_jsonl(out / ERRORS, [e.to_record() for e in list_errors] + errors)
    journal_path.unlink(missing_ok=True)
    return FetchSummary(
        out=out,
        urls=len(inputs),
        fetched=len(todo),
        resumed=resumed,
        statuses=dict(statuses),
        documents=len(documents),
        errors=len(list_errors) + len(errors),
        seconds=time.monotonic() - started,
    )


def fetch_documents(
    urls: Sequence[str],
    *,
    options: FetchOptions | None = None,
    cache_dir: Path | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    client: httpx.AsyncClient | None = None,
) -> list[ReadItem]:
    """Fetch and extract URLs without a run directory: a document or an error per URL, in input order."""

    async def run() -> list[ReadItem]:
        opts = options or FetchOptions()
        own = client is None
        http = client or _default_client(opts)
        try:
            fetcher = Fetcher(http, options=opts, cache=PageCache(cache_dir) if cache_dir else None)
            bar = Progress(len(urls), label="fetch", enabled=False)
            entries = await _fetch_all(fetcher, list(dict.fromkeys(urls)), max_chars=max_chars, bar=bar)
        finally:
            if own:
                await http.aclose()
        items: list[ReadItem] = []
        for entry in entries:
            if entry.document is not None:
                items.append(document_from_saved(entry.document, origin=entry.fetch["url"]))
            items.extend(ErrorRecord(**e) for e in entry.errors)
        return items

    return asyncio.run(run())


def is_final(record: dict[str, Any]) -> bool:
    """Whether a fetch.jsonl status is settled; transient failures are tried again by a re-run."""
    status, http_status = record.get("status"), record.get("http_status") or 0
    if status in (TIMEOUT, NETWORK_ERROR):
        return False
    if status == HTTP_ERROR and (http_status == 429 or http_status >= 500):
        return False
    return not (status == ROBOTS and record.get("error") == "E206")


def load_run(out: Path) -> dict[str, _Entry]:
    """What an earlier (possibly killed) run in `out` recorded, by URL; the journal wins over the files."""
    entries: dict[str, _Entry] = {}
    documents = {rec.get("doc_id"): rec for rec in _read_jsonl(out / DOCUMENTS)}
    errors: dict[str, list[dict[str, Any]]] = {}
    for rec in _read_jsonl(out / ERRORS):
        errors.setdefault(str(rec.get("source")), []).append(rec)
    for rec in _read_jsonl(out / FETCH_LOG):
        url = rec.get("url")
        if isinstance(url, str):
            entries[url] = _Entry(rec, documents.get(rec.get("doc_id")), errors.get(url, []))
    for line in _read_jsonl(out / JOURNAL):
        fetch = line.get("fetch")
        if isinstance(fetch, dict) and isinstance(fetch.get("url"), str):
            entries[fetch["url"]] = _Entry(fetch, line.get("document"), list(line.get("errors") or []))
    return entries


def read_fetched_documents(out: Path) -> Iterator[Document]:
    """The documents of a finished fetch run, as `Document`s (for the NLP stage)."""
    for rec in _read_jsonl(out / DOCUMENTS):
        yield document_from_saved(rec)


def document_from_saved(record: dict[str, Any], *, origin: str | None = None) -> Document:
    """Rebuild a `Document` from its `to_record()` form."""
    names = {f.name for f in fields(Document)} - {"origin"}
    kwargs = {k: v for k, v in record.items() if k in names}
    return Document(**kwargs, origin=origin or record.get("url") or record.get("doc_id") or "")


async def _fetch_all(fetcher: Fetcher, urls: list[str], *, max_chars: int, bar: Progress, journal: Any = None) -> list[_Entry]:
    """Fetch and extract every URL with a pool of workers; entries come back in input order."""
    queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
    for item in enumerate(urls):
        queue.put_nowait(item)
    done: dict[int, _Entry] = {}

    async def worker() -> None:
        while not queue.empty():
            index, url = queue.get_nowait()
            entry = await _fetch_one(fetcher, url, max_chars=max_chars)
            done[index] = entry
            if journal is not None:
                _journal(journal, entry)
            bar.update(entry.fetch["status"], url)

    workers = min(len(urls), max(4, 2 * fetcher.options.concurrency))
    await asyncio.gather(*(worker() for _ in range(workers)))
    return [done[i] for i in range(len(urls))]


async def _fetch_one(fetcher: Fetcher, url: str, *, max_chars: int) -> _Entry:
    """Fetch one URL and extract its document; a crash becomes an E107 error for that URL only."""
    try:
        result = await fetcher.fetch(url)
        if result.body is None:
            return _entry(result, None)
        item = await asyncio.to_thread(
            document_from_html,
            result.body,
            url=url,
            final_url=result.final_url,
            content_type=result.content_type,
            obtained="fetch",
            origin=url,
            max_chars=max_chars,
        )
    except Exception as err:  # a bug must not lose the rest of the run
        failed = FetchResult(url, ERROR, error=error(url, "E107", detail=f"{type(err).__name__}: {err}"))
        return _entry(failed, None)
    if isinstance(item, ErrorRecord):
        status = _STATUS_OF_CODE.get(item.code, ERROR)
        return _entry(FetchResult(**{**_fields(result), "status": status, "error": item}), None)
    return _entry(result, item)


def _entry(result: FetchResult, doc: Document | None) -> _Entry:
    return _Entry(
        fetch=result.to_record(doc.doc_id if doc is not None else None),
        document=doc.to_record() if doc is not None else None,
        errors=[result.error.to_record()] if result.error is not None else [],
    )


def _fields(result: FetchResult) -> dict[str, Any]:
    return {f.name: getattr(result, f.name) for f in fields(FetchResult)}


def _assemble(
    order: list[str], entries: dict[str, _Entry], *, prior_first: list[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Counter[str]]:
    """Documents, errors and status counts in output order; a repeated text or URL becomes a duplicate.

    Documents kept by an earlier run are checked first, so a re-run never drops one it already wrote.
    """
    seen = Deduplicator()
    for url in [*prior_first, *order]:
        entry = entries.get(url)
        if entry is None or entry.document is None:
            continue
        duplicate = seen.check(document_from_saved(entry.document, origin=url))
        if duplicate is not None:
            entry.document = None
            entry.fetch = {**entry.fetch, "status": DUPLICATE, "error": duplicate.code, "doc_id": None}
            entry.errors = [*entry.errors, duplicate.to_record()]
    documents: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    statuses: Counter[str] = Counter()
    for url in order:
        entry = entries.get(url)
        if entry is None:
            continue
        statuses[entry.fetch["status"]] += 1
        if entry.document is not None:
            documents.append(entry.document)
        errors.extend(entry.errors)
    return documents, errors, statuses


def _collect_inputs(urls: Sequence[str], url_files: Sequence[Path]) -> tuple[list[str], list[ErrorRecord]]:
    """The URLs of the arguments and the list files, in order; exact repeats are reported (E204)."""
    found: list[str] = []
    errors: list[ErrorRecord] = []
    given: list[tuple[str, str, int | None]] = [(u.strip(), u.strip(), None) for u in urls if u.strip()]
    for path in url_files:
        for item in read_url_list(path):
            if isinstance(item, UrlLine):
                given.append((item.url, str(path), item.line))
            else:
                errors.append(item)
    seen: set[str] = set()
    for url, where, line in given:
        if url in seen:
            errors.append(error(where, "E204", line=line, first=url, key="URL"))
        else:
            seen.add(url)
            found.append(url)
    return found, errors


def _default_client(options: FetchOptions) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=options.concurrency * 2, max_keepalive_connections=options.concurrency)
    return httpx.AsyncClient(follow_redirects=False, limits=limits)


def _journal(stream: Any, entry: _Entry) -> None:
    line = {"fetch": entry.fetch, "document": entry.document, "errors": entry.errors}
    stream.write(json.dumps(line, sort_keys=True, ensure_ascii=False) + "\n")
    stream.flush()


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Records of a JSONL file; a torn last line (a killed run) is skipped."""
    if not path.is_file():
        return
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(rec, dict):
                yield rec


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    text = "".join(json.dumps(rec, sort_keys=True, ensure_ascii=False) + "\n" for rec in records)
    write_atomic(path, text.encode("utf-8"))
