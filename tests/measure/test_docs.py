"""Shared parameter documentation (``cxtemplate.measure.docs``): one wording for spec, conf, method … in
metrics, trends and segments, and no placeholder left unfilled."""

from __future__ import annotations

import inspect
import re

import pytest

from cxtemplate.measure import docs, metrics, segments, trends
from cxtemplate.measure.docs import PARAMETERS, fill, shared_docs


def _block(doc: str, name: str) -> str:
    """The numpydoc block of parameter ``name`` in a (dedented) docstring."""
    lines = inspect.cleandoc(doc).splitlines()
    start = next(i for i, ln in enumerate(lines) if re.match(rf"{name} : ", ln))
    end = next((j for j in range(start + 1, len(lines)) if lines[j] and not lines[j].startswith(" ")), len(lines))
    return "\n".join(lines[start:end]).strip()


@pytest.mark.parametrize("name", ["spec", "conf", "method"])
def test_metrics_trends_and_segments_document_a_parameter_in_one_wording(name):
    blocks = {f.__qualname__: _block(f.__doc__, name)
              for f in (metrics.summarise, trends.period_table, segments.segment_table)}
    assert len(set(blocks.values())) == 1, blocks
    assert next(iter(blocks.values())) == PARAMETERS[name]


def test_no_placeholder_is_left_in_any_measurement_docstring():
    for module in (metrics, trends, segments):
        for name, obj in vars(module).items():
            if callable(obj) and getattr(obj, "__module__", None) == module.__name__ and obj.__doc__:
                assert not re.search(r"^\s*\{\w+\}\s*$", obj.__doc__, re.M), f"{module.__name__}.{name}"


def test_fill_indents_the_block_like_the_placeholder_and_refuses_a_typo():
    assert fill("  {freq}") == '  freq : {"M", "Q", "Y"}\n      Period length: month, quarter or year.'
    with pytest.raises(KeyError, match="cnf"):
        fill("    {cnf}")


def test_shared_docs_leaves_other_braces_alone():
    @shared_docs
    def f():
        """Text with {braces} inline and a dict {"a": 1}.

        {alpha}
        """
    assert "{braces}" in f.__doc__ and '{"a": 1}' in f.__doc__ and "Benjamini–Hochberg" in f.__doc__
    assert docs.PARAMETERS["alpha"].splitlines()[0] == "alpha : float"
