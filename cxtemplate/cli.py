"""The ``cxtemplate`` command: validate, run, synth, new, new-notebook.

Imports are deferred to the subcommand that needs them, so ``cxtemplate validate`` answers in about a
second (it reads the metric columns of a file source to check their scales) and ``cxtemplate run`` loads
papermill only in its worker processes.

Exit codes: 0 success; 1 a run failed (the message names organisation, notebook and cell);
2 the parameters or the command line are wrong (every problem is listed).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _validate(args: argparse.Namespace) -> int:
    from cxtemplate.config.loader import load_config
    from cxtemplate.errors import ConfigError, mask_credentials
    from cxtemplate.run.definitions import definition_warnings, header_problems
    from cxtemplate.run.runner import nesting_problems

    status, loaded = 0, []
    for p in args.params:
        try:
            cfg = load_config(p)
            loaded.append(cfg)
        except ConfigError as exc:
            print(str(exc), file=sys.stderr)
            status = 2
            continue
        problems = header_problems(cfg, file=p)  # the params against the files' headers: errors, like the above
        if problems:
            print(str(ConfigError(problems)), file=sys.stderr)
            status = 2
            continue
        print(f"{p}: OK — {cfg.summary()}")
        for warning in definition_warnings(cfg):
            print(f"{p}: warning: {mask_credentials(warning)}", file=sys.stderr)
    nested = nesting_problems(loaded)  # files given together must not put one client's reports inside another's
    if nested:
        print(str(ConfigError(nested)), file=sys.stderr)
        status = 2
    return status


def _run(args: argparse.Namespace) -> int:
    from cxtemplate.errors import ConfigError
    from cxtemplate.run.batch import run_many, summary_lines

    try:
        results = run_many(args.params, jobs=args.jobs, out_dir=args.out, resume=args.resume,
                           progress=not args.quiet, scheduler=args.scheduler)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print("\n".join(summary_lines(results)))
    failed = [r for r in results if r["status"] != "ok"]
    for r in failed:
        print(f"error: {r['error']['message'] if r.get('error') else r['org'] + ' failed'}", file=sys.stderr)
    return 1 if failed else 0


def _synth(args: argparse.Namespace) -> int:
    from cxtemplate.synth.organisation import generate, write_organisation
    from cxtemplate.synth.spec import SynthSpec

    spec = SynthSpec(customers=args.customers, seed=args.seed, plant_step=not args.no_step,
                     dirty=not args.clean)
    org = generate(spec)
    write_organisation(org, Path(args.out), fmt=args.format)
    rows = ", ".join(f"{name} {len(df):,}" for name, df in org.tables.items())
    print(f"wrote {args.out}: {rows}; ground truth in truth.json")
    return 0


def _new(args: argparse.Namespace) -> int:
    from cxtemplate.scaffold.document import write_params

    path = write_params(args.org, Path(args.data), params_dir=Path(args.params_dir), force=args.force)
    print(f"wrote {path}; next: cxtemplate validate {path}")
    return 0


def _new_notebook(args: argparse.Namespace) -> int:
    from cxtemplate.run.provenance import notebooks_dir
    from cxtemplate.scaffold.notebook import new_notebook

    nb_dir = Path(args.notebooks) if args.notebooks else notebooks_dir()
    try:
        made = new_notebook(args.name, role=args.role, nb_dir=nb_dir, after=tuple(args.after or ()),
                            title=args.title, summary=args.summary)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    waits = ", ".join(made.after) if made.after else "every earlier notebook"
    print(f"wrote {made.ipynb} and {made.py} (waits for {waits}); edit the .py, then "
          f"`.venv/bin/jupytext --sync {made.ipynb}`")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(prog="cxtemplate", description="Run a data-driven CX engagement from one params file.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check params files; list every problem with file, line and key")
    p.add_argument("params", nargs="+")
    p.set_defaults(func=_validate)

    p = sub.add_parser("run", help="execute the notebooks for one or more organisations and render the report")
    p.add_argument("params", nargs="+")
    p.add_argument("--jobs", "-j", type=int, default=1, help="organisations run at once (each in its own process)")
    p.add_argument("--out", help="output folder (default: reporting.output_dir of each params file)")
    p.add_argument("--resume", action="store_true", help="continue the newest incomplete run, reusing finished notebooks whose inputs are unchanged")
    p.add_argument("--scheduler", help="dask.distributed scheduler address: run organisations on that cluster")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress display")
    p.set_defaults(func=_run)

    p = sub.add_parser("synth", help="generate a synthetic organisation with known ground truth")
    p.add_argument("--customers", type=int, default=5000)
    p.add_argument("--seed", type=int, default=20251231)
    p.add_argument("--out", required=True)
    p.add_argument("--format", choices=["csv", "parquet"], default="csv")
    p.add_argument("--no-step", action="store_true", help="do not plant the location NPS step")
    p.add_argument("--clean", action="store_true", help="do not inject data-quality problems")
    p.set_defaults(func=_synth)

    p = sub.add_parser("new", help="start an engagement: inspect a folder of exports and write params/ORG.yaml")
    p.add_argument("org")
    p.add_argument("--data", required=True, help="folder with the client's CSV / Parquet / Excel files")
    p.add_argument("--params-dir", default="params")
    p.add_argument("--force", action="store_true", help="overwrite an existing params file")
    p.set_defaults(func=_new)

    p = sub.add_parser("new-notebook", help="add a notebook to the flow: NN_title with its metadata, set-up cells and .py pair")
    p.add_argument("name", help="NN_title, e.g. 08_complaints_by_channel (NN = its place in the execution order)")
    p.add_argument("--role", required=True, help="who the page is for: executive, manager or analyst")
    p.add_argument("--after", nargs="+", metavar="NOTEBOOK", help="earlier notebooks it needs (default: every earlier one)")
    p.add_argument("--title", help="page title (default: from the name)")
    p.add_argument("--summary", help="one line for the report's index")
    p.add_argument("--notebooks", help="the template's notebooks folder (default: the package's notebooks/)")
    p.set_defaults(func=_new_notebook)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``cxtemplate`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from cxtemplate.errors import CxError

    try:
        return int(args.func(args) or 0)
    except CxError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
