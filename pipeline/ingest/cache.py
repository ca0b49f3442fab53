"""On-disk page cache with validators (ETag / Last-Modified), so a re-run only downloads what changed."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class CachedPage:
    """The stored answer for one URL: its validators and where its body is."""

    url: str
    etag: str | None
    last_modified: str | None
    content_type: str | None
    size: int

    def conditional_headers(self) -> dict[str, str]:
        """If-None-Match / If-Modified-Since for revalidating this page."""
        headers: dict[str, str] = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


class PageCache:
    """Pages under `root`, one JSON entry and one body file per URL, each written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()
        folder = self.root / key[:2]
        return folder / f"{key}.json", folder / f"{key}.body"

    def get(self, url: str) -> CachedPage | None:
        """The entry for `url`, or None (also when the entry or its body is damaged or missing)."""
        meta_path, body_path = self._paths(url)
        try:
            entry = CachedPage(**json.loads(meta_path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None
        if entry.url != url or not body_path.is_file() or body_path.stat().st_size != entry.size:
            return None
        return entry

    def body(self, url: str) -> bytes | None:
        """The stored body of `url`, or None."""
        _, body_path = self._paths(url)
        try:
            return body_path.read_bytes()
        except OSError:
            return None

    def put(self, url: str, body: bytes, *, etag: str | None, last_modified: str | None, content_type: str | None) -> CachedPage:
        """Store a page; only worth it when it has a validator to revalidate with."""
        meta_path, body_path = self._paths(url)
        entry = CachedPage(url, etag, last_modified, content_type, len(body))
        write_atomic(body_path, body)
        write_atomic(meta_path, json.dumps(asdict(entry), sort_keys=True).encode("utf-8"))
        return entry


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
