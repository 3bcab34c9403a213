"""Nothing leaks (issue 8): planted personal data and a database password, grepped for in every
file of a whole run.

A small synthetic organisation is given unique canaries:

* comments (survey responses and conversation transcripts) carrying e-mail addresses, phone
  numbers and card numbers that exist nowhere else, and the names of customers — including a
  customer whose CRM row is quarantined (its name must still be redacted from comments);
* CRM contact details (``name`` mapped as ``contact_name``, e-mail, phone) for customers who are
  recent detractors, so they reach the follow-up queues;
* survey responses served by an SQL source whose connection URL, given through an environment
  variable, carries a password.

SQLite is the only database here; a ``user:password@`` part makes the SQLite dialect refuse the
URL, so the *working* source uses an SQLite URI with the password as a query parameter
(``sqlite:///file:<path>?uri=true&password=…``: SQLite ignores unknown URI parameters, so the
real ``sources._read_sql`` path runs with a secret in its URL). A second organisation in the same
command gets a *broken* URL with a password both in ``user:password@`` and in the query string:
its run fails in notebook 00, and the error — reported in run.json, the failed page and the
command's output — must name the problem without the password.

Then every file of both runs (HTML, executed notebooks, JSON, CSV, Parquet cell by cell, XLSX
parts) and the command's output are searched: personal data only under ``restricted/``, comment
canaries and the password nowhere at all.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

# CRM contact details of the canary customers: allowed in restricted/, nowhere else
NAMES = ["Zebedee Quillfeather", "Ottoline Marchbanks-Vane", "Ignatius Fothergillowe"]
CRM_EMAILS = ["zebedee.crmcanary@quillmail.example.com", "ottoline.crmcanary@quillmail.example.com",
              "ignatius.crmcanary@quillmail.example.com"]
CRM_PHONES = ["07700 900871", "07700 900872", "07700 900873"]
# a customer whose CRM row is quarantined (end before start): named in a comment only
QUARANTINED_NAME = "Perpetua Wrenfieldshaw"
# written only inside free text: allowed nowhere
COMMENT_EMAILS = ["zqxcanary.one@example.org", "zqxcanary.two+billing@canary-post.example.net",
                  "zqxcanary.three@example.co.uk", "zqxcanary.four@example.org"]
COMMENT_PHONES = ["020 7946 0958", "+44 7700 900418", "(0161) 496 0777", "0044 20 7946 0321"]
PASSWORD = "Sw0rdf1sh-Canary-7Qz"
PASSWORD_2 = "Tr0mb0ne-Canary-44k"


def luhn_complete(prefix: str) -> str:
    """The 16-digit card number starting with the 15 digits ``prefix`` that passes Luhn."""
    for last in "0123456789":
        digits = [int(c) for c in prefix + last]
        total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(reversed(digits)))
        if total % 10 == 0:
            return prefix + last
    raise AssertionError


CARDS_RAW = [luhn_complete(p) for p in ("453914880343646", "491633850608283", "402400717398231", "455673581012097")]
CARDS = [f"{c[:4]} {c[4:8]} {c[8:12]} {c[12:]}" if i % 2 == 0 else c for i, c in enumerate(CARDS_RAW)]


def _name_tokens(names: list[str]) -> list[str]:
    return sorted({t for n in names for t in re.split(r"[\s-]+", n.lower())})


# --------------------------------------------------------------------------- scanning


BASE64_RUN = re.compile(r"[A-Za-z0-9+/\\n]{200,}={0,2}")


def file_texts(path: Path):
    """Every piece of text a file holds: Parquet cell by cell (and its schema), XLSX part by part."""
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        yield "schema", str(table.schema) + repr(table.schema.metadata)
        df = table.to_pandas()
        for c in df.columns:
            yield f"column {c}", "\n".join(map(str, df[c].tolist()))
        yield "index", "\n".join(map(str, df.index.tolist()))
    elif path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            for part in z.namelist():
                yield part, z.read(part).decode("utf-8", "replace")
    else:
        text = path.read_bytes().decode("utf-8", "replace")
        if path.suffix in (".html", ".ipynb"):
            # embedded PNG charts are base64: any four letters occur in them by chance
            text = BASE64_RUN.sub(" ", html.unescape(text))
        yield "text", text


def _digits_variant(s: str) -> str:
    return re.sub(r"[\s\-()+]", "", s)


@functools.lru_cache(maxsize=4)
def corpus(folder: Path) -> list[tuple[str, str, str, str]]:
    """(file, part, lower-cased text, the same without spaces, dashes and brackets) of a run folder."""
    out = []
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            for part, text in file_texts(p):
                low = text.lower()
                out.append((p.relative_to(folder).as_posix(), part, low, re.sub(r"[ \-()+]", "", low)))
    return out


def scan(folder: Path, needles: list[str]) -> list[tuple[str, str, str]]:
    """(file, part, needle) for every needle found (case-insensitive; phone and card numbers also
    with their spaces, dashes and brackets removed)."""
    hits = []
    for file, part, low, squeezed in corpus(folder):
        for n in needles:
            nl = n.lower()
            digits = _digits_variant(nl)
            if nl in low or (digits.isdigit() and len(digits) >= 8 and digits in squeezed):
                hits.append((file, part, n))
    return hits


# --------------------------------------------------------------------------- the planted organisation


def _plant(base: Path) -> dict:
    from cxtemplate.synth.organisation import generate, write_organisation
    from cxtemplate.synth.spec import SynthSpec

    org = generate(SynthSpec(customers=400, seed=91))
    data = base / "data" / "canary"
    write_organisation(org, data)
    anomalies = org.truth["injected_anomalies"]["ids"]
    cu = pd.read_csv(data / "customers.csv", dtype=str)
    r = pd.read_csv(data / "responses.csv", dtype=str)
    it = pd.read_csv(data / "interactions.csv", dtype=str)

    # recent identified detractors: they reach the callback queue, with contacts in restricted/
    bad_ids = {i for ids in anomalies["responses"].values() for i in ids}
    recent = r[(r["responded_at"] >= "2025-12-05") & (r["nps"].astype(float) <= 6) & r["customer_id"].notna()
               & ~r["response_id"].isin(bad_ids)].drop_duplicates("customer_id")
    assert len(recent) >= len(NAMES) + 1, "the synthetic organisation has too few recent detractors"
    chosen = recent.head(len(NAMES))
    for name, email, phone, cid in zip(NAMES, CRM_EMAILS, CRM_PHONES, chosen["customer_id"]):
        cu.loc[cu["customer_id"] == cid, ["name", "email", "phone"]] = [name, email, phone]
    quarantined_cid = anomalies["customers"]["end_before_start"][0]
    cu.loc[cu["customer_id"] == quarantined_cid, "name"] = QUARANTINED_NAME

    comments = [
        f"{NAMES[0]} here: e-mail me at {COMMENT_EMAILS[0]} or ring {COMMENT_PHONES[0]}, card {CARDS[0]} charged twice",
        f"my husband {NAMES[1].lower()} says call {COMMENT_PHONES[1]} - refund to card {CARDS[1]} please",
        f"Ask for {NAMES[2]}'s account; {COMMENT_EMAILS[1]} works, {COMMENT_PHONES[2]} does not",
        f"{QUARANTINED_NAME} was rude on the phone. Contact {COMMENT_EMAILS[2]} / {COMMENT_PHONES[3]}; card {CARDS[2]}",
    ]
    targets = list(chosen["response_id"]) + [recent["response_id"].iloc[len(NAMES)]]
    for rid, text in zip(targets, comments):
        r.loc[r["response_id"] == rid, "comment"] = text
    # a quarantined response carries canaries too: the quarantine artifact must be redacted
    nps_bad = anomalies["responses"]["nps_out_of_range"][0]
    r.loc[r["response_id"] == nps_bad, "comment"] = f"see {COMMENT_EMAILS[3]} and card {CARDS[3]} ({NAMES[0]})"
    # conversation transcripts
    it["text"] = None
    it.loc[it.index[5], "text"] = f"Agent: hello {NAMES[1]}. Customer: my card is {CARDS[3]}, e-mail {COMMENT_EMAILS[3]}"
    it.loc[it.index[9], "text"] = f"Customer {QUARANTINED_NAME} asked us to call {COMMENT_PHONES[0]}"
    cu.to_csv(data / "customers.csv", index=False)
    it.to_csv(data / "interactions.csv", index=False)
    (data / "responses.csv").unlink()  # the responses come from the warehouse only

    db = base / "warehouse" / "cx.db"
    db.parent.mkdir()
    with sqlite3.connect(db) as con:
        r.to_sql("survey_responses", con, index=False)

    demo = (ROOT / "params" / "demo.yaml").read_text()
    sql_source = re.compile(r"  responses:[^\n]*\n    file: \.\./data/demo/responses\.csv\n")
    assert sql_source.search(demo)
    params = {}
    for org_id, env in (("canary", "CX_CANARY_WAREHOUSE_URL"), ("canaryfail", "CX_CANARY_BROKEN_URL")):
        text = sql_source.sub(f"  responses:\n    sql: select * from survey_responses\n    url_env: {env}\n", demo)
        text = text.replace("../data/demo/", "../data/canary/").replace("id: demo ", f"id: {org_id} ")
        p = base / "params" / f"{org_id}.yaml"
        p.parent.mkdir(exist_ok=True)
        p.write_text(text)
        params[org_id] = p
    urls = {"CX_CANARY_WAREHOUSE_URL": f"sqlite:///file:{db}?uri=true&password={PASSWORD}",
            "CX_CANARY_BROKEN_URL": f"sqlite://cx_reader:{PASSWORD}@/file:{db}?uri=true&password={PASSWORD_2}"}
    return {"params": params, "urls": urls, "db": db, "chosen": list(chosen["customer_id"])}


@pytest.fixture(scope="module")
def canary(tmp_path_factory):
    base = tmp_path_factory.mktemp("canary")
    planted = _plant(base)
    out = base / "reports"
    env = {**os.environ, **planted["urls"]}
    proc = subprocess.run([sys.executable, "-m", "cxtemplate", "run", str(planted["params"]["canary"]),
                           str(planted["params"]["canaryfail"]), "--out", str(out), "--jobs", "2", "--quiet"],
                          capture_output=True, text=True, timeout=1200, env=env, cwd=str(base))
    ok_runs = [d for d in (out / "canary").iterdir() if d.is_dir() and not d.is_symlink() and d.name != "restricted"]
    fail_runs = [d for d in (out / "canaryfail").iterdir()
                 if d.is_dir() and not d.is_symlink() and d.name != "restricted"]
    assert len(ok_runs) == 1 and len(fail_runs) == 1, (proc.stdout, proc.stderr[-3000:])
    return {**planted, "proc": proc, "ok": ok_runs[0], "failed": fail_runs[0], "out": out}


def test_the_run_with_the_sql_source_completes_and_the_broken_one_fails(canary):
    assert canary["proc"].returncode == 1
    ok = json.loads((canary["ok"] / "run.json").read_text())
    assert ok["status"] == "ok", ok.get("error")
    assert ok["inputs"]["responses"]["source"] == "sql via $CX_CANARY_WAREHOUSE_URL"
    failed = json.loads((canary["failed"] / "run.json").read_text())
    assert failed["status"] == "failed"
    message = failed["error"]["message"]
    assert "00_data_integration" in message and "the query failed" in message
    assert "$CX_CANARY_BROKEN_URL" in message, "the error names where the URL comes from"
    assert "canaryfail" in canary["proc"].stderr and "the query failed" in canary["proc"].stderr


def test_the_password_appears_nowhere(canary):
    needles = [PASSWORD, PASSWORD_2, canary["urls"]["CX_CANARY_WAREHOUSE_URL"], canary["urls"]["CX_CANARY_BROKEN_URL"]]
    for run in ("ok", "failed"):
        assert scan(canary[run], needles) == [], run
    proc = canary["proc"]
    for needle in needles:
        assert needle not in proc.stdout and needle not in proc.stderr


def test_comment_canaries_appear_nowhere_not_even_in_restricted(canary):
    needles = COMMENT_EMAILS + COMMENT_PHONES + CARDS + [QUARANTINED_NAME] + _name_tokens([QUARANTINED_NAME])
    assert scan(canary["ok"], needles) == []
    assert scan(canary["failed"], needles) == []


def test_contact_details_appear_only_in_the_restricted_folder(canary):
    from cxtemplate.run.store import restricted_folder

    needles = NAMES + CRM_EMAILS + CRM_PHONES + _name_tokens(NAMES)
    assert scan(canary["ok"], needles) == []  # the run folder, the one a consultant sends, holds none of them
    # positive control: the scanner finds them where they are allowed, in Parquet and in CSV, beside the run
    found = {(h[0], h[2]) for h in scan(restricted_folder(canary["ok"]), needles)}
    for needle in (NAMES[0], CRM_EMAILS[1], CRM_PHONES[2]):
        assert ("contacts.parquet", needle) in found
        assert ("callback_queue_with_contacts.csv", needle) in found
    assert scan(canary["failed"], needles) == []


def test_the_scanner_reads_inside_parquet_and_xlsx(canary):
    """Positive control for the artifacts outside restricted/: ids of the canary customers are found."""
    hits = scan(canary["ok"], canary["chosen"])
    files = {h[0] for h in hits}
    assert "artifacts/06_action_plan/action_plan.xlsx" in files
    assert "artifacts/06_action_plan/callback_queue.parquet" in files
    assert "tables/responses.parquet" in files


def test_redactions_are_counted(canary):
    quality = json.loads((canary["ok"] / "artifacts" / "00_data_integration" / "quality.json").read_text())
    red = quality["tables"]["responses"]["redactions"]
    # planted in used rows: names 4, e-mails 3, phones 4, cards 3 (the quarantined row is counted too)
    assert red["name"] >= 4 and red["email"] >= 4 and red["phone"] >= 4 and red["card"] >= 4
    assert quality["tables"]["interactions"]["redactions"]["name"] == 2
