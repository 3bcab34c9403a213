"""Running engagements: the notebooks' session and store, the runner, provenance, the notebook graph,
kernels, the cluster seam and progress.

Layer 4: above the analyses; only :mod:`cxtemplate.cli` imports it.
"""

__all__ = ["batch", "definitions", "distributed", "graph", "kernels", "progress", "provenance", "runner", "session", "store"]
