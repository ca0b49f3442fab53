"""Build the newsclaims spaCy pipeline from one config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import spacy
from spacy.attrs import IS_PUNCT, LIKE_NUM, LOWER
from spacy.language import Language

from . import factories  # noqa: F401  (registers the factories)
from .patterns import compile_pack

MODEL_NAME = "blank:en"


# The lexeme attributes newsclaims reads (through `to_array`, the PhraseMatchers and `Tokens.is_punct`).
LEAN_LEXEME_ATTRS = frozenset((LOWER, LIKE_NUM, IS_PUNCT))


def build_pipeline(*, patterns_dir: str | Path | None = None, pack: dict[str, Any] | None = None, lean: bool = False) -> Language:
    """A blank English tokenizer plus our rule components, initialised with the pattern pack.

    The pack is compiled once and shared by both pack components.

    `lean=True` is for callers that want newsclaims' records, not spaCy Docs (the batch worker):
    - the components keep the sentences and entities in `doc.user_data` (see `nlp.entities.doc_entities`),
      not in `token.is_sent_start` and `doc.ents`;
    - a word the vocabulary has not seen gets only the lexeme attributes newsclaims reads
      (`LEAN_LEXEME_ATTRS`), not spaCy's twenty-odd (shape, prefix, suffix, stop word, URL, ...): each is a
      Python function, and an unseen word cost about 67,000 instructions (measured with callgrind), 3% of a
      batch run's instructions. Such a Doc's `token.shape_`, `token.is_stop` etc. are not to be trusted, and
      a lean pipeline saved with `to_disk` loads with spaCy's full attributes again.
    """
    nlp = spacy.blank("en")
    nlp.max_length = 100_000_000  # no parser or NER: the run's --max-chars is the real limit
    if lean:
        getters = nlp.vocab.lex_attr_getters  # type: ignore[attr-defined]
        nlp.vocab.lex_attr_getters = {k: f for k, f in getters.items() if k in LEAN_LEXEME_ATTRS}  # type: ignore[attr-defined]
    nlp.add_pipe("newsclaims_sentences", config={"doc_sents": not lean})
    nlp.add_pipe("newsclaims_entities", config={"doc_ents": not lean})
    nlp.add_pipe("newsclaims_quantities", config={"doc_ents": not lean})
    if pack is None:
        pack = compile_pack(Path(patterns_dir) if patterns_dir else None)
    for name in ("newsclaims_entities", "newsclaims_quantities"):
        nlp.get_pipe(name).set_pack(pack)  # type: ignore[attr-defined]
    nlp.meta["newsclaims_pack_sha256"] = pack["sha256"]
    _warm_up(nlp)
    return nlp


def _warm_up(nlp: Language) -> None:
    """Create every lazily built matcher now, outside any `memory_zone`, so their strings stay interned; and
    load dateparser's English tables (about 8 MB, built on its first call), which most archives need sooner
    or later: loaded mid-run they made a worker's peak memory look as if it grew with the archive."""
    import datetime as dt

    from ..claims.timex import _dateparser_day
    from ..extract import extract_document
    from ..types import Document

    extract_document(
        nlp, Document(text="Over 100 trucks were smuggled into Hyesan from early to mid-April 2025.", published="2025-05-20")
    )
    _dateparser_day("15 March 2025", dt.datetime(2025, 5, 20))
