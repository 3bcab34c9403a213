"""`cxtemplate run params/demo.yaml` end to end: files, pages, and headline numbers checked against
values computed here, independently, from the raw demo CSVs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from cxtemplate.run.provenance import discover, notebooks_dir

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_run(demo_report):
    return demo_report


def _raw_latest_month(root: Path) -> pd.DataFrame:
    """The demo's responses of 2025-12 as an analyst would clean them by hand."""
    r = pd.read_csv(root / "data" / "demo" / "responses.csv", parse_dates=["responded_at"])
    r = r.drop_duplicates()
    r = r[(r["responded_at"] <= "2025-12-31 23:59:59") & r["nps"].between(0, 10) & r["csat"].between(1, 5)]
    return r[r["responded_at"].dt.to_period("M") == pd.Period("2025-12", "M")]


def test_run_writes_the_whole_report(demo_run):
    latest, proc = demo_run
    run = json.loads((latest / "run.json").read_text())
    assert run["status"] == "ok"
    assert [n["name"] for n in run["notebooks"]] == [p.stem for p in discover(notebooks_dir())]
    assert all(n["status"] == "ok" and n["seconds"] > 0 for n in run["notebooks"])
    # each kernel's peak memory, as the kernel itself measured it (a kernel with pandas loaded is > 50 MiB)
    assert all(50 < n["peak_rss_mib"] < 24 * 1024 for n in run["notebooks"]), [n.get("peak_rss_mib") for n in run["notebooks"]]
    assert run["rows"]["responses"] == {"in": 14883, "used": 14871, "quarantined": 12}
    for n in run["notebooks"]:
        assert (latest / n["html"]).is_file() and (latest / "notebooks" / f"{n['name']}.ipynb").is_file()
    assert len(run["scorecards"]) == 8 and all(s["status"] == "ok" for s in run["scorecards"])
    assert (latest / "artifacts" / "06_action_plan" / "action_plan.xlsx").is_file()
    assert "demo" in proc.stdout and "index.html" in proc.stdout


def test_pages_show_no_code_and_fetch_nothing(demo_run):
    latest, _ = demo_run
    pages = [latest / "index.html", *sorted((latest / "pages").rglob("*.html"))]
    assert len(pages) == 1 + 8 + 8
    for page in pages:
        html = page.read_text()
        assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', html), page.name
        assert "open_run(" not in html and "Traceback" not in html, page.name
        assert "&lt;Figure size" not in html and "<Figure size" not in html, f"{page.name}: a chart shown as text"
        assert not re.search(r'class="[^"]*jp-InputArea-editor', html), page.name


def test_headline_numbers_match_an_independent_computation(root, demo_run):
    latest, _ = demo_run
    r = _raw_latest_month(root)
    nps = 100 * ((r["nps"] >= 9).mean() - (r["nps"] <= 6).mean())
    csat = 100 * (r["csat"] >= 4).mean()
    ces = r["ces"].mean()
    cards = json.loads((latest / "artifacts" / "07_executive_summary" / "headline.json").read_text())["cards"]
    values = {c["label"].split(" · ")[0]: c for c in cards}
    assert values["NPS"]["value"].replace("−", "-") == f"{nps:.0f}"
    assert values["CSAT"]["value"] == f"{csat:.0f}%"
    assert values["CES"]["value"] == f"{ces:.2f}"
    assert f"n = {len(r):,}" in values["NPS"]["detail"]
    index = (latest / "index.html").read_text()
    assert f">{nps:.0f}<" in index and f">{csat:.0f}%<" in index


