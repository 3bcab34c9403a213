"""Which columns may be covariates (personal data never), and the NPS category of a score.

Truth: the NPS definition (Reichheld 2003; Bain & Company's "Net Promoter System"): promoters answer 9–10,
passives 7–8, detractors 0–6.
"""

from __future__ import annotations

import numpy as np
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
