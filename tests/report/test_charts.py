"""The shared "metric by two labels" charts: every cell or bar shows its n, small ones are suppressed and
the subtitle says how many (``cxtemplate.report.charts``)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cxtemplate.report.charts import SUPPRESSED_COLOUR, heatmap, stacked_shares  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def _subtitle(ax) -> str:
    return next(t.get_text() for t in ax.texts if " · " in t.get_text() or t.get_text().startswith("n = ")
                or "not shown" in t.get_text())


def test_heatmap_labels_each_cell_with_its_value_and_n_and_greys_small_ones():
    values = pd.DataFrame([[12.0, -3.5, 40.0], [8.0, 20.25, np.nan]], index=["Leeds", "York"],
                          columns=["Onboarding", "Billing", "Support"])
    n = pd.DataFrame([[120, 45, 12], [300, 31, 0]], index=values.index, columns=values.columns)
    ax = heatmap(values, n=n, min_n=30, fmt="{:+.1f}".format, title="NPS by location and stage", unit="NPS points",
                 source="survey")
    texts = _texts(ax)
    assert "+12.0\nn = 120" in texts and "−3.5" not in texts and "-3.5\nn = 45" in texts
    assert "n < 30" in texts and "+40.0\nn = 12" not in texts          # 12 answers: suppressed, value hidden
    assert "+20.2\nn = 31" in texts or "+20.3\nn = 31" in texts
    sub = _subtitle(ax)
    # the shown cells hold 120 + 45 + 300 + 31 = 496 answers (the suppressed 12 are not behind the chart)
    assert sub == "NPS points; 2 cells with n < 30 not shown · n = 496 · Source: survey"
    image = ax.images[0]
    assert image.get_array().mask.tolist() == [[False, False, True], [False, False, True]]
    assert image.cmap.get_bad().tolist() == list(matplotlib.colors.to_rgba(SUPPRESSED_COLOUR))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Onboarding", "Billing", "Support"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Leeds", "York"]


def test_heatmap_without_counts_shows_values_only():
    corr = pd.DataFrame([[1.0, 0.62], [0.62, 1.0]], index=["NPS", "CSAT"], columns=["NPS", "CSAT"])
    ax = heatmap(corr, fmt="{:.2f}".format, title="How the metrics move together", vmin=-1, vmax=1, cmap="RdBu_r")
    assert sorted(_texts(ax)[:4]) == ["0.62", "0.62", "1.00", "1.00"]
    assert ax.images[0].norm.vmin == -1 and ax.images[0].norm.vmax == 1


def test_stacked_shares_draws_each_group_to_100_percent_and_leaves_out_small_groups():
    counts = pd.DataFrame({"negative": [30, 10, 2], "neutral": [10, 30, 1], "positive": [60, 60, 3]},
                          index=["Phone", "Chat", "Letter"])
    ax = stacked_shares(counts, colours={"negative": "#D55E00", "neutral": "#999999", "positive": "#009E73"},
                        min_n=30, sort_by="negative", title="Sentiment by channel", unit="% of comments")
    ticks = {t.get_position()[1]: t.get_text() for t in ax.get_yticklabels()}
    # sorted by the negative share: Phone (30%) on top, Chat (10%) below; Letter (n = 6) left out
    assert [ticks[y] for y in sorted(ticks, reverse=True)] == ["Phone  (n = 100)", "Chat  (n = 100)"]
    top = max(ax.patches, key=lambda p: p.get_y())
    assert top.get_width() == pytest.approx(30.0) and top.get_x() == 0
    widths = {}
    for patch in ax.patches:
        widths.setdefault(round(patch.get_y(), 6), []).append(patch.get_width())
    assert all(sum(w) == pytest.approx(100.0) for w in widths.values()) and len(widths) == 2
    assert "30%" in _texts(ax) and "60%" in _texts(ax)
    assert "% of comments; 1 group with n < 30 not shown · n = 200" in _texts(ax)


def test_every_label_written_on_a_fill_meets_wcag_aa_contrast():
    """White on the palette's orange, grey and green read at 2.3–3.4:1; each label now takes black or white,
    whichever reaches 4.5:1 on its fill."""
    from matplotlib.colors import to_rgba

    from cxtemplate.report.theme import PALETTE, contrast_ratio

    counts = pd.DataFrame({"negative": [40, 30], "neutral": [30, 30], "positive": [30, 40]}, index=["Phone", "Chat"])
    fills = {"negative": "#D55E00", "neutral": "#999999", "positive": "#009E73"}
    ax = stacked_shares(counts, colours=fills, title="Sentiment by channel")
    labels = [t for t in ax.texts if t.get_text().endswith("%")]
    assert len(labels) == 6
    for text in labels:
        x, y = text.get_position()
        fill = next(p.get_facecolor() for p in ax.patches if p.contains_point(ax.transData.transform((x, y))))
        assert contrast_ratio(text.get_color(), fill) >= 4.5, (text.get_text(), text.get_color(), fill)
    values = pd.DataFrame([[0.0, 50.0, 100.0]], index=["Leeds"], columns=["a", "b", "c"])
    n = pd.DataFrame([[40, 40, 2]], index=values.index, columns=values.columns)
    ax = heatmap(values, n=n, min_n=30, title="A heat map", cmap="Oranges")
    image = ax.images[0]
    for j, text in enumerate(t for t in ax.texts if "\n" in t.get_text()):
        assert contrast_ratio(text.get_color(), image.cmap(image.norm(values.iat[0, j]))) >= 4.5
    suppressed = next(t for t in ax.texts if t.get_text() == "n < 30")
    assert contrast_ratio(suppressed.get_color(), to_rgba(SUPPRESSED_COLOUR)) >= 4.5
    assert len(PALETTE) == 8
