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
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from regionopt.budget import Budget
from regionopt.errors import DataError, InfeasibleError, SolverError, whole
from regionopt.model.build import RegionModel, build_model, model_size, start_values
from regionopt.model.by_county import county_plan
from regionopt.model.candidates import candidate_sets
from regionopt.model.diagnose import diagnose
from regionopt.model.explain import explain_infeasible
from regionopt.model.families import Candidates
from regionopt.model.heuristic import HeuristicResult, heuristic_plan, unmet_rules
from regionopt.model.maxp import max_regions
from regionopt.model.objective import objective_value, plan_terms
from regionopt.model.optimise import optimise, relative_gap, result_status
from regionopt.model.reduce import prune_by_bound
from regionopt.model.rules import rules_for_solve
from regionopt.model.seeded import improve_plan
from regionopt.model.solvers import Outcome
from regionopt.plan import Plan, plan_from_labels
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, replace_key

log = logging.getLogger(__name__)

#: How far ``constraints.relative_self_containment`` is lowered after a proof that no plan
#: keeps it (the study area's rules of travel, population and cores leave no room).
RELATIVE_STEP = 0.02


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
        gap above ``mip_gap``), ``"not_solved"`` (no plan within the limit),
        ``"heuristic"`` (``solver.name = "heuristic"``: a plan, no bound).
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
    model
        The model's size as the solver received it (``rows``, ``columns``,
        ``nonzeros``, ``pairs`` kept of ``pairs_before`` pruning by bound); empty
        for the heuristic alone.
    heuristic
        The construction heuristic's plan: ``objective``, ``regions`` (the warm
        start); empty when not run or without a plan.
    regions_max
        For ``regions.count = "max"``: ``value`` (regions in the plan),
        ``bound`` (proven most regions, or ``None``), ``proven``.
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
    model: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    heuristic: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    regions_max: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


def solve(data: ProblemData, scenario: Scenario, *, quiet: bool = False, alternatives: int = 0,
          method: str = "flow", warm_start: bool = True,
          start_plan: np.ndarray | None = None, explain: bool = True) -> SolveResult:
    """Find the best plan for ``scenario``, and optionally the next best ones.

    Parameters
    ----------
    data
        Municipalities, minutes and adjacency.
    scenario
        What to optimise (solver, time limit and gap from ``scenario.solver``;
        the time limit bounds the whole call: the heuristic's pruning, the
        optimum, its cut rounds, the alternatives and the probes explaining an
        infeasible scenario share it, see :mod:`regionopt.budget`).
    quiet
        Hide the solver's log (otherwise written to stderr as it runs).
    alternatives
        How many further plans to find, each the best plan not equal to any
        earlier one (equal = same regions with the same cores).
    method
        Contiguity formulation, ``"flow"`` or ``"cuts"``.
    warm_start
        Start the solver from the construction heuristic's plan
        (:mod:`regionopt.model.heuristic`) and drop the pairs no better plan
        uses (:mod:`regionopt.model.reduce`); the optimum is the same either way.
    start_plan
        ``cores[i]`` of a further plan to start from when ``warm_start`` is on:
        improved by the heuristic's local search and used when it meets every
        rule and is better than the heuristic's own (``regions.count = "max"``
        passes the plan that reached the most regions).
    explain
        When the solver proves the scenario infeasible, probe which family is to blame
        (:mod:`regionopt.model.explain`; relaxation solves sharing the time limit). Off, the
        error says only that the solver proved it.

    Returns
    -------
    SolveResult

    Raises
    ------
    InfeasibleError
        If no plan meets the scenario, with the reasons found. With
        ``constraints.relative_self_containment`` a proof that no plan keeps the
        share lowers it by :data:`RELATIVE_STEP` and solves again, down to that
        step (each lowering logged as a note, the floor used in the result's
        scenario).
    SolverError
        If the solver is missing or fails.
    """
    share = scenario.constraints.relative_self_containment
    while True:
        try:
            return _solve_once(data, scenario, quiet=quiet, alternatives=alternatives,
                               method=method, warm_start=warm_start, start_plan=start_plan,
                               explain=explain and share <= RELATIVE_STEP + 1e-9)
        except InfeasibleError as exc:
            if share <= RELATIVE_STEP + 1e-9:
                raise
            lower = round(share - RELATIVE_STEP, 2)
            log.info("note: no plan keeps constraints.relative_self_containment %g (%s): "
                     "lowered to %g", share, "; ".join(exc.reasons) or "proven", lower)
            scenario = replace_key(scenario, "constraints.relative_self_containment", lower)
            share = lower


