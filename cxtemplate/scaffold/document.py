"""``cxtemplate new ORG --data DIR``: inspect a folder of exports and write a commented params file.

The consultant gets a complete ``params/<org>.yaml`` in the style of ``params/demo.yaml`` within
seconds: one source per recognised file with its column mapping, metrics enabled only when their
column was found, drivers, segments, churn covariates, a placeholder owner and the reporting
defaults. Every guess carries a comment with its confidence (0–1) and its evidence; everything
that could not be decided is a ``# TODO:`` comment. ``cxtemplate validate`` then guides the rest.

The steps, one module each: :mod:`cxtemplate.scaffold.read` reads a sample of every file;
:mod:`cxtemplate.scaffold.profile`, :mod:`cxtemplate.scaffold.specs` and :mod:`cxtemplate.scaffold.guess`
guess each file's table and columns; :mod:`cxtemplate.scaffold.plan` keeps one file per table and
reads the date range, currency and extra columns off them; this module builds the document, which
:mod:`cxtemplate.scaffold.writer` writes as commented YAML.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from cxtemplate.scaffold.guess import MAX_DRIVERS, MAX_SEGMENT_LEVELS, Match, accumulates
from cxtemplate.scaffold.plan import (
    AMOUNT_WITH_SIGN,
    DATE_COLUMNS,
    MIN_CONFIDENCE,
    Plan,
    Recognised,
    date_bounds,
    extras,
    guess_currency,
    place_currency,
    plan_sources,
    robust_extreme,
)
from cxtemplate.scaffold.profile import looks_sensitive, normalise
from cxtemplate.scaffold.read import Inspection, ScaffoldError, inspect_folder, sniff_delimiter, sniff_encoding
from cxtemplate.scaffold.writer import Doc, check_round_trip, render, scalar

CATEGORICAL = ("segment", "location", "plan", "journey_stage", "touchpoint", "channel")
MAX_SEGMENTS = 8


class ParamsExist(ScaffoldError, FileExistsError):
    """The params file exists and ``force`` was not given."""


# --------------------------------------------------------------------------- building the document


def org_id(org: str) -> str:
    """The organisation id: lower case, letters, digits, '-' and '_' (e.g. 'Acme Bank' → 'acme-bank')."""
    s = re.sub(r"[^a-z0-9_-]+", "-", str(org).strip().lower()).strip("-_")[:64]
    if not s:
        raise ScaffoldError(f"'{org}' gives an empty organisation id; use letters or digits")
    return s


def _relative(path: Path, start: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()
    except ValueError:  # another drive (Windows): only an absolute path will do
        return path.resolve().as_posix()


def _match_note(m: Match) -> str:
    return f"guess {m.confidence:.2f}: {m.why}"


TODO_COLUMNS = {
    "customers": ("start_date", "end_date", "tenure", "churned", "revenue", "segment", "location", "plan"),
    "responses": ("responded_at", "customer_id", "nps", "csat", "ces", "comment", "location", "touchpoint",
                  "journey_stage", "channel"),
    "interactions": ("customer_id", "started_at", "channel", "intent", "sentiment", "resolved", "handle_seconds",
                     "text"),
    "operations": ("location",),
    "maturity_answers": ("role",),
}
WHY_NEEDED = {"responded_at": "trends by period need it", "revenue": "revenue at risk needs it",
              "end_date": "without it nobody has left",
              "customer_id": "links answers to customers and churn", "nps": "", "csat": "", "ces": "",
              "location": "scorecards and location alerts need it"}


def joining_sources(plan: Plan) -> list[tuple[str, str]]:
    """(table, source column) of the surveys and conversations that link their rows to customers by an id."""
    return [(t, plan.sources[t].guess.matches["customer_id"].column) for t in ("responses", "interactions")
            if t in plan.sources and "customer_id" in plan.sources[t].guess.matches]


def _source(doc: Doc, table: str, rec: Recognised, params_dir: Path, plan: Plan) -> None:
    """One ``sources`` entry with its mapping and comments."""
    g, s = rec.guess, rec.sample
    base = ("sources", table)
    src: dict[str, Any] = {"file": _relative(s.path, params_dir)}
    if g.generated_key:
        joins = joining_sources(plan)
        if not joins:
            src["id"] = "row_number"
            doc.note((*base, "id"), "no id column found: each row's number in the file is its customer id "
                                    "(the data-quality page says so); map customer_id under columns if there is one")
        else:
            linked = ", ".join(f"{plan.sources[t].sample.label} ({c})" for t, c in joins)
            doc.head(base, f"  TODO: no customer id column found, and {linked} link rows to customers by id: row "
                           "numbers (`id: row_number`) cannot join them. Export the CRM with its customer id and map",
                     "  it under columns (customer_id: <column>); `cxtemplate validate` stops until then")
    evidence = ", ".join(f"{c} ← {m.column}" for c, m in list(g.matches.items())[:4])
    if g.drivers:
        evidence += f", {len(g.drivers)} rating columns"
    doc.head(base, f"{s.label} → {table} (guess {g.confidence:.2f}: {evidence})")
    rival = next((o for o in rec.others if o.feasible and o.confidence >= MIN_CONFIDENCE), None)
    if rival is not None:
        doc.head(base, f"  it could also be {rival.table} ({rival.confidence:.2f})")
    if s.sheet is not None:
        src["sheet"] = s.sheet
        doc.note((*base, "sheet"), f"one of {s.sheets} sheets" if s.sheets > 1 else None)
    if s.encoding != "utf-8":
        src["encoding"] = s.encoding
        doc.note((*base, "encoding"), f"sniffed: {s.encoding_why}")
    if s.kind == "csv" and s.delimiter != ",":
        src["delimiter"] = s.delimiter
        doc.note((*base, "delimiter"), "sniffed from the header")

    columns: dict[str, str] = {}
    for canon, m in g.matches.items():
        columns[canon] = m.column
        doc.note((*base, "columns", canon), _match_note(m))
    for m in g.drivers[:MAX_DRIVERS]:
        columns[m.canon] = m.column
        doc.note((*base, "columns", m.canon), f"driver {m.confidence:.2f}: {m.why}")
    if columns:
        src["columns"] = columns
        doc.note((*base, "columns"), "canonical name: column in the file")
        if any(c.startswith("contact_") for c in columns):
            doc.tail((*base, "columns"), "contact_* columns go only to the restricted follow-up folder; names also",
                     "redact comments that mention them")

    kept = [e for e in extras(rec) if e.keep]
    overflow = g.drivers[MAX_DRIVERS:]
    if kept or overflow:
        src["keep"] = [e.column for e in kept] + [m.column for m in overflow]
        doc.note((*base, "keep"), "extra columns kept as attributes (segments, covariates)")
        for i, e in enumerate(kept):
            doc.note((*base, "keep", i), e.note)
        for j, m in enumerate(overflow):
            doc.note((*base, "keep", len(kept) + j), f"TODO: a rating beyond the {MAX_DRIVERS}-driver limit")

    recode = {c: m.recode for c, m in g.matches.items() if m.recode}
    if recode:
        src["recode"] = recode
        for c, m in g.matches.items():
            if m.recode:
                doc.flow.add((*base, "recode", c))
                doc.note((*base, "recode", c), f"guess {m.confidence:.2f}: {m.info['values']}")
    missing = {m.canon: m.missing for m in g.drivers[:MAX_DRIVERS] if m.missing}
    if missing:
        src["missing"] = missing
        doc.note((*base, "missing"), "guess 0.70: 0 on a 1–5 rating means 'not applicable' here; "
                                     "read as not answered, not as the worst score")

    formats = {m.info.get("date_format") for c, m in g.matches.items() if c in DATE_COLUMNS}
    named = sorted(f for f in formats if f)
    if named:
        src["date_format"] = named[0]
        note = "sniffed from the sample: " + next(m.info["values"] for c, m in g.matches.items()
                                                  if m.info.get("date_format") == named[0])
        if len(formats) > 1:
            note += "; TODO: the file's date columns use different formats, only one can be given"
        doc.note((*base, "date_format"), note)
    if "tenure" in g.matches:
        m = g.matches["tenure"]
        src["tenure_unit"] = m.info["tenure_unit"]
        doc.note((*base, "tenure_unit"), f"guess {m.info['unit_confidence']:.2f}: {m.info['unit_why']}")
    if g.kpi_columns:
        src["kpi_columns"] = list(g.kpi_columns)
        doc.note((*base, "kpi_columns"), "wide format: one column per KPI (melted to kpi, value)")

    doc.data["sources"][table] = src
    dropped = [e for e in extras(rec) if not e.keep]
    if dropped:
        doc.tail(base, "not kept: " + "; ".join(f"{e.column} ({e.note})" for e in dropped))
    absent = [c for c in TODO_COLUMNS[table] if c not in g.matches]
    if table == "customers":
        if "start_date" in g.matches:  # dates: end_date (or churned) says who left
            gone = {"tenure", "churned"} | ({"end_date"} if "churned" in g.matches else set())
        else:                          # tenure: churned says who left
            gone = {"start_date", "end_date"} | ({"tenure", "churned"} if "tenure" in g.matches else set())
        absent = [c for c in absent if c not in gone]
    if absent:
        why = [f"{c} ({WHY_NEEDED[c]})" if WHY_NEEDED.get(c) else c for c in absent]
        doc.tail(base, "TODO: not found (map them under columns if the file has them): " + ", ".join(why))


def _metrics(doc: Doc, plan: Plan) -> None:
    rec = plan.sources.get("responses")
    matches = rec.guess.matches if rec else {}
    metrics: dict[str, Any] = {}
    doc.data["metrics"] = metrics
    path = ("metrics",)
    if "nps" in matches:
        metrics["nps"] = {"enabled": True}
        doc.note((*path, "nps"), f"from '{matches['nps'].column}': % promoters (9–10) − % detractors (0–6)")
    else:
        metrics["nps"] = {"enabled": False}
        doc.note((*path, "nps"), "TODO: no 0–10 likelihood-to-recommend column found")
    doc.flow.add((*path, "nps"))
    if "csat" in matches:
        m = matches["csat"]
        scale = list(m.info.get("scale", (1, 5)))
        csat: dict[str, Any] = {"enabled": True, "method": "top2box", "scale": scale}
        if "success_min" in m.info:
            csat["success_min"] = m.info["success_min"]
            doc.note((*path, "csat", "success_min"), "only the top answer counts as satisfied")
        metrics["csat"] = csat
        doc.note((*path, "csat"), f"from '{m.column}' ({m.info['values']})")
        doc.note((*path, "csat", "method"), "top2box (share answering the top two) | mean")
        doc.note((*path, "csat", "scale"), "guess from the values: lowest and highest answer")
    else:
        metrics["csat"] = {"enabled": False}
        doc.flow.add((*path, "csat"))
        doc.note((*path, "csat"), "TODO: no satisfaction column found")
    if "ces" in matches:
        m = matches["ces"]
        metrics["ces"] = {"enabled": True, "method": "mean", "scale": list(m.info.get("scale", (1, 7)))}
        doc.note((*path, "ces"), f"from '{m.column}' ({m.info['values']}); check that high = easy")
    else:
        metrics["ces"] = {"enabled": False}
        doc.flow.add((*path, "ces"))
        doc.note((*path, "ces"), "TODO: no customer-effort column found")
    drivers = rec.guess.drivers[:MAX_DRIVERS] if rec else []
    outcome = next((k for k in ("nps", "csat", "ces") if k in matches), "nps")
    block: dict[str, Any] = {"columns": [m.canon for m in drivers]}
    if drivers:
        block["scale"] = list(rec.guess.driver_scale)
        doc.note((*path, "drivers", "scale"), "after 0 → not answered" if any(m.missing for m in drivers)
                 else "guess from the values")
        doc.note((*path, "drivers", "columns"), f"{len(drivers)} rating columns (mapped under sources.responses)")
    else:
        doc.note((*path, "drivers", "columns"), "TODO: no rating columns found to explain the outcome")
    block["outcome"] = outcome
    doc.note((*path, "drivers", "outcome"), "what the drivers explain")
    labels = {m.canon: m.info["label"] for m in drivers if m.info.get("label") and m.info["label"] != m.canon}
    if labels:
        block["labels"] = labels
        doc.note((*path, "drivers", "labels"), "plain-language names (from the file's headers)")
    metrics["drivers"] = block
    metrics["confidence"] = 0.95
    doc.head(path, "-" * 93,
             "Metric definitions: enabled only when their column was found. Vendors define CSAT and CES",
             "differently, so the definition is a parameter and every page states the one used.",
             "-" * 93)


LEAK_RHO = 0.6
"""A column whose rank correlation with tenure reaches this in the sample grows with tenure: no covariate."""


def tenure_leak(rec: Recognised, column: str) -> str | None:
    """Why a CRM column would leak the outcome (it grows with tenure: total charges, lifetime orders), or ``None``.

    By name (``total_charges``, ``lifetime_value``) or by a Spearman correlation of at least :data:`LEAK_RHO` with
    the tenure column in the sample.
    """
    if accumulates(normalise(column)):
        return f"'{column}' reads as a total to date"
    m = rec.guess.matches.get("tenure")
    if m is None or m.column == column:
        return None
    pair = rec.sample.frame[[m.column, column]].apply(lambda c: pd.to_numeric(c, errors="coerce")).dropna()
    if len(pair) < 30 or pair.nunique().min() < 3:
        return None
    rho = float(pair.corr(method="spearman").iloc[0, 1])
    return f"'{column}' moves with tenure (Spearman ρ = {rho:.2f} in the sample)" if rho >= LEAK_RHO else None


def _attribute_columns(rec: Recognised | None, purpose: str) -> list[tuple[str, str]]:
    """(column name in the table, why) for segments (``segment``) or churn covariates (``covariate``).

    Segments: the canonical categorical columns first, then other columns of 2–30 levels, those of three or more
    levels before yes/no flags and protected characteristics last (each group in file order). Covariates: every
    kept attribute but those that grow with tenure (:func:`tenure_leak`); a column is personal by its values
    (already left out by :func:`~cxtemplate.scaffold.plan.classify_extra`), never by its name alone, so a 0/1
    ``phone_service`` is a covariate.
    """
    if rec is None:
        return []
    out = []
    for canon in CATEGORICAL:
        m = rec.guess.matches.get(canon)
        if m is None:
            continue
        p = rec.profile(m.column)
        if 2 <= p.n_unique <= MAX_SEGMENT_LEVELS:
            out.append((canon, f"{m.column}: {p.level_text()}" if m.column != canon else p.level_text()))
    chosen = [e for e in extras(rec) if e.keep and getattr(e, purpose)]
    if purpose == "segment":
        order = {e.column: i for i, e in enumerate(chosen)}
        chosen.sort(key=lambda e: (looks_sensitive(e.column), rec.profile(e.column).n_unique <= 2, order[e.column]))
    elif rec.guess.table == "customers":
        chosen = [e for e in chosen if tenure_leak(rec, e.column) is None]
    out += [(e.column, e.note) for e in chosen]
    return out


def _segments_and_churn(doc: Doc, plan: Plan) -> None:
    segs: dict[str, str] = {}
    for table in ("responses", "customers"):
        for col, why in _attribute_columns(plan.sources.get(table), "segment"):
            segs.setdefault(col, why)
    rank = {c: i for i, c in enumerate(CATEGORICAL)}
    ordered = sorted(segs.items(), key=lambda kv: rank.get(kv[0], len(rank)))
    segs, more = dict(ordered[:MAX_SEGMENTS]), [c for c, _ in ordered[MAX_SEGMENTS:]]
    doc.data["segments"] = list(segs)
    doc.head(("segments",), "Columns of the responses table (or the customer's CRM record) to break results down by:",
             "categorical columns with 2–30 levels found in the data.")
    for i, why in enumerate(segs.values()):
        doc.note(("segments", i), why)
    if not segs:
        doc.note(("segments",), "TODO: no categorical column with 2–30 levels found" if {"responses", "customers"}
                 & set(plan.sources) else "segments break down survey responses and customers, and neither was found")
    if more:
        doc.tail(("segments",), f"TODO: more candidates, left out to keep the report readable: {', '.join(more)}")

    doc.data["maturity"] = {"model": "forrester_six_disciplines", "target_stage": 3}
    doc.note(("maturity", "model"), "or birdeye_four_pillars, or a YAML file of your own")
    doc.note(("maturity", "target_stage"), "TODO: agree the target stage with the client")
    if "maturity_answers" not in plan.sources:
        doc.head(("maturity",), "No maturity questionnaire answers were found; notebook 01 says so and the run goes on.")

    doc.data["objectives"] = []
    enabled = [k for k in ("nps", "csat", "ces") if doc.data["metrics"][k].get("enabled")]
    example = enabled[0] if enabled else "nps"
    doc.head(("objectives",), "Objectives: business goal → CX metric → target by a deadline, owned by a governance role.",
             "TODO: agree them with the client, e.g.",
             f"  - {{id: first-goal, goal: \"TODO\", metric: {example}, target: 0, deadline: "
             f"{dt.date.today().year + 1}-12-31, owner: cx_lead}}")

    cust = plan.sources.get("customers")
    churn: dict[str, Any] = {}
    doc.data["churn"] = churn
    if cust is None:
        churn["enabled"] = False
        doc.note(("churn", "enabled"), "no customer table found: no churn analysis")
        return
    m = cust.guess.matches
    usable = "start_date" in m or ("tenure" in m and "churned" in m)
    churn["enabled"] = usable
    doc.note(("churn", "enabled"), "customer tenure and churn found" if usable
             else "TODO: needs start_date (and end_date) or tenure and churned")
    churn["horizon_months"] = 12
    doc.note(("churn", "horizon_months"), "risk = P(leaving within the next 12 months | still here today)")
    covs = dict(_attribute_columns(cust, "covariate"))
    churn["covariates"] = list(covs)
    for i, why in enumerate(covs.values()):
        doc.note(("churn", "covariates", i), why)
    if not covs:
        doc.note(("churn", "covariates"), "TODO: no CRM attribute found to use as a covariate")
    leaks = [why for e in extras(cust) if e.keep and e.covariate and (why := tenure_leak(cust, e.column))]
    if leaks:
        doc.tail(("churn", "covariates"), "not covariates: " + "; ".join(leaks) + ": a quantity that grows with a "
                 "customer's life leaks the outcome (long-lived customers look safe because they lived long)")
    cx = _cx_covariates(plan)
    churn["cx_covariates"] = list(cx)
    doc.note(("churn", "cx_covariates"), "; ".join(cx.values()) if cx else "no survey or conversation linked to customers")
    rev = m.get("revenue")
    name = normalise(rev.column) if rev is not None else ""
    yearly = re.search(r"(^|_)(annual|annually|yearly|year|arr|per_year|pa)(_|$)", name)
    churn["revenue_per"] = "year" if yearly else "month"
    if rev is None:
        signed = [p.name for p in cust.profiles if p.is_text and p.values is not None
                  and p.values.iloc[:200].str.contains(AMOUNT_WITH_SIGN).mean() >= 0.5]
        doc.note(("churn", "revenue_per"), "TODO: no revenue column found; revenue at risk is not computed"
                 + (f" ({', '.join(signed)} holds amounts written with a currency sign, read as text: export the "
                    "amounts as plain numbers to use one)" if signed else ""))
    elif re.search(r"(^|_)(week|weekly|day|daily|quarter|quarterly)(_|$)", name):
        doc.note(("churn", "revenue_per"), f"TODO: '{rev.column}' looks like revenue per week, day or quarter, and "
                                           "revenue at risk counts it per month or year: convert it in the export")
    else:
        doc.note(("churn", "revenue_per"), f"'{rev.column}' is revenue per {churn['revenue_per']}: check")
    churn["top_customers"] = 50
    doc.note(("churn", "top_customers"), "length of the account managers' list")


def _cx_covariates(plan: Plan) -> dict[str, str]:
    """CX covariates the data can provide: survey scores or conversations linked by customer_id."""
    out: dict[str, str] = {}
    resp, inter = plan.sources.get("responses"), plan.sources.get("interactions")
    if resp and "customer_id" in resp.guess.matches:
        if "nps" in resp.guess.matches:
            out["nps_category"] = "nps_category: NPS answers linked by customer_id"
        if "ces" in resp.guess.matches:
            out["ces"] = "ces: effort answers linked by customer_id"
    if inter and "customer_id" in inter.guess.matches:
        if "resolved" in inter.guess.matches:
            out["unresolved_contacts"] = "unresolved_contacts: from conversations"
        if "sentiment" in inter.guess.matches:
            out["negative_contacts"] = "negative_contacts: from conversations"
    return out


def _header(doc: Doc, name: str, inspection: Inspection, plan: Plan, data_rel: str, params_file: str) -> None:
    rule = "-" * 93
    lines = [rule, f"cxtemplate — parameters of one engagement: {name}", "",
             f"Written by `cxtemplate new` on {dt.date.today().isoformat()} from the files in {data_rel}.",
             "Every mapping below is a GUESS with its confidence (0–1) and its evidence; lines marked TODO",
             "need a decision. Check them, then run", f"    cxtemplate validate {params_file}",
             "which lists every remaining problem with its line and key. params/demo.yaml is the fully",
             "commented worked example of every section. Paths are relative to THIS file.", ""]
    if plan.sources:
        lines.append("Recognised:")
        lines += [f"  {r.sample.label} → {t} (confidence {r.guess.confidence:.2f})" for t, r in plan.sources.items()]
    else:
        lines.append("TODO: no file was recognised as a canonical table; map them by hand under `sources`.")
    if plan.unrecognised:
        lines.append("TODO: not recognised (map by hand under `sources`, or ignore):")
        for s, why in plan.unrecognised:
            cols = ", ".join(str(c) for c in s.frame.columns[:25]) + (", …" if len(s.frame.columns) > 25 else "")
            lines.append(f"  {s.label} ({why}); columns: {cols or 'none'}")
    for fname, why in inspection.unreadable.items():
        lines.append(f"TODO: could not read {fname}: {why}")
    if inspection.ignored:
        lines.append("Not data files, not read: " + ", ".join(inspection.ignored))
    doc.head((), *lines, rule)


def build_document(org: str, inspection: Inspection, params_dir: Path, today: dt.date | None = None) -> Doc:
    """The params document for an organisation from an inspected folder (nothing is written)."""
    today = today or dt.date.today()
    plan = plan_sources(inspection)
    ident = org_id(org)
    name = org.strip() if org.strip() != ident else ident.replace("-", " ").replace("_", " ").title()
    doc = Doc()
    data_rel = _relative(inspection.folder, params_dir)
    _header(doc, name, inspection, plan, data_rel, (params_dir / f"{ident}.yaml").as_posix())

    currency, currency_note = guess_currency(plan)
    dates = date_bounds(plan, today)
    orgblock: dict[str, Any] = {"id": ident, "name": name}
    if currency is not None:
        orgblock["currency"] = currency
    orgblock["frequency"] = "month"
    if "start" in dates:
        orgblock["start"] = dates["start"]
    if dates["as_of"] is not None:
        orgblock["as_of"] = dates["as_of"]
    doc.data["organisation"] = orgblock
    doc.note(("organisation", "id"), "lower case; names the folder reports/<id>/")
    doc.note(("organisation", "name"), "TODO: the organisation's full name, as the report shows it")
    doc.note(("organisation", "currency"), currency_note)
    doc.note(("organisation", "frequency"), "reporting period: month | quarter")
    doc.note(("organisation", "start"), dates.get("start_note"))
    doc.note(("organisation", "as_of"), dates["as_of_note"])
    if currency is None:
        doc.tail(("organisation",), f"currency: {place_currency(plan) or 'EUR'}                # {currency_note}")
    if dates["as_of"] is None:
        doc.tail(("organisation",), f"as_of: YYYY-MM-DD            # {dates['as_of_note']}")
    else:
        base = dates["as_of"].replace(year=dates["as_of"].year - 1, day=1).strftime("%Y-%m")
        doc.tail(("organisation",), f"baseline: {base}             # optional: the period trends compare with (TODO)")

    doc.data["data_root"] = data_rel
    doc.head(("data_root",), "Every source must lie inside this folder (relative to this file): the folder given to",
             "`cxtemplate new --data`. A path outside it is refused, which catches typos such as ../../")

    doc.data["sources"] = {}
    doc.head(("sources",), "-" * 93,
             "Sources: each canonical table comes from a file. columns: canonical_name: source_column;",
             "keep: extra columns kept as attributes (anything neither mapped nor kept is dropped, so",
             "personal data does not travel); recode / missing: value rules; see params/demo.yaml.",
             "-" * 93)
    for table, rec in plan.sources.items():
        _source(doc, table, rec, params_dir, plan)
    if not plan.sources:
        doc.data["sources"] = {"responses": {"file": f"{data_rel}/TODO.csv"}}
        doc.note(("sources", "responses", "file"), "TODO: no file recognised; point this at the survey export")

    _metrics(doc, plan)
    _segments_and_churn(doc, plan)

    doc.data["actions"] = []
    doc.head(("actions",), "The action catalogue: standard actions matched to findings (driver:<column>, topic:<word>,",
             "location_drop, segment_gap, churn_risk, …). TODO: copy and adapt the catalogue of params/demo.yaml.")
    doc.data["governance"] = {"owners": {"cx_lead": {"name": "TODO: name", "title": "Head of CX"}},
                              "default_owner": "cx_lead"}
    doc.flow.add(("governance", "owners", "cx_lead"))
    doc.note(("governance", "owners", "cx_lead"), "TODO: the accountable people, one role key each")
    doc.note(("governance", "default_owner"), "owns generated actions that no catalogue entry covers")
    doc.tail(("governance",), "followup_owner: cx_lead       # calls detractors back (the inner loop)",
             "retention_owner: cx_lead      # contacts at-risk customers")
    doc.data["alerts"] = []
    doc.head(("alerts",), "Alert rules evaluated on the latest period, e.g.",
             "  - {id: location-drop, metric: nps, condition: significant_drop, by: location, owner: cx_lead}")

    doc.data["text"] = {"taxonomy": None, "aspects": [], "mixed_share": 0.2, "discover": True}
    doc.head(("text",), "How comments are read: aspects (what a comment is about) from a sector taxonomy, praise and",
             "complaint measured apart, new aspects proposed from what the taxonomy leaves.")
    doc.note(("text", "taxonomy"), "TODO: the sector (retail | utilities | telecoms | travel | banking), a YAML file "
             "of your own, or null for the common aspects")
    doc.note(("text", "aspects"), "your own, e.g. [{id: parking, name: Parking, terms: [car park, parking*]}]")
    doc.note(("text", "mixed_share"), "an aspect this mixed is shown as its praise and complaint sides")

    resp = plan.sources.get("responses")
    by = "location" if resp and "location" in resp.guess.matches else None
    doc.data["reporting"] = {"min_n": 30, "redact_pii": True, "roles": ["executive", "manager", "analyst"],
                             "manager_scorecards_by": by, "output_dir": "../reports",
                             "cell_timeout_seconds": 900, "seed": 20251231,
                             "windows": {"cards": 1, "locations": 3, "objectives": 3, "drivers": None, "topics": None},
                             "labels": {}}
    doc.note(("reporting", "min_n"), "cells with fewer responses are suppressed in stakeholder views")
    doc.note(("reporting", "redact_pii"), "e-mails, phone numbers, card numbers, known names → [email] …")
    doc.note(("reporting", "manager_scorecards_by"), "one scorecard page per location" if by else
             "TODO: no location in the responses: no manager scorecards (name a column to have them)")
    doc.note(("reporting", "output_dir"), "reports/<org>/<run_id>/ and reports/<org>/latest")
    doc.note(("reporting", "seed"), "bootstraps and samples; same inputs + seed → same numbers")
    doc.note(("reporting", "windows"), "periods each figure covers (printed beside it); null = all the data")
    doc.note(("reporting", "labels"), "what readers see instead of a column name, e.g. {store_id: Store}")
    return doc


def scaffold_text(org: str, data_dir: Path, params_dir: Path, today: dt.date | None = None) -> str:
    """The commented params YAML for an organisation's folder of exports (nothing is written)."""
    doc = build_document(org, inspect_folder(Path(data_dir)), Path(params_dir), today)
    text = render(doc)
    check_round_trip(text, doc.data)
    return text


