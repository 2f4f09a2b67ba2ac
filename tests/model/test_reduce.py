"""Reduced-cost pruning: the pruned model keeps the optimum (checked against enumeration).

Also the warm starts (regionopt.model.warmstart): warm-started and cold solves, CBC and HiGHS,
reach the same optimum.
"""

from __future__ import annotations

import pytest
from brute import brute_force, random_problem, scen
from test_engine import CONFIGS

from regionopt.model import solve
from regionopt.model.candidates import candidate_sets
from regionopt.model.heuristic import heuristic_plan
from regionopt.model.reduce import prune_by_bound


@pytest.mark.parametrize("seed", [21, 22, 23])
@pytest.mark.parametrize("config", range(len(CONFIGS)))
def test_pruned_pairs_keep_every_optimal_plan(seed, config):
    data = random_problem(seed, 8)
    s = scen(**CONFIGS[config])
    cands = candidate_sets(data, s)
    heur = heuristic_plan(data, s, cands)
    plans = brute_force(data, s)
    if not heur.feasible:
        return
    kept, bound = prune_by_bound(data, s, cands, heur.cores, heur.objective)
    assert bound is not None and bound <= plans[0][0] + 1e-6
    for value, cores in plans:
        if value < heur.objective - 1e-6 * max(1.0, heur.objective):
            assert all(i in kept.get(j, ()) for i, j in enumerate(cores)), (value, cores)
    assert all(i in kept[int(j)] for i, j in enumerate(heur.cores))


@pytest.mark.parametrize("seed", [31, 32])
@pytest.mark.parametrize("name", ["cbc", "highs"])
def test_warm_and_cold_solves_reach_the_same_optimum(seed, name):
    from regionopt.scenario import replace_key

    data = random_problem(seed, 9)
    s = replace_key(scen(regions__count=3, constraints__min_population=3000), "solver.name", name)
    warm, cold = solve(data, s, quiet=True), solve(data, s, quiet=True, warm_start=False)
    assert warm.status == cold.status == "optimal"
    assert warm.objective == pytest.approx(cold.objective, rel=1e-9)
    assert warm.bound == pytest.approx(cold.bound, rel=1e-6)
    assert warm.model["columns"] <= cold.model["columns"]
