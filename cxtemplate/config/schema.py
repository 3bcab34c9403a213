"""The parameters of one engagement: a strict pydantic v2 schema.

A consultant writes one YAML file per organisation (see ``params/demo.yaml`` for the fully
commented worked example). :func:`cxtemplate.config.loader.load_config` reads it, validates it
against the models below (unknown keys are errors) and runs the cross-field checks that need
the file system or the environment. Nothing else in the package reads the YAML.

Paths in the file are relative to the params file. Secrets never appear in it: an SQL source
names the *environment variable* that holds its connection URL.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    field_validator,
    model_validator,
)

from cxtemplate.vocabulary import CX_COVARIATES, METRIC_KINDS, PII_KINDS, ROLES, TABLES, TEXT_SECTORS


class Strict(BaseModel):
    """Base for every section: unknown keys are errors, values are immutable after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --------------------------------------------------------------------------- organisation


class Organisation(Strict):
    """Who the engagement is for and which period the report covers."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$",
                    description="Short identifier, lower case; names the report folder.")
    name: str = Field(min_length=1)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$",
                                 description="ISO 4217 code; leave it out when unknown: amounts are then shown "
                                             "without a currency, and the pages say so.")
    frequency: Literal["month", "quarter"] = "month"
    start: dt.date | None = Field(default=None, description="First day of the analysis window.")
    as_of: dt.date | None = Field(
        default=None, description="Analysis date: end of the window; later-dated rows are quarantined as future. "
                                  "Leave it out for tenure-based data with no calendar dates.")
    baseline: str | None = Field(default=None, description="Baseline period for trends, e.g. '2024-06' or '2024Q2'.")

    @model_validator(mode="after")
    def _window(self) -> Organisation:
        if self.as_of is None:
            given = [k for k in ("start", "baseline") if getattr(self, k) is not None]
            if given:
                raise ValueError(f"{' and '.join(given)} need as_of: without an analysis date the data are "
                                 "tenure-based, with no calendar dates to start from or compare with")
            return self
        if self.start is not None and self.start >= self.as_of:
            raise ValueError(f"start ({self.start}) must be before as_of ({self.as_of})")
        if self.baseline is not None:
            pattern = r"^\d{4}-(0[1-9]|1[0-2])$" if self.frequency == "month" else r"^\d{4}Q[1-4]$"
            if not re.match(pattern, str(self.baseline)):
                example = "2024-06" if self.frequency == "month" else "2024Q2"
                raise ValueError(f"baseline '{self.baseline}' is not a {self.frequency} like '{example}'")
            if str(self.baseline) > (self.as_of.strftime("%Y-%m") if self.frequency == "month"
                                     else f"{self.as_of.year}Q{(self.as_of.month - 1) // 3 + 1}"):
                raise ValueError(f"baseline {self.baseline} is after as_of {self.as_of}")
        return self


# --------------------------------------------------------------------------- sources


class IdRule(Strict):
    """How identifiers (customer, response, agent ids …) are normalised before they are compared and joined.

    Identifiers are always read as text, so ``00123`` keeps its zeros. A CRM that writes ``C00123`` and a
    survey tool that writes `` c00123`` match once both are stripped and upper-cased: ``{strip: true,
    case: upper}``. The rule is applied to every id column of the tables it covers.
    """

    strip: bool = Field(default=True, description="Remove spaces around the id.")
    case: Literal["keep", "upper", "lower"] = Field(default="keep", description="Upper- or lower-case every id.")
    leading_zeros: Literal["keep", "strip"] = Field(
        default="keep", description="strip: 00123 → 123, for a system that pads ids and one that does not.")
    # not stripped: a space is one of the characters to delete
    remove: Annotated[str, StringConstraints(strip_whitespace=False)] = Field(
        default="", description="Characters deleted from every id, e.g. ' -' for 'C 001-23'.")

    def apply(self, ids):
        """The normalised ids of a pandas Series of text ids (missing values stay missing)."""
        out = ids
        if self.remove:
            out = out.str.replace(f"[{re.escape(self.remove)}]", "", regex=True)
        if self.strip:
            out = out.str.strip()
        if self.case != "keep":
            out = out.str.upper() if self.case == "upper" else out.str.lower()
        if self.leading_zeros == "strip":
            out = out.str.replace(r"^0+(?=.)", "", regex=True)
        return out


# --------------------------------------------------------------------------- where: row filters

WHERE_OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "in", "not in")
"""The comparisons of a ``where:`` condition (a value alone means ``==``, a list alone means ``in``)."""

WHERE_ORDERED = ("<", "<=", ">", ">=")
"""The comparisons that need numbers or dates."""

_WHERE_ALIASES = {"=": "==", "is": "==", "is not": "!=", "<>": "!=", "not_in": "not in", "notin": "not in",
                  "≠": "!=", "≤": "<=", "≥": ">="}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$")


def _where_scalar(column: str, op: str, value: Any) -> Any:
    if isinstance(value, (dict, list, tuple, set)) or value is None:
        what = "no value" if value is None else f"a {type(value).__name__}"
        raise ValueError(f"{column}: '{op}' needs a value (text, a number, true/false or a date), got {what}")
    if isinstance(value, float) and value != value:
        raise ValueError(f"{column}: '{op}' cannot compare with NaN")
    if op in WHERE_ORDERED:
        if isinstance(value, bool) or (isinstance(value, str) and not _ISO_DATE.match(value.strip())):
            raise ValueError(f"{column}: '{op}' compares numbers or dates, got {value!r}")
    return value.strip() if isinstance(value, str) else value


def normalise_where(where: Any) -> dict[str, dict[str, Any]]:
    """A ``where:`` filter in its one written-out form: column → {operator: value}.

    The small language every row filter of the params speaks (``sources.<table>.where``,
    ``objectives[].where``, ``churn.cohorts``); it is read here and evaluated by
    :func:`cxtemplate.data.where.where_mask` (plain comparisons, never ``eval``). A filter is a mapping
    of column names to conditions, and a row is kept when **every** condition holds:

    * ``contract: Month-to-month`` — equal (text is compared as written, numbers as numbers);
    * ``payment_method: [Electronic check, Mailed check]`` — one of the listed values;
    * ``internet_service: {"!=": "No"}``, ``tenure: {">=": 12, "<": 24}``, ``plan: {not in: [Basic]}`` — the
      operators of :data:`WHERE_OPERATORS` (``<`` ``<=`` ``>`` ``>=`` on numbers or dates only); several on
      one column must all hold.

    A row whose value is missing matches no condition (not even ``!=``).

    Raises
    ------
    ValueError
        Naming the column and the condition that cannot be read.
    """
    if where is None:
        return {}
    if not isinstance(where, dict):
        raise ValueError("must be a mapping of column: condition, e.g. {contract: Month-to-month}")
    out: dict[str, dict[str, Any]] = {}
    for column, condition in where.items():
        if not isinstance(column, str) or not column.strip():
            raise ValueError(f"column names must be text, got {column!r}")
        column = column.strip()
        if isinstance(condition, dict):
            if not condition:
                raise ValueError(f"{column}: the condition is empty; give e.g. {{'>=': 12}} or a value")
            ops: dict[str, Any] = {}
            for op, value in condition.items():
                key = " ".join(str(op).split()).lower()
                key = _WHERE_ALIASES.get(key, key)
                if key not in WHERE_OPERATORS:
                    raise ValueError(f"{column}: unknown operator {str(op)!r}; use one of "
                                     + ", ".join(repr(o) for o in WHERE_OPERATORS))
                if key in ("in", "not in"):
                    values = list(value) if isinstance(value, (list, tuple)) else [value]
                    if not values:
                        raise ValueError(f"{column}: '{key}' needs at least one value")
                    ops[key] = [_where_scalar(column, key, v) for v in values]
                elif isinstance(value, (list, tuple)):
                    raise ValueError(f"{column}: '{key}' compares with one value, got a list; use 'in' for several")
                else:
                    ops[key] = _where_scalar(column, key, value)
        elif isinstance(condition, (list, tuple)):
            if not condition:
                raise ValueError(f"{column}: an empty list matches nothing; list the values to keep")
            ops = {"in": [_where_scalar(column, "in", v) for v in condition]}
        else:
            ops = {"==": _where_scalar(column, "==", condition)}
        out[column] = ops
    return out


Where = Annotated[dict[str, dict[str, Any]], BeforeValidator(normalise_where)]
"""A row filter of the params (see :func:`normalise_where`)."""


class Source(Strict):
    """One input table: a file (CSV, Parquet, Excel) or an SQL query, and how its columns map.

    ``columns`` maps *canonical* names (left) to the source's own column names (right);
    canonical columns not listed are looked up under their own name. Source columns that are
    neither mapped nor listed in ``keep`` are dropped, so personal data does not travel by accident.
    """

    file: Path | None = None
    format: Literal["csv", "parquet", "excel"] | None = None
    sheet: str | int | None = Field(default=None, description="The sheet's name, or its position counting from 0.")
    header_row: int = Field(default=1, ge=1, le=1000,
                            description="The row holding the column names (1 = the first row), when title rows sit above it.")
    encoding: str = "utf-8"
    # not stripped: a tab is a delimiter, not whitespace to tidy away
    delimiter: Annotated[str, StringConstraints(strip_whitespace=False, min_length=1)] | None = None
    sql: str | None = None
    url_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    columns: dict[str, str] = Field(default_factory=dict)
    keep: list[str] = Field(default_factory=list)
    recode: dict[str, dict[Any, Any]] = Field(default_factory=dict)
    missing: dict[str, list[Any]] = Field(default_factory=dict)
    date_format: str | None = None
    tenure_unit: Literal["day", "week", "month", "year"] = "day"
    kpi_columns: list[str] = Field(default_factory=list)
    ids: IdRule | None = Field(default=None, description="How this source's ids are normalised (default: the top-level `ids`).")
    where: Where = Field(default_factory=dict, description="Keep only the rows that match, e.g. {country: UK} or "
                         "{contract: {'!=': Two year}}; columns are the table's (mapped or kept) or the file's own.")
    id: Literal["row_number"] | None = Field(
        default=None, description="row_number: the export has no id column, so each row's number in the file "
                                  "(1 = the first data row; blank lines are not counted) is its id. Customers only, "
                                  "and only when no survey or conversation joins on a real customer id.")

    @model_validator(mode="after")
    def _one_origin(self) -> Source:
        if (self.file is None) == (self.sql is None):
            raise ValueError("give exactly one of 'file' or 'sql'")
        if self.sql is not None and self.url_env is None:
            raise ValueError("an 'sql' source needs 'url_env', the environment variable holding the connection URL")
        if self.file is not None and self.url_env is not None:
            raise ValueError("'url_env' only applies to 'sql' sources")
        return self

    @property
    def kind(self) -> str:
        """``"csv"``, ``"parquet"``, ``"excel"`` or ``"sql"``."""
        if self.sql is not None:
            return "sql"
        if self.format:
            return self.format
        suffix = self.file.suffix.lower() if self.file else ""
        return {".parquet": "parquet", ".pq": "parquet", ".xlsx": "excel", ".xlsm": "excel",
                ".xls": "excel"}.get(suffix, "csv")


ROW_NUMBER_KEYS = {"customers": "customer_id"}
"""The tables whose key ``id: row_number`` may generate, and that key (surveys and conversations are numbered
when they have no id of their own; a maturity respondent answers on several rows, so a row is no respondent)."""


class Sources(Strict):
    """The organisation's exports. Any table may be absent; the notebooks say so and go on."""

    customers: Source | None = None
    responses: Source | None = None
    interactions: Source | None = None
    operations: Source | None = None
    maturity_answers: Source | None = None

    def configured(self) -> dict[str, Source]:
        """The configured sources by canonical table name."""
        return {t: s for t in TABLES if (s := getattr(self, t)) is not None}


