"""The synthetic organisation with its ground truth (``truth.json``): the foundation of the correctness tests.
"""

__all__ = ["churn_sim", "constants", "io", "ops", "organisation", "spec", "survey", "text", "truth"]
