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
                         "age": np.r_[np.arange(119.0), np.nan], "flat": 1.0, "email": ["e"] * 120})


def test_coding_drops_what_cannot_be_estimated_and_says_why():
    d = build_design(_frame(), ["nps_category", "plan", "one", "age", "flat", "email"])
    assert d.categorical["nps_category"] == (["passive", "detractor", "none_yet"], "promoter")
    assert "plan" not in d.covariates            # 1 'gold' row pooled into 'basic' → single level
    assert "one" not in d.covariates and "flat" not in d.covariates and "email" not in d.covariates
    assert any("single level" in n for n in d.notes) and any("personal data" in n for n in d.notes)
    assert any("missing values set to the median" in n for n in d.notes)
    assert d.columns == ["nps_category[passive]", "nps_category[detractor]", "nps_category[none_yet]", "age"]


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
