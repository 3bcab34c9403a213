"""Tests of metric design (cxtemplate.measure.design) on small hand-made frames: margins of error and sample
sizes by their formulas, response rates counted by hand, redundancy against exact relations, the cadence
rule, and that every step loops over the specs it is given (a fourth metric simply appears)."""

from __future__ import annotations

import math
from types import SimpleNamespace as NS

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxtemplate.measure import design as md
from cxtemplate.measure.spec import MetricSpec, ces_spec, csat_spec, nps_spec
from cxtemplate.report.display import TableView

Z = stats.norm.ppf(0.975)
# Four metrics: the built-in three and a CSAT asked on 1–10 (top box 9–10) in its own column.
CSAT10 = MetricSpec("CSAT10", "csat10", "top_box", (1, 10), success_min=9, label="Satisfaction (1–10)")
SPECS = {"nps": nps_spec(), "csat": csat_spec(), "ces": ces_spec(), "csat10": CSAT10}
MARGINS = {"nps": 10.0, "csat": 5.0, "ces": 0.25, "csat10": 7.5}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _year(per_month: int = 40) -> pd.DataFrame:
    """12 months of 2024, ``per_month`` responses a month in channel App, the same mix every month:
    NPS half promoters (10), a quarter passives (8), a quarter detractors (2); CSAT 5 for 30%, else 3;
    CES 1…7 evenly in turn; CSAT10 10 for a fifth, else 6."""
    k = per_month
    nps = [10] * (k // 2) + [8] * (k // 4) + [2] * (k - k // 2 - k // 4)
    csat = [5] * (3 * k // 10) + [3] * (k - 3 * k // 10)
    rows = []
    for p in pd.period_range("2024-01", "2024-12", freq="M"):
        for i in range(k):
            rows.append({"responded_at": p.start_time + pd.Timedelta(days=i % 28), "channel": "App",
                         "nps": nps[i], "csat": csat[i], "ces": 1 + i % 7, "csat10": 10 if i % 5 == 0 else 6})
    return pd.DataFrame(rows)


YEAR = _year()


# --------------------------------------------------------------------------- definitions and target margins


def test_target_margins_come_from_the_spec_the_params_or_the_kind():
    metrics = NS(nps=NS(target_margin=8.0), csat=NS(target_margin=4.0), ces=NS(target_margin=0.3),
                 extra=[NS(key="csat10", target_margin=6.0)])
    assert md.target_margins(SPECS, metrics) == {"nps": 8.0, "csat": 4.0, "ces": 0.3, "csat10": 6.0}
    # without params the defaults of the kind; a spec that carries its own margin wins
    own = NS(kind="mean", target_margin=0.1)
    assert md.target_margins({**SPECS, "effort10": own}) == {"nps": 10.0, "csat": 5.0, "ces": 0.25, "csat10": 5.0,
                                                             "effort10": 0.1}


def test_catalogue_lists_every_spec_in_order():
    v = md.catalogue_view(SPECS, MARGINS)
    assert isinstance(v, TableView) and v.title == "Metrics and their definitions"
    assert v.frame["Metric"].tolist() == ["Net Promoter Score", "Customer satisfaction (CSAT)",
                                          "Customer effort (CES)", "Satisfaction (1–10)"]
    assert v.frame["Definition"].iat[3] == ("CSAT10 = share answering 9 or 10 on the 1–10 scale (top-2-box); "
                                            "Wilson 95% interval")
    assert v.frame["Target margin (±)"].tolist() == [10.0, 5.0, 0.25, 7.5]
    assert v.formats["Target margin (±)"].format(0.25) == "0.25"


# --------------------------------------------------------------------------- coverage and response rates


def test_coverage_counts_touchpoints_and_answered_shares():
    r = pd.DataFrame({"journey_stage": ["Billing"] * 3 + ["Support"] * 5,
                      "touchpoint": ["Invoice"] * 3 + ["Chat"] * 4 + ["Phone"],
                      "responded_at": pd.to_datetime(["2024-01-15", "2024-02-01", "2024-03-02"] + ["2024-02-10"] * 5),
                      "nps": [9, 8, None, 7, 6, 10, 10, 0], "csat": [5] * 8, "ces": [3] * 8,
                      "csat10": [None, None, None, 9, 10, None, None, 2]})
    cov = md.coverage(r, SPECS)
    assert cov.columns.tolist() == ["Journey stage", "Touchpoint", "Responses", "Share %", "NPS answered %",
                                    "CSAT answered %", "CES answered %", "CSAT10 answered %"]
    assert cov[["Touchpoint", "Responses"]].values.tolist() == [["Invoice", 3], ["Chat", 4], ["Phone", 1]]
    assert cov["Share %"].tolist() == pytest.approx([37.5, 50.0, 12.5])
    assert cov["NPS answered %"].tolist() == pytest.approx([200 / 3, 100, 100])
    assert cov["CSAT10 answered %"].tolist() == pytest.approx([0, 50, 100])
    view = md.coverage_view(cov)
    assert set(view.formats) == {"Share %", "NPS answered %", "CSAT answered %", "CES answered %", "CSAT10 answered %"}
    # 2024-01 to 2024-03: three months; at min_n = 2 a touchpoint needs 6 responses to average 2 a month
    assert md.months_covered(r) == 3
    assert md.coverage_sentence(cov, 2, 3) == ("**3 touchpoints** are surveyed; 3 of them collect fewer than 2 "
                                               "responses a month on average and can only be reported over longer "
                                               "periods.")
    assert md.coverage_sentence(cov, 1, 3).startswith("**3 touchpoints** are surveyed; 1 of them")  # Phone: 1 < 3
    assert md.coverage(r.drop(columns=["journey_stage", "touchpoint"]), SPECS).empty
    assert md.coverage_sentence(pd.DataFrame(), 30, 3).startswith("The responses carry no journey stage")
    assert md.months_covered(None) == 0 and md.months_covered(r.drop(columns="responded_at")) == 0


def test_response_rate_counted_by_hand():
    customers = pd.DataFrame({"customer_id": ["A", "B", "C", "D"],
                              "start_date": pd.to_datetime(["2024-01-10", "2024-01-20", "2024-02-15", "2024-03-31"]),
                              "end_date": pd.to_datetime([None, "2024-02-05", None, None])})
    responses = pd.DataFrame({"customer_id": ["A", "A", "B", "C", "A", None],
                              "responded_at": pd.to_datetime(["2024-01-11", "2024-01-25", "2024-02-02", "2024-02-20",
                                                              "2024-03-05", "2024-03-06"])})
    rates = md.response_rate(responses, customers, "M", as_of="2024-03-31")
    # active: Jan A, B; Feb A, B (leaving in February still counts), C; Mar A, C, D.
    # answered: Jan A (twice, once counted); Feb B, C; Mar A (the response without a customer is not counted)
    assert rates["period"].tolist() == ["2024-01", "2024-02", "2024-03"]
    assert rates["active_customers"].tolist() == [2, 3, 3]
    assert rates["respondents"].tolist() == [1, 2, 1]
    assert rates["response_rate_pct"].tolist() == pytest.approx([50.0, 200 / 3, 100 / 3])
    assert md.response_rate_sentence(rates) == ("Over the last 12 periods, **50.0%** of active customers answered a "
                                                "survey each period (from 33.3% to 66.7%).")
    assert md.response_rate_sentence(rates, periods=2).startswith("Over the last 2 periods, **50.0%**")
    assert md.response_rate(None, customers).empty
    assert md.response_rate(responses, customers.drop(columns="start_date")).empty
    fig = md.plot_response_rate(rates, "M")
    assert fig.axes[0].get_lines()[0].get_ydata() == pytest.approx(rates["response_rate_pct"].to_numpy())
    assert "n = 4" in fig.axes[0].texts[-1].get_text()


# --------------------------------------------------------------------------- margins of error


def _aw_moe(n, p, d):
    """Adjusted-Wald NPS margin (Rocks 2016): add 3/4 of a response to promoters and detractors, 3 to n."""
    na = n + 3
    pa, da = (p * n + 0.75) / na, (d * n + 0.75) / na
    return 100 * Z * math.sqrt((pa + da - (pa - da) ** 2) / na)


def test_nps_margin_and_sample_by_the_formula():
    t = md.margins_by_segment(YEAR, SPECS["nps"], ["channel"], target_margin=10.0, as_of="2024-12-31")
    row = t.iloc[0]
    assert (row["Segment"], row["Level"], row["n (latest period)"]) == ("channel", "App", 40)
    assert row["Margin ± now"] == pytest.approx(_aw_moe(40, 0.5, 0.25))
    # the smallest n whose adjusted-Wald margin is within ±10, by brute force
    need = next(n for n in range(2, 10_000) if _aw_moe(n, 0.5, 0.25) <= 10.0)
    assert row["n for target margin"] == need
    assert row["Periods of data needed"] == pytest.approx(need / 40)      # 480 responses a year = 40 a month


def test_top_box_and_mean_margins_by_the_formula():
    box = md.margins_by_segment(YEAR, SPECS["csat"], ["channel"], target_margin=5.0, as_of="2024-12-31").iloc[0]
    assert box["Margin ± now"] == pytest.approx(100 * Z * math.sqrt(0.3 * 0.7 / 40))     # Wald, p = 0.3
    assert box["n for target margin"] == math.ceil(Z**2 * 0.3 * 0.7 / 0.05**2)          # Cochran (1977), eq. 4.2
    mean = md.margins_by_segment(YEAR, SPECS["ces"], ["channel"], target_margin=0.25, as_of="2024-12-31").iloc[0]
    sd = np.std(YEAR["ces"], ddof=1)
    assert mean["Margin ± now"] == pytest.approx(stats.t.ppf(0.975, 39) * sd / math.sqrt(40))
    need = next(n for n in range(2, 10_000) if stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n) <= 0.25)
    assert mean["n for target margin"] == need


def test_margin_tables_loop_over_every_spec():
    tables = md.margin_tables(YEAR, SPECS, ["channel", "region"], MARGINS, as_of="2024-12-31")
    assert list(tables) == ["nps", "csat", "ces", "csat10"]
    ten = tables["csat10"].iloc[0]                           # a fifth answer 10: p = 0.2
    assert ten["Margin ± now"] == pytest.approx(100 * Z * math.sqrt(0.2 * 0.8 / 40))
    assert ten["n for target margin"] == math.ceil(Z**2 * 0.2 * 0.8 / 0.075**2)
    assert md.margin_tables(YEAR, SPECS, ["region"], MARGINS) == {}
    assert md.margin_tables(YEAR.drop(columns="responded_at"), SPECS, ["channel"], MARGINS) == {}
    assert md.margin_tables(None, SPECS, ["channel"], MARGINS) == {}


def test_margin_sentence_and_view():
    t = pd.DataFrame({"Segment": ["plan"] * 3, "Level": ["Basic", "Premium", "Standard"], "n (latest period)": [9, 4, 2],
                      "Margin ± now": [0.2, 0.31, 0.5], "n for target margin": [5, 8, 12],
                      "Periods of data needed": [0.5, 1.0, 3.0]})
    mean_csat = MetricSpec("CSAT", "csat", "mean", (1, 5))
    assert md.margin_sentence(mean_csat, 0.25, t) == (
        "**CSAT** (target ±0.25): 2 of 3 segment levels reach the target margin within a single period; "
        "the median level needs 1.0 periods of data.")
    assert md.margin_sentence(mean_csat, 0.25, pd.DataFrame()).endswith("no scored responses, so its precision "
                                                                        "cannot be shown.")
    # a mean named CSAT beside a top box named CSAT10: each column gets the decimals of its own kind
    specs = {"csat": mean_csat, "csat10": CSAT10}
    v = md.margins_view({"csat": t, "csat10": t.assign(**{"Margin ± now": [7.0, 9.5, 12.0]})}, specs,
                        {"csat": 0.25, "csat10": 7.5})
    assert v.columns == ["Segment", "Level", "n (latest period)", "CSAT ± now", "CSAT periods needed",
                         "CSAT10 ± now", "CSAT10 periods needed"]
    assert v.formats == {"CSAT ± now": "{:.2f}", "CSAT periods needed": "{:.1f}", "CSAT10 ± now": "{:.1f}",
                         "CSAT10 periods needed": "{:.1f}"}
    assert v.note == "Targets: CSAT ±0.25, CSAT10 ±7.5. The sample needed uses each level's own spread over the last year."
    assert v.max_rows == 80


# --------------------------------------------------------------------------- redundancy and cadence


def test_redundancy_finds_an_exact_combination():
    rng = np.random.default_rng(1)
    a, b = rng.integers(0, 11, 200).astype(float), rng.integers(1, 6, 200).astype(float)
    r = pd.DataFrame({"nps": a, "csat": b, "ces": a + b, "csat10": rng.integers(1, 11, 200).astype(float)})
    r.loc[5, "csat10"] = np.nan                               # only responses answering all are used
    corr, unique = md.redundancy(r, SPECS)
    assert corr.loc["NPS", "CES"] == pytest.approx(stats.spearmanr(a[r.index != 5], (a + b)[r.index != 5]).statistic)
    u = unique.set_index("Metric")
    assert u.loc["CES", "Unique %"] == pytest.approx(0, abs=1e-9)           # CES = NPS + CSAT exactly
    assert u.loc["CES", "Explained by the others %"] == pytest.approx(100)
    assert (u["n"] == 199).all()
    assert u.loc["NPS", "Unique %"] == pytest.approx(0, abs=1e-9)           # … and so NPS = CES − CSAT
    assert 0 < u.loc["CSAT10", "Explained by the others %"] < 10            # drawn independently
    v = md.redundancy_view(unique)
    assert "n" not in v.columns and v.note.endswith("n = 199 responses answering all.")
    heat = md.plot_redundancy(corr, 199)
    assert len([t for t in heat.axes[0].texts if t.get_text().replace(".", "").replace("-", "").isdigit()]) == 16
    assert md.redundancy(r, {"nps": SPECS["nps"]})[0].empty
    assert md.redundancy(None, SPECS)[1].empty


def test_redundancy_sentence_names_the_least_unique_metric():
    unique = pd.DataFrame({"Metric": ["NPS", "CSAT", "CES"], "Explained by the others %": [40.0, 75.4, 20.0],
                           "Unique %": [60.0, 24.6, 80.0], "n": [50, 50, 50]})
    assert md.redundancy_sentence(unique) == (
        "**CSAT** is the most redundant: the other metrics explain 75% of it. Keep it where stakeholders already "
        "rely on it; otherwise it is the first candidate to drop.")


def test_cadence_rule():
    # CSAT 5 for half, 1 for the other half: p = 0.5, so ±10 points needs ⌈1.96² × 0.25 / 0.1²⌉ = 97 a month
    volumes = {"Big": 400, "Steady": 100, "Mid": 40, "Tiny": 6}
    rows = [{"touchpoint": tp, "responded_at": p.start_time + pd.Timedelta(days=i % 28), "csat": 5 if i % 2 else 1}
            for p in pd.period_range("2024-07", "2024-12", freq="M") for tp, k in volumes.items() for i in range(k)]
    cad = md.cadence(pd.DataFrame(rows), SPECS["csat"], target_margin=10.0, as_of="2024-12-31")
    need = math.ceil(Z**2 * 0.25 / 0.1**2)
    assert need == 97 and (cad["n for target margin"] == need).all()
    c = cad.set_index("Touchpoint")
    assert c["Responses per month"].to_dict() == {"Big": 400, "Steady": 100, "Mid": 40, "Tiny": 6}
    assert c.loc["Big", "Cadence"] == "monthly"
    assert c.loc["Big", "Advice"] == "survey a sample: about 107 responses a month are enough (24% of today's volume)"
    assert (c.loc["Steady", "Cadence"], c.loc["Steady", "Advice"]) == ("monthly", "report monthly")
    assert (c.loc["Mid", "Cadence"], c.loc["Mid", "Advice"]) == ("quarterly", "report quarterly")
    assert c.loc["Tiny", "Cadence"] == "yearly (wider margin)"
    assert c.loc["Tiny", "Advice"].startswith("volume too low: a year gives 72 of 97 needed")
    v = md.cadence_view(cad, SPECS["csat"], 10.0)
    assert v.title == "Cadence per touchpoint for CSAT at ±10" and set(v.formats) <= set(v.columns)


def test_is_dated():
    assert md.is_dated(YEAR)
    assert not md.is_dated(None)
    assert not md.is_dated(YEAR.drop(columns="responded_at"))
    assert not md.is_dated(YEAR.assign(responded_at=pd.NaT))


def test_cadence_of_a_survey_with_no_recent_response_is_an_empty_table_with_a_sentence():
    old = pd.DataFrame({"nps": [9.0], "touchpoint": ["Web"], "responded_at": pd.to_datetime(["2023-01-15"])})
    cad = md.cadence(old, nps_spec(), by="touchpoint", target_margin=10, as_of=pd.Timestamp("2025-12-31"))
    assert cad.empty and list(cad.columns) == ["Touchpoint", "Responses per month", "n for target margin", "Cadence",
                                               "Advice"]
    view = md.cadence_view(cad, nps_spec(), 10)
    assert view.empty == "No touchpoint has NPS responses in the recent periods, so no cadence can be recommended."


def test_redundancy_leaves_out_a_metric_without_answers():
    rng = np.random.default_rng(5)
    r = pd.DataFrame({"nps": rng.integers(0, 11, 50).astype(float), "csat": np.nan,
                      "ces": rng.integers(1, 8, 50).astype(float)})
    corr, unique = md.redundancy(r, {"nps": nps_spec(), "csat": csat_spec(), "ces": ces_spec()})
    assert list(corr.columns) == ["NPS", "CES"] and unique["n"].tolist() == [50, 50]
    corr, unique = md.redundancy(r.iloc[:2], {"nps": nps_spec(), "ces": ces_spec()})
    assert corr.empty and unique.empty, "two responses say nothing about how metrics overlap"


# --------------------------------------------------------------------------- the page's sections


def test_without_survey_responses_the_page_is_one_sentence_and_nothing_else():
    opening = md.opening_section(None, SPECS)
    (sentence,) = opening.items
    assert sentence.text == ("*There are no survey responses — coverage cannot be assessed and there is no survey to "
                             "design*")
    assert md.opening_section(YEAR, {}).items[0].text.startswith("*No survey metric is enabled in the parameters")
    empty = [md.catalogue_section(None, SPECS, MARGINS), md.coverage_section(None, SPECS, 30),
             md.response_rate_section(None, None, SPECS), md.margins_section(None, SPECS, [], MARGINS),
             md.redundancy_section(None, SPECS), md.cadence_section(None, SPECS, MARGINS)]
    assert all(s.items == [] and s.artifacts == {} for s in empty)           # no method text, no empty tables


def test_with_responses_each_section_shows_its_method_and_keeps_its_artifact():
    catalogue = md.catalogue_section(YEAR, SPECS, MARGINS)
    assert catalogue.methods == [md.CATALOGUE_METHOD] and list(catalogue.artifacts) == ["catalogue"]
    assert md.opening_section(YEAR, SPECS).methods == [md.INTRO]
    # no CRM: response rates cannot be computed, in one sentence
    (rates,) = md.response_rate_section(YEAR, None, SPECS).items
    assert rates.text.startswith("*There is no CRM — response rates among customers cannot be computed")
    # no touchpoint column: no cadence, in one sentence
    (cadence,) = md.cadence_section(YEAR, SPECS, MARGINS, as_of="2024-12-31").items
    assert cadence.text.startswith("*The responses carry no touchpoint")


def test_the_opening_reads_the_sections_findings_in_plain_sentences():
    """Issue 16: the page opens with three to five sentences from the results; the method text goes in the note."""
    tp = YEAR.assign(touchpoint=np.where(np.arange(len(YEAR)) % 4 == 0, "Shop", "App"))       # 120 and 360 a year
    found = [md.coverage_section(tp, SPECS, 15), md.margins_section(tp, SPECS, ["channel"], MARGINS,
                                                                      as_of="2024-12-31"),
             md.redundancy_section(tp, SPECS)]
    opening = md.opening_section(tp, SPECS, found, MARGINS, min_n=15)
    text = opening.sentences
    assert 3 <= len(text) <= 5 and opening.methods == [md.INTRO]
    assert text[0] == "The survey measures NPS, CSAT, CES and CSAT10 on 480 responses at 2 touchpoints."
    assert text[1] == ("1 of the 2 touchpoints collects fewer than 15 responses a month, too few to report it month "
                       "by month.")                                        # Shop: 120 in 12 months = 10 a month
    need = found[1].artifacts["margins_nps"]["Periods of data needed"]
    ok = int((need <= 1).sum())
    assert text[2] == (f"{ok} of the 1 customer group {'is' if ok == 1 else 'are'} measured precisely enough (±10) on "
                       "NPS within a single period.")
    assert text[3].endswith("adds the most of its own.")
    assert not any(w in " ".join(text) for w in ("regression", "Spearman", "Wilson"))


def test_charts_get_alt_text_and_segments_their_labels():
    corr = pd.DataFrame([[1, 0.8, -0.2], [0.8, 1, 0.1], [-0.2, 0.1, 1]], index=list("ABC"), columns=list("ABC"))
    assert md.redundancy_alt(corr) == ("How strongly the metrics move together: A and B most (correlation 0.80), "
                                       "A and C least (−0.20).")
    rates = pd.DataFrame({"period": ["2024-01", "2024-02"], "active_customers": [10, 10], "respondents": [1, 3],
                          "response_rate_pct": [10.0, 30.0]})
    assert md.response_rate_alt(rates) == ("Share of active customers who answered a survey: 30.0% in 2024-02, "
                                           "between 10.0% and 30.0% over 2 periods.")
    tables = md.margin_tables(YEAR.assign(journey_stage="Support"), {"nps": nps_spec()}, ["journey_stage", "channel"],
                              MARGINS, as_of="2024-12-31")
    view = md.margins_view(tables, {"nps": nps_spec()}, MARGINS)
    assert sorted(set(view.frame["Segment"])) == ["Channel", "Journey stage"]
    assert set(tables["nps"]["Segment"]) == {"journey stage", "channel"}         # the artifact is unchanged
    redundancy = md.redundancy_section(YEAR, SPECS)
    assert redundancy.charts[0].alt.startswith("How strongly the metrics move together: ")
