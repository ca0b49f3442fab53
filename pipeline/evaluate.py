"""Score a run directory against gold annotations: entities per label, claim detection and claim slots."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import NewsclaimsError
from .output.jsonl import read_jsonl

ENTITY_LABELS = ("PROVINCE", "COUNTY", "PLACE", "VEHICLE", "AGENCY", "QUANTITY")
SLOTS = ("claim_type", "quantity", "items", "locations", "agencies", "time", "attribution", "negated")


@dataclass
class PRF:
    """Counts for precision, recall and F1."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def scores(self) -> dict[str, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class Evaluation:
    """All scores of one run against one gold set."""

    documents: int = 0
    gold_unmatched: int = 0
    exact: dict[str, PRF] = field(default_factory=lambda: defaultdict(PRF))
    overlap: dict[str, PRF] = field(default_factory=lambda: defaultdict(PRF))
    linked: list[int] = field(default_factory=lambda: [0, 0])
    claims: PRF = field(default_factory=PRF)
    slots: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def to_dict(self) -> dict[str, Any]:
        ents = {}
        for label in ENTITY_LABELS:
            ents[label] = {"exact": self.exact[label].scores(), "overlap": self.overlap[label].scores()}
        total_exact, total_overlap = PRF(), PRF()
        for label in ENTITY_LABELS:
            for agg, src in ((total_exact, self.exact[label]), (total_overlap, self.overlap[label])):
                agg.tp += src.tp
                agg.fp += src.fp
                agg.fn += src.fn
        ents["ALL"] = {"exact": total_exact.scores(), "overlap": total_overlap.scores()}
        return {
            "documents": self.documents,
            "gold_documents_not_in_run": self.gold_unmatched,
            "entities": ents,
            "linking_accuracy": round(self.linked[0] / self.linked[1], 4) if self.linked[1] else None,
            "claims": {
                "detection": self.claims.scores(),
                "slots": {s: round(sum(v) / len(v), 4) if v else None for s, v in sorted(self.slots.items())},
            },
        }


def corpus_sha256(files: list[Path]) -> str:
    """Hash of the articles and gold files a score was measured on, so a pinned score is tied to its data."""
    h = hashlib.sha256()
    for path in sorted(files, key=lambda p: p.name):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def load_gold(gold_dir: Path) -> dict[str, dict[str, Any]]:
    """Gold annotations keyed by text sha256."""
    files = sorted(Path(gold_dir).rglob("*.gold.json"))
    if not files:
        raise NewsclaimsError("E006", path=gold_dir)
    gold: dict[str, dict[str, Any]] = {}
    for path in files:
        record = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(record, dict) or "text_sha256" not in record:
            raise NewsclaimsError("E009", path=path)
        gold[record["text_sha256"]] = record
    return gold


def evaluate_run(run_dir: str | Path, gold_dir: str | Path) -> Evaluation:
    """Compare the run's mentions and claims with the gold of every document both have."""
    run_dir = Path(run_dir)
    for name in ("documents.jsonl", "mentions.jsonl", "claims.jsonl"):
        if not (run_dir / name).exists():
            raise NewsclaimsError("E007", path=run_dir, name=name)
    gold = load_gold(Path(gold_dir))
    docs = {d["text_sha256"]: d for d in read_jsonl(run_dir / "documents.jsonl")}
    mentions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in read_jsonl(run_dir / "mentions.jsonl"):
        mentions[m["doc_id"]].append(m)
    claims: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in read_jsonl(run_dir / "claims.jsonl"):
        claims[c["doc_id"]].append(c)
    ev = Evaluation()
    for sha, g in gold.items():
        doc = docs.get(sha)
        if doc is None:
            ev.gold_unmatched += 1
            continue
        ev.documents += 1
        _score_entities(ev, g.get("entities", []), mentions[doc["doc_id"]])
        if "claims" in g:
            _score_claims(ev, doc["text"], g["claims"], claims[doc["doc_id"]])
    return ev


