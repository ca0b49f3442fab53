"""Independent sources: citing articles and republished copies count for the original outlet."""

from __future__ import annotations

import pytest

from pipeline.corroborate import CorroborationConfig, corroborate_records
from pipeline.corroborate.config import DEFAULT_OUTLET_ALIASES
from pipeline.corroborate.minhash import NearDuplicate
from pipeline.corroborate.sources import OutletBook, document_outlet, outlet_key, resolve_source
from tests.corroborate.claims import claim, document
from tests.corroborate.conftest import event_of

BOOK = OutletBook(["Border Monitor", "Yalu Observer", "Daily NK"], DEFAULT_OUTLET_ALIASES)


def _entry(events, doc_id, sentence):
    event = event_of(events, doc_id, sentence)
    return next(c for c in event["claims"] if c["doc_id"] == doc_id and sentence in c["sentence"])


def test_sources_citing_article_counts_for_the_original(events):
    cited = _entry(events, "ev-003", "Border Monitor reported last week")
    assert (cited["outlet"], cited["source"], cited["via"], cited["cites"]) == (
        "Yalu Observer",
        "Border Monitor",
        "citation",
        "Border Monitor",
    )
    own = _entry(events, "ev-003", "A trader in Changbai told Yalu Observer")
    assert (own["source"], own["via"]) == ("Yalu Observer", "direct")


def test_sources_republished_copy_counts_for_the_original(events):
    copy = _entry(events, "ev-002", "in convoys of five or six")
    assert (copy["outlet"], copy["source"], copy["via"], copy["republication_of"]) == (
        "Frontier Digest",
        "Border Monitor",
        "republication",
        "ev-001",
    )
    assert _entry(events, "ev-001", "in convoys of five or six")["via"] == "direct"


def test_sources_alias_names_one_outlet(events):
    relayed = _entry(events, "ev-011", "RFA reported")
    assert (relayed["source"], relayed["via"], relayed["outlet"]) == ("Radio Free Asia", "citation", "Peninsula Weekly")


@pytest.mark.parametrize(
    ("a", "b"),
    [("Daily NK", "the Daily NK"), ("Daily NK", "DAILY  NK"), ("RFA", "Radio Free Asia"), ("Asiapress", "Asia Press")],
)
def test_sources_outlet_names_normalised(a, b):
    assert BOOK.key(a) == BOOK.key(b)


def test_sources_outlet_key_keeps_different_outlets_apart():
    assert outlet_key("NK News") != outlet_key("NK Trade Watch")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("according to Border Monitor, trucks crossed", "Border Monitor"),
        ("a source told Daily NK", "Daily NK"),
        ("Radio Free Asia reported", "Radio Free Asia"),
        ("the Border Monitoring Unit said", None),  # whole words only
        ("border monitor staff", None),  # outlet names are proper nouns
    ],
)
def test_sources_outlet_found_in_attribution(text, found):
    assert BOOK.find(text) == found


def test_sources_self_citation_is_direct():
    c = claim("c1", attribution={"status": "reported", "source": None, "text": "a source told Border Monitor"})
    src = resolve_source(c, document("d1", "Border Monitor"), BOOK, copy=None, original=None)
    assert (src.source, src.via, src.cites) == ("Border Monitor", "direct", "Border Monitor")


def test_sources_extractor_named_outlet_wins():
    c = claim("c1", attribution={"status": "reported", "source": "Daily NK", "text": "according to sources"})
    src = resolve_source(c, document("d1", "Yalu Observer"), BOOK, copy=None, original=None)
    assert (src.source, src.via) == ("Daily NK", "citation")


def test_sources_copy_from_the_same_outlet_is_direct():
    c = claim("c1")
    copy = NearDuplicate("d2", "d1", 0.95)
    src = resolve_source(c, document("d2", "Border Monitor"), BOOK, copy=copy, original=document("d1", "Border Monitor"))
    assert (src.via, src.republication_of) == ("direct", "d1")


@pytest.mark.parametrize(
    ("doc", "outlet"),
    [
        ({"doc_id": "d", "source": "Daily NK", "site": "dailynk.com"}, "Daily NK"),
        ({"doc_id": "d", "source": None, "site": "dailynk.com"}, "dailynk.com"),
        ({"doc_id": "d", "url": "https://www.example.org/a/b"}, "example.org"),
        ({"doc_id": "d"}, "unknown outlet (d)"),
    ],
)
def test_sources_document_outlet_fallbacks(doc, outlet):
    assert document_outlet(doc) == outlet


def test_sources_two_articles_of_one_outlet_are_one_source():
    docs = {"d1": document("d1", "Border Monitor"), "d2": document("d2", "Border Monitor")}
    claims = [claim("c1", doc_id="d1"), claim("c2", doc_id="d2", figure="about 120")]
    (event,) = corroborate_records(docs, claims, config=CorroborationConfig()).events
    assert (event["claim_count"], event["article_count"], event["source_count"]) == (2, 2, 1)
