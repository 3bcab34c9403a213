"""What customers write: comment topics, their impact, sentiment, and their charts.
"""

__all__ = ["impact", "naming", "plots", "select", "sentiment", "topics"]
