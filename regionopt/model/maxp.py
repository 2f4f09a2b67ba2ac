"""``regions.count = "max"``: the most regions a scenario allows, found and proven (or bounded).

The first of the two lexicographic stages of max-p (the second, the least
objective among plans with that many regions, is an ordinary solve with
``regions.count`` set; see :func:`regionopt.model.engine.solve`):

1. the construction heuristic (:mod:`regionopt.model.heuristic`) splits regions
   while it can, giving a plan with ``p`` regions;
2. with a hard floor and contiguity, the exact count of a relaxation
   (:mod:`regionopt.model.packing`: the anchors plus the most disjoint connected
   sets at the floor among the municipalities below it). It bounds the count,
   and the plan it gives, when it meets the scenario's other rules (the
   families' audits), attains it: then the count is proven here. Otherwise the
   bound is the smaller of it (or, without contiguity, :func:`floor_bound`)
   and the linear relaxation of the model without contiguity flows, maximising
   the number of open cores;
3. if the two differ, the integer model (contiguity by separator cuts, a model
   without flow variables) maximises the number of open cores from the
   heuristic's plan, within a third of the time left; its solution raises
   ``p`` and its bound lowers the upper bound;
4. while ``p`` is below the upper bound and time is left, the ordinary model
   (flow contiguity) with exactly ``p + 1`` regions and no objective looks for
   any plan; one found raises ``p``. A proof that ``p + 1`` regions are
   impossible ends the search but does not lower the bound: with caps, travel
   limits or core rules, merging two regions of a larger plan need not give a
   feasible one, so the number of regions is not monotone.

The result says the number of regions reached and the proven upper bound
(equal when proven).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import pulp

from regionopt.budget import Budget
from regionopt.model.build import build_model, start_values
from regionopt.model.families import Candidates
from regionopt.model.heuristic import heuristic_plan, unmet_rules
from regionopt.model.optimise import optimise
from regionopt.model.packing import floor_groups, pack_regions, packing_plan
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
    infeasible
        No plan exists: proven by the solver or by a bound of 0 regions. Without a
        plan and without this proof, the search ran out of time (``unmet`` then
        holds only why the construction heuristic's own plan failed, not a proof).
    """

    value: int
    bound: int | None
    plan: np.ndarray | None
    unmet: tuple[str, ...] = ()
    infeasible: bool = False


def max_regions(data: ProblemData, scenario: Scenario, cands: Candidates, *,
                quiet: bool = True, budget: Budget | None = None) -> MaxRegions:
    """Return the largest number of regions a plan of ``scenario`` can have.

    Parameters
    ----------
    data, scenario
        The problem; ``scenario.regions.count`` is ignored (treated as ``"max"``).
    cands
        Its candidate sets.
    quiet
        Hide the solver's log.
    budget
        The command's wall-clock budget (default: one of ``solver.time_limit_s``
        starting now); the relaxation gets what is left of it, the integer model
        at most a third of what is left.

    Returns
    -------
    MaxRegions
    """
    if budget is None:
        budget = Budget(scenario.solver.time_limit_s)
    counting = replace_key(replace_key(scenario, "regions.count", "max"), "objective.balance", 0)
    heur = heuristic_plan(data, counting, cands, improve=False)
    best = heur.cores if heur.feasible else None
    value = len(set(best.tolist())) if best is not None else 0
    bound, packed = _packing_stage(data, scenario, counting, cands, budget)
    if packed is not None and len(set(packed.tolist())) > value:
        best, value = packed, len(set(packed.tolist()))
    if (bound is not None and bound <= value) or (budget.expired() and best is not None):
        return MaxRegions(value, bound, best, infeasible=best is None)
    model = build_model(data, counting, method="cuts", cands=cands)
    model.problem.setObjective(-model.parts.opened)
    model.scale = 1.0
    bound = _smaller(bound, _relaxation_bound(model.problem, scenario.solver.threads,
                                              budget.run_limit()))
    if bound is not None and bound <= value:
        return MaxRegions(value, bound, best, infeasible=best is None)
    left = budget.left()
    model.problem.sense = pulp.LpMinimize
    outcome, cores = optimise(model, quiet=quiet, budget=budget,
                              cap_s=None if left is None else left / 3,
                              start=None if best is None else start_values(model, best))
    if outcome.infeasible and best is None:
        return MaxRegions(0, 0, None, ("no plan meets the scenario's rules",), infeasible=True)
    if cores is not None and len(set(cores.tolist())) > value:
        best, value = cores, len(set(cores.tolist()))
    if outcome.bound is not None:
        bound = _smaller(bound, math.floor(-outcome.bound + EPS))
    if outcome.proven and cores is not None:
        bound = _smaller(bound, value)
    if best is None:
        # out of time without a plan: the heuristic's unmet rules are no proof
        return MaxRegions(0, bound, None, heur.unmet or ("no plan found in time",),
                          infeasible=bound == 0)
    small = sum(len(m) for m in cands.values()) <= PROBE_MAX_PAIRS
    while small and (bound is None or value < bound):
        more = _probe(data, counting, cands, value + 1, quiet=quiet, budget=budget)
        if more is None:
            break
        best, value = more, value + 1
    log.info("most regions: %d found, at most %s", value, bound)
    return MaxRegions(value, bound, best)


