"""Our components work in anyone's pipeline (entry points) and a saved pipeline needs none of our files."""

from __future__ import annotations

import importlib.metadata

import spacy


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
