"""Driver-analysis problems with a known structure, shared by the driver tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def random_problem(seed: int, n: int = 300, p: int = 5) -> tuple[pd.DataFrame, list[str]]:
    """``(frame, drivers)``: ``p`` correlated normal drivers ``d0…`` and an outcome ``y`` linear in them plus noise."""
    rng = np.random.default_rng(seed)
    L = rng.normal(size=(p, p)) * 0.6 + np.eye(p)
    X = rng.normal(size=(n, p)) @ L
    y = X @ rng.normal(size=p) + rng.normal(scale=2.0, size=n)
    df = pd.DataFrame(X, columns=[f"d{i}" for i in range(p)]).assign(y=y)
    return df, [f"d{i}" for i in range(p)]
