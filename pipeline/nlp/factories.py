"""spaCy factories for newsclaims components (also exposed as `spacy_factories` entry points)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc

from .entities import EntityMatcher
from .patterns import compile_pack
from .quantities import QuantityMatcher
from .sentences import find_sentences, set_sentence_starts


@Language.factory(
    "newsclaims_sentences",
    assigns=["token.is_sent_start"],
    default_config={"doc_sents": True},
)
def make_sentences(nlp: Language, name: str, doc_sents: bool) -> Callable[[Doc], Doc]:
    """Paragraph-aware rule sentence splitter (a blank line always ends a sentence). `doc_sents=False` keeps
    the sentences in `doc.user_data` only, for our own components (`nlp.sentences.sentence_token_spans`),
    and leaves `token.is_sent_start` unset."""
    return set_sentence_starts if doc_sents else find_sentences


def reset_tokenizer_cache(nlp: Language) -> None:
    """Empty the tokenizer's chunk cache for real.

    Tokenizing ~30k alias spellings fills the cache (it stops saving at 10,000 entries) with pattern text,
    so no article chunk is ever cached: measured 10-15x slower tokenisation. `Tokenizer._flush_cache` does
    not help: it deletes the entries, but the cache's PreshMap keeps counting them, so it stays "full".
    Assigning the rules (unchanged) is the public way to get a new, empty cache.
    """
    tokenizer: Any = nlp.tokenizer
    if hasattr(tokenizer, "rules"):
        tokenizer.rules = tokenizer.rules


class _PackComponent:
    """Shared behaviour: compile the pattern pack at `initialize`, keep it in `to_disk`."""

    matcher_cls: type = EntityMatcher

    def __init__(self, nlp: Language, name: str, patterns_dir: str | None, doc_ents: bool = True) -> None:
        self.nlp = nlp
        self.name = name
        self.patterns_dir = patterns_dir
        self.doc_ents = doc_ents
        self.pack: dict[str, Any] | None = None
        self._impl: Any = None

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        *,
        nlp: Language | None = None,
        patterns_dir: str | None = None,
        pack: dict[str, Any] | None = None,
    ) -> None:
        """Load and validate the pattern pack (or take an already compiled one)."""
        if pack is None:
            directory = patterns_dir or self.patterns_dir
            pack = compile_pack(Path(directory) if directory else None)
        self.set_pack(pack)

    def set_pack(self, pack: dict[str, Any]) -> None:
        self.pack = pack
        self._impl = self.matcher_cls(self.nlp, pack, doc_ents=self.doc_ents)
        reset_tokenizer_cache(self.nlp)

    def __call__(self, doc: Doc) -> Doc:
        if self._impl is None:
            self.initialize()
        return self._impl(doc)

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "pack.json", self.pack or {})

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> _PackComponent:
        pack = srsly.read_json(Path(path) / "pack.json")
        if pack:
            self.set_pack(pack)
        return self


class EntityComponent(_PackComponent):
    """PROVINCE, COUNTY, PLACE, AGENCY and VEHICLE mentions, linked to canonical entries."""

    matcher_cls = EntityMatcher


class QuantityComponent(_PackComponent):
    """QUANTITY mentions with normalised values and bounds."""

    matcher_cls = QuantityMatcher


@Language.factory(
    "newsclaims_entities",
    assigns=["doc.ents"],
    requires=["token.is_sent_start"],
    default_config={"patterns_dir": None, "doc_ents": True},
)
def make_entities(nlp: Language, name: str, patterns_dir: str | None, doc_ents: bool) -> EntityComponent:
    """Rule-based entity matcher and linker over the pattern pack. `doc_ents=False` keeps the entities in
    `doc.user_data` instead of `doc.ents` (see `nlp.entities.doc_entities`)."""
    return EntityComponent(nlp, name, patterns_dir, doc_ents)


@Language.factory(
    "newsclaims_quantities",
    assigns=["doc.ents"],
    default_config={"patterns_dir": None, "doc_ents": True},
)
def make_quantities(nlp: Language, name: str, patterns_dir: str | None, doc_ents: bool) -> QuantityComponent:
    """Matcher grammar for counts, money and percentages (`doc_ents` as for `newsclaims_entities`; use the
    same setting for both)."""
    return QuantityComponent(nlp, name, patterns_dir, doc_ents)
