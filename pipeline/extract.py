"""One article in, its records out: sentences, mentions and claims (pure: no file or network I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spacy.attrs import ENT_IOB, ENT_KB_ID, ENT_TYPE
from spacy.language import Language
from spacy.tokens import Doc

from .claims import extract_claims
from .nlp.entities import ATTRS
from .nlp.sentences import sentence_offsets, token_sentence_index, tokens
from .types import Document, Mention


@dataclass(frozen=True)
class ExtractResult:
    """The records of one article, ready for the run directory."""

    document: dict[str, Any]
    mentions: list[dict[str, Any]]
    claims: list[dict[str, Any]]


def doc_mentions(doc: Doc, doc_id: str, names: dict[str, str]) -> list[Mention]:
    """Mentions of the entities in `doc.ents`, with canonical entries and label attributes."""
    sent_of = token_sentence_index(doc)
    table = tokens(doc)
    text, starts, ends = table.text, table.starts, table.ends
    attrs_of = doc.user_data.get(ATTRS) or {}
    out = []
    for first, last, label, kb_id in entity_spans(doc):
        start, end = starts[first], ends[last - 1]
        canonical = {"id": kb_id, "name": names.get(kb_id, kb_id)} if kb_id else None
        out.append(
            Mention(
                doc_id=doc_id,
                label=label,
                text=text[start:end],
                start=start,
                end=end,
                sentence_index=sent_of[first],
                canonical=canonical,
                attrs=dict(attrs_of.get((start, end)) or {}),
            )
        )
    return out


def entity_spans(doc: Doc) -> list[tuple[int, int, str, str]]:
    """(token start, token end, label, kb id) of each entity: what iterating `doc.ents` gives, read from the
    token arrays in one call instead of building a Span and reading its properties per entity."""
    if not len(doc):
        return []
    iob, types, kb_ids = doc.to_array([ENT_IOB, ENT_TYPE, ENT_KB_ID]).T.tolist()
    strings = doc.vocab.strings
    out = []
    n = len(iob)
    for first in [i for i, v in enumerate(iob) if v == 3]:
        if not types[first]:
            continue  # a B without a label is outside
        last = first + 1
        while last < n and iob[last] == 1:  # an entity runs until the first token that is not I
            last += 1
        out.append((first, last, strings[types[first]], strings[kb_ids[first]] if kb_ids[first] else ""))
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
