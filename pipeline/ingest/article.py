"""Main text of an article page (trafilatura), as paragraphs, and the verdict "is this an article at all".

trafilatura finds the main content; this module turns its tree into text whose paragraphs are separated
by a blank line (the sentence splitter relies on it), drops what trafilatura keeps around the body
(the headline, the byline, "Read more:" link lines), and recognises pages that are not articles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .pagemeta import PageMeta

# A JSON-LD articleBody this much longer than the extracted text is the better text (paywalls, JS pages).
ARTICLE_BODY_RATIO = 1.5
# A block whose characters are mostly link text is navigation ("Read more: ...", related stories).
LINK_SHARE_LIMIT = 0.6
# A paragraph of one sentence counts as prose from this length (teasers and captions are shorter).
PROSE_MIN_CHARS = 100
# Below these sizes a page has no article to speak of.
MIN_CHARS = 200
MIN_CHARS_DECLARED = 50  # when the markup says it is an article
# A page is a listing when little of its text is prose and either its markup says so or much of its main
# area is link lines (headlines linking to the articles).
MIN_PROSE_SHARE = 0.5
MIN_PROSE_SHARE_LISTING = 0.7  # when the markup says it is a listing or a front page
LISTING_LINK_SHARE = 0.2
# ... or when it has no prose at all and is cut into short fragments (headline, teaser, date, ...).
MAX_FRAGMENT_PROSE_SHARE = 0.2
MAX_FRAGMENT_MEAN_CHARS = 60
CONSENT_TERMS = (
    "cookie",
    "consent",
    "privacy",
    "partners",
    "personalised",
    "personalized",
    "accept all",
    "reject all",
    "advertising",
    "vendors",
    "manage options",
    "more options",
    "your choices",
)
CONSENT_MIN_TERMS = 4
CONSENT_MAX_CHARS = 2500
DATE_DEFAULTS = {"extensive_search": False, "original_date": True, "outputformat": "%Y-%m-%d"}

_BLOCK_TAGS = frozenset({"p", "head", "list", "table", "code", "quote"})
_SPACES = re.compile(r"[^\S\n]+")
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*$")
_SENTENCE_BREAK = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+[A-Z\u201c\"]")
_DATE_ONLY = re.compile(r"^[\d\s./:,-]+$|^\w+\.? \d{1,2},? \d{4}$")


@dataclass(frozen=True)
class Block:
    """One paragraph-level piece of the extracted body."""

    tag: str
    text: str
    link_chars: int = 0

    @property
    def is_navigation(self) -> bool:
        """Mostly link text: a "Read more" line, a headline linking elsewhere, a menu."""
        return self.link_chars >= LINK_SHARE_LIMIT * len(self.text)

    @property
    def is_prose(self) -> bool:
        """Running text: two sentences or more, or one long sentence."""
        ends = bool(_SENTENCE_END.search(self.text))
        return ends and (len(self.text) >= PROSE_MIN_CHARS or bool(_SENTENCE_BREAK.search(self.text)))


@dataclass(frozen=True)
class Extraction:
    """The main text and trafilatura's metadata; `not_article` says why the page is not an article."""

    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    not_article: str | None = None


def load_tree(html: str) -> Any:
    """Parse HTML with trafilatura's loader (lxml), or None when there is no tree."""
    from trafilatura.utils import load_html  # lazy: trafilatura takes ~0.5 s to import

    return load_html(html)


def extract_article(tree: Any, *, url: str | None, meta: PageMeta) -> Extraction:
    """Extract the body text of a parsed page and classify it."""
    doc = _trafilatura(tree, url=url, tables=True)
    if doc is not None and doc.body is not None and _has_layout_table(doc.body):
        # Old sites lay pages out with tables: extracted as a table, the menu and footer come along.
        retry = _trafilatura(tree, url=url, tables=False)
        if retry is not None and retry.body is not None and len(retry.body):
            doc = retry
    found = body_blocks(doc.body) if doc is not None and doc.body is not None else []
    blocks = [b for b in found if not b.is_navigation]
    link_share = sum(len(b.text) for b in found if b.is_navigation) / max(1, sum(len(b.text) for b in found))
    title = meta.title or (doc.title if doc is not None else None)
    author = meta.author or (doc.author if doc is not None else None)
    blocks = _drop_leading_metadata(blocks, title=title, author=author)
    text = "\n\n".join(b.text for b in blocks)
    if meta.article_body and len(meta.article_body) >= ARTICLE_BODY_RATIO * len(text):
        text = meta.article_body
        blocks = [Block("p", p) for p in text.split("\n\n")]
    return Extraction(
        text=text,
        title=title,
        author=author,
        date=meta.published or (doc.date if doc is not None else None),
        site_name=meta.site_name or (doc.sitename if doc is not None else None),
        canonical_url=meta.canonical_url,
        not_article=classify(blocks, meta, link_share=link_share),
    )


