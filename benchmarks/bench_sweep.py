"""Sweep throughput: scenarios per minute on local processes and on Dask.

Runs the same sweep (27 Troms og Finnmark scenarios by default, the one the
tests use) twice from scratch: on a local process pool with 2 workers, and on
a Dask ``LocalCluster`` with 2 single-threaded worker processes. Checks that
both give the same plans, and prints a Markdown section; with ``--write`` it
replaces the "sweeps" section of ``docs/benchmarks.md``.

Usage::

    python benchmarks/bench_sweep.py [--write] [--vary KEY=VALUES ...]
"""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

import pandas as pd
from _common import Machine, arg_parser, best_time, emit, machine, run_times

from regionopt import sweep

DEFAULT_VARY = (
    "regions.count=10..12",
    "constraints.max_travel_minutes=150,180,240",
    "constraints.min_population=0,3000,6000",
)
COMPARE = ["id", "status", "objective", "person_minutes", "population_cv", "regions"]


def _times(scenario, varies, problem, out: Path, repeat: int,
           **kw) -> tuple[pd.DataFrame, list[float]]:
    """Wall times of ``repeat`` sweeps from scratch (each in its own folder), last table."""
    runs = iter(range(repeat))

    def once() -> pd.DataFrame:
        return sweep.run_sweep(scenario, varies, problem=problem, out_dir=out / str(next(runs)),
                               resume=False, progress=False, reference=(), **kw)

    times, table = run_times(once, repeat)
    return table, times


def measure(varies: list[tuple[str, tuple]], *, workers: int = 2,
            repeat: int = 2) -> dict[str, object]:
    """Run the sweep ``repeat`` times on processes and on Dask; return every wall time."""
    from regionopt.network import build_network
    from regionopt.problem import problem_from_network
    from regionopt.scenario import default_scenario_path, load_scenario, replace_key

    problem = problem_from_network(build_network("troms-finnmark", progress=False))
    scenario = replace_key(load_scenario(default_scenario_path()), "solver.time_limit_s", 300)
    with tempfile.TemporaryDirectory() as tmp:
        procs, t_proc = _times(scenario, varies, problem, Path(tmp, "proc"), repeat,
                               max_workers=workers)
        t_start, (cluster, client) = best_time(lambda: _start_dask(workers), 1)
        with cluster, client:
            dask, t_dask = _times(scenario, varies, problem, Path(tmp, "dask"), repeat,
                                  scheduler=client)
    same = procs[COMPARE].equals(dask[COMPARE])
    return {"n": len(procs), "proc_s": t_proc, "dask_s": t_dask,
            "dask_start_s": t_start, "same": same,
            "statuses": procs["status"].value_counts().sort_index().to_dict(),
            "solve_s": procs["seconds"].sum(), "feasible": int(procs["seconds"].notna().sum()),
            "workers": workers, "repeat": repeat}


def _start_dask(workers: int) -> tuple[object, object]:
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=None)
    return cluster, Client(cluster)


def _runs(times: list[float]) -> str:
    return "[" + ", ".join(f"{t:.1f}" for t in times) + "]"


def markdown(r: dict, varies: list[str], host: Machine) -> str:
    """Render the results as the "Sweeps" section of docs/benchmarks.md (without markers)."""
    n = r["n"]
    statuses = ", ".join(f"{v} {k}" for k, v in r["statuses"].items())
    return "\n".join([
        "## Sweeps",
        "",
        f"`python benchmarks/bench_sweep.py --write`: {n} Troms og Finnmark scenarios, the default",
        f"scenario with `--vary {' --vary '.join(varies)}` ({statuses}), each solved",
        f"from scratch with CBC, one solver thread per solve, {r['workers']} workers.",
        host.describe(),
        "",
        f"Best of {r['repeat']} runs each (every run in seconds, in order, in brackets):",
        "",
        "| engine | wall time (s) | scenarios per minute |",
        "| --- | ---: | ---: |",
        f"| local processes ({r['workers']} workers, spawned afresh for each run, pool start "
        f"included) {_runs(r['proc_s'])} | {min(r['proc_s']):.1f} | "
        f"{n / min(r['proc_s']) * 60:.1f} |",
        f"| Dask LocalCluster ({r['workers']} workers × 1 thread, kept between runs; cluster "
        f"start {r['dask_start_s']:.1f} s not included) {_runs(r['dask_s'])} | "
        f"{min(r['dask_s']):.1f} | {n / min(r['dask_s']) * 60:.1f} |",
        "",
        f"Solver time (`SolveResult.seconds`) of the {r['feasible']} feasible scenarios, summed: "
        f"{r['solve_s']:.1f} s. The rest of the worker time goes to diagnosing the",
        "infeasible ones, evaluating the plans and, on processes, starting the workers: each",
        "run spawns fresh processes that import regionopt and its dependencies, while the Dask",
        "workers are started once, before the timed runs.",
        "Results identical on both engines: "
        f"{'yes' if r['same'] else 'NO'} (status, objective,",
        "person-minutes, CV, regions).",
    ])


def main() -> int:
    host = machine()
    ap = arg_parser(__doc__)
    ap.add_argument("--vary", action="append", default=None)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2, help="runs per engine; the best counts")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    specs = args.vary or list(DEFAULT_VARY)
    result = measure([sweep.parse_vary(s) for s in specs], workers=args.workers,
                     repeat=args.repeat)
    emit("sweeps", markdown(result, specs, host), write=args.write)
    return 0 if result["same"] else 1


if __name__ == "__main__":
    sys.exit(main())
