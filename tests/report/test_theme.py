"""One chart style (``cxtemplate.report.theme``): the Okabe–Ito palette, the seaborn theme written out
(checked against seaborn itself), and charts finished with title, unit, n and source in one place."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_hex

from cxtemplate.report.theme import (
    BAD,
    BAD_TEXT,
    GOOD,
    GOOD_TEXT,
    NPS_COLOURS,
    PALETTE,
    SEABORN_RC,
    apply_theme,
    contrast_ratio,
    readable_on,
    relative_luminance,
    text_colour_on,
    finish,
    palette,
    seaborn_theme_rc,
    subtitle,
)

# Okabe & Ito (2008), "Color Universal Design": the eight colours distinguishable under the common
# forms of colour blindness (as published, e.g. in Wong 2011, Nature Methods 8:441, figure 2)
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky blue": "#56B4E9", "bluish green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish purple": "#CC79A7"}


def test_the_palette_is_the_okabe_ito_palette():
    assert len(PALETTE) == len(set(PALETTE)) == 8
    assert {c.upper() for c in PALETTE} == set(OKABE_ITO.values())


def test_good_and_bad_are_green_and_vermillion_in_every_chart():
    assert GOOD == NPS_COLOURS["promoter"] == OKABE_ITO["bluish green"]
    assert BAD == NPS_COLOURS["detractor"] == OKABE_ITO["vermillion"]
    assert NPS_COLOURS["passive"] not in (GOOD, BAD)


def test_palette_cycles_when_more_colours_are_needed():
    assert palette(0) == []
    assert palette(3) == PALETTE[:3]
    assert palette(10) == PALETTE + PALETTE[:2]


@pytest.mark.parametrize("kwargs, expected", [
    ({}, ""),
    ({"n": 12345}, "n = 12,345"),
    ({"n": 0}, "n = 0"),
    ({"unit": "NPS, −100…100", "n": 12345.0, "source": "survey"}, "NPS, −100…100 · n = 12,345 · Source: survey"),
    ({"unit": "% satisfied", "source": "CEM export"}, "% satisfied · Source: CEM export"),
])
def test_subtitle(kwargs, expected):
    assert subtitle(**kwargs) == expected


def test_the_written_out_theme_is_what_seaborn_sets():
    rc = seaborn_theme_rc()
    differ = {k: (v, rc[k]) for k, v in SEABORN_RC.items() if rc[k] != v}
    assert not differ


def test_apply_theme_sets_the_house_style():
    with mpl.rc_context():
        apply_theme()
        for key, value in SEABORN_RC.items():
            assert mpl.rcParams[key] == value, key
        cycle = [to_hex(c["color"]).upper() for c in mpl.rcParams["axes.prop_cycle"]]
        assert cycle == [c.upper() for c in PALETTE]
        assert mpl.rcParams["axes.titlelocation"] == "left" and mpl.rcParams["axes.titleweight"] == "bold"
        assert not mpl.rcParams["axes.spines.top"] and not mpl.rcParams["axes.spines.right"]
        assert mpl.rcParams["savefig.dpi"] == 110


def test_apply_theme_does_not_import_seaborn():
    code = ("import sys\nfrom cxtemplate.report.theme import apply_theme\napply_theme()\n"
            "print('seaborn' in sys.modules, 'scipy.stats' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False,
                          env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "False"]


@pytest.fixture()
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_finish_writes_title_and_subtitle_in_the_house_place(ax):
    ax.plot([1, 2], [3, 4], label="Leeds")
    ax.legend()
    out = finish(ax, "NPS by month", n=812, unit="NPS, −100…100", source="survey", xlabel="Month", ylabel="NPS",
                 legend=False)
    assert out is ax
    assert ax.get_title(loc="left") == "NPS by month"
    (note,) = [t for t in ax.texts if t.get_text()]
    assert note.get_text() == "NPS, −100…100 · n = 812 · Source: survey"
    assert note.xy == (0, 1) and note.get_horizontalalignment() == "left"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Month", "NPS")
    assert ax.get_legend() is None


def test_finish_without_subtitle_or_labels_leaves_them_alone(ax):
    ax.set_xlabel("Tenure (months)")
    finish(ax, "Survival")
    assert len(ax.texts) == 0
    assert ax.get_xlabel() == "Tenure (months)"


def test_finish_can_move_the_legend_outside_the_plot(ax):
    ax.plot([1, 2], [3, 4], label="Leeds")
    finish(ax, "NPS", legend=True)
    legend = ax.get_legend()
    assert legend is not None and [t.get_text() for t in legend.get_texts()] == ["Leeds"]
    assert legend.get_bbox_to_anchor().transformed(ax.transAxes.inverted()).x0 == pytest.approx(1.01)


def test_chart_text_from_the_data_is_drawn_as_written_never_as_mathtext():
    """A label such as "Plan $5 to $10" or an unbalanced "$\\frac{" would be typeset or fail the chart under
    matplotlib's default (``text.parse_math``); the house style draws text as written."""
    import io

    with mpl.rc_context():
        apply_theme()
        assert mpl.rcParams["text.parse_math"] is False
        fig, ax = plt.subplots()
        try:
            ax.bar(["$\\frac{$", "Plan $5 to $10"], [1, 2])
            finish(ax, "Touchpoint $\\sqrt{", n=3, unit="$x^$")
            fig.savefig(io.BytesIO(), format="png")  # draws every text: mathtext would raise here
            assert [t.get_text() for t in ax.get_xticklabels()] == ["$\\frac{$", "Plan $5 to $10"]
        finally:
            plt.close(fig)


