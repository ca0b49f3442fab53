"""Load an events file from `newsclaims corroborate` into the `events` and `event_claims` tables.

An events file is a full snapshot of a grouping, so loading replaces every event row in one transaction.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ...errors import NewsclaimsError
from . import DEFAULT_URL, connect


def _event_row(e: dict[str, Any], dumps: Any) -> tuple[Any, ...]:
    time = e.get("time") or {}
    union, common = time.get("union") or {}, time.get("intersection") or {}
    place = e.get("place") or {}
    return (
        e["event_id"], e.get("schema_version", 1), e["claim_type"], bool(e.get("negated")), e["claim_count"],
        e["article_count"], e["source_count"], place.get("id"), place.get("name"), time.get("basis"),
        union.get("from"), union.get("to"), common.get("from"), common.get("to"), e.get("figures_agree"), dumps(e),
    )  # fmt: skip


def load_events(events_path: str | Path, db_url: str = DEFAULT_URL) -> int:
    """Replace the database's events with those of `events_path`; returns the number of events loaded."""
    path = Path(events_path)
    if not path.exists():
        raise NewsclaimsError("E405", path=path, detail="no such file")
    events = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise NewsclaimsError("E404", path=path, line=lineno, detail=f"not JSON ({err.msg})") from err
    with connect(db_url) as db, db.transaction():
        db.execute("DELETE FROM event_claims")
        db.execute("DELETE FROM events")
        placeholders = ", ".join(["?"] * 16)
        db.executemany(
            "INSERT INTO events (event_id, schema_version, claim_type, negated, claim_count, article_count, "
            "source_count, place_id, place_name, time_basis, time_from, time_to, time_common_from, time_common_to, "
            f"figures_agree, record) VALUES ({placeholders})",
            [_event_row(e, _dumps) for e in events],
        )
        db.executemany(
            "INSERT INTO event_claims (event_id, claim_id, position, doc_id, outlet, source, via, cites, "
            "republication_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (e["event_id"], c["claim_id"], i, c["doc_id"], c.get("outlet"), c.get("source"), c.get("via"),
                 c.get("cites"), c.get("republication_of"))
                for e in events for i, c in enumerate(e.get("claims", []))
            ],
        )  # fmt: skip
    return len(events)


def _dumps(value: Any) -> str:
    """JSON text (SQLite stores it as TEXT; PostgreSQL casts it to jsonb)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