# --------------------------------------------------------------------------- metrics


def _check_scale(scale: tuple[int, int], success_min: int | None) -> None:
    lo, hi = scale
    if lo >= hi:
        raise ValueError(f"scale must be [low, high] with low < high, got [{lo}, {hi}]")
    if success_min is not None and not lo < success_min <= hi:
        raise ValueError(f"success_min {success_min} must lie in ({lo}, {hi}]")


class NPSMetric(Strict):
    """Net Promoter Score: % promoters (9–10) − % detractors (0–6) on the 0–10 question."""

    enabled: bool = True
    target_margin: float = Field(default=10.0, gt=0, description="Margin of error (± NPS points) a reported cell (segment × period) should reach.")


class CSATMetric(Strict):
    """Customer satisfaction: top-box share or mean on a configurable scale."""

    enabled: bool = True
    method: Literal["top2box", "mean"] = "top2box"
    scale: tuple[int, int] = (1, 5)
    success_min: int | None = Field(default=None, description="Lowest score counted as satisfied (default: top two on a 5-point scale, top three on 7).")
    target_margin: float = Field(default=5.0, gt=0, description="Margin of error (± percentage points, or ± scale points for a mean).")

    @model_validator(mode="after")
    def _scale(self) -> CSATMetric:
        _check_scale(self.scale, self.success_min)
        return self


