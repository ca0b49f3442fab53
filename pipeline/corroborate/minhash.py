"""Near-duplicate documents (syndicated or republished copies): MinHash over word shingles, LSH banding.

The sketch is one-permutation MinHash (Li, Owen and Zhang, NIPS 2012) with optimal densification
(Shrivastava, ICML 2017): every word is hashed once with blake2b (cached), a shingle's hash combines the
hashes of its words, its top bits pick one of `bins` bins and the rest is the value; each bin keeps its
minimum, and an empty bin borrows the value of a bin drawn from a fixed pseudo-random sequence. The share
of bins where two sketches agree estimates the Jaccard similarity of the shingle sets. Candidate pairs
come from LSH bands, so the work grows with the number of documents, not its square.

numpy (installed with spaCy) does the arithmetic, a few thousand texts per call.
"""

from __future__ import annotations

import hashlib
import random
import string
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

# Punctuation becomes a space, so "trucks," and "trucks" are one word (str.translate is 5x faster than a regex).
_PUNCTUATION = str.maketrans({c: " " for c in string.punctuation + "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00ab\u00bb"})
EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)  # a bin no shingle fell into (values stay below 2**57)
_MIX = (np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))  # murmur3 fmix64 constants
_BUCKET_ALL_PAIRS = 50  # in a bigger LSH bucket only neighbours (in doc_id order) are verified
_DONOR_TRIES = 32

Signature = npt.NDArray[np.uint64]  # one sketch
Signatures = npt.NDArray[np.uint64]  # one sketch per row


@dataclass(frozen=True)
class DocumentText:
    """What near-duplicate detection needs of a document."""

    doc_id: str
    text: str
    published: str | None = None


@dataclass(frozen=True)
class NearDuplicate:
    """A document that copies an earlier one: the original and their estimated Jaccard similarity."""

    doc_id: str
    original: str
    similarity: float


def words(text: str) -> list[str]:
    """The lower-cased words of a text, punctuation removed (the units of a shingle)."""
    return text.lower().translate(_PUNCTUATION).split()


def word_hash(word: str) -> int:
    """The 64-bit blake2b hash of a word."""
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


class WordHashes(dict[str, int]):
    """A cache of word hashes for one batch of documents (news vocabularies repeat a lot)."""

    def __missing__(self, word: str) -> int:
        value = self[word] = word_hash(word)
        return value


@lru_cache(maxsize=16)
def _multipliers(size: int) -> npt.NDArray[np.uint64]:
    rng = random.Random(f"newsclaims-shingle-{size}")
    return np.array([rng.getrandbits(64) | 1 for _ in range(size)], dtype=np.uint64)


@lru_cache(maxsize=16)
def _donors(bins: int) -> npt.NDArray[np.intp]:
    """For each bin, a fixed pseudo-random sequence of bins to borrow from when it is empty."""
    rng = random.Random(f"newsclaims-donors-{bins}")
    return np.array([[rng.randrange(bins) for _ in range(_DONOR_TRIES)] for _ in range(bins)], dtype=np.intp)


