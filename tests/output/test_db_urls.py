"""Database URLs: parsing, and masking passwords wherever a URL is shown."""

from __future__ import annotations

import sys

import pytest

from pipeline.errors import NewsclaimsError
from pipeline.output.db import connect
from pipeline.output.db.urls import mask_secrets, mask_text, mask_url, parse_url


@pytest.mark.parametrize(
    ("url", "dialect", "target"),
    [
        ("sqlite:///newsclaims.db", "sqlite", "newsclaims.db"),
        ("sqlite:////var/data/nc.db", "sqlite", "/var/data/nc.db"),
        ("sqlite:///:memory:", "sqlite", ":memory:"),
        ("plain/file.db", "sqlite", "plain/file.db"),
        ("postgresql://u@h:5432/db", "postgresql", "postgresql://u@h:5432/db"),
        ("postgres://u@h/db", "postgresql", "postgres://u@h/db"),
    ],
)
def test_parse_url(url: str, dialect: str, target: str) -> None:
    parsed = parse_url(url)
    assert (parsed.dialect, parsed.target) == (dialect, target)


@pytest.mark.parametrize("url", ["mysql://u:pw@h/db", "sqlite://relative.db", "sqlite:///"])
def test_parse_url_rejects_unknown_schemes(url: str) -> None:
    with pytest.raises(NewsclaimsError) as err:
        parse_url(url)
    assert err.value.code == "E301"
    assert "pw" not in str(err.value).replace("postgresql", "")


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql://ana:s3cr%40t@db:5432/nc", "postgresql://ana:***@db:5432/nc"),
        ("postgresql://ana@db/nc?password=pw&sslmode=require", "postgresql://ana@db/nc?password=***&sslmode=require"),
        ("postgresql://:pw@db/nc", "postgresql://:***@db/nc"),
        ("postgresql://ana@db/nc", "postgresql://ana@db/nc"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_mask_url(url: str, masked: str) -> None:
    assert mask_url(url) == masked
    assert parse_url(url).masked == masked


def test_parsed_url_repr_hides_the_password() -> None:
    parsed = parse_url("postgresql://ana:hunter2@db/nc")
    assert "hunter2" not in repr(parsed)
    assert parsed.masked == "postgresql://ana:***@db/nc"


def test_mask_text_and_secrets_find_urls_inside_text() -> None:
    text = "could not connect: postgresql://ana:hunter2@db/nc (fetch https://u:tok3n@x.org/feed)"
    assert "hunter2" not in mask_text(text) and "tok3n" not in mask_text(text)
    assert mask_text("the password is hunter2", "hunter2") == "the password is ***"
    manifest = {"inputs": ["https://u:tok3n@x.org/feed", "corpus/"], "counts": {"claims": 3}}
    assert mask_secrets(manifest) == {"inputs": ["https://u:***@x.org/feed", "corpus/"], "counts": {"claims": 3}}


def test_postgresql_without_psycopg_is_a_coded_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if the postgres extra were not installed
    with pytest.raises(NewsclaimsError) as err:
        connect("postgresql://ana:hunter2@127.0.0.1:5432/test")
    assert err.value.code == "E302"
    assert "newsclaims[postgres]" in str(err.value)
