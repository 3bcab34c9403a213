"""Write ``bench/RESULTS.md`` from ``bench/results/scale.json`` and the per-topic results.

Every number in the page comes from the stored measurements; the text around them says what was
measured and how. Called by ``run_all.py`` (``python bench/run_all.py --report-only`` rewrites the page
without measuring anything).
"""

from __future__ import annotations

import json
from pathlib import Path

NOTEBOOKS = ["00_data_integration", "01_maturity", "02_objectives", "03_metric_design", "04_experience_analysis",
             "05_churn_survival", "06_action_plan", "07_executive_summary"]
SHORT = {"00_data_integration": "00 integration", "01_maturity": "01 maturity", "02_objectives": "02 objectives",
         "03_metric_design": "03 metric design", "04_experience_analysis": "04 experience",
         "05_churn_survival": "05 churn", "06_action_plan": "06 action plan", "07_executive_summary": "07 summary"}
ORDER = ["demo", "10k", "100k", "1M"]


def _f(x, fmt="{:.1f}", none="–"):
    return none if x is None else fmt.format(x)


def _mib(x):
    return "–" if x is None else (f"{x / 1024:.2f} GiB" if x >= 1024 else f"{x:.0f} MiB")


def _load(rec):
    lb, la = rec.get("load_before") or [None] * 3, rec.get("load_after") or [None] * 3
    return f"{_f(lb[0], '{:.1f}')} → {_f(la[0], '{:.1f}')}"


def _json(results: Path, name: str):
    p = results / f"{name}.json"
    return json.loads(p.read_text()) if p.is_file() else None


def headline(scale: dict) -> list[str]:
    runs = scale.get("runs", {})
    sizes = [s for s in ORDER if s in runs]
    L = ["| | " + " | ".join(sizes) + " |", "|---|" + "---:|" * len(sizes)]

    def row(label, fn):
        L.append(f"| {label} | " + " | ".join(fn(runs[s]) for s in sizes) + " |")

    row("customers", lambda r: f"{(r.get('data') or {}).get('rows', {}).get('customers', 5000):,}" if r.get("data") else "5,000")
    row("survey responses", lambda r: f"{(r.get('data') or {}).get('rows', {}).get('responses', 0):,}" if r.get("data")
        else f"{((r.get('run') or {}).get('rows') or {}).get('responses', {}).get('in', 0):,}")
    row("conversations", lambda r: f"{(r.get('data') or {}).get('rows', {}).get('interactions', 0):,}" if r.get("data")
        else f"{((r.get('run') or {}).get('rows') or {}).get('interactions', {}).get('in', 0):,}")
    row("status", lambda r: (r.get("run") or {}).get("status", "–"))
    row("**total wall time** (s)", lambda r: f"**{r['wall_seconds']:.0f}**")
    row("CPU time, whole tree (s)", lambda r: _f(r.get("cpu_seconds"), "{:.0f}"))
    row("**peak memory, whole tree**", lambda r: f"**{_mib(r.get('peak_tree_rss_mib'))}**")
    row("largest single process", lambda r: _mib(r.get("max_single_process_rss_mib")))
    row("largest kernel (its own peak, `run.json`)", lambda r: (lambda pk: f"{SHORT[max(pk, key=pk.get)]}: {_mib(max(pk.values()))}"
        if pk else "–")({k: v for k, v in ((r.get("run") or {}).get("notebook_peak_rss_mib") or {}).items() if v}))
    for nb in NOTEBOOKS:
        row(f"{SHORT[nb]} (s)", lambda r, nb=nb: _f(((r.get("run") or {}).get("notebooks") or {}).get(nb)))
    row("scorecards: count × mean (s)", lambda r: (lambda sc: f"{len(sc)} × {sum(sc) / len(sc):.1f}" if sc else "–")(
        [x for x in (r.get("run") or {}).get("scorecards", []) if x is not None]))
    row("rendering the report (s)", lambda r: _f((r.get("run") or {}).get("render_seconds")))
    row("load average (1 min) before → after", _load)
    row("other busy processes at start", lambda r: str(r.get("other_busy_processes_before", "–")))
    row("measured on", lambda r: r.get("date", "–")[:16].replace("T", " "))
    return L


