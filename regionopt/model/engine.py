"""Find the best plan of a scenario, and the next best ones.

:func:`solve` computes the candidate sets once, looks for proofs of
infeasibility (:mod:`regionopt.model.diagnose`), builds the model
(:mod:`regionopt.model.build`), optimises it (:mod:`regionopt.model.optimise`)
and reads the plan, its objective terms and its proven gap back. A scenario
the solver proves infeasible is explained (:mod:`regionopt.model.explain`).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from regionopt.errors import InfeasibleError, SolverError
from regionopt.model.build import RegionModel, build_model
from regionopt.model.candidates import candidate_sets
from regionopt.model.diagnose import diagnose
from regionopt.model.explain import explain_infeasible
from regionopt.model.objective import objective_value, plan_terms
from regionopt.model.optimise import optimise, relative_gap, result_status
from regionopt.model.solvers import Outcome
from regionopt.plan import Plan, plan_from_labels
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Alternative:
    """A plan other than the optimum: the best one not equal to any earlier.

    Attributes
    ----------
    plan
        The plan.
    objective
        Its objective value (same weights as the optimum).
    terms
        ``travel`` (person-minutes) and ``balance`` (persons), unweighted.
    differs
        Kommunenummer whose core differs from their core in the optimum.
    status
        ``"optimal"`` when proven the best remaining plan, else ``"time_limit"``.
    """

    plan: Plan
    objective: float
    terms: Mapping[str, float]
    differs: tuple[str, ...]
    status: str


@dataclass(frozen=True)
class SolveResult:
    """The outcome of :func:`solve`.

    Attributes
    ----------
    plan
        The best plan found (regions named after their core), or ``None``
        when no plan was found within the time limit.
    status
        ``"optimal"`` (proven within ``mip_gap``), ``"time_limit"`` (a plan,
        gap above ``mip_gap``), ``"not_solved"`` (no plan within the limit).
        Infeasible scenarios raise :class:`InfeasibleError` instead.
    objective
        Objective value of ``plan`` recomputed from the data (``nan`` without plan).
    terms
        ``travel`` (person-minutes) and ``balance`` (persons), unweighted.
    bound
        Best lower bound the solver proved, or ``None`` if not available.
    gap
        ``(objective - bound) / |objective|`` (0 when both are 0), or ``None``.
    seconds
        Wall-clock seconds to build and solve (alternatives excluded).
    solver
        ``"cbc"`` or ``"highs"``.
    scenario
        The scenario solved.
    alternatives
        Further plans, best first.
    method
        Contiguity formulation used (``"flow"``, ``"cuts"`` or ``"none"``).
    """

    plan: Plan | None
    status: str
    objective: float
    terms: Mapping[str, float]
    bound: float | None
    gap: float | None
    seconds: float
    solver: str
    scenario: Scenario
    alternatives: tuple[Alternative, ...] = ()
    method: str = "flow"


def solve(data: ProblemData, scenario: Scenario, *, quiet: bool = False, alternatives: int = 0,
          method: str = "flow") -> SolveResult:
    """Find the best plan for ``scenario``, and optionally the next best ones.

    Parameters
    ----------
    data
        Municipalities, minutes and adjacency.
    scenario
        What to optimise (solver, time limit and gap from ``scenario.solver``;
        the time limit applies to each solve: the optimum and each alternative).
    quiet
        Hide the solver's log (otherwise written to stderr as it runs).
    alternatives
        How many further plans to find, each the best plan not equal to any
        earlier one (equal = same regions with the same cores).
    method
        Contiguity formulation, ``"flow"`` or ``"cuts"``.

    Returns
    -------
    SolveResult

    Raises
    ------
    InfeasibleError
        If no plan meets the scenario, with the reasons found.
    SolverError
        If the solver is missing or fails.
    """
    start = time.perf_counter()
    cands = candidate_sets(data, scenario)
    reasons = diagnose(data, scenario, cands=cands)
    if reasons:
        raise InfeasibleError(f"scenario {scenario.name!r} is infeasible", reasons)
    model = build_model(data, scenario, method=method, cands=cands)
    outcome, cores = optimise(model, quiet=quiet)
    seconds = time.perf_counter() - start
    if outcome.infeasible:
        raise InfeasibleError(f"scenario {scenario.name!r} is infeasible",
                              explain_infeasible(data, scenario, method=method, cands=cands))
    if cores is None:
        return SolveResult(plan=None, status="not_solved", objective=float("nan"),
                           terms=MappingProxyType({}), bound=outcome.bound, gap=None,
                           seconds=seconds, solver=scenario.solver.name, scenario=scenario,
                           method=model.method)
    best = objective_value(data, scenario, cores)
    _check_objective(best, outcome)
    gap_ = relative_gap(best, outcome.bound)
    result = SolveResult(
        plan=plan_from_labels(data, cores, name="optimum"),
        status=result_status(outcome, gap_, scenario.solver.mip_gap),
        objective=best, terms=MappingProxyType(plan_terms(data, cores, scenario)),
        bound=outcome.bound, gap=gap_, seconds=seconds, solver=scenario.solver.name,
        scenario=scenario, method=model.method,
    )
    alts = _alternatives(model, cores, alternatives, quiet=quiet) if alternatives else ()
    log.info("solved %s: %s, objective %.6g, bound %s, %.2f s", scenario.name, result.status,
             best, outcome.bound, seconds)
    return dataclasses.replace(result, alternatives=alts)


def _check_objective(value: float, outcome: Outcome) -> None:
    """Guard against reading a solution that does not match the solver's objective.

    A plan may be better than the solver's figure for it, never worse: in an
    unproven incumbent the kept-pair variables of the commuting term
    (:func:`~regionopt.model.families.base.kept_flows`) may sit below the
    product they stand for; the plan's value is then the true one.
    """
    tol = 1e-6 * max(1, abs(value))
    if outcome.objective is not None and (value - outcome.objective > tol
                                          or (outcome.proven and outcome.objective - value > tol)):
        raise SolverError(f"solver objective {outcome.objective} differs from the plan's {value}")


def _alternatives(model: RegionModel, best: np.ndarray, count: int, *,
                  quiet: bool) -> tuple[Alternative, ...]:
    data, scenario = model.data, model.scenario
    model.add_no_good(best)
    out = []
    for k in range(count):
        outcome, cores = optimise(model, quiet=quiet)
        if cores is None:
            why = "no further plan exists" if outcome.infeasible else "none found in time"
            log.info("alternative %d: %s", k + 1, why)
            break
        value = objective_value(data, scenario, cores)
        gap_ = relative_gap(value, outcome.bound)
        differs = tuple(data.codes[i] for i in range(data.n) if cores[i] != best[i])
        out.append(Alternative(
            plan=plan_from_labels(data, cores, name=f"alternative {k + 1}"), objective=value,
            terms=MappingProxyType(plan_terms(data, cores, scenario)), differs=differs,
            status=result_status(outcome, gap_, scenario.solver.mip_gap),
        ))
        model.add_no_good(cores)
    return tuple(out)
