"""Claims stage: turn an annotated Doc into claim records (pure functions, no I/O)."""

from .build import extract_claims

__all__ = ["extract_claims"]
