"""Decode HTML bytes the way a browser does: BOM, then the HTTP charset, then <meta>, never a guess.

The order and the label mapping follow the WHATWG Encoding Standard, so that a page declared as
ISO-8859-1 but written in windows-1252 (curly quotes in bytes 0x80-0x9F) reads as its author saw it.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# WHATWG maps these labels to a superset that browsers actually use.
_WHATWG_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "x-user-defined": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "korean": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "shift_jis": "cp932",
    "sjis": "cp932",
    "tis-620": "cp874",
    "utf-16": "utf-16-le",
}
# A <meta> cannot truthfully declare UTF-16 (the prescan read it as ASCII), so browsers use UTF-8.
_META_UTF16 = {"utf-16", "utf-16le", "utf-16be", "utf-16-le", "utf-16-be"}

# The prescan looks for a charset in the first bytes only, as browsers do (WHATWG says 1024; real pages
# often put a long <script> first, so a little more is read).
PRESCAN_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_:.+-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_:.+-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class Decoded:
    """A decoded page and where its encoding came from (bom, http, meta, default)."""

    text: str
    encoding: str
    declared_by: str


def python_codec(label: str, *, in_meta: bool = False) -> str | None:
    """The Python codec for a WHATWG/IANA charset label, or None when it is unknown."""
    name = label.strip().lower()
    if in_meta and name in _META_UTF16:
        return "utf-8"
    name = _WHATWG_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str | None) -> str | None:
    """The charset parameter of an HTTP Content-Type header, if any."""
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return match.group(1) if match else None


def sniff_bom(data: bytes) -> tuple[str, int] | None:
    """(codec, BOM length) when the bytes start with a UTF-8 or UTF-16 byte order mark."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, len(bom)
    return None


def decode_html(data: bytes, *, content_type: str | None = None) -> Decoded:
    """Decode page bytes: BOM > HTTP charset > <meta> charset > UTF-8 > windows-1252 (the HTML default)."""
    bom = sniff_bom(data)
    if bom is not None:
        bom_codec, skip = bom
        return Decoded(_clean(data[skip:].decode(bom_codec, errors="replace")), bom_codec, "bom")
    header = charset_from_content_type(content_type)
    http_codec = python_codec(header) if header else None
    if http_codec is not None:
        return Decoded(_clean(data.decode(http_codec, errors="replace")), http_codec, "http")
    match = _META_CHARSET.search(data[:PRESCAN_BYTES])
    meta_codec = python_codec(match.group(1).decode("ascii", "replace"), in_meta=True) if match else None
    if meta_codec is not None:
        return Decoded(_clean(data.decode(meta_codec, errors="replace")), meta_codec, "meta")
    try:
        return Decoded(_clean(data.decode("utf-8")), "utf-8", "default")
    except UnicodeDecodeError:
        # Undeclared and not UTF-8: the HTML standard's fallback for legacy pages, not a statistical guess.
        return Decoded(_clean(data.decode("cp1252", errors="replace")), "cp1252", "default")


def _clean(text: str) -> str:
    return text.replace("\x00", "")