def classify(blocks: list[Block], meta: PageMeta, *, link_share: float = 0.0) -> str | None:
    """None for an article, else the reason it is not one (listing, consent wall, too little text).

    `link_share` is the part of the main area that was link lines (dropped from `blocks`).
    """
    text = "\n\n".join(b.text for b in blocks)
    if not text.strip():
        return "no main text found"
    lowered = text.lower()
    consent_hits = sum(term in lowered for term in CONSENT_TERMS)
    if consent_hits >= CONSENT_MIN_TERMS and len(text) < CONSENT_MAX_CHARS:
        return "a cookie or consent wall"
    if len(text) < (MIN_CHARS_DECLARED if meta.says_article else MIN_CHARS):
        return f"only {len(text)} characters of text"
    if meta.says_article:
        return None
    prose = sum(len(b.text) for b in blocks if b.is_prose) / max(1, sum(len(b.text) for b in blocks))
    mean_chars = sum(len(b.text) for b in blocks) / len(blocks)
    if (
        (meta.says_listing and prose < MIN_PROSE_SHARE_LISTING)
        or (link_share >= LISTING_LINK_SHARE and prose < MIN_PROSE_SHARE)
        or (prose < MAX_FRAGMENT_PROSE_SHARE and mean_chars < MAX_FRAGMENT_MEAN_CHARS)
    ):
        return "a listing or index page (headlines and teasers, little running text)"
    return None


def body_blocks(body: Any) -> list[Block]:
    """Paragraph-level blocks of trafilatura's XML body (navigation lines included, see `is_navigation`)."""
    blocks: list[Block] = []
    loose: list[str] = []

    def flush() -> None:
        text = _normalise("".join(loose))
        if text:
            blocks.append(Block("p", text))
        loose.clear()

    def walk(elem: Any) -> None:
        if elem.text and elem.tag not in _BLOCK_TAGS:
            loose.append(elem.text)
        for child in elem:
            if child.tag in _BLOCK_TAGS and not (child.tag == "quote" and _has_blocks(child)):
                flush()
                block = _block(child)
                if block.text:
                    blocks.append(block)
            elif child.tag == "lb":
                loose.append("\n")
            elif len(child) and _has_blocks(child):
                flush()
                walk(child)
                flush()
            else:
                loose.append("".join(child.itertext()))
            if child.tail:
                loose.append(child.tail)

    walk(body)
    flush()
    return blocks


def _trafilatura(tree: Any, *, url: str | None, tables: bool) -> Any:
    from trafilatura import bare_extraction

    return bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_links=True,  # kept only to measure link density; the text has no link markup
        include_tables=tables,
        include_images=False,
        date_extraction_params=dict(DATE_DEFAULTS),
    )


def _has_blocks(elem: Any) -> bool:
    return any(child.tag in _BLOCK_TAGS or _has_blocks(child) for child in elem)


def _has_layout_table(body: Any) -> bool:
    return any(sum(1 for _ in table.iter("p", "head")) >= 2 for table in body.iter("table"))


def _block(elem: Any) -> Block:
    if elem.tag == "list":
        lines = [_inline_text(item) for item in elem.iter("item")]
        text = "\n".join(line for line in lines if line)
    elif elem.tag == "table":
        rows = [" | ".join(c for c in (_inline_text(cell) for cell in row.iter("cell")) if c) for row in elem.iter("row")]
        text = "\n".join(r for r in rows if r)
    else:
        text = _inline_text(elem)
    links = sum(len(_normalise("".join(ref.itertext()))) for ref in elem.iter("ref"))
    return Block(elem.tag, text, links)


def _inline_text(elem: Any) -> str:
    """The element's text with <lb/> as line breaks, excluding nested lists (they are their own lines)."""
    parts: list[str] = [elem.text or ""]
    for child in elem:
        if child.tag == "lb":
            parts.append("\n")
        elif child.tag != "list":
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return _normalise("".join(parts))


def _normalise(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _drop_leading_metadata(blocks: list[Block], *, title: str | None, author: str | None) -> list[Block]:
    """Drop the headline, byline and date lines trafilatura keeps above the first paragraph."""
    key_title = _key(title) if title else None
    first_author = author.split(";")[0].strip().lower() if author else None
    for i, block in enumerate(blocks):
        if block.is_prose:
            return blocks[i:]
        short = len(block.text) < PROSE_MIN_CHARS
        is_meta = (
            (key_title is not None and _key(block.text) == key_title)
            or (short and bool(_DATE_ONLY.match(block.text)))
            or (short and first_author is not None and first_author in block.text.lower())
            or (short and block.text.lower().startswith("by "))
        )
        if not is_meta:
            return blocks[i:]
    return blocks


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()
