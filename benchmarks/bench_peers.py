"""Peers: spopt's MaxPHeuristic, AZP, Skater and WardSpatial against regionopt's proven optimum.

Every peer runs in this process on regionopt's own inputs: the adjacency is
``adjacency.csv`` (borders, roads and ferries) as a libpysal ``W``, and each
municipality's attributes are its row of the travel-time matrix (minutes to
every municipality), the only way to hand a travel matrix to methods that
cluster on attributes. Each peer's plan is then scored by regionopt: a region's
core is the member that minimises the region's person-minutes (the peers have
no cores), person-minutes is the model's travel term, and the plan is audited
against the scenario regionopt solves: contiguity, the peer's number of regions
and the same floor (max-p's 5 000 inhabitants; none for the others), cores
free, no travel cap. regionopt solves that scenario to proven optimality (or
reports its gap at the time limit). The peers' randomness is seeded.

Needs the ``bench`` extra (``pip install ".[bench]"``: spopt); spopt is never a
dependency of regionopt itself. Prints a Markdown section; with ``--write`` it
replaces the "peers" section of ``docs/benchmarks.md``.

Usage::

    python benchmarks/bench_peers.py [--write] [--skip-norway] [--time-limit 600]
"""

from __future__ import annotations

import logging
import random
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from _common import Machine, arg_parser, emit, machine

from regionopt.evaluate.metrics import evaluate
from regionopt.evaluate.scenario_audit import audit
from regionopt.model import solve
from regionopt.network import build_network
from regionopt.plan import Plan, plan_from_labels
from regionopt.problem import ProblemData, problem_from_network
from regionopt.scenario import Scenario, parse_scenario

FLOOR = 5_000
SEED = 0
#: What each method cannot express of regionopt's model (the same for every peer but max-p's floor).
CANNOT = {
    "max-p (MaxPHeuristic)": "a fixed number of regions (p is its result), travel caps, cores",
    "AZP": "a population floor, travel caps, cores",
    "SKATER (Skater)": "a population floor (its floor counts municipalities), travel caps, cores",
    "Ward (WardSpatial)": "a population floor, travel caps, cores",
}


def _weights(problem: ProblemData) -> Any:
    # lazy: libpysal comes with the bench extra only
    from libpysal.weights import W

    nbrs = problem.neighbours()
    neighbours = {i: sorted(int(j) for j in nbrs[i]) for i in range(problem.n)}
    with warnings.catch_warnings():  # islands (no neighbour) are reported by the table
        warnings.simplefilter("ignore")
        return W(neighbours, silence_warnings=True)


def _frame(problem: ProblemData) -> tuple[pd.DataFrame, list[str]]:
    minutes = np.where(np.isfinite(problem.minutes), problem.minutes, 10_000.0)
    cols = [f"t{k}" for k in range(problem.n)]
    frame = pd.DataFrame(minutes, columns=cols)
    frame["population"] = problem.population.astype("float64")
    return frame, cols


def best_cores(problem: ProblemData, labels: np.ndarray) -> np.ndarray:
    """Per region, the member minimising the region's person-minutes, for every member."""
    cores = np.empty(problem.n, dtype="int64")
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        cost = (problem.population[members, None] * problem.minutes[np.ix_(members, members)]
                ).sum(axis=0)
        cores[members] = members[int(np.argmin(cost))]
    return cores


def _peers(problem: ProblemData, n_regions: int) -> dict[str, Callable[[], np.ndarray]]:
    # lazy: spopt comes with the bench extra only
    from spopt.region import AZP, MaxPHeuristic, Skater, WardSpatial

    frame, cols = _frame(problem)
    w = _weights(problem)

    def seeded(make: Callable[[], Any]) -> Callable[[], np.ndarray]:
        def run() -> np.ndarray:
            np.random.seed(SEED)  # spopt draws from numpy's and Python's global generators
            random.seed(SEED)
            model = make()
            model.solve()
            return np.asarray(model.labels_)
        return run

    return {
        "max-p (MaxPHeuristic)": seeded(lambda: MaxPHeuristic(
            frame, w, cols, "population", FLOOR, top_n=2)),
        "AZP": seeded(lambda: AZP(frame, w, cols, n_clusters=n_regions, random_state=SEED)),
        "SKATER (Skater)": seeded(lambda: Skater(frame, w, cols, n_clusters=n_regions)),
        "Ward (WardSpatial)": seeded(lambda: WardSpatial(frame, w, cols, n_clusters=n_regions)),
    }


#: The exact solver: HiGHS, warm-started from regionopt's heuristic (CBC did not finish the
#: national cases in 20 minutes before warm starts and pruning existed).
SOLVER = "highs"


def _scenario(name: str, *, count: int, floor: int, time_limit: float) -> Scenario:
    return parse_scenario({
        "name": name, "regions": {"count": count},
        "constraints": {"contiguity": True, "core_is_largest": False, "min_population": floor},
        "solver": {"name": SOLVER, "time_limit_s": time_limit, "threads": 2},
    }, source="bench_peers")


