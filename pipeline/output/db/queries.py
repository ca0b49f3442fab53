"""The example queries of docs/databases.md, runnable: `python -m pipeline.output.db.queries DB_URL [NAME]`.

The same SQL runs unchanged on SQLite and PostgreSQL; a test checks each one appears verbatim in the docs.
"""

from __future__ import annotations

import sys
from typing import Any

from ...errors import NewsclaimsError
from . import DEFAULT_URL, connect

EXAMPLES: dict[str, tuple[str, str]] = {
    "claims_per_county_month": (
        "Claims per county and month",
        """SELECT place_name AS county, claim_month AS month, claims
FROM claims_by_place_month
WHERE place_label = 'COUNTY'
ORDER BY COALESCE(claim_month, '') DESC, claims DESC, county""",
    ),
    "trucks_in_ryanggang_since_2024": (
        "All claims about trucks in Ryanggang Province since 2024",
        """SELECT DISTINCT cd.claim_id, cd.claim_date, cd.claim_type, cd.sentence_text, cd.url
FROM claim_details AS cd
JOIN claim_items AS i ON i.claim_id = cd.claim_id
JOIN claim_locations AS l ON l.claim_id = cd.claim_id
WHERE i.item_class = 'truck'
  AND l.province_id = 'KP-10'
  AND cd.claim_date >= '2024-01-01'
ORDER BY cd.claim_date, cd.claim_id""",
    ),
    "vehicles_by_province_month": (
        "Vehicles by province and month (claims, and the counts they state)",
        """SELECT province_id, claim_month, vehicle_class, SUM(claims) AS claims,
       SUM(vehicles_stated) AS vehicles_stated
FROM vehicle_counts
WHERE place_label = 'PROVINCE' OR place_label = 'COUNTY'
GROUP BY province_id, claim_month, vehicle_class
ORDER BY COALESCE(claim_month, '') DESC, COALESCE(province_id, ''), vehicle_class""",
    ),
    "agencies_enforcing": (
        "Which agencies enforce, per claim type",
        """SELECT a.canonical_name AS agency, c.claim_type, COUNT(*) AS claims
FROM claim_agencies AS a
JOIN claims AS c ON c.claim_id = a.claim_id
WHERE a.role = 'enforcer' AND c.is_current
GROUP BY a.canonical_name, c.claim_type
ORDER BY claims DESC, agency, c.claim_type""",
    ),
    "sanctioned_items": (
        "Claims naming items banned by a UN Security Council resolution",
        """SELECT s.resolution, s.paragraph, s.item, cd.claim_date, cd.sentence_text
FROM claim_sanctions AS s
JOIN claim_details AS cd ON cd.claim_id = s.claim_id
ORDER BY s.resolution, COALESCE(cd.claim_date, ''), cd.claim_id, s.position""",
    ),
    "review_progress": (
        "Review progress per reviewer",
        """SELECT reviewer, decision, COUNT(*) AS claims
FROM claim_review_status
GROUP BY reviewer, decision
ORDER BY reviewer, decision""",
    ),
    "load_history": (
        "What each load did",
        """SELECT r.load_id, r.run_name, r.finished_at, c.table_name, c.inserted, c.updated, c.unchanged,
       c.deleted, c.retired
FROM load_runs AS r
JOIN load_counts AS c ON c.load_id = r.load_id
WHERE c.table_name IN ('documents', 'mentions', 'claims')
ORDER BY r.load_id, c.table_name""",
    ),
}


def run_query(db_url: str, sql: str, *, limit: int | None = None) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and rows (at most `limit`) of one query."""
    with connect(db_url, create=False) as db:
        cursor = db.execute(sql)
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchmany(limit) if limit else cursor.fetchall()
    return columns, [tuple(r) for r in rows]


def format_table(columns: list[str], rows: list[tuple[Any, ...]], *, width: int = 60) -> str:
    """A plain-text table, each cell cut to `width` characters."""
    cells = [[("" if v is None else str(v))[:width] for v in row] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print an example query's first rows (default: claims per county and month)."""
    args = sys.argv[1:] if argv is None else argv
    db_url = args[0] if args else DEFAULT_URL
    name = args[1] if len(args) > 1 else "claims_per_county_month"
    if name not in EXAMPLES:
        print(f"Unknown query {name!r}; choose one of: {', '.join(EXAMPLES)}", file=sys.stderr)
        return 2
    title, sql = EXAMPLES[name]
    try:
        columns, rows = run_query(db_url, sql, limit=15)
    except NewsclaimsError as err:
        print(err, file=sys.stderr)
        return 1
    print(f"{title}:\n{format_table(columns, rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
