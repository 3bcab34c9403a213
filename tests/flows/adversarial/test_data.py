"""Messy and misleading exports (issue 14): data that means something else is an error, never a silent number.

Each case builds a small engagement by hand (200 survey responses, a CRM when the case needs one), runs
integration and asserts one class of outcome:

* **a clear error** (:class:`~cxtemplate.errors.DataErrors`) naming the table, the column and what was
  found (the range of a scale that does not fit, the values that are not numbers, the counts of a
  quarantine that is too large or one-sided, the match rate of a join, the row the header is really on); or
* **the right numbers**: NPS of the rows used equals NPS computed in the test, by its definition, from the
  scores the export meant; timestamps equal the UTC instants computed by hand from their offsets; or
* **a sentence**: a degenerate input (one response, an all-empty metric) is "no data" on the page, not a crash.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxtemplate.config.loader import load_config
from cxtemplate.data.integrate import integrate
from cxtemplate.errors import DataErrors

N = 200
TRUTH = np.random.default_rng(20251231).integers(0, 11, N)
"""The scores the export means, 0–10."""


def nps_of(values) -> float:
    """NPS by its definition: % promoters (9–10) − % detractors (0–6)."""
    v = np.asarray(values, dtype=float)
    return 100 * ((v >= 9).mean() - (v <= 6).mean())


def responses(nps=None, **columns) -> pd.DataFrame:
    nps = TRUTH if nps is None else nps
    return pd.DataFrame({"response_id": [f"R{i:04d}" for i in range(len(nps))], "nps": nps,
                         "responded_at": [f"2025-{1 + i % 12:02d}-15" for i in range(len(nps))], **columns})


def customers(ids) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": ids, "start_date": "2024-01-01"})


@pytest.fixture()
def engagement(tmp_path: Path):
    """Write an engagement and return its params path: ``engagement(responses, customers=None, params=..., source=...)``.

    Files are CSV unless named otherwise (``file="responses.xlsx"``: written with the frame's sheets).
    """

    def build(resp, crm=None, *, params: str = "", source: str = "", file: str = "responses.csv",
              metrics: str = "metrics:\n  csat: {enabled: false}\n  ces: {enabled: false}\n") -> Path:
        data = tmp_path / "data"
        data.mkdir(exist_ok=True)
        if callable(resp):
            resp(data / file)
        elif file.endswith(".xlsx"):
            with pd.ExcelWriter(data / file) as xl:
                for name, frame in (resp.items() if isinstance(resp, dict) else [("Survey", resp)]):
                    frame.to_excel(xl, sheet_name=name, index=False)
        else:
            resp.to_csv(data / file, index=False)
        text = "organisation: {id: acme, name: Acme, as_of: 2025-12-31}\nsources:\n"
        if crm is not None:
            crm.to_csv(data / "customers.csv", index=False)
            text += "  customers: {file: ../data/customers.csv}\n"
        text += f"  responses:\n    file: ../data/{file}\n" + source + (metrics if "metrics:" not in params else "")
        path = tmp_path / "params" / "acme.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text + params)
        return path

    build.root = tmp_path
    return build


def stops(path: Path):
    with pytest.raises(DataErrors) as info:
        integrate(load_config(path))
    return info.value.errors


def one_error(path: Path):
    errors = stops(path)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


# --------------------------------------------------------------------------- scores written as labels


@pytest.mark.parametrize("labels", [
    {10: "10 - Extremely likely", 0: "0 - Not at all likely"},
    {10: "10 – Extremely likely", 0: "0 – Not at all likely"},          # an en dash
    {10: "Extremely likely (10)", 0: "Not at all likely (0)"},
    {10: "10: Extremely likely", 0: "0: Not at all likely", 5: "5: Neutral"},
    {v: f"{v} - label {v}" for v in range(11)},                        # every point labelled
], ids=["hyphen", "en-dash", "trailing", "colon", "every-point"])
def test_labelled_scores_give_the_nps_of_the_numbers_they_carry(engagement, labels):
    written = [labels.get(int(v), str(int(v))) for v in TRUTH]
    result = integrate(load_config(engagement(responses(written))))
    assert result.reports["responses"].rows_quarantined == 0
    assert nps_of(result.tables["responses"]["nps"]) == pytest.approx(nps_of(TRUTH))


def test_labels_without_numbers_are_refused_with_the_values_seen(engagement):
    written = ["Extremely likely" if v == 10 else "Not at all likely" if v == 0 else str(v) for v in TRUTH]
    e = one_error(engagement(responses(written)))
    assert (e.table, e.column) == ("responses", "nps") and "not a number" in e.message
    assert f"'Extremely likely' ({int((TRUTH == 10).sum())})" in e.message
    assert f"'Not at all likely' ({int((TRUTH == 0).sum())})" in e.message


# --------------------------------------------------------------------------- scales that do not fit


@pytest.mark.parametrize("column, scores, metrics, declared, seen, hint", [
    ("nps", TRUTH + 1, "", "0–10", "1 to 11", "recode: {nps: {1: 0"),
    ("csat", TRUTH * 10, "metrics:\n  ces: {enabled: false}\n  csat: {scale: [1, 5]}\n", "1–5", "0 to 100",
     "metrics.csat.scale: [0, 100]"),
    ("ces", 1 + TRUTH % 10, "metrics:\n  csat: {enabled: false}\n  ces: {scale: [1, 7]}\n", "1–7", "1 to 10",
     "metrics.ces.scale: [1, 10]"),
    ("speed", TRUTH * 10, "metrics:\n  csat: {enabled: false}\n  ces: {enabled: false}\n"
                          "  drivers: {columns: [speed, price], scale: [0, 10]}\n", "0–10", "0 to 100",
     "metrics.drivers.scale: [0, 100]"),
    ("csat10", TRUTH * 10, "metrics:\n  csat: {enabled: false}\n  ces: {enabled: false}\n"
                           "  extra: [{key: csat10, kind: top_box, scale: [1, 10], success_min: 9}]\n", "1–10",
     "0 to 100", "the scale of metrics.extra csat10: [0, 100]"),
], ids=["nps-1-11", "csat-0-100", "ces-1-10", "driver-0-100", "extra-0-100"])
def test_a_scale_that_does_not_fit_is_an_error_naming_column_and_range(engagement, column, scores, metrics,
                                                                        declared, seen, hint):
    df = responses() if column != "nps" else responses(scores)
    if column != "nps":
        df[column] = scores
    if column == "speed":
        df["price"] = TRUTH
    errors = stops(engagement(df, params=metrics))
    e = next(e for e in errors if e.column == column)
    assert f"run from {seen}" in e.message and f"declared {declared} scale" in e.message
    assert hint in e.hint


# --------------------------------------------------------------------------- quarantines too large or one-sided


def test_a_large_quarantine_stops_the_run_with_its_counts(engagement):
    df = responses()
    df.loc[:13, "responded_at"] = "2027-01-01"   # 14 of 200 (7%) after the analysis date
    e = one_error(engagement(df))
    assert "14 of 200 rows (7.0%) would be quarantined, more than the 5% allowed" in e.message
    assert "responded_at: after the analysis date 2025-12-31: 14" in e.message and e.examples


def test_a_small_quarantine_leaves_numbers_equal_to_a_direct_computation(engagement):
    df = responses()
    df["nps"] = df["nps"].astype(object)
    df.loc[[3, 50, 120], "nps"] = ["12", "ten", "7.5"]
    result = integrate(load_config(engagement(df)))
    assert result.reports["responses"].rows_quarantined == 3
    kept = np.delete(TRUTH, [3, 50, 120])
    assert nps_of(result.tables["responses"]["nps"]) == pytest.approx(nps_of(kept))


def test_a_one_sided_quarantine_stops_the_run(engagement):
    df = responses(csat=[1 + int(v) % 5 for v in TRUTH])
    df["csat"] = df["csat"].astype(object)
    df.loc[:9, "csat"] = "Very satisfied"  # 10 of 200 (5%): not above the share, but every one the same answer
    e = one_error(engagement(df, params="metrics:\n  ces: {enabled: false}\n"))
    assert e.column == "csat" and "10 of them hold the same value 'Very satisfied'" in e.message
    assert "recode: {csat: {'Very satisfied': <score>}}" in e.hint


def test_the_quarantine_limit_is_a_parameter(engagement):
    df = responses()
    df.loc[:13, "responded_at"] = "2027-01-01"
    result = integrate(load_config(engagement(df, params="quality: {max_quarantined_share: 0.1}\n")))
    assert result.reports["responses"].rows_quarantined == 14
    assert nps_of(result.tables["responses"]["nps"]) == pytest.approx(nps_of(TRUTH[14:]))


# --------------------------------------------------------------------------- identifiers and joins


def test_zero_padded_ids_keep_their_zeros_and_join(engagement):
    ids = [f"{i:05d}" for i in range(1, N + 1)]
    result = integrate(load_config(engagement(responses(customer_id=ids), customers(ids))))
    assert result.tables["customers"]["customer_id"].iloc[0] == "00001"
    assert result.tables["responses"]["customer_id"].iloc[0] == "00001"
    assert result.joins["responses"]["join_rate"] == 1.0


@pytest.mark.parametrize("crm_ids, survey_ids, rule", [
    ([f"{i:05d}" for i in range(N)], [str(i) for i in range(N)], "leading_zeros: strip"),
    ([f"C{i:05d}" for i in range(N)], [f" c{i:05d} " for i in range(N)], "case: upper"),
    ([f"C{i:05d}" for i in range(N)], [f"C-{i:05d}" for i in range(N)], "remove: ' -_'"),
], ids=["padded", "lower-spaced", "dashes"])
def test_ids_that_do_not_match_stop_the_run_and_the_named_rule_fixes_it(engagement, crm_ids, survey_ids, rule):
    e = one_error(engagement(responses(customer_id=survey_ids), customers(crm_ids)))
    assert (e.table, e.column) == ("responses", "customer_id")
    assert f"only 0 of the {N} survey responses with a customer id (0.0%) match a customer in the CRM" in e.message
    assert f"`ids: {{{rule}}}`" in e.hint and "100% of the distinct ids would match" in e.hint
    fields = {"leading_zeros: strip": "{leading_zeros: strip}", "case: upper": "{strip: true, case: upper}",
              "remove: ' -_'": "{remove: ' -_'}"}[rule]
    result = integrate(load_config(engagement(responses(customer_id=survey_ids), customers(crm_ids),
                                              params=f"ids: {fields}\n")))
    assert result.joins["responses"]["join_rate"] == 1.0


@pytest.mark.parametrize("known, outcome", [(142, "warning"), (99, "error"), (179, "warning"), (180, "fine")],
                         ids=["71%", "49.5%", "89.5%", "90%"])
def test_a_join_that_matches_little_warns_below_90_percent_and_stops_below_50(engagement, known, outcome):
    ids = [f"C{i:04d}" for i in range(N)]
    path = engagement(responses(customer_id=ids), customers(ids[:known]))
    if outcome == "error":
        e = one_error(path)
        assert f"only {known} of the {N} survey responses" in e.message
        return
    q = integrate(load_config(path)).quality()
    warning = q["joins"]["responses"].get("warning")
    if outcome == "fine":
        assert warning is None and "warnings" not in q
        return
    assert warning.startswith(f"Only {100 * known // N}% of the survey responses with a customer id "
                              f"({known} of {N}) match a customer in the CRM")
    assert q["warnings"] == [warning]


def test_the_join_limits_are_parameters(engagement):
    ids = [f"C{i:04d}" for i in range(N)]
    path = engagement(responses(customer_id=ids), customers(ids[:60]),
                      params="quality: {join_warning_below: 0.2, join_error_below: 0.1}\n")
    assert "warnings" not in integrate(load_config(path)).quality()


# --------------------------------------------------------------------------- headers and sheets


def test_a_repeated_header_that_would_be_read_is_an_error(engagement):
    df = responses()
    df.insert(3, "nps_copy", TRUTH[::-1])
    path = engagement(df)
    csv = engagement.root / "data" / "responses.csv"
    csv.write_text(csv.read_text().replace("nps_copy", "nps", 1))
    e = one_error(path)
    assert e.column == "nps" and "names column 'nps' 2 times (columns 2 and 4)" in e.message


def test_a_repeated_header_nobody_reads_is_left_alone(engagement):
    df = responses()
    df.insert(3, "notes", "a")
    df.insert(4, "notes2", "b")
    path = engagement(df)
    csv = engagement.root / "data" / "responses.csv"
    csv.write_text(csv.read_text().replace("notes2", "notes", 1))
    assert integrate(load_config(path)).reports["responses"].rows_used == N


@pytest.mark.parametrize("file", ["responses.csv", "responses.xlsx"])
def test_a_title_row_above_the_header_is_one_error_with_the_fix(engagement, file):
    df = responses()

    def titled(path):
        if path.suffix == ".csv":
            path.write_text("Customer survey export\n" + df.to_csv(index=False))
        else:
            body = pd.concat([pd.DataFrame([df.columns.tolist()]), pd.DataFrame(df.values)], ignore_index=True)
            with pd.ExcelWriter(path) as xl:
                pd.DataFrame([["Customer survey export"]]).to_excel(xl, sheet_name="Survey", index=False,
                                                                     header=False)
                body.to_excel(xl, sheet_name="Survey", index=False, header=False, startrow=1)

    path = engagement(titled, file=file)
    e = one_error(path)
    assert e.message == "the column names are on row 2, not on row 1 (row 1 reads 'Customer survey export')"
    assert "header_row: 2" in e.hint
    fixed = engagement(titled, file=file, source="    header_row: 2\n")
    result = integrate(load_config(fixed))
    assert nps_of(result.tables["responses"]["nps"]) == pytest.approx(nps_of(TRUTH))


def test_a_sheet_number_that_is_also_a_sheet_name_is_refused(engagement):
    sheets = {"1": responses(TRUTH), "2": responses(10 - TRUTH), "3": responses(TRUTH[::-1])}
    e = one_error(engagement(sheets, file="responses.xlsx", source="    sheet: 2\n"))
    assert "`sheet: 2` is ambiguous" in e.message and 'sheet: "2"' in e.hint
    result = integrate(load_config(engagement(sheets, file="responses.xlsx", source='    sheet: "2"\n')))
    assert nps_of(result.tables["responses"]["nps"]) == pytest.approx(nps_of(10 - TRUTH))


# --------------------------------------------------------------------------- time


def test_offsets_across_a_clock_change_are_read_as_utc_instants(engagement):
    local = pd.date_range("2025-01-01 10:00", periods=N, freq="37h")  # wall-clock times in London
    offsets = ["+01:00" if pd.Timestamp(t).tz_localize("Europe/London").utcoffset().seconds else "+00:00"
               for t in local]
    df = responses()
    df["responded_at"] = [t.strftime("%Y-%m-%dT%H:%M:%S") + o for t, o in zip(local, offsets)]
    result = integrate(load_config(engagement(df)))
    expected = [t - pd.Timedelta(hours=1 if o == "+01:00" else 0) for t, o in zip(local, offsets)]
    assert result.tables["responses"]["responded_at"].tolist() == expected
    assert {"+00:00", "+01:00"} == set(offsets), "the series spans a clock change"
    assert "converted to UTC" in result.quality()["tables"]["responses"]["notes"][0]


def test_offsets_mixed_with_times_without_one_are_read_and_stated(engagement):
    df = responses()
    df["responded_at"] = ["2025-03-01T10:00:00+01:00" if i % 2 else "2025-03-01T10:00:00" for i in range(N)]
    result = integrate(load_config(engagement(df)))
    got = result.tables["responses"]["responded_at"]
    assert (got[1::2] == pd.Timestamp("2025-03-01 09:00")).all() and (got[::2] == pd.Timestamp("2025-03-01 10:00")).all()
    (note,) = result.quality()["tables"]["responses"]["notes"]
    assert "100 without an offset were read as UTC" in note


# --------------------------------------------------------------------------- broken files


def test_a_parquet_file_damaged_mid_way_names_its_file(engagement):
    def damaged(path):
        responses(np.tile(TRUTH, 20)).to_parquet(path.with_suffix(".parquet"), compression=None)
        data = bytearray(path.with_suffix(".parquet").read_bytes())
        data[len(data) // 2 - 3000:len(data) // 2 + 3000] = b"\x00" * 6000
        path.with_suffix(".parquet").write_bytes(bytes(data))

    path = engagement(damaged, file="responses.parquet")
    e = one_error(path)
    assert e.source == "../data/responses.parquet" and "cannot read the Parquet file" in e.message


def test_a_source_replaced_by_a_folder_after_validation_is_a_data_error(engagement):
    path = engagement(responses())
    cfg = load_config(path)
    (engagement.root / "data" / "responses.csv").unlink()
    (engagement.root / "data" / "responses.csv").mkdir()
    with pytest.raises(DataErrors) as info:
        integrate(cfg)
    assert "the path is a folder, not a file" in str(info.value)


# --------------------------------------------------------------------------- degenerate surveys: a sentence, not a crash


def survey(frame: pd.DataFrame, outcome: str = "nps"):
    from cxtemplate.analysis.page import Survey
    from cxtemplate.measure.spec import csat_spec, nps_spec

    return Survey(frame, {"nps": nps_spec(), "csat": csat_spec()}, min_n=30, segments=("location",),
                  driver_columns=("speed", "price"), outcome=outcome, as_of=pd.Timestamp("2025-12-31"))


def degenerate(n: int = N, csat=None) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame({"response_id": [f"R{i}" for i in range(n)], "nps": TRUTH[:n].astype(float),
                         "csat": np.nan if csat is None else csat, "speed": rng.integers(0, 11, n).astype(float),
                         "price": rng.integers(0, 11, n).astype(float), "location": "Leeds", "touchpoint": "Web",
                         "responded_at": pd.to_datetime("2025-01-15") + pd.to_timedelta(np.arange(n) * 1.7, "D")})


def test_an_all_empty_csat_column_is_no_data_for_csat(engagement):
    from cxtemplate.analysis.key_drivers import drivers_section
    from cxtemplate.measure.design import redundancy
    from cxtemplate.measure.spec import csat_spec, nps_spec

    frame = degenerate()
    s = survey(frame, outcome="csat")
    assert not s.has("csat") and s.has("nps")
    assert drivers_section(s).sentences == ["*The responses carry no CSAT scores — the key-driver analysis is skipped*"]
    corr, unique = redundancy(frame, {"nps": nps_spec(), "csat": csat_spec()})
    assert corr.empty and unique.empty, "one metric with answers: nothing to compare"
    # and integration reads the empty column as missing answers, not as a quarantine
    df = responses(csat="")
    result = integrate(load_config(engagement(df, params="metrics:\n  ces: {enabled: false}\n")))
    assert result.reports["responses"].rows_quarantined == 0 and result.tables["responses"]["csat"].isna().all()


@pytest.mark.parametrize("when", ["2023-01-15", "2025-12-20"], ids=["old", "latest-period"])
def test_a_single_response_says_what_cannot_be_shown(when):
    from cxtemplate.analysis.experience import steps_section
    from cxtemplate.measure.design import cadence, cadence_view
    from cxtemplate.measure.spec import nps_spec

    one = degenerate(1).assign(responded_at=pd.to_datetime([when]))
    table = cadence(one, nps_spec(), by="touchpoint", target_margin=10, as_of=pd.Timestamp("2025-12-31"))
    view = cadence_view(table, nps_spec(), 10)
    if when.startswith("2023"):
        assert table.empty and "No touchpoint has NPS responses in the recent periods" in view.empty
    assert steps_section(survey(one)).sentences == [
        "*Step detection needs NPS responses in at least two months — it is skipped*"]


# --------------------------------------------------------------------------- a join that matches little, on the pages (slow)


@pytest.mark.slow
def test_a_join_that_matches_little_is_said_on_every_page_using_it_and_the_run_completes(tmp_path):
    """A synthetic organisation whose CRM export lost a quarter of its customers: notebooks 00, 03 and 05
    (integration, the response rate, the churn model's survey and contact measures) carry the sentence."""
    import re
    import shutil

    from cxtemplate.run.runner import run_organisation
    from cxtemplate.synth.organisation import generate, write_organisation
    from cxtemplate.synth.spec import SynthSpec

    root = Path(__file__).resolve().parents[3]
    write_organisation(generate(SynthSpec(customers=400, seed=14)), tmp_path / "data")
    crm = pd.read_csv(tmp_path / "data" / "customers.csv", dtype=str, keep_default_na=False)
    crm.iloc[: len(crm) * 3 // 4].to_csv(tmp_path / "data" / "customers.csv", index=False)
    (tmp_path / "params").mkdir()
    params = (root / "params" / "demo.yaml").read_text().replace("../data/demo/", "../data/").replace(
        "id: demo ", "id: partial ")
    (tmp_path / "params" / "partial.yaml").write_text(params)
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    for name in ("00_data_integration", "03_metric_design", "05_churn_survival"):
        shutil.copy(root / "notebooks" / f"{name}.ipynb", nbs)
    rec = run_organisation(str(tmp_path / "params" / "partial.yaml"), out_dir=str(tmp_path / "reports"), nb_dir=str(nbs))
    assert rec["status"] == "ok", rec.get("error")
    q = json.loads((Path(rec["run_dir"]) / "artifacts" / "00_data_integration" / "quality.json").read_text())
    j = q["joins"]["responses"]
    assert 0.5 <= j["join_rate"] < 0.9 and j["joined"] < j["with_customer_id"]
    sentence = (f"Only {int(100 * j['join_rate'])}% of the survey responses with a customer id "
                f"({j['joined']:,} of {j['with_customer_id']:,}) match a customer in the CRM")
    for page in ("00_data_integration", "03_metric_design", "05_churn_survival"):
        text = " ".join(re.sub(r"<[^>]+>", " ", (Path(rec["run_dir"]) / "pages" / f"{page}.html").read_text()).split())
        assert sentence in text, page


def test_too_few_complete_answers_for_the_drivers_is_a_sentence():
    from cxtemplate.analysis.key_drivers import drivers_section

    few = degenerate(3)  # three responses, two drivers: a regression needs at least four
    assert drivers_section(survey(few)).sentences == [
        "*Only 3 responses carry NPS and every driver rating, too few for 2 drivers — the key-driver analysis is skipped*"]


def test_a_single_period_of_responses_has_no_latest_change_to_explain():
    from cxtemplate.analysis.latest_change import root_cause_section

    one_month = degenerate(40).assign(responded_at=pd.Timestamp("2025-12-10"))
    assert root_cause_section(survey(one_month)).sentences == [
        "*The latest change needs NPS responses in at least two months — its causes are not analysed*"]
