"""One article in, its records out: sentences, mentions and claims (pure: no file or network I/O)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from spacy.attrs import ENT_IOB, ENT_KB_ID, ENT_TYPE
from spacy.language import Language
from spacy.tokens import Doc

from .claims import extract_claims
from .nlp.entities import ATTRS, doc_entities
from .nlp.sentences import sentence_offsets, token_sentence_index, tokens
from .types import Document, Mention


@dataclass(frozen=True)
class ExtractResult:
    """The records of one article, ready for the run directory."""

    document: dict[str, Any]
    mentions: list[dict[str, Any]]
    claims: list[dict[str, Any]]


def doc_mentions(doc: Doc, doc_id: str, names: dict[str, str]) -> list[Mention]:
    """Mentions of the doc's entities (`doc_entities`, or else `doc.ents`), with canonical entries and label
    attributes."""
    sent_of = token_sentence_index(doc)
    table = tokens(doc)
    text, starts, ends = table.text, table.starts, table.ends
    attrs_of = doc.user_data.get(ATTRS) or {}
    out = []
    ents = doc_entities(doc)
    for first, last, label, kb_id in entity_spans(doc) if ents is None else ents:
        start, end = starts[first], ends[last - 1]
        canonical = {"id": kb_id, "name": names.get(kb_id, kb_id)} if kb_id else None
        # Positional arguments, in the field order: keywords make CPython pack them into a dict and unpack it
        # again for the dataclass's `__init__`, 14% of this step (measured with callgrind).
        # The attributes were made per span by the components: no copy needed.
        out.append(
            Mention(doc_id, label, text[start:end], start, end, sent_of[first], canonical, attrs_of.get((start, end)) or {})
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


class Extraction:
    """One article on its way through the extraction steps (see `extraction_steps`)."""

    __slots__ = ("document", "doc", "sentences", "mentions", "claims", "result", "seconds")

    def __init__(self, document: Document) -> None:
        self.document = document
        self.doc: Doc | None = None
        self.sentences: list[tuple[int, int]] = []
        self.mentions: list[Mention] = []
        self.claims: list[dict[str, Any]] = []
        self.result: ExtractResult | None = None
        self.seconds = 0.0  # time spent on it so far (the batch runner's per-article time limit)


Step = Callable[[Extraction], None]


def extraction_steps(nlp: Language) -> list[Step]:
    """The steps from text to records: tokenise, each pipeline component, mentions, claims, records.

    A batch runs each step over all its articles before the next step (`batch.worker._run_steps`): each step's tables
    (tokenizer cache, phrase tables, grammars) then stay in the CPU caches, where going article by article
    through every step evicted them: measured 19% faster on a shard of 200 articles, with the same records.
    """
    names = entry_names(nlp)
    pack = nlp.get_pipe("newsclaims_entities").pack  # type: ignore[attr-defined]

    def tokenize(x: Extraction) -> None:
        x.doc = nlp.make_doc(x.document.text)
        x.doc.user_data["newsclaims_text"] = x.document.text  # the text every offset indexes into, known already

    def component(proc: Callable[[Doc], Doc]) -> Step:
        def run(x: Extraction) -> None:
            x.doc = proc(_doc(x))

        return run

    def mentions(x: Extraction) -> None:
        x.sentences = sentence_offsets(_doc(x))
        x.mentions = doc_mentions(_doc(x), x.document.doc_id, names)

    def claims(x: Extraction) -> None:
        x.claims = extract_claims(_doc(x), x.document, x.mentions, x.sentences, pack)

    def records(x: Extraction) -> None:
        record = x.document.to_record()
        record["sentences"] = [list(s) for s in x.sentences]
        x.result = ExtractResult(record, [m.to_record() for m in x.mentions], x.claims)
        # what the records were made from is not needed any more (a batch runner keeps its Extractions to the
        # end of a shard, and their records are written and freed as each batch is done)
        x.doc, x.mentions, x.sentences, x.claims = None, [], [], []

    return [tokenize, *(component(proc) for _, proc in nlp.pipeline), mentions, claims, records]


def _doc(x: Extraction) -> Doc:
    assert x.doc is not None, "steps run in order"
    return x.doc


def extract_document(nlp: Language, document: Document) -> ExtractResult:
    """Run the pipeline over one article and build its records."""
    x = Extraction(document)
    for step in extraction_steps(nlp):
        step(x)
    assert x.result is not None
    return x.result


def entry_names(nlp: Language) -> dict[str, str]:
    """Canonical id -> display name."""
    return nlp.get_pipe("newsclaims_entities")._impl.names()  # type: ignore[attr-defined]
