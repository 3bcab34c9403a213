"""Experience analysis (notebook 04): drivers, operational links, conversations, root cause, coaching, comments.

Layer 3: imports :mod:`cxtemplate.measure` and below, never :mod:`cxtemplate.churn`, :mod:`cxtemplate.plan`
or :mod:`cxtemplate.run`.
"""

__all__ = ["comments", "conversations", "driver_math", "drivers", "experience", "key_drivers", "latest_change", "levers",
           "linkage", "opening", "page", "people", "plots", "rootcause", "text"]
