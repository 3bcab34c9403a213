"""Does what the params say about each metric fit the data and the targets? Warnings for ``cxtemplate validate``.

Two mistakes pass every check of the schema and still give wrong pages:

* a **scale that does not fit the data**: CSAT declared on 1–10 while the export holds 1–5 answers (every
  score then counts as dissatisfied), or NPS exported on 1–11 (the run stops on it: integration refuses
  answers outside the declared scale, :func:`cxtemplate.data.integrate.quarantine_gate`; validate says so first);
* a **threshold written for another definition** of the metric: an objective of CSAT 4.2 (a mean on 1–5)
  while CSAT is defined as a top-2-box percentage. A threshold outside the metric's range altogether (an NPS
  target of 250, CES 75 on a 1–7 mean) is a validation error of the params, not a warning.

The unused top of a scale may be right (the data may be thin), so it is a warning, printed by
``cxtemplate validate`` and repeated on notebook 00.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxtemplate.config.schema import Config
from cxtemplate.errors import CxError
from cxtemplate.measure.spec import MetricSpec, fmt_number, specs_from_config

MIN_ANSWERS = 30
"""Below this many numeric answers the data say too little about the scale to warn."""


def threshold_warnings(cfg: Config) -> list[str]:
    """Objective targets and alert thresholds that read as another definition of their metric.

    Parameters
    ----------
    cfg : Config

    Returns
    -------
    list of str
        One sentence per suspicious value, naming the objective or alert, its value and the metric's definition.
    """
    specs = specs_from_config(cfg.metrics)
    values = [(f"objective {o.id!r} (target)", o.metric, o.target) for o in cfg.objectives]
    values += [(f"alert {a.id!r} (threshold)", a.metric, a.threshold) for a in cfg.alerts if a.threshold is not None]
    out = []
    for where, key, value in values:
        spec = specs.get(key)
        if spec is not None and (reading := _other_definition(spec, float(value))):
            out.append(f"{where}: {fmt_number(value)} {reading}, but {spec.name} is defined as {_units(spec)}; "
                       f"write it in those units")
    return out


def _units(spec: MetricSpec) -> str:
    lo, hi = spec.scale
    if spec.kind == "nps":
        return "NPS points (−100 to 100)"
    if spec.kind == "top_box":
        return f"the percentage answering {fmt_number(spec.success_min)}–{fmt_number(hi)} (0 to 100)"
    return f"a mean score on {fmt_number(lo)}–{fmt_number(hi)}"


def _other_definition(spec: MetricSpec, v: float) -> str | None:
    """How ``v`` reads when it does not fit ``spec``'s units (``None`` when it fits)."""
    lo, hi = spec.scale
    if spec.kind == "nps":
        if not -100 <= v <= 100:
            return "is outside the NPS range"
        if 0 < v <= 10 and not float(v).is_integer():
            return "looks like a mean likelihood-to-recommend score on 0–10"
        return None
    if spec.kind == "top_box":
        if not 0 <= v <= 100:
            return "is not a percentage"
        if 0 < v < 1:
            return "looks like a share (write 80 for 80%)"
        if lo <= v <= hi and not float(v).is_integer():
            return f"looks like a mean score on the {fmt_number(lo)}–{fmt_number(hi)} scale"
        return None
    if not lo <= v <= hi:
        return "lies outside the scale" + (", like a percentage" if 0 <= v <= 100 else "")
    return None


def scale_warnings(cfg: Config, *, min_answers: int = MIN_ANSWERS) -> list[str]:
    """Metrics whose answers use only part of the declared scale, or fall outside it.

    Reads only the metric columns of the responses source (after its ``missing`` and ``recode`` rules).
    A survey scale's top answer is always used by some respondents; when no answer reaches it, the
    question was most likely asked on a shorter scale.

    Parameters
    ----------
    cfg : Config
    min_answers : int
        Metrics with fewer numeric answers are not judged.

    Returns
    -------
    list of str
        One sentence per metric that does not fit, with the range the data use.
    """
    from cxtemplate.data.integrate import apply_value_rules
    from cxtemplate.data.schemas import parse_labelled_scores
    from cxtemplate.data.sources import read_source, source_columns

    src = cfg.sources.responses
    if src is None or src.sql is not None:  # a query may be costly: its scales are checked when the run integrates it
        return []
    specs = specs_from_config(cfg.metrics)
    try:
        available = source_columns("responses", src, cfg)
    except CxError as exc:
        return [f"the responses could not be read to check the metric scales: {exc}"]
    wanted = {key: src.columns.get(spec.column, spec.column) for key, spec in specs.items()}
    wanted = {key: col for key, col in wanted.items() if col in available}
    if not wanted:
        return []
    try:
        frame = read_source("responses", src, cfg, sorted(set(wanted.values()))).frame
    except CxError as exc:
        return [f"the responses could not be read to check the metric scales: {exc}"]
    # the rules (missing values, recodes) are written for the canonical names, as integration applies them
    frame = apply_value_rules(pd.DataFrame({specs[key].column: frame[col] for key, col in wanted.items()}),
                              src.missing, src.recode)
    out = []
    for key, column in wanted.items():
        spec = specs[key]
        raw = frame[spec.column]
        numbers = pd.to_numeric(raw, errors="coerce")
        if numbers.isna().any() and not pd.api.types.is_numeric_dtype(raw):  # "10 - Extremely likely" → 10
            numbers = numbers.fillna(parse_labelled_scores(raw.astype("string").str.strip()))
        values = numbers.to_numpy(float)
        values = values[~np.isnan(values)]
        if len(values) < min_answers:
            continue
        if (text := _scale_fit(spec, values)) is not None:
            out.append(f"{spec.name} ({key}, source column '{column}'): {text}")
    return out


def _scale_fit(spec: MetricSpec, values: np.ndarray) -> str | None:
    from cxtemplate.data.integrate import GATE_MIN_ROWS, OUTSIDE_SHARE

    lo, hi = spec.scale
    seen_lo, seen_hi = float(values.min()), float(values.max())
    scale = f"{fmt_number(lo)}–{fmt_number(hi)}"
    outside = int(((values < lo) | (values > hi)).sum())
    if outside and outside >= OUTSIDE_SHARE * len(values):
        share = 100 * outside / len(values)
        stops = "the run will stop on them" if outside >= GATE_MIN_ROWS else "they would be quarantined"
        return (f"{outside:,} of {len(values):,} answers ({share:.1f}%) lie outside the declared {scale} scale "
                f"(the data run from {fmt_number(seen_lo)} to {fmt_number(seen_hi)}); {stops}. "
                f"Check the scale in the params")
    if seen_hi < hi:
        return (f"no answer reaches the top of the declared {scale} scale (the data run from {fmt_number(seen_lo)} "
                f"to {fmt_number(seen_hi)}): was the question asked on {fmt_number(lo)}–{fmt_number(seen_hi)}?")
    return None


def definition_warnings(cfg: Config) -> list[str]:
    """Every warning of this module: thresholds first, then scales."""
    return threshold_warnings(cfg) + scale_warnings(cfg)
