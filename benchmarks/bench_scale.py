"""Scale: time to a first plan, to a 1 % gap, the final gap and peak memory, beside spopt's max-p.

The cases of issue 15, one after another in one run, each in its own process
(so that its peak resident memory, read with ``os.wait4``, is its own):

* all of Norway and Troms og Finnmark with a 5 000 floor, contiguity, free cores
  and no travel cap, at the number of regions regionopt's construction heuristic
  reaches (:func:`regionopt.model.heuristic.heuristic_plan` splitting while it can),
  at the number spopt's ``MaxPHeuristic`` reaches on the same inputs, and with
  ``regions.count = "max"``; nationally also at :data:`ISSUE_COUNT` regions, the count
  issue 15 is judged by;
* ``data/geo/scenarios/norway-functional.toml`` as shipped (its ``mip_gap`` of
  0.5 %), with the benchmark's time limit;
* spopt's ``MaxPHeuristic`` (the ``bench`` extra) on the same adjacency and
  travel-time rows as :mod:`bench_peers`, its plan scored by regionopt.

regionopt runs with HiGHS, 2 threads and ``--time-limit`` (default 600 s); a
case proven optimal stops sooner. *First plan* is the time from the call to
:func:`regionopt.model.solve` until the construction heuristic logs a plan that
meets every rule (or, without one, until HiGHS's first incumbent); *1 % gap* is
the first time HiGHS's own logging reports a gap of at most 1 % in the travel
stage (read through its ``cbMipLogging`` and ``cbMipImprovingSolution``
callbacks, so as fine as HiGHS's log lines), or the end of the solve if only
the final result is within 1 %. Times exclude building the network (shared by
every case, see the matrix section); peak memory includes it. Prints a Markdown
section; with ``--write`` it replaces the "scale" section of
``docs/benchmarks.md``.

Usage::

    python benchmarks/bench_scale.py [--write] [--time-limit 600] [--skip-norway] [--logs DIR]
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import REPO, Machine, arg_parser, emit, machine

FLOOR = 5_000
FUNCTIONAL = REPO / "data" / "geo" / "scenarios" / "norway-functional.toml"
#: The national count issue 15 judges by (spopt's max-p count on the network of its day).
ISSUE_COUNT = 217
AREAS = {"norway": "all of Norway", "troms-finnmark": "Troms og Finnmark"}


# -- one case, in a child process ---------------------------------------------------------------


def _floor_scenario(count: int | str, time_limit: float) -> Any:
    from regionopt.scenario import parse_scenario

    return parse_scenario({
        "name": f"floor {FLOOR}, count {count}", "regions": {"count": count},
        "constraints": {"contiguity": True, "core_is_largest": False, "min_population": FLOOR},
        "solver": {"name": "highs", "time_limit_s": time_limit, "threads": 2},
    }, source="bench_scale")


class _Events(logging.Handler):
    """Keep every log record's time since ``t0`` and message."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.t0 = time.perf_counter()
        self.records: list[tuple[float, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((time.perf_counter() - self.t0, record.getMessage()))


def _instrument(events: _Events, progress: list[dict[str, Any]], stage: list[str]) -> None:
    """Record HiGHS's gap at each of its log lines and new incumbents (benchmark only)."""
    import highspy

    import regionopt.model.engine as engine

    start = highspy.Highs.startSolve

    def observed(h: Any) -> Any:
        def note(e: Any) -> None:
            d = e.data_out
            progress.append({"t": time.perf_counter() - events.t0, "stage": stage[0],
                             "gap": float(d.mip_gap), "primal": float(d.mip_primal_bound),
                             "dual": float(d.mip_dual_bound)})
        if h.getLp().integrality_:  # MIP runs only
            h.cbMipLogging.subscribe(note)
            h.cbMipImprovingSolution.subscribe(note)
        return start(h)

    highspy.Highs.startSolve = observed
    count_stage = engine.max_regions

    def counting(*args: Any, **kwargs: Any) -> Any:
        stage[0] = "count"
        try:
            return count_stage(*args, **kwargs)
        finally:
            stage[0] = "travel"

    engine.max_regions = counting


def _solve_case(area: str, kind: str, count: int | str, time_limit: float) -> dict[str, Any]:
    from regionopt.model import solve
    from regionopt.network import build_network
    from regionopt.problem import problem_from_network
    from regionopt.scenario import load_scenario, replace_key

    problem = problem_from_network(build_network(area, progress=False))
    if kind == "functional":
        from regionopt.data.commuting import functional_problem

        problem = functional_problem(problem)
        scenario = replace_key(load_scenario(FUNCTIONAL), "solver.time_limit_s", time_limit)
    else:
        scenario = _floor_scenario(count, time_limit)
    events, progress, stage = _Events(), [], ["travel"]
    logging.getLogger("regionopt").addHandler(events)
    logging.getLogger("regionopt").setLevel(logging.INFO)
    _instrument(events, progress, stage)
    events.t0 = time.perf_counter()
    result = solve(problem, scenario, quiet=False)
    seconds = time.perf_counter() - events.t0
    first = next((t for t, msg in events.records
                  if msg.startswith("heuristic:") and " 0 rules unmet" in msg), None)
    travel = [p for p in progress if p["stage"] == "travel"]
    if first is None:  # no heuristic plan: HiGHS's first incumbent
        first = next((p["t"] for p in travel if abs(p["primal"]) < float("inf")), None)
    within = next((p["t"] for p in travel if p["gap"] <= 0.01 + 1e-12), None)
    if within is None and result.gap is not None and result.gap <= 0.01:
        within = seconds
    return {"status": result.status, "objective": result.objective, "bound": result.bound,
            "gap": result.gap, "seconds": seconds, "first_plan_s": first,
            "one_percent_s": within, "travel": float(result.terms.get("travel", float("nan"))),
            "regions": len(result.plan.regions) if result.plan else 0,
            "heuristic": dict(result.heuristic), "model": dict(result.model),
            "regions_max": dict(result.regions_max), "time_limit": time_limit,
            "mip_gap": scenario.solver.mip_gap}


def _spopt_case(area: str) -> dict[str, Any]:
    import numpy as np
    from bench_peers import SEED, _frame, _weights, best_cores
    from spopt.region import MaxPHeuristic

    from regionopt.evaluate.metrics import evaluate
    from regionopt.evaluate.scenario_audit import audit
    from regionopt.network import build_network
    from regionopt.plan import plan_from_labels
    from regionopt.problem import problem_from_network

    problem = problem_from_network(build_network(area, progress=False))
    frame, cols = _frame(problem)
    w = _weights(problem)
    np.random.seed(SEED)
    import random

    random.seed(SEED)
    began = time.perf_counter()
    model = MaxPHeuristic(frame, w, cols, "population", FLOOR, top_n=2)
    model.solve()
    seconds = time.perf_counter() - began
    labels = np.asarray(model.labels_)
    plan = plan_from_labels(problem, best_cores(problem, labels), name="max-p")
    regions = len(plan.regions)
    broken = audit(plan, problem, _floor_scenario(regions, 60.0)).violations
    return {"seconds": seconds, "regions": regions, "first_plan_s": seconds,
            "travel": float(evaluate(plan, problem).summary["person_minutes"]),
            "broken": sorted({v.constraint for v in broken})}


def _heuristic_count(area: str) -> dict[str, Any]:
    from regionopt.model.candidates import candidate_sets
    from regionopt.model.heuristic import heuristic_plan
    from regionopt.network import build_network
    from regionopt.problem import problem_from_network

    problem = problem_from_network(build_network(area, progress=False))
    scenario = _floor_scenario("max", 60.0)
    heur = heuristic_plan(problem, scenario, candidate_sets(problem, scenario), improve=False)
    if not heur.feasible or heur.cores is None:
        raise SystemExit(f"the heuristic found no plan for {area}: {heur.unmet}")
    return {"regions": len(set(heur.cores.tolist())), "seconds": heur.seconds}


def child(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one case (in this process) and return its figures."""
    if spec["kind"] == "spopt":
        return _spopt_case(spec["area"])
    if spec["kind"] == "heuristic-count":
        return _heuristic_count(spec["area"])
    return _solve_case(spec["area"], spec["kind"], spec.get("count", "max"), spec["time_limit"])


# -- the parent: one child per case -------------------------------------------------------------


def run_case(spec: dict[str, Any], logs: Path | None = None) -> dict[str, Any]:
    """Run ``spec`` in a fresh process; its figures, wall time, peak memory and load.

    With ``logs``, the child's regionopt log (stderr) and HiGHS log (stdout) are kept there.
    """
    log = logging.getLogger("bench_scale")
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, __file__, "--child", json.dumps(spec), "--out", str(out)]
        with open(Path(tmp) / "stdout", "wb") as so, open(Path(tmp) / "stderr", "wb") as se:
            began = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=so, stderr=se, cwd=REPO)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - began
        if status != 0 or not out.is_file():
            tail = (Path(tmp) / "stderr").read_text(errors="replace")[-2000:]
            raise SystemExit(f"case {spec} failed (status {status}):\n{tail}")
        figures = json.loads(out.read_text())
        if logs is not None:
            logs.mkdir(parents=True, exist_ok=True)
            stem = "-".join(str(v) for v in spec.values() if v != spec.get("time_limit"))
            for part in ("stdout", "stderr"):
                (logs / f"{stem}.{part}").write_bytes((Path(tmp) / part).read_bytes())
    figures.update(spec=spec, wall=wall, peak_gib=usage.ru_maxrss / 2**20, load=load)
    log.info("%s: %s", spec, {k: figures.get(k) for k in
                              ("status", "regions", "travel", "gap", "seconds", "first_plan_s",
                               "one_percent_s", "peak_gib")})
    return figures


def measure(area: str, time_limit: float, logs: Path | None = None) -> dict[str, Any]:
    """Every case of one area, one after another."""
    peer = run_case({"kind": "spopt", "area": area}, logs)
    heur = run_case({"kind": "heuristic-count", "area": area}, logs)
    cases = {"heuristic count": run_case({"kind": "floor", "area": area,
                                          "count": heur["regions"], "time_limit": time_limit},
                                         logs)}
    if peer["regions"] != heur["regions"]:
        cases["spopt's count"] = run_case({"kind": "floor", "area": area,
                                           "count": peer["regions"], "time_limit": time_limit},
                                          logs)
    if area == "norway" and ISSUE_COUNT not in (peer["regions"], heur["regions"]):
        cases["the issue's count"] = run_case({"kind": "floor", "area": area,
                                               "count": ISSUE_COUNT, "time_limit": time_limit},
                                              logs)
    if area == "norway":
        cases["functional"] = run_case({"kind": "functional", "area": area,
                                        "time_limit": time_limit}, logs)
    cases["count = max"] = run_case({"kind": "floor", "area": area, "count": "max",
                                     "time_limit": time_limit}, logs)
    return {"area": area, "peer": peer, "heuristic_regions": heur["regions"], "cases": cases}


# -- the section --------------------------------------------------------------------------------


def _pm(v: float | None) -> str:
    return "–" if v is None or v != v else f"{v:,.0f}".replace(",", " ")


def _s(v: float | None) -> str:
    return "–" if v is None else f"{v:.1f}"


def _gap(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.2f} %"


def _case_label(name: str, r: dict[str, Any]) -> str:
    spec = r["spec"]
    if spec["kind"] == "functional":
        return f"`norway-functional.toml` (mip_gap {100 * r['mip_gap']:.1f} %)"
    if spec["count"] == "max":
        most = r["regions_max"]
        proof = "proven" if most.get("proven") else f"at most {most.get('bound')}"
        return f"floor 5 000, `count = \"max\"`: {most.get('value')} regions ({proof})"
    return f"floor 5 000, {spec['count']} regions ({name})"


def render(results: list[dict[str, Any]], m: Machine, time_limit: float) -> str:
    """Return the Markdown section."""
    lines = [
        "## Scale: first plan, 1 % gap, final gap, peak memory",
        "",
        "`python benchmarks/bench_scale.py --write`: the cases of issue 15 in one run, one "
        "after another, each in its own process. regionopt: HiGHS, 2 threads, time limit "
        f"{time_limit:.0f} s for the whole solve (a case proven optimal stops sooner); floor "
        "cases: 5 000 inhabitants, contiguity, free cores, no travel cap. spopt: "
        "`MaxPHeuristic` (floor 5 000, `top_n=2`, seed 0) on the same adjacency and "
        "travel-time rows, its plan scored by regionopt. *First plan*: until the "
        "construction heuristic's feasible plan (without one: HiGHS's first incumbent); "
        "*1 % gap*: first HiGHS log line (or the end) "
        "with a gap of at most 1 % in the travel stage; times exclude building the network, "
        "peak memory (resident, per process) includes it. Load = one-minute load average "
        "when the case started.",
        "",
        m.describe(),
        "",
        "| area | case | status | regions | person-minutes | gap | first plan (s) "
        "| 1 % gap (s) | total (s) | peak memory | load | vs spopt |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for res in results:
        area, peer = AREAS[res["area"]], res["peer"]
        broken = ", ".join(peer["broken"]) or "none"
        lines.append(
            f"| {area} | spopt `MaxPHeuristic` (breaks: {broken}) | heuristic | "
            f"{peer['regions']} | {_pm(peer['travel'])} | – | {_s(peer['seconds'])} | – | "
            f"{_s(peer['wall'])} | {peer['peak_gib']:.2f} GiB | {peer['load']:.1f} | 1.00 |")
        for name, r in res["cases"].items():
            ratio = r["travel"] / peer["travel"] if peer["travel"] else float("nan")
            vs = f"{ratio:.3f}" if r["spec"]["kind"] != "functional" else "–"
            lines.append(
                f"| {area} | {_case_label(name, r)} | {r['status']} | {r['regions']} | "
                f"{_pm(r['travel'])} | {_gap(r['gap'])} | {_s(r['first_plan_s'])} | "
                f"{_s(r['one_percent_s'])} | {_s(r['seconds'])} | {r['peak_gib']:.2f} GiB | "
                f"{r['load']:.1f} | {vs} |")
    lines += ["", "*vs spopt* = person-minutes over spopt's (below 1: regionopt's plan is "
              "better; the counts differ where the regions differ). Model size and the "
              "heuristic's own objective, per case:", "",
              "| area | case | rows | columns | non-zeros | pairs kept / before | heuristic "
              "person-minutes objective |", "| --- | --- | ---: | ---: | ---: | --- | ---: |"]
    for res in results:
        for name, r in res["cases"].items():
            mod, heur = r["model"], r["heuristic"]
            lines.append(
                f"| {AREAS[res['area']]} | {_case_label(name, r)} | {_pm(mod.get('rows'))} | "
                f"{_pm(mod.get('columns'))} | {_pm(mod.get('nonzeros'))} | "
                f"{_pm(mod.get('pairs'))} / {_pm(mod.get('pairs_before'))} | "
                f"{_pm(heur.get('objective'))} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    """Run the benchmark (or, with ``--child``, one case); print/store the section."""
    parser = arg_parser(__doc__)
    parser.add_argument("--time-limit", type=float, default=600.0,
                        help="seconds for each regionopt solve (default 600)")
    parser.add_argument("--skip-norway", action="store_true", help="Troms og Finnmark only")
    parser.add_argument("--logs", type=Path, help="keep each case's regionopt and HiGHS logs here")
    parser.add_argument("--child", help=argparse_hidden())
    parser.add_argument("--out", help=argparse_hidden())
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    if args.child:
        Path(args.out).write_text(json.dumps(child(json.loads(args.child))))
        return 0
    m = machine()
    areas = ["troms-finnmark"] + ([] if args.skip_norway else ["norway"])
    results = [measure(area, args.time_limit, args.logs) for area in areas]
    emit("scale", render(results, m, args.time_limit), write=args.write)
    return 0


def argparse_hidden() -> str:
    """Help text that hides an internal option."""
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    sys.exit(main())
