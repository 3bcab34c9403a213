"""Hostile input in the security families (issue 14): formulas, personal data, secrets.

* **Formulas**: comments, agent ids, owner names, contact names and action titles that begin with ``= + - @``,
  a tab or a carriage return are written to ``action_plan.xlsx``, ``action_register.csv`` and the restricted
  queues as text: no ``<f>`` element in any sheet's XML, every CSV field that a spreadsheet could evaluate
  begins with the single quote and is enclosed in double quotes (OWASP's CSV-injection rule).
* **Personal data**: national identifiers, street addresses and postcodes, and names people give in their
  comments are replaced before anything is stored; none of them is found in any file of the report folder
  (pages, executed notebooks, artifacts, tables, the workbook's XML), and the contact details themselves live
  beside it, in ``<org>/restricted/<run_id>/``, never inside the folder a consultant sends.
* **Secrets**: a connection URL with a password, put in ``url_env`` by mistake, quoted back by a driver, or
  sitting in the data, is never printed by ``cxtemplate validate``, never in an error, ``run.json`` or a page.

The fast tests work on the writers and on integration of a tiny engagement written here; the slow ones share
one run of a small synthetic organisation whose every such field carries a payload.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cxtemplate.config.loader import load_config
from cxtemplate.data.integrate import integrate
from cxtemplate.data.spreadsheet import needs_neutralising
from cxtemplate.errors import ConfigError, DataError, DataErrors
from cxtemplate.plan import actions as act
from cxtemplate.plan import followup as fu

ROOT = Path(__file__).resolve().parents[3]

FORMULAS = ["=cmd|' /C calc'!A0", "+SUM(1)", "-1+1", "@SUM(1)", '=HYPERLINK("http://x","y")', "\t=1+1",
            "\r=1+1", " =2+2", "＝3+3", "=1+1\n=2+2", '=IMPORTXML("http://x","//a")', "-@SUM(A1)"]

# (comment, the strings that must not survive) — none of these names is a CRM name or a common first name,
# so only the cue finds them
PII = [
    ("My NI number is QQ 12 34 56 C, please stop printing it", ["QQ 12 34 56 C"]),
    ("ssn 123-45-6789 was read out on the call", ["123-45-6789"]),
    ("send it to 14 Acacia Avenue, Leeds LS6 2QZ", ["Acacia Avenue", "LS6 2QZ"]),
    ("my name is Zebedee Quartermaine and nobody rang back", ["Zebedee", "Quartermaine"]),
    ("The engineer never came. Regards, Ottoline Fairweather", ["Ottoline", "Fairweather"]),
    ("This is Barnaby Thistlewood from flat 2, still no refund", ["Barnaby", "Thistlewood"]),
    ("refund to GB29 NWBK 6016 1331 9268 19 please", ["GB29 NWBK", "NWBK 6016"]),
    ("Hauptstraße 5, 10115 Berlin is the new address", ["Hauptstraße 5", "10115 Berlin"]),
    ("passport number 502135326 was on the form", ["502135326"]),
    ("moved to Springfield, IL 62704-1234 last year", ["62704-1234"]),
    ("Name: Peregrine Ashdown-Lyle", ["Peregrine", "Ashdown-Lyle"]),
    ("Thanks, J. Wolstenholme", ["Wolstenholme"]),
]
PII_SECRETS = [s for _, secrets in PII for s in secrets]
PASSWORD = "Sup3r-s3cret-Pw"
DB_URL = f"postgresql://cx_user:{PASSWORD}@db.internal.example:5432/cx"


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist()
                       if n.startswith("xl/worksheets/") or n == "xl/sharedStrings.xml")


def _csv_fields(path: Path) -> list[str]:
    return [f for row in csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")) for f in row]


def _live_csv_fields(path: Path) -> list[str]:
    """Fields a spreadsheet would evaluate, and neutralised fields the file does not enclose in quotes."""
    raw = path.read_bytes().decode("utf-8")
    bad = [f for f in _csv_fields(path) if needs_neutralising(f)]
    bad += [f for f in _csv_fields(path) if f.startswith("'") and needs_neutralising(f[1:])
            and '"' + f.replace('"', '""') + '"' not in raw]
    return bad


# --------------------------------------------------------------------------- formulas (fast)


@pytest.mark.parametrize("field", ["comment", "agent_id", "owner", "contact_name", "action"])
def test_no_formula_from_comments_agents_owners_or_contact_names_is_live(tmp_path, field):
    """Every payload, in the field where a client's export or the params put it, through the package's writers of
    action_plan.xlsx and the restricted queues."""
    n = len(FORMULAS)
    values = {f: FORMULAS if f == field else [f"ordinary {f}"] * n for f in ("comment", "agent_id", "owner",
                                                                            "contact_name", "action")}
    register = pd.DataFrame({"rank": range(1, n + 1), "action_id": [f"a{i}" for i in range(n)], "action": values["action"],
                             "owner": values["owner"], "impact": [-2.5] * n, "origin": ["catalogue"] * n})
    queue = pd.DataFrame({"response_id": [f"R{i}" for i in range(n)], "customer_id": [f"C{i}" for i in range(n)],
                          "agent_id": values["agent_id"], "nps": [0] * n, "comment": values["comment"]})
    contacts = pd.DataFrame({"customer_id": queue["customer_id"], "contact_name": values["contact_name"],
                             "contact_email": ["x@example.org"] * n})
    book = act.write_workbook(tmp_path / "action_plan.xlsx",
                              act.workbook_sheets(register, pd.DataFrame({"finding": FORMULAS}), queue, queue))
    xml = _sheet_xml(book)
    assert "<f>" not in xml and "<f " not in xml
    restricted = fu.write_restricted(fu.restricted_version(queue, contacts), tmp_path / "restricted", "q")
    assert _live_csv_fields(restricted) == []
    assert pd.read_csv(restricted)["nps"].tolist() == [0] * n  # numbers stay numbers
    assert pd.read_excel(book, sheet_name="Register")["impact"].tolist() == [-2.5] * n


# --------------------------------------------------------------------------- a tiny engagement (fast)

PARAMS = """\
organisation:
  id: acme
  name: Acme Ltd
  as_of: 2025-12-31