def _smaller(a: int | None, b: int | None) -> int | None:
    """The smaller of two bounds, either of which may be unknown."""
    return b if a is None else a if b is None else min(a, b)


def _packing_stage(data: ProblemData, scenario: Scenario, counting: Scenario, cands: Candidates,
                   budget: Budget) -> tuple[int | None, np.ndarray | None]:
    """The packing's bound (the floor bound without contiguity) and its plan if feasible."""
    left = budget.left()
    packing = pack_regions(data, scenario, time_limit_s=None if left is None else left / 3,
                           cands=cands)
    if packing is None:
        return floor_bound(data, scenario), None
    cores = packing_plan(data, scenario, packing, cands)
    if cores is None or unmet_rules(data, counting, cores):
        return packing.bound, None
    log.info("most regions: %d from the packing of the small municipalities", packing.regions)
    return packing.bound, cores


#: Seconds a probe for one more region may take when the scenario sets no time limit.
PROBE_S = 60.0
#: Probes run only on models of at most this many candidate pairs: the flow model of all of
#: Norway (about 127 000 pairs) takes minutes and several GB to build, outside any time limit.
PROBE_MAX_PAIRS = 20_000


def _probe(data: ProblemData, counting: Scenario, cands: Candidates, k: int, *, quiet: bool,
           budget: Budget) -> np.ndarray | None:
    """Return a plan with exactly ``k`` regions (any: the objective is 0), or ``None``.

    ``None`` when the model is proven infeasible, or no plan is found within a
    third of the time left (:data:`PROBE_S` without a limit).
    """
    left = budget.left()
    if left is not None and left <= 1.0:
        return None
    model = build_model(data, replace_key(counting, "regions.count", k), method="flow",
                        cands=cands)
    model.problem.setObjective(pulp.LpAffineExpression())
    model.scale = 1.0
    _, cores = optimise(model, quiet=quiet, budget=budget,
                        cap_s=PROBE_S if left is None else left / 3)
    if cores is None or len(set(cores.tolist())) != k:
        return None
    log.info("most regions: a plan with %d regions found by the exact model", k)
    return cores


def floor_bound(data: ProblemData, scenario: Scenario) -> int | None:
    """Return an upper bound on the number of regions from a hard population floor.

    Call a municipality an *anchor* when it alone meets ``min_population`` or is
    a named exception (a region whose core is an exception has no floor). Regions
    are disjoint, so at most ``A`` of them (the number of anchors) hold an anchor.
    Every other region holds only non-anchors, has a non-exception core and so
    at least ``min_population`` inhabitants; with contiguity it is connected
    through non-anchors, so it lies inside one connected component ``C`` of the
    graph the adjacency induces on the non-anchors, and ``C`` holds at most
    ``floor(P_C / min_population)`` such regions. Hence::

        regions <= A + sum over C of floor(P_C / min_population)

    (without contiguity, all non-anchors form one group). Not a bound when the
    floor is elastic (``objective.population_shortfall > 0``) or absent.

    Parameters
    ----------
    data, scenario
        The problem.

    Returns
    -------
    int or None
        The bound, or ``None`` when the scenario has no hard floor.
    """
    groups = floor_groups(data, scenario)
    if groups is None:
        return None
    anchor, comps = groups
    floor = scenario.constraints.min_population
    return int(anchor.sum()) + sum(int(data.population[c].sum()) // floor for c in comps)


def _relaxation_bound(prob: pulp.LpProblem, threads: int,
                      time_limit_s: float | None) -> int | None:
    """Solve the linear relaxation (minimising minus the open cores); floor of its maximum."""
    relaxed = prob.copy()
    try:
        relaxed.solve(lp_solver(threads=threads, time_limit_s=time_limit_s))
    except pulp.PulpSolverError as exc:
        log.info("relaxation of the most-regions model not solved: %s", exc)
        return None
    if relaxed.sol_status != pulp.LpSolutionOptimal:
        return None
    return math.floor(-float(pulp.value(relaxed.objective)) + EPS)
