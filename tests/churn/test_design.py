"""The design matrix: one-hot coding against a stated reference, numeric scaling, pooling and drops.

Every expectation is worked out by hand from the small frames built here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxtemplate.churn.design import build_design


def _frame():
    return pd.DataFrame({"nps_category": ["promoter", "passive", "detractor", "none_yet"] * 30,
                         "plan": ["basic"] * 119 + ["gold"], "one": ["x"] * 120,
                         "age": np.r_[np.arange(119.0), np.nan], "flat": 1.0,
                         "contact": [f"p{i % 40}@example.com" for i in range(120)],
                         "phone_service": np.arange(120) % 3 == 0})


def test_coding_drops_what_cannot_be_estimated_and_says_why():
    d = build_design(_frame(), ["nps_category", "plan", "one", "age", "flat", "contact", "phone_service"])
    assert d.categorical["nps_category"] == (["passive", "detractor", "none_yet"], "promoter")
    assert "plan" not in d.covariates            # 1 'gold' row pooled into 'basic' → single level
    assert "one" not in d.covariates and "flat" not in d.covariates and "contact" not in d.covariates
    assert any("single level" in n for n in d.notes)
    assert "'contact' holds e-mail addresses, so it is personal data" in " ".join(d.notes)   # by its values
    assert any("missing values set to the median" in n for n in d.notes)
    assert d.columns == ["nps_category[passive]", "nps_category[detractor]", "nps_category[none_yet]", "age",
                         "phone_service[True]"]     # a 0/1 product flag is never personal, whatever its name


def _services(n=400, seed=0):
    """Telecom-style service flags: six "Yes"/"No"/"No internet service" columns that are one dummy for customers
    without internet, and multiple_lines "No phone service" the mirror image of phone_service 0/1."""
    rng = np.random.default_rng(seed)
    internet = rng.choice(["DSL", "Fiber optic", "No"], n)
    df = pd.DataFrame({"internet_service": internet, "phone_service": (rng.random(n) < 0.8).astype(int)})
    for c in ("online_security", "online_backup", "device_protection", "tech_support", "streaming_tv",
              "streaming_movies"):
        df[c] = np.where(internet == "No", "No internet service", rng.choice(["Yes", "No"], n))
    df["multiple_lines"] = np.where(df["phone_service"] == 0, "No phone service", rng.choice(["Yes", "No"], n))
    return df


def test_identical_dummies_are_merged_and_a_mirror_image_dropped_before_the_fit():
    df = _services()
    covs = ["internet_service", "online_security", "online_backup", "device_protection", "tech_support",
            "streaming_tv", "streaming_movies", "phone_service", "multiple_lines"]
    d = build_design(df, covs, reference={"internet_service": "DSL", "multiple_lines": "No",
                                          **{c: "No" for c in covs[1:7]}})
    X = d.resolve_aliasing(d.matrix(df))
    same = [f"{c}[No internet service]" for c in covs[1:7]]
    assert d.aliases == {"internet_service[No]": same}                  # seven columns, one kept
    assert all(d.dropped[c] == "identical to internet_service: No vs DSL" for c in same)
    assert "7 design columns are the same customers and were merged into one" in d.alias_notes[0]
    # phone_service 0/1 and "multiple_lines: No phone service" are each other's mirror image (correlation −1)
    assert "it carries the same information as 'phone_service' (correlation -1)" in d.dropped[
        "multiple_lines[No phone service]"]
    assert list(X.columns) == d.columns and not set(d.dropped) & set(X.columns)
    assert d.matrix(df).columns.tolist() == d.columns                   # applied to any frame the same way
    assert np.linalg.matrix_rank(X.to_numpy()) == X.shape[1]


@pytest.mark.parametrize("r, dropped", [(0.99, False), (0.999, True)])
def test_near_aliased_columns_are_dropped_above_the_condition_number(r, dropped):
    """Two standardised columns with correlation r: eigenvalues 1 ± r, condition number √((1 + r)/(1 − r)) —
    14.1 at r = 0.99 (kept), 44.7 at r = 0.999 (above Belsley, Kuh & Welsch's 30: the second one goes)."""
    rng = np.random.default_rng(1)
    x, e = rng.normal(size=(2, 5000))
    e = e - np.polyval(np.polyfit(x, e, 1), x)                          # exactly uncorrelated with x
    y = r * (x - x.mean()) / x.std() + np.sqrt(1 - r ** 2) * e / e.std()
    df = pd.DataFrame({"x": x, "y": y, "z": rng.normal(size=5000)})
    d = build_design(df, ["x", "y", "z"])
    d.resolve_aliasing(d.matrix(df))
    assert ("y" in d.dropped) is dropped and "z" not in d.dropped and "x" not in d.dropped
    if dropped:
        assert d.dropped["y"] == (f"it is nearly a combination of other columns, above all 'x' (variance inflation "
                                  f"{1 / (1 - r ** 2):,.0f}; the condition number of the design was "
                                  f"{np.sqrt((1 + r) / (1 - r)):,.0f}, above 30)")


def test_an_exact_combination_of_other_columns_is_dropped():
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    df["total"] = df["a"] + 2 * df["b"]
    d = build_design(df, ["a", "b", "total"])
    X = d.resolve_aliasing(d.matrix(df))
    assert len(d.dropped) == 1 and X.shape[1] == 2
    assert next(iter(d.dropped.values())) == "it is an exact combination of other columns"


def test_matrix_codes_unseen_levels_as_the_reference_and_fills_the_median():
    d = build_design(_frame(), ["nps_category", "age"])
    X = d.matrix(pd.DataFrame({"nps_category": ["detractor", "unseen"], "age": [np.nan, 3.0]}))
    assert X.loc[0, "nps_category[detractor]"] == 1 and X.loc[1].drop("age").sum() == 0
    assert X.loc[0, "age"] == pytest.approx(59.0)          # median of 0…118
    assert d.term("nps_category[none_yet]") == ("nps_category", "none_yet") and d.term("age") == ("age", None)


def test_reference_level_can_be_chosen_and_a_missing_one_falls_back():
    d = build_design(_frame(), ["nps_category"], reference={"nps_category": "detractor"})
    assert d.categorical["nps_category"] == (["promoter", "passive", "none_yet"], "detractor")
    df = pd.DataFrame({"plan": ["a"] * 50 + ["b"] * 30})
    d2 = build_design(df, ["plan"], reference={"plan": "gold"})
    assert d2.categorical["plan"] == (["b"], "a")            # most frequent level when the stated one is absent
    assert any("reference level 'gold' not found" in n for n in d2.notes)


def test_rare_levels_pool_into_other_when_together_they_are_enough():
    df = pd.DataFrame({"city": ["A"] * 60 + ["B"] * 40 + ["C"] * 12 + ["D"] * 9})   # C + D = 21 ≥ 20
    d = build_design(df, ["city"])
    assert d.pooled["city"] == (["C", "D"], "other")
    assert d.categorical["city"] == (["B", "other"], "A")
    X = d.matrix(pd.DataFrame({"city": ["C", "D", "B", "A"]}))
    assert X["city[other]"].tolist() == [1, 1, 0, 0] and X["city[B]"].tolist() == [0, 0, 1, 0]


def test_standardised_numbers_are_per_standard_deviation():
    x = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    d = build_design(pd.DataFrame({"x": x}), ["x"], standardise=True)
    mean, sd = x.mean(), x.std(ddof=1)                       # 4.0 and √12.5
    assert (mean, sd) == pytest.approx((4.0, np.sqrt(12.5)))
    np.testing.assert_allclose(d.matrix(pd.DataFrame({"x": [4.0, 4.0 + np.sqrt(12.5)]}))["x"], [0.0, 1.0])
    raw = build_design(pd.DataFrame({"x": x}), ["x"])
    assert raw.matrix(pd.DataFrame({"x": [7.0]}))["x"].item() == 7.0


def test_booleans_are_categories_and_forced_numbers_too():
    df = pd.DataFrame({"flag": [True, False] * 30, "code": [1, 2, 3] * 20})
    d = build_design(df, ["flag", "code"], categorical=["code"])
    assert d.categorical["flag"][1] in ("True", "False")
    levels, reference = d.categorical["code"]
    assert {*levels, reference} == {"1", "2", "3"}


def test_a_level_dropped_as_nearly_collinear_joins_the_reference_and_the_labels_say_so():
    """Monthly charges are (nearly) set by the internet service: the 'No' dummy goes, its customers now count
    with the reference 'Fiber optic', so DSL's hazard ratio is against both (found in review: the label still
    said "vs Fiber optic")."""
    rng = np.random.default_rng(0)
    n = 3000
    internet = rng.choice(["Fiber optic", "DSL", "No"], n, p=[0.45, 0.35, 0.2])
    monthly = 20 + 25 * (internet == "DSL") + 50 * (internet == "Fiber optic") + rng.normal(0, 0.5, n)
    df = pd.DataFrame({"internet_service": internet, "monthly_charges": monthly})
    design = build_design(df, list(df.columns), standardise=True)
    X = design.resolve_aliasing(design.matrix(df))
    assert [design.label(c) for c in X.columns] == ["internet_service: DSL vs Fiber optic or No", "monthly_charges"]
    assert "its customers now count with 'Fiber optic', the reference level" in design.alias_notes[-1]

