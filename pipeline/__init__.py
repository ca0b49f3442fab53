"""newsclaims: evidence-grade claim records from news articles."""
__version__ = "0.1.0"
