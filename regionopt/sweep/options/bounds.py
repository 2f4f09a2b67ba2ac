"""Exact pruning of ``regionopt options``: bounds that prove a direction dearer than the best.

A direction (``x[i, j] = 1``, :func:`~regionopt.sweep.options.price.fix_direction`) may be left
unsolved when a bound proves its optimum above ``best``, the proven optimum of a cheaper
direction of the same municipality. Two bounds, cheapest first:

1. :func:`direction_bounds`: one linear relaxation per scenario (without contiguity rows, a
   relaxation of every exact formulation, :mod:`regionopt.model.reduce`), optimum ``L``;
   ``L + max(d[i, j], 0)`` bounds every plan with ``x[i, j] = 1`` (``d``: reduced cost).
2. :func:`fixed_bound`: the same relaxation of the scenario with the choice fixed (one LP
   per direction, about 0.1 s on Troms og Finnmark); at least as tight, since it fixes
   ``x[i, j] = 1`` and re-optimises the rest of the relaxation. :func:`relaxation` keeps
   the relaxation of proof 1 in the solver and re-solves it with ``x[i, j] = x[j, j] = 1``
   from the last basis (:meth:`Relaxation.bound`: 0.03-0.06 s on all of Norway against 1.5-2.4
   s for :func:`fixed_bound`, which builds the model anew). Its candidate pairs are the
   base's, not those the families leave with the choice fixed, so it may be a little weaker
   than :func:`fixed_bound`; it relaxes the same plans, so it is as valid. An infeasible
   relaxation proves that no plan takes the direction.

A third proof was measured and left out: the exact model with the choice fixed and the row
``objective <= best``, proven infeasible. It is about a third of a full solve, but once the
warm starts are repaired (:mod:`regionopt.sweep.options.start`) the full solves are cheap and
the failed proofs cost more than the pruned solves saved (Troms og Finnmark ``--all``: 60 CPU
s with it, 52 without).

Each bound carries a margin for the solver's tolerances (:data:`~regionopt.model.reduce.MARGIN`,
:data:`~regionopt.model.reduce.DUAL_TOL`), so a tie is never pruned. Every scenario is
resolved (:func:`~regionopt.model.rules.resolve_rules`) as the engine resolves it, so each
relaxation relaxes the model the engine solves.
"""

from __future__ import annotations

import functools
import logging
import math
from dataclasses import dataclass
from typing import Any

import pulp

from regionopt.model.build import RegionModel, build_model
from regionopt.model.candidates import candidate_sets
from regionopt.model.families import Candidates
from regionopt.model.reduce import DUAL_TOL, MARGIN
from regionopt.model.rules import resolve_rules
from regionopt.model.solvers import lp_solver
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, replace_key

log = logging.getLogger(__name__)


def fix_direction(scenario: Scenario, code: str, core: str) -> Scenario:
    """Return ``scenario`` with ``code`` in the region of core ``core`` (``x[i, j] = 1``)."""
    c = scenario.constraints
    out = replace_key(scenario, "constraints.fixed_cores", sorted({*c.fixed_cores, core}))
    if core != code:
        out = replace_key(out, "constraints.must_link",
                          [list(p) for p in c.must_link] + [[code, core]])
    return out


def direction_bounds(problem: ProblemData, scenario: Scenario,
                     cands: Candidates) -> dict[tuple[int, int], float]:
    """Lower bounds on the optimum with ``x[i, j] = 1``, for every candidate pair.

    ``L + max(d, 0)`` (module notes, proof 1), less the solver's dual tolerance per column,
    so the bound stays valid. Empty when the relaxation is not solved.
    """
    resolved = resolve_rules(problem, scenario)
    if resolved != scenario:
        cands = candidate_sets(problem, resolved)
    model = build_model(problem, resolved, method="cuts", cands=cands)
    prob = model.problem
    try:
        prob.solve(lp_solver(threads=1, time_limit_s=scenario.solver.time_limit_s))
    except pulp.PulpSolverError as exc:
        log.info("options: no bounds (%s)", exc)
        return {}
    if prob.sol_status != pulp.LpSolutionOptimal:
        return {}
    lower = float(pulp.value(prob.objective))
    slack = DUAL_TOL * len(prob.variables())
    return {pair: (lower + max(var.dj or 0.0, 0.0) - slack) / model.scale
            for pair, var in model.x.items()}


def above(best: float) -> float:
    """``best`` plus the margin: a bound or a plan over this is dearer than ``best``."""
    return best + MARGIN * max(1.0, abs(best))