def targets(scale: dict) -> list[str]:
    runs = scale.get("runs", {})
    L = ["| target | measured | met? |", "|---|---:|:---:|"]
    m = runs.get("1M")
    if m:
        ok = (m.get("run") or {}).get("status") == "ok"
        L.append(f"| 1M customers, report included, < 5 min | {m['wall_seconds']:.0f} s | "
                 f"{'yes' if ok and m['wall_seconds'] < 300 else 'no'} |")
        single = m.get("max_single_process_rss_mib")
        L.append(f"| 1M customers, peak memory < 6 GB, by `/usr/bin/time -v` (the largest process) | {_mib(single)} | "
                 f"{'yes' if single is not None and single * 2**20 < 6e9 else 'no'} |")
        L.append(f"| the same, stricter: sum over the process tree (kernels running side by side) | "
                 f"{_mib(m.get('peak_tree_rss_mib'))} | {'yes' if m.get('peak_tree_rss_mib', 1e9) * 2**20 < 6e9 else 'no'} |")
    d = runs.get("demo")
    if d:
        L.append(f"| demo engagement < 45 s | {d['wall_seconds']:.0f} s | {'yes' if d['wall_seconds'] < 45 else 'no'} |")
    g = scale.get("groupby", {})
    for s in ORDER:
        if s in g:
            L.append(f"| group aggregations ≤ 1.5× DuckDB ({s}: worst of {len(g[s]['tasks'])}) | "
                     f"{g[s]['worst_ratio']:.2f}× | {'yes' if g[s]['worst_ratio'] <= 1.5 else 'no'} |")
    ov = scale.get("overhead")
    if ov:
        L.append(f"| runner overhead ≤ 1.5× papermill (8 empty notebooks, report included) | {ov['ratio_total']:.2f}× | "
                 f"{'yes' if ov['ratio_total'] <= 1.5 else 'no'} |")
    return L


def machine(scale: dict) -> list[str]:
    m = scale.get("machine") or {}
    pk = m.get("packages", {})
    return [f"CPU {m.get('cpu', '?')}, {m.get('logical_cores', '?')} logical cores, {m.get('ram_gib', '?')} GiB RAM, "
            f"{m.get('os', '')}; Python {m.get('python', '?')}; "
            + ", ".join(f"{k} {v}" for k, v in pk.items()) + "."]


def groupby_table(scale: dict) -> list[str]:
    g = scale.get("groupby", {})
    L = []
    for s in ORDER:
        if s not in g:
            continue
        x = g[s]
        L += [f"**{s}** — {x['rows']:,} responses, median of {x['repeats']} alternating runs, DuckDB "
              f"{x['duckdb_threads']} threads, load {x['load'][0]:.1f}:", "",
              "| aggregation | groups | cxtemplate (s) | DuckDB counts (s) | ratio | counts equal |",
              "|---|---:|---:|---:|---:|:---:|"]
        for t in x["tasks"]:
            L.append(f"| {t['task']} | {t['groups']:,} | {t['cxtemplate_s']:.3f} | {t['duckdb_s']:.3f} | "
                     f"{t['ratio']:.2f}× | {'yes' if t['counts_equal'] else 'no'} |")
        if x.get("categorical_keys"):
            r = [t["ratio"] for t in x["categorical_keys"]]
            L += ["", f"The same aggregations with the key columns held as pandas categories (as dictionary-encoded "
                      f"Parquet columns would load), against the same DuckDB queries: {min(r):.2f}–{max(r):.2f}× "
                      "(not counted above: the canonical tables do not store them that way yet)."]
        L.append("")
    return L


def overhead_table(scale: dict) -> list[str]:
    ov = scale.get("overhead")
    if not ov:
        return ["(not measured)"]
    th = ov.get("theme", {})
    return [f"8 empty notebooks, one kernel at a time, median of {ov['repeats']} alternating runs (load {ov['load'][0]:.1f}):", "",
            "| way | total (s) | per notebook (s) |", "|---|---:|---:|",
            f"| 8 × `papermill.execute_notebook` in one process | {ov['papermill_seconds']:.2f} | {ov['papermill_per_notebook']:.2f} |",
            f"| `run_organisation` (config, hashes, flow, run.json) without the rendering | {ov['runner_exec_seconds']:.2f} | "
            f"{ov['runner_exec_per_notebook']:.2f} |",
            f"| `run_organisation`, report rendered ({ov['runner_render_seconds']:.2f} s of it) | {ov['runner_seconds']:.2f} | "
            f"{ov['runner_per_notebook']:.2f} |",
            f"| `run_organisation`, notebooks independent, two at a time, report rendered | {ov['runner_two_at_a_time_seconds']:.2f} | "
            f"{ov['runner_two_at_a_time_seconds'] / ov['notebooks']:.2f} |", "",
            f"Ratio runner / papermill: **{ov['ratio_total']:.2f}×** with the report, {ov['ratio_exec']:.2f}× without. "
            f"Chart theme without seaborn: rcParams equal to seaborn's `set_theme` except "
            f"{', '.join(th.get('differing_keys', [])) or 'none'} ({'as expected' if th.get('ok') else 'UNEXPECTED'})."]


