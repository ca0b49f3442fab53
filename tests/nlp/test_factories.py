"""Our components work in anyone's pipeline (entry points) and a saved pipeline needs none of our files."""

from __future__ import annotations

import importlib.metadata

import spacy

from tests.conftest import CORPUS


def test_factories_registered_as_spacy_entry_points():
    names = {ep.name for ep in importlib.metadata.entry_points(group="spacy_factories")}
    assert {"newsclaims_sentences", "newsclaims_entities", "newsclaims_quantities"} <= names


def test_factories_add_pipe_in_a_fresh_pipeline():
    nlp = spacy.blank("en")
    nlp.add_pipe("newsclaims_sentences")
    nlp.add_pipe("newsclaims_entities")
    nlp.initialize()
    doc = nlp("Over 100 trucks reached Hyesan.\n\nThe bowibu watched.")
    assert ("COUNTY", "Hyesan") in [(e.label_, e.text) for e in doc.ents]
    assert len(list(doc.sents)) == 2


def test_factories_saved_pipeline_loads_without_pattern_files(nlp, tmp_path, monkeypatch):
    nlp.to_disk(tmp_path / "model")
    import pipeline.nlp.patterns as patterns

    def refuse(*args, **kwargs):
        raise AssertionError("the saved pipeline must not read patterns/")

    monkeypatch.setattr(patterns, "compile_pack", refuse)
    loaded = spacy.load(tmp_path / "model")
    doc = loaded("More than 200 sedans crossed into Kimjongsuk County.")
    labels = {(e.label_, e.text) for e in doc.ents}
    assert {("QUANTITY", "More than 200"), ("VEHICLE", "sedans"), ("COUNTY", "Kimjongsuk County")} <= labels


def test_loading_the_pattern_pack_leaves_the_tokenizer_cache_working():
    """Tokenizing ~30k alias spellings fills spaCy's chunk cache; if it is not really emptied afterwards, no
    article word is ever cached and tokenisation runs 10-15x slower (nothing else shows it). An uncached
    chunk goes through `prefix_search`; a cached one does not, so the second pass over a text must not."""
    from pipeline.nlp.patterns import compile_pack

    nlp = spacy.blank("en")
    calls = []
    search = nlp.tokenizer.prefix_search

    def counting(text):
        calls.append(text)
        return search(text)

    nlp.tokenizer.prefix_search = counting
    nlp.add_pipe("newsclaims_entities")
    nlp.add_pipe("newsclaims_quantities")
    pack = compile_pack()
    for name in ("newsclaims_entities", "newsclaims_quantities"):
        nlp.get_pipe(name).set_pack(pack)
    text = "Over 100 Chinese-made trucks were smuggled into Kimjongsuk County in April, a source said."
    nlp.make_doc(text)
    calls.clear()
    doc = nlp.make_doc(text)
    assert doc.text == text
    assert calls == []


def test_lean_pipeline_gives_the_same_records(nlp):
    """The batch worker's pipeline (`lean=True`) keeps the entities in `doc.user_data` and gives new words only
    the lexeme attributes newsclaims reads; every record it makes from the corpus must be the one the default
    pipeline (entities in `doc.ents`, full lexemes) makes."""
    from pipeline.extract import extract_document
    from pipeline.ingest.readers import iter_documents
    from pipeline.nlp.build import build_pipeline
    from pipeline.types import Document

    lean = build_pipeline(lean=True)
    inputs = [str(CORPUS / "articles.jsonl"), str(CORPUS / "events" / "articles.jsonl")]
    docs = [d for d in iter_documents(inputs) if isinstance(d, Document)]
    assert len(docs) >= 30
    claims = 0
    for document in docs:
        ours, theirs = extract_document(lean, document), extract_document(nlp, document)
        assert ours == theirs, document.doc_id
        claims += len(ours.claims)
    assert claims > 100
    doc = lean("Over 100 trucks were smuggled into Hyesan, a source told Daily NK.")
    assert not doc.ents  # left to the records
    ents = [(s, e, label) for s, e, label, _ in doc.user_data["newsclaims_ents"]]
    assert ents == [(0, 2, "QUANTITY"), (2, 3, "VEHICLE"), (6, 7, "COUNTY")]
