"""Measurement: metric specifications, metrics with intervals, grouping, tests, trends, segments and metric design.

Layer 2, pure: frames in, results out. No config, no store, no run.
"""

__all__ = ["design", "docs", "grouping", "inference", "metrics", "segments", "spec", "trend_test", "trends", "windows"]
