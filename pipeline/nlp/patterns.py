"""Load, validate and compile the pattern pack in `patterns/` into a plain, serialisable dict."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path
from typing import Any

from ..errors import NewsclaimsError

PHRASE_LABELS = ("PROVINCE", "COUNTY", "PLACE", "AGENCY")
LABEL_FILES = {
    "provinces.jsonl": "PROVINCE",
    "counties.jsonl": "COUNTY",
    "places.jsonl": "PLACE",
    "agencies.jsonl": "AGENCY",
    "vehicles.jsonl": "VEHICLE",
    "goods.jsonl": "GOODS",
}
SUFFIXES: dict[str, tuple[str, ...]] = {
    "PROVINCE": (" Province", "-do", " do"),
    "COUNTY": (
        " County",
        "-gun",
        "-kun",
        " gun",
        " kun",
        " City",
        "-si",
        "-shi",
        " District",
        "-guyok",
        "-kuyok",
        "-kuyŏk",
        "-guyeok",
    ),
    "AGENCY": (
        " agents",
        " agent",
        " officers",
        " officer",
        " officials",
        " official",
        " personnel",
        " inspectors",
        " inspector",
        " guards",
        " agency",
        " authorities",
        " investigators",
        " operatives",
        " staff",
        " employees",
        " workers",
        " members",
        " cadres",
    ),
    "PLACE": (),
    "GOODS": (),
}
_FOLD = str.maketrans({"ŏ": "o", "ŭ": "u", "Ŏ": "O", "Ŭ": "U", "ǒ": "o", "ǔ": "u", "Ǒ": "O", "Ǔ": "U", "é": "e", "ë": "e"})
_BREVE_TO_CARON = str.maketrans({"ŏ": "ǒ", "ŭ": "ǔ", "Ŏ": "Ǒ", "Ŭ": "Ǔ"})
_APOSTROPHES = ("'", "’", "‘", "ʼ", "`")


def default_patterns_dir() -> Path:
    """The pattern pack of the checkout this package runs from (`patterns/` beside `pipeline/`)."""
    return Path(__file__).resolve().parents[2] / "patterns"


def pack_sha256(directory: Path) -> str:
    """sha256 over the pack's data files, in name order (recorded in every manifest)."""
    h = hashlib.sha256()
    for path in sorted(directory.iterdir()):
        if path.suffix in (".jsonl", ".json") and path.is_file():
            h.update(path.name.encode())
            h.update(b"\0")
            h.update(path.read_bytes())
    return h.hexdigest()


def _read_jsonl(path: Path) -> list[tuple[int, dict[str, Any]]]:
    rows = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            raise NewsclaimsError("E004", path=path, line=lineno, detail=f"not JSON ({err.msg})") from err
        if not isinstance(obj, dict):
            raise NewsclaimsError("E004", path=path, line=lineno, detail="not a JSON object")
        rows.append((lineno, obj))
    return rows


def spelling_variants(alias: str) -> set[str]:
    """An alias plus its breve/caron/ASCII and apostrophe variants (Ch'ŏngjin -> Chŏngjin, Chongjin, ...)."""
    out = {alias, alias.translate(_BREVE_TO_CARON), alias.translate(_FOLD)}
    for form in list(out):
        for apo in _APOSTROPHES:
            if apo in form:
                out.add(form.replace(apo, ""))
                for other in _APOSTROPHES:
                    out.add(form.replace(apo, other))
    return {unicodedata.normalize("NFC", v) for v in out if v.strip()}


def _alias_phrases(label: str, alias: Any, path: Path, lineno: int) -> list[str]:
    if isinstance(alias, str):
        text, require_suffix = alias, False
    elif isinstance(alias, dict) and isinstance(alias.get("text"), str):
        text, require_suffix = alias["text"], bool(alias.get("require_suffix", False))
    else:
        raise NewsclaimsError("E004", path=path, line=lineno, detail=f"alias {alias!r} is neither a string nor {{text: ...}}")
    phrases: list[str] = []
    for variant in spelling_variants(text):
        if not require_suffix:
            phrases.append(variant)
        phrases.extend(variant + suffix for suffix in SUFFIXES[label])
    if require_suffix and not SUFFIXES[label]:
        raise NewsclaimsError("E004", path=path, line=lineno, detail=f"require_suffix on a {label} alias, which has no suffixes")
    return phrases