def write_params(org: str, data_dir: Path, *, params_dir: Path = Path("params"), force: bool = False) -> Path:
    """Inspect a folder of exports and write ``<params_dir>/<org id>.yaml``.

    Parameters
    ----------
    org : str
        The organisation; its id (lower case, e.g. 'Acme Bank' → 'acme-bank') names the file.
    data_dir : Path
        Folder holding the client's CSV / TSV / Parquet / Excel exports (not searched recursively).
    params_dir : Path
        Folder of the params file (created when absent).
    force : bool
        Overwrite an existing params file.

    Returns
    -------
    Path
        The params file written.

    Raises
    ------
    ScaffoldError
        When the params file exists (and ``force`` is false), the folder is missing, or it holds
        no data file.
    """
    params_dir = Path(params_dir)
    path = params_dir / f"{org_id(org)}.yaml"
    if path.exists() and not force:
        raise ParamsExist(f"{path} already exists; pass --force to overwrite it")
    text = scaffold_text(org, Path(data_dir), params_dir)
    params_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


__all__ = ["ScaffoldError", "ParamsExist", "inspect_folder", "plan_sources", "build_document", "scaffold_text",
           "write_params",
           # re-exported from the step modules for existing callers
           "check_round_trip", "robust_extreme", "scalar", "sniff_delimiter", "sniff_encoding"]