def _exact(problem: ProblemData, count: int, floor: int, time_limit: float,
           cache: dict[tuple[int, int], dict[str, Any]]) -> dict[str, Any]:
    key = (count, floor)
    if key not in cache:
        scenario = _scenario(f"{count} regions, floor {floor}", count=count, floor=floor,
                             time_limit=time_limit)
        start = time.perf_counter()
        result = solve(problem, scenario, quiet=True)
        seconds = time.perf_counter() - start
        travel = float(result.terms["travel"]) if result.plan is not None else float("nan")
        cache[key] = {"scenario": scenario, "seconds": seconds, "status": result.status,
                      "gap": result.gap, "travel": travel,
                      "proven": result.status == "optimal"}
    return cache[key]


def compare_area(area: str, n_regions: int, time_limit: float) -> list[dict[str, Any]]:
    """Run every peer on ``area`` and score it against regionopt's optimum."""
    problem = problem_from_network(build_network(area, progress=False))
    rows = []
    cache: dict[tuple[int, int], dict[str, Any]] = {}
    for name, run in _peers(problem, n_regions).items():
        start = time.perf_counter()
        labels = run()
        seconds = time.perf_counter() - start
        plan: Plan = plan_from_labels(problem, best_cores(problem, labels), name=name)
        floor = FLOOR if name.startswith("max-p") else 0
        count = len(plan.regions)
        exact = _exact(problem, count, floor, time_limit, cache)
        summary = evaluate(plan, problem).summary
        checked = audit(plan, problem, exact["scenario"])
        broken = sorted({v.constraint.rsplit(".", 1)[-1] for v in checked.violations})
        rows.append({"area": area, "peer": name, "regions": count, "floor": floor,
                     "peer_pm": float(summary["person_minutes"]), "peer_s": seconds,
                     "broken": ", ".join(broken) or "none", **exact})
        logging.getLogger("bench_peers").info("%s %s: %d regions, %.0f vs %.0f", area, name,
                                              count, summary["person_minutes"], exact["travel"])
    return rows


def _fmt(v: float) -> str:
    return f"{v:,.0f}".replace(",", " ")


def render(rows: list[dict[str, Any]], m: Machine, time_limit: float) -> str:
    """Return the Markdown section."""
    lines = [
        "## Peers: spopt's regionalisation heuristics against the proven optimum",
        "",
        "`benchmarks/bench_peers.py`: spopt's MaxPHeuristic, AZP, Skater and WardSpatial run in "
        "the same process on regionopt's adjacency (borders, roads, ferries) with each "
        "municipality's row of the travel-time matrix as its attributes, seeded. A peer's "
        "region gets as its core the member that minimises the region's person-minutes "
        "(peers have no cores). regionopt solves the same number of regions with the same "
        "floor (max-p: 5 000 inhabitants; others: none), contiguity on, cores free, no "
        f"travel cap, {'HiGHS' if SOLVER == 'highs' else 'CBC'} (2 threads) with a "
        f"{time_limit:.0f} s limit. Ratio = peer / regionopt "
        "person-minutes. Contiguity through ferries holds for the peers only because they "
        "are given regionopt's adjacency as W; with the usual polygon (Queen/Rook) weights "
        "an island has no neighbour.",
        "",
        m.describe(),
        "",
        "| area | peer | regions | floor | peer person-minutes | peer s | regionopt person-minutes "
        "| regionopt s | status (gap) | ratio | peer breaks | peer cannot express |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | --- |",
    ]
    for r in rows:
        gap = "" if r["gap"] is None else f" ({100 * r['gap']:.2f} %)"
        ratio = r["peer_pm"] / r["travel"] if r["travel"] else float("nan")
        lines.append(
            f"| {r['area']} | {r['peer']} | {r['regions']} | {_fmt(r['floor'])} | "
            f"{_fmt(r['peer_pm'])} | {r['peer_s']:.1f} | {_fmt(r['travel'])} | "
            f"{r['seconds']:.1f} | {r['status']}{gap} | {ratio:.2f} | {r['broken']} | "
            f"{CANNOT[r['peer']]} |")
    lines += ["", "Where regionopt's status is not `optimal`, its figure is the best plan found "
              "at the time limit and the ratio is against that plan, not against the optimum."]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Run the benchmark; print (and with ``--write`` store) its section."""
    parser = arg_parser(__doc__)
    parser.add_argument("--skip-norway", action="store_true", help="Troms og Finnmark only")
    parser.add_argument("--time-limit", type=float, default=600.0,
                        help="seconds for each regionopt solve (default 600)")
    parser.add_argument("--regions", type=int, default=12,
                        help="regions asked of AZP, SKATER and Ward in Troms og Finnmark")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    m = machine()
    rows = compare_area("troms-finnmark", args.regions, args.time_limit)
    if not args.skip_norway:
        rows += compare_area("norway", 80, args.time_limit)
    emit("peers", render(rows, m, args.time_limit), write=args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
