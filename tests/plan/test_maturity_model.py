"""Tests of the maturity model: loading and validating it (cxtemplate.plan.maturity_model)."""

from __future__ import annotations

import pytest
import yaml

from cxtemplate.plan import maturity_model as mm

# A four-level, four-stage model with two dimensions of two practices; test_maturity and test_plots use it too.
TINY_MODEL = """
id: tiny
name: Tiny model
source: written for the tests
levels:
  - {level: 1, name: None}
  - {level: 2, name: Some}
  - {level: 3, name: Most}
  - {level: 4, name: All}
stages:
  - {stage: 1, name: Start, min_level: 1.0}
  - {stage: 2, name: Middle, min_level: 2.0}
  - {stage: 3, name: Good, min_level: 2.75}
  - {stage: 4, name: Best, min_level: 3.5}
dimensions:
  - id: d1
    name: Dimension one
    practices:
      - {id: p1, text: Practice one}
      - {id: p2, text: Practice two}
  - id: d2
    name: Dimension two
    practices:
      - {id: p3, text: Practice three}
      - {id: p4, text: Practice four}
"""


def tiny_model() -> mm.MaturityModel:
    """The tiny model, validated without a file."""
    return mm.MaturityModel.model_validate(yaml.safe_load(TINY_MODEL))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "tiny.yaml"
    path.write_text(TINY_MODEL, encoding="utf-8")
    return mm.load_model("tiny.yaml", base_dir=path.parent)


def test_a_file_relative_to_the_params_folder_loads(tiny):
    assert (tiny.id, tiny.name, tiny.level_range) == ("tiny", "Tiny model", (1, 4))
    assert [d.id for d in tiny.dimensions] == ["d1", "d2"]
    assert mm.load_model(tiny) is tiny                        # a model object passes through


@pytest.mark.parametrize("level, stage", [(0.5, 1), (1.0, 1), (1.99, 1), (2.0, 2), (2.7499, 2), (2.75, 3),
                                          (3.49, 3), (3.5, 4), (4.0, 4), (float("nan"), 0), (None, 0)])
def test_stage_thresholds(tiny, level, stage):
    assert mm.stage_of(level, tiny) == stage


@pytest.mark.parametrize("level, name", [(0.2, "None"), (1.49, "None"), (2.6, "Most"), (3.5, "All"), (9, "All")])
def test_level_name_is_the_nearest_whole_level(tiny, level, name):
    assert tiny.level_name(level) == name


def test_unknown_stage_lists_the_valid_ones(tiny):
    assert tiny.stage(3).min_level == 2.75
    with pytest.raises(ValueError, match=r"no stage 7; stages are 1 \(Start\), 2 \(Middle\), 3 \(Good\), 4 \(Best\)"):
        tiny.stage(7)


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("min_level: 2.75", "min_level: 1.5"), "must increase"),
    (lambda t: t.replace("{id: p4,", "{id: p3,"), "practice ids must be unique, repeated: p3"),
    (lambda t: t.replace("    practices:\n      - {id: p3, text: Practice three}\n"
                         "      - {id: p4, text: Practice four}\n", ""), "dimensions.1.practices"),
    (lambda t: t.replace("name: Tiny model", "name: Tiny model\ncolour: blue"), "colour"),
    (lambda t: t.replace("{level: 3, name: Most}", "{level: 3, name: [Most"), "not valid YAML"),
    (lambda t: t.replace("{level: 3, name: Most}", "{level: 5, name: Most}"), "levels must be consecutive"),
    (lambda t: t.replace("{stage: 2, name: Middle", "{stage: 5, name: Middle"), "stages must be numbered 1, 2, 3"),
    (lambda t: t.replace("min_level: 3.5", "min_level: 4.5"), "no min_level may exceed the highest (4)"),
])
def test_malformed_model_gives_clear_error(tmp_path, edit, message):
    path = tmp_path / "client_model.yaml"
    path.write_text(edit(TINY_MODEL), encoding="utf-8")
    with pytest.raises(mm.MaturityModelError, match="client_model.yaml") as e:
        mm.load_model(path)
    assert message in str(e.value)


def test_a_list_is_not_a_model(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- one\n- two\n", encoding="utf-8")
    with pytest.raises(mm.MaturityModelError, match="list.yaml: expected a mapping"):
        mm.load_model(path)


def test_missing_model_names_the_packaged_ones():
    with pytest.raises(mm.MaturityModelError, match="forrester_six_disciplines, birdeye_four_pillars"):
        mm.load_model("forester_six_disciplines")


def test_packaged_models_load():
    for name in mm.PACKAGED:
        m = mm.load_model(name)
        assert m.id == name and m.level_range == (1, 4) and len(m.stages) == 4


@pytest.mark.parametrize("role, plural, who", [("executive", "executives", "executives"),
                                                ("frontline", "frontline", "frontline staff"),
                                                ("staff", "staff", "staff"), ("managers", "managers", "managers")])
def test_role_names_in_sentences(role, plural, who):
    assert mm.role_plural(role) == plural
    assert mm.respondents(role) == who


def test_a_model_whose_aliases_would_explode_is_refused(tmp_path):
    """The same alias limits as the params (a 'billion laughs' document is refused before it is built)."""
    import pytest

    from cxtemplate.plan.maturity_model import MaturityModelError, load_model

    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")
    with pytest.raises(MaturityModelError, match="bomb.yaml: YAML aliases expand it to"):
        load_model("bomb.yaml", base_dir=tmp_path)