def test_planted_problems_become_owned_actions(root, demo_run):
    """The location with the step, the weakest driver, the most harmful topic and the riskiest
    segment each appear as an action with an owner (issue 6's acceptance check)."""
    latest, _ = demo_run
    truth = json.loads((root / "data" / "demo" / "truth.json").read_text())
    reg = pd.read_csv(latest / "artifacts" / "06_action_plan" / "action_register.csv")
    assert reg["owner"].notna().all()
    keys = ";".join(reg["finding_keys"].astype(str))
    scopes = ";".join(reg["scope"].astype(str))
    assert f"driver:{truth['drivers']['concentrate_here']}" in keys
    assert truth["location_step"]["location"] in scopes
    harmful = truth["topics"][truth["topics_most_harmful"]]["keywords"]
    assert any(k in keys for k in harmful), keys
    churn_rows = reg[reg["finding_keys"].str.contains("churn_risk")]
    assert truth["churn"]["highest_risk_segment"] in ";".join(churn_rows["scope"].astype(str))


def test_the_action_plan_has_one_action_per_remedy_each_answering_findings_of_its_kind(root, demo_run):
    """Issue 16: no two actions share a title; every finding an action lists is one its catalogue entry addresses
    (onboarding never answers a Support finding); the ranking unit is money with its interval, the value at risk
    apart; due dates lie after the run date; the call list holds the customers of the churn finding's group."""
    from cxtemplate.config.loader import load_config
    from cxtemplate.plan.actions import SEPARATOR, match_strength
    from cxtemplate.plan.findings import Finding

    latest, _ = demo_run
    art = latest / "artifacts" / "06_action_plan"
    reg = pd.read_csv(art / "action_register.csv")
    assert not reg["action"].duplicated().any(), reg["action"].tolist()
    found = pd.read_parquet(art / "findings.parquet").set_index("key")
    assert found.index.is_unique
    catalogue = {a.id: a for a in load_config(root / "params" / "demo.yaml").actions}
    listed = []
    for _, row in reg.iterrows():
        keys = str(row["finding_keys"]).split(SEPARATOR)
        listed += keys
        if row["action_id"] in catalogue:
            for key in keys:
                f = found.loc[key]
                finding = Finding(key=key, kind=f["kind"], subject=f["subject"], finding=f["finding"],
                                  terms=str(f["terms"]).split(", "))
                assert max(match_strength(finding, a) for a in catalogue[row["action_id"]].addresses) > 0, (row["action"], key)
    assert sorted(listed) == sorted(found.index)  # every finding answered, by exactly one action
    onboarding = reg[reg["action"].str.contains("onboarding", case=False)]
    assert not onboarding["finding_keys"].str.contains("Support").any()
    # money first, each with its interval; the retention calls' saving is not the segment's value at risk
    valued = reg[reg["impact_value"].notna()]
    assert len(valued) >= 5 and (valued["impact_low"] <= valued["impact_value"]).all()
    assert (valued["impact_value"] <= valued["impact_high"]).all()
    assert reg["impact_value"].notna().tolist() == sorted(reg["impact_value"].notna().tolist(), reverse=True)
    retention = reg[reg["finding_keys"].str.contains("churn_risk")].iloc[0]
    assert retention["impact_value"] < retention["value_at_risk"]
    run = json.loads((latest / "run.json").read_text())
    assert (pd.to_datetime(reg["due"]) > pd.Timestamp(run["started_at"][:10])).all()
    # the whole register is on the page, with the downloads linked
    import html

    raw = (latest / "pages" / "06_action_plan.html").read_text()
    page = html.unescape(raw)
    assert all(str(title) in page for title in reg["action"])
    assert 'href="../artifacts/06_action_plan/action_plan.xlsx"' in raw
    # the call list answers its finding: a Small-business finding calls Small-business customers
    column, level = retention["scope"].split(": ", 1)
    calls = pd.read_excel(art / "action_plan.xlsx", sheet_name="Retention list")
    assert len(calls) and set(calls[column].astype(str)) == {level}
    # watch items apart from alerts
    assert "Watch items" in page and "Alerts: act now" in page


def test_executive_summary_is_exported_as_pdf(demo_run):
    from cxtemplate.report.render import chromium

    if chromium() is None:
        pytest.skip("Chromium is not installed, so the PDF export is skipped by design")
    latest, _ = demo_run
    pdf = latest / "pages" / "07_executive_summary.pdf"
    assert pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000
    assert 'href="pages/07_executive_summary.pdf"' in (latest / "index.html").read_text()
