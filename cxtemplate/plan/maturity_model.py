"""The CX maturity model (notebook 01): its levels, stages and dimensions, validated and loaded from YAML.

A maturity model is data (``cxtemplate/plan/maturity_models/*.yaml`` or a client's own file): dimensions,
each with practices rated on an adoption scale (levels), and stages reached when the *mean level*
across dimensions passes a ``min_level`` threshold. :mod:`cxtemplate.plan.maturity` scores answers against it.
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cxtemplate.errors import CxError

PACKAGED = ("forrester_six_disciplines", "birdeye_four_pillars")


class MaturityModelError(CxError):
    """A maturity model file is missing or malformed; the message names the file and every problem."""


# --------------------------------------------------------------------------- the model


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Level(_Strict):
    """One step of the adoption scale, e.g. 3 = Repeatable."""
    level: int
    name: str
    description: str = ""


class Stage(_Strict):
    """An overall maturity stage, reached when the mean level is at least ``min_level``."""
    stage: int
    name: str
    min_level: float
    description: str = ""


class Practice(_Strict):
    """A practice respondents rate on the adoption scale."""
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    text: str


class Dimension(_Strict):
    """A dimension (discipline, pillar) of the model and its practices."""
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    name: str
    description: str = ""
    practices: list[Practice] = Field(min_length=1)


class MaturityModel(_Strict):
    """A validated maturity model: levels, stages and dimensions with their practices."""
    id: str
    name: str
    source: str = ""
    levels: list[Level] = Field(min_length=2)
    stages: list[Stage] = Field(min_length=1)
    dimensions: list[Dimension] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self):
        lv = [x.level for x in self.levels]
        if lv != list(range(lv[0], lv[0] + len(lv))):
            raise ValueError(f"levels must be consecutive whole numbers in order, got {lv}")
        st = [s.stage for s in self.stages]
        if st != list(range(1, len(st) + 1)):
            raise ValueError(f"stages must be numbered 1, 2, 3, … in order, got {st}")
        mins = [s.min_level for s in self.stages]
        if any(b <= a for a, b in zip(mins, mins[1:])):
            raise ValueError(f"stage min_level values must increase from stage to stage, got {mins}")
        if mins[0] > lv[0] or mins[-1] > lv[-1]:
            raise ValueError(f"stage 1 must start at the lowest level ({lv[0]}) and no min_level may exceed "
                             f"the highest ({lv[-1]}), got {mins}")
        for kind, ids in (("dimension", [d.id for d in self.dimensions]),
                          ("practice", [p.id for d in self.dimensions for p in d.practices])):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            if dup:
                raise ValueError(f"{kind} ids must be unique, repeated: {', '.join(dup)}")
        return self

    @property
    def level_range(self) -> tuple[int, int]:
        """Lowest and highest level of the adoption scale."""
        return self.levels[0].level, self.levels[-1].level

    def level_name(self, level: float) -> str:
        """Name of the whole level nearest to ``level`` (e.g. 2.6 → "Repeatable")."""
        lo, hi = self.level_range
        return self.levels[int(min(max(round(level), lo), hi)) - lo].name

    def stage(self, number: int) -> Stage:
        """The stage with this number; ``ValueError`` listing the valid ones otherwise."""
        for s in self.stages:
            if s.stage == number:
                return s
        raise ValueError(f"model '{self.id}' has no stage {number}; stages are "
                         + ", ".join(f"{s.stage} ({s.name})" for s in self.stages))


def load_model(name_or_path: str | Path | MaturityModel, base_dir: str | Path | None = None) -> MaturityModel:
    """Load and validate a maturity model.

    Parameters
    ----------
    name_or_path : str, path or MaturityModel
        A packaged model name (``forrester_six_disciplines``, ``birdeye_four_pillars``) or a YAML
        file; a model object is returned unchanged.
    base_dir : path, optional
        Folder a relative path is resolved against (the params file's folder).

    Returns
    -------
    MaturityModel

    Raises
    ------
    MaturityModelError
        The file is missing, is not YAML, or breaks the model's structure; every problem is listed
        with its key path (e.g. ``stages.2.min_level``).
    """
    import yaml

    if isinstance(name_or_path, MaturityModel):
        return name_or_path
    name = str(name_or_path)
    if name in PACKAGED:
        where = f"packaged model {name}"
        text = resources.files("cxtemplate.plan").joinpath("maturity_models", f"{name}.yaml").read_text(encoding="utf-8")
    else:
        path = Path(name).expanduser()
        if not path.is_absolute() and base_dir is not None:
            path = Path(base_dir) / path
        where = path.name
        if not path.is_file():
            raise MaturityModelError(f"maturity model '{name}' is neither a packaged model "
                                     f"({', '.join(PACKAGED)}) nor an existing YAML file")
        text = path.read_text(encoding="utf-8")
    from cxtemplate.config.loader import MAX_ALIAS_EXPANSION, MAX_DEPTH, alias_expansion, nesting_depth

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()  # composed once and measured before anything is built from it
        if nesting_depth(node)[1] is not None:
            raise MaturityModelError(f"{where}: nested more than {MAX_DEPTH} levels deep: not a maturity model")
        distinct, expanded, _ = alias_expansion(node)
        if expanded - distinct > MAX_ALIAS_EXPANSION:
            raise MaturityModelError(f"{where}: YAML aliases expand it to {expanded:,} values from {distinct:,} "
                                     "written: refused; write the values out instead of repeating *aliases")
        raw = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as e:
        raise MaturityModelError(f"{where}: not valid YAML: {e}") from None
    finally:
        loader.dispose()
    if not isinstance(raw, dict):
        raise MaturityModelError(f"{where}: expected a mapping with id, name, levels, stages, dimensions")
    try:
        return MaturityModel.model_validate(raw)
    except ValidationError as e:
        lines = [f"  - {'.'.join(str(x) for x in err['loc']) or '(top level)'}: "
                 f"{err['msg'].removeprefix('Value error, ')}" for err in e.errors()]
        head = f"{where}: {len(lines)} problem(s) in the maturity model:\n"
        raise MaturityModelError(head + "\n".join(lines)) from None


def stage_of(level: float, model: MaturityModel) -> int:
    """The stage number a mean level falls in (lower bounds inclusive; below stage 1 → 1; NaN → 0)."""
    if level is None or (isinstance(level, float) and math.isnan(level)):
        return 0
    return max([s.stage for s in model.stages if level >= s.min_level - 1e-9] or [1])


SOURCE = "maturity questionnaire"
"""The source line of every maturity chart and table."""


def role_plural(role: str) -> str:
    """The plural of a respondent role as a sentence uses it: 'executives', 'frontline' (already plural)."""
    return role if role.endswith("s") or role in ("frontline", "staff") else role + "s"


def respondents(role: str) -> str:
    """Who answered in a role, as a sentence names them: 'frontline staff', 'executives', 'managers'."""
    return "frontline staff" if role == "frontline" else role_plural(role)
