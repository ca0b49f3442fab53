"""The polite async fetcher: robots.txt, per-host limits, retries, timeouts, size caps, redirects, cache.

`Fetcher.fetch(url)` returns a `FetchResult` with an explicit status for every URL; it never raises for a
bad URL or a bad server. The `httpx.AsyncClient` is injected, so tests use local servers or MockTransport.
"""

from __future__ import annotations

import asyncio
import random
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from .. import __version__
from ..errors import NewsclaimsError
from ..types import ErrorRecord
from .body import ACCEPT_ENCODING, UnsupportedEncoding, read_limited
from .cache import CachedPage, PageCache
from .html import HTML_TYPES
from .readers import error
from .robots import MAX_ROBOTS_BYTES, RobotsCache, RobotsPolicy, policy_for_status, product_token
from .throttle import Throttle
from .urls import is_url, origin_of

DEFAULT_USER_AGENT = f"newsclaims/{__version__} (news claim extraction; set --user-agent to add a contact)"
ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})

# Statuses, one per URL in fetch.jsonl.
OK = "ok"
CACHED = "cached"
ROBOTS = "robots"
HTTP_ERROR = "http-error"
TIMEOUT = "timeout"
TOO_LARGE = "too-large"
NOT_ARTICLE = "not-article"
REDIRECT_ERROR = "redirect-error"
NETWORK_ERROR = "network-error"
INVALID_URL = "invalid-url"
DUPLICATE = "duplicate"
ERROR = "error"
STATUSES = (
    OK,
    CACHED,
    ROBOTS,
    HTTP_ERROR,
    TIMEOUT,
    TOO_LARGE,
    NOT_ARTICLE,
    REDIRECT_ERROR,
    NETWORK_ERROR,
    INVALID_URL,
    DUPLICATE,
    ERROR,
)


@dataclass(frozen=True)
class FetchOptions:
    """How politely and how patiently to fetch; the defaults suit news sites."""

    user_agent: str = DEFAULT_USER_AGENT
    per_host: int = 2  # requests in flight per host
    concurrency: int = 8  # requests in flight overall
    delay: float = 1.0  # seconds between request starts to one host (robots Crawl-delay may raise it)
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # longest silence while reading
    deadline: float = 60.0  # total network time per URL, all redirects and attempts: cuts off slow drips
    max_bytes: int = 10_000_000  # decoded body size
    max_redirects: int = 5
    retries: int = 3  # extra attempts after a 429 or 5xx
    backoff: float = 1.0  # first backoff when there is no Retry-After; doubles, with jitter
    max_retry_after: float = 60.0  # a longer Retry-After is not waited for: the URL is left for a re-run
    respect_robots: bool = True

    def __post_init__(self) -> None:
        for name in ("per_host", "concurrency", "max_bytes"):
            if getattr(self, name) < 1:
                raise NewsclaimsError("E216", name=name, expected="at least 1", value=getattr(self, name))
        for name in (
            "delay",
            "connect_timeout",
            "read_timeout",
            "deadline",
            "backoff",
            "max_retry_after",
            "retries",
            "max_redirects",
        ):
            if getattr(self, name) < 0:
                raise NewsclaimsError("E216", name=name, expected="0 or more", value=getattr(self, name))
        if not self.user_agent.strip():
            raise NewsclaimsError("E216", name="user_agent", expected="a non-empty string", value=self.user_agent)


@dataclass(frozen=True)
class FetchResult:
    """What happened to one URL; `body` is set for ok and cached pages."""

    url: str
    status: str
    final_url: str | None = None
    http_status: int | None = None
    redirects: tuple[str, ...] = ()
    from_cache: bool = False
    size: int = 0  # decoded bytes of the body used
    content_type: str | None = None
    error: ErrorRecord | None = None
    body: bytes | None = field(default=None, repr=False)

    def to_record(self, doc_id: str | None = None) -> dict[str, Any]:
        """The `fetch.jsonl` line."""
        return {
            "url": self.url,
            "final_url": self.final_url,
            "status": self.status,
            "http_status": self.http_status,
            "redirects": list(self.redirects),
            "from_cache": self.from_cache,
            "bytes": self.size,
            "error": self.error.code if self.error is not None else None,
            "doc_id": doc_id,
        }


@dataclass
class _Answer:
    """One HTTP exchange: the status and headers, the body when it was read, or why it failed."""

    status: int = 0
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes | None = None
    failure: tuple[str, str, dict[str, Any]] | None = None  # (status, error code, message params)
    attempts: int = 1
    note: str = ""  # why retrying stopped early


class _Budget:
    """The network time left for one URL (time spent queueing for politeness is not counted)."""

    def __init__(self, seconds: float, clock: Callable[[], float]) -> None:
        self.left = seconds
        self._clock = clock

    def spend(self, since: float) -> None:
        self.left -= self._clock() - since


