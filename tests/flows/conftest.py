"""Exports as they arrive, onboarded with no edits (issue 15): the real public data sets and shapes made from them.

:data:`SHAPES` builds each export into a folder (``<name>/data/…``) from the real data sets in
``../shared/real-data/`` (the ``real_data`` fixture): the four data sets themselves, subsampled to a few
thousand rows with their columns, delimiter, encoding and value formats as published, and four shapes made from
the bank's CRM:

``no_id``
    the bank's CRM with its id columns (``RowNumber``, ``CustomerId``) and surnames removed;
``yes_no_flags``
    churn (``Exited``) and the product flags (``HasCrCard``, ``IsActiveMember``) as ``Yes``/``No``;
``tenure_months``
    tenure in months (the bank's years × 12 plus the months since the last anniversary), no dates;
``telecom``
    a telecom-like CRM as the issue describes it: no id, ``tenure`` in months, ``churn`` Yes/No, contract and
    payment method, service flags 0/1 (``phone_service``, ``senior_citizen``) or ``Yes/No/No internet service``,
    ``monthly_charges`` and a ``total_charges`` that grows with tenure (blank for customers in their first month).

:func:`onboard` runs ``cxtemplate new`` on one folder. The session fixture ``onboarded_runs`` onboards the
exports of :data:`RUNS` and runs them all (``cxtemplate.run.batch.run_many(..., jobs=2)``) with no edits to what
``new`` wrote: it is for slow tests only, and returns name → the ``latest`` run folder.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

SAMPLE_ROWS = 2500
"""Rows kept of a large real data set (at random, seeded): enough for every section, few enough to run fast."""

SEED = 20251231


def _read(path: Path, sep: str = ",", encoding: str = "utf-8") -> pd.DataFrame:
    """A file as text, exactly as written (no value is parsed, so it is written back the same)."""
    return pd.read_csv(path, sep=sep, encoding=encoding, dtype=str, keep_default_na=False)


def _sample(frame: pd.DataFrame, n: int = SAMPLE_ROWS) -> pd.DataFrame:
    return frame.sample(n=min(n, len(frame)), random_state=SEED).sort_index() if len(frame) > n else frame


def _write(frame: pd.DataFrame, folder: Path, name: str, sep: str = ",", encoding: str = "utf-8") -> Path:
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    path = data / name
    frame.to_csv(path, sep=sep, encoding=encoding, index=False)
    return path


@functools.lru_cache(maxsize=2)
def _bank(real: Path) -> pd.DataFrame:
    return _sample(_read(real / "bank_churn" / "Churn_Modelling.csv"))


def bank(real: Path) -> pd.DataFrame:
    """The bank's CRM (10,000 customers, tenure in whole years, ``Exited`` 0/1), subsampled, as text."""
    return _bank(Path(real)).copy()


def make_bank_churn(real: Path, folder: Path) -> None:
    _write(bank(real), folder, "Churn_Modelling.csv")


def make_airline_satisfaction(real: Path, folder: Path) -> None:
    src = real / "airline_satisfaction" / "airline_passenger_satisfaction_test.csv"
    _write(_sample(_read(src)).rename(columns={"Unnamed: 0": ""}), folder, src.name)


def make_amazon_alexa_reviews(real: Path, folder: Path) -> None:
    src = real / "amazon_alexa_reviews" / "amazon_alexa.tsv"
    _write(_sample(_read(src, sep="\t", encoding="utf-8-sig")), folder, src.name, sep="\t", encoding="utf-8-sig")


def make_twitter_airline_sentiment(real: Path, folder: Path) -> None:
    src = real / "twitter_airline_sentiment" / "Tweets.csv"
    _write(_sample(_read(src)), folder, src.name)


def without_ids(df: pd.DataFrame) -> pd.DataFrame:
    """The bank's CRM without its id columns (and the surnames beside them)."""
    return df.drop(columns=["RowNumber", "CustomerId", "Surname"], errors="ignore")


