"""URLs: normalisation for duplicate detection (tracking parameters stripped) and URL-list files."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from ..types import ErrorRecord
from .readers import ReadItem, Source, error, register_reader, register_url_kind

if TYPE_CHECKING:
    from .fetch import FetchOptions

URL_SCHEMES = ("http", "https")
URL_LIST_SUFFIXES = (".urls", ".urls.gz")
# Parameters that say how a reader arrived, not which page it is.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ocid",
        "cmpid",
        "spm",
        "at_medium",
        "at_campaign",
        "ref_src",
        "ref_url",
        "share",
        "amp",
        "outputtype",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_COMMENT = re.compile(r"\s#")


def is_url(text: str) -> bool:
    """True for an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in URL_SCHEMES and bool(parts.hostname)


# An http(s) URL already in normal form: lower-case scheme and host, no user, port, query or fragment, and a
# path of characters `quote` leaves as they are (so no "%"): most article URLs.
_PLAIN_URL = re.compile(r"https?://[a-z0-9-]+(?:\.[a-z0-9-]+)*(/[A-Za-z0-9_.~/:@!$&'()*+,;=-]*)?")


def url_key(url: str) -> str | None:
    """`normalize_url(url)` when `is_url(url)`, else None (what duplicate detection keys on).

    A URL already in normal form is recognised by one regular expression and returned as it is: parsing it
    twice (`is_url`, then `normalize_url`) was about half of a batch run's duplicate checks (measured), and
    those run in the parent process, beside the workers. A property test holds this to the long way.
    """
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None:
        return url if plain.group(1) else url + "/"
    return normalize_url(url) if is_url(url) else None


def is_tracking_param(name: str) -> bool:
    """True for query parameters that only track the visit (utm_*, fbclid, ...)."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def normalize_url(url: str) -> str:
    """A canonical form for comparing URLs: lower-case scheme and host, no default port, no fragment,
    no tracking parameters, remaining parameters sorted, path percent-encoding made uniform."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=~-._") or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def origin_of(url: str) -> str:
    """'scheme://host[:port]' of a URL: the unit robots.txt and politeness limits apply to."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port is None or port == _DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


@dataclass(frozen=True)
class UrlLine:
    """One URL from a list file, with its 1-based line number."""

    url: str
    line: int


def read_url_list(path: str | Path) -> Iterator[UrlLine | ErrorRecord]:
    """URLs from a list file (one per line, '#' comments and blank lines skipped); bad lines are E212."""
    name = str(path)
    opener = gzip.open if name.lower().endswith(".gz") else open
    with opener(name, "rt", encoding="utf-8-sig", errors="replace") as stream:
        for lineno, raw in enumerate(stream, start=1):
            # A '#' starts a comment at the line start or after a space (a URL has no spaces, and may
            # carry a '#fragment').
            text = _COMMENT.split(raw, maxsplit=1)[0].strip()
            if not text or text.startswith("#"):
                continue
            if is_url(text):
                yield UrlLine(text, lineno)
            else:
                yield error(name, "E212", line=lineno, url=text)


# How the URL readers fetch when `extract` meets URLs; the CLI sets this from its options.
_READER_FETCH: dict[str, Any] = {}


def configure_url_readers(*, options: FetchOptions | None = None, cache_dir: Path | None = None) -> None:
    """Set the fetch options and cache directory the 'url' and 'urls' readers use."""
    _READER_FETCH.clear()
    _READER_FETCH.update(options=options, cache_dir=cache_dir)


def _read_url(source: Source) -> Iterator[ReadItem]:
    from .api import fetch_documents  # lazy: httpx is only needed when there are URLs

    yield from fetch_documents([source.path], max_chars=source.max_chars, **_READER_FETCH)


def _read_url_list(source: Source) -> Iterator[ReadItem]:
    from .api import fetch_documents

    urls: list[str] = []
    for item in read_url_list(source.path):
        if isinstance(item, UrlLine):
            urls.append(item.url)
        else:
            yield item
    yield from fetch_documents(urls, max_chars=source.max_chars, **_READER_FETCH)


register_reader("urls", URL_LIST_SUFFIXES, _read_url_list)
register_reader("url", (), _read_url)  # chosen by is_url(), not by a suffix
register_url_kind("url")
