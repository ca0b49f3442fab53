"""The token table the components read instead of Token objects must say exactly what the Tokens say."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.extract import entity_spans
from pipeline.nlp.sentences import tokens

# News text plus the characters that change length when lower-cased ("İ" -> "i̇") or are odd for the tokenizer.
PIECES = st.sampled_from(
    ["Trucks", "SMUGGLED", "İstanbul", "ΣΑΣ", "Straße", "ǅ", "100", "1,200", "$", "won.", "U.S.", "co-op", "(", ")", "“", "”"]
    + ["'s", "Kimjongsuk", "twenty", "3rd", "-", "—", "e-mail", "http://x.org", "\n", "\n\n", " ", "  ", "\t", "ﬁ", "😀"]
)
TEXTS = st.lists(PIECES, min_size=0, max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
@example(text="ΣΑΣ's trucks")  # lower-casing that depends on the context
@example(text="İstanbul trucks")  # lower-casing that changes the length
def test_token_table_matches_the_token_objects(nlp, text: str) -> None:
    doc = nlp.make_doc(text)
    table = tokens(doc)
    assert table.lows == [t.lower_ for t in doc]
    assert table.starts == [t.idx for t in doc]
    assert [table.word(i) for i in range(len(doc))] == [t.text for t in doc]
    assert [table.is_punct(i) for i in range(len(doc))] == [t.is_punct for t in doc]
    assert [table.space_after(i) for i in range(len(doc))] == [bool(t.whitespace_) for t in doc]
    assert table.like_num == [int(t.like_num) for t in doc]
    for t in doc:
        for char in range(t.idx, t.idx + len(t)):
            assert table.token_at(char) == t.i


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
def test_entity_spans_are_doc_ents(nlp, text: str) -> None:
    doc = nlp(text)
    assert entity_spans(doc) == [(e.start, e.end, e.label_, e.kb_id_) for e in doc.ents]
