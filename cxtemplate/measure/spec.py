"""What a CX metric is: its specification (:class:`MetricSpec`), its plain-language definition, and the
constants of the interval methods (the adjusted-Wald pseudo-counts, the normal critical value).

Every other module of :mod:`cxtemplate.measure` computes *with* a spec; this one only says what it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from cxtemplate.errors import check_choice
from cxtemplate.vocabulary import METRIC_KINDS, NPS_DETRACTOR_MAX, NPS_PROMOTER_MIN

__all__ = ["AW_ADD_CATEGORY", "AW_ADD_N", "DEFAULT_METHOD", "INTERVAL_METHODS", "METHOD_TEXT", "METRIC_KINDS",
           "NPS_DETRACTOR_MAX", "NPS_PROMOTER_MIN", "MetricSpec", "ces_spec", "csat_spec", "fmt_number", "nps_spec",
           "specs_from_config", "z_value"]

# Rocks (2016) adjusted Wald: pseudo-observations added to promoters and detractors, and to n.
AW_ADD_CATEGORY = 0.75
AW_ADD_N = 3.0

DEFAULT_METHOD = {"nps": "adjusted_wald", "top_box": "wilson", "mean": "t"}
INTERVAL_METHODS = {"nps": ("adjusted_wald", "wald"), "top_box": ("wilson", "wald"), "mean": ("t",)}
METHOD_TEXT = {
    "adjusted_wald": "by the adjusted-Wald method (Rocks 2016)",
    "wald": "by the Wald method",
    "wilson": "Wilson",
    "t": "t",
}


def fmt_number(x: float) -> str:
    """A scale point or threshold as written in definitions: ``5``, ``0.5``, ``1e+06`` (``%g``)."""
    return f"{x:g}"


def z_value(conf: float) -> float:
    """Two-sided normal critical value for confidence level ``conf`` (1.959964 for 0.95)."""
    if not 0 < conf < 1:
        raise ValueError(f"conf must be between 0 and 1, got {conf}")
    return float(stats.norm.ppf(0.5 + conf / 2))


@dataclass(frozen=True)
class MetricSpec:
    """What a CX metric is and how it is computed.

    Parameters
    ----------
    name : str
        Short name shown in tables, e.g. ``"NPS"``, ``"CSAT"``, ``"CES"``.
    column : str
        Column of the responses table holding the scores.
    kind : {"nps", "top_box", "mean"}
        ``"nps"``: % promoters (9–10) − % detractors (0–6) on 0–10; ``"top_box"``: share of
        answers ≥ ``success_min``; ``"mean"``: the mean score.
    scale : tuple of (float, float)
        Lowest and highest valid score, e.g. ``(1, 5)``.
    success_min : float, optional
        Lowest score counted as a success (top-box kinds only).
    label : str, optional
        Longer name for charts, e.g. ``"Customer satisfaction (CSAT)"``.
    note : str, optional
        A reading hint appended to the definition, e.g. ``"higher = easier"``.
    """

    name: str
    column: str
    kind: str
    scale: tuple[float, float]
    success_min: float | None = None
    label: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in METRIC_KINDS:
            check_choice("kind", self.kind, METRIC_KINDS, context=f"MetricSpec {self.name!r}")
        lo, hi = self.scale
        if not lo < hi:
            raise ValueError(f"MetricSpec {self.name!r}: scale must be (low, high) with low < high")
        if self.kind == "nps" and tuple(self.scale) != (0, 10):
            raise ValueError(f"MetricSpec {self.name!r}: NPS is defined on the 0–10 scale")
        if self.kind == "top_box":
            if self.success_min is None or not lo < self.success_min <= hi:
                raise ValueError(f"MetricSpec {self.name!r}: top_box needs success_min inside "
                                 f"({fmt_number(lo)}, {fmt_number(hi)}]")

    @property
    def display(self) -> str:
        """The label if given, else the name."""
        return self.label or self.name

    @property
    def unit(self) -> str:
        """What the value axis measures, for chart subtitles."""
        lo, hi = self.scale
        if self.kind == "nps":
            return f"{self.name}, −100…100"
        if self.kind == "top_box":
            return f"{self.name}, % answering {self._box_text()}"
        return f"{self.name}, mean on {fmt_number(lo)}–{fmt_number(hi)}"

    def _box_text(self) -> str:
        lo, hi = self.scale
        s = self.success_min
        levels = np.arange(s, hi + 1) if float(s).is_integer() and float(hi).is_integer() else None
        if levels is not None and len(levels) <= 3:
            words = [fmt_number(v) for v in levels]
            return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
        return f"{fmt_number(s)}–{fmt_number(hi)}"

    def describe(self, conf: float = 0.95, method: str | None = None) -> str:
        """Plain-language definition at a given confidence level and interval method."""
        method = method or DEFAULT_METHOD[self.kind]
        pct = f"{conf * 100:g}%"
        lo, hi = self.scale
        note = f" ({self.note})" if self.note else ""
        if self.kind == "nps":
            return (f"{self.name} = % promoters (9–10) − % detractors (0–6) on the 0–10 "
                    f"likelihood-to-recommend question; {pct} interval {METHOD_TEXT[method]}")
        if self.kind == "top_box":
            k = hi - self.success_min + 1
            box = f"top-{fmt_number(k)}-box" if float(k).is_integer() else "top box"
            box = ", ".join([box] + ([self.note] if self.note else []))
            return (f"{self.name} = share answering {self._box_text()} on the {fmt_number(lo)}–{fmt_number(hi)} "
                    f"scale ({box}); {METHOD_TEXT[method]} {pct} interval")
        return f"{self.name} = mean on the {fmt_number(lo)}–{fmt_number(hi)} scale{note}; {pct} t interval"

    @property
    def definition(self) -> str:
        """Plain-language definition with the default 95% interval, for reports."""
        return self.describe()


def nps_spec(column: str = "nps", name: str = "NPS", label: str | None = "Net Promoter Score") -> MetricSpec:
    """Spec for the Net Promoter Score on the 0–10 likelihood-to-recommend question."""
    return MetricSpec(name=name, column=column, kind="nps", scale=(0, 10), label=label)


def csat_spec(method: str = "top2box", scale: tuple[float, float] = (1, 5), column: str = "csat",
              success_min: float | None = None, name: str = "CSAT") -> MetricSpec:
    """Spec for customer satisfaction.

    Parameters
    ----------
    method : {"top2box", "top_box", "mean"}
        Top-box share (default: top-2 on a 5-point scale, top-3 on a 7-point scale) or the mean.
    scale : tuple
        Lowest and highest score.
    column : str
        Score column.
    success_min : float, optional
        Overrides the top-box threshold.
    name : str
        Short name.
    """
    lo, hi = scale
    label = "Customer satisfaction (CSAT)"
    if method in ("top2box", "top_box", "topbox"):
        if success_min is None:
            success_min = hi - 1 if hi - lo + 1 <= 5 else hi - 2
        return MetricSpec(name, column, "top_box", (lo, hi), success_min=success_min, label=label)
    if method == "mean":
        return MetricSpec(name, column, "mean", (lo, hi), label=label, note="higher = more satisfied")
    check_choice("method", method, ("top2box", "top_box", "mean"), context="csat_spec")


def ces_spec(method: str = "mean", scale: tuple[float, float] = (1, 7), column: str = "ces",
             success_min: float | None = None, name: str = "CES") -> MetricSpec:
    """Spec for the Customer Effort Score (agreement that the company made it easy).

    Parameters
    ----------
    method : {"mean", "pct_agree"}
        Mean score (default) or the share agreeing (top-3, i.e. ≥ 5, on a 7-point scale;
        top-2 on a 5-point scale).
    scale : tuple
        Lowest and highest score.
    column : str
        Score column.
    success_min : float, optional
        Overrides the agreement threshold.
    name : str
        Short name.
    """
    lo, hi = scale
    label = "Customer effort (CES)"
    if method == "mean":
        return MetricSpec(name, column, "mean", (lo, hi), label=label, note="higher = easier")
    if method in ("pct_agree", "top_box"):
        if success_min is None:
            success_min = hi - 1 if hi - lo + 1 <= 5 else hi - 2
        return MetricSpec(name, column, "top_box", (lo, hi), success_min=success_min, label=label,
                          note="% agree")
    check_choice("method", method, ("mean", "pct_agree", "top_box"), context="ces_spec")


def specs_from_config(metrics) -> dict[str, MetricSpec]:
    """The enabled metric specs of a config's ``metrics`` section (``cfg.metrics``), by key.

    Reads ``nps.enabled``; ``csat``/``ces`` ``enabled``, ``method``, ``scale`` and ``success_min``; and
    each of ``extra`` (``key``, ``column``, ``kind``, ``scale``, ``success_min``, ``label``, ``name``,
    ``enabled``), in that order: built-in metrics first. Duck-typed, so any object with those attributes
    works (``extra`` may be absent).

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> cfg = NS(nps=NS(enabled=True), csat=NS(enabled=True, method="top2box", scale=(1, 5), success_min=None),
    ...          ces=NS(enabled=False), extra=[NS(key="csat10", column=None, kind="top_box", scale=(1, 10),
    ...          success_min=9, label="Satisfaction (1–10)", name=None, enabled=True)])
    >>> {k: (s.column, s.kind, s.scale, s.success_min) for k, s in specs_from_config(cfg).items()}
    {'nps': ('nps', 'nps', (0, 10), None), 'csat': ('csat', 'top_box', (1, 5), 4), 'csat10': ('csat10', 'top_box', (1, 10), 9)}
    """
    out: dict[str, MetricSpec] = {}
    if getattr(metrics.nps, "enabled", True):
        out["nps"] = nps_spec()
    for key, make in (("csat", csat_spec), ("ces", ces_spec)):
        m = getattr(metrics, key)
        if getattr(m, "enabled", True):
            out[key] = make(method=m.method, scale=tuple(m.scale), column=key, success_min=m.success_min)
    for m in getattr(metrics, "extra", None) or ():
        if getattr(m, "enabled", True):
            note = "higher = better" if m.kind == "mean" else None
            out[m.key] = MetricSpec(name=m.name or m.key.upper(), column=m.column or m.key, kind=m.kind,
                                    scale=tuple(m.scale), success_min=m.success_min, label=m.label, note=note)
    return out
