"""Solve times: Troms og Finnmark (default scenario) and all of Norway.

Troms og Finnmark: the default scenario (39 municipalities, 12 regions,
contiguity, core_is_largest) with CBC and HiGHS, each with both exact
contiguity formulations (flow, separator cuts); median of ``--repeat`` runs;
all four must reach the same proven optimum. NIVI's 12 regions are scored on
the same graph for comparison. All of Norway: ``data/geo/scenarios/norway.toml``
(357 municipalities, 80 regions, 90 minutes to the core) and two harder
variants, once each. Prints a Markdown section; with ``--write`` it replaces
the "solve" section of ``docs/benchmarks.md``.

Usage::

    python benchmarks/bench_solve.py [--write] [--repeat 3] [--skip-norway]
"""

from __future__ import annotations

import logging
import sys
import warnings

from _common import REPO, Machine, arg_parser, emit, machine, median_time

from regionopt.model import build_model, solve
from regionopt.network import build_network
from regionopt.problem import ProblemData, problem_from_network
from regionopt.scenario import Scenario, default_scenario_path, load_scenario, replace_key

NORWAY = REPO / "data" / "geo" / "scenarios" / "norway.toml"
VARIANTS = (
    ("norway.toml as is", {}),
    ("120 minutes, 60 regions", {"constraints.max_travel_minutes": 120, "regions.count": 60}),
    ("core free (core_is_largest off)", {"constraints.core_is_largest": False}),
)


def _problem(area: str) -> ProblemData:
    return problem_from_network(build_network(area, progress=False))


def _run(problem: ProblemData, scenario: Scenario, solver: str, method: str, *,
         repeat: int = 1) -> dict:
    """Solve ``repeat`` times; the median time, and the last result (they all agree)."""
    s = replace_key(scenario, "solver.name", solver)
    seconds, r = median_time(lambda: solve(problem, s, quiet=True, method=method), repeat)
    return {"seconds": seconds, "status": r.status,
            "objective": r.objective, "bound": r.bound, "gap": r.gap,
            "regions": len(r.plan.regions) if r.plan else 0}


def troms_finnmark(repeat: int) -> dict:
    """Time the default scenario with both solvers and both formulations."""
    problem = _problem("troms-finnmark")
    scenario = load_scenario(default_scenario_path())
    rows = []
    for solver in ("cbc", "highs"):
        for method in ("flow", "cuts"):
            row = _run(problem, scenario, solver, method, repeat=repeat)
            rows.append(dict(row, solver=solver, method=method))
    nivi = None
    try:
        from regionopt.data.reference import nivi_2023
        from regionopt.evaluate.metrics import evaluate

        nivi = evaluate(nivi_2023(problem), problem).summary["person_minutes"]
    except Exception as exc:  # the comparison is a courtesy; the timing stands alone
        logging.warning("NIVI plan not scored: %s", exc)
    model = build_model(problem, scenario)
    return {"rows": rows, "nivi": nivi, "n": problem.n, "vars": len(model.x),
            "all_vars": len(model.problem.variables()),
            "cons": len(model.problem.constraints())}


def norway() -> list[dict]:
    """Solve the national scenario and its variants once each with CBC and HiGHS."""
    problem = _problem("norway")
    base = load_scenario(NORWAY)
    out = []
    for label, changes in VARIANTS:
        s = base
        for key, value in changes.items():
            s = replace_key(s, key, value)
        model = build_model(problem, s)
        runs = [("cbc", "flow"), ("highs", "flow")]
        if not changes:  # the second formulation as a cross-check of the national optimum
            runs += [("cbc", "cuts"), ("highs", "cuts")]
        for solver, method in runs:
            row = _run(problem, s, solver, method)
            out.append(dict(row, label=label, solver=f"{solver} ({method})", vars=len(model.x),
                            all_vars=len(model.problem.variables())))
    return out


def _gap(g: float | None) -> str:
    return "n/a" if g is None else f"{100 * g:.2f} %"


def markdown(tf: dict, nat: list[dict], repeat: int, host: Machine) -> str:
    """Render the Solve section (without markers)."""
    rows = tf["rows"]
    same = len({round(r["objective"], 4) for r in rows}) == 1 and all(
        r["status"] == "optimal" for r in rows)
    lines = [
        "## Solve",
        "",
        "`python benchmarks/bench_solve.py --write`. Times are wall-clock seconds of "
        "`regionopt.model.solve` (diagnosis, model building and solver). " + host.describe(),
        "",
        f"**Troms og Finnmark**, default scenario (`troms-finnmark-12.toml`: {tf['n']} "
        "municipalities, 12 regions, contiguity, core_is_largest, Kvænangen with Alta), "
        f"median of {repeat} runs; model: {tf['vars']} assignment variables "
        f"({tf['all_vars']} with flows), {tf['cons']} constraints.",
        "",
        "| solver | contiguity | status | person-minutes | bound | gap | time (s) |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(f"| {r['solver']} | {r['method']} | {r['status']} | "
                     f"{r['objective']:,.0f} | {r['bound']:,.0f} | {_gap(r['gap'])} | "
                     f"{r['seconds']:.2f} |")
    lines += ["", f"Same proven optimum from both solvers and both formulations: "
              f"{'yes' if same else 'NO'}."]
    if tf["nivi"] is not None:
        best = rows[0]["objective"]
        lines.append(f"NIVI's 12 regions on the same graph: {tf['nivi']:,.0f} person-minutes "
                     f"({100 * (tf['nivi'] - best) / best:+.1f} % against the optimum).")
    if nat:
        lines += [
            "",
            "**All of Norway** (357 municipalities), `data/geo/scenarios/norway.toml`: 80 "
            "regions, each member within 90 minutes of its core, core_is_largest, contiguity "
            "(flow unless marked), no population floor (a floor is infeasible: Træna, Røst and "
            "other islands reach no other centre within 90 minutes), time limit 600 s, "
            "2 threads; one run each.",
            "",
            "| variant | solver (contiguity) | assignment vars (all, flow model) | status "
            "| person-minutes "
            "| gap | time (s) |",
            "| --- | --- | ---: | --- | ---: | ---: | ---: |",
        ]
        for r in nat:
            obj = "—" if r["regions"] == 0 else f"{r['objective']:,.0f}"
            lines.append(f"| {r['label']} | {r['solver']} | {r['vars']} ({r['all_vars']}) | "
                         f"{r['status']} | {obj} | {_gap(r['gap'])} | {r['seconds']:.1f} |")
    return "\n".join(lines)


def main() -> int:
    host = machine()
    ap = arg_parser(__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-norway", action="store_true")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    warnings.simplefilter("ignore")  # centre placement warnings are not the subject here
    tf = troms_finnmark(args.repeat)
    nat = [] if args.skip_norway else norway()
    emit("solve", markdown(tf, nat, args.repeat, host), write=args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