class Fetcher:
    """Fetches URLs one at a time per call, politely; run many `fetch` calls concurrently."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        options: FetchOptions | None = None,
        cache: PageCache | None = None,
        throttle: Throttle | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.options = options or FetchOptions()
        self.cache = cache
        self.throttle = throttle or Throttle(
            per_host=self.options.per_host, total=self.options.concurrency, delay=self.options.delay
        )
        self.robots = RobotsCache(self._fetch_robots)
        self._rng = rng or random.Random()
        self._clock = clock
        self._timeout = httpx.Timeout(
            connect=self.options.connect_timeout,
            read=self.options.read_timeout,
            write=self.options.read_timeout,
            pool=None,
        )
        self._headers = {"User-Agent": self.options.user_agent, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING}

    async def fetch(self, url: str) -> FetchResult:
        """Fetch one URL through robots.txt, politeness limits, retries and redirects."""
        if not is_url(url):
            return FetchResult(url, INVALID_URL, error=error(url, "E212", url=url))
        budget = _Budget(self.options.deadline, self._clock)
        chain: list[str] = []
        current = url
        while True:
            blocked = await self._robots_block(url, current, chain)
            if blocked is not None:
                return blocked
            cached = self.cache.get(current) if self.cache is not None else None
            answer = await self._with_retries(current, budget, cached)
            result = FetchResult(url, OK, final_url=current, http_status=answer.status or None, redirects=tuple(chain))
            if answer.failure is not None:
                status, code, params = answer.failure
                return replace(result, status=status, error=error(url, code, **params))
            if answer.status in REDIRECT_CODES:
                target = self._redirect_target(url, current, answer, chain)
                if isinstance(target, FetchResult):
                    return target
                chain.append(current)
                current = target
                continue
            return self._final(result, answer, cached)

    def _final(self, result: FetchResult, answer: _Answer, cached: CachedPage | None) -> FetchResult:
        """Turn the last answer of the chain into ok, cached or http-error."""
        url, current = result.url, result.final_url or result.url
        if answer.status == 304 and cached is not None and self.cache is not None:
            body = self.cache.body(current)
            if body is not None:
                return replace(
                    result, status=CACHED, from_cache=True, body=body, size=len(body), content_type=cached.content_type
                )
        if answer.status in (200, 203) and answer.body is not None:
            content_type = answer.headers.get("content-type")
            etag, modified = answer.headers.get("etag"), answer.headers.get("last-modified")
            if self.cache is not None and (etag or modified):
                self.cache.put(current, answer.body, etag=etag, last_modified=modified, content_type=content_type)
            return replace(result, body=answer.body, size=len(answer.body), content_type=content_type)
        if answer.status == 429 or answer.status >= 500:
            err = error(url, "E208", status=answer.status, url=current, attempts=answer.attempts, detail=answer.note)
        else:
            err = error(url, "E207", status=answer.status, url=current)
        return replace(result, status=HTTP_ERROR, error=err)

    def _redirect_target(self, url: str, current: str, answer: _Answer, chain: list[str]) -> str | FetchResult:
        """The next URL of a redirect, or the redirect-error result (loop, too many, bad Location)."""
        base = FetchResult(url, REDIRECT_ERROR, final_url=current, http_status=answer.status, redirects=tuple(chain + [current]))
        location = answer.headers.get("location")
        if not location:
            return replace(base, error=error(url, "E210", url=current, detail="a redirect without a Location"))
        target = urljoin(current, location.strip())
        if not is_url(target):
            return replace(base, error=error(url, "E210", url=current, detail=f"a redirect to {target!r}"))
        if target in chain or target == current:
            loop = " -> ".join([*chain, current, target])
            return replace(base, error=error(url, "E210", url=current, detail=f"a redirect loop: {loop}"))
        if len(chain) >= self.options.max_redirects:
            detail = f"more than {self.options.max_redirects} redirects"
            return replace(base, error=error(url, "E210", url=current, detail=detail))
        return target

    async def _robots_block(self, url: str, current: str, chain: list[str]) -> FetchResult | None:
        """The robots result when robots.txt forbids `current` (checked on every hop, so on every new host)."""
        if not self.options.respect_robots:
            return None
        origin = origin_of(current)
        policy = await self.robots.policy(origin)
        self.throttle.set_crawl_delay(_host(current), policy.crawl_delay)
        if policy.allowed(current):
            return None
        if policy.unreachable is not None:
            err = error(url, "E206", origin=origin, detail=policy.unreachable)
        else:
            err = error(url, "E205", origin=origin, url=current, agent=product_token(self.options.user_agent))
        return FetchResult(url, ROBOTS, final_url=current, redirects=tuple(chain), error=err)

    async def _with_retries(self, url: str, budget: _Budget, cached: CachedPage | None) -> _Answer:
        """One exchange, repeated after 429 and 5xx answers with backoff (or the server's Retry-After)."""
        attempts = 0
        while True:
            answer = await self._exchange(url, budget, cached)
            attempts += 1
            answer.attempts = attempts
            if answer.failure is not None or not (answer.status == 429 or answer.status >= 500):
                return answer
            if attempts > self.options.retries:
                return answer
            wait = retry_after(answer.headers.get("retry-after"))
            if wait is None:
                backoff = self.options.backoff * 2 ** (attempts - 1)
                wait = min(self.options.max_retry_after, backoff) * (0.5 + self._rng.random())
            elif wait > self.options.max_retry_after:
                answer.note = f" (it asked to wait {wait:.0f} s, over --max-retry-after)"
                return answer
            self.throttle.push_back(_host(url), wait)

    async def _exchange(self, url: str, budget: _Budget, cached: CachedPage | None) -> _Answer:
        """One GET within the URL's remaining deadline; reads the body only for a 2xx HTML answer."""
        headers = dict(self._headers)
        if cached is not None:
            headers.update(cached.conditional_headers())
        async with self.throttle.slot(_host(url)):
            start = self._clock()
            try:
                if budget.left <= 0:
                    raise TimeoutError
                async with asyncio.timeout(budget.left):
                    request = self.client.build_request("GET", url, headers=headers, timeout=self._timeout)
                    response = await self.client.send(request, stream=True, follow_redirects=False)
                    try:
                        return await self._read(response)
                    finally:
                        await response.aclose()
            except TimeoutError:
                detail = f"no complete answer within the {self.options.deadline:g} s deadline"
                return _Answer(failure=(TIMEOUT, "E209", {"url": url, "detail": detail}))
            except httpx.TimeoutException as err:
                detail = f"{type(err).__name__} after {_timeout_of(err, self.options):g} s"
                return _Answer(failure=(TIMEOUT, "E209", {"url": url, "detail": detail}))
            except (httpx.UnsupportedProtocol, httpx.InvalidURL):
                return _Answer(failure=(INVALID_URL, "E212", {"url": url}))
            except UnsupportedEncoding as err:
                detail = f"unsupported Content-Encoding {err}"
                return _Answer(failure=(NETWORK_ERROR, "E211", {"url": url, "detail": detail}))
            except zlib.error as err:
                detail = f"corrupt compressed body ({err})"
                return _Answer(failure=(NETWORK_ERROR, "E211", {"url": url, "detail": detail}))
            except (httpx.HTTPError, OSError, ValueError) as err:
                detail = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
                return _Answer(failure=(NETWORK_ERROR, "E211", {"url": url, "detail": detail}))
            finally:
                budget.spend(start)

    async def _read(self, response: httpx.Response) -> _Answer:
        """Check status, content type and declared size before reading; then read within the cap."""
        answer = _Answer(status=response.status_code, headers=response.headers)
        if not 200 <= response.status_code < 300:
            return answer
        content_type = response.headers.get("content-type")
        mime = content_type.split(";", 1)[0].strip().lower() if content_type else None
        if mime is not None and mime not in HTML_TYPES:
            answer.failure = (NOT_ARTICLE, "E202", {"content_type": mime})
            return answer
        limit = self.options.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:  # compressed or not, the decoded body is larger
            answer.failure = (TOO_LARGE, "E203", {"limit": limit})
            return answer
        answer.body = await read_limited(response, limit)
        if answer.body is None:
            answer.failure = (TOO_LARGE, "E203", {"limit": limit})
        return answer

    async def _fetch_robots(self, origin: str) -> RobotsPolicy:
        """GET origin/robots.txt (following redirects) and apply RFC 9309's rules for its status."""
        url = f"{origin}/robots.txt"
        try:
            async with self.throttle.slot(_host(url)):
                async with asyncio.timeout(self.options.deadline):
                    request = self.client.build_request("GET", url, headers=self._headers, timeout=self._timeout)
                    response = await self.client.send(request, stream=True, follow_redirects=True)
                    try:
                        status = response.status_code
                        body = b""
                        if 200 <= status < 300:
                            body = await read_limited(response, MAX_ROBOTS_BYTES, truncate=True) or b""
                    finally:
                        await response.aclose()
        except TimeoutError:
            return RobotsPolicy(unreachable=f"no answer within {self.options.deadline:g} s")
        except (httpx.HTTPError, OSError, ValueError, UnsupportedEncoding, zlib.error) as err:
            return RobotsPolicy(unreachable=f"{type(err).__name__}: {err}" if str(err) else type(err).__name__)
        text = body.decode("utf-8-sig", errors="replace")
        return policy_for_status(status, text, self.options.user_agent)


def retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None when unusable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _timeout_of(err: httpx.TimeoutException, options: FetchOptions) -> float:
    return options.connect_timeout if isinstance(err, httpx.ConnectTimeout) else options.read_timeout
