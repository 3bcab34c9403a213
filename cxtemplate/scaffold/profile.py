"""Profiling a sampled export for ``cxtemplate new``: what each column's name and values look like.

A :class:`ColumnProfile` records a column's type, robust range, levels, date format and hints of
identifiers or personal data; :mod:`cxtemplate.scaffold.guess` matches the profiles against the
canonical columns.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import pandas as pd

from cxtemplate.churn.columns import NUMBER_BAND, is_personal

# strptime formats tried, in order, for dates that are not ISO 8601 (day-first before month-first:
# when the sample cannot tell them apart, the guess says so).
DATE_FORMATS = (
    "%d/%m/%Y", "%m/%d/%Y", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S",
    "%d/%m/%y", "%m/%d/%y", "%d-%m-%Y", "%m-%d-%Y", "%d.%m.%Y", "%d.%m.%Y %H:%M", "%Y/%m/%d",
    "%d-%b-%y", "%d-%b-%Y", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%Y%m%d",
)
_DATEISH = re.compile(r"\d{1,4}[-/.]\d{1,2}|\d{1,2}[-/. ][A-Za-z]{3}|[A-Za-z]{3,9}\.? \d{1,2},? \d{4}|^\d{8}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[\d\s().-]{7,20}$")
_SENSITIVE = re.compile(r"(^|_)(gender|sex|age|ethnicity|ethnic|race|religion|disability|marital|nationality|"
                        r"birth|dob|date_of_birth)(_|$)")
_PERSONAL_EXTRA = re.compile(r"(^|_)(surname|forename|first_name|last_name|given_name|family_name|"
                             r"street|address|postcode|zip|zipcode|ssn|passport|iban)(_|$)")


# --------------------------------------------------------------------------- names


def normalise(name: str) -> str:
    """A column name as lower-case words joined by underscores.

    Examples
    --------
    >>> normalise("CustomerId"), normalise("Type of Travel"), normalise("Departure/Arrival time")
    ('customer_id', 'type_of_travel', 'departure_arrival_time')
    """
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(name).strip())
    s = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", s)
    return re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")


def looks_personal(name: str) -> bool:
    """Whether a column name looks like personal data (name, e-mail, phone, address, …)."""
    n = normalise(name)
    return is_personal(name) or is_personal(n) or bool(_PERSONAL_EXTRA.search(n))


def looks_sensitive(name: str) -> bool:
    """Whether a column holds a protected characteristic (gender, age, ethnicity, …)."""
    return bool(_SENSITIVE.search(normalise(name)))


# --------------------------------------------------------------------------- column profiles


@dataclass
class ColumnProfile:
    """What a sample says about one column."""

    name: str
    norm: str
    n: int                       # non-missing values in the sample
    rows: int                    # rows in the sample
    n_unique: int
    numeric: bool = False
    integer: bool = False
    lo: float | None = None      # robust range: values seen at least twice (in samples of 200+)
    hi: float | None = None
    raw_lo: float | None = None
    raw_hi: float | None = None
    is_text: bool = False        # strings (not numbers)
    is_datetime: bool = False    # already a date/time type (Parquet, Excel)
    date_share: float = 0.0
    date_format: str | None = None
    date_note: str = ""
    mean_len: float = 0.0
    email_share: float = 0.0
    phone_share: float = 0.0
    row_number: bool = False
    numbers_as_text: bool = False  # numbers with a few blanks or words among them (read as text by the integration)
    levels: list[str] = field(default_factory=list)   # the most frequent values (as text), up to 31
    values: pd.Series | None = field(default=None, repr=False)

    @property
    def unique_share(self) -> float:
        """Distinct values per non-missing value."""
        return self.n_unique / self.n if self.n else 0.0

    @property
    def is_date(self) -> bool:
        """Whether the column holds dates."""
        return self.is_datetime or self.date_share >= 0.9

    def level_text(self, k: int = 3) -> str:
        """'3 levels (Business, Eco, Eco Plus)' or '40 levels (a, b, c, …)'."""
        shown = ", ".join(sorted(self.levels[:k]) if self.n_unique <= k else self.levels[:k])
        more = ", …" if self.n_unique > k else ""
        return f"{self.n_unique} levels ({shown}{more})"

    def range_text(self) -> str:
        """'integers 0–5' or 'numbers 0.2–8,542'."""
        kind = "integers" if self.integer else "numbers"
        return f"{kind} {fmt_bound(self.raw_lo)}–{fmt_bound(self.raw_hi)}"


def fmt_bound(x: float | None) -> str:
    """A sampled minimum or maximum as a message shows it: '1,200', '0.5', '?' when unknown."""
    if x is None:
        return "?"
    return f"{x:,.0f}" if float(x).is_integer() or abs(x) >= 1000 else f"{x:.4g}"


def profile_column(name: str, s: pd.Series) -> ColumnProfile:
    """Profile one sampled column: type, range, levels, date and identifier hints."""
    rows = len(s)
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        txt = s.astype("string").str.strip()
        s = s.where(txt.notna() & (txt != ""), None)
    nonnull = s.dropna()
    p = ColumnProfile(name=str(name), norm=normalise(name), n=len(nonnull), rows=rows,
                      n_unique=int(nonnull.astype(str).nunique()) if len(nonnull) else 0)
    if not len(nonnull):
        return p
    counts = nonnull.astype(str).value_counts()
    p.levels = [str(v) for v in counts.index[:31]]
    if pd.api.types.is_bool_dtype(nonnull):
        p.values = nonnull
        return p
    if pd.api.types.is_datetime64_any_dtype(nonnull):
        p.is_datetime, p.date_share = True, 1.0
        p.values = pd.to_datetime(nonnull)
        return p
    num = nonnull if pd.api.types.is_numeric_dtype(nonnull) else pd.to_numeric(nonnull, errors="coerce")
    if pd.api.types.is_numeric_dtype(nonnull) or num.notna().mean() >= 0.98:
        p.numbers_as_text = not pd.api.types.is_numeric_dtype(nonnull)
        num = num.dropna().astype(float)
        p.numeric = True
        p.values = num
        p.integer = bool(len(num)) and bool((num % 1 == 0).all())
        if len(num):
            p.raw_lo, p.raw_hi = float(num.min()), float(num.max())
            vc = num.value_counts()
            common = vc[vc >= 2].index if len(num) >= 200 else vc.index
            common = common if len(common) else vc.index
            p.lo, p.hi = float(min(common)), float(max(common))
            if p.integer and p.n_unique == p.n and p.n > 20 and pd.api.types.is_integer_dtype(num.index):
                offset = num.to_numpy() - num.index.to_numpy()  # a row number is its row's position (+ 0 or 1)
                p.row_number = bool((offset == offset[0]).all()) and offset[0] in (0, 1)
        return p
    text = nonnull.astype(str).str.strip()
    p.is_text = True
    p.values = text
    p.mean_len = float(text.str.len().mean())
    p.email_share = float(text.str.match(_EMAIL).mean())
    p.phone_share = float((text.str.match(_PHONE) & (text.str.count(r"\d") >= 7)
                           & ~text.str.fullmatch(NUMBER_BAND)).mean())
    p.date_share, p.date_format, p.date_note = detect_dates(text)
    return p


def profile_frame(frame: pd.DataFrame) -> list[ColumnProfile]:
    """Profiles of every column of a sample, in file order."""
    return [profile_column(str(c), frame.iloc[:, i]) for i, c in enumerate(frame.columns)]


def parse_dates(values: pd.Series, fmt: str | None) -> pd.Series:
    """Parse text as dates like the integration does: a given format, else ISO 8601, else inferred."""
    if pd.api.types.is_datetime64_any_dtype(values):
        out = values
    elif fmt:
        out = pd.to_datetime(values, format=fmt, errors="coerce")
    else:
        out = pd.to_datetime(values, format="ISO8601", errors="coerce")
        if values.notna().any() and out[values.notna()].isna().mean() > 0.5:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = pd.to_datetime(values, errors="coerce")
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_convert(None)
    return out


def detect_dates(text: pd.Series) -> tuple[float, str | None, str]:
    """Share of values that are dates, the strptime format they need (``None`` for ISO), and a note."""
    sample = text.iloc[:500]
    if not len(sample) or sample.str.contains(_DATEISH).mean() < 0.9 or sample.str.len().max() > 40:
        return 0.0, None, ""
    iso = pd.to_datetime(sample, format="ISO8601", errors="coerce").notna().mean()
    if iso >= 0.95:
        return float(iso), None, "ISO dates"
    fits = []
    for fmt in DATE_FORMATS:
        share = float(pd.to_datetime(sample, format=fmt, errors="coerce").notna().mean())
        if share >= 0.95:
            fits.append((share, fmt))
    if fits:
        best = max(share for share, _ in fits)
        tied = [fmt for share, fmt in fits if share == best]
        note = f"dates like '{sample.iloc[0]}'"
        if len(tied) > 1 and any("%m/%d" in f or "%m-%d" in f for f in tied[1:]):
            note += "; day/month order is ambiguous in the sample (TODO: check)"
        return best, tied[0], note
    return 0.0, None, ""
