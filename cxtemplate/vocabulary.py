"""The names every layer shares: canonical tables, report roles, metric kinds, NPS bands, CX covariates.

One definition of each, here at the base of the package (this module imports nothing), so that the
params schema, the measurement layer and the analyses agree without importing one another.
"""

TABLES = ("customers", "responses", "interactions", "operations", "maturity_answers")
"""The canonical tables, in the order integration builds them."""

ROLES = ("executive", "manager", "analyst")
"""The readers a notebook is written for; the report's index groups its pages by these."""

METRIC_KINDS = ("nps", "top_box", "mean")
"""How a metric is computed from its scores: Net Promoter Score, a top-box share, or a mean."""

NPS_PROMOTER_MIN = 9
"""Scores of 9–10 are promoters."""

NPS_DETRACTOR_MAX = 6
"""Scores of 0–6 are detractors (7–8 are passives)."""

NPS_LEVELS = ("promoter", "passive", "detractor", "none_yet")
"""NPS categories of the churn model, ``none_yet`` for customers not yet surveyed."""

CX_COVARIATES = ("nps_category", "ces", "unresolved_contacts", "negative_contacts")
"""The experience covariates the churn model builds from surveys and contacts (time-varying)."""

PII_KINDS = ("url", "email", "national_id", "account", "card", "phone", "address", "postcode", "name")
"""The kinds of personal data redaction finds in free text, in the order it replaces them
(:mod:`cxtemplate.data.privacy`); the params' ``privacy.kinds`` is a subset."""

TEXT_SECTORS = ("retail", "utilities", "telecoms", "travel", "banking")
"""The sectors whose comment taxonomy ships with cxtemplate (each adds its aspects to the common ones)."""