class CESMetric(Strict):
    """Customer effort: mean or %-agree on a 1–5 or 1–7 scale (higher = easier)."""

    enabled: bool = True
    method: Literal["mean", "pct_agree"] = "mean"
    scale: tuple[int, int] = (1, 7)
    success_min: int | None = Field(default=None, description="Lowest score counted as 'agree' (default: top three on 7, top two on 5).")
    target_margin: float = Field(default=0.25, gt=0, description="Margin of error (± scale points for a mean, ± percentage points for %-agree).")

    @model_validator(mode="after")
    def _scale(self) -> CESMetric:
        _check_scale(self.scale, self.success_min)
        return self


BUILT_IN_METRICS = ("nps", "csat", "ces")
"""The metrics every engagement may switch on; ``metrics.extra`` declares any further ones."""


class ExtraMetric(Strict):
    """A further survey metric beside NPS, CSAT and CES, e.g. a CSAT asked on 1–10 in one channel.

    Its ``key`` names it everywhere in the params (objectives, alerts, ``drivers.outcome``) and in the
    artifacts; its scores are the responses' ``column`` (mapped like any canonical column).
    """

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="Lower-case name, e.g. csat10.")
    column: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{0,63}$",
                               description="Canonical responses column holding the scores (default: the key).")
    kind: Literal[METRIC_KINDS]
    scale: tuple[int, int]
    success_min: int | None = Field(default=None, description="Lowest score counted as a success (top_box only).")
    label: str | None = Field(default=None, description="Longer name for charts, e.g. 'Satisfaction (1–10)'.")
    name: str | None = Field(default=None, max_length=24, description="Short name in tables (default: the key in capitals).")
    enabled: bool = True
    target_margin: float = Field(default=5.0, gt=0, description="Margin of error a reported cell should reach, in the metric's units.")

    @model_validator(mode="after")
    def _definition(self) -> ExtraMetric:
        _check_scale(self.scale, self.success_min)
        if self.kind == "nps" and tuple(self.scale) != (0, 10):
            raise ValueError(f"kind nps is defined on the 0–10 scale, got {list(self.scale)}")
        if self.kind == "top_box" and self.success_min is None:
            raise ValueError("kind top_box needs success_min, the lowest score counted as a success")
        if self.kind != "top_box" and self.success_min is not None:
            raise ValueError(f"success_min applies to kind top_box only, not {self.kind}")
        if self.key in BUILT_IN_METRICS:
            raise ValueError(f"key {self.key!r} is a built-in metric; configure it under metrics.{self.key}")
        return self

    @property
    def score_column(self) -> str:
        """The canonical responses column of the scores."""
        return self.column or self.key


