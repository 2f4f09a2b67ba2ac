"""Starting solutions for the MIP solvers: CBC's ``mipstart`` and HiGHS's ``setSolution``,
and reading HiGHS's plan back after a run with a start (:func:`stale_values`, :func:`read_best`).

A start usually gives the assignment binaries of a heuristic plan only; CBC
completes a partial ``mipstart`` itself, while HiGHS needs a complete and
consistent solution, so the other variables (flows, deviations, ...) are solved
for with the plan fixed first (:func:`load_start`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import pulp

log = logging.getLogger(__name__)


def load_start(solver: Any, prob: pulp.LpProblem,
               start: Mapping[pulp.LpVariable, float]) -> None:
    """Load a starting solution into a solver: CBC's ``mipstart``, HiGHS's ``setSolution``.

    ``start`` may give only some variables (the assignment binaries); the others
    are completed first: CBC completes a partial ``mipstart`` itself, and for
    HiGHS the given values are fixed, the rest solved for, the bounds restored
    and the complete solution set (HiGHS rejects an incomplete or inconsistent
    one). A start that cannot be completed is dropped with a log line; the
    solve goes on without it.

    Parameters
    ----------
    solver
        A ``pulp.COIN_CMD`` before its solve, or the ``highspy.Highs`` of a
        problem PuLP has just built (``prob.solverModel``).
    prob
        The problem.
    start
        Variable → value.
    """
    if isinstance(solver, pulp.COIN_CMD):
        for var in prob.variables():
            var.varValue = start.get(var)  # CBC's mipstart takes every variable with a value
        solver.optionsDict["warmStart"] = True
        return
    import highspy  # lazy: only HiGHS runs load its native library

    h = solver
    cols = [var.index for var in start]
    values = [float(v) for v in start.values()]
    lp = h.getLp()
    lower, upper = list(lp.col_lower_), list(lp.col_upper_)
    limit = time_limit_of(h)
    h.changeColsBounds(len(cols), cols, values, values)
    h.setOptionValue("time_limit", min(limit, 60.0))
    h.run()
    ok = (h.getModelStatus() == highspy.HighsModelStatus.kOptimal
          and h.getInfo().primal_solution_status == 2)
    full = list(h.getSolution().col_value) if ok else None
    h.changeColsBounds(len(cols), cols, [lower[c] for c in cols], [upper[c] for c in cols])
    h.clearSolver()
    h.setOptionValue("time_limit", limit)
    if full is None:
        log.info("HiGHS: the starting solution could not be completed; solving without it")
        return
    sol = highspy.HighsSolution()
    sol.col_value = full
    sol.value_valid = True
    h.setSolution(sol)


def time_limit_of(h: Any) -> float:
    value = h.getOptionValue("time_limit")  # some highspy versions return (status, value)
    return float(value[-1] if isinstance(value, tuple) else value)


def stale_values(prob: pulp.LpProblem) -> bool:
    """Whether the column values PuLP read disagree with the objective HiGHS reports.

    HiGHS (seen with 1.16) can end a MIP with a start set by ``setSolution`` and hand back
    the start's column values beside another objective.
    """
    h = prob.solverModel
    if h.getInfo().primal_solution_status != 2:
        return False
    reported, value = float(h.getInfo().objective_function_value), pulp.value(prob.objective)
    return value is not None and abs(float(value) - reported) > 1e-6 * max(1.0, abs(reported))


def read_best(prob: pulp.LpProblem, best: list[float] | None) -> bool:
    """Set the variables to ``best`` (HiGHS's columns, in its order) when it prices at the
    objective HiGHS reports; return whether it did (else the values are left as they were)."""
    if best is None or len(best) != len(prob.variables()):
        return False
    before = {v: v.varValue for v in prob.variables()}
    for var in prob.variables():
        var.varValue = best[var.index]
    if stale_values(prob):
        for var, value in before.items():
            var.varValue = value
        return False
    return True
