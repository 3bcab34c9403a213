"""Tests of :mod:`cxtemplate.measure.grouping`: scores as arrays with their range checks (and the messages a
reader sees), combined group codes for categorical and text keys, and the per-group counts — by hand on
small frames and against pandas' own groupby."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxtemplate.measure import spec as ms
from cxtemplate.measure.grouping import decode_groups, group_codes, grouped_stats, score_array

NPS, CSAT, CES = ms.nps_spec(), ms.csat_spec(), ms.ces_spec()


# --------------------------------------------------------------------------- scores and range checks


def test_score_arrays_and_their_missing_mask():
    arr, mask = score_array(pd.Series([10, 9, None, 0], dtype="Int8"), NPS)
    assert arr.dtype.kind == "f" and mask.tolist() == [True, True, False, True]
    arr, mask = score_array(pd.Series([3, 5], dtype=np.int8), CSAT)
    assert arr.dtype == np.int8 and mask is None
    arr, _ = score_array(pd.Series(["1", "4.0", None], dtype=object), CSAT)
    np.testing.assert_array_equal(arr, [1.0, 4.0, np.nan])
    arr, _ = score_array(np.array([True, False]), ms.MetricSpec("Flag", "f", "top_box", (0, 1), success_min=1))
    assert arr.dtype == np.int8 and arr.tolist() == [1, 0]
    arr, mask = score_array(pd.Series([np.nan, np.nan]), NPS)               # nothing answered: no range to check
    assert not mask.any()
    assert score_array(pd.Series([2.5, 6.75]), CES)[0].tolist() == [2.5, 6.75]   # a mean may have fractions


@pytest.mark.parametrize("values, spec, message", [
    ([10, 11, 3, -1], NPS, "NPS: 2 value(s) of column 'nps' lie outside the 0–10 scale (e.g. 11); "
                           "out-of-range scores must be quarantined before analysis"),
    ([0, 5], CSAT, "CSAT: 1 value(s) of column 'csat' lie outside the 1–5 scale (e.g. 0); "
                   "out-of-range scores must be quarantined before analysis"),
    ([7.5, 7.0], CES, "CES: 1 value(s) of column 'ces' lie outside the 1–7 scale (e.g. 7.5); "
                      "out-of-range scores must be quarantined before analysis"),
    ([8.5, 9, np.nan], NPS, "NPS: column 'nps' holds non-integer scores (e.g. 8.5); nps needs whole points"),
    ([4, 4.2], CSAT, "CSAT: column 'csat' holds non-integer scores (e.g. 4.2); top_box needs whole points"),
])
def test_range_check_messages(values, spec, message):
    with pytest.raises(ValueError) as err:
        score_array(pd.Series(values), spec)
    assert str(err.value) == message


def test_non_numeric_scores_are_refused():
    with pytest.raises(ValueError, match="NPS: column 'nps' must be numeric, got datetime64"):
        score_array(pd.Series(pd.to_datetime(["2024-01-01"])), NPS)
    with pytest.raises(ValueError, match="Unable to parse string"):
        score_array(pd.Series(["nine"], dtype=object), NPS)


# --------------------------------------------------------------------------- group codes


@pytest.fixture()
def frame() -> pd.DataFrame:
    """Seven responses by channel (categorical, one unused category) and location (text, one missing)."""
    return pd.DataFrame({
        "channel": pd.Categorical(["web", "phone", "web", "web", None, "phone", "web"],
                                  categories=["web", "phone", "store"]),
        "location": ["b", "a", "b", "a", "a", None, "b"],
        "nps": [10, 3, 9, np.nan, 8, 10, 6],
        "csat": [5, 2, 4, 3, 5, 5, np.nan],
        "ces": [7.0, 2, 6, 5, 4, 1, 3],
    })


def test_group_codes_by_hand(frame):
    key, uniques, total = group_codes(frame, ["channel", "location"])
    # channel codes web 0, phone 1, store 2 (categories); location a 0, b 1 (sorted); key = channel × 2 + location
    assert total == 3 * 2
    assert key.tolist() == [1, 2, 1, 0, -1, -1, 1]               # a missing key in either column: −1
    assert list(uniques[0].categories) == ["web", "phone", "store"] and list(uniques[1]) == ["a", "b"]
    labels = decode_groups(np.array([0, 1, 2, 5]), ["channel", "location"], uniques)
    assert labels.astype(str).values.tolist() == [["web", "a"], ["web", "b"], ["phone", "a"], ["store", "b"]]
    assert isinstance(labels["channel"].dtype, pd.CategoricalDtype)
    assert list(labels["channel"].cat.categories) == ["web", "phone", "store"]


def test_grouped_counts_by_hand(frame):
    keys, st = grouped_stats(frame, NPS, by=["channel", "location"])
    assert keys.astype(str).values.tolist() == [["web", "a"], ["web", "b"], ["phone", "a"]]
    # web/a: nps NaN (a row, no answer); web/b: 10, 9, 6; phone/a: 3. Missing keys (rows 5, 6) are left out.
    assert st["n"].tolist() == [0, 3, 1]
    assert st["pro"].tolist() == [0, 2, 0] and st["det"].tolist() == [0, 1, 1]
    _, st = grouped_stats(frame, CSAT, by=["location"])
    # location a: csat 2, 3, 5 → 1 success of 3; b: 5, 4, NaN → 2 of 2
    assert st["n"].tolist() == [3, 2] and st["succ"].tolist() == [1, 2]
    keys, st = grouped_stats(frame, CES, by=["location"])
    assert keys["location"].tolist() == ["a", "b"]
    assert st["n"].tolist() == [3, 3]
    assert st["s1"].tolist() == [2 + 5 + 4, 7 + 6 + 3] and st["s2"].tolist() == [4 + 25 + 16, 49 + 36 + 9]
    keys, st = grouped_stats(frame, NPS)                                            # no groups: one row
    assert len(keys) == 1 and st["n"].tolist() == [6] and st["pro"].tolist() == [3]


@pytest.mark.parametrize("spec", [NPS, CSAT, CES], ids=["nps", "top_box", "mean"])
@pytest.mark.parametrize("n_levels", [4, 120], ids=["dense", "sparse"])
def test_grouped_counts_equal_pandas_groupby(spec, n_levels):
    """Against pandas: a dense key space and a sparse one (120³ possible groups over 3,000 rows)."""
    rng = np.random.default_rng(n_levels)
    n = 3000
    df = pd.DataFrame({"a": rng.integers(0, n_levels, n).astype(str),
                       "b": pd.Categorical(rng.integers(0, n_levels, n)),
                       "c": rng.integers(0, n_levels, n),
                       spec.column: rng.integers(int(spec.scale[0]), int(spec.scale[1]) + 1, n).astype(float)})
    df.loc[rng.random(n) < 0.1, spec.column] = np.nan
    df.loc[rng.random(n) < 0.05, "a"] = None
    keys, st = grouped_stats(df, spec, by=["a", "b", "c"])
    x = df[spec.column]
    ref = df.assign(answered=x.notna(), pro=x >= 9, det=x <= 6, succ=x >= spec.success_min if spec.success_min else 0,
                    s1=x.fillna(0), s2=x.fillna(0) ** 2).groupby(["a", "b", "c"], observed=True, sort=True)
    ref = ref[["answered", "pro", "det", "succ", "s1", "s2"]].sum()
    assert keys.astype(str).values.tolist() == ref.index.to_frame().astype(str).values.tolist()
    np.testing.assert_array_equal(st["n"], ref["answered"])
    if spec.kind == "nps":
        np.testing.assert_array_equal(st["pro"], ref["pro"])
        np.testing.assert_array_equal(st["det"], ref["det"])
    elif spec.kind == "top_box":
        np.testing.assert_array_equal(st["succ"], ref["succ"])
    else:
        np.testing.assert_allclose(st["s1"], ref["s1"])
        np.testing.assert_allclose(st["s2"], ref["s2"])


def test_integer_scores_use_the_lookup_path():
    df = pd.DataFrame({"g": ["x", "x", "y"], "nps": np.array([10, 6, 8], dtype=np.int8),
                       "csat": np.array([5, 1, 4], dtype=np.int16)})
    assert grouped_stats(df, NPS, by=["g"])[1] == {"n": pytest.approx([2, 1]), "pro": pytest.approx([1, 0]),
                                                   "det": pytest.approx([1, 0])}
    assert grouped_stats(df, CSAT, by=["g"])[1]["succ"].tolist() == [1, 1]


def test_missing_columns_are_named():
    with pytest.raises(KeyError, match=r"NPS: column 'nps' is not in the table \(columns: x, g\)"):
        grouped_stats(pd.DataFrame({"x": [1], "g": ["a"]}), NPS, by=["g"])
    with pytest.raises(KeyError, match=r"group column\(s\) \['region'\] not in the table"):
        grouped_stats(pd.DataFrame({"nps": [1]}), NPS, by=["region"])