def _score_entities(ev: Evaluation, gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> None:
    pred = [p for p in pred if p["label"] in ENTITY_LABELS]
    gold_keys = {(g["label"], g["start"], g["end"]): g for g in gold}
    pred_keys = {(p["label"], p["start"], p["end"]): p for p in pred}
    for label in ENTITY_LABELS:
        gk = {k for k in gold_keys if k[0] == label}
        pk = {k for k in pred_keys if k[0] == label}
        ev.exact[label].tp += len(gk & pk)
        ev.exact[label].fp += len(pk - gk)
        ev.exact[label].fn += len(gk - pk)
        used: set[tuple[str, int, int]] = set()
        tp = 0
        for g in sorted(gk):
            match = next((p for p in sorted(pk) if p not in used and p[1] < g[2] and g[1] < p[2]), None)
            if match is not None:
                used.add(match)
                tp += 1
        ev.overlap[label].tp += tp
        ev.overlap[label].fp += len(pk) - tp
        ev.overlap[label].fn += len(gk) - tp
    for key in gold_keys.keys() & pred_keys.keys():
        gold_id = gold_keys[key].get("canonical")
        if gold_id and key[0] != "QUANTITY":
            ev.linked[1] += 1
            canonical = pred_keys[key].get("canonical") or {}
            ev.linked[0] += int(canonical.get("id") == gold_id)


def _locate(text: str, needle: str | None) -> tuple[int, int] | None:
    if not needle:
        return None
    i = text.find(needle)
    return (i, i + len(needle)) if i >= 0 else None


def _score_claims(ev: Evaluation, text: str, gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> None:
    used: set[int] = set()
    for g in gold:
        where = _locate(text, g.get("clause")) or _locate(text, g.get("sentence"))
        if where is None:
            ev.claims.fn += 1
            continue
        candidates = [
            (i, p)
            for i, p in enumerate(pred)
            if i not in used and p["sentence"]["span"]["start"] < where[1] and where[0] < p["sentence"]["span"]["end"]
        ]
        if not candidates:
            ev.claims.fn += 1
            continue
        i, p = max(candidates, key=lambda ip: _overlap(ip[1]["sentence"]["span"], where))
        used.add(i)
        ev.claims.tp += 1
        for slot in SLOTS:
            ev.slots[slot].append(_slot_score(slot, g, p))
    ev.claims.fp += len(pred) - len(used)


def _overlap(span: dict[str, int], where: tuple[int, int]) -> int:
    return max(0, min(span["end"], where[1]) - max(span["start"], where[0]))


def _set_f1(gold: set[str], pred: set[str]) -> float:
    if not gold and not pred:
        return 1.0
    tp = len(gold & pred)
    return 2 * tp / (len(gold) + len(pred)) if (gold or pred) else 1.0


def _slot_score(slot: str, g: dict[str, Any], p: dict[str, Any]) -> float:
    if slot == "claim_type":
        return float(g.get("claim_type") == p.get("claim_type"))
    if slot == "quantity":
        gq, pq = g.get("quantity"), p.get("quantity")
        if not gq or not pq:
            return float(not gq and not pq)
        keys = ("value", "lower", "upper")
        return float(all(_num(gq.get(k)) == _num(pq.get(k)) for k in keys))
    if slot == "items":
        return _set_f1({i["text"].lower() for i in g.get("items", [])}, {i["text"].lower() for i in p.get("items", [])})
    if slot in ("locations", "agencies"):

        def key(x: dict[str, Any]) -> str:
            c = x.get("canonical")
            return (c.get("id") if isinstance(c, dict) else c) or x["text"].lower()

        return _set_f1({key(x) for x in g.get(slot, [])}, {key(x) for x in p.get(slot, [])})
    if slot == "time":
        gt, pt = g.get("time"), p.get("time")
        if not gt or not pt:
            return float(not gt and not pt)
        return float(gt.get("from") == pt.get("from") and gt.get("to") == pt.get("to"))
    if slot == "attribution":
        return float((g.get("attribution") or {}).get("status", "asserted") == p["attribution"]["status"])
    if slot == "negated":
        return float(bool(g.get("negated")) == bool(p.get("negated")))
    raise ValueError(slot)


def _num(v: Any) -> float | None:
    return None if v is None else float(v)


def format_report(result: dict[str, Any]) -> str:
    """A plain-text table for the terminal."""
    lines = [
        f"documents scored: {result['documents']} (gold documents not in this run: {result['gold_documents_not_in_run']})",
        "",
        f"{'label':<10} {'P':>6} {'R':>6} {'F1':>6}   {'P~':>6} {'R~':>6} {'F1~':>6}   (exact | overlap)",
    ]
    for label, s in result["entities"].items():
        e, o = s["exact"], s["overlap"]
        lines.append(
            f"{label:<10} {e['precision']:>6.3f} {e['recall']:>6.3f} {e['f1']:>6.3f}   "
            f"{o['precision']:>6.3f} {o['recall']:>6.3f} {o['f1']:>6.3f}"
        )
    lines.append(f"linking accuracy (exact matches with a gold id): {result['linking_accuracy']}")
    d = result["claims"]["detection"]
    lines += [
        "",
        f"claims: P {d['precision']:.3f} R {d['recall']:.3f} F1 {d['f1']:.3f} (tp {d['tp']}, fp {d['fp']}, fn {d['fn']})",
        "slot accuracy on matched claims:",
    ]
    for slot, v in result["claims"]["slots"].items():
        lines.append(f"  {slot:<12} {'-' if v is None else f'{v:.3f}'}")
    return "\n".join(lines)
