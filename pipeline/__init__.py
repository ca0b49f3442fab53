"""newsclaims: evidence-grade claim records from news articles."""

from __future__ import annotations

__version__ = "0.1.0"

from .batch.runner import ExtractOptions, RunSummary, run_extract
from .errors import Errors, NewsclaimsError
from .evaluate import evaluate_run
from .extract import ExtractResult, extract_document
from .nlp.build import build_pipeline
from .types import Document, ErrorRecord, Mention

__all__ = [
    "Document",
    "ErrorRecord",
    "Errors",
    "ExtractOptions",
    "ExtractResult",
    "Mention",
    "NewsclaimsError",
    "RunSummary",
    "__version__",
    "build_pipeline",
    "evaluate_run",
    "extract_document",
    "run_extract",
]