def cells_table(scale: dict, size: str) -> list[str]:
    r = scale.get("runs", {}).get(size)
    if not r or not r.get("cells"):
        return []
    L = [f"Slowest cells at {size} (papermill's per-cell durations, seconds):", ""]
    for nb, cells in r["cells"].items():
        L.append(f"- {nb}: " + "; ".join(f"{d:.1f} `{src}`" for d, src in cells))
    return L + [""]


def topic_sections(results: Path) -> list[str]:
    """This work's topic benches, from their JSON (when they were run)."""
    L = []
    cox = _json(results, "cox_tv")
    if cox:
        L += ["### Time-varying Cox fit: vectorised Efron vs lifelines (`bench_cox_tv.py`)", "",
              "Same data, same penalty (λ = 1 on the standardised coefficients), Efron ties; synthetic organisations.", "",
              "| customers | rows | churns | churn days | strata | max abs. coef. difference | max rel. SE difference | "
              "log-lik. difference | lifelines (s) | cxtemplate (s) | speed-up |",
              "|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
        for r in cox["equivalence"]:
            L.append(f"| {r['customers']:,} | {r['rows']:,} | {r['churns']:,} | {r['churn_days']:,} | {r['strata'] or '–'} | "
                     f"{r['max_abs_coef_diff']:.1e} | {r['max_rel_se_diff']:.1e} | {r['loglik_diff']:.1e} | "
                     f"{r['lifelines_s']:.1f} | {r['cxtemplate_s']:.2f} | {r['speedup']:.0f}× |")
        if cox.get("scale"):
            L += ["", "| organisation | customers | (start, stop] rows | churns | frame built (s) | fit, all customers (s) | Newton steps |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
            for r in cox["scale"]:
                L.append(f"| {r['size']} | {r['customers']:,} | {r['rows']:,} | {r['churns']:,} | {r['frame_s']:.1f} | "
                         f"{r['cxtemplate_s']:.1f} | {r['iterations']} |")
        L += ["", f"Load {cox['load_before'][0]:.1f} → {cox['load_after'][0]:.1f}.", ""]
    cs = _json(results, "churn_scale")
    if cs:
        va, vs = cs["validate_all"], cs["validate_sample"]
        L += [f"### Churn model at {cs['size']}: what sampling costs (`bench_churn_scale.py`)", "",
              f"{cs['customers']:,} customers, {cs['rows']:,} (start, stop] rows (built in {cs['frame_s']:.0f} s).", "",
              "| | all customers | random sample of " + f"{cs['sample']:,} |", "|---|---:|---:|",
              f"| time-varying Cox fit (s) | {cs['fit_all_s']:.1f} | {cs['fit_sample_s']:.1f} |",
              f"| 5-fold landmark back-test (s) | {cs['validate_all_s']:.1f} | {cs['validate_sample_s']:.1f} |",
              f"| concordance (sd over folds) | {va['concordance']:.4f} ({va['concordance_sd']:.4f}) | "
              f"{vs['concordance']:.4f} ({vs['concordance_sd']:.4f}) |",
              f"| ICI | {va['ici']:.4f} | {vs['ici']:.4f} |",
              f"| held-out customers scored | {va['n']:,} | {vs['n']:,} |", "",
              f"Largest difference in log hazard ratio between the two fits: {cs['max_abs_log_hr_diff']:.3f}; the sample's "
              f"standard errors are {cs['se_ratio_sample_over_all']:.2f}× those of the full fit (√(1,000,000/150,000) = 2.58 "
              f"expected). Concordance cost of the sampled validation design: {cs['concordance_cost']:+.4f} "
              f"(full minus sample). Load {cs['load_before'][0]:.1f} → {cs['load_after'][0]:.1f}.", ""]
    cm = _json(results, "comments")
    if cm:
        L += [f"### Comments: what sampling costs (`bench_comments.py`, {cm['comments']:,} comments, "
              f"{cm['distinct']:,} distinct)", "",
              "| | all comments | sample |", "|---|---:|---:|",
              f"| topics: time (s) | {cm['topics_all_s']:.1f} | {cm['topics_sample_s']:.1f} (fit on {cm['topic_sample']:,}) |",
              f"| topics: number chosen (stability) | {cm['topics_all_k']} | {cm['topics_sample_k']} |",
              f"| sentiment: time (s) | {cm['sentiment_all_s']:.1f} | {cm['sentiment_sample_s']:.1f} (trained on {cm.get('sentiment_train_sample', 25_000):,}) |",
              f"| sentiment: accuracy vs NPS classes | {cm['sentiment_all']['accuracy']:.3f} | {cm['sentiment_sample']['accuracy']:.3f} |",
              f"| sentiment: macro-F1 | {cm['sentiment_all']['macro_f1']:.3f} | {cm['sentiment_sample']['macro_f1']:.3f} |",
              f"| sentiment: share negative | {100 * cm['sentiment_all']['negative_share']:.1f}% | "
              f"{100 * cm['sentiment_sample']['negative_share']:.1f}% |", "",
              f"Labels agree on {100 * cm['sentiment_label_agreement']:.1f}% of comments. Each topic found on the sample "
              "against its best match among the topics found on all comments:", "",
              "| topic (sample) | best match (all) | comments in common (Jaccard) | top words in common (Jaccard) | "
              "NPS impact, sample fit | NPS impact, full fit |", "|---|---|---:|---:|---:|---:|"]
        for m in cm["topic_matches"]:
            L.append(f"| {m['sample_topic']} | {m['full_topic']} | {m['members_jaccard']:.2f} | {m['words_jaccard']:.2f} | "
                     f"{m['impact_sample']:+.1f} | {m['impact_full']:+.1f} |")
        L += ["", f"Load {cm['load_before'][0]:.1f} → {cm['load_after'][0]:.1f}.", ""]
    for size in ("100k", "1M"):
        ig = _json(results, f"integrate_{size}")
        if not ig:
            continue
        cur, peaks = ig["current"]["seconds"], ig["current"].get("peak_rss_mib_during", {})
        L += [f"### Notebook 00's integration at {size}, by stage (`bench_integrate.py`)", "",
              "| stage | seconds | peak memory during the stage |", "|---|---:|---:|"]
        for k in cur:
            if k in ("total", "other"):
                continue
            L.append(f"| `{k}` | {cur[k]:.1f} | {_mib(peaks.get(k))} |")
        L += [f"| other (mapping, quarantine, report) | {cur['other']:.1f} | |",
              f"| **total** | **{cur['total']:.1f}** | **{_mib(ig['current'].get('max_rss_mib'))}** |", "",
              f"Load {ig['load_before'][0]:.1f} → {ig['load_after'][0]:.1f}.", ""]
    return L


def render(scale: dict, results: Path) -> str:
    here = Path(__file__).resolve().parent
    notes = (here / "results_notes.md").read_text() if (here / "results_notes.md").is_file() else ""
    L = ["# cxtemplate at scale: a million customers on a laptop", "",
         "Written by `make bench` (`bench/run_all.py`; `--sizes 10k,100k` for a quick run, `--report-only` to rewrite "
         "this page from the stored measurements in `bench/results/scale.json`). Every number below is measured; "
         "each run's date and the machine's load are given, because other engineers share the 2 cores and absolute "
         "times move with the load (the CPU-time row moves much less).", "",
         "## Machine", ""] + machine(scale) + ["",
         "## Headline: the full engagement, report included", "",
         "`cxtemplate run <params> --out bench/out/runs/<size>` in a subprocess (notebooks 00–07 and one manager scorecard "
         "per location, two notebooks at a time, then the HTML report). Per-notebook seconds are the runner's own "
         "(`run.json`). **Peak memory** is the largest sum of the resident memory (RSS) of every process in the tree — "
         "the CLI, its worker process and the Jupyter kernels — sampled with psutil every 0.2 s; shared pages count "
         "once per process, so the sum is an upper bound. `/usr/bin/time -v` gives the largest single process and the "
         "CPU time of the whole tree.", ""] + headline(scale) + ["", "## Targets", ""] + targets(scale) + [""]
    L += [notes, ""] if notes else []
    L += ["## Where the time goes", ""] + cells_table(scale, "1M") + cells_table(scale, "100k")
    L += ["## Group aggregations against DuckDB (`bench_groupby.py`)", "",
          "On each run's own responses table as the notebooks read it (text columns as Python strings, as "
          "integration stores them): `metrics.summarise` (n, NPS, se, adjusted-Wald interval) against DuckDB counting "
          "n, promoters and detractors over the same in-memory frame, alternating; the counts are checked equal.", ""]
    L += groupby_table(scale)
    L += ["## The runner's overhead per notebook (`bench_overhead.py`)", ""] + overhead_table(scale) + [""]
    L += ["## Topic benches of this work", ""] + topic_sections(results)
    L += ["## Earlier topic benches (their own scripts; included as last written)", ""]
    for name in ("metrics", "drivers", "churn", "sentiment"):
        p = results / f"{name}.md"
        if p.is_file():
            body = p.read_text().strip().splitlines()
            body = [("#" + ln if ln.startswith("#") else ln) for ln in body]  # one level down
            L += ["<details><summary>" + f"bench/results/{name}.md" + "</summary>", "", *body, "", "</details>", ""]
    return "\n".join(L).rstrip() + "\n"
