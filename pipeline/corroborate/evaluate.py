"""Score an events file against hand-grouped gold events: pairwise and B-cubed precision, recall and F1.

Gold claims are named by selectors (`doc_id` plus a unique substring of the claim's `sentence`, and a
`clause` substring when a sentence holds two claims), so the gold does not depend on claim ids. Claims
that no gold event names are not scored. A selector that matches no claim (the extractor missed it)
counts as a claim left on its own, so it costs recall.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import NewsclaimsError
from .io import read_events


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def pairwise_scores(gold: Mapping[str, str], pred: Mapping[str, str]) -> dict[str, float | int]:
    """Precision, recall and F1 over pairs of items: a pair is positive when both are in one cluster.

    Counted from cluster sizes (pairs in a cluster of n: n(n-1)/2), so it is linear in the number of items.
    """
    cells: dict[tuple[str, str], int] = defaultdict(int)
    gold_sizes: dict[str, int] = defaultdict(int)
    pred_sizes: dict[str, int] = defaultdict(int)
    for item, g in gold.items():
        cells[(g, pred[item])] += 1
        gold_sizes[g] += 1
        pred_sizes[pred[item]] += 1

    def pairs(sizes: Iterable[int]) -> int:
        return sum(n * (n - 1) // 2 for n in sizes)

    tp = pairs(cells.values())
    return _prf(tp, pairs(pred_sizes.values()) - tp, pairs(gold_sizes.values()) - tp)


def bcubed_scores(gold: Mapping[str, str], pred: Mapping[str, str]) -> dict[str, float]:
    """B-cubed precision, recall and F1 (Bagga and Baldwin 1998), averaged over items."""
    if not gold:
        return {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    gold_sets: dict[str, set[str]] = defaultdict(set)
    pred_sets: dict[str, set[str]] = defaultdict(set)
    for item in gold:
        gold_sets[gold[item]].add(item)
        pred_sets[pred[item]].add(item)
    p = sum(len(pred_sets[pred[i]] & gold_sets[gold[i]]) / len(pred_sets[pred[i]]) for i in gold) / len(gold)
    r = sum(len(pred_sets[pred[i]] & gold_sets[gold[i]]) / len(gold_sets[gold[i]]) for i in gold) / len(gold)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def load_gold_events(path: str | Path) -> list[dict[str, Any]]:
    """The gold events of a file, checked for shape (E406)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise NewsclaimsError("E406", path=path, detail=err) from err
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list):
        raise NewsclaimsError("E406", path=path, detail="no list 'events' at the top level")
    ids: set[str] = set()
    for n, ev in enumerate(events):
        if not (isinstance(ev, dict) and isinstance(ev.get("id"), str) and isinstance(ev.get("claims"), list) and ev["claims"]):
            raise NewsclaimsError("E406", path=path, detail=f"event {n} needs a string 'id' and a non-empty 'claims' list")
        if ev["id"] in ids:
            raise NewsclaimsError("E406", path=path, detail=f"event id {ev['id']!r} appears twice")
        ids.add(ev["id"])
        for sel in ev["claims"]:
            if not (isinstance(sel, dict) and isinstance(sel.get("doc_id"), str) and isinstance(sel.get("sentence"), str)):
                raise NewsclaimsError("E406", path=path, detail=f"a claim of event {ev['id']!r} needs 'doc_id' and 'sentence'")
    return events


def _selector_text(sel: Mapping[str, Any]) -> str:
    return json.dumps({k: sel[k] for k in ("doc_id", "sentence", "clause") if k in sel}, sort_keys=True, ensure_ascii=False)


