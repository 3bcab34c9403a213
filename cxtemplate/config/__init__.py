"""The parameters of an engagement: the pydantic schema of the params YAML and its loader.

Layer 1: imports nothing of ours but :mod:`cxtemplate.errors`.
"""

__all__ = ["loader", "schema"]