sources:
  customers:
    file: ../data/customers.csv
    columns: {contact_name: name, contact_email: email}
  responses:
    file: ../data/responses.csv
metrics:
  csat: {scale: [1, 5]}
  ces: {scale: [1, 7]}
governance:
  owners:
    cx_lead: {name: A. Person}
"""


def _engagement(base: Path, comments: list[str], nps=None, params: str = PARAMS) -> Path:
    n = len(comments)
    (base / "data").mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"customer_id": [f"C{i:03d}" for i in range(n)], "name": [f"Person{i} Surname{i}" for i in range(n)],
                  "email": [f"p{i}@example.org" for i in range(n)], "start_date": ["2024-01-01"] * n,
                  "end_date": [""] * n, "segment": ["Consumer"] * n, "location": ["Leeds"] * n,
                  "revenue": [20.0] * n}).to_csv(base / "data" / "customers.csv", index=False)
    pd.DataFrame({"response_id": [f"R{i:03d}" for i in range(n)], "customer_id": [f"C{i:03d}" for i in range(n)],
                  "responded_at": ["2025-06-15T10:00:00"] * n, "nps": nps if nps is not None else [i % 11 for i in range(n)],
                  "csat": [3] * n, "ces": [4] * n, "comment": comments}).to_csv(base / "data" / "responses.csv", index=False)
    p = base / "params" / "acme.yaml"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(params, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def integrated(tmp_path_factory):
    base = tmp_path_factory.mktemp("pii")
    comments = [c for c, _ in PII] + ["fine", "the bill was wrong again", "I will call in May", "order 12345"]
    return integrate(load_config(_engagement(base, comments)))


@pytest.mark.parametrize("comment, secrets", PII, ids=[s[0] for _, s in PII])
def test_planted_personal_data_leaves_integration_redacted(integrated, comment, secrets):
    """The canonical responses, the quarantine and the quality report hold none of the planted strings."""
    stored = integrated.tables["responses"]["comment"].astype(str).tolist()
    assert comment not in stored
    blob = json.dumps(stored) + integrated.quarantine["responses"].to_json() + json.dumps(integrated.quality(), default=str)
    for s in secrets:
        assert s not in blob, s


def test_ordinary_comments_survive_integration_unchanged(integrated):
    stored = set(integrated.tables["responses"]["comment"])
    assert {"fine", "the bill was wrong again", "I will call in May", "order 12345"} <= stored
    reds = integrated.reports["responses"].redactions
    assert reds.get("national_id", 0) >= 3 and reds.get("name", 0) >= 5 and reds.get("address", 0) >= 2


def test_the_params_privacy_rules_reach_integration(tmp_path):
    params = PARAMS + "privacy:\n  kinds: [email, name]\n  keep: [Barnaby]\n  patterns:\n" \
                      "    - {name: policy_number, pattern: 'POL-\\d{6}'}\n"
    comments = ["policy POL-123456 lost", "This is Barnaby Thistlewood from flat 2", "QQ 12 34 56 C", "a@b.example.org"]
    out = integrate(load_config(_engagement(tmp_path, comments, params=params))).tables["responses"]["comment"].tolist()
    assert out == ["policy [policy_number] lost", "This is Barnaby Thistlewood from flat 2", "QQ 12 34 56 C", "[email]"]


def test_a_bad_privacy_section_is_a_clear_params_error(tmp_path):
    params = PARAMS + "privacy:\n  kinds: [ssn]\n  patterns:\n    - {name: x, pattern: '('}\n"
    with pytest.raises(ConfigError) as info:
        load_config(_engagement(tmp_path, ["fine"], params=params))
    text = str(info.value)
    assert "privacy.kinds[0]" in text and "national_id" in text
    assert "privacy.patterns[0].pattern" in text and "not a valid regular expression" in text


# --------------------------------------------------------------------------- secrets (fast)


def test_validate_never_echoes_a_url_put_in_url_env(tmp_path, capsys):
    """The issue's case: the URL itself in ``url_env`` was printed twice; now one problem says what to do and
    repeats neither the password nor the URL."""
    from cxtemplate.cli import main

    params = PARAMS.replace("  responses:\n    file: ../data/responses.csv",
                            f"  responses:\n    sql: select * from responses\n    url_env: \"{DB_URL}\"")
    p = _engagement(tmp_path, ["fine"], params=params)
    assert main(["validate", str(p)]) == 2
    out = capsys.readouterr()
    printed = out.out + out.err
    assert PASSWORD not in printed and "db.internal.example" not in printed
    assert printed.count("sources.responses.url_env") == 1 and "must name the environment variable" in printed
    with pytest.raises(ConfigError) as info:
        load_config(p)
    assert PASSWORD not in str(info.value) and PASSWORD not in repr(info.value.problems)


def test_a_password_in_any_params_value_is_masked_in_the_message(tmp_path):
    params = PARAMS.replace("    file: ../data/responses.csv", f"    file: \"{DB_URL}\"")
    with pytest.raises(ConfigError) as info:
        load_config(_engagement(tmp_path, ["fine"], params=params))
    assert PASSWORD not in str(info.value) and "postgresql://cx_user:***@db.internal.example" in str(info.value)


def test_a_url_with_a_password_inside_the_data_is_masked_in_the_data_error(tmp_path):
    """Scores holding a connection URL stop the run (they are not numbers); the error's examples quote the values,
    with the password masked."""
    p = _engagement(tmp_path, ["fine"] * 6, nps=[DB_URL] * 6)
    with pytest.raises(DataErrors) as info:
        integrate(load_config(p))
    # the examples shorten the value (here before its "@"): no piece of the password may show either
    assert "Sup3r" not in str(info.value) and all("Sup3r" not in str(e) for e in info.value.errors)
    assert "postgresql://cx_user:***" in str(info.value)


def test_a_driver_error_quoting_the_url_is_masked(tmp_path, monkeypatch):
    """An unreachable database: whatever the driver says (connection refused, driver missing), the error names
    the source and never the password."""
    monkeypatch.setenv("CX_TEST_DB_URL", f"postgresql://cx_user:{PASSWORD}@127.0.0.1:9/cx?connect_timeout=2")
    params = PARAMS.replace("  responses:\n    file: ../data/responses.csv",
                            "  responses:\n    sql: select * from responses\n    url_env: CX_TEST_DB_URL")
    with pytest.raises((DataError, DataErrors)) as info:
        integrate(load_config(_engagement(tmp_path, ["fine"], params=params)))
    assert PASSWORD not in str(info.value) and "responses" in str(info.value)


def test_a_comment_carrying_a_connection_url_is_redacted(integrated, tmp_path):
    out = integrate(load_config(_engagement(tmp_path, [f"our db is {DB_URL} lol", "fine"]))).tables["responses"]
    assert out["comment"].tolist()[0] == "our db is [url] lol"


# --------------------------------------------------------------------------- one hostile run (slow)


def build_engagement(base: Path) -> tuple[Path, dict]:
    """A small synthetic organisation whose comments carry personal data and formulas, whose agent ids, CRM
    contact names, owner names and action titles begin with formulas."""
    from cxtemplate.synth.organisation import generate, write_organisation
    from cxtemplate.synth.spec import SynthSpec

    # the data files are written by the synthetic organisation's CSV writer, which leaves a bare carriage return
    # unquoted (a reader then splits the row): payloads with line breaks are tested on the writers above
    formulas = [f for f in FORMULAS if "\r" not in f and "\n" not in f]
    org = generate(SynthSpec(customers=400, seed=1415, n_locations=2, months=24, plant_step=False))
    t = org.tables
    responses, customers = t["responses"], t["customers"]
    said = responses.index[responses["comment"].fillna("").astype(str).str.len() > 0]
    # every detractor with a customer id gets a comment carrying personal data: they reach the callback queue
    detractors = responses.index[(responses["nps"] <= 6) & responses["customer_id"].notna()]
    for k, i in enumerate(detractors):
        responses.loc[i, "comment"] = f"{responses.loc[i, 'comment'] or 'Bad.'} {PII[k % len(PII)][0]}"
    for k, i in enumerate(said[::7]):
        responses.loc[i, "comment"] = formulas[k % len(formulas)] + " " + str(responses.loc[i, "comment"])
    agents = sorted(pd.concat([responses["agent_id"], t["interactions"]["agent_id"]]).dropna().unique())
    hostile_agents = {a: f"{formulas[k % len(formulas)]}{a}" for k, a in enumerate(agents)}
    for frame in (responses, t["interactions"]):
        frame["agent_id"] = frame["agent_id"].map(lambda v: hostile_agents.get(v, v))
    customers["name"] = [f"{formulas[k % len(formulas)]}{n}" if k % 3 == 0 else n for k, n in enumerate(customers["name"])]
    write_organisation(org, base / "data" / "hostile")

    params = yaml.safe_load((ROOT / "params" / "demo.yaml").read_text(encoding="utf-8"))
    params["organisation"].update(id="formulas", start=None, baseline=None)
    for source in params["sources"].values():
        source["file"] = source["file"].replace("../data/demo/", "../data/hostile/")
    for k, owner in enumerate(params["governance"]["owners"].values()):
        owner["name"] = formulas[k % len(formulas)] + owner["name"]
    for k, action in enumerate(params["actions"]):
        action["title"] = formulas[(k + 3) % len(formulas)] + action["title"]
    params["reporting"]["min_n"] = 10
    path = base / "params" / "formulas.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(params, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path, {"detractors": len(detractors)}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    from cxtemplate.run.runner import run_organisation

    base = tmp_path_factory.mktemp("security")
    params, facts = build_engagement(base)
    record = run_organisation(str(params), out_dir=str(base / "reports"))
    return {"record": record, "run_dir": Path(record["run_dir"]), **facts}


def _report_text(run_dir: Path, *, restricted: bool) -> dict[str, str]:
    """Every file of the report folder as text, or of the run's restricted folder (``<org>/restricted/<run_id>/``,
    beside the report folder): HTML, notebooks, JSON, CSV as they are, Parquet tables as their values, workbooks as
    their XML."""
    import pyarrow.parquet as pq

    from cxtemplate.run.store import restricted_folder

    folder = restricted_folder(run_dir) if restricted else run_dir
    out = {}
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        rel = p.relative_to(folder).as_posix()
        if p.suffix == ".parquet":
            out[rel] = pq.read_table(p).to_pandas().to_csv()
        elif p.suffix == ".xlsx":
            out[rel] = _sheet_xml(p)
        elif p.suffix in (".html", ".ipynb", ".json", ".csv", ".txt", ".md", ".log", ".svg"):
            out[rel] = p.read_text(encoding="utf-8", errors="replace")
    return out


@pytest.mark.slow
def test_the_hostile_run_completes(hostile_run):
    assert hostile_run["record"]["status"] == "ok", hostile_run["record"].get("error")
    assert hostile_run["detractors"] > 0


@pytest.mark.slow
def test_no_spreadsheet_of_the_run_holds_a_live_formula(hostile_run):
    from cxtemplate.run.store import restricted_folder

    run_dir = hostile_run["run_dir"]
    restricted = restricted_folder(run_dir)
    books = sorted([*run_dir.rglob("*.xlsx"), *restricted.rglob("*.xlsx")])
    sheets = sorted([*run_dir.rglob("*.csv"), *restricted.rglob("*.csv")])
    assert books and any(p.is_relative_to(restricted) for p in sheets) and any("artifacts" in p.parts for p in sheets)
    for book in books:
        xml = _sheet_xml(book)
        assert "<f>" not in xml and "<f " not in xml, book
        assert "quotePrefix=\"1\"" in zipfile.ZipFile(book).read("xl/styles.xml").decode()  # payloads did arrive
    for sheet in sheets:
        assert _live_csv_fields(sheet) == [], sheet
    queue = pd.read_csv(restricted / "callback_queue_with_contacts.csv")
    assert queue["contact_name"].astype(str).str.startswith("'").any()  # hostile contact names arrived, quoted


@pytest.mark.slow
def test_no_planted_personal_data_leaves_restricted(hostile_run):
    """Pages, executed notebooks, artifacts, tables and the workbook: none holds a planted identifier, address or
    self-introduced name (the restricted folder holds the CRM's own contact details only)."""
    files = _report_text(hostile_run["run_dir"], restricted=False)
    assert any(k.startswith("pages/") for k in files) and any(k.startswith("notebooks/") for k in files)
    assert not (hostile_run["run_dir"] / "restricted").exists()  # the report folder can be sent as it is
    found = {s: [k for k, v in files.items() if s in v] for s in PII_SECRETS}
    assert {s: ks for s, ks in found.items() if ks} == {}
    restricted = _report_text(hostile_run["run_dir"], restricted=True)
    assert "contacts.parquet" in restricted  # the restricted folder was read, beside the report folder
    assert not any(s in v for s in PII_SECRETS for v in restricted.values())  # comments are redacted there too


@pytest.mark.slow
def test_the_callback_queue_shows_redacted_comments(hostile_run):
    queue = pd.read_parquet(hostile_run["run_dir"] / "artifacts" / "06_action_plan" / "callback_queue.parquet")
    text = " ".join(queue["comment"].dropna().astype(str))
    assert "[national id]" in text or "[name]" in text or "[address]" in text


def test_the_spreadsheet_checks_catch_a_planted_formula(tmp_path):
    """The checks above can fail: a workbook written by openpyxl without the package's writer holds <f>, and a CSV
    written by pandas holds fields a spreadsheet evaluates."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "=HYPERLINK(\"http://x\",\"y\")"
    wb.save(tmp_path / "bad.xlsx")
    assert "<f>" in _sheet_xml(tmp_path / "bad.xlsx")
    pd.DataFrame({"c": ["=1+1", "ok", "@SUM(1)"]}).to_csv(tmp_path / "bad.csv", index=False)
    assert _live_csv_fields(tmp_path / "bad.csv") == ["=1+1", "@SUM(1)"]
    (tmp_path / "half.csv").write_text("c\n'=1+1\n")  # prefixed but not enclosed in quotes
    assert _live_csv_fields(tmp_path / "half.csv") == ["'=1+1"]