def match_selectors(
    gold_events: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]], *, where: str = "gold"
) -> dict[str, Any]:
    """Resolve every gold selector to one claim of the events (E407 when it matches several)."""
    by_doc: dict[str, list[tuple[str, Mapping[str, Any]]]] = defaultdict(list)
    for ev in events:
        for claim in ev.get("claims", []):
            by_doc[claim["doc_id"]].append((ev["event_id"], claim))
    gold: dict[str, str] = {}
    pred: dict[str, str] = {}
    unmatched: list[str] = []
    owner: dict[str, str] = {}
    for gev in gold_events:
        for sel in gev["claims"]:
            hits = [
                (eid, c)
                for eid, c in by_doc.get(sel["doc_id"], [])
                if sel["sentence"] in (c.get("sentence") or "") and sel.get("clause", "") in (c.get("clause") or "")
            ]
            text = _selector_text(sel)
            if len(hits) > 1:
                raise NewsclaimsError("E407", selector=text, count=len(hits))
            if not hits:
                unmatched.append(text)
                gold[text], pred[text] = gev["id"], "unmatched " + text
                continue
            eid, claim = hits[0]
            if claim["claim_id"] in owner:
                raise NewsclaimsError(
                    "E406", path=where, detail=f"selectors {owner[claim['claim_id']]} and {text} name the same claim"
                )
            owner[claim["claim_id"]] = text
            gold[claim["claim_id"]], pred[claim["claim_id"]] = gev["id"], eid
    return {"gold": gold, "pred": pred, "unmatched": unmatched}


def _check_expectations(
    gold_events: Sequence[Mapping[str, Any]],
    events: Sequence[Mapping[str, Any]],
    gold: Mapping[str, str],
    pred: Mapping[str, str],
) -> dict[str, Any]:
    by_id = {e["event_id"]: e for e in events}
    checked = met = 0
    failures: list[str] = []
    for gev in gold_events:
        expect = gev.get("expect")
        if not expect:
            continue
        members = sorted(k for k, v in gold.items() if v == gev["id"] and pred[k] in by_id)
        votes: dict[str, int] = defaultdict(int)
        for k in members:
            votes[pred[k]] += 1
        event = by_id[min(votes, key=lambda e: (-votes[e], e))] if votes else None
        for key, want in sorted(expect.items()):
            checked += 1
            if event is None:
                failures.append(f"{gev['id']}: no predicted event")
                continue
            got = sorted(f["text"].lower() for f in event["figures"]) if key == "figures" else event.get(key)
            want = sorted(w.lower() for w in want) if key == "figures" else want
            if got == want:
                met += 1
            else:
                failures.append(f"{gev['id']}: {key} is {got!r}, expected {want!r}")
    return {"checked": checked, "met": met, "failures": failures}


def evaluate_events(events_path: str | Path, gold_path: str | Path) -> dict[str, Any]:
    """Pairwise and B-cubed precision, recall and F1 of an events file against a gold grouping."""
    gold_events = load_gold_events(gold_path)
    events = read_events(events_path)
    matched = match_selectors(gold_events, events, where=str(gold_path))
    gold, pred = matched["gold"], matched["pred"]
    exact = 0
    for gev in gold_events:
        members = {k for k, v in gold.items() if v == gev["id"]}
        preds = {pred[k] for k in members}
        if len(preds) == 1 and {k for k, v in pred.items() if v in preds} == members:
            exact += 1
    return {
        "gold_events": len(gold_events),
        "gold_claims": len(gold),
        "matched_claims": len(gold) - len(matched["unmatched"]),
        "unmatched_selectors": matched["unmatched"],
        "pairwise": pairwise_scores(gold, pred),
        "bcubed": bcubed_scores(gold, pred),
        "events_exact": round(exact / len(gold_events), 4) if gold_events else 1.0,
        "expectations": _check_expectations(gold_events, events, gold, pred),
    }


def format_report(result: Mapping[str, Any]) -> str:
    """A short text table of the scores."""
    pw, b3 = result["pairwise"], result["bcubed"]
    lines = [
        f"gold events {result['gold_events']}, gold claims {result['gold_claims']} "
        f"({result['matched_claims']} found in the events)",
        f"pairwise   P {pw['precision']:.4f}  R {pw['recall']:.4f}  F1 {pw['f1']:.4f}  "
        f"(tp {pw['tp']}, fp {pw['fp']}, fn {pw['fn']})",
        f"B-cubed    P {b3['precision']:.4f}  R {b3['recall']:.4f}  F1 {b3['f1']:.4f}",
        f"events reproduced exactly: {result['events_exact']:.4f}",
    ]
    exp = result["expectations"]
    if exp["checked"]:
        lines.append(f"expectations met: {exp['met']}/{exp['checked']}")
        lines.extend(f"  - {f}" for f in exp["failures"])
    lines.extend(f"  not found: {s}" for s in result["unmatched_selectors"])
    return "\n".join(lines)
