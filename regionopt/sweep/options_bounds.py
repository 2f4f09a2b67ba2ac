"""Exact pruning of ``regionopt options``: bounds that prove a direction dearer than the best.

A direction (``x[i, j] = 1``, :func:`~regionopt.sweep.options.fix_direction`) may be left
unsolved when a bound proves its optimum above ``best``, the proven optimum of a cheaper
direction of the same municipality. Two bounds, cheapest first:

1. :func:`direction_bounds`: one linear relaxation per scenario (without contiguity rows, a
   relaxation of every exact formulation, :mod:`regionopt.model.reduce`), optimum ``L``;
   ``L + max(d[i, j], 0)`` bounds every plan with ``x[i, j] = 1`` (``d``: reduced cost).
2. :func:`fixed_bound`: the same relaxation of the scenario with the choice fixed (one LP
   per direction, about 0.1 s on Troms og Finnmark); at least as tight, since it fixes
   ``x[i, j] = 1`` and re-optimises the rest of the relaxation.

A third proof was measured and left out: the exact model with the choice fixed and the row
``objective <= best``, proven infeasible. It is about a third of a full solve, but once the
warm starts are repaired (:mod:`regionopt.sweep.options_start`) the full solves are cheap and
the failed proofs cost more than the pruned solves saved (Troms og Finnmark ``--all``: 60 CPU
s with it, 52 without).

Each bound carries a margin for the solver's tolerances (:data:`~regionopt.model.reduce.MARGIN`,
:data:`~regionopt.model.reduce.DUAL_TOL`), so a tie is never pruned. Every scenario is
resolved (:func:`~regionopt.model.rules.resolve_rules`) as the engine resolves it, so each
relaxation relaxes the model the engine solves.
"""

from __future__ import annotations

import logging

import pulp

from regionopt.model.build import build_model
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

    ``None`` when the relaxation is not solved to optimality (infeasible included: the exact
    solve then proves and names it), or for ``regions.count = "max"``.
    """
    fixed = _fixed(problem, scenario, code, core)
    if fixed is None:
        return None
    model = build_model(problem, fixed, method="cuts", cands=candidate_sets(problem, fixed))
    prob = model.problem
    try:
        prob.solve(lp_solver(threads=1, time_limit_s=scenario.solver.time_limit_s))
    except pulp.PulpSolverError as exc:
        log.info("options: no fixed bound (%s)", exc)
        return None
    if prob.sol_status != pulp.LpSolutionOptimal:
        return None
    slack = DUAL_TOL * len(prob.variables())
    return (float(pulp.value(prob.objective)) - slack) / model.scale


__all__ = ["above", "direction_bounds", "fix_direction", "fixed_bound"]