class Drivers(Strict):
    """Driver rating columns of the responses table, explained against an outcome metric."""

    columns: list[str] = Field(default_factory=list)
    scale: tuple[int, int] = (0, 10)
    outcome: str = Field(default="nps", description="Key of the metric the drivers explain (nps, csat, ces or an extra metric).")
    labels: dict[str, str] = Field(default_factory=dict, description="Plain-language names for driver columns.")

    @model_validator(mode="after")
    def _scale(self) -> Drivers:
        _check_scale(self.scale, None)
        if len(set(self.columns)) != len(self.columns):
            raise ValueError("driver columns are listed twice")
        return self


class Metrics(Strict):
    """Which CX metrics are computed and how they are defined (printed wherever shown)."""

    nps: NPSMetric = NPSMetric()
    csat: CSATMetric = CSATMetric()
    ces: CESMetric = CESMetric()
    extra: list[ExtraMetric] = Field(default_factory=list, description="Further survey metrics, each with its own key.")
    drivers: Drivers = Drivers()
    confidence: float = Field(default=0.95, gt=0.5, lt=1.0)

    @model_validator(mode="after")
    def _keys(self) -> Metrics:
        keys = [m.key for m in self.extra]
        if len(set(keys)) != len(keys):
            raise ValueError(f"metrics.extra lists a key twice: {sorted({k for k in keys if keys.count(k) > 1})}")
        columns = [m.score_column for m in self.extra]
        clash = sorted({c for c in columns if columns.count(c) > 1} | (set(columns) & set(BUILT_IN_METRICS)))
        if clash:
            raise ValueError(f"metrics.extra: two metrics read the same column {clash}; give each its own column")
        names = [(m.name or m.key.upper()) for m in self.extra]
        taken = sorted({n for n in names if names.count(n) > 1} | ({n.upper() for n in names} & {"NPS", "CSAT", "CES"}))
        if taken:
            raise ValueError(f"metrics.extra: the short name {', '.join(taken)} is used twice (tables and charts "
                             "label metrics by it); give each metric its own name")
        return self

    def keys(self, *, enabled_only: bool = True) -> list[str]:
        """The metric keys, built-in first then the extra ones in their order (enabled ones by default)."""
        built = [k for k in BUILT_IN_METRICS if getattr(self, k).enabled or not enabled_only]
        return built + [m.key for m in self.extra if m.enabled or not enabled_only]

    def score_columns(self) -> dict[str, str]:
        """Metric key → the canonical responses column of its scores, for every enabled metric."""
        out = {k: k for k in BUILT_IN_METRICS if getattr(self, k).enabled}
        return out | {m.key: m.score_column for m in self.extra if m.enabled}