def as_yes_no(df: pd.DataFrame) -> pd.DataFrame:
    """Churn and the product flags written Yes/No instead of 1/0."""
    return df.assign(**{c: df[c].map({"1": "Yes", "0": "No"}) for c in ("Exited", "HasCrCard", "IsActiveMember")})


def in_months(df: pd.DataFrame) -> pd.DataFrame:
    """Tenure in months: the years × 12 plus the months since the last anniversary (at most 120), no dates."""
    years = df["Tenure"].astype(int).to_numpy()
    extra = np.where(years < 10, np.random.default_rng(SEED).integers(0, 12, len(df)), 0)
    return df.assign(Tenure=(years * 12 + extra).astype(str))


def make_no_id(real: Path, folder: Path) -> None:
    _write(without_ids(bank(real)), folder, "customers.csv")


def make_yes_no_flags(real: Path, folder: Path) -> None:
    _write(as_yes_no(bank(real)).drop(columns=["RowNumber"]), folder, "crm_export.csv")


def make_tenure_months(real: Path, folder: Path) -> None:
    _write(in_months(bank(real)).drop(columns=["RowNumber"]), folder, "accounts.csv")


def make_reshaped_crm(real: Path, folder: Path) -> None:
    """The three reshapings of the bank's CRM at once (no id, Yes/No flags, tenure in months): one run for all three."""
    _write(in_months(as_yes_no(without_ids(bank(real)))), folder, "crm_export.csv")


def telecom(real: Path) -> pd.DataFrame:
    """A telecom-like CRM built on the bank's customers (their churn and a tenure in months), with telecom columns.

    Month-to-month contracts are given more often to the customers who left, so contract separates the
    Kaplan–Meier curves, as in real telecom data; ``total_charges`` is tenure × monthly charges (± 5 %).
    """
    b = bank(real)
    rng = np.random.default_rng(SEED + 1)
    n = len(b)
    left = b["Exited"].astype(int).to_numpy() == 1
    tenure = np.clip(b["Tenure"].astype(int).to_numpy() * 7 + rng.integers(0, 7, n), 0, 72)
    contract = np.where(rng.random(n) < np.where(left, 0.85, 0.4), "Month-to-month",
                        np.where(rng.random(n) < 0.5, "One year", "Two year"))
    internet = rng.choice(["DSL", "Fiber optic", "No"], n, p=[0.35, 0.45, 0.2])
    phone = (rng.random(n) < 0.9).astype(int)
    df = pd.DataFrame({
        "gender": b["Gender"].to_numpy(),
        "senior_citizen": (b["Age"].astype(int).to_numpy() >= 65).astype(int),
        "partner": rng.choice(["Yes", "No"], n),
        "dependents": rng.choice(["Yes", "No"], n, p=[0.3, 0.7]),
        "tenure": tenure,
        "phone_service": phone,
        "multiple_lines": np.where(phone == 1, rng.choice(["Yes", "No"], n), "No phone service"),
        "internet_service": internet,
    })
    for c in ("online_security", "online_backup", "device_protection", "tech_support", "streaming_tv",
              "streaming_movies"):
        df[c] = np.where(internet == "No", "No internet service", rng.choice(["Yes", "No"], n))
    base = np.where(internet == "No", 20.0, np.where(internet == "DSL", 55.0, 80.0))
    monthly = np.round(np.clip(base + rng.normal(0, 8, n), 18.25, 118.75), 2)
    total = np.round(tenure * monthly * rng.uniform(0.95, 1.05, n), 2)
    df["contract"] = contract
    df["paperless_billing"] = rng.choice(["Yes", "No"], n, p=[0.6, 0.4])
    df["payment_method"] = rng.choice(["Electronic check", "Mailed check", "Bank transfer (automatic)",
                                       "Credit card (automatic)"], n)
    df["monthly_charges"] = monthly
    df["total_charges"] = np.where(tenure == 0, " ", total.astype(str))
    df["churn"] = np.where(left, "Yes", "No")
    return df