def compile_pack(directory: Path | None = None) -> dict[str, Any]:
    """Read every pattern file, check it, and return the compiled pack (JSON-serialisable)."""
    directory = Path(directory) if directory is not None else default_patterns_dir()
    if not directory.is_dir() or not any(directory.glob("*.jsonl")):
        raise NewsclaimsError("E005", path=directory)
    entries: dict[str, dict[str, Any]] = {}
    phrases: list[list[str]] = []
    vehicles: dict[str, Any] = {"heads": {}, "modifiers": {}, "brands": [], "models": {}}
    for filename, label in LABEL_FILES.items():
        path = directory / filename
        if not path.exists():
            continue
        for lineno, obj in _read_jsonl(path):
            for key in ("id", "name"):
                if not isinstance(obj.get(key), str) or not obj[key]:
                    raise NewsclaimsError("E004", path=path, line=lineno, detail=f"missing string field '{key}'")
            if obj.get("label", label) != label:
                raise NewsclaimsError("E004", path=path, line=lineno, detail=f"label {obj.get('label')!r} in the {label} file")
            entry_id = obj["id"]
            if label == "VEHICLE" and "brands" in obj:
                vehicles["brands"].extend(obj["brands"])
                continue
            if entry_id in entries:
                raise NewsclaimsError("E004", path=path, line=lineno, detail=f"duplicate id {entry_id!r}")
            attrs = obj.get("attrs", {})
            if not isinstance(attrs, dict):
                raise NewsclaimsError("E004", path=path, line=lineno, detail="'attrs' must be an object")
            entries[entry_id] = {"label": label, "name": obj["name"], "attrs": attrs}
            if label == "VEHICLE":
                _compile_vehicle(obj, vehicles)
                continue
            aliases = obj.get("aliases")
            if not isinstance(aliases, list) or not aliases:
                raise NewsclaimsError("E004", path=path, line=lineno, detail="'aliases' must be a non-empty list")
            for alias in aliases:
                phrases.extend([label, entry_id, p, ""] for p in _alias_phrases(label, alias, path, lineno))
            for former in obj.get("former_names", []):
                phrases.extend([label, entry_id, p, "former"] for p in _alias_phrases(label, former, path, lineno))
    for entry_id, entry in entries.items():
        parent = entry["attrs"].get("parent")
        if parent and parent not in entries:
            raise NewsclaimsError("E004", path=directory, line=0, detail=f"{entry_id} has unknown parent {parent!r}")
    guards = json.loads((directory / "guards.json").read_text(encoding="utf-8"))
    quantities = json.loads((directory / "quantities.json").read_text(encoding="utf-8"))
    claims = json.loads((directory / "claims.json").read_text(encoding="utf-8"))
    sanctions = [obj for _, obj in _read_jsonl(directory / "sanctions.jsonl")]
    # Deduplicate phrases: the first entry to claim a spelling keeps it (files are read in a fixed order);
    # a lower-case spelling of the same entry wins over a capitalised one (it matches in any case).
    seen: dict[tuple[str, str], int] = {}
    unique: list[list[str]] = []
    for row in phrases:
        spelling = (row[0], row[2].lower())
        if spelling in seen:
            kept = unique[seen[spelling]]
            if kept[1] == row[1] and kept[2][:1].isupper() and not row[2][:1].isupper():
                unique[seen[spelling]] = row
            continue
        seen[spelling] = len(unique)
        unique.append(row)
    return {
        "sha256": pack_sha256(directory),
        "entries": entries,
        "phrases": unique,
        "vehicles": vehicles,
        "guards": guards,
        "quantities": quantities,
        "claims": claims,
        "sanctions": sanctions,
    }


def _compile_vehicle(obj: dict[str, Any], vehicles: dict[str, Any]) -> None:
    for head in obj.get("heads", []):
        vehicles["heads"][head.lower()] = obj["id"]
    for mod in obj.get("modifiers", []):
        vehicles["modifiers"].setdefault(mod.lower(), []).append(obj["id"])
    for model in obj.get("models", []):
        vehicles["models"][model.lower()] = obj["id"]