# --------------------------------------------------------------------------- maturity, objectives


class Maturity(Strict):
    """The maturity model (a packaged name or a YAML file) and the stage the organisation aims for."""

    model: str = "forrester_six_disciplines"
    target_stage: int = Field(default=3, ge=1, le=10)


class Objective(Strict):
    """A business goal tied to a CX metric, a target, a deadline and an owner."""

    id: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    goal: str
    metric: str = Field(description="Key of the metric: nps, csat, ces or one of metrics.extra.")
    target: float
    deadline: dt.date
    owner: str
    where: Where = Field(default_factory=dict, description="Restrict to some responses, e.g. {location: Leeds}.")


# --------------------------------------------------------------------------- churn


COHORT_OUTCOME_COLUMNS = ("tenure", "tenure_days", "end_date", "churned")
"""Columns that record the outcome of survival analysis; a cohort chosen by them selects on the outcome."""


class SaveRate(Strict):
    """The share of at-risk customers a retention call keeps: an assumption, stated on the action plan."""

    rate: float = Field(default=0.2, ge=0, le=1)
    low: float = Field(default=0.1, ge=0, le=1)
    high: float = Field(default=0.3, ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> SaveRate:
        if not self.low <= self.rate <= self.high:
            raise ValueError(f"save_rate needs low <= rate <= high, got {self.low:g}, {self.rate:g}, {self.high:g}")
        return self


class Churn(Strict):
    """Survival-based churn settings."""

    enabled: bool = True
    horizon_months: int = Field(default=12, ge=1, le=60)
    covariates: list[str] = Field(default_factory=list, description="CRM columns used as covariates.")
    cx_covariates: list[Literal[CX_COVARIATES]] = Field(
        default_factory=lambda: ["nps_category"])
    revenue_per: Literal["month", "year"] = "month"
    top_customers: int = Field(default=50, ge=1)
    fit_sample_above: int = Field(default=150_000, ge=1000,
                                  description="Above this many customers the Cox model is fitted on a random sample.")
    cohorts: dict[Annotated[str, StringConstraints(min_length=1, max_length=80)], Where] = Field(
        default_factory=dict, description="Named groups of customers, each with its own Kaplan–Meier table and Cox "
                                          "model, e.g. {month-to-month with internet: {contract: Month-to-month, "
                                          "internet_service: {'!=': 'No'}}}.")
    save_rate: SaveRate = Field(default_factory=SaveRate, description="Share of at-risk customers a retention "
                                "call keeps (rate, low, high): an assumption the action plan states beside its value.")
    keep_leaking: list[str] = Field(
        default_factory=list, description="Covariates that move with tenure itself (e.g. total charges) to keep in "
                                          "the model deliberately; by default they are left out, and the page says so.")

    @model_validator(mode="after")
    def _cohorts_and_leaks(self) -> Churn:
        for name, where in self.cohorts.items():
            if not where:
                raise ValueError(f"cohort '{name}' has no condition; give e.g. {{contract: Month-to-month}}")
            outcome = [c for c in normalise_where(dict(where)) if c in COHORT_OUTCOME_COLUMNS]
            if outcome:
                raise ValueError(
                    f"cohort '{name}' is chosen by '{outcome[0]}', which is the outcome itself: customers picked for "
                    "how long they stayed (or whether they left) have survival curves true by construction (all "
                    "still there at 12 months when chosen for a tenure of 12 or more). Choose cohorts by what is "
                    "known when a customer joins: plan, contract, segment, location, start_date")
        stray = [c for c in self.keep_leaking if c not in self.covariates]
        if stray:
            raise ValueError(f"keep_leaking lists {', '.join(stray)}, which churn.covariates does not; only a "
                             "covariate can be kept")
        return self


# --------------------------------------------------------------------------- actions, governance, alerts


class CatalogueAction(Strict):
    """A standard action the consultant can propose, matched to findings it addresses."""

    id: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    title: str
    addresses: list[str] = Field(min_length=1, description="Finding keys, e.g. 'driver:speed_of_service', 'topic', 'location_drop', 'churn_risk'.")
    effort: Literal["low", "medium", "high"] = "medium"
    owner: str
    lead_time_days: int = Field(default=90, ge=1)


class Owner(Strict):
    """A person accountable for actions, by role key."""

    name: str
    title: str | None = None


class Governance(Strict):
    """Who owns what: role keys used by objectives, actions and alerts."""

    owners: dict[str, Owner] = Field(default_factory=dict)
    default_owner: str | None = None
    followup_owner: str | None = Field(default=None, description="Role that calls detractors back (the inner loop).")
    retention_owner: str | None = Field(default=None, description="Role that contacts at-risk customers.")

    @model_validator(mode="after")
    def _default(self) -> Governance:
        for key in ("default_owner", "followup_owner", "retention_owner"):
            role = getattr(self, key)
            if role is not None and role not in self.owners:
                raise ValueError(f"{key} '{role}' is not one of the owners")
        return self

    def role_or_default(self, role: str | None) -> str:
        """The given role, else the default owner, else the first owner ('' when there are none)."""
        return role or self.default_owner or next(iter(self.owners), "")


class AlertRule(Strict):
    """A rule evaluated on the latest period, e.g. a location's NPS drops significantly."""

    id: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    metric: str = Field(description="Key of the metric: nps, csat, ces or one of metrics.extra.")
    condition: Literal["significant_drop", "below", "above"]
    threshold: float | None = None
    by: str | None = Field(default=None, description="Evaluate per level of this column (e.g. location).")
    owner: str

    @model_validator(mode="after")
    def _threshold(self) -> AlertRule:
        if self.condition in ("below", "above") and self.threshold is None:
            raise ValueError(f"condition '{self.condition}' needs a threshold")
        return self




class TextAspect(Strict):
    """An aspect of the comments: what customers write about, found by its seed terms."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="Stable key, e.g. parking.")
    name: str | None = Field(default=None, max_length=80, description="What a reader sees, e.g. Parking.")
    terms: list[Annotated[str, StringConstraints(min_length=1, max_length=80)]] = Field(
        min_length=1, description="Words (bill), prefixes (charg*), phrases (car park) or both-in-a-sentence (lost & bag*).")
    complaint: str | None = Field(default=None, max_length=80, description="Name of its complaint side.")
    praise: str | None = Field(default=None, max_length=80, description="Name of its praise side.")

    @field_validator("terms")
    @classmethod
    def _terms(cls, v: list[str]) -> list[str]:
        for term in v:
            for part in term.split("&"):
                words = part.split()
                if not words or any(w.strip("*") == "" or "*" in w.rstrip("*") for w in words):
                    raise ValueError(f"term {term!r}: each side of '&' needs words, '*' only at a word's end")
        return v


class TextAnalysis(Strict):
    """How comments are read: the aspect taxonomy, when an aspect counts as mixed, and discovery of new aspects."""

    taxonomy: str | None = Field(default=None, description="A shipped sector taxonomy (" + ", ".join(TEXT_SECTORS)
                                 + "), a taxonomy YAML file (relative to this file), or null for the common aspects.")
    aspects: list[TextAspect] = Field(default_factory=list, description="Aspects of your own; one with a shipped id replaces it.")
    mixed_share: float = Field(default=0.2, gt=0, le=0.5, description="An aspect whose smaller polarity holds this "
                               "share of its sentences is reported as its praise and complaint sides.")
    discover: bool = Field(default=True, description="Search the sentences no aspect matches for new aspects.")
    stop_words: list[str] = Field(default_factory=list, description="Words discovery ignores, e.g. your brand.")

    @field_validator("taxonomy")
    @classmethod
    def _taxonomy(cls, v: str | None) -> str | None:
        if v is not None and v not in TEXT_SECTORS and not v.endswith((".yaml", ".yml")):
            raise ValueError(f"'{v}' is neither a sector ({', '.join(TEXT_SECTORS)}) nor a .yaml file")
        return v

    @model_validator(mode="after")
    def _unique(self) -> TextAnalysis:
        ids = [a.id for a in self.aspects]
        if len(set(ids)) != len(ids):
            raise ValueError("an aspect id is listed twice")
        return self


class ReportingWindows(Strict):
    """The periods each kind of figure covers (``None``: all the data); printed beside every figure using it."""

    cards: int | None = Field(default=1, ge=1, description="Headline cards of the index and the executive summary.")
    locations: int | None = Field(default=3, ge=1, description="Location (scorecard) comparisons with the rest.")
    objectives: int | None = Field(default=3, ge=1, description="The current value of each objective.")
    drivers: int | None = Field(default=None, ge=1, description="Key-driver models and their ratings.")
    topics: int | None = Field(default=None, ge=1, description="Comment topics and their impact.")


class Reporting(Strict):
    """How results are shown: small-cell suppression, redaction, roles, output folder, windows and labels."""

    min_n: int = Field(default=30, ge=1)
    windows: ReportingWindows = ReportingWindows()
    labels: dict[Annotated[str, StringConstraints(min_length=1, max_length=120)],
                 Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(
        default_factory=dict, description="Display labels of columns and variables, e.g. "
                                          "{unresolved_contacts: Unresolved contacts, store_id: Store}; a level as "
                                          "'column=level'. Shown instead of the column name on every page.")
    redact_pii: bool = True
    roles: list[Literal[ROLES]] = Field(default_factory=lambda: list(ROLES))
    manager_scorecards_by: str | None = "location"
    output_dir: Path = Path("../reports")
    cell_timeout_seconds: int = Field(default=900, ge=10)
    seed: int = 20251231


class RedactionPattern(Strict):
    """A pattern of the client's own personal data, e.g. their policy or membership numbers."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$", description="What it is, e.g. policy_number; counted under this name.")
    pattern: str = Field(min_length=1, max_length=500, description="A Python regular expression, e.g. 'POL-\\d{8}'.")
    placeholder: str | None = Field(default=None, max_length=40, description="What replaces a match (default: [name]).")

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        try:
            compiled = re.compile(v)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        if compiled.search("") is not None:
            raise ValueError("matches the empty string, so it would match everywhere")
        return v


class Privacy(Strict):
    """What integration redacts from free text (comments) before anything is stored or shown."""

    kinds: list[Literal[PII_KINDS]] = Field(default_factory=lambda: list(PII_KINDS),
                                            description="Kinds to redact (default: all of them).")
    patterns: list[RedactionPattern] = Field(default_factory=list, description="The client's own identifiers, redacted first.")
    keep: list[str] = Field(default_factory=list, description="Names and words never redacted as a name "
                            "(staff first names, brand or product names), e.g. [Northwind, Aria].")


class Quality(Strict):
    """When data that passed row by row still stop the run: too much set aside, or tables that barely join."""

    max_quarantined_share: float = Field(
        default=0.05, ge=0, le=1,
        description="A table with more of its rows quarantined (and at least ten of them) stops the run.")
    join_warning_below: float = Field(
        default=0.9, ge=0, le=1,
        description="Below this share of responses (or conversations) matching a CRM customer, every page using the join says so.")
    join_error_below: float = Field(
        default=0.5, ge=0, le=1, description="Below this share the run stops: the ids most likely do not match.")

    @model_validator(mode="after")
    def _order(self) -> Quality:
        if self.join_error_below > self.join_warning_below:
            raise ValueError(f"join_error_below ({self.join_error_below:g}) must not exceed join_warning_below "
                             f"({self.join_warning_below:g})")
        return self


# --------------------------------------------------------------------------- the whole file


class Config(Strict):
    """One engagement's parameters, validated. Build it with :func:`cxtemplate.config.loader.load_config`."""

    organisation: Organisation
    data_root: Path | None = Field(default=None, description="Folder every source must lie in (default: the params file's parent folder's parent).")
    sources: Sources
    ids: IdRule = Field(default_factory=IdRule, description="How ids are normalised in every source (a source's own `ids` wins).")
    quality: Quality = Quality()
    metrics: Metrics = Metrics()
    segments: list[str] = Field(default_factory=list)
    maturity: Maturity = Maturity()
    objectives: list[Objective] = Field(default_factory=list)
    churn: Churn = Churn()
    actions: list[CatalogueAction] = Field(default_factory=list)
    governance: Governance = Governance()
    alerts: list[AlertRule] = Field(default_factory=list)
    reporting: Reporting = Reporting()
    privacy: Privacy = Privacy()
    text: TextAnalysis = TextAnalysis()

    _params_path: Path | None = PrivateAttr(default=None)

    @field_validator("segments")
    @classmethod
    def _segments_unique(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("a segment column is listed twice")
        return v

    # -- paths ------------------------------------------------------------
    @property
    def params_path(self) -> Path:
        """Absolute path of the params file this config was read from."""
        if self._params_path is None:
            raise RuntimeError("Config was not loaded from a file")
        return self._params_path

    @property
    def base_dir(self) -> Path:
        """Folder of the params file; relative paths resolve against it."""
        return self.params_path.parent

    def resolve(self, path: Path | str) -> Path:
        """Resolve a path from the params file (relative paths are relative to its folder)."""
        p = Path(path).expanduser()
        return (p if p.is_absolute() else self.base_dir / p).resolve()

    @property
    def root(self) -> Path:
        """The engagement folder every source must lie in."""
        if self.data_root is not None:
            return self.resolve(self.data_root)
        return self.base_dir.parent.resolve()

    @property
    def output_dir(self) -> Path:
        """Folder holding ``<org>/<run_id>/`` report folders."""
        return self.resolve(self.reporting.output_dir)

    # -- convenience ------------------------------------------------------
    @property
    def org_id(self) -> str:
        """The organisation id."""
        return self.organisation.id

    def has(self, table: str) -> bool:
        """Whether a canonical table is configured."""
        return getattr(self.sources, table) is not None

    def owner_label(self, role: str) -> str:
        """'Name (Title)' for a governance role key, or the key itself when unknown."""
        o = self.governance.owners.get(role)
        if o is None:
            return role
        return f"{o.name} ({o.title})" if o.title else o.name

    def metric_range(self, key: str) -> tuple[float, float] | None:
        """The range of a metric's reported value (NPS −100…100, a share 0…100, a mean its scale); ``None`` if unknown."""
        m = self.metrics
        if key == "nps":
            return (-100.0, 100.0)
        if key in ("csat", "ces"):
            metric = getattr(m, key)
            share = metric.method in ("top2box", "pct_agree")
            return (0.0, 100.0) if share else (float(metric.scale[0]), float(metric.scale[1]))
        extra = next((e for e in m.extra if e.key == key), None)
        if extra is None:
            return None
        return {"nps": (-100.0, 100.0), "top_box": (0.0, 100.0)}.get(extra.kind, (float(extra.scale[0]),
                                                                                 float(extra.scale[1])))

    @property
    def display_labels(self) -> dict[str, str]:
        """Column → label for :mod:`cxtemplate.report.labels`: the drivers' labels, then ``reporting.labels`` (which win)."""
        return {**self.metrics.drivers.labels, **self.reporting.labels}

    def period_freq(self) -> str:
        """The pandas period alias of the reporting frequency ('M' or 'Q')."""
        return "M" if self.organisation.frequency == "month" else "Q"

    def summary(self) -> str:
        """One line describing the engagement, for ``cxtemplate validate``."""
        src = ", ".join(self.sources.configured()) or "no sources"
        metrics = self.metrics.keys()
        when = (f"as of {self.organisation.as_of}" if self.organisation.as_of is not None
                else "no calendar dates (no as_of)")
        return (f"organisation '{self.organisation.id}' ({self.organisation.name}), {when}: sources {src}; metrics {', '.join(metrics) or 'none'}; "
                f"{len(self.metrics.drivers.columns)} drivers, {len(self.objectives)} objectives, "
                f"{len(self.actions)} catalogue actions")


def slug(text: str) -> str:
    """A filesystem-safe lower-case slug, e.g. for a location name in a page file name."""
    s = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    return s or "x"


def unique_slugs(levels) -> dict[str, str]:
    """A distinct file name for each level: its slug, with a short hash of the level where the slug loses it.

    A plain name (ASCII letters and digits, single spaces or hyphens: ``"North West"``) keeps its slug
    (``north-west``) when no other level has the same. Any other (``"St. Albans"``, ``"Zürich"``, ``"東京"``)
    and every level whose slug another level shares gets ``slug-<8 hex digits of its SHA-256>``, so
    ``"St. Albans"`` and ``"St Albans"`` never overwrite each other's page.

    Parameters
    ----------
    levels : iterable of str

    Returns
    -------
    dict
        Level → file name stem, distinct for distinct levels.
    """
    import hashlib
    from collections import Counter

    levels = list(dict.fromkeys(str(v) for v in levels))
    plain = {lv: slug(lv) for lv in levels}
    counts = Counter(plain.values())

    def hashed(lv: str, digits: int = 8) -> str:
        return f"{plain[lv]}-{hashlib.sha256(lv.encode('utf-8')).hexdigest()[:digits]}"

    out = {lv: plain[lv] if counts[plain[lv]] == 1 and re.fullmatch(r"[A-Za-z0-9]+([ -][A-Za-z0-9]+)*", lv)
           else hashed(lv) for lv in levels}
    taken = Counter(out.values())
    for lv in levels:  # a plain name equal to another's hashed one, or two hashes alike: the full hash decides
        if taken[out[lv]] > 1:
            out[lv] = hashed(lv, 64)
    return out
