"""Which columns the churn models may use, and the NPS category covariate.

A column whose name looks like personal data is never a covariate (:func:`is_personal`); NPS answers
enter the models as their category (:func:`nps_category`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from cxtemplate.vocabulary import NPS_DETRACTOR_MAX, NPS_PROMOTER_MIN

_PII = re.compile(r"(^|_)(name|surname|first_?name|last_?name|full_?name|e_?mail|phone|mobile|address|"
                  r"postcode|zip)(_|$)|email|phone|surname", re.IGNORECASE)


def is_personal(column: str) -> bool:
    """Whether a column name looks like personal data (name, e-mail, phone, address)."""
    return bool(_PII.search(str(column)))


def nps_category(scores) -> np.ndarray:
    """NPS category of 0–10 scores: promoter (9–10), passive (7–8), detractor (0–6); missing → None."""
    s = np.asarray(pd.to_numeric(pd.Series(scores), errors="coerce"), dtype=float)
    out = np.where(s >= NPS_PROMOTER_MIN, "promoter", np.where(s > NPS_DETRACTOR_MAX, "passive", "detractor")).astype(object)
    out[np.isnan(s)] = None
    return out
