"""Page metadata from structured markup: JSON-LD, <meta> tags and <link rel=canonical> (beautifulsoup4)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

# schema.org types that mark a page as one article (lower-cased).
ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "askpublicnewsarticle",
        "blogposting",
        "liveblogposting",
        "report",
        "techarticle",
    }
)
# Types that mark a page as a list of other pages.
LISTING_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage", "profilepage"})

_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_LANG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*$")


@dataclass(frozen=True)
class PageMeta:
    """What the page says about itself in markup; every field may be missing."""

    canonical_url: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None  # YYYY-MM-DD from JSON-LD datePublished or article:published_time
    site_name: str | None = None
    language: str | None = None  # primary language subtag, lower case ("en")
    og_type: str | None = None
    ld_types: frozenset[str] = frozenset()
    article_body: str | None = None  # JSON-LD articleBody, paragraphs separated by "\n\n"

    @property
    def says_article(self) -> bool:
        """The markup declares one article (schema.org Article types or og:type=article)."""
        return bool(self.ld_types & ARTICLE_TYPES) or self.og_type == "article"

    @property
    def says_listing(self) -> bool:
        """The markup declares a list or a site front page, and no article."""
        if self.says_article:
            return False
        return bool(self.ld_types & LISTING_TYPES) or self.og_type == "website"


def read_page_meta(html: str, *, base_url: str | None = None, html_lang: str | None = None) -> PageMeta:
    """Collect JSON-LD, Open Graph and <meta> facts; relative canonical URLs resolve against `base_url`."""
    from bs4 import BeautifulSoup, SoupStrainer  # lazy: keeps `import pipeline.ingest` cheap

    soup = BeautifulSoup(html, "lxml", parse_only=SoupStrainer(["script", "meta", "link"]))
    metas: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = tag.get("property") or tag.get("name") or tag.get("http-equiv")
        content = tag.get("content")
        if isinstance(key, str) and isinstance(content, str) and content.strip():
            metas.setdefault(key.strip().lower(), content.strip())
    canonical = None
    for tag in soup.find_all("link"):
        rel: Any = tag.get("rel") or []
        rels = rel if isinstance(rel, list) else str(rel).split()
        href = tag.get("href")
        if "canonical" in [r.lower() for r in rels] and isinstance(href, str):
            canonical = _absolute(href, base_url)
            if canonical:
                break
    if canonical is None and "og:url" in metas:
        canonical = _absolute(metas["og:url"], base_url)

    objects = list(_json_ld_objects(soup))
    types = frozenset(t for obj in objects for t in _types(obj))
    article = next((obj for obj in objects if _types(obj) & ARTICLE_TYPES), None)
    website = next((obj for obj in objects if "website" in _types(obj)), None)
    art: dict[str, Any] = article or {}

    published = _iso_date(art.get("datePublished")) or _iso_date(metas.get("article:published_time"))
    language = (
        _primary_language(html_lang)
        or _primary_language(art.get("inLanguage"))
        or _primary_language(metas.get("content-language"))
        or _primary_language(metas.get("language"))
        or _primary_language(metas.get("og:locale"))
    )
    return PageMeta(
        canonical_url=canonical,
        title=_text(art.get("headline")) or metas.get("og:title"),
        author=_names(art.get("author")) or metas.get("author") or metas.get("article:author"),
        published=published,
        site_name=metas.get("og:site_name") or _names(art.get("publisher")) or _names(website),
        language=language,
        og_type=metas.get("og:type", "").lower() or None,
        ld_types=types,
        article_body=_article_body(art.get("articleBody")),
    )


def _json_ld_objects(soup: Any) -> Iterator[dict[str, Any]]:
    for tag in soup.find_all("script"):
        kind = tag.get("type")
        if not isinstance(kind, str) or kind.strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(tag.string or "")
        except (json.JSONDecodeError, TypeError):
            continue  # broken JSON-LD is common in the wild; the other sources still apply
        yield from _flatten(data)


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        if "@graph" in data:
            yield from _flatten(data["@graph"])
        if "@type" in data:
            yield data


def _types(obj: dict[str, Any]) -> set[str]:
    raw = obj.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {v.lower() for v in values if isinstance(v, str)}


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _names(value: Any) -> str | None:
    """'A; B' from a schema.org person/organisation, a list of them, or a plain string."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip() and name.strip() not in names:
            names.append(name.strip())
    return "; ".join(names) or None


def _iso_date(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    match = _ISO_DATE.match(value.strip())
    return match.group(1) if match else None


def _primary_language(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    match = _LANG.match(value.strip())
    return match.group(1).lower() if match else None


def _absolute(href: str, base_url: str | None) -> str | None:
    url = urljoin(base_url, href.strip()) if base_url else href.strip()
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def _article_body(value: Any) -> str | None:
    """articleBody as paragraphs; sites put plain text with line breaks, or HTML, in it."""
    if not isinstance(value, str) or not value.strip():
        return None
    if "<" in value and re.search(r"<(p|br|div)\b", value, re.IGNORECASE):
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(value, "lxml")
        for br in soup.find_all("br"):
            br.replace_with("\n")
        blocks = [p.get_text() for p in soup.find_all(["p", "h2", "h3", "li"])] or [soup.get_text()]
    else:
        blocks = value.splitlines()
    paragraphs = [" ".join(b.split()) for b in blocks]
    return "\n\n".join(p for p in paragraphs if p) or None
