"""Decoding page bytes: declared charsets only, in the browser's order."""

from __future__ import annotations

import pytest

from pipeline.ingest.charset import decode_html

QUOTED = "\u201cquoted\u201d \u2014 caf\u00e9"


@pytest.mark.parametrize(
    ("data", "content_type", "text", "declared_by"),
    [
        # BOM beats the HTTP header and the meta tag
        (
            b"\xff\xfe" + '<meta charset="utf-8"><p>한국</p>'.encode("utf-16-le"),
            "text/html; charset=latin1",
            '<meta charset="utf-8"><p>한국</p>',
            "bom",
        ),
        (b"\xef\xbb\xbf<p>caf\xc3\xa9</p>", None, "<p>caf\u00e9</p>", "bom"),
        # the HTTP header beats the meta tag
        (
            '<meta charset="utf-8"><p>caf\u00e9</p>'.encode("cp1252"),
            "text/html; charset=windows-1252",
            '<meta charset="utf-8"><p>caf\u00e9</p>',
            "http",
        ),
        # ISO-8859-1 is read as windows-1252, as browsers do: 0x93/0x94 are curly quotes, not C1 controls
        (
            f'<meta charset="iso-8859-1"><p>{QUOTED}</p>'.encode("cp1252"),
            None,
            f'<meta charset="iso-8859-1"><p>{QUOTED}</p>',
            "meta",
        ),
        # http-equiv form, Korean legacy encoding
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=euc-kr"><p>혜산</p>'.encode("cp949"),
            None,
            '<meta http-equiv="Content-Type" content="text/html; charset=euc-kr"><p>혜산</p>',
            "meta",
        ),
        # a <meta> that claims UTF-16 is read as UTF-8 (it was just read as ASCII)
        ('<meta charset="utf-16"><p>caf\u00e9</p>'.encode(), None, '<meta charset="utf-16"><p>caf\u00e9</p>', "meta"),
        # nothing declared: UTF-8 when it is valid ...
        ("<p>caf\u00e9</p>".encode(), None, "<p>caf\u00e9</p>", "default"),
        # ... else the HTML standard's windows-1252 fallback
        (f"<p>{QUOTED}</p>".encode("cp1252"), None, f"<p>{QUOTED}</p>", "default"),
        # an unknown label is ignored, not guessed at
        (
            '<meta charset="no-such-charset"><p>caf\u00e9</p>'.encode(),
            "text/html; charset=bogus",
            '<meta charset="no-such-charset"><p>caf\u00e9</p>',
            "default",
        ),
    ],
)
def test_decode_html_follows_declarations(data: bytes, content_type: str | None, text: str, declared_by: str):
    decoded = decode_html(data, content_type=content_type)
    assert decoded.text == text
    assert decoded.declared_by == declared_by
