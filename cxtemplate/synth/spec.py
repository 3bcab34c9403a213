"""What to simulate: :class:`SynthSpec`, the demo organisation's spec and its JSON form."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from cxtemplate.synth.constants import LOCATIONS


@dataclass(frozen=True)
class SynthSpec:
    """What to simulate. Every field has a default; the defaults are the demo organisation.

    Parameters
    ----------
    customers : int
        Number of customers (all start within the window); ``dirty`` adds a few corrupt extra rows.
    seed : int
        Seed of the random streams; same spec → byte-identical output.
    months : int
        Length of the data window in calendar months, ending with the month of ``end``.
    end : str
        Last day of the data window (ISO date) and the analysis as-of date.
    responses_per_customer_year : float
        Rate of the ongoing survey stream per customer-year (about 3 responses per customer in the demo,
        with the onboarding survey).
    onboarding_survey_share : float
        Share of new customers who answer an onboarding survey within their first 40 days.
    interactions_per_customer_year : float
        Rate of conversations per customer-year.
    n_locations : int
        Number of locations (1–16 UK cities).
    anonymous_share : float
        Share of survey responses without a customer_id.
    dirty : bool
        Inject a small, counted number of data-quality problems (recorded in ``truth``).
    plant_step : bool
        Plant a permanent drop in one location's satisfaction from ``step_month``.
    step_month : str or None
        ``YYYY-MM``; default: the tenth-last month of the window (2025-03 for the demo).
    step_location : str or None
        Location name; default: the third location (Birmingham).
    step_effect : float
        Shift of the satisfaction latent (0–10 scale) from the step month on.
    maturity_model : str
        Name of a maturity model in ``cxtemplate/plan/maturity_models``.
    maturity_respondents : tuple of (role, count)
        Questionnaire respondents by role.
    fmt : str
        ``"csv"`` or ``"parquet"``: the default format of :func:`write_organisation`.
    """

    customers: int = 5000
    seed: int = 20251231
    months: int = 36
    end: str = "2025-12-31"
    responses_per_customer_year: float = 2.0
    onboarding_survey_share: float = 0.45
    interactions_per_customer_year: float = 1.5
    n_locations: int = 8
    anonymous_share: float = 0.12
    dirty: bool = True
    plant_step: bool = True
    step_month: str | None = None
    step_location: str | None = None
    step_effect: float = -0.6
    maturity_model: str = "forrester_six_disciplines"
    maturity_respondents: tuple = (("executive", 3), ("manager", 4), ("frontline", 6))
    fmt: str = "csv"

    def __post_init__(self) -> None:
        problems = []
        if self.customers < 1:
            problems.append("customers must be at least 1")
        if self.months < 2:
            problems.append("months must be at least 2")
        if not 1 <= self.n_locations <= len(LOCATIONS):
            problems.append(f"n_locations must be 1..{len(LOCATIONS)}")
        if self.fmt not in ("csv", "parquet"):
            problems.append("fmt must be 'csv' or 'parquet'")
        if not 0 <= self.anonymous_share < 1:
            problems.append("anonymous_share must be in [0, 1)")
        if self.step_location is not None and self.step_location not in [x[0] for x in LOCATIONS[: self.n_locations]]:
            problems.append(f"step_location {self.step_location!r} is not one of the {self.n_locations} locations")
        if problems:
            raise ValueError("invalid SynthSpec: " + "; ".join(problems))


DEMO_SPEC = SynthSpec(customers=5000, seed=20251231)


def spec_dict(spec: SynthSpec) -> dict:
    """The spec as JSON-ready values."""
    d = dataclasses.asdict(spec)
    d["maturity_respondents"] = [list(x) for x in spec.maturity_respondents]
    return d
