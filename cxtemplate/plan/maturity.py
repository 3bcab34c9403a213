"""CX maturity assessment (notebook 01): questionnaire answers → dimension levels → stage and next steps.

A maturity model (:mod:`cxtemplate.plan.maturity_model`) is data (``cxtemplate/plan/maturity_models/*.yaml`` or a
client's own file): dimensions, each with practices rated on an adoption scale (levels), and stages
reached when the *mean level* across dimensions passes a ``min_level`` threshold. Respondents are the
unit of inference: each respondent's answers are first averaged within a dimension, and intervals
(Student t) and role comparisons (Welch, Benjamini–Hochberg adjusted) are computed over those
respondent means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxtemplate.measure.inference import adjust_bh, compare_means
from cxtemplate.measure.metrics import t_interval
from cxtemplate.plan.maturity_model import MaturityModel, respondents, role_plural, stage_of
from cxtemplate.report.display import TableView, fmt_p, fmt_signed
from cxtemplate.report.grammar import capitalise, join_list, plural, sentence, verb

# --------------------------------------------------------------------------- scoring


@dataclass
class MaturityScores:
    """Result of :func:`score`.

    Attributes
    ----------
    dimensions : DataFrame
        One row per model dimension: ``dimension, name, n_respondents, n_answers, mean, sd, min, max,
        ci_low, ci_high`` (sd, min and max are over respondents' dimension means).
    practices : DataFrame
        One row per model practice: ``dimension, practice, text, n, mean, sd, min, max`` (n = 0 when
        nobody answered it).
    respondents : DataFrame
        Each respondent's mean per dimension: ``respondent_id, role, dimension, mean``.
    overall : dict
        ``mean`` (mean of dimension means), ``sd`` and ``n`` over respondents, ``ci_low``, ``ci_high``.
    issues : DataFrame
        Answers that were not scored, with the ``problem`` (unknown dimension or practice, practice
        filed under another dimension, level outside the scale, missing level).
    conf : float
        Confidence level of the intervals.
    """

    model_id: str
    dimensions: pd.DataFrame
    practices: pd.DataFrame
    respondents: pd.DataFrame
    overall: dict
    issues: pd.DataFrame
    conf: float = 0.95
    roles: dict = field(default_factory=dict)

    @property
    def n_respondents(self) -> int:
        """Respondents with at least one scored answer."""
        return int(self.overall["n"])


def _issues(a: pd.DataFrame, model: MaturityModel) -> pd.Series:
    prac_dim = {p.id: d.id for d in model.dimensions for p in d.practices}
    dims = {d.id for d in model.dimensions}
    lo, hi = model.level_range
    problem = pd.Series("", index=a.index, dtype=object)
    known_p = a["practice"].isin(prac_dim)
    home = a["practice"].map(prac_dim)
    problem[~a["dimension"].isin(dims) & ~known_p] = "unknown dimension and practice"
    problem[a["dimension"].isin(dims) & ~known_p] = "unknown practice"
    wrong = known_p & (home != a["dimension"])
    problem[wrong] = "practice belongs to dimension '" + home[wrong] + "'"
    lev = pd.to_numeric(a["level"], errors="coerce")
    problem[(problem == "") & lev.isna()] = "level missing"
    problem[(problem == "") & ((lev < lo) | (lev > hi) | (lev % 1 != 0))] = f"level outside {lo}–{hi}"
    return problem


def score(answers: pd.DataFrame, model: MaturityModel, conf: float = 0.95) -> MaturityScores:
    """Score questionnaire answers against a model.

    Parameters
    ----------
    answers : DataFrame
        The canonical ``maturity_answers`` table: ``respondent_id, role, dimension, practice, level``.
    model : MaturityModel
        From :func:`load_model`.
    conf : float
        Confidence level of the t intervals over respondent means.

    Returns
    -------
    MaturityScores
        Answers that cannot be scored are listed in ``issues``, never silently dropped. A
        respondent who rated a practice twice counts once, with the mean of the two.
    """
    a = answers[["respondent_id", "role", "dimension", "practice", "level"]].copy()
    for c in ("respondent_id", "dimension", "practice"):
        a[c] = a[c].astype(str).str.strip()
    a["role"] = a["role"].astype(str).str.strip().str.lower()
    problem = _issues(a, model)
    issues = a[problem != ""].assign(problem=problem[problem != ""]).reset_index(drop=True)
    ok = a[problem == ""].assign(level=lambda d: pd.to_numeric(d["level"]).astype(float))
    role = ok.groupby("respondent_id")["role"].agg(lambda s: s.mode().iat[0])
    per_prac = ok.groupby(["respondent_id", "dimension", "practice"], as_index=False)["level"].mean()
    resp = per_prac.groupby(["respondent_id", "dimension"], as_index=False)["level"].mean().rename(
        columns={"level": "mean"})
    resp.insert(1, "role", resp["respondent_id"].map(role))
    dim_order = [d.id for d in model.dimensions]
    g = resp.groupby("dimension")["mean"]
    dims = pd.DataFrame({"dimension": dim_order, "name": [d.name for d in model.dimensions]})
    stats = pd.DataFrame({"n_respondents": g.size(), "mean": g.mean(), "sd": g.std(ddof=1),
                          "min": g.min(), "max": g.max()}).reindex(dim_order)
    dims = dims.join(stats.reset_index(drop=True))
    dims.insert(2, "n_answers", per_prac.groupby("dimension").size().reindex(dim_order).fillna(0).astype(int).values)
    dims["n_respondents"] = dims["n_respondents"].fillna(0).astype(int)
    dims["ci_low"], dims["ci_high"] = t_interval(dims["mean"], dims["sd"], dims["n_respondents"], conf)
    pg = per_prac.groupby("practice")["level"]
    prac = pd.DataFrame([{"dimension": d.id, "practice": p.id, "text": p.text}
                         for d in model.dimensions for p in d.practices])
    prac = prac.join(pd.DataFrame({"n": pg.size(), "mean": pg.mean(), "sd": pg.std(ddof=1), "min": pg.min(),
                                   "max": pg.max()}), on="practice")
    prac["n"] = prac["n"].fillna(0).astype(int)
    r_all = resp.groupby("respondent_id")["mean"].mean()
    mean = float(dims["mean"].mean()) if dims["mean"].notna().any() else float("nan")
    sd = float(r_all.std(ddof=1)) if len(r_all) > 1 else float("nan")
    lo, hi = t_interval(mean, sd, len(r_all), conf)
    overall = {"mean": mean, "sd": sd, "n": int(len(r_all)), "ci_low": float(lo), "ci_high": float(hi)}
    return MaturityScores(model.id, dims, prac, resp, overall, issues, conf, role.value_counts().to_dict())


# --------------------------------------------------------------------------- stage, target, next steps


@dataclass(frozen=True)
class StageResult:
    """The overall stage with the stages its interval reaches; ``str()`` reads "stage 2 (Elevate), possibly 1–2"."""

    stage: int
    name: str
    description: str
    mean_level: float
    ci_low: float
    ci_high: float
    stage_low: int
    stage_high: int

    def __str__(self) -> str:
        text = f"stage {self.stage} ({self.name})"
        if self.stage_low != self.stage_high:
            text += f", possibly {self.stage_low}–{self.stage_high}"
        return text


def overall_stage(scores: MaturityScores, model: MaturityModel) -> StageResult:
    """The stage reached by the mean level across dimensions, and the stages its interval spans.

    Parameters
    ----------
    scores, model : MaturityScores, MaturityModel
        From :func:`score` and :func:`load_model` (whose ``min_level`` thresholds define the stages).

    Returns
    -------
    StageResult
        ``stage_low``/``stage_high`` are the stages of the interval's ends (equal when the interval
        lies inside one stage).
    """
    o = scores.overall
    st = model.stage(max(stage_of(o["mean"], model), 1))
    lo = stage_of(o["ci_low"], model) if np.isfinite(o["ci_low"]) else st.stage
    hi = stage_of(o["ci_high"], model) if np.isfinite(o["ci_high"]) else st.stage
    return StageResult(st.stage, st.name, st.description, o["mean"], o["ci_low"], o["ci_high"], lo, hi)


def target_gap(scores: MaturityScores, model: MaturityModel, target_stage: int) -> pd.DataFrame:
    """Each dimension against the target stage's ``min_level``.

    Parameters
    ----------
    scores, model : MaturityScores, MaturityModel
    target_stage : int
        The stage the organisation aims for (``cfg.maturity.target_stage``).

    Returns
    -------
    DataFrame
        The dimension table of ``scores`` plus ``target_level``, ``gap`` (target − mean; positive =
        short of the target), ``status`` ("below target" when the whole interval is below it,
        "meets target" when the whole interval is at or above it, else "borderline") and
        ``action_key`` (``maturity:<dimension>``, as used by the params' action catalogue).
    """
    target = model.stage(target_stage).min_level
    d = scores.dimensions.copy()
    d["target_level"] = target
    d["gap"] = target - d["mean"]
    below = d["ci_high"].fillna(d["mean"]) < target
    meets = d["ci_low"].fillna(d["mean"]) >= target
    d["status"] = np.select([d["mean"].isna(), below, meets], ["not answered", "below target", "meets target"],
                            "borderline")
    d["action_key"] = "maturity:" + d["dimension"]
    return d


STATUSES = ("below target", "borderline", "meets target", "not answered")
"""The statuses of :func:`target_gap`, in the order the page counts them."""


def _role_noun(role: str) -> str:
    """One respondent of a role, as a sentence names them: 'executive', 'frontline staff member', 'manager'."""
    return "frontline staff member" if role == "frontline" else role


def next_practices(scores: MaturityScores, model: MaturityModel, target_stage: int | None = None,
                   per_dimension: int = 2) -> pd.DataFrame:
    """The practices to adopt next: the lowest-rated ones in dimensions whose mean is below target.

    Parameters
    ----------
    scores, model : MaturityScores, MaturityModel
    target_stage : int, optional
        The aimed-for stage; default the stage after the current one (the top stage stays itself).
    per_dimension : int
        At most this many practices per dimension.

    Returns
    -------
    DataFrame
        ``dimension, dimension_name, practice, text, n, mean, level_now`` (name of the nearest level),
        ``level_needed`` and ``level_needed_name`` (the whole level at or above the target's
        ``min_level``, e.g. 3 Repeatable for 2.75), ``gap`` and ``action_key``; ordered by dimension
        gap then practice mean. Practices already at the needed level are not listed.
    """
    if target_stage is None:
        target_stage = min(overall_stage(scores, model).stage + 1, model.stages[-1].stage)
    target = model.stage(target_stage).min_level
    needed = int(min(math.ceil(target - 1e-9), model.level_range[1]))
    gaps = target_gap(scores, model, target_stage).set_index("dimension")
    below = gaps.index[gaps["gap"] > 0]
    p = scores.practices[scores.practices["dimension"].isin(below) & (scores.practices["mean"] < needed)].copy()
    p["dim_gap"] = p["dimension"].map(gaps["gap"])
    p = p.sort_values(["dim_gap", "mean"], ascending=[False, True]).groupby("dimension", sort=False).head(per_dimension)
    p.insert(1, "dimension_name", p["dimension"].map(gaps["name"]))
    p["level_now"] = [model.level_name(m) for m in p["mean"]]
    p["level_needed"] = needed
    p["level_needed_name"] = model.level_name(needed)
    p["gap"] = needed - p["mean"]
    p["action_key"] = "maturity:" + p["dimension"]
    cols = ["dimension", "dimension_name", "practice", "text", "n", "mean", "level_now", "level_needed",
            "level_needed_name", "gap", "action_key"]
    return p[cols].reset_index(drop=True)


# --------------------------------------------------------------------------- perception gap


@dataclass
class PerceptionGap:
    """How two roles rate the organisation: per dimension (``table``) and overall (``overall``)."""
    role_a: str
    role_b: str
    table: pd.DataFrame
    overall: dict
    conf: float = 0.95

    def sentence(self) -> str:
        """The finding in one plain-language sentence."""
        o, a, b = self.overall, self.role_a, self.role_b
        if not (o["n_a"] and o["n_b"]) or not np.isfinite(o["gap"]):
            return (f"The perception gap needs answers from both {a} and {b} respondents; "
                    f"there are {o['n_a']} and {o['n_b']}.")
        word = "higher" if o["gap"] >= 0 else "lower"
        text = (f"{respondents(a).capitalize()} ({o['n_a']}) rate the organisation {abs(o['gap']):.1f} levels {word} "
                f"than {respondents(b)} ({o['n_b']}) on average")
        if np.isfinite(o["ci_low"]):
            lo, hi = round(o["ci_low"], 1) + 0, round(o["ci_high"], 1) + 0       # + 0: no "−0.0"
            text += _minus(f" ({100 * self.conf:g}% interval {lo:+.1f} to {hi:+.1f})")
        t = self.table.dropna(subset=["gap"])
        if len(t):
            top = t.loc[t["gap"].abs().idxmax()]
            text += f". The largest gap is in {top['name']} ({_minus(f'{top.gap:+.1f}')} levels)"
        if not np.isfinite(o["p"]):
            return text + "."
        if o["p"] < 1 - self.conf:
            return text + f". A gap this large is unlikely to be chance (p {_p(o['p'])})."
        return text + f". With so few respondents it could still be chance (p {_p(o['p'])})."


def _minus(text: str) -> str:
    return text.replace("-", "−")


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.3f}" if p < 0.01 else f"= {p:.2f}"


def perception_gap(answers, model: MaturityModel, role_a: str = "executive", role_b: str = "frontline",
                   conf: float = 0.95) -> PerceptionGap:
    """Difference ``role_a − role_b`` in mean level per dimension and overall.

    Parameters
    ----------
    answers : DataFrame or MaturityScores
        The answers (scored on the fly) or the result of :func:`score`.
    model : MaturityModel
    role_a, role_b : str
        Roles to compare (case-insensitive); executives vs frontline by default.
    conf : float
        Confidence level of the intervals.

    Returns
    -------
    PerceptionGap
        ``table``: ``dimension, name, mean_a, mean_b, n_a, n_b, gap, ci_low, ci_high, p, p_adj``
        from Welch's t test on respondent means, p-values Benjamini–Hochberg adjusted across
        dimensions; ``overall``: the same fields for each respondent's mean over dimensions.
    """
    sc = answers if isinstance(answers, MaturityScores) else score(answers, model, conf)
    r = sc.respondents
    ra, rb = role_a.strip().lower(), role_b.strip().lower()

    def cmp(frame: pd.DataFrame) -> dict:
        x, y = frame.loc[frame["role"] == ra, "mean"], frame.loc[frame["role"] == rb, "mean"]
        c = compare_means(x.to_numpy(), y.to_numpy(), conf) if len(x) and len(y) else pd.Series(dtype=float)
        return {"mean_a": x.mean(), "mean_b": y.mean(), "n_a": int(len(x)), "n_b": int(len(y)),
                "gap": x.mean() - y.mean(), "ci_low": c.get("ci_low", np.nan),
                "ci_high": c.get("ci_high", np.nan), "p": c.get("p", np.nan)}

    rows = [{"dimension": d.id, "name": d.name, **cmp(r[r["dimension"] == d.id])} for d in model.dimensions]
    table = pd.DataFrame(rows)
    table["p_adj"] = adjust_bh(table["p"].astype(float).to_numpy())
    overall = cmp(r.groupby(["respondent_id", "role"], as_index=False)["mean"].mean())
    return PerceptionGap(ra, rb, table, overall, conf)


# --------------------------------------------------------------------------- the whole assessment


@dataclass
class Assessment:
    """Everything notebook 01 shows and saves; built by :func:`assess`."""
    model: MaturityModel
    target_stage: int
    scores: MaturityScores
    stage: StageResult
    dimensions: pd.DataFrame
    gap: PerceptionGap
    next: pd.DataFrame

    @property
    def available(self) -> bool:
        """Whether any answer could be scored."""
        return self.scores.n_respondents > 0

    @property
    def has_gap(self) -> bool:
        """Whether both compared roles answered, so the perception gap can be drawn and tabled."""
        return self.available and bool(self.gap.overall["n_a"]) and bool(self.gap.overall["n_b"])

    @property
    def compared_roles(self) -> tuple[str, str] | None:
        """The two compared roles when both have scored answers (the radar draws their own lines), else None."""
        roles = tuple(r for r in (self.gap.role_a, self.gap.role_b) if r in self.scores.roles)
        return roles if len(roles) == 2 else None

    @property
    def roles_shown(self) -> tuple[str, ...]:
        """Every role with scored answers, as the role table orders them (the first compared role, the other roles,
        the second compared role): each respondent's role is on the page."""
        a, b = self.gap.role_a, self.gap.role_b
        others = sorted(r for r in self.scores.roles if r not in (a, b))
        return tuple(r for r in (a, *others, b) if r in self.scores.roles)

    def by_status(self) -> dict[str, list[str]]:
        """Dimension names per status of the dimension table (``below target``, ``borderline``, ``meets target``,
        ``not answered``), in the model's order: the one classification the text and the table both use."""
        d = self.dimensions
        return {s: d.loc[d["status"] == s, "name"].tolist() for s in STATUSES if (d["status"] == s).any()}

    def status_sentence(self) -> str:
        """How many dimensions are below, borderline and at the target level, counted from the table's status.

        The first group names its count "of" all dimensions ("4 of 6 dimensions are below the target level"); the
        statuses are those of the table's *Status* column, so text and table never disagree.
        """
        k, groups = len(self.dimensions), self.by_status()
        words = {"below target": ("is below the target level", "are below the target level"),
                 "borderline": ("is borderline", "are borderline"),
                 "meets target": ("meets it", "meet it"), "not answered": ("was not answered", "were not answered")}
        parts = []
        for status, names in groups.items():
            count = f"{len(names)} of {k} {'dimension' if k == 1 else 'dimensions'}" if not parts else str(len(names))
            parts.append(f"{count} {verb(len(names), *words[status])} ({join_list(names)})")
        return sentence("; ".join(parts)) if parts else ""

    def roles_sentence(self) -> str:
        """Who answered: every role with its count, adding up to all respondents, and each role's mean level."""
        r = self.scores.respondents.groupby(["respondent_id", "role"], as_index=False)["mean"].mean()
        means = r.groupby("role")["mean"].mean()
        parts = [f"{plural(self.scores.roles[x], _role_noun(x), respondents(x))} "
                 f"(mean level {means.get(x, float('nan')):.2f})" for x in self.roles_shown]
        return sentence(f"The {plural(self.scores.n_respondents, 'respondent')} are {join_list(parts)}")

    def opening_sentences(self) -> list[str]:
        """The page's three to five plain sentences: stage, target, the dimensions against it, the weakest
        dimension and whether leaders and staff agree (no method names)."""
        s, o, tgt = self.stage, self.scores.overall, self.model.stage(self.target_stage)
        lo, hi = self.model.level_range
        out = [sentence(f"The organisation is at **{s}** of the {len(self.model.stages)}-stage CX maturity path, "
                        f"with a mean adoption level of {s.mean_level:.2f} on the {lo}–{hi} scale "
                        f"({100 * self.scores.conf:g}% interval {o['ci_low']:.2f} to {o['ci_high']:.2f}, "
                        f"{plural(o['n'], 'respondent')})")]
        if s.stage >= tgt.stage:
            out.append(sentence(f"The target, stage {tgt.stage} ({tgt.name}), is reached"))
        else:
            out.append(sentence(f"The target, stage {tgt.stage} ({tgt.name}), needs a mean level of "
                                f"{tgt.min_level:g}, {tgt.min_level - s.mean_level:.2f} more than today"))
        if text := self.status_sentence():
            out.append(text)
        d = self.dimensions.dropna(subset=["mean"])
        if len(d):
            low = d.loc[d["mean"].idxmin()]
            out.append(sentence(f"{low['name']} is the weakest dimension, at {low['mean']:.2f}"))
        g = self.gap.overall
        if self.has_gap and np.isfinite(g["gap"]):
            word = "higher" if g["gap"] >= 0 else "lower"
            clear = np.isfinite(g["p"]) and g["p"] < 1 - self.scores.conf
            out.append(sentence(f"{respondents(self.gap.role_a)} rate the organisation {abs(g['gap']):.1f} levels "
                                f"{word} than {respondents(self.gap.role_b)}"
                                + ("" if clear else ", a difference that could still be chance")))
        return out[:5]

    def absence(self) -> tuple[str, str]:
        """What is missing and what follows, for ``absent(...)`` when no answer could be scored.

        Either no answers were supplied, or none of them matches the model's practices (then every
        answer is among the unscored ``issues``, listed at the end of the page).
        """
        n = len(self.scores.issues)
        if n == 0:
            return ("No maturity questionnaire answers were supplied",
                    "this page has no stage, radar or next practices; the rest of the report does not depend on it")
        return (f"None of the {n:,} questionnaire answers match the practices of the model used",
                "check `maturity.model` in the parameters; the answers are listed at the end of this page")

    def model_sentence(self) -> str:
        """Which maturity model was used, and where it comes from."""
        return f"Model used: **{self.model.name}**. {self.model.source.strip()}"

    def all_met_sentence(self) -> str:
        """What the page says when no dimension is below the target stage."""
        return f"Every dimension already meets stage {self.target_stage}; the next step is the stage above it."

    def stage_sentence(self) -> str:
        """Where the organisation stands, what that stage means and how sure we are."""
        s, o, tgt = self.stage, self.scores.overall, self.model.stage(self.target_stage)
        text = (f"The organisation is at **{s}** of the {len(self.model.stages)}-stage path: mean adoption level "
                f"{s.mean_level:.2f} on the {self.model.level_range[0]}–{self.model.level_range[1]} scale "
                f"({100 * self.scores.conf:g}% interval {o['ci_low']:.2f} to {o['ci_high']:.2f}, "
                f"{o['n']} respondents). At this stage: {s.description.rstrip('.').lower()}.")
        if s.stage >= tgt.stage:
            return text + f" The target, stage {tgt.stage} ({tgt.name}), is reached."
        return text + (f" The target, stage {tgt.stage} ({tgt.name}), needs a mean level of {tgt.min_level:g} "
                       f"({tgt.min_level - s.mean_level:.2f} more). {self.status_sentence()}").rstrip()

    def summary(self) -> dict:
        """The headline record later notebooks read (artifact ``summary``)."""
        if not self.available:
            return {"available": False, "model_id": self.model.id, "model_name": self.model.name,
                    "target_stage": self.target_stage, "unscored_answers": int(len(self.scores.issues))}
        d = self.dimensions.dropna(subset=["mean"])
        lowest, highest = d.loc[d["mean"].idxmin()], d.loc[d["mean"].idxmax()]
        s, o, tgt = self.stage, self.gap.overall, self.model.stage(self.target_stage)
        return {
            "available": True, "model_id": self.model.id, "model_name": self.model.name,
            "model_source": self.model.source.strip(), "stage": s.stage, "stage_name": s.name,
            "stage_description": s.description, "stage_interval": [s.stage_low, s.stage_high], "stage_text": str(s),
            "mean_level": s.mean_level, "mean_level_interval": [s.ci_low, s.ci_high], "conf": self.scores.conf,
            "target_stage": tgt.stage, "target_stage_name": tgt.name, "target_level": tgt.min_level,
            "lowest_dimension": lowest["dimension"], "lowest_dimension_name": lowest["name"],
            "highest_dimension": highest["dimension"], "highest_dimension_name": highest["name"],
            "dimensions_below_target": self.dimensions.loc[self.dimensions["status"] == "below target",
                                                           "dimension"].tolist(),
            "dimensions_borderline": self.dimensions.loc[self.dimensions["status"] == "borderline",
                                                         "dimension"].tolist(),
            "dimensions_short_of_target_mean": self.dimensions.loc[self.dimensions["gap"] > 0, "dimension"].tolist(),
            "dimension_status": dict(zip(self.dimensions["dimension"], self.dimensions["status"])),
            "status_sentence": self.status_sentence(),
            "perception_roles": [self.gap.role_a, self.gap.role_b], "perception_gap_overall": o["gap"],
            "perception_gap_interval": [o["ci_low"], o["ci_high"]], "perception_gap_p": o["p"],
            "perception_gap_sentence": self.gap.sentence(), "n_respondents": self.scores.n_respondents,
            "respondents_by_role": self.scores.roles, "unscored_answers": int(len(self.scores.issues)),
        }


def assess(answers: pd.DataFrame | None, model: MaturityModel, target_stage: int, role_a: str = "executive",
           role_b: str = "frontline", per_dimension: int = 2, conf: float = 0.95) -> Assessment:
    """Run the whole assessment: :func:`score`, :func:`overall_stage`, :func:`target_gap`,
    :func:`perception_gap` and :func:`next_practices` (see those for the parameters); ``answers=None``
    (no questionnaire) gives an empty assessment whose ``available`` is false."""
    if answers is None:
        answers = pd.DataFrame(columns=["respondent_id", "role", "dimension", "practice", "level"])
    sc = score(answers, model, conf)
    return Assessment(model, target_stage, sc, overall_stage(sc, model), target_gap(sc, model, target_stage),
                      perception_gap(sc, model, role_a, role_b, conf),
                      next_practices(sc, model, target_stage, per_dimension))


AGAINST_TARGET = "Against the target level"
"""The dimension table's column of mean − target level: minus = below the target (the word and the sign agree)."""


def dimension_table(dims: pd.DataFrame, conf: float = 0.95) -> pd.DataFrame:
    """The output of :func:`target_gap` with readable column names, for the report.

    The distance to the target is shown as mean − target level (:data:`AGAINST_TARGET`): a dimension below the
    target reads minus, one above it plus, so the sign says what the words say.
    """
    return pd.DataFrame({
        "Dimension": dims["name"], "Respondents": dims["n_respondents"], "Mean level": dims["mean"],
        f"{100 * conf:g}% interval": [f"{a:.2f} to {b:.2f}" if np.isfinite(a) else "–"
                                    for a, b in zip(dims["ci_low"], dims["ci_high"])],
        "SD between respondents": dims["sd"],
        "Range of respondents": [f"{a:.1f}–{b:.1f}" if np.isfinite(a) else "–"
                                 for a, b in zip(dims["min"], dims["max"])],
        AGAINST_TARGET: -dims["gap"], "Status": dims["status"]})


def role_header(role: str, n: int) -> str:
    """A role's column header with its respondents: 'Executives (n 3)', 'Frontline staff (n 6)'."""
    return f"{capitalise(respondents(role))} (n {n})"


def gap_table(gap: PerceptionGap, scores: MaturityScores | None = None) -> pd.DataFrame:
    """The per-dimension table of :func:`perception_gap` with readable column names, for the report.

    With ``scores``, every other role that answered (managers, …) gets its own column of mean levels beside the
    two compared roles, so each respondent's role is in the table; the headers carry each role's n.
    """
    t = gap.table
    n_a, n_b = gap.overall["n_a"], gap.overall["n_b"]
    cols = {"Dimension": t["name"], role_header(gap.role_a, n_a): t["mean_a"]}
    if scores is not None:
        r = scores.respondents
        for role in sorted(x for x in scores.roles if x not in (gap.role_a, gap.role_b)):
            m = r[r["role"] == role].groupby("dimension")["mean"].mean()
            cols[role_header(role, scores.roles[role])] = t["dimension"].map(m).to_numpy()
    cols[role_header(gap.role_b, n_b)] = t["mean_b"]
    cols[f"Gap ({role_plural(gap.role_a)} − {role_plural(gap.role_b)})"] = t["gap"]
    cols[f"{100 * gap.conf:g}% interval"] = [_minus(f"{round(x, 2) + 0:+.2f} to {round(y, 2) + 0:+.2f}")
                                             if np.isfinite(x) else "–" for x, y in zip(t["ci_low"], t["ci_high"])]
    cols["p (adjusted)"] = t["p_adj"]
    return pd.DataFrame(cols)


def issues_table(scores: MaturityScores) -> pd.DataFrame:
    """Answers that were not scored, one row per dimension, practice and problem, with counts."""
    g = scores.issues.groupby(["dimension", "practice", "problem"], dropna=False)
    return g.agg(answers=("level", "size"), respondents=("respondent_id", "nunique")).reset_index().rename(
        columns=str.capitalize)


def practice_table(nxt: pd.DataFrame) -> pd.DataFrame:
    """The output of :func:`next_practices` with readable column names, for the report."""
    return pd.DataFrame({
        "Dimension": nxt["dimension_name"], "Practice": nxt["text"], "Mean level now": nxt["mean"],
        "Reads as": nxt["level_now"],
        "Needed": [f"{a} {b}" for a, b in zip(nxt["level_needed"], nxt["level_needed_name"])],
        "Respondents": nxt["n"]})


# --------------------------------------------------------------------------- the tables as the page shows them


def dimension_view(a: Assessment) -> TableView:
    """:func:`dimension_table` with its title, formats and a note naming the model's scale and the target."""
    target, low, high = a.model.stage(a.target_stage), a.model.levels[0], a.model.levels[-1]
    return TableView(dimension_table(a.dimensions, a.scores.conf), "Adoption level by dimension",
                     {"Mean level": "{:.2f}", "SD between respondents": "{:.2f}",
                      AGAINST_TARGET: lambda v: fmt_signed(v, 2)},
                     f"Levels {low.level} ({low.name.lower()}) to {high.level} ({high.name.lower()}). "
                     f"Target: stage {a.target_stage} ({target.name}), mean level {target.min_level:g}. "
                     f"{AGAINST_TARGET}: mean level minus the target level (minus = below it). Status: below target "
                     "when the whole interval lies below the target level, borderline when it includes it, meets "
                     "target when it lies at or above it.")


def gap_view(gap: PerceptionGap, scores: MaturityScores | None = None) -> TableView:
    """:func:`gap_table` with its title, formats and a note naming the roles compared."""
    table = gap_table(gap, scores)
    means = {c: "{:.1f}" for c in table.columns[1:-3]}
    others = [respondents(x) for x in sorted(scores.roles) if x not in (gap.role_a, gap.role_b)] if scores else []
    note = (f"The gap compares {respondents(gap.role_a)} with {respondents(gap.role_b)}; the "
            f"{join_list(others)} {verb(len(others), 'column is', 'columns are')} shown for reference."
            if others else None)
    return TableView(table, "Mean level by role and the gap between them",
                     {**means, table.columns[-3]: lambda v: fmt_signed(v, 2), "p (adjusted)": fmt_p}, note)


def practice_view(nxt: pd.DataFrame) -> TableView:
    """:func:`practice_table` with its title, format and note."""
    return TableView(practice_table(nxt), "Practices to adopt next, by dimension", {"Mean level now": "{:.1f}"},
                     "Ordered from the dimension furthest below target. Up to two practices per dimension.")


def issues_view(scores: MaturityScores) -> TableView:
    """:func:`issues_table` with its title and the advice under it."""
    return TableView(issues_table(scores), "Answers that were not scored",
                     note="These answers name a dimension, practice or level the model does not have. "
                          "Correct them at source or use the matching maturity model.")
