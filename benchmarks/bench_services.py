"""Service areas and balanced hosting (issue 21): what they add to a functional solve.

For Troms og Finnmark and all of Norway, the functional scenario's plan (solved here, or read
from a solve's folder with ``--norway DIR``/``--tf DIR``: its ``plan.csv`` and ``inputs/``)
gets the catalogue's service areas (one engine solve per distinct rule) and the balanced
hosting MIPs, timed with the scenario's solver on one thread with node limits (the figures
do not depend on the machine's load; the time limits are safety nets); the target is at most a
minute for all of Norway on 2 cores. Prints a Markdown section; with ``--write`` it replaces
the "services" section of ``docs/benchmarks.md``. Run it with ``nice``: the machine is shared.

Usage::

    nice python benchmarks/bench_services.py [--write] [--norway DIR] [--tf DIR]
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from _common import REPO, arg_parser, emit, machine

from regionopt.api import problem_from_network
from regionopt.data.commuting import functional_problem
from regionopt.evaluate.services import analyse_services, services_summary
from regionopt.model import solve
from regionopt.network import build_network
from regionopt.plan import Plan, read_plan
from regionopt.problem import ProblemData, read_inputs
from regionopt.scenario import Scenario, load_scenario

SCENARIOS = REPO / "data" / "geo" / "scenarios"
CASES = {"Troms og Finnmark": ("troms-finnmark-functional.toml", "troms-finnmark"),
         "all of Norway": ("norway-functional.toml", "norway")}


def _plan(scenario: Scenario, area: str, folder: Path | None) -> tuple[ProblemData, Plan, float]:
    """The plan to analyse, its problem and the seconds its solve took (nan when read)."""
    if folder is not None:
        problem = read_inputs(folder / "inputs")
        return problem, read_plan(folder / "plan.csv", problem=problem), float("nan")
    problem = functional_problem(problem_from_network(build_network(area, progress=False)))
    began = time.perf_counter()
    result = solve(problem, scenario, quiet=True)
    assert result.plan is not None, f"{scenario.name}: no plan"
    return problem, result.plan, time.perf_counter() - began


def _row(name: str, scenario: Scenario, problem: ProblemData, plan: Plan,
         solve_s: float) -> dict[str, Any]:
    began, cpu = time.perf_counter(), time.process_time()
    analysis = analyse_services(plan, problem, scenario, quiet=True)
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    s = services_summary(analysis)
    h = s["hosting"]
    areas = sum(v["areas"] for v in s["per_service"].values())
    meeting = sum(v["areas_meeting"] for v in s["per_service"].values())
    return {"name": name, "regions": len(plan.regions), "solve": solve_s, "seconds": seconds,
            "cpu": cpu,
            "rules": len({(sa.service.floor, sa.service.max_population, sa.service.limit)
                          for sa in analysis.areas}),
            "areas": areas, "meeting": meeting, "status": h["status"], "gap": h["gap"],
            "core_b": h["balanced"]["core_share"], "core_t": h["traditional"]["core_share"],
            "pm_b": h["balanced"]["person_minutes"], "pm_t": h["traditional"]["person_minutes"]}


def main() -> None:
    parser = arg_parser(__doc__)
    parser.add_argument("--norway", type=Path, help="a solve folder of norway-functional.toml")
    parser.add_argument("--tf", type=Path, help="a solve folder of troms-finnmark-functional")
    parser.add_argument("--skip-norway", action="store_true")
    args = parser.parse_args()
    m = machine()
    rows = []
    for name, (file, area) in CASES.items():
        if name == "all of Norway" and args.skip_norway:
            continue
        scenario = load_scenario(SCENARIOS / file)
        folder = args.norway if area == "norway" else args.tf
        problem, plan, solve_s = _plan(scenario, area, folder)
        rows.append(_row(name, scenario, problem, plan, solve_s))
    lines = [
        "`nice python benchmarks/bench_services.py --write`: wall-clock seconds of "
        "`regionopt.evaluate.services.analyse_services` (the service areas of every catalogue "
        "service, one engine solve per distinct rule, and the balanced hosting MIPs) on the "
        "functional scenario's plan, with the scenario's solver on one thread and a node "
        "limit per MIP (`AREA_NODES`, `GROUP_NODES`: the areas and hosts are the same at any "
        "load; the time limits are safety nets); CPU = this "
        "process's CPU seconds (HiGHS runs in it), the figure that does not grow with the "
        "machine's load. " + m.describe(),
        "",
        "| area | regions | plan solve (s) | services (s) | CPU (s) | distinct rules | areas "
        "| meeting the rules | hosting | core share balanced / traditional "
        "| person-minutes balanced / traditional |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |"]
    for r in rows:
        gap = "" if r["gap"] in (None, 0) else f" (gap {100 * r['gap']:.2f} %)"
        solve_s = "read" if r["solve"] != r["solve"] else f"{r['solve']:.1f}"
        lines.append(f"| {r['name']} | {r['regions']} | {solve_s} | {r['seconds']:.1f} | "
                     f"{r['cpu']:.1f} | {r['rules']} | {r['areas']} | {r['meeting']} | "
                     f"{r['status']}{gap} | "
                     f"{100 * r['core_b']:.1f} % / {100 * r['core_t']:.1f} % | "
                     f"{r['pm_b']:,.0f} / {r['pm_t']:,.0f} |")
    emit("services", "\n".join(lines), write=args.write)


if __name__ == "__main__":
    main()
