"""One article in, its records out: sentences, mentions and claims (pure: no file or network I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from .claims import extract_claims
from .nlp.entities import span_attrs
from .nlp.sentences import sentence_offsets, text_of, token_sentence_index
from .types import Document, Mention


@dataclass(frozen=True)
class ExtractResult:
    """The records of one article, ready for the run directory."""

    document: dict[str, Any]
    mentions: list[dict[str, Any]]
    claims: list[dict[str, Any]]


def doc_mentions(doc: Doc, doc_id: str, names: dict[str, str]) -> list[Mention]:
    """Mentions from `doc.ents`, with canonical entries and label attributes."""
    sent_of = token_sentence_index(doc)
    text = text_of(doc)
    out = []
    for ent in doc.ents:
        attrs = dict(span_attrs(ent) or {})
        kb_id = ent.kb_id_
        canonical = {"id": kb_id, "name": names.get(kb_id, kb_id)} if kb_id else None
        start, end = ent.start_char, ent.end_char
        out.append(
            Mention(
                doc_id=doc_id,
                label=ent.label_,
                text=text[start:end],
                start=start,
                end=end,
                sentence_index=sent_of[ent.start],
                canonical=canonical,
                attrs=attrs,
            )
        )
    return out


def extract_document(nlp: Language, document: Document) -> ExtractResult:
    """Run the pipeline over one article and build its records."""
    doc = nlp.make_doc(document.text)
    doc.user_data["newsclaims_text"] = document.text  # the text every offset indexes into, known already
    doc = nlp(doc)
    names = entry_names(nlp)
    sentences = sentence_offsets(doc)
    mentions = doc_mentions(doc, document.doc_id, names)
    claims = extract_claims(doc, document, mentions, sentences, nlp.get_pipe("newsclaims_entities").pack)  # type: ignore[attr-defined]
    record = document.to_record()
    record["sentences"] = [list(s) for s in sentences]
    return ExtractResult(record, [m.to_record() for m in mentions], claims)


def entry_names(nlp: Language) -> dict[str, str]:
    """Canonical id -> display name."""
    return nlp.get_pipe("newsclaims_entities")._impl.names()  # type: ignore[attr-defined]