def _solve_once(data: ProblemData, scenario: Scenario, *, quiet: bool, alternatives: int,
                method: str, warm_start: bool, start_plan: np.ndarray | None,
                explain: bool) -> SolveResult:
    """:func:`solve` with the scenario's own self-containment floor."""
    start = time.perf_counter()
    scenario = rules_for_solve(data, scenario)
    budget = Budget(scenario.solver.time_limit_s)
    cands = candidate_sets(data, scenario)
    reasons = diagnose(data, scenario, cands=cands)
    if reasons:
        raise InfeasibleError(f"scenario {scenario.name!r} is infeasible", reasons)
    if scenario.regions.count == "max":
        return _solve_max(data, scenario, cands, budget, start, quiet=quiet,
                          alternatives=alternatives, method=method, warm_start=warm_start,
                          explain=explain)
    heur = None
    if warm_start or scenario.solver.name == "heuristic":
        heur = _first_plan(data, scenario, cands, start_plan, budget=budget)
    if scenario.solver.name == "heuristic":
        return _heuristic_result(data, scenario, heur, time.perf_counter() - start)
    good = heur if heur is not None and heur.feasible else None
    plan0 = None if good is None else good.cores
    if good is not None and budget.expired() and not alternatives:
        # the heuristic used up the time limit: its plan is the answer, with no bound
        # (building the model alone would take longer than the limit on a large area)
        log.info("solve: the time limit is spent after the heuristic; no solver run")
        return _heuristic_result(data, scenario, good, time.perf_counter() - start,
                                 status="time_limit")
    pruned: Candidates = cands
    lp_bound: float | None = None
    if good is not None and plan0 is not None and not alternatives and not budget.expired():
        pruned, lp_bound = prune_by_bound(data, scenario, cands, plan0, good.objective,
                                          threads=scenario.solver.threads,
                                          time_limit_s=budget.run_limit())
    model = build_model(data, scenario, method=method, cands=pruned)
    size = dict(model_size(model), pairs=len(model.x), pairs_before=sum(map(len, cands.values())))
    outcome, cores = optimise(model, quiet=quiet, budget=budget,
                              start=None if plan0 is None else start_values(model, plan0))
    seconds = time.perf_counter() - start
    if outcome.infeasible and good is None:
        raise InfeasibleError(f"scenario {scenario.name!r} is infeasible",
                              explain_infeasible(data, scenario, method=method, cands=cands,
                                                 budget=budget) if explain
                              else ["the solver proved that no plan meets every rule"])
    heur_info = MappingProxyType({} if good is None or plan0 is None else {
        "objective": good.objective, "regions": len(set(plan0.tolist()))})
    bound = _best_bound(outcome.bound, lp_bound)
    if good is not None and plan0 is not None and (
            cores is None or objective_value(data, scenario, cores) > good.objective):
        cores, outcome = plan0, dataclasses.replace(outcome, proven=False, objective=None)
    if cores is None:
        return SolveResult(plan=None, status="not_solved", objective=float("nan"),
                           terms=MappingProxyType({}), bound=bound, gap=None,
                           seconds=seconds, solver=scenario.solver.name, scenario=scenario,
                           method=model.method, model=MappingProxyType(size))
    best = objective_value(data, scenario, cores)
    _check_objective(best, outcome)
    gap_ = relative_gap(best, bound)
    result = SolveResult(
        plan=plan_from_labels(data, cores, name="optimum"),
        status=result_status(outcome, gap_, scenario.solver.mip_gap),
        objective=best, terms=MappingProxyType(plan_terms(data, cores, scenario)),
        bound=bound, gap=gap_, seconds=seconds, solver=scenario.solver.name,
        scenario=scenario, method=model.method, model=MappingProxyType(size),
        heuristic=heur_info,
    )
    alts = (_alternatives(model, cores, alternatives, quiet=quiet, budget=budget)
            if alternatives else ())
    log.info("solved %s: %s, objective %s, bound %s, %.1f s", scenario.name, result.status,
             whole(best), whole(bound), seconds)
    return dataclasses.replace(result, alternatives=alts)