# WCAG 2.x contrast ratios as published: W3C's Understanding SC 1.4.3 ("#777 on white is 4.48:1", just below AA)
# and the WebAIM contrast checker (#767676 on white is 4.54:1, the lightest grey meeting AA; black on white 21:1)
@pytest.mark.parametrize(("fg", "bg", "ratio"), [("#777777", "#ffffff", 4.48), ("#767676", "#ffffff", 4.54),
                                                 ("#000000", "#ffffff", 21.0), ("#ffffff", "#ffffff", 1.0),
                                                 ("#0000ff", "#ffffff", 8.59), ("#ff0000", "#ffffff", 4.0)])
def test_contrast_ratio_agrees_with_published_wcag_examples(fg, bg, ratio):
    assert round(contrast_ratio(fg, bg), 2) == ratio
    assert contrast_ratio(bg, fg) == contrast_ratio(fg, bg)


def test_relative_luminance_runs_from_black_to_white():
    assert relative_luminance("#000000") == 0.0 and relative_luminance("white") == pytest.approx(1.0)
    assert relative_luminance("#808080") == pytest.approx(0.2159, abs=1e-4)  # sRGB 128 is 21.6% of white


@pytest.mark.parametrize("fill", [*PALETTE, "#999999", "#eeeeee", "#7f7f7f", "#767676"])
def test_text_on_any_fill_of_the_palette_meets_aa(fill):
    assert contrast_ratio(text_colour_on(fill), fill) >= 4.5


def test_white_on_the_orange_grey_and_green_of_the_palette_would_fail_and_black_is_chosen():
    for fill in ("#E69F00", "#999999", "#009E73"):
        assert contrast_ratio("#ffffff", fill) < 4.5
        assert text_colour_on(fill) == "#000000"
    assert text_colour_on("#0072B2") == "#ffffff"


def test_palette_colours_written_on_white_are_darkened_only_as_much_as_needed():
    for colour in PALETTE:
        text = readable_on(colour)
        assert contrast_ratio(text, "#ffffff") >= 4.5
        if contrast_ratio(colour, "#ffffff") >= 4.5:
            assert text == to_hex(colour)
    yellow = readable_on("#F0E442")  # 1.3:1 as it is
    assert contrast_ratio(yellow, "#ffffff") < 5.0  # no darker than it must be
    assert contrast_ratio(readable_on("#F0E442", background="#000000"), "#000000") >= 4.5


def test_good_and_bad_news_written_as_text_use_the_darkened_palette():
    assert GOOD_TEXT == readable_on(GOOD, "#f6f8fa") and BAD_TEXT == readable_on(BAD, "#f6f8fa")
    for background in ("#ffffff", "#fbfcfd", "#f6f8fa"):  # the page, the cards, the header
        assert contrast_ratio(GOOD_TEXT, background) >= 4.5 and contrast_ratio(BAD_TEXT, background) >= 4.5
    css = (Path(__file__).resolve().parents[2] / "cxtemplate" / "report" / "templates" / "report.css").read_text()
    assert f"--cx-good: {GOOD_TEXT}" in css and f"--cx-bad: {BAD_TEXT}" in css
    for var in ("--cx-ink", "--cx-muted", "--cx-accent"):  # the page's text colours on white and the header's grey
        colour = re.search(rf"{var}: (#[0-9a-fA-F]{{6}})", css).group(1)
        assert contrast_ratio(colour, "#ffffff") >= 4.5 and contrast_ratio(colour, "#f6f8fa") >= 4.5, var
