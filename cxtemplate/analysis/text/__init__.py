"""What customers write: aspects from a taxonomy and their polarity, discovered topics, their impact, sentiment,
and their charts.
"""

__all__ = ["aspects", "impact", "naming", "plots", "polarity", "select", "sentiment", "taxonomy", "topics"]
