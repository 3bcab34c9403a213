"""cxtemplate: a parameterised notebook framework for data-driven customer-experience engagements.

The package holds the logic; the numbered notebooks in ``notebooks/`` narrate and call it.
Importing the package is cheap on purpose: heavy dependencies (pandas, lifelines, papermill)
are imported by the submodules that need them, so ``cxtemplate validate`` starts fast.
"""

__version__ = "0.1.0"
