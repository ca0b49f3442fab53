"""NLP stage: the spaCy pipeline, its components and the pattern pack they compile."""
