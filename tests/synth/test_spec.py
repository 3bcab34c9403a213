"""Tests of :mod:`cxtemplate.synth.spec`: the spec's validation, the demo defaults and the JSON form."""

from __future__ import annotations

import dataclasses
import json

import pytest

from cxtemplate.synth.spec import DEMO_SPEC, SynthSpec, spec_dict


def test_spec_is_validated():
    with pytest.raises(ValueError, match="n_locations"):
        SynthSpec(n_locations=40)
    with pytest.raises(ValueError, match="fmt"):
        SynthSpec(fmt="xlsx")
    with pytest.raises(ValueError, match="step_location"):
        SynthSpec(step_location="Atlantis")


def test_every_problem_in_one_message():
    with pytest.raises(ValueError) as err:
        SynthSpec(customers=0, months=1, anonymous_share=1.0)
    msg = str(err.value)
    assert msg.startswith("invalid SynthSpec: ")
    for part in ("customers must be at least 1", "months must be at least 2", "anonymous_share must be in [0, 1)"):
        assert part in msg


def test_step_location_must_be_one_of_the_simulated_locations():
    assert SynthSpec(n_locations=3, step_location="Birmingham").step_location == "Birmingham"   # the third city
    with pytest.raises(ValueError, match="'Birmingham' is not one of the 2 locations"):
        SynthSpec(n_locations=2, step_location="Birmingham")


def test_the_defaults_are_the_demo_organisation():
    assert DEMO_SPEC == SynthSpec()
    assert (DEMO_SPEC.customers, DEMO_SPEC.seed, DEMO_SPEC.months, DEMO_SPEC.end) == (5000, 20251231, 36, "2025-12-31")


def test_spec_dict_is_json_and_rebuilds_the_spec():
    spec = SynthSpec(customers=12, seed=3, maturity_respondents=(("executive", 1), ("frontline", 2)))
    d = json.loads(json.dumps(spec_dict(spec)))
    assert d["maturity_respondents"] == [["executive", 1], ["frontline", 2]]
    assert set(d) == {f.name for f in dataclasses.fields(SynthSpec)}
    d["maturity_respondents"] = tuple(tuple(x) for x in d["maturity_respondents"])
    assert SynthSpec(**d) == spec
