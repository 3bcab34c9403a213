"""The parameters every measurement function shares, documented once (as seaborn's ``_core_docs`` does).

A docstring names a shared block on a line of its own, ``{spec}``, ``{conf}`` …, and the function is
decorated with :func:`shared_docs`; the block is filled in at import with the docstring's indentation.
One wording per parameter, so the three modules that take ``spec``, ``conf`` and ``method`` (metrics,
trends, segments) cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

PARAMETERS = {
    "df": """\
df : pandas.DataFrame
    Response-level data: one row per survey answer, with the spec's score column.""",
    "spec": """\
spec : MetricSpec
    Which metric and how it is computed (:func:`~cxtemplate.measure.spec.nps_spec`,
    :func:`~cxtemplate.measure.spec.csat_spec`, :func:`~cxtemplate.measure.spec.ces_spec`, or one built
    from the params by :func:`~cxtemplate.measure.spec.specs_from_config`).""",
    "by": """\
by : str or list of str, optional
    Group columns, e.g. ``["location", "period"]``. Rows with a missing key are left out.""",
    "conf": """\
conf : float
    Confidence level of every interval (the params' ``metrics.confidence``; default 0.95).""",
    "method": """\
method : str, optional
    Interval method; by default the kind's convention: adjusted Wald (Rocks 2016) for NPS, Wilson
    for top-box shares, Student t for means (:data:`~cxtemplate.measure.spec.INTERVAL_METHODS`).""",
    "min_n": """\
min_n : int
    Smallest number of responses a cell needs to be shown to stakeholders (the params'
    ``reporting.min_n``; default 30). Smaller cells are suppressed and say so.""",
    "alpha": """\
alpha : float
    False-discovery rate of ``significant``: Benjamini–Hochberg across the family of comparisons made.""",
    "freq": """\
freq : {"M", "Q", "Y"}
    Period length: month, quarter or year.""",
}
"""Parameter name → its numpydoc block (name line, then the description indented by four spaces)."""

_PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)\{(?P<name>\w+)\}[ \t]*$", re.M)

F = TypeVar("F", bound=Callable)


def fill(docstring: str) -> str:
    """``docstring`` with each line ``{name}`` replaced by the block of :data:`PARAMETERS`, indented alike.

    Raises
    ------
    KeyError
        For a placeholder that names no shared block (a typo would otherwise ship as ``{cnf}``).

    Examples
    --------
    >>> print(fill("Parameters\\n    ----------\\n    {alpha}\\n"))
    Parameters
        ----------
        alpha : float
            False-discovery rate of ``significant``: Benjamini–Hochberg across the family of comparisons made.
    <BLANKLINE>
    """
    def block(m: re.Match) -> str:
        indent = m["indent"]
        return "\n".join(indent + line if line else line for line in PARAMETERS[m["name"]].splitlines())

    return _PLACEHOLDER.sub(block, docstring)


def shared_docs(func: F) -> F:
    """Decorator: fill the shared parameter blocks into ``func``'s docstring (see :func:`fill`)."""
    if func.__doc__:
        func.__doc__ = fill(func.__doc__)
    return func
