"""Output stage: run-directory records (JSON Lines, JSON Schemas) and databases."""
