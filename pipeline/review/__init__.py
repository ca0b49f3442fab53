"""The review page: analysts accept, reject and correct claims in a local web page; decisions are append-only.

`newsclaims review` wraps `make_server` (then `serve_forever()`); `review export` wraps `export_reviewed` and
`review stats` wraps `review_stats` and `format_stats`. `record_decision` and `undo_last` are the two writes.
"""

from __future__ import annotations

from .corrections import apply_correction, validate_correction
from .export import ExportSummary, export_reviewed
from .server import ReviewServer, make_server
from .stats import ReviewStats, cohen_kappa, format_stats, review_stats
from .store import Decision, Recorded, record_decision, undo_last

__all__ = [
    "Decision",
    "ExportSummary",
    "Recorded",
    "ReviewServer",
    "ReviewStats",
    "apply_correction",
    "cohen_kappa",
    "export_reviewed",
    "format_stats",
    "make_server",
    "record_decision",
    "review_stats",
    "undo_last",
    "validate_correction",
]