def _solve_max(data: ProblemData, scenario: Scenario, cands: Candidates, budget: Budget,
               start: float, *, quiet: bool, alternatives: int, method: str, warm_start: bool,
               explain: bool) -> SolveResult:
    """``regions.count = "max"``: the most regions (:mod:`regionopt.model.maxp`), then the
    least objective among plans with that many; ``not_solved`` when the time limit ended
    the first stage without a plan (no proof that none exists)."""
    most = max_regions(data, scenario, cands, quiet=quiet, budget=budget)
    if most.plan is None and most.infeasible:
        raise InfeasibleError(f"scenario {scenario.name!r} is infeasible", most.unmet)
    if most.plan is None:
        # the time limit ended the search for the most regions without a plan, which
        # proves nothing: say so, as any solve stopped by its limit without a plan does
        log.info("most regions: no plan within the time limit (at most %s regions)",
                 most.bound)
        return SolveResult(plan=None, status="not_solved", objective=float("nan"),
                           terms=MappingProxyType({}), bound=None, gap=None,
                           seconds=time.perf_counter() - start,
                           solver=scenario.solver.name, scenario=scenario,
                           regions_max=MappingProxyType({"value": 0, "bound": most.bound,
                                                         "proven": False}))
    fixed = replace_key(scenario, "regions.count", most.value)
    remaining = budget.run_limit()
    if remaining is not None:
        fixed = replace_key(fixed, "solver.time_limit_s", remaining)
    result = solve(data, fixed, quiet=quiet, alternatives=alternatives, method=method,
                   warm_start=warm_start, start_plan=most.plan, explain=explain)
    return dataclasses.replace(
        result, scenario=scenario, seconds=time.perf_counter() - start,
        regions_max=MappingProxyType({"value": most.value, "bound": most.bound,
                                      "proven": most.bound == most.value}))


def _first_plan(data: ProblemData, scenario: Scenario, cands: Candidates,
                start_plan: np.ndarray | None, *, budget: Budget) -> HeuristicResult:
    """The heuristic's plan, or ``start_plan`` improved when it is feasible and better.

    With ``solver.start = "counties"`` and no plan from the heuristic, the plan united
    from one solve per county (:mod:`regionopt.model.by_county`) when it meets every rule,
    improved by the heuristic's local search when that keeps every rule.
    """
    heur = heuristic_plan(data, scenario, cands, budget=budget)
    if not heur.feasible and scenario.solver.start == "counties":
        united = _county_start(data, scenario, cands, budget=budget)
        if united is not None and united.cores is not None:
            better = improve_plan(data, scenario, cands, united.cores, budget=budget)
            heur = better if better.feasible and better.objective <= united.objective else united
            log.info("counties: the local search took the united plan from %s to %s",
                     whole(united.objective), whole(heur.objective))
    if start_plan is not None:
        given = improve_plan(data, scenario, cands, start_plan, budget=budget)
        if given.feasible and (not heur.feasible or given.objective < heur.objective):
            return given
    return heur


