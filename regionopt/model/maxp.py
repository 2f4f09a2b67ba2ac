"""``regions.count = "max"``: the most regions a scenario allows, found and proven (or bounded).

The first of the two lexicographic stages of max-p (the second, the least
objective among plans with that many regions, is an ordinary solve with
``regions.count`` set; see :func:`regionopt.model.engine.solve`):

1. the construction heuristic (:mod:`regionopt.model.heuristic`) splits regions
   while it can, giving a plan with ``p`` regions;
2. the linear relaxation of the model without contiguity flows, maximising the
   number of open cores, bounds the number from above;
3. if the two differ, the integer model (contiguity by separator cuts, a model
   without flow variables) maximises the number of open cores from the
   heuristic's plan, within a third of the time limit; its solution raises
   ``p`` and its bound lowers the upper bound.

The result says the number of regions reached and the proven upper bound
(equal when proven).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import pulp

from regionopt.model.build import build_model, start_values
from regionopt.model.families import Candidates
from regionopt.model.heuristic import heuristic_plan
from regionopt.model.optimise import optimise
from regionopt.model.solvers import lp_solver
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, replace_key

log = logging.getLogger(__name__)

EPS = 1e-6


@dataclass(frozen=True)
class MaxRegions:
    """The most regions found, and the proven upper bound.

    Attributes
    ----------
    value
        Regions in the best plan found (0 without a plan).
    bound
        No plan has more regions than this, or ``None`` if not known.
    plan
        ``cores[i]`` of a plan with ``value`` regions, or ``None``.
    unmet
        Why no plan was found (one sentence each).
    """

    value: int
    bound: int | None
    plan: np.ndarray | None
    unmet: tuple[str, ...] = ()


def max_regions(data: ProblemData, scenario: Scenario, cands: Candidates, *,
                quiet: bool = True) -> MaxRegions:
    """Return the largest number of regions a plan of ``scenario`` can have.

    Parameters
    ----------
    data, scenario
        The problem; ``scenario.regions.count`` is ignored (treated as ``"max"``).
    cands
        Its candidate sets.
    quiet
        Hide the solver's log.

    Returns
    -------
    MaxRegions
    """
    counting = replace_key(replace_key(scenario, "regions.count", "max"), "objective.balance", 0)
    heur = heuristic_plan(data, counting, cands, improve=False)
    best = heur.cores if heur.feasible else None
    value = len(set(best.tolist())) if best is not None else 0
    model = build_model(data, counting, method="cuts", cands=cands)
    model.problem.setObjective(-model.parts.opened)
    model.scale = 1.0
    bound = _relaxation_bound(model.problem, scenario.solver.threads)
    if bound is not None and bound <= value:
        return MaxRegions(value, bound, best)
    limit = scenario.solver.time_limit_s
    model.problem.sense = pulp.LpMinimize
    outcome, cores = optimise(model, quiet=quiet,
                              cap_s=None if limit is None else limit / 3,
                              start=None if best is None else start_values(model, best))
    if outcome.infeasible and best is None:
        return MaxRegions(0, 0, None, ("no plan meets the scenario's rules",))
    if cores is not None and len(set(cores.tolist())) > value:
        best, value = cores, len(set(cores.tolist()))
    if outcome.bound is not None:
        mip = math.floor(-outcome.bound + EPS)
        bound = mip if bound is None else min(bound, mip)
    if outcome.proven and cores is not None:
        bound = value if bound is None else min(bound, value)
    if best is None:
        return MaxRegions(0, bound, None, heur.unmet or ("no plan found in time",))
    log.info("most regions: %d found, at most %s", value, bound)
    return MaxRegions(value, bound, best)


def _relaxation_bound(prob: pulp.LpProblem, threads: int) -> int | None:
    """Solve the linear relaxation (minimising minus the open cores); floor of its maximum."""
    relaxed = prob.copy()
    try:
        relaxed.solve(lp_solver(threads=threads))
    except pulp.PulpSolverError as exc:
        log.info("relaxation of the most-regions model not solved: %s", exc)
        return None
    if relaxed.sol_status != pulp.LpSolutionOptimal:
        return None
    return math.floor(-float(pulp.value(relaxed.objective)) + EPS)
