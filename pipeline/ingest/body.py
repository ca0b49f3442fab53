"""Read an HTTP body with a cap on its decoded size, decompressing ourselves so a gzip bomb stops at the cap.

httpx decodes `Content-Encoding` chunk by chunk without an output limit: one 64 KiB network chunk of a gzip
bomb can inflate to 64 MB before a caller sees it. Here the raw bytes are inflated with `max_length`, so no
more than the cap (plus one byte, to notice the overflow) is ever held.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

import httpx

SUPPORTED_ENCODINGS = ("gzip", "x-gzip", "deflate", "identity")
ACCEPT_ENCODING = "gzip, deflate"


class UnsupportedEncoding(Exception):
    """The server used a Content-Encoding we did not offer and cannot decode."""


class _Inflater:
    """zlib with bounded output; handles concatenated gzip members and raw (headerless) deflate."""

    def __init__(self, encoding: str) -> None:
        self._wbits = 16 + zlib.MAX_WBITS if encoding in ("gzip", "x-gzip") else 32 + zlib.MAX_WBITS
        self._raw_fallback = encoding == "deflate"
        self._started = False
        self._inflate = zlib.decompressobj(self._wbits)

    def feed(self, data: bytes, room: int) -> bytes:
        """Inflate `data`, returning at most `room + 1` bytes (one more than fits signals the overflow)."""
        out = bytearray()
        while data and len(out) <= room:
            try:
                out += self._inflate.decompress(data, room + 1 - len(out))
            except zlib.error:
                if self._started or not self._raw_fallback:
                    raise
                # Some servers send raw deflate without the zlib header that "deflate" promises.
                self._raw_fallback = False
                self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._started = True
            if self._inflate.unconsumed_tail:
                data = self._inflate.unconsumed_tail
            elif self._inflate.eof and self._inflate.unused_data.strip(b"\x00"):
                data = self._inflate.unused_data  # the next gzip member
                self._inflate = zlib.decompressobj(self._wbits)
            else:
                data = b""
        return bytes(out)


def content_encoding(headers: httpx.Headers) -> str:
    """The single Content-Encoding of a response ('identity' when absent); raises for ones we cannot read."""
    values = [v.strip().lower() for v in headers.get("content-encoding", "").split(",") if v.strip()]
    values = [v for v in values if v != "identity"] or ["identity"]
    if len(values) > 1 or values[0] not in SUPPORTED_ENCODINGS:
        raise UnsupportedEncoding(", ".join(values))
    return values[0]


async def read_limited(response: httpx.Response, limit: int, *, truncate: bool = False) -> bytes | None:
    """The decoded body, or None when it is over `limit` bytes (or its first `limit` bytes if `truncate`)."""
    if response.is_stream_consumed:
        # An in-memory response (e.g. httpx.MockTransport) that httpx has already read and decoded.
        content = response.content
        if len(content) > limit:
            return content[:limit] if truncate else None
        return content
    encoding = content_encoding(response.headers)
    inflater = None if encoding == "identity" else _Inflater(encoding)
    body = bytearray()
    chunks: AsyncIterator[bytes] = response.aiter_raw()
    async for chunk in chunks:
        room = limit - len(body)
        body += inflater.feed(chunk, room) if inflater is not None else chunk[: room + 1]
        if len(body) > limit:
            return bytes(body[:limit]) if truncate else None
    return bytes(body)
