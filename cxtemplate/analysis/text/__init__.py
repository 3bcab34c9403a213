"""What customers write: aspects from a taxonomy and their polarity, discovered topics, their impact, sentiment, effort and anger,
and their charts.
"""

__all__ = ["aspects", "impact", "naming", "plots", "polarity", "select", "sentiment", "signals", "taxonomy", "topics"]
