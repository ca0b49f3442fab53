"""For arbitrary Unicode text, extraction never crashes and every offset points at its text."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.extract import extract_document
from pipeline.types import Document

WORDS = st.sampled_from(
    [
        "Hyesan",
        "over",
        "100",
        "trucks",
        "Kimjongsuk",
        "County",
        "\n\n",
        "customs officers",
        "$1.5 billion",
        "Ryanggang",
        "Province",
        "smuggled",
        "in March",
        ",",
        ".",
        "🚚",
        "e\u0301",
        "Sinŭiju",
        "between 30 and 40",
        "bribes",
        "to",
        "Dongfeng cargo trucks",
        "\u200b",
        " ",
    ]
)
TEXT = st.one_of(st.text(max_size=300), st.lists(WORDS, max_size=60).map(" ".join))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_property_offsets_always_index_the_text(nlp, text):
    if not text.strip():
        return
    result = extract_document(nlp, Document(text=text, published="2025-05-20"))
    for start, end in result.document["sentences"]:
        assert 0 <= start < end <= len(text) and text[start:end].strip() == text[start:end]
    for m in result.mentions:
        assert text[m["start"] : m["end"]] == m["text"]
    for c in result.claims:
        s = c["sentence"]
        assert text[s["start"] : s["end"]] == s["text"]
        for group in ("items", "locations", "agencies"):
            for m in c[group]:
                assert text[m["start"] : m["end"]] == m["text"]
        for key in ("quantity", "time"):
            if c[key]:
                assert text[c[key]["start"] : c[key]["end"]] == c[key]["text"]


@pytest.fixture(scope="module")
def lean_nlp():
    from pipeline.nlp.build import build_pipeline

    return build_pipeline(lean=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_property_lean_pipeline_makes_the_same_records(nlp, lean_nlp, text):
    """The batch worker's lean pipeline (entities off `doc.ents`, lean lexemes for unseen words) makes the
    records of the default pipeline, whatever the text."""
    document = Document(text=text, published="2025-05-20")
    assert extract_document(lean_nlp, document) == extract_document(nlp, document)


@given(st.text(max_size=30), st.sampled_from(["COUNTY", "QUANTITY", "VEHICLE"]), st.integers(0, 10**6), st.integers(0, 10**6))
def test_property_record_ids_are_the_stable_ids_of_their_parts(doc_id, label, start, end):
    """Mention and claim ids are formatted in one step for speed; they stay the ids every earlier run wrote."""
    from pipeline.types import claim_id, mention_id, stable_id

    assert mention_id(doc_id, label, start, end) == "m" + stable_id(doc_id, label, start, end)
    assert claim_id(doc_id, start, start, end, end, label) == "c" + stable_id(doc_id, start, start, end, end, label)
