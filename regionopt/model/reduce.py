"""Shrink the candidate pairs with a plan in hand: reduced-cost fixing, provably safe.

Given a feasible plan of objective ``U`` (from :mod:`regionopt.model.heuristic`),
:func:`prune_by_bound` solves the linear relaxation of the model without its
contiguity flows (assignment, every family's rows, the valid neighbour-support
rows; a relaxation of every exact formulation) and reads each assignment
variable's reduced cost ``d[i, j]``. With ``L`` the relaxation's optimum, every
plan that puts ``i`` in the region of ``j`` has an objective of at least
``L + d[i, j]`` (LP duality: the objective of any point of the relaxation is
``L`` plus its reduced costs times its distance from the LP optimum's bounds,
each term non-negative). A pair with ``L + d[i, j] > U`` is therefore in no
plan better than the one in hand, and is dropped; the plan's own pairs are
always kept, and the families' pruning is repeated on what is left (a member
that can no longer reach its core through kept pairs goes too).

The smaller model has the same optimum as the full one (its optimum is at most
``U``; every plan it lacks costs more than ``U``), and a lower bound proved on
it is a lower bound of the full model. It holds only the plans better than
``U``, so it is not used for alternatives (next-best plans). A margin covers
the LP's tolerances (``MARGIN``).
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pulp

from regionopt.errors import whole
from regionopt.model.build import build_model
from regionopt.model.candidates import refine_to_fixpoint
from regionopt.model.families import Candidates
from regionopt.model.solvers import lp_solver
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

log = logging.getLogger(__name__)

#: Relative margin on ``U`` and absolute margin per column for the LP's tolerances.
MARGIN = 1e-6
DUAL_TOL = 1e-6


def prune_by_bound(data: ProblemData, scenario: Scenario, cands: Candidates,
                   cores: np.ndarray, upper: float, *, threads: int = 1,
                   time_limit_s: float | None = None) -> tuple[Candidates, float | None]:
    """Drop the candidate pairs no plan better than ``upper`` can use.

    Parameters
    ----------
    data, scenario
        The problem.
    cands
        Candidate sets (not modified).
    cores
        A feasible plan (``cores[i]`` = core of ``i``) of objective ``upper``;
        its pairs are always kept.
    upper
        The plan's objective, in the scenario's units.
    threads
        Threads for HiGHS.
    time_limit_s
        Seconds allowed for the relaxation; when it runs out nothing is pruned.

    Returns
    -------
    tuple
        The pruned candidate sets and the relaxation's optimum (a lower bound
        on every plan), or ``cands`` unchanged and ``None`` when the relaxation
        is not solved (HiGHS unavailable, time limit).
    """
    began = time.perf_counter()
    model = build_model(data, scenario, method="cuts", cands=cands)
    prob = model.problem
    try:
        solver = lp_solver(threads=threads, time_limit_s=time_limit_s)
        prob.solve(solver)
    except pulp.PulpSolverError as exc:
        log.info("reduced-cost pruning skipped: %s", exc)
        return cands, None
    if prob.sol_status != pulp.LpSolutionOptimal:
        log.info("reduced-cost pruning skipped: relaxation %s", pulp.LpStatus[prob.status])
        return cands, None
    lower = float(pulp.value(prob.objective))  # scaled, as the reduced costs are
    slack = upper * model.scale * MARGIN + DUAL_TOL * len(prob.variables())
    keep: Candidates = {}
    plan = {(i, int(j)) for i, j in enumerate(cores)}
    for (i, j), var in model.x.items():
        dj = var.dj if var.dj is not None else 0.0
        if lower + max(dj, 0.0) <= upper * model.scale + slack or (i, j) in plan:
            keep.setdefault(j, set()).add(i)
    keep = {j: m for j, m in keep.items() if j in m}
    refine_to_fixpoint(keep, data, scenario)
    before, after = sum(map(len, cands.values())), sum(map(len, keep.values()))
    log.info("reduced-cost pruning: %d of %d pairs kept, %d cores (bound %s, plan %s, "
             "%.1f s)", after, before, len(keep), whole(lower / model.scale), whole(upper),
             time.perf_counter() - began)
    return keep, lower / model.scale