def _mix(acc: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """murmur3's 64-bit finaliser: spreads every input bit over the whole hash (the top bits pick the bin)."""
    acc = acc ^ (acc >> np.uint64(33))
    acc *= _MIX[0]
    acc ^= acc >> np.uint64(33)
    acc *= _MIX[1]
    acc ^= acc >> np.uint64(33)
    return acc


def _combine(h: npt.NDArray[np.uint64], starts: npt.NDArray[np.intp], k: int, size: int) -> npt.NDArray[np.uint64]:
    """Hashes of the k-word shingles starting at `starts` in the word-hash array `h`."""
    mult = _multipliers(size)
    acc = h[starts] * mult[0]
    for i in range(1, k):
        acc ^= h[starts + i] * mult[i]  # uint64 products wrap modulo 2**64, as intended
    return _mix(acc)


def shingle_hashes(text: str, size: int = 5, *, cache: WordHashes | None = None) -> npt.NDArray[np.uint64]:
    """64-bit hashes of the word `size`-grams of a text (one shingle of all words when it is shorter)."""
    ws = words(text)
    if not ws:
        return np.zeros(0, dtype=np.uint64)
    cache = WordHashes() if cache is None else cache
    h = np.array([cache[w] for w in ws], dtype=np.uint64)
    k = min(size, len(ws))
    return _combine(h, np.arange(len(ws) - k + 1, dtype=np.intp), k, size)


def signatures(
    texts: Sequence[str], *, size: int = 5, bins: int = 128, cache: WordHashes | None = None, chunk: int = 2048
) -> Signatures:
    """The densified one-permutation MinHash sketches of many texts, one row each (all EMPTY for a text without words).

    A chunk of texts is hashed in one go, since numpy's cost per call would dominate short texts.
    """
    cache = WordHashes() if cache is None else cache
    out = np.full((len(texts), bins), EMPTY, dtype=np.uint64)
    for lo in range(0, len(texts), chunk):
        out[lo : lo + chunk] = _chunk_signatures(texts[lo : lo + chunk], size, bins, cache)
    return out


def _chunk_signatures(texts: Sequence[str], size: int, bins: int, cache: WordHashes) -> Signatures:
    hashes: list[int] = []
    starts: list[npt.NDArray[np.intp]] = []
    owners: list[npt.NDArray[np.intp]] = []
    short: list[tuple[int, npt.NDArray[np.uint64]]] = []
    for d, text in enumerate(texts):
        ws = words(text)
        if len(ws) >= size:
            n = len(ws) - size + 1
            starts.append(np.arange(len(hashes), len(hashes) + n, dtype=np.intp))
            owners.append(np.full(n, d, dtype=np.intp))
            hashes += map(cache.__getitem__, ws)
        elif ws:
            short.append((d, shingle_hashes(text, size, cache=cache)))
    values = [_combine(np.array(hashes, dtype=np.uint64), np.concatenate(starts), size, size)] if starts else []
    values += [h for _, h in short]
    owner_parts = owners + [np.full(h.size, d, dtype=np.intp) for d, h in short]
    sig = np.full((len(texts), bins), EMPTY, dtype=np.uint64)
    if not values:
        return sig
    value, owner = np.concatenate(values), np.concatenate(owner_parts)
    shift = np.uint64(64 - (bins.bit_length() - 1))
    flat = sig.reshape(-1)  # a view: each text's row, each bin's minimum value
    np.minimum.at(flat, owner * bins + (value >> shift).astype(np.intp), value & ((np.uint64(1) << shift) - np.uint64(1)))
    return _densify(sig)


def _densify(sig: Signatures) -> Signatures:
    """Fill empty bins from each bin's fixed sequence of donor bins (rows with no value at all stay empty)."""
    empty = sig == EMPTY
    rows = np.flatnonzero(empty.any(axis=1) & ~empty.all(axis=1))
    if rows.size == 0:
        return sig
    bins = sig.shape[1]
    donors = _donors(bins)
    sub, hole = sig[rows], empty[rows]
    usable = ~hole[:, donors]  # (rows, bins, tries): which donors of each bin have a value
    pick = donors[np.arange(bins), usable.argmax(axis=2)]  # (rows, bins): the first usable donor
    fill = hole & usable.any(axis=2)
    sub[fill] = np.take_along_axis(sub, pick, axis=1)[fill]
    for r in np.flatnonzero((hole & ~fill).any(axis=1)):  # very short texts: the next filled bin to the right
        filled = np.flatnonzero(~hole[r])
        rest = np.flatnonzero(hole[r] & ~fill[r])
        sub[r, rest] = sub[r, filled[np.searchsorted(filled, rest) % filled.size]]
    dense = sig.copy()
    dense[rows] = sub
    return dense


def signature(text: str, *, size: int = 5, bins: int = 128, cache: WordHashes | None = None) -> Signature:
    """The densified one-permutation MinHash sketch of one text (`bins` values; all EMPTY when it has no words)."""
    return signatures([text], size=size, bins=bins, cache=cache)[0]


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of two sketches: the share of bins that agree (0.0 for empty texts)."""
    if a[0] == EMPTY or b[0] == EMPTY:  # densified sketches are empty only when the text has no words
        return 0.0
    return int(np.count_nonzero(a == b)) / a.size


def candidate_pairs(signatures: dict[str, Signature], *, bands: int) -> set[tuple[str, str]]:
    """Pairs of doc ids that share all values of at least one band (sorted pairs)."""
    buckets: dict[tuple[int, bytes], list[str]] = defaultdict(list)
    for doc_id in sorted(signatures):
        sig = signatures[doc_id]
        if sig[0] == EMPTY:
            continue
        raw, width = sig.tobytes(), sig.nbytes // bands
        for band in range(bands):
            buckets[(band, raw[band * width : (band + 1) * width])].append(doc_id)
    pairs: set[tuple[str, str]] = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        if len(members) <= _BUCKET_ALL_PAIRS:
            pairs.update((a, b) for i, a in enumerate(members) for b in members[i + 1 :])
        else:
            pairs.update(zip(members, members[1:], strict=False))
    return pairs


def near_duplicates(
    docs: Iterable[DocumentText], *, threshold: float = 0.7, size: int = 5, bins: int = 128, bands: int = 32
) -> dict[str, NearDuplicate]:
    """Copies among `docs`, keyed by doc id; the original of a cluster is its earliest (then lowest id) document."""
    by_id = {d.doc_id: d for d in docs}
    ids = list(by_id)
    matrix = signatures([by_id[i].text for i in ids], size=size, bins=bins)
    sigs = {doc_id: matrix[row] for row, doc_id in enumerate(ids)}
    parent = {doc_id: doc_id for doc_id in by_id}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    best: dict[tuple[str, str], float] = {}
    for a, b in sorted(candidate_pairs(sigs, bands=bands)):
        sim = similarity(sigs[a], sigs[b])
        if sim >= threshold:
            best[(a, b)] = sim
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    clusters: dict[str, list[str]] = defaultdict(list)
    for doc_id in by_id:
        clusters[find(doc_id)].append(doc_id)
    out: dict[str, NearDuplicate] = {}
    for members in clusters.values():
        if len(members) < 2:
            continue
        original = min(members, key=lambda d: (by_id[d].published or "9999", d))
        for doc_id in members:
            if doc_id != original:
                pair = (min(doc_id, original), max(doc_id, original))
                sim = best.get(pair, similarity(sigs[doc_id], sigs[original]))
                out[doc_id] = NearDuplicate(doc_id, original, round(sim, 4))
    return out
