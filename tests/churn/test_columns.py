"""Which columns may be covariates (personal data never), and the NPS category of a score.

Truth: the NPS definition (Reichheld 2003; Bain & Company's "Net Promoter System"): promoters answer 9–10,
passives 7–8, detractors 0–6.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxtemplate.churn.columns import is_personal, nps_category


def test_nps_category_follows_the_published_cut_offs():
    scores = [10, 9, 8, 7, 6, 0, np.nan]
    assert list(nps_category(scores)) == ["promoter", "promoter", "passive", "passive", "detractor", "detractor", None]


def test_nps_category_of_text_and_fractional_scores():
    # scores read from a file as text count as numbers; a score between two bands takes the band above 6
    assert list(nps_category(["9", "7", "6", "no answer", None])) == ["promoter", "passive", "detractor", None, None]
    assert list(nps_category([6.5, 8.9])) == ["passive", "passive"]


@pytest.mark.parametrize("column", ["Surname", "surname", "contact_email", "EMAIL", "email_address", "phone",
                                    "mobile", "home_phone_2", "first_name", "last_name", "full_name", "name",
                                    "address", "postcode", "zip"])
def test_personal_data_columns_are_recognised(column):
    assert is_personal(column)


@pytest.mark.parametrize("column", ["plan", "segment", "revenue", "tenure_days", "contract", "zipper",
                                    "nps_category", "location"])
def test_ordinary_columns_are_not_personal(column):
    assert not is_personal(column)


def test_number_bands_are_never_phone_numbers():
    """An income band "10000-19999" has ten digits around a hyphen, like a phone number; it is a category
    (found in review: the band was left out of the model as "phone numbers", and `new` did not keep it)."""
    from cxtemplate.churn.columns import personal_data
    from cxtemplate.scaffold.profile import profile_column

    bands = pd.Series(["10000-19999", "20000-29999", "30000-39999", "40,000 – 49,999"] * 10, name="income_band")
    assert personal_data(bands) is None
    assert profile_column("IncomeBand", bands).phone_share == 0.0
    phones = pd.Series([f"+44 7700 900{i:03d}" for i in range(40)], name="contact")
    assert personal_data(phones) == "phone numbers"           # real phone numbers are still found

