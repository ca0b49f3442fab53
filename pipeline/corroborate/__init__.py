"""Corroboration: group claims about the same event across articles and count independent sources."""

from __future__ import annotations

from .api import CorroborationResult, CorroborationSummary, corroborate_records, corroborate_runs, evaluate_events
from .config import CorroborationConfig

__all__ = [
    "CorroborationConfig",
    "CorroborationResult",
    "CorroborationSummary",
    "corroborate_records",
    "corroborate_runs",
    "evaluate_events",
]
