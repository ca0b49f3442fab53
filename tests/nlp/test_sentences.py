from __future__ import annotations

import pytest


def sents(nlp, text):
    from pipeline.nlp.sentences import sentence_offsets

    doc = nlp(text)
    return [text[s:e] for s, e in sentence_offsets(doc)]


def test_sentences_blank_line_always_ends_a_sentence(nlp):
    text = "“Vehicles are being diverted,” one expert said. “The community must act\n\nKim Se-won\n\nLeave a Reply"
    assert sents(nlp, text) == [
        "“Vehicles are being diverted,” one expert said.",
        "“The community must act",
        "Kim Se-won",
        "Leave a Reply",
    ]


def test_sentences_headline_and_caption_are_their_own_sentences(nlp):
    text = "State takes over smuggling\n(image: shutterstock)\n\nTrucks crossed the river. Guards watched."
    assert sents(nlp, text) == [
        "State takes over smuggling",
        "(image: shutterstock)",
        "Trucks crossed the river.",
        "Guards watched.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sanctions by the U.S. Treasury hit firms. Trade fell.", 2),
        ("Mr. Kim met Dr. Lee in Dandong. They talked.", 2),
        ("It was J. Smith who wrote it. Then he left.", 2),
        ("He asked: why now? Nobody knew!", 2),
        ("a hard-wrapped line\ncontinues here without a break.", 1),
    ],
)
def test_sentences_abbreviations_and_wraps(nlp, text, expected):
    assert len(sents(nlp, text)) == expected


def test_sentences_seed_quote_not_joined_with_next_paragraph(nlp, seed_text):
    out = sents(nlp, seed_text)
    assert any(s.endswith("one expert said.") for s in out)
    assert "Kim Se-won" in out