def make_telecom(real: Path, folder: Path) -> None:
    _write(telecom(real), folder, "telco_customers.csv")


CONVERSATION_ROWS = 1500
"""Conversations kept of the demo's export for the conversations-only organisation."""


def make_conversations_only(real: Path, folder: Path) -> None:
    """The demo's first conversations as an organisation's only export (no CRM, no survey)."""
    demo = Path(__file__).resolve().parents[2] / "data" / "demo" / "interactions.csv"
    frame = pd.read_csv(demo, dtype=str, keep_default_na=False, nrows=CONVERSATION_ROWS)
    _write(frame, folder, "interactions.csv")


SHAPES: dict[str, Callable[[Path, Path], None]] = {
    "bank_churn": make_bank_churn,
    "airline_satisfaction": make_airline_satisfaction,
    "amazon_alexa_reviews": make_amazon_alexa_reviews,
    "twitter_airline_sentiment": make_twitter_airline_sentiment,
    "no_id": make_no_id,
    "yes_no_flags": make_yes_no_flags,
    "tenure_months": make_tenure_months,
    "telecom": make_telecom,
    "conversations_only": make_conversations_only,
}
"""Each export the onboarding must take with no edits, by name: name → (real data folder, target folder) → None."""

RUNS: dict[str, Callable[[Path, Path], None]] = {
    name: SHAPES[name] for name in ("bank_churn", "airline_satisfaction", "amazon_alexa_reviews",
                                    "twitter_airline_sentiment", "telecom", "conversations_only")}
"""The engagements ``onboarded_runs`` runs: six, not nine. A run costs 20–30 s on one core whatever its size
(eight notebooks), so nine would take about twice the fixture's budget of 90 s on two cores. The telecom export
has each of the three reshapings at once (no id column, churn and service flags as Yes/No, tenure in months
with no dates), so ``no_id``, ``yes_no_flags`` and ``tenure_months`` share its run; ``cxtemplate new`` on each
reshaping alone is checked by the fast tests of ``tests/flows/test_onboarding.py``, and a run of the bank's CRM
with all three reshapings (:func:`make_reshaped_crm`) is there for a test that needs one."""

RUN_OF = {**{name: name for name in RUNS}, "no_id": "telecom", "yes_no_flags": "telecom", "tenure_months": "telecom"}
"""Name in :data:`SHAPES` → the run of :data:`RUNS` that carries it."""


def onboard(name: str, real: Path, root: Path, make: Callable[[Path, Path], None] | None = None) -> Path:
    """Build one export under ``root/<name>/data`` (by ``make``, default ``SHAPES[name]``) and run
    ``cxtemplate new`` on it; returns the params file written."""
    from cxtemplate.scaffold.document import write_params

    folder = root / name
    (make or SHAPES[name])(real, folder)
    return write_params(name, folder / "data", params_dir=folder / "params")


@pytest.fixture(scope="session")
def onboarded_runs(real_data, tmp_path_factory) -> dict[str, Path]:
    """Every export of :data:`SHAPES` through ``cxtemplate new`` then ``cxtemplate run`` with no edits (slow tests).

    Returns name → the ``latest`` run folder, for every name of :data:`SHAPES` (``no_id``, ``yes_no_flags`` and
    ``tenure_months`` share the telecom run, see :data:`RUNS`). Fails at once, naming the organisation and its
    error, when a run does not complete.
    """
    from cxtemplate.run.batch import run_many

    root = tmp_path_factory.mktemp("onboarded")
    params = [str(onboard(name, Path(real_data), root, make)) for name, make in RUNS.items()]
    results = run_many(params, jobs=2, out_dir=str(root / "reports"), progress=False)
    failed = [f"{r['org']}: {r['status']}: {(r.get('error') or {}).get('message')}" for r in results
              if r["status"] != "ok"]
    assert not failed, "runs that did not complete with no edits:\n" + "\n".join(failed)
    return {name: root / "reports" / run / "latest" for name, run in RUN_OF.items()}
