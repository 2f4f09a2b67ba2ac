"""Solve a built model: run the solver, add lazy rows until none is violated, read the gap.

:func:`optimise` runs CBC or HiGHS (:mod:`regionopt.model.solvers`) on a
:class:`~regionopt.model.build.RegionModel`; under the ``cuts`` contiguity
formulation it adds separator cuts and solves again until every region is
connected. :func:`relative_gap` and :func:`result_status` turn the solver's bound into the
figures a result reports.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping

import numpy as np
import pulp

from regionopt.budget import Budget
from regionopt.model.build import RegionModel
from regionopt.model.solvers import Outcome, run_solver

log = logging.getLogger(__name__)

MAX_CUT_ROUNDS = 500


def optimise(model: RegionModel, *, quiet: bool, budget: Budget | None = None,
             cap_s: float | None = None,
             start: Mapping[pulp.LpVariable, float] | None = None,
             ) -> tuple[Outcome, np.ndarray | None]:
    """Solve ``model``, adding lazy rows (separator cuts) until the solution violates none.

    Parameters
    ----------
    model
        The model.
    quiet
        Hide the solver's log.
    budget
        The command's wall-clock budget; default one of ``solver.time_limit_s``
        starting now. Each solver run is given what is left of it.
    cap_s
        At most this many seconds for this call (e.g. a relaxation probe).
    start
        A starting solution given to the solver (a connected plan meets every
        lazy row, so each round gets it).

    Returns
    -------
    tuple
        The solver's :class:`~regionopt.model.solvers.Outcome`, its objective
        and bound in the objective's own units (the model's scale divided out),
        and ``cores[i]`` of the plan found, or ``None`` without one (also when
        the lazy rounds ran out of time or rounds).
    """
    s = model.scenario.solver
    if budget is None:
        budget = Budget(s.time_limit_s)
    mine = Budget(cap_s)
    while True:
        limit = budget.run_limit(mine.left())
        outcome = _unscaled(run_solver(model.problem, s, time_limit_s=limit, quiet=quiet,
                                       start=start), model.scale)
        cores = model.cores_from_solution() if outcome.has_solution else None
        if cores is None:
            return outcome, cores
        added = model.separate(cores)
        if not added:
            return outcome, cores
        log.info("contiguity round %d: %d separator cuts", model.rounds, added)
        if model.rounds >= MAX_CUT_ROUNDS or budget.expired() or mine.expired():
            return outcome.without_solution(), None


def _unscaled(outcome: Outcome, scale: float) -> Outcome:
    if scale == 1.0:
        return outcome
    return dataclasses.replace(
        outcome, objective=None if outcome.objective is None else outcome.objective / scale,
        bound=None if outcome.bound is None else outcome.bound / scale)


def relative_gap(objective: float, bound: float | None) -> float | None:
    """Return ``(objective - bound) / |objective|`` (0 when both are 0), or ``None``."""
    if bound is None:
        return None
    if abs(objective) < 1e-9:
        return 0.0 if abs(bound) < 1e-6 else None
    return max(0.0, (objective - bound) / abs(objective))


def result_status(outcome: Outcome, gap: float | None, mip_gap: float) -> str:
    """Return ``"optimal"`` when proven within ``mip_gap``, else ``"time_limit"``."""
    if outcome.proven and (gap is None or gap <= mip_gap + 1e-6):
        return "optimal"
    return "time_limit"
