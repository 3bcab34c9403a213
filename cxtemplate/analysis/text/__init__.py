"""What customers write: comment topics, their impact, sentiment, and their charts.
"""

__all__ = ["impact", "plots", "select", "sentiment", "topics"]