def _fixed(problem: ProblemData, scenario: Scenario, code: str, core: str) -> Scenario | None:
    fixed = resolve_rules(problem, fix_direction(scenario, code, core))
    return None if fixed.regions.count == "max" else fixed


def fixed_bound(problem: ProblemData, scenario: Scenario, code: str,
                core: str) -> float | None:
    """A lower bound on every plan with ``code`` in the region of ``core`` (proof 2), or None.

    ``math.inf`` when the relaxation is proven infeasible (then no plan takes the
    direction); ``None`` when it is not solved otherwise, or for ``regions.count = "max"``.
    """
    fixed = _fixed(problem, scenario, code, core)
    solved = None if fixed is None else _solved_relaxation(problem, fixed, "fixed bound")
    if solved is None:
        return None
    model, prob = solved
    if prob.status == pulp.LpStatusInfeasible:
        return math.inf
    if prob.sol_status != pulp.LpSolutionOptimal:
        return None
    slack = DUAL_TOL * len(prob.variables())
    return (float(pulp.value(prob.objective)) - slack) / model.scale


def _solved_relaxation(problem: ProblemData, scenario: Scenario,
                       what: str) -> tuple[RegionModel, pulp.LpProblem] | None:
    """The relaxation of ``scenario`` (without contiguity rows) built and solved by HiGHS."""
    model = build_model(problem, scenario, method="cuts", cands=candidate_sets(problem, scenario))
    prob = model.problem
    try:
        prob.solve(lp_solver(threads=1, time_limit_s=scenario.solver.time_limit_s))
    except pulp.PulpSolverError as exc:
        log.info("options: no %s (%s)", what, exc)
        return None
    return model, prob


@dataclass(eq=False)
class Relaxation:
    """The relaxation of proof 1, kept in HiGHS to be re-solved with a choice fixed.

    Attributes
    ----------
    highs
        The ``highspy.Highs`` instance holding the solved relaxation.
    columns
        ``(i, j) -> `` the column of ``x[i, j]``.
    scale, constant, slack
        The model's objective scale and constant, and the dual tolerance allowed for.
    basis
        The optimal basis of the relaxation itself: every re-solve starts from it, so a bound
        does not depend on the directions bounded before it (same inputs, same bytes).
    """

    highs: Any
    columns: dict[tuple[int, int], int]
    scale: float
    constant: float
    slack: float
    basis: Any = None

    def bound(self, i: int, j: int) -> float | None:
        """A lower bound on every plan with ``x[i, j] = 1``: ``math.inf`` when none exists.

        ``None`` when ``(i, j)`` is not a candidate pair or the LP ends otherwise.
        """
        if (i, j) not in self.columns or (j, j) not in self.columns:
            return None
        import highspy  # lazy: only HiGHS runs load its native library

        h = self.highs
        cols = sorted({self.columns[i, j], self.columns[j, j]})
        lp = h.getLp()
        old = [(lp.col_lower_[c], lp.col_upper_[c]) for c in cols]
        for c in cols:
            h.changeColBounds(c, 1.0, 1.0)
        try:
            if self.basis is not None:
                h.setBasis(self.basis)
            h.run()
            status = h.getModelStatus()
            value = h.getInfo().objective_function_value
        finally:
            for c, (low, up) in zip(cols, old, strict=True):
                h.changeColBounds(c, low, up)
        if status == highspy.HighsModelStatus.kInfeasible:
            return math.inf
        if status != highspy.HighsModelStatus.kOptimal:
            return None
        return (value + self.constant - self.slack) / self.scale


@functools.lru_cache(maxsize=2)
def relaxation(problem: ProblemData, scenario: Scenario) -> Relaxation | None:
    """The relaxation of ``scenario`` (resolved) solved once and kept (one per process).

    ``None`` when it is not solved to optimality or ``regions.count = "max"``.
    """
    solved = None if scenario.regions.count == "max" else _solved_relaxation(
        problem, scenario, "relaxation")
    if solved is None:
        return None
    model, prob = solved
    if prob.sol_status != pulp.LpSolutionOptimal or prob.solverModel is None:
        return None
    return Relaxation(highs=prob.solverModel,
                      columns={pair: var.index for pair, var in model.x.items()},
                      scale=model.scale, constant=float(prob.objective.constant or 0.0),
                      slack=DUAL_TOL * len(prob.variables()),
                      basis=prob.solverModel.getBasis())


__all__ = ["Relaxation", "above", "direction_bounds", "fix_direction", "fixed_bound",
           "relaxation"]
