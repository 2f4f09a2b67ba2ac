"""Every municipality's directions (``regionopt options --all``): wall time, CPU, statuses.

Prices every direction of every municipality of a scenario from scratch (pruning on, as
``--all`` does by default) on local processes, and optionally on a Dask ``LocalCluster``,
and prints a Markdown section: wall time, the CPU seconds of the solves (the sum of
``seconds``), how many directions were solved, pruned, proven infeasible, stopped on the
time limit (with their gap), and the load average before and after. With ``--write`` it
replaces the "options" section of ``docs/benchmarks.md``.

Usage::

    nice python benchmarks/bench_options.py [--scenario FILE] [--workers 2] [--dask] [--write]
    nice python benchmarks/bench_options.py --scenario data/geo/scenarios/norway-functional.toml
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from _common import REPO, Machine, arg_parser, emit, machine

from regionopt import api
from regionopt.sweep.options.price import NO_PLAN_LIMIT_S
from regionopt.sweep.options.run import run_options

DEFAULT = REPO / "data" / "geo" / "scenarios" / "troms-finnmark-functional.toml"


def measure(scenario_path: Path, *, workers: int, dask: bool, limit: int | None,
            whole: bool = True, no_plan_s: float = 60.0,
            processes: bool = True) -> dict[str, object]:
    """Run ``--all`` once on processes (and once on Dask); return times and counts."""
    scenario = api.load_scenario(scenario_path)
    net = api.network_for_scenario(scenario, progress=False)
    problem = api.problem_from_network(net)
    codes = list(problem.codes)[:limit] if limit else list(problem.codes)
    out: dict[str, object] = {"scenario": scenario.name, "municipalities": len(codes),
                              "workers": workers, "load_before": os.getloadavg()[0],
                              "whole": whole}
    with tempfile.TemporaryDirectory() as tmp:
        run = None
        if processes:
            start = time.perf_counter()
            run = run_options(scenario, codes, problem=problem, out_dir=Path(tmp, "proc"),
                              max_workers=workers, progress=False, resume=False, whole=whole,
                              no_plan_s=no_plan_s)
            out["proc_s"] = time.perf_counter() - start
            out["table"] = run.table
        if dask:
            from distributed import Client, LocalCluster

            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                              host="127.0.0.1", dashboard_address=None) as cluster, \
                    Client(cluster) as client:
                start = time.perf_counter()
                drun = run_options(scenario, codes, problem=problem, out_dir=Path(tmp, "dask"),
                                   scheduler=client, progress=False, resume=False, whole=whole,
                                   no_plan_s=no_plan_s)
                out["dask_s"] = time.perf_counter() - start
            cols = ["municipality", "direction", "status", "objective"]
            if run is not None:
                out["same"] = drun.table[cols].equals(run.table[cols])
            else:
                out["table"] = drun.table
    out["load_after"] = os.getloadavg()[0]
    return out


def markdown(r: dict, host: Machine, scenario: str) -> str:
    """Render the "Options" section of docs/benchmarks.md (without markers)."""
    t: pd.DataFrame = r["table"]
    counts = t["status"].value_counts().sort_index().to_dict()
    statuses = ", ".join(f"{v} {k}" for k, v in counts.items())
    gaps = t.loc[t["status"].isin(["time_limit", "bounded"]), "gap"].dropna()
    lines = [
        "## Options: every municipality's directions",
        "",
        f"`nice python benchmarks/bench_options.py --scenario {scenario}`: "
        f"`regionopt options --all` on {r['municipalities']} municipalities of "
        f"`{r['scenario']}`, pruning on{', `--bounds-only`' if not r['whole'] else ''}, "
        f"{r['workers']} workers, one solver thread each.",
        host.describe(),
        f"Load average {r['load_before']:.1f} at the start and {r['load_after']:.1f} at the end.",
        "",
        "| engine | wall time (s) | directions | solver seconds (sum) |",
        "| --- | ---: | ---: | ---: |",
    ]
    if "proc_s" in r:
        lines.append(f"| local processes | {r['proc_s']:.1f} | {len(t)} | "
                     f"{t['seconds'].sum():.1f} |")
    if "dask_s" in r:
        lines.append(f"| Dask LocalCluster | {r['dask_s']:.1f} | {len(t)} | |")
    lines += ["", f"Directions: {statuses}."]
    if len(gaps):
        lines.append(f"With a gap (time_limit, bounded): {len(gaps)}, median "
                     f"{100 * gaps.median():.2f} %, largest {100 * gaps.max():.2f} %.")
    if "same" in r:
        same = 'yes' if r['same'] else 'NO'
        lines.append(f"Same statuses and objectives on both engines: {same}.")
    return "\n".join(lines)


def main() -> int:
    host = machine()
    ap = arg_parser(__doc__)
    ap.add_argument("--scenario", type=Path, default=DEFAULT)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--dask", action="store_true", help="also run on a Dask LocalCluster")
    ap.add_argument("--dask-only", action="store_true", help="only the Dask LocalCluster run")
    ap.add_argument("--bounds-only", action="store_true",
                    help="regionopt options --bounds-only (the whole area only for a direction "
                         "without a local plan)")
    ap.add_argument("--no-plan-seconds", type=float, default=NO_PLAN_LIMIT_S,
                    help="regionopt options --no-plan-seconds (with --bounds-only)")
    ap.add_argument("--limit", type=int, default=None,
                    help="only the first N municipalities (a sample of a national run)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = measure(args.scenario, workers=args.workers, dask=args.dask or args.dask_only,
                     limit=args.limit, whole=not args.bounds_only,
                     no_plan_s=args.no_plan_seconds, processes=not args.dask_only)
    shown = os.path.relpath(args.scenario, REPO)
    emit("options", markdown(result, host, shown), write=args.write)
    return 0 if result.get("same", True) else 1


if __name__ == "__main__":
    sys.exit(main())
