"""regionopt.model.solvers: a HiGHS run's time limit counts from when the run began."""

from __future__ import annotations

import time

import pulp

from regionopt.model.solvers import _InterruptibleHiGHS, lp_solver
from regionopt.model.warmstart import time_limit_of


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
