"""Extraction: spaCy components and the plain-Python normalisers (no Dagster here)."""
