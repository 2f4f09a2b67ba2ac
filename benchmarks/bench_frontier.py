"""The national frontier, timed: one point, and a whole frontier on processes and on Dask.

``data/geo/scenarios/norway-frontier-159.toml`` (all of Norway, 159 regions, HiGHS with
its 120-second limit and 0.5 % gap per solve):

* **one point**: the least person-minutes with at least the BA-regioner's commuters kept
  (``constraints.min_kept_share``), warm-started from the most-commuters plan as the
  frontier does, against the issue's target (proven or within 0.5 % in 2 minutes);
* **a frontier** of ``--points`` points (``regionopt.sweep.frontier.solve.run_frontier``, axis
  ``kept``) on ``--workers`` local processes, and again on a Dask ``LocalCluster`` of as
  many single-threaded workers (``--skip-dask`` leaves it out), against the target of
  15 minutes for 10 points on 2 cores.

Each run starts from an empty folder (nothing resumed). Memory: the peak resident set of
this process and of its largest child (``getrusage``). The machine is shared: the load
average is printed beside every figure. Prints a Markdown section; with ``--write`` it
replaces the "frontier" section of ``docs/benchmarks.md``.

Usage::

    nice python benchmarks/bench_frontier.py [--write] [--points 10] [--workers 2]
        [--skip-dask] [--skip-processes] [--skip-frontier]
"""

from __future__ import annotations

import logging
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import REPO, Machine, arg_parser, emit, machine

SCENARIO = REPO / "data" / "geo" / "scenarios" / "norway-frontier-159.toml"


def _peak_mib() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest finished child, MiB."""
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return me, child


def _problem() -> Any:
    from regionopt import api

    scenario = api.load_scenario(SCENARIO)
    net = api.network_for_scenario(scenario, progress=False)
    return scenario, api.problem_from_network(net)


def one_point(scenario: Any, problem: Any, out: Path) -> dict[str, Any]:
    """Solve the point at the BA-regioner's commuters kept, as the frontier does."""
    from regionopt.data.reference import load_reference, reference_key
    from regionopt.sweep.frontier.dominance import plan_figures
    from regionopt.sweep.frontier.solve import Runner, maximum_case, point_case

    ba = plan_figures(load_reference(reference_key("ba-2020"), problem), problem, scenario)
    runner = Runner(problem, out, progress=False, resume=False)
    base = scenario
    runner.run([[maximum_case(base, "kept")]])
    employed = int(problem.commuting.employed.sum())
    case = point_case(base, "kept", int(ba["kept_commuters"]), employed)
    load = os.getloadavg()[0]
    start = time.perf_counter()
    runner.run([[case]], [runner.cores.get("max-kept")])
    seconds = time.perf_counter() - start
    rec = runner.records[case.case.id]
    metrics = rec.get("metrics") or {}
    return {"seconds": seconds, "status": rec["status"], "gap": rec.get("gap"), "load": load,
            "person_minutes": metrics.get("person_minutes", float("nan")),
            "kept": metrics.get("commuting_kept_share", float("nan")),
            "reason": rec.get("reason")}


def frontier(scenario: Any, problem: Any, out: Path, *, points: int, workers: int,
             scheduler: Any = None) -> dict[str, Any]:
    """A whole frontier from an empty folder: wall time and every point's status and gap."""
    from regionopt.sweep.frontier.solve import frontier_table, run_frontier

    load = os.getloadavg()[0]
    start = time.perf_counter()
    runner = run_frontier(scenario, problem=problem, out_dir=out, points=points,
                          axes=("kept",), scheduler=scheduler, max_workers=workers,
                          resume=False, progress=False)
    seconds = time.perf_counter() - start
    table = frontier_table(runner)
    gaps = table["gap"].dropna()
    return {"seconds": seconds, "load": load, "solves": len(table),
            "statuses": table["status"].value_counts().sort_index().to_dict(),
            "worst_gap": float(gaps.max()) if len(gaps) else None}


def _dask(workers: int) -> tuple[Any, Any]:
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=None)
    return cluster, Client(cluster)


def _gap(g: float | None) -> str:
    return "n/a" if g is None else f"{100 * g:.3f} %"


def markdown(r: dict[str, Any], host: Machine) -> str:
    """Render the "frontier" section of docs/benchmarks.md (without markers)."""
    p = r["point"]
    lines = [
        "## The national frontier (`regionopt frontier`)", "",
        f"`nice python benchmarks/bench_frontier.py --write`: `norway-frontier-159.toml` "
        f"(all of Norway, 159 regions, HiGHS, 120 s and 0.5 % per solve). {host.describe()}",
        "",
        "| run | wall time | load average at start | result |",
        "| --- | ---: | ---: | --- |",
        f"| one point: least person-minutes with the BA-regioner's commuters kept, "
        f"warm-started | {p['seconds']:.0f} s | {p['load']:.1f} | {p['status']}, gap "
        f"{_gap(p['gap'])}, {p['person_minutes']:,.0f} person-minutes, kept {p['kept']:.4f}"
        f"{'' if not p['reason'] else ' (' + str(p['reason']) + ')'} |",
    ]
    for key, label in (("processes", "processes"), ("dask", "Dask LocalCluster")):
        f = r.get(key)
        if f is None:
            continue
        lines.append(f"| {r['points']}-point frontier, {r['workers']} {label} | "
                     f"{f['seconds'] / 60:.1f} min | {f['load']:.1f} | {f['solves']} solves, "
                     f"{f['statuses']}, worst gap {_gap(f['worst_gap'])} |")
    me, child = r["memory"]
    lines += ["", f"Peak memory: {me:.0f} MiB in the driving process, {child:.0f} MiB in the "
                  "largest worker process."]
    return "\n".join(lines)


def main() -> int:
    parser = arg_parser(__doc__)
    parser.add_argument("--points", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--skip-frontier", action="store_true")
    parser.add_argument("--skip-processes", action="store_true",
                        help="run the frontier on Dask only")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    host = machine()
    scenario, problem = _problem()
    result: dict[str, Any] = {"points": args.points, "workers": args.workers}
    with tempfile.TemporaryDirectory() as tmp:
        result["point"] = one_point(scenario, problem, Path(tmp, "point"))
        if not args.skip_frontier and not args.skip_processes:
            result["processes"] = frontier(scenario, problem, Path(tmp, "proc"),
                                           points=args.points, workers=args.workers)
        if not args.skip_frontier and not args.skip_dask:
            cluster, client = _dask(args.workers)
            with cluster, client:
                result["dask"] = frontier(scenario, problem, Path(tmp, "dask"),
                                          points=args.points, workers=args.workers,
                                          scheduler=client)
    result["memory"] = _peak_mib()
    emit("frontier", markdown(result, host), write=args.write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
