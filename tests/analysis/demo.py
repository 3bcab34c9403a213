"""The demo organisation as notebook 04 sees it, integrated once per test session, with its planted truth.

The section tests of :mod:`cxtemplate.analysis` (``test_experience``, ``test_key_drivers``, ``test_comments``,
``test_levers``, ``test_latest_change``, ``test_people``) check their findings against
``data/demo/truth.json``; integrating the demo costs about a second, so it is done once and shared
(read-only: a test that changes a table copies it first).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@functools.lru_cache(maxsize=1)
def demo():
    """``(survey, tables, truth)``: the demo's :class:`~cxtemplate.analysis.page.Survey` (notebook 04's seed), its
    integrated canonical tables and its planted truth."""
    from cxtemplate.analysis.page import Survey
    from cxtemplate.config.loader import load_config
    from cxtemplate.data.integrate import integrate
    from cxtemplate.measure.spec import specs_from_config

    cfg = load_config(ROOT / "params" / "demo.yaml")
    tables = integrate(cfg).tables
    survey = Survey.from_config(cfg, tables["responses"], specs=specs_from_config(cfg.metrics), freq=cfg.period_freq(),
                                conf=float(cfg.metrics.confidence), seed=int(cfg.reporting.seed) + 4000)
    truth = json.loads((ROOT / "data" / "demo" / "truth.json").read_text())
    return survey, tables, truth