def _county_start(data: ProblemData, scenario: Scenario, cands: Candidates, *,
                  budget: Budget) -> HeuristicResult | None:
    """The county plans united, when they meet every rule and the plan's pairs are candidates."""
    began = time.perf_counter()
    part = replace_key(scenario, "solver.start", "heuristic")

    def solve_part(sub: ProblemData) -> np.ndarray | None:
        limit = budget.run_limit()
        named = replace_key(part, "name", f"{scenario.name} [counties "
                                          f"{', '.join(sorted(set(sub.counties)))}]")
        fixed = named if limit is None else replace_key(named, "solver.time_limit_s", limit)
        try:
            result = solve(sub, fixed, quiet=True, explain=False)
        except (InfeasibleError, SolverError, DataError) as exc:  # DataError: a named
            # municipality (must_link, fixed_cores) outside the part
            log.info("counties: %s", exc)
            return None
        return None if result.plan is None else result.plan.labels(sub)

    cores = county_plan(data, solve_part)
    if cores is None:
        return None
    unmet = unmet_rules(data, scenario, cores)
    pairs = {(i, j) for j, members in cands.items() for i in members}
    outside = sum((i, int(j)) not in pairs for i, j in enumerate(cores))
    value = objective_value(data, scenario, cores)
    log.info("counties: united plan of %d regions, objective %s, %d rules unmet, %d pairs "
             "outside the candidates, %.1f s", len(set(cores.tolist())), whole(value),
             len(unmet), outside, time.perf_counter() - began)
    if unmet or outside:
        return None
    return HeuristicResult(cores, value, (), time.perf_counter() - began)


def _best_bound(*bounds: float | None) -> float | None:
    known = [b for b in bounds if b is not None]
    return max(known) if known else None


def _heuristic_result(data: ProblemData, scenario: Scenario, heur: HeuristicResult | None,
                      seconds: float, *, status: str = "heuristic") -> SolveResult:
    """The heuristic's plan alone: no bound, no gap.

    ``status`` is ``"heuristic"`` for ``solver.name = "heuristic"``, ``"time_limit"``
    when the time limit was spent before a solver could run.
    """
    if heur is None or heur.cores is None or heur.unmet:
        why = "; ".join(heur.unmet) if heur is not None else "not run"
        raise SolverError(f"scenario {scenario.name!r}: the heuristic found no plan meeting "
                          f"every rule ({why}); an exact solver (cbc, highs) may still find one")
    info = {"objective": heur.objective, "regions": len(set(heur.cores.tolist()))}
    return SolveResult(plan=plan_from_labels(data, heur.cores, name="optimum"),
                       status=status, objective=heur.objective,
                       terms=MappingProxyType(plan_terms(data, heur.cores, scenario)),
                       bound=None,
                       gap=None, seconds=seconds,
                       solver="heuristic" if status == "heuristic" else scenario.solver.name,
                       scenario=scenario,
                       method="none", heuristic=MappingProxyType(info))


def _check_objective(value: float, outcome: Outcome) -> None:
    """Guard against reading a solution that does not match the solver's objective.

    A plan may be better than the solver's figure for it, never worse: in an
    incumbent the kept-pair variables of the commuting term
    (:func:`~regionopt.model.families.base.kept_flows`) may sit below the product
    they stand for, and a proof within ``solver.mip_gap`` does not lift them; the
    plan's value is then the true one. A proven plan is never below the solver's
    bound.
    """
    tol = 1e-6 * max(1, abs(value))
    if outcome.objective is not None and value - outcome.objective > tol:
        raise SolverError(f"solver objective {outcome.objective} is below the plan's {value}")
    if outcome.proven and outcome.bound is not None and outcome.bound - value > tol:
        raise SolverError(f"the plan's objective {value} is below the solver's bound "
                          f"{outcome.bound}")


def _alternatives(model: RegionModel, best: np.ndarray, count: int, *,
                  quiet: bool, budget: Budget) -> tuple[Alternative, ...]:
    data, scenario = model.data, model.scenario
    model.add_no_good(best)
    out = []
    for k in range(count):
        if budget.expired():
            log.info("alternative %d: the time limit is spent", k + 1)
            break
        outcome, cores = optimise(model, quiet=quiet, budget=budget)
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
