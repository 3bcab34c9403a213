"""Fixtures of the synth tests: the demo organisation, with and without its injected anomalies.

Session-scoped (each costs about half a second to generate) and read-only: a test that needs to change
a table copies it first.
"""

from __future__ import annotations

import dataclasses

import pytest

from cxtemplate.synth.organisation import generate
from cxtemplate.synth.spec import DEMO_SPEC


@pytest.fixture(scope="session")
def demo():
    """The demo organisation (``data/demo``), anomalies included."""
    return generate(DEMO_SPEC)


@pytest.fixture(scope="session")
def clean():
    """The demo without injected anomalies: the clean rows of the demo, exactly."""
    return generate(dataclasses.replace(DEMO_SPEC, dirty=False))
