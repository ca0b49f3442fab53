"""Database URLs: parse `sqlite:///path.db` and `postgresql://user@host:port/db`, and mask passwords."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from ...errors import NewsclaimsError

DEFAULT_URL = "sqlite:///newsclaims.db"
MASK = "***"
_SECRET_PARAMS = frozenset({"password", "passfile", "sslpassword"})
# A URL with user info inside a longer text (an error message, a manifest value).
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]*@[^\s'\"<>]*")


@dataclass(frozen=True)
class DatabaseURL:
    """A parsed database URL: `dialect` is "sqlite" or "postgresql"; `target` is the file path or conninfo.

    `target` and `secrets` stay out of `repr`, so printing the object never shows a password.
    """

    dialect: str
    target: str = field(repr=False)
    masked: str
    secrets: tuple[str, ...] = field(default=(), repr=False)


def parse_url(url: str) -> DatabaseURL:
    """Parse a database URL; a string without '://' is a SQLite file path. Unknown schemes raise E301."""
    if "://" not in url:
        return DatabaseURL("sqlite", url, url)
    scheme = url.split("://", 1)[0].lower()
    if scheme == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute.db, as in SQLAlchemy.
        path = url.split("://", 1)[1]
        if not path.startswith("/") or len(path) == 1:
            raise NewsclaimsError("E301", url=mask_url(url))
        return DatabaseURL("sqlite", unquote(path[1:]), url)
    if scheme in ("postgresql", "postgres"):
        parts = urlsplit(url)
        raw = parts.password
        if raw is None:
            raw = dict(parse_qsl(parts.query)).get("password")
        secrets = (raw, unquote(raw)) if raw else ()
        return DatabaseURL("postgresql", url, mask_url(url), secrets)
    raise NewsclaimsError("E301", url=mask_url(url))


def mask_url(url: str) -> str:
    """The URL with any password (in the user info or the query) replaced by ***; otherwise unchanged."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return _URL_IN_TEXT.sub(lambda m: _mask_userinfo_roughly(m.group(0)), url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    secret_query = any(k.lower() in _SECRET_PARAMS for k, _ in pairs)
    if password is None and not secret_query:
        return url  # rebuilding would also normalise it (sqlite:///x.db would lose its empty host)
    netloc = parts.netloc
    if password is not None:
        userinfo, _, hostinfo = netloc.rpartition("@")
        netloc = f"{userinfo.split(':', 1)[0]}:{MASK}@{hostinfo}"
    query = parts.query
    if secret_query:
        query = urlencode([(k, MASK if k.lower() in _SECRET_PARAMS else v) for k, v in pairs], safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _mask_userinfo_roughly(url: str) -> str:
    scheme, _, rest = url.partition("://")
    userinfo, _, hostinfo = rest.rpartition("@")
    if ":" not in userinfo:
        return url
    return f"{scheme}://{userinfo.split(':', 1)[0]}:{MASK}@{hostinfo}"


def mask_text(text: str, *secrets: str | None) -> str:
    """`text` with every URL password masked and each given secret string replaced by ***."""
    text = _URL_IN_TEXT.sub(lambda m: mask_url(m.group(0)), text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text


def mask_secrets(value: Any) -> Any:
    """A copy of a JSON value with the password of every URL in its strings masked (for stored manifests)."""
    if isinstance(value, str):
        return mask_text(value) if "@" in value else value
    if isinstance(value, list):
        return [mask_secrets(v) for v in value]
    if isinstance(value, dict):
        return {k: mask_secrets(v) for k, v in value.items()}
    return value
