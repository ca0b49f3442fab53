"""Near-duplicate documents: republished copies are found, unrelated articles are not."""

from __future__ import annotations

import json
import random

import pytest

from pipeline.corroborate.minhash import (
    EMPTY,
    DocumentText,
    near_duplicates,
    shingle_hashes,
    signature,
    signatures,
    similarity,
)
from tests.corroborate.gate import ARTICLES


@pytest.fixture(scope="module")
def corpus_docs() -> list[DocumentText]:
    rows = [json.loads(line) for line in ARTICLES.read_text(encoding="utf-8").splitlines()]
    return [DocumentText(r["id"], r["text"], r["published"]) for r in rows]


def test_minhash_verbatim_republication_detected(corpus_docs):
    dups = near_duplicates(corpus_docs)
    assert set(dups) == {"ev-002"}  # and no unrelated article
    assert dups["ev-002"].original == "ev-001" and dups["ev-002"].similarity >= 0.8


def test_minhash_original_is_the_earliest_whatever_the_order(corpus_docs):
    assert near_duplicates(corpus_docs[::-1]) == near_duplicates(corpus_docs)


def test_minhash_unrelated_articles_score_low(corpus_docs):
    sigs = {d.doc_id: signature(d.text) for d in corpus_docs}
    others = [similarity(sigs[a], sigs[b]) for a in sigs for b in sigs if a < b and {a, b} != {"ev-001", "ev-002"}]
    assert max(others) < 0.2


def _jaccard(a: str, b: str) -> float:
    x, y = set(shingle_hashes(a).tolist()), set(shingle_hashes(b).tolist())
    return len(x & y) / len(x | y)


@pytest.mark.parametrize("seed", range(6))
def test_minhash_estimate_close_to_jaccard(seed):
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(500)]
    base = [rng.choice(vocab) for _ in range(rng.choice((40, 200, 800)))]
    other = list(base)
    for _ in range(rng.randrange(len(base) // 2)):
        other[rng.randrange(len(other))] = rng.choice(vocab)
    a, b = " ".join(base), " ".join(other)
    assert abs(similarity(signature(a), signature(b)) - _jaccard(a, b)) < 0.15


def test_minhash_batch_equals_one_by_one(corpus_docs):
    texts = [d.text for d in corpus_docs] + ["", "two words", "Punctuation, too!"]
    batch = signatures(texts, chunk=4)
    assert all((batch[i] == signature(t)).all() for i, t in enumerate(texts))


def test_minhash_punctuation_and_case_do_not_matter():
    assert (
        similarity(signature("Over 100 trucks crossed, a source said."), signature("over 100 trucks crossed a source said"))
        == 1.0
    )


def test_minhash_empty_and_short_texts():
    assert signature("")[0] == EMPTY and similarity(signature(""), signature("")) == 0.0
    assert similarity(signature("three short words"), signature("three short words")) == 1.0
    assert similarity(signature("three short words"), signature("other tiny text")) == 0.0
