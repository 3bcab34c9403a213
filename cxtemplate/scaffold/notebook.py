"""``cxtemplate new-notebook NN_title --role R``: a new notebook of the flow, ready to run and to edit.

It writes the jupytext pair (``NN_title.py`` and ``NN_title.ipynb``) with the header metadata the runner
and the report's index read (title, role, summary, the notebooks it waits for), the ``parameters`` cell
and the set-up cell of the notebook contract, and a last cell that marks the notebook done. The runner
picks it up by its number; the index lists it under its role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cxtemplate.errors import CxError, check_choice
from cxtemplate.vocabulary import ROLES

NAME = re.compile(r"^(?P<number>\d\d)_(?P<slug>[a-z][a-z0-9_]*)$")
"""A notebook of the flow is named ``NN_words_in_lower_case``: NN is its place in the execution order."""


class NotebookExists(CxError):
    """The notebook to create is already in the folder (nothing is overwritten)."""


@dataclass(frozen=True)
class NewNotebook:
    """What :func:`new_notebook` wrote."""

    py: Path
    ipynb: Path
    after: tuple[str, ...]


def template_text(name: str, *, role: str, title: str, summary: str, after: tuple[str, ...]) -> str:
    """The jupytext (percent format) source of a new notebook.

    Parameters
    ----------
    name : str
        ``NN_title``, also the notebook's artifact folder.
    role : str
        One of :data:`cxtemplate.vocabulary.ROLES`.
    title, summary : str
        Shown on the page and in the report's index.
    after : tuple of str
        The earlier notebooks it needs (empty: every earlier notebook, the runner's default).

    Returns
    -------
    str
    """
    meta = [f"#     role: {role}", f"#     summary: {_yaml_text(summary)}", f"#     title: {_yaml_text(title)}"]
    if after:
        meta = ["#     after:", *(f"#     - {a}" for a in after), *meta]
    require = ", ".join(f'"{a}"' for a in after) if after else None
    return "\n".join([
        "# ---",
        "# jupyter:",
        "#   cxtemplate:",
        *meta,
        "#   kernelspec:",
        "#     display_name: Python 3",
        "#     language: python",
        "#     name: python3",
        "# ---",
        "",
        "# %% [markdown]",
        f"# # {title}",
        "#",
        f"# {summary}",
        "",
        '# %% tags=["parameters"]',
        'params_path = "../params/demo.yaml"',
        "run_dir = None",
        "",
        "# %%",
        "from cxtemplate.report.display import absent, say, show_figure, show_table",
        "from cxtemplate.run.session import open_run",
        "",
        f'run = open_run(params_path, run_dir, notebook="{name}")',
        *([f"run.require({require})"] if require else []),
        "",
        "# %% [markdown]",
        "# ## What was measured",
        "#",
        "# Say in plain words what this section measures, what it means and how sure we are. Keep the",
        "# logic in a function of the package (tested there) and call it below; save what later notebooks",
        "# need with `run.save(name, table_or_dict)`.",
        "",
        "# %%",
        "run.done()",
        "",
    ])


def _yaml_text(text: str) -> str:
    """A one-line YAML scalar (quoted when YAML would read it as something else)."""
    text = " ".join(str(text).split())
    return text if re.fullmatch(r"[A-Za-z][\w ,.()'/-]*", text) and not text.endswith(":") else '"' + text.replace('"', '\\"') + '"'


def new_notebook(name: str, *, role: str, nb_dir: Path, after: tuple[str, ...] = (), title: str | None = None,
                 summary: str | None = None) -> NewNotebook:
    """Write a new notebook of the flow, paired with its jupytext ``.py``.

    Parameters
    ----------
    name : str
        ``NN_title``, e.g. ``"08_complaints_by_channel"``; ``NN`` is its place in the execution order.
    role : str
        Who the page is for: one of :data:`cxtemplate.vocabulary.ROLES`.
    nb_dir : path-like
        The template's notebooks folder.
    after : tuple of str
        Earlier notebooks it needs; each must exist and have a lower number. Empty: it waits for every
        earlier notebook.
    title, summary : str, optional
        Default: the title from the name ("Complaints by channel") and a one-line placeholder summary.

    Returns
    -------
    NewNotebook

    Raises
    ------
    ValueError
        A malformed name, an unknown role, or an ``after`` that is not an earlier notebook.
    NotebookExists
        When a notebook of that name (or number) is already in ``nb_dir``.
    """
    import jupytext

    m = NAME.match(name)
    if not m:
        raise ValueError(f"notebook name must look like 08_complaints_by_channel (two digits, an underscore, "
                         f"lower-case words), got {name!r}")
    check_choice("role", role, ROLES)
    nb_dir = Path(nb_dir)
    existing = {p.stem: p for p in nb_dir.glob("[0-9][0-9]_*.ipynb")}
    same_number = [n for n in existing if n[:2] == m["number"]]
    if name in existing or same_number:
        taken = name if name in existing else same_number[0]
        free = _next_free(existing)
        raise NotebookExists(f"{nb_dir / (taken + '.ipynb')} already exists; nothing was written "
                             f"(the next free number is {free})")
    earlier = sorted(n for n in existing if n < name)
    for a in after:
        check_choice("after", a, earlier, context=name)
    title = title or m["slug"].replace("_", " ").capitalize()
    summary = summary or f"{title}: what it measures and what it means."
    text = template_text(name, role=role, title=title, summary=summary, after=tuple(after))
    py, ipynb = nb_dir / f"{name}.py", nb_dir / f"{name}.ipynb"
    py.write_text(text, encoding="utf-8")
    jupytext.write(jupytext.reads(text, fmt="py:percent"), ipynb)
    return NewNotebook(py=py, ipynb=ipynb, after=tuple(after))


def _next_free(existing) -> str:
    """The number after the highest one in use ("08" after 07), as a new notebook at the end of the flow takes."""
    last = max((int(n[:2]) for n in existing), default=-1)
    return f"{last + 1:02d}" if last < 99 else "none: 99 is taken"
