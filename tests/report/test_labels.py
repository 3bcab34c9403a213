"""Display labels: no canonical column name reaches a reader."""

from cxtemplate.report.labels import (CANONICAL_COLUMNS, KNOWN_LABELS, display_label, display_labels,
                                      display_level)


def test_every_canonical_column_has_a_label_that_is_not_its_name():
    from cxtemplate.config.loader import load_config
    from cxtemplate.data.schemas import canonical_columns
    from cxtemplate.vocabulary import CX_COVARIATES, TABLES

    cfg = load_config("params/demo.yaml")
    names = {c.name for t in TABLES for c in canonical_columns(t, cfg)}
    drivers = set(cfg.metrics.drivers.columns) | {e.score_column for e in cfg.metrics.extra}
    assert (names - drivers) | set(CX_COVARIATES) <= CANONICAL_COLUMNS | drivers
    for name in (names - drivers) | set(CX_COVARIATES):
        label = display_label(name)
        assert label != name and "_" not in label and label[:1].isupper(), (name, label)
    for driver in drivers:  # client columns get a derived label
        assert "_" not in display_label(driver) and display_label(driver)[:1].isupper()


def test_derived_labels_read_as_words():
    assert display_label("unresolved_contacts") == "Unresolved contacts"
    assert display_label("store_id") == "Store" and display_label("renewed_at") == "Renewed date"
    assert display_label("first_contact_resolution_pct") == "First contact resolution (%)"
    assert display_label("nps_detractor_share") == "NPS detractor share"
    assert display_label("Support NPS") == "Support NPS"  # already words: as given


def test_the_consultants_labels_win():
    labels = {"speed_of_service": "Speed at the till", "plan=Pro": "Professional plan"}
    assert display_label("speed_of_service", labels) == "Speed at the till"
    assert display_labels(["speed_of_service", "agent_id"], labels) == {"speed_of_service": "Speed at the till",
                                                                        "agent_id": "Agent"}
    assert display_level("plan", "Pro", labels) == "Professional plan"
    assert display_level("nps_category", "none_yet") == "not yet surveyed"
    assert set(KNOWN_LABELS) >= {"responded_at", "agent_id", "nps", "response_id"}


def test_the_params_windows_labels_and_save_rate_are_validated():
    import pydantic
    import pytest

    from cxtemplate.config.loader import load_config
    from cxtemplate.config.schema import Reporting, SaveRate

    demo = load_config("params/demo.yaml")
    assert demo.display_labels == {**demo.metrics.drivers.labels, **demo.reporting.labels}
    assert demo.display_labels["speed_of_service"] == demo.metrics.drivers.labels["speed_of_service"]
    assert demo.reporting.windows.cards == 1 and demo.reporting.windows.locations == 3
    assert demo.reporting.windows.drivers is None  # all the data
    assert 0 <= demo.churn.save_rate.low <= demo.churn.save_rate.rate <= demo.churn.save_rate.high <= 1
    assert Reporting(labels={"store_id": "Store"}).labels == {"store_id": "Store"}
    with pytest.raises(pydantic.ValidationError):
        Reporting(windows={"cards": 0})
    with pytest.raises(pydantic.ValidationError, match="low <= rate <= high"):
        SaveRate(rate=0.5, low=0.1, high=0.3)
