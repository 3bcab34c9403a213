"""Tests of :mod:`cxtemplate.scaffold.specs`: the columns ``cxtemplate new`` looks for are the integration's
canonical columns (:func:`cxtemplate.data.schemas.canonical_columns`), and every name can match."""

from __future__ import annotations

import pandas as pd
import pytest

from cxtemplate.config.loader import load_config
from cxtemplate.data.schemas import canonical_columns
from cxtemplate.scaffold.guess import value_fit
from cxtemplate.scaffold.profile import normalise, profile_column
from cxtemplate.scaffold.specs import SPECS
from cxtemplate.vocabulary import TABLES


@pytest.fixture(scope="module")
def canonical(root):
    """The canonical columns of every table under the demo's params."""
    cfg = load_config(root / "params" / "demo.yaml")
    return {t: canonical_columns(t, cfg) for t in TABLES}


def test_one_spec_list_per_canonical_table():
    assert tuple(SPECS) == TABLES


@pytest.mark.parametrize("table", TABLES)
def test_specs_are_canonical_columns(table, canonical):
    columns = [c.name for c in canonical[table]]
    names = [s.name for s in SPECS[table]]
    assert len(set(names)) == len(names)
    assert set(names) <= set(columns), set(names) - set(columns)
    required = {c.name for c in canonical[table] if c.required}
    assert required <= set(names)                   # every column the integration needs can be found


@pytest.mark.parametrize("table", TABLES)
def test_synonyms_and_words_are_normalised_names(table):
    """Names are compared after :func:`normalise`: a synonym that is not already normalised never matches."""
    for s in SPECS[table]:
        for word in (s.name, *s.synonyms, *s.contains):
            assert normalise(word) == word, (table, s.name, word)
        assert len(set(s.synonyms)) == len(s.synonyms), (table, s.name)
        assert s.weight > 0


@pytest.mark.parametrize("table", TABLES)
def test_every_kind_is_one_the_value_fit_knows(table):
    probe = profile_column("x", pd.Series(["a", "b", "c"]))
    for s in SPECS[table]:
        value_fit(probe, s.kind, s.name)           # raises ValueError for an unknown kind
