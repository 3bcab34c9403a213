"""Data: reading the client's sources, the canonical data model, integration, privacy and data quality.

Layer 1: imports :mod:`cxtemplate.config` (and the base layer: errors, report).
"""

__all__ = ["files", "integrate", "pii_patterns", "privacy", "quality", "schemas", "sources", "spreadsheet", "where"]
