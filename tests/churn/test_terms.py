"""The Cox model's terms as a reader sees them.

Truth: the same model fitted per unit (``standardise=False``): its hazard ratio per unresolved contact is what the
per-standard-deviation fit must show once converted (the penalty acts on standardised coefficients either way, so
the two fits are one model in two units); and the labels of the shared label layer.
"""

from __future__ import annotations

import numpy as np
import pytest

from cxtemplate.churn.km_cox import fit_cox_time_varying
from cxtemplate.churn.terms import reader_hazard_ratios, term_label, term_labels


@pytest.fixture(scope="module")
def per_sd(simulated):
    return fit_cox_time_varying(simulated[-1], reference={"plan": "basic"}, standardise=True, check_ph=False)


@pytest.fixture(scope="module")
def per_unit(simulated):
    return fit_cox_time_varying(simulated[-1], reference={"plan": "basic"}, standardise=False, check_ph=False)


def test_a_count_is_shown_per_one_more_as_the_per_unit_fit_gives_it(per_sd, per_unit):
    shown = reader_hazard_ratios(per_sd).set_index("term")
    direct = per_unit.hazard_ratios.set_index("term")
    assert per_sd.hazard_ratios.set_index("term").loc["unresolved_contacts", "label"] == "unresolved_contacts (per SD)"
    row = shown.loc["unresolved_contacts"]
    assert row["label"] == "Each extra unresolved contact in the last 90 days" and row["per"] == "unit"
    for col in ("hr", "hr_low", "hr_high"):
        assert row[col] == pytest.approx(direct.loc["unresolved_contacts", col], rel=1e-6)
    assert row["p"] == pytest.approx(direct.loc["unresolved_contacts", "p"], rel=1e-6)
    # per contact, the ratio is near the planted 1.25 (simulate_churn(hr_unresolved=1.25))
    assert 1.15 < row["hr"] < 1.45
    # the per-SD ratio it replaces is a different number: the conversion matters
    assert abs(per_sd.hazard_ratios.set_index("term").loc["unresolved_contacts", "hr"] - row["hr"]) > 0.02
    # categorical terms are untouched apart from their label
    np.testing.assert_allclose(shown.loc["plan[plus]", ["hr", "hr_low", "hr_high"]].to_numpy(float),
                               per_sd.hazard_ratios.set_index("term").loc["plan[plus]", ["hr", "hr_low", "hr_high"]]
                               .to_numpy(float))


def test_labels_are_words_not_column_names(per_sd):
    labels = term_labels(per_sd)
    assert labels["nps_category[none_yet]"] == "NPS group at last survey: not yet surveyed vs promoter"
    assert labels["nps_category[detractor]"] == "NPS group at last survey: detractor vs promoter"
    assert labels["plan[plus]"] == "Plan: plus vs basic"
    assert not any("_" in text for text in labels.values())
    # the params' labels win; a count relabelled by them keeps its unit
    own = {"plan": "Tariff", "unresolved_contacts": "Open complaints"}
    assert term_label(per_sd, "plan[plus]", own) == "Tariff: plus vs basic"
    assert term_label(per_sd, "unresolved_contacts", own) == "Open complaints, per one more"
    assert term_label(per_sd, "plan[plus]", {"plan=plus": "Plus tariff"}) == "Plan: Plus tariff vs basic"


def test_a_number_that_is_no_count_keeps_its_standard_deviation_and_says_how_big_it_is(rossi):
    from cxtemplate.churn.km_cox import fit_cox

    model = fit_cox(rossi, ["age", "fin"], duration_col="week", event_col="arrest", standardise=True, check_ph=False)
    row = reader_hazard_ratios(model).set_index("term").loc["age"]
    assert row["label"] == f"Age, per standard deviation ({rossi['age'].std():,.3g})" and row["per"] == "standard deviation"
    assert row["hr"] == pytest.approx(model.hazard_ratios.set_index("term").loc["age", "hr"])
