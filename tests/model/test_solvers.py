"""regionopt.model.solvers: a HiGHS run's time limit counts from when the run began."""

from __future__ import annotations

import math
import time

import pulp

from regionopt.model.solvers import _InterruptibleHiGHS, lp_solver
from regionopt.model.warmstart import read_best, time_limit_of


def _tiny() -> pulp.LpProblem:
    prob = pulp.LpProblem("tiny", pulp.LpMinimize)
    x = prob.add_variable("x", lowBound=0, cat="Integer")
    prob += x
    prob += x >= 1
    return prob


def test_time_limit_counts_from_the_start_of_the_run():
    # a run that "began" 5 s ago (PuLP handing over a national model takes that long)
    # gets at most 10 - 5 s of HiGHS time, never the full 10 s
    solver = _InterruptibleHiGHS(msg=False, timeLimit=10.0, threads=1)
    solver.began = time.perf_counter() - 5.0
    prob = _tiny()
    prob.solve(solver)
    assert pulp.value(prob.objective) == 1
    assert time_limit_of(prob.solverModel) <= 5.0


def test_without_a_start_time_the_limit_is_the_one_asked_for_at_most():
    solver = lp_solver(threads=1, time_limit_s=10.0)
    prob = _tiny()
    prob.solve(solver)
    assert 9.0 < time_limit_of(prob.solverModel) <= 10.0


def test_highs_with_a_start_returns_the_optimum_it_proves_not_the_start() -> None:
    """HiGHS can hand back the start's column values beside the better objective it proved
    (a start set with setSolution, the MIP closed at the root); the engine must still return
    the optimum that enumeration finds, proven, as it does without the start."""
    import numpy as np
    from model.brute import brute_force, random_problem, scen

    from regionopt.model.engine import solve

    data = random_problem(21, 6, p_edge=0.45)
    s = scen(solver__name="highs", regions__min_count=2, regions__max_count=4,
             constraints__min_population=4000, objective__population_shortfall=0.5,
             objective__commuting=20.0, constraints__must_link=[["5505", "5503"]],
             constraints__fixed_cores=["5503"])
    best, best_cores = brute_force(data, s)[0]
    start = np.array([2, 2, 2, 3, 2, 3])  # feasible, and worse than the optimum
    plain, started = solve(data, s, quiet=True), solve(data, s, quiet=True, start_plan=start)
    assert plain.status == started.status == "optimal"
    assert math.isclose(started.objective, best, rel_tol=1e-9)
    assert started.plan == plain.plan
    assert tuple(data.index(started.plan.cores[started.plan.assignment[c]]) for c in data.codes) \
        == best_cores


def test_a_reported_solution_is_read_only_when_its_objective_is_the_one_highs_reports() -> None:
    """With a start, HiGHS can hand back the start's values beside another objective; the
    last improving solution it reported replaces them only when it prices at HiGHS's figure."""
    prob = pulp.LpProblem("pair", pulp.LpMinimize)
    x = prob.add_variable("x", lowBound=0, upBound=5, cat="Integer")
    y = prob.add_variable("y", lowBound=0, upBound=5, cat="Integer")
    prob += 2 * x + 3 * y
    prob += x + y >= 2
    prob.solve(_InterruptibleHiGHS(msg=False, threads=1))
    assert pulp.value(prob.objective) == 4  # x = 2, y = 0
    x.varValue, y.varValue = 0, 2  # as if HiGHS had handed back a start of objective 6
    order = sorted(prob.variables(), key=lambda v: v.index)
    assert not read_best(prob, [3.0 if v is x else 0.0 for v in order])  # 6: not HiGHS's 4
    assert (x.varValue, y.varValue) == (0, 2)
    assert not read_best(prob, None) and not read_best(prob, [2.0])
    assert read_best(prob, [2.0 if v is x else 0.0 for v in order])
    assert (x.varValue, y.varValue) == (2, 0)
