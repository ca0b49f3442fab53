"""Build the newsclaims spaCy pipeline from one config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language

from . import factories  # noqa: F401  (registers the factories)
from .patterns import compile_pack

MODEL_NAME = "blank:en"


def build_pipeline(
    *, patterns_dir: str | Path | None = None, pack: dict[str, Any] | None = None, doc_ents: bool = True
) -> Language:
    """A blank English tokenizer plus our rule components, initialised with the pattern pack.

    The pack is compiled once and shared by both pack components. With `doc_ents=False` the components keep
    the entities in `doc.user_data` (see `nlp.entities.doc_entities`) and leave `doc.ents` empty: for
    callers that only want newsclaims' records (the batch worker), not spaCy Docs.
    """
    nlp = spacy.blank("en")
    nlp.max_length = 100_000_000  # no parser or NER: the run's --max-chars is the real limit
    nlp.add_pipe("newsclaims_sentences")
    nlp.add_pipe("newsclaims_entities", config={"doc_ents": doc_ents})
    nlp.add_pipe("newsclaims_quantities", config={"doc_ents": doc_ents})
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
